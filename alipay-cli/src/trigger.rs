//! `alipay trigger EVENT --to URL`: a signed test notification, as the local
//! gateway would send it, delivered to a webhook on this machine only.
//!
//! Each event is one entry of [`EVENTS`]: its fields (with placeholders) and the
//! rule its signature follows. An E签宝 or shop callback is one more entry.

use std::net::{IpAddr, ToSocketAddrs as _};
use std::path::PathBuf;
use std::time::Duration;

use alipay_api::crypto::sign_base64;
use alipay_api::protocol::notify_content;
use alipay_api::{BeijingDateTime, PrivateKey, SignType};
use serde::Serialize;

use crate::error::{CliError, EXIT_NEGATIVE};
use crate::output::Report;

/// The V1 rule of asynchronous notifications: the signature leaves out `sign` and
/// `sign_type`. Each entry names its own rule, for callbacks that differ.
const V1: &[&str] = &["sign", "sign_type"];

/// A notification `alipay trigger` can send.
#[derive(Debug)]
pub struct Event {
    /// The name on the command line.
    pub name: &'static str,
    /// One line on what it tells the merchant.
    pub summary: &'static str,
    /// The parameters the signature leaves out.
    pub signed_without: &'static [&'static str],
    /// The fields besides the common ones (`notify_time`, `notify_id`, `app_id`,
    /// `charset`, `version`, `sign_type`). Values may hold `{now}`, `{app_id}`,
    /// `{trade_no}`, `{out_trade_no}` and `{out_biz_no}`.
    pub fields: &'static [(&'static str, &'static str)],
}

const TRADE: &[(&str, &str)] = &[
    ("notify_type", "trade_status_sync"),
    ("auth_app_id", "{app_id}"),
    ("trade_no", "{trade_no}"),
    ("out_trade_no", "{out_trade_no}"),
    ("buyer_id", "2088000000000002"),
    ("buyer_logon_id", "buy***@example.com"),
    ("seller_id", "2088000000000001"),
    ("total_amount", "88.88"),
    ("subject", "Test order"),
    ("gmt_create", "{now}"),
];

/// Every event, by name.
pub const EVENTS: &[Event] = &[
    Event {
        name: "trade.success",
        summary: "a trade was paid: trade_status_sync, TRADE_SUCCESS",
        signed_without: V1,
        fields: &[
            ("trade_status", "TRADE_SUCCESS"),
            ("receipt_amount", "88.88"),
            ("buyer_pay_amount", "88.88"),
            ("gmt_payment", "{now}"),
        ],
    },
    Event {
        name: "trade.closed",
        summary: "an unpaid trade was closed, or a paid one fully refunded: TRADE_CLOSED",
        signed_without: V1,
        fields: &[("trade_status", "TRADE_CLOSED"), ("gmt_close", "{now}")],
    },
    Event {
        name: "refund",
        summary: "part of a paid trade was refunded: TRADE_SUCCESS with refund_fee",
        signed_without: V1,
        fields: &[
            ("trade_status", "TRADE_SUCCESS"),
            ("gmt_payment", "{now}"),
            ("out_biz_no", "{out_biz_no}"),
            ("refund_fee", "10.00"),
            ("gmt_refund", "{now}"),
        ],
    },
];

/// Whether an event is a trade notification (takes the common trade fields).
fn is_trade(e: &Event) -> bool {
    e.name.starts_with("trade.") || e.name == "refund"
}

fn event_list() -> String {
    EVENTS
        .iter()
        .map(|e| format!("{} ({})", e.name, e.summary))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `alipay trigger` options.
#[derive(Debug, clap::Args)]
pub struct TriggerArgs {
    /// The event: trade.success, trade.closed or refund.
    pub event: String,
    /// The webhook URL; loopback only (127.0.0.1, ::1, localhost).
    #[arg(long)]
    pub to: String,
    /// The folder `alipay gateway --keys-out DIR` wrote: the notification is signed
    /// with that gateway's platform key, so a client configured for it verifies it.
    #[arg(long, value_name = "DIR")]
    pub keys: PathBuf,
    /// Set or add a field, repeatable (e.g. --set out_trade_no=T1 --set total_amount=9.99).
    #[arg(long = "set", value_name = "K=V", value_parser = parse_set)]
    pub set: Vec<(String, String)>,
    /// The notification's charset: utf-8 or gbk.
    #[arg(long, default_value = "utf-8")]
    pub charset: String,
}

fn parse_set(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.to_owned())),
        _ => Err(format!("`{s}` is not K=V")),
    }
}

/// What `alipay trigger` did.
#[derive(Debug, Serialize)]
pub struct TriggerReport {
    /// The event.
    pub event: String,
    /// Where it went.
    pub url: String,
    /// The parameters sent, `sign` included.
    pub params: Vec<(String, String)>,
    /// The webhook's HTTP status.
    pub status: u16,
    /// The start of the webhook's answer.
    pub answer: String,
    /// Whether the answer was exactly `success` (Alipay stops retrying only then).
    pub acknowledged: bool,
}

/// Refuses any URL whose host is not this machine.
fn loopback_url(to: &str) -> Result<reqwest::Url, CliError> {
    let url = reqwest::Url::parse(to)
        .map_err(|e| CliError::input(format!("--to `{to}` is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(CliError::input(format!(
            "--to `{to}` is not an http(s) URL"
        )));
    }
    let refuse = |host: &str| {
        CliError::input(format!(
            "--to: `{host}` is not a loopback address; trigger only delivers to a webhook on \
             this machine (127.0.0.1, [::1] or localhost)"
        ))
    };
    let host = url.host_str().unwrap_or_default().to_owned();
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => {
            // Only if every address it names is loopback.
            let port = url.port_or_known_default().unwrap_or(80);
            let addrs: Vec<IpAddr> = (d, port)
                .to_socket_addrs()
                .map(|a| a.map(|s| s.ip()).collect())
                .unwrap_or_default();
            !addrs.is_empty() && addrs.iter().all(IpAddr::is_loopback)
        }
        _ => false,
    };
    if loopback {
        Ok(url)
    } else {
        Err(refuse(&host))
    }
}

/// The platform key and app id from a `--keys-out` folder.
fn load_keys(dir: &std::path::Path) -> Result<(PrivateKey, String), CliError> {
    use alipay_sandbox::cli::{KEYS_CONFIG_FILE, PLATFORM_KEY_FILE};
    let key_path = dir.join(PLATFORM_KEY_FILE);
    let text = std::fs::read_to_string(&key_path).map_err(|e| CliError::Read {
        what: format!("`{}`", key_path.display()),
        reason: format!(
            "{e}; make the folder with `alipay gateway --keys-out {}`",
            dir.display()
        ),
    })?;
    let key = PrivateKey::from_text(&text)?;
    let loaded = crate::settings::load(Some(&dir.join(KEYS_CONFIG_FILE)))?;
    let app_id = loaded
        .config
        .app_id
        .ok_or(alipay_api::ConfigError::Missing("app_id"))?;
    Ok((key, app_id))
}

/// The event's parameters, signed.
fn build(
    event: &Event,
    args: &TriggerArgs,
    key: &PrivateKey,
    app_id: &str,
) -> Result<Vec<(String, String)>, CliError> {
    let now = BeijingDateTime::now();
    let stamp = now.naive().format("%Y%m%d%H%M%S").to_string();
    let fill = |v: &str| {
        v.replace("{now}", &now.to_string())
            .replace("{app_id}", app_id)
            .replace("{trade_no}", &format!("{stamp}22000000000001"))
            .replace("{out_trade_no}", &format!("T{stamp}"))
            .replace("{out_biz_no}", &format!("R{stamp}"))
    };
    let common = [
        ("notify_time", "{now}"),
        ("notify_id", "cli-{out_trade_no}"),
        ("app_id", "{app_id}"),
        ("charset", args.charset.as_str()),
        ("version", "1.0"),
        ("sign_type", SignType::Rsa2.as_str()),
    ];
    let trade: &[(&str, &str)] = if is_trade(event) { TRADE } else { &[] };
    let mut params: Vec<(String, String)> = Vec::new();
    for (k, v) in common.iter().chain(trade).chain(event.fields) {
        params.retain(|(key, _)| key != k);
        params.push(((*k).to_owned(), fill(v)));
    }
    for (k, v) in &args.set {
        params.retain(|(key, _)| key != k);
        params.push((k.clone(), v.clone()));
    }
    let text = notify_content(
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        event.signed_without,
    );
    let bytes = charset_bytes(&text, &args.charset)?;
    let sign =
        sign_base64(key, SignType::Rsa2, &bytes).map_err(|e| CliError::input(e.to_string()))?;
    params.push(("sign".into(), sign));
    Ok(params)
}

fn charset_bytes(text: &str, charset: &str) -> Result<Vec<u8>, CliError> {
    let enc = encoding_rs::Encoding::for_label(charset.as_bytes())
        .filter(|e| *e == encoding_rs::UTF_8 || *e == encoding_rs::GBK)
        .ok_or_else(|| CliError::input(format!("--charset `{charset}`: use utf-8 or gbk")))?;
    let (bytes, _, unmappable) = enc.encode(text);
    if unmappable {
        return Err(CliError::input(format!(
            "a field has characters {} cannot write; use --charset utf-8",
            enc.name()
        )));
    }
    Ok(bytes.into_owned())
}

/// The form body, each value percent-encoded from its bytes in `charset`.
fn form_body(params: &[(String, String)], charset: &str) -> Result<Vec<u8>, CliError> {
    let mut parts = Vec::with_capacity(params.len());
    for (k, v) in params {
        let k: String = percent_encoding::percent_encode(
            &charset_bytes(k, charset)?,
            percent_encoding::NON_ALPHANUMERIC,
        )
        .collect();
        let v: String = percent_encoding::percent_encode(
            &charset_bytes(v, charset)?,
            percent_encoding::NON_ALPHANUMERIC,
        )
        .collect();
        parts.push(format!("{k}={v}"));
    }
    Ok(parts.join("&").into_bytes())
}

/// `alipay trigger`.
pub fn trigger(args: &TriggerArgs) -> Result<TriggerReport, CliError> {
    let event = EVENTS
        .iter()
        .find(|e| e.name == args.event)
        .ok_or_else(|| {
            CliError::input(format!(
                "unknown event `{}`; events: {}",
                args.event,
                event_list()
            ))
        })?;
    let url = loopback_url(&args.to)?;
    let (key, app_id) = load_keys(&args.keys)?;
    let params = build(event, args, &key, &app_id)?;
    let body = form_body(&params, &args.charset)?;
    // No proxy (it would take the request off this machine) and no redirects
    // (a redirect could point anywhere).
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| CliError::input(format!("cannot make an HTTP client ({e})")))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::input(format!("cannot start the async runtime ({e})")))?;
    let content_type = format!(
        "application/x-www-form-urlencoded; charset={}",
        args.charset
    );
    let (status, answer) = runtime
        .block_on(async {
            let resp = http
                .post(url.clone())
                .header("content-type", content_type)
                .body(body)
                .send()
                .await?;
            let status = resp.status().as_u16();
            let bytes = resp.bytes().await?;
            Ok::<_, reqwest::Error>((status, String::from_utf8_lossy(&bytes).into_owned()))
        })
        .map_err(|e| {
            CliError::Delivery(format!(
                "could not deliver to {url} ({e}); is the webhook running?"
            ))
        })?;
    Ok(TriggerReport {
        event: event.name.into(),
        url: url.to_string(),
        acknowledged: (200..300).contains(&status) && answer == alipay_api::NOTIFY_ACK,
        answer: answer.chars().take(200).collect(),
        status,
        params,
    })
}

impl Report for TriggerReport {
    fn human(&self) -> String {
        let verdict = if self.acknowledged {
            "acknowledged (`success`): Alipay would stop retrying".to_owned()
        } else {
            format!(
                "NOT acknowledged: Alipay retries until the answer is exactly `{}`",
                alipay_api::NOTIFY_ACK
            )
        };
        format!(
            "{} delivered to {}\nHTTP {} {:?}\n{verdict}\n",
            self.event, self.url, self.status, self.answer
        )
    }

    fn exit_code(&self) -> u8 {
        if self.acknowledged {
            0
        } else {
            EXIT_NEGATIVE
        }
    }
}

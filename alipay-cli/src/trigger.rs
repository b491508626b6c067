//! `alipay trigger EVENT --to URL`: a test notification, made and signed exactly as
//! the local gateway posts it, delivered to a webhook on this machine only.
//!
//! An event is any notification of the spec (by type name, e.g. `UserAgreementSigned`,
//! or by its `notify_type` / `msg_method` / `action`), or one of the [`PRESETS`]: a
//! trade notification with the fields of a common case set.

use std::net::{IpAddr, ToSocketAddrs as _};
use std::path::PathBuf;
use std::time::Duration;

use alipay_api::{BeijingDateTime, PrivateKey, SignType};
use alipay_sandbox::{sample_notification, NotificationSigning, SampleNotification};
use serde::Serialize;

use crate::error::{CliError, EXIT_NEGATIVE};
use crate::output::Report;

/// A common case of a notification: its fields set (an empty value removes one).
#[derive(Debug)]
pub struct Preset {
    /// The name on the command line.
    pub name: &'static str,
    /// One line on what it tells the merchant.
    pub summary: &'static str,
    /// The notification it is.
    pub notification: &'static str,
    /// The fields set; `{now}` is the time of sending.
    pub fields: &'static [(&'static str, &'static str)],
}

/// Trade cases the spec's sample values do not make by themselves.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "trade.success",
        summary: "a trade was paid: trade_status_sync, TRADE_SUCCESS",
        notification: "TradeStatusSync",
        fields: &[
            ("trade_status", "TRADE_SUCCESS"),
            ("total_amount", "88.88"),
            ("receipt_amount", "88.88"),
            ("buyer_pay_amount", "88.88"),
            ("gmt_payment", "{now}"),
            ("out_biz_no", ""),
            ("refund_fee", ""),
            ("gmt_refund", ""),
            ("gmt_close", ""),
        ],
    },
    Preset {
        name: "trade.closed",
        summary: "an unpaid trade was closed, or a paid one fully refunded: TRADE_CLOSED",
        notification: "TradeStatusSync",
        fields: &[
            ("trade_status", "TRADE_CLOSED"),
            ("gmt_close", "{now}"),
            ("gmt_payment", ""),
            ("out_biz_no", ""),
            ("refund_fee", ""),
            ("gmt_refund", ""),
        ],
    },
    Preset {
        name: "refund",
        summary: "part of a paid trade was refunded: TRADE_SUCCESS with refund_fee",
        notification: "TradeStatusSync",
        fields: &[
            ("trade_status", "TRADE_SUCCESS"),
            ("total_amount", "88.88"),
            ("refund_fee", "10.00"),
            ("gmt_refund", "{now}"),
            ("gmt_close", ""),
        ],
    },
];

/// What `trigger` can send, for the help and the unknown-event error.
fn event_list() -> String {
    let presets = PRESETS
        .iter()
        .map(|p| format!("{} ({})", p.name, p.summary));
    let names = alipay_sandbox::notification_names()
        .into_iter()
        .map(str::to_owned);
    presets.chain(names).collect::<Vec<_>>().join("; ")
}

/// `alipay trigger` options.
#[derive(Debug, clap::Args)]
pub struct TriggerArgs {
    /// The event: a notification's type name (e.g. UserAgreementSigned, ShopAuditResult,
    /// EsignFlowFinished), its notify_type / msg_method / action, or a preset:
    /// trade.success, trade.closed, refund. An unknown name lists them all.
    pub event: String,
    /// The webhook URL; loopback only (127.0.0.1, ::1, localhost).
    #[arg(long)]
    pub to: String,
    /// The folder `alipay gateway --keys-out DIR` wrote: the notification is signed
    /// with that gateway's platform key, so a client configured for it verifies it.
    #[arg(long, value_name = "DIR")]
    pub keys: PathBuf,
    /// Set or add a field, repeatable (e.g. --set out_trade_no=T1 --set total_amount=9.99);
    /// `--set k=` removes one. A message's fields are those of its `biz_content`.
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
    /// Whether Alipay signed it (a partner's callback, e签宝's, is unsigned).
    pub signed: bool,
    /// Whether the answer acknowledges it: exactly `success` for Alipay's (it
    /// retries until then), any 2xx for a partner's callback.
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

/// The event's notification: the preset's fields (or none), then `--set`'s, signed
/// with the gateway's platform key.
fn build(
    args: &TriggerArgs,
    key: &PrivateKey,
    app_id: &str,
) -> Result<SampleNotification, CliError> {
    let preset = PRESETS.iter().find(|p| p.name == args.event);
    let now = BeijingDateTime::now().to_string();
    let mut fields: Vec<(String, String)> = preset
        .map(|p| p.fields)
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.replace("{now}", &now)))
        .collect();
    fields.extend(args.set.iter().cloned());
    let signing = NotificationSigning {
        app_id,
        signer: key,
        sign_type: SignType::Rsa2,
        charset: &args.charset,
    };
    let name = preset.map_or(args.event.as_str(), |p| p.notification);
    sample_notification(name, &fields, &signing).map_err(|e| match e {
        alipay_sandbox::SandboxError::UnknownNotification { .. } => CliError::input(format!(
            "unknown event `{}`; events: {}",
            args.event,
            event_list()
        )),
        other => CliError::input(other.to_string()),
    })
}

/// `alipay trigger`.
pub fn trigger(args: &TriggerArgs) -> Result<TriggerReport, CliError> {
    let url = loopback_url(&args.to)?;
    let (key, app_id) = load_keys(&args.keys)?;
    let n = build(args, &key, &app_id)?;
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
    let (status, answer) = runtime
        .block_on(async {
            let resp = http
                .post(url.clone())
                .header("content-type", &n.content_type)
                .body(n.body.clone())
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
    let ok = (200..300).contains(&status);
    Ok(TriggerReport {
        event: args.event.clone(),
        url: url.to_string(),
        acknowledged: ok && (!n.signed || answer == alipay_api::NOTIFY_ACK),
        signed: n.signed,
        answer: answer.chars().take(200).collect(),
        status,
        params: n.params,
    })
}

impl Report for TriggerReport {
    fn human(&self) -> String {
        let verdict = match (self.acknowledged, self.signed) {
            (true, true) => "acknowledged (`success`): Alipay would stop retrying".to_owned(),
            (true, false) => "acknowledged (2xx): the partner would stop retrying".to_owned(),
            (false, true) => format!(
                "NOT acknowledged: Alipay retries until the answer is exactly `{}`",
                alipay_api::NOTIFY_ACK
            ),
            (false, false) => "NOT acknowledged: the partner retries until a 2xx".to_owned(),
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

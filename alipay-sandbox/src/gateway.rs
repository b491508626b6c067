//! The v2 gateway: protocol checks in Alipay's order, signature verification, AES,
//! spec validation, then the behaviour model or a spec-driven answer.

use std::sync::Arc;

use alipay_api::crypto::aes::AesKey;
use alipay_api::protocol::{notify_content, sign_content};
use alipay_api::request::{CallKind, Placement};
use alipay_api::schema::{self, MethodSchema};
use alipay_api::{BeijingDateTime, SignType};
use serde_json::{Map, Value};

use crate::behave::{self, invalid_param, Call};
use crate::reply::{self, Failure, Node, Signing};
use crate::server::Shared;
use crate::state::TradeStatus;
use crate::wire::Params;

/// What the HTTP layer sends back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A JSON gateway answer, sent in the request's charset (`utf-8` or `gbk`).
    Json(String, &'static str),
    /// A browser redirect (page payments).
    Redirect(String),
    /// An HTML page for the buyer's browser.
    Html(String),
}

/// A request rejected before its business content was looked at.
struct Rejection {
    failure: Failure,
    /// Whether the app is known, so the answer can be signed.
    signed: bool,
    sign_type: SignType,
    /// The node the answer goes under: the method's own once the method is known
    /// (as Alipay answers a bad signature), else `error_response`.
    key: Option<String>,
}

fn reject(failure: Failure, signed: bool, sign_type: SignType) -> Rejection {
    Rejection {
        failure,
        signed,
        sign_type,
        key: None,
    }
}

/// A request that passed the protocol checks.
struct Checked {
    schema: &'static MethodSchema,
    sign_type: SignType,
    encrypted: bool,
    biz: Option<Value>,
}

fn check(shared: &Shared, p: &Params) -> Result<Checked, Rejection> {
    let rsa2 = SignType::Rsa2;
    let method = p.non_empty("method").ok_or_else(|| {
        reject(
            Failure::missing("isv.missing-method", "the `method` parameter is missing"),
            false,
            rsa2,
        )
    })?;
    let app_id = p.non_empty("app_id").ok_or_else(|| {
        reject(
            Failure::missing("isv.missing-app-id", "the `app_id` parameter is missing"),
            false,
            rsa2,
        )
    })?;
    if app_id != shared.keys.app_id {
        // Unknown app: there is no key to sign with, so the answer is unsigned.
        return Err(reject(
            Failure::invalid(
                "isv.invalid-app-id",
                format!(
                    "no app `{app_id}` exists on this gateway; use the app id it printed at start"
                ),
            ),
            false,
            rsa2,
        ));
    }
    let requested_type = p
        .non_empty("sign_type")
        .and_then(SignType::from_wire)
        .unwrap_or(rsa2);
    let schema = schema::method(method).ok_or_else(|| {
        reject(
            Failure::invalid(
                "isv.invalid-method",
                format!("method `{method}` does not exist (or its product is not in the spec)"),
            ),
            true,
            requested_type,
        )
    })?;
    let node_key = reply::response_key(schema.meta.method);
    let keyed = |failure: Failure, sign_type: SignType| Rejection {
        failure,
        signed: true,
        sign_type,
        key: Some(node_key.clone()),
    };
    let sign = p.non_empty("sign").ok_or_else(|| {
        keyed(
            Failure::missing("isv.missing-signature", "the `sign` parameter is missing"),
            rsa2,
        )
    })?;
    let sign_type_text = p.non_empty("sign_type").ok_or_else(|| {
        keyed(
            Failure::missing(
                "isv.missing-signature-type",
                "the `sign_type` parameter is missing; send RSA2",
            ),
            rsa2,
        )
    })?;
    let sign_type = SignType::from_wire(sign_type_text).ok_or_else(|| {
        keyed(
            Failure::invalid(
                "isv.invalid-signature-type",
                format!("sign_type `{sign_type_text}` is not supported; send RSA2 (or RSA for legacy apps)"),
            ),
            rsa2,
        )
    })?;
    let no = |f: Failure| keyed(f, sign_type);
    let ts = p.non_empty("timestamp").ok_or_else(|| {
        no(Failure::missing(
            "isv.missing-timestamp",
            "the `timestamp` parameter is missing",
        ))
    })?;
    let ts = ts.parse::<BeijingDateTime>().map_err(|_| {
        no(Failure::invalid(
            "isv.invalid-timestamp",
            format!("timestamp `{ts}` is not `yyyy-MM-dd HH:mm:ss` Beijing time"),
        ))
    })?;
    let skew = (chrono::Utc::now() - ts.to_utc()).abs();
    if skew
        .to_std()
        .map_or(true, |d| d > shared.config.timestamp_tolerance)
    {
        return Err(no(Failure::invalid(
            "isv.invalid-timestamp",
            format!(
                "timestamp {ts} is {} s away from the gateway's clock (Beijing time {}); check the system clock",
                skew.num_seconds(),
                BeijingDateTime::now()
            ),
        )));
    }
    if p.non_empty("version").is_none() {
        return Err(no(Failure::missing(
            "isv.missing-version",
            "the `version` parameter is missing; send 1.0",
        )));
    }
    if let Some(f) = p.non_empty("format") {
        if !f.eq_ignore_ascii_case("json") {
            return Err(no(Failure::invalid(
                "isv.invalid-format",
                format!("format `{f}` is not supported; send json"),
            )));
        }
    }
    if let (Some(app_sn), Some(root_sn)) = (&shared.app_cert_sn, &shared.root_sn) {
        match p.non_empty("app_cert_sn") {
            None => {
                return Err(no(Failure::missing(
                    "isv.missing-app-cert-sn",
                    "this app uses certificate mode: send `app_cert_sn`",
                )))
            }
            Some(sn) if sn != app_sn => {
                return Err(no(Failure::invalid(
                    "isv.invalid-app-cert-sn",
                    format!("app_cert_sn `{sn}` is not the SN of this app's certificate"),
                )))
            }
            Some(_) => {}
        }
        if p.non_empty("alipay_root_cert_sn") != Some(root_sn.as_str()) {
            return Err(no(Failure::invalid(
                "isv.invalid-alipay-root-cert-sn",
                "alipay_root_cert_sn does not match the root certificate bundle; use the alipayRootCert.crt the sandbox printed",
            )));
        }
    }
    let content = sign_content(p.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if !shared.app_public.verify_base64(
        sign_type,
        &crate::wire::charset_bytes(&content, &p.charset),
        sign,
    ) {
        return Err(no(Failure::invalid(
            "isv.invalid-signature",
            format!(
                "the signature does not match: check that the app private key pairs with the app public key registered here; the string the gateway verified was: {content}"
            ),
        )));
    }
    let encrypted = match p.non_empty("encrypt_type") {
        None => false,
        Some("AES") => true,
        Some(other) => {
            return Err(no(Failure::invalid(
                "isv.invalid-encrypt-type",
                format!("encrypt_type `{other}` is not supported; send AES"),
            )))
        }
    };
    let biz_text = p.non_empty("biz_content").map(str::to_owned);
    let biz_text = match (encrypted, biz_text) {
        (true, Some(ct)) => Some(decrypt(shared.aes.as_ref(), &ct).map_err(no)?),
        (_, b) => b,
    };
    let biz = match biz_text {
        None => None,
        Some(t) => Some(serde_json::from_str::<Value>(&t).map_err(|e| {
            no(invalid_param(
                method,
                &format!("`biz_content` is not valid JSON ({e})"),
            ))
        })?),
    };
    Ok(Checked {
        schema,
        sign_type,
        encrypted,
        biz,
    })
}

fn decrypt(aes: Option<&AesKey>, ct: &str) -> Result<String, Failure> {
    let key = aes.ok_or_else(|| {
        Failure::invalid(
            "isv.decryption-error-not-valid-encrypt-key",
            "this app has no AES key; start the sandbox with AES enabled or do not encrypt",
        )
    })?;
    key.decrypt(ct).map_err(|e| {
        Failure::invalid(
            "isv.decryption-error-unknown",
            format!("biz_content could not be decrypted with the app's AES key ({e})"),
        )
    })
}

/// Checks the business content against the spec.
fn validate(c: &Checked, p: &Params) -> Result<(), Failure> {
    let method = c.schema.meta.method;
    if let Err(e) =
        schema::validate_params(c.schema, c.biz.as_ref(), &|k| p.get(k).map(str::to_owned))
    {
        let detail: Vec<String> = e.violations().iter().map(ToString::to_string).collect();
        return Err(invalid_param(method, &detail.join("; ")));
    }
    for f in c
        .schema
        .params
        .iter()
        .filter(|f| f.placement == Placement::File && f.required)
    {
        if !p.files.iter().any(|x| x.field == f.name) {
            return Err(invalid_param(
                method,
                &format!(
                    "`{}`: the file part is missing; send it as multipart/form-data",
                    f.name
                ),
            ));
        }
    }
    Ok(())
}

fn json_answer(
    shared: &Shared,
    charset: &str,
    key: &str,
    node: &Node,
    sign_type: SignType,
    signed: bool,
    aes: bool,
) -> Outcome {
    if !signed {
        return Outcome::Json(
            reply::body(key, node, None),
            crate::wire::canonical(charset),
        );
    }
    let platform = shared.platform();
    let signing = Signing {
        signer: platform.signer.as_ref(),
        sign_type,
        cert_sn: platform.cert_sn.as_deref(),
        aes: if aes { shared.aes.as_ref() } else { None },
        charset,
    };
    Outcome::Json(
        reply::body(key, node, Some(&signing)),
        crate::wire::canonical(charset),
    )
}

/// Answers one gateway request.
pub(crate) fn process(shared: &Arc<Shared>, p: &Params) -> Outcome {
    let page = p
        .non_empty("method")
        .and_then(schema::method)
        .is_some_and(|s| s.meta.kind == CallKind::PageRedirect);
    let checked = match check(shared, p) {
        Ok(c) => c,
        Err(r) if page => return error_page(&r.failure),
        Err(r) => {
            return json_answer(
                shared,
                &p.charset,
                r.key.as_deref().unwrap_or("error_response"),
                &Node::failure(&r.failure),
                r.sign_type,
                r.signed,
                false,
            )
        }
    };
    let method = checked.schema.meta.method;
    let key = reply::response_key(method);
    if let Err(f) = validate(&checked, p) {
        if page {
            return error_page(&f);
        }
        return json_answer(
            shared,
            &p.charset,
            &key,
            &Node::failure(&f),
            checked.sign_type,
            true,
            checked.encrypted,
        );
    }
    let empty = Map::new();
    let biz = checked
        .biz
        .as_ref()
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let call = Call {
        shared,
        method,
        params: p,
        biz,
        sign_type: checked.sign_type,
    };
    if page {
        return match page_pay(&call) {
            Ok(o) => o,
            Err(f) => error_page(&f),
        };
    }
    let node = match behave::dispatch(&call) {
        Some(Ok(n)) => n,
        Some(Err(f)) => Node::failure(&f),
        None => {
            let mut n = Node::success();
            let lookup = |k: &str| {
                biz.get(k)
                    .cloned()
                    .or_else(|| p.get(k).map(|v| Value::String(v.to_owned())))
            };
            for (k, v) in crate::synth::response_fields(checked.schema, &lookup) {
                n.set(&k, v);
            }
            n
        }
    };
    json_answer(
        shared,
        &p.charset,
        &key,
        &node,
        checked.sign_type,
        true,
        checked.encrypted,
    )
}

/// A signed `20000` answer under the method's node (or `error_response`).
pub(crate) fn system_error(shared: &Arc<Shared>, p: &Params) -> Outcome {
    let key = p.non_empty("method").and_then(schema::method).map_or_else(
        || "error_response".to_owned(),
        |s| reply::response_key(s.meta.method),
    );
    let sign_type = p
        .non_empty("sign_type")
        .and_then(SignType::from_wire)
        .unwrap_or(SignType::Rsa2);
    let f = Failure::unavailable("the service is busy; query the outcome before retrying");
    json_answer(
        shared,
        &p.charset,
        &key,
        &Node::failure(&f),
        sign_type,
        true,
        false,
    )
}

/// The buyer's browser arrives with a page payment: create the trade, pay it (the
/// simulated buyer confirms at once), notify, and send the browser back.
fn page_pay(c: &Call<'_>) -> Result<Outcome, Failure> {
    let auto = c.shared.config.auto_pay_pages;
    let trade = {
        let mut st = c.shared.lock();
        let key = behave::open_trade(c, &mut st)?;
        if auto {
            behave::mark_paid(&mut st, &key, None).map_err(|(_, status)| {
                Failure::business("ACQ.TRADE_STATUS_ERROR", format!("the trade is {status}"))
            })?
        } else {
            st.trades.get(&key).cloned().ok_or_else(|| {
                Failure::business("ACQ.TRADE_NOT_EXIST", "the trade does not exist")
            })?
        }
    };
    if trade.status != TradeStatus::TradeSuccess {
        return Ok(Outcome::Html(cashier_page(&c.shared.base_url, &trade)));
    }
    crate::notify::trade_changed(c.shared, &trade, None);
    Ok(return_to_merchant(c.shared, &trade))
}

/// After payment: a 302 to `return_url` with signed sync parameters, or a plain
/// page when there is none.
pub(crate) fn return_to_merchant(shared: &Shared, t: &crate::state::Trade) -> Outcome {
    let Some(url) = t.return_url.as_deref() else {
        return Outcome::Html(paid_page(t));
    };
    let method = format!("{}.return", t.created_by);
    let mut params: Vec<(String, String)> = vec![
        ("charset".into(), t.charset.clone()),
        ("out_trade_no".into(), t.out_trade_no.clone()),
        ("method".into(), method),
        ("total_amount".into(), t.total_amount.to_string()),
        ("trade_no".into(), t.trade_no.clone()),
        ("auth_app_id".into(), shared.keys.app_id.clone()),
        ("version".into(), "1.0".into()),
        ("app_id".into(), shared.keys.app_id.clone()),
        ("sign_type".into(), t.sign_type.as_str().into()),
        ("seller_id".into(), shared.config.seller_id.clone()),
        ("timestamp".into(), BeijingDateTime::now().to_string()),
    ];
    let content = notify_content(
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &["sign", "sign_type"],
    );
    let platform = shared.platform();
    let bytes = crate::wire::charset_bytes(&content, &t.charset);
    match alipay_api::crypto::sign_base64(platform.signer.as_ref(), t.sign_type, &bytes) {
        Ok(sig) => params.push(("sign".into(), sig)),
        Err(e) => {
            return error_page(&Failure::unavailable(format!(
                "cannot sign the return parameters ({e})"
            )))
        }
    }
    // Percent-encoded in the trade's charset, as the signature covers that text.
    let query =
        String::from_utf8_lossy(&crate::wire::encode_form(&params, &t.charset)).into_owned();
    let sep = if url.contains('?') { '&' } else { '?' };
    Outcome::Redirect(format!("{url}{sep}{query}"))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head><body>\n<h1>{}</h1>\n{body}\n</body></html>\n",
        esc(title),
        esc(title)
    )
}

fn error_page(f: &Failure) -> Outcome {
    Outcome::Html(page(
        "Payment request rejected",
        &format!(
            "<p>code: <code id=\"code\">{}</code></p>\n<p>sub_code: <code id=\"sub_code\">{}</code></p>\n<p id=\"sub_msg\">{}</p>",
            esc(f.code),
            esc(&f.sub_code),
            esc(&f.sub_msg)
        ),
    ))
}

fn paid_page(t: &crate::state::Trade) -> String {
    page(
        "Paid",
        &format!(
            "<p>Order <code>{}</code> ({} yuan) was paid; trade number <code>{}</code>.</p>",
            esc(&t.out_trade_no),
            t.total_amount,
            esc(&t.trade_no)
        ),
    )
}

pub(crate) fn cashier_page(base: &str, t: &crate::state::Trade) -> String {
    page(
        "Sandbox cashier",
        &format!(
            "<p>{} — {} yuan</p>\n<p><a id=\"pay\" href=\"{}/sandbox/qr/{}\">Pay as the buyer</a></p>",
            esc(&t.subject),
            t.total_amount,
            esc(base),
            esc(&t.trade_no)
        ),
    )
}

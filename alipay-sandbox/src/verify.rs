//! The protocol checks, in the order Alipay makes them: method and app, signature
//! type, timestamp, version, format, certificate SNs, the signature over the exact
//! bytes sent, then AES and `biz_content`.

use std::time::Duration;

use alipay_api::crypto::aes::AesKey;
use alipay_api::protocol::sign_content;
use alipay_api::{BeijingDateTime, PublicKey, SignType};
use serde_json::Value;

use crate::call::Params;
use crate::reply::{self, Failure};
use crate::spec;

/// What the gateway knows about the app: how to verify its requests.
pub(crate) struct AppKeys {
    /// The one app id accepted.
    pub(crate) app_id: String,
    /// The app's public key (from its certificate in certificate mode).
    pub(crate) public: PublicKey,
    /// Certificate mode: the SNs of the app certificate and of the root bundle.
    pub(crate) cert_sns: Option<(String, String)>,
    /// The AES content key, when the app has one.
    pub(crate) aes: Option<AesKey>,
    /// How far a request's `timestamp` may be from the gateway's clock.
    pub(crate) tolerance: Duration,
}

/// A request rejected before its business content was looked at.
pub(crate) struct Rejection {
    pub(crate) failure: Failure,
    /// Whether the app is known, so the answer can be signed.
    pub(crate) signed: bool,
    pub(crate) sign_type: SignType,
    /// The node the answer goes under: the method's own once the method is known
    /// (as Alipay answers a bad signature), else `error_response`.
    pub(crate) key: Option<String>,
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
pub(crate) struct Checked {
    pub(crate) method: spec::Method,
    pub(crate) sign_type: SignType,
    /// Whether `biz_content` came encrypted (the answer is encrypted too).
    pub(crate) encrypted: bool,
    pub(crate) biz: Option<Value>,
}

/// Runs every protocol check on a request, in Alipay's order.
pub(crate) fn check(app: &AppKeys, p: &Params) -> Result<Checked, Rejection> {
    let schema = identify(app, p)?;
    // From here on the method is known: answers go under its own node, signed.
    let node_key = reply::response_key(schema.name());
    let keyed = |failure: Failure, sign_type: SignType| Rejection {
        failure,
        signed: true,
        sign_type,
        key: Some(node_key.clone()),
    };
    let (sign, sign_type) = signature_params(p).map_err(|f| keyed(f, SignType::Rsa2))?;
    let no = |f: Failure| keyed(f, sign_type);
    check_timestamp(app, p).map_err(no)?;
    check_version_and_format(p).map_err(no)?;
    check_cert_sns(app, p).map_err(no)?;
    check_signature(app, p, sign_type, sign).map_err(no)?;
    let (encrypted, biz) = business_content(app, p, schema.name()).map_err(no)?;
    Ok(Checked {
        method: schema,
        sign_type,
        encrypted,
        biz,
    })
}

/// The method and the app: before either is known no key signs the answer, which
/// goes under `error_response`.
fn identify(app: &AppKeys, p: &Params) -> Result<spec::Method, Rejection> {
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
    if app_id != app.app_id {
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
    spec::method(method).ok_or_else(|| {
        reject(
            Failure::invalid(
                "isv.invalid-method",
                format!("method `{method}` does not exist (or its product is not in the spec)"),
            ),
            true,
            requested_type,
        )
    })
}

/// `sign` and a supported `sign_type`.
fn signature_params(p: &Params) -> Result<(&str, SignType), Failure> {
    let sign = p.non_empty("sign").ok_or_else(|| {
        Failure::missing("isv.missing-signature", "the `sign` parameter is missing")
    })?;
    let text = p.non_empty("sign_type").ok_or_else(|| {
        Failure::missing(
            "isv.missing-signature-type",
            "the `sign_type` parameter is missing; send RSA2",
        )
    })?;
    let sign_type = SignType::from_wire(text).ok_or_else(|| {
        Failure::invalid(
            "isv.invalid-signature-type",
            format!("sign_type `{text}` is not supported; send RSA2 (or RSA for legacy apps)"),
        )
    })?;
    Ok((sign, sign_type))
}

/// A Beijing-time `timestamp` within the gateway's tolerance of its clock.
fn check_timestamp(app: &AppKeys, p: &Params) -> Result<(), Failure> {
    let ts = p.non_empty("timestamp").ok_or_else(|| {
        Failure::missing(
            "isv.missing-timestamp",
            "the `timestamp` parameter is missing",
        )
    })?;
    let ts = ts.parse::<BeijingDateTime>().map_err(|_| {
        Failure::invalid(
            "isv.invalid-timestamp",
            format!("timestamp `{ts}` is not `yyyy-MM-dd HH:mm:ss` Beijing time"),
        )
    })?;
    let skew = (chrono::Utc::now() - ts.to_utc()).abs();
    if skew.to_std().map_or(true, |d| d > app.tolerance) {
        return Err(Failure::invalid(
            "isv.invalid-timestamp",
            format!(
                "timestamp {ts} is {} s away from the gateway's clock (Beijing time {}); check the system clock",
                skew.num_seconds(),
                BeijingDateTime::now()
            ),
        ));
    }
    Ok(())
}

/// `version` present, `format` absent or `json`.
fn check_version_and_format(p: &Params) -> Result<(), Failure> {
    if p.non_empty("version").is_none() {
        return Err(Failure::missing(
            "isv.missing-version",
            "the `version` parameter is missing; send 1.0",
        ));
    }
    match p.non_empty("format") {
        Some(f) if !f.eq_ignore_ascii_case("json") => Err(Failure::invalid(
            "isv.invalid-format",
            format!("format `{f}` is not supported; send json"),
        )),
        _ => Ok(()),
    }
}

/// Certificate mode: the SNs of the app's certificate and of the root bundle.
fn check_cert_sns(app: &AppKeys, p: &Params) -> Result<(), Failure> {
    let Some((app_sn, root_sn)) = &app.cert_sns else {
        return Ok(());
    };
    match p.non_empty("app_cert_sn") {
        None => {
            return Err(Failure::missing(
                "isv.missing-app-cert-sn",
                "this app uses certificate mode: send `app_cert_sn`",
            ))
        }
        Some(sn) if sn != app_sn => {
            return Err(Failure::invalid(
                "isv.invalid-app-cert-sn",
                format!("app_cert_sn `{sn}` is not the SN of this app's certificate"),
            ))
        }
        Some(_) => {}
    }
    if p.non_empty("alipay_root_cert_sn") != Some(root_sn.as_str()) {
        return Err(Failure::invalid(
            "isv.invalid-alipay-root-cert-sn",
            "alipay_root_cert_sn does not match the root certificate bundle; use the alipayRootCert.crt the sandbox printed",
        ));
    }
    Ok(())
}

/// The signature over the exact bytes of the request's charset.
fn check_signature(
    app: &AppKeys,
    p: &Params,
    sign_type: SignType,
    sign: &str,
) -> Result<(), Failure> {
    let content = sign_content(p.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if app.public.verify_base64(
        sign_type,
        &crate::charset::bytes(&content, &p.charset),
        sign,
    ) {
        return Ok(());
    }
    Err(Failure::invalid(
        "isv.invalid-signature",
        format!(
            "the signature does not match: check that the app private key pairs with the app public key registered here; the string the gateway verified was: {content}"
        ),
    ))
}

/// `biz_content`, decrypted when `encrypt_type` is AES, parsed as JSON; and whether it
/// was encrypted (the answer is then encrypted too).
fn business_content(
    app: &AppKeys,
    p: &Params,
    method: &str,
) -> Result<(bool, Option<Value>), Failure> {
    let encrypted = match p.non_empty("encrypt_type") {
        None => false,
        Some("AES") => true,
        Some(other) => {
            return Err(Failure::invalid(
                "isv.invalid-encrypt-type",
                format!("encrypt_type `{other}` is not supported; send AES"),
            ))
        }
    };
    let text = match (encrypted, p.non_empty("biz_content")) {
        (true, Some(ct)) => Some(decrypt(app.aes.as_ref(), ct)?),
        (_, b) => b.map(str::to_owned),
    };
    let biz = text
        .map(|t| serde_json::from_str::<Value>(&t))
        .transpose()
        .map_err(|e| {
            Failure::invalid_param(method, &format!("`biz_content` is not valid JSON ({e})"))
        })?;
    Ok((encrypted, biz))
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

//! Asynchronous notifications (异步通知) and synchronous return parameters.
//!
//! The raw `application/x-www-form-urlencoded` body is decoded once, in the charset
//! the notification names (UTF-8 or GBK), then verified before anything is typed.
//! Reply with [`ACK`] once the notification has been handled.

use std::collections::{BTreeMap, HashSet};

use serde::de::DeserializeOwned;

use crate::crypto::{PublicKey, SignType};
use crate::error::{DecodeError, DecodeErrorKind, SignatureError};

use super::notify_content;

/// The largest notification body read (1 MiB). Alipay's notifications are a few
/// KiB; anything larger is refused before it is decoded.
pub const MAX_NOTIFY_BODY: usize = 1 << 20;

/// The most parameters a notification may have (1000). Alipay's have a few dozen;
/// more are refused before anything is decoded or verified.
pub const MAX_NOTIFY_PARAMS: usize = 1000;

/// The body to answer a handled notification with; anything else makes Alipay
/// send it again.
pub const ACK: &str = "success";

/// Which content the signature covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NotifyScheme {
    /// Accept either: V1 first, then V2.
    #[default]
    Auto,
    /// V1 (async notifications): `sign` and `sign_type` left out.
    V1,
    /// V2 (return parameters and some products): only `sign` left out.
    V2,
}

/// A notification whose signature was verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedNotification {
    params: BTreeMap<String, String>,
}

impl VerifiedNotification {
    /// A parameter.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }

    /// Every parameter (including `sign` and `sign_type`).
    pub fn params(&self) -> &BTreeMap<String, String> {
        &self.params
    }

    /// Types the verified notification (e.g. into a generated notification struct).
    ///
    /// A form notification (`notify_type`) is typed from its parameters; a message
    /// (`msg_method`, such as the settlement result or the fund-order change) from
    /// the JSON object in its `biz_content`, where its fields are.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, DecodeError> {
        let content = match self.params.get("msg_method") {
            Some(_) => self.message_content()?,
            None => serde_json::Value::Object(
                self.params
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                    .collect(),
            ),
        };
        serde_json::from_value(content).map_err(|e| {
            DecodeError::new(
                "notification",
                format!("the verified notification does not match the expected type ({e})"),
                format!("{:?}", self.params),
            )
        })
    }

    /// The fields of a message: the JSON object in `biz_content`.
    fn message_content(&self) -> Result<serde_json::Value, DecodeError> {
        let raw = self.get("biz_content").unwrap_or_default();
        match serde_json::from_str::<serde_json::Value>(raw) {
            Ok(v) if v.is_object() => Ok(v),
            _ => Err(DecodeError::new(
                "notification",
                "a message notification (`msg_method`) whose `biz_content` is not a JSON object (an encrypted message must be decrypted first)".to_owned(),
                raw.to_owned(),
            )),
        }
    }

    /// Consumes into the parameter map.
    pub fn into_params(self) -> BTreeMap<String, String> {
        self.params
    }
}

/// Why a notification was rejected.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// The body could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The signature is missing or wrong.
    #[error(transparent)]
    Signature(#[from] SignatureError),
}

fn decode_component(raw: &[u8]) -> Vec<u8> {
    // `+` is a space in form encoding; percent-escapes are decoded once, here only.
    if !raw.iter().any(|&b| b == b'+' || b == b'%') {
        return raw.to_vec();
    }
    let plus: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_encoding::percent_decode(&plus).collect()
}

/// A body over the parameter cap. Anyone can post to `notify_url`, so such a body is
/// not copied into the error (nor into logs that print it).
fn too_many() -> DecodeError {
    DecodeError::with_kind(
        "notification",
        DecodeErrorKind::TooManyParameters {
            max: MAX_NOTIFY_PARAMS,
        },
        format!("more than {MAX_NOTIFY_PARAMS} parameters; it was refused unread"),
        String::new(),
    )
}

fn duplicate(k: &str, raw: String) -> DecodeError {
    DecodeError::new(
        "notification",
        format!("parameter `{k}` occurs more than once"),
        raw,
    )
}

/// Decodes a raw form body into parameters, in the charset named by its own
/// `charset` parameter (UTF-8 when absent). Rejects duplicated keys and bytes that
/// are not valid in that charset, and, before decoding anything, bodies over
/// [`MAX_NOTIFY_BODY`] bytes or [`MAX_NOTIFY_PARAMS`] parameters. Linear in the
/// body's length.
pub fn parse_form(body: &[u8]) -> Result<Vec<(String, String)>, DecodeError> {
    let lossy = || String::from_utf8_lossy(body).into_owned();
    if body.len() > MAX_NOTIFY_BODY {
        return Err(DecodeError::with_kind(
            "notification",
            DecodeErrorKind::TooLarge {
                max_bytes: MAX_NOTIFY_BODY,
            },
            format!(
                "the body is {} bytes, more than {MAX_NOTIFY_BODY}; it was refused unread",
                body.len()
            ),
            String::new(),
        ));
    }
    let pieces = body.split(|&b| b == b'&').filter(|p| !p.is_empty());
    if pieces.clone().count() > MAX_NOTIFY_PARAMS {
        return Err(too_many());
    }
    let mut raw_pairs: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for piece in pieces {
        let (k, v) = match piece.iter().position(|&b| b == b'=') {
            Some(p) => (&piece[..p], &piece[p + 1..]),
            None => (piece, &piece[piece.len()..]),
        };
        raw_pairs.push((decode_component(k), decode_component(v)));
    }
    let charset = raw_pairs
        .iter()
        .find(|(k, _)| k == b"charset")
        .map(|(_, v)| String::from_utf8_lossy(v).trim().to_ascii_lowercase())
        .unwrap_or_else(|| "utf-8".into());
    let encoding = encoding_rs::Encoding::for_label(charset.as_bytes()).ok_or_else(|| {
        DecodeError::new(
            "notification",
            format!("unknown charset `{charset}`"),
            lossy(),
        )
    })?;
    let mut out: Vec<(String, String)> = Vec::with_capacity(raw_pairs.len());
    let mut seen: HashSet<String> = HashSet::with_capacity(raw_pairs.len());
    for (k, v) in raw_pairs {
        let decode = |bytes: Vec<u8>| {
            let text = if encoding == encoding_rs::UTF_8 {
                // Validate in place; no copy.
                String::from_utf8(bytes).ok()
            } else {
                encoding
                    .decode_without_bom_handling_and_without_replacement(&bytes)
                    .map(|c| c.into_owned())
            };
            text.ok_or_else(|| {
                DecodeError::new(
                    "notification",
                    format!("bytes that are not valid {}", encoding.name()),
                    lossy(),
                )
            })
        };
        let (k, v) = (decode(k)?, decode(v)?);
        if !seen.insert(k.clone()) {
            return Err(duplicate(&k, lossy()));
        }
        out.push((k, v));
    }
    Ok(out)
}

/// Verifies already-decoded parameters (e.g. from a web framework's form
/// extractor: they must not be URL-decoded again). More than [`MAX_NOTIFY_PARAMS`]
/// are refused.
pub fn verify_params<I, K, V>(
    params: I,
    keys: &[&PublicKey],
    expected_sign_type: SignType,
    scheme: NotifyScheme,
) -> Result<VerifiedNotification, NotifyError>
where
    I: IntoIterator<Item = (K, V)>,
    K: Into<String>,
    V: Into<String>,
{
    let mut map = BTreeMap::new();
    for (k, v) in params {
        if map.len() == MAX_NOTIFY_PARAMS {
            return Err(too_many().into());
        }
        let k: String = k.into();
        if map.contains_key(&k) {
            return Err(duplicate(&k, String::new()).into());
        }
        map.insert(k, v.into());
    }
    let sign = map
        .get("sign")
        .filter(|s| !s.is_empty())
        .ok_or(SignatureError::Missing("notification"))?;
    let sign_type = match map.get("sign_type").map(String::as_str) {
        None | Some("") => expected_sign_type,
        Some(s) => match SignType::from_wire(s) {
            // Only the app's own algorithm: no downgrade to SHA-1.
            Some(t) if t == expected_sign_type => t,
            _ => return Err(SignatureError::UnsupportedSignType(s.to_owned()).into()),
        },
    };
    use base64::Engine as _;
    let sig = crate::crypto::B64
        .decode(sign.trim().as_bytes())
        .map_err(|_| SignatureError::Malformed("notification"))?;
    let pairs = || map.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let mut contents = Vec::with_capacity(2);
    if matches!(scheme, NotifyScheme::Auto | NotifyScheme::V1) {
        contents.push(notify_content(pairs(), &["sign", "sign_type"]));
    }
    if matches!(scheme, NotifyScheme::Auto | NotifyScheme::V2) {
        contents.push(notify_content(pairs(), &["sign"]));
    }
    // Alipay signs the content's bytes in the notification's own charset.
    let charset = map
        .get("charset")
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .unwrap_or("utf-8");
    let encoding = encoding_rs::Encoding::for_label(charset.as_bytes()).ok_or_else(|| {
        DecodeError::new("notification", format!("unknown charset `{charset}`"), "")
    })?;
    let ok = contents.iter().any(|c| {
        let (bytes, _, unmappable) = encoding.encode(c);
        !unmappable && keys.iter().any(|k| k.verify(sign_type, &bytes, &sig))
    });
    if ok {
        Ok(VerifiedNotification { params: map })
    } else {
        Err(SignatureError::Invalid("notification").into())
    }
}

/// Decodes and verifies a raw notification body.
pub fn verify_body(
    body: &[u8],
    keys: &[&PublicKey],
    expected_sign_type: SignType,
    scheme: NotifyScheme,
) -> Result<VerifiedNotification, NotifyError> {
    verify_params(parse_form(body)?, keys, expected_sign_type, scheme)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_gbk_once() {
        // "测试" in GBK is B2 E2 CA D4.
        let body = b"charset=gbk&subject=%B2%E2%CA%D4&x=100%25+off&y=a%252Bb";
        let p = parse_form(body).unwrap();
        assert_eq!(p[1], ("subject".into(), "测试".into()));
        assert_eq!(p[2], ("x".into(), "100% off".into()));
        assert_eq!(p[3], ("y".into(), "a%2Bb".into()));
    }

    #[test]
    fn messages_are_typed_from_biz_content() {
        #[derive(serde::Deserialize)]
        struct Msg {
            settle_no: String,
            lines: Vec<u8>,
        }
        let verified = |pairs: &[(&str, &str)]| VerifiedNotification {
            params: pairs
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
        };
        let n = verified(&[
            ("msg_method", "alipay.trade.order.settle.notify"),
            ("biz_content", r#"{"settle_no":"s1","lines":[1,2]}"#),
            ("notify_id", "n1"),
        ]);
        let m: Msg = n.parse().unwrap();
        assert_eq!((m.settle_no.as_str(), m.lines), ("s1", vec![1, 2]));
        let ciphertext = verified(&[("msg_method", "m"), ("biz_content", "bm90IGpzb24=")]);
        assert!(ciphertext.parse::<serde_json::Value>().is_err());
        // A form notification keeps being typed from its parameters.
        let form = verified(&[("notify_type", "trade_status_sync"), ("settle_no", "s2")]);
        let v: serde_json::Value = form.parse().unwrap();
        assert_eq!(v["settle_no"], "s2");
    }

    #[test]
    fn rejects_bad_bytes_and_duplicates() {
        assert!(parse_form(b"subject=%FF%FE").is_err());
        assert!(parse_form(b"a=1&a=2").is_err());
        assert!(parse_form(b"charset=klingon&a=1").is_err());
    }
}

//! Gateway responses: finding the signed node in the raw text, verifying it, and
//! turning it into a typed result.
//!
//! Alipay signs the exact bytes of the `<method>_response` (or `error_response`)
//! value as it sent them, so the node is located with a small scanner over the raw
//! text (never re-serialised). The scanner understands strings (escaped quotes,
//! braces and `\/` inside them), walks nesting of any depth without recursion,
//! checks the top-level object's own syntax and every top-level scalar with
//! serde_json, and rejects duplicated top-level keys in linear time. Nested values
//! are only parsed once the signature has verified, so a deep but genuine answer
//! becomes a typed [`DecodeErrorKind::TooDeep`] error, never a signature error.

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::crypto::aes::AesKey;
use crate::crypto::{B64, PublicKey, SignType};
use crate::error::{ApiError, DecodeError, DecodeErrorKind, Error, SignatureError};
use crate::protocol::Charset;

/// The most top-level members a response body may have. Real answers have two to
/// four (the node, `sign`, `alipay_cert_sn`); the limit only bounds hostile input.
pub const MAX_TOP_LEVEL_MEMBERS: usize = 1000;

/// The deepest JSON nesting serde_json reads (its recursion limit); a verified node
/// nested deeper is reported as [`DecodeErrorKind::TooDeep`].
pub const MAX_JSON_DEPTH: usize = 127;

/// Why the signed node could not be found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The body is not JSON (e.g. truncated, or an HTML error page).
    #[error("the body is not valid JSON ({0})")]
    NotJson(String),
    /// The body is JSON but not an object.
    #[error("the body is not a JSON object")]
    NotObject,
    /// A top-level key occurs twice: which one is signed would be ambiguous.
    #[error("the top-level key `{0}` occurs more than once; the response was rejected")]
    DuplicateKey(String),
    /// More top-level members than [`MAX_TOP_LEVEL_MEMBERS`].
    #[error(
        "the body has more than {MAX_TOP_LEVEL_MEMBERS} top-level members; a gateway \
         answer has a handful, so it was rejected unread"
    )]
    TooManyMembers,
    /// Neither the method's node nor `error_response` is present.
    #[error("neither `{0}` nor `error_response` is in the body")]
    NoNode(String),
    /// Both the method's node and `error_response` are present.
    #[error("both `{0}` and `error_response` are in the body; the response was rejected")]
    BothNodes(String),
    /// `sign` or `alipay_cert_sn` is not a string.
    #[error("`{0}` is not a string")]
    NotAString(&'static str),
}

impl ExtractError {
    /// The [`DecodeError`] this becomes, with the raw body kept for diagnosis, except
    /// a body refused at the member limit: a hostile answer is not copied into the
    /// error (nor into logs that print it).
    pub(crate) fn into_decode_error(self, body: &str) -> DecodeError {
        let (kind, raw) = match self {
            ExtractError::TooManyMembers => (
                DecodeErrorKind::TooManyParameters {
                    max: MAX_TOP_LEVEL_MEMBERS,
                },
                "",
            ),
            _ => (DecodeErrorKind::Malformed, body),
        };
        DecodeError::with_kind("response", kind, self.to_string(), raw)
    }
}

/// The parts of a response body that matter, as raw text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted<'a> {
    /// The key of the node found (`<method>_response` or `error_response`).
    pub node_key: String,
    /// The raw text of the node's value, exactly as sent: what is signed.
    pub node: &'a str,
    /// Whether the node is `error_response`.
    pub is_error_node: bool,
    /// Whether the node is a JSON string (an AES-encrypted response).
    pub encrypted: bool,
    /// `sign`, if present.
    pub sign: Option<String>,
    /// `alipay_cert_sn`, if present (certificate mode).
    pub alipay_cert_sn: Option<String>,
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// `i` at an opening quote; returns the index after the closing quote.
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
    None
}

/// `i` at the start of a value; returns the index after it and its nesting depth.
/// Iterative, so deep nesting cannot overflow the stack.
fn scan_value(b: &[u8], i: usize) -> Option<(usize, usize)> {
    match b.get(i)? {
        b'"' => Some((skip_string(b, i)?, 0)),
        b'{' | b'[' => {
            let mut stack: Vec<u8> = Vec::new();
            let mut deepest = 0;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' => stack.push(b'}'),
                    b'[' => stack.push(b']'),
                    c @ (b'}' | b']') => {
                        if stack.pop()? != c {
                            return None;
                        }
                        if stack.is_empty() {
                            return Some((j + 1, deepest));
                        }
                    }
                    _ => {}
                }
                deepest = deepest.max(stack.len());
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                j += 1;
            }
            (j > i).then_some((j, 0))
        }
    }
}

/// The nesting depth of a JSON value's text (0 for a scalar), `None` if unbalanced.
fn nesting_depth(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    scan_value(b, skip_ws(b, 0)).map(|(_, depth)| depth)
}

/// A top-level key, decoded. Keys without escapes are their own text.
fn decode_key(raw_key: &str) -> Option<String> {
    match raw_key.get(1..raw_key.len() - 1) {
        Some(inner) if !inner.contains(|c: char| c == '\\' || c.is_ascii_control()) => {
            Some(inner.to_owned())
        }
        _ => serde_json::from_str(raw_key).ok(),
    }
}

/// The top-level members of a JSON object: decoded key and the raw value's byte
/// range. Rejects duplicated keys, more than [`MAX_TOP_LEVEL_MEMBERS`] members, a
/// malformed top level and malformed top-level scalars; nested objects and arrays
/// are only delimited here (they are parsed after verification).
pub fn top_level_members(body: &str) -> Result<Vec<(String, Range<usize>)>, ExtractError> {
    let b = body.as_bytes();
    let malformed = |what: &str| ExtractError::NotJson(what.to_owned());
    let mut i = skip_ws(b, 0);
    match b.get(i) {
        Some(b'{') => {}
        Some(b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
            return Err(ExtractError::NotObject);
        }
        _ => return Err(malformed("it does not start with `{`")),
    }
    i = skip_ws(b, i + 1);
    let mut out: Vec<(String, Range<usize>)> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    if b.get(i) == Some(&b'}') {
        i = skip_ws(b, i + 1);
    } else {
        loop {
            if out.len() == MAX_TOP_LEVEL_MEMBERS {
                return Err(ExtractError::TooManyMembers);
            }
            let kend = skip_string(b, i).ok_or_else(|| malformed("a key is not a string"))?;
            let key = body
                .get(i..kend)
                .and_then(decode_key)
                .ok_or_else(|| malformed("a key is not a valid string"))?;
            i = skip_ws(b, kend);
            if b.get(i) != Some(&b':') {
                return Err(malformed("a key is not followed by `:`"));
            }
            i = skip_ws(b, i + 1);
            let (vend, _) =
                scan_value(b, i).ok_or_else(|| malformed("a value is cut or unbalanced"))?;
            if !matches!(b[i], b'{' | b'[') {
                serde_json::from_str::<serde::de::IgnoredAny>(&body[i..vend])
                    .map_err(|e| ExtractError::NotJson(e.to_string()))?;
            }
            if !seen.insert(key.clone()) {
                return Err(ExtractError::DuplicateKey(key));
            }
            out.push((key, i..vend));
            i = skip_ws(b, vend);
            match b.get(i) {
                Some(b',') => i = skip_ws(b, i + 1),
                Some(b'}') => {
                    i = skip_ws(b, i + 1);
                    break;
                }
                _ => return Err(malformed("members are not separated by `,`")),
            }
        }
    }
    if i != b.len() {
        return Err(malformed("there is text after the object"));
    }
    Ok(out)
}

/// Finds the node for `response_key` (or `error_response`), `sign` and
/// `alipay_cert_sn` in a raw response body.
pub fn extract<'a>(body: &'a str, response_key: &str) -> Result<Extracted<'a>, ExtractError> {
    let members = top_level_members(body)?;
    let find = |k: &str| {
        members
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, r)| r.clone())
    };
    let string_member = |k: &'static str| -> Result<Option<String>, ExtractError> {
        let Some(r) = find(k) else {
            return Ok(None);
        };
        let t = body.get(r).unwrap_or_default();
        // A plain string without escapes is its own text: no parsing needed.
        if let Some(inner) = t.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
            if !inner.contains(['"', '\\']) {
                return Ok(Some(inner.to_owned()));
            }
        }
        match serde_json::from_str::<Value>(t) {
            Ok(Value::String(s)) => Ok(Some(s)),
            Ok(Value::Null) => Ok(None),
            _ => Err(ExtractError::NotAString(k)),
        }
    };
    let (node_key, range, is_error_node) = match (find(response_key), find("error_response")) {
        (Some(_), Some(_)) => return Err(ExtractError::BothNodes(response_key.to_owned())),
        (Some(r), None) => (response_key.to_owned(), r, false),
        (None, Some(r)) => ("error_response".to_owned(), r, true),
        (None, None) => return Err(ExtractError::NoNode(response_key.to_owned())),
    };
    let node = body.get(range).ok_or(ExtractError::NotObject)?;
    Ok(Extracted {
        node_key,
        encrypted: node.starts_with('"'),
        node,
        is_error_node,
        sign: string_member("sign")?,
        alipay_cert_sn: string_member("alipay_cert_sn")?,
    })
}

/// Verifies `sign` over the node text (UTF-8), with the official SDKs' single retry:
/// when the text holds `\/`, a signature made over the unescaped text is accepted too.
pub fn verify_node(node: &str, sign_b64: &str, key: &PublicKey, sign_type: SignType) -> bool {
    verified_text(node, sign_b64, key, sign_type, Charset::Utf8).is_some()
}

/// The text `sign` verified over its bytes in `charset`: the node as sent or, by the
/// official SDKs' retry rule, the node with every `\/` unescaped. That text, never
/// the one delivered, is what may be read: reading the delivered one after the
/// retry would let `\\/` (an escaped backslash before a slash) smuggle a backslash
/// into a value.
pub fn verified_text<'a>(
    node: &'a str,
    sign_b64: &str,
    key: &PublicKey,
    sign_type: SignType,
    charset: Charset,
) -> Option<Cow<'a, str>> {
    use base64::Engine as _;
    let sig = B64.decode(sign_b64.trim().as_bytes()).ok()?;
    let verifies = |text: &str| {
        charset
            .encode(text)
            .is_some_and(|bytes| key.verify(sign_type, &bytes, &sig))
    };
    if verifies(node) {
        return Some(Cow::Borrowed(node));
    }
    if !node.contains("\\/") {
        return None;
    }
    let unescaped = node.replace("\\/", "/");
    verifies(&unescaped).then_some(Cow::Owned(unescaped))
}

/// What the client knows about the call whose answer is being read.
#[derive(Debug, Clone, Copy)]
pub struct ResponseContext<'a> {
    /// The method called.
    pub method: &'a str,
    /// `sub_code`s that count as success besides an empty one.
    pub extra_success_codes: &'a [&'a str],
    /// `code`s besides `10000` that count as success.
    pub extra_success_result_codes: &'a [&'a str],
    /// The sign type of the app.
    pub sign_type: SignType,
    /// The AES key, for encrypted responses.
    pub aes: Option<&'a AesKey>,
    /// The charset the answer is in: its signature covers the node's bytes in it.
    pub charset: Charset,
}

/// A verified answer, before typing.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedNode {
    /// `code`, if present.
    pub code: Option<String>,
    /// `msg`.
    pub msg: Option<String>,
    /// `sub_code`.
    pub sub_code: Option<String>,
    /// `sub_msg`.
    pub sub_msg: Option<String>,
    /// Every other field of the node.
    pub fields: Map<String, Value>,
}

fn take_text(map: &mut Map<String, Value>, k: &str) -> Option<String> {
    match map.remove(k)? {
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// The node's object, read from `node` (the verified text of the extracted node).
fn node_object(
    ctx: &ResponseContext<'_>,
    node: &str,
    encrypted: bool,
    raw_body: &str,
) -> Result<Map<String, Value>, Error> {
    let text: Cow<'_, str> = if encrypted {
        let ct: String = serde_json::from_str(node).map_err(|e| {
            DecodeError::new("response", format!("bad encrypted node ({e})"), raw_body)
        })?;
        let key = ctx.aes.ok_or_else(|| {
            DecodeError::new(
                "response",
                "the response is AES-encrypted but no AES key is configured; set `aes_key` on the client",
                raw_body,
            )
        })?;
        let plain = key
            .decrypt_bytes(&ct)
            .map_err(|e| DecodeError::new("response", e.to_string(), raw_body))?;
        ctx.charset
            .decode(&plain)
            .ok_or_else(|| {
                DecodeError::new(
                    "response",
                    format!("the decrypted node is not {}", ctx.charset.as_str()),
                    raw_body,
                )
            })?
            .into_owned()
            .into()
    } else {
        node.into()
    };
    serde_json::from_str::<Map<String, Value>>(&text).map_err(|e| {
        match nesting_depth(&text) {
            Some(depth) if depth > MAX_JSON_DEPTH => DecodeError::with_kind(
                "response",
                DecodeErrorKind::TooDeep {
                    max_depth: MAX_JSON_DEPTH,
                },
                format!(
                    "the verified response node is nested {depth} levels deep, more than \
                     the {MAX_JSON_DEPTH} this client reads"
                ),
                raw_body,
            ),
            _ => DecodeError::new(
                "response",
                format!("the response node is not a JSON object ({e})"),
                raw_body,
            ),
        }
        .into()
    })
}

/// Verifies an extracted node with `key` and splits it into status and fields.
///
/// * signed and valid: the node is returned (success or not is decided by
///   [`into_result`]);
/// * signed but invalid: [`SignatureError::Invalid`];
/// * unsigned: an error node becomes an [`ApiError`] marked unsigned, anything else
///   [`SignatureError::Missing`].
pub fn verify_and_split(
    ctx: &ResponseContext<'_>,
    ex: &Extracted<'_>,
    key: Option<&PublicKey>,
    raw_body: &str,
    trace_id: Option<&str>,
) -> Result<VerifiedNode, Error> {
    let verified = match (&ex.sign, key) {
        (Some(sign), Some(key)) => verified_text(ex.node, sign, key, ctx.sign_type, ctx.charset)
            .ok_or(SignatureError::Invalid("response"))?,
        (Some(_), None) => return Err(SignatureError::Invalid("response").into()),
        (None, _) => {
            // Unsigned: never hand out data, but report what the gateway said.
            let map = node_object(ctx, ex.node, ex.encrypted, raw_body)?;
            let node = split(map);
            if ex.is_error_node || node.code.is_some() && !is_success(ctx, &node) {
                return Err(api_error(ctx, node, false, ex.node, trace_id).into());
            }
            return Err(SignatureError::Missing("response").into());
        }
    };
    Ok(split(node_object(ctx, &verified, ex.encrypted, raw_body)?))
}

fn split(mut map: Map<String, Value>) -> VerifiedNode {
    VerifiedNode {
        code: take_text(&mut map, "code"),
        msg: take_text(&mut map, "msg"),
        sub_code: take_text(&mut map, "sub_code"),
        sub_msg: take_text(&mut map, "sub_msg"),
        fields: map,
    }
}

fn is_success(ctx: &ResponseContext<'_>, n: &VerifiedNode) -> bool {
    // Some methods (e.g. alipay.system.oauth.token) answer success without a code.
    let code_ok = match n.code.as_deref() {
        None | Some("10000") => true,
        Some(c) => ctx.extra_success_result_codes.contains(&c),
    };
    let sub_ok = match n.sub_code.as_deref() {
        None => true,
        Some(s) => ctx.extra_success_codes.contains(&s),
    };
    code_ok && sub_ok
}

fn api_error(
    ctx: &ResponseContext<'_>,
    n: VerifiedNode,
    signed: bool,
    raw: &str,
    trace_id: Option<&str>,
) -> ApiError {
    ApiError {
        method: ctx.method.to_owned(),
        code: n.code.unwrap_or_default(),
        msg: n.msg.unwrap_or_default(),
        sub_code: n.sub_code,
        sub_msg: n.sub_msg,
        trace_id: trace_id.map(str::to_owned),
        signed,
        raw: raw.to_owned(),
    }
}

/// Decides success and deserialises the remaining fields into `T`.
pub fn into_result<T: DeserializeOwned>(
    ctx: &ResponseContext<'_>,
    ex: &Extracted<'_>,
    node: VerifiedNode,
    raw_body: &str,
    trace_id: Option<&str>,
) -> Result<T, Error> {
    if ex.is_error_node || !is_success(ctx, &node) {
        return Err(api_error(ctx, node, true, ex.node, trace_id).into());
    }
    serde_json::from_value(Value::Object(node.fields)).map_err(|e| {
        DecodeError::new(
            "response",
            format!("the verified response does not match the expected type ({e})"),
            raw_body,
        )
        .into()
    })
}

/// Extracts, verifies with `key` and types a response body in one go (key mode).
pub fn read_response<T: DeserializeOwned>(
    ctx: &ResponseContext<'_>,
    response_key: &str,
    body: &str,
    key: &PublicKey,
    trace_id: Option<&str>,
) -> Result<T, Error> {
    let ex = extract(body, response_key).map_err(|e| e.into_decode_error(body))?;
    let node = verify_and_split(ctx, &ex, Some(key), body, trace_id)?;
    into_result(ctx, &ex, node, body, trace_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanner_handles_tricky_strings() {
        let body =
            r#"{"a_response":{"s":"}\"{[\\","t":"\/x"} , "sign":"abc","alipay_cert_sn":"sn"}"#;
        let ex = extract(body, "a_response").unwrap();
        assert_eq!(ex.node, r#"{"s":"}\"{[\\","t":"\/x"}"#);
        assert_eq!(ex.sign.as_deref(), Some("abc"));
        assert_eq!(ex.alipay_cert_sn.as_deref(), Some("sn"));
        assert!(!ex.encrypted);
    }

    #[test]
    fn scanner_rejects_duplicates_and_garbage() {
        assert!(matches!(
            extract(r#"{"a":{},"a":{}}"#, "a"),
            Err(ExtractError::DuplicateKey(_))
        ));
        // An escaped spelling of the same key is the same key.
        assert!(matches!(
            extract(r#"{"a":{},"\u0061":{}}"#, "a"),
            Err(ExtractError::DuplicateKey(_))
        ));
        assert!(matches!(
            extract(r#"{"a":{"#, "a"),
            Err(ExtractError::NotJson(_))
        ));
        assert!(matches!(
            extract(r#"[1]"#, "a"),
            Err(ExtractError::NotObject)
        ));
        assert!(matches!(
            extract(r#"{"b":1}"#, "a"),
            Err(ExtractError::NoNode(_))
        ));
        assert!(matches!(
            extract(r#"{"a":{},"error_response":{}}"#, "a"),
            Err(ExtractError::BothNodes(_))
        ));
        assert!(matches!(
            extract(r#"{"a":{},"sign":1}"#, "a"),
            Err(ExtractError::NotAString("sign"))
        ));
    }
}

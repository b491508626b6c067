//! Gateway answers: Alipay's result codes, the response node in a fixed key order,
//! what a model answers (a node or a page), and the signed body.

use alipay_api::crypto::aes::AesKey;
use alipay_api::crypto::{sign_base64, Signer};
use alipay_api::SignType;
use serde_json::Value;

/// A failed call: `code`, `msg`, `sub_code`, `sub_msg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) code: &'static str,
    pub(crate) msg: &'static str,
    pub(crate) sub_code: String,
    pub(crate) sub_msg: String,
}

impl Failure {
    /// `40001`: a required protocol parameter is missing.
    pub(crate) fn missing(sub_code: &str, sub_msg: impl Into<String>) -> Self {
        Self::new("40001", "Missing Required Arguments", sub_code, sub_msg)
    }

    /// `40002`: a protocol parameter is invalid.
    pub(crate) fn invalid(sub_code: &str, sub_msg: impl Into<String>) -> Self {
        Self::new("40002", "Invalid Arguments", sub_code, sub_msg)
    }

    /// `40004`: the business rules refused the call.
    pub(crate) fn business(sub_code: &str, sub_msg: impl Into<String>) -> Self {
        Self::new("40004", "Business Failed", sub_code, sub_msg)
    }

    /// `20001`: the user's `auth_token` is missing, unknown, expired or lacks the
    /// authorisation the method needs.
    pub(crate) fn token(sub_code: &str, sub_msg: impl Into<String>) -> Self {
        Self::new("20001", "Insufficient Token Permissions", sub_code, sub_msg)
    }

    /// `20000`: the gateway itself failed.
    pub(crate) fn unavailable(sub_msg: impl Into<String>) -> Self {
        Self::new(
            "20000",
            "Service Currently Unavailable",
            "isp.unknow-error",
            sub_msg,
        )
    }

    /// The "invalid parameter" failure in the flavour of the method's product:
    /// trade methods answer `40004 ACQ.INVALID_PARAMETER`; transfers, the fund
    /// account and electronic receipts, whose business codes carry no prefix,
    /// `40004 INVALID_PARAMETER`; others `40002 isv.invalid-parameter`.
    pub(crate) fn invalid_param(method: &str, detail: &str) -> Self {
        const UNPREFIXED: [&str; 3] = [
            "alipay.fund.trans.",
            "alipay.fund.account.",
            "alipay.data.bill.ereceipt.",
        ];
        let sub_msg = format!("invalid parameter: {detail}");
        if method.starts_with("alipay.trade.") {
            Self::business("ACQ.INVALID_PARAMETER", sub_msg)
        } else if UNPREFIXED.iter().any(|p| method.starts_with(p)) {
            Self::business("INVALID_PARAMETER", sub_msg)
        } else {
            Self::invalid("isv.invalid-parameter", sub_msg)
        }
    }

    fn new(code: &'static str, msg: &'static str, sub: &str, sub_msg: impl Into<String>) -> Self {
        Failure {
            code,
            msg,
            sub_code: sub.to_owned(),
            sub_msg: sub_msg.into(),
        }
    }
}

/// The content of a response node, in insertion order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Node {
    fields: Vec<(String, Value)>,
}

impl Node {
    /// `code` 10000, `msg` Success.
    pub(crate) fn success() -> Self {
        Self::with_code("10000", "Success")
    }

    pub(crate) fn with_code(code: &str, msg: &str) -> Self {
        let mut n = Node::default();
        n.set("code", code);
        n.set("msg", msg);
        n
    }

    pub(crate) fn failure(f: &Failure) -> Self {
        let mut n = Self::with_code(f.code, f.msg);
        n.set("sub_code", f.sub_code.as_str());
        n.set("sub_msg", f.sub_msg.as_str());
        n
    }

    /// Sets a field (replacing an earlier value of the same name in place).
    pub(crate) fn set(&mut self, k: &str, v: impl Into<Value>) {
        let v = v.into();
        match self.fields.iter_mut().find(|(key, _)| key == k) {
            Some(slot) => slot.1 = v,
            None => self.fields.push((k.to_owned(), v)),
        }
    }

    /// Sets a field only when there is a value.
    pub(crate) fn opt(&mut self, k: &str, v: Option<impl Into<Value>>) {
        if let Some(v) = v {
            self.set(k, v);
        }
    }

    /// Compact JSON in insertion order.
    pub(crate) fn to_json(&self) -> String {
        let mut s = String::from("{");
        for (i, (k, v)) in self.fields.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push_str(&Value::String(k.clone()).to_string());
            s.push(':');
            s.push_str(&v.to_string());
        }
        s.push('}');
        s
    }
}

/// What a browser (or a download) gets instead of a JSON answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Page {
    /// A `302` to this URL.
    Redirect(String),
    /// An HTML page.
    Html(String),
    /// A file: its content type, whether to offer it as a download, its bytes.
    File {
        content_type: String,
        attachment: bool,
        bytes: bytes::Bytes,
    },
    /// A plain-text refusal with this HTTP status (unknown id, wrong state).
    Refused(u16, String),
}

/// A behaviour model's answer to a call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    /// A response node; the gateway signs it (and encrypts it under AES).
    Node(Node),
    /// A page for the buyer's browser (page payments).
    Page(Page),
}

/// How an answer is signed.
pub(crate) struct Signing<'a> {
    pub(crate) signer: &'a dyn Signer,
    pub(crate) sign_type: SignType,
    pub(crate) cert_sn: Option<&'a str>,
    pub(crate) aes: Option<&'a AesKey>,
    /// The request's charset: the signature covers the text in it.
    pub(crate) charset: &'a str,
}

/// The response body: `{"<key>":<node>,"alipay_cert_sn":…,"sign":…}`. With AES the
/// node becomes the quoted base64 ciphertext, and the signature covers that quoted
/// text. Without a signer (unknown app) the body is unsigned.
pub(crate) fn body(key: &str, node: &Node, signing: Option<&Signing<'_>>) -> String {
    let plain = node.to_json();
    let node_text = match signing.and_then(|s| s.aes) {
        Some(aes) => Value::String(aes.encrypt(&plain)).to_string(),
        None => plain,
    };
    let mut out = format!("{{{}:{}", Value::String(key.to_owned()), node_text);
    if let Some(s) = signing {
        if let Some(sn) = s.cert_sn {
            out.push_str(",\"alipay_cert_sn\":");
            out.push_str(&Value::String(sn.to_owned()).to_string());
        }
        let bytes = crate::charset::bytes(&node_text, s.charset);
        match sign_base64(s.signer, s.sign_type, &bytes) {
            Ok(sig) => {
                out.push_str(",\"sign\":");
                out.push_str(&Value::String(sig).to_string());
            }
            // Leaving the answer unsigned makes the client refuse it: fail closed.
            Err(e) => tracing::error!(error = %e, "the sandbox could not sign an answer"),
        }
    }
    out.push('}');
    out
}

/// The response key of a method: dots become underscores, plus `_response`.
pub(crate) fn response_key(method: &str) -> String {
    format!("{}_response", method.replace('.', "_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_keeps_order_and_replaces_in_place() {
        let mut n = Node::success();
        n.set("b", "1");
        n.set("a", 2);
        n.set("b", "3");
        assert_eq!(
            n.to_json(),
            r#"{"code":"10000","msg":"Success","b":"3","a":2}"#
        );
    }

    #[test]
    fn unsigned_body_has_no_sign() {
        let f = Failure::missing("isv.missing-method", "x");
        let b = body("error_response", &Node::failure(&f), None);
        assert_eq!(
            b,
            r#"{"error_response":{"code":"40001","msg":"Missing Required Arguments","sub_code":"isv.missing-method","sub_msg":"x"}}"#
        );
    }
}

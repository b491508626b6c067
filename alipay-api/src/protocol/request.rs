//! Request assembly: common parameters, encryption, signing, and the three ways a
//! signed request leaves the client (POST to the gateway, a page form or GET URL,
//! an app order string).

use crate::crypto::aes::AesKey;
use crate::crypto::{SignType, Signer, sign_base64};
use crate::error::{Error, RequestError};
use crate::request::FileUpload;
use crate::types::BeijingDateTime;

use super::{Charset, Redacted, form_encode_in, sign_content, uri_component_in};

/// The app-wide common parameters (公共请求参数) of every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommonParams {
    /// `app_id`.
    pub app_id: String,
    /// `sign_type`.
    pub sign_type: SignType,
    /// `charset`: what requests are encoded, signed and sent in.
    pub charset: Charset,
    /// `format`: `Some("json")` as most SDKs send it; `None` leaves it out (as the
    /// Node SDK does).
    pub format: Option<String>,
    /// `app_cert_sn`, in certificate mode.
    pub app_cert_sn: Option<String>,
    /// `alipay_root_cert_sn`, in certificate mode.
    pub alipay_root_cert_sn: Option<String>,
}

impl CommonParams {
    /// Key-mode defaults for an app: RSA2, UTF-8, `format=json`.
    pub fn new(app_id: impl Into<String>) -> Self {
        CommonParams {
            app_id: app_id.into(),
            sign_type: SignType::Rsa2,
            charset: Charset::Utf8,
            format: Some("json".into()),
            app_cert_sn: None,
            alipay_root_cert_sn: None,
        }
    }
}

/// The method-specific content of a request, before common parameters and signing.
/// Its `Debug` output redacts tokens.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RequestParts {
    /// `method`, e.g. `alipay.trade.query`.
    pub method: String,
    /// `version`, normally `1.0`.
    pub version: String,
    /// Protocol parameters (`notify_url`, `return_url`, `app_auth_token`,
    /// `auth_token`, `target_app_id`, …), sent in the URL query.
    pub protocol: Vec<(String, String)>,
    /// `biz_content` as compact JSON text.
    pub biz_content: Option<String>,
    /// Other business parameters, sent in the body.
    pub text: Vec<(String, String)>,
    /// File parts (uploads), never signed.
    pub files: Vec<(String, FileUpload)>,
}

impl std::fmt::Debug for RequestParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestParts")
            .field("method", &self.method)
            .field("version", &self.version)
            .field("protocol", &Redacted(&self.protocol))
            .field("biz_content", &self.biz_content)
            .field("text", &Redacted(&self.text))
            .field("files", &self.files)
            .finish()
    }
}

/// Wire order of protocol parameters in the query, after the common ones.
fn protocol_rank(k: &str) -> u8 {
    match k {
        "return_url" => 0,
        "notify_url" => 1,
        "app_auth_token" => 2,
        "auth_token" => 3,
        "target_app_id" => 4,
        _ => 5,
    }
}

/// A signed request, split the way the gateway expects it. Its `Debug` output
/// redacts tokens and leaves out the string to sign (which holds them too).
#[derive(Clone)]
pub struct SignedRequest {
    /// The method.
    pub method: String,
    /// Protocol parameters, `sign` last: these travel in the URL query.
    pub query: Vec<(String, String)>,
    /// Business parameters (`biz_content`, text params): these travel in the body.
    pub body: Vec<(String, String)>,
    /// File parts.
    pub files: Vec<(String, FileUpload)>,
    /// The exact string that was signed (as text; its bytes in `charset` were).
    pub sign_content: String,
    /// The charset the parameters are encoded in on the wire.
    pub charset: Charset,
}

impl std::fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedRequest")
            .field("method", &self.method)
            .field("query", &Redacted(&self.query))
            .field("body", &Redacted(&self.body))
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl SignedRequest {
    /// Every parameter in wire order (query first, then body).
    pub fn all_params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.query
            .iter()
            .chain(self.body.iter())
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The gateway URL with the protocol parameters as its query.
    pub fn url(&self, gateway: &str) -> String {
        join_query(
            gateway,
            &form_encode_in(
                self.query.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                self.charset,
            ),
        )
    }

    /// The form body (`application/x-www-form-urlencoded`, in `charset`).
    pub fn form_body(&self) -> String {
        form_encode_in(
            self.body.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            self.charset,
        )
    }

    /// The GET URL a buyer is sent to: every parameter in the query.
    pub fn page_url(&self, gateway: &str) -> String {
        let mut url = self.url(gateway);
        // Business parameters are percent-encoded component-wise (spaces as `%20`),
        // as the official SDKs append them.
        for (k, v) in &self.body {
            url.push('&');
            url.push_str(&uri_component_in(k, self.charset));
            url.push('=');
            url.push_str(&uri_component_in(v, self.charset));
        }
        url
    }

    /// An HTML page fragment with a form that posts itself to the gateway. Every
    /// attribute value is HTML-escaped.
    pub fn page_form(&self, gateway: &str) -> String {
        use std::fmt::Write;
        let action = self.url(gateway);
        let mut html = String::with_capacity(
            512 + self
                .body
                .iter()
                .map(|(k, v)| k.len() + v.len() * 2)
                .sum::<usize>(),
        );
        let _ = writeln!(
            html,
            "<form name=\"alipaysubmit\" id=\"alipaysubmit\" method=\"post\" accept-charset=\"{}\" action=\"{}\">",
            self.charset.as_str(),
            html_escape::encode_double_quoted_attribute(&action)
        );
        for (k, v) in &self.body {
            let _ = writeln!(
                html,
                "<input type=\"hidden\" name=\"{}\" value=\"{}\" />",
                html_escape::encode_double_quoted_attribute(k),
                html_escape::encode_double_quoted_attribute(v)
            );
        }
        html.push_str("<input type=\"submit\" value=\"Pay\" style=\"display:none\" />\n</form>\n");
        html.push_str("<script>document.forms[\"alipaysubmit\"].submit();</script>\n");
        html
    }

    /// The order string for the Alipay app SDK: every parameter, `sign` last,
    /// `encodeURIComponent`-encoded.
    pub fn order_string(&self) -> String {
        let mut out = String::new();
        let mut sign = None;
        for (k, v) in self.all_params() {
            if k == "sign" {
                sign = Some(v);
                continue;
            }
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(&uri_component_in(k, self.charset));
            out.push('=');
            out.push_str(&uri_component_in(v, self.charset));
        }
        if let Some(s) = sign {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str("sign=");
            out.push_str(&uri_component_in(s, self.charset));
        }
        out
    }
}

fn join_query(gateway: &str, query: &str) -> String {
    if query.is_empty() {
        return gateway.to_owned();
    }
    let sep = if gateway.contains('?') {
        if gateway.ends_with('?') || gateway.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    format!("{gateway}{sep}{query}")
}

/// Parameters the client sets itself from its configuration and the request's
/// method; a request or call option that sets one is refused
/// ([`RequestError::Reserved`]), never sent twice.
pub const RESERVED_PARAMS: [&str; 12] = [
    "app_id",
    "method",
    "format",
    "charset",
    "sign_type",
    "sign",
    "timestamp",
    "version",
    "biz_content",
    "app_cert_sn",
    "alipay_root_cert_sn",
    "encrypt_type",
];

/// The one rule for the names a request brings (protocol, text and file
/// parameters, per-call options already merged in): none is reserved, none occurs
/// twice.
pub fn check_names(parts: &RequestParts) -> Result<(), RequestError> {
    let names = parts
        .protocol
        .iter()
        .chain(&parts.text)
        .map(|(k, _)| k.as_str())
        .chain(parts.files.iter().map(|(k, _)| k.as_str()));
    let mut seen = std::collections::HashSet::new();
    for k in names {
        if RESERVED_PARAMS.contains(&k) {
            return Err(RequestError::Reserved(k.to_owned()));
        }
        if !seen.insert(k) {
            return Err(RequestError::Duplicate(k.to_owned()));
        }
    }
    Ok(())
}

/// Checks the request's parameter names ([`check_names`]), adds the common
/// parameters, encrypts `biz_content` when an AES key is given, and signs.
pub fn sign_request(
    common: &CommonParams,
    parts: RequestParts,
    timestamp: BeijingDateTime,
    signer: &dyn Signer,
    aes: Option<&AesKey>,
) -> Result<SignedRequest, Error> {
    check_names(&parts)?;
    let mut query: Vec<(String, String)> = Vec::with_capacity(12 + parts.protocol.len());
    query.push(("method".into(), parts.method.clone()));
    query.push(("app_id".into(), common.app_id.clone()));
    query.push(("charset".into(), common.charset.as_str().into()));
    query.push(("version".into(), parts.version));
    query.push(("sign_type".into(), common.sign_type.as_str().into()));
    query.push(("timestamp".into(), timestamp.to_string()));
    if let Some(sn) = &common.app_cert_sn {
        query.push(("app_cert_sn".into(), sn.clone()));
    }
    if let Some(sn) = &common.alipay_root_cert_sn {
        query.push(("alipay_root_cert_sn".into(), sn.clone()));
    }
    // Empty values are left off the wire altogether (as Alipay's Java SDK does):
    // the string to sign drops them, and the official Node and Python verifiers
    // would otherwise sign `key=` and disagree with it.
    let mut protocol = parts.protocol;
    protocol.retain(|(_, v)| !v.is_empty());
    protocol.sort_by_key(|(k, _)| protocol_rank(k));
    query.extend(protocol);
    if let Some(f) = &common.format {
        query.push(("format".into(), f.clone()));
    }
    let mut body = Vec::with_capacity(1 + parts.text.len());
    body.extend(parts.text.into_iter().filter(|(_, v)| !v.is_empty()));
    let charset = common.charset;
    let encoded = |field: &str, text: &str| {
        charset
            .encode(text)
            .map(|b| b.into_owned())
            .ok_or_else(|| RequestError::Unencodable {
                charset: charset.as_str(),
                field: field.to_owned(),
            })
    };
    if let Some(biz) = parts.biz_content {
        match aes {
            Some(key) => {
                query.push(("encrypt_type".into(), "AES".into()));
                let plain = encoded("biz_content", &biz)?;
                body.push(("biz_content".into(), key.encrypt_bytes(&plain)));
            }
            None => body.push(("biz_content".into(), biz)),
        }
    }
    // Refuse, naming the parameter, what the charset cannot carry.
    for (k, v) in query.iter().chain(body.iter()) {
        encoded(k, v)?;
    }
    let content = sign_content(
        query
            .iter()
            .chain(body.iter())
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let sign = sign_base64(signer, common.sign_type, &encoded("sign", &content)?)?;
    query.push(("sign".into(), sign));
    Ok(SignedRequest {
        method: parts.method,
        query,
        body,
        files: parts.files,
        sign_content: content,
        charset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_neither_sent_nor_signed() {
        // Only the assembly matters here, not the signature bytes.
        #[derive(Debug)]
        struct Fixed;
        impl Signer for Fixed {
            fn sign(
                &self,
                _: crate::crypto::SignType,
                _: &[u8],
            ) -> Result<Vec<u8>, crate::error::SignError> {
                Ok(vec![1, 2, 3])
            }
        }
        let key = Fixed;
        let parts = RequestParts {
            method: "alipay.trade.query".into(),
            version: "1.0".into(),
            protocol: vec![("notify_url".into(), String::new())],
            biz_content: Some("{}".into()),
            text: vec![("extra".into(), String::new()), ("kept".into(), "v".into())],
            files: vec![],
        };
        let t: BeijingDateTime = "2024-01-02 03:04:05".parse().unwrap();
        let signed =
            sign_request(&CommonParams::new("2021000000000001"), parts, t, &key, None).unwrap();
        assert!(signed.all_params().all(|(_, v)| !v.is_empty()));
        assert!(!signed.url("https://gw").contains("notify_url"));
        assert!(signed.body.iter().any(|(k, _)| k == "kept"));
        assert!(!signed.form_body().contains("extra"));
    }

    #[test]
    fn sign_content_sorts_and_drops_empty() {
        let s = sign_content([("b", "2"), ("a", "1"), ("sign", "x"), ("c", ""), ("A", "0")]);
        assert_eq!(s, "A=0&a=1&b=2");
    }

    #[test]
    fn join_query_handles_existing_query() {
        assert_eq!(join_query("https://h/g", "a=1"), "https://h/g?a=1");
        assert_eq!(join_query("https://h/g?x=1", "a=1"), "https://h/g?x=1&a=1");
        assert_eq!(join_query("https://h/g?", "a=1"), "https://h/g?a=1");
    }
}

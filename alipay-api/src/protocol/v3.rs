//! The v3 REST protocol's request signature (the `authorization` header).
//!
//! The signed content is the auth string (`app_id=…[,app_cert_sn=…],nonce=…,
//! timestamp=<ms>`), the HTTP method, the path with its query, the body, and the
//! `alipay-app-auth-token` when there is one, each followed by a newline.

use crate::crypto::{SignType, Signer, sign_base64};
use crate::error::SignError;

/// The inputs of one v3 request signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V3SignInput<'a> {
    /// `app_id`.
    pub app_id: &'a str,
    /// `app_cert_sn`, in certificate mode.
    pub app_cert_sn: Option<&'a str>,
    /// A fresh random nonce (e.g. a UUID).
    pub nonce: &'a str,
    /// Unix time in milliseconds.
    pub timestamp_ms: i64,
    /// `GET`, `POST`, …
    pub http_method: &'a str,
    /// Path and query exactly as sent, e.g. `/v3/alipay/trade/query?a=1`.
    pub path_and_query: &'a str,
    /// The body as sent (ciphertext when encrypted; empty for none).
    pub body: &'a str,
    /// `alipay-app-auth-token`, if any.
    pub app_auth_token: Option<&'a str>,
}

impl V3SignInput<'_> {
    /// The auth string that starts the signed content and the header.
    pub fn auth_string(&self) -> String {
        let mut s = format!("app_id={}", self.app_id);
        if let Some(sn) = self.app_cert_sn {
            s.push_str(",app_cert_sn=");
            s.push_str(sn);
        }
        s.push_str(",nonce=");
        s.push_str(self.nonce);
        s.push_str(",timestamp=");
        s.push_str(&self.timestamp_ms.to_string());
        s
    }

    /// The exact content that is signed.
    pub fn sign_content(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n{}\n",
            self.auth_string(),
            self.http_method,
            self.path_and_query,
            self.body
        );
        if let Some(t) = self.app_auth_token {
            s.push_str(t);
            s.push('\n');
        }
        s
    }

    /// The `authorization` header value (RSA2 only).
    pub fn authorization(&self, signer: &dyn Signer) -> Result<String, SignError> {
        let sign = sign_base64(signer, SignType::Rsa2, self.sign_content().as_bytes())?;
        Ok(format!(
            "ALIPAY-SHA256withRSA {},sign={sign}",
            self.auth_string()
        ))
    }
}

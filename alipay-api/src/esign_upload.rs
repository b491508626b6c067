//! Uploading files to e签宝's direct-upload addresses (文件流上传).
//!
//! Two e签宝 calls announce a file and answer with a pre-signed `upload_url`:
//! `alipay.eco.doc.template.create` (a contract template) and
//! `alipay.eco.file.path.query` (an attachment for a flow, answered with its
//! `file_id`). The file's bytes then go to that address with `PUT`, carrying
//! `Content-Type` and `Content-MD5` equal to the values announced; the storage refuses
//! anything else with `403`. `Content-MD5` is the base64 of the 16-byte MD5 digest
//! ([`content_md5`]), not its hex text.
//!
//! [`Client::upload_esign_attachment`](crate::Client::upload_esign_attachment) and
//! [`Client::create_esign_template`](crate::Client::create_esign_template) make both
//! calls and return the id to use next;
//! [`Client::put_esign_file`](crate::Client::put_esign_file) is the upload alone.
//! Uploads go through the client's HTTP stack: its timeout, no redirects followed, and
//! only `https` (or plain `http` to a loopback host, for a local gateway). The address
//! carries credentials in its query, so it never appears in errors or logs.

use base64::Engine as _;
use md5::{Digest as _, Md5};

use crate::error::EsignError;

/// The most of the storage's answer that is read (64 KiB): it is empty or a short JSON
/// status.
pub const MAX_ANSWER: usize = 64 << 10;

/// The `Content-MD5` of some bytes: the base64 of their MD5 digest, as the announcing
/// call (`content_md_5`) and the upload header both expect.
///
/// ```
/// assert_eq!(alipay_api::esign_upload::content_md5(b"0123456789"), "eB5eJF1ptWaXm4bijSPyxw==");
/// ```
pub fn content_md5(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(bytes))
}

/// Checks the address before anything is sent: `https`, or `http` to a loopback host.
pub(crate) fn check_address(url: &str) -> Result<reqwest::Url, EsignError> {
    let refused = |scheme: &str, host: &str| EsignError::UploadAddress {
        scheme: scheme.to_owned(),
        host: host.to_owned(),
    };
    let parsed = reqwest::Url::parse(url).map_err(|_| refused("", "(not a URL)"))?;
    if crate::config::secure_or_loopback(&parsed) {
        Ok(parsed)
    } else {
        Err(refused(
            parsed.scheme(),
            parsed.host_str().unwrap_or_default(),
        ))
    }
}

/// Reads the storage's answer: a 2xx is accepted unless its body is JSON with a non-zero
/// `errCode` (the form the product's guide checks); anything else is refused.
pub(crate) fn read_answer(status: u16, body: &[u8]) -> Result<(), EsignError> {
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX_ANSWER)]);
    if !(200..300).contains(&status) {
        let detail: String = text.chars().take(200).collect();
        return Err(EsignError::UploadRefused { status, detail });
    }
    let Ok(serde_json::Value::Object(answer)) = serde_json::from_str(text.trim()) else {
        // Empty (the storage's usual answer) or not JSON: the status decides.
        return Ok(());
    };
    let code = match answer.get("errCode") {
        None | Some(serde_json::Value::Null) => return Ok(()),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    if code == "0" {
        return Ok(());
    }
    let message = answer
        .get("msg")
        .or_else(|| answer.get("message"))
        .and_then(|m| m.as_str())
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    Err(EsignError::UploadRejected { code, message })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_md5_is_the_base64_of_the_digest() {
        // The example of e签宝's upload guide, and the digest of nothing.
        assert_eq!(content_md5(b"0123456789"), "eB5eJF1ptWaXm4bijSPyxw==");
        assert_eq!(content_md5(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
    }

    #[test]
    fn only_https_or_loopback_http_addresses_are_used() {
        assert!(check_address("https://oss.example.com/a?Signature=x").is_ok());
        assert!(check_address("http://127.0.0.1:8080/up/1").is_ok());
        assert!(check_address("http://[::1]:8080/up/1").is_ok());
        for bad in ["http://oss.example.com/a", "ftp://127.0.0.1/a", "not a url"] {
            let e = check_address(bad).unwrap_err();
            assert!(matches!(e, EsignError::UploadAddress { .. }), "{bad}: {e}");
            // The query holds credentials: errors never repeat the address.
            assert!(!e.to_string().contains("/a"), "{e}");
        }
    }

    #[test]
    fn answers_are_read_as_the_guide_reads_them() {
        assert!(read_answer(200, b"").is_ok());
        assert!(read_answer(200, br#"{"errCode":0,"msg":"ok"}"#).is_ok());
        assert!(read_answer(204, b"not json").is_ok());
        let e = read_answer(200, br#"{"errCode":1001,"msg":"bad"}"#).unwrap_err();
        assert_eq!(
            e,
            EsignError::UploadRejected {
                code: "1001".into(),
                message: "bad".into()
            }
        );
        let e = read_answer(403, b"<Error><Code>InvalidDigest</Code></Error>").unwrap_err();
        assert!(
            matches!(e, EsignError::UploadRefused { status: 403, .. }),
            "{e}"
        );
        assert!(matches!(
            read_answer(302, b""),
            Err(EsignError::UploadRefused { status: 302, .. })
        ));
    }
}

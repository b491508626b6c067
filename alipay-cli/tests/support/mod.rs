//! Shared test helpers: fresh keys, the `alipay` binary with a clean environment,
//! and bodies signed the way the platform signs them.
#![allow(dead_code)] // each test file uses part of it

use std::path::{Path, PathBuf};

use alipay_api::crypto::sign_base64;
use alipay_api::protocol::{form_encode, notify_content};
use alipay_api::{PrivateKey, SignType};
use alipay_sandbox::SandboxKeys;

pub const APP_ID: &str = "2021000000000001";

/// Fresh app and platform keys (and certificates in certificate mode).
pub fn keys(cert_mode: bool) -> SandboxKeys {
    SandboxKeys::generate(APP_ID, cert_mode, false).expect("test keys")
}

/// The binary, with no `ALIPAY_*` variable inherited from the test's environment.
pub fn alipay() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("alipay").expect("the alipay binary");
    for (var, _) in alipay_api::config::env::ALL {
        cmd.env_remove(var);
    }
    cmd
}

/// The binary configured in key mode: the app's keys and `alipay_public_key`.
pub fn alipay_with(keys: &SandboxKeys, alipay_public_key: &str) -> assert_cmd::Command {
    let mut cmd = alipay();
    cmd.env("ALIPAY_APP_ID", APP_ID)
        .env("ALIPAY_PRIVATE_KEY", &keys.app_private_key)
        .env("ALIPAY_PUBLIC_KEY", alipay_public_key);
    cmd
}

/// Signs `text`'s bytes in `charset` with a PEM private key, as base64.
pub fn sign(private_pem: &str, sign_type: SignType, bytes: &[u8]) -> String {
    let key = PrivateKey::from_text(private_pem).expect("test key");
    sign_base64(&key, sign_type, bytes).expect("signing")
}

/// The bytes of `text` in `charset` (`utf-8` or `gbk`).
pub fn bytes_in(text: &str, charset: &str) -> Vec<u8> {
    let enc = encoding_rs::Encoding::for_label(charset.as_bytes()).expect("charset");
    enc.encode(text).0.into_owned()
}

/// A notification's parameters (no `sign`): a paid trade, with characters that
/// differ between charsets and encodings (`+`, `%`, `/`, Chinese).
pub fn notification_params(charset: &str) -> Vec<(String, String)> {
    [
        ("notify_time", "2024-01-02 03:04:05"),
        ("notify_type", "trade_status_sync"),
        ("notify_id", "ntf-1"),
        ("app_id", APP_ID),
        ("charset", charset),
        ("version", "1.0"),
        ("sign_type", "RSA2"),
        ("trade_no", "2024010222001400001"),
        ("out_trade_no", "T1"),
        ("trade_status", "TRADE_SUCCESS"),
        ("total_amount", "88.88"),
        ("subject", "台灯 a+b 100% off"),
        ("passback_params", "https://shop.example/r?x=1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Adds `sign` over the string that leaves out `exclude`, in `charset` bytes.
pub fn signed(
    mut params: Vec<(String, String)>,
    private_pem: &str,
    exclude: &[&str],
    charset: &str,
    sign_type: SignType,
) -> Vec<(String, String)> {
    let text = notify_content(
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        exclude,
    );
    let s = sign(private_pem, sign_type, &bytes_in(&text, charset));
    params.push(("sign".into(), s));
    params
}

/// The form body, UTF-8 percent-encoding.
pub fn form(params: &[(String, String)]) -> String {
    form_encode(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// A response body around `node`, signed over `signed_text`.
pub fn response_body(
    node: &str,
    signed_text: &str,
    private_pem: &str,
    cert_sn: Option<&str>,
) -> String {
    let sign = sign(private_pem, SignType::Rsa2, signed_text.as_bytes());
    let sn = cert_sn
        .map(|s| format!(r#","alipay_cert_sn":"{s}""#))
        .unwrap_or_default();
    format!(r#"{{"alipay_trade_query_response":{node},"sign":"{sign}"{sn}}}"#)
}

/// A response node with a `/` in it.
pub const NODE: &str = r#"{"code":"10000","msg":"Success","out_trade_no":"T1","trade_status":"TRADE_SUCCESS","total_amount":"88.88","buyer_logon_id":"a/b***@example.com"}"#;

/// Writes `content` to `dir/name`.
pub fn file(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).expect("write test file");
    p
}

/// The JSON document a `--json` run printed.
pub fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The ids of the causes a `verify --json` report names.
pub fn causes(report: &serde_json::Value) -> Vec<String> {
    report["causes"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| c["cause"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts a failed run printed one clear line and no panic.
pub fn assert_one_line_error(out: &std::process::Output, code: i32, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("alipay: "), "{stderr}");
    assert!(stderr.contains(needle), "`{needle}` not in: {stderr}");
}

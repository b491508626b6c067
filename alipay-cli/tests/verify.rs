//! `alipay verify`: a correct body verifies, and each known mistake is named as the
//! one cause that fits (the variant that would have verified).

mod support;

use alipay_api::crypto::cert;
use alipay_api::SignType;
use support::*;

const V1: &[&str] = &["sign", "sign_type"];
const V2: &[&str] = &["sign"];

struct Case {
    dir: tempfile::TempDir,
    keys: alipay_sandbox::SandboxKeys,
}

impl Case {
    fn new(cert_mode: bool) -> Self {
        Case {
            dir: tempfile::tempdir().unwrap(),
            keys: keys(cert_mode),
        }
    }

    /// Runs `verify KIND FILE --json` with Alipay's key set to `alipay_key`.
    fn verify(
        &self,
        alipay_key: &str,
        kind: &str,
        body: impl AsRef<[u8]>,
        extra: &[&str],
    ) -> std::process::Output {
        let path = file(self.dir.path(), "body", body);
        alipay_with(&self.keys, alipay_key)
            .args(["--json", "verify", kind])
            .arg(&path)
            .args(extra)
            .output()
            .unwrap()
    }

    fn notification(
        &self,
        exclude: &[&str],
        declared: &str,
        signed_in: &str,
    ) -> Vec<(String, String)> {
        signed(
            notification_params(declared),
            &self.keys.alipay_private_key,
            exclude,
            signed_in,
            SignType::Rsa2,
        )
    }
}

/// Asserts the run failed verification and named exactly `cause`.
fn assert_cause(out: &std::process::Output, cause: &str) {
    let report = json(out);
    assert_eq!(report["verified"], false, "{report:#}");
    assert_eq!(causes(&report), vec![cause.to_owned()], "{report:#}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_correct_notification_and_response_verify() {
    let c = Case::new(false);
    let body = form(&c.notification(V1, "utf-8", "utf-8"));
    let out = c.verify(&c.keys.alipay_public_key, "notification", &body, &[]);
    let report = json(&out);
    assert_eq!(report["verified"], true, "{report:#}");
    assert!(report["string_verified"]
        .as_str()
        .unwrap()
        .contains("subject=台灯 a+b 100% off"));
    assert_eq!(out.status.code(), Some(0));

    let resp = response_body(NODE, NODE, &c.keys.alipay_private_key, None);
    let out = c.verify(&c.keys.alipay_public_key, "response", &resp, &[]);
    assert_eq!(json(&out)["verified"], true);
}

#[test]
fn an_altered_body_names_no_cause() {
    let c = Case::new(false);
    let body = form(&c.notification(V1, "utf-8", "utf-8")).replace("88.88", "0.01");
    let out = c.verify(&c.keys.alipay_public_key, "notification", &body, &[]);
    let report = json(&out);
    assert_eq!(report["verified"], false);
    assert!(causes(&report).is_empty(), "{report:#}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn gbk_signature_over_a_utf8_body_is_the_charset() {
    let c = Case::new(false);
    let body = form(&c.notification(V1, "utf-8", "gbk"));
    assert_cause(
        &c.verify(&c.keys.alipay_public_key, "notification", &body, &[]),
        "charset",
    );
}

#[test]
fn gbk_bytes_declared_utf8_are_the_charset() {
    let c = Case::new(false);
    // The sender wrote GBK bytes but the body says charset=utf-8.
    let params = c.notification(V1, "utf-8", "gbk");
    let mut body = Vec::new();
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            body.push(b'&');
        }
        body.extend(k.as_bytes());
        body.push(b'=');
        body.extend(
            percent_encoding::percent_encode(
                &bytes_in(v, "gbk"),
                percent_encoding::NON_ALPHANUMERIC,
            )
            .to_string()
            .as_bytes(),
        );
    }
    assert_cause(
        &c.verify(&c.keys.alipay_public_key, "notification", &body, &[]),
        "charset",
    );
}

#[test]
fn sign_type_kept_in_the_string_is_named_and_auto_accepts_it() {
    let c = Case::new(false);
    let body = form(&c.notification(V2, "utf-8", "utf-8"));
    assert_cause(
        &c.verify(&c.keys.alipay_public_key, "notification", &body, &[]),
        "sign-type-included",
    );
    let out = c.verify(
        &c.keys.alipay_public_key,
        "notification",
        &body,
        &["--scheme", "auto"],
    );
    assert_eq!(json(&out)["verified"], true);
}

#[test]
fn sign_type_left_out_under_v2_is_named() {
    let c = Case::new(false);
    let body = form(&c.notification(V1, "utf-8", "utf-8"));
    assert_cause(
        &c.verify(
            &c.keys.alipay_public_key,
            "notification",
            &body,
            &["--scheme", "v2"],
        ),
        "sign-type-excluded",
    );
}

#[test]
fn an_already_decoded_body_is_decoded_twice() {
    let c = Case::new(false);
    // What a web framework hands over after decoding, saved as if it were raw.
    let decoded = c
        .notification(V1, "utf-8", "utf-8")
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    assert_cause(
        &c.verify(&c.keys.alipay_public_key, "notification", &decoded, &[]),
        "decoded-twice",
    );
}

#[test]
fn a_body_encoded_twice_is_named() {
    let c = Case::new(false);
    let once = form(&c.notification(V1, "utf-8", "utf-8"));
    let twice: String = form_urlencoded_value(&once);
    assert_cause(
        &c.verify(&c.keys.alipay_public_key, "notification", &twice, &[]),
        "encoded-twice",
    );
}

/// Each value of a form body percent-encoded once more.
fn form_urlencoded_value(body: &str) -> String {
    body.split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            format!(
                "{k}={}",
                percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[test]
fn the_apps_own_public_key_configured_is_named() {
    let c = Case::new(false);
    let body = form(&c.notification(V1, "utf-8", "utf-8"));
    assert_cause(
        &c.verify(&c.keys.app_public_key, "notification", &body, &[]),
        "own-public-key",
    );
}

#[test]
fn a_body_signed_with_the_app_key_is_named() {
    let c = Case::new(false);
    let body = form(&signed(
        notification_params("utf-8"),
        &c.keys.app_private_key,
        V1,
        "utf-8",
        SignType::Rsa2,
    ));
    assert_cause(
        &c.verify(&c.keys.alipay_public_key, "notification", &body, &[]),
        "signed-by-app-key",
    );
}

#[test]
fn the_other_sign_type_is_named() {
    let c = Case::new(false);
    let body = form(&signed(
        notification_params("utf-8"),
        &c.keys.alipay_private_key,
        V1,
        "utf-8",
        SignType::Rsa,
    ));
    // The body says RSA2 (the app's type) but the signature is SHA-1.
    assert_cause(
        &c.verify(&c.keys.alipay_public_key, "notification", &body, &[]),
        "sign-type",
    );
}

#[test]
fn unescaped_slashes_in_a_response_are_named() {
    let c = Case::new(false);
    // Alipay signed the text with `\/`; a tool wrote the body back with `/`.
    let as_sent = NODE.replace('/', "\\/");
    let body = response_body(NODE, &as_sent, &c.keys.alipay_private_key, None);
    assert_cause(
        &c.verify(&c.keys.alipay_public_key, "response", &body, &[]),
        "slash-escapes",
    );
    // The official SDKs' own retry (signed unescaped, sent escaped) is no failure.
    let body = response_body(&as_sent, NODE, &c.keys.alipay_private_key, None);
    assert_eq!(
        json(&c.verify(&c.keys.alipay_public_key, "response", &body, &[]))["verified"],
        true
    );
}

#[test]
fn a_gbk_response_is_the_charset() {
    let c = Case::new(false);
    let node = NODE.replace("a/b***", "张三***");
    let sign = sign(
        &c.keys.alipay_private_key,
        SignType::Rsa2,
        &bytes_in(&node, "gbk"),
    );
    let body = format!(r#"{{"alipay_trade_query_response":{node},"sign":"{sign}"}}"#);
    assert_cause(
        &c.verify(
            &c.keys.alipay_public_key,
            "response",
            bytes_in(&body, "gbk"),
            &[],
        ),
        "charset",
    );
    assert_cause(
        &c.verify(&c.keys.alipay_public_key, "response", &body, &[]),
        "charset",
    );
}

#[test]
fn a_public_key_under_the_wrong_pem_label_is_the_key_format() {
    let c = Case::new(false);
    let body = response_body(NODE, NODE, &c.keys.alipay_private_key, None);
    // The console's SubjectPublicKeyInfo base64 wrapped as a PKCS#1 key.
    let b64: String = c
        .keys
        .alipay_public_key
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let wrong = format!("-----BEGIN RSA PUBLIC KEY-----\n{b64}\n-----END RSA PUBLIC KEY-----\n");
    assert_cause(&c.verify(&wrong, "response", &body, &[]), "key-format");
    // A PEM key with literal `\n` (from a JSON or .env file).
    let escaped = c.keys.alipay_public_key.trim().replace('\n', "\\n");
    assert_cause(&c.verify(&escaped, "response", &body, &[]), "key-format");
}

#[test]
fn a_certificate_sn_from_the_wrong_certificate_is_named() {
    let c = Case::new(true);
    let certs = c.keys.certs.as_ref().unwrap();
    let alipay_sn = cert::leaf_sn(certs.alipay_cert.as_bytes(), "Alipay certificate").unwrap();
    let body = response_body(NODE, NODE, &c.keys.alipay_private_key, Some(&alipay_sn));
    let d = c.dir.path();
    let run = |alipay_file: &std::path::Path| {
        let body_path = file(d, "body", &body);
        alipay()
            .env("ALIPAY_APP_ID", APP_ID)
            .env("ALIPAY_PRIVATE_KEY", &c.keys.app_private_key)
            .env("ALIPAY_APP_CERT_FILE", file(d, "app.crt", &certs.app_cert))
            .env("ALIPAY_CERT_FILE", alipay_file)
            .env(
                "ALIPAY_ROOT_CERT_FILE",
                file(d, "root.crt", &certs.alipay_root_cert),
            )
            .args(["--json", "verify", "response"])
            .arg(body_path)
            .output()
            .unwrap()
    };
    let good = file(d, "alipay.crt", &certs.alipay_cert);
    assert_eq!(json(&run(&good))["verified"], true);
    // The root first: the SN (and key) would come from the wrong certificate.
    let root_first = file(
        d,
        "bundle.crt",
        format!("{}{}", certs.alipay_root_cert, certs.alipay_cert),
    );
    let out = run(&root_first);
    assert_cause(&out, "cert-sn");
    assert!(json(&out)["causes"][0]["evidence"]
        .as_str()
        .unwrap()
        .contains("certificate #2"));
}

#[test]
fn the_report_shows_the_string_and_the_key_fingerprint() {
    let c = Case::new(false);
    let body = form(&c.notification(V2, "utf-8", "utf-8"));
    let path = file(c.dir.path(), "n", &body);
    let out = alipay_with(&c.keys, &c.keys.alipay_public_key)
        .args(["verify", "notification"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let spki = alipay_api::PublicKey::from_text(&c.keys.alipay_public_key)
        .unwrap()
        .spki_der();
    let digest = <sha2::Sha256 as sha2::Digest>::digest(&spki);
    let short: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    assert!(text.contains(&format!("SHA256:{short}")), "{text}");
    assert!(
        text.contains("app_id=2021000000000001&charset=utf-8"),
        "{text}"
    );
    assert!(text.contains("Cause [sign-type-included]"), "{text}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let c = Case::new(false);
    let resp = response_body(NODE, NODE, &c.keys.alipay_private_key, None);
    let truncated = &resp[..resp.len() / 2];
    let out = c.verify(&c.keys.alipay_public_key, "response", truncated, &[]);
    assert_one_line_error(&out, 2, "not valid JSON");

    let out = alipay_with(&c.keys, &c.keys.alipay_public_key)
        .args(["verify", "notification", "/nonexistent/body"])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, "/nonexistent/body");

    let out = c.verify("not a key at all!", "notification", "a=1", &[]);
    assert_one_line_error(&out, 2, "Alipay public key");

    let out = c.verify(&c.keys.alipay_public_key, "notification", "", &[]);
    assert_one_line_error(&out, 2, "empty");

    let out = c.verify(
        &c.keys.alipay_public_key,
        "notification",
        b"charset=utf-8&a=%FF%FE&sign=x",
        &[],
    );
    assert_one_line_error(&out, 2, "cannot be read");
}

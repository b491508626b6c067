//! `alipay keygen`, `alipay cert-sn` and `alipay doctor` over good and broken
//! configurations built from test keys.

mod support;

use alipay_api::crypto::inspect::{KeyStructure, KeyText};
use alipay_api::{PrivateKey, PublicKey};
use support::*;

#[test]
fn keygen_forms_are_one_key_pair() {
    let out = alipay().args(["--json", "keygen"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let r = json(&out);
    let public = PublicKey::from_text(r["public_key_base64"].as_str().unwrap()).unwrap();
    assert_eq!(
        public,
        PublicKey::from_text(r["public_key_pem"].as_str().unwrap()).unwrap()
    );
    for (form, structure, pem) in [
        ("pkcs8_pem", KeyStructure::Pkcs8Private, Some("PRIVATE KEY")),
        ("pkcs8_base64", KeyStructure::Pkcs8Private, None),
        (
            "pkcs1_pem",
            KeyStructure::Pkcs1Private,
            Some("RSA PRIVATE KEY"),
        ),
        ("pkcs1_base64", KeyStructure::Pkcs1Private, None),
    ] {
        let text = r["private"][form].as_str().unwrap();
        let seen = KeyText::inspect(text).unwrap();
        assert_eq!(
            (seen.structure(), seen.pem_label()),
            (Some(structure), pem),
            "{form}"
        );
        assert_eq!(
            PrivateKey::from_text(text).unwrap().public(),
            &public,
            "{form}"
        );
    }
    let b64 = r["public_key_base64"].as_str().unwrap();
    assert!(
        !b64.contains('\n') && b64.starts_with("MIIBIjAN"),
        "bare base64 SPKI of RSA-2048"
    );
}

#[test]
fn keygen_out_writes_files_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        alipay()
            .args(["keygen", "--out"])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    assert_eq!(run().status.code(), Some(0));
    let private = std::fs::read_to_string(dir.path().join("app_private_key_pkcs1.pem")).unwrap();
    let public = std::fs::read_to_string(dir.path().join("app_public_key.txt")).unwrap();
    assert_eq!(
        PrivateKey::from_text(&private).unwrap().public(),
        &PublicKey::from_text(&public).unwrap()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join("app_private_key_pkcs8.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "private keys are the owner's only");
    }
    assert_one_line_error(&run(), 2, "never overwrites");
}

#[test]
fn cert_sn_of_a_leaf_and_of_a_root_bundle() {
    let k = keys(true);
    let c = k.certs.as_ref().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let leaf = json(
        &alipay()
            .args(["--json", "cert-sn"])
            .arg(file(dir.path(), "a.crt", &c.app_cert))
            .output()
            .unwrap(),
    );
    assert_eq!(leaf["root_cert_sn"], serde_json::Value::Null);
    assert_eq!(leaf["cert_sn"].as_str().unwrap().len(), 32);
    let root = json(
        &alipay()
            .args(["--json", "cert-sn"])
            .arg(file(dir.path(), "r.crt", &c.alipay_root_cert))
            .output()
            .unwrap(),
    );
    assert_eq!(
        root["root_cert_sn"], root["cert_sn"],
        "one RSA root: the root SN is its SN"
    );
    assert_ne!(root["cert_sn"], leaf["cert_sn"]);

    let out = alipay()
        .args(["cert-sn"])
        .arg(file(
            dir.path(),
            "bad.crt",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        ))
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, "certificate");
    assert_one_line_error(
        &alipay()
            .args(["cert-sn", "/nonexistent.crt"])
            .output()
            .unwrap(),
        2,
        "/nonexistent.crt",
    );
}

/// The doctor's checks by name: (status, detail, fix).
fn doctor(cmd: &mut assert_cmd::Command) -> (Option<i32>, Vec<(String, String, String)>) {
    let out = cmd.args(["--json", "doctor"]).output().unwrap();
    let r = json(&out);
    let checks = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["status"].as_str().unwrap().to_owned(),
                format!(
                    "{}: {}",
                    c["name"].as_str().unwrap(),
                    c["detail"].as_str().unwrap()
                ),
                c["fix"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    (out.status.code(), checks)
}

fn errors(checks: &[(String, String, String)]) -> Vec<&(String, String, String)> {
    checks.iter().filter(|c| c.0 == "error").collect()
}

#[test]
fn doctor_passes_a_good_key_mode_setup() {
    let k = keys(false);
    let (code, checks) = doctor(&mut alipay_with(&k, &k.alipay_public_key));
    assert!(errors(&checks).is_empty(), "{checks:#?}");
    assert_eq!(code, Some(0));
    assert!(
        checks
            .iter()
            .any(|c| c.1.contains("PKCS#8 private key, PEM")),
        "{checks:#?}"
    );
}

#[test]
fn doctor_names_each_problem_with_a_fix() {
    let k = keys(false);
    // The app's own public key where Alipay's belongs.
    let (code, checks) = doctor(&mut alipay_with(&k, &k.app_public_key));
    let e = errors(&checks);
    assert_eq!(code, Some(1));
    assert!(
        e[0].1.contains("your app's own public key") && e[0].2.contains("支付宝公钥"),
        "{e:#?}"
    );

    // A corrupt private key, a bad AES key and no app id.
    let (_, checks) = doctor(
        alipay()
            .env(
                "ALIPAY_PRIVATE_KEY",
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            )
            .env("ALIPAY_PUBLIC_KEY", &k.alipay_public_key)
            .env("ALIPAY_AES_KEY", "c2hvcnQ="),
    );
    let e = errors(&checks);
    for name in ["app id:", "private key:", "AES key:"] {
        assert!(
            e.iter().any(|c| c.1.starts_with(name) && !c.2.is_empty()),
            "{name} {e:#?}"
        );
    }

    // The console's base64 public key wrapped in a PKCS#1 label.
    let b64: String = k
        .alipay_public_key
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let wrong = format!("-----BEGIN RSA PUBLIC KEY-----\n{b64}\n-----END RSA PUBLIC KEY-----\n");
    let (_, checks) = doctor(&mut alipay_with(&k, &wrong));
    let e = errors(&checks);
    assert!(
        e.iter()
            .any(|c| c.1.contains("wrong label") && c.2.contains("BEGIN PUBLIC KEY")),
        "{e:#?}"
    );
}

#[test]
fn doctor_checks_certificates() {
    let k = keys(true);
    let c = k.certs.as_ref().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = file(dir.path(), "app.crt", &c.app_cert);
    let alipay_crt = file(dir.path(), "alipay.crt", &c.alipay_cert);
    let root = file(dir.path(), "root.crt", &c.alipay_root_cert);
    let with = |app_f: &std::path::Path, alipay_f: &std::path::Path, root_f: &std::path::Path| {
        let mut cmd = alipay();
        cmd.env("ALIPAY_APP_ID", APP_ID)
            .env("ALIPAY_PRIVATE_KEY", &k.app_private_key)
            .env("ALIPAY_APP_CERT_FILE", app_f)
            .env("ALIPAY_CERT_FILE", alipay_f)
            .env("ALIPAY_ROOT_CERT_FILE", root_f);
        cmd
    };
    let (code, checks) = doctor(&mut with(&app, &alipay_crt, &root));
    assert!(errors(&checks).is_empty(), "{checks:#?}");
    assert_eq!(code, Some(0));
    assert!(checks
        .iter()
        .any(|c| c.1.starts_with("root certificate: alipay_root_cert_sn")));

    // The app certificate configured as Alipay's, and the files swapped.
    let (_, checks) = doctor(&mut with(&app, &app, &root));
    assert!(
        errors(&checks)
            .iter()
            .any(|c| c.1.contains("holds your app's own public key")),
        "{checks:#?}"
    );
    let (_, checks) = doctor(&mut with(&app, &root, &alipay_crt));
    let e = errors(&checks);
    assert!(e.iter().any(|c| c.1.contains("is a root")), "{e:#?}");
    assert!(e.iter().any(|c| c.1.contains("not a root")), "{e:#?}");
}

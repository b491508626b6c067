//! Certificate mode against the local gateway: SNs are sent, an unknown
//! `alipay_cert_sn` triggers `alipay.open.app.alipaycert.download`, the new
//! certificate must chain to the configured root, and is cached. Certificates are
//! made at test time with rcgen (the vectors' keys, a test root).

mod runtime_support;

use std::sync::Arc;

use alipay_api::crypto::cert;
use alipay_api::error::SignatureError;
use alipay_api::{CertSource, Client, ConfigError, Error, GenericRequest};
use base64::Engine as _;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SerialNumber};
use runtime_support::*;
use serde_json::json;

struct Pki {
    root: String,
    app: String,
    alipay_old: String,
    alipay_new: String,
    rogue: String,
}

fn params(cn: &str, serial: u64, ca: bool) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name.push(DnType::CountryName, "CN");
    p.distinguished_name
        .push(DnType::OrganizationName, "Test Co.,Ltd");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.serial_number = Some(SerialNumber::from(serial));
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    }
    p
}

fn pki() -> Pki {
    let key = |f: &str| KeyPair::from_pem(&read(f)).unwrap();
    let root_params = params("Test Root", 1, true);
    let root = root_params
        .self_signed(&key("keys/app_private_pkcs8.pem"))
        .unwrap();
    let issuer = Issuer::new(root_params, key("keys/app_private_pkcs8.pem"));
    let app = params(APP_ID, 300, false)
        .signed_by(&key("keys/app_private_pkcs8.pem"), &issuer)
        .unwrap();
    let alipay_old = params("Alipay Test", 100, false)
        .signed_by(&key("keys/alipay_private_pkcs8.pem"), &issuer)
        .unwrap();
    let alipay_new = params("Alipay Test", 200, false)
        .signed_by(&key("keys/alipay_private_pkcs8.pem"), &issuer)
        .unwrap();
    let rogue = params("Alipay Test", 999, false)
        .self_signed(&key("keys/alipay_private_pkcs8.pem"))
        .unwrap();
    Pki {
        root: root.pem(),
        app: app.pem(),
        alipay_old: alipay_old.pem(),
        alipay_new: alipay_new.pem(),
        rogue: rogue.pem(),
    }
}

fn sn(pem: &str) -> String {
    cert::leaf_sn(pem.as_bytes(), "test").unwrap()
}

fn handler(pki: &Pki) -> Handler {
    let alipay = Arc::new(alipay_private());
    let new_pem = pki.alipay_new.clone();
    let rogue_pem = pki.rogue.clone();
    let (new_sn, rogue_sn) = (sn(&pki.alipay_new), sn(&pki.rogue));
    Arc::new(move |seen: &Seen| {
        let biz = seen.biz();
        match seen.method() {
            "alipay.open.app.alipaycert.download" => {
                let wanted = biz["alipay_cert_sn"].as_str().unwrap_or_default();
                let pem = if wanted == rogue_sn {
                    &rogue_pem
                } else {
                    &new_pem
                };
                let content = base64::engine::general_purpose::STANDARD.encode(pem);
                let node =
                    json!({"code": "10000", "msg": "Success", "alipay_cert_content": content})
                        .to_string();
                Answer::ok(signed_body(
                    "alipay_open_app_alipaycert_download_response",
                    &node,
                    &alipay,
                    Some(wanted),
                ))
            }
            _ => {
                let use_sn = if biz["out_trade_no"] == "rogue" {
                    &rogue_sn
                } else {
                    &new_sn
                };
                Answer::ok(signed_body(
                    "alipay_trade_query_response",
                    r#"{"code":"10000","msg":"Success","trade_status":"TRADE_SUCCESS"}"#,
                    &alipay,
                    Some(use_sn),
                ))
            }
        }
    })
}

fn cert_client(pki: &Pki, url: &str) -> Client {
    Client::builder()
        .app_id(APP_ID)
        .private_key(app_private())
        .certificates(
            CertSource::bytes(pki.app.clone()),
            CertSource::bytes(pki.alipay_old.clone()),
            CertSource::bytes(pki.root.clone()),
        )
        .gateway_url(url)
        .build()
        .unwrap()
}

fn query(no: &str) -> GenericRequest {
    GenericRequest::new("alipay.trade.query").biz_content(&json!({ "out_trade_no": no }))
}

#[tokio::test]
async fn unknown_sn_downloads_checks_and_caches_the_new_cert() {
    let pki = pki();
    let gw = start(app_public(), handler(&pki)).await;
    let c = cert_client(&pki, &gw.url());
    let out = c.execute(&query("T1")).await.unwrap();
    assert_eq!(out["trade_status"], "TRADE_SUCCESS");
    let seen = gw.requests();
    assert_eq!(
        seen.iter().map(Seen::method).collect::<Vec<_>>(),
        ["alipay.trade.query", "alipay.open.app.alipaycert.download"]
    );
    assert_eq!(seen[1].biz()["alipay_cert_sn"], sn(&pki.alipay_new));
    for s in &seen {
        assert!(s.signature_ok);
        assert_eq!(s.query["app_cert_sn"], sn(&pki.app));
        assert_eq!(
            s.query["alipay_root_cert_sn"],
            cert::root_sn(pki.root.as_bytes()).unwrap()
        );
    }
    // Cached: no second download.
    c.execute(&query("T2")).await.unwrap();
    assert_eq!(gw.requests().len(), 3);
}

#[tokio::test]
async fn a_cert_that_does_not_chain_to_the_root_is_refused() {
    let pki = pki();
    let gw = start(app_public(), handler(&pki)).await;
    let c = cert_client(&pki, &gw.url());
    let e = c.execute(&query("rogue")).await.unwrap_err();
    match &e {
        Error::Signature(SignatureError::UnknownCertificate { reason, .. }) => {
            assert!(reason.contains("chain"), "{reason}")
        }
        other => panic!("{other}"),
    }
}

#[test]
fn cert_configuration_mistakes() {
    let pki = pki();
    let build = |app: &str, alipay: &str| {
        Client::builder()
            .app_id(APP_ID)
            .private_key(app_private())
            .certificates(
                CertSource::bytes(app.to_owned()),
                CertSource::bytes(alipay.to_owned()),
                CertSource::bytes(pki.root.clone()),
            )
            .build()
    };
    assert!(build(&pki.app, &pki.alipay_old).is_ok());
    // The app certificate given as Alipay's.
    assert!(matches!(
        build(&pki.app, &pki.app).unwrap_err(),
        ConfigError::Certificate { .. }
    ));
    // An app certificate that does not match the private key.
    assert!(matches!(
        build(&pki.alipay_old, &pki.alipay_new).unwrap_err(),
        ConfigError::Certificate { .. }
    ));
    assert!(matches!(
        build("junk", &pki.alipay_old).unwrap_err(),
        ConfigError::Certificate { .. }
    ));
    let e = Client::builder()
        .app_id(APP_ID)
        .private_key(app_private())
        .certificates(
            CertSource::path("/nonexistent/app.crt"),
            CertSource::bytes(pki.alipay_old.clone()),
            CertSource::bytes(pki.root.clone()),
        )
        .build()
        .unwrap_err();
    assert!(matches!(e, ConfigError::File { .. }));
    let e = Client::builder()
        .app_id(APP_ID)
        .private_key(app_private())
        .alipay_public_key(alipay_public_text())
        .certificates(
            CertSource::bytes(pki.app.clone()),
            CertSource::bytes(pki.alipay_old.clone()),
            CertSource::bytes(pki.root.clone()),
        )
        .build()
        .unwrap_err();
    assert_eq!(e, ConfigError::Ambiguous);
}

#[test]
fn vector_certificates_from_paths() {
    let dir = alipay_tests::vectors::dir().join("keys");
    // The vectors' app certificate holds a different key than the vector app key,
    // so pair it with a signer-less check: SNs only.
    let app_sn = cert::leaf_sn(
        &std::fs::read(dir.join("appCertPublicKey.crt")).unwrap(),
        "app",
    )
    .unwrap();
    assert_eq!(app_sn, "57a9b8b4bb60c8d3be4d5a51ff1ea72f");
}

#[cfg(feature = "blocking")]
#[tokio::test(flavor = "multi_thread")]
async fn blocking_client_in_cert_mode() {
    let pki = pki();
    let gw = start(app_public(), handler(&pki)).await;
    let url = gw.url();
    let (app, old, root) = (pki.app.clone(), pki.alipay_old.clone(), pki.root.clone());
    let out = tokio::task::spawn_blocking(move || {
        let c = Client::builder()
            .app_id(APP_ID)
            .private_key(app_private())
            .certificates(
                CertSource::bytes(app),
                CertSource::bytes(old),
                CertSource::bytes(root),
            )
            .gateway_url(url)
            .build_blocking()
            .unwrap();
        c.execute(&query("T1"))
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(out["trade_status"], "TRADE_SUCCESS");
    assert_eq!(gw.requests().len(), 2);
}

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

fn key(f: &str) -> KeyPair {
    KeyPair::from_pem(&read(f)).unwrap()
}

/// The test CA's key (any RSA key will do: it only signs certificates).
fn ca_key() -> KeyPair {
    key("keys/app_private_pkcs8.pem")
}

fn root_issuer() -> Issuer<'static, KeyPair> {
    Issuer::new(params("Test Root", 1, true), ca_key())
}

/// An "Alipay Test" certificate for the vectors' Alipay key.
fn alipay_cert(p: CertificateParams, issuer: &Issuer<'_, KeyPair>) -> String {
    p.signed_by(&key("keys/alipay_private_pkcs8.pem"), issuer)
        .unwrap()
        .pem()
}

fn pki() -> Pki {
    let root = params("Test Root", 1, true).self_signed(&ca_key()).unwrap();
    let issuer = root_issuer();
    let app = params(APP_ID, 300, false)
        .signed_by(&key("keys/app_private_pkcs8.pem"), &issuer)
        .unwrap();
    // Names the test root as its issuer, but the signature is not the root's.
    let forged_issuer = Issuer::new(
        params("Test Root", 1, true),
        key("keys/alipay_private_pkcs8.pem"),
    );
    Pki {
        root: root.pem(),
        app: app.pem(),
        alipay_old: alipay_cert(params("Alipay Test", 100, false), &issuer),
        alipay_new: alipay_cert(params("Alipay Test", 200, false), &issuer),
        rogue: alipay_cert(params("Alipay Test", 999, false), &forged_issuer),
    }
}

fn sn(pem: &str) -> String {
    cert::leaf_sn(pem.as_bytes(), "test").unwrap()
}

/// A gateway that signs every answer with the Alipay key. A trade answer names the SN
/// given as `out_trade_no` (`self:<sn>` for the same; the first bundle's otherwise);
/// a download of an SN delivers the bundle with that SN, the answer naming
/// `trusted_sn` (the client's configured certificate), or the downloaded SN itself
/// once a trade asked with `self:`.
fn rotation_gateway(trusted_sn: String, bundles: Vec<String>) -> Handler {
    let alipay = Arc::new(alipay_private());
    let by_sn: Vec<(String, String)> = bundles.into_iter().map(|b| (sn(&b), b)).collect();
    let self_vouching = Arc::new(std::sync::Mutex::new(false));
    Arc::new(move |seen: &Seen| {
        let biz = seen.biz();
        match seen.method() {
            "alipay.open.app.alipaycert.download" => {
                let wanted = biz["alipay_cert_sn"].as_str().unwrap_or_default();
                let pem = &by_sn.iter().find(|(s, _)| s == wanted).unwrap().1;
                let content = base64::engine::general_purpose::STANDARD.encode(pem);
                let node =
                    json!({"code": "10000", "msg": "Success", "alipay_cert_content": content})
                        .to_string();
                let signer_sn = if *self_vouching.lock().unwrap() {
                    wanted
                } else {
                    trusted_sn.as_str()
                };
                Answer::ok(signed_body(
                    "alipay_open_app_alipaycert_download_response",
                    &node,
                    &alipay,
                    Some(signer_sn),
                ))
            }
            _ => {
                let no = biz["out_trade_no"].as_str().unwrap_or_default();
                let target = match no.strip_prefix("self:") {
                    Some(rest) => {
                        *self_vouching.lock().unwrap() = true;
                        rest
                    }
                    None => no,
                };
                let use_sn = by_sn
                    .iter()
                    .map(|(s, _)| s)
                    .find(|s| *s == target)
                    .unwrap_or(&by_sn[0].0);
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

fn handler(pki: &Pki) -> Handler {
    rotation_gateway(
        sn(&pki.alipay_old),
        vec![pki.alipay_new.clone(), pki.rogue.clone()],
    )
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
    let e = c.execute(&query(&sn(&pki.rogue))).await.unwrap_err();
    match &e {
        Error::Signature(SignatureError::UnknownCertificate { reason, .. }) => {
            assert!(reason.contains("chain"), "{reason}")
        }
        other => panic!("{other}"),
    }
}

/// Runs one rotation to `bundle` (leaf first) against a client configured with
/// `configured` and returns why the new certificate was refused.
async fn refused_rotation(
    root: &str,
    configured: &str,
    bundle: &str,
    self_vouching: bool,
) -> String {
    let pki = pki();
    let gw = start(
        app_public(),
        rotation_gateway(sn(configured), vec![bundle.to_owned()]),
    )
    .await;
    let c = Client::builder()
        .app_id(APP_ID)
        .private_key(app_private())
        .certificates(
            CertSource::bytes(pki.app.clone()),
            CertSource::bytes(configured.to_owned()),
            CertSource::bytes(root.to_owned()),
        )
        .gateway_url(gw.url())
        .build()
        .unwrap();
    let no = if self_vouching {
        format!("self:{}", sn(bundle))
    } else {
        sn(bundle)
    };
    match c.execute(&query(&no)).await {
        Err(Error::Signature(SignatureError::UnknownCertificate { reason, .. })) => reason,
        other => panic!("the rotation to {bundle} was accepted: {other:?}"),
    }
}

#[tokio::test]
async fn a_download_answer_signed_by_the_downloaded_cert_is_refused() {
    // The genuine next certificate, but the answer delivering it vouches for itself.
    let pki = pki();
    let reason = refused_rotation(&pki.root, &pki.alipay_old, &pki.alipay_new, true).await;
    assert!(reason.contains("does not trust yet"), "{reason}");
}

#[tokio::test]
async fn another_holders_cert_from_the_same_ca_is_refused() {
    // Merchants' app certificates chain to the same root as Alipay's: a trusted-looking
    // answer delivering one must not install it as Alipay's.
    let pki = pki();
    let merchant = alipay_cert(params("2021000000000002", 400, false), &root_issuer());
    let reason = refused_rotation(&pki.root, &pki.alipay_old, &merchant, false).await;
    assert!(reason.contains("subject or issuer"), "{reason}");
}

#[tokio::test]
async fn leaf_constraints_are_checked() {
    use rcgen::KeyUsagePurpose;
    let pki = pki();
    let mut ca_leaf = params("Alipay Test", 201, true);
    ca_leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let ca_leaf = alipay_cert(ca_leaf, &root_issuer());
    let reason = refused_rotation(&pki.root, &pki.alipay_old, &ca_leaf, false).await;
    assert!(reason.contains("CA certificate"), "{reason}");

    let mut no_signing = params("Alipay Test", 202, false);
    no_signing.key_usages = vec![KeyUsagePurpose::KeyEncipherment];
    let no_signing = alipay_cert(no_signing, &root_issuer());
    let reason = refused_rotation(&pki.root, &pki.alipay_old, &no_signing, false).await;
    assert!(reason.contains("key usage"), "{reason}");

    let mut expired = params("Alipay Test", 203, false);
    expired.not_before = rcgen::date_time_ymd(2000, 1, 1);
    expired.not_after = rcgen::date_time_ymd(2001, 1, 1);
    let expired = alipay_cert(expired, &root_issuer());
    let reason = refused_rotation(&pki.root, &pki.alipay_old, &expired, false).await;
    assert!(reason.contains("expired"), "{reason}");
}

type Edit = dyn Fn(&mut CertificateParams);

#[tokio::test]
async fn intermediate_constraints_and_validity_are_checked() {
    // root -> intermediate -> Alipay; each bad intermediate has the good one's name
    // (and key), so only its own constraints or dates can refuse it.
    let root = params("Test Root", 1, true)
        .self_signed(&ca_key())
        .unwrap()
        .pem();
    let inter = |serial: u64, edit: &Edit| {
        let mut p = params("Test Intermediate", serial, true);
        edit(&mut p);
        let pem = p
            .clone()
            .signed_by(&ca_key(), &root_issuer())
            .unwrap()
            .pem();
        (pem, Issuer::new(p, ca_key()))
    };
    let (good_pem, good) = inter(2, &|_| {});
    let configured = format!(
        "{}{good_pem}",
        alipay_cert(params("Alipay Test", 100, false), &good)
    );
    let bad: [(&str, &Edit); 3] = [
        ("not a CA", &|p| p.is_ca = IsCa::ExplicitNoCa),
        ("may not sign certificates", &|p| {
            p.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature]
        }),
        ("expired", &|p| {
            p.not_before = rcgen::date_time_ymd(2000, 1, 1);
            p.not_after = rcgen::date_time_ymd(2001, 1, 1);
        }),
    ];
    for (i, (why, edit)) in bad.into_iter().enumerate() {
        let (bad_pem, bad_issuer) = inter(10 + i as u64, edit);
        let leaf = alipay_cert(params("Alipay Test", 500 + i as u64, false), &bad_issuer);
        let reason = refused_rotation(&root, &configured, &format!("{leaf}{bad_pem}"), false).await;
        assert!(reason.contains(why), "{why}: {reason}");
    }
    // The same chain through the good intermediate is accepted.
    let leaf = alipay_cert(params("Alipay Test", 600, false), &good);
    let gw = start(
        app_public(),
        rotation_gateway(sn(&configured), vec![format!("{leaf}{good_pem}")]),
    )
    .await;
    let c = Client::builder()
        .app_id(APP_ID)
        .private_key(app_private())
        .certificates(
            CertSource::bytes(pki().app),
            CertSource::bytes(configured.clone()),
            CertSource::bytes(root.clone()),
        )
        .gateway_url(gw.url())
        .build()
        .unwrap();
    c.execute(&query(&sn(&leaf))).await.unwrap();
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

/// SNs of certificates whose issuers hold emailAddress, serialNumber, DC, UID, title
/// and multi-valued RDNs are what the official Node SDK computes (its outputs are
/// recorded in the vectors; the Node interop test recomputes them).
#[test]
fn sns_of_unusual_issuers_match_the_official_sdk() {
    let bundle = read("unusual-issuers/unusual-issuers.crt");
    let expected: Vec<String> =
        serde_json::from_str(&read("unusual-issuers/expected-sn.json")).unwrap();
    let certs = cert::parse_pem_bundle(bundle.as_bytes(), "test").unwrap();
    let ours: Vec<String> = certs.iter().map(|c| c.sn().unwrap()).collect();
    assert_eq!(ours, expected);
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

//! Protocol behaviour of the sandbox gateway: missing and invalid parameters,
//! signatures both ways, spec validation, AES, certificate mode, uploads.

mod sandbox_support;

use alipay_api::crypto::aes::AesKey;
use alipay_api::crypto::{sign_base64, PrivateKey, PublicKey, SignType};
use alipay_api::error::SignatureError;
use alipay_api::open::AlipayOpenAppAlipaycertDownload;
use alipay_api::protocol::response::{extract, verify_node};
use alipay_api::protocol::{form_encode, sign_content};
use alipay_api::shop::AlipayOfflineMaterialImageUpload;
use alipay_api::trade::{AlipayTradePrecreate, AlipayTradeQuery};
use alipay_api::{BeijingDateTime, CallOptions, CertSource, Error, FileUpload, GenericRequest};
use alipay_sandbox::{Sandbox, SandboxConfig, SandboxKeys};
use sandbox_support::order_no;
use serde_json::{json, Value};

type Params = Vec<(&'static str, String)>;

/// Posts a request the client signed, as it would, and returns the raw answer.
async fn post_signed(
    gw: &Sandbox,
    signed: &alipay_api::protocol::request::SignedRequest,
) -> String {
    reqwest::Client::new()
        .post(signed.url(&gw.gateway_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(signed.form_body())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Posts parameters as a form, signing them with the app key unless `sign` is false.
async fn raw(gw: &Sandbox, mut params: Vec<(&str, String)>, sign: bool) -> (String, Value) {
    if sign {
        let key = PrivateKey::from_text(&gw.keys().app_private_key).unwrap();
        let content = sign_content(params.iter().map(|(k, v)| (*k, v.as_str())));
        params.push((
            "sign",
            sign_base64(&key, SignType::Rsa2, content.as_bytes()).unwrap(),
        ));
    }
    let body = form_encode(params.iter().map(|(k, v)| (*k, v.as_str())));
    let text = reqwest::Client::new()
        .post(gw.gateway_url())
        .header(
            "content-type",
            "application/x-www-form-urlencoded;charset=utf-8",
        )
        .body(body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let v = serde_json::from_str(&text).unwrap();
    (text, v)
}

fn base(gw: &Sandbox, method: &str) -> Vec<(&'static str, String)> {
    vec![
        ("app_id", gw.keys().app_id.clone()),
        ("method", method.to_owned()),
        ("charset", "utf-8".into()),
        ("sign_type", "RSA2".into()),
        ("timestamp", BeijingDateTime::now().to_string()),
        ("version", "1.0".into()),
        ("biz_content", r#"{"out_trade_no":"x"}"#.into()),
    ]
}

fn without(mut p: Vec<(&'static str, String)>, k: &str) -> Vec<(&'static str, String)> {
    p.retain(|(key, _)| *key != k);
    p
}

fn with(
    mut p: Vec<(&'static str, String)>,
    k: &'static str,
    v: &str,
) -> Vec<(&'static str, String)> {
    p.retain(|(key, _)| *key != k);
    p.push((k, v.to_owned()));
    p
}

/// The error node's key, code and sub code; checks the signature when there is one.
fn error_of(gw: &Sandbox, text: &str, v: &Value, signed: bool) -> (String, String, String) {
    let obj = v.as_object().unwrap();
    let key = obj
        .keys()
        .find(|k| k.ends_with("_response"))
        .unwrap_or_else(|| panic!("no node in {text}"))
        .clone();
    let node = &v[key.as_str()];
    assert_eq!(v.get("sign").is_some(), signed, "{text}");
    if signed {
        // `extract` looks for a method's node and falls back to `error_response`.
        let wanted = if key == "error_response" {
            "x_response"
        } else {
            key.as_str()
        };
        let ex = extract(text, wanted).unwrap();
        let pk = PublicKey::from_text(&gw.keys().alipay_public_key).unwrap();
        assert!(verify_node(
            ex.node,
            ex.sign.as_deref().unwrap(),
            &pk,
            SignType::Rsa2
        ));
    }
    (
        key,
        node["code"].as_str().unwrap().to_owned(),
        node["sub_code"].as_str().unwrap().to_owned(),
    )
}

/// Once the method is known, Alipay answers under the method's own node (signed);
/// before that, under `error_response`.
const QUERY_NODE: &str = "alipay_trade_query_response";

#[tokio::test]
async fn protocol_errors_in_alipays_shape() {
    let gw = Sandbox::start().await.unwrap();
    let q = "alipay.trade.query";
    // (params, sign them, code, sub_code, answer signed)
    let cases: Vec<(Params, bool, &str, &str, bool, &str)> = vec![
        (
            without(base(&gw, q), "method"),
            true,
            "40001",
            "isv.missing-method",
            false,
            "error_response",
        ),
        (
            without(base(&gw, q), "app_id"),
            true,
            "40001",
            "isv.missing-app-id",
            false,
            "error_response",
        ),
        (
            with(base(&gw, q), "app_id", "2021999999999999"),
            true,
            "40002",
            "isv.invalid-app-id",
            false,
            "error_response",
        ),
        (
            base(&gw, q),
            false,
            "40001",
            "isv.missing-signature",
            true,
            QUERY_NODE,
        ),
        (
            without(base(&gw, q), "sign_type"),
            true,
            "40001",
            "isv.missing-signature-type",
            true,
            QUERY_NODE,
        ),
        (
            with(base(&gw, q), "sign_type", "MD5"),
            true,
            "40002",
            "isv.invalid-signature-type",
            true,
            QUERY_NODE,
        ),
        (
            without(base(&gw, q), "timestamp"),
            true,
            "40001",
            "isv.missing-timestamp",
            true,
            QUERY_NODE,
        ),
        (
            with(base(&gw, q), "timestamp", "2001-01-01 00:00:00"),
            true,
            "40002",
            "isv.invalid-timestamp",
            true,
            QUERY_NODE,
        ),
        (
            with(base(&gw, q), "timestamp", "yesterday"),
            true,
            "40002",
            "isv.invalid-timestamp",
            true,
            QUERY_NODE,
        ),
        (
            without(base(&gw, q), "version"),
            true,
            "40001",
            "isv.missing-version",
            true,
            QUERY_NODE,
        ),
        (
            with(base(&gw, q), "format", "xml"),
            true,
            "40002",
            "isv.invalid-format",
            true,
            QUERY_NODE,
        ),
        (
            base(&gw, "alipay.no.such.method"),
            true,
            "40002",
            "isv.invalid-method",
            true,
            "error_response",
        ),
        (
            with(base(&gw, q), "encrypt_type", "DES"),
            true,
            "40002",
            "isv.invalid-encrypt-type",
            true,
            QUERY_NODE,
        ),
        (
            with(base(&gw, q), "encrypt_type", "AES"),
            true,
            "40002",
            "isv.decryption-error-not-valid-encrypt-key",
            true,
            QUERY_NODE,
        ),
    ];
    for (params, sign, code, sub, signed, node) in cases {
        let (text, v) = raw(&gw, params, sign).await;
        assert_eq!(
            error_of(&gw, &text, &v, signed),
            (node.into(), code.into(), sub.into()),
            "{text}"
        );
    }
    // A tampered parameter: the answer names the string the gateway verified.
    let mut p = base(&gw, q);
    let key = PrivateKey::from_text(&gw.keys().app_private_key).unwrap();
    let content = sign_content(p.iter().map(|(k, v)| (*k, v.as_str())));
    p.push((
        "sign",
        sign_base64(&key, SignType::Rsa2, content.as_bytes()).unwrap(),
    ));
    let p = with(p, "biz_content", r#"{"out_trade_no":"y"}"#);
    let (text, v) = raw(&gw, p, false).await;
    assert_eq!(error_of(&gw, &text, &v, true).2, "isv.invalid-signature");
    let expected = content.replace(r#""x""#, r#""y""#);
    assert!(
        v[QUERY_NODE]["sub_msg"]
            .as_str()
            .unwrap()
            .ends_with(&expected),
        "{text}"
    );
    // A well-formed request still works after all that.
    let (text, v) = raw(&gw, base(&gw, q), true).await;
    assert_eq!(
        v["alipay_trade_query_response"]["sub_code"], "ACQ.TRADE_NOT_EXIST",
        "{text}"
    );
}

#[tokio::test]
async fn signature_failures_both_ways() {
    let gw = Sandbox::start().await.unwrap();
    let other = SandboxKeys::generate("2021000000000001", false, false).unwrap();

    // The app signs with a key the gateway does not know.
    let now = BeijingDateTime::now();
    let wrong_app = alipay_api::Client::builder()
        .app_id(&gw.keys().app_id)
        .private_key(&other.app_private_key)
        .alipay_public_key(&gw.keys().alipay_public_key)
        .gateway_url(gw.gateway_url())
        .clock(move || now)
        .build()
        .unwrap();
    let req = AlipayTradeQuery::builder()
        .out_trade_no("o1")
        .build()
        .unwrap();
    let expected = wrong_app
        .sign_request(&req, &CallOptions::new())
        .unwrap()
        .sign_content;
    match wrong_app.execute(&req).await {
        Err(Error::Api(e)) => {
            assert_eq!(e.code, "40002");
            assert_eq!(e.sub_code.as_deref(), Some("isv.invalid-signature"));
            assert!(e.signed);
            assert!(e.trace_id.is_some(), "the gateway sends a trace_id header");
            assert!(e.sub_msg.unwrap().ends_with(&expected));
        }
        other => panic!("{other:?}"),
    }

    // The client trusts a platform key the gateway does not sign with.
    let wrong_platform = alipay_api::Client::builder()
        .app_id(&gw.keys().app_id)
        .private_key(&gw.keys().app_private_key)
        .alipay_public_key(&other.alipay_public_key)
        .gateway_url(gw.gateway_url())
        .build()
        .unwrap();
    let r = wrong_platform.execute(&req).await;
    assert!(matches!(r, Err(Error::Signature(_))), "{r:?}");

    // Legacy RSA (SHA-1) apps are answered with RSA signatures.
    let rsa = gw
        .client_builder()
        .sign_type(SignType::Rsa)
        .build()
        .unwrap();
    let r = rsa.execute(&req).await.unwrap_err();
    assert_eq!(
        r.api().unwrap().sub_code.as_deref(),
        Some("ACQ.TRADE_NOT_EXIST")
    );
}

#[tokio::test]
async fn requests_are_validated_against_the_spec() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();
    let call = |method: &str, biz: Value| GenericRequest::new(method).biz_content(&biz);
    let cases = [
        (
            call(
                "alipay.trade.precreate",
                json!({"out_trade_no": "a", "total_amount": "1.234", "subject": "s"}),
            ),
            "40004",
            "ACQ.INVALID_PARAMETER",
            "total_amount",
        ),
        (
            call(
                "alipay.trade.precreate",
                json!({"out_trade_no": "a", "total_amount": "1.00"}),
            ),
            "40004",
            "ACQ.INVALID_PARAMETER",
            "subject",
        ),
        (
            call(
                "alipay.trade.precreate",
                json!({"out_trade_no": "a".repeat(65), "total_amount": "1", "subject": "s"}),
            ),
            "40004",
            "ACQ.INVALID_PARAMETER",
            "out_trade_no",
        ),
        (
            call(
                "alipay.trade.precreate",
                json!({"out_trade_no": "a", "total_amount": "0.00", "subject": "s"}),
            ),
            "40004",
            "ACQ.INVALID_PARAMETER",
            "total_amount",
        ),
        (
            call("alipay.trade.query", json!({})),
            "40004",
            "ACQ.INVALID_PARAMETER",
            "out_trade_no",
        ),
        (
            call(
                "alipay.trade.pay",
                json!({"out_trade_no": "a", "total_amount": "1.234", "subject": "s", "auth_code": "287951669891795468"}),
            ),
            "40004",
            "ACQ.INVALID_PARAMETER",
            "total_amount",
        ),
        (
            call(
                "alipay.data.dataservice.bill.downloadurl.query",
                json!({"bill_type": "trade", "bill_date": "2024-01-01 and more text"}),
            ),
            "40002",
            "isv.invalid-parameter",
            "bill_date",
        ),
        (
            GenericRequest::new("alipay.trade.query").biz_content_text("{not json"),
            "40004",
            "ACQ.INVALID_PARAMETER",
            "biz_content",
        ),
    ];
    for (req, code, sub, field) in cases {
        let e = c.execute(&req).await.unwrap_err();
        let e = e.api().unwrap_or_else(|| panic!("{e:?}"));
        assert_eq!(
            (e.code.as_str(), e.sub_code.as_deref()),
            (code, Some(sub)),
            "{e:?}"
        );
        assert!(e.sub_msg.as_deref().unwrap().contains(field), "{e:?}");
        assert!(e.signed);
    }
}

#[tokio::test]
async fn aes_requests_and_answers() {
    let gw = Sandbox::start_with(SandboxConfig::new().aes(true))
        .await
        .unwrap();
    let c = gw.client().unwrap();
    let out = order_no("aes");
    let pre = AlipayTradePrecreate::builder()
        .out_trade_no(&out)
        .total_amount("3.30")
        .subject("加密的订单")
        .build()
        .unwrap();
    c.execute(&pre).await.unwrap();
    assert_eq!(gw.trade(&out).unwrap().subject, "加密的订单");

    // On the wire: the request is encrypted, and the answer node is the quoted
    // ciphertext, signed as such.
    let q = AlipayTradeQuery::builder()
        .out_trade_no(&out)
        .build()
        .unwrap();
    let signed = c.sign_request(&q, &CallOptions::new()).unwrap();
    assert!(signed
        .all_params()
        .any(|(k, v)| k == "encrypt_type" && v == "AES"));
    let body = post_signed(&gw, &signed).await;
    let ex = extract(&body, "alipay_trade_query_response").unwrap();
    assert!(ex.encrypted, "{body}");
    let key = PublicKey::from_text(&gw.keys().alipay_public_key).unwrap();
    assert!(verify_node(
        ex.node,
        ex.sign.as_deref().unwrap(),
        &key,
        SignType::Rsa2
    ));
    let aes = AesKey::from_base64(gw.keys().aes_key.as_deref().unwrap()).unwrap();
    let ct: String = serde_json::from_str(ex.node).unwrap();
    let plain: Value = serde_json::from_str(&aes.decrypt(&ct).unwrap()).unwrap();
    assert_eq!(plain["trade_status"], "WAIT_BUYER_PAY");
    assert_eq!(plain["code"], "10000");

    // And the typed client reads it.
    let r = c.execute(&q).await.unwrap();
    assert_eq!(r.out_trade_no.as_deref(), Some(out.as_str()));

    // A client with another AES key is refused.
    let wrong = gw
        .client_builder()
        .aes_key("AAAAAAAAAAAAAAAAAAAAAA==")
        .build()
        .unwrap();
    let e = wrong.execute(&q).await.unwrap_err();
    assert_eq!(
        e.api().unwrap().sub_code.as_deref(),
        Some("isv.decryption-error-unknown"),
        "{e:?}"
    );
}

#[tokio::test]
async fn certificate_mode_with_rotation_and_download() {
    let gw = Sandbox::start_with(SandboxConfig::new().cert_mode(true))
        .await
        .unwrap();
    let c = gw.client().unwrap();
    let out = order_no("cert");
    let pre = AlipayTradePrecreate::builder()
        .out_trade_no(&out)
        .total_amount("1.00")
        .subject("cert")
        .build()
        .unwrap();
    c.execute(&pre).await.unwrap();
    let first_sn = gw.alipay_cert_sn().unwrap();

    // The answer names the certificate that signed it.
    let q = AlipayTradeQuery::builder()
        .out_trade_no(&out)
        .build()
        .unwrap();
    let signed = c.sign_request(&q, &CallOptions::new()).unwrap();
    let body = post_signed(&gw, &signed).await;
    assert_eq!(
        extract(&body, "alipay_trade_query_response")
            .unwrap()
            .alipay_cert_sn,
        Some(first_sn.clone())
    );

    // The platform rotates its certificate and signs every answer, the download
    // answer included, with the new one. The client trusts a downloaded certificate
    // only on the word of a key it already trusts, so it refuses and says what to do.
    let new_sn = gw.rotate_alipay_cert().unwrap();
    assert_ne!(new_sn, first_sn);
    match c.execute(&q).await {
        Err(Error::Signature(SignatureError::UnknownCertificate { sn, reason })) => {
            assert_eq!(sn, new_sn);
            assert!(reason.contains("alipayCertPublicKey_RSA2.crt"), "{reason}");
        }
        other => panic!("{other:?}"),
    }

    // Configured with the new certificate (taken here from the raw download answer),
    // the client works again.
    let dl = |sn: &str| {
        AlipayOpenAppAlipaycertDownload::builder()
            .alipay_cert_sn(sn)
            .build()
            .unwrap()
    };
    let signed = c.sign_request(&dl(&new_sn), &CallOptions::new()).unwrap();
    let body = post_signed(&gw, &signed).await;
    let body: Value = serde_json::from_str(&body).unwrap();
    use base64::Engine as _;
    let new_pem = base64::engine::general_purpose::STANDARD
        .decode(
            body["alipay_open_app_alipaycert_download_response"]["alipay_cert_content"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    let certs = gw.keys().certs.clone().unwrap();
    let c = alipay_api::Client::builder()
        .app_id(&gw.keys().app_id)
        .private_key(&gw.keys().app_private_key)
        .certificates(
            CertSource::bytes(certs.app_cert.as_bytes()),
            CertSource::bytes(new_pem),
            CertSource::bytes(certs.alipay_root_cert.as_bytes()),
        )
        .gateway_url(gw.gateway_url())
        .build()
        .unwrap();
    let r = c.execute(&q).await.unwrap();
    assert_eq!(r.out_trade_no.as_deref(), Some(out.as_str()));

    // The download method itself.
    let got = c.execute(&dl(&first_sn)).await.unwrap();
    let pem = base64::engine::general_purpose::STANDARD
        .decode(got.alipay_cert_content.unwrap())
        .unwrap();
    assert_eq!(
        String::from_utf8(pem).unwrap(),
        gw.keys().certs.as_ref().unwrap().alipay_cert
    );
    assert!(c.execute(&dl("0123")).await.unwrap_err().api().is_some());

    // A key-mode request to a certificate-mode app lacks app_cert_sn.
    let keys = gw.keys().clone();
    let key_mode = alipay_api::Client::builder()
        .app_id(&keys.app_id)
        .private_key(&keys.app_private_key)
        .alipay_public_key(&keys.alipay_public_key)
        .gateway_url(gw.gateway_url())
        .build()
        .unwrap();
    let e = key_mode.execute(&q).await.unwrap_err();
    // Signed with the new key, which a key-mode client does not trust: a signature
    // error, or the gateway's complaint when it can be read.
    assert!(matches!(e, Error::Signature(_) | Error::Api(_)), "{e:?}");
}

#[tokio::test]
async fn multipart_uploads() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();
    let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9];
    let up = AlipayOfflineMaterialImageUpload::builder()
        .image_type("jpg")
        .image_name("店面")
        .image_content(FileUpload::new("front.jpg", jpeg.clone()))
        .build()
        .unwrap();
    let r = c.execute(&up).await.unwrap();
    let url = r.image_url.unwrap();
    assert!(r.image_id.is_some());
    let got = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
    assert_eq!(got.as_ref(), jpeg.as_slice());

    // A file whose extension contradicts image_type.
    let bad = AlipayOfflineMaterialImageUpload::builder()
        .image_type("png")
        .image_name("x")
        .image_content(FileUpload::new("front.jpg", jpeg.clone()))
        .build()
        .unwrap();
    let e = c.execute(&bad).await.unwrap_err();
    assert_eq!(
        e.api().unwrap().sub_code.as_deref(),
        Some("isv.invalid-file-extension")
    );

    // No file part at all.
    let e = c
        .execute(
            &GenericRequest::new("alipay.offline.material.image.upload")
                .text("image_type", "jpg")
                .text("image_name", "x"),
        )
        .await
        .unwrap_err();
    assert!(
        e.api()
            .unwrap()
            .sub_msg
            .as_deref()
            .unwrap()
            .contains("image_content"),
        "{e:?}"
    );
    // Text parameters are signed: a tampered one is caught.
    let e = c
        .execute(
            &GenericRequest::new("alipay.offline.material.image.upload")
                .text("image_type", "jpg")
                .file("image_content", FileUpload::new("a.jpg", jpeg)),
        )
        .await
        .unwrap_err();
    assert!(
        e.api()
            .unwrap()
            .sub_msg
            .as_deref()
            .unwrap()
            .contains("image_name"),
        "{e:?}"
    );
}

/// A request in GBK, the way older merchant systems send it: the form is
/// percent-encoded GBK, and every signature covers the GBK bytes of its text.
async fn gbk_call(
    gw: &Sandbox,
    method: &str,
    biz: Value,
    extra: &[(&str, &str)],
) -> (String, Vec<u8>) {
    let resp = reqwest::Client::new()
        .post(gw.gateway_url())
        .header("content-type", sandbox_support::GBK_FORM)
        .body(sandbox_support::gbk_form(gw, method, &biz, extra))
        .send()
        .await
        .unwrap();
    let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
    (ct, resp.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn gbk_requests_answers_and_notifications() {
    let receiver = sandbox_support::NotifyReceiver::start(0).await;
    let gw = Sandbox::start().await.unwrap();
    let out = order_no("gbk");
    let biz = json!({"out_trade_no": out, "total_amount": "9.90", "subject": "中文商品", "auth_code": "287951669891795468"});
    let (ct, body) = gbk_call(
        &gw,
        "alipay.trade.pay",
        biz,
        &[("notify_url", receiver.url.as_str())],
    )
    .await;
    assert!(ct.contains("GBK"), "{ct}");
    let (text, _, bad) = encoding_rs::GBK.decode(&body);
    assert!(!bad);
    assert!(text.contains("\"10000\""), "{text}");
    assert_eq!(gw.trade(&out).unwrap().subject, "中文商品");

    // The query answer holds Chinese text: its signature covers the GBK bytes.
    let (_, body) = gbk_call(
        &gw,
        "alipay.trade.query",
        json!({ "out_trade_no": out }),
        &[],
    )
    .await;
    let (text, _, _) = encoding_rs::GBK.decode(&body);
    let ex = extract(&text, "alipay_trade_query_response").unwrap();
    assert!(ex.node.contains("中文商品"));
    let platform = PublicKey::from_text(&gw.keys().alipay_public_key).unwrap();
    let sig = ex.sign.as_deref().unwrap();
    assert!(platform.verify_base64(SignType::Rsa2, &encoding_rs::GBK.encode(ex.node).0, sig));
    assert!(!platform.verify_base64(SignType::Rsa2, ex.node.as_bytes(), sig));

    // The notification is GBK too, signed over GBK bytes.
    gw.wait_for_notification(std::time::Duration::from_secs(10), |n| {
        n.out_trade_no == out && n.delivered
    })
    .await
    .unwrap();
    let raw = receiver.bodies().pop().unwrap();
    // The runtime's own verification agrees.
    let verified = gw.client().unwrap().verify_notification(&raw).unwrap();
    assert_eq!(verified.get("subject"), Some("中文商品"));
    let params = alipay_api::protocol::notify::parse_form(&raw).unwrap();
    assert!(params
        .iter()
        .any(|(k, v)| k == "subject" && v == "中文商品"));
    assert!(params.iter().any(|(k, v)| k == "charset" && v == "gbk"));
    let content = alipay_api::protocol::notify_content(
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &["sign", "sign_type"],
    );
    let sign = &params.iter().find(|(k, _)| k == "sign").unwrap().1;
    assert!(platform.verify_base64(SignType::Rsa2, &encoding_rs::GBK.encode(&content).0, sign));

    // A signature over the UTF-8 bytes of a GBK request is refused.
    let key = PrivateKey::from_text(&gw.keys().app_private_key).unwrap();
    let now = BeijingDateTime::now().to_string();
    let biz = json!({"out_trade_no": "中文"}).to_string();
    let p = [
        ("app_id", gw.keys().app_id.as_str()),
        ("method", "alipay.trade.query"),
        ("charset", "GBK"),
        ("sign_type", "RSA2"),
        ("timestamp", now.as_str()),
        ("version", "1.0"),
        ("biz_content", biz.as_str()),
    ];
    let content = sign_content(p.iter().copied());
    let utf8_sig = sign_base64(&key, SignType::Rsa2, content.as_bytes()).unwrap();
    let mut body: Vec<String> = p
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                form_urlencoded::byte_serialize(&encoding_rs::GBK.encode(v).0).collect::<String>()
            )
        })
        .collect();
    body.push(format!(
        "sign={}",
        form_urlencoded::byte_serialize(utf8_sig.as_bytes()).collect::<String>()
    ));
    let resp = reqwest::Client::new()
        .post(gw.gateway_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.join("&"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let (text, _, _) = encoding_rs::GBK.decode(&resp);
    assert!(text.contains("isv.invalid-signature"), "{text}");
}

//! Every case of the official Node SDK's vectors (`tests/vectors/`), reproduced
//! byte for byte where it is protocol, on every crypto backend and with every key
//! encoding Alipay's tools produce.

use std::collections::BTreeMap;

use alipay_api::crypto::aes::AesKey;
use alipay_api::crypto::cert::{self, Certificate};
use alipay_api::crypto::{Backend, PrivateKey, PublicKey, SignType, Signer};
use alipay_api::protocol::notify::{self, NotifyScheme};
use alipay_api::protocol::request::{sign_request, CommonParams, RequestParts};
use alipay_api::protocol::response::{self, ResponseContext};
use alipay_api::protocol::v3::V3SignInput;
use alipay_api::protocol::{form_encode, notify_content, sign_content};
use alipay_api::BeijingDateTime;
use alipay_tests::vectors::read;
use base64::Engine as _;
use serde_json::{Map, Value};

fn cases() -> BTreeMap<String, Value> {
    read("official-node-sdk-4.14.0.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["case"].as_str().unwrap().to_owned(), v)
        })
        .collect()
}

fn case(name: &str) -> Value {
    cases()
        .remove(name)
        .unwrap_or_else(|| panic!("no case {name}"))
}

fn inputs() -> Value {
    serde_json::from_str(&read("inputs.json")).unwrap()
}

fn ts() -> BeijingDateTime {
    inputs()["timestamp"].as_str().unwrap().parse().unwrap()
}

/// The app key in all four encodings Alipay's tools hand out, on every backend.
fn app_keys() -> Vec<(String, PrivateKey)> {
    let mut out = Vec::new();
    for file in ["keys/app_private_pkcs1.pem", "keys/app_private_pkcs8.pem"] {
        let pem = read(file);
        let bare: String = pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<Vec<_>>()
            .join("");
        let crlf = pem.replace('\n', "\r\n");
        let bare_crlf = pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<Vec<_>>()
            .join("\r\n");
        for (enc, text) in [
            ("pem", &pem),
            ("bare", &bare),
            ("pem-crlf", &crlf),
            ("bare-crlf", &bare_crlf),
        ] {
            for &b in Backend::all() {
                let key = PrivateKey::from_text_with(text, b)
                    .unwrap_or_else(|e| panic!("{file} {enc}: {e}"));
                out.push((format!("{file}/{enc}/{b:?}"), key));
            }
        }
    }
    out
}

fn alipay_public(b: Backend) -> PublicKey {
    PublicKey::from_text_with(&read("keys/alipay_public.pem"), b).unwrap()
}

fn biz(v: &Value) -> String {
    // The vectors' biz_content is the compact JSON of the input object, keys in order.
    serde_json::to_string(v).unwrap()
}

fn params_map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

fn query_parts(method: &str, biz_content: String) -> RequestParts {
    RequestParts {
        method: method.into(),
        version: "1.0".into(),
        biz_content: Some(biz_content),
        ..Default::default()
    }
}

fn common(format: bool) -> CommonParams {
    let mut c = CommonParams::new(inputs()["app_id"].as_str().unwrap());
    if !format {
        c.format = None;
    }
    c
}

#[test]
fn v2_sign_query_and_with_format() {
    let inp = inputs();
    for (name, format) in [
        ("v2_sign_query", false),
        ("v2_sign_query_with_format", true),
    ] {
        let c = case(name);
        for (label, key) in app_keys() {
            let signed = sign_request(
                &common(format),
                query_parts("alipay.trade.query", biz(&inp["query"]["biz_content"])),
                ts(),
                &key,
                None,
            )
            .unwrap();
            assert_eq!(
                signed.sign_content,
                c["sign_string"].as_str().unwrap(),
                "{name} {label}"
            );
            let ours: BTreeMap<String, String> = signed
                .all_params()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            assert_eq!(ours, params_map(&c["params"]), "{name} {label}");
        }
    }
}

#[test]
fn v2_sign_query_encrypted_and_aes() {
    let inp = inputs();
    let aes_case = case("aes");
    let key = AesKey::from_base64(aes_case["key_b64"].as_str().unwrap()).unwrap();
    assert_eq!(
        AesKey::from_base64(read("keys/aes_key.txt").trim()).unwrap(),
        key
    );
    let plain = aes_case["plaintext"].as_str().unwrap();
    assert_eq!(plain, biz(&inp["aes_plain"]));
    assert_eq!(
        key.encrypt(plain),
        aes_case["ciphertext_b64"].as_str().unwrap()
    );
    assert_eq!(
        key.decrypt(aes_case["ciphertext_b64"].as_str().unwrap())
            .unwrap(),
        plain
    );

    let c = case("v2_sign_query_encrypted");
    for (label, app) in app_keys() {
        let signed = sign_request(
            &common(false),
            query_parts("alipay.trade.query", biz(&inp["query"]["biz_content"])),
            ts(),
            &app,
            Some(&key),
        )
        .unwrap();
        assert_eq!(
            signed.sign_content,
            c["sign_string"].as_str().unwrap(),
            "{label}"
        );
        let ours: BTreeMap<String, String> = signed
            .all_params()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(ours, params_map(&c["params"]), "{label}");
    }
}

fn page_pay_request(key: &PrivateKey) -> alipay_api::protocol::request::SignedRequest {
    let inp = inputs();
    let pp = &inp["page_pay"];
    let parts = RequestParts {
        method: "alipay.trade.page.pay".into(),
        version: "1.0".into(),
        protocol: vec![
            (
                "notify_url".into(),
                pp["notify_url"].as_str().unwrap().into(),
            ),
            (
                "return_url".into(),
                pp["return_url"].as_str().unwrap().into(),
            ),
        ],
        biz_content: Some(biz(&pp["biz_content"])),
        // The Node SDK's own marker parameter, injected to reproduce its vector.
        text: vec![("alipay_sdk".into(), "alipay-sdk-nodejs-4.0.0".into())],
        files: vec![],
    };
    sign_request(&common(false), parts, ts(), key, None).unwrap()
}

const GATEWAY: &str = "https://openapi.alipay.com/gateway.do";

#[test]
fn page_pay_get_url() {
    let c = case("page_pay_get");
    for (label, key) in app_keys() {
        let signed = page_pay_request(&key);
        assert_eq!(
            signed.sign_content,
            c["sign_string"].as_str().unwrap(),
            "{label}"
        );
        assert_eq!(
            signed.page_url(GATEWAY),
            c["url"].as_str().unwrap(),
            "{label}"
        );
    }
}

/// `(action, [(name, value)])` of a form, HTML entities decoded.
fn parse_form_html(html: &str) -> (String, Vec<(String, String)>) {
    fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
        let pat = format!(" {name}=\"");
        let start = tag.find(&pat)? + pat.len();
        let end = start + tag[start..].find('"')?;
        Some(&tag[start..end])
    }
    let form_start = html.find("<form").expect("a form");
    let form_tag = &html[form_start..form_start + html[form_start..].find('>').unwrap()];
    let action = html_escape::decode_html_entities(attr(form_tag, "action").unwrap()).into_owned();
    let mut inputs = Vec::new();
    let mut rest = &html[form_start..];
    while let Some(p) = rest.find("<input") {
        let tag = &rest[p..p + rest[p..].find('>').unwrap()];
        if attr(tag, "type") == Some("hidden") {
            inputs.push((
                html_escape::decode_html_entities(attr(tag, "name").unwrap()).into_owned(),
                html_escape::decode_html_entities(attr(tag, "value").unwrap()).into_owned(),
            ));
        }
        rest = &rest[p + 6..];
    }
    (action, inputs)
}

#[test]
fn page_pay_post_form() {
    let c = case("page_pay_post");
    let (node_action, node_inputs) = parse_form_html(c["html"].as_str().unwrap());
    for (label, key) in app_keys() {
        let signed = page_pay_request(&key);
        assert_eq!(
            signed.sign_content,
            c["sign_string"].as_str().unwrap(),
            "{label}"
        );
        let html = signed.page_form(GATEWAY);
        let (action, inputs) = parse_form_html(&html);
        assert_eq!(action, node_action, "{label}");
        assert_eq!(inputs, node_inputs, "{label}");
        // Properly escaped: no raw quote, `<` or `&` inside attribute values.
        for line in html
            .lines()
            .filter(|l| l.starts_with("<input") || l.starts_with("<form"))
        {
            let inner: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
            for v in inner {
                assert!(!v.contains('<') && !v.contains('>'), "{v}");
                assert!(
                    v.split('&').skip(1).all(|s| s.starts_with("amp;")
                        || s.starts_with("quot;")
                        || s.starts_with("lt;")
                        || s.starts_with("gt;")
                        || s.starts_with("#")),
                    "unescaped & in {v}"
                );
            }
        }
        assert!(html.contains("<script>document.forms[\"alipaysubmit\"].submit();</script>"));
    }
}

#[test]
fn app_pay_order_strings() {
    let inp = inputs();
    let ap = &inp["app_pay"];
    for (name, format) in [
        ("app_pay_order_string", false),
        ("app_pay_order_string_with_format", true),
    ] {
        let c = case(name);
        for (label, key) in app_keys() {
            let parts = RequestParts {
                method: "alipay.trade.app.pay".into(),
                version: "1.0".into(),
                protocol: vec![(
                    "notify_url".into(),
                    ap["notify_url"].as_str().unwrap().into(),
                )],
                biz_content: Some(biz(&ap["biz_content"])),
                ..Default::default()
            };
            let signed = sign_request(&common(format), parts, ts(), &key, None).unwrap();
            assert_eq!(
                signed.sign_content,
                c["sign_string"].as_str().unwrap(),
                "{name} {label}"
            );
            assert_eq!(
                signed.order_string(),
                c["order_string"].as_str().unwrap(),
                "{name} {label}"
            );
        }
    }
}

#[test]
fn v3_authorization_headers() {
    let inp = inputs();
    let meta = case("meta");
    let nonce = meta["nonce"].as_str().unwrap();
    let now_ms = meta["now_ms"].as_i64().unwrap();
    let app_id = inp["app_id"].as_str().unwrap();
    let aes = AesKey::from_base64(read("keys/aes_key.txt").trim()).unwrap();
    let plain_body = biz(&inp["v3"]["body"]);
    let enc_body = aes.encrypt(&plain_body);
    let app_cert_sn = cert::leaf_sn(read("keys/appCertPublicKey.crt").as_bytes(), "app").unwrap();
    let token = inp["v3"]["app_auth_token"].as_str().unwrap();
    type Row<'a> = (&'a str, Option<&'a str>, &'a str, &'a str, Option<&'a str>);
    let table: [Row<'_>; 5] = [
        (
            "v3_key_mode",
            None,
            "/v3/alipay/trade/query",
            &plain_body,
            None,
        ),
        (
            "v3_key_mode_app_auth_token",
            None,
            "/v3/alipay/trade/query",
            &plain_body,
            Some(token),
        ),
        (
            "v3_key_mode_query_params",
            None,
            "/v3/alipay/trade/query?a=x+y&b=%E4%B8%AD",
            &plain_body,
            None,
        ),
        (
            "v3_key_mode_encrypted",
            None,
            "/v3/alipay/trade/query",
            &enc_body,
            None,
        ),
        (
            "v3_cert_mode",
            Some(&app_cert_sn),
            "/v3/alipay/trade/query",
            &plain_body,
            None,
        ),
    ];
    for (name, sn, path, body, tok) in table {
        let c = case(name);
        let input = V3SignInput {
            app_id,
            app_cert_sn: sn,
            nonce,
            timestamp_ms: now_ms,
            http_method: "POST",
            path_and_query: path,
            body,
            app_auth_token: tok,
        };
        assert_eq!(
            input.sign_content(),
            c["sign_string"].as_str().unwrap(),
            "{name}"
        );
        if let Some(b) = c["request"]["body"].as_str() {
            assert_eq!(b, body, "{name}");
        }
        for (label, key) in app_keys() {
            assert_eq!(
                input.authorization(&key).unwrap(),
                c["authorization"].as_str().unwrap(),
                "{name} {label}"
            );
        }
    }
}

fn ctx() -> ResponseContext<'static> {
    ResponseContext {
        method: "alipay.trade.query",
        extra_success_codes: &[],
        extra_success_result_codes: &[],
        sign_type: SignType::Rsa2,
        aes: None,
        charset: alipay_api::Charset::Utf8,
    }
}

#[test]
fn response_verification_cases() {
    let compact = case("response_verify_compact");
    let signed_node = compact["extracted"].as_str().unwrap().to_owned();
    assert_eq!(signed_node, inputs()["response_biz"].as_str().unwrap());
    for name in [
        "response_verify_compact",
        "response_verify_with_cert_sn",
        "response_verify_whitespace",
        "response_verify_sign_first",
    ] {
        let c = case(name);
        let raw = c["raw"].as_str().unwrap();
        let ex = response::extract(raw, "alipay_trade_query_response").unwrap();
        if c["extracted_equals_signed"].as_bool().unwrap() {
            assert_eq!(ex.node, c["extracted"].as_str().unwrap(), "{name}");
        }
        // Every layout, `sign` first included (which the Node SDK gets wrong), yields
        // the exact signed text and verifies.
        assert_eq!(ex.node, signed_node, "{name}");
        assert_eq!(
            ex.alipay_cert_sn.as_deref(),
            (name == "response_verify_with_cert_sn").then_some("0123abcd")
        );
        for &b in Backend::all() {
            let key = alipay_public(b);
            assert!(
                response::verify_node(ex.node, ex.sign.as_deref().unwrap(), &key, SignType::Rsa2),
                "{name} {b:?}"
            );
            let out: Map<String, Value> =
                response::read_response(&ctx(), "alipay_trade_query_response", raw, &key, None)
                    .unwrap();
            assert_eq!(out["trade_status"], "TRADE_SUCCESS");
            assert_eq!(out["subject"], "测试商品 \"q\" /x");
            assert!(!out.contains_key("code") && !out.contains_key("msg"));
            // The app's own key must not verify Alipay's signature.
            let wrong = PublicKey::from_text_with(&read("keys/app_public.pem"), b).unwrap();
            assert!(response::read_response::<Map<String, Value>>(
                &ctx(),
                "alipay_trade_query_response",
                raw,
                &wrong,
                None
            )
            .is_err());
        }
    }
}

fn notify_body(post: &Value) -> Vec<u8> {
    let m = post.as_object().unwrap();
    form_encode(m.iter().map(|(k, v)| (k.as_str(), v.as_str().unwrap()))).into_bytes()
}

#[test]
fn notification_cases() {
    // (case, V1 strict, V2 strict): what a correct verifier answers. Where this
    // differs from the Node SDK (its V1 check URL-decodes values a second time and
    // its V2 check falls back to V1) the README calls it a quirk.
    let table = [
        ("notify_v1_signed", true, false),
        ("notify_v2_signed_incl_sign_type", false, true),
        ("notify_tampered", false, false),
        ("notify_v1_value_with_percent_escape", true, false),
        ("notify_v1_value_with_bare_percent", true, false),
    ];
    for (name, v1, v2) in table {
        let c = case(name);
        let post = &c["post"];
        let pairs: Vec<(&str, &str)> = post
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
            .collect();
        let expected_content = c["signed_content"].as_str().unwrap();
        let v1_content = notify_content(pairs.iter().copied(), &["sign", "sign_type"]);
        let v2_content = notify_content(pairs.iter().copied(), &["sign"]);
        // Unlike requests, notifications keep empty values in the signed content.
        assert!(
            sign_content(pairs.iter().copied()).len() < v2_content.len()
                || !expected_content.contains("=&")
        );
        if name == "notify_v2_signed_incl_sign_type" {
            assert_eq!(v2_content, expected_content);
        } else if name != "notify_tampered" {
            assert_eq!(v1_content, expected_content);
        }
        let body = notify_body(post);
        for &b in Backend::all() {
            let key = alipay_public(b);
            let keys = [&key];
            let r1 = notify::verify_body(&body, &keys, SignType::Rsa2, NotifyScheme::V1);
            let r2 = notify::verify_body(&body, &keys, SignType::Rsa2, NotifyScheme::V2);
            let ra = notify::verify_body(&body, &keys, SignType::Rsa2, NotifyScheme::Auto);
            assert_eq!(r1.is_ok(), v1, "{name} V1 {b:?}");
            assert_eq!(r2.is_ok(), v2, "{name} V2 {b:?}");
            assert_eq!(ra.is_ok(), v1 || v2, "{name} auto {b:?}");
            if let Ok(n) = ra {
                assert_eq!(n.get("subject"), post["subject"].as_str());
                // The pre-decoded map path agrees.
                assert!(notify::verify_params(
                    pairs.iter().copied(),
                    &keys,
                    SignType::Rsa2,
                    NotifyScheme::Auto
                )
                .is_ok());
            }
        }
    }
}

#[test]
fn cert_sns_of_fixtures() {
    let c = case("cert_sn_fixtures");
    let app_cert = read("keys/appCertPublicKey.crt");
    let alipay_cert = read("keys/alipayCertPublicKey_RSA2.crt");
    let root = read("keys/alipay_root_cert.crt");
    assert_eq!(
        cert::leaf_sn(app_cert.as_bytes(), "app").unwrap(),
        c["app_cert_sn"].as_str().unwrap()
    );
    assert_eq!(
        cert::leaf_sn(alipay_cert.as_bytes(), "alipay").unwrap(),
        c["alipay_cert_sn"].as_str().unwrap()
    );
    assert_eq!(
        cert::root_sn(root.as_bytes()).unwrap(),
        c["alipay_root_cert_sn"].as_str().unwrap()
    );
    // CRLF files give the same SNs.
    assert_eq!(
        cert::root_sn(root.replace('\n', "\r\n").as_bytes()).unwrap(),
        c["alipay_root_cert_sn"].as_str().unwrap()
    );

    // Per certificate: the bundles hold root_rsa, root_ec, root_rsa2 and alipay_leaf,
    // intermediate, in that order.
    let roots = cert::parse_pem_bundle(root.as_bytes(), "root").unwrap();
    let chain = cert::parse_pem_bundle(alipay_cert.as_bytes(), "alipay").unwrap();
    let by_file: BTreeMap<&str, &Certificate> = [
        ("root_rsa.pem", &roots[0]),
        ("root_ec.pem", &roots[1]),
        ("root_rsa2.pem", &roots[2]),
        ("alipay_leaf.pem", &chain[0]),
        ("intermediate.pem", &chain[1]),
    ]
    .into_iter()
    .collect();
    for pc in c["per_cert"].as_array().unwrap() {
        let cert = by_file[pc["file"].as_str().unwrap()];
        assert_eq!(cert.sn().unwrap(), pc["sn_as_leaf"].as_str().unwrap());
        let as_root = if cert.is_rsa_signed().unwrap() {
            cert.sn().unwrap()
        } else {
            String::new()
        };
        assert_eq!(as_root, pc["sn_as_root"].as_str().unwrap());
    }

    // The public key taken from the platform certificate.
    let want = c["alipay_public_key_from_cert"].as_str().unwrap();
    for &b in Backend::all() {
        let from_cert = chain[0].public_key(b).unwrap();
        assert_eq!(from_cert, PublicKey::from_text_with(want, b).unwrap());
        assert_eq!(from_cert, alipay_public(b));
        let b64 = base64::engine::general_purpose::STANDARD.encode(from_cert.spki_der());
        assert_eq!(
            b64,
            want.lines()
                .filter(|l| !l.starts_with("-----"))
                .collect::<String>()
        );
    }

    // The platform certificate chains to the root bundle through its intermediate;
    // the app certificate is signed by the same intermediate, which is not a root.
    let now = chrono_now();
    cert::verify_chain(&chain, &roots, now).unwrap();
    let app = cert::parse_pem_bundle(app_cert.as_bytes(), "app").unwrap();
    assert!(cert::verify_chain(&app, &roots, now).is_err());
    let mut with_inter = app.clone();
    with_inter.push(chain[1].clone());
    cert::verify_chain(&with_inter, &roots, now).unwrap();
    assert!(cert::verify_chain(&chain, &roots[1..2], now).is_err());
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn official_cert_sns() {
    let dir = "official-certs";
    let app = read(&format!("{dir}/appCertPublicKey_2021001161683774.crt"));
    let ali = read(&format!("{dir}/alipayCertPublicKey_RSA2.crt"));
    let root = read(&format!("{dir}/alipayRootCert.crt"));
    let source = read(&format!("{dir}/SOURCE.md"));
    let expect = |file: &str| -> String {
        let line = source.lines().find(|l| l.contains(file)).unwrap();
        line.split('|').nth(2).unwrap().trim().to_owned()
    };
    assert_eq!(
        cert::leaf_sn(app.as_bytes(), "app").unwrap(),
        expect("appCertPublicKey_2021001161683774.crt")
    );
    assert_eq!(
        cert::leaf_sn(ali.as_bytes(), "alipay").unwrap(),
        expect("alipayCertPublicKey_RSA2.crt")
    );
    assert_eq!(
        cert::root_sn(root.as_bytes()).unwrap(),
        expect("alipayRootCert.crt")
    );
}

#[test]
fn cert_mode_v2_sign_query() {
    let c = case("cert_mode_v2_sign_query");
    let mut common = common(false);
    common.app_cert_sn =
        Some(cert::leaf_sn(read("keys/appCertPublicKey.crt").as_bytes(), "app").unwrap());
    common.alipay_root_cert_sn =
        Some(cert::root_sn(read("keys/alipay_root_cert.crt").as_bytes()).unwrap());
    for (label, key) in app_keys() {
        let signed = sign_request(
            &common,
            query_parts("alipay.trade.query", biz(&inputs()["query"]["biz_content"])),
            ts(),
            &key,
            None,
        )
        .unwrap();
        assert_eq!(
            signed.sign_content,
            c["sign_string"].as_str().unwrap(),
            "{label}"
        );
        let ours: BTreeMap<String, String> = signed
            .all_params()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(ours, params_map(&c["params"]), "{label}");
    }
}

#[test]
fn every_case_is_covered() {
    let covered = [
        "meta",
        "v2_sign_query",
        "v2_sign_query_with_format",
        "v2_sign_query_encrypted",
        "aes",
        "page_pay_post",
        "page_pay_get",
        "app_pay_order_string",
        "app_pay_order_string_with_format",
        "v3_key_mode",
        "v3_key_mode_app_auth_token",
        "v3_key_mode_query_params",
        "v3_key_mode_encrypted",
        "v3_cert_mode",
        "response_verify_compact",
        "response_verify_with_cert_sn",
        "response_verify_whitespace",
        "response_verify_sign_first",
        "notify_v1_signed",
        "notify_v2_signed_incl_sign_type",
        "notify_tampered",
        "notify_v1_value_with_percent_escape",
        "notify_v1_value_with_bare_percent",
        "cert_sn_fixtures",
        "cert_mode_v2_sign_query",
    ];
    for name in cases().keys() {
        assert!(
            covered.contains(&name.as_str()),
            "vector case {name} has no test"
        );
    }
    // The signer round-trips with the matching public key on every backend.
    for (label, key) in app_keys() {
        let sig = key.sign(SignType::Rsa, b"legacy").unwrap();
        let public =
            PublicKey::from_text_with(&read("keys/app_public.pem"), key.backend()).unwrap();
        assert!(public.verify(SignType::Rsa, b"legacy", &sig), "{label}");
        assert!(!public.verify(SignType::Rsa2, b"legacy", &sig), "{label}");
    }
}

/// The same vectors through the public client: injected clock, `format` left out,
/// the Node SDK's marker passed as an extra text parameter.
#[test]
fn client_entry_points_reproduce_the_vectors() {
    use alipay_api::{CallOptions, Client, GenericRequest};
    let inp = inputs();
    for &b in Backend::all() {
        let client = Client::builder()
            .app_id(inp["app_id"].as_str().unwrap())
            .private_key(read("keys/app_private_pkcs1.pem"))
            .alipay_public_key(read("keys/alipay_public.pem"))
            .backend(b)
            .omit_format()
            .clock(|| "2024-01-02 03:04:05".parse().unwrap())
            .build()
            .unwrap();
        let q = GenericRequest::new("alipay.trade.query").biz_content(&inp["query"]["biz_content"]);
        let signed = client.sign_request(&q, &CallOptions::new()).unwrap();
        let ours: BTreeMap<String, String> = signed
            .all_params()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(ours, params_map(&case("v2_sign_query")["params"]));

        let pp = &inp["page_pay"];
        let page = GenericRequest::new("alipay.trade.page.pay")
            .biz_content(&pp["biz_content"])
            .text("alipay_sdk", "alipay-sdk-nodejs-4.0.0");
        let opts = CallOptions::new()
            .notify_url(pp["notify_url"].as_str().unwrap())
            .return_url(pp["return_url"].as_str().unwrap());
        assert_eq!(
            client.page_url_with(&page, &opts).unwrap(),
            case("page_pay_get")["url"].as_str().unwrap()
        );
        let (action, inputs) = parse_form_html(&client.page_form_with(&page, &opts).unwrap());
        assert_eq!(
            (action, inputs),
            parse_form_html(case("page_pay_post")["html"].as_str().unwrap())
        );

        let ap = &inp["app_pay"];
        let app = GenericRequest::new("alipay.trade.app.pay").biz_content(&ap["biz_content"]);
        let opts = CallOptions::new().notify_url(ap["notify_url"].as_str().unwrap());
        assert_eq!(
            client.app_order_string_with(&app, &opts).unwrap(),
            case("app_pay_order_string")["order_string"]
                .as_str()
                .unwrap()
        );

        // Notifications through the client.
        for (name, ok) in [
            ("notify_v1_signed", true),
            ("notify_tampered", false),
            ("notify_v1_value_with_bare_percent", true),
        ] {
            let body = notify_body(&case(name)["post"]);
            assert_eq!(client.verify_notification(&body).is_ok(), ok, "{name}");
        }
    }
}

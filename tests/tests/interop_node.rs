//! Interop with the official Node SDK (npm `alipay-sdk` 4.14.0), run as a child process:
//! it checks what we sign and we check what it signs, on seeded random inputs.
//!
//! Needs `bash tests/interop/setup.sh`; without it every test fails and says so.
//! `INTEROP_SEED` replays a run, `INTEROP_CASES` sets the number of cases (default 200).

mod interop_support;

use std::sync::{Mutex, MutexGuard, OnceLock};

use alipay_api::crypto::aes::AesKey;
use alipay_api::crypto::SignType;
use alipay_api::protocol::notify::{self, NotifyScheme};
use alipay_api::protocol::request::{sign_request, RequestParts};
use alipay_api::protocol::response::{self};
use alipay_api::protocol::{form_encode, notify_content, sign_content};
use alipay_api::BeijingDateTime;
use interop_support::*;
use serde_json::json;

fn node() -> MutexGuard<'static, Peer> {
    static PEER: OnceLock<Mutex<Peer>> = OnceLock::new();
    shared(&PEER, Peer::node)
}

fn pairs(v: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}

/// We sign a request; the Node SDK joins the parameters its own way and checks our
/// signature with the app public key, and re-signs them to compare signatures.
#[test]
fn node_verifies_requests_we_sign() {
    let mut rng = Rng::for_test("node_verifies_requests_we_sign");
    let mut peer = node();
    let o = TextOpts {
        empty_pct: 8,
        ..TextOpts::default()
    };
    let (mut with_empty, mut encrypted) = (0, 0);
    for i in 0..cases() {
        let s = sign_random_request(&mut rng, o);
        let (req, params, ours) = (&s.req, &s.params, s.our_sign());
        let out = peer.call(
            "verify_request",
            json!({"params": params_json(s.pairs()), "encrypted": s.encrypted}),
        );
        let ctx = format!("case {i}: {req:?}\nnode: {out}");
        // Judged on what is on the wire (the runtime may or may not send empty ones).
        let has_empty = s.has_empty();
        // Node joins every parameter, empty ones included; the gateway (and we) leave empty
        // values out of the signed string. With the empty ones removed first, Node accepts
        // every signature we make.
        assert_eq!(out["joined_non_empty_ok"], true, "{ctx}");
        assert_eq!(out["joined_ok"], !has_empty, "{ctx}");
        with_empty += usize::from(has_empty);
        if s.encrypted {
            encrypted += 1;
            continue;
        }
        // Same parameters through the SDK's own signer: the same signature exactly when
        // no value is empty (RSA PKCS#1 v1.5 is deterministic).
        assert_eq!(
            out["resigned_sign"].as_str() == Some(ours),
            !has_empty,
            "{ctx}"
        );
        // And the SDK composes the same parameter set (names, values, JSON text).
        let mut theirs = json_params(&out["resigned_params"]);
        let mut mine = params.clone();
        theirs.retain(|(k, _)| k != "sign");
        mine.retain(|(k, _)| k != "sign");
        theirs.sort();
        mine.sort();
        assert_eq!(theirs, mine, "{ctx}");
    }
    eprintln!(
        "{} cases, {with_empty} with an empty value, {encrypted} encrypted",
        cases()
    );
}

/// The Node SDK signs a request (APP order string, `sdkExecute`); we verify it with our
/// string-to-sign and rebuild the same order string byte for byte.
#[test]
fn we_verify_requests_node_signs() {
    let mut rng = Rng::for_test("we_verify_requests_node_signs");
    let k = keys();
    let mut peer = node();
    let o = TextOpts {
        empty_pct: 8,
        ..TextOpts::default()
    };
    let mut with_empty = 0;
    for i in 0..cases() {
        let notify_url = rng.text(o);
        let text: Vec<(String, String)> = {
            let mut t: Vec<(String, String)> = Vec::new();
            for _ in 0..rng.below(3) {
                let name = rng.param_name();
                if t.iter().all(|(n, _)| *n != name) {
                    t.push((name, rng.text(o)));
                }
            }
            t
        };
        let biz = rng.json_object(3, o).to_string();
        let sign_type = if rng.chance(30) {
            SignType::Rsa
        } else {
            SignType::Rsa2
        };
        // Insertion order matters to the SDK's output: notify_url, text, biz_content.
        let mut node_params = vec![json!(["notify_url", notify_url])];
        for (k, v) in &text {
            node_params.push(json!([k, v]));
        }
        node_params.push(json!(["biz_content", biz]));
        let out = peer.call(
            "sdk_execute",
            json!({"method": "alipay.trade.app.pay", "params": node_params, "sign_type": sign_type.as_str()}),
        );
        let order = out["order_string"].as_str().unwrap();
        let got = split_uri_components(order);
        let ctx = format!("case {i}: {order}");
        let sign = &got.iter().find(|(k, _)| k == "sign").unwrap().1;
        let public = k.app.public(rng.backend());
        let has_empty = got.iter().any(|(_, v)| v.is_empty());
        with_empty += usize::from(has_empty);
        // Our string-to-sign (empty values left out, as the gateway does).
        assert_eq!(
            public.verify_base64(sign_type, sign_content(pairs(&got)).as_bytes(), sign),
            !has_empty,
            "{ctx}"
        );
        // With empty values kept, the Node signature always verifies: that is the one
        // difference between its signer and the gateway's rule.
        assert!(
            public.verify_base64(
                sign_type,
                notify_content(pairs(&got), &["sign"]).as_bytes(),
                sign
            ),
            "{ctx}"
        );
        // Our order string for the same request and the SDK's clock reading.
        let ts: BeijingDateTime = got
            .iter()
            .find(|(k, _)| k == "timestamp")
            .unwrap()
            .1
            .parse()
            .unwrap();
        let mut common = alipay_api::protocol::request::CommonParams::new(APP_ID);
        common.format = None;
        common.sign_type = sign_type;
        let parts = RequestParts {
            method: "alipay.trade.app.pay".into(),
            version: "1.0".into(),
            protocol: vec![("notify_url".into(), notify_url.clone())],
            biz_content: Some(biz.clone()),
            text: text.clone(),
            files: vec![],
        };
        let mine = sign_request(&common, parts, ts, &k.app.private(rng.backend()), None)
            .unwrap()
            .order_string();
        if has_empty {
            // The signatures differ (see above); every non-empty parameter is the same,
            // in the same order, whether or not our runtime puts empty ones on the wire.
            let kept = |s: &str| -> Vec<(String, String)> {
                split_uri_components(s)
                    .into_iter()
                    .filter(|(k, v)| !v.is_empty() && k != "sign")
                    .collect()
            };
            assert_eq!(kept(&mine), kept(order), "{ctx}");
        } else {
            assert_eq!(mine, order, "{ctx}");
        }
    }
    eprintln!("{} cases, {with_empty} with an empty value", cases());
}

/// `pageExec` (电脑网站支付) as a GET URL and as a POST form, against ours for the same
/// inputs and clock reading.
#[test]
fn page_pay_matches_node() {
    let mut rng = Rng::for_test("page_pay_matches_node");
    let k = keys();
    let mut peer = node();
    // `pageExec` camelCases and then snake_cases every key of biz_content (there is no
    // option to turn that off), so `"key with space"` arrives as `key_with_space` and
    // `"名称"` as an empty key: only snake_case keys go through it unchanged.
    let o = TextOpts {
        snake_keys: true,
        ..TextOpts::default()
    };
    let gateway = "https://openapi.alipay.com/gateway.do";
    let mut entity_quirks = 0;
    for i in 0..cases() {
        let return_url = rng.text(o);
        let notify_url = rng.text(o);
        let biz = rng.json_object(3, o).to_string();
        let get = rng.chance(50);
        let out = peer.call(
            "page_exec",
            json!({
                "gateway": gateway,
                "method": "alipay.trade.page.pay",
                "http_method": if get { "get" } else { "post" },
                "fields": [["return_url", return_url], ["notify_url", notify_url], ["biz_content", biz]],
            }),
        );
        let theirs = out["out"].as_str().unwrap();
        let ctx = format!("case {i}: {theirs}");
        let ts = regex_timestamp(theirs).unwrap_or_else(|| panic!("no timestamp: {ctx}"));
        let parts = RequestParts {
            method: "alipay.trade.page.pay".into(),
            version: "1.0".into(),
            protocol: vec![
                ("return_url".into(), return_url.clone()),
                ("notify_url".into(), notify_url.clone()),
            ],
            biz_content: Some(biz.clone()),
            // The Node SDK's own marker parameter, so that both sign the same set.
            text: vec![("alipay_sdk".into(), "alipay-sdk-nodejs-4.0.0".into())],
            files: vec![],
        };
        let mut common = alipay_api::protocol::request::CommonParams::new(APP_ID);
        common.format = None;
        let signed = sign_request(&common, parts, ts, &k.app.private(rng.backend()), None).unwrap();
        if get {
            assert_eq!(signed.page_url(gateway), theirs, "{ctx}");
            continue;
        }
        let (their_action, their_inputs) = parse_form_html(theirs);
        let (our_action, our_inputs) = parse_form_html(&signed.page_form(gateway));
        assert_eq!(our_action, their_action, "{ctx}");
        // Our form escapes every attribute value, so a browser submits exactly what was
        // signed. The SDK only escapes `"`: a value holding an entity-like sequence
        // (`&amp;`, `&lt;`, `&#38;`) reaches the gateway decoded, and its signature fails.
        let signed_body: Vec<(String, String)> = signed.body.clone();
        assert_eq!(our_inputs, signed_body, "{ctx}");
        if their_inputs != signed_body {
            entity_quirks += 1;
            assert!(
                signed_body.iter().any(|(_, v)| has_entity_lookalike(v)),
                "the SDK's form differs without an entity look-alike: {ctx}"
            );
        }
    }
    eprintln!(
        "{} cases; the SDK's POST form altered a value {entity_quirks} times",
        cases()
    );
}

/// We sign a notification (platform key, V1 or V2 content); the Node SDK's
/// `checkNotifySign` and `checkNotifySignV2` accept it after a form decode.
#[test]
fn node_accepts_notifications_we_sign() {
    let mut rng = Rng::for_test("node_accepts_notifications_we_sign");
    let k = keys();
    let mut peer = node();
    // `checkNotifySign` URL-decodes values a second time: no `%` here (see the quirk test).
    let o = TextOpts {
        percent: false,
        empty_pct: 10,
        ..TextOpts::default()
    };
    for i in 0..cases() {
        let sign_type = if rng.chance(30) {
            SignType::Rsa
        } else {
            SignType::Rsa2
        };
        let scheme = if rng.chance(50) {
            Scheme::V1
        } else {
            Scheme::V2
        };
        let mut params = random_notification(&mut rng, o, sign_type);
        sign_notification(
            &mut params,
            &k.alipay.private(rng.backend()),
            sign_type,
            scheme,
        );
        let body = form_encode(pairs(&params));
        let out = peer.call("check_notify", json!({ "body": body }));
        let ctx = format!("case {i} ({scheme:?}, {sign_type}): {body}\nnode: {out}");
        assert_eq!(out["check_notify_sign"]["ok"], true, "{ctx}");
        assert_eq!(out["check_notify_sign_v2"], true, "{ctx}");
        // And our own verifier agrees.
        notify::verify_body(
            body.as_bytes(),
            &[&k.alipay.public(rng.backend())],
            sign_type,
            NotifyScheme::Auto,
        )
        .unwrap_or_else(|e| panic!("{e}: {ctx}"));
    }
}

/// The Node SDK's `checkNotifySign` URL-decodes already-decoded values: a bare `%`
/// makes it throw and an escape-like `%41` makes it check the wrong text.
/// `checkNotifySignV2` (raw values) and our verifier accept both. Documented in
/// `tests/vectors/README.md`; kept here so the behaviour stays visible.
#[test]
fn node_check_notify_sign_percent_quirk() {
    let mut rng = Rng::for_test("node_check_notify_sign_percent_quirk");
    let k = keys();
    let mut peer = node();
    let o = TextOpts {
        percent: false,
        ..TextOpts::default()
    };
    for (value, expect_throw) in [("打折 100%", true), ("a%41b", false), ("%E4%B8%AD", false)] {
        let mut params = random_notification(&mut rng, o, SignType::Rsa2);
        params.push(("passback_params".into(), value.into()));
        sign_notification(
            &mut params,
            &k.alipay.private(rng.backend()),
            SignType::Rsa2,
            Scheme::V1,
        );
        let body = form_encode(pairs(&params));
        let out = peer.call("check_notify", json!({ "body": body }));
        let ctx = format!("{value}: {out}");
        if expect_throw {
            assert!(out["check_notify_sign"]["threw"].is_string(), "{ctx}");
        } else {
            assert_eq!(out["check_notify_sign"]["ok"], false, "{ctx}");
        }
        assert_eq!(out["check_notify_sign_v2"], true, "{ctx}");
        notify::verify_body(
            body.as_bytes(),
            &[&k.alipay.public(rng.backend())],
            SignType::Rsa2,
            NotifyScheme::Auto,
        )
        .unwrap_or_else(|e| panic!("{e}: {ctx}"));
    }
}

/// The Node SDK signs return/notification parameters with the platform key (`sign`
/// covers `sign_type`: V2); we accept them, and reject any tampered copy.
#[test]
fn we_verify_notifications_node_signs() {
    let mut rng = Rng::for_test("we_verify_notifications_node_signs");
    let k = keys();
    let mut peer = node();
    let o = TextOpts {
        empty_pct: 10,
        ..TextOpts::default()
    };
    for i in 0..cases() {
        let sign_type = if rng.chance(30) {
            SignType::Rsa
        } else {
            SignType::Rsa2
        };
        let mut params = random_notification(&mut rng, o, sign_type);
        // `sign` adds method/app_id/charset/version/sign_type/timestamp itself.
        params
            .retain(|(k, _)| !["app_id", "charset", "version", "sign_type"].contains(&k.as_str()));
        let out = peer.call(
            "sign_notify",
            json!({
                "method": "alipay.trade.page.pay.return",
                "params": params_json(pairs(&params)),
                "sign_type": sign_type.as_str(),
            }),
        );
        let signed = json_params(&out["params"]);
        let body = form_encode(pairs(&signed));
        let ctx = format!("case {i}: {body}");
        let public = k.alipay.public(rng.backend());
        let v = notify::verify_body(body.as_bytes(), &[&public], sign_type, NotifyScheme::Auto)
            .unwrap_or_else(|e| panic!("{e}: {ctx}"));
        assert_eq!(v.params().len(), signed.len(), "{ctx}");
        assert!(
            notify::verify_body(body.as_bytes(), &[&public], sign_type, NotifyScheme::V2).is_ok(),
            "{ctx}"
        );
        assert!(
            notify::verify_body(body.as_bytes(), &[&public], sign_type, NotifyScheme::V1).is_err(),
            "{ctx}"
        );
        // The same values, percent-encoded differently, are the same notification.
        let respelled = body.replace("%2F", "/").replace("%3A", ":");
        assert!(
            notify::verify_body(
                respelled.as_bytes(),
                &[&public],
                sign_type,
                NotifyScheme::Auto
            )
            .is_ok(),
            "{ctx}"
        );
        for tampered in tamper(&mut rng, &signed) {
            let tb = form_encode(pairs(&tampered));
            assert!(
                notify::verify_body(tb.as_bytes(), &[&public], sign_type, NotifyScheme::Auto)
                    .is_err(),
                "tampered copy accepted: {tb}\noriginal: {ctx}"
            );
        }
    }
}

/// We sign a response as Alipay does; the SDK's `checkResponseSign` (its own extraction
/// of the signed text) accepts it, and so do we.
#[test]
fn node_accepts_responses_we_sign() {
    let mut rng = Rng::for_test("node_accepts_responses_we_sign");
    let k = keys();
    let mut peer = node();
    let mut error_nodes = 0;
    for i in 0..cases() {
        let signer = k.alipay.private(rng.backend());
        let r = random_response(&mut rng, &signer, SignType::Rsa2);
        let out = peer.call(
            "check_response",
            json!({"body": r.body, "response_key": r.response_key, "sign": r.sign}),
        );
        let ctx = format!("case {i}: {}\nnode: {out}", r.body);
        assert_eq!(out["verified"], true, "{ctx}");
        assert_eq!(out["sign_str"], r.node.as_str(), "{ctx}");
        if r.response_key == "error_response" {
            // `exec()` hands `checkResponseSign` the method's key even when the body
            // carries `error_response`; its text search then cuts the wrong span, so a
            // correctly signed gateway error fails the SDK's check. We find the node.
            let out = peer.call(
                "check_response",
                json!({"body": r.body, "response_key": r.method_key, "sign": r.sign}),
            );
            assert_eq!(out["verified"], false, "{ctx}\nwith the method key: {out}");
            error_nodes += 1;
        }
        let ex = response::extract(&r.body, &r.method_key).unwrap_or_else(|e| panic!("{e}: {ctx}"));
        assert_eq!(ex.node, r.node, "{ctx}");
        assert!(
            response::verify_node(
                ex.node,
                ex.sign.as_deref().unwrap(),
                &k.alipay.public(rng.backend()),
                SignType::Rsa2
            ),
            "{ctx}"
        );
    }
    eprintln!(
        "{} cases, {error_nodes} `error_response` bodies the SDK's exec path would reject",
        cases()
    );
}

/// AES both ways; with a zero IV the ciphertexts must also be identical.
#[test]
fn aes_interop_with_node() {
    let mut rng = Rng::for_test("aes_interop_with_node");
    let mut peer = node();
    let o = TextOpts {
        empty_pct: 5,
        long_pct: 10,
        ..TextOpts::default()
    };
    for i in 0..cases() {
        let key_b64 = random_aes_key(&mut rng);
        let key = AesKey::from_base64(&key_b64).unwrap();
        let plain = if rng.chance(50) {
            rng.text(o)
        } else {
            rng.json_object(3, o).to_string()
        };
        let theirs = peer.call("aes_encrypt", json!({"plaintext": plain, "key": key_b64}));
        let theirs = theirs["ciphertext"].as_str().unwrap();
        let ctx = format!("case {i}: key {key_b64} plaintext {plain:?}");
        assert_eq!(key.decrypt(theirs).unwrap(), plain, "{ctx}");
        let ours = key.encrypt(&plain);
        assert_eq!(ours, theirs, "{ctx}");
        let back = peer.call("aes_decrypt", json!({"ciphertext": ours, "key": key_b64}));
        assert_eq!(back["plaintext"], plain.as_str(), "{ctx}");
    }
}

// ---------------------------------------------------------------------------------------

/// Three tampered copies: one value changed, one parameter dropped, one added.
fn tamper(rng: &mut Rng, signed: &[(String, String)]) -> Vec<Vec<(String, String)>> {
    let candidates: Vec<usize> = (0..signed.len())
        .filter(|&i| signed[i].0 != "sign")
        .collect();
    let mut changed = signed.to_vec();
    let i = *rng.pick(&candidates);
    changed[i].1.push('x');
    let mut dropped = signed.to_vec();
    let j = *rng.pick(&candidates);
    dropped.remove(j);
    let mut added = signed.to_vec();
    added.push(("x_injected".into(), "1".into()));
    vec![changed, dropped, added]
}

fn has_entity_lookalike(v: &str) -> bool {
    v.match_indices('&').any(|(i, _)| {
        let rest = &v[i + 1..];
        let n = rest
            .char_indices()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '#')
            .count();
        n > 0
    })
}

fn regex_timestamp(s: &str) -> Option<BeijingDateTime> {
    // The SDK's timestamp is in the query (`+` for the space) or the form action.
    let at = s.find("timestamp=")? + "timestamp=".len();
    let raw: String = s[at..]
        .chars()
        .take_while(|c| *c != '&' && *c != '"')
        .collect();
    let decoded: String = form_urlencoded::parse(format!("t={raw}").as_bytes())
        .next()?
        .1
        .into_owned();
    decoded.parse().ok()
}

/// `(action, [(name, value)])` of a form, HTML entities decoded as a browser would.
/// Attribute values are read up to their closing quote (the SDK leaves `>` and `&` raw
/// inside them, but never `"`).
fn parse_form_html(html: &str) -> (String, Vec<(String, String)>) {
    fn attrs(tag: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut rest = tag;
        while let Some(eq) = rest.find("=\"") {
            let name = rest[..eq]
                .rsplit(|c: char| c.is_whitespace())
                .next()
                .unwrap_or("");
            let after = &rest[eq + 2..];
            let end = after.find('"').expect("closing quote");
            let value = html_escape::decode_html_entities(&after[..end]).into_owned();
            out.push((name.to_owned(), value));
            rest = &after[end + 1..];
            let next = rest.trim_start();
            if next.starts_with('>') || next.starts_with("/>") {
                break;
            }
        }
        out
    }
    let get =
        |a: &[(String, String)], n: &str| a.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let form_start = html.find("<form").expect("a form");
    let action = get(&attrs(&html[form_start + 5..]), "action").expect("an action");
    let mut inputs = Vec::new();
    let mut rest = &html[form_start..];
    while let Some(p) = rest.find("<input") {
        let a = attrs(&rest[p + 6..]);
        if get(&a, "type").as_deref() == Some("hidden") {
            inputs.push((get(&a, "name").unwrap(), get(&a, "value").unwrap()));
        }
        rest = &rest[p + 6..];
    }
    (action, inputs)
}

/// The SDK's `getSN` and ours agree on certificates whose issuers hold
/// emailAddress, serialNumber, DC, UID, title and multi-valued RDNs, one by one and
/// as a root bundle, and on the SNs recorded in the vectors.
#[test]
fn node_agrees_on_sns_of_unusual_issuers() {
    use alipay_api::crypto::cert;
    let mut peer = node();
    let bundle = alipay_tests::vectors::read("unusual-issuers/unusual-issuers.crt");
    let recorded: Vec<String> = serde_json::from_str(&alipay_tests::vectors::read(
        "unusual-issuers/expected-sn.json",
    ))
    .unwrap();
    let pems: Vec<String> = bundle
        .split_inclusive("-----END CERTIFICATE-----")
        .filter(|p| p.contains("BEGIN"))
        .map(str::to_owned)
        .collect();
    assert_eq!(pems.len(), recorded.len());
    for (pem, recorded) in pems.iter().zip(&recorded) {
        let theirs = peer.call("cert_sn", json!({ "pem": pem }));
        let ours = cert::leaf_sn(pem.as_bytes(), "test").unwrap();
        assert_eq!(theirs["sn"].as_str(), Some(ours.as_str()), "{pem}");
        assert_eq!(&ours, recorded);
    }
    let theirs = peer.call("cert_sn", json!({ "pem": bundle, "is_root": true }));
    assert_eq!(
        theirs["sn"].as_str(),
        Some(cert::root_sn(bundle.as_bytes()).unwrap().as_str())
    );
}

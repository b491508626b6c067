//! Protocol-level properties: every single-byte tamper is rejected, the extractor
//! never panics, sign/verify round trips on every backend.

mod runtime_support;

use alipay_api::crypto::{Backend, PrivateKey, PublicKey, SignType, Signer, sign_base64};
use alipay_api::error::SignatureError;
use alipay_api::protocol::notify::{self, NotifyScheme};
use alipay_api::protocol::response::{self, ExtractError, ResponseContext};
use alipay_api::protocol::{form_encode, notify_content};
use proptest::prelude::*;
use runtime_support::*;
use serde_json::{Map, Value};

const KEY: &str = "alipay_trade_query_response";

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

fn alipay_public(b: Backend) -> PublicKey {
    PublicKey::from_text_with(&alipay_public_text(), b).unwrap()
}

#[test]
fn every_byte_tamper_of_a_signed_response_is_rejected() {
    let signer = alipay_private();
    let node = r#"{"code":"10000","msg":"Success","out_trade_no":"T1","total_amount":"88.88","s":"a\"}{\/"}"#;
    let body = signed_body(KEY, node, &signer, Some("sn1"));
    for &b in Backend::all() {
        let key = alipay_public(b);
        let ok: Map<String, Value> =
            response::read_response(&ctx(), KEY, &body, &key, None).unwrap();
        assert_eq!(ok["total_amount"], "88.88");
        let bytes = body.as_bytes();
        let node_start = body.find(node).unwrap();
        let node_end = node_start + node.len();
        let sign_start = body.rfind("\"sign\":\"").unwrap() + 8;
        for i in 0..bytes.len() {
            let mut t = bytes.to_vec();
            t[i] ^= 0x01;
            let Ok(text) = String::from_utf8(t) else {
                continue;
            };
            let r: Result<Map<String, Value>, _> =
                response::read_response(&ctx(), KEY, &text, &key, None);
            let inside_signed =
                (node_start..node_end).contains(&i) || (sign_start..sign_start + 344).contains(&i);
            if inside_signed {
                // Either no longer parseable or rejected; never accepted with other data.
                match r {
                    Err(_) => {}
                    Ok(m) => panic!("tamper at {i} accepted: {m:?}"),
                }
            } else if let Ok(m) = r {
                // Bytes outside the signed node (e.g. the SN's value, whitespace,
                // the key of an ignored member) may change without effect on data.
                assert_eq!(m, ok, "tamper at {i} changed data");
            }
        }
    }
}

#[test]
fn every_byte_tamper_of_a_notification_is_rejected() {
    let signer = alipay_private();
    let mut params = vec![
        ("app_id", "2021000000000001"),
        ("charset", "utf-8"),
        ("notify_type", "trade_status_sync"),
        ("out_trade_no", "T1"),
        ("subject", "测试 a+b 100%"),
        ("total_amount", "88.88"),
        ("trade_status", "TRADE_SUCCESS"),
        ("passback_params", ""),
        ("sign_type", "RSA2"),
    ];
    let content = notify_content(params.iter().copied(), &["sign", "sign_type"]);
    let sign = sign_base64(&signer, SignType::Rsa2, content.as_bytes()).unwrap();
    params.push(("sign", &sign));
    let body = form_encode(params.iter().copied());
    for &b in Backend::all() {
        let key = alipay_public(b);
        let keys = [&key];
        let good = notify::verify_body(body.as_bytes(), &keys, SignType::Rsa2, NotifyScheme::Auto)
            .unwrap();
        assert_eq!(good.get("subject"), Some("测试 a+b 100%"));
        let mut rejected = 0;
        for i in 0..body.len() {
            let mut t = body.as_bytes().to_vec();
            t[i] = if t[i] == b'A' { b'B' } else { b'A' };
            match notify::verify_body(&t, &keys, SignType::Rsa2, NotifyScheme::Auto) {
                Err(_) => rejected += 1,
                Ok(n) => {
                    // Only a change that decodes to the same parameters may pass
                    // (e.g. `%41` for `A`).
                    assert_eq!(
                        n.params(),
                        good.params(),
                        "tamper at {i} accepted with other data"
                    );
                }
            }
        }
        assert!(rejected > body.len() * 9 / 10);
    }
}

#[test]
fn extractor_edge_cases() {
    let s = alipay_private();
    let key = alipay_public(Backend::default());
    let node = r#"{"code":"10000","msg":"Success","x":"{\"sign\":\"y\"}","y":"\/\\"}"#;
    // Whitespace everywhere, cert SN before and after sign, sign first.
    let sign = sign_base64(&s, SignType::Rsa2, node.as_bytes()).unwrap();
    for body in [
        format!(
            "\n{{ \"{KEY}\" :\t{node} , \"alipay_cert_sn\":\"a\", \"sign\" : \"{sign}\" }}\r\n"
        ),
        format!("{{\"sign\":\"{sign}\",\"alipay_cert_sn\":\"a\",\"{KEY}\":{node}}}"),
        format!("{{\"alipay_cert_sn\":\"a\",\"{KEY}\":{node},\"sign\":\"{sign}\"}}"),
    ] {
        let ex = response::extract(&body, KEY).unwrap();
        assert_eq!(ex.node, node);
        assert_eq!(ex.alipay_cert_sn.as_deref(), Some("a"));
        let m: Map<String, Value> =
            response::read_response(&ctx(), KEY, &body, &key, None).unwrap();
        assert_eq!(m["x"], "{\"sign\":\"y\"}");
    }
    // A signature made over the unescaped text is accepted (the official retry rule).
    let unescaped = node.replace("\\/", "/");
    let sign2 = sign_base64(&s, SignType::Rsa2, unescaped.as_bytes()).unwrap();
    let body = format!("{{\"{KEY}\":{node},\"sign\":\"{sign2}\"}}");
    assert!(response::read_response::<Map<String, Value>>(&ctx(), KEY, &body, &key, None).is_ok());
    // Duplicated node, even when both copies are identical.
    let dup = format!("{{\"{KEY}\":{node},\"{KEY}\":{node},\"sign\":\"{sign}\"}}");
    assert!(matches!(
        response::extract(&dup, KEY),
        Err(ExtractError::DuplicateKey(_))
    ));
    let dup_sign = format!("{{\"{KEY}\":{node},\"sign\":\"{sign}\",\"sign\":\"{sign}\"}}");
    assert!(matches!(
        response::extract(&dup_sign, KEY),
        Err(ExtractError::DuplicateKey(_))
    ));
    // Truncated anywhere: an error, never a panic or a verified result.
    let full = format!("{{\"{KEY}\":{node},\"sign\":\"{sign}\"}}");
    for cut in 0..full.len() {
        if let Some(part) = full.get(..cut) {
            assert!(
                response::read_response::<Map<String, Value>>(&ctx(), KEY, part, &key, None)
                    .is_err()
            );
        }
    }
    // The node of another method is not accepted for this one.
    let other = format!("{{\"alipay_trade_refund_response\":{node},\"sign\":\"{sign}\"}}");
    assert!(matches!(
        response::extract(&other, KEY),
        Err(ExtractError::NoNode(_))
    ));
    // Deep nesting does not overflow.
    let deep = format!(
        "{{\"{KEY}\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let _ = response::extract(&deep, KEY);
    let deep_obj = format!(
        "{{\"{KEY}\":{}{}}}",
        "{\"a\":".repeat(50_000),
        "}".repeat(50_000)
    );
    assert!(
        response::read_response::<Map<String, Value>>(&ctx(), KEY, &deep_obj, &key, None).is_err()
    );
}

/// A 100k-parameter notification body (0.9 MB) is refused before anything is decoded,
/// and a body at the limit still parses, duplicates found.
#[test]
fn hostile_notification_bodies_are_refused_by_count_and_size() {
    use alipay_api::error::DecodeErrorKind;
    use alipay_api::protocol::notify::{MAX_NOTIFY_BODY, MAX_NOTIFY_PARAMS};
    let body = |n: usize| {
        (0..n)
            .map(|i| format!("k{i:05}="))
            .collect::<Vec<_>>()
            .join("&")
    };
    let huge = body(100_000);
    assert!(huge.len() > 700_000);
    let e = notify::parse_form(huge.as_bytes()).unwrap_err();
    assert_eq!(
        e.kind,
        DecodeErrorKind::TooManyParameters {
            max: MAX_NOTIFY_PARAMS
        },
        "{e}"
    );
    // Anyone can post it: the error does not carry (and a log does not print) a copy.
    assert!(e.raw.is_empty(), "{} bytes kept", e.raw.len());
    let key = alipay_public(Backend::default());
    let verified =
        notify::verify_body(huge.as_bytes(), &[&key], SignType::Rsa2, NotifyScheme::Auto);
    assert!(verified.is_err());
    let as_pairs = (0..100_000).map(|i| (format!("k{i}"), String::new()));
    let e =
        notify::verify_params(as_pairs, &[&key], SignType::Rsa2, NotifyScheme::Auto).unwrap_err();
    assert!(e.to_string().contains("more than"), "{e}");

    assert_eq!(
        notify::parse_form(body(MAX_NOTIFY_PARAMS).as_bytes())
            .unwrap()
            .len(),
        MAX_NOTIFY_PARAMS
    );
    assert!(notify::parse_form(body(MAX_NOTIFY_PARAMS + 1).as_bytes()).is_err());
    let dup = format!("{}&k00000=x", body(MAX_NOTIFY_PARAMS - 1));
    let e = notify::parse_form(dup.as_bytes()).unwrap_err();
    assert!(e.reason.contains("more than once"), "{e}");

    let big = format!("a={}", "x".repeat(MAX_NOTIFY_BODY));
    let e = notify::parse_form(big.as_bytes()).unwrap_err();
    assert_eq!(
        e.kind,
        DecodeErrorKind::TooLarge {
            max_bytes: MAX_NOTIFY_BODY
        }
    );
}

/// A response body with 100k top-level keys is refused by count; one at the limit is
/// read and its duplicates found.
#[test]
fn hostile_response_bodies_are_refused_by_member_count() {
    use alipay_api::protocol::response::MAX_TOP_LEVEL_MEMBERS;
    let members = |n: usize| {
        (0..n)
            .map(|i| format!("\"k{i}\":1"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let huge = format!("{{{},\"{KEY}\":{{}}}}", members(100_000));
    assert_eq!(
        response::extract(&huge, KEY),
        Err(ExtractError::TooManyMembers)
    );
    let key = alipay_public(Backend::default());
    let e =
        response::read_response::<Map<String, Value>>(&ctx(), KEY, &huge, &key, None).unwrap_err();
    match e {
        alipay_api::Error::Decode(d) => {
            assert_eq!(
                d.kind,
                alipay_api::error::DecodeErrorKind::TooManyParameters {
                    max: MAX_TOP_LEVEL_MEMBERS
                }
            );
            // A forged answer of up to 16 MiB is not copied into the error.
            assert!(d.raw.is_empty(), "{} bytes kept", d.raw.len());
        }
        other => panic!("{other:?}"),
    }
    let at_limit = format!("{{{},\"{KEY}\":{{}}}}", members(MAX_TOP_LEVEL_MEMBERS - 1));
    assert_eq!(response::extract(&at_limit, KEY).unwrap().node, "{}");
    let dup = format!("{{{},\"k0\":2}}", members(MAX_TOP_LEVEL_MEMBERS - 1));
    assert_eq!(
        response::extract(&dup, KEY),
        Err(ExtractError::DuplicateKey("k0".into()))
    );
}

/// Nesting deeper than serde_json reads is not a reason to reject an answer before
/// its signature is checked: a genuine one becomes a typed "too deep" decode error,
/// a forged one a signature error; nesting within the limit is read.
#[test]
fn deep_nodes_are_judged_after_verification() {
    use alipay_api::error::DecodeErrorKind;
    use alipay_api::protocol::response::MAX_JSON_DEPTH;
    let s = alipay_private();
    let key = alipay_public(Backend::default());
    let node = |depth: usize| {
        format!(
            r#"{{"code":"10000","msg":"Success","deep":{}1{}}}"#,
            "[".repeat(depth - 1),
            "]".repeat(depth - 1)
        )
    };
    let read =
        |body: &str| response::read_response::<Map<String, Value>>(&ctx(), KEY, body, &key, None);
    assert!(read(&signed_body(KEY, &node(MAX_JSON_DEPTH), &s, None)).is_ok());
    for depth in [MAX_JSON_DEPTH + 1, 5_000] {
        let genuine = signed_body(KEY, &node(depth), &s, None);
        match read(&genuine) {
            Err(alipay_api::Error::Decode(d)) => assert_eq!(
                d.kind,
                DecodeErrorKind::TooDeep {
                    max_depth: MAX_JSON_DEPTH
                },
                "{d}"
            ),
            other => panic!("{depth}: {other:?}"),
        }
        let forged = genuine.replacen("10000", "10001", 1);
        assert!(
            matches!(
                read(&forged),
                Err(alipay_api::Error::Signature(SignatureError::Invalid(_)))
            ),
            "{depth}"
        );
    }
}

#[test]
fn success_rules_and_field_stripping() {
    let s = alipay_private();
    let key = alipay_public(Backend::default());
    let pay_ctx = ResponseContext {
        method: "alipay.trade.pay",
        extra_success_codes: &[],
        extra_success_result_codes: &["10003"],
        sign_type: SignType::Rsa2,
        aes: None,
        charset: alipay_api::Charset::Utf8,
    };
    let k = "alipay_trade_pay_response";
    let waiting = signed_body(
        k,
        r#"{"code":"10003","msg":"order success pay inprocess","trade_no":"1"}"#,
        &s,
        None,
    );
    let m: Map<String, Value> = response::read_response(&pay_ctx, k, &waiting, &key, None).unwrap();
    assert_eq!(m["trade_no"], "1");
    assert!(
        response::read_response::<Map<String, Value>>(&ctx(), k, &waiting, &key, None).is_err()
    );
    let with_sub = signed_body(
        k,
        r#"{"code":"10000","msg":"Success","sub_code":"X"}"#,
        &s,
        None,
    );
    assert!(
        response::read_response::<Map<String, Value>>(&pay_ctx, k, &with_sub, &key, None).is_err()
    );
    let no_code = signed_body(k, r#"{"access_token":"t"}"#, &s, None);
    assert!(
        response::read_response::<Map<String, Value>>(&pay_ctx, k, &no_code, &key, None).is_ok()
    );
    let signed_error = signed_body(
        "error_response",
        r#"{"code":"40002","msg":"Invalid","sub_code":"isv.x"}"#,
        &s,
        None,
    );
    let e = response::read_response::<Map<String, Value>>(&pay_ctx, k, &signed_error, &key, None)
        .unwrap_err();
    assert!(e.api().unwrap().signed);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn extractor_never_panics(body in ".{0,400}") {
        let _ = response::extract(&body, KEY);
        let _ = notify::parse_form(body.as_bytes());
    }

    #[test]
    fn extractor_never_panics_on_jsonish(parts in proptest::collection::vec(prop_oneof![
        Just("{"), Just("}"), Just("["), Just("]"), Just("\""), Just("\\"), Just(":"), Just(","),
        Just("\"alipay_trade_query_response\""), Just("\"sign\""), Just("\"x\""), Just("1"), Just(" "),
    ], 0..60)) {
        let body: String = parts.concat();
        let _ = response::extract(&body, KEY);
    }

    #[test]
    fn finds_the_node_among_arbitrary_members(
        fields in proptest::collection::btree_map("[a-z_]{1,8}", ".{0,20}", 0..6),
        before in proptest::collection::btree_map("[a-z]{1,5}", ".{0,10}", 0..3),
    ) {
        let node = serde_json::to_string(&fields).unwrap();
        let mut body = String::from("{");
        for (k, v) in &before {
            body.push_str(&format!("{}:{},", serde_json::to_string(k).unwrap(), serde_json::to_string(v).unwrap()));
        }
        body.push_str(&format!("\"{KEY}\":{node},\"sign\":\"abc\"}}"));
        let ex = response::extract(&body, KEY).unwrap();
        prop_assert_eq!(ex.node, node.as_str());
        prop_assert_eq!(ex.sign.as_deref(), Some("abc"));
    }

}

proptest! {
    // RSA in a debug build is slow: fewer cases here.
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn sign_verify_round_trip(msg in proptest::collection::vec(any::<u8>(), 0..200), flip in any::<usize>()) {
        let text = app_private();
        for &b in Backend::all() {
            let k = PrivateKey::from_text_with(&text, b).unwrap();
            for st in [SignType::Rsa2, SignType::Rsa] {
                let sig = k.sign(st, &msg).unwrap();
                prop_assert!(k.public().verify(st, &msg, &sig));
                let mut bad = sig.clone();
                let i = flip % bad.len();
                bad[i] ^= 0x80;
                prop_assert!(!k.public().verify(st, &msg, &bad));
                let mut other = msg.clone();
                other.push(0);
                prop_assert!(!k.public().verify(st, &other, &sig));
            }
        }
    }
}

#[test]
fn gbk_notifications_are_decoded_once_and_verified_over_gbk_bytes() {
    let signer = alipay_private();
    let params = [
        ("charset", "gbk"),
        ("out_trade_no", "T1"),
        ("subject", "测试商品 100% a+b"),
        ("sign_type", "RSA2"),
    ];
    let content = notify_content(params.iter().copied(), &["sign", "sign_type"]);
    let (gbk, _, _) = encoding_rs::GBK.encode(&content);
    let sign = sign_base64(&signer, SignType::Rsa2, &gbk).unwrap();
    // Percent-encode the GBK bytes of each value, as Alipay posts them.
    let enc = |s: &str| {
        let (b, _, _) = encoding_rs::GBK.encode(s);
        form_urlencoded::byte_serialize(&b).collect::<String>()
    };
    let mut body = params
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    body.push_str(&format!("&sign={}", enc(&sign)));
    let key = alipay_public(Backend::default());
    let n =
        notify::verify_body(body.as_bytes(), &[&key], SignType::Rsa2, NotifyScheme::V1).unwrap();
    assert_eq!(n.get("subject"), Some("测试商品 100% a+b"));
    // The same body read as UTF-8 is not valid.
    let as_utf8 = body.replace("charset=gbk", "charset=utf-8");
    assert!(
        notify::verify_body(
            as_utf8.as_bytes(),
            &[&key],
            SignType::Rsa2,
            NotifyScheme::V1
        )
        .is_err()
    );
}

/// A 1024-bit key and its PEM texts (private PKCS#8, public SPKI), made once.
fn short_key() -> &'static (String, String) {
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    static KEY: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let k = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 1024).unwrap();
        (
            k.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
            k.to_public_key().to_public_key_pem(LineEnding::LF).unwrap(),
        )
    })
}

/// RSA2 needs a 2048-bit key on every backend (a shorter one never verifies and is
/// refused as the Alipay key); the legacy RSA takes 1024 bits on every backend.
#[test]
fn short_keys_get_the_same_answer_on_both_backends() {
    let (private, public) = short_key();
    let signer = PrivateKey::from_text_with(private, Backend::RustCrypto).unwrap();
    let msg = b"a=1&b=2";
    for st in [SignType::Rsa2, SignType::Rsa] {
        let sig = signer.sign(st, msg).unwrap();
        let answers: Vec<bool> = Backend::all()
            .iter()
            .map(|&b| {
                PublicKey::from_text_with(public, b)
                    .unwrap()
                    .verify(st, msg, &sig)
            })
            .collect();
        let expected = st == SignType::Rsa;
        assert!(answers.iter().all(|&a| a == expected), "{st}: {answers:?}");
    }
    for &b in Backend::all() {
        let e = alipay_api::Client::builder()
            .app_id(APP_ID)
            .private_key(app_private())
            .alipay_public_key(public.as_str())
            .backend(b)
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("1024-bit"), "{e}");
    }
}

/// aws-lc-rs refuses keys under 2048 bits; the default backend then refuses the key
/// instead of silently signing with the `rsa` crate, which stays available by
/// choice.
#[cfg(feature = "aws-lc")]
#[test]
fn the_default_backend_refuses_keys_aws_lc_cannot_use() {
    let (private, _) = short_key();
    let e = PrivateKey::from_text_with(private, Backend::AwsLc).unwrap_err();
    assert!(e.to_string().contains("Backend::RustCrypto"), "{e}");
    assert!(PrivateKey::from_text_with(private, Backend::RustCrypto).is_ok());
}

/// A PKCS#8 key in `RSA PRIVATE KEY` armor (and a PKCS#1 key in `PRIVATE KEY`
/// armor) loads and signs as the correctly labelled key does, on every backend.
#[test]
fn private_keys_load_whatever_their_armor_says() {
    let pkcs8 = read("keys/app_private_pkcs8.pem");
    let pkcs1 = read("keys/app_private_pkcs1.pem");
    let swapped = [
        pkcs8.replace("PRIVATE KEY", "RSA PRIVATE KEY"),
        pkcs1.replace("RSA PRIVATE KEY", "PRIVATE KEY"),
    ];
    for &b in Backend::all() {
        let reference = PrivateKey::from_text_with(&pkcs8, b)
            .unwrap()
            .sign(SignType::Rsa2, b"x")
            .unwrap();
        for text in &swapped {
            let k = PrivateKey::from_text_with(text, b).unwrap_or_else(|e| panic!("{b:?}: {e}"));
            assert_eq!(k.sign(SignType::Rsa2, b"x").unwrap(), reference);
        }
    }
}

/// After the `\/` retry, the text read is the one the signature covers: a delivered
/// `\\/` (an escaped backslash, then `/`) that unescapes to the signed `\/` cannot
/// put a backslash into a value.
#[test]
fn the_slash_retry_reads_the_verified_text() {
    let s = alipay_private();
    let key = alipay_public(Backend::default());
    let signed_text = r#"{"code":"10000","msg":"Success","v":"x\/y"}"#;
    let sign = sign_base64(&s, SignType::Rsa2, signed_text.as_bytes()).unwrap();
    let delivered = signed_text.replace(r"\/", r"\\/");
    let body = format!("{{\"{KEY}\":{delivered},\"sign\":\"{sign}\"}}");
    let m: Map<String, Value> = response::read_response(&ctx(), KEY, &body, &key, None).unwrap();
    assert_eq!(m["v"], "x/y");
}

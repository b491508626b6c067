//! The async client against a small gateway on 127.0.0.1 that checks every request
//! signature with the app public key and answers with signed responses.

mod runtime_support;

use std::sync::Arc;
use std::time::Duration;

use alipay_api::crypto::PrivateKey;
use alipay_api::error::{HttpErrorKind, SignatureError};
use alipay_api::{CallOptions, Client, ConfigError, Error, FileUpload, GenericRequest};
use runtime_support::*;
use serde_json::json;

/// A builder with the vector app's keys.
fn builder() -> alipay_api::ClientBuilder {
    Client::builder()
        .app_id(APP_ID)
        .private_key(app_private())
        .alipay_public_key(alipay_public_text())
}

fn client(gateway: &str) -> Client {
    builder()
        .gateway_url(gateway)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

fn query(no: &str) -> GenericRequest {
    GenericRequest::new("alipay.trade.query").biz_content(&json!({ "out_trade_no": no }))
}

/// Answers by `out_trade_no`, so one gateway serves every scenario.
fn scenarios() -> Handler {
    let alipay = Arc::new(alipay_private());
    let app = Arc::new(PrivateKey::from_text(&app_private()).unwrap());
    Arc::new(move |seen: &Seen| {
        let key = format!("{}_response", seen.method().replace('.', "_"));
        let no = seen.biz()["out_trade_no"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        match no.as_str() {
            "success" => Answer::ok(signed_body(
                &key,
                r#"{"code":"10000","msg":"Success","out_trade_no":"success","trade_status":"TRADE_SUCCESS","note":"{\"a\":\"}\"} \/ x","total_amount":"88.88"}"#,
                &alipay,
                None,
            )),
            "business_error" => Answer::ok(signed_body(
                &key,
                r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}"#,
                &alipay,
                None,
            )),
            "system_error" => Answer::ok(signed_body(
                &key,
                r#"{"code":"20000","msg":"Service Currently Unavailable","sub_code":"isp.unknow-error","sub_msg":"系统繁忙"}"#,
                &alipay,
                None,
            )),
            "unsigned_error" => Answer::ok(
                r#"{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id","sub_msg":"无效的AppID参数"}}"#.into(),
            ),
            "unsigned_node_error" => Answer::ok(format!(r#"{{"{key}":{{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}}}}"#)),
            "unsigned_success" => Answer::ok(format!(r#"{{"{key}":{{"code":"10000","msg":"Success","trade_status":"TRADE_SUCCESS"}}}}"#)),
            "bad_signature" => Answer::ok(signed_body(&key, r#"{"code":"10000","msg":"Success"}"#, &app, None)),
            "tampered" => {
                let body = signed_body(&key, r#"{"code":"10000","msg":"Success","total_amount":"88.88"}"#, &alipay, None);
                Answer::ok(body.replace("88.88", "99.99"))
            }
            "duplicate_node" => {
                let body = signed_body(&key, r#"{"code":"10000","msg":"Success","total_amount":"0.01"}"#, &alipay, None);
                Answer::ok(body.replacen('{', &format!(r#"{{"{key}":{{"code":"10000","total_amount":"999"}},"#), 1))
            }
            "slow" => Answer {
                delay: Some(Duration::from_secs(5)),
                ..Answer::ok("{}".into())
            },
            "http_500" => Answer {
                status: 502,
                ..Answer::ok("<html>bad gateway</html>".into())
            },
            "html" => Answer::ok("<html>not json</html>".into()),
            _ => Answer::ok(signed_body(&key, r#"{"code":"10000","msg":"Success"}"#, &alipay, None)),
        }
    })
}

#[tokio::test]
async fn success_is_verified_and_typed() {
    let gw = start(app_public(), scenarios()).await;
    let c = client(&gw.url());
    let out = c.execute(&query("success")).await.unwrap();
    assert_eq!(out["trade_status"], "TRADE_SUCCESS");
    assert_eq!(out["note"], "{\"a\":\"}\"} / x");
    assert!(!out.contains_key("code") && !out.contains_key("msg"));
    let seen = gw.requests();
    assert_eq!(seen.len(), 1);
    let s = &seen[0];
    assert!(s.signature_ok, "the gateway verified the request signature");
    // Protocol params in the query, business params in the body.
    for k in [
        "app_id",
        "method",
        "format",
        "charset",
        "sign_type",
        "timestamp",
        "version",
        "sign",
    ] {
        assert!(s.query.contains_key(k), "{k} in query");
    }
    assert_eq!(s.query["format"], "json");
    assert!(s.body.contains_key("biz_content") && !s.query.contains_key("biz_content"));
    assert!(
        s.content_type
            .starts_with("application/x-www-form-urlencoded")
    );
}

#[tokio::test]
async fn errors_are_typed() {
    let gw = start(app_public(), scenarios()).await;
    let c = client(&gw.url());

    let e = c.execute(&query("business_error")).await.unwrap_err();
    let api = e.api().expect("api error");
    assert_eq!(api.code, "40004");
    assert_eq!(api.sub_code.as_deref(), Some("ACQ.TRADE_NOT_EXIST"));
    assert!(api.signed);
    assert_eq!(api.trace_id.as_deref(), Some("trace-test-1"));
    assert!(!e.outcome_unknown());

    let e = c.execute(&query("system_error")).await.unwrap_err();
    assert!(e.outcome_unknown(), "20000 means: query before retrying");

    // Unsigned errors (an `error_response`, or a method node without `sign`) are
    // reported, but never as a decline: the outcome is unknown.
    for unsigned in ["unsigned_error", "unsigned_node_error"] {
        let e = c.execute(&query(unsigned)).await.unwrap_err();
        assert!(e.outcome_unknown(), "{unsigned}: {e}");
        assert!(!matches!(e, Error::Api(_)), "{unsigned}: {e:?}");
        assert!(e.api().is_none());
        let api = e
            .unverified_api()
            .expect("unsigned errors are still reported");
        assert!(!api.signed);
        assert!(e.to_string().contains("unsigned"));
        assert!(e.to_string().contains("query before retrying"), "{e}");
    }
    let e = c.execute(&query("unsigned_error")).await.unwrap_err();
    assert_eq!(
        e.unverified_api().unwrap().sub_code.as_deref(),
        Some("isv.invalid-app-id")
    );

    let e = c.execute(&query("unsigned_success")).await.unwrap_err();
    assert!(
        matches!(e, Error::Signature(SignatureError::Missing(_))),
        "{e}"
    );

    for bad in ["bad_signature", "tampered"] {
        let e = c.execute(&query(bad)).await.unwrap_err();
        assert!(
            matches!(e, Error::Signature(SignatureError::Invalid(_))),
            "{bad}: {e}"
        );
    }

    let e = c.execute(&query("duplicate_node")).await.unwrap_err();
    assert!(matches!(e, Error::Decode(_)), "{e}");
    assert!(
        e.to_string().contains("more than once") || format!("{e:?}").contains("more than once")
    );

    let e = c.execute(&query("html")).await.unwrap_err();
    match &e {
        Error::Decode(d) => assert!(d.raw.contains("not json")),
        other => panic!("{other}"),
    }

    let e = c.execute(&query("http_500")).await.unwrap_err();
    match &e {
        Error::Http(h) => {
            assert_eq!(h.kind, HttpErrorKind::Status);
            assert_eq!(h.status, Some(502));
            assert!(h.maybe_sent);
        }
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn wrong_app_key_is_refused_by_the_gateway() {
    let gw = start(app_public(), scenarios()).await;
    // Signed with the "alipay" key instead of the app key: the gateway refuses.
    let c = Client::builder()
        .app_id(APP_ID)
        .private_key(read("keys/alipay_private_pkcs1.pem"))
        .alipay_public_key(read("keys/app_public.pem"))
        .gateway_url(gw.url())
        .build()
        .unwrap();
    let e = c.execute(&query("success")).await.unwrap_err();
    assert_eq!(
        e.unverified_api().map(|a| a.sub_code.as_deref()),
        Some(Some("isv.invalid-signature"))
    );
    assert!(!gw.requests()[0].signature_ok);
}

#[tokio::test]
async fn timeouts_and_dead_servers() {
    let gw = start(app_public(), scenarios()).await;
    let c = builder()
        .gateway_url(gw.url())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let e = c.execute(&query("slow")).await.unwrap_err();
    match &e {
        Error::Http(h) => assert_eq!(h.kind, HttpErrorKind::Timeout),
        other => panic!("{other}"),
    }
    assert!(e.outcome_unknown());

    // Nothing listens on this port (bound, then dropped).
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = client(&format!("http://127.0.0.1:{port}/gateway.do"));
    let e = c.execute(&query("x")).await.unwrap_err();
    match &e {
        Error::Http(h) => assert_eq!(h.kind, HttpErrorKind::Connect),
        other => panic!("{other}"),
    }
    assert!(!e.outcome_unknown(), "nothing was sent");
}

#[tokio::test]
async fn truncated_body() {
    let addr = start_raw(
        b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 500\r\nconnection: close\r\n\r\n{\"alipay_trade_query_response\":{\"code\":\"10000\"",
    )
    .await;
    let c = client(&format!("http://{addr}/gateway.do"));
    let e = c.execute(&query("x")).await.unwrap_err();
    assert!(matches!(e, Error::Http(_) | Error::Decode(_)), "{e}");
    assert!(e.outcome_unknown());

    // A complete but cut JSON document.
    let addr = start_raw(
        b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 46\r\nconnection: close\r\n\r\n{\"alipay_trade_query_response\":{\"code\":\"10000\"",
    )
    .await;
    let c = client(&format!("http://{addr}/gateway.do"));
    let e = c.execute(&query("x")).await.unwrap_err();
    assert!(matches!(e, Error::Decode(_)), "{e}");
}

#[tokio::test]
async fn a_custom_reqwest_client_is_used() {
    let gw = start(app_public(), scenarios()).await;
    let http = reqwest::Client::builder()
        .user_agent("custom-agent/1")
        .build()
        .unwrap();
    let c = builder()
        .gateway_url(gw.url())
        .http_client(http)
        .build()
        .unwrap();
    assert_eq!(
        c.execute(&query("success")).await.unwrap()["trade_status"],
        "TRADE_SUCCESS"
    );
}

/// A custom reqwest client built without timeouts still gets the client's
/// whole-request timeout on every call.
#[tokio::test]
async fn a_custom_client_without_timeouts_is_bounded() {
    let gw = start(app_public(), scenarios()).await;
    let c = builder()
        .gateway_url(gw.url())
        .http_client(reqwest::Client::new())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let e = c.execute(&query("slow")).await.unwrap_err();
    match &e {
        Error::Http(h) => assert_eq!(h.kind, HttpErrorKind::Timeout, "{e}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn call_options_and_uploads() {
    let gw = start(app_public(), scenarios()).await;
    let c = client(&gw.url());
    let opts = CallOptions::new()
        .app_auth_token("tok-1")
        .notify_url("https://example.com/n");
    c.execute_with(&query("plain").protocol("notify_url", "https://old"), &opts)
        .await
        .unwrap();
    let s = &gw.requests()[0];
    assert_eq!(s.query["app_auth_token"], "tok-1");
    assert_eq!(
        s.query["notify_url"], "https://example.com/n",
        "per-call options win"
    );

    let upload = GenericRequest::new("alipay.offline.material.image.upload")
        .text("image_type", "png")
        .text("image_name", "logo")
        .file(
            "image_content",
            FileUpload::new("logo.png", b"PNGDATA".to_vec()),
        );
    c.execute(&upload).await.unwrap();
    let s = &gw.requests()[1];
    assert!(s.content_type.starts_with("multipart/form-data"));
    assert!(s.signature_ok, "text params signed, file part not");
    assert_eq!(s.body["image_type"], "png");
    assert_eq!(s.body["file:image_content"], "7");
}

#[tokio::test]
async fn aes_requests_and_responses() {
    let alipay = Arc::new(alipay_private());
    let aes =
        alipay_api::crypto::aes::AesKey::from_base64(read("keys/aes_key.txt").trim()).unwrap();
    let aes2 = aes.clone();
    let handler: Handler = Arc::new(move |seen: &Seen| {
        assert_eq!(
            seen.query.get("encrypt_type").map(String::as_str),
            Some("AES")
        );
        let plain = aes2.decrypt(&seen.body["biz_content"]).unwrap();
        assert!(plain.contains("enc-1"));
        let ct = aes2.encrypt(r#"{"code":"10000","msg":"Success","secret":"加密 ok"}"#);
        // The signature covers the quoted ciphertext.
        let node = format!("\"{ct}\"");
        Answer::ok(signed_body(
            "alipay_trade_query_response",
            &node,
            &alipay,
            None,
        ))
    });
    let gw = start(app_public(), handler).await;
    let c = builder()
        .aes_key(read("keys/aes_key.txt").trim())
        .gateway_url(gw.url())
        .build()
        .unwrap();
    let out = c.execute(&query("enc-1")).await.unwrap();
    assert_eq!(out["secret"], "加密 ok");
    assert!(gw.requests()[0].signature_ok);
    drop(aes);
}

#[test]
fn configuration_mistakes_are_typed() {
    let base = || {
        Client::builder()
            .app_id(APP_ID)
            .private_key(app_private())
            .alipay_public_key(alipay_public_text())
    };
    assert!(base().build().is_ok());
    // Bare base64 (one line) works for both keys, as the console shows them.
    let bare = |pem: String| {
        pem.lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<String>()
    };
    assert!(
        Client::builder()
            .app_id(APP_ID)
            .private_key(bare(app_private()))
            .alipay_public_key(bare(alipay_public_text()))
            .build()
            .is_ok()
    );
    let own = Client::builder()
        .app_id(APP_ID)
        .private_key(app_private())
        .alipay_public_key(read("keys/app_public.pem"))
        .build()
        .unwrap_err();
    assert_eq!(own, ConfigError::OwnPublicKey);
    assert!(own.to_string().contains("own public key"));
    assert_eq!(
        Client::builder()
            .private_key(app_private())
            .alipay_public_key(alipay_public_text())
            .build()
            .unwrap_err(),
        ConfigError::Missing("app_id")
    );
    assert!(matches!(
        Client::builder()
            .app_id(APP_ID)
            .alipay_public_key(alipay_public_text())
            .build()
            .unwrap_err(),
        ConfigError::Missing(_)
    ));
    assert!(matches!(
        Client::builder()
            .app_id(APP_ID)
            .private_key(app_private())
            .build()
            .unwrap_err(),
        ConfigError::Missing(_)
    ));
    // A public key where the private key goes, and the reverse.
    let e = Client::builder()
        .app_id(APP_ID)
        .private_key(alipay_public_text())
        .alipay_public_key(alipay_public_text())
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("not a private key"), "{e}");
    let e = Client::builder()
        .app_id(APP_ID)
        .private_key(app_private())
        .alipay_public_key(read("keys/alipay_private_pkcs8.pem"))
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("private key"), "{e}");
    assert!(matches!(
        base().private_key("garbage!").build().unwrap_err(),
        ConfigError::Key { .. }
    ));
    assert!(matches!(
        base().aes_key("abc").build().unwrap_err(),
        ConfigError::Invalid {
            field: "aes_key",
            ..
        }
    ));
    assert!(matches!(
        base().gateway_url("not a url").build().unwrap_err(),
        ConfigError::Invalid {
            field: "gateway",
            ..
        }
    ));
    assert!(matches!(
        base().app_id("abc").build().unwrap_err(),
        ConfigError::Invalid {
            field: "app_id",
            ..
        }
    ));
    assert!(matches!(
        base().proxy("::bad").build().unwrap_err(),
        ConfigError::Invalid { field: "proxy", .. }
    ));
    // Debug output never shows key material.
    let key_body = app_private().lines().nth(1).unwrap().to_owned();
    let dbg = format!("{:?} {:?}", base(), base().build().unwrap());
    assert!(!dbg.contains(&key_body[..20]));
    let pk = PrivateKey::from_text(&app_private()).unwrap();
    assert!(!format!("{pk:?}").contains(&key_body[..20]));
}

#[test]
fn page_and_app_entry_points_use_the_configured_gateway_and_clock() {
    let c = builder()
        .sandbox()
        .clock(|| "2024-01-02 03:04:05".parse().unwrap())
        .build()
        .unwrap();
    let req =
        GenericRequest::new("alipay.trade.page.pay").biz_content(&json!({"subject": "a<b>&\"c\""}));
    let opts = CallOptions::new().return_url("https://r");
    let url = c.page_url_with(&req, &opts).unwrap();
    assert!(url.starts_with(
        "https://openapi-sandbox.dl.alipaydev.com/gateway.do?method=alipay.trade.page.pay"
    ));
    assert!(url.contains("timestamp=2024-01-02+03%3A04%3A05"));
    assert!(url.contains("return_url=https%3A%2F%2Fr"));
    let form = c.page_form_with(&req, &opts).unwrap();
    assert!(form.contains("&amp;"), "the action URL is escaped");
    assert!(form.contains("a&lt;b&gt;&amp;\\&quot;c\\&quot;"), "{form}");
    let order = c.app_order_string(&req).unwrap();
    assert!(order.starts_with("method=alipay.trade.page.pay&app_id=2021000000000001"));
    assert!(order.contains("&sign="));
}

/// A generated request through `execute`: the typed response has `code`/`msg`
/// stripped and the rest deserialised.
#[cfg(feature = "trade")]
#[tokio::test]
async fn generated_request_round_trip() {
    let gw = start(app_public(), scenarios()).await;
    let c = client(&gw.url());
    let req = alipay_api::trade::AlipayTradeQuery::builder()
        .out_trade_no("success")
        .build()
        .unwrap();
    let resp = c.execute(&req).await.unwrap();
    assert_eq!(resp.out_trade_no.as_deref(), Some("success"));
    let s = &gw.requests()[0];
    assert_eq!(s.method(), "alipay.trade.query");
    assert_eq!(s.biz()["out_trade_no"], "success");
    let e = c
        .execute(
            &alipay_api::trade::AlipayTradeQuery::builder()
                .out_trade_no("business_error")
                .build()
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.api().unwrap().sub_code.as_deref(),
        Some("ACQ.TRADE_NOT_EXIST")
    );
}

#[test]
fn default_clock_is_beijing_time() {
    let c = builder().build().unwrap();
    let signed = c.sign_request(&query("x"), &CallOptions::new()).unwrap();
    let ts = signed
        .query
        .iter()
        .find(|(k, _)| k == "timestamp")
        .unwrap()
        .1
        .clone();
    let sent: alipay_api::BeijingDateTime = ts.parse().unwrap();
    let now_utc = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // The wall-clock reading is UTC+8 whatever the host's zone.
    let naive_as_utc = sent.naive().and_utc().timestamp();
    assert!((naive_as_utc - (now_utc + 8 * 3600)).abs() < 300, "{ts}");
}

#[test]
fn notifications_are_verified_before_typing() {
    use alipay_api::crypto::{SignType, sign_base64};
    use alipay_api::protocol::{form_encode, notify_content};
    #[derive(serde::Deserialize, Debug)]
    struct TradeNotify {
        out_trade_no: String,
        total_amount: alipay_api::Amount,
        trade_status: String,
    }
    let c = builder().build().unwrap();
    let mut params = vec![
        ("notify_type", "trade_status_sync"),
        ("app_id", APP_ID),
        ("out_trade_no", "T9"),
        ("total_amount", "12.30"),
        ("trade_status", "TRADE_SUCCESS"),
        ("charset", "utf-8"),
        ("sign_type", "RSA2"),
    ];
    let content = notify_content(params.iter().copied(), &["sign", "sign_type"]);
    let sign = sign_base64(&alipay_private(), SignType::Rsa2, content.as_bytes()).unwrap();
    params.push(("sign", &sign));
    let body = form_encode(params.iter().copied());
    let n: TradeNotify = c
        .verify_notification(body.as_bytes())
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        (
            n.out_trade_no.as_str(),
            n.total_amount.to_string().as_str(),
            n.trade_status.as_str()
        ),
        ("T9", "12.30", "TRADE_SUCCESS")
    );
    assert_eq!(alipay_api::NOTIFY_ACK, "success");
    // Tampered: rejected before any typing happens.
    let forged = body.replace("12.30", "0.01");
    assert!(matches!(
        c.verify_notification(forged.as_bytes()).unwrap_err(),
        Error::Signature(_)
    ));
    // A downgrade to SHA-1 is refused.
    let downgraded = body.replace("sign_type=RSA2", "sign_type=RSA");
    assert!(c.verify_notification(downgraded.as_bytes()).is_err());
    // Unsigned.
    assert!(matches!(
        c.verify_notification(b"out_trade_no=T9&total_amount=0.01")
            .unwrap_err(),
        Error::Signature(SignatureError::Missing(_))
    ));
}

/// A genuine notification for another app (Alipay signs every app's with the same
/// key) is refused, unless the client accepts any app.
#[test]
fn notifications_for_another_app_are_refused() {
    use alipay_api::crypto::{SignType, sign_base64};
    use alipay_api::error::WrongAppError;
    use alipay_api::protocol::{form_encode, notify_content};
    let signed = |params: &[(&str, &str)]| {
        let content = notify_content(params.iter().copied(), &["sign", "sign_type"]);
        let sign = sign_base64(&alipay_private(), SignType::Rsa2, content.as_bytes()).unwrap();
        let mut all = params.to_vec();
        all.push(("sign", &sign));
        form_encode(all.iter().copied())
    };
    let builder = || {
        Client::builder()
            .app_id(APP_ID)
            .private_key(app_private())
            .alipay_public_key(alipay_public_text())
    };
    let (strict, any) = (
        builder().build().unwrap(),
        builder()
            .accept_notifications_for_any_app()
            .build()
            .unwrap(),
    );
    let other = "2021000000000999";
    // The notification's parameters, and the field it is refused for.
    type Case<'a> = (&'a [(&'a str, &'a str)], Option<&'a str>);
    let cases: [Case; 5] = [
        (&[("app_id", APP_ID), ("auth_app_id", APP_ID)], None),
        (&[("app_id", APP_ID)], None),
        (&[("app_id", other), ("auth_app_id", other)], Some("app_id")),
        (
            &[("app_id", APP_ID), ("auth_app_id", other)],
            Some("auth_app_id"),
        ),
        (&[("out_trade_no", "T1")], Some("app_id")),
    ];
    for (params, refused) in cases {
        let body = signed(params);
        match (strict.verify_notification(body.as_bytes()), refused) {
            (Ok(_), None) => {}
            (Err(Error::WrongApp(WrongAppError { field, .. })), Some(f)) => assert_eq!(field, f),
            (other, _) => panic!("{params:?}: {other:?}"),
        }
        let decoded: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        let via_params = strict.verify_params(decoded.clone(), Default::default());
        assert_eq!(via_params.is_ok(), refused.is_none(), "{params:?}");
        assert!(any.verify_notification(body.as_bytes()).is_ok());
        assert!(any.verify_params(decoded, Default::default()).is_ok());
    }
    let e = strict
        .verify_notification(signed(&[("app_id", other)]).as_bytes())
        .unwrap_err();
    assert!(!e.outcome_unknown());
    assert!(e.to_string().contains(other), "{e}");
}

#[tokio::test]
async fn oversized_bodies_are_not_read() {
    let n = alipay_api::client::MAX_BODY + 10;
    let mut raw =
        format!("HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {n}\r\n\r\n")
            .into_bytes();
    raw.resize(raw.len() + n, b' ');
    let addr = start_raw(Box::leak(raw.into_boxed_slice())).await;
    let e = client(&format!("http://{addr}/gateway.do"))
        .execute(&query("x"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("exceeds"), "{e}");
    assert!(e.outcome_unknown());
}

/// The blocking client is the async one on a private runtime: it works from plain
/// threads and the async context may still own (and drop) it without panicking.
#[cfg(feature = "blocking")]
#[tokio::test(flavor = "multi_thread")]
async fn blocking_client_from_a_thread_and_dropped_in_async_code() {
    let gw = start(app_public(), scenarios()).await;
    let url = gw.url();
    let blocking = Client::builder()
        .app_id("2021000000000001")
        .private_key(app_private())
        .alipay_public_key(alipay_public_text())
        .gateway_url(url)
        .build_blocking()
        .unwrap();
    let for_thread = blocking.clone();
    let out = std::thread::spawn(move || for_thread.execute(&query("success")))
        .join()
        .unwrap()
        .unwrap();
    assert_eq!(out["trade_status"], "TRADE_SUCCESS");
    // The last clone is dropped here, inside async code.
    drop(blocking);
}

/// The client never follows a redirect: a signed request (and its tokens) goes to
/// the configured gateway only.
#[tokio::test]
async fn redirects_are_not_followed() {
    let elsewhere = start(app_public(), scenarios()).await;
    let target = format!("{}?stolen=1", elsewhere.url());
    let redirecting = start(
        app_public(),
        Arc::new(move |_: &Seen| Answer {
            status: 307,
            headers: vec![("location".into(), target.clone())],
            ..Answer::ok(String::new())
        }),
    )
    .await;
    let c = client(&redirecting.url());
    let e = c
        .execute_with(&query("success"), &CallOptions::new().app_auth_token("tok"))
        .await
        .unwrap_err();
    match &e {
        Error::Http(h) => assert_eq!(
            (h.kind, h.status),
            (HttpErrorKind::Status, Some(307)),
            "{e}"
        ),
        other => panic!("{other:?}"),
    }
    assert!(elsewhere.requests().is_empty(), "the redirect was followed");
}

#[test]
fn plain_http_only_for_loopback_gateways() {
    let build = |url: &str| {
        Client::builder()
            .app_id(APP_ID)
            .private_key(app_private())
            .alipay_public_key(alipay_public_text())
            .gateway_url(url)
            .build()
    };
    for ok in [
        "http://127.0.0.1:8080/gateway.do",
        "http://127.9.8.7/gateway.do",
        "http://[::1]:9000/gateway.do",
        "http://localhost/gateway.do",
        "https://openapi.alipay.com/gateway.do",
        "https://example.com/gateway.do",
    ] {
        assert!(build(ok).is_ok(), "{ok}");
    }
    for bad in [
        "http://openapi.alipay.com/gateway.do",
        "http://10.0.0.1/gateway.do",
        "http://localhost.example.com/gateway.do",
        "http://[::2]/gateway.do",
        "http://0.0.0.0/gateway.do",
    ] {
        let e = build(bad).unwrap_err();
        assert!(
            matches!(&e, ConfigError::InsecureGateway { .. }),
            "{bad}: {e:?}"
        );
        assert!(e.to_string().contains("https"), "{e}");
    }
}

/// A parameter the client sets itself, given on the request or in the call options,
/// or a name given twice, is refused before anything is sent: never sent twice with
/// both values signed.
#[tokio::test]
async fn reserved_and_repeated_names_are_refused_before_sending() {
    use alipay_api::error::RequestError;
    let gw = start(app_public(), scenarios()).await;
    let c = client(&gw.url());
    let cases = [
        (query("x").protocol("charset", "gbk"), CallOptions::new()),
        (
            query("x").protocol("timestamp", "2020-01-01 00:00:00"),
            CallOptions::new(),
        ),
        (query("x").text("sign_type", "RSA"), CallOptions::new()),
        (query("x").text("biz_content", "{}"), CallOptions::new()),
        (
            query("x"),
            CallOptions::new().param("method", "alipay.trade.refund"),
        ),
        (query("x"), CallOptions::new().param("app_cert_sn", "x")),
        (
            query("x")
                .protocol("notify_url", "https://a")
                .protocol("notify_url", "https://b"),
            CallOptions::new(),
        ),
        (
            query("x").text("memo", "a"),
            CallOptions::new().param("memo", "b"),
        ),
    ];
    for (req, opts) in &cases {
        let e = c.execute_with(req, opts).await.unwrap_err();
        assert!(
            matches!(
                e,
                Error::Request(RequestError::Reserved(_) | RequestError::Duplicate(_))
            ),
            "{req:?} {opts:?}: {e:?}"
        );
        assert!(!e.outcome_unknown());
        assert!(c.page_url_with(req, opts).is_err());
        assert!(c.app_order_string_with(req, opts).is_err());
    }
    assert!(gw.requests().is_empty(), "nothing was sent");
    // Options still replace the request's own value of a protocol parameter.
    let req = query("x").protocol("notify_url", "https://old");
    let signed = c
        .sign_request(&req, &CallOptions::new().notify_url("https://new"))
        .unwrap();
    let urls: Vec<_> = signed
        .query
        .iter()
        .filter(|(k, _)| k == "notify_url")
        .collect();
    assert_eq!(urls.len(), 1);
}

/// A gateway URL that already carries `charset` (as SDK examples often do) does not
/// make the client send it twice; a conflicting or other client-owned parameter
/// there is a configuration error.
#[tokio::test]
async fn a_charset_in_the_gateway_url_is_not_sent_twice() {
    let gw = start(app_public(), scenarios()).await;
    let c = client(&format!("{}?charset=utf-8", gw.url()));
    let signed = c.sign_request(&query("x"), &CallOptions::new()).unwrap();
    let url = signed.url(c.gateway());
    assert_eq!(url.matches("charset=").count(), 1, "{url}");
    c.execute(&query("success")).await.unwrap();
    assert!(gw.requests()[0].signature_ok);

    let kept = client(&format!("{}?tenant=7&charset=UTF-8", gw.url()));
    assert_eq!(kept.gateway(), format!("{}?tenant=7", gw.url()));
    for bad in ["?charset=gbk", "?sign_type=RSA", "?app_id=1"] {
        let e = Client::builder()
            .app_id(APP_ID)
            .private_key(app_private())
            .alipay_public_key(alipay_public_text())
            .gateway_url(format!("{}{bad}", gw.url()))
            .build()
            .unwrap_err();
        assert!(
            matches!(
                e,
                ConfigError::Invalid {
                    field: "gateway",
                    ..
                }
            ),
            "{bad}: {e}"
        );
    }
}

/// A GBK client signs the GBK bytes of the string to sign and percent-encodes GBK
/// on the wire; text GBK cannot carry is refused, naming the parameter.
#[test]
fn a_gbk_client_encodes_and_signs_in_gbk() {
    use alipay_api::Charset;
    use alipay_api::crypto::SignType;
    use alipay_api::error::RequestError;
    let c = builder().charset(Charset::Gbk).build().unwrap();
    let req = GenericRequest::new("alipay.trade.precreate")
        .biz_content(&json!({"subject": "中文 a+b&c", "out_trade_no": "G1"}))
        .text("memo", "测试");
    let signed = c.sign_request(&req, &CallOptions::new()).unwrap();
    let gbk = |s: &str| encoding_rs::GBK.encode(s).0.into_owned();
    let sign = &signed.query.iter().find(|(k, _)| k == "sign").unwrap().1;
    assert!(signed.sign_content.contains("charset=GBK"));
    let key = app_public();
    assert!(key.verify_base64(SignType::Rsa2, &gbk(&signed.sign_content), sign));
    assert!(!key.verify_base64(SignType::Rsa2, signed.sign_content.as_bytes(), sign));
    // 中文 is D6D0 CEC4 and 测试 B2E2 CAD4 in GBK.
    let body = signed.form_body();
    assert!(body.contains("%D6%D0%CE%C4+a%2Bb%26c"), "{body}");
    assert!(body.contains("memo=%B2%E2%CA%D4"), "{body}");
    assert!(signed.page_url(c.gateway()).contains("%D6%D0%CE%C4"));
    assert!(
        c.page_form(&req)
            .unwrap()
            .contains("accept-charset=\"GBK\"")
    );

    let e = c
        .sign_request(&req.clone().text("note", "smile 😀"), &CallOptions::new())
        .unwrap_err();
    match e {
        Error::Request(RequestError::Unencodable { field, .. }) => assert_eq!(field, "note"),
        other => panic!("{other:?}"),
    }
}

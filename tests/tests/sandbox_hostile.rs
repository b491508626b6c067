//! Hostile input never crashes the gateway: every request gets an Alipay-shaped
//! answer, and the gateway keeps serving.

mod sandbox_support;

use alipay_api::trade::AlipayTradeQuery;
use std::time::Duration;

use alipay_sandbox::Sandbox;
use proptest::prelude::*;

/// What the gateway may answer: JSON with exactly one response node, or an HTML
/// page (page payments), or a redirect.
fn well_formed(status: u16, content_type: &str, body: &str) -> Result<(), String> {
    if status == 302 || content_type.starts_with("text/html") {
        return Ok(());
    }
    if status != 200 {
        return Err(format!("status {status}: {body}"));
    }
    let v: serde_json::Value = serde_json::from_str(body).map_err(|e| format!("{e}: {body}"))?;
    let obj = v.as_object().ok_or(body.to_owned())?;
    let nodes: Vec<_> = obj.keys().filter(|k| k.ends_with("_response")).collect();
    if nodes.len() != 1 {
        return Err(format!("nodes {nodes:?} in {body}"));
    }
    let node = &obj[nodes[0].as_str()];
    if node.get("code").and_then(|c| c.as_str()).is_none() {
        return Err(format!("no code in {body}"));
    }
    Ok(())
}

fn param_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("method".to_owned()),
        Just("app_id".to_owned()),
        Just("sign".to_owned()),
        Just("sign_type".to_owned()),
        Just("timestamp".to_owned()),
        Just("charset".to_owned()),
        Just("biz_content".to_owned()),
        Just("encrypt_type".to_owned()),
        Just("version".to_owned()),
        "[a-z_%+&=]{0,12}",
    ]
}

fn param_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("alipay.trade.query".to_owned()),
        Just("alipay.trade.page.pay".to_owned()),
        Just("2021000000000001".to_owned()),
        Just("RSA2".to_owned()),
        Just("AES".to_owned()),
        Just("gbk".to_owned()),
        Just("{\"out_trade_no\":[[[[[[[[[[]]]]]]]]]]}".to_owned()),
        Just("%FF%FE%".to_owned()),
        ".{0,40}",
    ]
}

#[test]
fn arbitrary_requests_get_alipay_shaped_answers() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let gw = rt.block_on(Sandbox::start()).unwrap();
    let url = gw.gateway_url();
    let http = sandbox_support::browser();
    let send = |query: String, content_type: String, body: Vec<u8>| {
        rt.block_on(async {
            let r = http
                .post(format!("{url}?{query}"))
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = r.status().as_u16();
            let ct = r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let body = r.text().await.map_err(|e| e.to_string())?;
            well_formed(status, &ct, &body)
        })
    };
    let content_types = prop_oneof![
        Just("application/x-www-form-urlencoded".to_owned()),
        Just("multipart/form-data; boundary=XyZ".to_owned()),
        Just("multipart/form-data".to_owned()),
        Just("application/json".to_owned()),
        "[ -~]{0,30}",
    ];
    let pairs = || proptest::collection::vec((param_name(), param_value()), 0..10);
    let raw_body = proptest::collection::vec(any::<u8>(), 0..600);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 300,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &(pairs(), pairs(), content_types, raw_body, any::<bool>()),
            |(query, form, ct, raw, use_raw)| {
                let q = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&query)
                    .finish();
                let body = if use_raw {
                    raw
                } else {
                    form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(&form)
                        .finish()
                        .into_bytes()
                };
                send(q, ct, body).map_err(TestCaseError::fail)
            },
        )
        .unwrap();

    // Hand-picked nasties.
    let multipart = b"--XyZ\r\nContent-Disposition: form-data; name=\"method\"\r\n\r\nalipay.trade.query\r\n--XyZ\r\nContent-Disposition: form-data; name=\"image_content\"; filename=\"a.jpg\"\r\n\r\n\x00\x01".to_vec();
    for (q, ct, body) in [
        (
            "method=alipay.trade.query&method=x".to_owned(),
            "x".to_owned(),
            vec![],
        ),
        ("charset=klingon".to_owned(), "x".to_owned(), vec![]),
        (
            String::new(),
            "multipart/form-data; boundary=XyZ".to_owned(),
            multipart,
        ),
        (
            "a=%".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
            b"%%%&&&===".to_vec(),
        ),
        (
            String::new(),
            "application/x-www-form-urlencoded".to_owned(),
            vec![b'a'; 17 * 1024 * 1024],
        ),
    ] {
        send(q, ct, body).unwrap();
    }

    rt.block_on(still_serving(&gw));
}

/// The gateway still answers a real client: a signed, verified "no such trade".
async fn still_serving(gw: &Sandbox) {
    let query = AlipayTradeQuery::builder()
        .out_trade_no("after")
        .build()
        .unwrap();
    let e = gw.client().unwrap().execute(&query).await.unwrap_err();
    assert_eq!(
        e.api().unwrap().sub_code.as_deref(),
        Some("ACQ.TRADE_NOT_EXIST")
    );
}

/// A 100k-parameter body (1 MB of `p0=&p1=&…`, the shape that cost seconds of CPU in
/// a quadratic duplicate check) is refused in Alipay's shape once the parameter cap
/// is reached, and the gateway keeps serving.
#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_thousand_parameters_are_refused_at_the_cap() {
    let gw = Sandbox::start().await.unwrap();
    let body: Vec<String> = (0..100_000).map(|i| format!("p{i}=")).collect();
    let r = sandbox_support::browser()
        .post(gw.gateway_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.join("&"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    let node = &v["error_response"];
    assert_eq!(node["code"], "40002", "{v}");
    assert_eq!(node["sub_code"], "isv.invalid-parameter", "{v}");
    assert!(
        node["sub_msg"]
            .as_str()
            .is_some_and(|m| m.contains("more than 1000 parameters")),
        "{v}"
    );
    still_serving(&gw).await;
}

/// Connects, sends `head` at once, then one byte of `slow` every 50 ms for 6 s while
/// reading. What the server sent before it hung up, or `None` if it kept the
/// connection open all along.
async fn dribble(addr: std::net::SocketAddr, head: &[u8], slow: &'static [u8]) -> Option<Vec<u8>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    wr.write_all(head).await.unwrap();
    let writer = tokio::spawn(async move {
        for b in slow.iter().cycle().take(120) {
            if wr.write_all(&[*b]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Hold the connection open; the test aborts this task.
        std::future::pending::<()>().await;
    });
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(6), rd.read_to_end(&mut got)).await;
    writer.abort();
    // Ok(Ok) is an orderly close, Ok(Err) a reset: either way the server hung up.
    read.ok().map(|_| got)
}

/// Slowloris: a client that sends its headers or its body a byte at a time is cut
/// off after the configured read timeouts, and other clients are still served.
#[tokio::test(flavor = "multi_thread")]
async fn slow_headers_and_bodies_are_cut_off() {
    let cfg = alipay_sandbox::SandboxConfig::new()
        .header_read_timeout(Duration::from_millis(400))
        .body_read_timeout(Duration::from_millis(400));
    let gw = Sandbox::start_with(cfg).await.unwrap();
    let headers = dribble(
        gw.addr(),
        b"POST /gateway.do HTTP/1.1\r\nHost: sandbox\r\nX-Slow: ",
        b"a",
    )
    .await;
    assert!(
        headers.is_some(),
        "a client dribbling its headers kept the connection"
    );
    let body = dribble(
        gw.addr(),
        b"POST /gateway.do HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nmethod=",
        b"a",
    )
    .await
    .expect("a client dribbling its body kept the connection");
    let text = String::from_utf8_lossy(&body);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("\"error_response\""), "{text}");
    still_serving(&gw).await;
}

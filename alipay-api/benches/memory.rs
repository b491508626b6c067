//! Memory the runtime uses per operation, counted by dhat's allocator: allocations,
//! bytes allocated and the peak of live bytes for building and signing a request,
//! reading a signed response, verifying a notification, and refusing a hostile
//! notification body of 100k empty parameters (1 MB) and a forged answer of 100k
//! members, which the caps must stop before they cost memory in proportion to the
//! body (nor is the body copied into the error).
//!
//! Run with `cargo bench -p alipay-api --bench memory`. Prints each figure with its
//! budget; a measurement, never an assertion.

use alipay_api::BeijingDateTime;
use alipay_api::crypto::{PrivateKey, PublicKey, SignType, sign_base64};
use alipay_api::protocol::notify::{self, NotifyScheme};
use alipay_api::protocol::request::{CommonParams, RequestParts, sign_request};
use alipay_api::protocol::response::{self, ResponseContext};
use alipay_api::protocol::{form_encode, notify_content};
use alipay_tests::vectors::read;
use serde_json::{Map, Value};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// What one call of `f` allocates, counted from a fresh profiler: allocations,
/// bytes, and the peak of live bytes (what was allocated before is not counted).
fn measure<T>(f: impl FnOnce() -> T) -> dhat::HeapStats {
    let _profiler = dhat::Profiler::builder().testing().build();
    drop(std::hint::black_box(f()));
    dhat::HeapStats::get()
}

fn report(name: &str, s: &dhat::HeapStats, budget_peak_kib: usize) {
    let peak_kib = s.max_bytes as f64 / 1024.0;
    println!(
        "{name:<36} {:>6} allocations {:>8.1} KiB allocated  peak {peak_kib:>7.1} KiB (budget <= {budget_peak_kib} KiB){}",
        s.total_blocks,
        s.total_bytes as f64 / 1024.0,
        if peak_kib <= budget_peak_kib as f64 {
            ""
        } else {
            "  ABOVE BUDGET"
        }
    );
}

fn main() {
    let app = PrivateKey::from_text(&read("keys/app_private_pkcs8.pem")).unwrap();
    let alipay_priv = PrivateKey::from_text(&read("keys/alipay_private_pkcs8.pem")).unwrap();
    let alipay_pub = PublicKey::from_text(&read("keys/alipay_public.pem")).unwrap();

    // A query request, as the client signs it.
    let common = CommonParams::new("2021000000000001");
    let ts: BeijingDateTime = "2024-01-02 03:04:05".parse().unwrap();
    let parts = RequestParts {
        method: "alipay.trade.query".into(),
        version: "1.0".into(),
        protocol: vec![("app_auth_token".into(), "202401BBxxxxxxxxxxxx".into())],
        biz_content: Some(r#"{"out_trade_no":"20240102030405001"}"#.into()),
        text: vec![],
        files: vec![],
    };
    let s = measure(|| sign_request(&common, parts.clone(), ts, &app, None).unwrap());
    report("build + sign request", &s, 32);

    // A signed query answer.
    let node = r#"{"code":"10000","msg":"Success","buyer_logon_id":"158****1562","fund_bill_list":[{"amount":"88.88","fund_channel":"ALIPAYACCOUNT"}],"out_trade_no":"20240102030405001","send_pay_date":"2024-01-02 03:04:06","subject":"测试商品","total_amount":"88.88","trade_no":"2024010222001446880500000001","trade_status":"TRADE_SUCCESS"}"#;
    let sign = sign_base64(&alipay_priv, SignType::Rsa2, node.as_bytes()).unwrap();
    let body = format!(r#"{{"alipay_trade_query_response":{node},"sign":"{sign}"}}"#);
    let ctx = ResponseContext {
        method: "alipay.trade.query",
        extra_success_codes: &[],
        extra_success_result_codes: &[],
        sign_type: SignType::Rsa2,
        aes: None,
        charset: alipay_api::Charset::Utf8,
    };
    let s = measure(|| {
        let m: Map<String, Value> = response::read_response(
            &ctx,
            "alipay_trade_query_response",
            &body,
            &alipay_pub,
            None,
        )
        .unwrap();
        m
    });
    report("extract + verify + parse response", &s, 32);

    // A signed trade notification.
    let mut params: Vec<(&str, &str)> = vec![
        ("app_id", "2021000000000001"),
        ("charset", "utf-8"),
        ("notify_id", "2024010200222030405012345678901234"),
        ("notify_time", "2024-01-02 03:04:07"),
        ("notify_type", "trade_status_sync"),
        ("out_trade_no", "20240102030405002"),
        ("total_amount", "88.88"),
        ("trade_no", "2024010222001446880500000001"),
        ("trade_status", "TRADE_SUCCESS"),
        ("sign_type", "RSA2"),
        ("version", "1.0"),
    ];
    let content = notify_content(params.iter().copied(), &["sign", "sign_type"]);
    let nsign = sign_base64(&alipay_priv, SignType::Rsa2, content.as_bytes()).unwrap();
    params.push(("sign", &nsign));
    let nbody = form_encode(params.iter().copied());
    let keys = [&alipay_pub];
    let s = measure(|| {
        notify::verify_body(nbody.as_bytes(), &keys, SignType::Rsa2, NotifyScheme::V1).unwrap()
    });
    report("decode + verify notification", &s, 32);

    // What an attacker posts to notify_url: refused at the parameter cap.
    let hostile: String = (0..100_000).map(|i| format!("p{i}=&")).collect();
    let s = measure(|| {
        notify::verify_body(hostile.as_bytes(), &keys, SignType::Rsa2, NotifyScheme::V1)
            .unwrap_err()
    });
    report("refuse 100k-parameter notification", &s, 4);

    // What a forged gateway answers: 100k top-level members, refused at the member cap
    // (the members read up to the cap are the cost: bounded by the cap, not the body).
    let members: Vec<String> = (0..100_000).map(|i| format!("\"k{i}\":1")).collect();
    let forged = format!(
        "{{{},\"alipay_trade_query_response\":{{}}}}",
        members.join(",")
    );
    let s = measure(|| {
        response::read_response::<Map<String, Value>>(
            &ctx,
            "alipay_trade_query_response",
            &forged,
            &alipay_pub,
            None,
        )
        .unwrap_err()
    });
    report("refuse 100k-member response", &s, 256);
}

//! The Rust half of the cross-SDK benchmark (`scripts/bench-vs-node.sh` runs both halves
//! and prints the comparison; `tests/interop/node/bench.mjs` is the Node half).
//!
//! Writes fresh keys and signed fixtures into `--workdir`, then measures, through the
//! public API, the same three jobs the Node half measures:
//! 1. build + sign an `alipay.trade.query` request and render its URL and form body;
//! 2. extract + verify + type a signed `alipay.trade.query` response;
//! 3. decode + verify an asynchronous notification body.
//!
//! Prints ops/s per job and a JSON line (`RESULT {...}`). A measurement, never an
//! assertion. Without `--bench` (as `cargo test --benches` runs it) it only smoke-runs.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use alipay_api::crypto::{sign_base64, PrivateKey, PublicKey, SignType};
use alipay_api::protocol::form_encode;
use alipay_api::protocol::response::{self, ResponseContext};
use alipay_api::trade::{AlipayTradeQuery, AlipayTradeQueryResponse};
use alipay_api::{CallOptions, Client};
use serde_json::json;

const APP_ID: &str = "2021000000000001";
const GATEWAY: &str = "https://openapi.alipay.com/gateway.do";
const OUT_TRADE_NO: &str = "20240102030405-0001";

fn keypair() -> (String, String) {
    use aws_lc_rs::encoding::AsDer;
    use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
    let kp = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der<'static>>::as_der(&kp).unwrap();
    let key = rsa::RsaPrivateKey::from_pkcs8_der(der.as_ref()).unwrap();
    (
        key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
        rsa::RsaPublicKey::from(&key)
            .to_public_key_pem(LineEnding::LF)
            .unwrap(),
    )
}

/// A success answer of `alipay.trade.query` with the fields a paid trade carries.
fn response_body(platform: &PrivateKey) -> String {
    let node = json!({
        "code": "10000",
        "msg": "Success",
        "buyer_logon_id": "159****5620",
        "buyer_pay_amount": "88.88",
        "buyer_user_id": "2088101117955611",
        "buyer_user_type": "PRIVATE",
        "fund_bill_list": [{"amount": "88.88", "fund_channel": "ALIPAYACCOUNT"}],
        "invoice_amount": "88.88",
        "out_trade_no": OUT_TRADE_NO,
        "point_amount": "0.00",
        "receipt_amount": "88.88",
        "send_pay_date": "2024-01-02 03:05:06",
        "total_amount": "88.88",
        "trade_no": "2024010222001411111111111111",
        "trade_status": "TRADE_SUCCESS",
        "subject": "测试商品 Test & Co",
    })
    .to_string();
    let sign = sign_base64(platform, SignType::Rsa2, node.as_bytes()).unwrap();
    format!(r#"{{"alipay_trade_query_response":{node},"sign":"{sign}"}}"#)
}

/// A trade notification as Alipay posts it (V1: `sign` and `sign_type` not signed).
fn notify_body(platform: &PrivateKey) -> String {
    let mut p: Vec<(&str, String)> = vec![
        ("gmt_create", "2024-01-02 03:04:05".into()),
        ("charset", "utf-8".into()),
        ("seller_email", "seller@example.com".into()),
        ("subject", "测试商品 Test & Co".into()),
        ("buyer_id", "2088101117955611".into()),
        ("invoice_amount", "88.88".into()),
        ("notify_id", "2024010200222030506011111111111111".into()),
        (
            "fund_bill_list",
            r#"[{"amount":"88.88","fundChannel":"ALIPAYACCOUNT"}]"#.into(),
        ),
        ("notify_type", "trade_status_sync".into()),
        ("trade_status", "TRADE_SUCCESS".into()),
        ("receipt_amount", "88.88".into()),
        ("app_id", APP_ID.into()),
        ("buyer_pay_amount", "88.88".into()),
        ("sign_type", "RSA2".into()),
        ("seller_id", "2088102177777777".into()),
        ("gmt_payment", "2024-01-02 03:05:06".into()),
        ("notify_time", "2024-01-02 03:05:07".into()),
        ("version", "1.0".into()),
        ("out_trade_no", OUT_TRADE_NO.into()),
        ("total_amount", "88.88".into()),
        ("trade_no", "2024010222001411111111111111".into()),
        ("auth_app_id", APP_ID.into()),
        ("buyer_logon_id", "159****5620".into()),
        ("point_amount", "0.00".into()),
    ];
    let content = alipay_api::protocol::notify_content(
        p.iter().map(|(k, v)| (*k, v.as_str())),
        &["sign", "sign_type"],
    );
    p.push((
        "sign",
        sign_base64(platform, SignType::Rsa2, content.as_bytes()).unwrap(),
    ));
    form_encode(p.iter().map(|(k, v)| (*k, v.as_str())))
}

/// ns per call: the median of `rounds` batches of `iters` calls, after a warm-up.
fn measure(rounds: usize, iters: u32, mut f: impl FnMut()) -> f64 {
    for _ in 0..iters {
        f();
    }
    let mut per: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                f();
            }
            t.elapsed().as_nanos() as f64 / f64::from(iters)
        })
        .collect();
    per.sort_by(f64::total_cmp);
    per[per.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let full = args.iter().any(|a| a == "--bench");
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let workdir = arg("--workdir").map(PathBuf::from).unwrap_or_else(|| {
        std::env::temp_dir().join(format!("alipay-bench-{}", std::process::id()))
    });
    std::fs::create_dir_all(&workdir).unwrap();
    let rounds: usize = arg("--rounds")
        .and_then(|s| s.parse().ok())
        .unwrap_or(if full { 11 } else { 1 });
    let scale: u32 = arg("--scale")
        .and_then(|s| s.parse().ok())
        .unwrap_or(if full { 1 } else { 0 });

    let (app_private, app_public) = keypair();
    let (alipay_private, alipay_public) = keypair();
    let platform = PrivateKey::from_text(&alipay_private).unwrap();
    let response = response_body(&platform);
    let notify = notify_body(&platform);
    for (name, text) in [
        ("app_private_pkcs8.pem", &app_private),
        ("app_public.pem", &app_public),
        ("alipay_public.pem", &alipay_public),
        ("response.json", &response),
        ("notify.txt", &notify),
    ] {
        std::fs::write(workdir.join(name), text).unwrap();
    }
    std::fs::write(
        workdir.join("params.json"),
        json!({"app_id": APP_ID, "gateway": GATEWAY, "out_trade_no": OUT_TRADE_NO}).to_string(),
    )
    .unwrap();

    let client = Client::builder()
        .app_id(APP_ID)
        .private_key(app_private.clone())
        .alipay_public_key(alipay_public.clone())
        .build()
        .unwrap();
    let opts = CallOptions::default();
    let alipay_key = PublicKey::from_text(&alipay_public).unwrap();
    let ctx = ResponseContext {
        method: "alipay.trade.query",
        extra_success_codes: &[],
        extra_success_result_codes: &[],
        sign_type: SignType::Rsa2,
        aes: None,
        charset: alipay_api::Charset::Utf8,
    };

    // Each job once, checked, so a broken path cannot look fast.
    let app_key = PublicKey::from_text(&app_public).unwrap();
    let job_sign = || {
        let req = AlipayTradeQuery::builder()
            .out_trade_no(OUT_TRADE_NO)
            .build()
            .unwrap();
        let signed = client.sign_request(&req, &opts).unwrap();
        let out = (signed.url(GATEWAY), signed.form_body());
        (signed, out)
    };
    let (signed, _) = job_sign();
    let sign = &signed.query.last().unwrap().1;
    assert!(app_key.verify_base64(SignType::Rsa2, signed.sign_content.as_bytes(), sign));
    let job_response = || {
        response::read_response::<AlipayTradeQueryResponse>(
            &ctx,
            "alipay_trade_query_response",
            &response,
            &alipay_key,
            None,
        )
        .unwrap()
    };
    assert_eq!(job_response().out_trade_no.as_deref(), Some(OUT_TRADE_NO));
    let job_notify = || client.verify_notification(notify.as_bytes()).unwrap();
    assert_eq!(job_notify().get("out_trade_no"), Some(OUT_TRADE_NO));

    let n = |base: u32| (base * scale).max(1);
    let sign_ns = measure(rounds, n(300), || {
        black_box(job_sign());
    });
    let response_ns = measure(rounds, n(3000), || {
        black_box(job_response());
    });
    let notify_ns = measure(rounds, n(3000), || {
        black_box(job_notify());
    });
    let ops = |ns: f64| 1e9 / ns;
    println!(
        "rust  build+sign alipay.trade.query      {:>10.0} ops/s",
        ops(sign_ns)
    );
    println!(
        "rust  verify+parse response              {:>10.0} ops/s",
        ops(response_ns)
    );
    println!(
        "rust  verify notification                {:>10.0} ops/s",
        ops(notify_ns)
    );
    println!(
        "RESULT {}",
        json!({
            "impl": "rust",
            "sign": ops(sign_ns),
            "response": ops(response_ns),
            "notify": ops(notify_ns),
        })
    );
    if arg("--workdir").is_none() {
        let _ = std::fs::remove_dir_all(&workdir);
    }
}

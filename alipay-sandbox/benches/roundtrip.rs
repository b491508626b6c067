//! Signed round trips per second through the real client and the sandbox gateway on
//! loopback: the client signs, the gateway verifies, answers and signs, the client
//! verifies and types the answer. Printed, not asserted.
//!
//! ```text
//! cargo bench -p alipay-sandbox --bench roundtrip [-- <seconds> <concurrency>]
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use alipay_api::trade::{AlipayTradePrecreate, AlipayTradeQuery};

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .filter_map(|a| a.parse::<u64>().ok());
    let seconds = args.next().unwrap_or(5);
    let concurrency = args.next().unwrap_or(16) as usize;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(run(Duration::from_secs(seconds), concurrency));
}

async fn run(duration: Duration, concurrency: usize) {
    let gw = alipay_sandbox::Sandbox::start()
        .await
        .expect("the sandbox starts");
    let client = gw.client().expect("a client");
    client
        .execute(
            &AlipayTradePrecreate::builder()
                .out_trade_no("bench-1")
                .total_amount("1.00")
                .subject("bench")
                .build()
                .expect("a valid request"),
        )
        .await
        .expect("precreate");
    let query = Arc::new(
        AlipayTradeQuery::builder()
            .out_trade_no("bench-1")
            .build()
            .expect("a valid request"),
    );
    // Warm up connections and caches.
    for _ in 0..20 {
        client.execute(query.as_ref()).await.expect("query");
    }
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, query, done) = (client.clone(), query.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                client.execute(query.as_ref()).await.expect("query");
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.expect("a bench task");
    }
    let n = done.load(Ordering::Relaxed);
    let secs = started.elapsed().as_secs_f64();
    println!(
        "roundtrip: {n} signed alipay.trade.query round trips in {secs:.2} s = {:.0}/s ({} cores, concurrency {concurrency}, RSA2-2048, aws-lc-rs)",
        n as f64 / secs,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );
    // For context: the RSA-2048 signing rate of one core. Each round trip signs twice
    // (client request, gateway answer), so cores × rate ÷ 2 bounds the result.
    let key = alipay_api::PrivateKey::from_text(&gw.keys().app_private_key).expect("a key");
    let content = vec![b'x'; 300];
    let t = Instant::now();
    let mut signs = 0u32;
    while t.elapsed() < Duration::from_secs(1) {
        alipay_api::Signer::sign(&key, alipay_api::SignType::Rsa2, &content).expect("sign");
        signs += 1;
    }
    let rate = f64::from(signs) / t.elapsed().as_secs_f64();
    println!(
        "context: {rate:.0} RSA2 signatures/s on one core; ceiling with 2 signatures per round trip = {:.0}/s on this machine",
        rate * std::thread::available_parallelism().map_or(1, |n| n.get()) as f64 / 2.0
    );
    gw.shutdown().await;
}

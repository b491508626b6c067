//! A merchant's day with `alipay-api`: take a web payment, receive and verify the
//! notification, look the trade up, refund part of it, close an unpaid order and
//! download the day's bill.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! By default it runs against a local sandbox gateway started in-process, with fresh
//! keys, so it needs no account and no network. To run it against Alipay's own
//! sandbox instead, set `ALIPAY_APP_ID`, `ALIPAY_PRIVATE_KEY` (the app private key,
//! PEM or base64) and `ALIPAY_PUBLIC_KEY` (Alipay's public key), and optionally
//! `ALIPAY_GATEWAY` (default here: the sandbox gateway); every variable of
//! `alipay_api::config::env` is read. Alipay cannot reach a
//! notification server on 127.0.0.1 and a real buyer has to pay in a browser, so
//! that mode prints the payment URL and polls the trade instead.

mod support;

use std::io::Read as _;
use std::time::Duration;

use alipay_api::bill::AlipayDataDataserviceBillDownloadurlQuery;
use alipay_api::trade::{
    AlipayTradeClose, AlipayTradeFastpayRefundQuery, AlipayTradePagePay, AlipayTradePrecreate,
    AlipayTradeQuery, AlipayTradeRefund, TradeStatusSync,
};
use alipay_api::{BeijingDateTime, Client, NotifyScheme};
use support::{wire, BoxError, Inbox};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    // Local sandbox unless real credentials are in the environment (the same
    // ALIPAY_* variables the `alipay` command-line tool reads).
    let mut settings = alipay_api::config::AppConfig::from_env();
    let (client, sandbox) = match settings.app_id {
        Some(_) => {
            settings.gateway.get_or_insert_with(|| "sandbox".into());
            (settings.builder()?.build()?, None)
        }
        None => {
            let gw = alipay_sandbox::Sandbox::start().await?;
            println!("Local sandbox gateway at {}", gw.gateway_url());
            (gw.client()?, Some(gw))
        }
    };

    // Our own notify_url: verify every notification before trusting it, then
    // acknowledge with exactly `success`.
    let mut inbox = Inbox::start(client.clone()).await?;

    // 1. The buyer is sent to the cashier (电脑网站支付).
    let order = format!(
        "QS{}",
        BeijingDateTime::now().naive().format("%Y%m%d%H%M%S")
    );
    let pay = AlipayTradePagePay::builder()
        .out_trade_no(&order)
        .total_amount("88.00")
        .subject("Quickstart: a desk lamp")
        .notify_url(&inbox.url)
        .return_url("https://merchant.example/paid")
        .build()?;
    let pay_url = client.page_url(&pay)?;
    println!("\n1. Send the buyer to:\n   {pay_url}");

    if sandbox.is_some() {
        // 2. The simulated buyer pays; the browser comes back with signed parameters.
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let back = browser.get(&pay_url).send().await?;
        let location = back
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .ok_or("the gateway did not redirect the buyer")?;
        let query = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let params = form_urlencoded::parse(query.as_bytes()).into_owned();
        let returned = client.verify_params(params, NotifyScheme::Auto)?;
        println!(
            "2. Buyer paid and came back (signature verified): trade_no {}",
            returned.get("trade_no").unwrap_or_default()
        );
        // 3. The asynchronous notification is the one to act on.
        let n: TradeStatusSync = inbox.next("trade_status_sync").await?;
        println!(
            "3. Notification verified: {} is {}, {} yuan",
            n.out_trade_no.as_deref().unwrap_or_default(),
            wire(&n.trade_status),
            wire(&n.total_amount)
        );
    } else {
        println!("2. Pay with a sandbox buyer account in a browser; waiting up to 5 minutes…");
        wait_until_paid(&client, &order).await?;
    }

    // 4. Look the trade up.
    let q = client
        .execute(&AlipayTradeQuery::builder().out_trade_no(&order).build()?)
        .await?;
    println!(
        "4. Query: {} since {}",
        wire(&q.trade_status),
        wire(&q.send_pay_date)
    );

    // 5. Refund part of it; out_request_no makes retries safe.
    let refund = AlipayTradeRefund::builder()
        .out_trade_no(&order)
        .refund_amount("30.00")
        .out_request_no(format!("{order}-R1"))
        .refund_reason("one bulb was broken")
        .build()?;
    let r = client.execute(&refund).await?;
    println!(
        "5. Refunded (money moved: {}), refunded so far: {} yuan",
        wire(&r.fund_change),
        wire(&r.refund_fee)
    );

    // 6. Confirm the refund.
    let rq = client
        .execute(
            &AlipayTradeFastpayRefundQuery::builder()
                .out_trade_no(&order)
                .out_request_no(format!("{order}-R1"))
                .build()?,
        )
        .await?;
    println!(
        "6. Refund query: {}, {} yuan",
        wire(&rq.refund_status),
        wire(&rq.refund_amount)
    );

    // 7. An order the buyer never paid is closed.
    let unpaid = format!("{order}-U");
    client
        .execute(
            &AlipayTradePrecreate::builder()
                .out_trade_no(&unpaid)
                .total_amount("12.00")
                .subject("Quickstart: never paid")
                .build()?,
        )
        .await?;
    client
        .execute(&AlipayTradeClose::builder().out_trade_no(&unpaid).build()?)
        .await?;
    println!("7. Closed unpaid order {unpaid}");

    // 8. The bill (the local sandbox has today's; Alipay's is ready the next day).
    let day = if sandbox.is_some() {
        BeijingDateTime::now().naive().date()
    } else {
        BeijingDateTime::now().naive().date() - chrono::Duration::days(1)
    };
    let bill = client
        .execute(
            &AlipayDataDataserviceBillDownloadurlQuery::builder()
                .bill_type("trade")
                .bill_date(day.format("%Y-%m-%d").to_string())
                .build()?,
        )
        .await?;
    let url = bill.bill_download_url.ok_or("no bill URL")?;
    let zipped = reqwest::get(&url).await?.bytes().await?;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zipped))?;
    println!("8. Bill for {day}:");
    for i in 0..archive.len() {
        let mut file = archive.by_index(i)?;
        let mut raw = Vec::new();
        file.read_to_end(&mut raw)?;
        // Alipay's bills are GBK-encoded CSV.
        let (text, _, _) = encoding_rs::GBK.decode(&raw);
        println!("   -- {}", file.name()?);
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            println!("   {line}");
        }
    }
    if let Some(gw) = sandbox {
        gw.shutdown().await;
    }
    Ok(())
}

/// Polls the trade until the buyer paid (real Alipay mode).
async fn wait_until_paid(client: &Client, order: &str) -> Result<(), BoxError> {
    let q = AlipayTradeQuery::builder().out_trade_no(order).build()?;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_secs(3)).await;
        if let Ok(r) = client.execute(&q).await {
            if matches!(
                r.trade_status,
                Some(alipay_api::models::TradeStatus::TradeSuccess)
            ) {
                return Ok(());
            }
        }
    }
    Err("the order was not paid within 5 minutes".into())
}

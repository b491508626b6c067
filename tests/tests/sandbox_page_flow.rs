//! The buyer's side: page payments with redirect and signed return parameters,
//! notifications delivered and retried until acknowledged, QR codes, app payments.

mod sandbox_support;

use std::time::Duration;

use alipay_api::trade::{
    AlipayTradeAppPay, AlipayTradePagePay, AlipayTradePrecreate, AlipayTradeRefund,
    AlipayTradeWapPay, TradeStatusSync,
};
use alipay_api::{Amount, NotifyScheme};
use alipay_sandbox::{Sandbox, SandboxConfig, TradeStatus};
use sandbox_support::{browser, form_fields, order_no, query_params, submit, NotifyReceiver};

const RETURN_URL: &str = "https://merchant.example/return?from=alipay";

fn page_pay(out: &str, notify_url: &str) -> alipay_api::Validated<AlipayTradePagePay> {
    AlipayTradePagePay::builder()
        .out_trade_no(out)
        .total_amount("88.80")
        .subject("Desk lamp & bulb")
        .notify_url(notify_url)
        .return_url(RETURN_URL)
        .build()
        .unwrap()
}

#[tokio::test]
async fn page_payment_redirects_and_notifies_until_acknowledged() {
    let receiver = NotifyReceiver::start(2).await;
    let gw = Sandbox::start_with(SandboxConfig::new().notify_time_scale(0.0005))
        .await
        .unwrap();
    let c = gw.client().unwrap();
    let out = order_no("page");

    // The browser submits the form the merchant rendered.
    let (action, fields) = form_fields(&c.page_form(&page_pay(&out, &receiver.url)).unwrap());
    let resp = submit(&action, &fields).send().await.unwrap();
    assert_eq!(resp.status(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(RETURN_URL), "{location}");

    // The return parameters are signed by the platform.
    let mut params = query_params(&location);
    params.retain(|(k, _)| k != "from");
    let verified = c.verify_params(params.clone(), NotifyScheme::Auto).unwrap();
    assert_eq!(verified.get("method"), Some("alipay.trade.page.pay.return"));
    assert_eq!(verified.get("out_trade_no"), Some(out.as_str()));
    assert_eq!(verified.get("total_amount"), Some("88.80"));
    assert_eq!(verified.get("seller_id"), Some(gw.seller_id()));
    for k in [
        "trade_no",
        "auth_app_id",
        "app_id",
        "charset",
        "timestamp",
        "version",
        "sign_type",
    ] {
        assert!(verified.get(k).is_some(), "{k} missing");
    }
    let mut tampered = params.clone();
    for (k, v) in tampered.iter_mut() {
        if k == "total_amount" {
            *v = "0.01".into();
        }
    }
    assert!(c.verify_params(tampered, NotifyScheme::Auto).is_err());

    // The notification: two answers that are not exactly `success`, then success.
    let n = gw
        .wait_for_notification(Duration::from_secs(20), |n| {
            n.out_trade_no == out && !n.pending()
        })
        .await
        .unwrap();
    assert!(n.delivered, "{n:?}");
    assert_eq!(n.attempts, 3);
    assert_eq!(n.trade_status, "TRADE_SUCCESS");
    let bodies = receiver.bodies();
    assert_eq!(bodies.len(), 3);
    for body in &bodies {
        let parsed: TradeStatusSync = c.parse_notification(body).unwrap();
        assert_eq!(parsed.out_trade_no.as_deref(), Some(out.as_str()));
        assert_eq!(parsed.total_amount, Some(Amount::from_fen(8880)));
        assert_eq!(parsed.subject.as_deref(), Some("Desk lamp & bulb"));
    }
    let verified = c.verify_notification(&bodies[0]).unwrap();
    assert_eq!(verified.get("notify_type"), Some("trade_status_sync"));
    assert_eq!(verified.get("trade_status"), Some("TRADE_SUCCESS"));

    // A refund is announced to the same notify_url.
    c.execute(
        &AlipayTradeRefund::builder()
            .out_trade_no(&out)
            .refund_amount("8.80")
            .out_request_no("r1")
            .build()
            .unwrap(),
    )
    .await
    .unwrap();
    let n = gw
        .wait_for_notification(Duration::from_secs(20), |n| {
            n.get("out_biz_no") == Some("r1") && n.delivered
        })
        .await
        .unwrap();
    assert_eq!(n.get("refund_fee"), Some("8.80"));
    assert_eq!(n.get("trade_status"), Some("TRADE_SUCCESS"));
    let last = receiver.bodies().pop().unwrap();
    assert!(c.verify_notification(&last).is_ok());

    // Opening the same page again: the order is already paid.
    let resp = submit(&action, &fields).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("ACQ.TRADE_HAS_SUCCESS"));
}

#[tokio::test]
async fn retries_stop_after_alipays_schedule() {
    let receiver = NotifyReceiver::start(usize::MAX).await;
    let gw = Sandbox::start_with(SandboxConfig::new().notify_time_scale(0.00002))
        .await
        .unwrap();
    let c = gw.client().unwrap();
    let out = order_no("never");
    let (action, fields) = form_fields(&c.page_form(&page_pay(&out, &receiver.url)).unwrap());
    submit(&action, &fields).send().await.unwrap();
    let n = gw
        .wait_for_notification(Duration::from_secs(30), |n| {
            n.out_trade_no == out && n.gave_up
        })
        .await
        .unwrap();
    assert_eq!(n.attempts, 8, "one attempt and seven retries");
    assert!(!n.delivered);
    assert!(n.last_response.unwrap().contains("200"));
    assert_eq!(receiver.bodies().len(), 8);
}

#[tokio::test]
async fn get_urls_qr_codes_app_payments_and_manual_cashier() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();

    // Mobile web payment as a GET URL.
    let out = order_no("wap");
    let url = c
        .page_url(
            &AlipayTradeWapPay::builder()
                .out_trade_no(&out)
                .total_amount("1.00")
                .subject("Snack")
                .return_url(RETURN_URL)
                .build()
                .unwrap(),
        )
        .unwrap();
    let resp = browser().get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 302);
    let mut params = query_params(resp.headers()["location"].to_str().unwrap());
    // The merchant's own query parameter is not part of what the platform signed.
    params.retain(|(k, _)| k != "from");
    let v = c.verify_params(params, NotifyScheme::Auto).unwrap();
    assert_eq!(v.get("method"), Some("alipay.trade.wap.pay.return"));
    assert_eq!(gw.trade(&out).unwrap().status, TradeStatus::TradeSuccess);

    // The buyer scans a precreated QR code.
    let qr_out = order_no("qr");
    let pre = c
        .execute(
            &AlipayTradePrecreate::builder()
                .out_trade_no(&qr_out)
                .total_amount("2.00")
                .subject("Bun")
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    let resp = browser().get(pre.qr_code.unwrap()).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(gw.trade(&qr_out).unwrap().status, TradeStatus::TradeSuccess);

    // The Alipay app hands the order string to the platform.
    let app_out = order_no("app");
    let order = c
        .app_order_string(
            &AlipayTradeAppPay::builder()
                .out_trade_no(&app_out)
                .total_amount("3.00")
                .subject("Game coins")
                .build()
                .unwrap(),
        )
        .unwrap();
    let t = gw.pay_app_order(&order).await.unwrap();
    assert_eq!(
        (t.out_trade_no.as_str(), t.status),
        (app_out.as_str(), TradeStatus::TradeSuccess)
    );
    assert!(
        gw.pay_app_order(&order.replace("3.00", "0.30"))
            .await
            .is_err(),
        "tampered order string"
    );

    // A page with a bad signature shows the error instead of a cashier.
    let bad = url.replace("Snack", "Snacks");
    let resp = browser().get(&bad).send().await.unwrap();
    assert!(resp.text().await.unwrap().contains("isv.invalid-signature"));
}

#[tokio::test]
async fn manual_cashier_leaves_payment_to_the_buyer() {
    let gw = Sandbox::start_with(SandboxConfig::new().auto_pay_pages(false))
        .await
        .unwrap();
    let c = gw.client().unwrap();
    let out = order_no("manual");
    let (action, fields) = form_fields(
        &c.page_form(&page_pay(&out, "http://127.0.0.1:9/none"))
            .unwrap(),
    );
    let html = submit(&action, &fields)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(gw.trade(&out).unwrap().status, TradeStatus::WaitBuyerPay);
    let start = html.find("href=\"").unwrap() + 6;
    let link = &html[start..start + html[start..].find('"').unwrap()];
    let resp = browser().get(link).send().await.unwrap();
    assert_eq!(resp.status(), 302);
    assert_eq!(gw.trade(&out).unwrap().status, TradeStatus::TradeSuccess);
    // The unreachable notify_url is recorded as a failed attempt, not a crash.
    let n = gw
        .wait_for_notification(Duration::from_secs(10), |n| n.attempts >= 1)
        .await
        .unwrap();
    assert!(n.last_response.unwrap().contains("request failed"));
}

//! The trade lifecycle through the real generated API and the real client.

mod sandbox_support;

use alipay_api::trade::{
    AlipayTradeCancel, AlipayTradeClose, AlipayTradeCreate, AlipayTradeFastpayRefundQuery,
    AlipayTradePay, AlipayTradePrecreate, AlipayTradeQuery, AlipayTradeRefund,
};
use alipay_api::{Amount, Client};
use alipay_sandbox::{Sandbox, SandboxConfig, TradeStatus};
use sandbox_support::{order_no, refused};

fn wire<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn precreate(c: &Client, out: &str, amount: &str) {
    let r = c
        .execute(
            &AlipayTradePrecreate::builder()
                .out_trade_no(out)
                .total_amount(amount)
                .subject("Coffee")
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.out_trade_no.as_deref(), Some(out));
    assert!(r.qr_code.unwrap().contains("/sandbox/qr/"));
}

async fn status(c: &Client, out: &str) -> String {
    let q = c
        .execute(
            &AlipayTradeQuery::builder()
                .out_trade_no(out)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    wire(&q.trade_status.unwrap())
}

fn refund(out: &str, amount: &str, req: &str) -> alipay_api::Validated<AlipayTradeRefund> {
    AlipayTradeRefund::builder()
        .out_trade_no(out)
        .refund_amount(amount)
        .out_request_no(req)
        .build()
        .unwrap()
}

#[tokio::test]
async fn close_only_unpaid_and_refund_within_what_was_paid() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();

    // An unpaid trade can be closed, and then neither paid nor refunded.
    let a = order_no("close");
    precreate(&c, &a, "10.00").await;
    assert_eq!(status(&c, &a).await, "WAIT_BUYER_PAY");
    let closed = c
        .execute(
            &AlipayTradeClose::builder()
                .out_trade_no(&a)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(closed.out_trade_no.as_deref(), Some(a.as_str()));
    assert_eq!(status(&c, &a).await, "TRADE_CLOSED");
    assert_eq!(
        refused(c.execute(&refund(&a, "1.00", "r")).await),
        "ACQ.TRADE_STATUS_ERROR"
    );
    assert!(gw.pay_trade(&a).is_err());
    assert_eq!(
        refused(
            c.execute(
                &AlipayTradeClose::builder()
                    .out_trade_no(&a)
                    .build()
                    .unwrap()
            )
            .await
        ),
        "ACQ.TRADE_STATUS_ERROR"
    );

    // A paid trade cannot be closed; refunds add up to at most the amount paid.
    let b = order_no("refund");
    precreate(&c, &b, "100.00").await;
    assert_eq!(gw.pay_trade(&b).unwrap().status, TradeStatus::TradeSuccess);
    assert_eq!(status(&c, &b).await, "TRADE_SUCCESS");
    assert_eq!(
        refused(
            c.execute(
                &AlipayTradeClose::builder()
                    .out_trade_no(&b)
                    .build()
                    .unwrap()
            )
            .await
        ),
        "ACQ.TRADE_STATUS_ERROR"
    );
    let r1 = c.execute(&refund(&b, "30.00", "r1")).await.unwrap();
    assert_eq!(r1.fund_change.as_deref(), Some("Y"));
    assert_eq!(r1.refund_fee, Some(Amount::from_fen(3000)));
    // A retry with the same out_request_no refunds nothing more.
    let again = c.execute(&refund(&b, "30.00", "r1")).await.unwrap();
    assert_eq!(again.fund_change.as_deref(), Some("N"));
    assert_eq!(again.refund_fee, Some(Amount::from_fen(3000)));
    assert_eq!(
        refused(c.execute(&refund(&b, "40.00", "r1")).await),
        "ACQ.DISCORDANT_REPEAT_REQUEST"
    );
    assert_eq!(
        refused(c.execute(&refund(&b, "70.01", "r2")).await),
        "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
    );
    let r2 = c.execute(&refund(&b, "70.00", "r2")).await.unwrap();
    assert_eq!(r2.refund_fee, Some(Amount::from_fen(10000)));
    assert_eq!(
        status(&c, &b).await,
        "TRADE_CLOSED",
        "a full refund closes the trade"
    );
    assert_eq!(
        refused(c.execute(&refund(&b, "0.01", "r3")).await),
        "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
    );
    assert_eq!(gw.refunds().len(), 2);

    // Refund query: known and unknown request numbers.
    let rq = |req: &str| {
        AlipayTradeFastpayRefundQuery::builder()
            .out_trade_no(&b)
            .out_request_no(req)
            .build()
            .unwrap()
    };
    let known = c.execute(&rq("r1")).await.unwrap();
    assert_eq!(wire(&known.refund_status.unwrap()), "REFUND_SUCCESS");
    assert_eq!(known.refund_amount, Some(Amount::from_fen(3000)));
    let unknown = c.execute(&rq("nope")).await.unwrap();
    assert!(unknown.refund_status.is_none());
    assert!(unknown.refund_amount.is_none());

    // Re-using an order number.
    assert_eq!(
        refused(
            c.execute(
                &AlipayTradePrecreate::builder()
                    .out_trade_no(&b)
                    .total_amount("100.00")
                    .subject("x")
                    .build()
                    .unwrap()
            )
            .await
        ),
        "ACQ.TRADE_HAS_CLOSE"
    );
    assert_eq!(
        refused(
            c.execute(
                &AlipayTradeQuery::builder()
                    .out_trade_no("missing")
                    .build()
                    .unwrap()
            )
            .await
        ),
        "ACQ.TRADE_NOT_EXIST"
    );
}

#[tokio::test]
async fn pay_cancel_and_seller_balance() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();
    let pay = |out: &str, code: &str| {
        AlipayTradePay::builder()
            .out_trade_no(out)
            .total_amount("20.00")
            .subject("Tea")
            .auth_code(code)
            .build()
            .unwrap()
    };
    let d = order_no("pay");
    let paid = c.execute(&pay(&d, "287951669891795468")).await.unwrap();
    assert_eq!(paid.total_amount, Some(Amount::from_fen(2000)));
    assert!(paid.trade_no.is_some() && paid.gmt_payment.is_some());
    assert_eq!(
        refused(c.execute(&pay(&d, "287951669891795468")).await),
        "ACQ.TRADE_HAS_SUCCESS"
    );
    assert_eq!(
        refused(c.execute(&pay(&order_no("bad"), "12345")).await),
        "ACQ.PAYMENT_AUTH_CODE_INVALID"
    );

    // Cancel: a paid trade is refunded, an unpaid one closed.
    let cancel = |out: &str| {
        AlipayTradeCancel::builder()
            .out_trade_no(out)
            .build()
            .unwrap()
    };
    let r = c.execute(&cancel(&d)).await.unwrap();
    assert_eq!(wire(&r.action.unwrap()), "refund");
    assert_eq!(r.retry_flag.as_deref(), Some("N"));
    assert_eq!(status(&c, &d).await, "TRADE_CLOSED");
    let e = order_no("cancel");
    precreate(&c, &e, "5.00").await;
    assert_eq!(
        wire(&c.execute(&cancel(&e)).await.unwrap().action.unwrap()),
        "close"
    );
    assert_eq!(status(&c, &e).await, "TRADE_CLOSED");

    // A merchant without money cannot refund.
    let f = order_no("broke");
    c.execute(&pay(&f, "287951669891795469")).await.unwrap();
    gw.set_seller_balance(Amount::from_fen(500));
    assert_eq!(
        refused(c.execute(&refund(&f, "6.00", "x")).await),
        "ACQ.SELLER_BALANCE_NOT_ENOUGH"
    );
    c.execute(&refund(&f, "5.00", "x")).await.unwrap();
    assert_eq!(gw.seller_balance(), Amount::ZERO);
}

#[tokio::test]
async fn pay_can_wait_for_the_buyer() {
    let gw = Sandbox::start_with(SandboxConfig::new().pay_waits_for_buyer(true))
        .await
        .unwrap();
    let c = gw.client().unwrap();
    let out = order_no("wait");
    // 10003 is a success code of alipay.trade.pay: the call returns Ok.
    let r = c
        .execute(
            &AlipayTradePay::builder()
                .out_trade_no(&out)
                .total_amount("8.00")
                .subject("Cake")
                .auth_code("287951669891795468")
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(r.gmt_payment.is_none());
    assert_eq!(status(&c, &out).await, "WAIT_BUYER_PAY");
    gw.pay_trade(&out).unwrap();
    assert_eq!(status(&c, &out).await, "TRADE_SUCCESS");
    assert!(gw.pay_trade(&out).is_err(), "a trade is paid once");

    // trade.create (JSAPI) also waits for the buyer.
    let out2 = order_no("jsapi");
    let created = c
        .execute(
            &AlipayTradeCreate::builder()
                .out_trade_no(&out2)
                .total_amount("1.00")
                .subject("Pen")
                .buyer_id("2088102146225135")
                .build()
                .unwrap(),
        )
        .await;
    let created = created.unwrap();
    assert!(created.trade_no.is_some());
    assert_eq!(
        gw.trade(&out2).unwrap().buyer_id.as_deref(),
        Some("2088102146225135")
    );
}

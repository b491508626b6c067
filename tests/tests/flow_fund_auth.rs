//! Fund authorisation end to end through the generated API and the local gateway:
//! freezing from the app or in person, the freeze notification, paying from the
//! frozen funds with `alipay.trade.pay`, releasing the rest and its notification,
//! operation queries, cancelling, and the refusals along the way.

mod sandbox_support;

use alipay_api::fund_auth::{
    AlipayFundAuthOperationCancel, AlipayFundAuthOperationDetailQuery,
    AlipayFundAuthOrderAppFreeze, AlipayFundAuthOrderFreeze, AlipayFundAuthOrderUnfreeze,
    FundAuthFreeze, FundAuthUnfreeze,
};
use alipay_api::models::{
    AuthConfirmMode, FundAuthOperationStatus, FundAuthOperationType,
    FundAuthOrderStatus as WireStatus, ProductCode,
};
use alipay_api::trade::{AlipayTradePay, TradeStatusSync};
use alipay_api::{Amount, Client};
use alipay_sandbox::{FundAuthOperationKind, FundAuthOrderStatus, Sandbox, SandboxConfig};
use sandbox_support::{delivered, order_no, refused, NotifyReceiver};

fn yuan(fen: i64) -> Option<Amount> {
    Some(Amount::from_fen(fen))
}

async fn gateway() -> Sandbox {
    Sandbox::start_with(SandboxConfig::new().notify_time_scale(0.0005))
        .await
        .unwrap()
}

/// The user confirms an app freeze of `amount`; the verified freeze notification.
async fn app_freeze(
    gw: &Sandbox,
    c: &Client,
    receiver: &NotifyReceiver,
    out_order_no: &str,
    amount: &str,
) -> FundAuthFreeze {
    let req = AlipayFundAuthOrderAppFreeze::builder()
        .out_order_no(out_order_no)
        .out_request_no(format!("{out_order_no}-F"))
        .order_title("Bike rental deposit")
        .amount(amount)
        .product_code(ProductCode::PreAuthOnline)
        .notify_url(&receiver.url)
        .build()
        .unwrap();
    let order = gw
        .confirm_app_freeze(&c.app_order_string(&req).unwrap())
        .await
        .unwrap();
    assert_eq!(order.status, FundAuthOrderStatus::Authorized);
    let body = delivered(gw, receiver, "fund_auth_freeze", "auth_no", &order.auth_no).await;
    c.parse_notification(&body).unwrap()
}

fn pay_from(
    auth_no: &str,
    amount: &str,
    mode: AuthConfirmMode,
    notify_url: &str,
) -> (String, alipay_api::Validated<AlipayTradePay>) {
    let out = order_no("preauth");
    let req = AlipayTradePay::builder()
        .out_trade_no(&out)
        .total_amount(amount)
        .subject("Bike rental")
        .product_code(ProductCode::PreAuthOnline)
        .auth_no(auth_no)
        .auth_confirm_mode(mode)
        .notify_url(notify_url)
        .build()
        .unwrap();
    (out, req)
}

fn unfreeze(
    auth_no: &str,
    request: &str,
    amount: &str,
    notify_url: &str,
) -> alipay_api::Validated<AlipayFundAuthOrderUnfreeze> {
    AlipayFundAuthOrderUnfreeze::builder()
        .auth_no(auth_no)
        .out_request_no(request)
        .amount(amount)
        .remark("deposit returned")
        .notify_url(notify_url)
        .build()
        .unwrap()
}

fn detail(auth_no: &str, request: &str) -> AlipayFundAuthOperationDetailQuery {
    AlipayFundAuthOperationDetailQuery::builder()
        .auth_no(auth_no)
        .out_request_no(request)
}

#[tokio::test]
async fn app_freeze_pays_from_the_frozen_funds_and_releases_the_rest() {
    let receiver = NotifyReceiver::start(1).await;
    let gw = gateway().await;
    let c = gw.client().unwrap();
    let out_order = order_no("deposit");

    // The freeze, as the notification tells it.
    let frozen = app_freeze(&gw, &c, &receiver, &out_order, "100.00").await;
    let auth_no = frozen.auth_no.clone().unwrap();
    assert_eq!(frozen.operation_type, Some(FundAuthOperationType::Freeze));
    assert_eq!(frozen.status, Some(FundAuthOperationStatus::Success));
    assert_eq!(
        (frozen.amount, frozen.rest_amount),
        (yuan(10000), yuan(10000))
    );
    assert_eq!(frozen.out_order_no.as_deref(), Some(out_order.as_str()));
    let payer = frozen.payer_user_id.clone().unwrap();

    // The freeze operation, queried by the merchant's numbers.
    let q = c
        .execute(&detail(&auth_no, &format!("{out_order}-F")).build().unwrap())
        .await
        .unwrap();
    assert_eq!(q.order_status, Some(WireStatus::Authorized));
    assert_eq!(
        (q.total_freeze_amount, q.rest_amount),
        (yuan(10000), yuan(10000))
    );

    // Never more than what is frozen; a refused payment leaves no trade behind.
    let (out, too_much) = pay_from(
        &auth_no,
        "100.01",
        AuthConfirmMode::NotComplete,
        &receiver.url,
    );
    assert_eq!(
        refused(c.execute(&too_much).await),
        "ACQ.REQUEST_AMOUNT_EXCEED"
    );
    assert!(gw.trade(&out).is_none());

    // Paying 40 from the frozen 100: the payer is the user who froze the funds.
    let (out, pay) = pay_from(
        &auth_no,
        "40.00",
        AuthConfirmMode::NotComplete,
        &receiver.url,
    );
    let paid = c.execute(&pay.clone()).await.unwrap();
    assert_eq!(paid.buyer_user_id.as_deref(), Some(payer.as_str()));
    let body = delivered(&gw, &receiver, "trade_status_sync", "out_trade_no", &out).await;
    let sync: TradeStatusSync = c.parse_notification(&body).unwrap();
    assert_eq!(sync.total_amount, yuan(4000));
    let q = c
        .execute(
            &detail(&auth_no, &out)
                .operation_type(FundAuthOperationType::Pay)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        (q.amount, q.total_pay_amount, q.rest_amount),
        (yuan(4000), yuan(4000), yuan(6000))
    );

    // Releasing more than is left is refused; releasing the rest finishes the order.
    let over = unfreeze(&auth_no, "U1", "60.01", &receiver.url);
    assert_eq!(refused(c.execute(&over).await), "REQUEST_AMOUNT_EXCEED");
    let rest = unfreeze(&auth_no, "U1", "60.00", &receiver.url);
    let r = c.execute(&rest).await.unwrap();
    assert_eq!(
        (r.amount, r.status),
        (yuan(6000), Some(FundAuthOperationStatus::Success))
    );
    let body = delivered(&gw, &receiver, "fund_auth_unfreeze", "out_request_no", "U1").await;
    let released: FundAuthUnfreeze = c.parse_notification(&body).unwrap();
    assert_eq!(
        released.operation_type,
        Some(FundAuthOperationType::Unfreeze)
    );
    assert_eq!(
        (released.amount, released.rest_amount),
        (yuan(6000), yuan(0))
    );
    assert_eq!(released.total_pay_amount, yuan(4000));

    // A retry of the same release gives the same answer and releases nothing more.
    let again = c.execute(&rest).await.unwrap();
    assert_eq!(again.operation_id, r.operation_id);
    assert_eq!(
        refused(
            c.execute(&unfreeze(&auth_no, "U1", "1.00", &receiver.url))
                .await
        ),
        "DISCORDANT_REPEAT_REQUEST"
    );
    let order = gw.fund_auth_order(&auth_no).unwrap();
    assert_eq!(order.status, FundAuthOrderStatus::Finish);
    assert_eq!(
        (order.frozen, order.paid, order.unfrozen),
        (
            Amount::from_fen(10000),
            Amount::from_fen(4000),
            Amount::from_fen(6000)
        )
    );
    let unfreeze_notices = gw
        .notifications()
        .iter()
        .filter(|n| n.topic == "fund_auth_unfreeze")
        .count();
    assert_eq!(unfreeze_notices, 1);

    // The order is over: queries say so, payments and releases are refused.
    let q = c
        .execute(&detail(&auth_no, "U1").build().unwrap())
        .await
        .unwrap();
    assert_eq!(q.order_status, Some(WireStatus::Finish));
    assert_eq!(q.operation_type, Some(FundAuthOperationType::Unfreeze));
    let (_, late) = pay_from(
        &auth_no,
        "1.00",
        AuthConfirmMode::NotComplete,
        &receiver.url,
    );
    assert_eq!(refused(c.execute(&late).await), "ACQ.ORDER_ALREADY_FINISH");
    assert_eq!(
        refused(
            c.execute(&unfreeze(&auth_no, "U2", "1.00", &receiver.url))
                .await
        ),
        "ORDER_ALREADY_FINISH"
    );
    // Repeating the paid trade is answered by the trade, not charged again.
    assert_eq!(refused(c.execute(&pay).await), "ACQ.TRADE_HAS_SUCCESS");
}

#[tokio::test]
async fn complete_mode_releases_what_the_payment_leaves() {
    let receiver = NotifyReceiver::start(0).await;
    let gw = gateway().await;
    let c = gw.client().unwrap();
    let auth_no = app_freeze(&gw, &c, &receiver, &order_no("deposit"), "100.00")
        .await
        .auth_no
        .unwrap();
    let (_, pay) = pay_from(&auth_no, "30.00", AuthConfirmMode::Complete, &receiver.url);
    c.execute(&pay).await.unwrap();
    let order = gw.fund_auth_order(&auth_no).unwrap();
    assert_eq!(order.status, FundAuthOrderStatus::Finish);
    assert_eq!(
        (order.paid, order.unfrozen, order.rest()),
        (Amount::from_fen(3000), Amount::from_fen(7000), Amount::ZERO)
    );
    let kinds: Vec<_> = order.operations.iter().map(|o| o.kind).collect();
    assert_eq!(
        kinds,
        [
            FundAuthOperationKind::Freeze,
            FundAuthOperationKind::Pay,
            FundAuthOperationKind::Unfreeze
        ]
    );
}

#[tokio::test]
async fn in_person_freeze_is_cancelled_back_to_the_user() {
    let receiver = NotifyReceiver::start(0).await;
    let gw = gateway().await;
    let c = gw.client().unwrap();
    let out_order = order_no("hotel");
    let freeze = |code: &str| {
        AlipayFundAuthOrderFreeze::builder()
            .auth_code(code)
            .auth_code_type("bar_code")
            .out_order_no(&out_order)
            .out_request_no(format!("{out_order}-F"))
            .order_title("Hotel deposit")
            .amount("500.00")
            .product_code(ProductCode::PreAuth)
            .notify_url(&receiver.url)
            .build()
            .unwrap()
    };
    assert_eq!(
        refused(c.execute(&freeze("1234")).await),
        "PAYMENT_AUTH_CODE_INVALID"
    );
    let r = c.execute(&freeze("287951669891795468")).await.unwrap();
    assert_eq!(r.status, Some(FundAuthOperationStatus::Success));
    let auth_no = r.auth_no.unwrap();
    let body = delivered(&gw, &receiver, "fund_auth_freeze", "auth_no", &auth_no).await;
    let note: FundAuthFreeze = c.parse_notification(&body).unwrap();
    assert_eq!(note.amount, yuan(50000));
    // The same freeze again: the same order, no second notification.
    let again = c.execute(&freeze("287951669891795468")).await.unwrap();
    assert_eq!(again.auth_no.as_deref(), Some(auth_no.as_str()));
    assert_eq!(gw.fund_auth_orders().len(), 1);

    // Cancelling by the merchant's numbers releases everything and closes the order.
    let cancel = AlipayFundAuthOperationCancel::builder()
        .out_order_no(&out_order)
        .out_request_no(format!("{out_order}-F"))
        .remark("guest left early")
        .build()
        .unwrap();
    let cancelled = c.execute(&cancel).await.unwrap();
    assert_eq!(cancelled.action.as_deref(), Some("unfreeze"));
    assert_eq!(cancelled.auth_no.as_deref(), Some(auth_no.as_str()));
    let order = gw.fund_auth_order(&auth_no).unwrap();
    assert_eq!(
        (order.status, order.rest()),
        (FundAuthOrderStatus::Closed, Amount::ZERO)
    );
    let (_, pay) = pay_from(
        &auth_no,
        "1.00",
        AuthConfirmMode::NotComplete,
        &receiver.url,
    );
    assert_eq!(refused(c.execute(&pay).await), "ACQ.ORDER_ALREADY_CLOSED");
}

#[tokio::test]
async fn unknown_orders_and_operations_are_refused() {
    let receiver = NotifyReceiver::start(0).await;
    let gw = gateway().await;
    let c = gw.client().unwrap();
    let nowhere = "2099010110002001000000000001";
    let q = detail(nowhere, "x").build().unwrap();
    assert_eq!(refused(c.execute(&q).await), "AUTH_ORDER_NOT_EXIST");
    assert_eq!(
        refused(
            c.execute(&unfreeze(nowhere, "U", "1.00", &receiver.url))
                .await
        ),
        "AUTH_ORDER_NOT_EXIST"
    );
    let (out, pay) = pay_from(nowhere, "1.00", AuthConfirmMode::NotComplete, &receiver.url);
    assert_eq!(refused(c.execute(&pay).await), "ACQ.AUTH_ORDER_NOT_EXIST");
    assert!(gw.trade(&out).is_none());

    let auth_no = app_freeze(&gw, &c, &receiver, &order_no("deposit"), "10.00")
        .await
        .auth_no
        .unwrap();
    let q = detail(&auth_no, "no-such-request").build().unwrap();
    assert_eq!(refused(c.execute(&q).await), "AUTH_OPERATION_NOT_EXIST");
    let cancel = AlipayFundAuthOperationCancel::builder()
        .auth_no(&auth_no)
        .operation_id("1")
        .remark("r")
        .build()
        .unwrap();
    assert_eq!(
        refused(c.execute(&cancel).await),
        "AUTH_OPERATION_NOT_EXIST"
    );
    // A cancel after a payment is refused: release the rest instead.
    let (_, pay) = pay_from(
        &auth_no,
        "1.00",
        AuthConfirmMode::NotComplete,
        &receiver.url,
    );
    c.execute(&pay).await.unwrap();
    let order = gw.fund_auth_order(&auth_no).unwrap();
    let cancel = AlipayFundAuthOperationCancel::builder()
        .auth_no(&auth_no)
        .operation_id(&order.operations[0].operation_id)
        .remark("r")
        .build()
        .unwrap();
    assert_eq!(
        refused(c.execute(&cancel).await),
        "ORDER_STATUS_NOT_SUPPORT"
    );
    // Both one-of rules are checked before anything is sent.
    let err = AlipayFundAuthOperationDetailQuery::builder()
        .auth_no(&auth_no)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("operation_id"), "{err}");
}

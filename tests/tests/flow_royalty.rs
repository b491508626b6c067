//! 商家分账 end to end through the typed client and the local gateway: receivers
//! bound, listed and unbound; a paid trade split (synchronously and
//! asynchronously), never beyond what is unsettled; queries; and the settlement
//! notification delivered to the app gateway, verified and typed.

mod sandbox_support;

use std::time::Duration;

use alipay_api::models::{
    OpenApiRoyaltyDetailInfoPojo, RoyaltyAccountType, RoyaltyDetailState, RoyaltyEntity,
    RoyaltyMode, RoyaltyResultCode, SettleExtendParams,
};
use alipay_api::royalty::{
    AlipayTradeOrderOnsettleQuery, AlipayTradeOrderSettle, AlipayTradeOrderSettleQuery,
    AlipayTradeRoyaltyRateQuery, AlipayTradeRoyaltyRelationBatchquery,
    AlipayTradeRoyaltyRelationBind, AlipayTradeRoyaltyRelationUnbind, TradeOrderSettleNotify,
};
use alipay_api::trade::{AlipayTradePay, AlipayTradePrecreate, AlipayTradeRefund};
use alipay_api::{Amount, Client, Error};
use alipay_sandbox::{AlipayUser, Sandbox, SplitState};
use sandbox_support::{gateway_with_users, order_no, sub_code, NotifyReceiver};

const RECEIVER: &str = "2088000000000101";
const OTHER: &str = "2088000000000102";

fn by_id(account: &str) -> RoyaltyEntity {
    RoyaltyEntity::new()
        .type_(RoyaltyAccountType::UserId)
        .account(account)
}

/// A gateway that knows the accounts used here, posting messages to `app_gateway`.
async fn gateway(app_gateway: Option<&str>) -> Sandbox {
    gateway_with_users(
        app_gateway,
        [
            AlipayUser::new(RECEIVER, "receiver@shop.example", "分账方甲"),
            AlipayUser::new(OTHER, "other@shop.example", "分账方乙"),
        ],
    )
    .await
}

async fn bind(c: &Client, entries: Vec<RoyaltyEntity>) -> Result<(), Error> {
    let req = AlipayTradeRoyaltyRelationBind::builder()
        .out_request_no(order_no("bind"))
        .receiver_list(entries)
        .build()
        .unwrap();
    let r = c.execute(&req).await?;
    assert_eq!(r.result_code, Some(RoyaltyResultCode::Success));
    Ok(())
}

/// A trade of `total` paid at once with a payment code; its `trade_no`.
async fn paid_trade(c: &Client, total: &str) -> String {
    let pay = AlipayTradePay::builder()
        .out_trade_no(order_no("royalty"))
        .total_amount(total)
        .subject("Tea set")
        .auth_code("287951669891795468")
        .build()
        .unwrap();
    c.execute(&pay).await.unwrap().trade_no.unwrap()
}

fn split(to: &str, amount: &str) -> OpenApiRoyaltyDetailInfoPojo {
    OpenApiRoyaltyDetailInfoPojo::new()
        .trans_in_type("userId")
        .trans_in(to)
        .amount(amount)
}

fn settle(
    trade_no: &str,
    out: &str,
    splits: Vec<OpenApiRoyaltyDetailInfoPojo>,
) -> AlipayTradeOrderSettle {
    AlipayTradeOrderSettle::builder()
        .out_request_no(out)
        .trade_no(trade_no)
        .royalty_parameters(splits)
}

async fn unsettled(c: &Client, trade_no: &str) -> Amount {
    let q = AlipayTradeOrderOnsettleQuery::builder()
        .trade_no(trade_no)
        .build()
        .unwrap();
    c.execute(&q).await.unwrap().unsettled_amount.unwrap()
}

#[tokio::test]
async fn receivers_are_bound_listed_and_unbound() {
    let gw = gateway(None).await;
    let c = gw.client().unwrap();
    let by_login = RoyaltyEntity::new()
        .type_(RoyaltyAccountType::LoginName)
        .account("other@shop.example")
        .name("分账方乙")
        .memo("supplier");
    bind(&c, vec![by_id(RECEIVER), by_login]).await.unwrap();
    // Binding again changes nothing.
    bind(&c, vec![by_id(RECEIVER)]).await.unwrap();
    assert_eq!(gw.royalty_receivers(), [RECEIVER, OTHER]);

    let page = |n: i64| {
        AlipayTradeRoyaltyRelationBatchquery::builder()
            .page_num(n)
            .page_size(1)
            .build()
            .unwrap()
    };
    let second = c.execute(&page(2)).await.unwrap();
    assert_eq!(
        (second.total_record_num, second.total_page_num),
        (Some(2), Some(2))
    );
    let listed = second.receiver_list.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].type_, Some(RoyaltyAccountType::LoginName));
    assert_eq!(
        listed[0].bind_login_name.as_deref(),
        Some("other@shop.example")
    );
    assert_eq!(listed[0].memo.as_deref(), Some("supplier"));

    let unbind = AlipayTradeRoyaltyRelationUnbind::builder()
        .out_request_no(order_no("unbind"))
        .receiver_list([by_id(OTHER)])
        .build()
        .unwrap();
    let r = c.execute(&unbind).await.unwrap();
    assert_eq!(r.result_code, Some(RoyaltyResultCode::Success));
    let first = c.execute(&page(1)).await.unwrap();
    assert_eq!(first.total_record_num, Some(1));
    assert_eq!(
        first.receiver_list.unwrap()[0].account.as_deref(),
        Some(RECEIVER)
    );

    // Unknown accounts, missing names and unknown kinds are refused.
    let e = bind(&c, vec![by_id("2088999999999999")]).await.unwrap_err();
    assert_eq!(sub_code(&e), "ACQ.USER_NOT_EXIST");
    let nameless = RoyaltyEntity::new()
        .type_(RoyaltyAccountType::LoginName)
        .account("receiver@shop.example");
    let e = bind(&c, vec![nameless]).await.unwrap_err();
    assert_eq!(sub_code(&e), "ACQ.INVALID_PARAMETER");
    let card = RoyaltyEntity::new().type_("cardAliasNo").account(RECEIVER);
    let e = bind(&c, vec![card]).await.unwrap_err();
    assert_eq!(sub_code(&e), "ACQ.INVALID_RECEIVER_TYPE");
    assert_eq!(gw.royalty_receivers(), [RECEIVER]);
}

#[tokio::test]
async fn a_paid_trade_is_split_within_what_is_unsettled() {
    let gw = gateway(None).await;
    let c = gw.client().unwrap();
    bind(&c, vec![by_id(RECEIVER)]).await.unwrap();
    let trade_no = paid_trade(&c, "100.00").await;

    let rate = AlipayTradeRoyaltyRateQuery::builder().build().unwrap();
    let rate = c.execute(&rate).await.unwrap();
    assert_eq!(
        (rate.max_ratio, rate.user_id.as_deref()),
        (Some(30), Some(gw.seller_id()))
    );
    assert_eq!(unsettled(&c, &trade_no).await.to_string(), "30.00");

    let before = gw.seller_balance();
    let req = settle(&trade_no, "s1", vec![split(RECEIVER, "12.50")])
        .build()
        .unwrap();
    let r = c.execute(&req).await.unwrap();
    let settle_no = r.settle_no.unwrap();
    assert_eq!(r.trade_no.as_deref(), Some(trade_no.as_str()));
    assert_eq!(gw.seller_balance().fen(), before.fen() - 1250);
    assert_eq!(unsettled(&c, &trade_no).await.to_string(), "17.50");

    // A retry with the same number and splits is the same request.
    let again = c.execute(&req).await.unwrap();
    assert_eq!(again.settle_no.as_deref(), Some(settle_no.as_str()));
    assert_eq!(gw.seller_balance().fen(), before.fen() - 1250);
    let changed = settle(&trade_no, "s1", vec![split(RECEIVER, "1.00")])
        .build()
        .unwrap();
    let e = c.execute(&changed).await.unwrap_err();
    assert_eq!(sub_code(&e), "ACQ.DISCORDANT_REPEAT_REQUEST");

    // Query by settle_no, and by the merchant's number with the trade.
    let q = AlipayTradeOrderSettleQuery::builder()
        .settle_no(&settle_no)
        .build()
        .unwrap();
    let found = c.execute(&q).await.unwrap();
    assert_eq!(found.out_request_no.as_deref(), Some("s1"));
    let detail = &found.royalty_detail_list.unwrap()[0];
    assert_eq!(detail.state, Some(RoyaltyDetailState::Success));
    assert_eq!(
        (detail.trans_in.as_deref(), detail.amount.map(|a| a.fen())),
        (Some(RECEIVER), Some(1250))
    );
    let q = AlipayTradeOrderSettleQuery::builder()
        .out_request_no("s1")
        .trade_no(&trade_no)
        .build()
        .unwrap();
    assert!(c.execute(&q).await.unwrap().operation_dt.is_some());

    // Never more than what is left, never to strangers, never an unknown trade.
    let too_much = settle(&trade_no, "s2", vec![split(RECEIVER, "17.51")])
        .build()
        .unwrap();
    let e = c.execute(&too_much).await.unwrap_err();
    assert_eq!(sub_code(&e), "ACQ.ALLOC_AMOUNT_VALIDATE_ERROR");
    let stranger = settle(&trade_no, "s3", vec![split(OTHER, "1.00")])
        .build()
        .unwrap();
    let e = c.execute(&stranger).await.unwrap_err();
    assert_eq!(sub_code(&e), "ACQ.ROYALTY_RECEIVER_INVALID");
    let unknown = settle(
        "2024010122001400000000000099",
        "s4",
        vec![split(RECEIVER, "1.00")],
    );
    let e = c.execute(&unknown.build().unwrap()).await.unwrap_err();
    assert_eq!(sub_code(&e), "ACQ.TRADE_NOT_EXIST");

    // Finishing releases the rest: nothing more can be split.
    let finish = settle(&trade_no, "s5", vec![split(RECEIVER, "7.50")])
        .extend_params(SettleExtendParams::new().royalty_finish("true"))
        .build()
        .unwrap();
    c.execute(&finish).await.unwrap();
    assert_eq!(unsettled(&c, &trade_no).await, Amount::ZERO);
    let after = settle(&trade_no, "s6", vec![split(RECEIVER, "0.01")])
        .build()
        .unwrap();
    let e = c.execute(&after).await.unwrap_err();
    assert_eq!(sub_code(&e), "ACQ.ALREADY_FINISH_ALLOC");
    let s = gw.settlements();
    assert_eq!(s.len(), 2);
    assert!(s[1].finishes && s.iter().all(|s| !s.asynchronous));
}

#[tokio::test]
async fn refunds_and_unpaid_trades_limit_splitting() {
    let gw = gateway(None).await;
    let c = gw.client().unwrap();
    bind(&c, vec![by_id(RECEIVER)]).await.unwrap();
    gw.set_royalty_max_ratio(100);
    let trade_no = paid_trade(&c, "10.00").await;
    let refund = AlipayTradeRefund::builder()
        .trade_no(&trade_no)
        .refund_amount("9.00")
        .out_request_no("r1")
        .build()
        .unwrap();
    c.execute(&refund).await.unwrap();
    assert_eq!(unsettled(&c, &trade_no).await.to_string(), "1.00");
    let req = settle(&trade_no, "x1", vec![split(RECEIVER, "1.01")])
        .build()
        .unwrap();
    let e = c.execute(&req).await.unwrap_err();
    assert_eq!(sub_code(&e), "ACQ.ALLOC_AMOUNT_VALIDATE_ERROR");

    // The merchant's balance must cover a synchronous split.
    gw.set_seller_balance(Amount::from_fen(50));
    let req = settle(&trade_no, "x2", vec![split(RECEIVER, "1.00")])
        .build()
        .unwrap();
    let e = c.execute(&req).await.unwrap_err();
    assert_eq!(sub_code(&e), "ACQ.TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH");
    assert_eq!(gw.seller_balance().fen(), 50);

    // A trade nobody paid has nothing to split.
    let out = order_no("unpaid");
    let precreate = AlipayTradePrecreate::builder()
        .out_trade_no(&out)
        .total_amount("5.00")
        .subject("Tea")
        .build()
        .unwrap();
    c.execute(&precreate).await.unwrap();
    let unpaid = gw.trade(&out).unwrap().trade_no;
    let req = settle(&unpaid, "x3", vec![split(RECEIVER, "1.00")])
        .build()
        .unwrap();
    let e = c.execute(&req).await.unwrap_err();
    assert_eq!(sub_code(&e), "ACQ.TRADE_STATUS_ERROR");
    assert_eq!(unsettled(&c, &unpaid).await, Amount::ZERO);
}

#[tokio::test]
async fn asynchronous_settlements_notify_the_app_gateway() {
    let app_gateway = NotifyReceiver::start(0).await;
    let gw = gateway(Some(&app_gateway.url)).await;
    let c = gw.client().unwrap();
    bind(&c, vec![by_id(RECEIVER), by_id(OTHER)]).await.unwrap();
    let trade_no = paid_trade(&c, "100.00").await;

    // A synchronous settlement sends no message.
    let sync = settle(&trade_no, "a0", vec![split(OTHER, "1.00")])
        .build()
        .unwrap();
    c.execute(&sync).await.unwrap();

    // Asynchronous: the second split finds the balance short and fails.
    gw.set_seller_balance(Amount::from_fen(500));
    let req = settle(
        &trade_no,
        "a1",
        vec![split(RECEIVER, "4.00"), split(OTHER, "2.00")],
    )
    .royalty_mode(RoyaltyMode::Async)
    .build()
    .unwrap();
    let settle_no = c.execute(&req).await.unwrap().settle_no.unwrap();
    let n = gw
        .wait_for_notification(Duration::from_secs(10), |n| !n.pending())
        .await
        .unwrap();
    assert!(n.delivered, "{n:?}");
    assert_eq!(n.topic, TradeOrderSettleNotify::MSG_METHOD);
    assert_eq!(
        gw.notifications().len(),
        1,
        "the synchronous request sent a message"
    );

    let body = app_gateway.bodies().remove(0);
    let msg: TradeOrderSettleNotify = c.parse_notification(&body).unwrap();
    assert_eq!(msg.settle_no.as_deref(), Some(settle_no.as_str()));
    assert_eq!(msg.out_request_no.as_deref(), Some("a1"));
    assert_eq!(msg.trade_no.as_deref(), Some(trade_no.as_str()));
    let details = msg.royalty_detail_list.unwrap();
    let states: Vec<_> = details.iter().map(|d| d.state.clone().unwrap()).collect();
    assert_eq!(
        states,
        [RoyaltyDetailState::Success, RoyaltyDetailState::Fail]
    );
    assert_eq!(
        details[1].error_code.as_deref(),
        Some("TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH")
    );
    assert_eq!(gw.seller_balance().fen(), 100);
    let s = gw.settlements().pop().unwrap();
    assert!(s.asynchronous);
    assert_eq!(s.splits[1].state, SplitState::Fail);

    // A tampered message is refused before it is typed.
    let mut forged = body.clone();
    let at = forged.windows(4).position(|w| w == b"4.00").unwrap();
    forged[at] = b'9';
    assert!(c
        .parse_notification::<TradeOrderSettleNotify>(&forged)
        .is_err());
}

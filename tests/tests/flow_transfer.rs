//! 转账到支付宝账户 end to end through the typed client and the local gateway: the
//! balance, a transfer and its idempotent retry, the fund-order notification
//! delivered to the app gateway, verified and typed, queries, refusals with
//! Alipay's codes, red-packet money going back, and an electronic receipt; and both
//! 转账 and 商家分账 driven by the official Node SDK (`tests/interop/node/funds.mjs`).

mod sandbox_support;

use std::time::Duration;

use alipay_api::bill::{AlipayDataBillEreceiptApply, AlipayDataBillEreceiptQuery};
use alipay_api::models::{
    EreceiptStatus, EreceiptType, Participant, ParticipantIdentityType, TransferStatus,
    TransferSubStatus,
};
use alipay_api::royalty::TradeOrderSettleNotify;
use alipay_api::transfer::{
    AlipayFundAccountQuery, AlipayFundTransCommonQuery, AlipayFundTransRefund,
    AlipayFundTransUniTransfer, FundTransOrderChanged,
};
use alipay_api::{Amount, Client};
use alipay_sandbox::{AlipayUser, Sandbox};
use sandbox_support::{
    browser, gateway_with_users, order_no, run_node_peer, sub_code, NotifyReceiver,
};

const PAYEE: &str = "2088000000000201";

fn payee() -> Participant {
    Participant::new()
        .identity(PAYEE)
        .identity_type(ParticipantIdentityType::AlipayUserId)
}

fn transfer(out: &str, amount: &str, to: Participant) -> AlipayFundTransUniTransfer {
    AlipayFundTransUniTransfer::builder()
        .out_biz_no(out)
        .trans_amount(amount)
        .product_code("TRANS_ACCOUNT_NO_PWD")
        .biz_scene("DIRECT_TRANSFER")
        .order_title("Commission")
        .payee_info(to)
}

/// A gateway that knows the accounts used here, posting messages to `app_gateway`.
async fn gateway(app_gateway: Option<&str>) -> Sandbox {
    gateway_with_users(app_gateway, [AlipayUser::new(PAYEE, "13800000000", "王五")]).await
}

async fn balance(c: &Client, seller: &str) -> Amount {
    let q = AlipayFundAccountQuery::builder()
        .alipay_user_id(seller)
        .account_type("ACCTRANS_ACCOUNT")
        .build()
        .unwrap();
    c.execute(&q).await.unwrap().available_amount.unwrap()
}

#[tokio::test]
async fn a_transfer_moves_money_once_and_notifies_the_app_gateway() {
    let app_gateway = NotifyReceiver::start(1).await;
    let gw = gateway(Some(&app_gateway.url)).await;
    let c = gw.client().unwrap();
    let start = balance(&c, gw.seller_id()).await;
    assert_eq!(start, gw.seller_balance());

    let out = order_no("trans");
    let req = transfer(&out, "23.00", payee().name("王五"))
        .passback_params("batch-7")
        .build()
        .unwrap();
    let r = c.execute(&req).await.unwrap();
    assert_eq!(r.status, Some(TransferStatus::Success));
    let order_id = r.order_id.unwrap();
    assert!(r.pay_fund_order_id.is_some() && r.trans_date.is_some());
    assert_eq!(balance(&c, gw.seller_id()).await.fen(), start.fen() - 2300);

    // The retry of a transfer that went through answers with the same order.
    let again = c.execute(&req).await.unwrap();
    assert_eq!(again.order_id.as_deref(), Some(order_id.as_str()));
    assert_eq!(gw.seller_balance().fen(), start.fen() - 2300);
    assert_eq!(gw.transfers().len(), 1);

    // The fund-order message: answered wrongly once, retried, then acknowledged.
    let n = gw
        .wait_for_notification(Duration::from_secs(10), |n| !n.pending())
        .await
        .unwrap();
    assert!(n.delivered && n.attempts == 2, "{n:?}");
    assert_eq!(n.topic, FundTransOrderChanged::MSG_METHOD);
    assert_eq!(gw.notifications().len(), 1);
    let body = app_gateway.bodies().pop().unwrap();
    let msg: FundTransOrderChanged = c.parse_notification(&body).unwrap();
    assert_eq!(msg.out_biz_no.as_deref(), Some(out.as_str()));
    assert_eq!(msg.order_id.as_deref(), Some(order_id.as_str()));
    assert_eq!(msg.status, Some(TransferStatus::Success));
    assert_eq!(msg.trans_amount.map(|a| a.fen()), Some(2300));
    assert_eq!(
        msg.origin_interface.as_deref(),
        Some("alipay.fund.trans.uni.transfer")
    );
    assert_eq!(msg.passback_params.as_deref(), Some("batch-7"));
    assert!(msg.pay_date.is_some());

    // Looked up by the merchant's number (with product and scene) or Alipay's.
    let by_out = AlipayFundTransCommonQuery::builder()
        .out_biz_no(&out)
        .product_code("TRANS_ACCOUNT_NO_PWD")
        .biz_scene("DIRECT_TRANSFER")
        .build()
        .unwrap();
    let q = c.execute(&by_out).await.unwrap();
    assert_eq!(q.order_id.as_deref(), Some(order_id.as_str()));
    assert_eq!(
        (q.status, q.trans_amount.map(|a| a.fen())),
        (Some(TransferStatus::Success), Some(2300))
    );
    let by_id = AlipayFundTransCommonQuery::builder()
        .order_id(&order_id)
        .build()
        .unwrap();
    assert_eq!(
        c.execute(&by_id).await.unwrap().out_biz_no.as_deref(),
        Some(out.as_str())
    );
    // Without product and scene the merchant's number is not enough.
    let bare = AlipayFundTransCommonQuery::builder()
        .out_biz_no(&out)
        .build();
    assert!(bare.is_err());

    // An electronic receipt for the transfer.
    let apply = AlipayDataBillEreceiptApply::builder()
        .type_(EreceiptType::FundDetail)
        .key(&order_id)
        .build()
        .unwrap();
    let file_id = c.execute(&apply).await.unwrap().file_id.unwrap();
    let e = c.execute(&apply).await.unwrap_err();
    assert_eq!(sub_code(&e), "ERECEIPT_DUPLICATE_APPLY");
    let query = AlipayDataBillEreceiptQuery::builder()
        .file_id(&file_id)
        .build()
        .unwrap();
    let ready = c.execute(&query).await.unwrap();
    assert_eq!(ready.status, Some(EreceiptStatus::Success));
    let pdf = browser()
        .get(ready.download_url.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let pdf = pdf.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains(&order_id) && text.contains("23.00"), "{text}");
}

#[tokio::test]
async fn transfers_are_refused_with_alipays_codes() {
    let gw = gateway(None).await;
    let c = gw.client().unwrap();
    let refused = |req: AlipayFundTransUniTransfer| {
        let c = c.clone();
        async move { c.execute(&req.build().unwrap()).await.unwrap_err() }
    };
    let stranger = Participant::new()
        .identity("2088999999999999")
        .identity_type(ParticipantIdentityType::AlipayUserId);
    let e = refused(transfer(&order_no("t"), "1.00", stranger)).await;
    assert_eq!(sub_code(&e), "PAYEE_NOT_EXIST");
    let e = refused(transfer(&order_no("t"), "1.00", payee().name("李四"))).await;
    assert_eq!(sub_code(&e), "PAYEE_USERINFO_ERROR");
    let e = refused(transfer(&order_no("t"), "0.09", payee())).await;
    assert_eq!(sub_code(&e), "EXCEED_LIMIT_SM_MIN_AMOUNT");
    let merchant = Participant::new()
        .identity(gw.seller_id())
        .identity_type(ParticipantIdentityType::AlipayUserId);
    let e = refused(transfer(&order_no("t"), "1.00", merchant)).await;
    assert_eq!(sub_code(&e), "PAYER_PAYEE_CANNOT_SAME");

    // A login name needs the real name: caught before anything is sent.
    let by_login = Participant::new()
        .identity("13800000000")
        .identity_type(ParticipantIdentityType::AlipayLogonId);
    assert!(transfer(&order_no("t"), "1.00", by_login.clone())
        .build()
        .is_err());
    let ok = transfer(&order_no("t"), "1.00", by_login.name("王五"))
        .build()
        .unwrap();
    c.execute(&ok).await.unwrap();

    gw.set_seller_balance(Amount::from_fen(500));
    let out = order_no("short");
    let e = refused(transfer(&out, "5.01", payee())).await;
    assert_eq!(sub_code(&e), "PAYER_BALANCE_NOT_ENOUGH");
    assert_eq!(gw.seller_balance().fen(), 500);
    // Topped up, the same number goes through; reused for other content, it is refused.
    gw.set_seller_balance(Amount::from_fen(10_000));
    c.execute(&transfer(&out, "5.01", payee()).build().unwrap())
        .await
        .unwrap();
    let e = refused(transfer(&out, "5.02", payee())).await;
    assert_eq!(sub_code(&e), "PAYMENT_INFO_INCONSISTENCY");
    assert_eq!(gw.transfers().len(), 2);

    let unknown = AlipayFundTransCommonQuery::builder()
        .order_id("20240101110070000006380000000000")
        .build()
        .unwrap();
    let e = c.execute(&unknown).await.unwrap_err();
    assert_eq!(sub_code(&e), "ORDER_NOT_EXIST");
    let receipt = AlipayDataBillEreceiptApply::builder()
        .type_(EreceiptType::FundDetail)
        .key("20240101110070000006380000000000")
        .build()
        .unwrap();
    let e = c.execute(&receipt).await.unwrap_err();
    assert_eq!(sub_code(&e), "BIZ_ERROR");
}

#[tokio::test]
async fn red_packet_money_goes_back_in_parts() {
    let gw = gateway(None).await;
    let c = gw.client().unwrap();
    let packet = AlipayFundTransUniTransfer::builder()
        .out_biz_no(order_no("packet"))
        .trans_amount("10.00")
        .product_code("STD_RED_PACKET")
        .biz_scene("DIRECT_TRANSFER")
        .business_params(r#"{"sub_biz_scene":"REDPACKET"}"#)
        .payee_info(payee());
    let order_id = c
        .execute(&packet.build().unwrap())
        .await
        .unwrap()
        .order_id
        .unwrap();
    let before = gw.seller_balance();

    let give_back = |out: &str, amount: &str| {
        AlipayFundTransRefund::builder()
            .order_id(&order_id)
            .out_request_no(out)
            .refund_amount(amount)
            .remark("unclaimed")
            .build()
            .unwrap()
    };
    let r = c.execute(&give_back("r1", "4.00")).await.unwrap();
    assert_eq!(r.status.as_deref(), Some("SUCCESS"));
    let first = r.refund_order_id.unwrap();
    assert_eq!(gw.seller_balance().fen(), before.fen() + 400);
    let again = c.execute(&give_back("r1", "4.00")).await.unwrap();
    assert_eq!(again.refund_order_id.as_deref(), Some(first.as_str()));
    assert_eq!(gw.seller_balance().fen(), before.fen() + 400);
    // Missing business input is answered in the product's own flavour.
    let no_amount = AlipayFundTransRefund::builder()
        .order_id(&order_id)
        .out_request_no("r0")
        .build()
        .unwrap();
    let e = c.execute(&no_amount).await.unwrap_err();
    assert_eq!(e.api().map(|a| a.code.as_str()), Some("40004"));
    assert_eq!(sub_code(&e), "INVALID_PARAMETER");
    let e = c.execute(&give_back("r1", "5.00")).await.unwrap_err();
    assert_eq!(sub_code(&e), "REFUND_INFO_INCONSISTENCY");
    let e = c.execute(&give_back("r2", "6.01")).await.unwrap_err();
    assert_eq!(sub_code(&e), "REFUND_MONEY_NOT_ENOUGH");
    c.execute(&give_back("r2", "6.00")).await.unwrap();
    assert_eq!(gw.seller_balance().fen(), before.fen() + 1000);
    let q = AlipayFundTransCommonQuery::builder()
        .order_id(&order_id)
        .build()
        .unwrap();
    assert_eq!(
        c.execute(&q).await.unwrap().sub_status,
        Some(TransferSubStatus::Refunded)
    );

    // A transfer to an account is final.
    let plain = c
        .execute(&transfer(&order_no("t"), "1.00", payee()).build().unwrap())
        .await
        .unwrap();
    let req = AlipayFundTransRefund::builder()
        .order_id(plain.order_id.unwrap())
        .out_request_no("r3")
        .refund_amount("1.00")
        .build()
        .unwrap();
    let e = c.execute(&req).await.unwrap_err();
    assert_eq!(sub_code(&e), "PRODUCT_NOT_ALLOW_REFUND");
}

/// Both products driven by the official Node SDK (alipay-sdk 4.14.0), which checks
/// every answer's signature; the two messages the calls cause are then checked by
/// the SDK's own notification verifier, as the app gateway received them.
#[tokio::test]
async fn official_node_sdk_splits_and_transfers() {
    let app_gateway = NotifyReceiver::start(0).await;
    let gw = gateway(Some(&app_gateway.url)).await;
    let prefix = format!("node{}", std::process::id());
    let cfg = serde_json::json!({
        "gateway": gw.gateway_url(),
        "appId": gw.keys().app_id,
        "privateKey": gw.keys().app_private_key,
        "alipayPublicKey": gw.keys().alipay_public_key,
        "orderPrefix": prefix,
        "receiver": PAYEE,
        "sellerId": gw.seller_id(),
    });
    let v = run_node_peer("funds.mjs", cfg.clone()).await;
    assert_eq!(v["bind"]["resultCode"], "SUCCESS", "{v}");
    assert!(v["settle"]["settleNo"].is_string(), "{v}");
    assert_eq!(v["settleQuery"]["royaltyDetailList"][0]["state"], "SUCCESS");
    assert_eq!(v["unsettled"]["unsettledAmount"], "10.00");
    assert_eq!(v["transfer"]["status"], "SUCCESS");
    assert_eq!(v["transferQuery"]["transAmount"], "8.88");
    assert_eq!(
        v["balance"]["availableAmount"],
        gw.seller_balance().to_string()
    );
    assert_eq!(v["unknownPayee"]["subCode"], "PAYEE_NOT_EXIST");
    assert!(gw.settlements()[0].asynchronous);
    assert_eq!(gw.transfers()[0].payee_user_id, PAYEE);

    // The settlement result and the fund-order change, as posted to the app gateway.
    for topic in [
        TradeOrderSettleNotify::MSG_METHOD,
        FundTransOrderChanged::MSG_METHOD,
    ] {
        gw.wait_for_notification(Duration::from_secs(10), |n| n.topic == topic && n.delivered)
            .await
            .unwrap();
    }
    let messages: Vec<serde_json::Value> = app_gateway
        .bodies()
        .iter()
        .map(|b| {
            form_urlencoded::parse(b)
                .into_owned()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect::<serde_json::Map<_, _>>()
                .into()
        })
        .collect();
    let mut cfg = cfg;
    cfg["messages"] = messages.into();
    let checked = run_node_peer("funds.mjs", cfg).await;
    assert_eq!(
        checked["messages"],
        serde_json::json!([true, true]),
        "{checked}"
    );
    assert_eq!(checked["forged"], false);
}

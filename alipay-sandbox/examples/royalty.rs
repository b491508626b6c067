//! 商家分账 (royalty) with `alipay-api`: bind a partner as a royalty receiver, take a
//! payment, split part of it at once and part of it in the background, read the
//! settlement-result message on the app gateway, and see what is left to split.
//!
//! ```text
//! cargo run --example royalty
//! ```
//!
//! It runs against a local sandbox gateway started in-process, with fresh keys, so it
//! needs no account and no network.

#[path = "support/mod.rs"]
mod support;

use alipay_api::models::{
    OpenApiRoyaltyDetailInfoPojo, RoyaltyAccountType, RoyaltyEntity, RoyaltyMode,
    SettleExtendParams,
};
use alipay_api::royalty::{
    AlipayTradeOrderOnsettleQuery, AlipayTradeOrderSettle, AlipayTradeOrderSettleQuery,
    AlipayTradeRoyaltyRateQuery, AlipayTradeRoyaltyRelationBatchquery,
    AlipayTradeRoyaltyRelationBind, TradeOrderSettleNotify,
};
use alipay_api::trade::AlipayTradePay;
use alipay_api::{BeijingDateTime, Client};
use alipay_sandbox::{AlipayUser, Sandbox};
use support::{wire, BoxError};

const PARTNER: &str = "2088000000000301";

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    // The settlement result arrives as a message on the app gateway, so start ours
    // first and tell the gateway where it is.
    let gw = Sandbox::start().await?;
    let client = gw.client()?;
    let (url, mut messages) =
        support::app_gateway::<TradeOrderSettleNotify>(client.clone()).await?;
    gw.set_app_gateway_url(Some(url));
    gw.add_user(AlipayUser::new(PARTNER, "partner@shop.example", "合作方甲"));
    println!("Local sandbox gateway at {}", gw.gateway_url());
    let stamp = BeijingDateTime::now()
        .naive()
        .format("%Y%m%d%H%M%S")
        .to_string();

    // 1. The partner becomes a royalty receiver.
    let bind = AlipayTradeRoyaltyRelationBind::builder()
        .out_request_no(format!("BIND{stamp}"))
        .receiver_list([RoyaltyEntity::new()
            .type_(RoyaltyAccountType::UserId)
            .account(PARTNER)
            .memo("platform partner")])
        .build()?;
    let bound = client.execute(&bind).await?;
    let list = AlipayTradeRoyaltyRelationBatchquery::builder().build()?;
    let listed = client.execute(&list).await?;
    println!(
        "\n1. Receiver bound ({}); {} receiver(s) bound in all",
        wire(&bound.result_code),
        wire(&listed.total_record_num)
    );

    // 2. How much of a trade may be split.
    let rate = client
        .execute(&AlipayTradeRoyaltyRateQuery::builder().build()?)
        .await?;
    println!(
        "2. Up to {}% of a trade may be split",
        wire(&rate.max_ratio)
    );

    // 3. A buyer pays 200.00 with a payment code.
    let pay = AlipayTradePay::builder()
        .out_trade_no(format!("ROY{stamp}"))
        .total_amount("200.00")
        .subject("Royalty example: a tea set")
        .auth_code("287951669891795468")
        .build()?;
    let trade_no = client.execute(&pay).await?.trade_no.ok_or("no trade_no")?;
    println!(
        "3. Paid: trade_no {trade_no}; left to split: {}",
        unsettled(&client, &trade_no).await?
    );

    // 4. Split 20.00 to the partner now; the answer is the outcome.
    let now = settle(&trade_no, &format!("S1{stamp}"), "20.00").build()?;
    let settle_no = client
        .execute(&now)
        .await?
        .settle_no
        .ok_or("no settle_no")?;
    let q = AlipayTradeOrderSettleQuery::builder()
        .settle_no(&settle_no)
        .build()?;
    for d in client
        .execute(&q)
        .await?
        .royalty_detail_list
        .unwrap_or_default()
    {
        println!(
            "4. Split {settle_no}: {} to {} is {}",
            wire(&d.amount),
            wire(&d.trans_in),
            wire(&d.state)
        );
    }

    // 5. Split 10.00 more in the background and finish splitting the trade: the
    //    outcome arrives as the settlement-result message, verified before use.
    let later = settle(&trade_no, &format!("S2{stamp}"), "10.00")
        .royalty_mode(RoyaltyMode::Async)
        .extend_params(SettleExtendParams::new().royalty_finish("true"))
        .build()?;
    client.execute(&later).await?;
    let message = support::next(&mut messages).await?;
    for d in message.royalty_detail_list.unwrap_or_default() {
        println!(
            "5. Message for {}: {} to {} is {}",
            wire(&message.settle_no),
            wire(&d.amount),
            wire(&d.trans_in),
            wire(&d.state)
        );
    }

    // 6. Finished: nothing is left to split, and the rest stays with the merchant.
    println!("6. Left to split: {}", unsettled(&client, &trade_no).await?);
    gw.shutdown().await;
    Ok(())
}

/// A settlement paying `amount` of the trade to the partner.
fn settle(trade_no: &str, out_request_no: &str, amount: &str) -> AlipayTradeOrderSettle {
    AlipayTradeOrderSettle::builder()
        .out_request_no(out_request_no)
        .trade_no(trade_no)
        .royalty_parameters([OpenApiRoyaltyDetailInfoPojo::new()
            .trans_in_type("userId")
            .trans_in(PARTNER)
            .amount(amount)
            .desc("platform partner share")])
}

/// What is left to split of a trade.
async fn unsettled(client: &Client, trade_no: &str) -> Result<String, BoxError> {
    let q = AlipayTradeOrderOnsettleQuery::builder()
        .trade_no(trade_no)
        .build()?;
    Ok(wire(&client.execute(&q).await?.unsettled_amount))
}

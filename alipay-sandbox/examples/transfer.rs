//! 转账到支付宝账户 (transfers) with `alipay-api`: read the balance, pay a user, read
//! the fund-order message on the app gateway, look the order up, ask for its
//! electronic receipt, and see a refusal Alipay would give.
//!
//! ```text
//! cargo run --example transfer
//! ```
//!
//! It runs against a local sandbox gateway started in-process, with fresh keys, so it
//! needs no account and no network.

#[path = "support/mod.rs"]
mod support;

use alipay_api::bill::{AlipayDataBillEreceiptApply, AlipayDataBillEreceiptQuery};
use alipay_api::models::{EreceiptType, Participant, ParticipantIdentityType};
use alipay_api::transfer::{
    AlipayFundAccountQuery, AlipayFundTransCommonQuery, AlipayFundTransUniTransfer,
    FundTransOrderChanged,
};
use alipay_api::{BeijingDateTime, Client};
use alipay_sandbox::{AlipayUser, Sandbox};
use support::{wire, BoxError};

const PAYEE: &str = "2088000000000401";

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    // Fund-order changes arrive as messages on the app gateway: start ours first.
    let gw = Sandbox::start().await?;
    let client = gw.client()?;
    let (url, mut messages) = support::app_gateway::<FundTransOrderChanged>(client.clone()).await?;
    gw.set_app_gateway_url(Some(url));
    gw.add_user(AlipayUser::new(PAYEE, "13900000000", "王五"));
    println!("Local sandbox gateway at {}", gw.gateway_url());
    let stamp = BeijingDateTime::now()
        .naive()
        .format("%Y%m%d%H%M%S")
        .to_string();

    // 1. The merchant's balance.
    println!(
        "\n1. Available: {}",
        balance(&client, gw.seller_id()).await?
    );

    // 2. Pay 66.00 to a user, named by user id and checked against the real name.
    let out_biz_no = format!("TR{stamp}");
    let pay = AlipayFundTransUniTransfer::builder()
        .out_biz_no(&out_biz_no)
        .trans_amount("66.00")
        .product_code("TRANS_ACCOUNT_NO_PWD")
        .biz_scene("DIRECT_TRANSFER")
        .order_title("Transfer example: commission")
        .payee_info(
            Participant::new()
                .identity(PAYEE)
                .identity_type(ParticipantIdentityType::AlipayUserId)
                .name("王五"),
        )
        .build()?;
    let paid = client.execute(&pay).await?;
    let order_id = paid.order_id.ok_or("no order_id")?;
    println!("2. Transferred: order {order_id} is {}", wire(&paid.status));

    // 3. The fund-order message, verified before use.
    let m = support::next(&mut messages).await?;
    println!(
        "3. Message: order {} ({}) is {}",
        wire(&m.order_id),
        wire(&m.out_biz_no),
        wire(&m.status)
    );

    // 4. Look the order up; the balance went down.
    let q = AlipayFundTransCommonQuery::builder()
        .order_id(&order_id)
        .build()?;
    let found = client.execute(&q).await?;
    println!(
        "4. Query: {}, {} paid at {}; available now: {}",
        wire(&found.status),
        wire(&found.trans_amount),
        wire(&found.pay_date),
        balance(&client, gw.seller_id()).await?
    );

    // 5. The electronic receipt (电子回单) of the transfer, as a PDF.
    let apply = AlipayDataBillEreceiptApply::builder()
        .type_(EreceiptType::FundDetail)
        .key(&order_id)
        .build()?;
    let file_id = client.execute(&apply).await?.file_id.ok_or("no file_id")?;
    let q = AlipayDataBillEreceiptQuery::builder()
        .file_id(&file_id)
        .build()?;
    let link = client
        .execute(&q)
        .await?
        .download_url
        .ok_or("no download_url")?;
    let pdf = reqwest::get(&link).await?.bytes().await?;
    println!(
        "5. Receipt {file_id}: {} bytes of PDF from {link}",
        pdf.len()
    );

    // 6. A user Alipay does not know: refused with a code to act on, nothing moves.
    let nobody = AlipayFundTransUniTransfer::builder()
        .out_biz_no(format!("TRX{stamp}"))
        .trans_amount("1.00")
        .product_code("TRANS_ACCOUNT_NO_PWD")
        .payee_info(
            Participant::new()
                .identity("2088999999999999")
                .identity_type(ParticipantIdentityType::AlipayUserId),
        )
        .build()?;
    let e = client
        .execute(&nobody)
        .await
        .err()
        .ok_or("the transfer went through")?;
    let sub_code = e.api().and_then(|a| a.sub_code.clone()).unwrap_or_default();
    println!("6. Refused: {sub_code}");
    gw.shutdown().await;
    Ok(())
}

/// The merchant's available balance.
async fn balance(client: &Client, seller_id: &str) -> Result<String, BoxError> {
    let q = AlipayFundAccountQuery::builder()
        .alipay_user_id(seller_id)
        .account_type("ACCTRANS_ACCOUNT")
        .build()?;
    let r = client.execute(&q).await?;
    Ok(wire(&r.available_amount))
}

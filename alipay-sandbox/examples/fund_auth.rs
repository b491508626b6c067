//! A deposit with Alipay pre-authorisation (支付宝预授权) against the local gateway: the
//! merchant's app asks the user to freeze 100 yuan, the freeze notification is
//! verified, 35 yuan is paid from the frozen funds with `alipay.trade.pay`, the rest is
//! released with its notification, and the operations are queried.
//!
//! ```text
//! cargo run --example fund_auth
//! ```
//!
//! The freeze needs a real user in Alipay's app, so this example runs against a local
//! sandbox gateway started in-process, with fresh keys and no network.

mod support;

use alipay_api::fund_auth::{
    AlipayFundAuthOperationDetailQuery, AlipayFundAuthOrderAppFreeze, AlipayFundAuthOrderUnfreeze,
    FundAuthFreeze, FundAuthUnfreeze,
};
use alipay_api::models::{AuthConfirmMode, ProductCode};
use alipay_api::trade::{AlipayTradePay, TradeStatusSync};
use alipay_api::BeijingDateTime;
use support::{wire, BoxError};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let (gw, client, mut inbox) = support::local().await?;
    let order = format!("D{}", BeijingDateTime::now().naive().format("%Y%m%d%H%M%S"));

    // 1. The app gets a signed order string and opens the Alipay app with it.
    let freeze = AlipayFundAuthOrderAppFreeze::builder()
        .out_order_no(&order)
        .out_request_no(format!("{order}-F"))
        .order_title("E-bike rental deposit")
        .amount("100.00")
        .product_code(ProductCode::PreAuthOnline)
        .notify_url(&inbox.url)
        .build()?;
    let order_string = client.app_order_string(&freeze)?;
    println!(
        "\n1. Order string for the Alipay app ({} bytes)",
        order_string.len()
    );

    // 2. The simulated user confirms in the app; the notification is verified.
    gw.confirm_app_freeze(&order_string).await?;
    let frozen: FundAuthFreeze = inbox.next("fund_auth_freeze").await?;
    let auth_no = frozen.auth_no.clone().ok_or("no auth_no")?;
    println!(
        "2. Frozen {} yuan (authorisation {auth_no}) from user {}",
        wire(&frozen.amount),
        wire(&frozen.payer_user_id)
    );

    // 3. The ride cost 35 yuan: paid from the frozen funds.
    let pay = AlipayTradePay::builder()
        .out_trade_no(format!("{order}-RIDE"))
        .total_amount("35.00")
        .subject("E-bike ride")
        .product_code(ProductCode::PreAuthOnline)
        .auth_no(&auth_no)
        .auth_confirm_mode(AuthConfirmMode::NotComplete)
        .notify_url(&inbox.url)
        .build()?;
    client.execute(&pay).await?;
    let sync: TradeStatusSync = inbox.next("trade_status_sync").await?;
    println!(
        "3. Paid {} yuan from the deposit; trade {} is {}",
        wire(&sync.total_amount),
        wire(&sync.trade_no),
        wire(&sync.trade_status)
    );

    // 4. What is left goes back to the user.
    let query = |request: String| {
        AlipayFundAuthOperationDetailQuery::builder()
            .auth_no(&auth_no)
            .out_request_no(request)
            .build()
    };
    let left = client.execute(&query(format!("{order}-F"))?).await?;
    let rest = wire(&left.rest_amount);
    let unfreeze = AlipayFundAuthOrderUnfreeze::builder()
        .auth_no(&auth_no)
        .out_request_no(format!("{order}-U"))
        .amount(rest.as_str())
        .remark("deposit returned")
        .notify_url(&inbox.url)
        .build()?;
    client.execute(&unfreeze).await?;
    let released: FundAuthUnfreeze = inbox.next("fund_auth_unfreeze").await?;
    println!(
        "4. Released {} yuan; {} yuan still frozen",
        wire(&released.amount),
        wire(&released.rest_amount)
    );

    // 5. The order at the end.
    let done = client.execute(&query(format!("{order}-U"))?).await?;
    println!(
        "5. Order {}: frozen {}, paid {}, left {}",
        wire(&done.order_status),
        wire(&done.total_freeze_amount),
        wire(&done.total_pay_amount),
        wire(&done.rest_amount)
    );
    gw.shutdown().await;
    Ok(())
}

//! A recurring deduction agreement (周期扣款) against the local gateway: the user signs
//! in the browser, the signing notification is verified, the merchant queries the
//! agreement, deducts the first period with `alipay.trade.pay`, postpones the next
//! deduction, and ends the agreement.
//!
//! ```text
//! cargo run --example agreement
//! ```
//!
//! Signing needs a real user in Alipay's app, so this example runs against a local
//! sandbox gateway started in-process, with fresh keys and no network.

mod support;

use alipay_api::agreement::{
    AlipayUserAgreementExecutionplanModify, AlipayUserAgreementPageSign, AlipayUserAgreementQuery,
    AlipayUserAgreementUnsign, UserAgreementSigned, UserAgreementUnsigned,
};
use alipay_api::models::{
    AccessParams, AgreementParams, PeriodRuleParams, PeriodType, ProductCode,
};
use alipay_api::trade::{AlipayTradePay, TradeStatusSync};
use alipay_api::BeijingDateTime;
use support::{wire, BoxError};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let (gw, client, mut inbox) = support::local().await?;
    let today = BeijingDateTime::now().naive().date();
    let member = format!("M{}", BeijingDateTime::now().naive().format("%Y%m%d%H%M%S"));

    // 1. The user is sent to Alipay to sign: 9.90 yuan every 30 days, first today.
    let sign = AlipayUserAgreementPageSign::builder()
        .personal_product_code("CYCLE_PAY_AUTH_P")
        .product_code("CYCLE_PAY_AUTH")
        .access_params(AccessParams::new().channel("ALIPAYAPP"))
        .sign_scene("INDUSTRY|DIGITAL_MEDIA")
        .external_agreement_no(&member)
        .period_rule_params(
            PeriodRuleParams::new()
                .period_type(PeriodType::Day)
                .period(30)
                .execute_time(today)
                .single_amount("9.90"),
        )
        .notify_url(&inbox.url)
        .return_url("https://merchant.example/membership")
        .build()?;
    let url = client.page_url(&sign)?;
    println!("\n1. Send the user to:\n   {url}");

    // 2. The simulated user signs; the browser is sent back, the notification follows.
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let back = browser.get(&url).send().await?;
    println!(
        "2. User signed; browser sent back to {}",
        wire(&back.headers().get("location").and_then(|l| l.to_str().ok()))
    );
    let signed: UserAgreementSigned = inbox.next("dut_user_sign").await?;
    let agreement_no = signed.agreement_no.clone().ok_or("no agreement_no")?;
    println!(
        "3. Signing notification verified: agreement {agreement_no} is {} for user {}",
        wire(&signed.status),
        wire(&signed.alipay_user_id)
    );

    // 4. The agreement, as the merchant sees it before deducting.
    let query = AlipayUserAgreementQuery::builder()
        .agreement_no(&agreement_no)
        .build()?;
    let q = client.execute(&query).await?;
    println!(
        "4. Query: {}, next deduction {}, at most {} yuan",
        wire(&q.status),
        wire(&q.next_deduct_time),
        wire(&q.single_quota)
    );

    // 5. The first period's deduction: no payment code, the agreement pays.
    let pay = AlipayTradePay::builder()
        .out_trade_no(format!("{member}-P1"))
        .total_amount("9.90")
        .subject("Membership, first period")
        .product_code(ProductCode::CyclePayAuth)
        .agreement_params(AgreementParams::new().agreement_no(&agreement_no))
        .notify_url(&inbox.url)
        .build()?;
    let paid = client.execute(&pay).await?;
    let sync: TradeStatusSync = inbox.next("trade_status_sync").await?;
    println!(
        "5. Deducted {} yuan (trade {}); notification says {}",
        wire(&paid.total_amount),
        wire(&paid.trade_no),
        wire(&sync.trade_status)
    );

    // 6. A bought quarter pack pushes the next deduction back.
    let q = client.execute(&query).await?;
    let next: alipay_api::types::NaiveDate = wire(&q.next_deduct_time).parse()?;
    let later = (0..14)
        .try_fold(next, |d, _| d.succ_opt())
        .ok_or("date out of range")?;
    let modify = AlipayUserAgreementExecutionplanModify::builder()
        .agreement_no(&agreement_no)
        .deduct_time(later)
        .memo("quarter pack bought")
        .build()?;
    let moved = client.execute(&modify).await?;
    println!(
        "6. Next deduction moved from {next} to {}",
        wire(&moved.deduct_time)
    );

    // 7. The merchant ends the agreement; the notification confirms it.
    let unsign = AlipayUserAgreementUnsign::builder()
        .agreement_no(&agreement_no)
        .notify_url(&inbox.url)
        .build()?;
    client.execute(&unsign).await?;
    let ended: UserAgreementUnsigned = inbox.next("dut_user_unsign").await?;
    println!(
        "7. Unsigned: notification says {} at {}",
        wire(&ended.status),
        wire(&ended.unsign_time)
    );
    gw.shutdown().await;
    Ok(())
}

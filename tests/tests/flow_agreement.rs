//! Deduction agreements end to end through the generated API and the local gateway:
//! signing in the user's browser, the signing notification, queries, deductions with
//! `alipay.trade.pay`, moving a recurring agreement's next deduction, unsigning and its
//! notification, and the refusals along the way.

mod sandbox_support;

use alipay_api::agreement::{
    AlipayUserAgreementExecutionplanModify, AlipayUserAgreementPageSign, AlipayUserAgreementQuery,
    AlipayUserAgreementUnsign, UserAgreementSigned, UserAgreementUnsigned,
};
use alipay_api::models::{
    AccessParams, AgreementParams, AgreementStatus as WireStatus, PeriodRuleParams, PeriodType,
    ProductCode,
};

use alipay_api::trade::{AlipayTradePay, TradeStatusSync};
use alipay_api::types::NaiveDate;
use alipay_api::{Amount, BeijingDateTime, Client, GenericRequest};
use alipay_sandbox::{AgreementStatus, Sandbox, SandboxConfig, TradeStatus};
use sandbox_support::{
    browser, delivered, form_fields, order_no, refused, submit, text_of, NotifyReceiver,
};

const RETURN_URL: &str = "https://merchant.example/agreement/done";

fn today() -> NaiveDate {
    BeijingDateTime::now().naive().date()
}

fn later(days: u32) -> NaiveDate {
    (0..days).fold(today(), |d, _| d.succ_opt().unwrap())
}

async fn gateway(auto_sign: bool) -> Sandbox {
    let config = SandboxConfig::new()
        .notify_time_scale(0.0005)
        .auto_pay_pages(auto_sign);
    Sandbox::start_with(config).await.unwrap()
}

/// A recurring agreement: every 30 days, at most 20 yuan a time, 50 in all.
fn cycle_sign(
    external: &str,
    notify_url: &str,
) -> alipay_api::Validated<AlipayUserAgreementPageSign> {
    AlipayUserAgreementPageSign::builder()
        .personal_product_code("CYCLE_PAY_AUTH_P")
        .product_code("CYCLE_PAY_AUTH")
        .access_params(AccessParams::new().channel("ALIPAYAPP"))
        .sign_scene("INDUSTRY|DIGITAL_MEDIA")
        .external_agreement_no(external)
        .external_logon_id("member-42")
        .period_rule_params(
            PeriodRuleParams::new()
                .period_type(PeriodType::Day)
                .period(30)
                .execute_time(today())
                .single_amount("20.00")
                .total_amount("50.00"),
        )
        .notify_url(notify_url)
        .return_url(RETURN_URL)
        .build()
        .unwrap()
}

fn deduct(
    agreement_no: &str,
    product: ProductCode,
    amount: &str,
    notify_url: &str,
) -> (String, alipay_api::Validated<AlipayTradePay>) {
    let out = order_no("deduct");
    let req = AlipayTradePay::builder()
        .out_trade_no(&out)
        .total_amount(amount)
        .subject("Monthly membership")
        .product_code(product)
        .agreement_params(AgreementParams::new().agreement_no(agreement_no))
        .notify_url(notify_url)
        .build()
        .unwrap();
    (out, req)
}

/// The `sub_code` refusing a deduction of `amount` under agreement `no`.
async fn refusal(c: &Client, no: &str, product: ProductCode, amount: &str) -> String {
    let (_, req) = deduct(no, product, amount, "http://127.0.0.1:9/unused");
    refused(c.execute(&req).await)
}

fn query_by_no(no: &str) -> alipay_api::Validated<AlipayUserAgreementQuery> {
    AlipayUserAgreementQuery::builder()
        .agreement_no(no)
        .build()
        .unwrap()
}

fn move_to(
    no: &str,
    date: NaiveDate,
) -> alipay_api::Validated<AlipayUserAgreementExecutionplanModify> {
    AlipayUserAgreementExecutionplanModify::builder()
        .agreement_no(no)
        .deduct_time(date)
        .memo("quarterly pack bought")
        .build()
        .unwrap()
}

/// The user's browser opens the signing URL: the gateway signs as the user and
/// sends the browser back to `return_url`; the verified signing notification.
async fn sign_in_browser(
    gw: &Sandbox,
    c: &Client,
    receiver: &NotifyReceiver,
    req: &alipay_api::Validated<AlipayUserAgreementPageSign>,
    external: &str,
) -> UserAgreementSigned {
    let resp = browser()
        .get(c.page_url(req).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    assert_eq!(resp.headers()["location"], RETURN_URL);
    let body = delivered(
        gw,
        receiver,
        "dut_user_sign",
        "external_agreement_no",
        external,
    )
    .await;
    c.parse_notification(&body).unwrap()
}

#[tokio::test]
async fn recurring_agreement_signs_deducts_moves_its_plan_and_unsigns() {
    let receiver = NotifyReceiver::start(1).await;
    let gw = gateway(true).await;
    let c = gw.client().unwrap();
    let external = order_no("ext");

    // Signing: the notification is verified and typed.
    let signed = sign_in_browser(
        &gw,
        &c,
        &receiver,
        &cycle_sign(&external, &receiver.url),
        &external,
    )
    .await;
    let no = signed.agreement_no.clone().unwrap();
    assert_eq!(signed.status, Some(WireStatus::Normal));
    assert_eq!(signed.notify_type.as_deref(), Some("dut_user_sign"));
    assert_eq!(
        signed.personal_product_code.as_deref(),
        Some("CYCLE_PAY_AUTH_P")
    );
    assert_eq!(signed.external_logon_id.as_deref(), Some("member-42"));
    let user = signed.alipay_user_id.clone().unwrap();
    assert!(user.starts_with("2088") && user.len() == 16, "{user}");
    assert!(signed.sign_time.is_some() && signed.invalid_time.is_some());

    // Query by number, and by user and product.
    let q = c.execute(&query_by_no(&no)).await.unwrap();
    assert_eq!(q.status, Some(WireStatus::Normal));
    assert_eq!(
        q.next_deduct_time.as_deref(),
        Some(today().to_string().as_str())
    );
    assert_eq!(q.single_quota.as_deref(), Some("20.00"));
    let plan = &q.execution_plans.as_ref().unwrap()[0];
    assert_eq!(
        plan.execute_time.as_ref().map(|d| d.to_string()),
        Some(today().to_string())
    );
    let by_user = AlipayUserAgreementQuery::builder()
        .alipay_user_id(&user)
        .personal_product_code("CYCLE_PAY_AUTH_P")
        .sign_scene("INDUSTRY|DIGITAL_MEDIA")
        .external_agreement_no(&external)
        .build()
        .unwrap();
    assert_eq!(
        c.execute(&by_user).await.unwrap().agreement_no,
        Some(no.clone())
    );

    // Above the single limit: refused, and no trade is left behind.
    let (out, too_much) = deduct(&no, ProductCode::CyclePayAuth, "20.01", &receiver.url);
    assert_eq!(
        refused(c.execute(&too_much).await),
        "ACQ.CYCLE_PAY_SINGLE_FEE_EXCEED"
    );
    assert!(gw.trade(&out).is_none());

    // The deduction of this period: paid by the user who signed, and notified.
    let (out, first) = deduct(&no, ProductCode::CyclePayAuth, "19.90", &receiver.url);
    let paid = c.execute(&first).await.unwrap();
    assert_eq!(paid.buyer_user_id.as_deref(), Some(user.as_str()));
    assert_eq!(gw.trade(&out).unwrap().status, TradeStatus::TradeSuccess);
    let body = delivered(&gw, &receiver, "trade_status_sync", "out_trade_no", &out).await;
    let sync: TradeStatusSync = c.parse_notification(&body).unwrap();
    assert_eq!(sync.total_amount, Some(Amount::from_fen(1990)));
    assert_eq!(sync.buyer_id.as_deref(), Some(user.as_str()));

    // The plan moved one period on; a second deduction in the same period is early.
    let q = c.execute(&query_by_no(&no)).await.unwrap();
    assert_eq!(q.next_deduct_time, Some(later(30).to_string()));
    assert_eq!(q.last_deduct_time, Some(today().to_string()));
    assert_eq!(
        refusal(&c, &no, ProductCode::CyclePayAuth, "1.00").await,
        "ACQ.CYCLE_PAY_DATE_NOT_MATCH"
    );
    // A general deduction product does not match a recurring agreement.
    assert_eq!(
        refusal(&c, &no, ProductCode::GeneralWithholding, "1.00").await,
        "ACQ.AGREEMENT_ERROR_PARAM"
    );

    // The next deduction only moves later.
    assert_eq!(
        refused(c.execute(&move_to(&no, later(30))).await),
        "DEDUCT_TIME_INVALID"
    );
    let moved = c.execute(&move_to(&no, later(33))).await.unwrap();
    assert_eq!(moved.deduct_time, Some(later(33)));
    let q = c.execute(&query_by_no(&no)).await.unwrap();
    assert_eq!(q.next_deduct_time, Some(later(33).to_string()));

    // Unsigning: the merchant's own notify_url gets the verified notification.
    let unsign = AlipayUserAgreementUnsign::builder()
        .agreement_no(&no)
        .notify_url(&receiver.url)
        .build()
        .unwrap();
    c.execute(&unsign).await.unwrap();
    let body = delivered(&gw, &receiver, "dut_user_unsign", "agreement_no", &no).await;
    let ended: UserAgreementUnsigned = c.parse_notification(&body).unwrap();
    assert_eq!(ended.status, Some(WireStatus::Unsign));
    assert!(ended.unsign_time.is_some());
    assert_eq!(gw.agreement(&no).unwrap().status, AgreementStatus::Unsign);

    // Nothing works on an ended agreement.
    assert_eq!(
        refused(c.execute(&query_by_no(&no)).await),
        "USER_AGREEMENT_NOT_EXIST"
    );
    assert_eq!(
        refused(c.execute(&unsign).await),
        "USER_AGREEMENT_NOT_EXIST"
    );
    assert_eq!(
        refused(c.execute(&move_to(&no, later(40))).await),
        "USER_AGREEMENT_NOT_EXIST"
    );
    assert_eq!(
        refusal(&c, &no, ProductCode::CyclePayAuth, "1.00").await,
        "ACQ.AGREEMENT_INVALID"
    );
}

#[tokio::test]
async fn recurring_limits_on_count_and_total_are_enforced() {
    let receiver = NotifyReceiver::start(0).await;
    let gw = gateway(true).await;
    let c = gw.client().unwrap();
    let external = order_no("ext");
    let req = AlipayUserAgreementPageSign::builder()
        .personal_product_code("CYCLE_PAY_AUTH_P")
        .access_params(AccessParams::new().channel("ALIPAYAPP"))
        .sign_scene("INDUSTRY|DIGITAL_MEDIA")
        .external_agreement_no(&external)
        .period_rule_params(
            PeriodRuleParams::new()
                .period_type(PeriodType::Day)
                .period(1)
                .execute_time(today())
                .single_amount("30.00")
                .total_amount("40.00")
                .total_payments(1),
        )
        .notify_url(&receiver.url)
        .return_url(RETURN_URL)
        .build()
        .unwrap();
    let no = sign_in_browser(&gw, &c, &receiver, &req, &external)
        .await
        .agreement_no
        .unwrap();
    let (_, first) = deduct(&no, ProductCode::CyclePayAuth, "30.00", &receiver.url);
    c.execute(&first).await.unwrap();
    // A daily period reopens tomorrow's window at once (five days early), so the
    // limits, not the date, refuse the next ones.
    assert_eq!(
        refusal(&c, &no, ProductCode::CyclePayAuth, "10.01").await,
        "ACQ.CYCLE_PAY_TOTAL_FEE_EXCEED"
    );
    assert_eq!(
        refusal(&c, &no, ProductCode::CyclePayAuth, "1.00").await,
        "ACQ.CYCLE_PAY_TOTAL_TIMES_EXCEED"
    );
    let a = gw.agreement(&no).unwrap();
    assert_eq!((a.deductions, a.deducted), (1, Amount::from_fen(3000)));
}

#[tokio::test]
async fn merchant_deduction_signed_on_the_sandbox_page_then_ended_by_the_user() {
    let receiver = NotifyReceiver::start(0).await;
    let gw = gateway(false).await;
    let c = gw.client().unwrap();
    let external = order_no("ext");
    let req = AlipayUserAgreementPageSign::builder()
        .personal_product_code("GENERAL_WITHHOLDING_P")
        .product_code("GENERAL_WITHHOLDING")
        .access_params(AccessParams::new().channel("ALIPAYAPP"))
        .sign_scene("INDUSTRY|CARRENTAL")
        .external_agreement_no(&external)
        .notify_url(&receiver.url)
        .return_url(RETURN_URL)
        .build()
        .unwrap();

    // The browser posts the form; the agreement waits for the user on a page.
    let (action, fields) = form_fields(&c.page_form(&req).unwrap());
    let html = text_of(submit(&action, &fields)).await;
    let pending = gw.agreements().pop().unwrap();
    assert_eq!(pending.status, AgreementStatus::Temp);
    let link = format!("/sandbox/agreement/{}", pending.agreement_no);
    assert!(html.contains(&link), "{html}");
    let no = pending.agreement_no;
    assert_eq!(
        refusal(&c, &no, ProductCode::GeneralWithholding, "5.00").await,
        "ACQ.AGREEMENT_INVALID"
    );
    assert_eq!(
        refused(c.execute(&query_by_no(&no)).await),
        "USER_AGREEMENT_NOT_EXIST"
    );

    // The user signs on the page and comes back to the merchant.
    let resp = browser()
        .get(format!("{}{link}", gw.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["location"], RETURN_URL);
    let body = delivered(&gw, &receiver, "dut_user_sign", "agreement_no", &no).await;
    let signed: UserAgreementSigned = c.parse_notification(&body).unwrap();
    assert_eq!(
        signed.external_agreement_no.as_deref(),
        Some(external.as_str())
    );
    // Signing the same page twice is refused; so is a second agreement with the number.
    let again = browser()
        .get(format!("{}{link}", gw.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    let html = text_of(submit(&action, &fields)).await;
    assert!(html.contains("USER_AGREEMENT_ALREADY_EXIST"), "{html}");

    // Merchant deductions have no schedule: any number, any day.
    for amount in ["5.00", "7.50"] {
        let (_, d) = deduct(&no, ProductCode::GeneralWithholding, amount, &receiver.url);
        c.execute(&d).await.unwrap();
    }
    assert_eq!(
        refusal(&c, &no, ProductCode::CyclePayAuth, "1.00").await,
        "ACQ.AGREEMENT_ERROR_PARAM"
    );
    assert_eq!(
        refused(c.execute(&move_to(&no, later(3))).await),
        "AGREEMENT_NOT_CYCLE_PAY"
    );

    // The user ends it in the Alipay app: the signing notify_url hears of it.
    assert_eq!(
        gw.unsign_agreement(&no).unwrap().status,
        AgreementStatus::Unsign
    );
    let body = delivered(&gw, &receiver, "dut_user_unsign", "agreement_no", &no).await;
    let ended: UserAgreementUnsigned = c.parse_notification(&body).unwrap();
    assert_eq!(ended.agreement_no.as_deref(), Some(no.as_str()));
    assert!(gw.unsign_agreement(&no).is_err());
    assert!(gw.sign_agreement(&no).is_err());
    assert!(gw.sign_agreement("20240000000000000000").is_err());
}

#[tokio::test]
async fn signing_requests_are_checked_before_any_agreement_exists() {
    let gw = gateway(true).await;
    let c = gw.client().unwrap();
    // A recurring product without its schedule: refused by build()…
    let err = AlipayUserAgreementPageSign::builder()
        .personal_product_code("CYCLE_PAY_AUTH_P")
        .access_params(AccessParams::new().channel("ALIPAYAPP"))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("period_rule_params"), "{err}");
    // …and by the gateway when sent anyway.
    let raw = |biz: serde_json::Value| {
        GenericRequest::new("alipay.user.agreement.page.sign").biz_content(&biz)
    };
    let no_rule = raw(serde_json::json!({
        "personal_product_code": "CYCLE_PAY_AUTH_P",
        "access_params": {"channel": "ALIPAYAPP"},
    }));
    let html = text_of(browser().get(c.page_url(&no_rule).unwrap())).await;
    assert!(
        html.contains("isv.invalid-parameter") && html.contains("period_rule_params"),
        "{html}"
    );
    // A monthly schedule on the 29th: some months have no such day.
    let on_29th = raw(serde_json::json!({
        "personal_product_code": "CYCLE_PAY_AUTH_P",
        "access_params": {"channel": "ALIPAYAPP"},
        "period_rule_params": {"period_type": "MONTH", "period": 1, "execute_time": "2030-01-29", "single_amount": "9.90"},
    }));
    let html = text_of(browser().get(c.page_url(&on_29th).unwrap())).await;
    assert!(html.contains("29th"), "{html}");
    assert!(gw.agreements().is_empty());
    // Unknown agreements everywhere.
    assert_eq!(
        refused(c.execute(&query_by_no("20240000000000000001")).await),
        "USER_AGREEMENT_NOT_EXIST"
    );
    let nobody = AlipayUserAgreementQuery::builder().build().unwrap();
    assert_eq!(
        refused(c.execute(&nobody).await),
        "USER_AGREEMENT_NOT_EXIST"
    );
    let (out, d) = deduct(
        "20240000000000000001",
        ProductCode::GeneralWithholding,
        "1.00",
        "http://127.0.0.1:9/n",
    );
    assert_eq!(refused(c.execute(&d).await), "ACQ.AGREEMENT_NOT_EXIST");
    assert!(gw.trade(&out).is_none());
}

//! Identity verification (支付宝身份验证) end to end against the sandbox gateway:
//! initialize → the certify URL the user opens → the user passes or fails → query
//! reports it; unknown ids and verifications in the wrong state are refused.

mod sandbox_support;

use alipay_api::certify::{
    AlipayUserCertifyOpenCertify, AlipayUserCertifyOpenInitialize, AlipayUserCertifyOpenQuery,
};
use alipay_api::models::{CertifyBizCode, OpenCertifyIdentityParam, OpenCertifyMerchantConfig};
use alipay_api::{Client, GenericRequest};
use alipay_sandbox::{CertifyStatus, Sandbox, SandboxError};
use sandbox_support::{browser, form_fields, order_no, submit, text_of};

const RETURN_URL: &str = "https://merchant.example/certify/done";

async fn initialize(c: &Client) -> String {
    let req = AlipayUserCertifyOpenInitialize::builder()
        .outer_order_no(order_no("cert"))
        .biz_code(CertifyBizCode::Face)
        .identity_param(
            OpenCertifyIdentityParam::new()
                .identity_type("CERT_INFO")
                .cert_type("IDENTITY_CARD")
                .cert_name("张三丰")
                .cert_no("260104197909275964"),
        )
        .merchant_config(OpenCertifyMerchantConfig::new().return_url(RETURN_URL))
        .build()
        .unwrap();
    c.execute(&req).await.unwrap().certify_id.unwrap()
}

fn certify(id: &str) -> alipay_api::Validated<AlipayUserCertifyOpenCertify> {
    AlipayUserCertifyOpenCertify::builder()
        .certify_id(id)
        .build()
        .unwrap()
}

async fn passed(c: &Client, id: &str) -> String {
    let req = AlipayUserCertifyOpenQuery::builder()
        .certify_id(id)
        .build()
        .unwrap();
    c.execute(&req).await.unwrap().passed.unwrap()
}

/// The `href` of the link with this id on a page.
fn link(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\" href=\"");
    let start = html.find(&marker).unwrap() + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html_escape::decode_html_entities(&html[start..end]).into_owned()
}

#[tokio::test]
async fn the_user_opens_the_certify_url_and_passes() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();
    let id = initialize(&c).await;
    assert_eq!(gw.certification(&id), Some(CertifyStatus::Initialized));

    // The merchant hands the user a GET URL (e.g. as a QR code); the user opens it.
    let url = c.page_url(&certify(&id)).unwrap();
    assert!(
        url.contains("method=alipay.user.certify.open.certify"),
        "{url}"
    );
    let resp = browser().get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("Sandbox identity check") && html.contains("张**"),
        "{html}"
    );
    assert_eq!(gw.certification(&id), Some(CertifyStatus::Certifying));
    // Until the user is done, the verification has not passed.
    assert_eq!(passed(&c, &id).await, "F");

    gw.pass_certification(&id).unwrap();
    assert_eq!(gw.certification(&id), Some(CertifyStatus::Passed));
    assert_eq!(passed(&c, &id).await, "T");

    // A finished verification cannot be run again, by the URL or by the hook.
    let html = text_of(browser().get(c.page_url(&certify(&id)).unwrap())).await;
    assert!(html.contains("CERTIFY_STATUS_ERROR"), "{html}");
    assert!(matches!(
        gw.fail_certification(&id),
        Err(SandboxError::CertificationState { .. })
    ));
    assert_eq!(passed(&c, &id).await, "T");
}

#[tokio::test]
async fn the_user_fails_on_the_check_page_and_returns_to_the_merchant() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();
    let id = initialize(&c).await;

    // This time as the auto-submitting form, and the user presses "fail".
    let (action, fields) = form_fields(&c.page_form(&certify(&id)).unwrap());
    let html = text_of(submit(&action, &fields)).await;
    let resp = browser().get(link(&html, "fail")).send().await.unwrap();
    assert_eq!(resp.status(), 302);
    assert_eq!(resp.headers()["location"], RETURN_URL);

    assert_eq!(gw.certification(&id), Some(CertifyStatus::Failed));
    assert_eq!(passed(&c, &id).await, "F");
    // The pass link no longer works either.
    let again = browser().get(link(&html, "pass")).send().await.unwrap();
    assert_eq!(again.status(), 409);
}

#[tokio::test]
async fn unknown_ids_and_wrong_states_are_refused() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();

    let e = c
        .execute(
            &AlipayUserCertifyOpenQuery::builder()
                .certify_id("sbxcert0000000000000000000000099")
                .build()
                .unwrap(),
        )
        .await
        .unwrap_err();
    let api = e.api().unwrap();
    assert_eq!((api.code.as_str(), api.signed), ("40004", true));
    assert_eq!(api.sub_code.as_deref(), Some("CERTIFY_ID_NOT_EXIST"));
    assert!(matches!(
        gw.pass_certification("nope"),
        Err(SandboxError::UnknownCertification(_))
    ));

    // The user cannot pass before opening the URL.
    let id = initialize(&c).await;
    match gw.pass_certification(&id) {
        Err(SandboxError::CertificationState { status, .. }) => assert_eq!(status, "initialized"),
        other => panic!("{other:?}"),
    }
    assert_eq!(passed(&c, &id).await, "F");

    // A request missing what the docs require is refused before any business rule.
    let bare = GenericRequest::new("alipay.user.certify.open.initialize")
        .biz_content(&serde_json::json!({ "outer_order_no": "x1", "biz_code": "FACE" }));
    let e = c.execute(&bare).await.unwrap_err();
    let api = e.api().unwrap();
    assert_eq!(api.sub_code.as_deref(), Some("isv.invalid-parameter"));
    let msg = api.sub_msg.as_deref().unwrap_or_default();
    assert!(
        msg.contains("identity_param") && msg.contains("merchant_config"),
        "{msg}"
    );
}

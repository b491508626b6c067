//! The official Node SDK (npm `alipay-sdk` 4.14.0) against the agreement and
//! fund-authorisation models: a signing page opened from its URL, query, deduction
//! and unsigning; an in-person freeze, unfreeze, payment and operation query; a face
//! initialisation. Every answer's signature is checked by the SDK, and its app-freeze
//! order string is verified and confirmed by the gateway. Install the SDK with
//! `cargo xtask test` (or `bash tests/interop/setup.sh --node-only`).

mod sandbox_support;

use alipay_api::Amount;
use alipay_sandbox::{AgreementStatus, FundAuthOrderStatus, Sandbox};

#[tokio::test]
async fn official_node_sdk_signs_deducts_freezes_and_pays_through_the_sandbox() {
    let gw = Sandbox::start().await.unwrap();
    let prefix = format!("nodeagr{}", std::process::id());
    let cfg = serde_json::json!({
        "gateway": gw.gateway_url(),
        "appId": gw.keys().app_id,
        "privateKey": gw.keys().app_private_key,
        "alipayPublicKey": gw.keys().alipay_public_key,
        "prefix": prefix,
    });
    let v = sandbox_support::run_node_peer("agreement.mjs", cfg).await;

    // The agreement: signed in the browser, found, charged, ended.
    assert_eq!(v["sign"]["status"], 302, "{v}");
    assert_eq!(v["sign"]["location"], "https://merchant.example/back");
    assert_eq!(v["query"]["status"], "NORMAL", "{v}");
    let no = v["query"]["agreementNo"].as_str().unwrap();
    let agreement = gw.agreement(no).unwrap();
    assert_eq!(agreement.status, AgreementStatus::Unsign);
    assert_eq!(agreement.external_agreement_no, Some(format!("{prefix}A")));
    assert_eq!(v["deduct"]["code"], "10000", "{v}");
    assert_eq!(
        v["deduct"]["buyerUserId"].as_str(),
        agreement.alipay_user_id.as_deref()
    );
    assert_eq!(
        gw.trade(&format!("{prefix}D")).unwrap().subject,
        "代扣 & 续费"
    );
    assert_eq!(v["unsign"]["code"], "10000");
    assert_eq!(v["gone"]["subCode"], "USER_AGREEMENT_NOT_EXIST");

    // The freeze: 100 frozen, 20 released, 30 paid with the rest released.
    assert_eq!(v["freeze"]["status"], "SUCCESS", "{v}");
    assert_eq!(v["unfreeze"]["amount"], "20.00");
    assert_eq!(v["pay"]["totalAmount"], "30.00");
    assert_eq!(v["detail"]["orderStatus"], "FINISH");
    assert_eq!(v["detail"]["restAmount"], "0.00");
    let order = gw
        .fund_auth_order(v["freeze"]["authNo"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        (order.paid, order.unfrozen),
        (Amount::from_fen(3000), Amount::from_fen(7000))
    );

    // The SDK's app order string passes the gateway's checks and freezes the funds.
    let app = gw
        .confirm_app_freeze(v["appFreeze"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(app.status, FundAuthOrderStatus::Authorized);
    assert_eq!(app.order_title, "充电宝押金");
    assert!(v["face"]["zimId"].is_string(), "{v}");
}

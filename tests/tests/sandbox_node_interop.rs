//! Interop with a client nobody here wrote: the official Node SDK (npm `alipay-sdk`
//! 4.14.0) calls the sandbox with `exec()` and verifies every answer's signature.
//! Install it with `cargo xtask test` (or `bash tests/interop/setup.sh --node-only`).

mod sandbox_support;

use alipay_sandbox::{Sandbox, SandboxKeys, TradeStatus};
use sandbox_support::run_node_peer;

#[tokio::test]
async fn official_node_sdk_calls_the_sandbox_and_verifies_its_signatures() {
    let gw = Sandbox::start().await.unwrap();
    let other = SandboxKeys::generate("2021000000000002", false, false).unwrap();
    let prefix = format!("node{}", std::process::id());
    let cfg = serde_json::json!({
        "gateway": gw.gateway_url(),
        "appId": gw.keys().app_id,
        "privateKey": gw.keys().app_private_key,
        "alipayPublicKey": gw.keys().alipay_public_key,
        "wrongAlipayPublicKey": other.alipay_public_key,
        "wrongPrivateKey": other.app_private_key,
        "orderPrefix": prefix,
    });
    let v = run_node_peer("gateway.mjs", cfg).await;

    assert_eq!(v["pay"]["code"], "10000", "{v}");
    assert_eq!(v["pay"]["totalAmount"], "66.60");
    assert_eq!(v["query"]["tradeStatus"], "TRADE_SUCCESS");
    assert_eq!(v["refund"]["fundChange"], "Y");
    assert_eq!(v["refund"]["refundFee"], "6.60");
    assert_eq!(v["refundQuery"]["refundStatus"], "REFUND_SUCCESS");
    assert!(v["precreate"]["qrCode"]
        .as_str()
        .unwrap()
        .contains("/sandbox/qr/"));
    assert_eq!(v["close"]["code"], "10000");
    assert_eq!(v["missing"]["subCode"], "ACQ.TRADE_NOT_EXIST");
    assert_eq!(v["wrongKey"], "rejected");
    assert_eq!(v["badSignature"]["code"], "40002", "{v}");
    assert_eq!(v["badSignature"]["subCode"], "isv.invalid-signature");
    assert!(v["badSignature"]["subMsg"]
        .as_str()
        .unwrap()
        .contains("method=alipay.trade.query"));

    // The gateway saw what the SDK sent, Chinese text and `&`/`%` included.
    let paid = gw.trade(&format!("{prefix}-paid")).unwrap();
    assert_eq!(paid.subject, "测试商品 & 100% off");
    assert_eq!(paid.refunded.to_string(), "6.60");
    assert_eq!(
        gw.trade(&format!("{prefix}-unpaid")).unwrap().status,
        TradeStatus::TradeClosed
    );
}

#[tokio::test]
async fn official_node_sdk_creates_an_esign_template() {
    let gw = Sandbox::start().await.unwrap();
    let pdf = b"%PDF-1.4\n% made for the Node SDK\n%%EOF\n";
    let md5 = alipay_api::esign_upload::content_md5(pdf);
    let cfg = serde_json::json!({
        "gateway": gw.gateway_url(),
        "appId": gw.keys().app_id,
        "privateKey": gw.keys().app_private_key,
        "alipayPublicKey": gw.keys().alipay_public_key,
        "contentMd5": md5,
    });
    let v = run_node_peer("esign.mjs", cfg).await;
    assert_eq!(v["template"]["code"], "10000", "{v}");
    // Without the fixed target app the gateway refuses, as the guide warns.
    assert_eq!(v["withoutTarget"]["code"], "40002", "{v}");
    assert_eq!(v["withoutTarget"]["subCode"], "isv.invalid-target-app-id");

    // The template the Node SDK created is real: upload its file, then open its
    // settings page through the typed client.
    let c = gw.client().unwrap();
    let url = v["template"]["uploadUrl"].as_str().unwrap();
    c.put_esign_file(url, "application/pdf", &md5, pdf)
        .await
        .unwrap();
    let template_id = v["template"]["templateId"].as_str().unwrap();
    let q = alipay_api::esign::AlipayEcoDoctemplateSettingurlQuery::builder()
        .template_id(template_id)
        .build()
        .unwrap();
    assert!(c.execute(&q).await.unwrap().setting_url.is_some());
    gw.shutdown().await;
}

//! A GBK client against the local gateway: requests are encoded, signed and sent in
//! GBK, answers are read and verified in GBK, and GBK notifications verify.

mod sandbox_support;

use alipay_api::error::RequestError;
use alipay_api::trade::AlipayTradePay;
use alipay_api::{CallOptions, Charset, Error, GenericRequest};
use alipay_sandbox::Sandbox;
use sandbox_support::{order_no, NotifyReceiver};
use serde_json::json;

const SUBJECT: &str = "中文商品 a+b&c=d%";

#[tokio::test]
async fn a_gbk_client_pays_queries_and_verifies_notifications() {
    let receiver = NotifyReceiver::start(0).await;
    let gw = Sandbox::start().await.unwrap();
    let gbk = gw.client_builder().charset(Charset::Gbk).build().unwrap();
    let out = order_no("gbk");
    let pay = AlipayTradePay::builder()
        .out_trade_no(&out)
        .total_amount("9.90")
        .subject(SUBJECT)
        .auth_code("287951669891795468")
        .scene("bar_code")
        .build()
        .unwrap();
    // The gateway decodes the form as GBK and checks the signature over GBK bytes.
    gbk.execute_with(&pay, &CallOptions::new().notify_url(&receiver.url))
        .await
        .unwrap();
    assert_eq!(gw.trade(&out).unwrap().subject, SUBJECT);

    // The answer comes back in GBK, signed over its GBK bytes, and is read as such.
    let query =
        GenericRequest::new("alipay.trade.query").biz_content(&json!({ "out_trade_no": out }));
    let answer = gbk.execute(&query).await.unwrap();
    assert_eq!(answer["subject"], SUBJECT);

    // The notification is GBK too.
    gw.wait_for_notification(std::time::Duration::from_secs(10), |n| {
        n.out_trade_no == out && n.delivered
    })
    .await
    .unwrap();
    let raw = receiver.bodies().pop().unwrap();
    let verified = gbk.verify_notification(&raw).unwrap();
    assert_eq!(verified.get("subject"), Some(SUBJECT));

    // What GBK cannot carry is refused before anything is sent.
    let other = order_no("gbk");
    let precreate = GenericRequest::new("alipay.trade.precreate")
        .biz_content(&json!({ "out_trade_no": other, "total_amount": "1.00", "subject": "😀" }));
    let e = gbk.execute(&precreate).await.unwrap_err();
    assert!(
        matches!(e, Error::Request(RequestError::Unencodable { .. })),
        "{e:?}"
    );
    assert!(gw.trade(&other).is_none());
}

//! E签宝电子面签 with `alipay-api`, step by step as the product's developer guide (开发接入)
//! walks it: create a contract template and upload its file, open its settings page,
//! upload an attachment, start a signing flow, let the signers sign, confirm e签宝's
//! callbacks with a signed query, download the signed contract, and revoke an SF Express
//! electronic receipt the customer no longer needs.
//!
//! ```text
//! cargo run --example esign
//! ```
//!
//! It runs against a local sandbox gateway started in-process: the signers here are
//! simulated (in a real app they sign in the merchant's mini program through the e签宝
//! plugin), and e签宝's callbacks go to a server on 127.0.0.1.

use std::time::Duration;

use alipay_api::esign::{
    AlipayEcoContractSignflowsCreate, AlipayEcoDoctemplateSettingurlQuery, AlipayEcoSignFlowCancel,
    AlipayEcoSignFlowQuery, AlipayEcoSignflowsDetailQuery, AlipayEcoSignflowsUrlQuery,
};
use alipay_api::esign_callback::EsignCallback;
use alipay_api::models::{
    Attachment, ConfigInfoBean, CourierCompany, EsignPluginStatus, EsignSignFieldType, FillContent,
    PdfConversion, SignFieldBean, SignerBean, TemplateInfoBean,
};
use alipay_api::FileUpload;
use tokio::sync::mpsc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let gw = alipay_sandbox::Sandbox::start().await?;
    println!("Local sandbox gateway at {}", gw.gateway_url());
    // Every e签宝 call goes to the e签宝 service app: the client adds
    // target_app_id=2021001101679589 and no app_auth_token by itself.
    let client = gw.client()?;
    let (callback_url, mut callbacks) = callback_server().await?;

    // 第一步: the template, and its file uploaded to the address e签宝 returns
    // (PUT with Content-Type and the base64 Content-MD5 announced).
    let pdf = FileUpload::new(
        "租赁合同.pdf",
        b"%PDF-1.4\n% a rental agreement\n%%EOF\n".to_vec(),
    );
    let template_id = client
        .create_esign_template(&pdf, PdfConversion::False)
        .await?;
    println!("\n1. Template {template_id} created and its file uploaded");

    // 第二步: place the input components and signing areas on its settings page.
    let q = AlipayEcoDoctemplateSettingurlQuery::builder().template_id(&template_id);
    let setting_url = client
        .execute(&q.build()?)
        .await?
        .setting_url
        .unwrap_or_default();
    println!("2. Configure the template at {setting_url}");

    // An attachment (e.g. the order screenshot), uploaded the same way.
    let screenshot = FileUpload::new("order.png", b"\x89PNG order screenshot".to_vec());
    let file_id = client.upload_esign_attachment(&screenshot).await?;
    println!("3. Attachment uploaded: file_id {file_id}");

    // 第三步: the flow. The platform seals automatically; the customer signs in person.
    let flow = AlipayEcoContractSignflowsCreate::builder()
        .business_scene("爱租机手机租赁合同")
        .template_infos([TemplateInfoBean::new()
            .template_id(&template_id)
            .name("手机租赁合同")
            .fill_contents([FillContent::new().struct_key("name").value("折颜")])
            .signfields([
                SignFieldBean::new().sign_field_type(EsignSignFieldType::Platform),
                SignFieldBean::new()
                    .sign_field_type(EsignSignFieldType::Person)
                    .struct_key("partyB")
                    .signer(
                        SignerBean::new()
                            .third_party_user_id("user-42")
                            .name("折颜"),
                    ),
            ])])
        .attachments([Attachment::new()
            .attachment_name("订单截图")
            .file_id(&file_id)])
        .config_info(
            ConfigInfoBean::new()
                .notice_developer_url(&callback_url)
                .platform_order_no("DD12345678"),
        )
        .build()?;
    let flow_id = client.execute(&flow).await?.flow_id.ok_or("no flow id")?;
    println!("4. Flow {flow_id} created; the mini program opens the plugin with:");
    println!("   plugin://esign/esign?flowId={flow_id}&thirdPartyUserId=user-42");

    // Without the plugin (e.g. an SMS link): the signer's own addresses.
    let urls = AlipayEcoSignflowsUrlQuery::builder()
        .flow_id(&flow_id)
        .third_party_user_id("user-42")
        .build()?;
    let urls = client.execute(&urls).await?;
    println!(
        "5. Or sign on the web: {}",
        urls.sign_url.unwrap_or_default()
    );

    // The customer signs (simulated here); e签宝 calls back twice, in any order.
    gw.esign_sign(&flow_id, "user-42")?;
    let mut bodies = Vec::new();
    for _ in 0..2 {
        let body = tokio::time::timeout(Duration::from_secs(10), callbacks.recv())
            .await?
            .ok_or("the callback server stopped")?;
        // Unsigned JSON from e签宝: act only on what the signed query confirms.
        bodies.push(client.confirm_esign_callback(&body).await?);
    }
    bodies.sort_by_key(|c| matches!(c.callback, EsignCallback::FlowFinished(_)));
    for confirmed in bodies {
        match &confirmed.callback {
            EsignCallback::SignerUpdated(u) => println!(
                "6. Callback confirmed: signer {} {:?}",
                u.third_party_user_id.as_deref().unwrap_or_default(),
                u.sign_result
            ),
            EsignCallback::FlowFinished(_) => println!(
                "7. Callback confirmed: the flow ended {:?}",
                confirmed.flow.flow_status
            ),
            other => println!("   another callback: {}", other.action()),
        }
    }

    // 查询签署结果, then the signed contract.
    let state = client
        .execute(
            &AlipayEcoSignFlowQuery::builder()
                .flow_id(&flow_id)
                .build()?,
        )
        .await?;
    let ended = state.flow_status.as_ref().is_some_and(|s| s.is_final());
    println!("8. Query: {:?} (final: {ended})", state.flow_status);
    let detail = AlipayEcoSignflowsDetailQuery::builder()
        .flow_id(&flow_id)
        .build()?;
    let doc_url = client.execute(&detail).await?.docs.and_then(|d| d.file_url);
    let doc = reqwest::get(doc_url.ok_or("no contract URL")?)
        .await?
        .bytes()
        .await?;
    println!("9. Signed contract downloaded: {} bytes", doc.len());

    // 附录: an SF Express electronic receipt signed in the merchant's mini program;
    // build() checks the waybill number, the courier and the mini-program address.
    let receipt = AlipayEcoContractSignflowsCreate::builder()
        .business_scene("顺丰电子签收单")
        .template_infos([TemplateInfoBean::new().template_id(&template_id).signfields([
            SignFieldBean::new()
                .sign_field_type(EsignSignFieldType::Person)
                .signer(SignerBean::new().third_party_user_id("receiver-7")),
        ])])
        .config_info(
            ConfigInfoBean::new()
                .serial_no("SF1234567890123")
                .company_no(CourierCompany::SfTest)
                .sign_model(1)
                .merchant_mini_sign_url(
                    "alipays://platformapi/startapp?appId=2019042364288308&page=pages&query=flowid=flowids",
                )
                .notice_developer_url(&callback_url),
        )
        .build()?;
    let receipt_id = client
        .execute(&receipt)
        .await?
        .flow_id
        .ok_or("no flow id")?;
    // The order is cancelled: revoke the receipt.
    let cancel = AlipayEcoSignFlowCancel::builder()
        .flow_id(&receipt_id)
        .revoke_reason("订单已取消")
        .build()?;
    client.execute(&cancel).await?;
    let body = tokio::time::timeout(Duration::from_secs(10), callbacks.recv())
        .await?
        .ok_or("the callback server stopped")?;
    let confirmed = client.confirm_esign_callback(&body).await?;
    println!(
        "10. Receipt {receipt_id} revoked: {:?}",
        confirmed.flow.flow_status
    );

    // What the plugin reports to the mini program: which codes are final.
    println!("11. Plugin status codes:");
    for code in ["000", "001", "002", "003", "004", "005", "006", "007"] {
        let s = EsignPluginStatus::from(code);
        println!("    {code} {s:?} final: {}", s.is_final());
    }
    gw.shutdown().await;
    Ok(())
}

/// The `notice_developer_url` endpoint on 127.0.0.1: hands each body on and answers
/// 200, which stops e签宝's retries.
async fn callback_server() -> Result<(String, mpsc::Receiver<Vec<u8>>), BoxError> {
    let (tx, rx) = mpsc::channel(16);
    let app = axum::Router::new().route(
        "/esign/callback",
        axum::routing::post(move |body: axum::body::Bytes| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(body.to_vec()).await;
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/esign/callback", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((url, rx))
}

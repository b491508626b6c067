//! Identity verification (支付宝身份验证) with `alipay-api`: initialise a
//! verification, build the URL the user opens, let the user pass the check, and ask
//! for the outcome.
//!
//! ```text
//! cargo run --example certify
//! ```
//!
//! It runs against a local sandbox gateway started in-process, with fresh keys, so it
//! needs no account and no network; the sandbox's check page stands in for the face
//! check in the Alipay app.

use alipay_api::certify::{
    AlipayUserCertifyOpenCertify, AlipayUserCertifyOpenInitialize, AlipayUserCertifyOpenQuery,
};
use alipay_api::models::{CertifyBizCode, OpenCertifyIdentityParam, OpenCertifyMerchantConfig};
use alipay_api::{BeijingDateTime, Client};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let gw = alipay_sandbox::Sandbox::start().await?;
    println!("Local sandbox gateway at {}", gw.gateway_url());
    let client = gw.client()?;

    // 1. Open a verification for a named person; keep the certify_id.
    let init = AlipayUserCertifyOpenInitialize::builder()
        .outer_order_no(format!(
            "CERT{}",
            BeijingDateTime::now().naive().format("%Y%m%d%H%M%S")
        ))
        .biz_code(CertifyBizCode::Face)
        .identity_param(
            OpenCertifyIdentityParam::new()
                .identity_type("CERT_INFO")
                .cert_type("IDENTITY_CARD")
                .cert_name("张三")
                .cert_no("260104197909275964"),
        )
        .merchant_config(
            OpenCertifyMerchantConfig::new().return_url("https://merchant.example/certified"),
        )
        .build()?;
    let certify_id = client
        .execute(&init)
        .await?
        .certify_id
        .ok_or("initialize returned no certify_id")?;
    println!("\n1. Verification opened: certify_id {certify_id}");

    // 2. The URL the user opens (a redirect, or a QR code for the Alipay app).
    let certify = AlipayUserCertifyOpenCertify::builder()
        .certify_id(&certify_id)
        .build()?;
    let url = client.page_url(&certify)?;
    println!("\n2. Send the user to:\n   {url}");

    // 3. The user opens it and passes the check (here: the sandbox's check page,
    //    then its "pass" link, as a browser would follow it).
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let page = browser.get(&url).send().await?.text().await?;
    let pass = link(&page, "pass").ok_or("the check page has no pass link")?;
    let back = browser.get(&pass).send().await?;
    let returned_to = back
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default();
    println!("\n3. The user passed the check and went back to {returned_to}");

    // 4. Only the query tells the outcome: the return to your page carries none.
    println!(
        "\n4. alipay.user.certify.open.query says passed = {}",
        passed(&client, &certify_id).await?
    );

    gw.shutdown().await;
    Ok(())
}

async fn passed(client: &Client, certify_id: &str) -> Result<String, BoxError> {
    let query = AlipayUserCertifyOpenQuery::builder()
        .certify_id(certify_id)
        .build()?;
    Ok(client.execute(&query).await?.passed.unwrap_or_default())
}

/// The `href` of the link with this id on the sandbox's page.
fn link(html: &str, id: &str) -> Option<String> {
    let marker = format!("id=\"{id}\" href=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&amp;", "&"))
}

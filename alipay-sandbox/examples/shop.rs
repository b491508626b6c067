//! 口碑开店 with `alipay-api`, the way Alipay's guide walks it: upload the store's
//! pictures, pick a category, create the store, watch its review (pending, then
//! approved, announced at `operate_notify_url`), query it, change it while erasing
//! fields with `#EMPTY#`, and query it again.
//!
//! ```text
//! cargo run --example shop
//! ```
//!
//! It runs against a local sandbox gateway started in-process, with fresh keys, so it
//! needs no account and no network. The reviewers are the sandbox's
//! `approve_shop` hook.

#[path = "support/mod.rs"]
mod support;

use alipay_api::models::ShopOpRole;
use alipay_api::shop::{
    AlipayOfflineMarketApplyorderBatchquery, AlipayOfflineMarketShopCategoryQuery,
    AlipayOfflineMarketShopCreate, AlipayOfflineMarketShopModify,
    AlipayOfflineMarketShopQuerydetail, AlipayOfflineMaterialImageUpload, ShopAuditResult,
};
use alipay_api::{BeijingDateTime, Client, FileUpload};
use alipay_sandbox::Sandbox;
use support::{next, wire, BoxError};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let gw = Sandbox::start().await?;
    let client = gw.client()?;
    // Review results arrive without `app_id`; the typed reader knows this notification
    // has none, and we match `apply_id` against our own requests.
    let (notify_url, mut results) = support::app_gateway::<ShopAuditResult>(client.clone()).await?;
    println!("Local sandbox gateway at {}", gw.gateway_url());
    let stamp = BeijingDateTime::now()
        .naive()
        .format("%Y%m%d%H%M%S")
        .to_string();

    // 1. Pictures first: the store fields take the ids the upload returns.
    let mut images = Vec::new();
    for name in ["storefront", "inside-1", "inside-2"] {
        images.push(upload(&client, name).await?);
    }
    println!(
        "\n1. Uploaded {} pictures: {}",
        images.len(),
        images.join(", ")
    );

    // 2. A leaf of the category tree.
    let tree = client
        .execute(&AlipayOfflineMarketShopCategoryQuery::builder().build()?)
        .await?
        .shop_category_config_infos
        .unwrap_or_default();
    let leaf = tree
        .iter()
        .find(|c| c.is_leaf.as_deref() == Some("true"))
        .ok_or("the category tree has no leaf")?;
    let category = leaf.id.clone().unwrap_or_default();
    println!(
        "2. {} categories; opening under {} ({})",
        tree.len(),
        wire(&leaf.nm),
        category
    );

    // 3. The create request: accepted for review, no store yet.
    let create = AlipayOfflineMarketShopCreate::builder()
        .request_id(format!("C{stamp}"))
        .store_id(format!("HZ{stamp}"))
        .category_id(&category)
        .brand_name("海底捞")
        .main_shop_name("海底捞")
        .branch_shop_name("万塘路店")
        .province_code("330000")
        .city_code("330100")
        .district_code("330106")
        .address("万塘路18号黄龙时代广场")
        .contact_number("0571-12336754")
        .notify_mobile("13867498729")
        .main_image(&images[0])
        .audit_images(images.join(","))
        .licence(&images[0])
        .licence_code("H001232")
        .value_added("免费茶水")
        .operate_notify_url(&notify_url)
        .op_role(ShopOpRole::Isv)
        .biz_version("2.0")
        .build()?;
    let created = client.execute(&create).await?;
    let apply_id = created.apply_id.clone().ok_or("no apply_id")?;
    println!(
        "3. Create request {apply_id}: {}",
        wire(&created.audit_status)
    );

    // 4. The review is pending: the apply order says so.
    let order = apply_order(&client, &apply_id).await?;
    println!(
        "4. Apply order: {} / {}",
        wire(&order.status),
        wire(&order.sub_status)
    );

    // 5. The reviewers approve; the result is posted to operate_notify_url.
    gw.approve_shop(&apply_id)?;
    let result = next(&mut results).await?;
    let shop_id = result.shop_id.clone().ok_or("no shop_id")?;
    println!(
        "5. Review result (verified): {} for {} -> store {shop_id}",
        wire(&result.audit_status),
        wire(&result.request_id)
    );

    // 6. Query it.
    let order = apply_order(&client, &apply_id).await?;
    println!(
        "6. Apply order: {}, biz_id {}",
        wire(&order.status),
        wire(&order.biz_id)
    );
    show(&client, &shop_id).await?;

    // 7. Change it: erase three fields with #EMPTY#, rename (which needs a review).
    let modify = AlipayOfflineMarketShopModify::builder()
        .shop_id(&shop_id)
        .clear_notify_mobile()
        .clear_value_added()
        .clear_branch_shop_name()
        .main_shop_name("海底捞火锅")
        .request_id(format!("M{stamp}"))
        .build()?;
    let changed = client.execute(&modify).await?;
    let change_id = changed.apply_id.clone().ok_or("no apply_id")?;
    println!(
        "\n7. Change request {change_id}: {}",
        wire(&changed.audit_status)
    );
    show(&client, &shop_id).await?;

    // 8. Approved: the new name shows.
    gw.approve_shop(&change_id)?;
    let result = next(&mut results).await?;
    println!(
        "8. Review result (verified): {} for {}",
        wire(&result.audit_status),
        wire(&result.apply_id)
    );
    show(&client, &shop_id).await?;

    // 9. An image id that was never uploaded: a definite refusal, do not resend as is.
    let bad = AlipayOfflineMarketShopModify::builder()
        .shop_id(&shop_id)
        .main_image("never-uploaded")
        .build()?;
    let e = client.execute(&bad).await.expect_err("refused");
    println!("\n9. Unknown image: {e}\n   advice: {:?}", e.advice());
    gw.shutdown().await;
    Ok(())
}

async fn upload(client: &Client, name: &str) -> Result<String, BoxError> {
    // A tiny JPEG (start and end markers) stands in for a photo.
    let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0xFF, 0xD9];
    let req = AlipayOfflineMaterialImageUpload::builder()
        .image_type("jpg")
        .image_name(name)
        .image_content(FileUpload::new(format!("{name}.jpg"), jpeg))
        .build()?;
    Ok(client.execute(&req).await?.image_id.ok_or("no image_id")?)
}

async fn apply_order(
    client: &Client,
    apply_id: &str,
) -> Result<alipay_api::models::BizOrderQueryResponse, BoxError> {
    let q = AlipayOfflineMarketApplyorderBatchquery::builder()
        .apply_ids([apply_id])
        .build()?;
    let infos = client
        .execute(&q)
        .await?
        .biz_order_infos
        .unwrap_or_default();
    Ok(infos.into_iter().next().ok_or("no such apply order")?)
}

async fn show(client: &Client, shop_id: &str) -> Result<(), BoxError> {
    let q = AlipayOfflineMarketShopQuerydetail::builder()
        .shop_id(shop_id)
        .build()?;
    let d = client.execute(&q).await?;
    println!(
        "   Store {shop_id}: {} {} ({}), notify_mobile {}, value_added {}",
        wire(&d.main_shop_name),
        wire(&d.branch_shop_name),
        wire(&d.audit_status),
        wire(&d.notify_mobile),
        wire(&d.value_added),
    );
    Ok(())
}

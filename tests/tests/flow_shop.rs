//! 口碑开店 end to end, as the guide (seed page 002) walks it: upload the pictures,
//! create the store, follow its review, query it, change it (erasing fields with
//! `#EMPTY#`), all through the typed client against the local gateway; rejections,
//! bad input and a lost answer; and one store opened by the official Node SDK.

mod sandbox_support;

use std::time::Duration;

use alipay_api::models::{BizOrderQueryResponse, ShopApplyStatus, ShopAuditStatus};
use alipay_api::shop::{
    AlipayOfflineMarketApplyorderBatchquery, AlipayOfflineMarketShopBatchquery,
    AlipayOfflineMarketShopCategoryQuery, AlipayOfflineMarketShopCreate,
    AlipayOfflineMarketShopModify, AlipayOfflineMarketShopQuerydetail,
    AlipayOfflineMarketShopQuerydetailResponse, AlipayOfflineMarketShopSummaryBatchquery,
    AlipayOfflineMaterialImageUpload, ShopAuditResult,
};
use alipay_api::{Advice, Client, Error, FileUpload, GenericRequest};
use alipay_sandbox::{Fault, Notification, Sandbox};
use sandbox_support::{run_node_peer, sub_code, NotifyReceiver};

/// A leaf of the gateway's category tree (the guide's example category).
const HOTPOT: &str = "2015050700000018";

/// Uploads a small JPEG and returns its image id.
async fn upload(c: &Client, name: &str) -> String {
    let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, name.len() as u8, 0xFF, 0xD9];
    let req = AlipayOfflineMaterialImageUpload::builder()
        .image_type("jpg")
        .image_name(name)
        .image_content(FileUpload::new(format!("{name}.jpg"), jpeg))
        .build()
        .unwrap();
    c.execute(&req).await.unwrap().image_id.unwrap()
}

/// A create request with everything the review needs, pictures from `images`.
fn new_store(request_id: &str, images: &[String], notify: &str) -> AlipayOfflineMarketShopCreate {
    AlipayOfflineMarketShopCreate::builder()
        .request_id(request_id)
        .store_id(format!("store-{request_id}"))
        .category_id(HOTPOT)
        .brand_name("海底捞")
        .main_shop_name("海底捞")
        .branch_shop_name("万塘路店")
        .province_code("330000")
        .city_code("330100")
        .district_code("330106")
        .address("万塘路18号黄龙时代广场")
        .longitude("120.107812")
        .latitude("30.279383")
        .contact_number("0571-12336754")
        .notify_mobile("13867498729")
        .main_image(images[0].clone())
        .audit_images(images.join(","))
        .licence(images[0].clone())
        .licence_code("H001232")
        .licence_name("杭州海底捞餐饮有限公司")
        .value_added("免费茶水")
        .implement_id("HU002")
        .operate_notify_url(notify)
        .op_role("ISV")
        .biz_version("2.0")
}

async fn apply_order(c: &Client, apply_id: &str) -> BizOrderQueryResponse {
    let q = AlipayOfflineMarketApplyorderBatchquery::builder()
        .apply_ids([apply_id])
        .build()
        .unwrap();
    let mut infos = c.execute(&q).await.unwrap().biz_order_infos.unwrap();
    assert_eq!(infos.len(), 1, "{infos:?}");
    infos.remove(0)
}

async fn detail(c: &Client, shop_id: &str) -> AlipayOfflineMarketShopQuerydetailResponse {
    let q = AlipayOfflineMarketShopQuerydetail::builder()
        .shop_id(shop_id)
        .build()
        .unwrap();
    c.execute(&q).await.unwrap()
}

/// The review notification about `apply_id`, once delivered.
async fn review_notice(gw: &Sandbox, apply_id: &str) -> Notification {
    let id = apply_id.to_owned();
    gw.wait_for_notification(Duration::from_secs(10), move |n| {
        n.topic == ShopAuditResult::NOTIFY_TYPE
            && n.get("apply_id") == Some(id.as_str())
            && n.delivered
    })
    .await
    .unwrap()
}

/// The body the merchant endpoint received for a notification.
fn body_of(rx: &NotifyReceiver, n: &Notification) -> Vec<u8> {
    let marker = format!("notify_id={}", n.notify_id);
    rx.bodies()
        .into_iter()
        .find(|b| String::from_utf8_lossy(b).contains(&marker))
        .expect("the endpoint received the notification")
}

/// A client that reads notifications without `app_id`, as the review results come.
fn notification_reader(gw: &Sandbox) -> Client {
    gw.client_builder()
        .accept_notifications_for_any_app()
        .build()
        .unwrap()
}

/// Sends `biz` to `method` as given (no client-side checks) and returns the refusal.
async fn refused(c: &Client, method: &str, biz: &serde_json::Value) -> Error {
    let req = GenericRequest::new(method).biz_content(biz);
    c.execute(&req).await.unwrap_err()
}

/// Creates a store and has it approved; its id.
async fn open_store(
    gw: &Sandbox,
    c: &Client,
    request_id: &str,
    images: &[String],
    url: &str,
) -> String {
    let r = c
        .execute(&new_store(request_id, images, url).build().unwrap())
        .await
        .unwrap();
    gw.approve_shop(&r.apply_id.unwrap())
        .unwrap()
        .shop_id
        .unwrap()
}

#[tokio::test]
async fn the_guides_flow_from_pictures_to_a_changed_store() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();
    let rx = NotifyReceiver::start(0).await;

    // The category comes from the tree, not from a hard-coded table.
    let cats = AlipayOfflineMarketShopCategoryQuery::builder()
        .build()
        .unwrap();
    let cats = c
        .execute(&cats)
        .await
        .unwrap()
        .shop_category_config_infos
        .unwrap();
    let leaf = cats
        .iter()
        .find(|x| x.id.as_deref() == Some(HOTPOT))
        .unwrap();
    assert_eq!(leaf.is_leaf.as_deref(), Some("true"));

    let mut images = Vec::new();
    for name in ["front", "inside-1", "inside-2"] {
        images.push(upload(&c, name).await);
    }
    let created = c
        .execute(&new_store("req-1", &images, &rx.url).build().unwrap())
        .await
        .unwrap();
    assert_eq!(created.audit_status, Some(ShopAuditStatus::Auditing));
    let apply_id = created.apply_id.unwrap();

    // Pending: the order is in review and no store exists yet.
    let order = apply_order(&c, &apply_id).await;
    assert_eq!(order.status, Some(ShopApplyStatus::Process));
    assert!(order.biz_id.unwrap_or_default().is_empty());
    let ids = AlipayOfflineMarketShopBatchquery::builder()
        .page_no("1")
        .build()
        .unwrap();
    assert_eq!(c.execute(&ids).await.unwrap().shop_ids, Some(vec![]));

    // Approved: the store opens and the result is posted, signed.
    let shop_id = gw.approve_shop(&apply_id).unwrap().shop_id.unwrap();
    let n = review_notice(&gw, &apply_id).await;
    let body = body_of(&rx, &n);
    // This notification carries no app_id (its spec has none): the typed reader
    // accepts it as it is, while the untyped check, which cannot know, refuses it.
    assert!(matches!(
        c.verify_notification(&body),
        Err(Error::WrongApp(_))
    ));
    let note: ShopAuditResult = c.parse_notification(&body).unwrap();
    let again: ShopAuditResult = notification_reader(&gw).parse_notification(&body).unwrap();
    assert_eq!(again, note);
    assert_eq!(note.audit_status, Some(ShopAuditStatus::AuditSuccess));
    assert_eq!(note.request_id.as_deref(), Some("req-1"));
    assert_eq!(note.shop_id.as_deref(), Some(shop_id.as_str()));

    let order = apply_order(&c, &apply_id).await;
    assert_eq!(order.status, Some(ShopApplyStatus::Success));
    assert_eq!(order.biz_id.as_deref(), Some(shop_id.as_str()));
    let d = detail(&c, &shop_id).await;
    assert_eq!(d.audit_status, Some(ShopAuditStatus::AuditSuccess));
    assert_eq!(d.branch_shop_name.as_deref(), Some("万塘路店"));
    assert_eq!(d.store_id.as_deref(), Some("store-req-1"));
    assert!(d.pic_coll.unwrap().contains(&images[1]));

    change_and_erase(&gw, &c, &shop_id).await;
}

/// A change without review takes effect at once; `#EMPTY#` erases; a reviewed change
/// waits for its approval.
async fn change_and_erase(gw: &Sandbox, c: &Client, shop_id: &str) {
    let direct = AlipayOfflineMarketShopModify::builder()
        .shop_id(shop_id)
        .avg_price("60")
        .build()
        .unwrap();
    let r = c.execute(&direct).await.unwrap();
    assert_eq!(r.audit_status, Some(ShopAuditStatus::AuditSuccess));
    assert_eq!(
        detail(c, shop_id).await.avg_price.unwrap().to_string(),
        "60.00"
    );

    let m = AlipayOfflineMarketShopModify::builder()
        .shop_id(shop_id)
        .clear_avg_price()
        .clear_notify_mobile()
        .clear_value_added()
        .clear_branch_shop_name()
        .main_shop_name("海底捞火锅")
        .request_id("req-1-m")
        .build()
        .unwrap();
    let r = c.execute(&m).await.unwrap();
    assert_eq!(r.audit_status, Some(ShopAuditStatus::Auditing));
    let d = detail(c, shop_id).await;
    assert_eq!(d.audit_status, Some(ShopAuditStatus::Auditing));
    // Erased at once (no review for these); the names wait for the review.
    assert_eq!(
        (d.avg_price, d.notify_mobile, d.value_added),
        (None, None, None)
    );
    assert_eq!(d.main_shop_name.as_deref(), Some("海底捞"));
    assert_eq!(d.branch_shop_name.as_deref(), Some("万塘路店"));
    assert_eq!(d.implement_id.as_deref(), Some("HU002"), "untouched");

    gw.approve_shop(&r.apply_id.unwrap()).unwrap();
    let d = detail(c, shop_id).await;
    assert_eq!(d.audit_status, Some(ShopAuditStatus::AuditSuccess));
    assert_eq!(d.main_shop_name.as_deref(), Some("海底捞火锅"));
    assert_eq!(d.branch_shop_name, None);
    let stored = gw.shop(shop_id).unwrap();
    assert!(!stored.fields.contains_key("avg_price") && stored.get("address").is_some());

    let summaries = AlipayOfflineMarketShopSummaryBatchquery::builder()
        .city_code("330100")
        .build()
        .unwrap();
    let s = c
        .execute(&summaries)
        .await
        .unwrap()
        .shop_summary_infos
        .unwrap();
    assert_eq!(s[0].main_shop_name.as_deref(), Some("海底捞火锅"));
    assert_eq!(
        s[0].category_infos.as_ref().unwrap()[0]
            .category_name
            .as_deref(),
        Some("火锅")
    );
}

#[tokio::test]
async fn rejected_stores_and_changes() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();
    let rx = NotifyReceiver::start(0).await;
    let images = vec![upload(&c, "front").await];

    // A rejected store never opens; the reason arrives with the notification.
    let r = c
        .execute(&new_store("rej-1", &images, &rx.url).build().unwrap())
        .await
        .unwrap();
    let apply_id = r.apply_id.unwrap();
    let order = gw.reject_shop(&apply_id, "门头照片不清晰").unwrap();
    assert_eq!((order.status, order.shop_id), (ShopApplyStatus::Fail, None));
    let body = body_of(&rx, &review_notice(&gw, &apply_id).await);
    let note: ShopAuditResult = notification_reader(&gw).parse_notification(&body).unwrap();
    assert_eq!(note.audit_status, Some(ShopAuditStatus::AuditFailed));
    assert_eq!(note.result_desc.as_deref(), Some("门头照片不清晰"));
    let o = apply_order(&c, &apply_id).await;
    assert_eq!(o.status, Some(ShopApplyStatus::Fail));
    assert_eq!(o.result_desc.as_deref(), Some("门头照片不清晰"));
    // Decided once only.
    assert!(gw.approve_shop(&apply_id).is_err());

    // A rejected change leaves the store as it was, marked AUDIT_FAILED.
    let shop_id = open_store(&gw, &c, "rej-2", &images, &rx.url).await;
    let m = AlipayOfflineMarketShopModify::builder()
        .shop_id(&shop_id)
        .brand_name("别的品牌")
        .build()
        .unwrap();
    let change = c.execute(&m).await.unwrap().apply_id.unwrap();
    gw.reject_shop(&change, "品牌与证照不符").unwrap();
    let d = detail(&c, &shop_id).await;
    assert_eq!(d.audit_status, Some(ShopAuditStatus::AuditFailed));
    assert_eq!(d.audit_desc.as_deref(), Some("品牌与证照不符"));
    assert_eq!(d.brand_name.as_deref(), Some("海底捞"));
}

#[tokio::test]
async fn an_image_that_was_never_uploaded_is_refused() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();
    let uploaded = upload(&c, "front").await;
    let images = vec![uploaded, "1T8Pp00AT7eo9NoAJkMR3AAAACMAAQEC".to_owned()];
    let e = c
        .execute(
            &new_store("img-1", &images, "http://127.0.0.1:9/n")
                .build()
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(sub_code(&e), "SHOP_CREATE_INVALID_PARAM");
    assert!(
        e.to_string().contains("1T8Pp00AT7eo9NoAJkMR3AAAACMAAQEC"),
        "{e}"
    );
    assert_eq!(e.advice(), Advice::DoNotRetry);
    assert!(gw.shop_apply_order("x").is_none());
}

#[tokio::test]
async fn bad_input_gets_alipay_shaped_refusals() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();
    let images = vec![upload(&c, "front").await];
    let url = "http://127.0.0.1:9/n";
    // Missing parameters: no area, no category leaf.
    let mut biz = serde_json::to_value(new_store("bad-1", &images, url)).unwrap();
    biz.as_object_mut().unwrap().remove("district_code");
    let e = refused(&c, "alipay.offline.market.shop.create", &biz).await;
    assert_eq!(sub_code(&e), "AREA_CAN_NOT_NULL");
    biz["district_code"] = "330106".into();
    biz["category_id"] = "2015050700000000".into();
    let e = refused(&c, "alipay.offline.market.shop.create", &biz).await;
    assert_eq!(sub_code(&e), "SHOP_CREATE_CATOGORY_NOT_EXISTS");

    // A value outside a closed list: build() refuses it, and so does the gateway.
    assert!(AlipayOfflineMarketShopBatchquery::builder()
        .biz_channel("FOO")
        .build()
        .is_err());
    let e = refused(
        &c,
        "alipay.offline.market.shop.batchquery",
        &serde_json::json!({"biz_channel": "FOO"}),
    )
    .await;
    assert_eq!(e.api().unwrap().code, "40002");
    assert!(e.to_string().contains("biz_channel"), "{e}");

    // Unknown stores.
    let q = AlipayOfflineMarketShopQuerydetail::builder()
        .shop_id("404")
        .build()
        .unwrap();
    assert_eq!(
        sub_code(&c.execute(&q).await.unwrap_err()),
        "INVALID_SHOPID"
    );
    let m = AlipayOfflineMarketShopModify::builder()
        .shop_id("404")
        .wifi("T")
        .build()
        .unwrap();
    assert_eq!(
        sub_code(&c.execute(&m).await.unwrap_err()),
        "SHOP_MODIFY_SHOP_NOT_EXISTS"
    );

    // #EMPTY# where the guide does not allow it: the typed API has no setter for it,
    // and the gateway refuses it when sent by hand.
    let shop_id = open_store(&gw, &c, "bad-2", &images, url).await;
    let clear_address = serde_json::json!({"shop_id": shop_id, "address": "#EMPTY#"});
    let e = refused(&c, "alipay.offline.market.shop.modify", &clear_address).await;
    assert_eq!(sub_code(&e), "SHOP_MODIFY_INVALID_PARAM");
    assert_eq!(
        gw.shop(&shop_id).unwrap().get("address"),
        Some("万塘路18号黄龙时代广场")
    );

    // One reviewed change at a time; the category never changes.
    let rename = |name: &str| {
        AlipayOfflineMarketShopModify::builder()
            .shop_id(&shop_id)
            .main_shop_name(name)
            .build()
            .unwrap()
    };
    c.execute(&rename("一")).await.unwrap();
    let e = c.execute(&rename("二")).await.unwrap_err();
    assert_eq!(sub_code(&e), "NOT_ALLOWED_CONCURRENT_MODIFY");
    let recategorise = serde_json::json!({"shop_id": shop_id, "category_id": HOTPOT});
    let e = refused(&c, "alipay.offline.market.shop.modify", &recategorise).await;
    assert_eq!(sub_code(&e), "CATEGORY_CANOT_MODIFY");
}

#[tokio::test]
async fn a_lost_answer_is_settled_by_querying_the_apply_orders() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();
    let images = vec![upload(&c, "front").await];
    let create = new_store("lost-1", &images, "http://127.0.0.1:9/n")
        .build()
        .unwrap();
    gw.inject_fault(
        Some("alipay.offline.market.shop.create"),
        Fault::SystemError,
    );
    let e = c.execute(&create).await.unwrap_err();
    // 20000: the outcome is unknown; the guide says to establish it before retrying.
    assert_eq!(e.advice(), Advice::QueryFirst);
    assert!(e.api().unwrap().retryable());

    // The request's parameters come back with each order: find ours by request_id.
    let q = AlipayOfflineMarketApplyorderBatchquery::builder()
        .biz_type("SHOP")
        .action("CREATE_SHOP")
        .build()
        .unwrap();
    let orders = c.execute(&q).await.unwrap().biz_order_infos.unwrap();
    let ours = orders
        .iter()
        .find(|o| {
            o.biz_context_info
                .as_deref()
                .unwrap_or_default()
                .contains("\"lost-1\"")
        })
        .expect("the create request took effect");
    assert_eq!(ours.status, Some(ShopApplyStatus::Process));

    // Sending it again is refused for what it is: a repeat, not a second store.
    let e = c.execute(&create).await.unwrap_err();
    assert_eq!(sub_code(&e), "SHOP_CREATE_REPEAT_REQUEST");
    assert_eq!(e.advice(), Advice::DoNotRetry);
}

#[test]
fn only_the_guides_five_fields_can_be_erased() {
    let clearable: Vec<(&str, &str)> = alipay_api::schema::methods()
        .iter()
        .filter(|m| m.meta.method.starts_with("alipay.offline."))
        .flat_map(|m| {
            m.params
                .iter()
                .filter(|f| f.clearable)
                .map(move |f| (m.meta.method, f.name))
        })
        .collect();
    let mut names: Vec<&str> = clearable.iter().map(|(_, f)| *f).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "avg_price",
            "branch_shop_name",
            "implement_id",
            "notify_mobile",
            "value_added"
        ]
    );
    assert!(clearable
        .iter()
        .all(|(m, _)| *m == "alipay.offline.market.shop.modify"));
}

#[tokio::test]
async fn the_official_node_sdk_opens_a_store() {
    let gw = Sandbox::start().await.unwrap();
    let rx = NotifyReceiver::start(0).await;
    let cfg = serde_json::json!({
        "gateway": gw.gateway_url(),
        "appId": gw.keys().app_id,
        "privateKey": gw.keys().app_private_key,
        "alipayPublicKey": gw.keys().alipay_public_key,
        "notifyUrl": rx.url,
        "category": HOTPOT,
    });
    let v = run_node_peer("shop.mjs", cfg).await;
    assert_eq!(v["create"]["auditStatus"], "AUDITING", "{v}");
    assert_eq!(
        v["unknownImage"]["subCode"], "SHOP_CREATE_INVALID_PARAM",
        "{v}"
    );
    assert_eq!(v["order"]["status"], "PROCESS", "{v}");

    // What the SDK sent arrived as sent, Chinese text included; approve it here.
    let apply_id = v["create"]["applyId"].as_str().unwrap();
    let order = gw.approve_shop(apply_id).unwrap();
    assert_eq!(order.request_id.as_deref(), Some("node-1"));
    let shop = gw.shop(order.shop_id.as_deref().unwrap()).unwrap();
    assert_eq!(shop.get("main_shop_name"), Some("海底捞 & 100%"));
    review_notice(&gw, apply_id).await;
}

//! Koubei stores (口碑开店): create and modify requests that wait for a review a test
//! decides (`Sandbox::approve_shop` / `reject_shop`), the review notification to
//! `operate_notify_url`, `#EMPTY#` clearing, the store and apply-order queries and a
//! small category tree. Pictures must be uploaded first
//! (`alipay.offline.material.image.upload`): an unknown image id is refused.
//!
//! Refusals use the `sub_code`s of the official SDKs' error lists for these methods
//! (e.g. `SHOP_CREATE_CATOGORY_NOT_EXISTS`, `SHOP_MODIFY_SHOP_NOT_EXISTS`,
//! `NOT_ALLOWED_CONCURRENT_MODIFY`, `INVALID_SHOPID`), under `40004`.

mod book;
mod category;
mod query;
mod review;

use std::collections::BTreeMap;

use alipay_api::models::{ShopApplyAction, ShopApplyStatus, ShopAuditStatus};
use serde_json::Value;

use crate::call::Call;
use crate::reply::{Answer, Failure, Node};
use crate::store::Store;
use book::{new_apply_id, ApplyOrder, ReplyTo};

pub(crate) use book::ShopBook;

pub use book::{ApplyOrder as ShopApplyOrder, Shop};
pub(crate) use review::{decide, DecideError, Decision};

/// The marker that erases a field (`alipay_api::CLEAR_MARKER`).
const CLEAR_MARKER: &str = alipay_api::types::CLEAR_MARKER;

const CREATE: &str = "alipay.offline.market.shop.create";
const MODIFY: &str = "alipay.offline.market.shop.modify";

/// Request parameters that are not details of the store.
const NOT_STORED: &[&str] = &[
    "shop_id",
    "request_id",
    "op_role",
    "op_id",
    "biz_version",
    "version",
    "creator",
    "enterprise_logon_id",
    "enterprise_name",
    "leads_id",
    "ref_apply_id",
    "is_show",
];

/// Fields whose change goes to review (the guide's list: names, brand, logo, main
/// image, store pictures, licence and permit, authorisation letter, other platforms).
const REVIEWED: &[&str] = &[
    "main_shop_name",
    "branch_shop_name",
    "brand_name",
    "brand_logo",
    "main_image",
    "audit_images",
    "licence",
    "licence_code",
    "licence_name",
    "business_certificate",
    "business_certificate_expires",
    "auth_letter",
    "is_operating_online",
    "online_url",
    "online_image",
];

/// Fields holding one image id, and fields holding comma-separated image ids.
const IMAGE: &[&str] = &[
    "main_image",
    "brand_logo",
    "licence",
    "business_certificate",
    "auth_letter",
];
const IMAGES: &[&str] = &["audit_images", "other_authorization"];

/// The store product.
pub(crate) struct ShopModel;

impl super::Model for ShopModel {
    fn methods(&self) -> &'static [&'static str] {
        &[
            CREATE,
            MODIFY,
            "alipay.offline.market.shop.querydetail",
            "alipay.offline.market.shop.batchquery",
            "alipay.offline.market.shop.summary.batchquery",
            "alipay.offline.market.shop.category.query",
            "alipay.offline.market.applyorder.batchquery",
        ]
    }

    fn answer(&self, c: &Call<'_>) -> Result<Answer, Failure> {
        let node = match c.method {
            CREATE => create(c),
            MODIFY => modify(c),
            "alipay.offline.market.shop.querydetail" => query::detail(c),
            "alipay.offline.market.shop.batchquery" => query::ids(c),
            "alipay.offline.market.shop.summary.batchquery" => query::summaries(c),
            "alipay.offline.market.shop.category.query" => query::categories(c),
            "alipay.offline.market.applyorder.batchquery" => query::apply_orders(c),
            other => Err(super::unhandled(other)),
        }?;
        Ok(Answer::Node(node))
    }
}

/// A `40004` refusal with one of the method's business `sub_code`s.
fn refuse(sub_code: &str, why: impl Into<String>) -> Failure {
    Failure::business(sub_code, why)
}

/// The request's store details, by wire name (text as sent).
fn details(c: &Call<'_>) -> BTreeMap<String, String> {
    c.biz
        .iter()
        .filter(|(k, _)| !NOT_STORED.contains(&k.as_str()))
        .filter_map(|(k, v)| match v {
            Value::String(s) if !s.is_empty() => Some((k.clone(), s.clone())),
            Value::Number(n) => Some((k.clone(), n.to_string())),
            _ => None,
        })
        .collect()
}

/// The first image id in `fields` that was never uploaded, with its field.
fn unknown_image(st: &Store, fields: &BTreeMap<String, String>) -> Option<(String, String)> {
    let ids = |k: &String, v: &String| -> Vec<String> {
        if IMAGE.contains(&k.as_str()) {
            vec![v.clone()]
        } else if IMAGES.contains(&k.as_str()) {
            v.split(',').map(|s| s.trim().to_owned()).collect()
        } else {
            Vec::new()
        }
    };
    fields.iter().find_map(|(k, v)| {
        ids(k, v)
            .into_iter()
            .find(|id| !super::upload::is_uploaded(st, id))
            .map(|id| (k.clone(), id))
    })
}

/// Refuses, with `sub_code`, fields naming an image that was never uploaded.
fn images_uploaded(
    st: &Store,
    fields: &BTreeMap<String, String>,
    sub_code: &str,
) -> Result<(), Failure> {
    match unknown_image(st, fields) {
        None => Ok(()),
        Some((field, id)) => Err(refuse(
            sub_code,
            format!("`{field}`: no image `{id}` was uploaded; upload it with alipay.offline.material.image.upload first"),
        )),
    }
}

/// Where the review result of this request goes.
fn reply_to(c: &Call<'_>, fallback: Option<&str>) -> Option<ReplyTo> {
    let url = c
        .text("operate_notify_url")
        .or(fallback.map(str::to_owned))?;
    Some(ReplyTo {
        url,
        sign_type: c.sign_type,
    })
}

/// A new apply order for this call.
fn order(c: &Call<'_>, apply_id: String, action: ShopApplyAction) -> ApplyOrder {
    let now = c.env.now();
    ApplyOrder {
        apply_id,
        request_id: c.text("request_id"),
        action,
        shop_id: None,
        status: ShopApplyStatus::Process,
        result_desc: None,
        pending: BTreeMap::new(),
        context: Value::Object(c.biz.clone()).to_string(),
        created_at: now,
        updated_at: now,
        reply_to: reply_to(c, None),
    }
}

/// `alipay.offline.market.shop.create`: checks the request and files it for review.
fn create(c: &Call<'_>) -> Result<Node, Failure> {
    let fields = details(c);
    check_create(&fields)?;
    let mut st = c.env.lock();
    images_uploaded(&st, &fields, "SHOP_CREATE_INVALID_PARAM")?;
    let Store { ledger, parts } = &mut *st;
    let book = parts.get_mut::<ShopBook>();
    if let Some(rid) = c.text("request_id") {
        if !book.create_requests.insert(rid.clone()) {
            return Err(refuse(
                "SHOP_CREATE_REPEAT_REQUEST",
                format!("request_id `{rid}` was already used; query its apply order instead of sending it again"),
            ));
        }
    }
    if let Some(sid) = fields
        .get("store_id")
        .filter(|s| book.store_id_taken(s, None))
    {
        return Err(refuse(
            "SHOP_CREATE_UNIQUE_CONSTRAINT_OUTSHOPID_ERROR",
            format!("store_id `{sid}` is already used by another store"),
        ));
    }
    let mut o = order(
        c,
        new_apply_id(ledger, c.env.now()),
        ShopApplyAction::CreateShop,
    );
    o.pending = fields;
    let apply_id = o.apply_id.clone();
    book.orders.insert(apply_id.clone(), o);
    let mut n = Node::success();
    n.set("apply_id", apply_id);
    n.set("audit_status", ShopAuditStatus::Auditing.as_str());
    Ok(n)
}

/// What a store needs before it can be reviewed at all.
fn check_create(f: &BTreeMap<String, String>) -> Result<(), Failure> {
    if let Some(k) = ["main_shop_name", "address", "main_image"]
        .into_iter()
        .find(|k| !f.contains_key(*k))
    {
        return Err(refuse(
            "SHOP_CREATE_INVALID_PARAM",
            format!("`{k}` is needed to open a store"),
        ));
    }
    if let Some(k) = ["province_code", "city_code", "district_code"]
        .into_iter()
        .find(|k| !f.contains_key(*k))
    {
        return Err(refuse(
            "AREA_CAN_NOT_NULL",
            format!("`{k}` is needed: the store's area cannot be empty"),
        ));
    }
    match f.get("category_id") {
        Some(id) if category::is_leaf_id(id) => {}
        other => {
            return Err(refuse(
                "SHOP_CREATE_CATOGORY_NOT_EXISTS",
                format!("category `{}` is not a leaf category; pick one from alipay.offline.market.shop.category.query", other.map_or("", |s| s.as_str())),
            ))
        }
    }
    // The licence, or proof of trading on another platform: at least one.
    let licensed = f.contains_key("licence") || f.contains_key("licence_code");
    if !licensed && f.get("is_operating_online").map(String::as_str) != Some("T") {
        return Err(refuse(
            "LICENSE_IS_REQUIRED",
            "give the business licence (`licence`, `licence_code`) or `is_operating_online` = T with `online_url`",
        ));
    }
    Ok(())
}

/// `alipay.offline.market.shop.modify`: applies what needs no review at once and
/// files the rest for review.
fn modify(c: &Call<'_>) -> Result<Node, Failure> {
    let shop_id = c.text("shop_id").ok_or_else(|| {
        refuse(
            "SHOP_MODIFY_INVALID_PARAM",
            "`shop_id` names the store to change",
        )
    })?;
    let changes = details(c);
    check_modify(c, &changes)?;
    let mut st = c.env.lock();
    images_uploaded(&st, &changes, "SHOP_MODIFY_INVALID_PARAM")?;
    let Store { ledger, parts } = &mut *st;
    let book = parts.get_mut::<ShopBook>();
    let shop = book.shops.get(&shop_id).ok_or_else(|| {
        refuse(
            "SHOP_MODIFY_SHOP_NOT_EXISTS",
            format!("no store `{shop_id}`; its creation may still be under review"),
        )
    })?;
    check_against_store(shop, &changes)?;
    if let Some(sid) = changes
        .get("store_id")
        .filter(|s| book.store_id_taken(s, Some(&shop_id)))
    {
        return Err(refuse(
            "SHOP_MODIFY_UNIQUE_CONSTRAINT_OUTSHOPID_ERROR",
            format!("store_id `{sid}` is already used by another store"),
        ));
    }
    let (reviewed, direct): (BTreeMap<_, _>, BTreeMap<_, _>) = changes
        .into_iter()
        .partition(|(k, _)| REVIEWED.contains(&k.as_str()));
    if !reviewed.is_empty() {
        if let Some(o) = book.change_under_review(&shop_id) {
            return Err(refuse(
                "NOT_ALLOWED_CONCURRENT_MODIFY",
                format!(
                    "change `{}` of this store is still under review; wait for its result",
                    o.apply_id
                ),
            ));
        }
    }
    let now = c.env.now();
    let fallback = shop.get("operate_notify_url").map(str::to_owned);
    let mut o = order(c, new_apply_id(ledger, now), ShopApplyAction::ModifyShop);
    o.reply_to = reply_to(c, fallback.as_deref());
    o.shop_id = Some(shop_id.clone());
    let status = record_modify(book, &shop_id, o, direct, reviewed, now);
    Ok(status)
}

/// Stores the direct changes, files the reviewed ones; the answer node.
fn record_modify(
    book: &mut ShopBook,
    shop_id: &str,
    mut o: ApplyOrder,
    direct: BTreeMap<String, String>,
    reviewed: BTreeMap<String, String>,
    now: alipay_api::BeijingDateTime,
) -> Node {
    let mut n = Node::success();
    n.set("apply_id", o.apply_id.as_str());
    if let Some(s) = book.shops.get_mut(shop_id) {
        review::apply(&mut s.fields, &direct);
        s.modified_at = now;
        if reviewed.is_empty() {
            o.status = ShopApplyStatus::Success;
        } else {
            s.audit_status = ShopAuditStatus::Auditing;
        }
        n.set("audit_status", s.audit_status.as_str());
    }
    o.pending = reviewed;
    book.orders.insert(o.apply_id.clone(), o);
    n
}

/// Rules of a change that need no stored state.
fn check_modify(c: &Call<'_>, changes: &BTreeMap<String, String>) -> Result<(), Failure> {
    let spec = crate::spec::method(MODIFY);
    if let Some(k) = changes
        .iter()
        .find(|(k, v)| *v == CLEAR_MARKER && !spec.is_some_and(|m| m.clearable(k)))
        .map(|(k, _)| k)
    {
        return Err(refuse(
            "SHOP_MODIFY_INVALID_PARAM",
            format!("`{k}` cannot be erased with #EMPTY#; only notify_mobile, implement_id, branch_shop_name, value_added and avg_price can"),
        ));
    }
    if c.text("category_id").is_some() {
        return Err(refuse(
            "CATEGORY_CANOT_MODIFY",
            "a store's category cannot be changed",
        ));
    }
    Ok(())
}

/// Rules of a change against the stored store.
fn check_against_store(
    shop: &book::Shop,
    changes: &BTreeMap<String, String>,
) -> Result<(), Failure> {
    for k in ["province_code", "city_code"] {
        if changes
            .get(k)
            .is_some_and(|v| shop.get(k) != Some(v.as_str()))
        {
            return Err(refuse(
                "PROVINCE_CITY_CANOT_MODIFY",
                format!("`{k}` cannot be changed; a store stays in its province and city"),
            ));
        }
    }
    Ok(())
}

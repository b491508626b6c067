//! The read side: one store, store ids, store summaries, apply orders and the
//! category tree.

use alipay_api::models::ShopApplyStatus;
use alipay_api::Amount;
use serde_json::{json, Map, Value};

use super::book::{ApplyOrder, Shop, ShopBook};
use super::{category, refuse};
use crate::call::Call;
use crate::env::Env;
use crate::reply::{Failure, Node};

const DETAIL: &str = "alipay.offline.market.shop.querydetail";

/// Stores per page of `alipay.offline.market.shop.batchquery`.
const IDS_PER_PAGE: usize = 500;
/// The default page size of the summary and apply-order queries.
const DEFAULT_PAGE: usize = 20;

/// One page of `items`: the page (1-based `page_no`, clamped to at least 1) and the
/// number of pages.
fn page<T>(items: Vec<T>, page_no: usize, size: usize) -> (Vec<T>, usize) {
    let size = size.max(1);
    let pages = items.len().div_ceil(size).max(1);
    let skip = (page_no.max(1) - 1).saturating_mul(size);
    (items.into_iter().skip(skip).take(size).collect(), pages)
}

/// A success node with one page of `all` under `key` and the paging counts, each
/// written with `count` (the summary query sends them as text, the apply-order query
/// as numbers).
fn paged(
    key: &str,
    all: Vec<Value>,
    page_no: usize,
    size: usize,
    count: fn(usize) -> Value,
) -> Node {
    let total = all.len();
    let (items, pages) = page(all, page_no, size);
    let mut n = Node::success();
    n.set(key, items);
    n.set("current_page_no", count(page_no.max(1)));
    n.set("page_size", count(size));
    n.set("total_items", count(total));
    n.set("total_page_no", count(pages));
    n
}

/// An integer parameter, or `default`.
fn number(c: &Call<'_>, k: &str, default: usize) -> usize {
    c.text(k).and_then(|t| t.parse().ok()).unwrap_or(default)
}

/// Whether the store list asked for includes ordinary stores (every sandbox store
/// is one): not when only simple (POS) stores are asked for.
fn ordinary_stores(c: &Call<'_>) -> bool {
    c.text("biz_channel").as_deref() != Some("POS")
}

/// The store's pictures as `{"<image id>": "<url>"}` JSON text.
fn pictures(env: &Env, s: &Shop) -> String {
    let ids = ["main_image", "audit_images"]
        .iter()
        .filter_map(|k| s.get(k))
        .flat_map(|v| v.split(','))
        .map(str::trim);
    let map: Map<String, Value> = ids
        .map(|id| {
            (
                id.to_owned(),
                Value::String(super::super::upload::image_url(env, id)),
            )
        })
        .collect();
    Value::Object(map).to_string()
}

/// `alipay.offline.market.shop.querydetail`.
pub(super) fn detail(c: &Call<'_>) -> Result<Node, Failure> {
    let shop_id = c
        .text("shop_id")
        .ok_or_else(|| refuse("INVALID_PARAM", "`shop_id` names the store to read"))?;
    let st = c.env.lock();
    let shop = st
        .parts
        .get::<ShopBook>()
        .and_then(|b| b.shops.get(&shop_id))
        .ok_or_else(|| refuse("INVALID_SHOPID", format!("no store `{shop_id}`; a store being created has no id until its review is approved")))?;
    let spec = crate::spec::method(DETAIL);
    let mut n = Node::success();
    n.set("shop_id", shop.shop_id.as_str());
    for (k, v) in &shop.fields {
        // The detail names the further qualifications differently from the calls.
        let k = if k == "other_authorization" {
            "other_auth_images"
        } else {
            k.as_str()
        };
        if spec.is_some_and(|m| m.answers_with(k)) {
            n.set(k, v.as_str());
        }
    }
    n.set("audit_status", shop.audit_status.as_str());
    n.opt("audit_desc", shop.audit_desc.as_deref());
    n.set("is_online", "T");
    n.set("is_show", "T");
    n.set("create_channel", "开放平台");
    n.set("gmt_shop_create", shop.created_at.to_string());
    n.set("gmt_shop_modified", shop.modified_at.to_string());
    n.set("pic_coll", pictures(c.env, shop));
    Ok(n)
}

/// `alipay.offline.market.shop.batchquery`: the ids, 500 a page.
pub(super) fn ids(c: &Call<'_>) -> Result<Node, Failure> {
    let page_no = number(c, "page_no", 1);
    let ids: Vec<String> = match c.env.lock().parts.get::<ShopBook>() {
        Some(b) if ordinary_stores(c) => b.shops.keys().cloned().collect(),
        _ => Vec::new(),
    };
    let (ids, pages) = page(ids, page_no, IDS_PER_PAGE);
    let mut n = Node::success();
    n.set("shop_ids", ids);
    n.set("current_pageno", page_no.max(1).to_string());
    n.set("total_pageno", pages.to_string());
    Ok(n)
}

/// Whether a store passes the summary query's filters.
fn summary_matches(c: &Call<'_>, s: &Shop) -> bool {
    let same = |k: &str| c.text(k).is_none_or(|v| s.get(k) == Some(v.as_str()));
    // Every sandbox store that exists is trading.
    let open = c
        .text("shop_status")
        .is_none_or(|v| v.split(',').any(|x| x.trim() == "OPEN"));
    ordinary_stores(c)
        && open
        && c.text("shop_id").is_none_or(|id| id == s.shop_id)
        && ["province_code", "city_code", "district_code", "brand_name"]
            .into_iter()
            .all(same)
}

/// A store as `ShopSummaryQueryResponse`.
fn summary(s: &Shop) -> Value {
    let mut v = Map::new();
    v.insert("shop_id".into(), s.shop_id.clone().into());
    v.insert("shop_type".into(), "COMMON".into());
    v.insert("status".into(), "OPEN".into());
    for k in [
        "main_shop_name",
        "branch_shop_name",
        "brand_name",
        "province_code",
        "city_code",
        "district_code",
        "address",
        "business_time",
        "main_image",
    ] {
        if let Some(x) = s.get(k) {
            v.insert(k.into(), x.into());
        }
    }
    if let Some(fen) = s.get("avg_price").and_then(|a| a.parse::<Amount>().ok()) {
        v.insert("per_pay".into(), fen.fen().to_string().into());
    }
    if let Some((id, (name, level))) = s
        .get("category_id")
        .and_then(|id| category::name_and_level(id).map(|nl| (id, nl)))
    {
        let info =
            json!({"category_id": id, "category_name": name, "category_level": level.to_string()});
        v.insert("category_infos".into(), json!([info]));
    }
    v.insert("is_show".into(), "T".into());
    v.insert("gmt_create".into(), s.created_at.to_string().into());
    Value::Object(v)
}

/// `alipay.offline.market.shop.summary.batchquery`.
pub(super) fn summaries(c: &Call<'_>) -> Result<Node, Failure> {
    let (page_no, size) = (
        number(c, "page_no", 1),
        number(c, "page_size", DEFAULT_PAGE),
    );
    let all: Vec<Value> = match c.env.lock().parts.get::<ShopBook>() {
        Some(b) => b
            .shops
            .values()
            .filter(|s| summary_matches(c, s))
            .map(summary)
            .collect(),
        None => Vec::new(),
    };
    Ok(paged("shop_summary_infos", all, page_no, size, |x| {
        x.to_string().into()
    }))
}

/// `alipay.offline.market.shop.category.query`.
pub(super) fn categories(c: &Call<'_>) -> Result<Node, Failure> {
    let root = c.text("category_id");
    let infos = category::subtree(root.as_deref()).ok_or_else(|| {
        refuse(
            "INVALID_PARAMETER",
            format!(
                "no category `{}`; leave category_id unset to read the whole tree",
                root.unwrap_or_default()
            ),
        )
    })?;
    let mut n = Node::success();
    n.set("shop_category_config_infos", infos);
    Ok(n)
}

/// The text list parameter `k` (a JSON array), if given.
fn list(c: &Call<'_>, k: &str) -> Option<Vec<String>> {
    let items = c.biz.get(k)?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
    )
}

/// Whether an apply order passes the query's filters.
fn order_matches(c: &Call<'_>, ids: Option<&[String]>, o: &ApplyOrder) -> bool {
    let created = o.created_at.to_string();
    ids.is_none_or(|ids| ids.contains(&o.apply_id))
        && c.text("biz_type").is_none_or(|t| t == "SHOP")
        && c.text("biz_id").is_none_or(|id| o.shop_id.as_deref() == Some(id.as_str()))
        && c.text("action").is_none_or(|a| a == o.action.as_str())
        && c.text("status").is_none_or(|s| s == o.status.as_str())
        // Times are `yyyy-MM-dd HH:mm:ss`: as text they sort as times do.
        && c.text("start_time").is_none_or(|t| created >= t)
        && c.text("end_time").is_none_or(|t| created <= t)
}

/// An apply order as `BizOrderQueryResponse`.
fn order_info(env: &Env, o: &ApplyOrder) -> Value {
    let failed = o.status == ShopApplyStatus::Fail;
    let mut v = json!({
        "apply_id": o.apply_id,
        "action": o.action.as_str(),
        "action_mode": "NORMAL",
        "biz_type": "SHOP",
        "biz_id": o.shop_id.clone().unwrap_or_default(),
        "status": o.status.as_str(),
        "sub_status": if o.under_review() { "RISK_AUDITING" } else { "FINISH" },
        "op_id": env.config.seller_id,
        // Alipay's own id here, not the merchant's request_id.
        "request_id": format!("SBX{}", &o.apply_id[o.apply_id.len().saturating_sub(12)..]),
        "biz_context_info": o.context,
        "create_time": o.created_at.to_string(),
        "update_time": o.updated_at.to_string(),
    });
    if failed {
        v["result_code"] = "RISK_AUDIT_FAIL".into();
        v["result_desc"] = o.result_desc.clone().unwrap_or_default().into();
    }
    v
}

/// `alipay.offline.market.applyorder.batchquery`.
pub(super) fn apply_orders(c: &Call<'_>) -> Result<Node, Failure> {
    let ids = list(c, "apply_ids");
    let (page_no, size) = (
        number(c, "page_no", 1),
        number(c, "page_size", DEFAULT_PAGE),
    );
    let all: Vec<Value> = match c.env.lock().parts.get::<ShopBook>() {
        Some(b) => b
            .orders
            .values()
            .filter(|o| order_matches(c, ids.as_deref(), o))
            .map(|o| order_info(c.env, o))
            .collect(),
        None => Vec::new(),
    };
    Ok(paged("biz_order_infos", all, page_no, size, |x| x.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_count_and_clamp() {
        assert_eq!(
            page((1..=45).collect(), 3, 20),
            ((41..=45).collect::<Vec<_>>(), 3)
        );
        assert_eq!(page(Vec::<u8>::new(), 1, 20), (vec![], 1));
        assert_eq!(page(vec![1, 2], 0, 0), (vec![1], 2));
        assert_eq!(page(vec![1, 2], usize::MAX, 100), (vec![], 1));
    }
}

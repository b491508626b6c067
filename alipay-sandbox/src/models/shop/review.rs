//! The review of a create or modify request, decided by a test through the
//! `Sandbox` handle, and the `shop_audit_result` notification that announces it.

use alipay_api::models::{ShopApplyAction, ShopApplyStatus, ShopAuditStatus};
use alipay_api::shop::ShopAuditResult;
use alipay_api::BeijingDateTime;

use super::book::{new_shop_id, ApplyOrder, Shop, ShopBook};
use super::CLEAR_MARKER;
use crate::env::Env;
use crate::outbox::{Content, Notice};
use crate::store::{Ledger, Store};

/// What the reviewers decide.
#[derive(Debug, Clone)]
pub(crate) enum Decision {
    /// The request takes effect.
    Approve,
    /// The request is refused, for this reason.
    Reject(String),
}

/// Why a decision could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DecideError {
    /// No apply order has this id.
    Unknown,
    /// The order was already decided; its status.
    Decided(String),
}

/// Decides the review of `apply_id`, applies it to the store and announces it.
pub(crate) fn decide(env: &Env, apply_id: &str, d: &Decision) -> Result<ApplyOrder, DecideError> {
    let mut st = env.lock();
    let Store { ledger, parts } = &mut *st;
    let book = parts.get_mut::<ShopBook>();
    let mut order = book
        .orders
        .get(apply_id)
        .cloned()
        .ok_or(DecideError::Unknown)?;
    if !order.under_review() {
        return Err(DecideError::Decided(order.status.to_string()));
    }
    settle(book, ledger, &mut order, d, env.now());
    book.orders.insert(order.apply_id.clone(), order.clone());
    announce(env, &order);
    Ok(order)
}

/// The decision's effect on the store and on the order.
fn settle(
    book: &mut ShopBook,
    ledger: &mut Ledger,
    o: &mut ApplyOrder,
    d: &Decision,
    now: BeijingDateTime,
) {
    let shop = o.shop_id.as_ref().and_then(|id| book.shops.get_mut(id));
    match (d, shop) {
        (Decision::Approve, Some(s)) => {
            apply(&mut s.fields, &o.pending);
            s.audit_status = ShopAuditStatus::AuditSuccess;
            s.audit_desc = None;
            s.modified_at = now;
        }
        // Only a create request has no store yet: approving it opens one.
        (Decision::Approve, None) => {
            let shop_id = new_shop_id(ledger, now);
            book.shops
                .insert(shop_id.clone(), new_shop(&shop_id, o, now));
            o.shop_id = Some(shop_id);
        }
        (Decision::Reject(why), shop) => {
            if let Some(s) = shop {
                s.audit_status = ShopAuditStatus::AuditFailed;
                s.audit_desc = Some(why.clone());
            }
            o.result_desc = Some(why.clone());
        }
    }
    o.status = match d {
        Decision::Approve => ShopApplyStatus::Success,
        Decision::Reject(_) => ShopApplyStatus::Fail,
    };
    o.updated_at = now;
}

/// Writes `changes` over `fields`; `#EMPTY#` erases a field.
pub(super) fn apply(
    fields: &mut std::collections::BTreeMap<String, String>,
    changes: &std::collections::BTreeMap<String, String>,
) {
    for (k, v) in changes {
        if v == CLEAR_MARKER {
            fields.remove(k);
        } else {
            fields.insert(k.clone(), v.clone());
        }
    }
}

fn new_shop(shop_id: &str, order: &ApplyOrder, now: BeijingDateTime) -> Shop {
    let mut fields = std::collections::BTreeMap::new();
    apply(&mut fields, &order.pending);
    Shop {
        shop_id: shop_id.to_owned(),
        fields,
        audit_status: ShopAuditStatus::AuditSuccess,
        audit_desc: None,
        created_at: now,
        modified_at: now,
    }
}

/// Posts the decision to the request's `operate_notify_url`, if it gave one, in the
/// layout of the deliveries on record.
fn announce(env: &Env, o: &ApplyOrder) {
    let Some(to) = &o.reply_to else { return };
    let approved = o.status == ShopApplyStatus::Success;
    // A rejected change leaves an approved store listed; a rejected store never was.
    let listed = approved || o.action == ShopApplyAction::ModifyShop;
    let flag = |b: bool| if b { "T" } else { "F" }.to_owned();
    let audit = if approved {
        ShopAuditStatus::AuditSuccess
    } else {
        ShopAuditStatus::AuditFailed
    };
    let biz_type = match o.action {
        ShopApplyAction::CreateShop => "CREATE_SHOP_AUDIT",
        _ => "MODIFY_SHOP_AUDIT",
    };
    let mut fields = vec![
        ("biz_type".to_owned(), biz_type.to_owned()),
        ("apply_id".to_owned(), o.apply_id.clone()),
        (
            "request_id".to_owned(),
            o.request_id.clone().unwrap_or_default(),
        ),
        ("shop_id".to_owned(), o.shop_id.clone().unwrap_or_default()),
        ("audit_status".to_owned(), audit.to_string()),
        ("is_online".to_owned(), flag(listed)),
        ("is_show".to_owned(), flag(listed)),
    ];
    if let Some(why) = &o.result_desc {
        fields.push(("result_code".to_owned(), "RISK_AUDIT_FAIL".to_owned()));
        fields.push(("result_desc".to_owned(), why.clone()));
    }
    env.notify(Notice {
        url: to.url.clone(),
        charset: "utf-8".into(),
        sign_type: to.sign_type,
        content: Content::BareForm {
            notify_type: ShopAuditResult::NOTIFY_TYPE,
            version: "2.0",
            fields,
        },
    });
}

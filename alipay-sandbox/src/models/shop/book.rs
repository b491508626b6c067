//! What the store model keeps: the stores, every create or modify request (apply
//! order) with its review, and the `request_id`s already used.

use std::collections::{BTreeMap, HashSet};

use alipay_api::models::{ShopApplyAction, ShopApplyStatus, ShopAuditStatus};
use alipay_api::{BeijingDateTime, SignType};

use crate::store::Ledger;

/// A Koubei store on the sandbox; it exists once its create request is approved.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Shop {
    /// Alipay's store id.
    pub shop_id: String,
    /// The store's details by wire name (`main_shop_name`, `address`, `avg_price`,
    /// …); a cleared field is absent.
    pub fields: BTreeMap<String, String>,
    /// Where the review of the store, or of its latest reviewed change, stands.
    pub audit_status: ShopAuditStatus,
    /// Why the latest review rejected a change.
    pub audit_desc: Option<String>,
    /// When the store was created (its creation approved).
    pub created_at: BeijingDateTime,
    /// When it last changed.
    pub modified_at: BeijingDateTime,
}

impl Shop {
    /// A stored field, by wire name.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }
}

/// One create or modify request and its review.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApplyOrder {
    /// Alipay's id of the request.
    pub apply_id: String,
    /// The merchant's `request_id`, if it sent one.
    pub request_id: Option<String>,
    /// `CREATE_SHOP` or `MODIFY_SHOP`.
    pub action: ShopApplyAction,
    /// The store: for a create request, set once it is approved.
    pub shop_id: Option<String>,
    /// `PROCESS` while under review, then `SUCCESS` or `FAIL`.
    pub status: ShopApplyStatus,
    /// Why the review rejected it.
    pub result_desc: Option<String>,
    /// The fields the review decides on (applied on approval), by wire name;
    /// `#EMPTY#` erases.
    pub pending: BTreeMap<String, String>,
    /// The request's business parameters as JSON text.
    pub context: String,
    /// When the request arrived.
    pub created_at: BeijingDateTime,
    /// When it last changed state.
    pub updated_at: BeijingDateTime,
    /// Where the review result is posted.
    pub(crate) reply_to: Option<ReplyTo>,
}

impl ApplyOrder {
    /// Whether the review is still to be decided.
    pub fn under_review(&self) -> bool {
        self.status == ShopApplyStatus::Process
    }
}

/// Where and how a review result is announced: the request's `operate_notify_url`
/// and signature type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReplyTo {
    pub(crate) url: String,
    pub(crate) sign_type: SignType,
}

/// The store model's state.
#[derive(Debug, Default)]
pub(crate) struct ShopBook {
    /// Stores by id.
    pub(crate) shops: BTreeMap<String, Shop>,
    /// Apply orders by id; ids grow with time, so this is also arrival order.
    pub(crate) orders: BTreeMap<String, ApplyOrder>,
    /// `request_id`s of create requests already received.
    pub(crate) create_requests: HashSet<String>,
}

impl ShopBook {
    /// The modify request of `shop_id` still under review, if any.
    pub(crate) fn change_under_review(&self, shop_id: &str) -> Option<&ApplyOrder> {
        self.orders
            .values()
            .find(|o| o.under_review() && o.shop_id.as_deref() == Some(shop_id))
    }

    /// Whether another store (not `except`) already uses the merchant's `store_id`,
    /// or a create request under review claims it.
    pub(crate) fn store_id_taken(&self, store_id: &str, except: Option<&str>) -> bool {
        let stored = self
            .shops
            .values()
            .any(|s| Some(s.shop_id.as_str()) != except && s.get("store_id") == Some(store_id));
        let claimed = self.orders.values().any(|o| {
            o.under_review()
                && o.action == ShopApplyAction::CreateShop
                && o.pending.get("store_id").map(String::as_str) == Some(store_id)
        });
        stored || claimed
    }
}

/// A new 28-digit store id: date, a fixed part, a sequence.
pub(crate) fn new_shop_id(ledger: &mut Ledger, now: BeijingDateTime) -> String {
    format!(
        "{}00077{:015}",
        now.naive().format("%Y%m%d"),
        ledger.next_seq()
    )
}

/// A new 28-digit apply order id: date, a fixed part, a sequence.
pub(crate) fn new_apply_id(ledger: &mut Ledger, now: BeijingDateTime) -> String {
    format!(
        "{}00107{:015}",
        now.naive().format("%Y%m%d"),
        ledger.next_seq()
    )
}

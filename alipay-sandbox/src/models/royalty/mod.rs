//! The royalty product (商家分账): the merchant's receivers (bind, unbind, batch
//! query, rate query) and settlements that split a paid trade among them (settle,
//! settle query, onsettle query), with the settlement notification for
//! asynchronous requests.

mod relation;
mod settle;

use std::collections::BTreeSet;

use alipay_api::{Amount, BeijingDateTime};
use serde_json::Value;

use crate::call::Call;
use crate::reply::{Answer, Failure};

/// Royalty relations and settlements.
pub(crate) struct RoyaltyModel;

impl super::Model for RoyaltyModel {
    fn methods(&self) -> &'static [&'static str] {
        &[
            "alipay.trade.royalty.relation.bind",
            "alipay.trade.royalty.relation.unbind",
            "alipay.trade.royalty.relation.batchquery",
            "alipay.trade.royalty.rate.query",
            "alipay.trade.order.settle",
            "alipay.trade.order.settle.query",
            "alipay.trade.order.onsettle.query",
        ]
    }

    fn answer(&self, c: &Call<'_>) -> Result<Answer, Failure> {
        let node = match c.method {
            "alipay.trade.royalty.relation.bind" => relation::bind(c),
            "alipay.trade.royalty.relation.unbind" => relation::unbind(c),
            "alipay.trade.royalty.relation.batchquery" => relation::batch_query(c),
            "alipay.trade.royalty.rate.query" => relation::rate_query(c),
            "alipay.trade.order.settle" => settle::settle(c),
            "alipay.trade.order.settle.query" => settle::query(c),
            "alipay.trade.order.onsettle.query" => settle::unsettled_query(c),
            other => Err(super::unhandled(other)),
        }?;
        Ok(Answer::Node(node))
    }
}

/// The largest share of a trade a merchant may split unless a test changes it: the
/// usual limit of 商家分账.
pub const DEFAULT_MAX_RATIO: u8 = 30;

/// A receiver bound to the merchant.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Receiver {
    /// The receiver's user id.
    user_id: String,
    /// How the binding named the account (`userId`, `loginName`, `openId`).
    bound_as: String,
    /// The account as the binding gave it.
    account: String,
    /// The merchant's note.
    memo: Option<String>,
}

/// Where one split of a settlement ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SplitState {
    /// The money moved to the receiver.
    Success,
    /// The split failed (the merchant's balance was too low).
    Fail,
}

impl SplitState {
    /// The wire value, `SUCCESS` or `FAIL`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SplitState::Success => "SUCCESS",
            SplitState::Fail => "FAIL",
        }
    }
}

/// One split of a settlement.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Split {
    /// Alipay's number of the split.
    pub detail_id: String,
    /// The receiving user id.
    pub trans_in: String,
    /// How the request named the receiver (`userId`, `loginName`, `openId`).
    pub trans_in_type: String,
    /// The amount.
    pub amount: Amount,
    /// Where it ended.
    pub state: SplitState,
    /// Why it failed, as Alipay's code.
    pub error_code: Option<String>,
    /// When it was carried out.
    pub executed_at: BeijingDateTime,
}

/// A settlement request the gateway carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settlement {
    /// Alipay's number of the request.
    pub settle_no: String,
    /// The merchant's number of the request.
    pub out_request_no: String,
    /// The trade split.
    pub trade_no: String,
    /// Whether it was requested with `royalty_mode` `async`.
    pub asynchronous: bool,
    /// Whether it finished the trade's splitting.
    pub finishes: bool,
    /// When it was accepted.
    pub accepted_at: BeijingDateTime,
    /// Its splits, in request order.
    pub splits: Vec<Split>,
}

impl Settlement {
    /// What its successful splits moved.
    fn moved(&self) -> Amount {
        self.splits
            .iter()
            .filter(|s| s.state == SplitState::Success)
            .fold(Amount::ZERO, |a, s| a.checked_add(s.amount).unwrap_or(a))
    }
}

/// The royalty model's part of the store.
#[derive(Debug)]
pub(crate) struct RoyaltyBook {
    /// Bound receivers, in binding order.
    receivers: Vec<Receiver>,
    /// Settlements, oldest first.
    pub(crate) settlements: Vec<Settlement>,
    /// Trades whose splitting is finished.
    finished: BTreeSet<String>,
    /// The largest share of a trade that may be split, in percent.
    pub(crate) max_ratio: u8,
}

impl Default for RoyaltyBook {
    fn default() -> Self {
        RoyaltyBook {
            receivers: Vec::new(),
            settlements: Vec::new(),
            finished: BTreeSet::new(),
            max_ratio: DEFAULT_MAX_RATIO,
        }
    }
}

impl RoyaltyBook {
    /// The bound receivers' user ids, in binding order.
    pub(crate) fn receiver_ids(&self) -> Vec<String> {
        self.receivers.iter().map(|r| r.user_id.clone()).collect()
    }

    /// What the successful splits of a trade moved so far.
    fn settled(&self, trade_no: &str) -> Amount {
        self.settlements
            .iter()
            .filter(|s| s.trade_no == trade_no)
            .fold(Amount::ZERO, |a, s| a.checked_add(s.moved()).unwrap_or(a))
    }
}

/// The objects of a list parameter (`receiver_list`, `royalty_parameters`).
fn objects<'a>(c: &'a Call<'_>, k: &str) -> impl Iterator<Item = &'a Value> {
    c.biz
        .get(k)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| v.is_object())
}

/// A field of a JSON object as text (strings as they are, numbers printed).
fn field(v: &Value, k: &str) -> Option<String> {
    match v.get(k)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

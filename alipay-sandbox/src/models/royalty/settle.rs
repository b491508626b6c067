//! Settlements: splitting a paid trade among bound receivers (never more than what
//! is unsettled, idempotent by `out_request_no`), their queries, and the
//! settlement notification of asynchronous requests.

use alipay_api::{Amount, BeijingDateTime};
use serde_json::{json, Value};

use super::{field, objects, RoyaltyBook, Settlement, Split, SplitState};
use crate::call::Call;
use crate::models::trade::{Trade, TradeBook, TradeStatus};
use crate::models::users::{IdKind, Users};
use crate::reply::{Failure, Node};
use crate::store::Store;

/// The `msg_method` of the settlement notification.
const SETTLE_NOTIFY: &str = "alipay.trade.order.settle.notify";

/// A split as asked for, checked against the receivers.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Asked {
    user_id: String,
    trans_in_type: String,
    amount: Amount,
}

fn refuse(sub_code: &str, msg: impl Into<String>) -> Failure {
    Failure::business(sub_code, msg)
}

/// The trade a call names by `trade_no`.
fn trade_by_no(st: &Store, trade_no: &str) -> Result<Trade, Failure> {
    st.parts
        .get::<TradeBook>()
        .and_then(|b| b.trades.values().find(|t| t.trade_no == trade_no))
        .cloned()
        .ok_or_else(|| refuse("ACQ.TRADE_NOT_EXIST", "the trade does not exist"))
}

/// The paid trade a call names by `trade_no`.
fn paid_trade(st: &Store, trade_no: &str) -> Result<Trade, Failure> {
    let t = trade_by_no(st, trade_no)?;
    match t.status {
        TradeStatus::TradeSuccess | TradeStatus::TradeFinished => Ok(t),
        TradeStatus::WaitBuyerPay => Err(refuse(
            "ACQ.TRADE_STATUS_ERROR",
            "the trade is not paid yet; split it once the buyer has paid",
        )),
        TradeStatus::TradeClosed => Err(refuse(
            "ACQ.TRADE_STATUS_ERROR",
            "the trade is closed (unpaid or fully refunded); there is nothing to split",
        )),
    }
}

/// What of a trade may still be split: within the merchant's ratio and what was
/// neither refunded nor split before; nothing once splitting is finished.
fn unsettled(book: &RoyaltyBook, t: &Trade) -> Amount {
    if book.finished.contains(&t.trade_no) {
        return Amount::ZERO;
    }
    let settled = book.settled(&t.trade_no);
    let cap = Amount::from_fen(
        t.total_amount
            .fen()
            .saturating_mul(i64::from(book.max_ratio))
            / 100,
    );
    let by_ratio = cap.checked_sub(settled).unwrap_or(Amount::ZERO);
    let by_refunds = t.refundable().checked_sub(settled).unwrap_or(Amount::ZERO);
    by_ratio.min(by_refunds).max(Amount::ZERO)
}

/// How much one `royalty_parameters` entry asks for.
fn entry_amount(c: &Call<'_>, entry: &Value, t: &Trade) -> Result<Amount, Failure> {
    if let Some(a) = field(entry, "amount") {
        return a
            .parse::<Amount>()
            .map_err(|_| c.invalid("a split's `amount` is not an amount"));
    }
    match field(entry, "amount_percentage").and_then(|p| p.parse::<i64>().ok()) {
        Some(p @ 1..=100) => Ok(Amount::from_fen(
            t.total_amount.fen().saturating_mul(p) / 100,
        )),
        _ => Err(c.invalid("each split needs `amount` or `amount_percentage` (1 to 100)")),
    }
}

/// One `royalty_parameters` entry, checked against the receivers and the merchant.
fn asked_split(c: &Call<'_>, st: &Store, entry: &Value, t: &Trade) -> Result<Asked, Failure> {
    if field(entry, "royalty_type").is_some_and(|k| k != "transfer") {
        return Err(c.invalid("the sandbox carries out `transfer` splits only"));
    }
    let seller = c.env.config.seller_id.as_str();
    if field(entry, "trans_out").is_some_and(|o| o != seller) {
        return Err(c.invalid("`trans_out` must be the merchant itself (its seller_id)"));
    }
    let trans_in_type = field(entry, "trans_in_type").unwrap_or_else(|| "userId".into());
    let Some(kind) = IdKind::from_royalty(&trans_in_type) else {
        return Err(refuse(
            "ACQ.ROYALTY_RECEIVER_INVALID",
            "merchant royalty pays Alipay accounts only (userId, loginName, openId), not bank cards",
        ));
    };
    let trans_in =
        field(entry, "trans_in").ok_or_else(|| c.invalid("each split needs `trans_in`"))?;
    let user = st
        .parts
        .get::<Users>()
        .and_then(|u| u.find(kind, &trans_in))
        .cloned();
    let bound = st.parts.get::<RoyaltyBook>().map(RoyaltyBook::receiver_ids);
    let Some(user) = user.filter(|u| bound.is_some_and(|b| b.contains(&u.user_id))) else {
        if trans_in == seller {
            return Err(refuse(
                "ACQ.ROYALTY_ACCOUNTS_EQUAL",
                "a split cannot pay the merchant itself",
            ));
        }
        return Err(refuse(
            "ACQ.ROYALTY_RECEIVER_INVALID",
            format!("`{trans_in}` is not a bound royalty receiver; bind it with alipay.trade.royalty.relation.bind first"),
        ));
    };
    if field(entry, "trans_in_name").is_some_and(|n| n != user.name) {
        return Err(refuse(
            "ACQ.ROYALTY_ACCOUNT_NAME_NOT_MATCH",
            format!("`trans_in_name` does not match the holder of `{trans_in}`"),
        ));
    }
    let amount = entry_amount(c, entry, t)?;
    Ok(Asked {
        user_id: user.user_id,
        trans_in_type,
        amount,
    })
}

/// Whether the call finishes the trade's splitting (`extend_params.royalty_finish`).
fn finishes(c: &Call<'_>) -> bool {
    c.biz
        .get("extend_params")
        .and_then(|e| field(e, "royalty_finish"))
        .is_some_and(|f| f == "true")
}

/// Carries the splits out against the merchant's balance, in order.
fn carry_out(st: &mut Store, asked: &[Asked], now: BeijingDateTime) -> Vec<Split> {
    let mut splits = Vec::with_capacity(asked.len());
    for a in asked {
        let detail_id = st.ledger.dated_no(now, 28);
        let left = st
            .ledger
            .balance
            .checked_sub(a.amount)
            .filter(|b| b.fen() >= 0);
        let (state, error_code) = match left {
            Some(b) => {
                st.ledger.balance = b;
                (SplitState::Success, None)
            }
            None => (
                SplitState::Fail,
                Some("TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH".to_owned()),
            ),
        };
        splits.push(Split {
            detail_id,
            trans_in: a.user_id.clone(),
            trans_in_type: a.trans_in_type.clone(),
            amount: a.amount,
            state,
            error_code,
            executed_at: now,
        });
    }
    splits
}

/// The splits asked for, checked, with their total.
fn asked_splits(c: &Call<'_>, st: &Store, t: &Trade) -> Result<(Vec<Asked>, Amount), Failure> {
    let asked = objects(c, "royalty_parameters")
        .map(|e| asked_split(c, st, e, t))
        .collect::<Result<Vec<_>, _>>()?;
    if asked.is_empty() && !finishes(c) {
        return Err(
            c.invalid("`royalty_parameters` is needed unless the call only finishes splitting")
        );
    }
    let total = asked
        .iter()
        .try_fold(Amount::ZERO, |s, a| s.checked_add(a.amount));
    let total = total.ok_or_else(|| c.invalid("the splits add up to more than any amount"))?;
    Ok((asked, total))
}

/// The earlier settlement with this `out_request_no`, if it asked for the same.
fn repeat(
    book: &RoyaltyBook,
    trade_no: &str,
    out: &str,
    asked: &[Asked],
) -> Option<Result<Settlement, Failure>> {
    let prev = book
        .settlements
        .iter()
        .find(|s| s.trade_no == trade_no && s.out_request_no == out)?;
    let same = prev.splits.len() == asked.len()
        && prev
            .splits
            .iter()
            .zip(asked)
            .all(|(s, a)| s.trans_in == a.user_id && s.amount == a.amount);
    Some(if same {
        Ok(prev.clone())
    } else {
        Err(refuse(
            "ACQ.DISCORDANT_REPEAT_REQUEST",
            "this out_request_no was used for different splits; use a new out_request_no for a new request",
        ))
    })
}

/// Checks and records a settlement request; the settlement and whether it is new.
fn settle_in(c: &Call<'_>, st: &mut Store) -> Result<(Settlement, bool), Failure> {
    let out = c.required("out_request_no")?;
    let t = paid_trade(st, &c.required("trade_no")?)?;
    let (asked, total) = asked_splits(c, st, &t)?;
    let book = st.parts.get_mut::<RoyaltyBook>();
    if let Some(prev) = repeat(book, &t.trade_no, &out, &asked) {
        return prev.map(|s| (s, false));
    }
    if book.finished.contains(&t.trade_no) {
        return Err(refuse(
            "ACQ.ALREADY_FINISH_ALLOC",
            "the trade's splitting is already finished",
        ));
    }
    let left = unsettled(book, &t);
    if total > left {
        return Err(refuse(
            "ACQ.ALLOC_AMOUNT_VALIDATE_ERROR",
            format!("the splits ({total}) exceed what the trade has left to split ({left})"),
        ));
    }
    let asynchronous = c.text("royalty_mode").is_some_and(|m| m == "async");
    if !asynchronous && st.ledger.balance < total {
        return Err(refuse(
            "ACQ.TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH",
            "the merchant's balance is too low for these splits",
        ));
    }
    let now = c.env.now();
    let settle_no = st.ledger.dated_no(now, 32);
    let splits = carry_out(st, &asked, now);
    let s = Settlement {
        settle_no,
        out_request_no: out,
        trade_no: t.trade_no.clone(),
        asynchronous,
        finishes: finishes(c),
        accepted_at: now,
        splits,
    };
    let book = st.parts.get_mut::<RoyaltyBook>();
    if s.finishes {
        book.finished.insert(t.trade_no);
    }
    book.settlements.push(s.clone());
    Ok((s, true))
}

pub(super) fn settle(c: &Call<'_>) -> Result<Node, Failure> {
    let (s, new) = {
        let mut st = c.env.lock();
        settle_in(c, &mut st)?
    };
    if new && s.asynchronous {
        c.notify_message(SETTLE_NOTIFY, notification(c, &s));
    }
    let mut n = Node::success();
    n.set("trade_no", s.trade_no.as_str());
    n.set("settle_no", s.settle_no.as_str());
    Ok(n)
}

/// One split as queries and notifications show it.
fn detail(c: &Call<'_>, s: &Split) -> Value {
    let mut d = json!({
        "operation_type": "transfer",
        "execute_dt": s.executed_at.to_string(),
        "trans_out": c.env.config.seller_id,
        "trans_out_type": "userId",
        "trans_in": s.trans_in,
        "trans_in_type": s.trans_in_type,
        "amount": s.amount.to_string(),
        "state": s.state.as_str(),
        "detail_id": s.detail_id,
    });
    if let Some(code) = &s.error_code {
        d["error_code"] = code.clone().into();
        d["error_desc"] = "the merchant's balance was too low for this split".into();
    }
    d
}

fn details(c: &Call<'_>, s: &Settlement) -> Value {
    Value::Array(s.splits.iter().map(|x| detail(c, x)).collect())
}

/// The content of the settlement notification.
fn notification(c: &Call<'_>, s: &Settlement) -> Value {
    json!({
        "out_request_no": s.out_request_no,
        "trade_no": s.trade_no,
        "settle_no": s.settle_no,
        "operation_dt": s.accepted_at.to_string(),
        "royalty_detail_list": details(c, s),
    })
}

pub(super) fn query(c: &Call<'_>) -> Result<Node, Failure> {
    let settle_no = c.text("settle_no");
    let (out, trade_no) = (c.text("out_request_no"), c.text("trade_no"));
    let found = c.env.lock().parts.get::<RoyaltyBook>().and_then(|b| {
        b.settlements
            .iter()
            .find(|s| match &settle_no {
                Some(no) => s.settle_no == *no,
                None => {
                    Some(&s.out_request_no) == out.as_ref()
                        && Some(&s.trade_no) == trade_no.as_ref()
                }
            })
            .cloned()
    });
    let s = found.ok_or_else(|| {
        c.invalid("no settlement request matches; check settle_no, or out_request_no with trade_no")
    })?;
    let mut n = Node::success();
    n.set("out_request_no", s.out_request_no.as_str());
    n.set("operation_dt", s.accepted_at.to_string());
    n.set("royalty_detail_list", details(c, &s));
    Ok(n)
}

pub(super) fn unsettled_query(c: &Call<'_>) -> Result<Node, Failure> {
    let trade_no = c.required("trade_no")?;
    let left = {
        let mut st = c.env.lock();
        let t = trade_by_no(&st, &trade_no)?;
        let paid = matches!(
            t.status,
            TradeStatus::TradeSuccess | TradeStatus::TradeFinished
        );
        if paid {
            unsettled(st.parts.get_mut::<RoyaltyBook>(), &t)
        } else {
            Amount::ZERO
        }
    };
    let mut n = Node::success();
    n.set("unsettled_amount", left.to_string());
    Ok(n)
}

//! Money going back and trades ending: refund (idempotent by `out_request_no`),
//! refund query, close and cancel.

use alipay_api::Amount;

use super::{find, not_exist, notice, snapshot, Refund, Trade, TradeBook, TradeStatus};
use crate::call::Call;
use crate::reply::{Failure, Node};
use crate::store::Store;

/// Why a trade in this state cannot be refunded, if it cannot.
fn refund_refusal(t: &Trade) -> Option<Failure> {
    let (sub_code, msg) = match t.status {
        TradeStatus::WaitBuyerPay => (
            "ACQ.TRADE_STATUS_ERROR",
            "the trade is not paid; close it instead",
        ),
        TradeStatus::TradeFinished => (
            "ACQ.TRADE_HAS_FINISHED",
            "the trade is finished and can no longer be refunded",
        ),
        TradeStatus::TradeClosed if t.refunded == Amount::ZERO => (
            "ACQ.TRADE_STATUS_ERROR",
            "the trade was closed without payment",
        ),
        _ => return None,
    };
    Some(Failure::business(sub_code, msg))
}

/// Takes `amount` back from the merchant for the buyer: records the refund and
/// updates the trade (closed once fully refunded). Returns the trade snapshot.
fn take_back(st: &mut Store, key: &str, refund: Refund) -> Result<(Trade, Refund), Failure> {
    st.ledger.balance = st
        .ledger
        .balance
        .checked_sub(refund.amount)
        .unwrap_or(Amount::ZERO);
    let book = st.parts.get_mut::<TradeBook>();
    book.refunds.push(refund.clone());
    let t = book.trades.get_mut(key).ok_or_else(not_exist)?;
    t.refunded = t
        .refunded
        .checked_add(refund.amount)
        .unwrap_or(t.total_amount);
    if t.refunded >= t.total_amount {
        t.status = TradeStatus::TradeClosed;
        t.closed_at = Some(refund.refunded_at);
    }
    Ok((t.clone(), refund))
}

pub(super) fn refund(c: &Call<'_>) -> Result<Node, Failure> {
    let amount = c.amount("refund_amount")?;
    if amount.fen() <= 0 {
        return Err(c.invalid("`refund_amount` must be positive"));
    }
    let reason = c.text("refund_reason");
    let now = c.env.now();
    let (trade, fund_change, this_refund) = {
        let mut st = c.env.lock();
        let balance = st.ledger.balance;
        let book = st.parts.get_mut::<TradeBook>();
        let key = find(c, book)?;
        // Without out_request_no the order number stands for the (single) refund.
        let req_no = c.text("out_request_no").unwrap_or_else(|| key.clone());
        let t = snapshot(book, &key)?;
        let earlier = book
            .refunds
            .iter()
            .find(|r| r.out_trade_no == key && r.out_request_no == req_no);
        if let Some(prev) = earlier {
            if prev.amount != amount {
                return Err(Failure::business(
                    "ACQ.DISCORDANT_REPEAT_REQUEST",
                    "this out_request_no was used for a different refund amount; use a new out_request_no for a new refund",
                ));
            }
            (t, false, prev.clone())
        } else {
            if let Some(f) = refund_refusal(&t) {
                return Err(f);
            }
            if amount > t.refundable() {
                return Err(Failure::business(
                    "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                    format!(
                        "the refund amount {amount} exceeds what is left to refund ({})",
                        t.refundable()
                    ),
                ));
            }
            if amount > balance {
                return Err(Failure::business(
                    "ACQ.SELLER_BALANCE_NOT_ENOUGH",
                    "the merchant's balance is too low for this refund; top it up and retry with the same out_request_no",
                ));
            }
            let r = Refund {
                trade_no: t.trade_no.clone(),
                out_trade_no: key.clone(),
                out_request_no: req_no,
                amount,
                reason,
                refunded_at: now,
            };
            let (t, r) = take_back(&mut st, &key, r)?;
            (t, true, r)
        }
    };
    if fund_change {
        notice::trade_changed(c.env, &trade, Some(&this_refund));
    }
    let mut n = Node::success();
    n.set("trade_no", trade.trade_no.as_str());
    n.set("out_trade_no", trade.out_trade_no.as_str());
    n.opt("buyer_logon_id", trade.buyer_logon_id.as_deref());
    n.set("fund_change", if fund_change { "Y" } else { "N" });
    n.set("refund_fee", trade.refunded.to_string());
    n.set("send_back_fee", this_refund.amount.to_string());
    n.set("gmt_refund_pay", this_refund.refunded_at.to_string());
    n.opt("buyer_user_id", trade.buyer_id.as_deref());
    Ok(n)
}

pub(super) fn refund_query(c: &Call<'_>) -> Result<Node, Failure> {
    let req_no = c.required("out_request_no")?;
    let (t, r) = {
        let mut st = c.env.lock();
        let book = st.parts.get_mut::<TradeBook>();
        let key = find(c, book)?;
        let t = snapshot(book, &key)?;
        let r = book
            .refunds
            .iter()
            .find(|r| r.out_trade_no == key && r.out_request_no == req_no)
            .cloned();
        (t, r)
    };
    let mut n = Node::success();
    n.set("trade_no", t.trade_no.as_str());
    n.set("out_trade_no", t.out_trade_no.as_str());
    // An unknown refund is answered with success and no refund fields, as Alipay does.
    if let Some(r) = r {
        n.set("out_request_no", r.out_request_no.as_str());
        n.set("refund_status", "REFUND_SUCCESS");
        n.set("total_amount", t.total_amount.to_string());
        n.set("refund_amount", r.amount.to_string());
        n.opt("refund_reason", r.reason.as_deref());
        n.set("send_back_fee", r.amount.to_string());
        n.set("gmt_refund_pay", r.refunded_at.to_string());
    }
    Ok(n)
}

/// Closes an unpaid trade; returns the snapshot.
fn close_unpaid(c: &Call<'_>, book: &mut TradeBook, key: &str) -> Result<Trade, Failure> {
    let t = book.trades.get_mut(key).ok_or_else(not_exist)?;
    if t.status != TradeStatus::WaitBuyerPay {
        return Err(Failure::business(
            "ACQ.TRADE_STATUS_ERROR",
            format!(
                "the trade is {}; only an unpaid trade can be closed (refund a paid one)",
                t.status
            ),
        ));
    }
    t.status = TradeStatus::TradeClosed;
    t.closed_at = Some(c.env.now());
    Ok(t.clone())
}

pub(super) fn close(c: &Call<'_>) -> Result<Node, Failure> {
    let t = {
        let mut st = c.env.lock();
        let book = st.parts.get_mut::<TradeBook>();
        let key = find(c, book)?;
        close_unpaid(c, book, &key)?
    };
    notice::trade_changed(c.env, &t, None);
    let mut n = Node::success();
    n.set("trade_no", t.trade_no.as_str());
    n.set("out_trade_no", t.out_trade_no.as_str());
    Ok(n)
}

/// What cancelling did to a trade: `close` or `refund`, the trade, the refund.
type Cancelled = (&'static str, Trade, Option<Refund>);

/// Undoes a trade: closes it unpaid, or refunds all that is left of it.
fn undo(c: &Call<'_>, st: &mut Store, key: &str) -> Result<Cancelled, Failure> {
    let book = st.parts.get_mut::<TradeBook>();
    let t = snapshot(book, key)?;
    match t.status {
        TradeStatus::WaitBuyerPay => Ok(("close", close_unpaid(c, book, key)?, None)),
        TradeStatus::TradeSuccess => {
            let r = Refund {
                trade_no: t.trade_no.clone(),
                out_trade_no: key.to_owned(),
                out_request_no: key.to_owned(),
                amount: t.refundable(),
                reason: Some("cancel".into()),
                refunded_at: c.env.now(),
            };
            let (t, r) = take_back(st, key, r)?;
            Ok(("refund", t, Some(r)))
        }
        TradeStatus::TradeClosed => Ok(("close", t, None)),
        TradeStatus::TradeFinished => Err(Failure::business(
            "ACQ.TRADE_STATUS_ERROR",
            "the trade is finished and can no longer be cancelled",
        )),
    }
}

pub(super) fn cancel(c: &Call<'_>) -> Result<Node, Failure> {
    let outcome = {
        let mut st = c.env.lock();
        match find(c, st.parts.get_mut::<TradeBook>()) {
            // Nothing to undo: the payment never reached the platform.
            Err(_) => None,
            Ok(key) => Some(undo(c, &mut st, &key)?),
        }
    };
    let mut n = Node::success();
    n.set("retry_flag", "N");
    match outcome {
        None => {
            n.opt("out_trade_no", c.text("out_trade_no"));
            n.opt("trade_no", c.text("trade_no"));
        }
        Some((action, t, refund)) => {
            n.set("trade_no", t.trade_no.as_str());
            n.set("out_trade_no", t.out_trade_no.as_str());
            n.set("action", action);
            if let Some(r) = &refund {
                n.set("gmt_refund_pay", r.refunded_at.to_string());
            }
            notice::trade_changed(c.env, &t, refund.as_ref());
        }
    }
    Ok(n)
}

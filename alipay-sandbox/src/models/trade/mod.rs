//! The trade product (统一收单): create, precreate, pay, page/wap/app payments,
//! query, refund, refund query, close and cancel, with the notifications each
//! change of a trade sends.

mod book;
mod notice;
mod page;
mod refund;
mod source;

use alipay_api::Amount;
use serde_json::{json, Value};

use crate::call::Call;
use crate::env::Env;
use crate::reply::{Answer, Failure, Node, Page};
use crate::store::{Ledger, Store};

pub(crate) use book::TradeBook;
pub use book::{Refund, Trade, TradeStatus};
pub(crate) use source::Payer;
use source::Source;

/// The trade lifecycle.
pub(crate) struct TradeModel;

impl super::Model for TradeModel {
    fn methods(&self) -> &'static [&'static str] {
        &[
            "alipay.trade.precreate",
            "alipay.trade.create",
            "alipay.trade.pay",
            "alipay.trade.page.pay",
            "alipay.trade.wap.pay",
            "alipay.trade.app.pay",
            "alipay.trade.query",
            "alipay.trade.refund",
            "alipay.trade.fastpay.refund.query",
            "alipay.trade.close",
            "alipay.trade.cancel",
        ]
    }

    fn answer(&self, c: &Call<'_>) -> Result<Answer, Failure> {
        let node = match c.method {
            "alipay.trade.page.pay" | "alipay.trade.wap.pay" => {
                return page::pay(c).map(Answer::Page)
            }
            "alipay.trade.precreate" => create_unpaid(c, true),
            "alipay.trade.create" => create_unpaid(c, false),
            "alipay.trade.pay" => pay(c),
            "alipay.trade.app.pay" => app_pay(c),
            "alipay.trade.query" => query(c),
            "alipay.trade.refund" => refund::refund(c),
            "alipay.trade.fastpay.refund.query" => refund::refund_query(c),
            "alipay.trade.close" => refund::close(c),
            "alipay.trade.cancel" => refund::cancel(c),
            other => Err(super::unhandled(other)),
        }?;
        Ok(Answer::Node(node))
    }

    fn pages(&self) -> &'static [&'static str] {
        &["qr"]
    }

    fn page(&self, env: &Env, _segment: &str, trade_no: &str) -> Page {
        page::scan(env, trade_no)
    }
}

/// The simulated buyer pays an unpaid trade (a test's `pay_trade`); the
/// notification goes out as usual.
pub(crate) fn pay_as_buyer(env: &Env, out_trade_no: &str) -> Result<Trade, Option<TradeStatus>> {
    let paid = {
        let mut st = env.lock();
        if !st
            .parts
            .get_mut::<TradeBook>()
            .trades
            .contains_key(out_trade_no)
        {
            return Err(None);
        }
        mark_paid(env, &mut st, out_trade_no, None).map_err(|(_, s)| Some(s))?
    };
    notice::trade_changed(env, &paid, None);
    Ok(paid)
}

fn not_exist() -> Failure {
    Failure::business("ACQ.TRADE_NOT_EXIST", "the trade does not exist")
}

/// A masked login id, as Alipay shows buyers to merchants.
pub(crate) fn masked_logon(buyer_id: &str) -> String {
    let tail: String = buyer_id
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("159****{tail}")
}

/// A buyer id derived from a payment code or order number (its last 12 digits),
/// or a fresh one.
pub(crate) fn buyer_from(seed: &str, ledger: &mut Ledger) -> String {
    let digits: String = seed.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 12 {
        let tail: String = digits.chars().skip(digits.len() - 12).collect();
        format!("2088{tail}")
    } else {
        format!("2088{:012}", 100_000_000_000u64 + ledger.next_seq())
    }
}

/// A new unpaid trade from the common fields of a creating request.
fn new_trade(c: &Call<'_>, ledger: &mut Ledger, total: Amount) -> Trade {
    let now = c.env.now();
    Trade {
        trade_no: book::new_trade_no(ledger, now),
        out_trade_no: c.text("out_trade_no").unwrap_or_default(),
        created_by: c.method.to_owned(),
        subject: c.text("subject").unwrap_or_default(),
        body: c.text("body"),
        total_amount: total,
        refunded: Amount::ZERO,
        status: TradeStatus::WaitBuyerPay,
        buyer_id: c.text("buyer_id"),
        buyer_logon_id: c.text("buyer_id").map(|b| masked_logon(&b)),
        created_at: now,
        paid_at: None,
        closed_at: None,
        notify_url: c.notify_url().map(str::to_owned),
        return_url: c.return_url().map(str::to_owned),
        passback_params: c.text("passback_params"),
        store_id: c.text("store_id"),
        terminal_id: c.text("terminal_id"),
        charset: c.charset().to_owned(),
        sign_type: c.sign_type,
    }
}

/// The trade for a creating request: a new one, or the existing unpaid one with
/// the same order number and amount.
fn open_trade(c: &Call<'_>, st: &mut Store) -> Result<String, Failure> {
    let out = c.required("out_trade_no")?;
    let total = c.amount("total_amount")?;
    let book = st.parts.get_mut::<TradeBook>();
    match book.trades.get(&out) {
        Some(t) => match t.status {
            TradeStatus::TradeSuccess | TradeStatus::TradeFinished => Err(Failure::business(
                "ACQ.TRADE_HAS_SUCCESS",
                "the trade has already been paid",
            )),
            TradeStatus::TradeClosed => {
                Err(Failure::business("ACQ.TRADE_HAS_CLOSE", "the trade is closed"))
            }
            TradeStatus::WaitBuyerPay if t.total_amount != total => Err(Failure::business(
                "ACQ.CONTEXT_INCONSISTENT",
                "an order with this out_trade_no exists with different details; use a new out_trade_no",
            )),
            TradeStatus::WaitBuyerPay => Ok(out),
        },
        None => {
            let t = new_trade(c, &mut st.ledger, total);
            st.parts.get_mut::<TradeBook>().trades.insert(out.clone(), t);
            Ok(out)
        }
    }
}

/// Marks a trade paid (the buyer confirmed); returns the snapshot when it changed,
/// else the order number and the status that prevented it.
fn mark_paid(
    env: &Env,
    st: &mut Store,
    key: &str,
    buyer_seed: Option<&str>,
) -> Result<Trade, (String, TradeStatus)> {
    let fallback_buyer = buyer_from(buyer_seed.unwrap_or(key), &mut st.ledger);
    let t = st
        .parts
        .get_mut::<TradeBook>()
        .trades
        .get_mut(key)
        .ok_or_else(|| (key.to_owned(), TradeStatus::TradeClosed))?;
    if t.status != TradeStatus::WaitBuyerPay {
        return Err((key.to_owned(), t.status));
    }
    t.status = TradeStatus::TradeSuccess;
    t.paid_at = Some(env.now());
    if t.buyer_id.is_none() {
        t.buyer_id = Some(fallback_buyer);
    }
    if t.buyer_logon_id.is_none() {
        t.buyer_logon_id = t.buyer_id.as_deref().map(masked_logon);
    }
    let snapshot = t.clone();
    st.ledger.balance = st
        .ledger
        .balance
        .checked_add(snapshot.total_amount)
        .unwrap_or(st.ledger.balance);
    Ok(snapshot)
}

/// The order number of the trade a call names (`trade_no` or `out_trade_no`).
fn find(c: &Call<'_>, book: &TradeBook) -> Result<String, Failure> {
    book.find_key(
        c.text("out_trade_no").as_deref(),
        c.text("trade_no").as_deref(),
    )
    .ok_or_else(not_exist)
}

/// A snapshot of a trade by order number.
fn snapshot(book: &TradeBook, key: &str) -> Result<Trade, Failure> {
    book.trades.get(key).cloned().ok_or_else(not_exist)
}

fn fund_bills(amount: Amount) -> Value {
    json!([{ "fund_channel": "ALIPAYACCOUNT", "amount": amount.to_string() }])
}

/// The fields of a paid trade shared by pay and query.
fn paid_fields(n: &mut Node, t: &Trade) {
    n.set("trade_no", t.trade_no.as_str());
    n.set("out_trade_no", t.out_trade_no.as_str());
    n.opt("buyer_logon_id", t.buyer_logon_id.as_deref());
    n.set("total_amount", t.total_amount.to_string());
    n.set("receipt_amount", t.total_amount.to_string());
    n.set("buyer_pay_amount", t.total_amount.to_string());
    n.set("point_amount", "0.00");
    n.set("invoice_amount", t.total_amount.to_string());
}

fn create_unpaid(c: &Call<'_>, precreate: bool) -> Result<Node, Failure> {
    let t = {
        let mut st = c.env.lock();
        let key = open_trade(c, &mut st)?;
        snapshot(st.parts.get_mut::<TradeBook>(), &key)?
    };
    let mut n = Node::success();
    n.set("out_trade_no", t.out_trade_no.as_str());
    if precreate {
        n.set(
            "qr_code",
            format!("{}/sandbox/qr/{}", c.env.base_url, t.trade_no),
        );
    } else {
        n.set("trade_no", t.trade_no.as_str());
    }
    Ok(n)
}

/// User payment codes: 16 to 24 digits starting with 25 to 30.
pub(crate) fn valid_auth_code(code: &str) -> bool {
    (16..=24).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_digit())
        && code
            .get(..2)
            .and_then(|p| p.parse::<u8>().ok())
            .is_some_and(|p| (25..=30).contains(&p))
}

fn cannot_pay() -> Failure {
    Failure::business("ACQ.TRADE_STATUS_ERROR", "the trade cannot be paid now")
}

fn pay(c: &Call<'_>) -> Result<Node, Failure> {
    let source = Source::of(c)?;
    // Only a buyer showing a payment code can be asked to confirm in the app.
    let wait = source.code().is_some() && c.env.config.pay_waits_for_buyer;
    let (trade, paid) = {
        let mut st = c.env.lock();
        let key = open_paid_by(c, &mut st, &source)?;
        if wait {
            let seed = buyer_from(source.code().unwrap_or_default(), &mut st.ledger);
            let book = st.parts.get_mut::<TradeBook>();
            let t = book.trades.get_mut(&key).ok_or_else(not_exist)?;
            if t.buyer_id.is_none() {
                t.buyer_logon_id = Some(masked_logon(&seed));
                t.buyer_id = Some(seed);
            }
            (t.clone(), false)
        } else {
            let t = mark_paid(c.env, &mut st, &key, source.code()).map_err(|_| cannot_pay())?;
            source.record(c, &mut st, &t);
            (t, true)
        }
    };
    let mut n = if paid {
        Node::success()
    } else {
        Node::with_code("10003", "order success pay inprocess")
    };
    paid_fields(&mut n, &trade);
    if paid {
        n.opt("gmt_payment", trade.paid_at.map(|d| d.to_string()));
        n.set("fund_bill_list", fund_bills(trade.total_amount));
        notice::trade_changed(c.env, &trade, None);
    }
    n.opt("buyer_user_id", trade.buyer_id.as_deref());
    Ok(n)
}

/// The trade of a pay request, once its source of money (an agreement or frozen
/// funds) has agreed to pay; the payer that source names becomes the buyer. A trade
/// this request created is dropped again when the source refuses.
fn open_paid_by(c: &Call<'_>, st: &mut Store, source: &Source) -> Result<String, Failure> {
    let out = c.required("out_trade_no")?;
    let existed = st.parts.get_mut::<TradeBook>().trades.contains_key(&out);
    let key = open_trade(c, st)?;
    let amount = snapshot(st.parts.get_mut::<TradeBook>(), &key)?.total_amount;
    let payer = match source.check(c, st, amount) {
        Ok(payer) => payer,
        Err(f) => {
            if !existed {
                st.parts.get_mut::<TradeBook>().trades.remove(&key);
            }
            return Err(f);
        }
    };
    if let (Some(p), Some(t)) = (payer, st.parts.get_mut::<TradeBook>().trades.get_mut(&key)) {
        t.buyer_id = Some(p.user_id);
        t.buyer_logon_id = Some(p.logon_id);
    }
    Ok(key)
}

/// The app SDK handing its order string to the platform: the trade is created and
/// paid, and the app gets the signed synchronous result.
fn app_pay(c: &Call<'_>) -> Result<Node, Failure> {
    let trade = {
        let mut st = c.env.lock();
        let key = open_trade(c, &mut st)?;
        if c.env.config.auto_pay_pages {
            mark_paid(c.env, &mut st, &key, None).map_err(|_| cannot_pay())?
        } else {
            snapshot(st.parts.get_mut::<TradeBook>(), &key)?
        }
    };
    if trade.status == TradeStatus::TradeSuccess {
        notice::trade_changed(c.env, &trade, None);
    }
    let mut n = Node::success();
    n.set("app_id", c.app_id());
    n.set("auth_app_id", c.app_id());
    n.set("charset", c.charset());
    n.set("timestamp", c.env.now().to_string());
    n.set("out_trade_no", trade.out_trade_no.as_str());
    n.set("total_amount", trade.total_amount.to_string());
    n.set("trade_no", trade.trade_no.as_str());
    n.set("seller_id", c.env.config.seller_id.as_str());
    Ok(n)
}

fn query(c: &Call<'_>) -> Result<Node, Failure> {
    let t = {
        let mut st = c.env.lock();
        let book = st.parts.get_mut::<TradeBook>();
        let key = find(c, book)?;
        snapshot(book, &key)?
    };
    let mut n = Node::success();
    n.set("trade_no", t.trade_no.as_str());
    n.set("out_trade_no", t.out_trade_no.as_str());
    n.opt("buyer_logon_id", t.buyer_logon_id.as_deref());
    n.set("trade_status", t.status.as_str());
    n.set("total_amount", t.total_amount.to_string());
    if t.paid_at.is_some() {
        paid_fields(&mut n, &t);
        n.opt("send_pay_date", t.paid_at.map(|d| d.to_string()));
        n.set("fund_bill_list", fund_bills(t.total_amount));
    }
    n.opt("buyer_user_id", t.buyer_id.as_deref());
    n.set("subject", t.subject.as_str());
    n.opt("body", t.body.as_deref());
    n.opt("store_id", t.store_id.as_deref());
    n.opt("terminal_id", t.terminal_id.as_deref());
    n.opt("passback_params", t.passback_params.as_deref());
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_codes() {
        assert!(valid_auth_code("287951669891795468"));
        assert!(!valid_auth_code("187951669891795468"));
        assert!(!valid_auth_code("28795166989179546x"));
        assert!(!valid_auth_code("2879"));
        assert_eq!(masked_logon("2088123412341234"), "159****1234");
    }
}

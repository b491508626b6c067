//! Behaviour models: the trade lifecycle, bills, certificate download and uploads.
//! Every other method is answered from the spec (see `synth`).

use std::sync::Arc;

use alipay_api::{Amount, BeijingDateTime, SignType};
use serde_json::{json, Map, Value};

use crate::reply::{Failure, Node};
use crate::server::Shared;
use crate::state::{Refund, State, Trade, TradeStatus};
use crate::wire::Params;

/// One call being answered.
pub(crate) struct Call<'a> {
    pub(crate) shared: &'a Arc<Shared>,
    pub(crate) method: &'a str,
    pub(crate) params: &'a Params,
    pub(crate) biz: &'a Map<String, Value>,
    pub(crate) sign_type: SignType,
}

impl Call<'_> {
    /// A business parameter as text (strings as is, numbers printed).
    pub(crate) fn text(&self, k: &str) -> Option<String> {
        match self.biz.get(k) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            _ => self.params.non_empty(k).map(str::to_owned),
        }
    }

    fn amount(&self, k: &str) -> Result<Amount, Failure> {
        self.text(k)
            .and_then(|t| t.parse::<Amount>().ok())
            .ok_or_else(|| {
                invalid_param(self.method, &format!("`{k}` is missing or not an amount"))
            })
    }

    fn required(&self, k: &str) -> Result<String, Failure> {
        self.text(k)
            .ok_or_else(|| invalid_param(self.method, &format!("`{k}` is required")))
    }
}

/// The "invalid parameter" failure in the flavour of the method's product.
pub(crate) fn invalid_param(method: &str, detail: &str) -> Failure {
    if method.starts_with("alipay.trade.") {
        Failure::business(
            "ACQ.INVALID_PARAMETER",
            format!("invalid parameter: {detail}"),
        )
    } else {
        Failure::invalid(
            "isv.invalid-parameter",
            format!("invalid parameter: {detail}"),
        )
    }
}

fn not_exist() -> Failure {
    Failure::business("ACQ.TRADE_NOT_EXIST", "the trade does not exist")
}

/// Answers a call with a behaviour model; `None` when the method has none.
pub(crate) fn dispatch(c: &Call<'_>) -> Option<Result<Node, Failure>> {
    Some(match c.method {
        "alipay.trade.precreate" => create_unpaid(c, true),
        "alipay.trade.create" => create_unpaid(c, false),
        "alipay.trade.pay" => pay(c),
        "alipay.trade.app.pay" => app_pay(c),
        "alipay.trade.query" => query(c),
        "alipay.trade.refund" => refund(c),
        "alipay.trade.fastpay.refund.query" => refund_query(c),
        "alipay.trade.close" => close(c),
        "alipay.trade.cancel" => cancel(c),
        "alipay.data.dataservice.bill.downloadurl.query" => crate::bill::download_url(c),
        "alipay.open.app.alipaycert.download" => cert_download(c),
        "alipay.offline.material.image.upload" => image_upload(c),
        _ => return None,
    })
}

/// A masked login id, as Alipay shows buyers to merchants.
fn masked_logon(buyer_id: &str) -> String {
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

fn buyer_from(seed: &str, state: &mut State) -> String {
    let digits: String = seed.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 12 {
        let tail: String = digits.chars().skip(digits.len() - 12).collect();
        format!("2088{tail}")
    } else {
        format!("2088{:012}", 100_000_000_000u64 + state.next_seq())
    }
}

/// A new unpaid trade from the common fields of a creating request.
pub(crate) fn new_trade(c: &Call<'_>, state: &mut State, total: Amount) -> Trade {
    let now = BeijingDateTime::now();
    Trade {
        trade_no: state.new_trade_no(now),
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
        notify_url: c.params.non_empty("notify_url").map(str::to_owned),
        return_url: c.params.non_empty("return_url").map(str::to_owned),
        passback_params: c.text("passback_params"),
        store_id: c.text("store_id"),
        terminal_id: c.text("terminal_id"),
        charset: c.params.charset.clone(),
        sign_type: c.sign_type,
    }
}

/// The trade for a creating request: a new one, or the existing unpaid one with
/// the same order number and amount.
pub(crate) fn open_trade(c: &Call<'_>, state: &mut State) -> Result<String, Failure> {
    let out = c.required("out_trade_no")?;
    let total = c.amount("total_amount")?;
    match state.trades.get(&out) {
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
            let t = new_trade(c, state, total);
            state.trades.insert(out.clone(), t);
            Ok(out)
        }
    }
}

/// Marks a trade paid (the buyer confirmed); returns the snapshot when it changed.
pub(crate) fn mark_paid(
    state: &mut State,
    key: &str,
    buyer_seed: Option<&str>,
) -> Result<Trade, (String, TradeStatus)> {
    let seed = buyer_seed.unwrap_or(key).to_owned();
    let fallback_buyer = buyer_from(&seed, state);
    let t = state
        .trades
        .get_mut(key)
        .ok_or_else(|| (key.to_owned(), TradeStatus::TradeClosed))?;
    if t.status != TradeStatus::WaitBuyerPay {
        return Err((key.to_owned(), t.status));
    }
    t.status = TradeStatus::TradeSuccess;
    t.paid_at = Some(BeijingDateTime::now());
    if t.buyer_id.is_none() {
        t.buyer_id = Some(fallback_buyer);
    }
    if t.buyer_logon_id.is_none() {
        t.buyer_logon_id = t.buyer_id.as_deref().map(masked_logon);
    }
    let total = t.total_amount;
    let snapshot = t.clone();
    state.balance = state.balance.checked_add(total).unwrap_or(state.balance);
    Ok(snapshot)
}

fn fund_bills(amount: Amount) -> Value {
    json!([{ "fund_channel": "ALIPAYACCOUNT", "amount": amount.to_string() }])
}

/// The fields of a paid trade shared by pay, query and notifications.
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
        let mut st = c.shared.lock();
        let key = open_trade(c, &mut st)?;
        st.trades.get(&key).cloned().ok_or_else(not_exist)?
    };
    let mut n = Node::success();
    n.set("out_trade_no", t.out_trade_no.as_str());
    if precreate {
        n.set(
            "qr_code",
            format!("{}/sandbox/qr/{}", c.shared.base_url, t.trade_no),
        );
    } else {
        n.set("trade_no", t.trade_no.as_str());
    }
    Ok(n)
}

/// User payment codes: 16 to 24 digits starting with 25 to 30.
fn valid_auth_code(code: &str) -> bool {
    (16..=24).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_digit())
        && code
            .get(..2)
            .and_then(|p| p.parse::<u8>().ok())
            .is_some_and(|p| (25..=30).contains(&p))
}

fn pay(c: &Call<'_>) -> Result<Node, Failure> {
    let auth_code = c.required("auth_code")?;
    if !valid_auth_code(&auth_code) {
        return Err(Failure::business(
            "ACQ.PAYMENT_AUTH_CODE_INVALID",
            "the payment code is not valid; ask the buyer to refresh it (16-24 digits starting with 25-30)",
        ));
    }
    let wait = c.shared.config.pay_waits_for_buyer;
    let (trade, paid) = {
        let mut st = c.shared.lock();
        let key = open_trade(c, &mut st)?;
        if wait {
            let seed = buyer_from(&auth_code, &mut st);
            let t = st.trades.get_mut(&key).ok_or_else(not_exist)?;
            if t.buyer_id.is_none() {
                t.buyer_logon_id = Some(masked_logon(&seed));
                t.buyer_id = Some(seed);
            }
            (t.clone(), false)
        } else {
            let t = mark_paid(&mut st, &key, Some(&auth_code)).map_err(|_| {
                Failure::business("ACQ.TRADE_STATUS_ERROR", "the trade cannot be paid now")
            })?;
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
        crate::notify::trade_changed(c.shared, &trade, None);
    }
    n.opt("buyer_user_id", trade.buyer_id.as_deref());
    Ok(n)
}

/// The app SDK handing its order string to the platform: the trade is created and
/// paid, and the app gets the signed synchronous result.
fn app_pay(c: &Call<'_>) -> Result<Node, Failure> {
    let trade = {
        let mut st = c.shared.lock();
        let key = open_trade(c, &mut st)?;
        if !c.shared.config.auto_pay_pages {
            st.trades.get(&key).cloned().ok_or_else(not_exist)?
        } else {
            mark_paid(&mut st, &key, None).map_err(|_| {
                Failure::business("ACQ.TRADE_STATUS_ERROR", "the trade cannot be paid now")
            })?
        }
    };
    if trade.status == TradeStatus::TradeSuccess {
        crate::notify::trade_changed(c.shared, &trade, None);
    }
    let mut n = Node::success();
    n.set("app_id", c.shared.keys.app_id.as_str());
    n.set("auth_app_id", c.shared.keys.app_id.as_str());
    n.set("charset", c.params.charset.as_str());
    n.set("timestamp", BeijingDateTime::now().to_string());
    n.set("out_trade_no", trade.out_trade_no.as_str());
    n.set("total_amount", trade.total_amount.to_string());
    n.set("trade_no", trade.trade_no.as_str());
    n.set("seller_id", c.shared.config.seller_id.as_str());
    Ok(n)
}

fn find(c: &Call<'_>, st: &State) -> Result<String, Failure> {
    st.find_key(
        c.text("out_trade_no").as_deref(),
        c.text("trade_no").as_deref(),
    )
    .ok_or_else(not_exist)
}

fn query(c: &Call<'_>) -> Result<Node, Failure> {
    let t = {
        let st = c.shared.lock();
        let key = find(c, &st)?;
        st.trades.get(&key).cloned().ok_or_else(not_exist)?
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

fn refund(c: &Call<'_>) -> Result<Node, Failure> {
    let amount = c.amount("refund_amount")?;
    if amount.fen() <= 0 {
        return Err(invalid_param(c.method, "`refund_amount` must be positive"));
    }
    let reason = c.text("refund_reason");
    let now = BeijingDateTime::now();
    let (trade, fund_change, this_refund) = {
        let mut st = c.shared.lock();
        let key = find(c, &st)?;
        // Without out_request_no the order number stands for the (single) refund.
        let req_no = c.text("out_request_no").unwrap_or_else(|| key.clone());
        let t = st.trades.get(&key).cloned().ok_or_else(not_exist)?;
        if let Some(prev) = st
            .refunds
            .iter()
            .find(|r| r.out_trade_no == key && r.out_request_no == req_no)
        {
            if prev.amount != amount {
                return Err(Failure::business(
                    "ACQ.DISCORDANT_REPEAT_REQUEST",
                    "this out_request_no was used for a different refund amount; use a new out_request_no for a new refund",
                ));
            }
            (t, false, prev.clone())
        } else {
            match t.status {
                TradeStatus::WaitBuyerPay => {
                    return Err(Failure::business(
                        "ACQ.TRADE_STATUS_ERROR",
                        "the trade is not paid; close it instead",
                    ))
                }
                TradeStatus::TradeFinished => {
                    return Err(Failure::business(
                        "ACQ.TRADE_HAS_FINISHED",
                        "the trade is finished and can no longer be refunded",
                    ))
                }
                TradeStatus::TradeClosed if t.refunded == Amount::ZERO => {
                    return Err(Failure::business(
                        "ACQ.TRADE_STATUS_ERROR",
                        "the trade was closed without payment",
                    ))
                }
                _ => {}
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
            if amount > st.balance {
                return Err(Failure::business(
                    "ACQ.SELLER_BALANCE_NOT_ENOUGH",
                    "the merchant's balance is too low for this refund; top it up and retry with the same out_request_no",
                ));
            }
            st.balance = st.balance.checked_sub(amount).unwrap_or(Amount::ZERO);
            let r = Refund {
                trade_no: t.trade_no.clone(),
                out_trade_no: key.clone(),
                out_request_no: req_no,
                amount,
                reason,
                refunded_at: now,
            };
            st.refunds.push(r.clone());
            let tm = st.trades.get_mut(&key).ok_or_else(not_exist)?;
            tm.refunded = tm.refunded.checked_add(amount).unwrap_or(tm.total_amount);
            if tm.refunded >= tm.total_amount {
                tm.status = TradeStatus::TradeClosed;
                tm.closed_at = Some(now);
            }
            (tm.clone(), true, r)
        }
    };
    if fund_change {
        crate::notify::trade_changed(c.shared, &trade, Some(&this_refund));
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

fn refund_query(c: &Call<'_>) -> Result<Node, Failure> {
    let req_no = c.required("out_request_no")?;
    let (t, r) = {
        let st = c.shared.lock();
        let key = find(c, &st)?;
        let t = st.trades.get(&key).cloned().ok_or_else(not_exist)?;
        let r = st
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
fn close_unpaid(st: &mut State, key: &str) -> Result<Trade, Failure> {
    let t = st.trades.get_mut(key).ok_or_else(not_exist)?;
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
    t.closed_at = Some(BeijingDateTime::now());
    Ok(t.clone())
}

fn close(c: &Call<'_>) -> Result<Node, Failure> {
    let t = {
        let mut st = c.shared.lock();
        let key = find(c, &st)?;
        close_unpaid(&mut st, &key)?
    };
    crate::notify::trade_changed(c.shared, &t, None);
    let mut n = Node::success();
    n.set("trade_no", t.trade_no.as_str());
    n.set("out_trade_no", t.out_trade_no.as_str());
    Ok(n)
}

fn cancel(c: &Call<'_>) -> Result<Node, Failure> {
    let now = BeijingDateTime::now();
    let outcome = {
        let mut st = c.shared.lock();
        match find(c, &st) {
            // Nothing to undo: the payment never reached the platform.
            Err(_) => None,
            Ok(key) => {
                let t = st.trades.get(&key).cloned().ok_or_else(not_exist)?;
                match t.status {
                    TradeStatus::WaitBuyerPay => {
                        Some(("close", close_unpaid(&mut st, &key)?, None))
                    }
                    TradeStatus::TradeSuccess => {
                        let left = t.refundable();
                        st.balance = st.balance.checked_sub(left).unwrap_or(Amount::ZERO);
                        let r = Refund {
                            trade_no: t.trade_no.clone(),
                            out_trade_no: key.clone(),
                            out_request_no: key.clone(),
                            amount: left,
                            reason: Some("cancel".into()),
                            refunded_at: now,
                        };
                        st.refunds.push(r.clone());
                        let tm = st.trades.get_mut(&key).ok_or_else(not_exist)?;
                        tm.refunded = tm.total_amount;
                        tm.status = TradeStatus::TradeClosed;
                        tm.closed_at = Some(now);
                        Some(("refund", tm.clone(), Some(r)))
                    }
                    TradeStatus::TradeClosed => Some(("close", t, None)),
                    TradeStatus::TradeFinished => {
                        return Err(Failure::business(
                            "ACQ.TRADE_STATUS_ERROR",
                            "the trade is finished and can no longer be cancelled",
                        ))
                    }
                }
            }
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
            crate::notify::trade_changed(c.shared, &t, refund.as_ref());
        }
    }
    Ok(n)
}

fn cert_download(c: &Call<'_>) -> Result<Node, Failure> {
    use base64::Engine as _;
    let sn = c.required("alipay_cert_sn")?;
    let pem = c.shared.cert_by_sn(&sn).ok_or_else(|| {
        Failure::business(
            "CERT_NOT_EXIST",
            format!("no Alipay certificate with SN `{sn}` is known to this app"),
        )
    })?;
    let mut n = Node::success();
    n.set(
        "alipay_cert_content",
        base64::engine::general_purpose::STANDARD.encode(pem.as_bytes()),
    );
    Ok(n)
}

fn image_upload(c: &Call<'_>) -> Result<Node, Failure> {
    let part = c
        .params
        .files
        .iter()
        .find(|f| f.field == "image_content")
        .ok_or_else(|| {
            Failure::invalid(
                "isv.invalid-parameter",
                "the file part `image_content` is missing; send the image as multipart/form-data",
            )
        })?;
    if part.bytes.is_empty() {
        return Err(Failure::invalid(
            "isv.upload-fail",
            "the uploaded file is empty",
        ));
    }
    let image_type = c.required("image_type")?.to_ascii_lowercase();
    let ext = part
        .file_name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if part.file_name.contains('.') && ext != image_type && !(ext == "jpeg" && image_type == "jpg")
    {
        return Err(Failure::invalid(
            "isv.invalid-file-extension",
            format!("the file is `.{ext}` but image_type says `{image_type}`"),
        ));
    }
    let id = {
        let mut st = c.shared.lock();
        let id = format!("SBX{:016}", st.next_seq());
        st.uploads.insert(
            id.clone(),
            crate::state::Upload {
                content_type: part
                    .content_type
                    .clone()
                    .unwrap_or_else(|| "application/octet-stream".into()),
                bytes: part.bytes.clone(),
            },
        );
        id
    };
    let mut n = Node::success();
    n.set("image_id", id.as_str());
    n.set(
        "image_url",
        format!("{}/sandbox/images/{id}", c.shared.base_url),
    );
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

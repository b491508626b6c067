//! `trade_status_sync`: the notification each change of a trade sends to its
//! `notify_url` (the outbox adds the common fields, signs and retries).

use super::{Refund, Trade, TradeStatus};
use crate::env::Env;
use crate::outbox::{Content, Notice};

/// The trade's own fields of the notification, in Alipay's order.
fn fields(env: &Env, t: &Trade, refund: Option<&Refund>) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = Vec::with_capacity(24);
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            p.push((k.to_owned(), v));
        }
    };
    let total = Some(t.total_amount.to_string());
    put("trade_no", Some(t.trade_no.clone()));
    put("out_trade_no", Some(t.out_trade_no.clone()));
    put("out_biz_no", refund.map(|r| r.out_request_no.clone()));
    put("buyer_id", t.buyer_id.clone());
    put("buyer_logon_id", t.buyer_logon_id.clone());
    put("seller_id", Some(env.config.seller_id.clone()));
    put("trade_status", Some(t.status.as_str().into()));
    put("total_amount", total.clone());
    if t.paid_at.is_some() {
        for k in ["receipt_amount", "invoice_amount", "buyer_pay_amount"] {
            put(k, total.clone());
        }
        put("point_amount", Some("0.00".into()));
        // Notifications spell the fund bill keys in camel case, unlike responses.
        put(
            "fund_bill_list",
            Some(
                serde_json::json!([{ "amount": t.total_amount.to_string(), "fundChannel": "ALIPAYACCOUNT" }])
                    .to_string(),
            ),
        );
    }
    if t.refunded.fen() > 0 {
        put("refund_fee", Some(t.refunded.to_string()));
    }
    put("subject", Some(t.subject.clone()));
    put("body", t.body.clone());
    put("gmt_create", Some(t.created_at.to_string()));
    put("gmt_payment", t.paid_at.map(|d| d.to_string()));
    put("gmt_refund", refund.map(|r| r.refunded_at.to_string()));
    if t.status == TradeStatus::TradeClosed {
        put("gmt_close", t.closed_at.map(|d| d.to_string()));
    }
    put("passback_params", t.passback_params.clone());
    p
}

/// Announces a trade's change to its `notify_url`, if it has one, in the charset
/// and signature type of the request that created it.
pub(super) fn trade_changed(env: &Env, t: &Trade, refund: Option<&Refund>) {
    let Some(url) = t.notify_url.clone() else {
        return;
    };
    env.notify(Notice {
        url,
        charset: t.charset.clone(),
        sign_type: t.sign_type,
        content: Content::Form {
            notify_type: "trade_status_sync",
            fields: fields(env, t, refund),
        },
    });
}

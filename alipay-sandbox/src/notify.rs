//! Asynchronous notifications (`trade_status_sync`): built from the trade, signed
//! V1-style with the platform key, posted to `notify_url` and retried on Alipay's
//! schedule (scaled) until the merchant answers exactly `success`.

use std::sync::Arc;

use alipay_api::crypto::sign_base64;
use alipay_api::protocol::notify_content;
use alipay_api::BeijingDateTime;

use crate::server::Shared;
use crate::state::{Notification, Refund, Trade, TradeStatus};

/// The parameters of a `trade_status_sync` notification about `t`, unsigned.
fn params(
    shared: &Shared,
    t: &Trade,
    refund: Option<&Refund>,
    notify_id: &str,
) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = Vec::with_capacity(32);
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            p.push((k.to_owned(), v));
        }
    };
    let app_id = shared.keys.app_id.clone();
    put("notify_time", Some(BeijingDateTime::now().to_string()));
    put("notify_type", Some("trade_status_sync".into()));
    put("notify_id", Some(notify_id.to_owned()));
    put("app_id", Some(app_id.clone()));
    put("auth_app_id", Some(app_id));
    put("charset", Some(t.charset.clone()));
    put("version", Some("1.0".into()));
    put("sign_type", Some(t.sign_type.as_str().into()));
    put("trade_no", Some(t.trade_no.clone()));
    put("out_trade_no", Some(t.out_trade_no.clone()));
    put("out_biz_no", refund.map(|r| r.out_request_no.clone()));
    put("buyer_id", t.buyer_id.clone());
    put("buyer_logon_id", t.buyer_logon_id.clone());
    put("seller_id", Some(shared.config.seller_id.clone()));
    put("trade_status", Some(t.status.as_str().into()));
    put("total_amount", Some(t.total_amount.to_string()));
    if t.paid_at.is_some() {
        for k in ["receipt_amount", "invoice_amount", "buyer_pay_amount"] {
            put(k, Some(t.total_amount.to_string()));
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

/// Announces a trade's change to its `notify_url`, if it has one.
pub(crate) fn trade_changed(shared: &Arc<Shared>, t: &Trade, refund: Option<&Refund>) {
    let Some(url) = t.notify_url.clone() else {
        return;
    };
    let notify_id = {
        let mut st = shared.lock();
        format!("sbx{:020}", st.next_seq())
    };
    let mut p = params(shared, t, refund, &notify_id);
    // V1: the signature covers everything but `sign` and `sign_type`.
    let content = notify_content(
        p.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &["sign", "sign_type"],
    );
    let signer = shared.platform_signer();
    let bytes = crate::wire::charset_bytes(&content, &t.charset);
    match sign_base64(signer.as_ref(), t.sign_type, &bytes) {
        Ok(sig) => p.push(("sign".into(), sig)),
        Err(e) => {
            tracing::error!(error = %e, "the sandbox could not sign a notification");
            return;
        }
    }
    let record = Notification {
        notify_id: notify_id.clone(),
        url: url.clone(),
        out_trade_no: t.out_trade_no.clone(),
        trade_status: t.status.as_str().into(),
        params: p.clone(),
        attempts: 0,
        delivered: false,
        gave_up: false,
        last_response: None,
    };
    shared.lock().notifications.push(record);
    let body = crate::wire::encode_form(&p, &t.charset);
    let content_type = format!("application/x-www-form-urlencoded; charset={}", t.charset);
    let task_shared = shared.clone();
    shared.runtime.spawn(async move {
        deliver(task_shared, notify_id, url, content_type, body).await;
    });
}

async fn attempt(shared: &Shared, url: &str, content_type: &str, body: &[u8]) -> (bool, String) {
    let sent = shared
        .http
        .post(url)
        .header("content-type", content_type)
        .timeout(shared.config.notify_timeout)
        .body(body.to_vec())
        .send()
        .await;
    match sent {
        Err(e) => (false, format!("request failed: {e}")),
        Ok(resp) => {
            let status = resp.status();
            match resp.bytes().await {
                Err(e) => (false, format!("HTTP {status}, body unreadable: {e}")),
                Ok(b) => {
                    let text = String::from_utf8_lossy(&b);
                    let ok = status.is_success() && b.as_ref() == alipay_api::NOTIFY_ACK.as_bytes();
                    let shown: String = text.chars().take(200).collect();
                    (ok, format!("HTTP {} {shown}", status.as_u16()))
                }
            }
        }
    }
}

async fn deliver(
    shared: Arc<Shared>,
    notify_id: String,
    url: String,
    content_type: String,
    body: Vec<u8>,
) {
    let mut shutdown = shared.shutdown.clone();
    let mut retry = 0usize;
    loop {
        if *shutdown.borrow() {
            return;
        }
        let (ok, answer) = tokio::select! {
            r = attempt(&shared, &url, &content_type, &body) => r,
            _ = shutdown.changed() => return,
        };
        let delay = if ok {
            None
        } else {
            shared.config.retry_delay(retry)
        };
        {
            let mut st = shared.lock();
            if let Some(n) = st
                .notifications
                .iter_mut()
                .find(|n| n.notify_id == notify_id)
            {
                n.attempts += 1;
                n.delivered = ok;
                n.gave_up = !ok && delay.is_none();
                n.last_response = Some(answer);
            }
        }
        let Some(delay) = delay else {
            return;
        };
        retry += 1;
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = shutdown.changed() => return,
        }
    }
}

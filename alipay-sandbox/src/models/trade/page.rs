//! The buyer's browser: page payments (`page.pay`, `wap.pay`), the sandbox
//! cashier, QR codes, and the signed return to the merchant's `return_url`.

use alipay_api::protocol::notify_content;

use super::{mark_paid, notice, open_trade, snapshot, Trade, TradeBook, TradeStatus};
use crate::call::Call;
use crate::env::Env;
use crate::html::{error_page, esc, page};
use crate::reply::{Failure, Page};

/// The browser arrives with a page payment: create the trade, pay it (the
/// simulated buyer confirms at once) or show the cashier, notify, and send the
/// browser back.
pub(super) fn pay(c: &Call<'_>) -> Result<Page, Failure> {
    let trade = {
        let mut st = c.env.lock();
        let key = open_trade(c, &mut st)?;
        if c.env.config.auto_pay_pages {
            mark_paid(c.env, &mut st, &key, None).map_err(|(_, status)| {
                Failure::business("ACQ.TRADE_STATUS_ERROR", format!("the trade is {status}"))
            })?
        } else {
            snapshot(st.parts.get_mut::<TradeBook>(), &key)?
        }
    };
    if trade.status != TradeStatus::TradeSuccess {
        return Ok(Page::Html(cashier_page(&c.env.base_url, &trade)));
    }
    notice::trade_changed(c.env, &trade, None);
    Ok(return_to_merchant(c.env, &trade))
}

/// The buyer scans a QR code (precreate) or presses "pay" on the sandbox cashier.
pub(super) fn scan(env: &Env, trade_no: &str) -> Page {
    let paid = {
        let mut st = env.lock();
        let Some(key) = st
            .parts
            .get_mut::<TradeBook>()
            .find_key(None, Some(trade_no))
        else {
            return Page::Refused(404, "no such trade".into());
        };
        mark_paid(env, &mut st, &key, None)
    };
    match paid {
        Ok(t) => {
            notice::trade_changed(env, &t, None);
            return_to_merchant(env, &t)
        }
        Err((_, status)) => Page::Refused(409, format!("the trade is {status}")),
    }
}

/// After payment: a 302 to `return_url` with signed sync parameters, or a plain
/// page when there is none.
fn return_to_merchant(env: &Env, t: &Trade) -> Page {
    let Some(url) = t.return_url.as_deref() else {
        return Page::Html(paid_page(t));
    };
    let mut params: Vec<(String, String)> = vec![
        ("charset".into(), t.charset.clone()),
        ("out_trade_no".into(), t.out_trade_no.clone()),
        ("method".into(), format!("{}.return", t.created_by)),
        ("total_amount".into(), t.total_amount.to_string()),
        ("trade_no".into(), t.trade_no.clone()),
        ("auth_app_id".into(), env.app_id.clone()),
        ("version".into(), "1.0".into()),
        ("app_id".into(), env.app_id.clone()),
        ("sign_type".into(), t.sign_type.as_str().into()),
        ("seller_id".into(), env.config.seller_id.clone()),
        ("timestamp".into(), env.now().to_string()),
    ];
    let content = notify_content(
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &["sign", "sign_type"],
    );
    let platform = env.platform();
    let bytes = crate::charset::bytes(&content, &t.charset);
    match alipay_api::crypto::sign_base64(platform.signer.as_ref(), t.sign_type, &bytes) {
        Ok(sig) => params.push(("sign".into(), sig)),
        Err(e) => {
            return Page::Html(error_page(&Failure::unavailable(format!(
                "cannot sign the return parameters ({e})"
            ))))
        }
    }
    // Percent-encoded in the trade's charset, as the signature covers that text.
    let query =
        String::from_utf8_lossy(&crate::charset::encode_form(&params, &t.charset)).into_owned();
    let sep = if url.contains('?') { '&' } else { '?' };
    Page::Redirect(format!("{url}{sep}{query}"))
}

fn paid_page(t: &Trade) -> String {
    page(
        "Paid",
        &format!(
            "<p>Order <code>{}</code> ({} yuan) was paid; trade number <code>{}</code>.</p>",
            esc(&t.out_trade_no),
            t.total_amount,
            esc(&t.trade_no)
        ),
    )
}

fn cashier_page(base: &str, t: &Trade) -> String {
    page(
        "Sandbox cashier",
        &format!(
            "<p>{} — {} yuan</p>\n<p><a id=\"pay\" href=\"{}/sandbox/qr/{}\">Pay as the buyer</a></p>",
            esc(&t.subject),
            t.total_amount,
            esc(base),
            esc(&t.trade_no)
        ),
    )
}

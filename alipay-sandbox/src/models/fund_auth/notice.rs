//! `fund_auth_freeze` and `fund_auth_unfreeze`: the form notifications of a freeze
//! and of an unfreeze (the outbox adds the common fields, signs and retries).

use alipay_api::Amount;

use super::{FundAuthOperation, FundAuthOrder};
use crate::env::Env;
use crate::outbox::{Content, Notice};

/// The order's and the operation's fields of a notification, in Alipay's order.
fn fields(o: &FundAuthOrder, op: &FundAuthOperation) -> Vec<(String, String)> {
    [
        ("auth_no", o.auth_no.clone()),
        ("out_order_no", o.out_order_no.clone()),
        ("operation_id", op.operation_id.clone()),
        ("out_request_no", op.out_request_no.clone()),
        ("operation_type", op.kind.as_str().to_owned()),
        ("amount", op.amount.to_string()),
        ("status", "SUCCESS".to_owned()),
        ("gmt_create", op.at.to_string()),
        ("gmt_trans", op.at.to_string()),
        ("payer_user_id", o.payer_user_id.clone()),
        ("payer_logon_id", o.payer_logon_id.clone()),
        ("total_freeze_amount", o.frozen.to_string()),
        ("total_unfreeze_amount", o.unfrozen.to_string()),
        ("total_pay_amount", o.paid.to_string()),
        ("rest_amount", o.rest().to_string()),
        ("fund_amount", op.amount.to_string()),
        ("credit_amount", Amount::ZERO.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn send(
    env: &Env,
    o: &FundAuthOrder,
    op: &FundAuthOperation,
    url: Option<&str>,
    notify_type: &'static str,
) {
    let Some(url) = url else {
        return;
    };
    env.notify(Notice {
        url: url.to_owned(),
        charset: o.charset.clone(),
        sign_type: o.sign_type,
        content: Content::Form {
            notify_type,
            fields: fields(o, op),
        },
    });
}

/// Announces a new order's freeze to the freezing request's `notify_url`, if any.
pub(super) fn frozen(env: &Env, o: &FundAuthOrder) {
    if let Some(op) = o.operations.first() {
        send(env, o, op, o.notify_url.as_deref(), "fund_auth_freeze");
    }
}

/// Announces an unfreeze to `url` (the unfreeze call's own), if any.
pub(super) fn unfrozen(env: &Env, o: &FundAuthOrder, op: &FundAuthOperation, url: Option<&str>) {
    send(env, o, op, url, "fund_auth_unfreeze");
}

//! `dut_user_sign` and `dut_user_unsign`: the form notifications an agreement's
//! signing and ending send (the outbox adds the common fields, signs and retries).

use super::{agreement_fields, Agreement};
use crate::env::Env;
use crate::outbox::{Content, Notice};

/// The agreement's own fields of a notification.
fn fields(a: &Agreement) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = agreement_fields(a)
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    p.extend(
        a.alipay_user_id
            .iter()
            .map(|u| ("alipay_user_id".to_owned(), u.clone())),
    );
    p.extend(
        a.unsigned_at
            .iter()
            .map(|t| ("unsign_time".to_owned(), t.to_string())),
    );
    p
}

fn send(env: &Env, a: &Agreement, url: Option<String>, notify_type: &'static str) {
    let Some(url) = url else {
        return;
    };
    env.notify(Notice {
        url,
        charset: a.charset.clone(),
        sign_type: a.sign_type,
        content: Content::Form {
            notify_type,
            fields: fields(a),
        },
    });
}

/// Announces a signed agreement to the signing request's `notify_url`, if any.
pub(super) fn signed(env: &Env, a: &Agreement) {
    send(env, a, a.notify_url.clone(), "dut_user_sign");
}

/// Announces an ended agreement to `url`, if any.
pub(super) fn unsigned(env: &Env, a: &Agreement, url: Option<String>) {
    send(env, a, url, "dut_user_unsign");
}

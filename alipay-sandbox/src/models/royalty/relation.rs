//! Royalty relations: binding and unbinding receivers, listing them, and the
//! merchant's split ratio.

use serde_json::{json, Value};

use super::{field, objects, Receiver, RoyaltyBook};
use crate::call::Call;
use crate::models::users::{AlipayUser, IdKind, Users};
use crate::reply::{Failure, Node};

/// The user a `receiver_list` entry names.
fn receiver_user(c: &Call<'_>, users: &Users, entry: &Value) -> Result<AlipayUser, Failure> {
    let kind = field(entry, "type").unwrap_or_default();
    let Some(id_kind) = IdKind::from_royalty(&kind) else {
        return Err(Failure::business(
            "ACQ.INVALID_RECEIVER_TYPE",
            "a receiver's `type` must be userId, loginName or openId",
        ));
    };
    let account = field(entry, "account").unwrap_or_default();
    let user = users.find(id_kind, &account).ok_or_else(|| {
        Failure::business(
            "ACQ.USER_NOT_EXIST",
            format!("no Alipay account `{account}`; check the account and its `type`"),
        )
    })?;
    if c.method.ends_with(".bind") {
        let name = field(entry, "name");
        if id_kind == IdKind::Logon && name.is_none() {
            return Err(c.invalid("a receiver bound by loginName needs its real `name`"));
        }
        if name.is_some_and(|n| n != user.name) {
            return Err(c.invalid(&format!(
                "the `name` given for `{account}` does not match the account holder"
            )));
        }
    }
    Ok(user.clone())
}

/// The receivers a request names, checked; nothing changes if one is bad.
fn named_receivers(c: &Call<'_>, users: &Users) -> Result<Vec<(AlipayUser, Value)>, Failure> {
    let list: Vec<&Value> = objects(c, "receiver_list").collect();
    if list.is_empty() {
        return Err(Failure::business(
            "ACQ.RECEIVER_LIST_EMPTY",
            "`receiver_list` names no receiver",
        ));
    }
    list.into_iter()
        .map(|e| Ok((receiver_user(c, users, e)?, e.clone())))
        .collect()
}

fn result_node() -> Node {
    let mut n = Node::success();
    n.set("result_code", "SUCCESS");
    n
}

pub(super) fn bind(c: &Call<'_>) -> Result<Node, Failure> {
    let mut st = c.env.lock();
    let named = named_receivers(c, st.parts.get_mut::<Users>())?;
    let book = st.parts.get_mut::<RoyaltyBook>();
    for (user, entry) in named {
        // Binding a bound receiver again changes nothing.
        if book.receivers.iter().any(|r| r.user_id == user.user_id) {
            continue;
        }
        book.receivers.push(Receiver {
            user_id: user.user_id,
            bound_as: field(&entry, "type").unwrap_or_default(),
            account: field(&entry, "account").unwrap_or_default(),
            memo: field(&entry, "memo"),
        });
    }
    Ok(result_node())
}

pub(super) fn unbind(c: &Call<'_>) -> Result<Node, Failure> {
    let mut st = c.env.lock();
    let named = named_receivers(c, st.parts.get_mut::<Users>())?;
    let book = st.parts.get_mut::<RoyaltyBook>();
    // Unbinding a receiver that is not bound changes nothing.
    book.receivers
        .retain(|r| !named.iter().any(|(u, _)| u.user_id == r.user_id));
    Ok(result_node())
}

/// A positive integer parameter, or its default.
fn page_param(c: &Call<'_>, k: &str, default: usize) -> Result<usize, Failure> {
    match c.text(k) {
        None => Ok(default),
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| c.invalid(&format!("`{k}` must be a positive integer"))),
    }
}

pub(super) fn batch_query(c: &Call<'_>) -> Result<Node, Failure> {
    let page_num = page_param(c, "page_num", 1)?;
    let page_size = page_param(c, "page_size", 20)?;
    let st = c.env.lock();
    let empty = RoyaltyBook::default();
    let book = st.parts.get::<RoyaltyBook>().unwrap_or(&empty);
    let users = st.parts.get::<Users>();
    let total = book.receivers.len();
    let page: Vec<Value> = book
        .receivers
        .iter()
        .skip(page_num.saturating_sub(1).saturating_mul(page_size))
        .take(page_size)
        .map(|r| entry(r, users.and_then(|u| u.get(&r.user_id))))
        .collect();
    let mut n = result_node();
    n.set("receiver_list", Value::Array(page));
    n.set("total_page_num", total.div_ceil(page_size));
    n.set("total_record_num", total);
    n.set("current_page_num", page_num);
    n.set("current_page_size", page_size);
    Ok(n)
}

/// A bound receiver as the batch query lists it.
fn entry(r: &Receiver, user: Option<&AlipayUser>) -> Value {
    let mut e = json!({ "type": r.bound_as, "account": r.account });
    if let Some(u) = user {
        e["account_open_id"] = u.open_id.clone().into();
        e["login_name"] = u.logon_id.clone().into();
    }
    if r.bound_as == "loginName" {
        e["bind_login_name"] = r.account.clone().into();
    }
    if let Some(m) = &r.memo {
        e["memo"] = m.clone().into();
    }
    e
}

pub(super) fn rate_query(c: &Call<'_>) -> Result<Node, Failure> {
    let ratio = c
        .env
        .lock()
        .parts
        .get::<RoyaltyBook>()
        .map_or(super::DEFAULT_MAX_RATIO, |b| b.max_ratio);
    let mut n = Node::success();
    n.set("user_id", c.env.config.seller_id.as_str());
    n.set("max_ratio", ratio);
    Ok(n)
}

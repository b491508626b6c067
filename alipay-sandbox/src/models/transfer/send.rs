//! `alipay.fund.trans.uni.transfer`: money from the merchant's balance to a known
//! Alipay user, refused with Alipay's codes (unknown payee, wrong name, short
//! balance, below the minimum), idempotent by `out_biz_no`, announced by the
//! fund-order notification.

use alipay_api::Amount;
use serde_json::{json, Value};

use super::{order_fields, Transfer, TransferBook};
use crate::call::Call;
use crate::models::users::{AlipayUser, IdKind, Users};
use crate::reply::{Failure, Node};
use crate::store::Store;

/// The `msg_method` of the fund-order notification.
const ORDER_CHANGED: &str = "alipay.fund.trans.order.changed";

/// The smallest transfer to an Alipay account, in fen.
const ACCOUNT_MIN_FEN: i64 = 10;

fn refuse(sub_code: &str, msg: impl Into<String>) -> Failure {
    Failure::business(sub_code, msg)
}

/// A text field of `payee_info`.
fn info(c: &Call<'_>, k: &str) -> Option<String> {
    match c.biz.get("payee_info")?.get(k)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// The payee `payee_info` names: the merchant's own user id is refused, anyone
/// else must be a known user whose name matches when one is given.
fn payee(c: &Call<'_>, users: &Users) -> Result<AlipayUser, Failure> {
    let kind = info(c, "identity_type").unwrap_or_default();
    let Some(kind) = IdKind::from_transfer(&kind) else {
        return Err(c.invalid(
            "the sandbox transfers to Alipay accounts only (ALIPAY_USER_ID, ALIPAY_LOGON_ID, ALIPAY_OPEN_ID)",
        ));
    };
    let identity = info(c, "identity").unwrap_or_default();
    if kind == IdKind::UserId && identity == c.env.config.seller_id {
        return Err(refuse(
            "PAYER_PAYEE_CANNOT_SAME",
            "the payee is the merchant itself",
        ));
    }
    let user = users.find(kind, &identity).ok_or_else(|| {
        refuse(
            "PAYEE_NOT_EXIST",
            format!("no Alipay account `{identity}`; check the payee and its identity_type"),
        )
    })?;
    if info(c, "name").is_some_and(|n| n != user.name) {
        return Err(refuse(
            "PAYEE_USERINFO_ERROR",
            "the payee's name does not match the account holder",
        ));
    }
    Ok(user.clone())
}

/// The product and scene of the request, if the sandbox models them.
fn product(c: &Call<'_>, amount: Amount) -> Result<(String, String), Failure> {
    let product = c.required("product_code")?;
    let scene = c
        .text("biz_scene")
        .unwrap_or_else(|| "DIRECT_TRANSFER".into());
    if scene != "DIRECT_TRANSFER" {
        return Err(c.invalid("the sandbox models merchant transfers (`DIRECT_TRANSFER`) only"));
    }
    match product.as_str() {
        "TRANS_ACCOUNT_NO_PWD" if amount.fen() < ACCOUNT_MIN_FEN => Err(refuse(
            "EXCEED_LIMIT_SM_MIN_AMOUNT",
            "a transfer to an Alipay account is at least 0.10",
        )),
        "TRANS_ACCOUNT_NO_PWD" => Ok((product, scene)),
        "STD_RED_PACKET" if red_packet_scene(c) => Ok((product, scene)),
        "STD_RED_PACKET" => {
            Err(c.invalid("red packets need `business_params` with `sub_biz_scene` `REDPACKET`"))
        }
        _ => Err(
            c.invalid("the sandbox models TRANS_ACCOUNT_NO_PWD and STD_RED_PACKET transfers only")
        ),
    }
}

/// Whether `business_params` says the red-packet sub-scene.
fn red_packet_scene(c: &Call<'_>) -> bool {
    c.text("business_params")
        .and_then(|p| serde_json::from_str::<Value>(&p).ok())
        .and_then(|v| {
            v.get("sub_biz_scene")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .is_some_and(|s| s == "REDPACKET")
}

/// The earlier order with this `out_biz_no`, if the request repeats it exactly.
fn repeat(
    book: &TransferBook,
    out: &str,
    product: &str,
    amount: Amount,
    payee: &str,
) -> Option<Result<Transfer, Failure>> {
    let prev = book
        .orders
        .iter()
        .find(|t| t.out_biz_no == out && t.product_code == product)?;
    Some(if prev.amount == amount && prev.payee_user_id == payee {
        Ok(prev.clone())
    } else {
        Err(refuse(
            "PAYMENT_INFO_INCONSISTENCY",
            "this out_biz_no was used for a different payee or amount; use a new out_biz_no for a new transfer",
        ))
    })
}

/// Checks, pays and records a transfer; the order and whether it is new.
fn transfer_in(c: &Call<'_>, st: &mut Store) -> Result<(Transfer, bool), Failure> {
    let out = c.required("out_biz_no")?;
    let amount = c.amount("trans_amount")?;
    let (product_code, biz_scene) = product(c, amount)?;
    let payee = payee(c, st.parts.get_mut::<Users>())?;
    if let Some(prev) = repeat(
        st.parts.get_mut::<TransferBook>(),
        &out,
        &product_code,
        amount,
        &payee.user_id,
    ) {
        return prev.map(|t| (t, false));
    }
    let left = st
        .ledger
        .balance
        .checked_sub(amount)
        .filter(|b| b.fen() >= 0);
    let Some(left) = left else {
        return Err(refuse(
            "PAYER_BALANCE_NOT_ENOUGH",
            "the merchant's balance is too low for this transfer; top it up and retry with the same out_biz_no",
        ));
    };
    st.ledger.balance = left;
    let now = c.env.now();
    let t = Transfer {
        order_id: st.ledger.dated_no(now, 32),
        pay_fund_order_id: st.ledger.dated_no(now, 32),
        out_biz_no: out,
        product_code,
        biz_scene,
        amount,
        payee_user_id: payee.user_id,
        paid_at: now,
        refunded: Amount::ZERO,
        passback_params: c.text("passback_params"),
    };
    st.parts.get_mut::<TransferBook>().orders.push(t.clone());
    Ok((t, true))
}

pub(super) fn transfer(c: &Call<'_>) -> Result<Node, Failure> {
    let (t, new) = {
        let mut st = c.env.lock();
        transfer_in(c, &mut st)?
    };
    if new {
        c.notify_message(ORDER_CHANGED, changed(c, &t));
    }
    let mut n = Node::success();
    order_fields(&mut n, &t);
    n.set("trans_date", t.paid_at.to_string());
    Ok(n)
}

/// The content of the fund-order notification for a transfer that went through.
fn changed(c: &Call<'_>, t: &Transfer) -> Value {
    let mut biz = json!({
        "action_type": "FINISH",
        "biz_scene": t.biz_scene,
        "order_id": t.order_id,
        "origin_interface": c.method,
        "out_biz_no": t.out_biz_no,
        "pay_date": t.paid_at.to_string(),
        "pay_fund_order_id": t.pay_fund_order_id,
        "product_code": t.product_code,
        "status": "SUCCESS",
        "trans_amount": t.amount.to_string(),
    });
    if let Some(p) = &t.passback_params {
        biz["passback_params"] = p.clone().into();
    }
    biz
}

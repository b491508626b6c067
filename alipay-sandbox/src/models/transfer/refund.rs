//! `alipay.fund.trans.refund`: red-packet money the payee has not kept goes back to
//! the merchant's balance, in parts, idempotent by `out_request_no`, never more
//! than what is left on the order.

use alipay_api::Amount;

use super::{order_not_exist, TransferBook, TransferRefund};
use crate::call::Call;
use crate::reply::{Failure, Node};
use crate::store::Store;

/// Records a return (or finds the same one made before).
fn refund_in(c: &Call<'_>, st: &mut Store) -> Result<TransferRefund, Failure> {
    let order_id = c.required("order_id")?;
    let out = c.required("out_request_no")?;
    let amount = c.amount("refund_amount")?;
    if amount.fen() <= 0 {
        return Err(Failure::business(
            "INVALID_AMOUNT",
            "`refund_amount` must be positive",
        ));
    }
    let now = c.env.now();
    let refund_order_id = st.ledger.dated_no(now, 28);
    let book = st.parts.get_mut::<TransferBook>();
    let order = book
        .orders
        .iter()
        .find(|t| t.order_id == order_id)
        .ok_or_else(order_not_exist)?;
    if order.product_code != "STD_RED_PACKET" {
        return Err(Failure::business(
            "PRODUCT_NOT_ALLOW_REFUND",
            "only red-packet orders (STD_RED_PACKET) can return money; a transfer to an account is final",
        ));
    }
    if let Some(prev) = book
        .refunds
        .iter()
        .find(|r| r.order_id == order_id && r.out_request_no == out)
    {
        return if prev.amount == amount {
            Ok(prev.clone())
        } else {
            Err(Failure::business(
                "REFUND_INFO_INCONSISTENCY",
                "this out_request_no was used for a different amount; use a new out_request_no for a new return",
            ))
        };
    }
    let left = order
        .amount
        .checked_sub(order.refunded)
        .unwrap_or(Amount::ZERO);
    if amount > left {
        return Err(Failure::business(
            "REFUND_MONEY_NOT_ENOUGH",
            format!("the return ({amount}) exceeds what is left on the order ({left})"),
        ));
    }
    let r = TransferRefund {
        refund_order_id,
        order_id,
        out_request_no: out,
        amount,
        refunded_at: now,
    };
    if let Some(o) = book.orders.iter_mut().find(|t| t.order_id == r.order_id) {
        o.refunded = o.refunded.checked_add(amount).unwrap_or(o.amount);
    }
    book.refunds.push(r.clone());
    st.ledger.balance = st
        .ledger
        .balance
        .checked_add(amount)
        .unwrap_or(st.ledger.balance);
    Ok(r)
}

pub(super) fn refund(c: &Call<'_>) -> Result<Node, Failure> {
    let r = refund_in(c, &mut c.env.lock())?;
    let mut n = Node::success();
    n.set("refund_order_id", r.refund_order_id.as_str());
    n.set("order_id", r.order_id.as_str());
    n.set("out_request_no", r.out_request_no.as_str());
    n.set("refund_amount", r.amount.to_string());
    n.set("status", "SUCCESS");
    n.set("refund_date", r.refunded_at.to_string());
    Ok(n)
}

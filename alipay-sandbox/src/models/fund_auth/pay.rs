//! Payments from frozen funds: what `alipay.trade.pay` with `auth_no` checks before
//! it takes money from an authorisation order, and what it records afterwards (the
//! payment, and with `auth_confirm_mode` `COMPLETE` the release of the rest).

use alipay_api::{Amount, BeijingDateTime};

use super::book::new_operation_id;
use super::{refuse_unless_frozen, FundAuthBook, FundAuthOperation, FundAuthOperationKind};
use crate::models::trade::Payer;
use crate::reply::Failure;
use crate::store::Store;

/// Whether `amount` may be paid from order `auth_no`, and who pays.
pub(crate) fn check(book: &FundAuthBook, auth_no: &str, amount: Amount) -> Result<Payer, Failure> {
    let o = book.orders.get(auth_no).ok_or_else(|| {
        Failure::business(
            "ACQ.AUTH_ORDER_NOT_EXIST",
            "no fund-authorisation order has this auth_no",
        )
    })?;
    refuse_unless_frozen(o, amount)
        .map_err(|f| Failure::business(&format!("ACQ.{}", f.sub_code), f.sub_msg))?;
    Ok(Payer {
        user_id: o.payer_user_id.clone(),
        logon_id: o.payer_logon_id.clone(),
    })
}

/// Records a payment from order `auth_no` for trade `out_trade_no`; with
/// `complete`, whatever is still frozen is released.
pub(crate) fn record(
    st: &mut Store,
    auth_no: &str,
    out_trade_no: &str,
    amount: Amount,
    complete: bool,
    now: BeijingDateTime,
) {
    let pay_id = new_operation_id(&mut st.ledger, now);
    let release_id = new_operation_id(&mut st.ledger, now);
    let Some(o) = st.parts.get_mut::<FundAuthBook>().orders.get_mut(auth_no) else {
        return;
    };
    let op = |operation_id, out_request_no: String, kind, amount| FundAuthOperation {
        operation_id,
        out_request_no,
        kind,
        amount,
        remark: None,
        at: now,
    };
    o.apply(op(
        pay_id,
        out_trade_no.to_owned(),
        FundAuthOperationKind::Pay,
        amount,
    ));
    let rest = o.rest();
    if complete && rest > Amount::ZERO {
        let request = format!("{out_trade_no}-complete");
        o.apply(op(
            release_id,
            request,
            FundAuthOperationKind::Unfreeze,
            rest,
        ));
    }
}

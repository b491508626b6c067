//! Fund authorisation (支付宝预授权, 预授权支付): freezing funds in person or from the
//! merchant's app, releasing them, querying an operation and cancelling a freeze,
//! with the freeze and unfreeze notifications. Payments from the frozen funds are
//! `alipay.trade.pay` calls with `auth_no` (see [`pay`]).

mod book;
mod notice;
pub(crate) mod pay;

use alipay_api::{Amount, BeijingDateTime};

use crate::call::Call;
use crate::models::trade::{buyer_from, masked_logon, valid_auth_code};
use crate::reply::{Answer, Failure, Node};
use crate::store::Store;

pub(crate) use book::FundAuthBook;
use book::{new_auth_no, new_operation_id};
pub use book::{FundAuthOperation, FundAuthOperationKind, FundAuthOrder, FundAuthOrderStatus};

/// The fund-authorisation lifecycle.
pub(crate) struct FundAuthModel;

impl super::Model for FundAuthModel {
    fn methods(&self) -> &'static [&'static str] {
        &[
            "alipay.fund.auth.order.freeze",
            "alipay.fund.auth.order.app.freeze",
            "alipay.fund.auth.order.unfreeze",
            "alipay.fund.auth.operation.detail.query",
            "alipay.fund.auth.operation.cancel",
        ]
    }

    fn answer(&self, c: &Call<'_>) -> Result<Answer, Failure> {
        let node = match c.method {
            "alipay.fund.auth.order.freeze" | "alipay.fund.auth.order.app.freeze" => freeze(c),
            "alipay.fund.auth.order.unfreeze" => unfreeze(c),
            "alipay.fund.auth.operation.detail.query" => detail_query(c),
            "alipay.fund.auth.operation.cancel" => cancel(c),
            other => Err(super::unhandled(other)),
        }?;
        Ok(Answer::Node(node))
    }
}

fn order_not_exist() -> Failure {
    Failure::business(
        "AUTH_ORDER_NOT_EXIST",
        "no fund-authorisation order has this auth_no or out_order_no",
    )
}

fn operation_not_exist() -> Failure {
    Failure::business(
        "AUTH_OPERATION_NOT_EXIST",
        "the order has no operation with this operation_id or out_request_no",
    )
}

fn discordant() -> Failure {
    Failure::business(
        "DISCORDANT_REPEAT_REQUEST",
        "this request number was used with other details; use a new out_request_no (and out_order_no)",
    )
}

/// The order a call names (`auth_no` wins over `out_order_no`).
fn named(c: &Call<'_>, book: &FundAuthBook) -> Result<String, Failure> {
    book.find_key(
        c.text("auth_no").as_deref(),
        c.text("out_order_no").as_deref(),
    )
    .ok_or_else(order_not_exist)
}

/// The payer of a freeze: from the scanned payment code in person, a fresh user in
/// the app. A payment code of the wrong form is refused.
fn payer_seed(c: &Call<'_>) -> Result<String, Failure> {
    if c.method != "alipay.fund.auth.order.freeze" {
        return c.required("out_order_no");
    }
    let code = c.required("auth_code")?;
    let is_bar_code = c.text("auth_code_type").is_none_or(|t| t == "bar_code");
    if is_bar_code && !valid_auth_code(&code) {
        return Err(Failure::business(
            "PAYMENT_AUTH_CODE_INVALID",
            "the payment code is not valid; ask the buyer to refresh it (16-24 digits starting with 25-30)",
        ));
    }
    Ok(code)
}

/// Freezes funds (in person or after the user confirmed in the app): a new order, or
/// the same answer again for a repeated request.
fn freeze(c: &Call<'_>) -> Result<Node, Failure> {
    let out_order_no = c.required("out_order_no")?;
    let out_request_no = c.required("out_request_no")?;
    let amount = positive(c, "amount")?;
    let seed = payer_seed(c)?;
    let (order, fresh) = {
        let mut st = c.env.lock();
        let book = st.parts.get_mut::<FundAuthBook>();
        match book.find_key(None, Some(&out_order_no)) {
            Some(no) => {
                let o = book.orders.get(&no).cloned().ok_or_else(order_not_exist)?;
                let same = o
                    .operations
                    .first()
                    .is_some_and(|f| f.out_request_no == out_request_no && f.amount == amount);
                if !same {
                    return Err(discordant());
                }
                (o, false)
            }
            None => (
                new_order(c, &mut st, &out_order_no, &out_request_no, amount, &seed),
                true,
            ),
        }
    };
    if fresh {
        notice::frozen(c.env, &order);
    }
    let mut n = Node::success();
    order_ids(&mut n, &order);
    let first = order.operations.first().ok_or_else(operation_not_exist)?;
    operation_fields(&mut n, first);
    n.set("payer_user_id", order.payer_user_id.as_str());
    n.set("payer_logon_id", order.payer_logon_id.as_str());
    n.set("fund_amount", first.amount.to_string());
    n.set("credit_amount", Amount::ZERO.to_string());
    Ok(n)
}

fn new_order(
    c: &Call<'_>,
    st: &mut Store,
    out_order_no: &str,
    out_request_no: &str,
    amount: Amount,
    seed: &str,
) -> FundAuthOrder {
    let now = c.env.now();
    let payer = buyer_from(seed, &mut st.ledger);
    let mut order = FundAuthOrder {
        auth_no: new_auth_no(&mut st.ledger, now),
        out_order_no: out_order_no.to_owned(),
        order_title: c.text("order_title").unwrap_or_default(),
        created_by: c.method.to_owned(),
        status: FundAuthOrderStatus::Authorized,
        payer_logon_id: masked_logon(&payer),
        payer_user_id: payer,
        frozen: Amount::ZERO,
        unfrozen: Amount::ZERO,
        paid: Amount::ZERO,
        operations: Vec::new(),
        notify_url: c.notify_url().map(str::to_owned),
        charset: c.charset().to_owned(),
        sign_type: c.sign_type,
    };
    order.apply(FundAuthOperation {
        operation_id: new_operation_id(&mut st.ledger, now),
        out_request_no: out_request_no.to_owned(),
        kind: FundAuthOperationKind::Freeze,
        amount,
        remark: None,
        at: now,
    });
    st.parts
        .get_mut::<FundAuthBook>()
        .orders
        .insert(order.auth_no.clone(), order.clone());
    order
}

/// A required amount above zero.
fn positive(c: &Call<'_>, k: &str) -> Result<Amount, Failure> {
    let a = c.amount(k)?;
    if a.fen() <= 0 {
        return Err(c.invalid(&format!("`{k}` must be positive")));
    }
    Ok(a)
}

/// Releases frozen funds; a repeated request with the same number and amount gives
/// the same answer again.
fn unfreeze(c: &Call<'_>) -> Result<Node, Failure> {
    let out_request_no = c.required("out_request_no")?;
    let amount = positive(c, "amount")?;
    let (order, op, fresh) = change_order(c, |o, operation_id, now| {
        if let Some(done) = o.operation(&out_request_no) {
            if done.kind != FundAuthOperationKind::Unfreeze || done.amount != amount {
                return Err(discordant());
            }
            let done = done.clone();
            return Ok((o.clone(), done, false));
        }
        refuse_unless_frozen(o, amount)?;
        let op = FundAuthOperation {
            operation_id,
            out_request_no,
            kind: FundAuthOperationKind::Unfreeze,
            amount,
            remark: c.text("remark"),
            at: now,
        };
        o.apply(op.clone());
        Ok((o.clone(), op, true))
    })?;
    if fresh {
        // Alipay reports an unfreeze only to the notify_url of the call that asked for it.
        notice::unfrozen(c.env, &order, &op, c.notify_url());
    }
    let mut n = Node::success();
    order_ids(&mut n, &order);
    operation_fields(&mut n, &op);
    n.set("fund_amount", op.amount.to_string());
    n.set("credit_amount", Amount::ZERO.to_string());
    Ok(n)
}

/// Runs `change` on the order a call names, under the store lock, with a fresh
/// operation number and the time.
fn change_order<T>(
    c: &Call<'_>,
    change: impl FnOnce(&mut FundAuthOrder, String, BeijingDateTime) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let mut st = c.env.lock();
    let now = c.env.now();
    let operation_id = new_operation_id(&mut st.ledger, now);
    let book = st.parts.get_mut::<FundAuthBook>();
    let no = named(c, book)?;
    let o = book.orders.get_mut(&no).ok_or_else(order_not_exist)?;
    change(o, operation_id, now)
}

/// Refuses to take `amount` from an order that is over or holds less than that.
pub(crate) fn refuse_unless_frozen(o: &FundAuthOrder, amount: Amount) -> Result<(), Failure> {
    match o.status {
        FundAuthOrderStatus::Authorized if amount <= o.rest() => Ok(()),
        FundAuthOrderStatus::Authorized => Err(Failure::business(
            "REQUEST_AMOUNT_EXCEED",
            format!("only {} yuan is still frozen", o.rest()),
        )),
        FundAuthOrderStatus::Finish => Err(Failure::business(
            "ORDER_ALREADY_FINISH",
            "the order is finished; nothing is frozen any more",
        )),
        FundAuthOrderStatus::Closed => Err(Failure::business(
            "ORDER_ALREADY_CLOSED",
            "the order is closed; nothing is frozen any more",
        )),
    }
}

/// The operation a query or cancellation names (`operation_id` wins), optionally of
/// one kind; without a kind the freeze comes first, then the unfreeze.
fn operation<'o>(
    c: &Call<'_>,
    o: &'o FundAuthOrder,
    kind: Option<&str>,
) -> Result<&'o FundAuthOperation, Failure> {
    let id = c.text("operation_id");
    let request = c.text("out_request_no");
    let named = |op: &&FundAuthOperation| match &id {
        Some(id) => op.operation_id == *id,
        None => request.as_deref() == Some(op.out_request_no.as_str()),
    };
    let mut found: Vec<&FundAuthOperation> = o
        .operations
        .iter()
        .filter(named)
        .filter(|op| kind.is_none_or(|k| op.kind.as_str() == k))
        .collect();
    found.sort_by_key(|op| op.kind != FundAuthOperationKind::Freeze);
    found.first().copied().ok_or_else(operation_not_exist)
}

fn detail_query(c: &Call<'_>) -> Result<Node, Failure> {
    let (o, op) = {
        let mut st = c.env.lock();
        let book = st.parts.get_mut::<FundAuthBook>();
        let o = book
            .orders
            .get(&named(c, book)?)
            .cloned()
            .ok_or_else(order_not_exist)?;
        let op = operation(c, &o, c.text("operation_type").as_deref())?.clone();
        (o, op)
    };
    let mut n = Node::success();
    order_ids(&mut n, &o);
    n.set("order_status", o.status.as_str());
    n.set("total_freeze_amount", o.frozen.to_string());
    n.set("rest_amount", o.rest().to_string());
    n.set("total_pay_amount", o.paid.to_string());
    n.set("order_title", o.order_title.as_str());
    n.set("payer_logon_id", o.payer_logon_id.as_str());
    n.set("payer_user_id", o.payer_user_id.as_str());
    operation_fields(&mut n, &op);
    n.set("operation_type", op.kind.as_str());
    n.opt("remark", op.remark.as_deref());
    n.set("gmt_create", op.at.to_string());
    Ok(n)
}

/// Cancels a freeze: whatever it still holds goes back to the user and the order
/// closes. Refused once money was paid from it.
fn cancel(c: &Call<'_>) -> Result<Node, Failure> {
    let (o, op) = change_order(c, |o, operation_id, now| {
        let op = operation(c, o, Some("FREEZE"))?.clone();
        if o.paid > Amount::ZERO {
            return Err(Failure::business(
                "ORDER_STATUS_NOT_SUPPORT",
                "money was already paid from this freeze; release the rest with alipay.fund.auth.order.unfreeze",
            ));
        }
        let rest = o.rest();
        if rest > Amount::ZERO {
            o.apply(FundAuthOperation {
                operation_id,
                out_request_no: format!("{}-cancel", op.out_request_no),
                kind: FundAuthOperationKind::Unfreeze,
                amount: rest,
                remark: c.text("remark"),
                at: now,
            });
        }
        Ok((o.clone(), op))
    })?;
    let mut n = Node::success();
    order_ids(&mut n, &o);
    n.set("operation_id", op.operation_id.as_str());
    n.set("out_request_no", op.out_request_no.as_str());
    // Every freeze the sandbox records took effect, so cancelling releases funds.
    n.set("action", "unfreeze");
    Ok(n)
}

fn order_ids(n: &mut Node, o: &FundAuthOrder) {
    n.set("auth_no", o.auth_no.as_str());
    n.set("out_order_no", o.out_order_no.as_str());
}

fn operation_fields(n: &mut Node, op: &FundAuthOperation) {
    n.set("operation_id", op.operation_id.as_str());
    n.set("out_request_no", op.out_request_no.as_str());
    n.set("amount", op.amount.to_string());
    n.set("status", "SUCCESS");
    n.set("gmt_trans", op.at.to_string());
}

//! The transfer product (转账到支付宝账户): transfers from the merchant's balance in
//! the store's ledger to known Alipay users, their queries and the fund-order
//! notification, returns of red-packet money, the balance query, and electronic
//! receipts for transfers (served under `/sandbox/ereceipt/<file_id>`).

mod receipt;
mod refund;
mod send;

use std::collections::BTreeMap;

use alipay_api::{Amount, BeijingDateTime};

use crate::call::Call;
use crate::env::Env;
use crate::reply::{Answer, Failure, Node, Page};

/// Transfers, returns, the balance query and electronic receipts.
pub(crate) struct TransferModel;

impl super::Model for TransferModel {
    fn methods(&self) -> &'static [&'static str] {
        &[
            "alipay.fund.trans.uni.transfer",
            "alipay.fund.trans.common.query",
            "alipay.fund.trans.refund",
            "alipay.fund.account.query",
            "alipay.data.bill.ereceipt.apply",
            "alipay.data.bill.ereceipt.query",
        ]
    }

    fn answer(&self, c: &Call<'_>) -> Result<Answer, Failure> {
        let node = match c.method {
            "alipay.fund.trans.uni.transfer" => send::transfer(c),
            "alipay.fund.trans.common.query" => common_query(c),
            "alipay.fund.trans.refund" => refund::refund(c),
            "alipay.fund.account.query" => account_query(c),
            "alipay.data.bill.ereceipt.apply" => receipt::apply(c),
            "alipay.data.bill.ereceipt.query" => receipt::query(c),
            other => Err(super::unhandled(other)),
        }?;
        Ok(Answer::Node(node))
    }

    fn pages(&self) -> &'static [&'static str] {
        &["ereceipt"]
    }

    fn page(&self, env: &Env, _segment: &str, file_id: &str) -> Page {
        receipt::download(env, file_id)
    }
}

/// A transfer the gateway carried out (it succeeded: refused transfers leave no order).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Transfer {
    /// Alipay's number of the transfer order.
    pub order_id: String,
    /// Alipay's number of the payment that moved the money.
    pub pay_fund_order_id: String,
    /// The merchant's number of the transfer.
    pub out_biz_no: String,
    /// The product, e.g. `TRANS_ACCOUNT_NO_PWD`.
    pub product_code: String,
    /// The business scene, e.g. `DIRECT_TRANSFER`.
    pub biz_scene: String,
    /// The amount.
    pub amount: Amount,
    /// The payee's user id.
    pub payee_user_id: String,
    /// When the money moved.
    pub paid_at: BeijingDateTime,
    /// What went back to the merchant so far (red packets only).
    pub refunded: Amount,
    /// The merchant's text echoed in queries and notifications.
    pub passback_params: Option<String>,
}

impl Transfer {
    /// Whether all of it went back to the merchant.
    fn fully_refunded(&self) -> bool {
        self.refunded.fen() > 0 && self.refunded >= self.amount
    }
}

/// A return of transfer money to the merchant (`alipay.fund.trans.refund`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct TransferRefund {
    refund_order_id: String,
    order_id: String,
    out_request_no: String,
    amount: Amount,
    refunded_at: BeijingDateTime,
}

/// An electronic receipt asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Receipt {
    kind: String,
    key: String,
    /// The certified transfer, for fund receipts.
    transfer: Option<Transfer>,
    made_at: BeijingDateTime,
}

/// The transfer model's part of the store.
#[derive(Debug, Default)]
pub(crate) struct TransferBook {
    /// Transfers, oldest first.
    pub(crate) orders: Vec<Transfer>,
    refunds: Vec<TransferRefund>,
    receipts: BTreeMap<String, Receipt>,
}

impl TransferBook {
    /// The order a query names: by payment number, else order number, else the
    /// merchant's number with its product (Alipay's order of preference).
    fn find(&self, c: &Call<'_>) -> Option<&Transfer> {
        if let Some(p) = c.text("pay_fund_order_id") {
            return self.orders.iter().find(|t| t.pay_fund_order_id == p);
        }
        if let Some(o) = c.text("order_id") {
            return self.orders.iter().find(|t| t.order_id == o);
        }
        let out = c.text("out_biz_no")?;
        let product = c.text("product_code");
        self.orders
            .iter()
            .find(|t| t.out_biz_no == out && product.as_deref().is_none_or(|p| p == t.product_code))
    }
}

fn order_not_exist() -> Failure {
    Failure::business(
        "ORDER_NOT_EXIST",
        "no transfer order matches; check the numbers given",
    )
}

/// The fields every answer about an order shares.
fn order_fields(n: &mut Node, t: &Transfer) {
    n.set("order_id", t.order_id.as_str());
    n.set("pay_fund_order_id", t.pay_fund_order_id.as_str());
    n.set("out_biz_no", t.out_biz_no.as_str());
    n.set("status", "SUCCESS");
}

fn common_query(c: &Call<'_>) -> Result<Node, Failure> {
    let t = c
        .env
        .lock()
        .parts
        .get::<TransferBook>()
        .and_then(|b| b.find(c).cloned())
        .ok_or_else(order_not_exist)?;
    let mut n = Node::success();
    order_fields(&mut n, &t);
    n.set("trans_amount", t.amount.to_string());
    n.set("pay_date", t.paid_at.to_string());
    n.set("receiver_user_id", t.payee_user_id.as_str());
    if t.fully_refunded() {
        n.set("sub_status", "REFUNDED");
    }
    n.opt("passback_params", t.passback_params.as_deref());
    Ok(n)
}

/// The merchant's own balance account: the only one the gateway keeps.
fn account_query(c: &Call<'_>) -> Result<Node, Failure> {
    let seller = &c.env.config.seller_id;
    let own_open_id = crate::models::users::AlipayUser::new(seller.as_str(), "", "").open_id;
    let named = c
        .text("alipay_user_id")
        .or_else(|| c.text("alipay_open_id"));
    if named
        .as_ref()
        .is_some_and(|n| *n != *seller && *n != own_open_id)
    {
        return Err(c.invalid("the sandbox keeps the balance of the merchant (its seller_id) only"));
    }
    if c.text("account_type")
        .is_some_and(|t| t != "ACCTRANS_ACCOUNT")
    {
        return Err(c.invalid("the sandbox keeps the balance account (`ACCTRANS_ACCOUNT`) only"));
    }
    let balance = c.env.lock().ledger.balance;
    let mut n = Node::success();
    n.set("available_amount", balance.to_string());
    n.set("freeze_amount", Amount::ZERO.to_string());
    Ok(n)
}

//! The fund-authorisation product's state: authorisation orders, the operations on
//! them (freeze, unfreeze, payment) and the public snapshots handed to tests.

use std::collections::BTreeMap;

use alipay_api::{Amount, BeijingDateTime, SignType};

use crate::store::Ledger;

/// Where an authorisation order is (`order_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FundAuthOrderStatus {
    /// Funds are frozen; they can be paid to the merchant or released.
    Authorized,
    /// Everything frozen was paid or released after a payment.
    Finish,
    /// Everything frozen was released without a payment, or the freeze was cancelled.
    Closed,
}

impl FundAuthOrderStatus {
    /// The wire value, e.g. `AUTHORIZED`.
    pub const fn as_str(self) -> &'static str {
        match self {
            FundAuthOrderStatus::Authorized => "AUTHORIZED",
            FundAuthOrderStatus::Finish => "FINISH",
            FundAuthOrderStatus::Closed => "CLOSED",
        }
    }
}

impl std::fmt::Display for FundAuthOrderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an operation on an authorisation order did (`operation_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FundAuthOperationKind {
    /// Froze funds.
    Freeze,
    /// Released frozen funds to the user.
    Unfreeze,
    /// Paid frozen funds to the merchant (a trade with `auth_no`).
    Pay,
}

impl FundAuthOperationKind {
    /// The wire value, e.g. `FREEZE`.
    pub const fn as_str(self) -> &'static str {
        match self {
            FundAuthOperationKind::Freeze => "FREEZE",
            FundAuthOperationKind::Unfreeze => "UNFREEZE",
            FundAuthOperationKind::Pay => "PAY",
        }
    }
}

/// One operation on an authorisation order. Every operation the sandbox records
/// succeeded (`status` `SUCCESS`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FundAuthOperation {
    /// The platform's operation number.
    pub operation_id: String,
    /// The merchant's request number (for a payment, the trade's `out_trade_no`).
    pub out_request_no: String,
    /// What it did.
    pub kind: FundAuthOperationKind,
    /// Its amount.
    pub amount: Amount,
    /// The merchant's note, if any.
    pub remark: Option<String>,
    /// When it happened.
    pub at: BeijingDateTime,
}

/// A fund-authorisation order as the gateway knows it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FundAuthOrder {
    /// The platform's authorisation number.
    pub auth_no: String,
    /// The merchant's order number.
    pub out_order_no: String,
    /// What the authorisation is for.
    pub order_title: String,
    /// The method that froze the funds.
    pub created_by: String,
    /// The status.
    pub status: FundAuthOrderStatus,
    /// The payer's user id.
    pub payer_user_id: String,
    /// The payer's masked login name.
    pub payer_logon_id: String,
    /// Everything frozen.
    pub frozen: Amount,
    /// Everything released to the user.
    pub unfrozen: Amount,
    /// Everything paid to the merchant.
    pub paid: Amount,
    /// The operations, oldest first.
    pub operations: Vec<FundAuthOperation>,
    /// Where the freeze notification went.
    pub notify_url: Option<String>,
    /// `charset` of the freezing request; notifications use it too.
    pub charset: String,
    /// `sign_type` of the freezing request; notifications are signed with it.
    pub sign_type: SignType,
}

impl FundAuthOrder {
    /// What is still frozen.
    pub fn rest(&self) -> Amount {
        self.frozen
            .checked_sub(self.unfrozen)
            .and_then(|r| r.checked_sub(self.paid))
            .unwrap_or(Amount::ZERO)
    }

    /// The operation with this request number, if any.
    pub(crate) fn operation(&self, out_request_no: &str) -> Option<&FundAuthOperation> {
        self.operations
            .iter()
            .find(|o| o.out_request_no == out_request_no)
    }

    /// Adds a successful operation and updates the totals; closes or finishes the
    /// order once nothing is frozen any more.
    pub(crate) fn apply(&mut self, op: FundAuthOperation) {
        let total = match op.kind {
            FundAuthOperationKind::Freeze => &mut self.frozen,
            FundAuthOperationKind::Unfreeze => &mut self.unfrozen,
            FundAuthOperationKind::Pay => &mut self.paid,
        };
        *total = total.checked_add(op.amount).unwrap_or(*total);
        self.operations.push(op);
        if self.rest() == Amount::ZERO {
            self.status = if self.paid > Amount::ZERO {
                FundAuthOrderStatus::Finish
            } else {
                FundAuthOrderStatus::Closed
            };
        }
    }
}

/// Every authorisation order of the gateway (the model's part of the store).
#[derive(Debug, Default)]
pub(crate) struct FundAuthBook {
    /// Orders by authorisation number.
    pub(crate) orders: BTreeMap<String, FundAuthOrder>,
}

impl FundAuthBook {
    /// The order named by `auth_no` (preferred, as Alipay does) or `out_order_no`.
    pub(crate) fn find_key(
        &self,
        auth_no: Option<&str>,
        out_order_no: Option<&str>,
    ) -> Option<String> {
        if let Some(no) = auth_no {
            return self.orders.contains_key(no).then(|| no.to_owned());
        }
        let out = out_order_no?;
        self.orders
            .values()
            .find(|o| o.out_order_no == out)
            .map(|o| o.auth_no.clone())
    }
}

/// A new 28-digit authorisation number: the date, a fixed part, a sequence.
pub(crate) fn new_auth_no(ledger: &mut Ledger, now: BeijingDateTime) -> String {
    format!(
        "{}10002001{:012}",
        now.naive().format("%Y%m%d"),
        ledger.next_seq()
    )
}

/// A new 20-digit operation number.
pub(crate) fn new_operation_id(ledger: &mut Ledger, now: BeijingDateTime) -> String {
    format!("{}{:012}", now.naive().format("%Y%m%d"), ledger.next_seq())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(kind: FundAuthOperationKind, fen: i64) -> FundAuthOperation {
        FundAuthOperation {
            operation_id: "1".into(),
            out_request_no: format!("r{fen}"),
            kind,
            amount: Amount::from_fen(fen),
            remark: None,
            at: BeijingDateTime::now(),
        }
    }

    fn order() -> FundAuthOrder {
        FundAuthOrder {
            auth_no: "a".into(),
            out_order_no: "o".into(),
            order_title: "t".into(),
            created_by: "m".into(),
            status: FundAuthOrderStatus::Authorized,
            payer_user_id: "2088".into(),
            payer_logon_id: "159****".into(),
            frozen: Amount::ZERO,
            unfrozen: Amount::ZERO,
            paid: Amount::ZERO,
            operations: Vec::new(),
            notify_url: None,
            charset: "utf-8".into(),
            sign_type: SignType::Rsa2,
        }
    }

    #[test]
    fn orders_finish_after_a_payment_and_close_without_one() {
        let mut o = order();
        o.apply(op(FundAuthOperationKind::Freeze, 1000));
        o.apply(op(FundAuthOperationKind::Pay, 400));
        assert_eq!(
            (o.rest(), o.status),
            (Amount::from_fen(600), FundAuthOrderStatus::Authorized)
        );
        o.apply(op(FundAuthOperationKind::Unfreeze, 600));
        assert_eq!(
            (o.rest(), o.status),
            (Amount::ZERO, FundAuthOrderStatus::Finish)
        );
        let mut o = order();
        o.apply(op(FundAuthOperationKind::Freeze, 1000));
        o.apply(op(FundAuthOperationKind::Unfreeze, 1000));
        assert_eq!(o.status, FundAuthOrderStatus::Closed);
        assert!(o.operation("r1000").is_some());
    }
}

//! The trade product's state: trades and refunds, and the public snapshots of them
//! handed to tests.

use std::collections::BTreeMap;

use alipay_api::{Amount, BeijingDateTime};

use crate::store::Ledger;

/// Where a trade is in its lifecycle (`trade_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TradeStatus {
    /// Created; the buyer has not paid.
    WaitBuyerPay,
    /// Paid; refunds are possible.
    TradeSuccess,
    /// Closed unpaid, or fully refunded.
    TradeClosed,
    /// Paid and past the refund window; nothing more can happen.
    TradeFinished,
}

impl TradeStatus {
    /// The wire value, e.g. `TRADE_SUCCESS`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TradeStatus::WaitBuyerPay => "WAIT_BUYER_PAY",
            TradeStatus::TradeSuccess => "TRADE_SUCCESS",
            TradeStatus::TradeClosed => "TRADE_CLOSED",
            TradeStatus::TradeFinished => "TRADE_FINISHED",
        }
    }
}

impl std::fmt::Display for TradeStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A trade as the gateway knows it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Trade {
    /// The platform's trade number.
    pub trade_no: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The method that created it, e.g. `alipay.trade.page.pay`.
    pub created_by: String,
    /// The order title.
    pub subject: String,
    /// The order description, if any.
    pub body: Option<String>,
    /// The order amount.
    pub total_amount: Amount,
    /// What has been refunded so far.
    pub refunded: Amount,
    /// The status.
    pub status: TradeStatus,
    /// The buyer's user id, once known.
    pub buyer_id: Option<String>,
    /// The buyer's masked login id, once known.
    pub buyer_logon_id: Option<String>,
    /// When the trade was created.
    pub created_at: BeijingDateTime,
    /// When it was paid.
    pub paid_at: Option<BeijingDateTime>,
    /// When it was closed.
    pub closed_at: Option<BeijingDateTime>,
    /// Where notifications about it go.
    pub notify_url: Option<String>,
    /// Where the buyer's browser returns after a page payment.
    pub return_url: Option<String>,
    /// Merchant data echoed in notifications.
    pub passback_params: Option<String>,
    /// The store number given at creation.
    pub store_id: Option<String>,
    /// The terminal number given at creation.
    pub terminal_id: Option<String>,
    /// `charset` of the creating request; notifications use it too.
    pub charset: String,
    /// `sign_type` of the creating request; notifications are signed with it.
    pub sign_type: alipay_api::SignType,
}

impl Trade {
    /// What can still be refunded.
    pub fn refundable(&self) -> Amount {
        self.total_amount
            .checked_sub(self.refunded)
            .unwrap_or(Amount::ZERO)
    }
}

/// A refund that went through.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Refund {
    /// The platform's trade number.
    pub trade_no: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The merchant's refund request number (the idempotency key).
    pub out_request_no: String,
    /// The amount of this refund.
    pub amount: Amount,
    /// The reason given.
    pub reason: Option<String>,
    /// When it was made.
    pub refunded_at: BeijingDateTime,
}

/// Every trade and refund of the gateway (the trade model's part of the store).
#[derive(Debug, Default)]
pub(crate) struct TradeBook {
    /// Trades by merchant order number.
    pub(crate) trades: BTreeMap<String, Trade>,
    /// Refunds, oldest first.
    pub(crate) refunds: Vec<Refund>,
}

impl TradeBook {
    /// The trade named by `trade_no` (preferred, as Alipay does) or `out_trade_no`.
    pub(crate) fn find_key(
        &self,
        out_trade_no: Option<&str>,
        trade_no: Option<&str>,
    ) -> Option<String> {
        if let Some(t) = trade_no.filter(|s| !s.is_empty()) {
            return self
                .trades
                .values()
                .find(|tr| tr.trade_no == t)
                .map(|tr| tr.out_trade_no.clone());
        }
        out_trade_no
            .filter(|s| self.trades.contains_key(*s))
            .map(str::to_owned)
    }
}

/// A new 28-digit trade number: date, a fixed channel part, a sequence.
pub(crate) fn new_trade_no(ledger: &mut Ledger, now: BeijingDateTime) -> String {
    let n = ledger.next_seq();
    format!("{}22001{:015}", now.naive().format("%Y%m%d"), n)
}

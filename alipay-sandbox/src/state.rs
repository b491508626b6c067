//! What a gateway remembers: trades, refunds, notifications, bills and uploads.
//! The public types are snapshots handed to tests.

use std::collections::{BTreeMap, HashMap};

use alipay_api::{Amount, BeijingDateTime};

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

/// An asynchronous notification and how its delivery went.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Notification {
    /// `notify_id`.
    pub notify_id: String,
    /// The merchant's `notify_url`.
    pub url: String,
    /// The order it is about.
    pub out_trade_no: String,
    /// `trade_status` it announces.
    pub trade_status: String,
    /// Every parameter posted, `sign` included.
    pub params: Vec<(String, String)>,
    /// Attempts made so far.
    pub attempts: u32,
    /// Whether the merchant acknowledged it with `success`.
    pub delivered: bool,
    /// Whether every retry is used up without an acknowledgement.
    pub gave_up: bool,
    /// What the merchant answered last (status and start of the body), or the
    /// connection error.
    pub last_response: Option<String>,
}

impl Notification {
    /// A posted parameter.
    pub fn get(&self, k: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }

    /// Whether it is still waiting for an acknowledgement.
    pub fn pending(&self) -> bool {
        !self.delivered && !self.gave_up
    }
}

/// An uploaded file.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    pub(crate) content_type: String,
    pub(crate) bytes: bytes::Bytes,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) trades: BTreeMap<String, Trade>,
    pub(crate) refunds: Vec<Refund>,
    pub(crate) notifications: Vec<Notification>,
    pub(crate) bills: HashMap<String, Vec<u8>>,
    pub(crate) uploads: HashMap<String, Upload>,
    pub(crate) balance: Amount,
    pub(crate) seq: u64,
    pub(crate) faults: Vec<crate::fault::Armed>,
}

impl State {
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A new 28-digit trade number: date, a fixed channel part, a sequence.
    pub(crate) fn new_trade_no(&mut self, now: BeijingDateTime) -> String {
        let n = self.next_seq();
        format!("{}22001{:015}", now.naive().format("%Y%m%d"), n)
    }

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

//! How a sandbox gateway behaves.

use std::time::Duration;

use alipay_api::Amount;

use crate::keys::SandboxKeys;

/// Alipay's retry schedule for an unacknowledged notification: the waits after the
/// first attempt (4m, 10m, 10m, 1h, 2h, 6h, 15h).
pub const ALIPAY_NOTIFY_SCHEDULE: [Duration; 7] = [
    Duration::from_secs(4 * 60),
    Duration::from_secs(10 * 60),
    Duration::from_secs(10 * 60),
    Duration::from_secs(3600),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(6 * 3600),
    Duration::from_secs(15 * 3600),
];

/// Settings of a sandbox gateway. Start from [`SandboxConfig::new`] and change what
/// a test needs.
///
/// ```
/// use alipay_sandbox::SandboxConfig;
/// let cfg = SandboxConfig::new().cert_mode(true).notify_time_scale(0.0001);
/// # let _ = cfg;
/// ```
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub(crate) port: u16,
    pub(crate) app_id: String,
    pub(crate) seller_id: String,
    pub(crate) cert_mode: bool,
    pub(crate) aes: bool,
    pub(crate) keys: Option<SandboxKeys>,
    pub(crate) pay_waits_for_buyer: bool,
    pub(crate) auto_pay_pages: bool,
    pub(crate) notify_time_scale: f64,
    pub(crate) notify_timeout: Duration,
    pub(crate) timestamp_tolerance: Duration,
    pub(crate) seller_balance: Amount,
    pub(crate) app_gateway_url: Option<String>,
    pub(crate) header_read_timeout: Duration,
    pub(crate) body_read_timeout: Duration,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl SandboxConfig {
    /// Defaults: an ephemeral port on 127.0.0.1, app id `2021000000000001`, key mode
    /// with fresh RSA2 keys, no AES, payments that succeed at once, page payments
    /// paid as soon as the buyer opens them, and Alipay's notification schedule
    /// compressed 1000-fold (first retry after 0.24 s), 30 s to send a request's
    /// headers and 60 s to send its body.
    pub fn new() -> Self {
        SandboxConfig {
            port: 0,
            app_id: "2021000000000001".into(),
            seller_id: "2088000000000001".into(),
            cert_mode: false,
            aes: false,
            keys: None,
            pay_waits_for_buyer: false,
            auto_pay_pages: true,
            notify_time_scale: 0.001,
            notify_timeout: Duration::from_secs(10),
            timestamp_tolerance: Duration::from_secs(15 * 60),
            seller_balance: Amount::from_fen(100_000_000),
            app_gateway_url: None,
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(60),
        }
    }

    /// The port on 127.0.0.1 (0, the default, picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The app id the gateway accepts (digits only).
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = app_id.into();
        self
    }

    /// The merchant's partner id (`seller_id`, 2088…).
    pub fn seller_id(mut self, seller_id: impl Into<String>) -> Self {
        self.seller_id = seller_id.into();
        self
    }

    /// Certificate mode (公钥证书模式): the app signs with `app_cert_sn` and
    /// `alipay_root_cert_sn`, and answers carry `alipay_cert_sn`.
    pub fn cert_mode(mut self, yes: bool) -> Self {
        self.cert_mode = yes;
        self
    }

    /// Generates an AES key: requests may then send `encrypt_type=AES`.
    pub fn aes(mut self, yes: bool) -> Self {
        self.aes = yes;
        self
    }

    /// Uses these credentials instead of generating fresh ones (their app id wins).
    pub fn keys(mut self, keys: SandboxKeys) -> Self {
        self.keys = Some(keys);
        self
    }

    /// `alipay.trade.pay` answers `10003` (the buyer is still confirming) and leaves
    /// the trade unpaid until the test calls [`crate::Sandbox::pay_trade`].
    pub fn pay_waits_for_buyer(mut self, yes: bool) -> Self {
        self.pay_waits_for_buyer = yes;
        self
    }

    /// Whether opening a page payment pays it at once (default) or only creates the
    /// trade, leaving payment to [`crate::Sandbox::pay_trade`].
    pub fn auto_pay_pages(mut self, yes: bool) -> Self {
        self.auto_pay_pages = yes;
        self
    }

    /// Multiplies Alipay's notification retry schedule ([`ALIPAY_NOTIFY_SCHEDULE`])
    /// by this factor (1.0 = real time). Negative or non-finite values mean 0.
    pub fn notify_time_scale(mut self, factor: f64) -> Self {
        self.notify_time_scale = if factor.is_finite() && factor > 0.0 {
            factor
        } else {
            0.0
        };
        self
    }

    /// How long one notification attempt may take before it counts as failed.
    pub fn notify_timeout(mut self, t: Duration) -> Self {
        self.notify_timeout = t;
        self
    }

    /// How far a request's `timestamp` may be from the gateway's clock.
    pub fn timestamp_tolerance(mut self, t: Duration) -> Self {
        self.timestamp_tolerance = t;
        self
    }

    /// The merchant's balance before any payment: refunds beyond balance plus
    /// receipts fail with `ACQ.SELLER_BALANCE_NOT_ENOUGH`.
    pub fn seller_balance(mut self, balance: Amount) -> Self {
        self.seller_balance = balance;
        self
    }

    /// The app gateway (应用网关) that message notifications (`msg_method`, such as
    /// the settlement result and the fund-order change) are posted to. Alipay sends
    /// messages there rather than to a request's `notify_url`; without one they are
    /// not sent. [`crate::Sandbox::set_app_gateway_url`] changes it later.
    pub fn app_gateway_url(mut self, url: impl Into<String>) -> Self {
        self.app_gateway_url = Some(url.into());
        self
    }

    /// How long a client may take to send a request's headers (and how long an idle
    /// connection stays open); a client that takes longer is disconnected.
    pub fn header_read_timeout(mut self, t: Duration) -> Self {
        self.header_read_timeout = t;
        self
    }

    /// How long a client may take to send a request's body once its headers
    /// arrived; a client that takes longer gets `408` and is disconnected.
    pub fn body_read_timeout(mut self, t: Duration) -> Self {
        self.body_read_timeout = t;
        self
    }

    /// The wait before retry `n` (0-based), scaled; `None` after the last retry.
    pub(crate) fn retry_delay(&self, n: usize) -> Option<Duration> {
        ALIPAY_NOTIFY_SCHEDULE.get(n).map(|d| {
            Duration::try_from_secs_f64(d.as_secs_f64() * self.notify_time_scale)
                .unwrap_or(Duration::MAX)
        })
    }
}

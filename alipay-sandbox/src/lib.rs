//! A local, protocol-faithful stand-in for the Alipay v2 gateway
//! (`https://openapi.alipay.com/gateway.do`), for tests and demos.
//!
//! It speaks the real wire protocol: it verifies RSA2/RSA request signatures (key
//! or certificate mode), decrypts AES `biz_content`, validates every request
//! against the same spec the typed API is generated from, and signs every answer
//! with its own platform key. Trades have a real lifecycle (create, pay, query,
//! refund, close, cancel, bills), and so do deduction agreements (signing, deductions,
//! unsigning) and fund authorisations (freeze, payment, unfreeze); page payments
//! redirect the buyer back with signed parameters, and notifications are posted to
//! `notify_url` and retried until the merchant acknowledges them. Methods without a
//! behaviour model are answered from the spec with plausible, typed values.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use alipay_api::trade::AlipayTradeQuery;
//! let gw = alipay_sandbox::Sandbox::start().await?;
//! let client = gw.client()?;
//! let err = client
//!     .execute(&AlipayTradeQuery::builder().out_trade_no("nope").build()?)
//!     .await
//!     .unwrap_err();
//! assert_eq!(err.api().and_then(|e| e.sub_code.as_deref()), Some("ACQ.TRADE_NOT_EXIST"));
//! # Ok(()) }
//! ```
//!
//! [`Sandbox::inject_fault`] makes the next call lose or garble its answer after it
//! took effect ([`Fault`]), the case merchant code must settle with a query.
//!
//! Deviations from the real platform, on purpose: today's bill can be downloaded
//! at once; page payments are paid as soon as the browser arrives (see
//! [`SandboxConfig::auto_pay_pages`]); one app per gateway.

// Layers, top to bottom; each module uses only the ones below it (see README.md).
// The command line (`alipay-sandbox`, `alipay gateway`), on the public API only:
pub mod cli;
// Transport and the test-facing handle:
mod member_hooks;
mod payment_hooks;
mod sandbox;
mod server;
// The protocol layer: parsing, checks, the pipeline and the answers' wire form.
mod gateway;
mod verify;
mod wire;
// Who answers: a product model, or the spec.
mod dispatch;
mod models;
mod spec;
// What models share.
mod call;
mod env;
mod outbox;
mod platform;
mod store;
// Leaves.
mod charset;
mod config;
mod error;
mod fault;
mod html;
mod keys;
mod reply;

pub use config::{SandboxConfig, ALIPAY_NOTIFY_SCHEDULE};
pub use error::SandboxError;
pub use fault::Fault;
pub use keys::{CertBundle, SandboxKeys};
pub use models::agreement::{Agreement, AgreementStatus, PeriodRule, PeriodUnit};
pub use models::certify::CertifyStatus;
pub use models::esign::EsignFlow;
pub use models::fund_auth::{
    FundAuthOperation, FundAuthOperationKind, FundAuthOrder, FundAuthOrderStatus,
};
pub use models::royalty::{Settlement, Split, SplitState, DEFAULT_MAX_RATIO};
pub use models::shop::{Shop, ShopApplyOrder};
pub use models::trade::{Refund, Trade, TradeStatus};
pub use models::transfer::Transfer;
pub use models::users::AlipayUser;
pub use outbox::Notification;
pub use sandbox::Sandbox;
pub use spec::{
    notification_names, sample_notification, sample_request, NotificationSigning,
    SampleNotification, SampleRequest,
};

/// Entry points for the project's fuzz targets (`fuzz/`) and their stable corpus
/// test; not part of the sandbox's supported API.
#[doc(hidden)]
pub mod fuzzing {
    use std::future::Future as _;
    use std::task::{Context, Poll, Waker};

    /// Most parameters the gateway accepts in one request.
    pub const MAX_PARAMS: usize = crate::wire::MAX_PARAMS;

    /// Parses a request as `/gateway.do` receives it (URL query, `Content-Type`,
    /// body): its text parameters in order, or why it is refused.
    pub fn read_request(
        query: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Vec<(String, String)>, String> {
        let read = crate::wire::read(query, content_type, bytes::Bytes::copy_from_slice(body));
        let mut read = std::pin::pin!(read);
        let mut cx = Context::from_waker(Waker::noop());
        // The body is already in memory, so the parser never waits; the bound only
        // turns a parser that would spin into an error the fuzzer reports.
        for _ in 0..1_000 {
            if let Poll::Ready(r) = read.as_mut().poll(&mut cx) {
                return r.map(|p| p.pairs).map_err(|e| e.to_string());
            }
        }
        Err("the request parser did not finish".into())
    }
}

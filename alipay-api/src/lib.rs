//! Typed, validated bindings for the Alipay open platform (支付宝开放平台) on a small
//! runtime that signs and verifies byte for byte like the official SDKs.
//!
//! - **Typed requests** whose `build()` checks every documented constraint at once
//!   (required fields, one-of groups, enums, lengths, amounts, times) and names each
//!   offending wire field before anything is sent.
//! - **Typed, forgiving responses**: exact [`Amount`]s, Beijing-time
//!   [`BeijingDateTime`]s, open enums that keep values Alipay adds later.
//! - **Fail closed**: every response and notification is verified over the exact bytes
//!   Alipay sent; what cannot be verified is an error, never an answer.
//!
//! The request and response types of each product group (`trade`, `bill`, …) are
//! generated from the reviewed YAML spec in the repository's `spec/` folder and sit
//! behind a cargo feature of the same name; everything else is the hand-written
//! runtime ([`client`], [`config`], [`protocol`], [`crypto`], …).
//!
//! # Building a client
//!
//! Key mode (公钥模式): the app private key and Alipay's public key (支付宝公钥), each
//! PKCS#1 or PKCS#8, PEM or bare base64, exactly as the console and its key tool hand
//! them out. Production is the default gateway; [`ClientBuilder::sandbox`] selects
//! Alipay's sandbox (沙箱环境).
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let client = alipay_api::Client::builder()
//!     .app_id("2021000000000001")
//!     .private_key(std::fs::read_to_string("app_private_key.pem")?)
//!     .alipay_public_key(std::fs::read_to_string("alipay_public_key.pem")?)
//!     .sandbox() // or .gateway_url("http://127.0.0.1:8080/gateway.do")
//!     .build()?; // every configuration mistake is a typed ConfigError here
//! # let _ = client;
//! # Ok(()) }
//! ```
//!
//! Certificate mode (公钥证书模式): the three `.crt` files instead of Alipay's public
//! key. The client sends `app_cert_sn` and `alipay_root_cert_sn`, and when Alipay
//! signs with a new certificate it downloads that certificate and checks its chain
//! before trusting it.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use alipay_api::CertSource;
//! let client = alipay_api::Client::builder()
//!     .app_id("2021000000000001")
//!     .private_key(std::fs::read_to_string("app_private_key.pem")?)
//!     .certificates(
//!         CertSource::path("appCertPublicKey_2021000000000001.crt"),
//!         CertSource::path("alipayCertPublicKey_RSA2.crt"),
//!         CertSource::path("alipayRootCert.crt"),
//!     )
//!     .build()?;
//! # let _ = client;
//! # Ok(()) }
//! ```
//!
//! Or from the `ALIPAY_*` environment variables ([`config::env`]; the same settings a
//! config file holds, see [`config::AppConfig`]):
//!
//! ```no_run
//! # fn main() -> Result<(), alipay_api::ConfigError> {
//! let client = alipay_api::config::AppConfig::from_env().builder()?.build()?;
//! # let _ = client;
//! # Ok(()) }
//! ```
//!
//! # One typed call, and the outcome-unknown rule
//!
//! A failed call is either definite or of unknown outcome. [`Error::outcome_unknown`]
//! is `true` when the call may still have taken effect at Alipay: a system error
//! (`20000`, `*.SYSTEM_ERROR`), a timeout or a connection lost after sending, an
//! unreadable or unverifiable answer, and an unsigned error answer
//! ([`Error::UnverifiedApi`]: nothing proves it is Alipay's). Then query the order
//! before retrying, and never charge twice. Only a signed, verified business error
//! ([`Error::Api`], e.g. `ACQ.TRADE_NOT_EXIST`) is a definite decline.
//!
//! [`Error::advice`] gives the whole rule as one value for every method, from
//! Alipay's gateway result codes ([`ResultCode`]): [`Advice::QueryFirst`] (`20000`,
//! system errors, unknown outcomes), [`Advice::RetryLater`] (`40005`, or nothing
//! sent) and [`Advice::DoNotRetry`] (the other `40001`–`40006` and `20001`: fix
//! what `sub_code` names first).
//!
//! ```no_run
//! # #[cfg(feature = "trade")]
//! # mod example {
//! use alipay_api::trade::{AlipayTradePay, AlipayTradeQuery};
//! use alipay_api::{Client, Error};
//!
//! async fn charge(client: &Client, order: &str, auth_code: &str) -> Result<(), Error> {
//!     let pay = AlipayTradePay::builder()
//!         .out_trade_no(order)
//!         .total_amount("88.88") // parsed and range-checked in build()
//!         .subject("Desk lamp")
//!         .auth_code(auth_code)
//!         .scene("bar_code")
//!         .build()?; // every violation at once, by wire name; nothing sent
//!
//!     match client.execute(&pay).await {
//!         Ok(paid) => println!("paid: trade {:?}", paid.trade_no),
//!         Err(e) if e.outcome_unknown() => {
//!             // It may have happened: ask before doing anything else.
//!             let q = AlipayTradeQuery::builder().out_trade_no(order).build()?;
//!             let state = client.execute(&q).await?;
//!             println!("after an unknown outcome the trade is {:?}", state.trade_status);
//!         }
//!         Err(Error::Api(api)) => println!(
//!             "declined: {} {}",
//!             api.sub_code.as_deref().unwrap_or(&api.code),
//!             api.sub_msg.as_deref().unwrap_or(&api.msg),
//!         ),
//!         Err(other) => return Err(other),
//!     }
//!     Ok(())
//! }
//! # }
//! # fn main() {}
//! ```
//!
//! A method the spec does not cover yet is sent with [`GenericRequest`] (a JSON
//! `biz_content`, the same signing and verification); page and app payments come
//! out of [`Client::page_form`], [`Client::page_url`] and [`Client::app_order_string`].
//!
//! # Verifying a notification in a web handler
//!
//! Give the client the raw body exactly as posted: it is decoded once, in the charset
//! it names, and its signature checked before anything is typed. A notification for
//! another app is refused. Alipay stops retrying only on the exact answer
//! [`NOTIFY_ACK`] (`success`), and may deliver the same notification more than once:
//! record each `notify_id` handled. With axum:
//!
//! ```no_run
//! # #[cfg(feature = "trade")]
//! # mod example {
//! use alipay_api::trade::TradeStatusSync;
//! use axum::{body::Bytes, extract::State};
//!
//! async fn alipay_notify(State(client): State<alipay_api::Client>, body: Bytes) -> &'static str {
//!     match client.parse_notification::<TradeStatusSync>(&body) {
//!         Ok(n) => {
//!             // Skip a notify_id already handled; check out_trade_no and total_amount
//!             // against your order; act once per state change.
//!             let _ = (n.out_trade_no, n.total_amount);
//!             alipay_api::NOTIFY_ACK
//!         }
//!         Err(_) => "fail", // unverified: Alipay will send it again
//!     }
//! }
//! # }
//! # fn main() {}
//! ```
//!
//! A framework that has already decoded the form hands its fields to
//! [`Client::verify_params`] instead (never decode them a second time).
//!
//! # The local gateway in a test
//!
//! The `alipay-sandbox` crate is a local Alipay gateway on 127.0.0.1 that checks
//! signatures and parameters like Alipay, keeps trades, refunds and bills, pays as a
//! simulated buyer and posts signed notifications. Start one per test (not compiled
//! here, as `alipay-sandbox` is not a dependency of this crate; the same example opens
//! that crate's documentation, where it is compiled):
//!
//! ```ignore
//! #[tokio::test]
//! async fn query_an_unknown_order() -> Result<(), Box<dyn std::error::Error>> {
//!     let gw = alipay_sandbox::Sandbox::start().await?; // fresh keys, a free port
//!     let client = gw.client()?; // app id, keys and URL already set
//!     let q = alipay_api::trade::AlipayTradeQuery::builder().out_trade_no("nope").build()?;
//!     let err = client.execute(&q).await.unwrap_err();
//!     assert_eq!(err.api().and_then(|e| e.sub_code.as_deref()), Some("ACQ.TRADE_NOT_EXIST"));
//!     gw.shutdown().await;
//!     Ok(())
//! }
//! ```
//!
//! # The command-line tool
//!
//! `cargo install --path alipay-cli` installs `alipay`, on this runtime and the same
//! settings ([`config::env`], or `--config alipay.toml`):
//!
//! ```sh
//! alipay doctor                          # every setting checked, each problem with a fix
//! alipay verify notification body.txt    # and when it fails (验签失败): which mistake fits
//! alipay sign alipay.trade.query --biz '{"out_trade_no":"T1"}'   # the exact string signed
//! alipay call alipay.trade.query --biz '{"out_trade_no":"T1"}' --gateway sandbox
//! alipay gateway --port 8080 --keys-out keys   # the local gateway
//! alipay trigger trade.success --to http://127.0.0.1:3000/notify --keys keys
//! ```
//!
//! # Cargo features
//!
//! One feature per method family (a Rust module of the same name) and one per product of
//! Alipay's docs, which turns on the families its API list uses; `full` turns on every
//! family. `aws-lc` (default) signs and verifies RSA2 on aws-lc-rs; `blocking` adds
//! [`blocking::Client`]. Generated from `spec/groups.yaml`:
//!
#![doc = include_str!("generated/FEATURES.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
// Every public item is documented, and stays so; doc links and examples are checked.
#![deny(missing_docs)]
#![deny(
    rustdoc::broken_intra_doc_links,
    rustdoc::private_intra_doc_links,
    rustdoc::invalid_codeblock_attributes,
    rustdoc::invalid_rust_codeblocks,
    rustdoc::invalid_html_tags,
    rustdoc::bare_urls
)]

#[cfg(feature = "blocking")]
pub mod blocking;
pub mod client;
pub mod config;
pub mod crypto;
pub mod error;
#[cfg(feature = "esign")]
#[cfg_attr(docsrs, doc(cfg(feature = "esign")))]
pub mod esign_callback;
#[cfg(feature = "esign")]
#[cfg_attr(docsrs, doc(cfg(feature = "esign")))]
pub mod esign_upload;
pub mod protocol;
pub mod request;
pub mod types;
pub mod validation;

#[doc(hidden)]
pub mod __private;

pub mod schema;

// Generated by `cargo xtask codegen` and formatted by prettyplease; rustfmt must not
// reformat it, or the freshness check would fail.
#[rustfmt::skip]
mod generated;
// With no product-group feature enabled the generated modules are all cfg'd out and
// this glob re-exports nothing.
#[allow(unused_imports)]
pub use generated::*;

pub use client::{CallOptions, Client, GenericRequest};
pub use config::{CertSource, ClientBuilder, Gateway};
pub use crypto::{Backend, PrivateKey, PublicKey, SignType, Signer};
pub use error::{Advice, ApiError, ConfigError, Error, EsignError, Result, ResultCode};
pub use protocol::Charset;
pub use protocol::notify::{ACK as NOTIFY_ACK, NotifyScheme, VerifiedNotification};
pub use request::{
    AlipayRequest, CallKind, CommonParams, FileUpload, Method, MethodMeta, Payload, Validated,
};
pub use types::{Amount, BeijingDateTime, Clearable, JsonString, NaiveDate, OpenEnum};
pub use validation::{Problem, ValidationError, Violation};

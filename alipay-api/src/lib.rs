//! Typed bindings for the Alipay open platform (支付宝开放平台).
//!
//! The request and response types under the product-group modules are generated from
//! the reviewed YAML spec in the repository's `spec/` folder; everything else is a
//! small hand-written runtime.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "blocking")]
pub mod blocking;
pub mod client;
pub mod config;
pub mod crypto;
pub mod error;
pub mod protocol;
pub mod request;
pub mod types;
pub mod validation;

#[doc(hidden)]
pub mod __private;

mod generated;
#[allow(unused_imports)]
pub use generated::*;

pub use request::{AlipayRequest, CallKind, FileUpload, MethodMeta, Payload};
pub use types::{Amount, BeijingDateTime, Clearable, JsonString, NaiveDate, OpenEnum};
pub use validation::{Problem, ValidationError, Violation};
pub use client::{CallOptions, Client, GenericRequest};
pub use config::{CertSource, ClientBuilder, Gateway};
pub use crypto::{Backend, PrivateKey, PublicKey, SignType, Signer};
pub use error::{ApiError, ConfigError, Error, Result};
pub use protocol::notify::{NotifyScheme, VerifiedNotification, ACK as NOTIFY_ACK};

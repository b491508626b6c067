//! A blocking client for code without an async runtime (feature `blocking`).
//!
//! It is the async [`crate::Client`] driven by a private single-threaded tokio
//! runtime, so both clients share one implementation of signing, transport and
//! verification. Build it with
//! [`ClientBuilder::build_blocking`](crate::ClientBuilder::build_blocking). Like
//! `reqwest::blocking`, call it from synchronous code (or from
//! `tokio::task::spawn_blocking`), not from inside async code: there, use the async
//! client directly.

use std::future::Future;
use std::sync::Arc;

use crate::client::call::{AppRequest, CallOptions, Executable, PageRequest};
use crate::error::Error;
use crate::protocol::notify::{NotifyScheme, VerifiedNotification};

/// Owns the runtime and shuts it down without blocking, so dropping the last clone
/// of a client never panics, even inside async code.
struct Runtime(Option<tokio::runtime::Runtime>);

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// A blocking Alipay client with the same methods as [`crate::Client`]. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    inner: crate::Client,
    rt: Arc<Runtime>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("blocking::Client")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub(crate) fn new(inner: crate::Client) -> std::io::Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(Client {
            inner,
            rt: Arc::new(Runtime(Some(rt))),
        })
    }

    fn block_on<F: Future>(&self, f: F) -> F::Output {
        match &self.rt.0 {
            Some(rt) => rt.block_on(f),
            // The runtime is only taken out in `Drop`, after the last use.
            None => unreachable!("blocking client used after its runtime was dropped"),
        }
    }

    /// The async client this one drives.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// Signs and sends a request, verifies the answer and returns its typed content.
    pub fn execute<E: Executable>(&self, req: &E) -> Result<E::Output, Error> {
        self.block_on(self.inner.execute(req))
    }

    /// [`execute`](Self::execute) with per-call options.
    pub fn execute_with<E: Executable>(
        &self,
        req: &E,
        opts: &CallOptions,
    ) -> Result<E::Output, Error> {
        self.block_on(self.inner.execute_with(req, opts))
    }

    /// The auto-submitting HTML form for a page payment.
    pub fn page_form<P: PageRequest>(&self, req: &P) -> Result<String, Error> {
        self.inner.page_form(req)
    }

    /// [`page_form`](Self::page_form) with per-call options.
    pub fn page_form_with<P: PageRequest>(
        &self,
        req: &P,
        opts: &CallOptions,
    ) -> Result<String, Error> {
        self.inner.page_form_with(req, opts)
    }

    /// The GET URL for a page payment.
    pub fn page_url<P: PageRequest>(&self, req: &P) -> Result<String, Error> {
        self.inner.page_url(req)
    }

    /// [`page_url`](Self::page_url) with per-call options.
    pub fn page_url_with<P: PageRequest>(
        &self,
        req: &P,
        opts: &CallOptions,
    ) -> Result<String, Error> {
        self.inner.page_url_with(req, opts)
    }

    /// The signed order string for the Alipay app SDK.
    pub fn app_order_string<A: AppRequest>(&self, req: &A) -> Result<String, Error> {
        self.inner.app_order_string(req)
    }

    /// [`app_order_string`](Self::app_order_string) with per-call options.
    pub fn app_order_string_with<A: AppRequest>(
        &self,
        req: &A,
        opts: &CallOptions,
    ) -> Result<String, Error> {
        self.inner.app_order_string_with(req, opts)
    }

    /// Verifies a raw notification body (signature first, then decoding).
    pub fn verify_notification(&self, body: &[u8]) -> Result<VerifiedNotification, Error> {
        self.inner.verify_notification(body)
    }

    /// Verifies a raw notification body and parses it into a typed notification.
    pub fn parse_notification<T: crate::request::Notification>(
        &self,
        body: &[u8],
    ) -> Result<T, Error> {
        self.inner.parse_notification(body)
    }

    /// Verifies parameters a web framework has already decoded.
    pub fn verify_params<I, K, V>(
        &self,
        params: I,
        scheme: NotifyScheme,
    ) -> Result<VerifiedNotification, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.inner.verify_params(params, scheme)
    }
}

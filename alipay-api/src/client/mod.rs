//! The asynchronous client (tokio + reqwest with rustls).
//!
//! ```no_run
//! # async fn run(client: alipay_api::Client) -> Result<(), alipay_api::Error> {
//! use alipay_api::GenericRequest;
//! let answer = client
//!     .execute(&GenericRequest::new("alipay.trade.query")
//!         .biz_content(&serde_json::json!({ "out_trade_no": "20240102030405001" })))
//!     .await?;
//! println!("{}", answer["trade_status"]);
//! # Ok(()) }
//! ```

pub(crate) mod call;
#[cfg(feature = "esign")]
mod esign;

use std::sync::Arc;
use std::time::Instant;

use tracing::Instrument as _;

use crate::config::{ClientBuilder, Settings};
use crate::error::{DecodeError, Error, HttpError, HttpErrorKind, WrongAppError};
use crate::protocol::Charset;
use crate::protocol::notify::{self, NotifyScheme, VerifiedNotification};
use crate::protocol::request::SignedRequest;

pub use call::{AppRequest, CallOptions, Executable, GenericRequest, PageRequest, Prepared};

/// An Alipay client. Cheap to clone; share one per app.
#[derive(Clone)]
pub struct Client {
    settings: Arc<Settings>,
    http: reqwest::Client,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// The largest response body the client reads (16 MiB); gateway answers are a few
/// KiB, and files are downloaded from URLs, not through the gateway.
pub const MAX_BODY: usize = 16 << 20;

pub(crate) fn too_large(method: &str) -> Error {
    HttpError {
        method: method.to_owned(),
        kind: HttpErrorKind::Transport,
        status: None,
        maybe_sent: true,
        message: format!("the response body exceeds {MAX_BODY} bytes; it was not read"),
        source: None,
    }
    .into()
}

/// The header in which the gateway returns its trace id.
pub(crate) const TRACE_HEADER: &str = "trace_id";

/// An [`HttpError`] from reqwest's, without the request URL: its query holds
/// `app_auth_token` and `auth_token`, which must stay out of errors and logs.
pub(crate) fn http_error(method: &str, e: reqwest::Error, after_send: bool) -> HttpError {
    let e = e.without_url();
    let (kind, maybe_sent) = if e.is_builder() {
        (HttpErrorKind::Request, false)
    } else if e.is_connect() {
        (HttpErrorKind::Connect, false)
    } else if e.is_timeout() {
        (HttpErrorKind::Timeout, true)
    } else {
        (HttpErrorKind::Transport, true)
    };
    HttpError {
        method: method.to_owned(),
        kind,
        status: e.status().map(|s| s.as_u16()),
        maybe_sent: maybe_sent || after_send,
        message: e.to_string(),
        source: Some(Box::new(error_chain(&e))),
    }
}

/// reqwest's error with its causes flattened into text (it is not `Clone`).
fn error_chain(e: &reqwest::Error) -> std::io::Error {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    std::io::Error::other(msg)
}

pub(crate) fn status_error(method: &str, status: u16, body: &[u8]) -> HttpError {
    HttpError {
        method: method.to_owned(),
        kind: HttpErrorKind::Status,
        status: Some(status),
        maybe_sent: status >= 500,
        message: format!(
            "unexpected HTTP status; body: {}",
            String::from_utf8_lossy(&body[..body.len().min(512)])
        ),
        source: None,
    }
}

/// The answer's text, read in the client's charset (the gateway answers in the
/// charset of the request).
pub(crate) fn body_text(body: Vec<u8>, charset: Charset) -> Result<String, Error> {
    if let Some(text) = charset.decode(&body) {
        return Ok(text.into_owned());
    }
    Err(DecodeError::new(
        "response",
        format!("the body is not {}", charset.as_str()),
        String::from_utf8_lossy(&body).into_owned(),
    )
    .into())
}

pub(crate) fn mime_for(file: &crate::FileUpload) -> String {
    if let Some(ct) = &file.content_type {
        return ct.clone();
    }
    let lower = file.file_name.to_ascii_lowercase();
    let ext = lower.rsplit('.').next().unwrap_or_default();
    match ext {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "txt" => "text/plain",
        _ => "application/octet-stream",
    }
    .to_owned()
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    pub(crate) fn from_parts(settings: Arc<Settings>, http: reqwest::Client) -> Self {
        Client { settings, http }
    }

    /// The gateway URL.
    pub fn gateway(&self) -> &str {
        &self.settings.gateway
    }

    /// Signs and sends a request, verifies the answer and returns its typed content.
    pub async fn execute<E: Executable>(&self, req: &E) -> Result<E::Output, Error> {
        self.execute_with(req, &CallOptions::default()).await
    }

    /// [`execute`](Self::execute) with per-call options (`app_auth_token`, …).
    pub async fn execute_with<E: Executable>(
        &self,
        req: &E,
        opts: &CallOptions,
    ) -> Result<E::Output, Error> {
        let prep = req.prepare();
        let method = prep.parts.method.clone();
        let span = tracing::info_span!(
            "alipay.call",
            method = %method,
            trace_id = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let recorder = span.clone();
        async move {
            let started = Instant::now();
            let r = self.execute_prepared::<E::Output>(prep, opts, &recorder).await;
            recorder.record("elapsed_ms", started.elapsed().as_millis() as u64);
            if let Err(e) = &r {
                tracing::warn!(error = %e, outcome_unknown = e.outcome_unknown(), "alipay call failed");
            }
            r
        }
        .instrument(span)
        .await
    }

    async fn execute_prepared<T: serde::de::DeserializeOwned>(
        &self,
        prep: Prepared,
        opts: &CallOptions,
        span: &tracing::Span,
    ) -> Result<T, Error> {
        let (signed, prep) = call::sign(&self.settings, prep, opts)?;
        let method = signed.method.clone();
        let (body, trace_id) = self.send(&signed).await?;
        if let Some(t) = &trace_id {
            span.record("trace_id", t.as_str());
        }
        let ex = call::extract(&body, &prep)?;
        let key = match call::lookup_key(&self.settings, &ex) {
            call::KeyLookup::Ready(k) => k,
            call::KeyLookup::Fetch(sn) => {
                self.fetch_cert(&sn).await?;
                match call::lookup_key(&self.settings, &ex) {
                    call::KeyLookup::Ready(k) => k,
                    call::KeyLookup::Fetch(_) => None,
                }
            }
        };
        call::finish(
            &self.settings,
            &prep,
            &method,
            &body,
            &ex,
            key.as_ref(),
            trace_id.as_deref(),
        )
    }

    /// Fetches and trusts the Alipay certificate with this SN.
    async fn fetch_cert(&self, sn: &str) -> Result<(), Error> {
        tracing::info!(alipay_cert_sn = sn, "fetching a new Alipay certificate");
        let req = call::cert_download_request(sn);
        let (signed, _) = call::sign(&self.settings, req.prepare(), &CallOptions::default())?;
        let (body, trace_id) = self.send(&signed).await?;
        call::accept_downloaded_cert(&self.settings, sn, &body, trace_id.as_deref())
    }

    /// One HTTP exchange: returns the body text and the trace id header.
    async fn send(&self, signed: &SignedRequest) -> Result<(String, Option<String>), Error> {
        let method = signed.method.as_str();
        let url = signed.url(&self.settings.gateway);
        // Per request, so that a custom reqwest client without timeouts is bounded too.
        let builder = self.http.post(&url).timeout(self.settings.timeout);
        let builder = if signed.files.is_empty() {
            builder
                .header(
                    reqwest::header::CONTENT_TYPE,
                    format!(
                        "application/x-www-form-urlencoded;charset={}",
                        signed.charset.as_str()
                    ),
                )
                .body(signed.form_body())
        } else {
            let mut form = reqwest::multipart::Form::new();
            for (k, v) in &signed.body {
                // Text parts carry their bytes in the request's charset (checked
                // encodable when signing).
                let bytes = signed.charset.encode(v).unwrap_or_default().into_owned();
                form = form.part(k.clone(), reqwest::multipart::Part::bytes(bytes));
            }
            for (k, f) in &signed.files {
                let part = reqwest::multipart::Part::bytes(f.bytes.clone())
                    .file_name(f.file_name.clone())
                    .mime_str(&mime_for(f))
                    .map_err(|e| http_error(method, e, false))?;
                form = form.part(k.clone(), part);
            }
            builder.multipart(form)
        };
        let resp = builder
            .send()
            .await
            .map_err(|e| http_error(method, e, false))?;
        let status = resp.status();
        let trace_id = resp
            .headers()
            .get(TRACE_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        // Read at most MAX_BODY bytes: a hostile or broken server cannot exhaust memory.
        let mut resp = resp;
        let mut bytes = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| http_error(method, e, true))?
        {
            if bytes.len() + chunk.len() > MAX_BODY {
                return Err(too_large(method));
            }
            bytes.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            return Err(status_error(method, status.as_u16(), &bytes).into());
        }
        Ok((body_text(bytes, signed.charset)?, trace_id))
    }

    /// The auto-submitting HTML form that sends the buyer to Alipay (电脑网站支付,
    /// 手机网站支付 …). Nothing is sent from here.
    pub fn page_form<P: PageRequest>(&self, req: &P) -> Result<String, Error> {
        self.page_form_with(req, &CallOptions::default())
    }

    /// [`page_form`](Self::page_form) with per-call options.
    pub fn page_form_with<P: PageRequest>(
        &self,
        req: &P,
        opts: &CallOptions,
    ) -> Result<String, Error> {
        let (signed, _) = call::sign(&self.settings, req.prepare_page(), opts)?;
        Ok(signed.page_form(&self.settings.gateway))
    }

    /// The GET URL that sends the buyer to Alipay.
    pub fn page_url<P: PageRequest>(&self, req: &P) -> Result<String, Error> {
        self.page_url_with(req, &CallOptions::default())
    }

    /// [`page_url`](Self::page_url) with per-call options.
    pub fn page_url_with<P: PageRequest>(
        &self,
        req: &P,
        opts: &CallOptions,
    ) -> Result<String, Error> {
        let (signed, _) = call::sign(&self.settings, req.prepare_page(), opts)?;
        Ok(signed.page_url(&self.settings.gateway))
    }

    /// The signed order string for the Alipay app SDK (APP支付).
    pub fn app_order_string<A: AppRequest>(&self, req: &A) -> Result<String, Error> {
        self.app_order_string_with(req, &CallOptions::default())
    }

    /// [`app_order_string`](Self::app_order_string) with per-call options.
    pub fn app_order_string_with<A: AppRequest>(
        &self,
        req: &A,
        opts: &CallOptions,
    ) -> Result<String, Error> {
        let (signed, _) = call::sign(&self.settings, req.prepare_app(), opts)?;
        Ok(signed.order_string())
    }

    /// The signed request without sending it (for inspection or another transport).
    pub fn sign_request<E: Executable>(
        &self,
        req: &E,
        opts: &CallOptions,
    ) -> Result<SignedRequest, Error> {
        Ok(call::sign(&self.settings, req.prepare(), opts)?.0)
    }

    /// Verifies a raw notification body (the exact bytes posted to `notify_url`)
    /// and returns its parameters. Answer Alipay with [`notify::ACK`] once handled.
    ///
    /// The notification must name this client's app (`app_id`, and `auth_app_id`
    /// when present) unless
    /// [`accept_notifications_for_any_app`](ClientBuilder::accept_notifications_for_any_app)
    /// was set. See [`parse_notification`](Self::parse_notification) for repeated
    /// deliveries.
    pub fn verify_notification(&self, body: &[u8]) -> Result<VerifiedNotification, Error> {
        verify_notification(&self.settings, body, NotifyScheme::Auto, true)
    }

    /// Verifies a notification (as [`verify_notification`](Self::verify_notification)
    /// does) and types it.
    ///
    /// Alipay delivers a notification again until it gets [`notify::ACK`], and may
    /// deliver it more than once even then, so the same `notify_id` can arrive
    /// several times. Handle each one idempotently: record the `notify_id`s you have
    /// processed (e.g. a unique column next to the order) and answer `ACK` without
    /// acting again for one already recorded; and act on a state change (e.g.
    /// `trade_status` becoming `TRADE_SUCCESS` for an `out_trade_no` whose amount
    /// you checked) only once per order.
    ///
    /// A few form notifications carry no `app_id` at all (their spec lists no such
    /// field, e.g. the Koubei store audit result): for those an absent `app_id` is
    /// accepted, and one that is present must still be this client's. Messages always
    /// carry it in their envelope.
    pub fn parse_notification<T: crate::request::Notification>(
        &self,
        body: &[u8],
    ) -> Result<T, Error> {
        let schema = T::schema();
        let app_id_required = matches!(schema.delivery, crate::schema::Delivery::Message { .. })
            || schema.fields.iter().any(|f| f.name == "app_id");
        let n = verify_notification(&self.settings, body, NotifyScheme::Auto, app_id_required)?;
        Ok(n.parse()?)
    }

    /// Verifies parameters a web framework has already decoded (synchronous
    /// `return_url` parameters, or a parsed notification form). They must not be
    /// URL-decoded again.
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
        let keys = self.settings.verification.all_keys();
        let refs: Vec<&crate::crypto::PublicKey> = keys.iter().collect();
        let n = notify::verify_params(params, &refs, self.settings.common.sign_type, scheme)?;
        check_app(&self.settings, n, true)
    }
}

pub(crate) fn verify_notification(
    settings: &Settings,
    body: &[u8],
    scheme: NotifyScheme,
    app_id_required: bool,
) -> Result<VerifiedNotification, Error> {
    let keys = settings.verification.all_keys();
    let refs: Vec<&crate::crypto::PublicKey> = keys.iter().collect();
    let n = notify::verify_body(body, &refs, settings.common.sign_type, scheme)?;
    check_app(settings, n, app_id_required)
}

/// Refuses a verified notification that names another app than the client's (unless
/// the client accepts any app): `app_id` must be ours (and present, unless the
/// notification type has none), and `auth_app_id` too when present.
fn check_app(
    settings: &Settings,
    n: VerifiedNotification,
    app_id_required: bool,
) -> Result<VerifiedNotification, Error> {
    if !settings.check_notify_app {
        return Ok(n);
    }
    let expected = &settings.common.app_id;
    for (field, required) in [("app_id", app_id_required), ("auth_app_id", false)] {
        let ok = match n.get(field) {
            Some(v) => v == expected,
            None => !required,
        };
        if !ok {
            return Err(WrongAppError {
                field,
                value: n.get(field).map(str::to_owned),
                expected: expected.clone(),
            }
            .into());
        }
    }
    Ok(n)
}

impl From<notify::NotifyError> for Error {
    fn from(e: notify::NotifyError) -> Self {
        match e {
            notify::NotifyError::Decode(d) => Error::Decode(d),
            notify::NotifyError::Signature(s) => Error::Signature(s),
        }
    }
}

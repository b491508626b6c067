//! A blocking client for code without an async runtime (feature `blocking`).
//! Same behaviour as [`crate::Client`]; build it with
//! [`ClientBuilder::build_blocking`](crate::ClientBuilder::build_blocking).

use std::sync::Arc;
use std::time::Instant;

use crate::client::call::{self, AppRequest, CallOptions, Executable, PageRequest, Prepared};
use crate::client::{
    body_text, http_error, mime_for, status_error, too_large, MAX_BODY, TRACE_HEADER,
};
use crate::config::Settings;
use crate::error::Error;
use crate::protocol::notify::{NotifyScheme, VerifiedNotification};
use crate::protocol::request::SignedRequest;

/// A blocking Alipay client. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    settings: Arc<Settings>,
    http: reqwest::blocking::Client,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("blocking::Client")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub(crate) fn from_parts(settings: Arc<Settings>, http: reqwest::blocking::Client) -> Self {
        Client { settings, http }
    }

    /// Signs and sends a request, verifies the answer and returns its typed content.
    pub fn execute<E: Executable>(&self, req: &E) -> Result<E::Output, Error> {
        self.execute_with(req, &CallOptions::default())
    }

    /// [`execute`](Self::execute) with per-call options.
    pub fn execute_with<E: Executable>(
        &self,
        req: &E,
        opts: &CallOptions,
    ) -> Result<E::Output, Error> {
        let prep = req.prepare();
        let span = tracing::info_span!(
            "alipay.call",
            method = %prep.parts.method,
            trace_id = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let _g = span.enter();
        let started = Instant::now();
        let r = self.execute_prepared(prep, opts, &span);
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        r
    }

    fn execute_prepared<T: serde::de::DeserializeOwned>(
        &self,
        prep: Prepared,
        opts: &CallOptions,
        span: &tracing::Span,
    ) -> Result<T, Error> {
        let (signed, prep) = call::sign(&self.settings, prep, opts)?;
        let method = signed.method.clone();
        let (body, trace_id) = self.send(&signed)?;
        if let Some(t) = &trace_id {
            span.record("trace_id", t.as_str());
        }
        let ex = call::extract(&body, &prep)?;
        let key = match call::lookup_key(&self.settings, &ex) {
            call::KeyLookup::Ready(k) => k,
            call::KeyLookup::Fetch(sn) => {
                let req = call::cert_download_request(&sn);
                let (signed, _) =
                    call::sign(&self.settings, req.prepare(), &CallOptions::default())?;
                let (dl_body, dl_trace) = self.send(&signed)?;
                call::accept_downloaded_cert(&self.settings, &sn, &dl_body, dl_trace.as_deref())?;
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

    fn send(&self, signed: &SignedRequest) -> Result<(String, Option<String>), Error> {
        let method = signed.method.as_str();
        let url = signed.url(&self.settings.gateway);
        let builder = self.http.post(&url);
        let builder = if signed.files.is_empty() {
            builder
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded;charset=utf-8",
                )
                .body(signed.form_body())
        } else {
            let mut form = reqwest::blocking::multipart::Form::new();
            for (k, v) in &signed.body {
                form = form.text(k.clone(), v.clone());
            }
            for (k, f) in &signed.files {
                let part = reqwest::blocking::multipart::Part::bytes(f.bytes.clone())
                    .file_name(f.file_name.clone())
                    .mime_str(&mime_for(f))
                    .map_err(|e| http_error(method, &e, false))?;
                form = form.part(k.clone(), part);
            }
            builder.multipart(form)
        };
        let resp = builder.send().map_err(|e| http_error(method, &e, false))?;
        let status = resp.status();
        let trace_id = resp
            .headers()
            .get(TRACE_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        // Read at most MAX_BODY bytes (one more to detect an oversized body).
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(resp, MAX_BODY as u64 + 1),
            &mut bytes,
        )
        .map_err(|e| crate::error::HttpError {
            method: method.to_owned(),
            kind: crate::error::HttpErrorKind::Transport,
            status: None,
            maybe_sent: true,
            message: e.to_string(),
            source: Some(Box::new(e)),
        })?;
        if bytes.len() > MAX_BODY {
            return Err(too_large(method));
        }
        if !status.is_success() {
            return Err(status_error(method, status.as_u16(), &bytes).into());
        }
        Ok((body_text(bytes)?, trace_id))
    }

    /// The auto-submitting HTML form for a page payment.
    pub fn page_form<P: PageRequest>(&self, req: &P, opts: &CallOptions) -> Result<String, Error> {
        let (signed, _) = call::sign(&self.settings, req.prepare_page(), opts)?;
        Ok(signed.page_form(&self.settings.gateway))
    }

    /// The GET URL for a page payment.
    pub fn page_url<P: PageRequest>(&self, req: &P, opts: &CallOptions) -> Result<String, Error> {
        let (signed, _) = call::sign(&self.settings, req.prepare_page(), opts)?;
        Ok(signed.page_url(&self.settings.gateway))
    }

    /// The signed order string for the Alipay app SDK.
    pub fn app_order_string<A: AppRequest>(
        &self,
        req: &A,
        opts: &CallOptions,
    ) -> Result<String, Error> {
        let (signed, _) = call::sign(&self.settings, req.prepare_app(), opts)?;
        Ok(signed.order_string())
    }

    /// Verifies a raw notification body.
    pub fn verify_notification(&self, body: &[u8]) -> Result<VerifiedNotification, Error> {
        crate::client::verify_notification(&self.settings, body, NotifyScheme::Auto)
    }
}

//! What can be sent: generated requests, the generic request, per-call options; and
//! the I/O-free steps shared by the async and blocking clients.

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::config::{Settings, Verification};
use crate::crypto::PublicKey;
use crate::crypto::cert;
use crate::error::{Error, SignatureError};
use crate::protocol::Redacted;
use crate::protocol::request::{RequestParts, SignedRequest, sign_request};
use crate::protocol::response::{self, Extracted, ResponseContext};
use crate::request::{AlipayRequest, AppCall, FileUpload, PageCall, ServerCall};

/// Per-call protocol parameters. They are merged with the request's own; a value
/// set here wins. Its `Debug` output redacts tokens.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CallOptions {
    params: Vec<(String, String)>,
}

impl std::fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallOptions")
            .field("params", &Redacted(&self.params))
            .finish()
    }
}

impl CallOptions {
    /// No options.
    pub fn new() -> Self {
        Self::default()
    }

    fn set(mut self, k: &str, v: impl Into<String>) -> Self {
        self.params.retain(|(key, _)| key != k);
        self.params.push((k.to_owned(), v.into()));
        self
    }

    /// `app_auth_token`: act for a merchant that authorised this app (ISV mode).
    pub fn app_auth_token(self, v: impl Into<String>) -> Self {
        self.set("app_auth_token", v)
    }

    /// `auth_token`: act for a user that authorised this app.
    pub fn auth_token(self, v: impl Into<String>) -> Self {
        self.set("auth_token", v)
    }

    /// `notify_url`: where Alipay posts asynchronous notifications.
    pub fn notify_url(self, v: impl Into<String>) -> Self {
        self.set("notify_url", v)
    }

    /// `return_url`: where the buyer's browser goes back after paying.
    pub fn return_url(self, v: impl Into<String>) -> Self {
        self.set("return_url", v)
    }

    /// `target_app_id`.
    pub fn target_app_id(self, v: impl Into<String>) -> Self {
        self.set("target_app_id", v)
    }

    /// Any other protocol parameter (sent in the URL query and signed). A parameter
    /// the client sets itself ([`RESERVED_PARAMS`](crate::protocol::request::RESERVED_PARAMS):
    /// `charset`, `method`, `sign`, …) makes the call fail with
    /// [`RequestError::Reserved`](crate::error::RequestError::Reserved).
    pub fn param(self, k: &str, v: impl Into<String>) -> Self {
        self.set(k, v)
    }
}

/// A call of any method by name, for methods the typed bindings do not cover yet.
/// Its answer is the verified response node as a JSON object (without `code`,
/// `msg`, `sub_code`, `sub_msg`). Its `Debug` output redacts tokens.
#[derive(Clone, PartialEq)]
pub struct GenericRequest {
    method: String,
    version: String,
    biz_content: Option<String>,
    text: Vec<(String, String)>,
    files: Vec<(String, FileUpload)>,
    protocol: Vec<(String, String)>,
    encrypt: bool,
    success_result_codes: Vec<String>,
}

impl std::fmt::Debug for GenericRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenericRequest")
            .field("method", &self.method)
            .field("version", &self.version)
            .field("biz_content", &self.biz_content)
            .field("text", &Redacted(&self.text))
            .field("files", &self.files)
            .field("protocol", &Redacted(&self.protocol))
            .finish_non_exhaustive()
    }
}

impl GenericRequest {
    /// A request for `method` (e.g. `alipay.trade.query`), version `1.0`.
    pub fn new(method: impl Into<String>) -> Self {
        GenericRequest {
            method: method.into(),
            version: "1.0".into(),
            biz_content: None,
            text: Vec::new(),
            files: Vec::new(),
            protocol: Vec::new(),
            encrypt: true,
            success_result_codes: Vec::new(),
        }
    }

    /// `biz_content` from a JSON value, sent as serde_json writes it compactly.
    pub fn biz_content(mut self, biz: &Value) -> Self {
        self.biz_content = Some(biz.to_string());
        self
    }

    /// `biz_content` as JSON text, sent as given.
    pub fn biz_content_text(mut self, json: impl Into<String>) -> Self {
        self.biz_content = Some(json.into());
        self
    }

    /// A top-level business parameter (form body, signed). Reserved names and names
    /// given twice make the call fail (see [`CallOptions::param`]).
    pub fn text(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        self.text.push((k.into(), v.into()));
        self
    }

    /// A file part; the request is then sent as `multipart/form-data`.
    pub fn file(mut self, k: impl Into<String>, file: FileUpload) -> Self {
        self.files.push((k.into(), file));
        self
    }

    /// A protocol parameter (URL query, signed), e.g. `notify_url`. Reserved names and
    /// names given twice make the call fail (see [`CallOptions::param`]); a
    /// [`CallOptions`] value of the same name replaces this one.
    pub fn protocol(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        self.protocol.push((k.into(), v.into()));
        self
    }

    /// `version` (default `1.0`).
    pub fn version(mut self, v: impl Into<String>) -> Self {
        self.version = v.into();
        self
    }

    /// Whether to AES-encrypt `biz_content` when the client has an AES key
    /// (default yes).
    pub fn encrypt(mut self, yes: bool) -> Self {
        self.encrypt = yes;
        self
    }

    /// A `code` besides `10000` that counts as success (e.g. `10003`).
    pub fn success_result_code(mut self, code: impl Into<String>) -> Self {
        self.success_result_codes.push(code.into());
        self
    }

    /// The method.
    pub fn method(&self) -> &str {
        &self.method
    }
}

/// A request turned into parts, with what is needed to read its answer.
#[derive(Debug)]
pub struct Prepared {
    pub(crate) parts: RequestParts,
    pub(crate) response_key: Cow<'static, str>,
    pub(crate) extra_success_codes: Vec<Cow<'static, str>>,
    pub(crate) extra_success_result_codes: Vec<Cow<'static, str>>,
    pub(crate) encrypt: bool,
}

mod sealed {
    pub trait Sealed {}
}

/// Requests the client can send to the gateway: every generated [`ServerCall`]
/// request, and [`GenericRequest`].
pub trait Executable: sealed::Sealed {
    /// What a successful call returns.
    type Output: DeserializeOwned;
    #[doc(hidden)]
    fn prepare(&self) -> Prepared;
}

/// Requests that become a page (form or GET URL): every generated [`PageCall`]
/// request, and [`GenericRequest`].
pub trait PageRequest: sealed::Sealed {
    #[doc(hidden)]
    fn prepare_page(&self) -> Prepared;
}

/// Requests that become an app order string: every generated [`AppCall`] request,
/// and [`GenericRequest`].
pub trait AppRequest: sealed::Sealed {
    #[doc(hidden)]
    fn prepare_app(&self) -> Prepared;
}

fn prepare_typed<R: AlipayRequest>(req: &R) -> Prepared {
    let meta = R::META;
    let payload = req.payload();
    Prepared {
        parts: RequestParts {
            method: meta.method.to_owned(),
            version: meta.version.to_owned(),
            protocol: payload
                .protocol
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            biz_content: payload.biz_content,
            text: payload
                .text
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            files: payload
                .files
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        },
        response_key: Cow::Borrowed(meta.response_key),
        extra_success_codes: meta
            .extra_success_codes
            .iter()
            .map(|s| Cow::Borrowed(*s))
            .collect(),
        extra_success_result_codes: meta
            .extra_success_result_codes
            .iter()
            .map(|s| Cow::Borrowed(*s))
            .collect(),
        encrypt: meta.encryptable,
    }
}

impl<R: AlipayRequest> sealed::Sealed for R {}

impl<R: ServerCall> Executable for R {
    type Output = R::Response;
    fn prepare(&self) -> Prepared {
        prepare_typed(self)
    }
}

impl<R: PageCall> PageRequest for R {
    fn prepare_page(&self) -> Prepared {
        prepare_typed(self)
    }
}

impl<R: AppCall> AppRequest for R {
    fn prepare_app(&self) -> Prepared {
        prepare_typed(self)
    }
}

impl sealed::Sealed for GenericRequest {}

impl GenericRequest {
    fn prepared(&self) -> Prepared {
        Prepared {
            parts: RequestParts {
                method: self.method.clone(),
                version: self.version.clone(),
                protocol: self.protocol.clone(),
                biz_content: self.biz_content.clone(),
                text: self.text.clone(),
                files: self.files.clone(),
            },
            response_key: Cow::Owned(format!("{}_response", self.method.replace('.', "_"))),
            extra_success_codes: Vec::new(),
            extra_success_result_codes: self
                .success_result_codes
                .iter()
                .cloned()
                .map(Cow::Owned)
                .collect(),
            encrypt: self.encrypt,
        }
    }
}

impl Executable for GenericRequest {
    type Output = Map<String, Value>;
    fn prepare(&self) -> Prepared {
        self.prepared()
    }
}

impl PageRequest for GenericRequest {
    fn prepare_page(&self) -> Prepared {
        self.prepared()
    }
}

impl AppRequest for GenericRequest {
    fn prepare_app(&self) -> Prepared {
        self.prepared()
    }
}

/// Merges options into the parts and signs.
pub(crate) fn sign(
    settings: &Settings,
    mut prep: Prepared,
    opts: &CallOptions,
) -> Result<(SignedRequest, Prepared), Error> {
    let mut parts = std::mem::take(&mut prep.parts);
    for (k, v) in &opts.params {
        parts.protocol.retain(|(key, _)| key != k);
        parts.protocol.push((k.clone(), v.clone()));
    }
    let aes = if prep.encrypt {
        settings.aes.as_ref()
    } else {
        None
    };
    let signed = sign_request(
        &settings.common,
        parts,
        (settings.clock)(),
        settings.signer.as_ref(),
        aes,
    )?;
    Ok((signed, prep))
}

/// The key for a response, or the SN of a certificate that must be fetched first.
#[allow(clippy::large_enum_variant)] // short-lived, never stored
pub(crate) enum KeyLookup {
    Ready(Option<PublicKey>),
    Fetch(String),
}

pub(crate) fn lookup_key(settings: &Settings, ex: &Extracted<'_>) -> KeyLookup {
    match &settings.verification {
        Verification::Key(k) => KeyLookup::Ready(Some(k.clone())),
        Verification::Cert(state) => {
            let keys = state.keys.read().unwrap_or_else(|p| p.into_inner());
            match ex.alipay_cert_sn.as_deref() {
                // Unsigned answers carry no SN; they are handled as unsigned.
                None => KeyLookup::Ready(keys.get(&state.current_sn).cloned()),
                Some(sn) => match keys.get(sn) {
                    Some(k) => KeyLookup::Ready(Some(k.clone())),
                    None if ex.sign.is_some() => KeyLookup::Fetch(sn.to_owned()),
                    None => KeyLookup::Ready(None),
                },
            }
        }
    }
}

pub(crate) fn context<'a>(
    settings: &'a Settings,
    prep: &'a Prepared,
    codes: &'a [&'a str],
    result_codes: &'a [&'a str],
) -> ResponseContext<'a> {
    ResponseContext {
        method: &prep.parts.method,
        extra_success_codes: codes,
        extra_success_result_codes: result_codes,
        sign_type: settings.common.sign_type,
        aes: if prep.encrypt {
            settings.aes.as_ref()
        } else {
            None
        },
        charset: settings.common.charset,
    }
}

/// Reads a verified answer once the key is known.
pub(crate) fn finish<T: DeserializeOwned>(
    settings: &Settings,
    prep: &Prepared,
    method: &str,
    body: &str,
    ex: &Extracted<'_>,
    key: Option<&PublicKey>,
    trace_id: Option<&str>,
) -> Result<T, Error> {
    let codes: Vec<&str> = prep
        .extra_success_codes
        .iter()
        .map(|c| c.as_ref())
        .collect();
    let result_codes: Vec<&str> = prep
        .extra_success_result_codes
        .iter()
        .map(|c| c.as_ref())
        .collect();
    let mut ctx = context(settings, prep, &codes, &result_codes);
    ctx.method = method;
    let node = response::verify_and_split(&ctx, ex, key, body, trace_id)?;
    response::into_result(&ctx, ex, node, body, trace_id)
}

pub(crate) fn extract<'a>(body: &'a str, prep: &Prepared) -> Result<Extracted<'a>, Error> {
    response::extract(body, &prep.response_key).map_err(|e| e.into_decode_error(body).into())
}

/// The request for a certificate Alipay now signs with.
pub(crate) fn cert_download_request(sn: &str) -> GenericRequest {
    GenericRequest::new("alipay.open.app.alipaycert.download")
        .biz_content(&serde_json::json!({ "alipay_cert_sn": sn }))
        .encrypt(false)
}

/// Checks a downloaded certificate and caches its key. The download answer must
/// verify with a key the client already trusts (never with the certificate it
/// delivers); the certificate must have the asked SN, the configured Alipay
/// certificate's subject and issuer (so no other holder's certificate from the same
/// CA passes), and a valid chain to the configured roots.
pub(crate) fn accept_downloaded_cert(
    settings: &Settings,
    wanted_sn: &str,
    body: &str,
    trace_id: Option<&str>,
) -> Result<(), Error> {
    let Verification::Cert(state) = &settings.verification else {
        return Ok(());
    };
    let unknown = |reason: String| -> Error {
        SignatureError::UnknownCertificate {
            sn: wanted_sn.to_owned(),
            reason,
        }
        .into()
    };
    let prep = cert_download_request(wanted_sn).prepared();
    let ex = extract(body, &prep)?;
    let KeyLookup::Ready(Some(key)) = lookup_key(settings, &ex) else {
        return Err(unknown(format!(
            "the download answer is signed with certificate `{}`, which this client does \
             not trust yet; configure the new Alipay certificate \
             (alipayCertPublicKey_RSA2.crt) from the open platform console",
            ex.alipay_cert_sn.as_deref().unwrap_or_default()
        )));
    };
    let method = prep.parts.method.as_str();
    let map: Map<String, Value> = finish(settings, &prep, method, body, &ex, Some(&key), trace_id)
        .map_err(|e| unknown(format!("the download answer was refused: {e}")))?;
    let content = map
        .get("alipay_cert_content")
        .and_then(Value::as_str)
        .ok_or_else(|| unknown("the download answer has no alipay_cert_content".into()))?;
    use base64::Engine as _;
    let pem = crate::crypto::B64
        .decode(content.trim().as_bytes())
        .map_err(|e| unknown(format!("alipay_cert_content is not base64 ({e})")))?;
    let chain = cert::parse_pem_bundle(&pem, "downloaded Alipay certificate")
        .map_err(|e| unknown(e.to_string()))?;
    let leaf = chain
        .first()
        .ok_or_else(|| unknown("empty certificate".into()))?;
    let sn = leaf.sn().map_err(|e| unknown(e.to_string()))?;
    if sn != wanted_sn {
        return Err(unknown(format!("the downloaded certificate has SN `{sn}`")));
    }
    if !leaf
        .same_identity(&state.pinned)
        .map_err(|e| unknown(e.to_string()))?
    {
        return Err(unknown(
            "it is not Alipay's certificate for this app: its subject or issuer differs \
             from the configured Alipay certificate"
                .into(),
        ));
    }
    let now = (settings.clock)().to_utc().timestamp();
    cert::verify_chain(&chain, &state.roots, now).map_err(unknown)?;
    let new_key = leaf
        .public_key(settings.backend)
        .map_err(|e| unknown(e.to_string()))?;
    state
        .keys
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .insert(sn, new_key);
    Ok(())
}

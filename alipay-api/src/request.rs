//! The contract between generated request types and the runtime.
//!
//! Every generated request implements [`AlipayRequest`]: it names its method, says how
//! it is called, and turns itself into a [`Payload`] of wire parameters. The runtime
//! signs and sends any such request without knowing its concrete type.

use serde::de::DeserializeOwned;

/// How a method is invoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallKind {
    /// A server-to-server call to the gateway with a signed JSON response.
    Server,
    /// A page the buyer's browser is sent to (an auto-submitting HTML form or a GET URL).
    PageRedirect,
    /// A signed order string handed to the Alipay app on the buyer's phone.
    AppOrderString,
    /// A server call sent as `multipart/form-data` with file parts.
    Upload,
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placement {
    /// A key of the JSON object sent as `biz_content`.
    BizContent,
    /// A top-level form parameter of its own.
    Text,
    /// A file part of a multipart upload.
    File,
}

/// Common (protocol-level) parameters a method may take per call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommonParam {
    /// `notify_url`: where Alipay posts asynchronous notifications.
    NotifyUrl,
    /// `return_url`: where the buyer's browser returns after paying.
    ReturnUrl,
    /// `app_auth_token`: acting for a merchant that authorised this app (ISV mode).
    AppAuthToken,
    /// `auth_token`: acting for a user that authorised this app.
    AuthToken,
}

impl CommonParam {
    /// The wire name.
    pub const fn wire_name(self) -> &'static str {
        match self {
            CommonParam::NotifyUrl => "notify_url",
            CommonParam::ReturnUrl => "return_url",
            CommonParam::AppAuthToken => "app_auth_token",
            CommonParam::AuthToken => "auth_token",
        }
    }
}

/// The v3 REST route of a method, where Alipay offers one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct V3Route {
    /// HTTP method, e.g. `POST`.
    pub http_method: &'static str,
    /// Path template, e.g. `/v3/alipay/trade/query`; path params as `{name}`.
    pub path: &'static str,
}

/// Static facts about a method, taken from its spec.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct MethodMeta {
    /// Wire method name, e.g. `alipay.trade.query`.
    pub method: &'static str,
    /// API version sent as `version`.
    pub version: &'static str,
    /// How the method is invoked.
    pub kind: CallKind,
    /// Key of the response node, e.g. `alipay_trade_query_response`.
    pub response_key: &'static str,
    /// `sub_code`s that mean success besides an empty one (e.g. "processing" states).
    pub extra_success_codes: &'static [&'static str],
    /// `code`s other than `10000` that are not failures (e.g. `10003` for
    /// `alipay.trade.pay`: the buyer is still confirming).
    pub extra_success_result_codes: &'static [&'static str],
    /// Whether `biz_content` may be AES-encrypted.
    pub encryptable: bool,
    /// Common parameters the method accepts.
    pub common_params: &'static [CommonParam],
    /// Protocol parameters the method always sends with a fixed value
    /// (e.g. `target_app_id` for e签宝 calls).
    pub fixed_params: &'static [(&'static str, &'static str)],
    /// The v3 REST route, if any.
    pub v3: Option<V3Route>,
    /// Product group (the cargo feature that enables the method).
    pub group: &'static str,
    /// Upstream documentation page.
    pub doc_url: &'static str,
}

/// A file part of an upload.
#[derive(Clone, PartialEq, Eq)]
pub struct FileUpload {
    /// File name sent in the part's `Content-Disposition`.
    pub file_name: String,
    /// MIME type; guessed from the file name by the runtime when `None`.
    pub content_type: Option<String>,
    /// The content.
    pub bytes: Vec<u8>,
}

impl FileUpload {
    /// A file part from a name and its bytes.
    pub fn new(file_name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        FileUpload {
            file_name: file_name.into(),
            content_type: None,
            bytes: bytes.into(),
        }
    }

    /// Sets the MIME type explicitly.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

impl std::fmt::Debug for FileUpload {
    // File contents can be megabytes; show their size only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileUpload")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// The wire parameters of one request, before signing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Payload {
    /// Protocol-level parameters set on the request (`notify_url`, `return_url`,
    /// `app_auth_token`, `auth_token`, fixed params such as `target_app_id`); they
    /// travel in the URL query like the other protocol parameters.
    pub protocol: Vec<(&'static str, String)>,
    /// The compact JSON text of `biz_content`, keys in wire-name order, if the
    /// method takes one.
    pub biz_content: Option<String>,
    /// Top-level business parameters, sent in the form body.
    pub text: Vec<(&'static str, String)>,
    /// File parts of an upload; never signed.
    pub files: Vec<(&'static str, FileUpload)>,
}

/// A validated request for one Alipay method. Implemented by every generated request
/// type; the runtime's client executes any implementor.
pub trait AlipayRequest {
    /// The typed response (the content of the `<method>_response` node).
    type Response: DeserializeOwned;

    /// Static facts about the method.
    const META: &'static MethodMeta;

    /// The wire parameters of this request.
    fn payload(&self) -> Payload;
}

/// Marker for requests that are sent to the gateway and answered there
/// ([`CallKind::Server`] and [`CallKind::Upload`]).
pub trait ServerCall: AlipayRequest {}

/// Marker for requests that become a page the buyer is sent to
/// ([`CallKind::PageRedirect`]).
pub trait PageCall: AlipayRequest {}

/// Marker for requests that become an order string for the Alipay app
/// ([`CallKind::AppOrderString`]).
pub trait AppCall: AlipayRequest {}

//! The contract between generated request types and the runtime.
//!
//! Every generated request implements [`AlipayRequest`]: it names its method, says how
//! it is called, and turns itself into a [`Payload`] of wire parameters. The runtime
//! signs and sends any such request without knowing its concrete type.

use serde::Serialize;
use serde::de::DeserializeOwned;

mod wire_form;

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

// Const builders keep each generated method's facts to a few lines.
impl MethodMeta {
    /// A method with the defaults: version `1.0`, no extra success codes, not
    /// encryptable, no common or fixed params, no v3 route, no docs link.
    pub const fn new(
        method: &'static str,
        response_key: &'static str,
        kind: CallKind,
        group: &'static str,
    ) -> Self {
        MethodMeta {
            method,
            version: "1.0",
            kind,
            response_key,
            extra_success_codes: &[],
            extra_success_result_codes: &[],
            encryptable: false,
            common_params: &[],
            fixed_params: &[],
            v3: None,
            group,
            doc_url: "",
        }
    }

    /// Sets the API version.
    pub const fn version(mut self, version: &'static str) -> Self {
        self.version = version;
        self
    }

    /// Sets the docs page.
    pub const fn doc_url(mut self, url: &'static str) -> Self {
        self.doc_url = url;
        self
    }

    /// Marks `biz_content` as encryptable.
    pub const fn encryptable(mut self) -> Self {
        self.encryptable = true;
        self
    }

    /// Sets the common params the method accepts.
    pub const fn common_params(mut self, params: &'static [CommonParam]) -> Self {
        self.common_params = params;
        self
    }

    /// Sets the `code`s besides 10000 that are not failures.
    pub const fn success_codes(mut self, codes: &'static [&'static str]) -> Self {
        self.extra_success_result_codes = codes;
        self
    }

    /// Sets the `sub_code`s that mean success.
    pub const fn success_sub_codes(mut self, codes: &'static [&'static str]) -> Self {
        self.extra_success_codes = codes;
        self
    }

    /// Sets the protocol params always sent.
    pub const fn fixed_params(mut self, params: &'static [(&'static str, &'static str)]) -> Self {
        self.fixed_params = params;
        self
    }

    /// Sets the v3 route.
    pub const fn v3(mut self, http_method: &'static str, path: &'static str) -> Self {
        self.v3 = Some(V3Route { http_method, path });
        self
    }
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

/// The common (protocol-level) parameters a request carries. Tokens never appear in
/// `Debug` output.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CommonParams {
    /// `notify_url`.
    pub notify_url: Option<String>,
    /// `return_url`.
    pub return_url: Option<String>,
    /// `app_auth_token`.
    pub app_auth_token: Option<String>,
    /// `auth_token`.
    pub auth_token: Option<String>,
}

impl std::fmt::Debug for CommonParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hide = |t: &Option<String>| t.as_ref().map(|_| "<redacted>");
        f.debug_struct("CommonParams")
            .field("notify_url", &self.notify_url)
            .field("return_url", &self.return_url)
            .field("app_auth_token", &hide(&self.app_auth_token))
            .field("auth_token", &hide(&self.auth_token))
            .finish()
    }
}

impl CommonParams {
    /// The set ones, by wire name, in a fixed order.
    fn pairs(&self) -> impl Iterator<Item = (&'static str, &String)> {
        [
            ("notify_url", &self.notify_url),
            ("return_url", &self.return_url),
            ("app_auth_token", &self.app_auth_token),
            ("auth_token", &self.auth_token),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
    }
}

/// A generated request type, before validation: what the spec says about its method,
/// its typed response, and the parts of it that do not travel in `biz_content`.
/// Call `build()` on it to get a [`Validated`] request the client can send.
pub trait Method: Serialize + Sized {
    /// The typed response (the content of the `<method>_response` node).
    type Response: DeserializeOwned;
    /// Static facts about the method.
    const META: &'static MethodMeta;
    /// The method's spec.
    fn schema() -> &'static crate::schema::MethodSchema;
    /// The common parameters set on this request.
    fn common(&self) -> &CommonParams;
    /// The file parts of an upload.
    fn files(&self) -> Vec<(&'static str, FileUpload)>;
}

/// Marker for methods sent to the gateway and answered there (server calls, uploads).
pub trait ServerMethod: Method {}
/// Marker for methods that become a page the buyer is sent to.
pub trait PageMethod: Method {}
/// Marker for methods that become an order string for the Alipay app.
pub trait AppMethod: Method {}

/// A request that passed every check of its method's spec, with its wire form computed
/// once. Read its parameters through `Deref`; it cannot be changed any more.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated<R> {
    request: R,
    biz_content: Option<String>,
    text: Vec<(&'static str, String)>,
}

impl<R> std::ops::Deref for Validated<R> {
    type Target = R;
    fn deref(&self) -> &R {
        &self.request
    }
}

impl<R: Method> Validated<R> {
    /// Serialises `request`, fills in the spec's defaults and fixed values, and runs the
    /// spec's validator over exactly what will be sent.
    #[allow(
        dead_code,
        reason = "generated builders call it; a build with no family has none"
    )]
    pub(crate) fn new(request: R) -> Result<Self, crate::ValidationError> {
        let schema = R::schema();
        let mut biz = match serde_json::to_value(&request) {
            Ok(serde_json::Value::Object(m)) => m,
            // Generated types always serialise to an object; fail closed if not.
            _ => serde_json::Map::new(),
        };
        wire_form::strip_nulls(&mut biz);
        wire_form::fill_constants(&mut biz, schema.params);
        let text = wire_form::take_text(&mut biz, schema.params);
        let files = request.files();
        let sizes: Vec<(&str, u64)> = files
            .iter()
            .map(|(k, f)| (*k, f.bytes.len() as u64))
            .collect();
        let lookup = |k: &str| text.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
        let biz = serde_json::Value::Object(biz);
        crate::schema::validate_request(schema, Some(&biz), &lookup, &sizes)?;
        let has_biz = schema
            .params
            .iter()
            .any(|p| p.placement == Placement::BizContent);
        let biz_content = match biz {
            serde_json::Value::Object(m) if has_biz || !m.is_empty() => {
                Some(serde_json::to_string(&m).unwrap_or_else(|_| String::from("{}")))
            }
            _ => None,
        };
        Ok(Validated {
            request,
            biz_content,
            text,
        })
    }

    /// The request as built.
    pub fn into_inner(self) -> R {
        self.request
    }
}

impl<R: Method> AlipayRequest for Validated<R> {
    type Response = R::Response;
    const META: &'static MethodMeta = R::META;

    fn payload(&self) -> Payload {
        let mut protocol: Vec<(&'static str, String)> = self
            .request
            .common()
            .pairs()
            .map(|(k, v)| (k, v.clone()))
            .collect();
        for (k, v) in Self::META.fixed_params {
            protocol.push((*k, String::from(*v)));
        }
        Payload {
            protocol,
            biz_content: self.biz_content.clone(),
            text: self.text.clone(),
            files: self.request.files(),
        }
    }
}

impl<R: ServerMethod> ServerCall for Validated<R> {}
impl<R: PageMethod> PageCall for Validated<R> {}
impl<R: AppMethod> AppCall for Validated<R> {}

/// A generated notification type: what the spec says about it. Implemented by every
/// type under the family modules that [`Client::parse_notification`](crate::Client::parse_notification)
/// reads.
pub trait Notification: DeserializeOwned {
    /// The notification's spec.
    fn schema() -> &'static crate::schema::NotificationSchema;
}

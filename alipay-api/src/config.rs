//! Client configuration: [`ClientBuilder`] turns what the console hands out (app id,
//! keys or certificates, AES key) into a [`crate::Client`]. Every mistake is a typed
//! [`ConfigError`] at build time.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::crypto::aes::AesKey;
use crate::crypto::cert::{self, Certificate};
use crate::crypto::{Backend, PrivateKey, PublicKey, SignType, Signer};
use crate::error::ConfigError;
use crate::protocol::Charset;
use crate::protocol::request::{CommonParams, RESERVED_PARAMS};
use crate::types::BeijingDateTime;

mod app;
pub use app::{AppConfig, env, parse_gateway};

/// The production gateway.
pub const PRODUCTION_GATEWAY: &str = "https://openapi.alipay.com/gateway.do";
/// The sandbox gateway (沙箱环境).
pub const SANDBOX_GATEWAY: &str = "https://openapi-sandbox.dl.alipaydev.com/gateway.do";

/// Where requests go.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Gateway {
    /// `https://openapi.alipay.com/gateway.do`.
    #[default]
    Production,
    /// `https://openapi-sandbox.dl.alipaydev.com/gateway.do`.
    Sandbox,
    /// Any URL (a local gateway, a proxy).
    Custom(String),
}

impl Gateway {
    /// The URL.
    pub fn url(&self) -> &str {
        match self {
            Gateway::Production => PRODUCTION_GATEWAY,
            Gateway::Sandbox => SANDBOX_GATEWAY,
            Gateway::Custom(u) => u,
        }
    }
}

/// A certificate file given by path or by content.
#[derive(Clone, PartialEq, Eq)]
pub enum CertSource {
    /// A file to read at build time.
    Path(PathBuf),
    /// The PEM content.
    Bytes(Vec<u8>),
}

impl fmt::Debug for CertSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertSource::Path(p) => write!(f, "Path({p:?})"),
            CertSource::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
        }
    }
}

impl CertSource {
    /// A certificate file by path.
    pub fn path(p: impl Into<PathBuf>) -> Self {
        CertSource::Path(p.into())
    }

    /// A certificate by its PEM content.
    pub fn bytes(b: impl Into<Vec<u8>>) -> Self {
        CertSource::Bytes(b.into())
    }

    fn load(&self) -> Result<Vec<u8>, ConfigError> {
        match self {
            CertSource::Bytes(b) => Ok(b.clone()),
            CertSource::Path(p) => std::fs::read(p).map_err(|e| ConfigError::File {
                path: p.display().to_string(),
                reason: e.to_string(),
            }),
        }
    }
}

/// The source of "now" for `timestamp`; injectable for reproducible tests.
pub type Clock = Arc<dyn Fn() -> BeijingDateTime + Send + Sync>;

/// Certificate-mode state: the trusted roots, the configured Alipay certificate
/// (which every downloaded one must match in subject and issuer) and every Alipay
/// key known so far, by SN.
pub(crate) struct CertState {
    pub(crate) roots: Vec<Certificate>,
    pub(crate) pinned: Certificate,
    pub(crate) current_sn: String,
    pub(crate) keys: RwLock<HashMap<String, PublicKey>>,
}

/// How Alipay's signatures are checked.
pub(crate) enum Verification {
    Key(PublicKey),
    Cert(CertState),
}

impl Verification {
    /// Every key that may have signed a notification.
    pub(crate) fn all_keys(&self) -> Vec<PublicKey> {
        match self {
            Verification::Key(k) => vec![k.clone()],
            Verification::Cert(c) => {
                let keys = c.keys.read().unwrap_or_else(|p| p.into_inner());
                let mut out: Vec<PublicKey> = Vec::with_capacity(keys.len());
                if let Some(k) = keys.get(&c.current_sn) {
                    out.push(k.clone());
                }
                out.extend(
                    keys.iter()
                        .filter(|(sn, _)| **sn != c.current_sn)
                        .map(|(_, k)| k.clone()),
                );
                out
            }
        }
    }
}

/// Everything a client needs, shared by the async and blocking clients.
pub(crate) struct Settings {
    pub(crate) common: CommonParams,
    pub(crate) signer: Arc<dyn Signer>,
    pub(crate) verification: Verification,
    pub(crate) gateway: String,
    pub(crate) aes: Option<AesKey>,
    pub(crate) clock: Clock,
    pub(crate) backend: Backend,
    /// Whether notifications must name this app (`app_id`, `auth_app_id`).
    pub(crate) check_notify_app: bool,
    /// The whole-request timeout, set on every request.
    pub(crate) timeout: Duration,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("app_id", &self.common.app_id)
            .field("sign_type", &self.common.sign_type)
            .field("gateway", &self.gateway)
            .field(
                "mode",
                &match self.verification {
                    Verification::Key(_) => "key",
                    Verification::Cert(_) => "certificate",
                },
            )
            .field("aes", &self.aes.is_some())
            .finish_non_exhaustive()
    }
}

/// A configured app id: present, digits only.
fn checked_app_id(app_id: Option<String>) -> Result<String, ConfigError> {
    let app_id = app_id
        .filter(|s| !s.trim().is_empty())
        .ok_or(ConfigError::Missing("app_id"))?;
    if !app_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ConfigError::Invalid {
            field: "app_id",
            reason: format!("`{app_id}` is not an app id (digits only, e.g. 2021000000000001)"),
        });
    }
    Ok(app_id)
}

/// Certificate mode, loaded and checked: the SNs the requests carry and what answers
/// are verified with.
struct CertMode {
    app_cert_sn: String,
    root_cert_sn: String,
    state: CertState,
}

impl CertMode {
    /// Loads the app, Alipay and root certificates and refuses the mix-ups that make
    /// every later check fail: the app's own key as Alipay's, an app certificate for
    /// another key, a key too short for the sign type.
    fn load(
        (app, alipay, root): (CertSource, CertSource, CertSource),
        backend: Backend,
        sign_type: SignType,
        own_public: Option<&PublicKey>,
    ) -> Result<CertMode, ConfigError> {
        let app_pem = app.load()?;
        let alipay_pem = alipay.load()?;
        let root_pem = root.load()?;
        let app_certs = cert::parse_pem_bundle(&app_pem, "app certificate")?;
        let alipay_certs = cert::parse_pem_bundle(&alipay_pem, "Alipay certificate")?;
        let roots = cert::parse_pem_bundle(&root_pem, "Alipay root certificate")?;
        let app_leaf = app_certs
            .first()
            .ok_or(ConfigError::Missing("app certificate"))?;
        let alipay_leaf = alipay_certs
            .first()
            .ok_or(ConfigError::Missing("Alipay certificate"))?;
        let alipay_key = alipay_leaf.public_key(backend)?;
        check_key_length(&alipay_key, sign_type, "Alipay certificate")?;
        let app_key = app_leaf.public_key(backend)?;
        if app_key == alipay_key || own_public == Some(&alipay_key) {
            return Err(ConfigError::Certificate {
                what: "Alipay certificate",
                reason: "it holds your app's own public key; use alipayCertPublicKey_RSA2.crt, not your app certificate".into(),
            });
        }
        if own_public.is_some_and(|own| *own != app_key) {
            return Err(ConfigError::Certificate {
                what: "app certificate",
                reason:
                    "it does not match the app private key; use the certificate issued for this key"
                        .into(),
            });
        }
        let current_sn = alipay_leaf.sn()?;
        let mut keys = HashMap::new();
        keys.insert(current_sn.clone(), alipay_key);
        Ok(CertMode {
            app_cert_sn: app_leaf.sn()?,
            root_cert_sn: cert::root_sn(&root_pem)?,
            state: CertState {
                roots,
                pinned: alipay_leaf.clone(),
                current_sn,
                keys: RwLock::new(keys),
            },
        })
    }
}

/// Refuses an Alipay key too short for the sign type (it could never verify).
fn check_key_length(
    key: &PublicKey,
    sign_type: SignType,
    what: &'static str,
) -> Result<(), ConfigError> {
    let min = sign_type.min_key_bits();
    if key.bits() < min {
        return Err(ConfigError::Key {
            what,
            reason: format!(
                "it is a {}-bit key; {sign_type} needs at least {min} bits: use the key \
                 Alipay shows for this app and sign type",
                key.bits()
            ),
        });
    }
    Ok(())
}

/// The gateway URL without a `charset` in its query (SDK examples often end in
/// `?charset=utf-8`): the client sends `charset` itself, so keeping it would send it
/// twice. A `charset` other than the client's, or any other parameter the client
/// sets itself, is refused.
fn gateway_without_charset(
    gateway: String,
    mut url: reqwest::Url,
    charset: Charset,
) -> Result<String, ConfigError> {
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let mut kept = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        let ours = k == "charset" && Charset::from_label(&v) == Some(charset);
        if ours {
            continue;
        }
        if RESERVED_PARAMS.contains(&k.as_str()) {
            return Err(ConfigError::Invalid {
                field: "gateway",
                reason: format!(
                    "its query sets `{k}`, which the client sends itself; remove it from \
                     the URL (set the charset with ClientBuilder::charset)"
                ),
            });
        }
        kept.push((k, v));
    }
    if kept.len() == url.query_pairs().count() {
        return Ok(gateway);
    }
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    Ok(url.into())
}

/// Whether a URL may be used: `https`, or plain `http` to a loopback host (a local
/// test gateway or storage). Anything else would expose tokens or content.
pub(crate) fn secure_or_loopback(url: &reqwest::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => {
            let host = url.host_str().unwrap_or_default();
            // IPv6 hosts come bracketed: `[::1]`.
            let ip = host.trim_start_matches('[').trim_end_matches(']');
            host.eq_ignore_ascii_case("localhost")
                || ip
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        _ => false,
    }
}

/// Refuses anything but `https`, except plain `http` to a loopback host (a local
/// test gateway): the query carries tokens, the body the business content.
fn check_gateway_scheme(url: &reqwest::Url) -> Result<(), ConfigError> {
    match url.scheme() {
        _ if secure_or_loopback(url) => Ok(()),
        "http" => Err(ConfigError::InsecureGateway {
            host: url.host_str().unwrap_or_default().to_owned(),
        }),
        _ => Err(ConfigError::Invalid {
            field: "gateway",
            reason: format!("`{url}` is not an https URL"),
        }),
    }
}

/// Builds a client. Required: [`app_id`](Self::app_id), the app private key (or a
/// [`Signer`]), and either Alipay's public key or certificate mode.
///
/// ```no_run
/// # fn main() -> Result<(), alipay_api::ConfigError> {
/// let client = alipay_api::Client::builder()
///     .app_id("2021000000000001")
///     .private_key(std::fs::read_to_string("app_private_key.pem").unwrap())
///     .alipay_public_key(std::fs::read_to_string("alipay_public_key.pem").unwrap())
///     .sandbox()
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct ClientBuilder {
    app_id: Option<String>,
    private_key: Option<String>,
    signer: Option<Arc<dyn Signer>>,
    alipay_public_key: Option<String>,
    certs: Option<(CertSource, CertSource, CertSource)>,
    sign_type: SignType,
    gateway: Gateway,
    aes_key: Option<String>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    proxy: Option<String>,
    pub(crate) http_client: Option<reqwest::Client>,
    backend: Option<Backend>,
    omit_format: bool,
    clock: Option<Clock>,
    any_notify_app: bool,
    charset: Charset,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        f.debug_struct("ClientBuilder")
            .field("app_id", &self.app_id)
            .field(
                "private_key",
                &self.private_key.as_ref().map(|_| "<redacted>"),
            )
            .field("signer", &self.signer)
            .field("gateway", &self.gateway)
            .field("sign_type", &self.sign_type)
            .finish_non_exhaustive()
    }
}

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default timeout of a whole request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

impl ClientBuilder {
    /// A builder with defaults: RSA2, production gateway, 10 s connect and 30 s
    /// request timeouts.
    pub fn new() -> Self {
        Self::default()
    }

    /// The app id (`app_id`).
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// The app private key (应用私钥): PKCS#1 or PKCS#8, PEM or bare base64.
    pub fn private_key(mut self, key: impl Into<String>) -> Self {
        self.private_key = Some(key.into());
        self
    }

    /// Signs with a custom [`Signer`] (KMS, HSM) instead of an in-memory key.
    pub fn signer(mut self, signer: Arc<dyn Signer>) -> Self {
        self.signer = Some(signer);
        self
    }

    /// Key mode: Alipay's public key (支付宝公钥), PEM or bare base64.
    pub fn alipay_public_key(mut self, key: impl Into<String>) -> Self {
        self.alipay_public_key = Some(key.into());
        self
    }

    /// Certificate mode: the app certificate (`appCertPublicKey_*.crt`), Alipay's
    /// certificate (`alipayCertPublicKey_RSA2.crt`) and Alipay's root bundle
    /// (`alipayRootCert.crt`).
    pub fn certificates(
        mut self,
        app_cert: CertSource,
        alipay_cert: CertSource,
        alipay_root_cert: CertSource,
    ) -> Self {
        self.certs = Some((app_cert, alipay_cert, alipay_root_cert));
        self
    }

    /// The charset requests are encoded, signed and sent in, and answers read in
    /// (default UTF-8). [`Charset::Gbk`] is for integrations that still use GBK: a
    /// request with characters GBK cannot encode then fails before it is sent.
    pub fn charset(mut self, charset: Charset) -> Self {
        self.charset = charset;
        self
    }

    /// `RSA2` (default) or the legacy `RSA`.
    pub fn sign_type(mut self, sign_type: SignType) -> Self {
        self.sign_type = sign_type;
        self
    }

    /// The gateway.
    pub fn gateway(mut self, gateway: Gateway) -> Self {
        self.gateway = gateway;
        self
    }

    /// The sandbox gateway.
    pub fn sandbox(self) -> Self {
        self.gateway(Gateway::Sandbox)
    }

    /// A gateway URL of your own (e.g. a local test gateway).
    pub fn gateway_url(self, url: impl Into<String>) -> Self {
        self.gateway(Gateway::Custom(url.into()))
    }

    /// The AES content-encryption key (base64, as the console shows it). Methods
    /// that support it then send `biz_content` encrypted.
    pub fn aes_key(mut self, key: impl Into<String>) -> Self {
        self.aes_key = Some(key.into());
        self
    }

    /// Connect timeout (default 10 s). Ignored with [`http_client`](Self::http_client),
    /// whose own connect timeout applies (the whole-request [`timeout`](Self::timeout)
    /// still bounds connecting too).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = Some(t);
        self
    }

    /// Timeout of a whole request (default 30 s), from connecting to the last byte of
    /// the answer. Applied to every request, also with
    /// [`http_client`](Self::http_client).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }

    /// An HTTP(S) proxy URL for every request. Ignored with
    /// [`http_client`](Self::http_client).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// Uses this `reqwest::Client` (its own proxy, connect timeout and redirect policy
    /// apply; the whole-request [`timeout`](Self::timeout) is still set on every
    /// request, so a client built without timeouts cannot wait forever).
    /// Build it with `.redirect(reqwest::redirect::Policy::none())`: the built-in
    /// client never follows a redirect, which would re-send a signed request and its
    /// tokens wherever the answer points, but this one's policy cannot be changed.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The RSA backend (default: aws-lc-rs when the `aws-lc` feature is on).
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = Some(backend);
        self
    }

    /// Leaves `format=json` out of requests, as the Node SDK does (reproduces its
    /// signatures). Alipay accepts both.
    pub fn omit_format(mut self) -> Self {
        self.omit_format = true;
        self
    }

    /// Accepts verified notifications and return parameters whatever app they name.
    ///
    /// By default a notification must carry this client's app id in `app_id`, and in
    /// `auth_app_id` when present, or it is refused with [`crate::error::WrongAppError`]:
    /// Alipay signs every app's notifications with the same platform key, so a genuine
    /// notification for another app must not pass as one for this app. An ISV acting
    /// for merchants' apps (whose `auth_app_id` is the merchant's) turns this off and
    /// checks `app_id` and `auth_app_id` against its own records instead.
    pub fn accept_notifications_for_any_app(mut self) -> Self {
        self.any_notify_app = true;
        self
    }

    /// The clock for `timestamp` (default: the system clock, in Beijing time).
    pub fn clock(mut self, clock: impl Fn() -> BeijingDateTime + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Builds the asynchronous client.
    pub fn build(self) -> Result<crate::client::Client, ConfigError> {
        let http = match &self.http_client {
            Some(c) => c.clone(),
            None => {
                // Never follow a redirect: it would re-send the signed request and
                // its tokens wherever the answer points.
                let mut b = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT));
                if let Some(p) = &self.proxy {
                    b = b.proxy(reqwest::Proxy::all(p).map_err(|e| ConfigError::Invalid {
                        field: "proxy",
                        reason: format!("{e}; give a URL such as http://proxy:8080"),
                    })?);
                }
                b.build().map_err(|e| ConfigError::Invalid {
                    field: "http_client",
                    reason: e.to_string(),
                })?
            }
        };
        let settings = self.settings()?;
        Ok(crate::client::Client::from_parts(Arc::new(settings), http))
    }

    /// Builds the blocking client (the async client driven by its own runtime).
    /// Use it from synchronous code, not from inside async code.
    #[cfg(feature = "blocking")]
    pub fn build_blocking(self) -> Result<crate::blocking::Client, ConfigError> {
        crate::blocking::Client::new(self.build()?).map_err(|e| ConfigError::Invalid {
            field: "blocking",
            reason: format!("could not start the blocking client's runtime: {e}"),
        })
    }

    pub(crate) fn settings(self) -> Result<Settings, ConfigError> {
        let app_id = checked_app_id(self.app_id)?;
        let backend = self.backend.unwrap_or_default();
        let signer: Arc<dyn Signer> = match (self.signer, self.private_key) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::Invalid {
                    field: "private_key",
                    reason: "both a private key and a custom signer are set; keep one".into(),
                });
            }
            (Some(s), None) => s,
            (None, Some(k)) => Arc::new(PrivateKey::from_text_with(&k, backend)?),
            (None, None) => return Err(ConfigError::Missing("private_key")),
        };
        let own_public = signer.public_key();
        let gateway = self.gateway.url().to_owned();
        let parsed = reqwest::Url::parse(&gateway).map_err(|e| ConfigError::Invalid {
            field: "gateway",
            reason: format!("`{gateway}` is not a URL ({e})"),
        })?;
        check_gateway_scheme(&parsed)?;
        let gateway = gateway_without_charset(gateway, parsed, self.charset)?;
        let mut common = CommonParams::new(app_id);
        common.sign_type = self.sign_type;
        common.charset = self.charset;
        if self.omit_format {
            common.format = None;
        }
        let verification = match (self.alipay_public_key, self.certs) {
            (Some(_), Some(_)) => return Err(ConfigError::Ambiguous),
            (None, None) => {
                return Err(ConfigError::Missing("alipay_public_key (or certificates)"));
            }
            (Some(text), None) => {
                let key = PublicKey::from_text_with(&text, backend)?;
                check_key_length(&key, self.sign_type, "Alipay public key")?;
                if own_public.as_ref() == Some(&key) {
                    return Err(ConfigError::OwnPublicKey);
                }
                Verification::Key(key)
            }
            (None, Some(sources)) => {
                let certs = CertMode::load(sources, backend, self.sign_type, own_public.as_ref())?;
                common.app_cert_sn = Some(certs.app_cert_sn);
                common.alipay_root_cert_sn = Some(certs.root_cert_sn);
                Verification::Cert(certs.state)
            }
        };
        let aes = self
            .aes_key
            .as_deref()
            .map(AesKey::from_base64)
            .transpose()?;
        Ok(Settings {
            common,
            signer,
            verification,
            gateway,
            aes,
            clock: self.clock.unwrap_or_else(|| Arc::new(BeijingDateTime::now)),
            backend,
            check_notify_app: !self.any_notify_app,
            timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
        })
    }
}

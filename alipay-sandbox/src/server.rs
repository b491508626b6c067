//! The running gateway: shared state, the HTTP routes and the test-facing handle.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use alipay_api::crypto::aes::AesKey;
use alipay_api::crypto::cert;
use alipay_api::{PrivateKey, PublicKey};
use axum::body::Body;
use axum::extract::{Path, Request, State as AxState};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use tokio::sync::watch;

use crate::config::SandboxConfig;
use crate::error::SandboxError;
use crate::gateway::{self, Outcome};
use crate::keys::{self, SandboxKeys};
use crate::reply::{self, Failure, Node};
use crate::state::{Notification, Refund, State, Trade};

/// Largest request body accepted (uploads included).
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// The key the platform signs with now, and every certificate it ever used.
pub(crate) struct Platform {
    pub(crate) signer: Arc<PrivateKey>,
    pub(crate) cert_sn: Option<String>,
    certs: HashMap<String, String>,
}

/// Everything the handlers share.
pub(crate) struct Shared {
    pub(crate) config: SandboxConfig,
    pub(crate) keys: SandboxKeys,
    pub(crate) app_public: PublicKey,
    pub(crate) app_cert_sn: Option<String>,
    pub(crate) root_sn: Option<String>,
    pub(crate) aes: Option<AesKey>,
    pub(crate) base_url: String,
    pub(crate) http: reqwest::Client,
    pub(crate) shutdown: watch::Receiver<bool>,
    pub(crate) runtime: tokio::runtime::Handle,
    platform: RwLock<Arc<Platform>>,
    state: Mutex<State>,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not take the gateway down with it.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn platform(&self) -> Arc<Platform> {
        self.platform
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn platform_signer(&self) -> Arc<PrivateKey> {
        self.platform().signer.clone()
    }

    pub(crate) fn cert_by_sn(&self, sn: &str) -> Option<String> {
        self.platform().certs.get(sn).cloned()
    }
}

fn cred_err(what: &'static str) -> impl Fn(alipay_api::ConfigError) -> SandboxError {
    move |e| SandboxError::Credentials {
        what,
        reason: e.to_string(),
    }
}

/// A running sandbox gateway on 127.0.0.1. Dropping it stops the server and every
/// pending notification.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let gw = alipay_sandbox::Sandbox::start().await?;
/// let client = gw.client()?;
/// # let _ = client;
/// gw.shutdown().await;
/// # Ok(()) }
/// ```
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("url", &self.gateway_url())
            .field("keys", &self.shared.keys)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts a gateway with the default configuration and fresh keys.
    pub async fn start() -> Result<Sandbox, SandboxError> {
        Self::start_with(SandboxConfig::new()).await
    }

    /// Starts a gateway with this configuration.
    pub async fn start_with(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        let keys = match config.keys.clone() {
            Some(k) => k,
            None => {
                let (app_id, cert_mode, aes) =
                    (config.app_id.clone(), config.cert_mode, config.aes);
                // RSA key generation takes a while: keep it off the async workers.
                tokio::task::spawn_blocking(move || SandboxKeys::generate(&app_id, cert_mode, aes))
                    .await
                    .map_err(|e| SandboxError::KeyGeneration(e.to_string()))??
            }
        };
        let signer = PrivateKey::from_text(&keys.alipay_private_key)
            .map_err(cred_err("Alipay private key"))?;
        let (app_public, app_cert_sn, root_sn, cert_sn, certs) = match &keys.certs {
            Some(c) => {
                let (app_sn, alipay_sn, root_sn) = keys::cert_sns(c)?;
                let app_cert = cert::parse_pem_bundle(c.app_cert.as_bytes(), "app certificate")
                    .map_err(cred_err("app certificate"))?;
                let leaf = app_cert.first().ok_or(SandboxError::Credentials {
                    what: "app certificate",
                    reason: "the file holds no certificate".into(),
                })?;
                let app_public = leaf
                    .public_key(alipay_api::Backend::default())
                    .map_err(cred_err("app certificate"))?;
                let mut certs = HashMap::new();
                certs.insert(alipay_sn.clone(), c.alipay_cert.clone());
                (
                    app_public,
                    Some(app_sn),
                    Some(root_sn),
                    Some(alipay_sn),
                    certs,
                )
            }
            None => (
                PublicKey::from_text(&keys.app_public_key).map_err(cred_err("app public key"))?,
                None,
                None,
                None,
                HashMap::new(),
            ),
        };
        let aes = keys
            .aes_key
            .as_deref()
            .map(AesKey::from_base64)
            .transpose()
            .map_err(cred_err("AES key"))?;
        let bind = SocketAddr::from(([127, 0, 0, 1], config.port));
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|source| SandboxError::Bind {
                addr: bind.to_string(),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
            addr: bind.to_string(),
            source,
        })?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SandboxError::KeyGeneration(format!("HTTP client: {e}")))?;
        let (stop, shutdown) = watch::channel(false);
        let state = State {
            balance: config.seller_balance,
            ..State::default()
        };
        let shared = Arc::new(Shared {
            config,
            keys,
            app_public,
            app_cert_sn,
            root_sn,
            aes,
            base_url: format!("http://{addr}"),
            http,
            shutdown: shutdown.clone(),
            runtime: tokio::runtime::Handle::current(),
            platform: RwLock::new(Arc::new(Platform {
                signer: Arc::new(signer),
                cert_sn,
                certs,
            })),
            state: Mutex::new(state),
        });
        let app = Router::new()
            .route("/gateway.do", any(gateway_route))
            .route("/sandbox/qr/{trade_no}", get(scan_route))
            .route("/sandbox/bill/{token}", get(bill_route))
            .route("/sandbox/images/{id}", get(image_route))
            .with_state(shared.clone());
        let mut stopped = shutdown;
        let server = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|s| *s).await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "the sandbox server stopped");
            }
        });
        Ok(Sandbox {
            shared,
            addr,
            stop,
            server: Some(server),
        })
    }

    /// The gateway URL (`http://127.0.0.1:<port>/gateway.do`).
    pub fn gateway_url(&self) -> String {
        format!("{}/gateway.do", self.shared.base_url)
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The credentials of the app and the platform.
    pub fn keys(&self) -> &SandboxKeys {
        &self.shared.keys
    }

    /// The merchant's partner id (`seller_id`).
    pub fn seller_id(&self) -> &str {
        &self.shared.config.seller_id
    }

    /// A client builder configured for this gateway (app id, keys or certificates,
    /// AES key, URL). Add your own settings before `build()`.
    pub fn client_builder(&self) -> alipay_api::ClientBuilder {
        self.shared
            .keys
            .client_builder()
            .gateway_url(self.gateway_url())
    }

    /// A client for this gateway.
    pub fn client(&self) -> Result<alipay_api::Client, SandboxError> {
        Ok(self.client_builder().build()?)
    }

    /// The simulated buyer pays an unpaid trade (as if they scanned the code or
    /// confirmed in the app); the notification goes out as usual.
    pub fn pay_trade(&self, out_trade_no: &str) -> Result<Trade, SandboxError> {
        let paid = {
            let mut st = self.shared.lock();
            if !st.trades.contains_key(out_trade_no) {
                return Err(SandboxError::UnknownTrade(out_trade_no.to_owned()));
            }
            crate::behave::mark_paid(&mut st, out_trade_no, None).map_err(|(k, status)| {
                SandboxError::TradeState {
                    out_trade_no: k,
                    status: status.to_string(),
                }
            })?
        };
        crate::notify::trade_changed(&self.shared, &paid, None);
        Ok(paid)
    }

    /// Hands a signed app order string (from `app_order_string`) to the platform
    /// as the Alipay app would: it is checked like any request, and the trade is
    /// created and paid.
    pub async fn pay_app_order(&self, order_string: &str) -> Result<Trade, SandboxError> {
        let params = crate::wire::read(
            None,
            None,
            bytes::Bytes::copy_from_slice(order_string.as_bytes()),
        )
        .await
        .map_err(|e| SandboxError::Rejected {
            code: "40002".into(),
            sub_code: "isv.invalid-parameter".into(),
            sub_msg: e.to_string(),
        })?;
        let Outcome::Json(body, _) = gateway::process(&self.shared, &params) else {
            return Err(SandboxError::Rejected {
                code: "40002".into(),
                sub_code: "isv.invalid-method".into(),
                sub_msg: "the order string is not an app payment".into(),
            });
        };
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        let node = v
            .as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.ends_with("_response")))
            .map(|(_, n)| n.clone())
            .unwrap_or_default();
        let text = |k: &str| {
            node.get(k)
                .and_then(|x| x.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        if text("code") != "10000" {
            return Err(SandboxError::Rejected {
                code: text("code"),
                sub_code: text("sub_code"),
                sub_msg: text("sub_msg"),
            });
        }
        self.trade(&text("out_trade_no"))
            .ok_or_else(|| SandboxError::UnknownTrade(text("out_trade_no")))
    }

    /// A trade by merchant order number.
    pub fn trade(&self, out_trade_no: &str) -> Option<Trade> {
        self.shared.lock().trades.get(out_trade_no).cloned()
    }

    /// Every trade, by merchant order number.
    pub fn trades(&self) -> Vec<Trade> {
        self.shared.lock().trades.values().cloned().collect()
    }

    /// Every refund, oldest first.
    pub fn refunds(&self) -> Vec<Refund> {
        self.shared.lock().refunds.clone()
    }

    /// Every notification, oldest first, with its delivery state.
    pub fn notifications(&self) -> Vec<Notification> {
        self.shared.lock().notifications.clone()
    }

    /// Waits until a notification matches `pred` (checked every 10 ms).
    pub async fn wait_for_notification(
        &self,
        timeout: Duration,
        pred: impl Fn(&Notification) -> bool,
    ) -> Result<Notification, SandboxError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(n) = self.notifications().into_iter().find(|n| pred(n)) {
                return Ok(n);
            }
            if Instant::now() >= deadline {
                return Err(SandboxError::Timeout(format!(
                    "a matching notification (have: {:?})",
                    self.notifications()
                        .iter()
                        .map(|n| (&n.out_trade_no, &n.trade_status, n.attempts, n.delivered))
                        .collect::<Vec<_>>()
                )));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Sets the merchant's balance, e.g. to make the next refund fail with
    /// `ACQ.SELLER_BALANCE_NOT_ENOUGH`.
    pub fn set_seller_balance(&self, balance: alipay_api::Amount) {
        self.shared.lock().balance = balance;
    }

    /// The merchant's balance: the configured start plus receipts minus refunds.
    pub fn seller_balance(&self) -> alipay_api::Amount {
        self.shared.lock().balance
    }

    /// Makes the next call of `method` (any method when `None`) fail with `fault`,
    /// after it was processed. Faults queue up and are used once each.
    pub fn inject_fault(&self, method: Option<&str>, fault: crate::Fault) {
        self.shared.lock().faults.push(crate::fault::Armed {
            method: method.map(str::to_owned),
            fault,
        });
    }

    /// The SN of the certificate answers are signed with now (certificate mode).
    pub fn alipay_cert_sn(&self) -> Option<String> {
        self.shared.platform().cert_sn.clone()
    }

    /// Certificate mode: the platform switches to a new key and certificate, as
    /// Alipay does before its certificate expires. Answers then carry the new
    /// `alipay_cert_sn`, and `alipay.open.app.alipaycert.download` hands out the new
    /// certificate. Returns the new SN.
    pub fn rotate_alipay_cert(&self) -> Result<String, SandboxError> {
        let bundle = self
            .shared
            .keys
            .certs
            .as_ref()
            .ok_or(SandboxError::NotCertMode)?;
        let key = keys::rsa_key()?;
        let pem = keys::issue_leaf(
            &bundle.root_private_key,
            &key,
            "Sandbox Alipay Platform",
            "Sandbox Platform",
        )?;
        let sn = cert::leaf_sn(pem.as_bytes(), "Alipay certificate")
            .map_err(cred_err("Alipay certificate"))?;
        let signer =
            PrivateKey::from_text(&key.serialize_pem()).map_err(cred_err("Alipay private key"))?;
        let mut slot = self
            .shared
            .platform
            .write()
            .unwrap_or_else(|p| p.into_inner());
        let mut certs = slot.certs.clone();
        certs.insert(sn.clone(), pem);
        *slot = Arc::new(Platform {
            signer: Arc::new(signer),
            cert_sn: Some(sn.clone()),
            certs,
        });
        Ok(sn)
    }

    /// Stops the server and every pending notification, and waits for the server
    /// task to end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(s) = self.server.take() {
            let _ = s.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn trace_id() -> String {
    keys::random_bytes::<12>()
        .map(|b| b.iter().map(|x| format!("{x:02x}")).collect())
        .unwrap_or_default()
}

fn into_response(o: Outcome) -> Response {
    match o {
        Outcome::Json(body, charset) => {
            let content_type = if charset == "gbk" {
                "application/json;charset=GBK"
            } else {
                "application/json;charset=utf-8"
            };
            let bytes = crate::wire::charset_bytes(&body, charset);
            let mut r = ([(header::CONTENT_TYPE, content_type)], bytes).into_response();
            if let Ok(v) = HeaderValue::from_str(&trace_id()) {
                r.headers_mut().insert("trace_id", v);
            }
            r
        }
        Outcome::Redirect(url) => match HeaderValue::from_str(&url) {
            Ok(loc) => {
                let mut r = StatusCode::FOUND.into_response();
                r.headers_mut().insert(header::LOCATION, loc);
                r
            }
            Err(_) => (StatusCode::BAD_REQUEST, "return_url is not a valid URL").into_response(),
        },
        Outcome::Html(body) => {
            ([(header::CONTENT_TYPE, "text/html;charset=utf-8")], body).into_response()
        }
    }
}

fn unsigned_error(f: Failure) -> Response {
    into_response(Outcome::Json(
        reply::body("error_response", &Node::failure(&f), None),
        "utf-8",
    ))
}

async fn gateway_route(AxState(shared): AxState<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let query = parts.uri.query().map(str::to_owned);
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return unsigned_error(Failure::invalid(
                "isv.invalid-file-size",
                format!("the request body is over {BODY_LIMIT} bytes or was cut off"),
            ))
        }
    };
    let params = match crate::wire::read(query.as_deref(), content_type.as_deref(), bytes).await {
        Ok(p) => p,
        Err(e) => {
            let sub = match e {
                crate::wire::WireError::Charset(_) | crate::wire::WireError::Encoding(_) => {
                    "isv.invalid-charset"
                }
                crate::wire::WireError::Multipart(_) => "isv.upload-fail",
                crate::wire::WireError::Duplicate(_) => "isv.invalid-parameter",
            };
            return unsigned_error(Failure::invalid(sub, e.to_string()));
        }
    };
    let outcome = gateway::process(&shared, &params);
    let armed = {
        let method = params.get("method").unwrap_or_default();
        let mut st = shared.lock();
        st.faults
            .iter()
            .position(|a| a.method.as_deref().is_none_or(|m| m == method))
            .map(|i| st.faults.remove(i))
    };
    let Some(armed) = armed else {
        return into_response(outcome);
    };
    use crate::fault::{self, Fault};
    match (armed.fault, outcome) {
        (Fault::Delay(d), o) => {
            tokio::time::sleep(fault::capped(d)).await;
            into_response(o)
        }
        (Fault::HttpStatus(code), _) => (
            StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY),
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body><h1>Bad Gateway</h1></body></html>",
        )
            .into_response(),
        (Fault::SystemError, _) => into_response(gateway::system_error(&shared, &params)),
        (Fault::Unsigned, Outcome::Json(b, cs)) => {
            into_response(Outcome::Json(fault::strip_sign(&b), cs))
        }
        (Fault::BadSignature, Outcome::Json(b, cs)) => {
            into_response(Outcome::Json(fault::corrupt_sign(&b), cs))
        }
        (Fault::Truncated, Outcome::Json(b, cs)) => {
            into_response(Outcome::Json(fault::truncate(&b), cs))
        }
        (_, o) => into_response(o),
    }
}

/// The buyer scans a QR code (precreate) or presses "pay" on the sandbox cashier.
async fn scan_route(
    AxState(shared): AxState<Arc<Shared>>,
    Path(trade_no): Path<String>,
) -> Response {
    let paid = {
        let mut st = shared.lock();
        let Some(key) = st.find_key(None, Some(&trade_no)) else {
            return (StatusCode::NOT_FOUND, "no such trade").into_response();
        };
        crate::behave::mark_paid(&mut st, &key, None)
    };
    match paid {
        Ok(t) => {
            crate::notify::trade_changed(&shared, &t, None);
            into_response(gateway::return_to_merchant(&shared, &t))
        }
        Err((_, status)) => {
            (StatusCode::CONFLICT, format!("the trade is {status}")).into_response()
        }
    }
}

async fn bill_route(AxState(shared): AxState<Arc<Shared>>, Path(token): Path<String>) -> Response {
    match shared.lock().bills.get(&token).cloned() {
        Some(bytes) => (
            [
                (header::CONTENT_TYPE, "application/zip"),
                (header::CONTENT_DISPOSITION, "attachment"),
            ],
            Body::from(bytes),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such bill").into_response(),
    }
}

async fn image_route(AxState(shared): AxState<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match shared.lock().uploads.get(&id).cloned() {
        Some(u) => {
            let ct = HeaderValue::from_str(&u.content_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream"));
            let mut r = Body::from(u.bytes).into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, ct);
            r
        }
        None => (StatusCode::NOT_FOUND, "no such image").into_response(),
    }
}

//! The test-facing handle: starting a gateway, pointing clients at it, driving the
//! simulated buyer and inspecting what happened.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use alipay_api::crypto::aes::AesKey;
use alipay_api::crypto::cert;
use alipay_api::{PrivateKey, PublicKey};
use tokio::sync::watch;

use crate::config::SandboxConfig;
use crate::env::Env;
use crate::error::SandboxError;
use crate::gateway::{Gateway, Outcome};
use crate::keys::{self, SandboxKeys};
use crate::models::esign::{self, EsignFlow};
use crate::models::royalty::{RoyaltyBook, Settlement};
use crate::models::shop::{self, Shop, ShopApplyOrder};
use crate::models::trade::{self, Refund, Trade, TradeBook};
use crate::models::transfer::{Transfer, TransferBook};
use crate::models::users::{AlipayUser, Users};
use crate::outbox::{Notification, Outbox};
use crate::platform::Platform;
use crate::server::Core;
use crate::verify::AppKeys;

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
    core: Arc<Core>,
    keys: SandboxKeys,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("url", &self.gateway_url())
            .field("keys", &self.keys)
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
        let (app, platform) = credentials(&keys, &config)?;
        let bind = SocketAddr::from(([127, 0, 0, 1], config.port));
        let bind_err = |source| SandboxError::Bind {
            addr: bind.to_string(),
            source,
        };
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(bind_err)?;
        let addr = listener.local_addr().map_err(bind_err)?;
        let (stop, shutdown) = watch::channel(false);
        let outbox = Outbox::new(&config, shutdown.clone())?;
        let env = Env::new(
            config,
            keys.app_id.clone(),
            format!("http://{addr}"),
            platform,
            outbox,
        );
        let core = Arc::new(Core {
            gateway: Gateway::new(env, app),
            faults: crate::fault::Queue::default(),
        });
        let server = crate::server::spawn(listener, core.clone(), shutdown);
        Ok(Sandbox {
            core,
            keys,
            addr,
            stop,
            server: Some(server),
        })
    }

    /// The gateway URL (`http://127.0.0.1:<port>/gateway.do`).
    pub fn gateway_url(&self) -> String {
        format!("{}/gateway.do", self.env().base_url)
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.env().base_url
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The credentials of the app and the platform.
    pub fn keys(&self) -> &SandboxKeys {
        &self.keys
    }

    /// The merchant's partner id (`seller_id`).
    pub fn seller_id(&self) -> &str {
        &self.env().config.seller_id
    }

    /// A client builder configured for this gateway (app id, keys or certificates,
    /// AES key, URL). Add your own settings before `build()`.
    pub fn client_builder(&self) -> alipay_api::ClientBuilder {
        self.keys.client_builder().gateway_url(self.gateway_url())
    }

    /// A client for this gateway.
    pub fn client(&self) -> Result<alipay_api::Client, SandboxError> {
        Ok(self.client_builder().build()?)
    }

    /// The simulated buyer pays an unpaid trade (as if they scanned the code or
    /// confirmed in the app); the notification goes out as usual.
    pub fn pay_trade(&self, out_trade_no: &str) -> Result<Trade, SandboxError> {
        trade::pay_as_buyer(self.env(), out_trade_no).map_err(|status| match status {
            None => SandboxError::UnknownTrade(out_trade_no.to_owned()),
            Some(status) => SandboxError::TradeState {
                out_trade_no: out_trade_no.to_owned(),
                status: status.to_string(),
            },
        })
    }

    /// Hands a signed app order string (from `app_order_string`) to the platform
    /// as the Alipay app would: it is checked like any request, and the trade is
    /// created and paid.
    pub async fn pay_app_order(&self, order_string: &str) -> Result<Trade, SandboxError> {
        let node = self
            .submit_app_order(order_string, "alipay.trade.app.pay")
            .await?;
        let out = node_text(&node, "out_trade_no");
        self.trade(&out).ok_or(SandboxError::UnknownTrade(out))
    }

    /// Runs an app order string of `method` through the gateway; the answer's node
    /// when it succeeded.
    pub(crate) async fn submit_app_order(
        &self,
        order_string: &str,
        method: &str,
    ) -> Result<serde_json::Value, SandboxError> {
        let rejected = |sub_code: &str, sub_msg: String| SandboxError::Rejected {
            code: "40002".into(),
            sub_code: sub_code.into(),
            sub_msg,
        };
        let params = crate::wire::read(
            None,
            None,
            bytes::Bytes::copy_from_slice(order_string.as_bytes()),
        )
        .await
        .map_err(|e| rejected("isv.invalid-parameter", e.to_string()))?;
        if params.get("method") != Some(method) {
            return Err(rejected(
                "isv.invalid-method",
                format!("the order string is not a `{method}` order"),
            ));
        }
        let Outcome::Json(body, _) = self.core.gateway.process(&params) else {
            return Err(rejected(
                "isv.invalid-method",
                "the order string is not an app order".into(),
            ));
        };
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        let node = v
            .as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.ends_with("_response")))
            .map(|(_, n)| n.clone())
            .unwrap_or_default();
        if node_text(&node, "code") != "10000" {
            return Err(SandboxError::Rejected {
                code: node_text(&node, "code"),
                sub_code: node_text(&node, "sub_code"),
                sub_msg: node_text(&node, "sub_msg"),
            });
        }
        Ok(node)
    }

    /// A trade by merchant order number.
    pub fn trade(&self, out_trade_no: &str) -> Option<Trade> {
        self.with_book(|b| b.trades.get(out_trade_no).cloned())
    }

    /// Every trade, by merchant order number.
    pub fn trades(&self) -> Vec<Trade> {
        self.with_book(|b| b.trades.values().cloned().collect())
    }

    /// Every refund, oldest first.
    pub fn refunds(&self) -> Vec<Refund> {
        self.with_book(|b| b.refunds.clone())
    }

    /// Every notification, oldest first, with its delivery state.
    pub fn notifications(&self) -> Vec<Notification> {
        self.env().notifications()
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

    /// The reviewers approve a store create or modify request (by the `apply_id`
    /// the call returned): a new store opens (its id is in the returned order's
    /// `shop_id`), or the reviewed change takes effect; the `shop_audit_result`
    /// notification goes to the request's `operate_notify_url`.
    pub fn approve_shop(&self, apply_id: &str) -> Result<ShopApplyOrder, SandboxError> {
        self.decide_shop(apply_id, &shop::Decision::Approve)
    }

    /// The reviewers reject a store create or modify request for `reason`: no store
    /// opens, or the change is dropped and the store shows `AUDIT_FAILED` with the
    /// reason; the notification says so.
    pub fn reject_shop(
        &self,
        apply_id: &str,
        reason: &str,
    ) -> Result<ShopApplyOrder, SandboxError> {
        self.decide_shop(apply_id, &shop::Decision::Reject(reason.to_owned()))
    }

    fn decide_shop(
        &self,
        apply_id: &str,
        d: &shop::Decision,
    ) -> Result<ShopApplyOrder, SandboxError> {
        shop::decide(self.env(), apply_id, d).map_err(|e| match e {
            shop::DecideError::Unknown => SandboxError::UnknownApplyOrder(apply_id.to_owned()),
            shop::DecideError::Decided(status) => SandboxError::ApplyOrderDecided {
                apply_id: apply_id.to_owned(),
                status,
            },
        })
    }

    /// A Koubei store by id (it exists once its creation is approved).
    pub fn shop(&self, shop_id: &str) -> Option<Shop> {
        self.with_shops(|b| b.shops.get(shop_id).cloned())
    }

    /// A store create or modify request by `apply_id`.
    pub fn shop_apply_order(&self, apply_id: &str) -> Option<ShopApplyOrder> {
        self.with_shops(|b| b.orders.get(apply_id).cloned())
    }

    /// Sets the merchant's balance, e.g. to make the next refund fail with
    /// `ACQ.SELLER_BALANCE_NOT_ENOUGH`.
    pub fn set_seller_balance(&self, balance: alipay_api::Amount) {
        self.env().lock().ledger.balance = balance;
    }

    /// The merchant's balance: the configured start plus receipts minus refunds.
    pub fn seller_balance(&self) -> alipay_api::Amount {
        self.env().lock().ledger.balance
    }

    /// Makes the next call of `method` (any method when `None`) fail with `fault`,
    /// after it was processed. Faults queue up and are used once each.
    pub fn inject_fault(&self, method: Option<&str>, fault: crate::Fault) {
        self.core.faults.arm(method, fault);
    }

    /// The SN of the certificate answers are signed with now (certificate mode).
    pub fn alipay_cert_sn(&self) -> Option<String> {
        self.env().platform().cert_sn.clone()
    }

    /// Certificate mode: the platform switches to a new key and certificate, as
    /// Alipay does before its certificate expires. Answers then carry the new
    /// `alipay_cert_sn`, and `alipay.open.app.alipaycert.download` hands out the new
    /// certificate. Returns the new SN.
    pub fn rotate_alipay_cert(&self) -> Result<String, SandboxError> {
        let bundle = self.keys.certs.as_ref().ok_or(SandboxError::NotCertMode)?;
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
        self.env().rotate_platform(signer, sn.clone(), pem);
        Ok(sn)
    }

    /// e签宝: a signer of a flow signs (in the plugin or on the signing page). The
    /// `SIGN_FLOW_UPDATE` callback follows, and, when it was the last signature of a
    /// flow that archives itself, the flow completes and `SIGN_FLOW_FINISH` follows.
    pub fn esign_sign(
        &self,
        flow_id: &str,
        third_party_user_id: &str,
    ) -> Result<EsignFlow, SandboxError> {
        let act = esign::signer_acts(self.env(), flow_id, third_party_user_id, esign::Act::Sign);
        act.map_err(|r| flow_refusal(flow_id, third_party_user_id, r))
    }

    /// e签宝: a signer of a flow refuses to sign, giving `reason`. The flow ends as
    /// refused; both callbacks follow.
    pub fn esign_refuse(
        &self,
        flow_id: &str,
        third_party_user_id: &str,
        reason: &str,
    ) -> Result<EsignFlow, SandboxError> {
        let act = esign::Act::Refuse(reason);
        esign::signer_acts(self.env(), flow_id, third_party_user_id, act)
            .map_err(|r| flow_refusal(flow_id, third_party_user_id, r))
    }

    /// e签宝: a flow's signing deadline passes before everyone signed; it ends as
    /// expired and `SIGN_FLOW_FINISH` follows.
    pub fn esign_expire(&self, flow_id: &str) -> Result<EsignFlow, SandboxError> {
        esign::expire(self.env(), flow_id).map_err(|r| flow_refusal(flow_id, "", r))
    }

    /// e签宝: a flow as the gateway keeps it.
    pub fn esign_flow(&self, flow_id: &str) -> Option<EsignFlow> {
        esign::flow(self.env(), flow_id)
    }

    pub(crate) fn env(&self) -> &Env {
        &self.core.gateway.env
    }

    /// Reads the store model's state (empty before the first store call).
    fn with_shops<T>(&self, read: impl FnOnce(&shop::ShopBook) -> T) -> T {
        read(self.env().lock().parts.get_mut::<shop::ShopBook>())
    }

    /// Reads the trade model's state (empty before the first trade).
    fn with_book<T>(&self, read: impl FnOnce(&TradeBook) -> T) -> T {
        read(self.env().lock().parts.get_mut::<TradeBook>())
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

/// Accounts, royalty and transfers: what tests set up and inspect.
impl Sandbox {
    /// Makes an Alipay user known to the gateway, so that transfers may pay it and
    /// royalty relations may bind it (replacing a user with the same user id).
    pub fn add_user(&self, user: AlipayUser) {
        self.env().lock().parts.get_mut::<Users>().add(user);
    }

    /// Sets where message notifications (settlement results, fund-order changes)
    /// are posted: the app gateway (应用网关); `None` stops them.
    pub fn set_app_gateway_url(&self, url: Option<String>) {
        self.env().set_app_gateway(url);
    }

    /// Sets the largest share of a trade, in percent (at most 100), the merchant
    /// may split ([`DEFAULT_MAX_RATIO`](crate::DEFAULT_MAX_RATIO) to start with).
    pub fn set_royalty_max_ratio(&self, percent: u8) {
        self.env().lock().parts.get_mut::<RoyaltyBook>().max_ratio = percent.min(100);
    }

    /// The user ids of the bound royalty receivers, in binding order.
    pub fn royalty_receivers(&self) -> Vec<String> {
        self.env()
            .lock()
            .parts
            .get_mut::<RoyaltyBook>()
            .receiver_ids()
    }

    /// Every settlement request carried out, oldest first.
    pub fn settlements(&self) -> Vec<Settlement> {
        self.env()
            .lock()
            .parts
            .get_mut::<RoyaltyBook>()
            .settlements
            .clone()
    }

    /// Every transfer carried out, oldest first.
    pub fn transfers(&self) -> Vec<Transfer> {
        self.env()
            .lock()
            .parts
            .get_mut::<TransferBook>()
            .orders
            .clone()
    }
}

/// A refused test action on an e签宝 flow, as the sandbox's error.
fn flow_refusal(flow_id: &str, signer: &str, r: esign::Refusal) -> SandboxError {
    let flow_id = flow_id.to_owned();
    match r {
        esign::Refusal::NoFlow => SandboxError::UnknownFlow(flow_id),
        esign::Refusal::NoSigner => SandboxError::UnknownSigner {
            flow_id,
            signer: signer.to_owned(),
        },
        esign::Refusal::FlowState(s) => SandboxError::FlowState {
            flow_id,
            state: format!("the flow is {s:?}"),
        },
        esign::Refusal::SignerState(s) => SandboxError::FlowState {
            flow_id,
            state: format!("signer `{signer}` is {s:?}"),
        },
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// A text field of a response node (empty when absent).
pub(crate) fn node_text(node: &serde_json::Value, k: &str) -> String {
    node.get(k)
        .and_then(|x| x.as_str())
        .unwrap_or_default()
        .to_owned()
}

/// How the gateway verifies the app, and the platform's first signing identity.
fn credentials(
    keys: &SandboxKeys,
    config: &SandboxConfig,
) -> Result<(AppKeys, Platform), SandboxError> {
    let signer =
        PrivateKey::from_text(&keys.alipay_private_key).map_err(cred_err("Alipay private key"))?;
    let (public, cert_sns, platform_cert) = match &keys.certs {
        Some(c) => {
            let (app_sn, alipay_sn, root_sn) = keys::cert_sns(c)?;
            let app_cert = cert::parse_pem_bundle(c.app_cert.as_bytes(), "app certificate")
                .map_err(cred_err("app certificate"))?;
            let leaf = app_cert.first().ok_or(SandboxError::Credentials {
                what: "app certificate",
                reason: "the file holds no certificate".into(),
            })?;
            let public = leaf
                .public_key(alipay_api::Backend::default())
                .map_err(cred_err("app certificate"))?;
            (
                public,
                Some((app_sn, root_sn)),
                Some((alipay_sn, c.alipay_cert.clone())),
            )
        }
        None => (
            PublicKey::from_text(&keys.app_public_key).map_err(cred_err("app public key"))?,
            None,
            None,
        ),
    };
    let aes = keys
        .aes_key
        .as_deref()
        .map(AesKey::from_base64)
        .transpose()
        .map_err(cred_err("AES key"))?;
    let app = AppKeys {
        app_id: keys.app_id.clone(),
        public,
        cert_sns,
        aes,
        tolerance: config.timestamp_tolerance,
    };
    Ok((app, Platform::new(signer, platform_cert)))
}

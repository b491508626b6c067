//! What every behaviour model shares: the settings, the clock, the state behind one
//! lock, the platform's signing identity and the notification outbox. Models get it
//! through `Call::env`; nothing here knows about HTTP or about any
//! particular product.

use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use alipay_api::{BeijingDateTime, PrivateKey};

use crate::config::SandboxConfig;
use crate::outbox::{Notice, Notification, Outbox};
use crate::platform::Platform;
use crate::store::Store;

/// The shared world of one gateway.
pub(crate) struct Env {
    /// The gateway's settings.
    pub(crate) config: SandboxConfig,
    /// The one app this gateway serves.
    pub(crate) app_id: String,
    /// `http://127.0.0.1:<port>`, for URLs in answers (QR codes, bills, images).
    pub(crate) base_url: String,
    platform: RwLock<Arc<Platform>>,
    app_gateway: RwLock<Option<String>>,
    store: Mutex<Store>,
    outbox: Outbox,
}

impl Env {
    /// A fresh world: an empty store with the configured balance.
    pub(crate) fn new(
        config: SandboxConfig,
        app_id: String,
        base_url: String,
        platform: Platform,
        outbox: Outbox,
    ) -> Self {
        let store = Store::new(config.seller_balance);
        let app_gateway = RwLock::new(config.app_gateway_url.clone());
        Env {
            app_gateway,
            config,
            app_id,
            base_url,
            platform: RwLock::new(Arc::new(platform)),
            store: Mutex::new(store),
            outbox,
        }
    }

    /// The state. Keep the guard short; [`Env::notify`] may be called while holding it.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Store> {
        // A panicking test thread must not take the gateway down with it.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Beijing time now, as the platform sees it.
    pub(crate) fn now(&self) -> BeijingDateTime {
        BeijingDateTime::now()
    }

    /// The platform's current key and certificates.
    pub(crate) fn platform(&self) -> Arc<Platform> {
        self.platform
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Switches the platform to a new key and certificate (certificate rotation).
    pub(crate) fn rotate_platform(&self, signer: PrivateKey, sn: String, pem: String) {
        let mut slot = self.platform.write().unwrap_or_else(|p| p.into_inner());
        let next = slot.rotated(signer, sn, pem);
        *slot = Arc::new(next);
    }

    /// Signs a notification with the platform's current key and starts delivering it.
    pub(crate) fn notify(&self, notice: Notice) {
        let platform = self.platform();
        self.outbox
            .post(&self.app_id, platform.signer.as_ref(), self.now(), notice);
    }

    /// Where message notifications go, if anywhere.
    pub(crate) fn app_gateway(&self) -> Option<String> {
        self.app_gateway
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Sets or clears the app gateway.
    pub(crate) fn set_app_gateway(&self, url: Option<String>) {
        *self.app_gateway.write().unwrap_or_else(|p| p.into_inner()) = url;
    }

    /// Every notification so far, oldest first.
    pub(crate) fn notifications(&self) -> Vec<Notification> {
        self.outbox.records()
    }
}

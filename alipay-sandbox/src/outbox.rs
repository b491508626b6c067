//! The notification outbox. Every asynchronous notification a model emits is
//! wrapped in Alipay's envelope (form delivery, told apart by `notify_type`, or
//! message delivery, told apart by `msg_method` with the fields as JSON in
//! `biz_content`), signed V1-style with the platform key over the bytes of the
//! charset of the request that caused it, posted to `notify_url`, and retried on
//! Alipay's schedule (scaled) until the merchant answers exactly `success`.
//! A partner's callback (e签宝's, told apart by `action`) is posted as the partner
//! posts it: a JSON body, unsigned, retried on the same schedule until the merchant
//! answers with a 2xx status.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alipay_api::crypto::{sign_base64, Signer};
use alipay_api::error::SignError;
use alipay_api::protocol::notify_content;
use alipay_api::{BeijingDateTime, SignType};
use tokio::sync::watch;

use crate::config::SandboxConfig;
use crate::error::SandboxError;

/// A notification a model wants delivered.
#[derive(Debug, Clone)]
pub(crate) struct Notice {
    /// The merchant's `notify_url`.
    pub(crate) url: String,
    /// The charset of the request that caused it: the body is encoded and signed in it.
    pub(crate) charset: String,
    /// The `sign_type` of that request.
    pub(crate) sign_type: SignType,
    /// What it says.
    pub(crate) content: Content,
}

/// The two ways Alipay delivers a notification.
#[derive(Debug, Clone)]
pub(crate) enum Content {
    /// Flat form fields after the common ones (`trade_status_sync` and most others).
    Form {
        /// The `notify_type` value.
        notify_type: &'static str,
        /// The product's fields, in order; empty values are left out.
        fields: Vec<(String, String)>,
    },
    /// Flat form fields in the older layout of the store review results
    /// (`shop_audit_result`): only `notify_time`, `notify_type`, `notify_id`,
    /// `version` and `sign_type` come first, with no `app_id` or `charset` (the body
    /// is UTF-8, which is what a verifier assumes without a `charset`).
    BareForm {
        /// The `notify_type` value.
        notify_type: &'static str,
        /// The `version` value.
        version: &'static str,
        /// The product's fields, in order; empty values are left out.
        fields: Vec<(String, String)>,
    },
    /// A message: the fields as a JSON object in `biz_content`.
    Message {
        /// The `msg_method` value.
        msg_method: &'static str,
        /// The content of `biz_content`.
        biz: serde_json::Value,
    },
    /// A partner's own callback: this JSON object (with its `action`) as the body,
    /// not signed.
    Json {
        /// The `action` value.
        action: &'static str,
        /// The whole body.
        body: serde_json::Value,
    },
}

/// A JSON value as text: strings as they are, anything else printed.
pub(crate) fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Content {
    fn topic(&self) -> &'static str {
        match self {
            Content::Form { notify_type, .. } | Content::BareForm { notify_type, .. } => {
                notify_type
            }
            Content::Message { msg_method, .. } => msg_method,
            Content::Json { action, .. } => action,
        }
    }

    /// A field of the content, as text.
    fn field(&self, k: &str) -> Option<String> {
        match self {
            Content::Form { fields, .. } | Content::BareForm { fields, .. } => fields
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone()),
            Content::Message { biz: json, .. } | Content::Json { body: json, .. } => {
                json.get(k).map(json_text)
            }
        }
    }
}

/// An asynchronous notification and how its delivery went.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Notification {
    /// `notify_id`.
    pub notify_id: String,
    /// The merchant's `notify_url`.
    pub url: String,
    /// What kind of notification it is: its `notify_type` (form delivery) or its
    /// `msg_method` (message delivery).
    pub topic: String,
    /// The order it is about (empty when it is about none).
    pub out_trade_no: String,
    /// `trade_status` it announces (empty when it announces none).
    pub trade_status: String,
    /// Every parameter posted, `sign` included.
    pub params: Vec<(String, String)>,
    /// Attempts made so far.
    pub attempts: u32,
    /// Whether the merchant acknowledged it with `success`.
    pub delivered: bool,
    /// Whether every retry is used up without an acknowledgement.
    pub gave_up: bool,
    /// What the merchant answered last (status and start of the body), or the
    /// connection error.
    pub last_response: Option<String>,
}

impl Notification {
    /// A posted parameter.
    pub fn get(&self, k: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }

    /// Whether it is still waiting for an acknowledgement.
    pub fn pending(&self) -> bool {
        !self.delivered && !self.gave_up
    }
}

/// Where notifications wait and are retried. Cheap to share: delivery tasks hold
/// their own handle.
pub(crate) struct Outbox {
    inner: Arc<Inner>,
}

struct Inner {
    records: Mutex<Vec<Notification>>,
    seq: AtomicU64,
    http: reqwest::Client,
    timeout: Duration,
    /// The waits before each retry, scaled.
    schedule: Vec<Duration>,
    shutdown: watch::Receiver<bool>,
    runtime: tokio::runtime::Handle,
}

impl Outbox {
    /// An empty outbox that delivers on the current runtime until `shutdown`.
    pub(crate) fn new(
        config: &SandboxConfig,
        shutdown: watch::Receiver<bool>,
    ) -> Result<Self, SandboxError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SandboxError::KeyGeneration(format!("HTTP client: {e}")))?;
        Ok(Outbox {
            inner: Arc::new(Inner {
                records: Mutex::new(Vec::new()),
                seq: AtomicU64::new(0),
                http,
                timeout: config.notify_timeout,
                schedule: (0..).map_while(|n| config.retry_delay(n)).collect(),
                shutdown,
                runtime: tokio::runtime::Handle::current(),
            }),
        })
    }

    /// Every notification, oldest first.
    pub(crate) fn records(&self) -> Vec<Notification> {
        self.inner.records().clone()
    }

    /// Wraps, signs, records and starts delivering a notification.
    pub(crate) fn post(
        &self,
        app_id: &str,
        signer: &dyn Signer,
        now: BeijingDateTime,
        notice: Notice,
    ) {
        let notify_id = format!(
            "sbx{:020}",
            self.inner.seq.fetch_add(1, Ordering::Relaxed) + 1
        );
        let posted = match wire(app_id, &notify_id, now, &notice, signer) {
            Ok(posted) => posted,
            Err(e) => {
                tracing::error!(error = %e, "the sandbox could not sign a notification");
                return;
            }
        };
        let Posted {
            params,
            content_type,
            body,
        } = posted;
        let field = |k: &str| notice.content.field(k).unwrap_or_default();
        self.inner.records().push(Notification {
            notify_id: notify_id.clone(),
            url: notice.url.clone(),
            topic: notice.content.topic().to_owned(),
            out_trade_no: field("out_trade_no"),
            trade_status: field("trade_status"),
            params: params.clone(),
            attempts: 0,
            delivered: false,
            gave_up: false,
            last_response: None,
        });
        let delivery = Delivery {
            notify_id,
            url: notice.url,
            content_type,
            body,
            acknowledged: match notice.content {
                Content::Json { .. } => Ack::Status2xx,
                _ => Ack::SuccessBody,
            },
        };
        let inner = self.inner.clone();
        self.inner.runtime.spawn(delivery.run(inner));
    }
}

impl Inner {
    fn records(&self) -> std::sync::MutexGuard<'_, Vec<Notification>> {
        // A panicking test thread must not take the outbox down with it.
        self.records.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What one notification puts on the wire: the parameters recorded, the content type
/// and the body.
pub(crate) struct Posted {
    pub(crate) params: Vec<(String, String)>,
    pub(crate) content_type: String,
    pub(crate) body: Vec<u8>,
}

/// A notice as it goes on the wire: Alipay's signed envelope, or a partner's
/// callback as is.
pub(crate) fn wire(
    app_id: &str,
    notify_id: &str,
    now: BeijingDateTime,
    notice: &Notice,
    signer: &dyn Signer,
) -> Result<Posted, SignError> {
    match &notice.content {
        Content::Json { body, .. } => Ok(partner_callback(body)),
        _ => signed_form(app_id, notify_id, now, notice, signer),
    }
}

/// What a partner callback posts: its JSON body as is (the recorded parameters are its
/// top-level fields as text).
fn partner_callback(body: &serde_json::Value) -> Posted {
    let params = body
        .as_object()
        .map(|o| o.iter().map(|(k, v)| (k.clone(), json_text(v))).collect())
        .unwrap_or_default();
    Posted {
        params,
        content_type: "application/json; charset=utf-8".to_owned(),
        body: body.to_string().into_bytes(),
    }
}

/// Alipay's envelope, signed V1 (everything but `sign` and `sign_type`) over the bytes
/// of the notice's charset: the parameters, the content type and the form body.
fn signed_form(
    app_id: &str,
    notify_id: &str,
    now: BeijingDateTime,
    notice: &Notice,
    signer: &dyn Signer,
) -> Result<Posted, SignError> {
    let mut params = envelope(app_id, notify_id, now, notice);
    let content = notify_content(
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &["sign", "sign_type"],
    );
    let bytes = crate::charset::bytes(&content, &notice.charset);
    params.push((
        "sign".into(),
        sign_base64(signer, notice.sign_type, &bytes)?,
    ));
    let content_type = format!(
        "application/x-www-form-urlencoded; charset={}",
        notice.charset
    );
    let body = crate::charset::encode_form(&params, &notice.charset);
    Ok(Posted {
        params,
        content_type,
        body,
    })
}

/// The posted parameters before `sign`: the common ones, then the content.
fn envelope(
    app_id: &str,
    notify_id: &str,
    now: BeijingDateTime,
    notice: &Notice,
) -> Vec<(String, String)> {
    let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    let charset = notice.charset.as_str();
    let sign_type = notice.sign_type.as_str();
    // Form deliveries: the common fields, then the content's non-empty ones.
    let form = |notify_type: &str, app: bool, version: &str, fields: &[(String, String)]| {
        let mut p = vec![
            pair("notify_time", &now.to_string()),
            pair("notify_type", notify_type),
            pair("notify_id", notify_id),
        ];
        if app {
            p.extend([
                pair("app_id", app_id),
                pair("auth_app_id", app_id),
                pair("charset", charset),
            ]);
        }
        p.extend([pair("version", version), pair("sign_type", sign_type)]);
        p.extend(fields.iter().filter(|(_, v)| !v.is_empty()).cloned());
        p
    };
    match &notice.content {
        Content::Form {
            notify_type,
            fields,
        } => form(notify_type, true, "1.0", fields),
        Content::BareForm {
            notify_type,
            version,
            fields,
        } => form(notify_type, false, version, fields),
        Content::Message { msg_method, biz } => vec![
            pair("notify_id", notify_id),
            pair(
                "utc_timestamp",
                &now.to_utc().timestamp_millis().to_string(),
            ),
            pair("msg_method", msg_method),
            pair("app_id", app_id),
            pair("version", "1.1"),
            pair("charset", charset),
            pair("sign_type", sign_type),
            pair("biz_content", &biz.to_string()),
        ],
        // Posted as is by `partner_callback`.
        Content::Json { .. } => Vec::new(),
    }
}

/// What counts as the merchant's acknowledgement.
#[derive(Debug, Clone, Copy)]
enum Ack {
    /// Alipay's: a 2xx whose body is exactly `success`.
    SuccessBody,
    /// A partner's (e签宝 reads the HTTP status): any 2xx.
    Status2xx,
}

/// One notification on its way to the merchant.
struct Delivery {
    notify_id: String,
    url: String,
    content_type: String,
    body: Vec<u8>,
    acknowledged: Ack,
}

impl Delivery {
    /// Posts until acknowledged, the schedule is used up, or the gateway stops.
    async fn run(self, inner: Arc<Inner>) {
        let mut shutdown = inner.shutdown.clone();
        let mut retry = 0usize;
        loop {
            if *shutdown.borrow() {
                return;
            }
            let (ok, answer) = tokio::select! {
                r = self.attempt(&inner) => r,
                _ = shutdown.changed() => return,
            };
            let delay = if ok {
                None
            } else {
                inner.schedule.get(retry).copied()
            };
            if let Some(n) = inner
                .records()
                .iter_mut()
                .find(|n| n.notify_id == self.notify_id)
            {
                n.attempts += 1;
                n.delivered = ok;
                n.gave_up = !ok && delay.is_none();
                n.last_response = Some(answer);
            }
            let Some(delay) = delay else {
                return;
            };
            retry += 1;
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = shutdown.changed() => return,
            }
        }
    }

    /// One post: whether it was acknowledged, and what the merchant answered.
    async fn attempt(&self, inner: &Inner) -> (bool, String) {
        let sent = inner
            .http
            .post(&self.url)
            .header("content-type", &self.content_type)
            .timeout(inner.timeout)
            .body(self.body.clone())
            .send()
            .await;
        let resp = match sent {
            Err(e) => return (false, format!("request failed: {e}")),
            Ok(resp) => resp,
        };
        let status = resp.status();
        match resp.bytes().await {
            Err(e) => (false, format!("HTTP {status}, body unreadable: {e}")),
            Ok(b) => {
                let ok = status.is_success()
                    && match self.acknowledged {
                        Ack::SuccessBody => b.as_ref() == alipay_api::NOTIFY_ACK.as_bytes(),
                        Ack::Status2xx => true,
                    };
                let shown: String = String::from_utf8_lossy(&b).chars().take(200).collect();
                (ok, format!("HTTP {} {shown}", status.as_u16()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use alipay_api::trade::RefundDepositbackCompleted;
    use axum::routing::post;

    use super::*;

    /// A merchant endpoint on 127.0.0.1 that keeps every body and acknowledges.
    async fn receiver() -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
        let bodies: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let seen = bodies.clone();
        let app = axum::Router::new().route(
            "/notify",
            post(move |body: bytes::Bytes| {
                let seen = seen.clone();
                async move {
                    seen.lock().unwrap().push(body.to_vec());
                    alipay_api::NOTIFY_ACK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/notify", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (url, bodies)
    }

    #[tokio::test]
    async fn message_notifications_are_signed_delivered_and_typed() {
        let gw = crate::Sandbox::start().await.unwrap();
        let (url, bodies) = receiver().await;
        let biz = serde_json::json!({
            "trade_no": "2024010122001400000000000001",
            "out_trade_no": "order-1",
            "out_request_no": "refund-1",
            "dback_status": "S",
            "dback_amount": "1.01",
        });
        gw.env().notify(Notice {
            url,
            charset: "gbk".into(),
            sign_type: SignType::Rsa2,
            content: Content::Message {
                msg_method: RefundDepositbackCompleted::MSG_METHOD,
                biz,
            },
        });
        let n = gw
            .wait_for_notification(Duration::from_secs(10), |n| n.delivered)
            .await
            .unwrap();
        assert_eq!(n.topic, RefundDepositbackCompleted::MSG_METHOD);
        assert_eq!(n.out_trade_no, "order-1");
        assert_eq!(n.get("version"), Some("1.1"));
        assert!(n
            .get("utc_timestamp")
            .is_some_and(|t| t.parse::<i64>().is_ok()));
        let body = bodies.lock().unwrap().first().cloned().unwrap();
        let verified = gw.client().unwrap().verify_notification(&body).unwrap();
        assert_eq!(verified.get("msg_method"), n.get("msg_method"));
        let typed: RefundDepositbackCompleted =
            serde_json::from_str(verified.get("biz_content").unwrap()).unwrap();
        assert_eq!(typed.out_request_no.as_deref(), Some("refund-1"));
        assert_eq!(
            typed.dback_amount.map(|a| a.to_string()).as_deref(),
            Some("1.01")
        );
    }
}

//! What the examples share: the merchant's app gateway (or any notification endpoint),
//! and a `notify_url` that hands verified notifications over by kind.
// Each example uses its own part of this module.
#![allow(dead_code)]

use std::time::Duration;

use alipay_api::protocol::notify::VerifiedNotification;
use alipay_api::Client;
use tokio::sync::mpsc::Receiver;

/// Boxed errors for the examples' `main`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A local sandbox gateway, a client for it and the merchant's notification endpoint.
pub async fn local() -> Result<(alipay_sandbox::Sandbox, Client, Inbox), BoxError> {
    let gw = alipay_sandbox::Sandbox::start().await?;
    println!("Local sandbox gateway at {}", gw.gateway_url());
    let client = gw.client()?;
    let inbox = Inbox::start(client.clone()).await?;
    Ok((gw, client, inbox))
}

/// The merchant's app gateway (应用网关) on 127.0.0.1: every message Alipay posts is
/// verified and typed as `T` before it is trusted, then acknowledged with exactly
/// `success`; anything else is answered `fail` (so Alipay would send it again).
pub async fn app_gateway<T>(client: Client) -> Result<(String, Receiver<T>), BoxError>
where
    T: alipay_api::request::Notification + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let app = axum::Router::new().route(
        "/alipay/gateway",
        axum::routing::post(move |body: axum::body::Bytes| {
            let (client, tx) = (client.clone(), tx.clone());
            async move {
                match client.parse_notification::<T>(&body) {
                    Ok(message) => {
                        let _ = tx.send(message).await;
                        alipay_api::NOTIFY_ACK
                    }
                    Err(e) => {
                        eprintln!("rejected a message: {e}");
                        "fail"
                    }
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/alipay/gateway", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((url, rx))
}

/// Waits up to ten seconds for the next message.
pub async fn next<T>(messages: &mut Receiver<T>) -> Result<T, BoxError> {
    tokio::time::timeout(std::time::Duration::from_secs(10), messages.recv())
        .await?
        .ok_or_else(|| "the app gateway stopped".into())
}

/// Verified notifications, as they arrive at the merchant's `notify_url`.
pub struct Inbox {
    /// The `notify_url` to give Alipay.
    pub url: String,
    rx: tokio::sync::mpsc::Receiver<VerifiedNotification>,
}

impl Inbox {
    /// Starts the endpoint: a notification whose signature does not verify is
    /// answered `fail` (Alipay retries it); a verified one `success`.
    pub async fn start(client: Client) -> Result<Inbox, BoxError> {
        let (tx, rx) = tokio::sync::mpsc::channel(32);
        let app = axum::Router::new().route(
            "/alipay/notify",
            axum::routing::post(move |body: axum::body::Bytes| {
                let (client, tx) = (client.clone(), tx.clone());
                async move {
                    match client.verify_notification(&body) {
                        Ok(n) => {
                            let _ = tx.send(n).await;
                            alipay_api::NOTIFY_ACK
                        }
                        Err(e) => {
                            eprintln!("rejected a notification: {e}");
                            "fail"
                        }
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/alipay/notify", listener.local_addr()?);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Inbox { url, rx })
    }

    /// The next notification of `notify_type` (others are skipped), typed as `T`.
    pub async fn next<T: serde::de::DeserializeOwned>(
        &mut self,
        notify_type: &str,
    ) -> Result<T, BoxError> {
        loop {
            let n = tokio::time::timeout(Duration::from_secs(10), self.rx.recv())
                .await?
                .ok_or("the notification endpoint stopped")?;
            if n.get("notify_type") == Some(notify_type) {
                return Ok(n.parse()?);
            }
        }
    }
}

/// A response or message field as it was on the wire (`-` when absent).
pub fn wire<T: serde::Serialize>(v: &Option<T>) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) | Err(_) => "-".into(),
        Ok(other) => other.to_string(),
    }
}

//! What the examples share: the merchant's app gateway (or any notification endpoint).

use alipay_api::Client;
use tokio::sync::mpsc::Receiver;

/// Boxed errors for the examples' `main`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

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

/// A response or message field as it was on the wire (`-` when absent).
pub fn wire<T: serde::Serialize>(v: &Option<T>) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) | Err(_) => "-".into(),
        Ok(other) => other.to_string(),
    }
}

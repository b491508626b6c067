//! Helpers shared by the sandbox gateway tests.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alipay_api::Error;
use alipay_sandbox::Sandbox;

use axum::routing::post;
use axum::Router;

/// A merchant's `notify_url` endpoint on 127.0.0.1 that records every body and
/// answers something other than `success` to the first `fail_first` posts.
pub struct NotifyReceiver {
    pub url: String,
    pub bodies: Arc<Mutex<Vec<Vec<u8>>>>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl NotifyReceiver {
    pub async fn start(fail_first: usize) -> NotifyReceiver {
        // Close, but not the exact acknowledgement.
        Self::start_failing(fail_first, axum::http::StatusCode::OK).await
    }

    /// Answers the first `fail_first` posts with `status` and `success\n`, then `200
    /// success` (a status-based acknowledgement, as e签宝 reads it, needs a non-2xx
    /// `status` to see a failure).
    pub async fn start_failing(
        fail_first: usize,
        status: axum::http::StatusCode,
    ) -> NotifyReceiver {
        let bodies: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let seen = Arc::new(AtomicUsize::new(0));
        let (b, s) = (bodies.clone(), seen.clone());
        let app = Router::new().route(
            "/notify",
            post(move |body: axum::body::Bytes| {
                let (b, s) = (b.clone(), s.clone());
                async move {
                    b.lock().unwrap().push(body.to_vec());
                    if s.fetch_add(1, Ordering::SeqCst) < fail_first {
                        (status, "success\n")
                    } else {
                        (axum::http::StatusCode::OK, "success")
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        NotifyReceiver {
            url: format!("http://{addr}/notify"),
            bodies,
            _stop: tx,
        }
    }

    pub fn bodies(&self) -> Vec<Vec<u8>> {
        self.bodies.lock().unwrap().clone()
    }
}

/// The `sub_code` of a call refused with a signed business error; anything else
/// fails the test.
pub fn refused(r: Result<impl std::fmt::Debug, Error>) -> String {
    match r {
        Err(e) if e.api().is_some_and(|a| a.signed) => sub_code(&e).to_owned(),
        other => panic!("expected a signed Alipay error, got {other:?}"),
    }
}

/// Waits until the gateway's notification of `topic` whose field `key` is `value`
/// was acknowledged, and returns the body `receiver` got for it.
pub async fn delivered(
    gw: &Sandbox,
    receiver: &NotifyReceiver,
    topic: &str,
    key: &str,
    value: &str,
) -> Vec<u8> {
    let n = gw
        .wait_for_notification(Duration::from_secs(20), |n| {
            n.topic == topic && n.get(key) == Some(value) && n.delivered
        })
        .await
        .unwrap();
    let id = format!("notify_id={}", n.notify_id);
    receiver
        .bodies()
        .into_iter()
        .rev()
        .find(|b| String::from_utf8_lossy(b).contains(&id))
        .expect("the receiver got the acknowledged notification")
}

/// The action URL and the hidden fields of an auto-submit form.
pub fn form_fields(html: &str) -> (String, Vec<(String, String)>) {
    let attr = |s: &str, name: &str| -> Option<String> {
        let start = s.find(&format!("{name}=\""))? + name.len() + 2;
        let end = s[start..].find('"')? + start;
        Some(html_escape::decode_html_entities(&s[start..end]).into_owned())
    };
    let action = attr(html, "action").expect("form has an action");
    let mut fields = Vec::new();
    for piece in html.split("<input").skip(1) {
        if let (Some(n), Some(v)) = (attr(piece, "name"), attr(piece, "value")) {
            if piece.contains("type=\"hidden\"") {
                fields.push((n, v));
            }
        }
    }
    (action, fields)
}

/// An HTTP client that does not follow redirects (to see the gateway's 302).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A page's bytes, fetched as a browser would (no redirects followed).
pub async fn page_bytes(url: &str) -> Vec<u8> {
    let resp = browser().get(url).send().await.unwrap();
    resp.bytes().await.unwrap().to_vec()
}

/// A page's text (UTF-8), fetched as a browser would.
pub async fn page_text(url: &str) -> String {
    String::from_utf8(page_bytes(url).await).unwrap()
}

/// The query parameters of a URL, decoded once.
pub fn query_params(url: &str) -> Vec<(String, String)> {
    let q = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

/// A unique merchant order number.
pub fn order_no(tag: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{tag}{}{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// The browser posting a form (`application/x-www-form-urlencoded`).
pub fn submit(action: &str, fields: &[(String, String)]) -> reqwest::RequestBuilder {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    browser()
        .post(action)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
}

/// The content type of a GBK form.
pub const GBK_FORM: &str = "application/x-www-form-urlencoded;charset=GBK";

/// A signed request body in GBK, the way older merchant systems send it: the
/// string to sign and the form are GBK bytes.
pub fn gbk_form(
    gw: &alipay_sandbox::Sandbox,
    method: &str,
    biz: &serde_json::Value,
    extra: &[(&str, &str)],
) -> String {
    use alipay_api::crypto::{sign_base64, PrivateKey, SignType};
    let key = PrivateKey::from_text(&gw.keys().app_private_key).unwrap();
    let now = alipay_api::BeijingDateTime::now().to_string();
    let biz = biz.to_string();
    let mut params: Vec<(&str, &str)> = vec![
        ("app_id", gw.keys().app_id.as_str()),
        ("method", method),
        ("charset", "GBK"),
        ("sign_type", "RSA2"),
        ("timestamp", now.as_str()),
        ("version", "1.0"),
        ("biz_content", biz.as_str()),
    ];
    params.extend_from_slice(extra);
    let content = alipay_api::protocol::sign_content(params.iter().copied());
    let sign = sign_base64(&key, SignType::Rsa2, &encoding_rs::GBK.encode(&content).0).unwrap();
    params.push(("sign", sign.as_str()));
    let body: Vec<String> = params
        .iter()
        .map(|(k, v)| {
            let v: String =
                form_urlencoded::byte_serialize(&encoding_rs::GBK.encode(v).0).collect();
            format!("{k}={v}")
        })
        .collect();
    body.join("&")
}

/// The body of a finished request as text (a page the browser got).
pub async fn text_of(req: reqwest::RequestBuilder) -> String {
    req.send().await.unwrap().text().await.unwrap()
}

/// Runs `script` of the official Node SDK's peer folder (`tests/interop/node`) with
/// `cfg` as its one argument and returns the JSON object it prints. The SDK writes
/// `timestamp` in the local time zone and the gateway reads Beijing time, so the
/// script runs with `TZ=Asia/Shanghai`.
pub async fn run_node_peer(script: &'static str, cfg: serde_json::Value) -> serde_json::Value {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop/node");
    assert!(
        dir.join("node_modules/alipay-sdk").is_dir(),
        "the official Node SDK is not installed in {}: run `cargo xtask test` \
         (or `bash tests/interop/setup.sh --node-only`) first",
        dir.display()
    );
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .arg(script)
            .arg(cfg.to_string())
            .current_dir(dir)
            .env("TZ", "Asia/Shanghai")
            .output()
    })
    .await
    .unwrap()
    .expect("`node` must be on PATH (Node.js >= 18)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "node failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert!(v.get("error").is_none(), "{v}");
    v
}

/// The `sub_code` of a signed business refusal (empty for any other error).
pub fn sub_code(e: &alipay_api::Error) -> &str {
    e.api()
        .and_then(|a| a.sub_code.as_deref())
        .unwrap_or_default()
}

/// A gateway with fast notification retries that knows `users` and posts message
/// notifications to `app_gateway`, if given.
pub async fn gateway_with_users(
    app_gateway: Option<&str>,
    users: impl IntoIterator<Item = alipay_sandbox::AlipayUser>,
) -> alipay_sandbox::Sandbox {
    let mut config = alipay_sandbox::SandboxConfig::new().notify_time_scale(0.0005);
    if let Some(url) = app_gateway {
        config = config.app_gateway_url(url);
    }
    let gw = alipay_sandbox::Sandbox::start_with(config).await.unwrap();
    for u in users {
        gw.add_user(u);
    }
    gw
}

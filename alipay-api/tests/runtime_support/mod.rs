//! Shared test helpers: the vector keys and a small gateway on 127.0.0.1 that checks
//! request signatures with the app public key and answers with responses signed by
//! the vectors' "alipay" key.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alipay_api::crypto::{PrivateKey, PublicKey, SignType, sign_base64};
use alipay_api::protocol::sign_content;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

pub use alipay_tests::vectors::read;

pub const APP_ID: &str = "2021000000000001";

pub fn app_private() -> String {
    read("keys/app_private_pkcs8.pem")
}
pub fn app_public() -> PublicKey {
    PublicKey::from_text(&read("keys/app_public.pem")).unwrap()
}
pub fn alipay_private() -> PrivateKey {
    PrivateKey::from_text(&read("keys/alipay_private_pkcs8.pem")).unwrap()
}
pub fn alipay_public_text() -> String {
    read("keys/alipay_public.pem")
}

/// A request as the test gateway saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub query: BTreeMap<String, String>,
    pub body: BTreeMap<String, String>,
    pub content_type: String,
    pub signature_ok: bool,
}

impl Seen {
    pub fn method(&self) -> &str {
        self.query
            .get("method")
            .map(String::as_str)
            .unwrap_or_default()
    }
    pub fn biz(&self) -> serde_json::Value {
        self.body
            .get("biz_content")
            .map(|b| serde_json::from_str(b).unwrap_or(serde_json::Value::Null))
            .unwrap_or(serde_json::Value::Null)
    }
}

/// What the test gateway answers.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub delay: Option<Duration>,
    pub headers: Vec<(String, String)>,
}

impl Answer {
    pub fn ok(body: String) -> Self {
        Answer {
            status: 200,
            body,
            delay: None,
            headers: vec![("trace_id".into(), "trace-test-1".into())],
        }
    }
}

/// `{"<key>":<node>,"sign":"…"}` signed with the alipay key, optionally with an SN.
pub fn signed_body(key: &str, node: &str, signer: &PrivateKey, cert_sn: Option<&str>) -> String {
    let sign = sign_base64(signer, SignType::Rsa2, node.as_bytes()).unwrap();
    match cert_sn {
        Some(sn) => format!(r#"{{"{key}":{node},"alipay_cert_sn":"{sn}","sign":"{sign}"}}"#),
        None => format!(r#"{{"{key}":{node},"sign":"{sign}"}}"#),
    }
}

fn parse_multipart(content_type: &str, body: &[u8]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(boundary) = content_type.split("boundary=").nth(1) else {
        return out;
    };
    let text = String::from_utf8_lossy(body);
    for part in text.split(&format!("--{boundary}")) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let Some(name) = head
            .split("name=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
        else {
            continue;
        };
        if head.contains("filename=") {
            out.insert(
                format!("file:{name}"),
                value.trim_end_matches("\r\n").len().to_string(),
            );
        } else {
            out.insert(name.to_owned(), value.trim_end_matches("\r\n").to_owned());
        }
    }
    out
}

pub type Handler = Arc<dyn Fn(&Seen) -> Answer + Send + Sync>;

/// A running test gateway.
pub struct Gateway {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Gateway {
    pub fn url(&self) -> String {
        format!("http://{}/gateway.do", self.addr)
    }
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

pub async fn start(app_key: PublicKey, handler: Handler) -> Gateway {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let seen2 = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            let seen = seen2.clone();
            let app_key = app_key.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let handler = handler.clone();
                    let seen = seen.clone();
                    let app_key = app_key.clone();
                    async move {
                        let query: BTreeMap<String, String> =
                            form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
                                .into_owned()
                                .collect();
                        let ct = req
                            .headers()
                            .get("content-type")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned();
                        let body = req
                            .into_body()
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        let body_params: BTreeMap<String, String> = if ct.starts_with("multipart/")
                        {
                            parse_multipart(&ct, &body)
                        } else {
                            form_urlencoded::parse(&body).into_owned().collect()
                        };
                        let signed_params: Vec<(&str, &str)> = query
                            .iter()
                            .chain(body_params.iter().filter(|(k, _)| !k.starts_with("file:")))
                            .map(|(k, v)| (k.as_str(), v.as_str()))
                            .collect();
                        let content = sign_content(signed_params);
                        let signature_ok = query
                            .get("sign")
                            .map(|s| app_key.verify_base64(SignType::Rsa2, content.as_bytes(), s))
                            .unwrap_or(false);
                        let s = Seen {
                            query,
                            body: body_params,
                            content_type: ct,
                            signature_ok,
                        };
                        seen.lock().unwrap().push(s.clone());
                        let answer = if signature_ok {
                            handler(&s)
                        } else {
                            // What Alipay does with a bad request signature: an unsigned error.
                            Answer::ok(r#"{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"验签出错"}}"#.into())
                        };
                        if let Some(d) = answer.delay {
                            tokio::time::sleep(d).await;
                        }
                        let mut resp = Response::builder()
                            .status(answer.status)
                            .header("content-type", "text/html;charset=utf-8");
                        for (k, v) in &answer.headers {
                            resp = resp.header(k.as_str(), v.as_str());
                        }
                        Ok::<_, Infallible>(resp.body(Full::new(Bytes::from(answer.body))).unwrap())
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    Gateway { addr, seen }
}

/// A server that answers every connection with a raw byte string, then closes.
pub async fn start_raw(response: &'static [u8]) -> SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                // Read the request head and body (small) before answering.
                let _ = tokio::time::timeout(Duration::from_millis(300), async {
                    loop {
                        match s.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(_) => {}
                        }
                    }
                })
                .await;
                let _ = s.write_all(response).await;
                let _ = s.shutdown().await;
            });
        }
    });
    addr
}

//! Records the seed corpus of the fuzz targets (`fuzz/corpus/<target>/`) from what
//! the local gateway really sends and receives: requests as they reach
//! `/gateway.do`, signed answers (plain, AES, certificate mode, refusals, garbled
//! by fault injection), notifications (UTF-8 and GBK), keys, certificates, AES
//! ciphertexts and the spec's own files. Existing seeds are replaced.
//!
//! ```text
//! cargo run -p alipay-tests --example record_fuzz_corpus
//! ```
//!
//! The gateway runs with the throwaway keys of `tests/vectors/keys/`, so that the
//! targets (`alipay_tests::fuzz`) can verify and decrypt what was recorded.

#[path = "../tests/sandbox_support/mod.rs"]
mod sandbox_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alipay_api::trade::{AlipayTradePagePay, AlipayTradeQuery};
use alipay_api::{Client, FileUpload, GenericRequest};
use alipay_sandbox::{Fault, Sandbox, SandboxConfig, SandboxKeys};
use alipay_tests::vectors;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use sandbox_support::NotifyReceiver;

/// Seeds by target.
#[derive(Default)]
struct Corpus(BTreeMap<&'static str, Vec<Vec<u8>>>);

impl Corpus {
    fn add(&mut self, target: &'static str, seed: impl Into<Vec<u8>>) {
        self.0.entry(target).or_default().push(seed.into());
    }

    /// Replaces `fuzz/corpus/<target>/` with the seeds, named by content hash.
    fn write(&self, root: &Path) -> std::io::Result<()> {
        for (target, seeds) in &self.0 {
            let dir = root.join(target);
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir)?;
            for seed in seeds {
                let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, seed);
                let name: String = digest.as_ref()[..10]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                std::fs::write(dir.join(name), seed)?;
            }
            println!("{target}: {} seeds", seeds.len());
        }
        Ok(())
    }
}

/// A pass-through proxy in front of the gateway that keeps every request and
/// every JSON answer.
struct Recorder {
    upstream: String,
    http: reqwest::Client,
    requests: Mutex<Vec<Vec<u8>>>,
    answers: Mutex<Vec<Vec<u8>>>,
}

/// The `method` parameter of a request, from its query or form body.
fn method_of(query: &str, body: &[u8]) -> String {
    form_urlencoded::parse(query.as_bytes())
        .chain(form_urlencoded::parse(body))
        .find(|(k, _)| k == "method")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn forward(State(r): State<Arc<Recorder>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let query = parts.uri.query().unwrap_or_default().to_owned();
    let ct = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut seed = format!("{query}\n{ct}\n").into_bytes();
    seed.extend_from_slice(&body);
    r.requests.lock().unwrap().push(seed);
    let mut up = r
        .http
        .request(parts.method, format!("{}?{query}", r.upstream))
        .body(body.clone());
    if !ct.is_empty() {
        up = up.header("content-type", ct.as_str());
    }
    let answer = up.send().await.unwrap();
    let status = answer.status();
    let headers = answer.headers().clone();
    let bytes = answer.bytes().await.unwrap();
    let json = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json {
        let ct = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let charset = if ct.to_ascii_lowercase().contains("gbk") {
            " GBK"
        } else {
            ""
        };
        let mut seed = format!("{}{charset}\n", method_of(&query, &body)).into_bytes();
        seed.extend_from_slice(&bytes);
        r.answers.lock().unwrap().push(seed);
    }
    let mut resp = (status, bytes).into_response();
    for name in ["content-type", "location"] {
        if let Some(v) = headers.get(name) {
            resp.headers_mut().insert(name, v.clone());
        }
    }
    resp
}

/// Starts a recorder in front of `gw`; returns it and its gateway URL.
async fn recorder(gw: &Sandbox) -> (Arc<Recorder>, String) {
    let r = Arc::new(Recorder {
        upstream: gw.gateway_url(),
        http: sandbox_support::browser(),
        requests: Mutex::default(),
        answers: Mutex::default(),
    });
    let app = axum::Router::new()
        .route("/gateway.do", axum::routing::any(forward))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/gateway.do", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (r, url)
}

/// Keys of `tests/vectors/keys/` (certificate mode: its certificates too).
fn vector_keys(cert_mode: bool) -> SandboxKeys {
    let mut k = SandboxKeys::generate("2021000000000001", cert_mode, true).unwrap();
    k.app_private_key = vectors::read("keys/app_private_pkcs8.pem");
    k.app_public_key = vectors::read("keys/app_public.pem");
    k.alipay_private_key = vectors::read("keys/alipay_private_pkcs8.pem");
    k.alipay_public_key = vectors::read("keys/alipay_public.pem");
    k.aes_key = Some(vectors::read("keys/aes_key.txt").trim().to_owned());
    if let Some(c) = k.certs.as_mut() {
        c.app_cert = vectors::read("keys/appCertPublicKey.crt");
        c.alipay_cert = vectors::read("keys/alipayCertPublicKey_RSA2.crt");
        c.alipay_root_cert = vectors::read("keys/alipay_root_cert.crt");
    }
    k
}

/// Calls every method of the spec once with a valid sample request, plus the
/// trade lifecycle, an upload, refusals and garbled answers.
async fn exercise(gw: &Sandbox, c: &Client, notify_url: &str, tag: &str) {
    for method in alipay_api::schema::methods().iter().map(|m| m.meta.method) {
        let Some(s) = alipay_sandbox::sample_request(method) else {
            continue;
        };
        let mut req = GenericRequest::new(method);
        if let Some(biz) = &s.biz_content {
            req = req.biz_content(biz);
        }
        for (k, v) in s.text {
            req = req.text(k, v);
        }
        let _ = c.execute(&req).await;
    }
    let out = format!("seed-{tag}");
    let biz = serde_json::json!({
        "out_trade_no": out, "total_amount": "88.80", "subject": "台灯 & \"bulb\" \\/",
        "auth_code": "287951669891795468",
    });
    let pay = GenericRequest::new("alipay.trade.pay")
        .biz_content(&biz)
        .protocol("notify_url", notify_url);
    let _ = c.execute(&pay).await;
    let refund = GenericRequest::new("alipay.trade.refund").biz_content(&serde_json::json!({
        "out_trade_no": out, "refund_amount": "8.80", "out_request_no": "r1",
    }));
    let _ = c.execute(&refund).await;
    let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9];
    let upload = GenericRequest::new("alipay.offline.material.image.upload")
        .text("image_type", "jpg")
        .text("image_name", "店面")
        .file("image_content", FileUpload::new("front.jpg", jpeg));
    let _ = c.execute(&upload).await;
    let missing = AlipayTradeQuery::builder()
        .out_trade_no("nope")
        .build()
        .unwrap();
    let _ = c.execute(&missing).await;
    for fault in [
        Fault::Unsigned,
        Fault::BadSignature,
        Fault::Truncated,
        Fault::SystemError,
    ] {
        gw.inject_fault(Some("alipay.trade.query"), fault);
        let _ = c.execute(&missing).await;
    }
    // The buyer's browser: a page payment by URL, redirected back.
    let page = AlipayTradePagePay::builder()
        .out_trade_no(format!("{out}-page"))
        .total_amount("1.00")
        .subject("page")
        .notify_url(notify_url)
        .return_url("https://merchant.example/back")
        .build()
        .unwrap();
    let url = c.page_url(&page).unwrap();
    let _ = sandbox_support::browser().get(url).send().await;
}

/// Records a gateway in one mode: requests, answers, notifications, AES texts.
async fn record_gateway(corpus: &mut Corpus, receiver: &NotifyReceiver, cert_mode: bool) {
    let cfg = SandboxConfig::new().keys(vector_keys(cert_mode));
    let gw = Sandbox::start_with(cfg).await.unwrap();
    let (rec, url) = recorder(&gw).await;
    let aes_client = gw.client_builder().gateway_url(&url).build().unwrap();
    let mut plain = alipay_api::Client::builder()
        .app_id(&gw.keys().app_id)
        .private_key(&gw.keys().app_private_key)
        .gateway_url(&url);
    plain = match &gw.keys().certs {
        Some(c) => plain.certificates(
            alipay_api::CertSource::bytes(c.app_cert.as_bytes()),
            alipay_api::CertSource::bytes(c.alipay_cert.as_bytes()),
            alipay_api::CertSource::bytes(c.alipay_root_cert.as_bytes()),
        ),
        None => plain.alipay_public_key(&gw.keys().alipay_public_key),
    };
    let tag = if cert_mode { "cert" } else { "key" };
    exercise(&gw, &plain.build().unwrap(), &receiver.url, tag).await;
    exercise(&gw, &aes_client, &receiver.url, &format!("{tag}-aes")).await;
    if !cert_mode {
        let gbk = gw
            .client_builder()
            .gateway_url(&url)
            .charset(alipay_api::protocol::Charset::Gbk)
            .build()
            .unwrap();
        exercise(&gw, &gbk, &receiver.url, "gbk-client").await;
        // GBK, straight to the gateway (the client speaks UTF-8).
        let biz = serde_json::json!({
            "out_trade_no": "seed-gbk", "total_amount": "9.90", "subject": "中文商品",
            "auth_code": "287951669891795468",
        });
        let body = sandbox_support::gbk_form(
            &gw,
            "alipay.trade.pay",
            &biz,
            &[("notify_url", receiver.url.as_str())],
        );
        let _ = sandbox_support::browser()
            .post(gw.gateway_url())
            .header("content-type", sandbox_support::GBK_FORM)
            .body(body.clone())
            .send()
            .await;
        corpus.add(
            "gateway_request",
            format!("\n{}\n{body}", sandbox_support::GBK_FORM),
        );
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while gw.notifications().iter().any(|n| n.pending()) && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for req in rec.requests.lock().unwrap().drain(..) {
        for (k, v) in form_urlencoded::parse(&req) {
            if k == "biz_content" && !v.starts_with('{') {
                corpus.add("aes", v.as_bytes());
            }
        }
        corpus.add("gateway_request", req);
    }
    for answer in rec.answers.lock().unwrap().drain(..) {
        if let Some(ct) = encrypted_node(&answer) {
            corpus.add("aes", ct);
        }
        corpus.add("response", answer);
    }
    gw.shutdown().await;
}

/// The ciphertext of an AES answer (`<method>\n{"…_response":"<base64>",…}`).
fn encrypted_node(seed: &[u8]) -> Option<String> {
    let body = seed.splitn(2, |&b| b == b'\n').nth(1)?;
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.as_object()?
        .iter()
        .find(|(k, _)| k.ends_with("_response"))
        .and_then(|(_, n)| n.as_str().map(str::to_owned))
}

/// Key texts as merchants paste them: PEM in both encodings, and bare base64.
fn record_keys(corpus: &mut Corpus) {
    let fresh = SandboxKeys::generate("2021000000000002", true, false).unwrap();
    let mut texts: Vec<String> = [
        "app_private_pkcs1.pem",
        "app_private_pkcs8.pem",
        "app_public.pem",
        "alipay_private_pkcs1.pem",
        "alipay_public.pem",
    ]
    .iter()
    .map(|f| vectors::read(&format!("keys/{f}")))
    .collect();
    texts.push(fresh.app_private_key.clone());
    texts.push(fresh.alipay_public_key.clone());
    for t in texts {
        let bare: String = t.lines().filter(|l| !l.starts_with("-----")).collect();
        corpus.add("keys", bare);
        corpus.add("keys", t);
    }
    let certs = fresh.certs.unwrap();
    let mut files = vec![certs.app_cert, certs.alipay_cert, certs.alipay_root_cert];
    for f in [
        "appCertPublicKey.crt",
        "alipayCertPublicKey_RSA2.crt",
        "alipay_root_cert.crt",
    ] {
        files.push(vectors::read(&format!("keys/{f}")));
    }
    for f in [
        "alipayCertPublicKey_RSA2.crt",
        "alipayRootCert.crt",
        "appCertPublicKey_2021001161683774.crt",
    ] {
        files.push(vectors::read(&format!("official-certs/{f}")));
    }
    for f in files {
        corpus.add("certs", f);
    }
}

/// Every file of the spec, as `<path>\n<YAML>`.
fn record_spec(corpus: &mut Corpus, spec: &Path) {
    let mut stack = vec![spec.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                let rel = p.strip_prefix(spec).unwrap().to_string_lossy().into_owned();
                let mut seed = format!("{rel}\n").into_bytes();
                seed.extend(std::fs::read(&p).unwrap());
                corpus.add("spec", seed);
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut corpus = Corpus::default();
    let receiver = NotifyReceiver::start(1).await;
    record_gateway(&mut corpus, &receiver, false).await;
    record_gateway(&mut corpus, &receiver, true).await;
    for body in receiver.bodies() {
        corpus.add("notification", body);
    }
    record_keys(&mut corpus);
    record_spec(&mut corpus, &root.join("spec"));
    corpus
        .write(&root.join("fuzz").join("corpus"))
        .expect("the corpus folder is writable");
}

//! The HTTP transport: `/gateway.do` and the model pages under `/sandbox/`, fault
//! injection on the way out, and the gateway's answers as HTTP responses.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use tokio::sync::watch;

use crate::fault::{self, Fault};
use crate::gateway::{Gateway, Outcome};
use crate::reply::{self, Failure, Node, Page};
use crate::wire::{self, WireError};

/// What the handlers share: the gateway and the faults waiting to be injected.
pub(crate) struct Core {
    pub(crate) gateway: Gateway,
    pub(crate) faults: fault::Queue,
}

/// Serves `core` on `listener` until `shutdown` turns true, then lets open
/// connections finish their request.
pub(crate) fn spawn(
    listener: tokio::net::TcpListener,
    core: Arc<Core>,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let header_timeout = core.gateway.env.config.header_read_timeout;
    let app = Router::new()
        .route("/gateway.do", any(gateway_route))
        .route("/sandbox/{segment}/{id}", get(page_route).put(put_route))
        .with_state(core);
    tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let conn = connection(stream, app.clone(), header_timeout, shutdown.clone());
                        connections.spawn(conn);
                    }
                    Err(e) => {
                        // Out of file descriptors and the like: wait rather than spin.
                        tracing::warn!(error = %e, "the sandbox could not accept a connection");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                _ = stopped(&mut shutdown) => break,
            }
            // Reap finished connections so the set does not grow with every client.
            while connections.try_join_next().is_some() {}
        }
        while connections.join_next().await.is_some() {}
    })
}

/// Resolves once the gateway is told to stop.
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is dropped here, before any other await.
    let _ = shutdown.wait_for(|s| *s).await;
}

/// One HTTP/1 connection. A client that takes longer than `header_timeout` to send
/// a request's headers (or to start the next one) is disconnected.
async fn connection(
    stream: tokio::net::TcpStream,
    app: Router,
    header_timeout: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let service = hyper_util::service::TowerToHyperService::new(app);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(header_timeout);
    let conn = builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => {
            if let Err(e) = r {
                tracing::debug!(error = %e, "a sandbox connection ended with an error");
            }
            return;
        }
        _ = stopped(&mut shutdown) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

fn trace_id() -> String {
    crate::keys::random_bytes::<12>()
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
            let bytes = crate::charset::bytes(&body, charset);
            let mut r = ([(header::CONTENT_TYPE, content_type)], bytes).into_response();
            if let Ok(v) = HeaderValue::from_str(&trace_id()) {
                r.headers_mut().insert("trace_id", v);
            }
            r
        }
        Outcome::Page(p) => page_response(p),
    }
}

fn page_response(p: Page) -> Response {
    match p {
        Page::Redirect(url) => match HeaderValue::from_str(&url) {
            Ok(loc) => {
                let mut r = StatusCode::FOUND.into_response();
                r.headers_mut().insert(header::LOCATION, loc);
                r
            }
            Err(_) => (StatusCode::BAD_REQUEST, "return_url is not a valid URL").into_response(),
        },
        Page::Html(body) => {
            ([(header::CONTENT_TYPE, "text/html;charset=utf-8")], body).into_response()
        }
        Page::File {
            content_type,
            attachment,
            bytes,
        } => {
            let ct = HeaderValue::from_str(&content_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream"));
            let mut r = Body::from(bytes).into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, ct);
            if attachment {
                r.headers_mut().insert(
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("attachment"),
                );
            }
            r
        }
        Page::Refused(status, text) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            text,
        )
            .into_response(),
    }
}

fn unsigned_error(f: Failure) -> Response {
    into_response(Outcome::Json(
        reply::body("error_response", &Node::failure(&f), None),
        "utf-8",
    ))
}

async fn gateway_route(State(core): State<Arc<Core>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let query = parts.uri.query().map(str::to_owned);
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body_timeout = core.gateway.env.config.body_read_timeout;
    let read = tokio::time::timeout(body_timeout, axum::body::to_bytes(body, wire::MAX_BYTES));
    let bytes = match read.await {
        Ok(Ok(b)) => b,
        // A client dribbling its body (slowloris): answer and hang up.
        Err(_) => {
            let mut r = unsigned_error(Failure::invalid(
                "isv.invalid-parameter",
                format!(
                    "the request body did not arrive within {} s",
                    body_timeout.as_secs_f64()
                ),
            ));
            *r.status_mut() = StatusCode::REQUEST_TIMEOUT;
            r.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return r;
        }
        Ok(Err(_)) => {
            return unsigned_error(Failure::invalid(
                "isv.invalid-file-size",
                format!(
                    "the request body is over {} bytes or was cut off",
                    wire::MAX_BYTES
                ),
            ))
        }
    };
    let params = match wire::read(query.as_deref(), content_type.as_deref(), bytes).await {
        Ok(p) => p,
        Err(e) => {
            let sub = match e {
                WireError::Charset(_) | WireError::Encoding(_) => "isv.invalid-charset",
                WireError::Multipart(_) => "isv.upload-fail",
                WireError::Duplicate(_) | WireError::TooMany => "isv.invalid-parameter",
                WireError::TooLarge => "isv.invalid-file-size",
            };
            return unsigned_error(Failure::invalid(sub, e.to_string()));
        }
    };
    let outcome = core.gateway.process(&params);
    let Some(fault) = core.faults.take(params.get("method").unwrap_or_default()) else {
        return into_response(outcome);
    };
    match (fault, outcome) {
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
        (Fault::SystemError, _) => into_response(core.gateway.system_error(&params)),
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

/// The largest file a direct upload takes (30 MiB, e签宝's limit).
const MAX_PUT_BYTES: usize = 30 << 20;

/// A file sent to a model's direct-upload address (e签宝's 文件流上传).
async fn put_route(
    State(core): State<Arc<Core>>,
    Path((segment, id)): Path<(String, String)>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let read = tokio::time::timeout(
        core.gateway.env.config.body_read_timeout,
        axum::body::to_bytes(body, MAX_PUT_BYTES),
    );
    let bytes = match read.await {
        Ok(Ok(b)) => b,
        Ok(Err(_)) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                "the file is over 30 MiB or was cut off",
            )
                .into_response()
        }
        Err(_) => {
            return (
                StatusCode::REQUEST_TIMEOUT,
                "the file did not arrive in time",
            )
                .into_response()
        }
    };
    let upload = crate::models::Put {
        content_type: header("content-type"),
        content_md5: header("content-md5"),
        body: &bytes,
    };
    let page = match crate::models::for_page(&segment) {
        Some(model) => model.put(&core.gateway.env, &segment, &id, &upload),
        None => Page::Refused(404, format!("nothing is uploaded under /sandbox/{segment}")),
    };
    page_response(page)
}

/// A model's page: a QR code being scanned, a bill or an image being downloaded.
async fn page_route(
    State(core): State<Arc<Core>>,
    Path((segment, id)): Path<(String, String)>,
) -> Response {
    let page = match crate::models::for_page(&segment) {
        Some(model) => model.page(&core.gateway.env, &segment, &id),
        None => Page::Refused(404, format!("nothing is served under /sandbox/{segment}")),
    };
    page_response(page)
}

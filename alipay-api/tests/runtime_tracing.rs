//! The call span carries the method, Alipay's trace id and the duration. In a test
//! binary of its own: tracing's callsite interest is process-wide state.

mod runtime_support;

use std::sync::Arc;

use alipay_api::{Client, GenericRequest};
use runtime_support::*;

#[test]
fn tracing_span_carries_method_trace_id_and_duration() {
    use std::sync::Mutex;
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    type Fields = Arc<Mutex<Vec<(String, String)>>>;
    struct Collect(Fields);
    impl Visit for Collect {
        fn record_debug(&mut self, f: &Field, v: &dyn std::fmt::Debug) {
            self.0
                .lock()
                .unwrap()
                .push((f.name().to_owned(), format!("{v:?}")));
        }
        fn record_str(&mut self, f: &Field, v: &str) {
            self.0
                .lock()
                .unwrap()
                .push((f.name().to_owned(), v.to_owned()));
        }
    }
    struct Capture(Fields, std::sync::atomic::AtomicU64);
    impl Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, a: &Attributes<'_>) -> Id {
            if a.metadata().name() == "alipay.call" {
                a.record(&mut Collect(self.0.clone()));
            }
            Id::from_u64(self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1)
        }
        fn record(&self, _: &Id, r: &Record<'_>) {
            r.record(&mut Collect(self.0.clone()));
        }
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, _: &Event<'_>) {}
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    let fields: Fields = Arc::default();
    let _guard = tracing::subscriber::set_default(Capture(fields.clone(), Default::default()));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let gw = start(
            app_public(),
            Arc::new(|_: &Seen| {
                Answer::ok(signed_body(
                    "alipay_trade_query_response",
                    r#"{"code":"10000","msg":"Success"}"#,
                    &alipay_private(),
                    None,
                ))
            }),
        )
        .await;
        let c = Client::builder()
            .app_id(APP_ID)
            .private_key(app_private())
            .alipay_public_key(alipay_public_text())
            .gateway_url(gw.url())
            .build()
            .unwrap();
        let q = GenericRequest::new("alipay.trade.query")
            .biz_content(&serde_json::json!({"out_trade_no": "T"}));
        c.execute(&q).await.unwrap();
    });
    let got = fields.lock().unwrap().clone();
    let get = |k: &str| got.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(get("method").as_deref(), Some("alipay.trade.query"));
    assert_eq!(get("trace_id").as_deref(), Some("trace-test-1"));
    assert!(get("elapsed_ms").is_some(), "{got:?}");
}

/// Every span field and event field recorded while `f` runs on this thread.
fn capture_all<F: FnOnce()>(f: F) -> String {
    use std::sync::Mutex;
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<String>>);
    impl Visit for Sink {
        fn record_debug(&mut self, f: &Field, v: &dyn std::fmt::Debug) {
            let mut s = self.0.lock().unwrap();
            s.push_str(&format!("{}={v:?}\n", f.name()));
        }
    }
    struct Capture(Sink, std::sync::atomic::AtomicU64);
    impl Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, a: &Attributes<'_>) -> Id {
            a.record(&mut self.0.clone());
            Id::from_u64(self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1)
        }
        fn record(&self, _: &Id, r: &Record<'_>) {
            r.record(&mut self.0.clone());
        }
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, e: &Event<'_>) {
            e.record(&mut self.0.clone());
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }
    let sink = Sink::default();
    let guard = tracing::subscriber::set_default(Capture(sink.clone(), Default::default()));
    f();
    drop(guard);
    sink.0.lock().unwrap().clone()
}

/// A failed call's error (Display and Debug) and its tracing output never show the
/// `app_auth_token` / `auth_token` it carried, nor does the Debug of the options or
/// of the signed request.
#[test]
fn tokens_stay_out_of_errors_and_logs() {
    use alipay_api::CallOptions;
    use std::time::Duration;
    const APP_TOKEN: &str = "202401BBsecretAppAuthToken";
    const USER_TOKEN: &str = "authusrBsecretUserToken";
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let opts = CallOptions::new()
        .app_auth_token(APP_TOKEN)
        .auth_token(USER_TOKEN);
    let mut texts = Vec::new();
    let logs = capture_all(|| {
        rt.block_on(async {
            let slow = start(
                app_public(),
                Arc::new(|_: &Seen| Answer {
                    delay: Some(Duration::from_secs(3)),
                    ..Answer::ok("{}".into())
                }),
            )
            .await;
            // Nothing listens on this port (bound, then dropped).
            let dead = {
                let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                format!("http://{}/gateway.do", l.local_addr().unwrap())
            };
            for url in [slow.url(), dead] {
                let c = Client::builder()
                    .app_id(APP_ID)
                    .private_key(app_private())
                    .alipay_public_key(alipay_public_text())
                    .gateway_url(url)
                    .timeout(Duration::from_millis(300))
                    .build()
                    .unwrap();
                let q = GenericRequest::new("alipay.trade.query")
                    .biz_content(&serde_json::json!({"out_trade_no": "T"}));
                let e = c.execute_with(&q, &opts).await.unwrap_err();
                texts.push(format!("{e} {e:?}"));
                let signed = c.sign_request(&q, &opts).unwrap();
                texts.push(format!("{signed:?} {opts:?}"));
            }
        })
    });
    assert!(logs.contains("alipay call failed"), "{logs}");
    for t in texts.iter().chain([&logs]) {
        for token in [APP_TOKEN, USER_TOKEN] {
            assert!(!t.contains(token), "{token} leaked: {t}");
        }
    }
}

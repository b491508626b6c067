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

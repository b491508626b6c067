//! `alipay gateway` spawned by the test, then `doctor`, `sign`, `call` and
//! `trigger` against it and against a webhook that verifies with the runtime.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use alipay_api::trade::TradeStatusSync;
use support::*;

/// An `alipay gateway --keys-out` process, stopped when dropped.
struct Gateway {
    child: Child,
    _dir: tempfile::TempDir,
    keys: PathBuf,
}

impl Gateway {
    fn start(extra: &[&str]) -> Gateway {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("alipay"))
            .args(["gateway", "--port", "0", "--keys-out"])
            .arg(&keys)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn alipay gateway");
        let gw = Gateway {
            child,
            _dir: dir,
            keys,
        };
        // The config file is written last, whole: its presence means ready.
        let deadline = Instant::now() + Duration::from_secs(60);
        while !gw.config().exists() {
            assert!(Instant::now() < deadline, "the gateway did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        gw
    }

    fn config(&self) -> PathBuf {
        self.keys.join("alipay.toml")
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.keys.join(name)).unwrap()
    }

    /// `alipay --config <keys>/alipay.toml --json ARGS…`.
    fn run(&self, args: &[&str]) -> std::process::Output {
        alipay()
            .arg("--config")
            .arg(self.config())
            .arg("--json")
            .args(args)
            .output()
            .unwrap()
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn call_sign_and_doctor_against_the_local_gateway() {
    let gw = Gateway::start(&[]);
    let doctor = gw.run(&["doctor"]);
    assert_eq!(
        doctor.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&doctor.stdout)
    );

    let biz = r#"{"out_trade_no":"CLI-1","total_amount":"9.99","subject":"Lamp"}"#;
    let out = gw.run(&["call", "alipay.trade.precreate", "--biz", biz]);
    let report = json(&out);
    assert_eq!(report["result"], "success", "{report:#}");
    assert!(report["response"]["qr_code"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));

    let out = gw.run(&[
        "call",
        "alipay.trade.query",
        "--biz",
        r#"{"out_trade_no":"CLI-1"}"#,
    ]);
    assert_eq!(json(&out)["response"]["trade_status"], "WAIT_BUYER_PAY");

    let out = gw.run(&[
        "call",
        "alipay.trade.query",
        "--biz",
        r#"{"out_trade_no":"nope"}"#,
    ]);
    let report = json(&out);
    assert_eq!(report["result"], "declined");
    assert_eq!(report["sub_code"], "ACQ.TRADE_NOT_EXIST");
    assert_eq!(out.status.code(), Some(1));

    // A method the spec does not have is sent as given; the gateway refuses it.
    let out = gw.run(&["call", "alipay.not.a.method", "--biz", "{}"]);
    assert_eq!(
        json(&out)["sub_code"],
        "isv.invalid-method",
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // --gateway local:PORT reaches the same gateway.
    let url = std::fs::read_to_string(gw.config()).unwrap();
    let port = url
        .split("127.0.0.1:")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let out = gw.run(&[
        "call",
        "alipay.trade.query",
        "--biz",
        r#"{"out_trade_no":"CLI-1"}"#,
        "--gateway",
        &format!("local:{port}"),
    ]);
    assert_eq!(json(&out)["result"], "success");

    // An app id the gateway does not know: its answer is unsigned, so the outcome is
    // unknown (exit 3), never a decline.
    let other = tempfile::tempdir().unwrap();
    let config = std::fs::read_to_string(gw.config())
        .unwrap()
        .replace("2021000000000001", "2021000000000999")
        .replace("\"app_", &format!("\"{}/app_", gw.keys.display()))
        .replace("\"alipay_", &format!("\"{}/alipay_", gw.keys.display()));
    let out = alipay()
        .arg("--config")
        .arg(file(other.path(), "alipay.toml", config))
        .args([
            "call",
            "alipay.trade.query",
            "--biz",
            r#"{"out_trade_no":"CLI-1"}"#,
        ])
        .output()
        .unwrap();
    assert_one_line_error(&out, 3, "unsigned");

    let out = gw.run(&[
        "sign",
        "alipay.trade.query",
        "--biz",
        r#"{"out_trade_no":"CLI-1"}"#,
        "--timestamp",
        "2024-01-02 03:04:05",
    ]);
    let report = json(&out);
    let string = report["string_to_sign"].as_str().unwrap();
    assert!(string.contains("timestamp=2024-01-02 03:04:05"), "{string}");
    let app_key = alipay_api::PublicKey::from_text(&gw.read("app_public_key.pem")).unwrap();
    assert!(app_key.verify_base64(
        alipay_api::SignType::Rsa2,
        string.as_bytes(),
        report["signature"].as_str().unwrap()
    ));
    assert!(report["url"].as_str().unwrap().contains("&sign="));
}

#[test]
fn typed_validation_comes_before_any_io() {
    let keys = tempfile::tempdir().unwrap();
    let k = support::keys(false);
    // A gateway nobody listens on: a request would fail to connect.
    let config = file(
        keys.path(),
        "alipay.toml",
        format!(
            "app_id = \"{APP_ID}\"\ngateway = \"http://127.0.0.1:9/gateway.do\"\nprivate_key_file = \"app.pem\"\nalipay_public_key_file = \"alipay.pem\"\n"
        ),
    );
    file(keys.path(), "app.pem", &k.app_private_key);
    file(keys.path(), "alipay.pem", &k.alipay_public_key);
    let out = alipay()
        .arg("--config")
        .arg(&config)
        .args([
            "call",
            "alipay.trade.precreate",
            "--biz",
            r#"{"subject":"x","total_amount":"1.234"}"#,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`out_trade_no`") && stderr.contains("`total_amount`"),
        "{stderr}"
    );

    let out = alipay()
        .arg("--config")
        .arg(&config)
        .args(["call", "alipay.trade.query", "--biz", "{not json"])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, "--biz is not JSON");

    let out = alipay()
        .args(["--config", "/nonexistent/alipay.toml", "doctor"])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, "/nonexistent/alipay.toml");
}

#[test]
fn certificate_mode_gateway_passes_doctor_and_call() {
    let gw = Gateway::start(&["--cert-mode"]);
    let doctor = gw.run(&["doctor"]);
    let report = json(&doctor);
    assert_eq!(report["mode"], "certificate", "{report:#}");
    assert_eq!(doctor.status.code(), Some(0), "{report:#}");
    let out = gw.run(&[
        "call",
        "alipay.trade.query",
        "--biz",
        r#"{"out_trade_no":"nope"}"#,
    ]);
    assert_eq!(json(&out)["sub_code"], "ACQ.TRADE_NOT_EXIST");
}

/// Verifies and types a notification by its spec name, as the merchant's handler for
/// it would; e签宝's unsigned callbacks are read (a real handler then confirms them
/// with a signed query). A notification added to the spec fails here until it has a
/// line.
fn parse_by_name(client: &alipay_api::Client, name: &str, body: &[u8]) -> Result<(), String> {
    use alipay_api::request::Notification;
    use alipay_api::{agreement, fund_auth, open_auth, royalty, shop, trade, transfer};
    use alipay_api::{Client, Error};
    type Parse = fn(&Client, &str, &[u8]) -> Option<Result<(), Error>>;
    fn typed<T: Notification>(
        client: &Client,
        name: &str,
        body: &[u8],
    ) -> Option<Result<(), Error>> {
        (T::schema().name == name).then(|| client.parse_notification::<T>(body).map(drop))
    }
    let signed: &[Parse] = &[
        typed::<TradeStatusSync>,
        typed::<trade::RefundDepositbackCompleted>,
        typed::<royalty::TradeOrderSettleNotify>,
        typed::<agreement::UserAgreementSigned>,
        typed::<agreement::UserAgreementUnsigned>,
        typed::<fund_auth::FundAuthFreeze>,
        typed::<fund_auth::FundAuthUnfreeze>,
        typed::<transfer::FundTransOrderChanged>,
        typed::<shop::ShopAuditResult>,
        typed::<open_auth::UserAuthCancelled>,
    ];
    if let Some(parsed) = signed.iter().find_map(|parse| parse(client, name, body)) {
        return parsed.map_err(|e| e.to_string());
    }
    match name {
        "EsignFlowFinished" | "EsignSignerUpdated" => alipay_api::esign_callback::parse(body)
            .map(drop)
            .map_err(|e| e.to_string()),
        other => Err(format!("no handler for {other}: add one to parse_by_name")),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn trigger_sends_every_notification_of_the_spec() {
    let gw = tokio::task::spawn_blocking(|| Gateway::start(&[]))
        .await
        .unwrap();
    let client = webhook_client(&gw.keys);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Result<(), String>>();
    let handle = move |axum::extract::Path(name): axum::extract::Path<String>,
                       body: axum::body::Bytes| {
        let (client, tx) = (client.clone(), tx.clone());
        async move {
            let parsed = parse_by_name(&client, &name, &body);
            let ack = if parsed.is_ok() {
                alipay_api::NOTIFY_ACK
            } else {
                "fail"
            };
            let _ = tx.send(parsed.map_err(|e| format!("{name}: {e}")));
            ack
        }
    };
    let app = axum::Router::new().route("/n/{name}", axum::routing::post(handle));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let keys = gw.keys.display().to_string();

    let names = alipay_sandbox::notification_names();
    assert!(names.len() >= 12, "{names:?}");
    for name in names {
        let to = format!("{base}/n/{name}");
        let out = trigger(&[name, "--to", &to, "--keys", &keys]).await;
        let got = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await;
        assert!(
            matches!(got, Ok(Some(Ok(())))),
            "{name}: {got:?}; {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report = json(&out);
        assert_eq!(report["acknowledged"], true, "{name}: {report:#}");
        assert_eq!(out.status.code(), Some(0), "{name}");
    }

    // By wire name too, with a field set; a message's fields are its biz_content's.
    let to = format!("{base}/n/FundTransOrderChanged");
    let out = trigger(&[
        "alipay.fund.trans.order.changed",
        "--to",
        &to,
        "--keys",
        &keys,
        "--set",
        "out_biz_no=T-77",
    ])
    .await;
    let got = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await;
    assert!(matches!(got, Ok(Some(Ok(())))), "{got:?}");
    let report = json(&out);
    let biz = report["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p[0] == "biz_content")
        .map(|p| p[1].as_str().unwrap().to_owned())
        .unwrap();
    assert!(biz.contains(r#""out_biz_no":"T-77""#), "{biz}");

    // What cannot be sent is a one-line error before anything is posted.
    let out = trigger(&["NoSuchThing", "--to", &to, "--keys", &keys]).await;
    assert_one_line_error(&out, 2, "UserAgreementSigned");
    let out = trigger(&[
        "ShopAuditResult",
        "--to",
        &to,
        "--keys",
        &keys,
        "--charset",
        "gbk",
    ])
    .await;
    assert_one_line_error(&out, 2, "always UTF-8");
    let out = trigger(&[
        "trade.success",
        "--to",
        &to,
        "--keys",
        &keys,
        "--set",
        "notify_id=x",
    ])
    .await;
    assert_one_line_error(
        &out,
        2,
        "`notify_id` is written by the notification's envelope",
    );
}

/// A client configured for the gateway's keys, as the merchant's webhook has.
fn webhook_client(keys: &Path) -> alipay_api::Client {
    alipay_api::Client::builder()
        .app_id(APP_ID)
        .private_key(std::fs::read_to_string(keys.join("app_private_key.pem")).unwrap())
        .alipay_public_key(std::fs::read_to_string(keys.join("alipay_public_key.pem")).unwrap())
        .gateway_url("http://127.0.0.1:9/gateway.do")
        .build()
        .unwrap()
}

/// A webhook on 127.0.0.1 that verifies with the runtime, as a merchant would.
async fn webhook(
    keys: &Path,
) -> (
    String,
    tokio::sync::mpsc::UnboundedReceiver<TradeStatusSync>,
) {
    let client = webhook_client(keys);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let notify = move |body: axum::body::Bytes| {
        let (client, tx) = (client.clone(), tx.clone());
        async move {
            match client.parse_notification::<TradeStatusSync>(&body) {
                Ok(n) => {
                    let _ = tx.send(n);
                    alipay_api::NOTIFY_ACK
                }
                Err(_) => "fail",
            }
        }
    };
    let app = axum::Router::new()
        .route("/notify", axum::routing::post(notify))
        .route("/broken", axum::routing::post(|| async { "fail" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, rx)
}

async fn trigger(args: &[&str]) -> std::process::Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        alipay()
            .arg("--json")
            .arg("trigger")
            .args(args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

/// Triggers `args` and asserts the webhook acknowledged.
async fn trigger_acknowledged(args: &[&str]) {
    let out = trigger(args).await;
    let report = json(&out);
    assert_eq!(report["acknowledged"], true, "{report:#}");
}

#[tokio::test(flavor = "multi_thread")]
async fn trigger_delivers_notifications_the_runtime_verifies() {
    let gw = tokio::task::spawn_blocking(|| Gateway::start(&[]))
        .await
        .unwrap();
    let (base, mut rx) = webhook(&gw.keys).await;
    let keys = gw.keys.display().to_string();
    let to = format!("{base}/notify");
    let broken = format!("{base}/broken");

    trigger_acknowledged(&[
        "trade.success",
        "--to",
        &to,
        "--keys",
        &keys,
        "--set",
        "out_trade_no=CLI-9",
    ])
    .await;
    let n = rx.recv().await.unwrap();
    assert_eq!(n.out_trade_no.as_deref(), Some("CLI-9"));
    assert_eq!(
        n.trade_status,
        Some(alipay_api::trade::TradeStatus::TradeSuccess)
    );

    // A refund, in GBK, with a Chinese subject.
    trigger_acknowledged(&[
        "refund",
        "--to",
        &to,
        "--keys",
        &keys,
        "--charset",
        "gbk",
        "--set",
        "subject=台灯",
    ])
    .await;
    let n = rx.recv().await.unwrap();
    assert_eq!(n.refund_fee.unwrap().to_string(), "10.00");
    assert_eq!(n.subject.as_deref(), Some("台灯"));

    // A webhook that does not answer `success` is reported, exit 1.
    let out = trigger(&["trade.closed", "--to", &broken, "--keys", &keys]).await;
    assert_eq!(json(&out)["acknowledged"], false);
    assert_eq!(out.status.code(), Some(1));

    // Only loopback hosts, refused before anything is sent.
    for to in [
        "http://example.com/notify",
        "http://10.1.2.3/notify",
        "http://[2001:db8::1]/notify",
    ] {
        let out = trigger(&["trade.success", "--to", to, "--keys", &keys]).await;
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("not a loopback address"));
    }
    let out = trigger(&["trade.success", "--to", &to, "--keys", "/nonexistent"]).await;
    assert_one_line_error(&out, 2, "alipay gateway --keys-out");
}

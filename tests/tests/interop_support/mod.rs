//! Shared plumbing for the interop tests: the official SDKs run as long-lived child
//! processes (`tests/interop/{node/peer.mjs,python/peer.py}`) speaking JSON lines, fresh
//! RSA keys per run, and a seeded generator of hostile-but-valid inputs.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use alipay_api::crypto::{Backend, PrivateKey, PublicKey, SignType};
use alipay_api::protocol::notify_content;
use alipay_api::protocol::request::{CommonParams, RequestParts};
use alipay_api::BeijingDateTime;
use base64::Engine as _;
use serde_json::{json, Map, Value};

pub const SETUP_HINT: &str = "run `bash tests/interop/setup.sh` from the repository root \
     (it installs the official SDKs locally: npm ci into tests/interop/node, a venv at target/interop-venv)";

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

// ---------------------------------------------------------------------------------------
// Peers

/// One official SDK behind a JSON-lines pipe.
pub struct Peer {
    name: &'static str,
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    next_id: u64,
}

impl Peer {
    fn spawn(name: &'static str, mut cmd: Command) -> Peer {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the {name} peer ({e}); {SETUP_HINT}"));
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Peer {
            name,
            child,
            stdin,
            lines: rx,
            next_id: 0,
        }
    }

    /// The official Node SDK (`tests/interop/node/peer.mjs`).
    pub fn node() -> Peer {
        let dir = repo_root().join("tests/interop/node");
        let sdk = dir.join("node_modules/alipay-sdk/package.json");
        let pkg: Value = std::fs::read_to_string(&sdk)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_else(|| {
                panic!(
                    "the official Node SDK is not installed ({} is missing); {SETUP_HINT}",
                    sdk.display()
                )
            });
        assert_eq!(
            pkg["version"], "4.14.0",
            "tests/interop/node/node_modules holds alipay-sdk {}, not the pinned 4.14.0; {SETUP_HINT}",
            pkg["version"]
        );
        let node = std::env::var("NODE").unwrap_or_else(|_| "node".into());
        let mut cmd = Command::new(node);
        cmd.arg("peer.mjs").current_dir(&dir);
        Peer::spawn("node", cmd)
    }

    /// The official Python SDK (`tests/interop/python/peer.py`) in the setup's venv.
    pub fn python() -> Peer {
        let venv = std::env::var_os("ALIPAY_INTEROP_VENV")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo_root().join("target/interop-venv"));
        let py = venv.join("bin/python");
        let probe = Command::new(&py)
            .args(["-c", "import alipay.aop.api.util.SignatureUtils"])
            .output();
        match probe {
            Ok(o) if o.status.success() => {}
            Ok(o) => panic!(
                "the official Python SDK is not importable from {} ({}); {SETUP_HINT}",
                py.display(),
                String::from_utf8_lossy(&o.stderr).trim()
            ),
            Err(e) => panic!("no Python venv at {} ({e}); {SETUP_HINT}", venv.display()),
        }
        let mut cmd = Command::new(py);
        cmd.arg("-u")
            .arg(repo_root().join("tests/interop/python/peer.py"))
            .env("PYTHONIOENCODING", "utf-8");
        Peer::spawn("python", cmd)
    }

    /// Sends one operation and waits for its answer; any peer-side error fails the test.
    pub fn call(&mut self, op: &str, args: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({"id": id, "op": op, "args": args});
        let line = format!("{msg}\n");
        if let Err(e) = self
            .stdin
            .write_all(line.as_bytes())
            .and_then(|_| self.stdin.flush())
        {
            panic!("the {} peer is gone ({e}); {SETUP_HINT}", self.name);
        }
        let answer = match self.lines.recv_timeout(Duration::from_secs(120)) {
            Ok(l) => l,
            Err(e) => {
                let status = self.child.try_wait().ok().flatten();
                panic!(
                    "no answer from the {} peer to `{op}` ({e}; exit status {status:?})",
                    self.name
                )
            }
        };
        let v: Value = serde_json::from_str(&answer)
            .unwrap_or_else(|e| panic!("{} peer sent a bad line ({e}): {answer}", self.name));
        assert_eq!(
            v["id"], id,
            "{} peer answered out of order: {answer}",
            self.name
        );
        if let Some(err) = v.get("err") {
            panic!(
                "{} peer failed on `{op}` with args {args}:\n{}",
                self.name,
                err.as_str().unwrap_or_default(),
                args = msg["args"]
            );
        }
        v["ok"].clone()
    }
}

/// A peer shared by every test of one test binary (one process, many cases).
pub fn shared(
    cell: &'static OnceLock<Mutex<Peer>>,
    start: fn() -> Peer,
) -> MutexGuard<'static, Peer> {
    cell.get_or_init(|| {
        let mut p = start();
        let k = keys();
        p.call(
            "init",
            json!({
                "app_id": APP_ID,
                "app_private_pkcs1": k.app.pkcs1_pem,
                "app_public": k.app.public_pem,
                "alipay_private_pkcs1": k.alipay.pkcs1_pem,
                "alipay_private_pkcs8": k.alipay.pkcs8_pem,
                "alipay_public": k.alipay.public_pem,
            }),
        );
        Mutex::new(p)
    })
    .lock()
    .unwrap_or_else(|poisoned| poisoned.into_inner())
}

// ---------------------------------------------------------------------------------------
// Keys

pub const APP_ID: &str = "2021009876543210";

/// One RSA-2048 key pair in the encodings the SDKs want.
pub struct KeyPair {
    pub pkcs8_pem: String,
    pub pkcs1_pem: String,
    pub public_pem: String,
}

impl KeyPair {
    fn generate() -> KeyPair {
        use aws_lc_rs::encoding::AsDer;
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
        let kp = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
            .expect("aws-lc-rs generates an RSA-2048 key");
        let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der<'static>>::as_der(&kp)
            .expect("PKCS#8 encoding");
        let key = rsa::RsaPrivateKey::from_pkcs8_der(der.as_ref()).expect("valid PKCS#8");
        KeyPair {
            pkcs8_pem: key.to_pkcs8_pem(LineEnding::LF).expect("pem").to_string(),
            pkcs1_pem: key.to_pkcs1_pem(LineEnding::LF).expect("pem").to_string(),
            public_pem: rsa::RsaPublicKey::from(&key)
                .to_public_key_pem(LineEnding::LF)
                .expect("pem"),
        }
    }

    pub fn private(&self, backend: Backend) -> PrivateKey {
        PrivateKey::from_text_with(&self.pkcs8_pem, backend).expect("our own key parses")
    }

    pub fn public(&self, backend: Backend) -> PublicKey {
        PublicKey::from_text_with(&self.public_pem, backend).expect("our own key parses")
    }
}

/// The merchant app's key pair and the "platform" pair that signs answers and
/// notifications, fresh for each test binary run.
pub struct Keys {
    pub app: KeyPair,
    pub alipay: KeyPair,
}

pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys {
        app: KeyPair::generate(),
        alipay: KeyPair::generate(),
    })
}

// ---------------------------------------------------------------------------------------
// Randomness

/// splitmix64: small, seedable, good enough to pick test inputs (not for keys).
pub struct Rng(u64);

impl Rng {
    /// A generator for one test: the run's seed mixed with the test's name, so each test
    /// sees the same inputs whatever order the harness runs them in.
    pub fn for_test(test: &str) -> Rng {
        let seed = seed();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in test.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        eprintln!("{test}: seed {seed} (rerun with INTEROP_SEED={seed})");
        Rng(seed ^ h)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn range(&mut self, lo: usize, hi_inclusive: usize) -> usize {
        lo + self.below(hi_inclusive - lo + 1)
    }

    /// True with probability `pct`%.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.next_u64() % 100 < pct
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

pub fn seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| match std::env::var("INTEROP_SEED") {
        Ok(s) => s.trim().parse().expect("INTEROP_SEED is a u64"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x5eed),
    })
}

/// How many randomized cases each test runs (`INTEROP_CASES`, default 200).
pub fn cases() -> usize {
    std::env::var("INTEROP_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200)
}

/// Pieces values are built from: Chinese text, the characters that break naive encoders,
/// whitespace, HTML-entity look-alikes and percent-escape look-alikes.
const PIECES: &[&str] = &[
    "a",
    "Z",
    "7",
    "0",
    "_",
    "-",
    ".",
    "order",
    "中文",
    "支付宝",
    "测试商品",
    "¥",
    "€",
    "😀",
    " ",
    "  ",
    "&",
    "=",
    "%",
    "+",
    "?",
    "#",
    "/",
    "\\",
    "\"",
    "'",
    "<",
    ">",
    ",",
    ":",
    ";",
    "{",
    "}",
    "[",
    "]",
    "\n",
    "\t",
    "&amp;",
    "&lt;",
    "&#38;",
    "&quot;",
    "%20",
    "%E4%B8%AD",
    "100%",
    "a+b",
    "~",
    "!",
    "*",
    "(",
    ")",
    "@",
    "$",
    "^",
    "|",
    "`",
    "\\/",
    "\\u0041",
    "sign",
    "\"sign\":\"",
];

/// What a generated text value may contain.
#[derive(Clone, Copy)]
pub struct TextOpts {
    /// `%` anywhere (the Node SDK's `checkNotifySign` cannot take it).
    pub percent: bool,
    /// Chance (in %) of an empty value.
    pub empty_pct: u64,
    /// Chance (in %) of a long value (a few KB).
    pub long_pct: u64,
    /// JSON object keys only in snake_case ASCII, as Alipay names fields (the Node SDK's
    /// page methods rewrite any other key, see `page_pay_matches_node`).
    pub snake_keys: bool,
}

impl Default for TextOpts {
    fn default() -> Self {
        TextOpts {
            percent: true,
            empty_pct: 0,
            long_pct: 5,
            snake_keys: false,
        }
    }
}

impl Rng {
    pub fn text(&mut self, o: TextOpts) -> String {
        if self.chance(o.empty_pct) {
            return String::new();
        }
        let n = if self.chance(o.long_pct) {
            self.range(300, 1500)
        } else {
            self.range(1, 12)
        };
        let mut s = String::new();
        while s.chars().count() < n || s.is_empty() {
            let p = *self.pick(PIECES);
            if !o.percent && p.contains('%') {
                continue;
            }
            s.push_str(p);
        }
        s
    }

    /// A snake_case parameter name that no SDK rewrites and no common parameter uses.
    pub fn param_name(&mut self) -> String {
        const WORDS: &[&str] = &[
            "goods", "store", "memo", "extra", "buyer", "note", "terminal", "scene", "ext",
            "passback", "channel", "level",
        ];
        let mut s = String::from("x_");
        s.push_str(self.pick::<&str>(WORDS));
        for _ in 0..self.below(2) {
            s.push('_');
            s.push_str(self.pick::<&str>(WORDS));
        }
        s
    }

    /// A JSON value for `biz_content`: nested objects and arrays of hostile strings,
    /// integers, booleans and nulls. Object keys are never integer-like, since JavaScript
    /// would reorder those.
    pub fn json(&mut self, depth: usize, o: TextOpts) -> Value {
        let leaf = depth == 0 || self.chance(45);
        if leaf {
            return match self.below(6) {
                0 => Value::from(self.next_u64() as i32 as i64),
                1 => Value::Bool(self.chance(50)),
                2 => Value::Null,
                _ => Value::String(self.text(o)),
            };
        }
        if self.chance(30) {
            let n = self.below(4);
            Value::Array((0..n).map(|_| self.json(depth - 1, o)).collect())
        } else {
            self.json_object(depth - 1, o)
        }
    }

    pub fn json_object(&mut self, depth: usize, o: TextOpts) -> Value {
        const KEYS: &[&str] = &[
            "out_trade_no",
            "subject",
            "body",
            "total_amount",
            "goods_detail",
            "extend_params",
            "名称",
            "k",
            "key with space",
            "quote\"d",
            "back\\slash",
            "slash/ed",
            "amp&",
            "x-y",
        ];
        const SNAKE_KEYS: &[&str] = &[
            "out_trade_no",
            "subject",
            "body",
            "total_amount",
            "goods_detail",
            "extend_params",
            "product_code",
            "quantity",
            "k",
        ];
        let mut m = Map::new();
        for _ in 0..self.range(1, 6) {
            let k = (*self.pick(if o.snake_keys { SNAKE_KEYS } else { KEYS })).to_owned();
            let v = self.json(depth, o);
            m.insert(k, v);
        }
        Value::Object(m)
    }

    pub fn timestamp(&mut self) -> BeijingDateTime {
        let s = format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.range(2019, 2035),
            self.range(1, 12),
            self.range(1, 28),
            self.below(24),
            self.below(60),
            self.below(60)
        );
        s.parse().expect("valid timestamp")
    }

    pub fn backend(&mut self) -> Backend {
        *self.pick(Backend::all())
    }
}

// ---------------------------------------------------------------------------------------
// Requests, notifications, responses

/// A randomized v2 request, before signing.
#[derive(Debug, Clone)]
pub struct RandomRequest {
    pub method: String,
    pub protocol: Vec<(String, String)>,
    pub text: Vec<(String, String)>,
    pub biz: Option<String>,
    pub timestamp: BeijingDateTime,
    pub format: bool,
    pub sign_type: SignType,
}

impl RandomRequest {
    pub fn generate(rng: &mut Rng, o: TextOpts, rsa_too: bool) -> RandomRequest {
        let method = (*rng.pick(&[
            "alipay.trade.query",
            "alipay.trade.app.pay",
            "alipay.trade.page.pay",
            "alipay.fund.trans.uni.transfer",
        ]))
        .to_owned();
        let mut protocol = Vec::new();
        for k in ["return_url", "notify_url", "app_auth_token"] {
            if rng.chance(40) {
                protocol.push((k.to_owned(), rng.text(o)));
            }
        }
        let mut text: Vec<(String, String)> = Vec::new();
        for _ in 0..rng.below(3) {
            let k = rng.param_name();
            if text.iter().all(|(t, _)| *t != k) {
                text.push((k, rng.text(o)));
            }
        }
        let biz = (!rng.chance(10)).then(|| rng.json_object(3, o).to_string());
        RandomRequest {
            method,
            protocol,
            text,
            biz,
            timestamp: rng.timestamp(),
            format: rng.chance(50),
            sign_type: if rsa_too && rng.chance(40) {
                SignType::Rsa
            } else {
                SignType::Rsa2
            },
        }
    }

    pub fn parts(&self) -> RequestParts {
        RequestParts {
            method: self.method.clone(),
            version: "1.0".into(),
            protocol: self.protocol.clone(),
            biz_content: self.biz.clone(),
            text: self.text.clone(),
            files: Vec::new(),
        }
    }

    pub fn common(&self) -> CommonParams {
        let mut c = CommonParams::new(APP_ID);
        c.sign_type = self.sign_type;
        if !self.format {
            c.format = None;
        }
        c
    }
}

/// Params as a JSON object (every value a string), for the peers.
pub fn params_json<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> Value {
    let mut m = Map::new();
    for (k, v) in params {
        assert!(
            m.insert(k.to_owned(), Value::String(v.to_owned()))
                .is_none(),
            "duplicate {k}"
        );
    }
    Value::Object(m)
}

/// A JSON object of strings back into pairs.
pub fn json_params(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .expect("an object")
        .iter()
        .map(|(k, v)| {
            let s = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), s)
        })
        .collect()
}

/// Splits `k=v&k=v` and percent-decodes each side without `+` rules (what
/// `encodeURIComponent` produced).
pub fn split_uri_components(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |x: &str| {
                percent_encoding::percent_decode_str(x)
                    .decode_utf8()
                    .expect("UTF-8")
                    .into_owned()
            };
            (dec(k), dec(v))
        })
        .collect()
}

/// Which parameters a notification's signature covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Without `sign` and `sign_type`.
    V1,
    /// Without `sign` only.
    V2,
}

/// A notification as Alipay posts one about a trade, with hostile values.
pub fn random_notification(
    rng: &mut Rng,
    o: TextOpts,
    sign_type: SignType,
) -> Vec<(String, String)> {
    let ts = rng.timestamp().to_string();
    let mut p: Vec<(String, String)> = vec![
        ("notify_time".into(), ts.clone()),
        ("notify_type".into(), "trade_status_sync".into()),
        ("notify_id".into(), format!("{:x}", rng.next_u64())),
        ("app_id".into(), APP_ID.into()),
        ("charset".into(), "utf-8".into()),
        ("version".into(), "1.0".into()),
        ("sign_type".into(), sign_type.as_str().into()),
        (
            "trade_no".into(),
            format!("2024{:020}", rng.next_u64() % 10u64.pow(19)),
        ),
        ("out_trade_no".into(), rng.text(o)),
        (
            "trade_status".into(),
            (*rng.pick(&[
                "TRADE_SUCCESS",
                "TRADE_CLOSED",
                "TRADE_FINISHED",
                "WAIT_BUYER_PAY",
            ]))
            .into(),
        ),
        (
            "total_amount".into(),
            format!("{}.{:02}", rng.below(100000), rng.below(100)),
        ),
        ("subject".into(), rng.text(o)),
        ("body".into(), rng.text(o)),
        ("gmt_create".into(), ts),
        (
            "fund_bill_list".into(),
            json!([{"amount": "1.00", "fundChannel": "ALIPAYACCOUNT"}]).to_string(),
        ),
    ];
    for _ in 0..rng.below(3) {
        let k = rng.param_name();
        if p.iter().all(|(t, _)| *t != k) {
            p.push((k, rng.text(o)));
        }
    }
    p
}

/// Signs a notification with the platform key, as Alipay does.
pub fn sign_notification(
    params: &mut Vec<(String, String)>,
    key: &PrivateKey,
    sign_type: SignType,
    scheme: Scheme,
) {
    let exclude: &[&str] = match scheme {
        Scheme::V1 => &["sign", "sign_type"],
        Scheme::V2 => &["sign"],
    };
    let content = notify_content(
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        exclude,
    );
    let sign = alipay_api::crypto::sign_base64(key, sign_type, content.as_bytes()).expect("sign");
    params.push(("sign".into(), sign));
}

/// A signed gateway response body, laid out one of a few ways Alipay and proxies do.
pub struct SignedResponse {
    pub body: String,
    /// `<method>_response` of the method called (the body may carry `error_response`).
    pub method_key: String,
    pub node: String,
    pub response_key: String,
    pub sign: String,
}

pub fn random_response(rng: &mut Rng, key: &PrivateKey, sign_type: SignType) -> SignedResponse {
    let method = *rng.pick(&[
        "alipay.trade.query",
        "alipay.trade.refund",
        "alipay.trade.close",
    ]);
    let o = TextOpts {
        empty_pct: 10,
        ..TextOpts::default()
    };
    let error = rng.chance(20);
    let mut node = Map::new();
    if error {
        node.insert("code".into(), "40004".into());
        node.insert("msg".into(), "Business Failed".into());
        node.insert("sub_code".into(), "ACQ.TRADE_NOT_EXIST".into());
        node.insert("sub_msg".into(), rng.text(o).into());
    } else {
        node.insert("code".into(), "10000".into());
        node.insert("msg".into(), "Success".into());
    }
    if let Value::Object(extra) = rng.json_object(3, o) {
        for (k, v) in extra {
            node.entry(k).or_insert(v);
        }
    }
    let mut node_text = Value::Object(node).to_string();
    // Alipay's own serializer escapes `/`; signed as sent.
    if rng.chance(30) {
        node_text = node_text.replace('/', "\\/");
    }
    let method_key = format!("{}_response", method.replace('.', "_"));
    let response_key = if error && rng.chance(50) {
        "error_response".to_owned()
    } else {
        method_key.clone()
    };
    let sign = alipay_api::crypto::sign_base64(key, sign_type, node_text.as_bytes()).expect("sign");
    let body = match rng.below(3) {
        0 => format!(r#"{{"{response_key}":{node_text},"sign":"{sign}"}}"#),
        1 => format!("{{\n  \"{response_key}\" : {node_text} ,\n  \"sign\" : \"{sign}\"\n}}"),
        _ => format!("{{\"{response_key}\":\t{node_text},\n\"sign\":\"{sign}\"}}"),
    };
    SignedResponse {
        body,
        method_key,
        node: node_text,
        response_key,
        sign,
    }
}

/// A random AES key (16, 24 or 32 bytes) as base64, as the console shows it.
pub fn random_aes_key(rng: &mut Rng) -> String {
    let n = *rng.pick(&[16usize, 24, 32]);
    base64::engine::general_purpose::STANDARD.encode(rng.bytes(n))
}

/// A random request signed by us with the app key (AES-encrypted in about one case
/// in seven), with the parameters exactly as they go on the wire.
pub struct SignedRandom {
    /// The generated request.
    pub req: RandomRequest,
    /// What `sign_request` produced.
    pub signed: alipay_api::protocol::request::SignedRequest,
    /// Every wire parameter, `sign` included.
    pub params: Vec<(String, String)>,
    /// Whether `biz_content` was encrypted.
    pub encrypted: bool,
}

impl SignedRandom {
    /// Our signature (the last query parameter).
    pub fn our_sign(&self) -> &str {
        self.signed
            .query
            .last()
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    /// The wire parameters as borrowed pairs.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Whether any wire parameter is empty (the runtime leaves them off).
    pub fn has_empty(&self) -> bool {
        self.params.iter().any(|(_, v)| v.is_empty())
    }
}

/// Generates and signs one random request with the run's app key.
pub fn sign_random_request(rng: &mut Rng, o: TextOpts) -> SignedRandom {
    let req = RandomRequest::generate(rng, o, true);
    let aes = rng.chance(15).then(|| {
        alipay_api::crypto::aes::AesKey::from_base64(&random_aes_key(rng))
            .expect("a generated AES key is valid")
    });
    let key = keys().app.private(rng.backend());
    let signed = alipay_api::protocol::request::sign_request(
        &req.common(),
        req.parts(),
        req.timestamp,
        &key,
        aes.as_ref(),
    )
    .expect("signing with a generated key succeeds");
    let params = signed
        .all_params()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    SignedRandom {
        req,
        signed,
        params,
        encrypted: aes.is_some(),
    }
}

//! What the fuzz targets in `fuzz/` run: one function per target, over raw bytes.
//!
//! Each function must never panic and never take long on any input; the
//! assertions inside are properties that hold for every input (a loaded key signs
//! and verifies, a decrypted text encrypts back, …). Each returns whether the input
//! was accepted, so that `tests/tests/fuzz_corpus.rs` can check on stable Rust that
//! the committed seeds (`fuzz/corpus/<target>/`, recorded from the local gateway by
//! `cargo run -p alipay-tests --example record_fuzz_corpus`) still reach the deep
//! paths. `cargo +nightly fuzz run <target>` runs the same functions on mutations.
//!
//! Responses and notifications are verified with the throwaway platform key of
//! `tests/vectors/keys/`, and AES text is decrypted with its AES key: the recorder
//! runs the gateway with those keys.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use alipay_api::crypto::aes::AesKey;
use alipay_api::crypto::{cert, Signer as _};
use alipay_api::protocol::{notify, response, Charset};
use alipay_api::{Backend, NotifyScheme, PrivateKey, PublicKey, SignType};

/// What a target runs: raw bytes in, whether they were accepted out.
pub type Target = fn(&[u8]) -> bool;

/// Every target: its name (the folder under `fuzz/corpus/` and the binary under
/// `fuzz/fuzz_targets/`) and its function.
pub const TARGETS: &[(&str, Target)] = &[
    ("response", response),
    ("notification", notification),
    ("keys", keys),
    ("certs", certs),
    ("aes", aes),
    ("spec", spec),
    ("gateway_request", gateway_request),
];

/// The platform ("Alipay") public key of the test vectors.
pub fn platform_key() -> &'static PublicKey {
    static KEY: OnceLock<PublicKey> = OnceLock::new();
    KEY.get_or_init(|| {
        PublicKey::from_text(include_str!("../vectors/keys/alipay_public.pem"))
            .unwrap_or_else(|e| panic!("tests/vectors/keys/alipay_public.pem: {e}"))
    })
}

/// The AES key of the test vectors.
pub fn aes_key() -> &'static AesKey {
    static KEY: OnceLock<AesKey> = OnceLock::new();
    KEY.get_or_init(|| {
        AesKey::from_base64(include_str!("../vectors/keys/aes_key.txt"))
            .unwrap_or_else(|e| panic!("tests/vectors/keys/aes_key.txt: {e}"))
    })
}

/// The first line (without its `\n`) and the rest.
fn first_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

/// `<method>[ <charset>]\n<response body>`: the client's whole reading of a
/// gateway answer (decode it in its charset, find the signed node, verify it,
/// decrypt it, type it). Accepted: it verified.
pub fn response(data: &[u8]) -> bool {
    let (head, body) = first_line(data);
    let Ok(head) = std::str::from_utf8(head) else {
        return false;
    };
    let (method, charset) = match head.split_once(' ') {
        Some((m, label)) => (m, Charset::from_label(label)),
        None => (head, Some(Charset::Utf8)),
    };
    let Some(charset) = charset else {
        return false;
    };
    let Some(body) = charset.decode(body) else {
        return false;
    };
    let body = body.as_ref();
    let ctx = response::ResponseContext {
        method,
        extra_success_codes: &[],
        extra_success_result_codes: &[],
        sign_type: SignType::Rsa2,
        aes: Some(aes_key()),
        charset,
    };
    let key = format!("{}_response", method.replace('.', "_"));
    let Ok(ex) = response::extract(body, &key) else {
        return false;
    };
    // What is verified is a slice of what was received, never a re-serialisation.
    let (b, n) = (body.as_ptr() as usize, ex.node.as_ptr() as usize);
    assert!(n >= b && n + ex.node.len() <= b + body.len());
    match response::verify_and_split(&ctx, &ex, Some(platform_key()), body, None) {
        Ok(node) => {
            let _ = response::into_result::<serde_json::Value>(&ctx, &ex, node, body, None);
            true
        }
        Err(_) => false,
    }
}

/// A raw notification body (form-encoded, UTF-8 or GBK). Accepted: it verified.
pub fn notification(data: &[u8]) -> bool {
    let parsed = notify::parse_form(data);
    let verified = notify::verify_body(data, &[platform_key()], SignType::Rsa2, NotifyScheme::Auto);
    if let Ok(v) = &verified {
        // Verification sees exactly the parameters the parser decoded.
        let params = parsed.unwrap_or_default();
        assert_eq!(params.len(), v.params().len());
    }
    verified.is_ok()
}

/// Key text as merchants paste it (PEM, PKCS#1 or PKCS#8, or bare base64), on
/// every backend. Accepted: a private or public key loaded.
pub fn keys(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let mut loaded = false;
    for &backend in Backend::all() {
        if let Ok(k) = PrivateKey::from_text_with(text, backend) {
            // A key that loads signs, and its public half verifies what it signed.
            if let Ok(sig) = k.sign(SignType::Rsa2, b"fuzz") {
                assert!(k.public().verify(SignType::Rsa2, b"fuzz", &sig));
            }
            loaded = true;
        }
        loaded |= PublicKey::from_text_with(text, backend).is_ok();
    }
    loaded
}

/// A certificate file (one or more PEM certificates): parsing, SNs, public keys,
/// validity and chain checks. Accepted: at least one certificate parsed.
pub fn certs(data: &[u8]) -> bool {
    let _ = cert::leaf_sn(data, "fuzzed certificate");
    let _ = cert::root_sn(data);
    let Ok(chain) = cert::parse_pem_bundle(data, "fuzzed certificate") else {
        return false;
    };
    for c in &chain {
        let _ = (c.sn(), c.is_rsa_signed(), c.valid_at(0));
        for &backend in Backend::all() {
            let _ = c.public_key(backend);
        }
        // What parsed from the PEM parses again from its DER.
        assert!(cert::Certificate::from_der(c.der()).is_ok());
    }
    let _ = cert::verify_chain(&chain, &chain, 0);
    !chain.is_empty()
}

/// Base64 AES ciphertext (a response node or an encrypted `biz_content`), and the
/// same text as a key. Accepted: it decrypted.
pub fn aes(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let _ = AesKey::from_base64(text);
    let key = aes_key();
    match key.decrypt(text) {
        Ok(plain) => {
            assert_eq!(
                key.decrypt(&key.encrypt(&plain)).as_deref(),
                Ok(plain.as_str())
            );
            true
        }
        Err(_) => false,
    }
}

/// The repository's spec folder, for its `groups.yaml`.
const REAL_SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec");

/// `<path in the spec folder>\n<YAML>`: one spec file, in a spec folder that holds
/// only it and the real `groups.yaml`, read by the generator's loader
/// (`alipay_codegen::load::load_raw`) and, whatever it read, checked for
/// consistency (`alipay_codegen::ir::build`; references to files that are not
/// there are errors, never panics). Accepted: the file parsed.
pub fn spec(data: &[u8]) -> bool {
    let (path, text) = first_line(data);
    let path = std::str::from_utf8(path)
        .ok()
        .filter(|p| spec_path_ok(p))
        .unwrap_or("methods/trade/fuzz.yaml");
    SCRATCH.with_borrow_mut(|scratch| {
        let scratch = scratch.get_or_insert_with(Scratch::new);
        if !scratch.put(path, text) {
            return false;
        }
        let (raw, errors) = alipay_codegen::load::load_raw(&scratch.dir);
        let _ = alipay_codegen::ir::build(&raw, Default::default());
        errors.is_empty()
    })
}

/// Paths a fuzzed spec file may take; nothing that climbs out of the spec folder.
fn spec_path_ok(p: &str) -> bool {
    let name_ok = |s: &str| {
        !s.is_empty()
            && !s.starts_with('.')
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    };
    let parts: Vec<&str> = p.split('/').collect();
    p.ends_with(".yaml")
        && match parts.as_slice() {
            ["groups.yaml"] => true,
            ["methods", group, file] => name_ok(group) && name_ok(file),
            ["models" | "notifications" | "fields", file] => name_ok(file),
            _ => false,
        }
}

/// A per-thread scratch spec folder, removed when the thread ends.
struct Scratch {
    dir: PathBuf,
    /// The file the last input replaced, to put back before the next one.
    replaced: Option<String>,
}

impl Scratch {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("alipay-fuzz-spec-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .and_then(|()| {
                std::fs::copy(
                    Path::new(REAL_SPEC).join("groups.yaml"),
                    dir.join("groups.yaml"),
                )
            })
            .unwrap_or_else(|e| panic!("cannot make the scratch spec {}: {e}", dir.display()));
        Scratch {
            dir,
            replaced: None,
        }
    }

    /// Removes the previous input's file (restores `groups.yaml`), then writes
    /// `text` at `path`.
    fn put(&mut self, path: &str, text: &[u8]) -> bool {
        let _ = match self.replaced.take().as_deref() {
            Some("groups.yaml") => std::fs::copy(
                Path::new(REAL_SPEC).join("groups.yaml"),
                self.dir.join("groups.yaml"),
            )
            .map(drop),
            Some(old) => std::fs::remove_file(self.dir.join(old)),
            None => Ok(()),
        };
        let file = self.dir.join(path);
        self.replaced = Some(path.to_owned());
        file.parent()
            .is_some_and(|d| std::fs::create_dir_all(d).is_ok())
            && std::fs::write(&file, text).is_ok()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Option<Scratch>> = const { std::cell::RefCell::new(None) };
}

/// `<URL query>\n<Content-Type>\n<body>`: a request as the local gateway's
/// `/gateway.do` receives it. Accepted: its parameters were read.
pub fn gateway_request(data: &[u8]) -> bool {
    let (query, rest) = first_line(data);
    let (content_type, body) = first_line(rest);
    fn text(b: &[u8]) -> Option<&str> {
        std::str::from_utf8(b).ok().filter(|s| !s.is_empty())
    }
    match alipay_sandbox::fuzzing::read_request(text(query), text(content_type), body) {
        Ok(pairs) => {
            assert!(pairs.len() <= alipay_sandbox::fuzzing::MAX_PARAMS);
            let mut names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), pairs.len(), "a parameter name twice");
            true
        }
        Err(e) => {
            assert!(!e.contains("did not finish"), "{e}");
            false
        }
    }
}

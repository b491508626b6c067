//! The keys a verification uses: the one the client would use, and the others a
//! known mistake would have put in its place (the app's own key, the same key read
//! leniently, the other certificates of the configured files).

use std::path::Path;

use alipay_api::config::env;
use alipay_api::crypto::cert::{self, Certificate};
use alipay_api::crypto::inspect::KeyText;
use alipay_api::{Backend, PrivateKey, PublicKey, SignType};

use super::causes::Cause;
use crate::error::CliError;
use crate::keys::fingerprint;
use crate::settings::Loaded;

/// A key another configuration would have used, and the mistake that explains it.
pub struct Alternative {
    /// The mistake.
    pub cause: Cause,
    /// Which key it is, for the report.
    pub detail: String,
    /// The key.
    pub key: PublicKey,
    /// The certificate SN, for certificate-mode alternatives.
    pub sn: Option<String>,
}

/// Everything a verification needs to know about keys.
pub struct Keyring {
    /// The app's sign type.
    pub sign_type: SignType,
    /// The setting the key comes from, e.g. `ALIPAY_PUBLIC_KEY`.
    pub configured_name: String,
    /// The key the client would verify with, when it could be read.
    pub configured: Option<PublicKey>,
    /// Why it could not be read.
    pub configured_error: Option<String>,
    /// Certificate mode: the SN of the configured Alipay certificate.
    pub configured_sn: Option<String>,
    /// The app's own public key (from the private key), when configured.
    pub app: Option<PublicKey>,
    /// Keys a known mistake would explain.
    pub alternatives: Vec<Alternative>,
}

impl Keyring {
    /// The configured key's fingerprint, or why there is none.
    pub fn configured_fingerprint(&self) -> String {
        match (&self.configured, &self.configured_error) {
            (Some(k), _) => fingerprint(k),
            (None, Some(e)) => format!("unreadable: {e}"),
            (None, None) => "none".into(),
        }
    }
}

/// Reads the keys of `loaded`.
pub fn keyring(loaded: &Loaded) -> Result<Keyring, CliError> {
    let config = &loaded.config;
    let app = config
        .private_key_text()
        .ok()
        .flatten()
        .and_then(|t| PrivateKey::from_text(&t).ok())
        .map(|k| k.public().clone());
    let mut ring = match config.certificate_files()? {
        Some(files) => cert_mode(loaded, files)?,
        None => key_mode(loaded)?,
    };
    ring.sign_type = config.sign_type_value()?;
    if let Some(app_key) = &app {
        if ring.configured.as_ref() != Some(app_key) {
            ring.alternatives.push(Alternative {
                cause: Cause::SignedByAppKey,
                detail: format!("your app's own public key ({})", fingerprint(app_key)),
                key: app_key.clone(),
                sn: None,
            });
        }
    }
    ring.app = app;
    Ok(ring)
}

fn empty(name: String) -> Keyring {
    Keyring {
        sign_type: SignType::Rsa2,
        configured_name: name,
        configured: None,
        configured_error: None,
        configured_sn: None,
        app: None,
        alternatives: Vec::new(),
    }
}

fn key_mode(loaded: &Loaded) -> Result<Keyring, CliError> {
    let name = loaded.public_key_name();
    let text = loaded
        .config
        .alipay_public_key_text()?
        .ok_or(alipay_api::ConfigError::Missing(env::PUBLIC_KEY))?;
    let mut ring = empty(name);
    match PublicKey::from_text(&text) {
        Ok(k) => ring.configured = Some(k),
        Err(e) => ring.configured_error = Some(e.to_string()),
    }
    for (detail, key) in lenient_keys(&text) {
        if ring.configured.as_ref() != Some(&key) && !ring.alternatives.iter().any(|a| a.key == key)
        {
            ring.alternatives.push(Alternative {
                cause: Cause::KeyFormat,
                detail,
                key,
                sn: None,
            });
        }
    }
    if ring.configured.is_none() && ring.alternatives.is_empty() {
        // Not even a lenient reading finds a key: bad input, said in one line.
        return Err(CliError::Config(
            PublicKey::from_text(&text)
                .err()
                .unwrap_or(alipay_api::ConfigError::Missing(env::PUBLIC_KEY)),
        ));
    }
    Ok(ring)
}

/// Readings of a key text that the strict reader refuses or reads differently,
/// each with what was wrong with the text.
fn lenient_keys(text: &str) -> Vec<(String, PublicKey)> {
    let backend = Backend::default();
    let mut out = Vec::new();
    if let Ok(k) = KeyText::inspect(text) {
        if k.label_mismatch() || k.structure().is_some_and(|s| s.is_private()) {
            if let Some(key) = k.public_key(backend) {
                out.push((format!("the key text is a {}", k.describe()), key));
            }
        }
    }
    // Keys copied out of JSON or .env files keep `\n` as two characters, and quotes.
    let unescaped = text
        .replace("\\r\\n", "\n")
        .replace("\\n", "\n")
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .to_owned();
    if unescaped != text.trim() {
        let key = PublicKey::from_text(&unescaped)
            .ok()
            .or_else(|| KeyText::inspect(&unescaped).ok()?.public_key(backend));
        if let Some(key) = key {
            out.push((
                "the key text holds literal `\\n` sequences or quotes (copied from a JSON or .env file)"
                    .into(),
                key,
            ));
        }
    }
    if text.contains("BEGIN CERTIFICATE") {
        if let Some(key) = cert::parse_pem_bundle(text.as_bytes(), "certificate")
            .ok()
            .and_then(|c| c.first()?.public_key(backend).ok())
        {
            out.push((
                "the key setting holds a certificate, not a public key".into(),
                key,
            ));
        }
    }
    out
}

fn read_bundle(path: &Path, name: &str) -> Result<Vec<Certificate>, CliError> {
    let bytes = std::fs::read(path).map_err(|e| CliError::Read {
        what: format!("{name} (`{}`)", path.display()),
        reason: e.to_string(),
    })?;
    Ok(cert::parse_pem_bundle(&bytes, "certificate")?)
}

fn cert_mode(loaded: &Loaded, [app, alipay, root]: [&Path; 3]) -> Result<Keyring, CliError> {
    let src = &loaded.source;
    let files = [
        (src.name_of(env::CERT_FILE), alipay),
        (src.name_of(env::APP_CERT_FILE), app),
        (src.name_of(env::ROOT_CERT_FILE), root),
    ];
    let mut ring = empty(files[0].0.clone());
    for (file_index, (name, path)) in files.iter().enumerate() {
        for (i, c) in read_bundle(path, name)?.iter().enumerate() {
            let (Ok(key), Ok(sn)) = (c.public_key(Backend::default()), c.sn()) else {
                continue; // not an RSA certificate: it cannot have signed
            };
            if file_index == 0 && i == 0 {
                ring.configured = Some(key);
                ring.configured_sn = Some(sn);
                continue;
            }
            if ring.configured.as_ref() == Some(&key) {
                continue;
            }
            ring.alternatives.push(Alternative {
                cause: Cause::CertSn,
                detail: format!("certificate #{} of {name} (SN {sn})", i + 1),
                key,
                sn: Some(sn),
            });
        }
    }
    if ring.configured.is_none() {
        ring.configured_error = Some(format!("{} holds no RSA certificate", files[0].0));
    }
    Ok(ring)
}

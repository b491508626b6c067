//! `alipay verify response|notification FILE|-`: verifies a captured body the way
//! the client does; when that fails, re-tries the variants that known mistakes
//! produce and names every one that would have verified.

pub mod causes;
mod keyring;
mod notification;
mod response;

use alipay_api::{PublicKey, SignType};
use serde::Serialize;

use crate::error::{CliError, EXIT_NEGATIVE};
use crate::keys::fingerprint;
use crate::output::{indent, Report};
use crate::settings::Loaded;
use causes::{Cause, Found};
use keyring::Keyring;

/// The largest body read (the client reads at most 16 MiB too).
const MAX_BODY: usize = 16 << 20;

/// What the captured body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// A gateway response body (JSON).
    Response,
    /// A notification body (application/x-www-form-urlencoded), as posted.
    Notification,
}

/// Which string a notification's signature covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scheme {
    /// Asynchronous notifications: `sign` and `sign_type` left out.
    V1,
    /// return_url parameters: only `sign` left out.
    V2,
    /// Either, as the client accepts.
    Auto,
}

/// `alipay verify` options.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// What the file holds.
    #[arg(value_enum)]
    pub kind: Kind,
    /// The body exactly as received: a file, or - for stdin.
    pub input: String,
    /// response: the method called (its node is `<method>_response`); default: the
    /// body's only `*_response` node.
    #[arg(long)]
    pub method: Option<String>,
    /// notification: the string's rule (v1 for asynchronous notifications).
    #[arg(long, value_enum, default_value_t = Scheme::V1)]
    pub scheme: Scheme,
}

/// What `alipay verify` found.
#[derive(Debug, Serialize)]
pub struct VerifyReport {
    /// `response` or `notification`.
    pub kind: &'static str,
    /// Whether the signature verified as the client checks it.
    pub verified: bool,
    /// The sign type used.
    pub sign_type: String,
    /// The charset the string was encoded in.
    pub charset: String,
    /// Notifications: which parameters the string leaves out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The exact string verified.
    pub string_verified: String,
    /// The setting the key comes from.
    pub key: String,
    /// SHA-256 of the key's SubjectPublicKeyInfo, first 8 bytes.
    pub key_fingerprint: String,
    /// The app's own public key's fingerprint, when the private key is configured.
    pub app_key_fingerprint: Option<String>,
    /// Why the client's check failed.
    pub problem: Option<String>,
    /// Every known cause that fits, most specific first.
    pub causes: Vec<Found>,
}

impl VerifyReport {
    fn new(kind: &'static str, ring: &Keyring) -> Self {
        VerifyReport {
            kind,
            verified: false,
            sign_type: ring.sign_type.to_string(),
            charset: "utf-8".into(),
            rule: None,
            string_verified: String::new(),
            key: ring.configured_name.clone(),
            key_fingerprint: ring.configured_fingerprint(),
            app_key_fingerprint: ring.app.as_ref().map(fingerprint),
            problem: None,
            causes: Vec::new(),
        }
    }
}

/// `alipay verify`.
pub fn verify(loaded: &Loaded, args: &VerifyArgs) -> Result<VerifyReport, CliError> {
    let ring = keyring::keyring(loaded)?;
    let body = crate::error::read_input(&args.input, MAX_BODY)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(CliError::input(format!(
            "`{}` is empty; save the body exactly as received",
            args.input
        )));
    }
    match args.kind {
        Kind::Response => response::verify(&body, args.method.as_deref(), &ring),
        Kind::Notification => notification::verify(&body, args.scheme, &ring),
    }
}

/// The causes found so far, over one keyring.
struct Diagnosis<'a> {
    ring: &'a Keyring,
    found: Vec<Found>,
}

impl<'a> Diagnosis<'a> {
    fn new(ring: &'a Keyring) -> Self {
        let mut d = Diagnosis {
            ring,
            found: Vec::new(),
        };
        if let (Some(k), Some(app)) = (&ring.configured, &ring.app) {
            if k == app {
                d.fits(
                    Cause::OwnPublicKey,
                    format!(
                        "{} has fingerprint {}, the same as the public half of your app private key",
                        ring.configured_name,
                        fingerprint(k)
                    ),
                );
            }
        }
        d
    }

    fn fits(&mut self, cause: Cause, evidence: impl Into<String>) {
        if !self.found.iter().any(|f| f.cause == cause) {
            self.found.push(Found::new(cause, evidence));
        }
    }

    /// Whether the configured key verifies `bytes` with the app's sign type.
    fn configured_verifies(&self, bytes: &[u8], sig: &[u8]) -> bool {
        self.ring
            .configured
            .as_ref()
            .is_some_and(|k| k.verify(self.ring.sign_type, bytes, sig))
    }

    /// A variant of the content: fits `cause` when the configured key verifies it.
    fn try_content(&mut self, cause: Cause, evidence: &str, bytes: &[u8], sig: &[u8]) {
        if self.configured_verifies(bytes, sig) {
            self.fits(cause, evidence);
        }
    }

    /// The content under the other sign type.
    fn try_other_sign_type(&mut self, bytes: &[u8], sig: &[u8]) {
        let other = match self.ring.sign_type {
            SignType::Rsa2 => SignType::Rsa,
            SignType::Rsa => SignType::Rsa2,
        };
        if let Some(k) = &self.ring.configured {
            if k.verify(other, bytes, sig) {
                self.fits(
                    Cause::SignType,
                    format!(
                        "it verifies as {other}, while the app is set to {}",
                        self.ring.sign_type
                    ),
                );
            }
        }
    }

    /// The content under every alternative key (`check` verifies with one key).
    fn try_alternatives(&mut self, check: impl Fn(&PublicKey) -> bool) {
        let ring = self.ring;
        for alt in &ring.alternatives {
            if check(&alt.key) {
                self.fits(
                    alt.cause,
                    format!(
                        "it verifies with {} instead of {}",
                        alt.detail, ring.configured_name
                    ),
                );
            }
        }
    }
}

/// The bytes of `text` in the charset `label` names, or `None` when a character
/// has no encoding there (or the label is unknown).
fn encode(text: &str, label: &str) -> Option<Vec<u8>> {
    let enc = encoding_rs::Encoding::for_label(label.trim().as_bytes())?;
    let (bytes, _, unmappable) = enc.encode(text);
    (!unmappable).then(|| bytes.into_owned())
}

/// The charset a mix-up would have used instead of `label`.
fn other_charset(label: &str) -> &'static str {
    match encoding_rs::Encoding::for_label(label.trim().as_bytes()) {
        Some(e) if e == encoding_rs::UTF_8 => "gbk",
        _ => "utf-8",
    }
}

fn decode_signature(sign: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(sign.trim().as_bytes())
        .ok()
}

impl Report for VerifyReport {
    fn human(&self) -> String {
        let mut s = format!(
            "{} {}: {} ({}{}, {})\n",
            self.kind,
            if self.verified {
                "verified"
            } else {
                "NOT verified"
            },
            if self.verified {
                "the signature is Alipay's"
            } else {
                "do not trust it"
            },
            self.sign_type,
            self.rule
                .as_deref()
                .map(|r| format!(", {r}"))
                .unwrap_or_default(),
            self.charset
        );
        s.push_str(&format!(
            "\nString verified ({} bytes):\n{}\n\nKey: {} {}\n",
            self.string_verified.len(),
            indent(&self.string_verified),
            self.key,
            self.key_fingerprint
        ));
        if let Some(app) = &self.app_key_fingerprint {
            s.push_str(&format!("App public key: {app}\n"));
        }
        if let Some(p) = &self.problem {
            s.push_str(&format!("\nProblem: {p}\n"));
        }
        if !self.verified {
            if self.causes.is_empty() {
                s.push_str(
                    "\nNo known cause fits: the body was changed after signing, is truncated, \
                     or was signed by another key. Compare the key fingerprint with 支付宝公钥 \
                     in the console, and capture the body exactly as received.\n",
                );
            }
            for f in &self.causes {
                s.push_str(&format!(
                    "\nCause [{}]: {}\n  evidence: {}\n  fix: {}\n",
                    serde_json::to_value(f.cause)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    f.explanation,
                    f.evidence,
                    f.fix
                ));
            }
        }
        s
    }

    fn exit_code(&self) -> u8 {
        if self.verified {
            0
        } else {
            EXIT_NEGATIVE
        }
    }
}

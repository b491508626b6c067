//! Keys, signing and verification.
//!
//! Requests are signed through the [`Signer`] trait so the app private key can live
//! in a KMS or HSM; [`PrivateKey`] is the built-in signer over a key held in memory.
//! Alipay's answers are checked with an [`PublicKey`] (key mode) or the public key
//! of Alipay's certificate (certificate mode, see [`cert`]).
//!
//! Two backends do the RSA arithmetic: [`Backend::AwsLc`] (aws-lc-rs, constant
//! time; the default with the `aws-lc` feature) and [`Backend::RustCrypto`] (the
//! pure-Rust `rsa` crate, which also signs the legacy SHA-1 `RSA` sign type that
//! aws-lc-rs does not offer).

pub mod aes;
pub mod cert;
pub mod inspect;

use std::fmt;

use base64::Engine as _;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{RandomizedSigner, SignatureEncoding, Verifier};

use crate::error::{ConfigError, SignError};

pub(crate) const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The signature algorithm (`sign_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignType {
    /// `RSA2`: RSA PKCS#1 v1.5 with SHA-256. What every new app uses.
    #[default]
    Rsa2,
    /// `RSA`: RSA PKCS#1 v1.5 with SHA-1. Legacy apps only.
    Rsa,
}

impl SignType {
    /// The wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignType::Rsa2 => "RSA2",
            SignType::Rsa => "RSA",
        }
    }

    /// The shortest RSA key this sign type accepts, on both backends: 2048 bits for
    /// `RSA2` (what aws-lc-rs verifies), 1024 for the legacy `RSA`.
    pub const fn min_key_bits(self) -> usize {
        match self {
            SignType::Rsa2 => 2048,
            SignType::Rsa => 1024,
        }
    }

    /// Parses a wire value (`RSA2` or `RSA`).
    pub fn from_wire(s: &str) -> Option<Self> {
        match s {
            "RSA2" => Some(SignType::Rsa2),
            "RSA" => Some(SignType::Rsa),
            _ => None,
        }
    }
}

impl fmt::Display for SignType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which library does the RSA arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Backend {
    /// aws-lc-rs: constant-time, fast. A private key it refuses (shorter than 2048
    /// bits) is a configuration error, never handed to the `rsa` crate behind your
    /// back; `RSA` (SHA-1) signing, which aws-lc-rs does not offer, still uses the
    /// `rsa` crate. The default with the `aws-lc` feature.
    #[cfg(feature = "aws-lc")]
    #[default]
    AwsLc,
    /// The pure-Rust `rsa` crate (with blinding when signing). The default without
    /// the `aws-lc` feature.
    #[cfg_attr(not(feature = "aws-lc"), default)]
    RustCrypto,
}

impl Backend {
    /// Every backend compiled in.
    pub fn all() -> &'static [Backend] {
        &[
            #[cfg(feature = "aws-lc")]
            Backend::AwsLc,
            Backend::RustCrypto,
        ]
    }
}

/// Signs the string to sign with the app private key.
///
/// Implement it to keep the key in a KMS or HSM. The call is synchronous: a remote
/// signer may block (from async code, wrap the blocking part in
/// `tokio::task::block_in_place`).
pub trait Signer: Send + Sync + fmt::Debug {
    /// The raw RSA PKCS#1 v1.5 signature of `content` (SHA-256 for
    /// [`SignType::Rsa2`], SHA-1 for [`SignType::Rsa`]).
    fn sign(&self, sign_type: SignType, content: &[u8]) -> Result<Vec<u8>, SignError>;

    /// The matching public key, if known. The client uses it to refuse an "Alipay
    /// public key" that is really the app's own.
    fn public_key(&self) -> Option<PublicKey> {
        None
    }
}

/// Key material as Alipay's tools hand it out: PEM or bare base64, LF or CRLF.
fn decode_key_text(
    text: &str,
    what: &'static str,
) -> Result<(Option<String>, Vec<u8>), ConfigError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err(ConfigError::Key {
            what,
            reason: "it is empty".into(),
        });
    }
    if trimmed.contains("-----BEGIN") {
        // The pem crate wants LF; keys saved on Windows have CRLF.
        let normalized = trimmed.replace("\r\n", "\n").replace('\r', "\n");
        let p = pem::parse(normalized.as_bytes()).map_err(|e| ConfigError::Key {
            what,
            reason: format!("malformed PEM ({e}); paste the key exactly as downloaded"),
        })?;
        return Ok((Some(p.tag().to_owned()), p.into_contents()));
    }
    let compact: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
    let der = B64
        .decode(compact.as_bytes())
        .map_err(|e| ConfigError::Key {
            what,
            reason: format!("neither PEM nor base64 ({e}); paste the key exactly as downloaded"),
        })?;
    Ok((None, der))
}

/// The app private key, held in memory: the built-in [`Signer`].
///
/// Accepts PKCS#1 or PKCS#8, PEM or bare base64, LF or CRLF line ends. Its `Debug`
/// output never shows key material.
pub struct PrivateKey {
    backend: Backend,
    #[cfg(feature = "aws-lc")]
    aws: Option<aws_lc_rs::rsa::KeyPair>,
    sha256: rsa::pkcs1v15::SigningKey<sha2::Sha256>,
    sha1: rsa::pkcs1v15::SigningKey<sha1::Sha1>,
    public: PublicKey,
    bits: usize,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("backend", &self.backend)
            .field("bits", &self.bits)
            .finish_non_exhaustive()
    }
}

impl PrivateKey {
    /// Reads a key with the default backend.
    pub fn from_text(text: &str) -> Result<Self, ConfigError> {
        Self::from_text_with(text, Backend::default())
    }

    /// Reads a key for the given backend.
    ///
    /// The PEM label is not trusted to name the encoding: a PKCS#8 key inside
    /// `RSA PRIVATE KEY` armor (a common copy-paste from Alipay's key tool) loads, as
    /// in the official SDKs. With [`Backend::AwsLc`] a key aws-lc-rs refuses (e.g.
    /// shorter than 2048 bits) is an error rather than silently signed by the `rsa`
    /// crate; choose [`Backend::RustCrypto`] to sign with such a key deliberately.
    pub fn from_text_with(text: &str, backend: Backend) -> Result<Self, ConfigError> {
        const WHAT: &str = "app private key";
        let (tag, der) = decode_key_text(text, WHAT)?;
        match tag.as_deref() {
            None | Some("RSA PRIVATE KEY") | Some("PRIVATE KEY") => {}
            Some(t @ ("PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE")) => {
                return Err(ConfigError::Key {
                    what: WHAT,
                    reason: format!(
                        "this is a {}, not a private key; use the app private key (应用私钥)",
                        t.to_lowercase()
                    ),
                });
            }
            Some(other) => {
                return Err(ConfigError::Key {
                    what: WHAT,
                    reason: format!("unexpected PEM block `{other}`; expected an RSA private key"),
                });
            }
        }
        // PKCS#8 first, then PKCS#1, whatever the label says.
        let (key, pkcs1) = match rsa::RsaPrivateKey::from_pkcs8_der(&der) {
            Ok(k) => (k, false),
            Err(_) => match rsa::RsaPrivateKey::from_pkcs1_der(&der) {
                Ok(k) => (k, true),
                Err(_) => {
                    let reason = if rsa::RsaPublicKey::from_public_key_der(&der).is_ok()
                        || rsa::RsaPublicKey::from_pkcs1_der(&der).is_ok()
                    {
                        "this is a public key, not a private key; use the app private key (应用私钥)"
                    } else {
                        "not an RSA private key in PKCS#1 or PKCS#8 form"
                    };
                    return Err(ConfigError::Key {
                        what: WHAT,
                        reason: reason.into(),
                    });
                }
            },
        };
        let bits = rsa::traits::PublicKeyParts::n(&key).bits();
        let public = PublicKey::from_rsa(rsa::RsaPublicKey::from(&key), backend)?;
        #[cfg(feature = "aws-lc")]
        let aws = match backend {
            Backend::AwsLc => Some(aws_key_pair(&der, pkcs1, bits)?),
            Backend::RustCrypto => None,
        };
        #[cfg(not(feature = "aws-lc"))]
        let _ = pkcs1;
        Ok(PrivateKey {
            backend,
            #[cfg(feature = "aws-lc")]
            aws,
            sha256: rsa::pkcs1v15::SigningKey::new(key.clone()),
            sha1: rsa::pkcs1v15::SigningKey::new(key),
            public,
            bits,
        })
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The matching public key.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }
}

impl Signer for PrivateKey {
    fn sign(&self, sign_type: SignType, content: &[u8]) -> Result<Vec<u8>, SignError> {
        #[cfg(feature = "aws-lc")]
        if let (Some(kp), SignType::Rsa2) = (&self.aws, sign_type) {
            let mut sig = vec![0u8; kp.public_modulus_len()];
            let rng = aws_lc_rs::rand::SystemRandom::new();
            kp.sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &rng,
                content,
                &mut sig,
            )
            .map_err(|e| SignError::with_source("aws-lc-rs could not sign", e.to_string()))?;
            return Ok(sig);
        }
        let mut rng = rand_core::OsRng;
        let sig = match sign_type {
            SignType::Rsa2 => self.sha256.try_sign_with_rng(&mut rng, content),
            SignType::Rsa => self.sha1.try_sign_with_rng(&mut rng, content),
        }
        .map_err(|e| SignError::with_source("the rsa crate could not sign", e.to_string()))?;
        Ok(sig.to_vec())
    }

    fn public_key(&self) -> Option<PublicKey> {
        Some(self.public.clone())
    }
}

/// The aws-lc-rs key pair, or why aws-lc-rs refuses the key.
#[cfg(feature = "aws-lc")]
fn aws_key_pair(
    der: &[u8],
    pkcs1: bool,
    bits: usize,
) -> Result<aws_lc_rs::rsa::KeyPair, ConfigError> {
    let parsed = if pkcs1 {
        aws_lc_rs::rsa::KeyPair::from_der(der)
    } else {
        aws_lc_rs::rsa::KeyPair::from_pkcs8(der)
    };
    parsed.map_err(|e| ConfigError::Key {
        what: "app private key",
        reason: format!(
            "aws-lc-rs refuses this {bits}-bit key ({e}); it takes 2048- to 8192-bit keys. \
             Generate a 2048-bit key with Alipay's key tool, or choose Backend::RustCrypto \
             to sign with the pure-Rust `rsa` crate deliberately (not constant-time: \
             RUSTSEC-2023-0071)"
        ),
    })
}

/// An RSA public key that checks Alipay's signatures (or, on a gateway, an app's).
#[derive(Clone)]
pub struct PublicKey {
    backend: Backend,
    pkcs1_der: Vec<u8>,
    rc: rsa::RsaPublicKey,
    #[cfg(feature = "aws-lc")]
    aws: Option<(
        aws_lc_rs::signature::ParsedPublicKey,
        aws_lc_rs::signature::ParsedPublicKey,
    )>,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("backend", &self.backend)
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.pkcs1_der == other.pkcs1_der
    }
}
impl Eq for PublicKey {}

impl PublicKey {
    /// Reads a public key (SubjectPublicKeyInfo or PKCS#1; PEM or bare base64) with
    /// the default backend.
    pub fn from_text(text: &str) -> Result<Self, ConfigError> {
        Self::from_text_with(text, Backend::default())
    }

    /// Reads a public key for the given backend.
    pub fn from_text_with(text: &str, backend: Backend) -> Result<Self, ConfigError> {
        const WHAT: &str = "Alipay public key";
        let (tag, der) = decode_key_text(text, WHAT)?;
        let key = match tag.as_deref() {
            Some("PUBLIC KEY") => rsa::RsaPublicKey::from_public_key_der(&der).ok(),
            Some("RSA PUBLIC KEY") => rsa::RsaPublicKey::from_pkcs1_der(&der).ok(),
            None => rsa::RsaPublicKey::from_public_key_der(&der)
                .or_else(|_| rsa::RsaPublicKey::from_pkcs1_der(&der))
                .ok(),
            Some("CERTIFICATE") => {
                return Err(ConfigError::Key {
                    what: WHAT,
                    reason: "this is a certificate; configure certificate mode instead".into(),
                });
            }
            Some(t) if t.contains("PRIVATE") => {
                return Err(ConfigError::Key {
                    what: WHAT,
                    reason: "this is a private key; use Alipay's public key (支付宝公钥)".into(),
                });
            }
            Some(other) => {
                return Err(ConfigError::Key {
                    what: WHAT,
                    reason: format!("unexpected PEM block `{other}`; expected a public key"),
                });
            }
        };
        let key = key.ok_or_else(|| {
            let reason = if rsa::RsaPrivateKey::from_pkcs8_der(&der).is_ok()
                || rsa::RsaPrivateKey::from_pkcs1_der(&der).is_ok()
            {
                "this is a private key; use Alipay's public key (支付宝公钥)".to_string()
            } else {
                "not an RSA public key".to_string()
            };
            ConfigError::Key { what: WHAT, reason }
        })?;
        Self::from_rsa(key, backend)
    }

    /// Wraps a key from DER (SubjectPublicKeyInfo or PKCS#1).
    pub fn from_der(der: &[u8], backend: Backend) -> Result<Self, ConfigError> {
        let key = rsa::RsaPublicKey::from_public_key_der(der)
            .or_else(|_| rsa::RsaPublicKey::from_pkcs1_der(der))
            .map_err(|_| ConfigError::Key {
                what: "public key",
                reason: "not an RSA public key in DER form".into(),
            })?;
        Self::from_rsa(key, backend)
    }

    pub(crate) fn from_rsa(key: rsa::RsaPublicKey, backend: Backend) -> Result<Self, ConfigError> {
        let pkcs1_der = key
            .to_pkcs1_der()
            .map_err(|e| ConfigError::Key {
                what: "public key",
                reason: format!("cannot encode ({e})"),
            })?
            .as_bytes()
            .to_vec();
        #[cfg(feature = "aws-lc")]
        let aws = match backend {
            Backend::AwsLc => {
                use aws_lc_rs::signature::{
                    ParsedPublicKey, RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
                    RSA_PKCS1_2048_8192_SHA256,
                };
                // A key aws-lc-rs cannot parse is checked by the rsa crate below
                // (public-key operations only; the key length rule is in `verify`).
                match (
                    ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &pkcs1_der),
                    ParsedPublicKey::new(&RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY, &pkcs1_der),
                ) {
                    (Ok(a), Ok(b)) => Some((a, b)),
                    _ => None,
                }
            }
            Backend::RustCrypto => None,
        };
        Ok(PublicKey {
            backend,
            pkcs1_der,
            rc: key,
            #[cfg(feature = "aws-lc")]
            aws,
        })
    }

    /// The key as PKCS#1 `RSAPublicKey` DER.
    pub fn pkcs1_der(&self) -> &[u8] {
        &self.pkcs1_der
    }

    /// The key as SubjectPublicKeyInfo DER.
    pub fn spki_der(&self) -> Vec<u8> {
        use rsa::pkcs8::EncodePublicKey;
        self.rc
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .unwrap_or_default()
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The modulus length in bits.
    pub fn bits(&self) -> usize {
        rsa::traits::PublicKeyParts::n(&self.rc).bits()
    }

    /// Checks a raw signature over `content`. The same on both backends: `RSA2`
    /// needs a key of at least 2048 bits, `RSA` at least 1024; a shorter key never
    /// verifies.
    pub fn verify(&self, sign_type: SignType, content: &[u8], signature: &[u8]) -> bool {
        if self.bits() < sign_type.min_key_bits() {
            return false;
        }
        #[cfg(feature = "aws-lc")]
        if let Some((sha256, sha1)) = &self.aws {
            let key = match sign_type {
                SignType::Rsa2 => sha256,
                SignType::Rsa => sha1,
            };
            return key.verify_sig(content, signature).is_ok();
        }
        let Ok(sig) = rsa::pkcs1v15::Signature::try_from(signature) else {
            return false;
        };
        match sign_type {
            SignType::Rsa2 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(self.rc.clone())
                .verify(content, &sig)
                .is_ok(),
            SignType::Rsa => rsa::pkcs1v15::VerifyingKey::<sha1::Sha1>::new(self.rc.clone())
                .verify(content, &sig)
                .is_ok(),
        }
    }

    /// Checks a base64 signature over `content`; `false` for malformed base64.
    pub fn verify_base64(&self, sign_type: SignType, content: &[u8], signature_b64: &str) -> bool {
        match B64.decode(signature_b64.trim().as_bytes()) {
            Ok(sig) => self.verify(sign_type, content, &sig),
            Err(_) => false,
        }
    }

    pub(crate) fn rsa(&self) -> &rsa::RsaPublicKey {
        &self.rc
    }
}

/// Signs `content` and returns the base64 signature, as sent in `sign`.
pub fn sign_base64(
    signer: &dyn Signer,
    sign_type: SignType,
    content: &[u8],
) -> Result<String, SignError> {
    Ok(B64.encode(signer.sign(sign_type, content)?))
}

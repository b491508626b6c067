//! What a piece of key text is, for diagnostics: PEM or bare base64; PKCS#1, PKCS#8
//! or SubjectPublicKeyInfo; and whether a PEM label matches what it wraps. Keys in
//! the wrong form are the most common reason a configuration fails.

use std::fmt;

use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};

use super::{Backend, PublicKey, decode_key_text};
use crate::error::ConfigError;

/// What the key's DER holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyStructure {
    /// A PKCS#1 `RSAPrivateKey` (PEM label `RSA PRIVATE KEY`).
    Pkcs1Private,
    /// A PKCS#8 `PrivateKeyInfo` (PEM label `PRIVATE KEY`).
    Pkcs8Private,
    /// A PKCS#1 `RSAPublicKey` (PEM label `RSA PUBLIC KEY`).
    Pkcs1Public,
    /// A SubjectPublicKeyInfo (PEM label `PUBLIC KEY`): what the Alipay console shows.
    SpkiPublic,
}

impl KeyStructure {
    /// The PEM label that belongs to this structure.
    pub fn pem_label(self) -> &'static str {
        match self {
            KeyStructure::Pkcs1Private => "RSA PRIVATE KEY",
            KeyStructure::Pkcs8Private => "PRIVATE KEY",
            KeyStructure::Pkcs1Public => "RSA PUBLIC KEY",
            KeyStructure::SpkiPublic => "PUBLIC KEY",
        }
    }

    /// Whether this is a private key.
    pub fn is_private(self) -> bool {
        matches!(
            self,
            KeyStructure::Pkcs1Private | KeyStructure::Pkcs8Private
        )
    }
}

impl fmt::Display for KeyStructure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyStructure::Pkcs1Private => "PKCS#1 private key",
            KeyStructure::Pkcs8Private => "PKCS#8 private key",
            KeyStructure::Pkcs1Public => "PKCS#1 public key",
            KeyStructure::SpkiPublic => "SubjectPublicKeyInfo public key",
        })
    }
}

/// Key text taken apart. Its `Debug` output never shows key material.
#[derive(Clone)]
pub struct KeyText {
    pem_label: Option<String>,
    structure: Option<KeyStructure>,
    der: Vec<u8>,
}

impl fmt::Debug for KeyText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyText")
            .field("pem_label", &self.pem_label)
            .field("structure", &self.structure)
            .finish_non_exhaustive()
    }
}

impl KeyText {
    /// Decodes PEM or bare base64 (LF or CRLF) and recognises the RSA structure
    /// inside, whatever the PEM label says. Fails only when the text is neither PEM
    /// nor base64.
    pub fn inspect(text: &str) -> Result<Self, ConfigError> {
        let (pem_label, der) = decode_key_text(text, "key")?;
        let structure = if rsa::RsaPrivateKey::from_pkcs8_der(&der).is_ok() {
            Some(KeyStructure::Pkcs8Private)
        } else if rsa::RsaPrivateKey::from_pkcs1_der(&der).is_ok() {
            Some(KeyStructure::Pkcs1Private)
        } else if rsa::RsaPublicKey::from_public_key_der(&der).is_ok() {
            Some(KeyStructure::SpkiPublic)
        } else if rsa::RsaPublicKey::from_pkcs1_der(&der).is_ok() {
            Some(KeyStructure::Pkcs1Public)
        } else {
            None
        };
        Ok(KeyText {
            pem_label,
            structure,
            der,
        })
    }

    /// The PEM label, or `None` for bare base64.
    pub fn pem_label(&self) -> Option<&str> {
        self.pem_label.as_deref()
    }

    /// The RSA structure found, or `None` when the DER is no RSA key at all.
    pub fn structure(&self) -> Option<KeyStructure> {
        self.structure
    }

    /// Whether a PEM label contradicts the structure (e.g. a SubjectPublicKeyInfo
    /// under `BEGIN RSA PUBLIC KEY`). Bare base64 has no label to contradict.
    pub fn label_mismatch(&self) -> bool {
        match (&self.pem_label, self.structure) {
            (Some(label), Some(s)) => label != s.pem_label(),
            _ => false,
        }
    }

    /// The public key the text holds (a private key's public half), read from the
    /// DER whatever the label says.
    pub fn public_key(&self, backend: Backend) -> Option<PublicKey> {
        let key = match self.structure? {
            KeyStructure::Pkcs8Private => rsa::RsaPrivateKey::from_pkcs8_der(&self.der)
                .ok()
                .map(|k| k.to_public_key()),
            KeyStructure::Pkcs1Private => rsa::RsaPrivateKey::from_pkcs1_der(&self.der)
                .ok()
                .map(|k| k.to_public_key()),
            KeyStructure::SpkiPublic => rsa::RsaPublicKey::from_public_key_der(&self.der).ok(),
            KeyStructure::Pkcs1Public => rsa::RsaPublicKey::from_pkcs1_der(&self.der).ok(),
        }?;
        PublicKey::from_rsa(key, backend).ok()
    }

    /// A short description, e.g. `PKCS#8 private key, PEM` or `SubjectPublicKeyInfo
    /// public key, bare base64`.
    pub fn describe(&self) -> String {
        let what = self
            .structure
            .map(|s| s.to_string())
            .unwrap_or_else(|| "no RSA key".into());
        match &self.pem_label {
            Some(label) if self.label_mismatch() => {
                format!("{what}, PEM labelled `{label}` (wrong label)")
            }
            Some(_) => format!("{what}, PEM"),
            None => format!("{what}, bare base64"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use rsa::pkcs1::EncodeRsaPublicKey;
    use rsa::pkcs8::EncodePublicKey;

    fn pem(label: &str, der: &[u8]) -> String {
        ::pem::encode(&::pem::Pem::new(label, der.to_vec()))
    }

    #[test]
    fn recognises_structure_and_wrong_labels() {
        let sk = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 1024).unwrap();
        let pk = sk.to_public_key();
        let spki = pk.to_public_key_der().unwrap().as_bytes().to_vec();
        let pkcs1 = pk.to_pkcs1_der().unwrap().as_bytes().to_vec();

        let ok = KeyText::inspect(&pem("PUBLIC KEY", &spki)).unwrap();
        assert_eq!(ok.structure(), Some(KeyStructure::SpkiPublic));
        assert!(!ok.label_mismatch());

        let wrong = KeyText::inspect(&pem("RSA PUBLIC KEY", &spki)).unwrap();
        assert!(wrong.label_mismatch());
        assert!(wrong.describe().contains("wrong label"));
        assert!(wrong.public_key(Backend::RustCrypto).is_some());

        let bare = KeyText::inspect(&crate::crypto::B64.encode(&pkcs1)).unwrap();
        assert_eq!(bare.structure(), Some(KeyStructure::Pkcs1Public));
        assert_eq!(bare.pem_label(), None);

        let junk = KeyText::inspect("aGVsbG8=").unwrap();
        assert_eq!(junk.structure(), None);
        assert!(KeyText::inspect("not base64 !").is_err());
    }
}

//! AES content encryption (`encrypt_type=AES`): AES-CBC with a zero IV and PKCS#7
//! padding, base64 on the wire, as the official SDKs do it.

use std::fmt;

use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
use base64::Engine as _;

use super::B64;
use crate::error::ConfigError;

/// An AES content-encryption key (接口内容加密密钥): 16, 24 or 32 bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct AesKey(Vec<u8>);

impl fmt::Debug for AesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AesKey(AES-{}, ..)", self.0.len() * 8)
    }
}

/// Why a ciphertext could not be decrypted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot decrypt the AES content: {0}; check that the AES key matches the one set in the console"
)]
pub struct DecryptError(String);

const ZERO_IV: [u8; 16] = [0; 16];

impl AesKey {
    /// Reads the key as the console shows it: base64.
    pub fn from_base64(text: &str) -> Result<Self, ConfigError> {
        let raw = B64
            .decode(text.trim().as_bytes())
            .map_err(|e| ConfigError::Invalid {
                field: "aes_key",
                reason: format!("not base64 ({e}); paste the key as the console shows it"),
            })?;
        Self::from_bytes(&raw)
    }

    /// Wraps raw key bytes (16, 24 or 32 of them).
    pub fn from_bytes(raw: &[u8]) -> Result<Self, ConfigError> {
        match raw.len() {
            16 | 24 | 32 => Ok(AesKey(raw.to_vec())),
            n => Err(ConfigError::Invalid {
                field: "aes_key",
                reason: format!("{n} bytes; an AES key has 16, 24 or 32"),
            }),
        }
    }

    /// Encrypts UTF-8 text and returns base64.
    pub fn encrypt(&self, plaintext: &str) -> String {
        self.encrypt_bytes(plaintext.as_bytes())
    }

    /// Encrypts bytes (text in the request's charset) and returns base64.
    pub fn encrypt_bytes(&self, data: &[u8]) -> String {
        let ct = match self.0.len() {
            16 => cbc::Encryptor::<aes::Aes128>::new_from_slices(&self.0, &ZERO_IV)
                .map(|c| c.encrypt_padded_vec_mut::<Pkcs7>(data)),
            24 => cbc::Encryptor::<aes::Aes192>::new_from_slices(&self.0, &ZERO_IV)
                .map(|c| c.encrypt_padded_vec_mut::<Pkcs7>(data)),
            _ => cbc::Encryptor::<aes::Aes256>::new_from_slices(&self.0, &ZERO_IV)
                .map(|c| c.encrypt_padded_vec_mut::<Pkcs7>(data)),
        };
        // The key length is checked on construction, so the cipher always builds.
        B64.encode(ct.unwrap_or_default())
    }

    /// Decrypts base64 ciphertext into UTF-8 text.
    pub fn decrypt(&self, ciphertext_b64: &str) -> Result<String, DecryptError> {
        String::from_utf8(self.decrypt_bytes(ciphertext_b64)?)
            .map_err(|_| DecryptError("the plaintext is not UTF-8".into()))
    }

    /// Decrypts base64 ciphertext into bytes (text in the answer's charset).
    pub fn decrypt_bytes(&self, ciphertext_b64: &str) -> Result<Vec<u8>, DecryptError> {
        let ct = B64
            .decode(ciphertext_b64.trim().as_bytes())
            .map_err(|e| DecryptError(format!("not base64 ({e})")))?;
        if ct.is_empty() || ct.len() % 16 != 0 {
            return Err(DecryptError(format!(
                "{} bytes is not a whole number of AES blocks",
                ct.len()
            )));
        }
        match self.0.len() {
            16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(&self.0, &ZERO_IV)
                .map_err(|e| DecryptError(e.to_string()))?
                .decrypt_padded_vec_mut::<Pkcs7>(&ct),
            24 => cbc::Decryptor::<aes::Aes192>::new_from_slices(&self.0, &ZERO_IV)
                .map_err(|e| DecryptError(e.to_string()))?
                .decrypt_padded_vec_mut::<Pkcs7>(&ct),
            _ => cbc::Decryptor::<aes::Aes256>::new_from_slices(&self.0, &ZERO_IV)
                .map_err(|e| DecryptError(e.to_string()))?
                .decrypt_padded_vec_mut::<Pkcs7>(&ct),
        }
        .map_err(|_| DecryptError("bad padding".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_key_size() {
        for n in [16, 24, 32] {
            let key = AesKey::from_bytes(&vec![7u8; n]).unwrap();
            for text in ["", "a", "0123456789abcdef", "加密 test {\"x\":1}"] {
                assert_eq!(key.decrypt(&key.encrypt(text)).unwrap(), text);
            }
        }
        assert!(AesKey::from_bytes(&[0; 15]).is_err());
    }

    #[test]
    fn rejects_garbage() {
        let key = AesKey::from_bytes(&[1; 16]).unwrap();
        assert!(key.decrypt("!!").is_err());
        assert!(key.decrypt("AAAA").is_err());
        let other = AesKey::from_bytes(&[2; 16]).unwrap();
        // A wrong key almost always breaks the padding or UTF-8.
        assert!(
            other
                .decrypt(&key.encrypt("hello world, hello world"))
                .is_err()
        );
    }
}

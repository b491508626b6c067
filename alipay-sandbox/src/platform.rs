//! The platform's signing identity: the key answers and notifications are signed
//! with now, and every certificate it ever used (certificate mode), so an old SN can
//! still be downloaded after a rotation.

use std::collections::HashMap;
use std::sync::Arc;

use alipay_api::PrivateKey;

/// One generation of the platform's key and certificates.
pub(crate) struct Platform {
    /// The key answers and notifications are signed with.
    pub(crate) signer: Arc<PrivateKey>,
    /// The SN of the certificate of `signer` (certificate mode).
    pub(crate) cert_sn: Option<String>,
    certs: HashMap<String, String>,
}

impl Platform {
    /// The first generation: `signer`, and in certificate mode its SN and PEM.
    pub(crate) fn new(signer: PrivateKey, cert: Option<(String, String)>) -> Self {
        let cert_sn = cert.as_ref().map(|(sn, _)| sn.clone());
        Platform {
            signer: Arc::new(signer),
            cert_sn,
            certs: cert.into_iter().collect(),
        }
    }

    /// The next generation: a new key and certificate; older certificates stay
    /// downloadable.
    pub(crate) fn rotated(&self, signer: PrivateKey, sn: String, pem: String) -> Self {
        let mut certs = self.certs.clone();
        certs.insert(sn.clone(), pem);
        Platform {
            signer: Arc::new(signer),
            cert_sn: Some(sn),
            certs,
        }
    }

    /// A certificate the platform used, by SN (PEM).
    pub(crate) fn cert_by_sn(&self, sn: &str) -> Option<&str> {
        self.certs.get(sn).map(String::as_str)
    }
}

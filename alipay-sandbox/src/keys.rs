//! Fresh test credentials: the app's key pair, the platform ("Alipay") key pair,
//! an optional AES key and, in certificate mode, a root CA with an Alipay
//! certificate and an app certificate issued by it.

use alipay_api::crypto::cert;
use aws_lc_rs::rand::SecureRandom as _;
use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, RsaKeySize, SerialNumber,
};

use crate::error::SandboxError;

/// Everything a merchant app needs to talk to the sandbox, as PEM text.
///
/// The keys are generated when the sandbox starts and are for tests only. Their
/// `Debug` output hides the private keys.
#[derive(Clone)]
#[non_exhaustive]
pub struct SandboxKeys {
    /// The app id the gateway accepts.
    pub app_id: String,
    /// The merchant's private key (PKCS#8 PEM): what the client signs with.
    pub app_private_key: String,
    /// The merchant's public key (SubjectPublicKeyInfo PEM), as "uploaded" to the platform.
    pub app_public_key: String,
    /// The platform's private key: the gateway signs answers and notifications with it.
    pub alipay_private_key: String,
    /// The platform's public key (支付宝公钥): what the client verifies with in key mode.
    pub alipay_public_key: String,
    /// Certificates, in certificate mode.
    pub certs: Option<CertBundle>,
    /// The AES content-encryption key (base64), when AES is enabled.
    pub aes_key: Option<String>,
}

impl std::fmt::Debug for SandboxKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxKeys")
            .field("app_id", &self.app_id)
            .field("cert_mode", &self.certs.is_some())
            .field("aes", &self.aes_key.is_some())
            .finish_non_exhaustive()
    }
}

/// Certificate-mode files, as PEM text (the same layout as the files the console
/// hands out). Its `Debug` output shows the certificates' SNs, never the root's
/// private key.
#[derive(Clone)]
#[non_exhaustive]
pub struct CertBundle {
    /// The app certificate (`appCertPublicKey_*.crt`).
    pub app_cert: String,
    /// The platform certificate (`alipayCertPublicKey_RSA2.crt`).
    pub alipay_cert: String,
    /// The root bundle (`alipayRootCert.crt`).
    pub alipay_root_cert: String,
    /// The root CA's private key, so the sandbox can issue a replacement platform
    /// certificate (certificate rotation).
    pub root_private_key: String,
}

impl std::fmt::Debug for CertBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sn = |pem: &str| cert::leaf_sn(pem.as_bytes(), "certificate").ok();
        f.debug_struct("CertBundle")
            .field("app_cert_sn", &sn(&self.app_cert))
            .field("alipay_cert_sn", &sn(&self.alipay_cert))
            .field(
                "alipay_root_cert_sn",
                &cert::root_sn(self.alipay_root_cert.as_bytes()).ok(),
            )
            .finish_non_exhaustive()
    }
}

fn gen_err(e: impl std::fmt::Display) -> SandboxError {
    SandboxError::KeyGeneration(e.to_string())
}

/// A new RSA-2048 key pair.
pub(crate) fn rsa_key() -> Result<KeyPair, SandboxError> {
    KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_2048).map_err(gen_err)
}

/// Random bytes from the operating system.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], SandboxError> {
    let mut b = [0u8; N];
    aws_lc_rs::rand::SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| gen_err("the system random source failed"))?;
    Ok(b)
}

fn dn(parts: &[(DnType, &str)]) -> DistinguishedName {
    let mut d = DistinguishedName::new();
    for (t, v) in parts {
        d.push(t.clone(), *v);
    }
    d
}

fn serial() -> Result<SerialNumber, SandboxError> {
    let mut b = random_bytes::<12>()?;
    // A positive, non-zero serial number.
    b[0] = (b[0] & 0x7f) | 0x10;
    Ok(SerialNumber::from_slice(&b))
}

fn validity(p: &mut CertificateParams) {
    let now = time::OffsetDateTime::now_utc();
    p.not_before = now - time::Duration::days(1);
    p.not_after = now + time::Duration::days(5 * 365);
}

fn root_params() -> Result<CertificateParams, SandboxError> {
    let mut p = CertificateParams::default();
    p.distinguished_name = dn(&[
        (DnType::CountryName, "CN"),
        (DnType::OrganizationName, "alipay-sandbox"),
        (
            DnType::OrganizationalUnitName,
            "Sandbox Certification Authority",
        ),
        (DnType::CommonName, "Sandbox Root CA"),
    ]);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p.serial_number = Some(serial()?);
    validity(&mut p);
    Ok(p)
}

/// Issues a leaf certificate for `key`, signed by the root.
pub(crate) fn issue_leaf(
    root_key_pem: &str,
    key: &KeyPair,
    common_name: &str,
    unit: &str,
) -> Result<String, SandboxError> {
    let root_key = KeyPair::from_pem(root_key_pem).map_err(gen_err)?;
    // The root's certificate is rebuilt from the same parameters: only its subject
    // and key identifier matter to the issued certificate.
    let issuer = Issuer::new(root_params()?, root_key);
    let mut p = CertificateParams::default();
    p.distinguished_name = dn(&[
        (DnType::CountryName, "CN"),
        (DnType::OrganizationName, "alipay-sandbox"),
        (DnType::OrganizationalUnitName, unit),
        (DnType::CommonName, common_name),
    ]);
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.serial_number = Some(serial()?);
    validity(&mut p);
    Ok(p.signed_by(key, &issuer).map_err(gen_err)?.pem())
}

impl SandboxKeys {
    /// Generates fresh keys for `app_id`: certificates when `cert_mode`, an AES key
    /// when `aes`.
    pub fn generate(app_id: &str, cert_mode: bool, aes: bool) -> Result<Self, SandboxError> {
        let app = rsa_key()?;
        let platform = rsa_key()?;
        let certs = if cert_mode {
            let root_key = rsa_key()?;
            let root = root_params()?.self_signed(&root_key).map_err(gen_err)?;
            let root_key_pem = root_key.serialize_pem();
            Some(CertBundle {
                app_cert: issue_leaf(&root_key_pem, &app, app_id, "Sandbox App")?,
                alipay_cert: issue_leaf(
                    &root_key_pem,
                    &platform,
                    "Sandbox Alipay Platform",
                    "Sandbox Platform",
                )?,
                alipay_root_cert: root.pem(),
                root_private_key: root_key_pem,
            })
        } else {
            None
        };
        let aes_key = if aes {
            Some(base64::engine::general_purpose::STANDARD.encode(random_bytes::<16>()?))
        } else {
            None
        };
        Ok(SandboxKeys {
            app_id: app_id.to_owned(),
            app_private_key: app.serialize_pem(),
            app_public_key: app.public_key_pem(),
            alipay_private_key: platform.serialize_pem(),
            alipay_public_key: platform.public_key_pem(),
            certs,
            aes_key,
        })
    }

    /// A client builder for these credentials (gateway still to be set).
    pub fn client_builder(&self) -> alipay_api::ClientBuilder {
        let b = alipay_api::Client::builder()
            .app_id(&self.app_id)
            .private_key(&self.app_private_key);
        let b = match &self.certs {
            Some(c) => b.certificates(
                alipay_api::CertSource::bytes(c.app_cert.as_bytes()),
                alipay_api::CertSource::bytes(c.alipay_cert.as_bytes()),
                alipay_api::CertSource::bytes(c.alipay_root_cert.as_bytes()),
            ),
            None => b.alipay_public_key(&self.alipay_public_key),
        };
        match &self.aes_key {
            Some(k) => b.aes_key(k),
            None => b,
        }
    }
}

/// SNs of the certificates in a bundle: (app cert, Alipay cert, root).
pub(crate) fn cert_sns(c: &CertBundle) -> Result<(String, String, String), SandboxError> {
    let bad = |what: &'static str| {
        move |e: alipay_api::ConfigError| SandboxError::Credentials {
            what,
            reason: e.to_string(),
        }
    };
    Ok((
        cert::leaf_sn(c.app_cert.as_bytes(), "app certificate").map_err(bad("app certificate"))?,
        cert::leaf_sn(c.alipay_cert.as_bytes(), "Alipay certificate")
            .map_err(bad("Alipay certificate"))?,
        cert::root_sn(c.alipay_root_cert.as_bytes()).map_err(bad("Alipay root certificate"))?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn debug_output_shows_no_private_key() {
        let keys = SandboxKeys::generate("2021000000000009", true, true).unwrap();
        let certs = keys.certs.clone().unwrap();
        let secrets = [
            keys.app_private_key.as_str(),
            keys.alipay_private_key.as_str(),
            certs.root_private_key.as_str(),
        ];
        let gw = crate::Sandbox::start_with(crate::SandboxConfig::new().keys(keys.clone()))
            .await
            .unwrap();
        let shown = [
            format!("{certs:?}"),
            format!("{keys:#?}"),
            format!("{:?}", crate::SandboxConfig::new().keys(keys.clone())),
            format!("{gw:?}"),
        ];
        for text in &shown {
            assert!(!text.contains("PRIVATE KEY"), "{text}");
            for secret in secrets {
                // The first line of base64 under the armor is enough to recognise a key.
                let body = secret.lines().nth(1).unwrap();
                assert!(!text.contains(body), "{text}");
            }
            assert!(!text.contains(keys.aes_key.as_deref().unwrap()), "{text}");
        }
        assert!(shown[0].contains("alipay_root_cert_sn"), "{}", shown[0]);
    }
}

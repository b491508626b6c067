//! Certificate mode (公钥证书模式): certificate serial numbers as Alipay computes
//! them, Alipay's public key from its certificate, and chain checks for certificates
//! fetched at run time.
//!
//! An SN is the lowercase hex MD5 of the issuer name followed by the decimal serial
//! number. The issuer name lists the issuer's attributes from the last to the first
//! as `SHORTNAME=value`, joined by `,` and without escaping (what the official Node
//! SDK hashes; see `issuer_for_sn`). The root SN joins the SNs of the RSA-signed
//! roots of the bundle with `_`.

use md5::{Digest, Md5};
use x509_parser::prelude::*;

use super::{Backend, PublicKey};
use crate::error::ConfigError;

/// OID prefix of the RSA signature algorithms (PKCS#1): only roots signed with
/// one of these count towards the root SN.
const RSA_SIG_PREFIX: &str = "1.2.840.113549.1.1";

/// One certificate, kept as DER.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sn = self.sn().unwrap_or_else(|_| "?".into());
        write!(f, "Certificate(sn={sn})")
    }
}

fn cert_err(what: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Certificate {
        what,
        reason: reason.into(),
    }
}

/// Splits a PEM bundle (LF or CRLF) into certificates, in file order.
pub fn parse_pem_bundle(text: &[u8], what: &'static str) -> Result<Vec<Certificate>, ConfigError> {
    let text = String::from_utf8_lossy(text).replace("\r\n", "\n");
    let blocks = ::pem::parse_many(text.as_bytes()).map_err(|e| {
        cert_err(
            what,
            format!("malformed PEM ({e}); use the .crt file as downloaded"),
        )
    })?;
    let mut out = Vec::new();
    for b in blocks {
        if b.tag() != "CERTIFICATE" {
            continue;
        }
        let der = b.into_contents();
        // Parse once to reject garbage early.
        X509Certificate::from_der(&der)
            .map_err(|e| cert_err(what, format!("not an X.509 certificate ({e})")))?;
        out.push(Certificate { der });
    }
    if out.is_empty() {
        return Err(cert_err(
            what,
            "no certificate in the file; use the .crt file as downloaded",
        ));
    }
    Ok(out)
}

impl Certificate {
    /// Wraps one DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, ConfigError> {
        X509Certificate::from_der(der)
            .map_err(|e| cert_err("certificate", format!("not X.509 ({e})")))?;
        Ok(Certificate { der: der.to_vec() })
    }

    /// The DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    fn parsed(&self) -> Result<X509Certificate<'_>, ConfigError> {
        X509Certificate::from_der(&self.der)
            .map(|(_, c)| c)
            .map_err(|e| cert_err("certificate", format!("not X.509 ({e})")))
    }

    /// Alipay's serial-number digest of this certificate.
    pub fn sn(&self) -> Result<String, ConfigError> {
        let c = self.parsed()?;
        let mut issuer = issuer_for_sn(c.issuer());
        issuer.push_str(&c.tbs_certificate.serial.to_str_radix(10));
        Ok(hex(&Md5::digest(issuer.as_bytes())))
    }

    /// Whether the certificate is signed with an RSA algorithm.
    pub fn is_rsa_signed(&self) -> Result<bool, ConfigError> {
        Ok(self
            .parsed()?
            .signature_algorithm
            .algorithm
            .to_id_string()
            .starts_with(RSA_SIG_PREFIX))
    }

    /// The certificate's RSA public key.
    pub fn public_key(&self, backend: Backend) -> Result<PublicKey, ConfigError> {
        let c = self.parsed()?;
        PublicKey::from_der(c.public_key().raw, backend).map_err(|_| {
            cert_err(
                "certificate",
                "its key is not an RSA key; Alipay signs with RSA",
            )
        })
    }

    /// Whether `now` (Unix seconds) is within the validity period.
    pub fn valid_at(&self, now_unix: i64) -> Result<bool, ConfigError> {
        let c = self.parsed()?;
        let v = c.validity();
        Ok(v.not_before.timestamp() <= now_unix && now_unix <= v.not_after.timestamp())
    }

    /// Whether `issuer` issued this certificate: names match and the signature
    /// verifies with the issuer's RSA key.
    pub fn issued_by(&self, issuer: &Certificate) -> bool {
        let (Ok(c), Ok(i)) = (self.parsed(), issuer.parsed()) else {
            return false;
        };
        if c.issuer().as_raw() != i.subject().as_raw() {
            return false;
        }
        let Ok(key) = issuer.public_key(Backend::RustCrypto) else {
            return false;
        };
        let tbs = c.tbs_certificate.as_ref();
        let sig = c.signature_value.data.as_ref();
        let scheme_and_hash = match c.signature_algorithm.algorithm.to_id_string().as_str() {
            "1.2.840.113549.1.1.5" => Some((
                rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                sha1::Sha1::digest(tbs).to_vec(),
            )),
            "1.2.840.113549.1.1.11" => Some((
                rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                sha2::Sha256::digest(tbs).to_vec(),
            )),
            "1.2.840.113549.1.1.12" => Some((
                rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                sha2::Sha384::digest(tbs).to_vec(),
            )),
            "1.2.840.113549.1.1.13" => Some((
                rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                sha2::Sha512::digest(tbs).to_vec(),
            )),
            _ => None,
        };
        match scheme_and_hash {
            Some((scheme, hashed)) => key.rsa().verify(scheme, &hashed, sig).is_ok(),
            None => false,
        }
    }
}

/// The issuer name as the official Node SDK renders it for an SN: every attribute of
/// every RDN, flattened in encoded order (a multi-valued RDN's attributes included),
/// then the whole list reversed; each attribute as `SHORT=value`, joined by `,`, no
/// escaping. Only CN, C, L, ST, O, OU and E (emailAddress) have a short name; any
/// other attribute (serialNumber, DC, UID, title, …) is written with an empty one,
/// as `=value`. A value is its content bytes read as UTF-8.
fn issuer_for_sn(name: &X509Name<'_>) -> String {
    let attrs: Vec<_> = name.iter().flat_map(|rdn| rdn.iter()).collect();
    let mut out = String::new();
    for (i, attr) in attrs.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(short_name(&attr.attr_type().to_id_string()));
        out.push('=');
        out.push_str(&String::from_utf8_lossy(attr.attr_value().data));
    }
    out
}

fn short_name(oid: &str) -> &'static str {
    match oid {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "1.2.840.113549.1.9.1" => "E",
        _ => "",
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The SN of the first certificate of a PEM file (`app_cert_sn`, `alipay_cert_sn`).
pub fn leaf_sn(pem_text: &[u8], what: &'static str) -> Result<String, ConfigError> {
    parse_pem_bundle(pem_text, what)?
        .first()
        .ok_or_else(|| cert_err(what, "no certificate"))?
        .sn()
}

/// The SN of a root bundle (`alipay_root_cert_sn`): SNs of its RSA-signed
/// certificates joined by `_`, in file order.
pub fn root_sn(pem_text: &[u8]) -> Result<String, ConfigError> {
    let certs = parse_pem_bundle(pem_text, "Alipay root certificate")?;
    let mut sns = Vec::new();
    for c in &certs {
        if c.is_rsa_signed()? {
            sns.push(c.sn()?);
        }
    }
    if sns.is_empty() {
        return Err(cert_err(
            "Alipay root certificate",
            "the bundle has no RSA-signed root; use alipayRootCert.crt as downloaded",
        ));
    }
    Ok(sns.join("_"))
}

/// The longest chain walked (Alipay chains are two or three long).
const MAX_CHAIN: usize = 8;

/// Checks that `chain` (leaf first, then any intermediates) leads to one of `roots`
/// with valid signatures, every certificate on the way (the root included) being
/// valid at `now_unix`; that the leaf is an end-entity certificate allowed to sign
/// (basic constraints not a CA; key usage, when present, with digitalSignature); and
/// that every intermediate is a CA allowed to sign certificates (basic constraints,
/// path length, keyCertSign). The roots are trust anchors: only their validity
/// period is checked.
pub fn verify_chain(
    chain: &[Certificate],
    roots: &[Certificate],
    now_unix: i64,
) -> Result<(), String> {
    let leaf = chain.first().ok_or("the certificate file is empty")?;
    check_end_entity(leaf, now_unix)?;
    let mut current = leaf;
    for cas_below in 0..MAX_CHAIN {
        if let Some(root) = roots.iter().find(|r| current.issued_by(r)) {
            return check_period(root, "root", now_unix);
        }
        let Some(next) = chain
            .iter()
            .skip(1)
            .find(|c| *c != current && current.issued_by(c))
        else {
            break;
        };
        check_intermediate(next, cas_below, now_unix)?;
        current = next;
    }
    Err("it does not chain to the configured Alipay root certificate".into())
}

fn check_period(c: &Certificate, role: &str, now_unix: i64) -> Result<(), String> {
    if c.valid_at(now_unix).map_err(|e| e.to_string())? {
        Ok(())
    } else {
        Err(format!(
            "the {role} certificate is expired or not yet valid"
        ))
    }
}

fn check_end_entity(c: &Certificate, now_unix: i64) -> Result<(), String> {
    check_period(c, "Alipay", now_unix)?;
    let p = c.parsed().map_err(|e| e.to_string())?;
    let constraints = p.basic_constraints().map_err(|e| e.to_string())?;
    if constraints.is_some_and(|b| b.value.ca) {
        return Err("it is a CA certificate, not Alipay's signing certificate".into());
    }
    let usage = p.key_usage().map_err(|e| e.to_string())?;
    if usage.is_some_and(|u| !u.value.digital_signature()) {
        return Err("its key usage does not allow signatures".into());
    }
    Ok(())
}

fn check_intermediate(c: &Certificate, cas_below: usize, now_unix: i64) -> Result<(), String> {
    check_period(c, "intermediate", now_unix)?;
    let p = c.parsed().map_err(|e| e.to_string())?;
    let constraints = p
        .basic_constraints()
        .map_err(|e| e.to_string())?
        .filter(|b| b.value.ca)
        .ok_or("an intermediate certificate of its chain is not a CA")?;
    if let Some(max) = constraints.value.path_len_constraint {
        if cas_below > max as usize {
            return Err("its chain is longer than an intermediate allows".into());
        }
    }
    let usage = p.key_usage().map_err(|e| e.to_string())?;
    if usage.is_some_and(|u| !u.value.key_cert_sign()) {
        return Err("an intermediate certificate of its chain may not sign certificates".into());
    }
    Ok(())
}

impl Certificate {
    /// Whether this certificate names the same subject and the same issuer as
    /// `pinned` (compared as encoded, byte for byte): a certificate Alipay issued
    /// to replace `pinned`, not another holder's certificate from the same CA.
    pub fn same_identity(&self, pinned: &Certificate) -> Result<bool, ConfigError> {
        let (c, p) = (self.parsed()?, pinned.parsed()?);
        Ok(c.subject().as_raw() == p.subject().as_raw()
            && c.issuer().as_raw() == p.issuer().as_raw())
    }
}

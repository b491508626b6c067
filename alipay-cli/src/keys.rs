//! `alipay keygen`, `alipay cert-sn`, and the key fingerprint every command shows.

use std::path::{Path, PathBuf};

use alipay_api::crypto::cert::{self, Certificate};
use alipay_api::PublicKey;
use base64::Engine as _;
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use rsa::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _, LineEnding};
use serde::Serialize;
use sha2::Digest as _;

use crate::error::CliError;
use crate::output::Report;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A short, comparable name for a public key: SHA-256 of its SubjectPublicKeyInfo
/// DER, first 8 bytes in hex (the same key always gives the same fingerprint,
/// whatever form it was pasted in).
pub fn fingerprint(key: &PublicKey) -> String {
    let digest = sha2::Sha256::digest(key.spki_der());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("SHA256:{hex}")
}

/// `alipay keygen` options.
#[derive(Debug, clap::Args)]
pub struct KeygenArgs {
    /// Write the files into this folder instead of printing the private key.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// A fresh app key pair in every form the SDKs and the console use.
#[derive(Debug, Serialize)]
pub struct KeyPairReport {
    /// Key size.
    pub bits: usize,
    /// Fingerprint of the public key.
    pub fingerprint: String,
    /// The public key as the console asks for it: SubjectPublicKeyInfo, bare base64.
    pub public_key_base64: String,
    /// The public key, SubjectPublicKeyInfo PEM.
    pub public_key_pem: String,
    /// Private key forms (empty when written to files).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private: Option<PrivateForms>,
    /// Files written with `--out`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
}

/// The private key in the four forms.
#[derive(Debug, Serialize)]
pub struct PrivateForms {
    /// PKCS#8 PEM (`BEGIN PRIVATE KEY`): Java and this SDK.
    pub pkcs8_pem: String,
    /// PKCS#8, bare base64: what the Java SDK's `privateKey` setting takes.
    pub pkcs8_base64: String,
    /// PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`): PHP, Python, Node.
    pub pkcs1_pem: String,
    /// PKCS#1, bare base64.
    pub pkcs1_base64: String,
}

fn keygen_err(what: &str, e: impl std::fmt::Display) -> CliError {
    CliError::input(format!(
        "cannot {what} ({e}); this is a bug, please report it"
    ))
}

fn pem_body(pem: &str) -> String {
    pem.lines().filter(|l| !l.starts_with("-----")).collect()
}

/// Generates an RSA-2048 pair (aws-lc-rs) and encodes it (rsa crate).
pub fn generate() -> Result<(KeyPairReport, PrivateForms), CliError> {
    use aws_lc_rs::encoding::AsDer as _;
    let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
        .map_err(|e| keygen_err("generate a key", e))?;
    let pkcs8 = pair.as_der().map_err(|e| keygen_err("encode the key", e))?;
    let key = rsa::RsaPrivateKey::from_pkcs8_der(pkcs8.as_ref())
        .map_err(|e| keygen_err("read the key back", e))?;
    let pkcs8_pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| keygen_err("encode PKCS#8", e))?
        .to_string();
    let pkcs1_pem = key
        .to_pkcs1_pem(LineEnding::LF)
        .map_err(|e| keygen_err("encode PKCS#1", e))?
        .to_string();
    let public_key_pem = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| keygen_err("encode the public key", e))?;
    let public = PublicKey::from_text(&public_key_pem).map_err(CliError::Config)?;
    let forms = PrivateForms {
        pkcs8_base64: pem_body(&pkcs8_pem),
        pkcs1_base64: pem_body(&pkcs1_pem),
        pkcs8_pem,
        pkcs1_pem,
    };
    let report = KeyPairReport {
        bits: 2048,
        fingerprint: fingerprint(&public),
        public_key_base64: B64.encode(public.spki_der()),
        public_key_pem,
        private: None,
        files: Vec::new(),
    };
    Ok((report, forms))
}

/// Writes a file, private ones readable by the owner only.
pub fn write_file(path: &Path, text: &str, private: bool) -> Result<(), CliError> {
    alipay_sandbox::cli::write_key_file(path, text, private).map_err(|e| CliError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// `alipay keygen`.
pub fn keygen(args: &KeygenArgs) -> Result<KeyPairReport, CliError> {
    let (mut report, forms) = generate()?;
    let Some(dir) = &args.out else {
        report.private = Some(forms);
        return Ok(report);
    };
    std::fs::create_dir_all(dir).map_err(|e| CliError::Write {
        path: dir.display().to_string(),
        reason: e.to_string(),
    })?;
    let files = [
        ("app_private_key_pkcs8.pem", &forms.pkcs8_pem, true),
        ("app_private_key_pkcs8.txt", &forms.pkcs8_base64, true),
        ("app_private_key_pkcs1.pem", &forms.pkcs1_pem, true),
        ("app_private_key_pkcs1.txt", &forms.pkcs1_base64, true),
        ("app_public_key.pem", &report.public_key_pem, false),
        ("app_public_key.txt", &report.public_key_base64, false),
    ];
    for (name, text, private) in files {
        let path = dir.join(name);
        if path.exists() {
            return Err(CliError::Write {
                path: path.display().to_string(),
                reason: "it exists; keygen never overwrites a key, pick an empty folder".into(),
            });
        }
        write_file(&path, text, private)?;
        report.files.push(path.display().to_string());
    }
    Ok(report)
}

impl Report for KeyPairReport {
    fn human(&self) -> String {
        let mut s = format!(
            "RSA-{} app key pair, public key {}\n\n\
             # App public key for the Alipay console (开放平台 → 接口加签方式 → 公钥): bare base64\n{}\n",
            self.bits, self.fingerprint, self.public_key_base64
        );
        if let Some(p) = &self.private {
            s.push_str(&format!(
                "\n# App private key, PKCS#8 PEM (this SDK, Java)\n{}\
                 \n# App private key, PKCS#8 bare base64 (Java `privateKey`)\n{}\n\
                 \n# App private key, PKCS#1 PEM (PHP, Python, Node)\n{}\
                 \n# App private key, PKCS#1 bare base64\n{}\n\
                 \n# App public key, PEM\n{}",
                p.pkcs8_pem, p.pkcs8_base64, p.pkcs1_pem, p.pkcs1_base64, self.public_key_pem
            ));
        }
        if !self.files.is_empty() {
            s.push_str("\nFiles written (private keys readable by you only):\n");
            for f in &self.files {
                s.push_str(&format!("  {f}\n"));
            }
        }
        s
    }
}

/// `alipay cert-sn` options.
#[derive(Debug, clap::Args)]
pub struct CertSnArgs {
    /// A certificate file (PEM; `-` for stdin): an app certificate, Alipay's
    /// certificate or Alipay's root bundle.
    pub file: String,
}

/// One certificate of a file.
#[derive(Debug, Serialize)]
pub struct CertInfo {
    /// The subject, as printed by x509-parser.
    pub subject: String,
    /// The issuer.
    pub issuer: String,
    /// Alipay's SN of this certificate.
    pub sn: String,
    /// Whether the issuer is the subject (a root).
    pub self_issued: bool,
    /// Whether signed with an RSA algorithm (only those count in a root SN).
    pub rsa_signed: bool,
    /// Valid from (UTC).
    pub not_before: String,
    /// Valid until (UTC).
    pub not_after: String,
}

/// `alipay cert-sn` findings.
#[derive(Debug, Serialize)]
pub struct CertSnReport {
    /// `app_cert_sn` / `alipay_cert_sn`: the SN of the first certificate.
    pub cert_sn: String,
    /// `alipay_root_cert_sn`, when the file is a root bundle (every certificate self-issued).
    pub root_cert_sn: Option<String>,
    /// Every certificate in file order.
    pub certificates: Vec<CertInfo>,
}

/// Facts about one certificate for display.
pub fn cert_info(c: &Certificate) -> Result<CertInfo, CliError> {
    use x509_parser::prelude::FromDer as _;
    let (_, x) = x509_parser::certificate::X509Certificate::from_der(c.der())
        .map_err(|e| CliError::input(format!("not an X.509 certificate ({e})")))?;
    let v = x.validity();
    Ok(CertInfo {
        subject: x.subject().to_string(),
        issuer: x.issuer().to_string(),
        sn: c.sn()?,
        self_issued: x.subject().as_raw() == x.issuer().as_raw(),
        rsa_signed: c.is_rsa_signed()?,
        not_before: v.not_before.to_string(),
        not_after: v.not_after.to_string(),
    })
}

/// `alipay cert-sn`.
pub fn cert_sn(args: &CertSnArgs) -> Result<CertSnReport, CliError> {
    let bytes = crate::error::read_input(&args.file, 1 << 20)?;
    let certs = cert::parse_pem_bundle(&bytes, "certificate file")?;
    let certificates = certs.iter().map(cert_info).collect::<Result<Vec<_>, _>>()?;
    let root_cert_sn = if certificates.iter().all(|c| c.self_issued) {
        Some(cert::root_sn(&bytes)?)
    } else {
        None
    };
    Ok(CertSnReport {
        cert_sn: certificates
            .first()
            .map(|c| c.sn.clone())
            .unwrap_or_default(),
        root_cert_sn,
        certificates,
    })
}

impl Report for CertSnReport {
    fn human(&self) -> String {
        let mut s = format!("cert SN (app_cert_sn / alipay_cert_sn): {}\n", self.cert_sn);
        if let Some(root) = &self.root_cert_sn {
            s.push_str(&format!("root SN (alipay_root_cert_sn):         {root}\n"));
        }
        for (i, c) in self.certificates.iter().enumerate() {
            s.push_str(&format!(
                "\n#{} {}\n   issuer:  {}\n   SN:      {}{}\n   valid:   {} .. {}\n",
                i + 1,
                c.subject,
                c.issuer,
                c.sn,
                if c.rsa_signed {
                    ""
                } else {
                    " (not RSA-signed: left out of the root SN)"
                },
                c.not_before,
                c.not_after
            ));
        }
        s
    }
}

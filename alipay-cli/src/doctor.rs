//! `alipay doctor`: every piece of the configuration the client reads, checked on
//! its own, each problem with what to do.

use alipay_api::config::env;
use alipay_api::crypto::cert::{self, Certificate};
use alipay_api::crypto::inspect::KeyText;
use alipay_api::crypto::PrivateKey;
use alipay_api::PublicKey;
use base64::Engine as _;
use serde::Serialize;

use crate::keys::fingerprint;
use crate::output::Report;
use crate::settings::Loaded;

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Fine.
    Ok,
    /// For information.
    Info,
    /// Probably fine, worth a look.
    Warning,
    /// The client will fail, or signatures will.
    Error,
}

/// One check.
#[derive(Debug, Serialize)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// The verdict.
    pub status: Status,
    /// What was found.
    pub detail: String,
    /// What to do, for warnings and errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// Everything the doctor found.
#[derive(Debug, Serialize)]
pub struct DoctorReport {
    /// Where the settings came from.
    pub source: String,
    /// `key`, `certificate` or `none`.
    pub mode: &'static str,
    /// Every check, in order.
    pub checks: Vec<Check>,
}

#[derive(Default)]
struct Checks(Vec<Check>);

impl Checks {
    fn push(&mut self, name: &str, status: Status, detail: impl Into<String>, fix: Option<String>) {
        self.0.push(Check {
            name: name.to_owned(),
            status,
            detail: detail.into(),
            fix,
        });
    }
    fn ok(&mut self, name: &str, detail: impl Into<String>) {
        self.push(name, Status::Ok, detail, None);
    }
    fn info(&mut self, name: &str, detail: impl Into<String>) {
        self.push(name, Status::Info, detail, None);
    }
    fn warn(&mut self, name: &str, detail: impl Into<String>, fix: impl Into<String>) {
        self.push(name, Status::Warning, detail, Some(fix.into()));
    }
    fn error(&mut self, name: &str, detail: impl Into<String>, fix: impl Into<String>) {
        self.push(name, Status::Error, detail, Some(fix.into()));
    }
    fn has_error(&self) -> bool {
        self.0.iter().any(|c| c.status == Status::Error)
    }
}

/// Runs every check.
pub fn doctor(loaded: &Loaded) -> DoctorReport {
    let mut c = Checks::default();
    check_app_id(loaded, &mut c);
    let app_public = check_private_key(loaded, &mut c);
    let cert_files = loaded.config.certificate_files();
    let has_key =
        loaded.config.alipay_public_key.is_some() || loaded.config.alipay_public_key_file.is_some();
    let mode = match (&cert_files, has_key) {
        (Ok(Some(_)), true) => {
            c.error(
                "mode",
                "both an Alipay public key and certificates are configured",
                format!(
                    "keep key mode ({}) or certificate mode ({}), not both",
                    loaded.source.name_of(env::PUBLIC_KEY),
                    cert_settings(loaded)
                ),
            );
            "none"
        }
        (Ok(Some(files)), false) => {
            check_certificates(loaded, *files, app_public.as_ref(), &mut c);
            "certificate"
        }
        (Ok(None), true) => {
            check_alipay_key(loaded, app_public.as_ref(), &mut c);
            "key"
        }
        (Ok(None), false) => {
            c.error(
                "mode",
                "neither Alipay's public key nor certificates are configured",
                format!(
                    "set {} (key mode: 支付宝公钥 from the console) or the three certificate files {}",
                    loaded.source.name_of(env::PUBLIC_KEY),
                    cert_settings(loaded)
                ),
            );
            "none"
        }
        (Err(e), _) => {
            c.error(
                "certificates",
                e.to_string(),
                "certificate mode needs all three files: app, Alipay and root certificate",
            );
            "none"
        }
    };
    check_aes(loaded, &mut c);
    check_gateway(loaded, &mut c);
    check_client(loaded, &mut c);
    DoctorReport {
        source: match &loaded.source {
            crate::settings::Source::Environment => "environment (ALIPAY_*)".into(),
            crate::settings::Source::File(p) => format!("config file {p}"),
        },
        mode,
        checks: c.0,
    }
}

/// The names of the three certificate settings.
fn cert_settings(loaded: &Loaded) -> String {
    [env::APP_CERT_FILE, env::CERT_FILE, env::ROOT_CERT_FILE]
        .map(|v| loaded.source.name_of(v))
        .join(", ")
}

fn check_app_id(loaded: &Loaded, c: &mut Checks) {
    let name = loaded.source.name_of(env::APP_ID);
    match loaded.config.app_id.as_deref().map(str::trim) {
        None => c.error(
            "app id",
            format!("{name} is not set"),
            format!(
                "set {name} to the app's APPID from the console (digits, e.g. 2021000000000001)"
            ),
        ),
        Some(id) if !id.bytes().all(|b| b.is_ascii_digit()) => c.error(
            "app id",
            format!("`{id}` is not an app id"),
            format!(
                "{name} takes the APPID (digits only), not the partner id name or the app name"
            ),
        ),
        Some(id) => c.ok("app id", id),
    }
}

/// Checks the private key; returns its public half when it is usable.
fn check_private_key(loaded: &Loaded, c: &mut Checks) -> Option<PublicKey> {
    let name = loaded.private_key_name();
    let text = match loaded.config.private_key_text() {
        Ok(Some(t)) => t,
        Ok(None) => {
            c.error(
                "private key",
                format!("{name} is not set"),
                format!(
                    "set {} (the key text) or {} (a file) to the app private key (应用私钥)",
                    loaded.source.name_of(env::PRIVATE_KEY),
                    loaded.source.name_of(env::PRIVATE_KEY_FILE)
                ),
            );
            return None;
        }
        Err(e) => {
            c.error("private key", e.to_string(), format!("fix {name}"));
            return None;
        }
    };
    let form = KeyText::inspect(&text).map(|k| k.describe());
    match PrivateKey::from_text(&text) {
        Ok(key) => {
            let public = key.public().clone();
            c.ok(
                "private key",
                format!("{} ({name})", form.unwrap_or_default()),
            );
            c.info(
                "app public key",
                format!(
                    "{}; the console's 应用公钥 must be this (bare base64): {}",
                    fingerprint(&public),
                    base64::engine::general_purpose::STANDARD.encode(public.spki_der())
                ),
            );
            Some(public)
        }
        Err(e) => {
            let found = form.map(|f| format!(" (found: {f})")).unwrap_or_default();
            c.error(
                "private key",
                format!("{e}{found}"),
                format!(
                    "{name} takes the app private key (应用私钥): PKCS#1 or PKCS#8, PEM or bare \
                     base64, exactly as the key tool wrote it; `alipay keygen` makes a new pair"
                ),
            );
            None
        }
    }
}

fn check_alipay_key(loaded: &Loaded, app_public: Option<&PublicKey>, c: &mut Checks) {
    let name = loaded.public_key_name();
    let text = match loaded.config.alipay_public_key_text() {
        Ok(Some(t)) => t,
        Ok(None) => return,
        Err(e) => {
            c.error("Alipay public key", e.to_string(), format!("fix {name}"));
            return;
        }
    };
    let inspected = KeyText::inspect(&text).ok();
    let form = inspected
        .as_ref()
        .map(KeyText::describe)
        .unwrap_or_default();
    match PublicKey::from_text(&text) {
        Ok(key) if Some(&key) == app_public => c.error(
            "Alipay public key",
            format!(
                "{name} is your app's own public key ({}); every answer from Alipay will fail verification",
                fingerprint(&key)
            ),
            "in the console (接口加签方式), copy 支付宝公钥 (Alipay public key), not 应用公钥 (app public key)",
        ),
        Ok(key) => c.ok("Alipay public key", format!("{form}, {} ({name})", fingerprint(&key))),
        Err(e) => {
            let fix = match inspected {
                Some(k) if k.label_mismatch() => format!(
                    "the key inside is a {}: write it under `-----BEGIN {}-----`, or give the bare base64 alone",
                    k.structure().map(|s| s.to_string()).unwrap_or_default(),
                    k.structure().map(|s| s.pem_label()).unwrap_or_default()
                ),
                _ => format!("{name} takes 支付宝公钥 as the console shows it (bare base64) or as PEM"),
            };
            c.error("Alipay public key", format!("{e} (found: {form})"), fix);
        }
    }
}

fn load_bundle(
    path: &std::path::Path,
    what: &'static str,
) -> Result<(Vec<u8>, Vec<Certificate>), String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let certs = cert::parse_pem_bundle(&bytes, what).map_err(|e| e.to_string())?;
    Ok((bytes, certs))
}

fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}

fn check_certificates(
    loaded: &Loaded,
    [app, alipay, root]: [&std::path::Path; 3],
    app_public: Option<&PublicKey>,
    c: &mut Checks,
) {
    let src = &loaded.source;
    let files = [
        ("app certificate", src.name_of(env::APP_CERT_FILE), app),
        ("Alipay certificate", src.name_of(env::CERT_FILE), alipay),
        ("root certificate", src.name_of(env::ROOT_CERT_FILE), root),
    ];
    let mut loaded_files = Vec::new();
    for (what, name, path) in files {
        match load_bundle(path, what) {
            Ok(b) => loaded_files.push((what, name, b)),
            Err(e) => c.error(
                what,
                e,
                format!("{name} must be the .crt file as downloaded from the console"),
            ),
        }
    }
    let [(_, app_name, (_, app_certs)), (_, alipay_name, (_, alipay_certs)), (_, root_name, (root_pem, roots))] =
        loaded_files.as_slice()
    else {
        return;
    };
    let now = now_unix();
    check_leaf(c, "app certificate", app_name, app_certs, roots, now);
    check_leaf(
        c,
        "Alipay certificate",
        alipay_name,
        alipay_certs,
        roots,
        now,
    );
    check_root(c, root_name, root_pem, roots);
    check_pairing(
        c,
        [app_name, alipay_name],
        [app_certs, alipay_certs],
        app_public,
    );
}

/// The root bundle: its SN computes, and it holds roots only.
fn check_root(c: &mut Checks, root_name: &str, root_pem: &[u8], roots: &[Certificate]) {
    match cert::root_sn(root_pem) {
        Ok(sn) => c.ok(
            "root certificate",
            format!("alipay_root_cert_sn {sn} ({root_name})"),
        ),
        Err(e) => c.error(
            "root certificate",
            e.to_string(),
            format!("{root_name} must be alipayRootCert.crt as downloaded"),
        ),
    }
    if let Some(stray) = roots
        .iter()
        .find(|r| !crate::keys::cert_info(r).is_ok_and(|i| i.self_issued))
    {
        c.error(
            "root certificate",
            format!("{root_name} holds a certificate that is not a root (SN {})", stray.sn().unwrap_or_default()),
            "the root SN would be computed from the wrong certificates: use alipayRootCert.crt there, and the app/Alipay certificates in their own settings",
        );
    }
}

/// The app and Alipay certificates hold the keys they should: Alipay's is not the
/// app's own, and the app's pairs with the app private key.
fn check_pairing(
    c: &mut Checks,
    [app_name, alipay_name]: [&str; 2],
    [app_certs, alipay_certs]: [&[Certificate]; 2],
    app_public: Option<&PublicKey>,
) {
    let (Some(app_leaf), Some(alipay_leaf)) = (app_certs.first(), alipay_certs.first()) else {
        return;
    };
    let backend = alipay_api::Backend::default();
    let (Ok(app_key), Ok(alipay_key)) = (
        app_leaf.public_key(backend),
        alipay_leaf.public_key(backend),
    ) else {
        return;
    };
    if app_key == alipay_key || app_public == Some(&alipay_key) {
        c.error(
            "Alipay certificate",
            format!("{alipay_name} holds your app's own public key"),
            "use alipayCertPublicKey_RSA2.crt there, not the app certificate (appCertPublicKey_*.crt)",
        );
    }
    if let Some(own) = app_public {
        if *own != app_key {
            c.error(
                "app certificate",
                format!(
                    "{app_name} does not match the app private key ({} vs {})",
                    fingerprint(&app_key),
                    fingerprint(own)
                ),
                "use the app certificate issued for this private key (generated from the same CSR)",
            );
        }
    }
}

fn check_leaf(
    c: &mut Checks,
    what: &str,
    name: &str,
    chain: &[Certificate],
    roots: &[Certificate],
    now: i64,
) {
    let Some(leaf) = chain.first() else { return };
    let info = match crate::keys::cert_info(leaf) {
        Ok(i) => i,
        Err(e) => {
            c.error(
                what,
                e.to_string(),
                format!("{name} must be the .crt file as downloaded"),
            );
            return;
        }
    };
    if info.self_issued {
        c.error(
            what,
            format!("the first certificate in {name} is a root ({}); its SN would be the wrong one", info.subject),
            "the SN is taken from the first certificate: put the leaf certificate first, or use the file as downloaded",
        );
        return;
    }
    c.ok(
        what,
        format!(
            "SN {} ({name}), {}, valid until {}",
            info.sn, info.subject, info.not_after
        ),
    );
    if !leaf.valid_at(now).unwrap_or(false) {
        c.error(
            what,
            format!(
                "out of date: valid {} .. {}",
                info.not_before, info.not_after
            ),
            "download a current certificate from the console (and check the machine's clock)",
        );
    } else if let Err(e) = cert::verify_chain(chain, roots, now) {
        c.warn(
            what,
            format!(
                "{e} (checked against the certificates of {} root file)",
                roots.len()
            ),
            "use the root bundle (alipayRootCert.crt) downloaded together with this certificate",
        );
    }
}

fn check_aes(loaded: &Loaded, c: &mut Checks) {
    let Some(text) = &loaded.config.aes_key else {
        c.info(
            "AES key",
            "not set: biz_content is sent in clear (fine unless the console enabled 接口内容加密)",
        );
        return;
    };
    let name = loaded.source.name_of(env::AES_KEY);
    match alipay_api::crypto::aes::AesKey::from_base64(text) {
        Ok(k) => c.ok("AES key", format!("{k:?} ({name})")),
        Err(e) => c.error(
            "AES key",
            e.to_string(),
            format!("{name} takes the 接口内容加密 key as the console shows it: base64 of 16 bytes (AES-128)"),
        ),
    }
}

fn check_gateway(loaded: &Loaded, c: &mut Checks) {
    let name = loaded.source.name_of(env::GATEWAY);
    match loaded.config.gateway_value() {
        Ok(g) => c.ok("gateway", g.url()),
        Err(e) => c.error(
            "gateway",
            e.to_string(),
            format!("set {name} to production, sandbox or a URL"),
        ),
    }
    if let Err(e) = loaded.config.sign_type_value() {
        c.error(
            "sign type",
            e.to_string(),
            "use RSA2 (every app made since 2018) or RSA",
        );
    }
}

/// The client's own verdict, so the doctor never passes what the client refuses.
fn check_client(loaded: &Loaded, c: &mut Checks) {
    let built = loaded.config.builder().and_then(|b| b.build());
    match built {
        Ok(_) => c.ok("client", "the client accepts this configuration"),
        Err(e) if !c.has_error() => c.error("client", e.to_string(), "fix the setting it names"),
        Err(_) => {}
    }
}

impl Report for DoctorReport {
    fn human(&self) -> String {
        let mut s = format!(
            "Configuration from {} ({} mode)\n\n",
            self.source, self.mode
        );
        for ch in &self.checks {
            let tag = match ch.status {
                Status::Ok => "ok  ",
                Status::Info => "info",
                Status::Warning => "WARN",
                Status::Error => "FAIL",
            };
            s.push_str(&format!("[{tag}] {}: {}\n", ch.name, ch.detail));
            if let Some(fix) = &ch.fix {
                s.push_str(&format!("       fix: {fix}\n"));
            }
        }
        let errors = self
            .checks
            .iter()
            .filter(|c| c.status == Status::Error)
            .count();
        s.push_str(&match errors {
            0 => "\nNo problems found.\n".to_owned(),
            n => format!("\n{n} problem{} found.\n", if n == 1 { "" } else { "s" }),
        });
        s
    }

    fn exit_code(&self) -> u8 {
        if self.checks.iter().any(|c| c.status == Status::Error) {
            crate::error::EXIT_NEGATIVE
        } else {
            0
        }
    }
}

//! One app's settings as text, from `ALIPAY_*` environment variables or a config
//! file: the single definition the quickstart and the `alipay` command-line tool read,
//! turned into a [`ClientBuilder`] by [`AppConfig::builder`].

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{CertSource, ClientBuilder, Gateway};
use crate::crypto::SignType;
use crate::error::ConfigError;

/// The environment variables [`AppConfig::from_env`] reads, and the config-file key
/// of each ([`ALL`](env::ALL)).
pub mod env {
    /// The app id.
    pub const APP_ID: &str = "ALIPAY_APP_ID";
    /// The app private key (应用私钥) itself: PKCS#1 or PKCS#8, PEM or bare base64.
    pub const PRIVATE_KEY: &str = "ALIPAY_PRIVATE_KEY";
    /// A file holding the app private key.
    pub const PRIVATE_KEY_FILE: &str = "ALIPAY_PRIVATE_KEY_FILE";
    /// Alipay's public key (支付宝公钥) itself, key mode: PEM or bare base64.
    pub const PUBLIC_KEY: &str = "ALIPAY_PUBLIC_KEY";
    /// A file holding Alipay's public key.
    pub const PUBLIC_KEY_FILE: &str = "ALIPAY_PUBLIC_KEY_FILE";
    /// Certificate mode: the app certificate (`appCertPublicKey_*.crt`).
    pub const APP_CERT_FILE: &str = "ALIPAY_APP_CERT_FILE";
    /// Certificate mode: Alipay's certificate (`alipayCertPublicKey_RSA2.crt`).
    pub const CERT_FILE: &str = "ALIPAY_CERT_FILE";
    /// Certificate mode: Alipay's root bundle (`alipayRootCert.crt`).
    pub const ROOT_CERT_FILE: &str = "ALIPAY_ROOT_CERT_FILE";
    /// `production` (default), `sandbox`, or a gateway URL.
    pub const GATEWAY: &str = "ALIPAY_GATEWAY";
    /// The AES content-encryption key, base64 as the console shows it.
    pub const AES_KEY: &str = "ALIPAY_AES_KEY";
    /// `RSA2` (default) or `RSA`.
    pub const SIGN_TYPE: &str = "ALIPAY_SIGN_TYPE";

    /// Every variable above with its config-file key (the [`AppConfig`](super::AppConfig)
    /// field of the same name).
    pub const ALL: &[(&str, &str)] = &[
        (APP_ID, "app_id"),
        (PRIVATE_KEY, "private_key"),
        (PRIVATE_KEY_FILE, "private_key_file"),
        (PUBLIC_KEY, "alipay_public_key"),
        (PUBLIC_KEY_FILE, "alipay_public_key_file"),
        (APP_CERT_FILE, "app_cert_file"),
        (CERT_FILE, "alipay_cert_file"),
        (ROOT_CERT_FILE, "alipay_root_cert_file"),
        (GATEWAY, "gateway"),
        (AES_KEY, "aes_key"),
        (SIGN_TYPE, "sign_type"),
    ];

    /// The config-file key of a variable.
    pub fn file_key(var: &str) -> Option<&'static str> {
        ALL.iter().find(|(v, _)| *v == var).map(|(_, k)| *k)
    }
}

/// One app's settings as given, before anything is parsed: each field is one
/// [`env`](mod@env) variable, or the key of the same name in a config file (TOML, JSON, …
/// through serde; unknown keys are refused so a typo is not silently ignored).
///
/// ```no_run
/// # fn main() -> Result<(), alipay_api::ConfigError> {
/// let client = alipay_api::config::AppConfig::from_env().builder()?.build()?;
/// # let _ = client;
/// # Ok(()) }
/// ```
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AppConfig {
    /// [`env::APP_ID`].
    pub app_id: Option<String>,
    /// [`env::PRIVATE_KEY`].
    pub private_key: Option<String>,
    /// [`env::PRIVATE_KEY_FILE`].
    pub private_key_file: Option<PathBuf>,
    /// [`env::PUBLIC_KEY`].
    pub alipay_public_key: Option<String>,
    /// [`env::PUBLIC_KEY_FILE`].
    pub alipay_public_key_file: Option<PathBuf>,
    /// [`env::APP_CERT_FILE`].
    pub app_cert_file: Option<PathBuf>,
    /// [`env::CERT_FILE`].
    pub alipay_cert_file: Option<PathBuf>,
    /// [`env::ROOT_CERT_FILE`].
    pub alipay_root_cert_file: Option<PathBuf>,
    /// [`env::GATEWAY`].
    pub gateway: Option<String>,
    /// [`env::AES_KEY`].
    pub aes_key: Option<String>,
    /// [`env::SIGN_TYPE`].
    pub sign_type: Option<String>,
}

impl fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        let redact = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("AppConfig")
            .field("app_id", &self.app_id)
            .field("private_key", &redact(&self.private_key))
            .field("private_key_file", &self.private_key_file)
            .field("alipay_public_key", &self.alipay_public_key.is_some())
            .field("alipay_public_key_file", &self.alipay_public_key_file)
            .field("app_cert_file", &self.app_cert_file)
            .field("alipay_cert_file", &self.alipay_cert_file)
            .field("alipay_root_cert_file", &self.alipay_root_cert_file)
            .field("gateway", &self.gateway)
            .field("aes_key", &redact(&self.aes_key))
            .field("sign_type", &self.sign_type)
            .finish()
    }
}

fn read_text(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// The text of a setting given either inline or as a file, never both.
fn inline_or_file(
    inline: &Option<String>,
    file: &Option<PathBuf>,
    field: &'static str,
    names: (&str, &str),
) -> Result<Option<String>, ConfigError> {
    match (inline, file) {
        (Some(_), Some(_)) => Err(ConfigError::Invalid {
            field,
            reason: format!("both {} and {} are set; keep one", names.0, names.1),
        }),
        (Some(text), None) => Ok(Some(text.clone())),
        (None, Some(path)) => read_text(path).map(Some),
        (None, None) => Ok(None),
    }
}

impl AppConfig {
    /// Reads the [`env`](mod@env) variables; empty ones count as unset.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the [`env`](mod@env) variables through `get` (for tests, or another source
    /// keyed by the same names); empty values count as unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let path = |name: &str| text(name).map(PathBuf::from);
        AppConfig {
            app_id: text(env::APP_ID),
            private_key: text(env::PRIVATE_KEY),
            private_key_file: path(env::PRIVATE_KEY_FILE),
            alipay_public_key: text(env::PUBLIC_KEY),
            alipay_public_key_file: path(env::PUBLIC_KEY_FILE),
            app_cert_file: path(env::APP_CERT_FILE),
            alipay_cert_file: path(env::CERT_FILE),
            alipay_root_cert_file: path(env::ROOT_CERT_FILE),
            gateway: text(env::GATEWAY),
            aes_key: text(env::AES_KEY),
            sign_type: text(env::SIGN_TYPE),
        }
    }

    /// Makes relative file paths relative to `dir` (a config file's folder).
    pub fn resolve_paths(&mut self, dir: &Path) {
        for p in [
            &mut self.private_key_file,
            &mut self.alipay_public_key_file,
            &mut self.app_cert_file,
            &mut self.alipay_cert_file,
            &mut self.alipay_root_cert_file,
        ]
        .into_iter()
        .flatten()
        {
            if p.is_relative() {
                *p = dir.join(&*p);
            }
        }
    }

    /// The app private key's text, inline or read from its file.
    pub fn private_key_text(&self) -> Result<Option<String>, ConfigError> {
        inline_or_file(
            &self.private_key,
            &self.private_key_file,
            "private_key",
            (env::PRIVATE_KEY, env::PRIVATE_KEY_FILE),
        )
    }

    /// Alipay's public key's text, inline or read from its file.
    pub fn alipay_public_key_text(&self) -> Result<Option<String>, ConfigError> {
        inline_or_file(
            &self.alipay_public_key,
            &self.alipay_public_key_file,
            "alipay_public_key",
            (env::PUBLIC_KEY, env::PUBLIC_KEY_FILE),
        )
    }

    /// The three certificate files of certificate mode (app, Alipay, root), if any
    /// is set; all three are then required.
    pub fn certificate_files(&self) -> Result<Option<[&Path; 3]>, ConfigError> {
        match (
            &self.app_cert_file,
            &self.alipay_cert_file,
            &self.alipay_root_cert_file,
        ) {
            (None, None, None) => Ok(None),
            (Some(a), Some(b), Some(c)) => Ok(Some([a, b, c])),
            (a, b, _) => Err(ConfigError::Missing(match (a, b) {
                (None, _) => env::APP_CERT_FILE,
                (_, None) => env::CERT_FILE,
                _ => env::ROOT_CERT_FILE,
            })),
        }
    }

    /// The gateway: [`Gateway::Production`] when unset.
    pub fn gateway_value(&self) -> Result<Gateway, ConfigError> {
        parse_gateway(self.gateway.as_deref().unwrap_or("production"))
    }

    /// The sign type: [`SignType::Rsa2`] when unset.
    pub fn sign_type_value(&self) -> Result<SignType, ConfigError> {
        match self.sign_type.as_deref().map(str::trim) {
            None => Ok(SignType::Rsa2),
            Some(s) => {
                SignType::from_wire(&s.to_ascii_uppercase()).ok_or_else(|| ConfigError::Invalid {
                    field: "sign_type",
                    reason: format!("`{s}` is neither RSA2 nor RSA"),
                })
            }
        }
    }

    /// A client builder with every setting given here (files are read now); the
    /// builder's `build` then checks the whole.
    pub fn builder(&self) -> Result<ClientBuilder, ConfigError> {
        let mut b = ClientBuilder::new()
            .gateway(self.gateway_value()?)
            .sign_type(self.sign_type_value()?);
        if let Some(id) = &self.app_id {
            b = b.app_id(id.trim());
        }
        if let Some(k) = self.private_key_text()? {
            b = b.private_key(k);
        }
        if let Some(k) = self.alipay_public_key_text()? {
            b = b.alipay_public_key(k);
        }
        if let Some([app, alipay, root]) = self.certificate_files()? {
            b = b.certificates(
                CertSource::path(app),
                CertSource::path(alipay),
                CertSource::path(root),
            );
        }
        if let Some(k) = &self.aes_key {
            b = b.aes_key(k);
        }
        Ok(b)
    }
}

/// Reads a gateway setting: `production`, `sandbox` (any case) or an http(s) URL.
pub fn parse_gateway(text: &str) -> Result<Gateway, ConfigError> {
    let t = text.trim();
    match t.to_ascii_lowercase().as_str() {
        "production" | "prod" => Ok(Gateway::Production),
        "sandbox" => Ok(Gateway::Sandbox),
        lower if lower.starts_with("http://") || lower.starts_with("https://") => {
            Ok(Gateway::Custom(t.to_owned()))
        }
        _ => Err(ConfigError::Invalid {
            field: "gateway",
            reason: format!("`{t}` is not `production`, `sandbox` or an http(s) URL"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn reads_a_file_and_the_environment_alike() {
        let file: AppConfig =
            serde_json::from_str(r#"{"app_id":"1","gateway":"sandbox","aes_key":"x"}"#).unwrap();
        assert_eq!(file.gateway_value().unwrap(), Gateway::Sandbox);
        let env = AppConfig::from_lookup(lookup(&[
            (env::APP_ID, "2021000000000001"),
            (env::AES_KEY, "  "),
        ]));
        assert_eq!(env.app_id.as_deref(), Some("2021000000000001"));
        assert_eq!(env.aes_key, None, "an empty variable counts as unset");
        assert_eq!(env.gateway_value().unwrap(), Gateway::Production);
    }

    #[test]
    fn refuses_unknown_keys_partial_certs_and_double_keys() {
        assert!(serde_json::from_str::<AppConfig>(r#"{"app_idd":"1"}"#).is_err());
        let c = AppConfig::from_lookup(lookup(&[(env::APP_CERT_FILE, "a.crt")]));
        assert_eq!(
            c.certificate_files().unwrap_err(),
            ConfigError::Missing(env::CERT_FILE)
        );
        let c = AppConfig::from_lookup(lookup(&[
            (env::PRIVATE_KEY, "k"),
            (env::PRIVATE_KEY_FILE, "k.pem"),
        ]));
        assert!(
            c.private_key_text()
                .unwrap_err()
                .to_string()
                .contains("keep one")
        );
        assert!(parse_gateway("ftp://x").is_err());
        assert!(
            AppConfig::from_lookup(lookup(&[(env::SIGN_TYPE, "rsa3")]))
                .sign_type_value()
                .is_err()
        );
    }

    #[test]
    fn every_file_key_is_a_field() {
        for (var, key) in env::ALL {
            let one: AppConfig = serde_json::from_str(&format!(r#"{{"{key}":"x"}}"#)).unwrap();
            assert_ne!(one, AppConfig::default(), "{key}");
            let from_env = AppConfig::from_lookup(|n| (n == *var).then(|| "x".to_owned()));
            assert_eq!(one, from_env, "{var} and {key} are the same setting");
        }
    }

    #[test]
    fn relative_paths_follow_the_config_file() {
        let mut c = AppConfig::from_lookup(lookup(&[
            (env::PRIVATE_KEY_FILE, "k.pem"),
            (env::CERT_FILE, "/abs/a.crt"),
        ]));
        c.resolve_paths(Path::new("/etc/alipay"));
        assert_eq!(c.private_key_file.unwrap(), Path::new("/etc/alipay/k.pem"));
        assert_eq!(c.alipay_cert_file.unwrap(), Path::new("/abs/a.crt"));
    }
}

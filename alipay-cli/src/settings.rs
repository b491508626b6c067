//! Where the configuration comes from: a `--config` file when one is given (and
//! then only it, so the environment of the shell cannot mix into a test setup),
//! otherwise the `ALIPAY_*` environment variables. Both are read through
//! [`alipay_api::config::AppConfig`], the definition the client itself documents.

use std::path::Path;

use alipay_api::config::{env, AppConfig};

use crate::error::CliError;

/// Config files are small; anything larger is not one.
const MAX_CONFIG_FILE: usize = 1 << 20;

/// Where a setting was read from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The `ALIPAY_*` environment variables.
    Environment,
    /// A config file.
    File(String),
}

impl Source {
    /// How to name a setting from this source, e.g. `ALIPAY_APP_ID` or
    /// `app_id in alipay.toml`.
    pub fn name_of(&self, env_var: &str) -> String {
        match self {
            Source::Environment => env_var.to_owned(),
            Source::File(path) => {
                format!("{} in {path}", env::file_key(env_var).unwrap_or(env_var))
            }
        }
    }
}

/// The configuration and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The settings.
    pub config: AppConfig,
    /// Their source.
    pub source: Source,
}

impl Loaded {
    /// The name of the Alipay public key setting.
    pub fn public_key_name(&self) -> String {
        let var = if self.config.alipay_public_key_file.is_some() {
            env::PUBLIC_KEY_FILE
        } else {
            env::PUBLIC_KEY
        };
        self.source.name_of(var)
    }

    /// The name of the private key setting.
    pub fn private_key_name(&self) -> String {
        let var = if self.config.private_key_file.is_some() {
            env::PRIVATE_KEY_FILE
        } else {
            env::PRIVATE_KEY
        };
        self.source.name_of(var)
    }
}

/// Reads `--config FILE` (TOML) or else the environment.
pub fn load(config_file: Option<&Path>) -> Result<Loaded, CliError> {
    let Some(path) = config_file else {
        return Ok(Loaded {
            config: AppConfig::from_env(),
            source: Source::Environment,
        });
    };
    let shown = path.display().to_string();
    let bad = |reason: String| CliError::ConfigFile {
        path: shown.clone(),
        reason,
    };
    let bytes =
        crate::error::read_input(&shown, MAX_CONFIG_FILE).map_err(|e| bad(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|_| bad("not UTF-8 text".into()))?;
    let mut config: AppConfig = toml::from_str(&text).map_err(|e| {
        // toml's message spans several lines (a source excerpt); the first says it.
        let msg = e.message().to_owned();
        let keys: Vec<&str> = env::ALL.iter().map(|(_, k)| *k).collect();
        bad(format!("{msg}; the keys are {}", keys.join(", ")))
    })?;
    if let Some(dir) = path.parent() {
        config.resolve_paths(dir);
    }
    Ok(Loaded {
        config,
        source: Source::File(shown),
    })
}

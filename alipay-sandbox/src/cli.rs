//! The gateway's command line, shared by the `alipay-sandbox` binary and
//! `alipay gateway`: one set of flags, one [`run`].

use std::path::{Path, PathBuf};

use crate::{Sandbox, SandboxConfig, SandboxError};

/// Flags of a gateway run from the command line.
#[derive(Debug, Clone, clap::Args)]
#[non_exhaustive]
pub struct GatewayArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// The app id to accept.
    #[arg(long, default_value = "2021000000000001")]
    pub app_id: String,
    /// Certificate mode: print certificates instead of the Alipay public key.
    #[arg(long)]
    pub cert_mode: bool,
    /// Generate an AES content-encryption key.
    #[arg(long)]
    pub aes: bool,
    /// Answer alipay.trade.pay with 10003 (buyer confirming) instead of paying at once.
    #[arg(long)]
    pub pay_waits_for_buyer: bool,
    /// Factor applied to Alipay's notification retry schedule (1 = real time).
    #[arg(long, default_value_t = 0.001)]
    pub notify_time_scale: f64,
    /// The app gateway (应用网关) message notifications are posted to, such as the
    /// settlement result and the fund-order change; without it they are not sent.
    #[arg(long, value_name = "URL")]
    pub app_gateway_url: Option<String>,
    /// Also write the keys (and the platform's private key, so `alipay trigger` can
    /// sign as the gateway) into this folder, with an `alipay.toml` that
    /// `alipay --config` reads. Test keys only.
    #[arg(long, value_name = "DIR")]
    pub keys_out: Option<PathBuf>,
}

impl GatewayArgs {
    /// The sandbox configuration these flags ask for.
    pub fn config(&self) -> SandboxConfig {
        let config = SandboxConfig::new()
            .port(self.port)
            .app_id(self.app_id.clone())
            .cert_mode(self.cert_mode)
            .aes(self.aes)
            .pay_waits_for_buyer(self.pay_waits_for_buyer)
            .notify_time_scale(self.notify_time_scale);
        match &self.app_gateway_url {
            Some(url) => config.app_gateway_url(url.clone()),
            None => config,
        }
    }
}

/// Why a command-line run stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The gateway could not start.
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    /// `--keys-out` could not be written.
    #[error("cannot write `{path}`: {source}; give --keys-out a writable folder")]
    KeysOut {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Ctrl-C could not be awaited; the gateway was stopped.
    #[error("cannot wait for Ctrl-C ({0}); the gateway was stopped")]
    Signal(#[source] std::io::Error),
}

/// The config file `--keys-out` writes, read by `alipay --config`.
pub const KEYS_CONFIG_FILE: &str = "alipay.toml";
/// The platform's private key file `--keys-out` writes (test keys only).
pub const PLATFORM_KEY_FILE: &str = "alipay_private_key.pem";

/// Starts the gateway, prints how to call it (and writes `--keys-out`), then
/// serves until Ctrl-C.
pub async fn run(args: GatewayArgs) -> Result<(), RunError> {
    let gw = Sandbox::start_with(args.config()).await?;
    print_banner(&gw);
    if let Some(dir) = &args.keys_out {
        if let Err(e) = write_keys(&gw, dir) {
            gw.shutdown().await;
            return Err(e);
        }
        say(&format!(
            "\nKeys written to {}; use `alipay --config {}`",
            dir.display(),
            dir.join(KEYS_CONFIG_FILE).display()
        ));
    }
    say("\nPress Ctrl-C to stop.");
    let waited = tokio::signal::ctrl_c().await;
    gw.shutdown().await;
    waited.map_err(RunError::Signal)
}

/// Prints a line; a closed stdout (`… | head`) must not stop the gateway.
fn say(text: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

fn print_banner(gw: &Sandbox) {
    let k = gw.keys();
    say(&format!("Alipay sandbox gateway: {}", gw.gateway_url()));
    say(&format!("app_id:    {}", k.app_id));
    say(&format!("seller_id: {}", gw.seller_id()));
    say(&format!(
        "\n# App private key (sign requests with it)\n{}",
        k.app_private_key.trim_end()
    ));
    match &k.certs {
        None => say(&format!(
            "\n# Alipay public key (verify answers with it)\n{}",
            k.alipay_public_key.trim_end()
        )),
        Some(c) => {
            say(&format!(
                "\n# App certificate (appCertPublicKey.crt)\n{}",
                c.app_cert.trim_end()
            ));
            say(&format!(
                "\n# Alipay certificate (alipayCertPublicKey_RSA2.crt)\n{}",
                c.alipay_cert.trim_end()
            ));
            say(&format!(
                "\n# Alipay root certificate (alipayRootCert.crt)\n{}",
                c.alipay_root_cert.trim_end()
            ));
        }
    }
    if let Some(aes) = &k.aes_key {
        say(&format!("\n# AES key\n{aes}"));
    }
}

/// Writes a key file; private ones (Unix) are readable by the owner only.
pub fn write_key_file(path: &Path, text: &str, private: bool) -> std::io::Result<()> {
    std::fs::write(path, text)?;
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = private;
    Ok(())
}

fn write_file(path: &Path, text: &str, private: bool) -> Result<(), RunError> {
    write_key_file(path, text, private).map_err(|source| RunError::KeysOut {
        path: path.display().to_string(),
        source,
    })
}

/// A TOML basic string (JSON string escapes are valid TOML).
fn toml_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

fn write_keys(gw: &Sandbox, dir: &Path) -> Result<(), RunError> {
    std::fs::create_dir_all(dir).map_err(|source| RunError::KeysOut {
        path: dir.display().to_string(),
        source,
    })?;
    let k = gw.keys();
    let mut files: Vec<(&str, &str, bool)> = vec![
        ("app_private_key.pem", &k.app_private_key, true),
        ("app_public_key.pem", &k.app_public_key, false),
        ("alipay_public_key.pem", &k.alipay_public_key, false),
        (PLATFORM_KEY_FILE, &k.alipay_private_key, true),
    ];
    let mut config = format!(
        "# Written by the local gateway for its test keys; never use them elsewhere.\n\
         app_id = {}\ngateway = {}\nprivate_key_file = \"app_private_key.pem\"\n",
        toml_string(&k.app_id),
        toml_string(&gw.gateway_url()),
    );
    match &k.certs {
        None => config.push_str("alipay_public_key_file = \"alipay_public_key.pem\"\n"),
        Some(c) => {
            files.push(("app_cert.crt", &c.app_cert, false));
            files.push(("alipay_cert.crt", &c.alipay_cert, false));
            files.push(("alipay_root_cert.crt", &c.alipay_root_cert, false));
            config.push_str(
                "app_cert_file = \"app_cert.crt\"\nalipay_cert_file = \"alipay_cert.crt\"\n\
                 alipay_root_cert_file = \"alipay_root_cert.crt\"\n",
            );
        }
    }
    if let Some(aes) = &k.aes_key {
        config.push_str(&format!("aes_key = {}\n", toml_string(aes)));
    }
    for (name, text, private) in files {
        write_file(&dir.join(name), text, private)?;
    }
    // The config file appears last and whole, so a watcher never reads half of it.
    let tmp = dir.join(format!("{KEYS_CONFIG_FILE}.tmp"));
    write_file(&tmp, &config, true)?;
    let dest = dir.join(KEYS_CONFIG_FILE);
    std::fs::rename(&tmp, &dest).map_err(|source| RunError::KeysOut {
        path: dest.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        gateway: GatewayArgs,
    }

    #[test]
    fn the_app_gateway_flag_reaches_the_config() {
        let url = "http://127.0.0.1:9/alipay/gateway";
        let with = Cli::parse_from(["alipay-sandbox", "--app-gateway-url", url]);
        assert_eq!(with.gateway.config().app_gateway_url.as_deref(), Some(url));
        let without = Cli::parse_from(["alipay-sandbox"]);
        assert_eq!(without.gateway.config().app_gateway_url, None);
    }
}

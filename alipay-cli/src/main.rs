//! `alipay`: check a configuration, sign, verify (and explain why a signature
//! fails), call any method, run the local gateway and send it test notifications.
//!
//! Exit codes: 0 success; 1 a negative result (verification failed, a problem
//! found, a declined call, an unacknowledged notification); 2 bad input, usage or
//! configuration (nothing was sent); 3 a call whose outcome is unknown (query
//! before retrying).

mod doctor;
mod error;
mod keys;
mod output;
mod request;
mod settings;
mod trigger;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::CliError;
use crate::output::emit;

/// Alipay open platform (支付宝开放平台) from the command line, on the alipay-api runtime.
///
/// Settings come from the ALIPAY_* environment variables (ALIPAY_APP_ID,
/// ALIPAY_PRIVATE_KEY or ALIPAY_PRIVATE_KEY_FILE, ALIPAY_PUBLIC_KEY or
/// ALIPAY_PUBLIC_KEY_FILE, ALIPAY_APP_CERT_FILE, ALIPAY_CERT_FILE,
/// ALIPAY_ROOT_CERT_FILE, ALIPAY_GATEWAY, ALIPAY_AES_KEY, ALIPAY_SIGN_TYPE), or
/// only from --config FILE when given.
#[derive(Debug, Parser)]
#[command(name = "alipay", version)]
struct Cli {
    /// Print one JSON document instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// A TOML config file with the keys app_id, private_key or private_key_file,
    /// alipay_public_key or alipay_public_key_file, app_cert_file, alipay_cert_file,
    /// alipay_root_cert_file, gateway, aes_key, sign_type (relative paths are
    /// relative to the file). The environment is then not read.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check every piece of the configuration and say what to fix.
    Doctor,
    /// Print the string to sign, the signature and the wire request of a call.
    Sign(request::SignArgs),
    /// Verify a captured response or notification; on failure, say why.
    Verify(verify::VerifyArgs),
    /// Send any method, verify the answer and print it.
    Call(request::RequestArgs),
    /// Print the SN of a certificate (app_cert_sn, alipay_cert_sn) or root bundle
    /// (alipay_root_cert_sn) as Alipay computes it.
    CertSn(keys::CertSnArgs),
    /// Make an RSA-2048 app key pair in every form (PKCS#1, PKCS#8, PEM, base64).
    Keygen(keys::KeygenArgs),
    /// Run the local Alipay gateway (the alipay-sandbox binary's flags).
    Gateway(alipay_sandbox::cli::GatewayArgs),
    /// Deliver any notification of the spec, made as the local gateway makes it, to a
    /// local webhook (loopback only).
    Trigger(trigger::TriggerArgs),
}

fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let json = cli.json;
    let load = || settings::load(cli.config.as_deref());
    Ok(match &cli.command {
        Command::Doctor => emit(&doctor::doctor(&load()?), json),
        Command::Sign(a) => emit(&request::sign(&load()?, a)?, json),
        Command::Verify(a) => emit(&verify::verify(&load()?, a)?, json),
        Command::Call(a) => emit(&request::call(&load()?, a)?, json),
        Command::CertSn(a) => emit(&keys::cert_sn(a)?, json),
        Command::Keygen(a) => emit(&keys::keygen(a)?, json),
        Command::Trigger(a) => emit(&trigger::trigger(a)?, json),
        Command::Gateway(a) => {
            let runtime = tokio::runtime::Runtime::new()
                .map_err(|e| CliError::input(format!("cannot start the async runtime ({e})")))?;
            runtime.block_on(alipay_sandbox::cli::run(a.clone()))?;
            ExitCode::SUCCESS
        }
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // One line a person can act on; with --json also a document for scripts.
            use std::io::Write as _;
            let _ = writeln!(std::io::stderr().lock(), "alipay: {e}");
            if json {
                output::print_line(&serde_json::json!({ "error": e.to_string() }).to_string());
            }
            e.exit_code()
        }
    }
}

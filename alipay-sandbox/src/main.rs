//! `alipay-sandbox`: runs a local Alipay gateway and prints how to call it. The same
//! flags and run function serve `alipay gateway` (see [`alipay_sandbox::cli`]).

use std::process::ExitCode;

use clap::Parser;

/// A local stand-in for the Alipay v2 gateway, for development and tests.
#[derive(Debug, Parser)]
#[command(name = "alipay-sandbox", version)]
struct Cli {
    #[command(flatten)]
    args: alipay_sandbox::cli::GatewayArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    match alipay_sandbox::cli::run(Cli::parse().args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("alipay-sandbox: {e}");
            ExitCode::FAILURE
        }
    }
}

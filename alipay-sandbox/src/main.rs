//! `alipay-sandbox`: runs a local Alipay gateway and prints how to call it.

use clap::Parser;

/// A local stand-in for the Alipay v2 gateway, for development and tests.
#[derive(Debug, Parser)]
#[command(name = "alipay-sandbox", version)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The app id to accept.
    #[arg(long, default_value = "2021000000000001")]
    app_id: String,
    /// Certificate mode: print certificates instead of the Alipay public key.
    #[arg(long)]
    cert_mode: bool,
    /// Generate an AES content-encryption key.
    #[arg(long)]
    aes: bool,
    /// Answer alipay.trade.pay with 10003 (buyer confirming) instead of paying at once.
    #[arg(long)]
    pay_waits_for_buyer: bool,
    /// Factor applied to Alipay's notification retry schedule (1 = real time).
    #[arg(long, default_value_t = 0.001)]
    notify_time_scale: f64,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let cfg = alipay_sandbox::SandboxConfig::new()
        .port(args.port)
        .app_id(args.app_id)
        .cert_mode(args.cert_mode)
        .aes(args.aes)
        .pay_waits_for_buyer(args.pay_waits_for_buyer)
        .notify_time_scale(args.notify_time_scale);
    let gw = match alipay_sandbox::Sandbox::start_with(cfg).await {
        Ok(gw) => gw,
        Err(e) => {
            eprintln!("alipay-sandbox: {e}");
            std::process::exit(1);
        }
    };
    let k = gw.keys();
    println!("Alipay sandbox gateway: {}", gw.gateway_url());
    println!("app_id:    {}", k.app_id);
    println!("seller_id: {}", gw.seller_id());
    println!(
        "\n# App private key (sign requests with it)\n{}",
        k.app_private_key.trim_end()
    );
    match &k.certs {
        None => println!(
            "\n# Alipay public key (verify answers with it)\n{}",
            k.alipay_public_key.trim_end()
        ),
        Some(c) => {
            println!(
                "\n# App certificate (appCertPublicKey.crt)\n{}",
                c.app_cert.trim_end()
            );
            println!(
                "\n# Alipay certificate (alipayCertPublicKey_RSA2.crt)\n{}",
                c.alipay_cert.trim_end()
            );
            println!(
                "\n# Alipay root certificate (alipayRootCert.crt)\n{}",
                c.alipay_root_cert.trim_end()
            );
        }
    }
    if let Some(aes) = &k.aes_key {
        println!("\n# AES key\n{aes}");
    }
    println!("\nPress Ctrl-C to stop.");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("alipay-sandbox: cannot wait for Ctrl-C ({e}); stopping");
    }
    gw.shutdown().await;
}

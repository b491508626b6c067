//! `cargo xtask test`: the one command that runs the whole test suite.
//!
//! The interop tests drive the official Node and Python SDKs, so their packages
//! are installed first (into the repository, never globally); then every test of
//! the workspace runs with every feature on.

use std::path::Path;
use std::process::Command;

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    eprintln!("$ {what}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start `{what}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{what}` failed ({status})"))
    }
}

pub(crate) fn test_cmd(root: &Path, args: &[String]) -> Result<(), String> {
    let extra: &[String] = match args.split_first() {
        Some((sep, rest)) if sep == "--" => rest,
        None => &[],
        Some(_) => return Err(crate::USAGE.to_owned()),
    };
    run(
        Command::new("bash")
            .arg("tests/interop/setup.sh")
            .current_dir(root),
        "bash tests/interop/setup.sh",
    )?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    run(
        Command::new(cargo)
            .args(["test", "--workspace", "--all-features"])
            .args(extra)
            .current_dir(root),
        &format!(
            "cargo test --workspace --all-features (in {})",
            root.display()
        ),
    )
}

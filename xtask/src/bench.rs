//! `cargo xtask bench-compile` (what the crate costs to build once it holds every method
//! behind the docs navigation) and `cargo xtask check-features` (each feature alone).
//! Measurements with budgets, never assertions in tests.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use alipay_codegen::Options;

use crate::import::{copy_dir, full_spec, print_report, read_catalog};

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

fn run(dir: &Path, target: &Path, args: &[&str]) -> Result<Duration, String> {
    run_with_stderr(dir, target, args).map(|(d, _)| d)
}

/// `cargo <args>`: how long it took and what it wrote to stderr (warnings included).
fn run_with_stderr(dir: &Path, target: &Path, args: &[&str]) -> Result<(Duration, String), String> {
    let t = Instant::now();
    let out = Command::new(cargo())
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        return Err(format!("`cargo {}` failed:\n{stderr}", args.join(" ")));
    }
    Ok((t.elapsed(), stderr))
}

/// Tracked files of the repository (the working tree's version of each).
fn copy_repo(root: &Path, to: &Path) -> Result<(), String> {
    let out = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    for rel in out.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()) {
        let rel = String::from_utf8_lossy(rel).into_owned();
        let (src, dst) = (root.join(&rel), to.join(&rel));
        if !src.is_file() {
            continue;
        }
        if let Some(p) = dst.parent() {
            fs::create_dir_all(p).map_err(|e| format!("{}: {e}", p.display()))?;
        }
        fs::copy(&src, &dst).map_err(|e| format!("{}: {e}", src.display()))?;
    }
    Ok(())
}

/// A feature that exists in the full-catalogue build: the family of `alipay.trade.pay`.
const ONE_FAMILY: &str = "trade";

pub fn compile_cmd(root: &Path, args: &[String]) -> Result<(), String> {
    let work = root.join("target/bench-compile");
    let repo = work.join("repo");
    // The repository's own target dir: dependencies are shared, the copy's crates are not.
    let target = root.join("target");
    let _ = fs::remove_dir_all(&repo);
    copy_repo(root, &repo)?;
    let cat = read_catalog(root, args)?;
    let spec = work.join("spec");
    let report = full_spec(root, &cat, &spec)?;
    let _ = fs::remove_dir_all(repo.join("spec"));
    copy_dir(&spec, &repo.join("spec"))?;
    let _ = fs::remove_dir_all(repo.join("alipay-api/src/generated"));
    let g = alipay_codegen::generate_with(&repo, Options { allow_todo: true })
        .map_err(|e| e.to_string())?;
    alipay_codegen::write(&repo, &g).map_err(|e| e.to_string())?;
    let generated: Vec<(&PathBuf, &String)> = g
        .files
        .iter()
        .filter(|(p, _)| p.starts_with(alipay_codegen::GENERATED_DIR))
        .collect();
    let lines: usize = generated.iter().map(|(_, t)| t.lines().count()).sum();
    let methods = cat.methods.len();
    print_report(&report);
    println!(
        "generated: {} files, {lines} lines for {methods} methods = {} lines per method (budget 450)",
        generated.len(),
        lines / methods.max(1)
    );

    eprintln!("warming the dependency cache (not timed)…");
    run(
        &repo,
        &target,
        &["build", "-q", "-p", "alipay-api", "--features", "full"],
    )?;
    run(
        &repo,
        &target,
        &["check", "-q", "-p", "alipay-api", "--features", "full"],
    )?;
    let lib = repo.join("alipay-api/src/lib.rs");
    let timed = |what: &str, budget: u64, args: &[&str]| -> Result<(), String> {
        // Touching the crate root recompiles alipay-api alone, as an edit would.
        let text = fs::read_to_string(&lib).map_err(|e| e.to_string())?;
        fs::write(&lib, text).map_err(|e| e.to_string())?;
        let d = run(&repo, &target, args)?;
        let verdict = if d.as_secs_f64() <= budget as f64 {
            "within"
        } else {
            "OVER"
        };
        println!(
            "  {what:<44} {:>6.1} s   budget {budget:>4} s   {verdict}",
            d.as_secs_f64()
        );
        Ok(())
    };
    println!(
        "alipay-api alone, dependencies built, on this machine ({} cores):",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    timed(
        "cargo build --features full",
        45,
        &["build", "-q", "-p", "alipay-api", "--features", "full"],
    )?;
    timed(
        &format!("cargo build --features {ONE_FAMILY}"),
        10,
        &["build", "-q", "-p", "alipay-api", "--features", ONE_FAMILY],
    )?;
    timed(
        "cargo check --features full",
        25,
        &["check", "-q", "-p", "alipay-api", "--features", "full"],
    )?;
    timed(
        "cargo test --doc --features full (all doctests)",
        300,
        &[
            "test",
            "-q",
            "-p",
            "alipay-api",
            "--features",
            "full",
            "--doc",
        ],
    )?;
    if !args.iter().any(|a| a == "--keep") {
        let _ = fs::remove_dir_all(&repo);
        let _ = fs::remove_dir_all(&spec);
    }
    Ok(())
}

/// The family and product features of alipay-api's manifest (the generated block).
fn features(root: &Path) -> Result<Vec<String>, String> {
    let manifest =
        fs::read_to_string(root.join(alipay_codegen::MANIFEST)).map_err(|e| e.to_string())?;
    let block = manifest
        .split("# BEGIN GENERATED FEATURES")
        .nth(1)
        .and_then(|b| b.split("# END GENERATED FEATURES").next())
        .ok_or("alipay-api/Cargo.toml has no generated feature block")?;
    Ok(block
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_owned()))
        .filter(|k| k != "full")
        .collect())
}

pub fn check_features_cmd(root: &Path) -> Result<(), String> {
    let target = root.join("target");
    let mut failed = Vec::new();
    let feats = features(root)?;
    for f in std::iter::once(String::new()).chain(feats) {
        let mut args = vec!["check", "-q", "-p", "alipay-api", "--lib"];
        if !f.is_empty() {
            args.extend(["--features", f.as_str()]);
        }
        let shown = if f.is_empty() {
            "(no family)"
        } else {
            f.as_str()
        };
        // A feature alone must build warning-free too (cargo replays cached warnings).
        let checked = run_with_stderr(root, &target, &args).and_then(|(d, stderr)| {
            if stderr.contains("warning:") {
                Err(stderr)
            } else {
                Ok(d)
            }
        });
        match checked {
            Ok(d) => eprintln!("  {shown:<24} ok ({:.1} s)", d.as_secs_f64()),
            Err(e) => {
                eprintln!("  {shown:<24} FAILED\n{e}");
                failed.push(shown.to_owned());
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "these features do not compile alone without warnings: {}",
            failed.join(", ")
        ))
    }
}

//! Repository tasks: `cargo xtask codegen [--check]`, `cargo xtask import`,
//! `cargo xtask bench-codegen`, `bench-compile`, `check-features`, `cargo xtask catalog`,
//! `cargo xtask drift`, `cargo xtask spec-diff`, `cargo xtask test`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

mod args;
mod bench;
mod catalog;
mod drift;
mod import;
mod spec_diff;
mod test;

pub(crate) const USAGE: &str = "usage:
  cargo xtask codegen [--check]
      regenerate alipay-api/src/generated/ and the feature block of alipay-api/Cargo.toml
      from spec/; with --check, change nothing and fail with a diff if they are stale
  cargo xtask import <method>...|--all [--family <f>] [--catalog <dir>] [--spec <dir>] [--force]
      write spec skeletons (method + new models it uses) from the facts-only catalogue
      (catalog/): types, nesting, placement, kind, common params and the facts the
      catalogue's hints propose, each marked `derived:`; prints what it typed and proposed
  cargo xtask import --update <method>... [--catalog <dir>] [--spec <dir>]
      append to existing spec files the params, response fields and model fields the
      catalogue lists and they lack (TODO summaries, `derived:` notes, new model files as
      needed); existing lines are never rewritten or reordered; prints what it added
  cargo xtask bench-codegen [--catalog <dir>]
      import every catalogue method into a temporary copy of spec/ and time load + generate
  cargo xtask bench-compile [--keep]
      import every catalogue method into a temporary copy of the repository, generate, and
      time cargo build/check of alipay-api against the budgets (full build 45 s, one
      family 10 s, check 25 s, doctests); prints lines per method
  cargo xtask check-features
      cargo check alipay-api with each family and product feature alone; any warning fails
  cargo xtask catalog build|refresh [options]
      rebuild or refresh the facts-only catalogue in catalog/ (`cargo xtask catalog` for details)
  cargo xtask drift [--wheel <file.whl>] [--json] [--fail-on added|removed|added,removed]
      compare the newest official Python SDK (pip download alipay-sdk-python) with catalog/
      and spec/: fields added or removed, new methods next to covered ones, list-ness and
      nesting changes, grouped by docs product
  cargo xtask spec-diff <BASE..HEAD | BASE...HEAD | BASE> [--markdown [--max-chars <n>] | --json]
      compare spec/ at two revisions (BASE alone: against the working tree; BASE...HEAD:
      from their merge base) and report what changes for users of the crate, grouped by
      family and method: breaking, additive, sources changed, documentation only (each
      section cut to fit --max-chars, e.g. 60000 for a pull-request comment). Exit 1
      when breaking changes lack the alipay-api version bump they need, 2 when a side's
      spec does not load
  cargo xtask test [-- <cargo test args>]
      install the interop peers (official Node and Python SDKs, locally) and run the
      whole test suite: cargo test --workspace --all-features";

pub(crate) fn root() -> PathBuf {
    // xtask lives one level below the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "spec-diff") {
        return spec_diff::spec_diff_cmd(&root(), &args[1..]);
    }
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen(&args[1..]),
        Some("import") => import::import_cmd(&root(), &args[1..]),
        Some("bench-codegen") => import::bench_cmd(&root(), &args[1..]),
        Some("bench-compile") => bench::compile_cmd(&root(), &args[1..]),
        Some("check-features") => bench::check_features_cmd(&root()),
        Some("catalog") => catalog::catalog_cmd(&root(), &args[1..]),
        Some("drift") => drift::drift_cmd(&root(), &args[1..]),
        Some("test") => test::test_cmd(&root(), &args[1..]),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn codegen(args: &[String]) -> Result<(), String> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => return Err(USAGE.to_owned()),
    };
    let root = root();
    let start = Instant::now();
    let generated = alipay_codegen::generate(&root).map_err(|e| e.to_string())?;
    let elapsed = start.elapsed();
    if check {
        let stale = alipay_codegen::check(&root, &generated);
        if stale.is_empty() {
            eprintln!(
                "generated code is up to date ({} files, generated in {:.0?})",
                generated.files.len(),
                elapsed
            );
            return Ok(());
        }
        for s in &stale {
            println!("{}", s.diff);
        }
        let names: Vec<String> = stale.iter().map(|s| s.path.display().to_string()).collect();
        return Err(format!(
            "{} generated file(s) are out of date with spec/:\n  {}\nrun `cargo xtask codegen` and commit the result",
            stale.len(),
            names.join("\n  ")
        ));
    }
    let touched = alipay_codegen::write(&root, &generated).map_err(|e| e.to_string())?;
    eprintln!(
        "generated {} files in {:.0?}; {} changed",
        generated.files.len(),
        elapsed,
        touched.len()
    );
    for t in touched {
        eprintln!("  {}", t.display());
    }
    Ok(())
}

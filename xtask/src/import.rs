//! `cargo xtask import` and `cargo xtask bench-codegen`.

use std::path::Path;

pub fn import_cmd(_root: &Path, _args: &[String]) -> Result<(), String> {
    Err("not yet".into())
}

pub fn bench_cmd(_args: &[String]) -> Result<(), String> {
    Err("not yet".into())
}

//! Compile-and-behave test of the fixture output: the files generated from
//! `fixtures/basic` are built in a scratch crate together with the real runtime types
//! of `alipay-api` (included by path, not copied) and `fixtures/basic_crate/behaviour.rs`
//! runs against them. This covers what the real spec does not use yet (dates,
//! `max_items`, JSON params, fixed and one-of fields in models, enum name escapes).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use alipay_codegen::{generate_from, Options};

fn scratch_root() -> PathBuf {
    // <target>/debug/deps/fixture_crate-… → <target>/codegen-fixture
    let exe = std::env::current_exe().expect("test binary path");
    exe.ancestors()
        .nth(3)
        .map(|t| t.join("codegen-fixture"))
        .unwrap_or_else(|| std::env::temp_dir().join("alipay-codegen-fixture"))
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    // Unchanged files keep their mtime, so the scratch build stays incremental.
    if fs::read_to_string(path).ok().as_deref() != Some(text) {
        fs::write(path, text).unwrap();
    }
}

#[test]
fn fixture_output_compiles_and_behaves() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let api = manifest.join("../alipay-api/src").canonicalize().unwrap();
    let out = generate_from(&manifest.join("tests/fixtures/basic"), Options::default()).unwrap();
    let (files, features) = (out.files, out.features);
    let root = scratch_root();
    let krate = root.join("crate");
    let _ = fs::remove_dir_all(krate.join("src/generated"));
    for (rel, text) in &files {
        write(&krate.join("src/generated").join(rel), text);
    }
    write(
        &krate.join("Cargo.toml"),
        &format!(
            r#"[package]
name = "fixture"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
chrono = {{ version = "0.4", default-features = false, features = ["std", "clock", "serde"] }}
thiserror = "2"
regex-lite = "0.1"

[features]
{features}"#
        ),
    );
    let m = |name: &str| api.join(name).display().to_string();
    write(
        &krate.join("src/lib.rs"),
        &format!(
            r#"#![allow(dead_code, unused_imports, missing_docs)]
#[path = "{}"] pub mod request;
#[path = "{}"] pub mod types;
#[path = "{}"] pub mod validation;
#[path = "{}"] pub mod __private;
#[path = "{}"] pub mod schema;
mod generated;
pub use generated::*;
pub use request::{{AlipayRequest, CallKind, FileUpload, Method, MethodMeta, Payload, Validated}};
pub use types::{{Amount, BeijingDateTime, Clearable, JsonString, NaiveDate, OpenEnum}};
pub use validation::{{Problem, ValidationError, Violation}};
"#,
            m("request/mod.rs"),
            m("types/mod.rs"),
            m("validation.rs"),
            m("__private/mod.rs"),
            m("schema/mod.rs")
        ),
    );
    let behaviour =
        fs::read_to_string(manifest.join("tests/fixtures/basic_crate/behaviour.rs")).unwrap();
    write(&krate.join("tests/behaviour.rs"), &behaviour);

    // Share the outer lock file so no registry lookup is needed.
    if let Ok(lock) = fs::read_to_string(manifest.join("../Cargo.lock")) {
        if !krate.join("Cargo.lock").exists() {
            write(&krate.join("Cargo.lock"), &lock);
        }
    }
    let out = Command::new(env!("CARGO"))
        .args([
            "test",
            "--offline",
            "--quiet",
            "--features",
            "full",
            "--test",
            "behaviour",
        ])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "the fixture crate failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

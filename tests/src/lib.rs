//! Cross-crate integration tests live in `tests/tests/`: the official vectors,
//! client ↔ local gateway, and interop with the official Node and Python SDKs.
//!
//! The repository README is compiled here as documentation so that its code
//! examples are checked by `cargo test` and cannot drift from the API.
#![doc = include_str!("../../README.md")]

pub mod fuzz;

/// The test data kept in the repository under `tests/vectors/` (official SDK
/// vectors, throwaway keys, public certificates; see its README).
///
/// Every test and benchmark of the workspace reads its fixtures through here, so a
/// fresh clone needs nothing outside the repository.
pub mod vectors {
    use std::path::{Path, PathBuf};

    /// The vectors folder, `tests/vectors/` of this repository.
    pub fn dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
    }

    /// The text of `rel` (a path relative to [`dir`], e.g. `keys/app_public.pem`).
    ///
    /// # Panics
    /// When the file cannot be read: the fixture is missing from the checkout.
    pub fn read(rel: &str) -> String {
        let path = dir().join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "test vector {}: {e} (tests/vectors/ is part of the repository)",
                path.display()
            )
        })
    }
}

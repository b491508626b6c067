//! The generator behind `cargo xtask codegen`: YAML spec → validated IR → Rust tokens →
//! formatted files under `alipay-api/src/generated/`.
//!
//! The pipeline has three stages that never mix:
//! 1. [`load`] reads the spec files into serde structs that reject unknown keys;
//! 2. [`ir`] checks them for consistency and makes every naming decision;
//! 3. [`emit`] turns the IR into token streams and formats them with `prettyplease`.

pub mod catalog;
pub mod diff;
pub mod emit;
pub mod error;
pub mod import;
pub mod ir;
pub mod load;
pub mod naming;
pub mod spec;
mod workspace;

pub use error::{ErrorKind, SpecError, SpecErrors};
pub use ir::{Ir, Options};
pub use workspace::{
    check, generate, generate_from, generate_with, splice_features, write, CodegenError, Emitted,
    Generated, Stale, GENERATED_DIR, MANIFEST,
};

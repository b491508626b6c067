//! Cross-crate integration tests live in `tests/tests/`: the official vectors,
//! client ↔ local gateway, and interop with the official Node and Python SDKs.
//!
//! The repository README is compiled here as documentation so that its code
//! examples are checked by `cargo test` and cannot drift from the API.
#![doc = include_str!("../../README.md")]

//! What generated code builds on. Not part of the public API: names may change in any
//! release.

// Which macros a build uses depends on the families enabled: a build with few (or
// none) leaves some unused, and that is no defect.
#[allow(unused_macros)]
mod macros;
mod wire;

#[allow(unused_imports)]
pub(crate) use macros::{open_enum, open_enum_impls, request, setters, wire_struct};
pub use wire::{FromWire, Obj, WireError, deserialize_wire, wire_text};

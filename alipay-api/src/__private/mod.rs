//! What generated code builds on. Not part of the public API: names may change in any
//! release.

mod macros;
mod wire;

pub(crate) use macros::{open_enum, open_enum_impls, request, setters, wire_struct};
pub use wire::{FromWire, Obj, WireError, deserialize_wire, wire_text};

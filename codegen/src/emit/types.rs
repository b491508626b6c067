//! Rust types for fields, and the setter kind (`into`, `input`, `list`, …) each needs.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{Field, Placement, Ty};

/// An identifier.
pub fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// Which side of the wire a type is written for. Values a merchant sets may still be
/// unparsed text (`Input<Amount>`), so that `build()` reports a bad amount with every
/// other problem; values Alipay sends are typed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Request params and models used in requests.
    Request,
    /// Responses, notifications and models used only there.
    Response,
}

/// The type of a single value (a list item, or the field itself before `Option`), as
/// Rust source.
pub fn value_ty_text(ty: &Ty, side: Side) -> String {
    let typed = |t: &str| match side {
        Side::Request => format!("crate::types::Input<crate::types::{t}>"),
        Side::Response => format!("crate::types::{t}"),
    };
    match ty {
        Ty::String => "String".into(),
        Ty::Integer => "i64".into(),
        Ty::Boolean => "bool".into(),
        Ty::Amount => typed("Amount"),
        Ty::DateTime => typed("BeijingDateTime"),
        Ty::Date => typed("NaiveDate"),
        Ty::File => "crate::request::FileUpload".into(),
        Ty::Object(n) | Ty::Enum(n) => format!("crate::models::{n}"),
        // List items are typed on both sides: the setter takes typed values.
        Ty::List(t) => format!("Vec<{}>", value_ty_text(t, Side::Response)),
        Ty::Json(t) => format!(
            "crate::types::JsonString<{}>",
            value_ty_text(t, Side::Response)
        ),
    }
}

fn tokens(text: &str) -> TokenStream {
    text.parse().unwrap_or_default()
}

/// The type of a struct field: `Option` of the value, clearable where the spec says so.
pub fn field_ty(f: &Field, side: Side) -> TokenStream {
    let v = value_ty_text(&f.ty, side);
    if f.clearable && side == Side::Request {
        tokens(&format!("Option<crate::types::Clearable<{v}>>"))
    } else {
        tokens(&format!("Option<{v}>"))
    }
}

/// The `setters!` lines of a field: its deprecation, then `<kind> <field>: <arg>;`.
pub fn setter(f: &Field) -> Vec<String> {
    if f.fixed.is_some() {
        return Vec::new();
    }
    let mut out = Vec::new();
    match &f.deprecated {
        None => {}
        Some(n) if n.is_empty() => out.push("#[deprecated]".to_owned()),
        Some(n) => out.push(format!("#[deprecated = {n:?}]")),
    }
    let name = &f.ident;
    let resp = |t: &Ty| value_ty_text(t, Side::Response);
    out.push(if f.clearable {
        match &f.ty {
            // Typed inputs take text too, parsed by `build()` like their plain setters.
            Ty::Amount | Ty::DateTime | Ty::Date => {
                format!("clear_input {name} / clear_{name}: {};", resp(&f.ty))
            }
            other => format!(
                "clear {name} / clear_{name}: {};",
                value_ty_text(other, Side::Request)
            ),
        }
    } else {
        match &f.ty {
            Ty::Amount | Ty::DateTime | Ty::Date => format!("input {name}: {};", resp(&f.ty)),
            Ty::List(t) => format!("list {name}: {};", resp(t)),
            Ty::Json(t) => match &**t {
                Ty::List(item) => format!("json_list {name}: {};", resp(item)),
                other => format!("json {name}: {};", resp(other)),
            },
            other => format!("into {name}: {};", value_ty_text(other, Side::Request)),
        }
    });
    out
}

/// The `serde` attributes of a struct field: a rename when the Rust name differs from
/// the wire name, and `skip` for what does not travel in the JSON (file parts).
pub fn serde_attrs(f: &Field) -> TokenStream {
    if f.placement == Placement::File {
        return quote!(#[serde(skip)]);
    }
    if f.ident == f.wire {
        quote!()
    } else {
        let w = &f.wire;
        quote!(#[serde(rename = #w)])
    }
}

/// The `wire_struct!` (and `request!` files) entry of a field: its name, and its wire
/// name when different.
pub fn wire_entry(f: &Field) -> String {
    if f.ident == f.wire {
        f.ident.clone()
    } else {
        format!("{} = {:?}", f.ident, f.wire)
    }
}

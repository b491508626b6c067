//! One model's file: an object (fields, setters when requests use it, wire reading when
//! Alipay sends it, and its schema) or an open enum.

use quote::quote;

use super::calls::{self, Part};
use super::docs::{self, FieldDocKind};
use super::schema;
use super::types::{field_ty, ident, serde_attrs, setter, wire_entry, Side};
use crate::ir::{EnumValue, Field, Ir, Model, ModelKind, Rules};

pub fn file(ir: &Ir, m: &Model) -> Vec<Part> {
    match &m.kind {
        ModelKind::Object { fields, rules } => object(ir, m, fields, rules),
        ModelKind::Enum { values, closed, .. } => enumeration(m, values, *closed),
    }
}

fn model_doc(m: &Model, extra: &str) -> String {
    let mut doc = docs::prose(&m.summary);
    if let Some(t) = &m.title {
        doc.push_str(&format!("\n\n**{}** (`{}`)", docs::prose(t), m.name));
    }
    if let Some(d) = &m.description {
        doc.push_str(&format!("\n\n{}", docs::prose(d)));
    }
    doc.push_str(extra);
    let feats: Vec<String> = m.families.iter().map(|g| docs::code(g)).collect();
    if feats.is_empty() {
        // No method or notification uses it (e.g. a value the client side reports).
        doc.push_str("\n\nUsed by no method: compiled whatever the cargo features.");
    } else {
        doc.push_str(&format!(
            "\n\nCompiled with any of the cargo features {}.",
            feats.join(", ")
        ));
    }
    doc
}

fn object(ir: &Ir, m: &Model, fields: &[Field], rules: &Rules) -> Vec<Part> {
    let ty = ident(&m.name);
    // A model a merchant sets takes text for amounts and times, like request params.
    let side = if m.in_requests {
        Side::Request
    } else {
        Side::Response
    };
    let kind = if m.in_requests {
        FieldDocKind::Input
    } else {
        FieldDocKind::Output
    };
    let how = if m.in_requests {
        format!("\n\nStart from [`{0}::new`] and chain the setters; the request that carries it checks it in `build()`.", m.name)
    } else {
        String::new()
    };
    let doc = docs::outer(&model_doc(m, &how));
    // Fixed fields have no Rust field: the runtime fills them in from the schema.
    let decls = fields.iter().filter(|f| f.fixed.is_none()).map(|f| {
        let d = docs::outer(&docs::field(ir, f, rules, kind));
        let (name, t, attrs) = (ident(&f.ident), field_ty(f, side), serde_attrs(f));
        quote!(#d #attrs pub #name: #t,)
    });
    let prelude = schema::prelude(schema::refs_models(&fields.iter().collect::<Vec<_>>()));
    let (name, table, rules) = (&m.name, schema::fields(ir, fields), schema::rules(rules));
    let extra =
        "Fields the spec does not describe: sent as they are, and kept when Alipay sends them.";
    let body = super::method::data_struct(doc, &ty, decls, extra);
    let item = quote! {
        #prelude
        #body
        pub(crate) static SCHEMA: crate::schema::ModelSchema = crate::schema::ModelSchema::new(#name, #table, #rules);
    };
    let mut parts = vec![Part::Rust(item)];
    if m.in_requests {
        parts.push(calls::setters(
            name,
            true,
            fields.iter().flat_map(setter).collect(),
        ));
    }
    if m.in_responses {
        let entries: Vec<String> = fields
            .iter()
            .filter(|f| f.fixed.is_none())
            .map(wire_entry)
            .collect();
        parts.push(calls::wire_struct(name, &entries));
    }
    parts
}

fn enumeration(m: &Model, values: &[EnumValue], closed: bool) -> Vec<Part> {
    let rule = if closed {
        "\n\nRequests may only use the listed values; values Alipay adds later still read as `Unknown`."
    } else {
        "\n\nThe list is open: requests may send other values (`Unknown`), and values Alipay adds later read as `Unknown`."
    };
    let doc = model_doc(m, rule);
    let variants: Vec<_> = values
        .iter()
        .map(|v| {
            (
                v.variant.clone(),
                v.value.clone(),
                docs::prose(&v.summary),
                v.deprecated.clone(),
            )
        })
        .collect();
    let mut parts = vec![calls::open_enum(&doc, &m.name, closed, &variants)];
    parts.extend(finality(&m.name, values));
    parts
}

/// `is_final()` for an enum whose spec marks end states; nothing for the others.
fn finality(name: &str, values: &[EnumValue]) -> Option<Part> {
    let finals: Vec<_> = values
        .iter()
        .filter(|v| v.is_final)
        .map(|v| ident(&v.variant))
        .collect();
    if finals.is_empty() {
        return None;
    }
    let ty = ident(name);
    Some(Part::Rust(quote! {
        #[allow(deprecated)]
        impl #ty {
            /// Whether this is an end state, after which the value no longer changes. A
            /// value the spec does not list (`Unknown`) is not taken as final.
            pub fn is_final(&self) -> bool {
                matches!(self, #(Self::#finals)|*)
            }
        }
    }))
}

//! Static schema tables (see `alipay-api/src/schema.rs` for the descriptor types).

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{ident, value_ty};
use crate::ir::{
    Delivery, EnumValue, Field, Ir, Method, Model, Notification, OneOf, OneOfRule, Placement,
    Range, Ty,
};

fn opt_usize(v: Option<usize>) -> TokenStream {
    match v {
        Some(n) => quote!(Some(#n)),
        None => quote!(None),
    }
}

/// The path of a model's schema static.
fn model_schema_path(ir: &Ir, name: &str) -> TokenStream {
    let module = ir.model(name).map(|m| m.module.clone()).unwrap_or_default();
    let m = ident(&module);
    quote!(crate::generated::models::#m::SCHEMA)
}

fn ty(ir: &Ir, t: &Ty) -> TokenStream {
    match t {
        Ty::String => quote!(crate::schema::TypeSchema::String),
        Ty::Integer => quote!(crate::schema::TypeSchema::Integer),
        Ty::Boolean => quote!(crate::schema::TypeSchema::Boolean),
        Ty::Amount => quote!(crate::schema::TypeSchema::Amount),
        Ty::DateTime => quote!(crate::schema::TypeSchema::DateTime),
        Ty::Date => quote!(crate::schema::TypeSchema::Date),
        Ty::File => quote!(crate::schema::TypeSchema::File),
        Ty::Object(n) => {
            let p = model_schema_path(ir, n);
            quote!(crate::schema::TypeSchema::Object(&#p))
        }
        Ty::Enum(n) => {
            let p = model_schema_path(ir, n);
            quote!(crate::schema::TypeSchema::Enum(&#p))
        }
        Ty::List(i) => {
            let i = ty(ir, i);
            quote!(crate::schema::TypeSchema::List(&#i))
        }
        Ty::Json(i) => {
            let i = ty(ir, i);
            quote!(crate::schema::TypeSchema::Json(&#i))
        }
    }
}

fn opt_i64(v: Option<i64>) -> TokenStream {
    match v {
        Some(n) => quote!(Some(#n)),
        None => quote!(None),
    }
}

/// `FieldSchema::new(..)` followed by one const builder call per constraint.
fn field(ir: &Ir, f: &Field) -> TokenStream {
    let name = &f.wire;
    let t = ty(ir, &f.ty);
    let summary = &f.summary;
    let mut calls = TokenStream::new();
    match f.placement {
        Placement::Biz => {}
        Placement::Text => calls.extend(quote!(.placed(crate::request::Placement::Text))),
        Placement::File => calls.extend(quote!(.placed(crate::request::Placement::File))),
    }
    if f.required {
        calls.extend(quote!(.required()));
    }
    if f.min_length.is_some() || f.max_length.is_some() {
        let (lo, hi) = (opt_usize(f.min_length), opt_usize(f.max_length));
        calls.extend(quote!(.length(#lo, #hi)));
    }
    match f.range {
        None => {}
        Some(Range::Int { min, max }) => {
            let (lo, hi) = (opt_i64(min), opt_i64(max));
            calls.extend(quote!(.int_range(#lo, #hi)));
        }
        Some(Range::Amount { min, max }) => {
            let (lo, hi) = (opt_i64(min), opt_i64(max));
            calls.extend(quote!(.amount_range(#lo, #hi)));
        }
    }
    if let Some(n) = f.max_items {
        calls.extend(quote!(.max_items(#n)));
    }
    if let Some(d) = &f.default {
        let d = d.wire_text();
        calls.extend(quote!(.default_value(#d)));
    }
    if let Some(x) = &f.fixed {
        let x = x.wire_text();
        calls.extend(quote!(.fixed_value(#x)));
    }
    if f.clearable {
        calls.extend(quote!(.clearable()));
    }
    if let Some(d) = &f.deprecated {
        calls.extend(quote!(.deprecated(#d)));
    }
    if let Some(e) = &f.example {
        calls.extend(quote!(.example(#e)));
    }
    quote!(crate::schema::FieldSchema::new(#name, #t, #summary) #calls)
}

fn fields(ir: &Ir, fs: &[Field]) -> TokenStream {
    let items = fs.iter().map(|f| field(ir, f));
    quote!(&[#(#items),*])
}

fn one_of(gs: &[OneOf]) -> TokenStream {
    let items = gs.iter().map(|g| {
        let names = &g.fields;
        let rule = match g.rule {
            OneOfRule::AtLeastOne => quote!(crate::validation::OneOfRule::AtLeastOne),
            OneOfRule::ExactlyOne => quote!(crate::validation::OneOfRule::ExactlyOne),
        };
        quote!(crate::schema::OneOfSchema { fields: &[#(#names),*], rule: #rule })
    });
    quote!(&[#(#items),*])
}

/// The `SCHEMA` static of a method.
pub fn method(ir: &Ir, m: &Method) -> TokenStream {
    let t = ident(&m.type_name);
    let title = &m.title;
    let summary = &m.summary;
    let params = fields(ir, &m.params);
    let oneof = one_of(&m.one_of);
    let response = fields(ir, &m.response);
    quote! {
        pub(crate) static SCHEMA: crate::schema::MethodSchema = crate::schema::MethodSchema {
            meta: <#t as crate::request::AlipayRequest>::META,
            title: #title,
            summary: #summary,
            params: #params,
            one_of: #oneof,
            response: #response,
        };
    }
}

/// A model no method or notification uses has nobody reading its schema.
fn unused_allow(m: &Model) -> TokenStream {
    if m.groups.is_empty() {
        quote!(#[allow(dead_code)])
    } else {
        quote!()
    }
}

/// The `SCHEMA` static of an object model.
pub fn model(ir: &Ir, m: &Model, fs: &[Field], gs: &[OneOf]) -> TokenStream {
    let name = &m.name;
    let summary = &m.summary;
    let fields = fields(ir, fs);
    let oneof = one_of(gs);
    let allow = unused_allow(m);
    quote! {
        #allow
        pub(crate) static SCHEMA: crate::schema::ModelSchema = crate::schema::ModelSchema {
            name: #name,
            summary: #summary,
            fields: #fields,
            one_of: #oneof,
        };
    }
}

/// The `SCHEMA` static of an enum model.
pub fn enumeration(m: &Model, values: &[EnumValue]) -> TokenStream {
    let name = &m.name;
    let summary = &m.summary;
    let t = value_ty(&Ty::Enum(m.name.clone()));
    let sums = values.iter().map(|v| &v.summary);
    let allow = unused_allow(m);
    quote! {
        #allow
        pub(crate) static SCHEMA: crate::schema::EnumSchema = crate::schema::EnumSchema {
            name: #name,
            summary: #summary,
            values: <#t as crate::types::OpenEnum>::KNOWN,
            value_summaries: &[#(#sums),*],
        };
    }
}

/// The `SCHEMA` static of a notification.
pub fn notification(ir: &Ir, n: &Notification) -> TokenStream {
    let name = &n.name;
    let title = &n.title;
    let summary = &n.summary;
    let group = &n.group;
    let delivery = match &n.delivery {
        Delivery::Form(t) => quote!(crate::schema::Delivery::Form { notify_type: #t }),
        Delivery::Message(m) => quote!(crate::schema::Delivery::Message { msg_method: #m }),
    };
    let fields = fields(ir, &n.fields);
    let doc_url = n.docs.clone().unwrap_or_default();
    quote! {
        pub(crate) static SCHEMA: crate::schema::NotificationSchema = crate::schema::NotificationSchema {
            name: #name,
            title: #title,
            summary: #summary,
            group: #group,
            delivery: #delivery,
            fields: #fields,
            doc_url: #doc_url,
        };
    }
}

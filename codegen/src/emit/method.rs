//! One method's file: the request type, its response type, and the method's schema.

use proc_macro2::TokenStream;
use quote::quote;

use super::calls::{self, Part};
use super::docs::{self, FieldDocKind};
use super::schema;
use super::types::{field_ty, ident, serde_attrs, setter, wire_entry, Side};
use crate::ir::{Ir, Kind, Method, Placement, Rules};

pub fn file(ir: &Ir, m: &Method) -> Vec<Part> {
    let refs = schema::refs_models(&m.params.iter().chain(&m.response).collect::<Vec<_>>());
    let mut parts = vec![Part::Rust(schema::prelude(refs))];
    parts.extend(request(ir, m));
    parts.extend(response(ir, m));
    parts.push(Part::Rust(tables(ir, m)));
    parts
}

fn request(ir: &Ir, m: &Method) -> Vec<Part> {
    let ty = ident(&m.type_name);
    let mut doc = format!(
        "{}\n\n**{}** ({})\n",
        docs::prose(&m.summary),
        docs::prose(&m.title),
        docs::code(&m.wire)
    );
    if let Some(d) = &m.description {
        doc.push_str(&format!("\n{}\n", docs::prose(d)));
    }
    doc.push('\n');
    doc.push_str(&docs::method_facts(m));
    doc.push_str(&format!(
        "\nSet the parameters with the chainable setters, then [`build`]({}::build) checks them all at once and returns the request to send; the response is [`{}`].\n",
        m.type_name, m.response_name
    ));
    if let Some(ex) = docs::method_example(ir, m) {
        doc.push('\n');
        doc.push_str(&ex);
    }
    let doc = docs::outer(&doc);
    // Fixed params have no field: the runtime fills them in from the schema.
    let fields = m.params.iter().filter(|f| f.fixed.is_none()).map(|f| {
        let d = docs::outer(&docs::field(ir, f, &m.rules, FieldDocKind::Input));
        let (name, t, attrs) = (ident(&f.ident), field_ty(f, Side::Request), serde_attrs(f));
        quote!(#d #attrs pub #name: #t,)
    });
    let setters: Vec<String> = m.params.iter().flat_map(setter).collect();
    let common: Vec<String> = m
        .common_params
        .iter()
        .map(|c| c.wire_name().to_owned())
        .collect();
    let files: Vec<String> = m
        .params
        .iter()
        .filter(|f| f.placement == Placement::File)
        .map(wire_entry)
        .collect();
    let kind = match m.kind {
        Kind::Server => "server",
        Kind::Page => "page",
        Kind::App => "app",
        Kind::Upload => "upload",
    };
    let item = quote! {
        #doc
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
        #[non_exhaustive]
        pub struct #ty {
            #(#fields)*
            #[serde(skip)]
            common: crate::request::CommonParams,
            #[serde(flatten)]
            extra: serde_json::Map<String, serde_json::Value>,
        }
    };
    let (name, resp) = (m.type_name.as_str(), m.response_name.as_str());
    vec![
        Part::Rust(item),
        calls::setters(name, false, setters),
        calls::request(name, resp, kind, &common, &files),
    ]
}

fn response(ir: &Ir, m: &Method) -> Vec<Part> {
    let ty = ident(&m.response_name);
    let doc = format!(
        "What [`{}`] returns: the `{}` node.\n\nEvery field is optional, because Alipay may leave any of them out; fields the spec does not describe are kept in `extra`. `code`, `msg`, `sub_code` and `sub_msg` are checked by the client before this type is read.\n\n{}",
        m.type_name,
        m.response_key,
        docs::method_facts(m)
    );
    output_struct(ir, &ty, &doc, &m.response)
}

/// A struct read from Alipay's JSON: a response or a notification.
pub fn output_struct(
    ir: &Ir,
    ty: &proc_macro2::Ident,
    doc: &str,
    fields: &[crate::ir::Field],
) -> Vec<Part> {
    let doc = docs::outer(doc);
    let none = Rules::default();
    let decls = fields.iter().map(|f| {
        let d = docs::outer(&docs::field(ir, f, &none, FieldDocKind::Output));
        let (name, t, attrs) = (ident(&f.ident), field_ty(f, Side::Response), serde_attrs(f));
        quote!(#d #attrs pub #name: #t,)
    });
    let entries: Vec<String> = fields.iter().map(wire_entry).collect();
    let extra = "Fields Alipay sent that the spec does not describe, kept as received.";
    let item = data_struct(doc, ty, decls, extra);
    vec![
        Part::Rust(item),
        calls::wire_struct(&ty.to_string(), &entries),
    ]
}

/// A public data struct: documented fields plus the `extra` map of unknown ones.
pub fn data_struct(
    doc: TokenStream,
    ty: &proc_macro2::Ident,
    decls: impl Iterator<Item = TokenStream>,
    extra_doc: &str,
) -> TokenStream {
    let extra_doc = docs::outer(extra_doc);
    quote! {
        #doc
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
        #[non_exhaustive]
        pub struct #ty {
            #(#decls)*
            #extra_doc
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }
    }
}

fn meta(m: &Method) -> TokenStream {
    let (wire, key, version, family) = (&m.wire, &m.response_key, &m.version, &m.family);
    let kind = ident(match m.kind {
        Kind::Server => "Server",
        Kind::Page => "PageRedirect",
        Kind::App => "AppOrderString",
        Kind::Upload => "Upload",
    });
    let mut s = quote! {
        crate::request::MethodMeta::new(#wire, #key, crate::request::CallKind::#kind, #family)
    };
    if version != "1.0" {
        s.extend(quote!(.version(#version)));
    }
    if let Some(d) = &m.docs {
        s.extend(quote!(.doc_url(#d)));
    }
    if m.encryptable {
        s.extend(quote!(.encryptable()));
    }
    if !m.common_params.is_empty() {
        let cs = m.common_params.iter().map(|c| {
            let v = ident(match c {
                crate::spec::CommonParamSpec::NotifyUrl => "NotifyUrl",
                crate::spec::CommonParamSpec::ReturnUrl => "ReturnUrl",
                crate::spec::CommonParamSpec::AppAuthToken => "AppAuthToken",
                crate::spec::CommonParamSpec::AuthToken => "AuthToken",
            });
            quote!(crate::request::CommonParam::#v)
        });
        s.extend(quote!(.common_params(&[#(#cs),*])));
    }
    if !m.success_codes.is_empty() {
        let c = &m.success_codes;
        s.extend(quote!(.success_codes(&[#(#c),*])));
    }
    if !m.success_sub_codes.is_empty() {
        let c = &m.success_sub_codes;
        s.extend(quote!(.success_sub_codes(&[#(#c),*])));
    }
    if !m.fixed_params.is_empty() {
        let pairs = m.fixed_params.iter().map(|(k, v)| quote!((#k, #v)));
        s.extend(quote!(.fixed_params(&[#(#pairs),*])));
    }
    if let Some((method, path)) = &m.v3 {
        s.extend(quote!(.v3(#method, #path)));
    }
    s
}

fn tables(ir: &Ir, m: &Method) -> TokenStream {
    let meta = meta(m);
    let (title, summary) = (&m.title, &m.summary);
    let params = schema::fields(ir, &m.params);
    let rules = schema::rules(&m.rules);
    let response = schema::fields(ir, &m.response);
    quote! {
        const META: crate::request::MethodMeta = #meta;
        pub(crate) static SCHEMA: crate::schema::MethodSchema = crate::schema::MethodSchema {
            meta: &META,
            title: #title,
            summary: #summary,
            params: #params,
            rules: #rules,
            response: #response,
        };
    }
}

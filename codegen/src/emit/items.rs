//! Token streams for methods, models, enums and notifications.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{self, FieldDocKind};
use super::rust::{
    arg_ty, back, back_fn, check_field, const_json, const_value, conv, field_needs_checker,
    field_slot_ty, field_value_ty, ident, serde_attrs, value_ty,
};
use super::schema;
use crate::ir::{
    Delivery, EnumValue, Field, Ir, Kind, Method, Model, ModelKind, Notification, OneOf, OneOfRule,
    Placement, Ty,
};
use crate::spec::CommonParamSpec;

fn rule_tokens(r: OneOfRule) -> TokenStream {
    match r {
        OneOfRule::AtLeastOne => quote!(crate::__private::OneOfRule::AtLeastOne),
        OneOfRule::ExactlyOne => quote!(crate::__private::OneOfRule::ExactlyOne),
    }
}

fn deprecated_attr(f: &Field) -> TokenStream {
    match &f.deprecated {
        None => quote!(),
        Some(n) if n.is_empty() => quote!(#[deprecated(note = "deprecated by Alipay")]),
        Some(n) => quote!(#[deprecated(note = #n)]),
    }
}

/// Setters for settable fields (no setter for `fixed` ones).
fn setters(ir: &Ir, fields: &[Field], one_of: &[OneOf], kind: FieldDocKind) -> TokenStream {
    let mut out = TokenStream::new();
    for f in fields.iter().filter(|f| f.fixed.is_none()) {
        let name = ident(&f.ident);
        let arg = arg_ty(&f.ty);
        let v = conv(&f.ty, &quote!(value));
        let doc = docs::outer(&docs::field(ir, f, one_of, kind));
        let dep = deprecated_attr(f);
        let store = if f.clearable {
            quote!(crate::types::Clearable::Set(#v))
        } else {
            v
        };
        out.extend(quote! {
            #doc
            #dep
            pub fn #name(mut self, value: #arg) -> Self {
                self.#name = Some(#store);
                self
            }
        });
        if f.clearable {
            let clear = format_ident!("clear_{}", f.ident);
            let d = docs::outer(&format!(
                "Erases the stored {} by sending `#EMPTY#`.",
                docs::code(&f.wire)
            ));
            out.extend(quote! {
                #d
                pub fn #clear(mut self) -> Self {
                    self.#name = Some(crate::types::Clearable::Clear);
                    self
                }
            });
        }
    }
    out
}

/// Statements that check every field and bind `<ident>` to its checked value
/// (`Option<value>`), then check the one-of groups. Expects `self` and `c`.
fn check_stmts(ir: &Ir, fields: &[Field], one_of: &[OneOf]) -> TokenStream {
    let mut out = TokenStream::new();
    for (i, g) in one_of.iter().enumerate() {
        let var = format_ident!("one_of_{}", i);
        let present = g
            .fields
            .iter()
            .filter_map(|w| fields.iter().find(|f| &f.wire == w))
            .map(|f| {
                if f.fixed.is_some() {
                    quote!(true)
                } else {
                    let n = ident(&f.ident);
                    quote!(self.#n.is_some())
                }
            });
        out.extend(quote!(let #var = [#(#present),*];));
    }
    for f in fields.iter().filter(|f| f.fixed.is_none()) {
        let n = ident(&f.ident);
        let local = local(f);
        let w = &f.wire;
        let chk = check_field(f, &quote!(#w));
        let slot = if f.required && f.default.is_none() {
            quote!(c.required(#w, self.#n))
        } else {
            quote!(self.#n)
        };
        let none = match &f.default {
            Some(d) => {
                let v = const_value(ir, &f.ty, d);
                if f.clearable {
                    quote!(Some(crate::types::Clearable::Set(#v)))
                } else {
                    quote!(Some(#v))
                }
            }
            None => quote!(None),
        };
        let stmt = match (chk, &f.default) {
            (None, None) => quote!(let #local = #slot;),
            (Some(chk), None) => quote! {
                let #local = match #slot {
                    Some(v) => #chk,
                    None => None,
                };
            },
            (chk, Some(_)) => {
                let chk = chk.unwrap_or_else(|| quote!(Some(v)));
                quote! {
                    let #local = match #slot {
                        Some(v) => #chk,
                        None => #none,
                    };
                }
            }
        };
        out.extend(stmt);
    }
    for (i, g) in one_of.iter().enumerate() {
        let var = format_ident!("one_of_{}", i);
        let names = &g.fields;
        let rule = rule_tokens(g.rule);
        out.extend(quote!(c.one_of(&[#(#names),*], &#var, #rule);));
    }
    out
}

/// `c`, or `_c` when no check needs the checker (keeps generated code warning-free).
fn checker_param(fields: &[Field], one_of: &[OneOf]) -> proc_macro2::Ident {
    if one_of.is_empty() && !fields.iter().any(field_needs_checker) {
        ident("_c")
    } else {
        ident("c")
    }
}

/// The local holding a field's checked value; prefixed so that a field named like a
/// local of the generated code (`c`, `v`) cannot shadow it.
fn local(f: &Field) -> proc_macro2::Ident {
    format_ident!("f_{}", f.ident)
}

fn builder_fields(fields: &[Field]) -> TokenStream {
    let fs = fields.iter().filter(|f| f.fixed.is_none()).map(|f| {
        let n = ident(&f.ident);
        let t = field_slot_ty(f);
        quote!(#n: #t,)
    });
    quote!(#(#fs)*)
}

fn getter_ret(f: &Field, always: bool) -> (TokenStream, TokenStream) {
    let n = ident(&f.ident);
    let copy = matches!(
        f.ty,
        Ty::Integer | Ty::Boolean | Ty::Amount | Ty::DateTime | Ty::Date
    );
    if f.clearable {
        let t = field_value_ty(f);
        return if always {
            (quote!(&#t), quote!(&self.#n))
        } else {
            (quote!(Option<&#t>), quote!(self.#n.as_ref()))
        };
    }
    match (&f.ty, always) {
        (Ty::String, true) => (quote!(&str), quote!(&self.#n)),
        (Ty::String, false) => (quote!(Option<&str>), quote!(self.#n.as_deref())),
        (Ty::List(t), true) => {
            let t = value_ty(t);
            (quote!(&[#t]), quote!(&self.#n))
        }
        (Ty::List(t), false) => {
            let t = value_ty(t);
            (quote!(Option<&[#t]>), quote!(self.#n.as_deref()))
        }
        (_, true) if copy => (value_ty(&f.ty), quote!(self.#n)),
        (_, false) if copy => {
            let t = value_ty(&f.ty);
            (quote!(Option<#t>), quote!(self.#n))
        }
        (_, true) => {
            let t = value_ty(&f.ty);
            (quote!(&#t), quote!(&self.#n))
        }
        (_, false) => {
            let t = value_ty(&f.ty);
            (quote!(Option<&#t>), quote!(self.#n.as_ref()))
        }
    }
}

/// A method file: request, builder, response, `AlipayRequest` impl and schema.
pub fn method(ir: &Ir, m: &Method) -> TokenStream {
    let ty = ident(&m.type_name);
    let builder = ident(&m.builder_name);
    let resp = ident(&m.response_name);
    let wire = &m.wire;
    let settable: Vec<&Field> = m.params.iter().filter(|f| f.fixed.is_none()).collect();
    let commons: Vec<CommonParamSpec> = m.common_params.clone();

    // Request struct.
    let title = docs::prose(&m.title);
    let mut doc = format!(
        "{}\n\n**{title}** ({})\n",
        docs::prose(&m.summary),
        docs::code(wire)
    );
    if let Some(d) = &m.description {
        doc.push_str(&format!("\n{}\n", docs::prose(d)));
    }
    doc.push('\n');
    doc.push_str(&docs::method_facts(m));
    doc.push_str(&format!(
        "\nBuild it with [`{t}::builder()`]({t}::builder), which checks every constraint of the spec at once; the typed response is [`{r}`].",
        t = m.type_name,
        r = m.response_name
    ));
    if let Some(example) = docs::method_example(ir, m) {
        doc.push_str("\n\n");
        doc.push_str(&example);
    }
    let doc = docs::outer(&doc);
    let req_fields = settable.iter().map(|f| {
        let n = ident(&f.ident);
        let t = field_value_ty(f);
        if f.always_set() {
            quote!(#n: #t,)
        } else {
            quote!(#n: Option<#t>,)
        }
    });
    let common_fields = commons.iter().map(|c| {
        let n = ident(c.wire_name());
        quote!(#n: Option<String>,)
    });
    let getters = settable.iter().map(|f| {
        let n = ident(&f.ident);
        let (ret, body) = getter_ret(f, f.always_set());
        let d = docs::outer(&format!(
            "{} ({}).",
            docs::prose(&f.summary).trim_end_matches('.'),
            docs::code(&f.wire)
        ));
        let dep = deprecated_attr(f);
        quote! { #d #dep pub fn #n(&self) -> #ret { #body } }
    });
    let common_getters = commons.iter().map(|c| {
        let n = ident(c.wire_name());
        let d = docs::outer(&format!(
            "The {} common parameter, if set.",
            docs::code(c.wire_name())
        ));
        quote! { #d pub fn #n(&self) -> Option<&str> { self.#n.as_deref() } }
    });

    // Builder.
    let bdoc = docs::outer(&format!(
        "Builder of [`{t}`]: one setter per parameter, then [`build`]({b}::build) checks them all.\n\n{}",
        docs::method_facts(m),
        t = m.type_name,
        b = m.builder_name
    ));
    let bfields = builder_fields(&m.params);
    let bcommon = commons.iter().map(|c| {
        let n = ident(c.wire_name());
        quote!(#n: Option<String>,)
    });
    let bsetters = setters(ir, &m.params, &m.one_of, FieldDocKind::Setter);
    let common_setters = commons.iter().map(|c| {
        let n = ident(c.wire_name());
        let text = match c {
            CommonParamSpec::NotifyUrl => {
                "Where Alipay posts asynchronous notifications about this request (`notify_url`)."
            }
            CommonParamSpec::ReturnUrl => {
                "Where the buyer's browser is sent back after the page flow (`return_url`)."
            }
            CommonParamSpec::AppAuthToken => {
                "Acts for a merchant that authorised this app (`app_auth_token`, ISV mode)."
            }
            CommonParamSpec::AuthToken => {
                "Acts for a user that authorised this app (`auth_token`)."
            }
        };
        let d = docs::outer(text);
        quote! {
            #d
            pub fn #n(mut self, value: impl Into<String>) -> Self {
                self.#n = Some(Into::into(value));
                self
            }
        }
    });
    let checks = check_stmts(ir, &m.params, &m.one_of);
    let cparam = checker_param(&m.params, &m.one_of);
    let assemble = settable.iter().map(|f| {
        let n = ident(&f.ident);
        let l = local(f);
        if f.always_set() {
            quote!(#n: #l?,)
        } else {
            quote!(#n: #l,)
        }
    });
    let assemble_common = commons.iter().map(|c| {
        let n = ident(c.wire_name());
        quote!(#n: self.#n,)
    });

    // Payload.
    let biz_fields: Vec<&Field> = m
        .params
        .iter()
        .filter(|f| f.placement == Placement::Biz)
        .collect();
    let biz = if biz_fields.is_empty() {
        quote!(None)
    } else {
        let puts = biz_fields.iter().map(|f| {
            let w = &f.wire;
            if let Some(x) = &f.fixed {
                let j = const_json(x);
                quote!(biz.insert(#w, #j);)
            } else {
                let n = ident(&f.ident);
                if f.always_set() {
                    quote!(crate::__private::put(&mut biz, #w, &self.#n);)
                } else {
                    quote!(if let Some(v) = &self.#n { crate::__private::put(&mut biz, #w, v); })
                }
            }
        });
        quote!({
            let mut biz = ::std::collections::BTreeMap::<&'static str, ::serde_json::Value>::new();
            #(#puts)*
            Some(crate::__private::biz_json(&biz))
        })
    };
    let texts = m.params.iter().filter(|f| f.placement == Placement::Text).map(|f| {
        let w = &f.wire;
        if let Some(x) = &f.fixed {
            let t = x.wire_text();
            quote!(text.push((#w, String::from(#t)));)
        } else {
            let n = ident(&f.ident);
            if f.always_set() {
                quote!(if let Some(v) = crate::__private::text(&self.#n) { text.push((#w, v)); })
            } else {
                quote!(if let Some(v) = self.#n.as_ref().and_then(crate::__private::text) { text.push((#w, v)); })
            }
        }
    });
    let files = m
        .params
        .iter()
        .filter(|f| f.placement == Placement::File)
        .map(|f| {
            let w = &f.wire;
            let n = ident(&f.ident);
            if f.always_set() {
                quote!((#w, Some(&self.#n)))
            } else {
                quote!((#w, self.#n.as_ref()))
            }
        });
    let protocol = commons.iter().map(|c| {
        let n = ident(c.wire_name());
        let w = c.wire_name();
        quote!(if let Some(v) = &self.#n { protocol.push((#w, v.clone())); })
    });
    let has_text = m.params.iter().any(|f| f.placement == Placement::Text);
    let has_files = m.params.iter().any(|f| f.placement == Placement::File);
    let text_decl = if has_text {
        quote!(let mut text = Vec::new();)
    } else {
        quote!(let text = Vec::new();)
    };
    let files_decl = if has_files {
        quote! {
            let files = [#(#files),*]
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k, v.clone())))
                .collect();
        }
    } else {
        quote!(let files = Vec::new();)
    };

    let meta = meta_tokens(m);
    let marker = match m.kind {
        Kind::Server | Kind::Upload => quote!(crate::request::ServerCall),
        Kind::Page => quote!(crate::request::PageCall),
        Kind::App => quote!(crate::request::AppCall),
    };

    // Response.
    let rdoc = docs::outer(&format!(
        "What [`{t}`] returns: the content of the {} node.\n\nEvery field is optional, because Alipay may leave any of them out; fields the spec does not know are kept in `extra`. `code`, `msg`, `sub_code` and `sub_msg` are handled by the client before this type is parsed.\n\n- Requires the cargo feature {}.",
        docs::code(&m.response_key),
        docs::code(&m.group),
        t = m.type_name
    ));
    let rfields = output_fields(ir, &m.response);
    let schema = schema::method(ir, m);
    let ctor = quote!(crate::__private::Checker::new());

    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct #ty {
            #(#req_fields)*
            #(#common_fields)*
        }

        impl #ty {
            /// An empty builder; see the setters for every parameter.
            pub fn builder() -> #builder {
                #builder::default()
            }
            #(#getters)*
            #(#common_getters)*
        }

        #bdoc
        #[derive(Debug, Clone, Default)]
        pub struct #builder {
            #bfields
            #(#bcommon)*
        }

        impl #builder {
            #bsetters
            #(#common_setters)*

            /// Checks every parameter against the spec and returns the request, or every
            /// violation found (by wire name) if there is any.
            pub fn build(self) -> Result<#ty, crate::validation::ValidationError> {
                let mut c = #ctor;
                match self.check(&mut c) {
                    Some(v) if c.is_clean() => Ok(v),
                    _ => Err(c.into_error(#wire)),
                }
            }

            #[doc(hidden)]
            pub fn check(self, #cparam: &mut crate::__private::Checker) -> Option<#ty> {
                #checks
                Some(#ty {
                    #(#assemble)*
                    #(#assemble_common)*
                })
            }
        }

        impl crate::request::AlipayRequest for #ty {
            type Response = #resp;
            const META: &'static crate::request::MethodMeta = &#meta;

            fn payload(&self) -> crate::request::Payload {
                let mut protocol = Vec::new();
                #(#protocol)*
                for (k, v) in <Self as crate::request::AlipayRequest>::META.fixed_params {
                    protocol.push((*k, String::from(*v)));
                }
                #text_decl
                #(#texts)*
                #files_decl
                crate::request::Payload {
                    protocol,
                    biz_content: #biz,
                    text,
                    files,
                }
            }
        }

        impl #marker for #ty {}

        #rdoc
        #[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize, ::serde::Deserialize)]
        #[non_exhaustive]
        pub struct #resp {
            #rfields
        }

        #schema
    }
}

fn meta_tokens(m: &Method) -> TokenStream {
    let method = &m.wire;
    let version = &m.version;
    let kind = match m.kind {
        Kind::Server => quote!(crate::request::CallKind::Server),
        Kind::Page => quote!(crate::request::CallKind::PageRedirect),
        Kind::App => quote!(crate::request::CallKind::AppOrderString),
        Kind::Upload => quote!(crate::request::CallKind::Upload),
    };
    let key = &m.response_key;
    let subs = &m.success_sub_codes;
    let codes = &m.success_codes;
    let enc = m.encryptable;
    let commons = m.common_params.iter().map(|c| match c {
        CommonParamSpec::NotifyUrl => quote!(crate::request::CommonParam::NotifyUrl),
        CommonParamSpec::ReturnUrl => quote!(crate::request::CommonParam::ReturnUrl),
        CommonParamSpec::AppAuthToken => quote!(crate::request::CommonParam::AppAuthToken),
        CommonParamSpec::AuthToken => quote!(crate::request::CommonParam::AuthToken),
    });
    let fixed = m.fixed_params.iter().map(|(k, v)| quote!((#k, #v)));
    let v3 = match &m.v3 {
        Some((hm, path)) => quote!(Some(crate::request::V3Route { http_method: #hm, path: #path })),
        None => quote!(None),
    };
    let group = &m.group;
    let doc_url = m.docs.clone().unwrap_or_default();
    quote!(crate::request::MethodMeta {
        method: #method,
        version: #version,
        kind: #kind,
        response_key: #key,
        extra_success_codes: &[#(#subs),*],
        extra_success_result_codes: &[#(#codes),*],
        encryptable: #enc,
        common_params: &[#(#commons),*],
        fixed_params: &[#(#fixed),*],
        v3: #v3,
        group: #group,
        doc_url: #doc_url,
    })
}

/// Public optional fields with serde attributes, plus `extra`.
fn output_fields(ir: &Ir, fields: &[Field]) -> TokenStream {
    let fs = fields.iter().map(|f| {
        let n = ident(&f.ident);
        let t = field_value_ty(f);
        let d = docs::outer(&docs::field(ir, f, &[], FieldDocKind::Output));
        let attrs = serde_attrs(f);
        quote! {
            #d
            #attrs
            pub #n: Option<#t>,
        }
    });
    quote! {
        #(#fs)*
        /// Fields Alipay sent that the spec does not describe, kept as received.
        #[serde(flatten)]
        pub extra: ::serde_json::Map<String, ::serde_json::Value>,
    }
}

/// A model file: an object with its builder, or an open enum.
pub fn model(ir: &Ir, m: &Model) -> TokenStream {
    match &m.kind {
        ModelKind::Object { fields, one_of } => object(ir, m, fields, one_of),
        ModelKind::Enum { values } => enumeration(m, values),
    }
}

fn model_doc(m: &Model) -> String {
    let mut doc = docs::prose(&m.summary);
    if let Some(t) = &m.title {
        doc.push_str(&format!("\n\n**{}**", docs::prose(t)));
    }
    if let Some(d) = &m.description {
        doc.push_str(&format!("\n\n{}", docs::prose(d)));
    }
    doc.push_str(&format!("\n\nSpec model {}.", docs::code(&m.name)));
    if !m.groups.is_empty() {
        let gs: Vec<String> = m.groups.iter().map(|g| docs::code(g)).collect();
        doc.push_str(&format!(
            " Available with the cargo feature{} {}.",
            if gs.len() > 1 { "s" } else { "" },
            gs.join(" or ")
        ));
    }
    doc
}

fn object(ir: &Ir, m: &Model, fields: &[Field], one_of: &[OneOf]) -> TokenStream {
    let ty = ident(&m.name);
    let builder = ident(&m.builder_name);
    let name = &m.name;
    let mut doc = model_doc(m);
    doc.push_str(&format!(
        "\n\nEvery field is optional because the same type describes responses, where Alipay may leave anything out. To send one, use [`{name}::builder()`]({name}::builder): its `build()` checks the spec's constraints, and request builders run those checks with the rest of the request."
    ));
    let doc = docs::outer(&doc);
    let fs = fields.iter().map(|f| {
        let n = ident(&f.ident);
        let t = field_value_ty(f);
        let d = docs::outer(&docs::field(ir, f, one_of, FieldDocKind::ModelField));
        let attrs = serde_attrs(f);
        quote! {
            #d
            #attrs
            pub #n: Option<#t>,
        }
    });
    let bdoc = docs::outer(&format!(
        "Builder of [`{name}`]. Pass it (or a built [`{name}`]) to any setter that takes a {}; its constraints are then checked as part of the outer `build()`, with the field's path in every message.",
        docs::code(name)
    ));
    let bfields = builder_fields(fields);
    let bsetters = setters(ir, fields, one_of, FieldDocKind::ModelField);
    let checks = check_stmts(ir, fields, one_of);
    let cparam = checker_param(fields, one_of);
    let assemble = fields.iter().map(|f| {
        let n = ident(&f.ident);
        match &f.fixed {
            Some(x) => {
                let v = const_value(ir, &f.ty, x);
                quote!(#n: Some(#v),)
            }
            None => {
                let l = local(f);
                quote!(#n: #l,)
            }
        }
    });
    let from = fields.iter().filter(|f| f.fixed.is_none()).map(|f| {
        let n = ident(&f.ident);
        if f.clearable && back_fn(&f.ty).is_some() {
            let b = back(&f.ty, &quote!(v));
            quote!(#n: m.#n.map(|v| match v {
                crate::types::Clearable::Set(v) => crate::types::Clearable::Set(#b),
                crate::types::Clearable::Clear => crate::types::Clearable::Clear,
            }),)
        } else {
            match back_fn(&f.ty) {
                Some(func) => quote!(#n: m.#n.map(#func),),
                None => quote!(#n: m.#n,),
            }
        }
    });
    let schema = schema::model(ir, m, fields, one_of);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize, ::serde::Deserialize)]
        #[non_exhaustive]
        pub struct #ty {
            #(#fs)*
            /// Fields the spec does not describe, kept as received and sent back unchanged.
            #[serde(flatten)]
            pub extra: ::serde_json::Map<String, ::serde_json::Value>,
        }

        impl #ty {
            /// An empty builder.
            pub fn builder() -> #builder {
                #builder::default()
            }
        }

        #bdoc
        #[derive(Debug, Clone, Default)]
        pub struct #builder {
            #bfields
            extra: ::serde_json::Map<String, ::serde_json::Value>,
        }

        impl #builder {
            #bsetters

            /// Adds a field the spec does not describe; it is sent as given.
            pub fn extra_field(mut self, name: impl Into<String>, value: impl Into<::serde_json::Value>) -> Self {
                self.extra.insert(Into::into(name), Into::into(value));
                self
            }

            /// Checks every field against the spec and returns the value, or every
            /// violation found.
            pub fn build(self) -> Result<#ty, crate::validation::ValidationError> {
                let mut c = crate::__private::Checker::new();
                match self.check(&mut c) {
                    Some(v) if c.is_clean() => Ok(v),
                    _ => Err(c.into_error(#name)),
                }
            }

            #[doc(hidden)]
            pub fn check(self, #cparam: &mut crate::__private::Checker) -> Option<#ty> {
                #checks
                Some(#ty {
                    #(#assemble)*
                    extra: self.extra,
                })
            }
        }

        impl From<#ty> for #builder {
            fn from(m: #ty) -> Self {
                #builder {
                    #(#from)*
                    extra: m.extra,
                }
            }
        }

        #schema
    }
}

fn enumeration(m: &Model, values: &[EnumValue]) -> TokenStream {
    let ty = ident(&m.name);
    let mut doc = model_doc(m);
    doc.push_str("\n\nOpen: a value Alipay adds later arrives as `Unknown` with the text unchanged and is sent back as received; request builders reject it because Alipay would.");
    let doc = docs::outer(&doc);
    let variants = values.iter().map(|v| {
        let n = ident(&v.variant);
        let mut text = format!("{} ({})", docs::prose(&v.summary), docs::code(&v.value));
        match v.deprecated.as_deref() {
            None => {}
            Some("") => text.push_str("\n\nDeprecated by Alipay."),
            Some(note) => text.push_str(&format!("\n\nDeprecated: {}", docs::prose(note))),
        }
        let d = docs::outer(&text);
        quote!(#d #n,)
    });
    let known = values.iter().map(|v| &v.value);
    let as_str = values.iter().map(|v| {
        let n = ident(&v.variant);
        let s = &v.value;
        quote!(#ty::#n => #s,)
    });
    let from_str = values.iter().map(|v| {
        let n = ident(&v.variant);
        let s = &v.value;
        quote!(#s => #ty::#n,)
    });
    let from_str2 = from_str.clone();
    let schema = schema::enumeration(m, values);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #ty {
            #(#variants)*
            /// A value the spec does not list, kept exactly as received.
            Unknown(String),
        }

        impl crate::types::OpenEnum for #ty {
            const KNOWN: &'static [&'static str] = &[#(#known),*];

            fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    #ty::Unknown(s) => s,
                }
            }

            fn is_known(&self) -> bool {
                !matches!(self, #ty::Unknown(_))
            }
        }

        impl From<&str> for #ty {
            fn from(s: &str) -> Self {
                match s {
                    #(#from_str)*
                    other => #ty::Unknown(String::from(other)),
                }
            }
        }

        impl From<String> for #ty {
            fn from(s: String) -> Self {
                match s.as_str() {
                    #(#from_str2)*
                    _ => #ty::Unknown(s),
                }
            }
        }

        impl ::std::str::FromStr for #ty {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(#ty::from(s))
            }
        }

        impl ::std::fmt::Display for #ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(crate::types::OpenEnum::as_str(self))
            }
        }

        impl ::serde::Serialize for #ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(crate::types::OpenEnum::as_str(self))
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                // Lenient like every other text field: a number or boolean is read as its text.
                crate::__private::lenient::string(d).map(|s| #ty::from(s.unwrap_or_default()))
            }
        }

        #schema
    }
}

/// A notification file.
pub fn notification(ir: &Ir, n: &Notification) -> TokenStream {
    let ty = ident(&n.name);
    let mut doc = format!(
        "{}\n\n**{}**\n",
        docs::prose(&n.summary),
        docs::prose(&n.title)
    );
    if let Some(d) = &n.description {
        doc.push_str(&format!("\n{}\n", docs::prose(d)));
    }
    let (konst, how) = match &n.delivery {
        Delivery::Form(t) => (
            quote! {
                /// The `notify_type` value that identifies this notification.
                pub const NOTIFY_TYPE: &'static str = #t;
            },
            format!("Alipay posts it to the `notify_url` as form fields with `notify_type` {}. [`Client::parse_notification`](crate::Client::parse_notification) verifies the signature and returns this type; every value arrives as text and is parsed into its typed field.", docs::code(t)),
        ),
        Delivery::Message(mm) => (
            quote! {
                /// The `msg_method` value that identifies this message.
                pub const MSG_METHOD: &'static str = #mm;
            },
            format!("Alipay delivers it as a message with `msg_method` {}; this type is the content of its `biz_content`. Verify the message with [`Client::verify_notification`](crate::Client::verify_notification) first, then deserialise its `biz_content` into this type.", docs::code(mm)),
        ),
    };
    doc.push_str(&format!(
        "\n{how}\n\n- Requires the cargo feature {}.\n",
        docs::code(&n.group)
    ));
    if let Some(d) = &n.docs {
        doc.push_str(&format!("- Alipay's documentation: <{d}>\n"));
    }
    let doc = docs::outer(&doc);
    let fields = output_fields(ir, &n.fields);
    let schema = schema::notification(ir, n);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize, ::serde::Deserialize)]
        #[non_exhaustive]
        pub struct #ty {
            #fields
        }

        impl #ty {
            #konst
        }

        #schema
    }
}

//! The `SCHEMA` tables: the spec's rules as static data for the runtime's validator.
//! Written with short aliases (`F`, `T`, `m`) so that one field is one line.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::ident;
use crate::ir::{format_fen, Const, Field, Ir, ModelKind, OneOfRule, Placement, Range, Rules, Ty};
use crate::naming;

/// The `use` lines a file with schema tables starts with.
pub fn prelude(refs_models: bool) -> TokenStream {
    let models = if refs_models {
        quote!(
            use crate::generated::models as m;
        )
    } else {
        quote!()
    };
    quote! {
        #[allow(unused_imports)]
        use crate::schema::{FieldSchema as F, TypeSchema as T};
        #models
    }
}

/// Whether any field's type names a model (then the file needs the `m` alias).
pub fn refs_models(fields: &[&Field]) -> bool {
    fields
        .iter()
        .any(|f| matches!(f.ty.base(), Ty::Object(_) | Ty::Enum(_)))
}

fn ty(ir: &Ir, t: &Ty) -> TokenStream {
    match t {
        Ty::String => quote!(T::String),
        Ty::Integer => quote!(T::Integer),
        Ty::Boolean => quote!(T::Boolean),
        Ty::Amount => quote!(T::Amount),
        Ty::DateTime => quote!(T::DateTime),
        Ty::Date => quote!(T::Date),
        Ty::File => quote!(T::File),
        Ty::Object(n) | Ty::Enum(n) => {
            let module = ident(&naming::type_module(n));
            let is_enum = matches!(ir.model(n).map(|m| &m.kind), Some(ModelKind::Enum { .. }));
            if is_enum {
                quote!(T::Enum(&m::#module::SCHEMA))
            } else {
                quote!(T::Object(&m::#module::SCHEMA))
            }
        }
        Ty::List(i) => {
            let i = ty(ir, i);
            quote!(T::List(&#i))
        }
        Ty::Json(i) => {
            let i = ty(ir, i);
            quote!(T::Json(&#i))
        }
    }
}

fn opt<T: quote::ToTokens>(v: Option<T>) -> TokenStream {
    match v {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

/// One `F::new(...)` chain.
pub fn field(ir: &Ir, f: &Field) -> TokenStream {
    let name = &f.wire;
    let t = ty(ir, &f.ty);
    let mut s = quote!(F::new(#name, #t));
    match f.placement {
        Placement::Biz => {}
        Placement::Text => s.extend(quote!(.text())),
        Placement::File => s.extend(quote!(.file())),
    }
    if f.required {
        s.extend(quote!(.req()));
    }
    if f.min_length.is_some() || f.max_length.is_some() {
        let (a, b) = (opt(f.min_length), opt(f.max_length));
        s.extend(quote!(.len(#a, #b)));
    }
    if let Some(p) = &f.pattern {
        s.extend(quote!(.pattern(#p)));
    }
    match f.range {
        Some(Range::Int { min, max }) => {
            let (a, b) = (opt(min), opt(max));
            s.extend(quote!(.int_range(#a, #b)));
        }
        Some(Range::Amount { min, max }) => {
            let (a, b) = (opt(min), opt(max));
            s.extend(quote!(.amount_range(#a, #b)));
        }
        None => {}
    }
    if let Some(n) = f.max_items {
        s.extend(quote!(.max_items(#n)));
    }
    if let Some(n) = f.max_bytes {
        s.extend(quote!(.max_bytes(#n)));
    }
    if f.closed {
        let vals = &f.values;
        s.extend(quote!(.allowed(&[#(#vals),*])));
    }
    if let Some(c) = &f.default {
        let t = wire(c);
        s.extend(quote!(.default_value(#t)));
    }
    if let Some(c) = &f.fixed {
        let t = wire(c);
        s.extend(quote!(.fixed_value(#t)));
    }
    if f.clearable {
        s.extend(quote!(.clearable()));
    }
    if let Some(d) = &f.deprecated {
        s.extend(quote!(.deprecated(#d)));
    }
    if let Some(e) = &f.example {
        s.extend(quote!(.example(#e)));
    }
    s
}

fn wire(c: &Const) -> String {
    match c {
        Const::Amount(fen) => format_fen(*fen),
        other => other.wire_text(),
    }
}

/// `&[F::new(..), ..]`.
pub fn fields(ir: &Ir, fs: &[Field]) -> TokenStream {
    let items = fs.iter().map(|f| field(ir, f));
    quote!(&[#(#items),*])
}

/// `crate::schema::RulesSchema::...`.
pub fn rules(r: &Rules) -> TokenStream {
    if r.is_empty() {
        return quote!(crate::schema::RulesSchema::NONE);
    }
    let one_of = r.one_of.iter().map(|g| {
        let names = &g.fields;
        let rule = match g.rule {
            OneOfRule::AtLeastOne => quote!(crate::validation::OneOfRule::AtLeastOne),
            OneOfRule::ExactlyOne => quote!(crate::validation::OneOfRule::ExactlyOne),
        };
        quote!(crate::schema::OneOfSchema::new(&[#(#names),*], #rule))
    });
    let when = r.required_when.iter().map(|w| {
        let (field, cond, eq) = (&w.field, &w.when, &w.equals);
        quote!(crate::schema::RequiredWhenSchema::new(#field, #cond, &[#(#eq),*]))
    });
    quote!(crate::schema::RulesSchema::new(&[#(#one_of),*], &[#(#when),*]))
}

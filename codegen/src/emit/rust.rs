//! Type and expression tokens shared by every generated item.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{Const, Field, Ir, Range, Ty};

/// An identifier token.
pub fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// The model type path.
pub fn model_path(name: &str) -> TokenStream {
    let n = ident(name);
    quote!(crate::models::#n)
}

/// The builder type path of an object model.
pub fn builder_path(name: &str) -> TokenStream {
    let n = format_ident!("{}Builder", name);
    quote!(crate::models::#n)
}

/// The Rust type of a value of `ty`.
pub fn value_ty(ty: &Ty) -> TokenStream {
    match ty {
        Ty::String => quote!(String),
        Ty::Integer => quote!(i64),
        Ty::Boolean => quote!(bool),
        Ty::Amount => quote!(crate::types::Amount),
        Ty::DateTime => quote!(crate::types::BeijingDateTime),
        Ty::Date => quote!(crate::types::NaiveDate),
        Ty::File => quote!(crate::request::FileUpload),
        Ty::Object(n) | Ty::Enum(n) => model_path(n),
        Ty::List(t) => {
            let t = value_ty(t);
            quote!(Vec<#t>)
        }
        Ty::Json(t) => {
            let t = value_ty(t);
            quote!(crate::types::JsonString<#t>)
        }
    }
}

/// The value type of a field, with `Clearable` when it is clearable.
pub fn field_value_ty(f: &Field) -> TokenStream {
    let t = value_ty(&f.ty);
    if f.clearable {
        quote!(crate::types::Clearable<#t>)
    } else {
        t
    }
}

/// What a builder holds for a value of `ty` before validation.
pub fn slot_ty(ty: &Ty) -> TokenStream {
    match ty {
        Ty::Amount | Ty::DateTime | Ty::Date => {
            let t = value_ty(ty);
            quote!(crate::types::Input<#t>)
        }
        Ty::Object(n) => builder_path(n),
        Ty::List(t) => {
            let t = slot_ty(t);
            quote!(Vec<#t>)
        }
        Ty::Json(t) => slot_ty(t),
        other => value_ty(other),
    }
}

/// The builder slot of a field.
pub fn field_slot_ty(f: &Field) -> TokenStream {
    let t = slot_ty(&f.ty);
    if f.clearable {
        quote!(Option<crate::types::Clearable<#t>>)
    } else {
        quote!(Option<#t>)
    }
}

/// The argument type a setter takes for `ty`.
pub fn arg_ty(ty: &Ty) -> TokenStream {
    match ty {
        Ty::String => quote!(impl Into<String>),
        Ty::Integer => quote!(i64),
        Ty::Boolean => quote!(bool),
        Ty::Amount | Ty::DateTime | Ty::Date => {
            let t = value_ty(ty);
            quote!(impl crate::types::IntoInput<#t>)
        }
        Ty::File => quote!(crate::request::FileUpload),
        Ty::Enum(n) => {
            let t = model_path(n);
            quote!(impl Into<#t>)
        }
        Ty::Object(n) => {
            let t = builder_path(n);
            quote!(impl Into<#t>)
        }
        Ty::List(t) => {
            let t = arg_ty(t);
            quote!(impl IntoIterator<Item = #t>)
        }
        Ty::Json(t) => arg_ty(t),
    }
}

/// A function that converts one setter argument into its slot, or `None` when the
/// argument already is the slot value.
fn conv_fn(ty: &Ty) -> Option<TokenStream> {
    match ty {
        Ty::String | Ty::Enum(_) | Ty::Object(_) => Some(quote!(Into::into)),
        Ty::Integer | Ty::Boolean | Ty::File => None,
        Ty::Amount | Ty::DateTime | Ty::Date => Some(quote!(crate::types::IntoInput::into_input)),
        Ty::List(_) => {
            let body = conv(ty, &quote!(v));
            Some(quote!(|v| #body))
        }
        Ty::Json(t) => conv_fn(t),
    }
}

/// Converts a setter argument `v` into the slot value.
pub fn conv(ty: &Ty, v: &TokenStream) -> TokenStream {
    match ty {
        Ty::List(t) => match conv_fn(t) {
            Some(f) => quote!(IntoIterator::into_iter(#v).map(#f).collect()),
            None => quote!(IntoIterator::into_iter(#v).collect()),
        },
        Ty::Json(t) => conv(t, v),
        _ => match conv_fn(ty) {
            Some(f) => quote!(#f(#v)),
            None => quote!(#v),
        },
    }
}

/// A function that turns one built value back into its slot, or `None` for identity.
pub fn back_fn(ty: &Ty) -> Option<TokenStream> {
    match ty {
        Ty::Amount | Ty::DateTime | Ty::Date => Some(quote!(crate::types::Input::Valid)),
        Ty::Object(n) => {
            let b = builder_path(n);
            Some(quote!(#b::from))
        }
        Ty::List(t) => back_fn(t).map(|f| quote!(|v: Vec<_>| v.into_iter().map(#f).collect())),
        Ty::Json(t) => match back_fn(t) {
            None => Some(quote!(crate::types::JsonString::into_inner)),
            Some(_) => {
                let inner = back(t, &quote!(v.into_inner()));
                Some(quote!(|v: crate::types::JsonString<_>| #inner))
            }
        },
        _ => None,
    }
}

/// Turns a built value `v` back into its slot (for `From<Model> for Builder`).
pub fn back(ty: &Ty, v: &TokenStream) -> TokenStream {
    match ty {
        Ty::List(t) => match back_fn(t) {
            Some(f) => quote!(#v.into_iter().map(#f).collect()),
            None => quote!(#v),
        },
        Ty::Json(t) => back(t, &quote!(#v.into_inner())),
        _ => match back_fn(ty) {
            Some(f) => quote!(#f(#v)),
            None => quote!(#v),
        },
    }
}

fn opt_usize(v: Option<usize>) -> TokenStream {
    match v {
        Some(n) => quote!(Some(#n)),
        None => quote!(None),
    }
}

fn opt_i64(v: Option<i64>) -> TokenStream {
    match v {
        Some(n) => quote!(Some(#n)),
        None => quote!(None),
    }
}

fn opt_amount(v: Option<i64>) -> TokenStream {
    match v {
        Some(n) => quote!(Some(crate::types::Amount::from_fen(#n))),
        None => quote!(None),
    }
}

/// Whether a value of `ty` passes through its check untouched (nothing to validate).
pub fn trivial(ty: &Ty, f: &Field, top: bool) -> bool {
    match ty {
        Ty::String => f.min_length.is_none() && f.max_length.is_none(),
        Ty::Integer => !matches!(f.range, Some(Range::Int { .. })),
        Ty::Boolean | Ty::File => true,
        Ty::List(t) => trivial(t, f, false) && !(top && f.max_items.is_some()),
        Ty::Json(t) => trivial(t, f, top),
        _ => false,
    }
}

/// Whether checking the field needs the checker at all.
pub fn field_needs_checker(f: &Field) -> bool {
    f.fixed.is_none() && ((f.required && f.default.is_none()) || !trivial(&f.ty, f, true))
}

/// An expression that checks the slot value in variable `v` of type `ty`, reporting
/// problems under the field name expression `name` (a `&str`), and evaluates to
/// `Option<value>` (`None` when the value is unusable; a problem was reported).
/// `top` is false for list items, where list-level constraints do not apply.
pub fn check(ty: &Ty, f: &Field, name: &TokenStream, top: bool) -> TokenStream {
    let some = quote!(Some);
    match ty {
        Ty::String => {
            if f.min_length.is_some() || f.max_length.is_some() {
                let (lo, hi) = (opt_usize(f.min_length), opt_usize(f.max_length));
                quote!({ c.length(#name, &v, #lo, #hi); #some(v) })
            } else {
                quote!(#some(v))
            }
        }
        Ty::Integer => match f.range {
            Some(Range::Int { min, max }) => {
                let (lo, hi) = (opt_i64(min), opt_i64(max));
                quote!({ c.int_range(#name, v, #lo, #hi); #some(v) })
            }
            _ => quote!(#some(v)),
        },
        Ty::Boolean | Ty::File => quote!(#some(v)),
        Ty::Amount => match f.range {
            Some(Range::Amount { min, max }) => {
                let (lo, hi) = (opt_amount(min), opt_amount(max));
                quote!({
                    let a = c.amount(#name, v);
                    if let Some(a) = a {
                        c.amount_range(#name, a, #lo, #hi);
                    }
                    a
                })
            }
            _ => quote!(c.amount(#name, v)),
        },
        Ty::DateTime => quote!(c.datetime(#name, v)),
        Ty::Date => quote!(c.date(#name, v)),
        Ty::Enum(_) => {
            if f.min_length.is_some() || f.max_length.is_some() {
                let (lo, hi) = (opt_usize(f.min_length), opt_usize(f.max_length));
                quote!({
                    c.known(#name, &v);
                    c.length(#name, crate::types::OpenEnum::as_str(&v), #lo, #hi);
                    #some(v)
                })
            } else {
                quote!({ c.known(#name, &v); #some(v) })
            }
        }
        Ty::Object(_) => quote!(c.nested(#name, |c| v.check(c))),
        Ty::List(t) => {
            let max = match (top, f.max_items) {
                (true, Some(n)) => quote!(c.max_items(#name, v.len(), #n);),
                _ => quote!(),
            };
            if trivial(t, f, false) {
                return quote!({ #max #some(v) });
            }
            let inner = check(t, f, &quote!(name.as_str()), false);
            quote!({
                #max
                let items: Vec<Option<_>> = v
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let name = ::std::format!("{}[{}]", #name, i);
                        #inner
                    })
                    .collect();
                items.into_iter().collect::<Option<Vec<_>>>()
            })
        }
        Ty::Json(t) => {
            if trivial(t, f, top) {
                return quote!(Some(crate::types::JsonString(v)));
            }
            let inner = check(t, f, name, top);
            quote!((#inner).map(crate::types::JsonString))
        }
    }
}

/// `check`, wrapped for clearable fields. `None` when the field needs no check.
pub fn check_field(f: &Field, name: &TokenStream) -> Option<TokenStream> {
    if trivial(&f.ty, f, true) && !matches!(f.ty, Ty::Json(_)) {
        return None;
    }
    Some(check_field_inner(f, name))
}

fn check_field_inner(f: &Field, name: &TokenStream) -> TokenStream {
    let inner = check(&f.ty, f, name, true);
    if f.clearable {
        quote!(match v {
            crate::types::Clearable::Set(v) => (#inner).map(crate::types::Clearable::Set),
            crate::types::Clearable::Clear => Some(crate::types::Clearable::Clear),
        })
    } else {
        inner
    }
}

/// The built value of a constant from the spec.
pub fn const_value(ir: &Ir, ty: &Ty, c: &Const) -> TokenStream {
    let _ = ir;
    match (c, ty) {
        (Const::Str(s), _) => quote!(String::from(#s)),
        (Const::Int(i), _) => quote!(#i),
        (Const::Bool(b), _) => quote!(#b),
        (Const::Amount(f), _) => quote!(crate::types::Amount::from_fen(#f)),
        (Const::Enum(v), Ty::Enum(n)) => {
            let p = model_path(n);
            quote!(#p::from(#v))
        }
        (Const::Enum(v), _) => quote!(String::from(#v)),
    }
}

/// The JSON value of a constant, for `fixed` params.
pub fn const_json(c: &Const) -> TokenStream {
    match c {
        Const::Str(s) | Const::Enum(s) => quote!(::serde_json::Value::String(String::from(#s))),
        Const::Int(i) => quote!(::serde_json::Value::from(#i)),
        Const::Bool(b) => quote!(::serde_json::Value::Bool(#b)),
        Const::Amount(f) => {
            let s = crate::ir::format_fen(*f);
            quote!(::serde_json::Value::String(String::from(#s)))
        }
    }
}

/// Serde attributes of an optional output field (model, response, notification).
pub fn serde_attrs(f: &Field) -> TokenStream {
    let rename = if f.ident != f.wire {
        let w = &f.wire;
        quote!(#[serde(rename = #w)])
    } else {
        quote!()
    };
    let with = if f.clearable {
        quote!()
    } else {
        match f.ty {
            Ty::String => quote!(#[serde(deserialize_with = "crate::__private::lenient::string")]),
            Ty::Integer => quote!(#[serde(deserialize_with = "crate::__private::lenient::int")]),
            Ty::Boolean => quote!(#[serde(deserialize_with = "crate::__private::lenient::bool")]),
            Ty::Amount | Ty::DateTime | Ty::Date | Ty::Json(_) => {
                quote!(#[serde(deserialize_with = "crate::__private::lenient::blank_none")])
            }
            _ => quote!(),
        }
    };
    quote! {
        #rename
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #with
    }
}

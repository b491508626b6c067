//! How spec names become Rust names. One rule, applied everywhere:
//!
//! - fields, setters, getters and modules: `snake_case` of the wire name (heck);
//! - types and enum variants: `UpperCamelCase` (heck);
//! - a result that is a Rust keyword, or a name the generated API itself uses
//!   (`extra`, `builder`, `build`), gets a trailing underscore: `type` → `type_`;
//! - a result that starts with a digit gets a leading `n` (fields) or `V` (variants):
//!   `3d_secure` → `n3d_secure`, `01` → `V01`;
//! - `rust_name` in the spec overrides the computed name and is used as written.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Strict and reserved keywords of every edition (raw identifiers are avoided because
/// `self`, `Self`, `super` and `crate` cannot be raw).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Prelude names the generated code uses unqualified; a model with one of these names
/// would shadow it.
pub const PRELUDE: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Default",
    "Clone",
    "Copy",
    "Into",
    "From",
    "IntoIterator",
    "Iterator",
    "Send",
    "Sync",
    "Sized",
    "ToString",
    "ToOwned",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Debug",
    "Hash",
    "AsRef",
    "AsMut",
    "Extend",
    "TryFrom",
    "TryInto",
    "FromIterator",
    "Unpin",
];

/// Names the generated structs use for their own items.
const RESERVED_MEMBERS: &[&str] = &[
    "extra",
    "builder",
    "build",
    "common",
    "extra_param",
    "new",
    "into_inner",
];

/// Whether `s` is usable as a Rust identifier without escaping.
pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    s != "_" && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') && !KEYWORDS.contains(&s)
}

/// The Rust field/method name for a wire name.
pub fn field_ident(wire: &str) -> String {
    let mut s = wire.to_snake_case();
    if s.is_empty() {
        return s;
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'n');
    }
    if KEYWORDS.contains(&s.as_str()) || RESERVED_MEMBERS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// The Rust variant name for an enum wire value.
pub fn variant_ident(value: &str) -> String {
    let mut s = value.to_upper_camel_case();
    if s.is_empty() {
        return s;
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'V');
    }
    if s == "Unknown" {
        // Taken by the catch-all variant.
        s.push_str("Value");
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// The Rust type name for a method: `alipay.trade.query` → `AlipayTradeQuery`.
pub fn method_type(method: &str) -> String {
    method.replace('.', "_").to_upper_camel_case()
}

/// The module name for a method: `alipay.trade.query` → `alipay_trade_query`.
pub fn method_module(method: &str) -> String {
    method.replace('.', "_").to_snake_case()
}

/// The module name for a model or notification type.
pub fn type_module(name: &str) -> String {
    let s = name.to_snake_case();
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// Whether a model name is a usable Rust type name (UpperCamel, ASCII).
pub fn is_type_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && is_ident(s) && s != "Self"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(field_ident("out_trade_no"), "out_trade_no");
        assert_eq!(field_ident("type"), "type_");
        assert_eq!(field_ident("extra"), "extra_");
        assert_eq!(field_ident("subMerchant"), "sub_merchant");
        assert_eq!(field_ident("3d"), "n3d");
        assert_eq!(variant_ident("WAIT_BUYER_PAY"), "WaitBuyerPay");
        assert_eq!(variant_ident("01"), "V01");
        assert_eq!(variant_ident("UNKNOWN"), "UnknownValue");
        assert_eq!(method_type("alipay.trade.query"), "AlipayTradeQuery");
        assert_eq!(
            method_module("alipay.trade.page.pay"),
            "alipay_trade_page_pay"
        );
        assert!(is_ident("type_") && !is_ident("type") && !is_ident("1a"));
        assert!(is_type_name("GoodsDetail") && !is_type_name("goods"));
    }
}

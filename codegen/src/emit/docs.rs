//! Rustdoc text for generated items. The templates are our own words; spec prose is
//! escaped so that rustdoc never reads it as links, HTML or doctests.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{
    format_fen, Const, Field, Ir, Kind, Method, ModelKind, OneOfRule, Placement, Range, Rules, Ty,
};

/// `#[doc = "..."]` attributes, one per line, for outer docs.
pub fn outer(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#[doc = #l])
    });
    quote!(#(#lines)*)
}

/// The lines of a doc text, trailing blank lines removed (for doc comments written as
/// text).
pub fn prose_lines(text: &str) -> Vec<String> {
    text.trim_end()
        .lines()
        .map(|l| l.trim_end().to_owned())
        .collect()
}

/// `#![doc = "..."]` attributes for inner (module) docs.
pub fn inner(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#![doc = #l])
    });
    quote!(#(#lines)*)
}

/// Makes spec prose safe for rustdoc: bare URLs become autolinks, brackets and angle
/// brackets outside code spans are escaped, indentation that would start a code block
/// is dropped, and fenced blocks without a language are marked as plain text.
pub fn prose(text: &str) -> String {
    let mut out = Vec::new();
    let mut fence = false;
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("```") {
            if fence {
                fence = false;
                out.push("```".to_owned());
            } else {
                fence = true;
                let lang = rest.trim();
                out.push(if lang.is_empty() || lang == "rust" {
                    "```text".to_owned()
                } else {
                    format!("```{lang}")
                });
            }
            continue;
        }
        if fence {
            out.push(line.to_owned());
        } else {
            out.push(escape_line(t));
        }
    }
    if fence {
        out.push("```".to_owned());
    }
    out.join("\n")
}

fn escape_line(line: &str) -> String {
    // An unbalanced backtick would swallow the rest of the doc block.
    let balanced;
    let line = if line.matches('`').count() % 2 == 1 {
        balanced = line.replace('`', "'");
        balanced.as_str()
    } else {
        line
    };
    let mut out = String::with_capacity(line.len() + 8);
    let mut in_code = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            in_code = !in_code;
            out.push(c);
            rest = &rest[1..];
            continue;
        }
        if !in_code && (rest.starts_with("https://") || rest.starts_with("http://")) {
            let end = rest
                .find(|ch: char| ch.is_whitespace() || !ch.is_ascii() || "<>\"'`)]".contains(ch))
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ':']);
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &rest[url.len()..];
            continue;
        }
        if !in_code && matches!(c, '[' | ']' | '<' | '>' | '*' | '_' | '\\' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Markdown code span holding `s` (backticks in `s` are replaced).
pub fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'"))
}

/// A link to a model in docs.
pub fn model_link(name: &str) -> String {
    format!("[`{name}`](crate::models::{name})")
}

/// How the type of a field reads in docs.
pub fn type_words(ty: &Ty) -> String {
    match ty {
        Ty::String => "text".into(),
        Ty::Integer => "integer".into(),
        Ty::Boolean => "boolean".into(),
        Ty::Amount => "amount in yuan".into(),
        Ty::DateTime => "Beijing time".into(),
        Ty::Date => "date".into(),
        Ty::File => "file part".into(),
        Ty::Object(n) | Ty::Enum(n) => model_link(n),
        Ty::List(t) => format!("list of {}", type_words(t)),
        Ty::Json(t) => format!("JSON text of {}", type_words(t)),
    }
}

fn range_words(r: &Range) -> Option<String> {
    let (lo, hi) = match r {
        Range::Int { min, max } => (min.map(|v| v.to_string()), max.map(|v| v.to_string())),
        Range::Amount { min, max } => (min.map(format_fen), max.map(format_fen)),
    };
    match (lo, hi) {
        (Some(a), Some(b)) => Some(format!("{a} to {b}")),
        (Some(a), None) => Some(format!("at least {a}")),
        (None, Some(b)) => Some(format!("at most {b}")),
        (None, None) => None,
    }
}

fn const_words(c: &Const) -> String {
    code(&match c {
        Const::Amount(f) => format_fen(*f),
        other => other.wire_text(),
    })
}

/// Whether the field is set by the merchant or read from Alipay.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FieldDocKind {
    /// A request param or a field of a model used in requests.
    Input,
    /// A response or notification field.
    Output,
}

/// The constraints of a field, briefly, in one line: what `build()` checks.
fn facts(ir: &Ir, f: &Field, rules: &Rules, kind: FieldDocKind) -> Vec<String> {
    let mut out = Vec::new();
    let place = match f.placement {
        Placement::Biz => "",
        Placement::Text => " (own form field)",
        Placement::File => " (file part)",
    };
    out.push(format!(
        "wire {}{place}, {}",
        code(&f.wire),
        type_words(&f.ty)
    ));
    if f.required {
        out.push(match kind {
            FieldDocKind::Output => "documented as always sent".into(),
            FieldDocKind::Input => "**required**".into(),
        });
    }
    match (f.min_length, f.max_length) {
        (Some(a), Some(b)) if a == b => out.push(format!("{a} characters")),
        (Some(a), Some(b)) => out.push(format!("{a} to {b} characters")),
        (Some(a), None) => out.push(format!("at least {a} characters")),
        (None, Some(b)) => out.push(format!("at most {b} characters")),
        (None, None) => {}
    }
    if let Some(p) = &f.pattern {
        out.push(format!("matches {}", code(p)));
    }
    if let Some(r) = f.range.as_ref().and_then(range_words) {
        out.push(r);
    }
    if let Some(n) = f.max_items {
        out.push(format!("at most {n} items"));
    }
    if let Some(n) = f.max_bytes {
        out.push(format!("at most {n} bytes"));
    }
    if let Ty::Enum(e) = f.ty.base() {
        let all = match ir.model(e).map(|m| &m.kind) {
            Some(ModelKind::Enum { values, .. }) => values.len(),
            _ => 0,
        };
        if f.values.len() < all || f.closed {
            let vals: Vec<String> = f.values.iter().map(|v| code(v)).collect();
            let only = if f.closed { "only " } else { "" };
            out.push(format!("{only}{}", vals.join(", ")));
        }
    }
    if let Some(d) = &f.default {
        out.push(format!("default {}", const_words(d)));
    }
    if let Some(x) = &f.fixed {
        out.push(format!("always {}", const_words(x)));
    }
    if f.clearable {
        out.push(format!("`clear_{}()` erases it", f.ident));
    }
    for g in rules.one_of.iter().filter(|g| g.fields.contains(&f.wire)) {
        let names: Vec<String> = g.fields.iter().map(|n| code(n)).collect();
        let rule = match g.rule {
            OneOfRule::AtLeastOne => "at least one",
            OneOfRule::ExactlyOne => "exactly one",
        };
        out.push(format!("{rule} of {}", names.join(", ")));
    }
    for r in rules.required_when.iter().filter(|r| r.field == f.wire) {
        let cond = if r.equals.is_empty() {
            format!("{} is set", code(&r.when))
        } else {
            let vals: Vec<String> = r.equals.iter().map(|v| code(v)).collect();
            format!("{} is {}", code(&r.when), vals.join(" or "))
        };
        out.push(format!("required when {cond}"));
    }
    if let Some(e) = f.example.as_ref().filter(|e| e.len() <= 60) {
        out.push(format!("e.g. {}", code(e)));
    }
    out
}

/// The documentation of a field: summary, description, then its facts on one line.
pub fn field(ir: &Ir, f: &Field, rules: &Rules, kind: FieldDocKind) -> String {
    let mut s = prose(&f.summary);
    if let Some(d) = &f.description {
        s.push_str("\n\n");
        s.push_str(&prose(d));
    }
    if let Some(d) = &f.deprecated {
        s.push_str(&if d.is_empty() {
            "\n\nDeprecated by Alipay.".to_owned()
        } else {
            format!("\n\nDeprecated: {}", prose(d))
        });
    }
    let mut line = facts(ir, f, rules, kind).join("; ");
    line.push('.');
    // Capitalise the line's first letter for reading.
    let mut chars = line.chars();
    let line = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => line,
    };
    format!("{s}\n\n{line}")
}

/// The entry point the runtime offers for a call kind.
pub fn kind_words(k: Kind) -> &'static str {
    match k {
        Kind::Server => "a server call: [`Client::execute`](crate::Client::execute) sends it and returns the typed response",
        Kind::Page => "a page call: the buyer's browser goes to Alipay with [`Client::page_form`](crate::Client::page_form) or [`Client::page_url`](crate::Client::page_url)",
        Kind::App => "an app call: [`Client::app_order_string`](crate::Client::app_order_string) signs it into the order string for the Alipay app",
        Kind::Upload => "an upload: [`Client::execute`](crate::Client::execute) posts it as `multipart/form-data`",
    }
}

/// The facts shared by a method's request and response docs.
pub fn method_facts(m: &Method) -> String {
    let mut s = format!(
        "- Method {} (version {}), {}.\n- Cargo feature {}.\n",
        code(&m.wire),
        code(&m.version),
        kind_words(m.kind),
        code(&m.family)
    );
    if let Some(d) = &m.docs {
        s.push_str(&format!("- Alipay's documentation: <{d}>\n"));
    }
    s
}

/// A value for `f` in example code (Rust source), preferring the spec's `example`
/// when it satisfies the field's own constraints.
fn example_value(ir: &Ir, f: &Field, ty: &Ty, depth: usize) -> Option<String> {
    let example_text = f.example.as_deref().and_then(|e| {
        match serde_json::from_str::<serde_json::Value>(e).ok()? {
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    });
    let fits = |s: &str| {
        let n = s.chars().count();
        f.min_length.is_none_or(|m| n >= m)
            && f.max_length.is_none_or(|m| n <= m)
            && f.pattern
                .as_ref()
                .is_none_or(|p| regex_lite::Regex::new(p).is_ok_and(|re| re.is_match(s)))
    };
    match ty {
        Ty::String => {
            let fallback = "x".repeat(f.min_length.unwrap_or(1).max(1));
            let s = example_text
                .filter(|s| fits(s) && !s.is_empty())
                .or_else(|| Some(fallback).filter(|s| fits(s)))?;
            Some(format!("{s:?}"))
        }
        Ty::Integer => {
            let (lo, hi) = match f.range {
                Some(Range::Int { min, max }) => (min, max),
                _ => (None, None),
            };
            let ok = |v: i64| lo.is_none_or(|l| v >= l) && hi.is_none_or(|h| v <= h);
            let v = example_text
                .and_then(|s| s.parse::<i64>().ok())
                .filter(|v| ok(*v))
                .or_else(|| Some(lo.unwrap_or(1)).filter(|v| ok(*v)))?;
            Some(v.to_string())
        }
        Ty::Boolean => Some("true".to_owned()),
        Ty::Amount => {
            let (lo, hi) = match f.range {
                Some(Range::Amount { min, max }) => (min, max),
                _ => (None, None),
            };
            let ok = |v: i64| lo.is_none_or(|l| v >= l) && hi.is_none_or(|h| v <= h);
            let fen = example_text
                .and_then(|s| crate::ir::parse_fen(&s))
                .filter(|v| ok(*v))
                .or_else(|| Some(lo.unwrap_or(1)).filter(|v| ok(*v)))?;
            Some(format!("{:?}", format_fen(fen)))
        }
        Ty::DateTime => Some("\"2024-01-02 03:04:05\"".to_owned()),
        Ty::Date => Some("\"2024-01-02\"".to_owned()),
        Ty::File => {
            Some("alipay_api::FileUpload::new(\"example.jpg\", vec![0xff, 0xd8])".to_owned())
        }
        Ty::Enum(_) => {
            let v = example_text
                .filter(|s| f.values.contains(s))
                .or_else(|| f.values.first().cloned())?;
            Some(format!("{v:?}"))
        }
        Ty::Object(n) => {
            let (fields, rules) = match ir.model(n).map(|m| &m.kind) {
                Some(ModelKind::Object { fields, rules }) => (fields, rules),
                _ => return None,
            };
            let calls = example_calls(ir, fields, rules, depth + 1)?;
            Some(format!("alipay_api::models::{n}::new(){}", calls.join("")))
        }
        Ty::List(t) => Some(format!("[{}]", example_value(ir, f, t, depth)?)),
        Ty::Json(t) => example_value(ir, f, t, depth),
    }
}

/// Setter calls (`.name(value)`) that make a value valid: every required field, one
/// field of each one-of group, and what conditional rules then require. `None` when no
/// such example can be written.
fn example_calls(ir: &Ir, fields: &[Field], rules: &Rules, depth: usize) -> Option<Vec<String>> {
    if depth > 3 {
        return None;
    }
    let mut chosen: Vec<&Field> = fields
        .iter()
        .filter(|f| f.required && f.default.is_none() && f.fixed.is_none())
        .collect();
    for g in &rules.one_of {
        let members: Vec<&Field> = g
            .fields
            .iter()
            .filter_map(|w| fields.iter().find(|f| &f.wire == w))
            .collect();
        if members
            .iter()
            .any(|f| f.fixed.is_some() || chosen.iter().any(|c| c.wire == f.wire))
        {
            continue;
        }
        let pick = members
            .iter()
            .find(|f| f.deprecated.is_none())
            .or(members.first())?;
        chosen.push(pick);
    }
    for r in &rules.required_when {
        let triggered = chosen.iter().any(|c| c.wire == r.when);
        let present = chosen.iter().any(|c| c.wire == r.field);
        if triggered && !present {
            chosen.push(fields.iter().find(|f| f.wire == r.field)?);
        }
    }
    // Setters in spec order, as a reader would fill them in.
    chosen.sort_by_key(|c| fields.iter().position(|f| f.wire == c.wire));
    chosen
        .iter()
        .map(|f| {
            Some(format!(
                ".{}({})",
                f.ident,
                example_value(ir, f, &f.ty, depth)?
            ))
        })
        .collect()
}

/// A doctest showing how to build a method's request, or `None` when the spec's
/// constraints cannot be met by the simple values this writes.
pub fn method_example(ir: &Ir, m: &Method) -> Option<String> {
    let mut calls = example_calls(ir, &m.params, &m.rules, 0)?;
    if calls.is_empty() {
        // Nothing is required: show one setter anyway so the example says something.
        let first = m.params.iter().find(|f| {
            f.fixed.is_none()
                && f.deprecated.is_none()
                && !matches!(f.ty, Ty::Object(_))
                && !f.clearable
        });
        if let Some(f) = first {
            calls.push(format!(".{}({})", f.ident, example_value(ir, f, &f.ty, 0)?));
        }
    }
    let mut s = format!(
        "# Example\n\n```\nuse alipay_api::{}::{};\n\nlet request = {}::builder()\n",
        m.family, m.type_name, m.type_name
    );
    for c in &calls {
        s.push_str(&format!("    {c}\n"));
    }
    s.push_str("    .build()?;\n");
    s.push_str(match m.kind {
        Kind::Server | Kind::Upload => "// let response = client.execute(&request).await?;\n",
        Kind::Page => "// let html = client.page_form(&request)?;\n",
        Kind::App => "// let order_string = client.app_order_string(&request)?;\n",
    });
    s.push_str("# Ok::<(), alipay_api::ValidationError>(())\n```\n");
    Some(s)
}

//! Rustdoc text for generated items. The templates are our own words; spec prose is
//! escaped so that rustdoc never reads it as links, HTML or doctests.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{
    format_fen, Const, Field, Ir, Kind, Method, OneOf, OneOfRule, Placement, Range, Ty,
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
        Ty::Amount => "amount in yuan ([`Amount`](crate::Amount))".into(),
        Ty::DateTime => {
            "Beijing time `yyyy-MM-dd HH:mm:ss` ([`BeijingDateTime`](crate::BeijingDateTime))"
                .into()
        }
        Ty::Date => "date `yyyy-MM-dd`".into(),
        Ty::File => "file part ([`FileUpload`](crate::FileUpload))".into(),
        Ty::Object(n) | Ty::Enum(n) => model_link(n),
        Ty::List(t) => format!("list of {}", type_words(t)),
        Ty::Json(t) => format!("string holding the JSON of {}", type_words(t)),
    }
}

fn range_words(r: &Range) -> Option<String> {
    let (lo, hi) = match r {
        Range::Int { min, max } => (min.map(|v| v.to_string()), max.map(|v| v.to_string())),
        Range::Amount { min, max } => (min.map(format_fen), max.map(format_fen)),
    };
    match (lo, hi) {
        (Some(a), Some(b)) => Some(format!("from {a} to {b} inclusive")),
        (Some(a), None) => Some(format!("at least {a}")),
        (None, Some(b)) => Some(format!("at most {b}")),
        (None, None) => None,
    }
}

fn const_words(c: &Const) -> String {
    code(&c.wire_text())
}

/// Which context a field's docs are written for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FieldDocKind {
    /// A request builder setter.
    Setter,
    /// A model field (also set through a model builder).
    ModelField,
    /// A response or notification field.
    Output,
}

/// The documentation of a field: summary, description, then a list of facts.
pub fn field(ir: &Ir, f: &Field, one_of: &[OneOf], kind: FieldDocKind) -> String {
    let mut s = prose(&f.summary);
    if let Some(d) = &f.description {
        s.push_str("\n\n");
        s.push_str(&prose(d));
    }
    let mut facts = Vec::new();
    let place = match (kind, f.placement) {
        (FieldDocKind::Setter, Placement::Biz) => " in `biz_content`",
        (FieldDocKind::Setter, Placement::Text) => ", a form parameter of its own",
        (FieldDocKind::Setter, Placement::File) => ", a file part of the upload",
        _ => "",
    };
    facts.push(format!(
        "Wire name: {}{place}; {}.",
        code(&f.wire),
        type_words(&f.ty)
    ));
    if f.required {
        facts.push(match kind {
            FieldDocKind::Output => "Documented as always present; still optional here, so a missing value never breaks parsing.".into(),
            _ => "**Required**: `build()` fails without it.".into(),
        });
    }
    match (f.min_length, f.max_length) {
        (Some(a), Some(b)) => facts.push(format!("Length: {a} to {b} characters.")),
        (Some(a), None) => facts.push(format!("Length: at least {a} characters.")),
        (None, Some(b)) => facts.push(format!("Length: at most {b} characters.")),
        (None, None) => {}
    }
    if let Some(r) = f.range.as_ref().and_then(range_words) {
        facts.push(format!("Range: {r}."));
    }
    if let Some(n) = f.max_items {
        facts.push(format!("At most {n} items."));
    }
    if let Some(d) = &f.default {
        facts.push(format!("Default: {} is sent when not set.", const_words(d)));
    }
    if let Some(x) = &f.fixed {
        facts.push(format!("Always sent as {}.", const_words(x)));
    }
    if f.clearable {
        facts.push(format!(
            "Clearable: `clear_{}()` sends `#EMPTY#`, which erases the stored value.",
            f.ident
        ));
    }
    if let Ty::Enum(e) = f.ty.base() {
        if let Some(crate::ir::ModelKind::Enum { values }) = ir.model(e).map(|m| &m.kind) {
            let list: Vec<String> = values
                .iter()
                .map(|v| {
                    format!(
                        "[`{}`](crate::models::{e}::{})",
                        v.value.replace('`', "'"),
                        v.variant
                    )
                })
                .collect();
            facts.push(format!("Values: {}.", list.join(", ")));
        }
    }
    for g in one_of.iter().filter(|g| g.fields.contains(&f.wire)) {
        let names: Vec<String> = g.fields.iter().map(|n| code(n)).collect();
        let rule = match g.rule {
            OneOfRule::AtLeastOne => "at least one",
            OneOfRule::ExactlyOne => "exactly one",
        };
        facts.push(format!("Set {rule} of {}.", names.join(", ")));
    }
    if let Some(d) = &f.deprecated {
        facts.push(if d.is_empty() {
            "Deprecated by Alipay.".to_owned()
        } else {
            format!("Deprecated: {}", prose(d))
        });
    }
    if let Some(e) = &f.example {
        facts.push(format!("Example: {}.", code(e)));
    }
    s.push_str("\n\n");
    for fact in facts {
        s.push_str("- ");
        s.push_str(&fact);
        s.push('\n');
    }
    s
}

/// The entry point the runtime offers for a call kind.
pub fn kind_words(k: Kind) -> &'static str {
    match k {
        Kind::Server => "a server-to-server call: send it with [`Client::execute`](crate::Client::execute), which returns the typed response",
        Kind::Page => "a page call: the buyer's browser is sent to Alipay, so turn it into an auto-submitting form with [`Client::page_form`](crate::Client::page_form) or a URL with [`Client::page_url`](crate::Client::page_url)",
        Kind::App => "an app call: [`Client::app_order_string`](crate::Client::app_order_string) signs it into the order string the Alipay app expects",
        Kind::Upload => "a file upload: send it with [`Client::execute`](crate::Client::execute), which posts it as `multipart/form-data`",
    }
}

/// Header lines shared by a method's request, builder and response docs.
pub fn method_facts(m: &Method) -> String {
    let mut s = format!(
        "- Method: {} (version {}), {}.\n- Requires the cargo feature {}.\n",
        code(&m.wire),
        code(&m.version),
        kind_words(m.kind),
        code(&m.group)
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
    let fits_len = |s: &str| {
        let n = s.chars().count();
        f.min_length.is_none_or(|m| n >= m) && f.max_length.is_none_or(|m| n <= m)
    };
    match ty {
        Ty::String => {
            let s = example_text
                .filter(|s| fits_len(s) && !s.is_empty())
                .unwrap_or_else(|| "x".repeat(f.min_length.unwrap_or(1).max(1)));
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
        Ty::Enum(e) => {
            let values = match ir.model(e).map(|m| &m.kind) {
                Some(crate::ir::ModelKind::Enum { values }) => values,
                _ => return None,
            };
            let v = example_text
                .filter(|s| values.iter().any(|v| &v.value == s))
                .or_else(|| {
                    values
                        .iter()
                        .find(|v| v.deprecated.is_none())
                        .map(|v| v.value.clone())
                })?;
            Some(format!("{v:?}"))
        }
        Ty::Object(n) => {
            let (fields, one_of) = match ir.model(n).map(|m| &m.kind) {
                Some(crate::ir::ModelKind::Object { fields, one_of }) => (fields, one_of),
                _ => return None,
            };
            let calls = example_calls(ir, fields, one_of, depth + 1)?;
            Some(format!(
                "alipay_api::models::{n}::builder(){}",
                calls.join("")
            ))
        }
        Ty::List(t) => Some(format!("[{}]", example_value(ir, f, t, depth)?)),
        Ty::Json(t) => example_value(ir, f, t, depth),
    }
}

/// Setter calls (`.name(value)`) that make a builder valid: every required field and
/// one field of each one-of group. `None` when no such example can be written.
fn example_calls(ir: &Ir, fields: &[Field], one_of: &[OneOf], depth: usize) -> Option<Vec<String>> {
    if depth > 3 {
        return None;
    }
    let mut chosen: Vec<&Field> = fields
        .iter()
        .filter(|f| f.required && f.default.is_none() && f.fixed.is_none())
        .collect();
    for g in one_of {
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
    let mut calls = example_calls(ir, &m.params, &m.one_of, 0)?;
    if calls.is_empty() {
        // Nothing is required: show one setter anyway so the example says something.
        let first = m.params.iter().find(|f| {
            f.fixed.is_none() && f.deprecated.is_none() && !matches!(f.ty, Ty::Object(_))
        });
        if let Some(f) = first {
            calls.push(format!(".{}({})", f.ident, example_value(ir, f, &f.ty, 0)?));
        }
    }
    let mut s = format!(
        "# Example\n\n```\nuse alipay_api::{}::{};\n\nlet request = {}::builder()\n",
        m.group, m.type_name, m.type_name
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

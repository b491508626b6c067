//! Invocations of the runtime's item macros (`setters!`, `request!`, `wire_struct!`,
//! `open_enum!`), written as text one entry per line: prettyplease cannot lay out the
//! inside of a macro call, and these are the lines a reader scans.

use super::docs;

/// A part of a generated file: items formatted by prettyplease, or a macro call.
pub enum Part {
    /// Ordinary items.
    Rust(proc_macro2::TokenStream),
    /// A macro call, already laid out.
    Text(String),
}

const WIDTH: usize = 96;

/// `crate::__private::<name>! {` + body lines (indented once) + `}`.
fn call(name: &str, body: &[String]) -> Part {
    let mut s = format!("crate::__private::{name}! {{\n");
    for l in body {
        if l.is_empty() {
            s.push('\n');
        } else {
            s.push_str("    ");
            s.push_str(l);
            s.push('\n');
        }
    }
    s.push_str("}\n");
    Part::Text(s)
}

fn indent(lines: Vec<String>) -> Vec<String> {
    lines.into_iter().map(|l| format!("    {l}")).collect()
}

/// Short items packed onto lines of at most [`WIDTH`] columns.
fn packed(items: &[String], indent_cols: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for item in items {
        let piece = format!("{item},");
        if !line.is_empty() && indent_cols + line.len() + 1 + piece.len() > WIDTH {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&piece);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

/// `setters! { [new] Type { <kind> <field>: <arg>; ... } }`; `lines` are the entries.
pub fn setters(ty: &str, new: bool, lines: Vec<String>) -> Part {
    let head = if new {
        format!("new {ty} {{")
    } else {
        format!("{ty} {{")
    };
    let mut body = vec![head];
    body.extend(indent(lines));
    body.push("}".to_owned());
    call("setters", &body)
}

/// `request! { Type => Response, kind, common [...], files [...] }`.
pub fn request(ty: &str, resp: &str, kind: &str, common: &[String], files: &[String]) -> Part {
    call(
        "request",
        &[
            format!("{ty} => {resp},"),
            format!("{kind},"),
            format!("common [{}],", common.join(", ")),
            format!("files [{}],", files.join(", ")),
        ],
    )
}

/// `wire_struct! { Type { field, other = "wire", ... } }`.
pub fn wire_struct(ty: &str, entries: &[String]) -> Part {
    let mut body = vec![format!("{ty} {{")];
    body.extend(indent(packed(entries, 8)));
    body.push("}".to_owned());
    call("wire_struct", &body)
}

/// `open_enum! { /// docs  Type (closed = b) { /// docs  Variant = "WIRE", ... } }`.
pub fn open_enum(
    doc: &str,
    ty: &str,
    closed: bool,
    variants: &[(String, String, String, Option<String>)],
) -> Part {
    let mut body = doc_lines(doc);
    body.push(format!("{ty} (closed = {closed}) {{"));
    for (variant, wire, summary, deprecated) in variants {
        body.extend(doc_lines(summary).into_iter().map(|l| format!("    {l}")));
        match deprecated {
            None => {}
            Some(n) if n.is_empty() => body.push("    #[deprecated]".to_owned()),
            Some(n) => body.push(format!("    #[deprecated = {n:?}]")),
        }
        body.push(format!("    {variant} = {wire:?},"));
    }
    body.push("}".to_owned());
    call("open_enum", &body)
}

/// `/// ` lines of a doc text (already made safe for rustdoc).
pub fn doc_lines(text: &str) -> Vec<String> {
    docs::prose_lines(text)
        .into_iter()
        .map(|l| {
            if l.is_empty() {
                "///".to_owned()
            } else {
                format!("/// {l}")
            }
        })
        .collect()
}

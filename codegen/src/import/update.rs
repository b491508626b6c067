//! `cargo xtask import --update <method>`: the catalogue's fields that an existing spec
//! file lacks, appended to it as text.
//!
//! Nothing a person wrote is rewritten or reordered: new request params, response fields
//! and fields of the object models the method reaches are appended at the end of their
//! list, written by the importer's own field writer (with `derived:` notes and `TODO`
//! summaries, or as `- use:` of a matching shared definition); a model a new field needs
//! gets a new file. The only existing line that may change is an empty flow list
//! (`params: []`), which cannot take items otherwise.

use std::collections::{BTreeMap, BTreeSet};

use super::{ImportError, Importer, Report, Skeleton};
use crate::catalog::{self, Catalog, FieldType};
use crate::load::{RawSpec, Source};
use crate::naming;
use crate::spec::{FieldSpec, ModelKindSpec, ModelSpec};

/// What an update changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Update {
    /// Spec files with items appended (their whole new text), then new model files.
    pub files: Vec<Skeleton>,
    /// One line per field added, e.g. `methods/trade/alipay.trade.pay.yaml: request param `foo``.
    pub added: Vec<String>,
    /// The importer's counts for what was written.
    pub report: Report,
}

/// The fields of `method` (and of the models it reaches) that the catalogue has and the
/// spec in `raw` lacks, appended to the spec files' text.
pub fn update(cat: &Catalog, raw: &RawSpec, method: &str) -> Result<Update, ImportError> {
    let m = cat
        .method(method)
        .ok_or_else(|| ImportError::UnknownMethod(method.to_owned()))?;
    let file = raw
        .methods
        .iter()
        .find(|s| s.value.method == method)
        .ok_or_else(|| ImportError::NotInSpec(method.to_owned()))?;
    let existing = super::Existing::from_raw(raw);
    let mut up = Updater {
        imp: Importer::default_for(cat, &existing),
        raw,
        out: Update::default(),
        visited: BTreeSet::new(),
    };
    let path = format!("methods/{}/{}.yaml", file.folder, file.stem);
    let mut text = file.text.clone();
    let ctx = naming::method_type(method);
    let biz = (m.biz_model.as_deref())
        .and_then(|c| cat.model(c))
        .filter(|_| m.biz_content);
    let mut params: Vec<(&catalog::Field, Option<&str>)> = (biz.map_or(&[][..], |b| &b.fields))
        .iter()
        .map(|f| (f, None))
        .collect();
    params.extend(
        m.text_params
            .iter()
            .filter(|f| f.ty != FieldType::File)
            .map(|f| (f, Some("text"))),
    );
    params.extend(m.file_params.iter().map(|f| (f, Some("file"))));
    let spec = &file.value;
    let list = List {
        path: &path,
        keys: &["request", "params"],
        label: "request param",
    };
    up.append(&mut text, &list, &spec.request.params, &params, &ctx);
    let response: Vec<_> = m.response.fields.iter().map(|f| (f, None)).collect();
    let list = List {
        path: &path,
        keys: &["response", "fields"],
        label: "response field",
    };
    up.append(
        &mut text,
        &list,
        &spec.response.fields,
        &response,
        &format!("{ctx}Response"),
    );
    up.models(&spec.request.params, &params);
    up.models(&spec.response.fields, &response);
    if text != file.text {
        up.out.files.insert(0, Skeleton { path, text });
    }
    up.imp.drain_models();
    for (name, text) in std::mem::take(&mut up.imp.model_files) {
        up.out
            .added
            .push(format!("models/{name}.yaml: new model file"));
        up.out.files.push(Skeleton {
            path: format!("models/{name}.yaml"),
            text,
        });
    }
    up.out.report = up.imp.report;
    Ok(up.out)
}

/// Where a list lives: its file, the keys leading to it, and what its items are called.
struct List<'a> {
    path: &'a str,
    keys: &'a [&'a str],
    label: &'a str,
}

struct Updater<'a> {
    imp: Importer<'a>,
    raw: &'a RawSpec,
    out: Update,
    /// Object models already compared.
    visited: BTreeSet<String>,
}

impl<'a> Updater<'a> {
    /// The wire name and type expression of a spec field (through its shared definition).
    fn resolve(&self, f: &'a FieldSpec) -> Option<(String, String)> {
        let def = |id: &String| {
            let defs = self.raw.fields.iter().flat_map(|file| &file.value.fields);
            defs.filter(|d| d.id.as_ref().or(d.name.as_ref()) == Some(id))
                .find_map(|d| Some((d.name.clone()?, d.ty.clone()?)))
        };
        let from_def = f.uses.as_ref().and_then(def);
        let name = f
            .name
            .clone()
            .or_else(|| from_def.as_ref().map(|d| d.0.clone()))?;
        let ty = f.ty.clone().or_else(|| from_def.map(|d| d.1))?;
        Some((name, ty))
    }

    /// Appends the catalogue fields missing from `have` to the list `at` in `text`.
    fn append(
        &mut self,
        text: &mut String,
        at: &List<'_>,
        have: &'a [FieldSpec],
        theirs: &[(&catalog::Field, Option<&str>)],
        ctx: &str,
    ) {
        let mut seen: BTreeMap<String, String> = (have.iter())
            .filter_map(|f| self.resolve(f))
            .map(|(wire, _)| (wire.clone(), naming::field_ident(&wire)))
            .collect();
        let lines: Vec<&str> = text.lines().collect();
        let Some(spot) = locate(&lines, at.keys) else {
            return;
        };
        let mut items = String::new();
        for (f, placement) in theirs {
            if seen.contains_key(&f.name) {
                continue;
            }
            let item = self
                .imp
                .field(f, &" ".repeat(spot.dash), *placement, ctx, &mut seen);
            if !item.is_empty() {
                self.out
                    .added
                    .push(format!("{}: {} `{}`", at.path, at.label, f.name));
                items += &item;
            }
        }
        if !items.is_empty() {
            *text = insert(text, &spot, &items);
        }
    }

    /// Compares every object model the spec fields reach with the catalogue class their
    /// counterparts name, appending what the model files lack; then the models inside.
    fn models(&mut self, fields: &'a [FieldSpec], theirs: &[(&catalog::Field, Option<&str>)]) {
        for f in fields {
            let Some((wire, ty)) = self.resolve(f) else {
                continue;
            };
            let class = theirs
                .iter()
                .find(|(t, _)| t.name == wire)
                .and_then(|(t, _)| t.reference.as_deref())
                .and_then(|c| self.imp.cat.model(c));
            let name = base_model(&ty);
            let model = self.raw.models.iter().find(|m| m.value.name == name);
            let (Some(class), Some(model)) = (class, model) else {
                continue;
            };
            if model.value.kind != ModelKindSpec::Object || !self.visited.insert(name.to_owned()) {
                continue;
            }
            self.model(model, class);
        }
    }

    fn model(&mut self, model: &'a Source<ModelSpec>, class: &catalog::Model) {
        let path = format!("models/{}.yaml", model.stem);
        let theirs: Vec<_> = class.fields.iter().map(|f| (f, None)).collect();
        let mut text = model.text.clone();
        let list = List {
            path: &path,
            keys: &["fields"],
            label: "field",
        };
        let have = model.value.fields.as_deref().unwrap_or_default();
        self.append(&mut text, &list, have, &theirs, &model.value.name);
        if text != model.text {
            self.out.files.push(Skeleton { path, text });
        }
        self.models(have, &theirs);
    }
}

/// The model a type expression names, inside `list<…>` and `json<…>`.
fn base_model(ty: &str) -> &str {
    let mut t = ty.trim();
    while let Some(inner) = (t.strip_prefix("list<").or_else(|| t.strip_prefix("json<")))
        .and_then(|r| r.strip_suffix('>'))
    {
        t = inner.trim();
    }
    t
}

/// Indentation of a line, in spaces.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Whether a line carries content (not blank, not a comment).
fn content(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#')
}

/// Whether `line` closes a block whose key is indented `ind` (a `- ` item at the key's
/// own indent still belongs to it).
fn closes(line: &str, ind: usize) -> bool {
    content(line)
        && (indent(line) < ind || (indent(line) == ind && !line.trim_start().starts_with("- ")))
}

/// Where new items of the list at a key path go.
#[derive(Debug, PartialEq, Eq)]
struct Spot {
    /// The items go after this line (`None`: at the end of the text).
    after: Option<usize>,
    /// Keys of the path that do not exist yet, written before the items.
    missing: Vec<String>,
    /// Indent of the first missing key.
    key_indent: usize,
    /// Column of each item's dash.
    dash: usize,
    /// The list's line when it reads `key: []` (the one line that must change).
    empty_flow: Option<usize>,
}

/// Finds the list at `keys` (`request`, `params`), each key among the lines indented under
/// the previous one, or as much of the path as exists. `None` when the list is written in
/// a form items cannot be appended to (a non-empty flow list).
fn locate(lines: &[&str], keys: &[&str]) -> Option<Spot> {
    // The block of the deepest key found: its line, indent and end.
    let mut block: Option<(usize, usize)> = None;
    let (mut from, mut to, mut depth) = (0, lines.len(), 0);
    for key in keys {
        let parent = block.map(|b| b.1);
        let Some(at) = (from..to).find(|&i| {
            let rest = lines[i].trim_start().strip_prefix(key);
            content(lines[i])
                && rest.is_some_and(|r| r.starts_with(':'))
                && parent.map_or(indent(lines[i]) == 0, |p| indent(lines[i]) > p)
        }) else {
            break;
        };
        let ind = indent(lines[at]);
        (from, depth, block) = (at + 1, depth + 1, Some((at, ind)));
        to = (from..lines.len())
            .find(|&i| closes(lines[i], ind))
            .unwrap_or(lines.len());
    }
    let last = block.map(|(at, _)| (at..to).rev().find(|&i| content(lines[i])).unwrap_or(at));
    let missing: Vec<String> = keys[depth..].iter().map(|k| (*k).to_owned()).collect();
    let key_indent = block.map_or(0, |b| b.1 + 2);
    if !missing.is_empty() {
        let dash = key_indent + 2 * missing.len();
        let after = if depth == 0 { None } else { last };
        return Some(Spot {
            after,
            missing,
            key_indent,
            dash,
            empty_flow: None,
        });
    }
    let (at, ind) = block?;
    let value = lines[at].split_once(':').map_or("", |(_, v)| v.trim());
    let empty_flow = (value == "[]").then_some(at);
    if !value.is_empty() && empty_flow.is_none() {
        return None;
    }
    let first = lines[at + 1..to].iter().find(|l| content(l));
    let dash = match first {
        Some(l) if l.trim_start().starts_with("- ") => indent(l),
        _ => ind + 2,
    };
    Some(Spot {
        after: last,
        missing,
        key_indent,
        dash,
        empty_flow,
    })
}

/// `text` with the missing keys and `items` inserted at `spot`; every other line is kept
/// byte for byte.
fn insert(text: &str, spot: &Spot, items: &str) -> String {
    let mut block = String::new();
    for (d, key) in spot.missing.iter().enumerate() {
        block += &format!("{}{key}:\n", " ".repeat(spot.key_indent + 2 * d));
    }
    block += items;
    let mut out = String::with_capacity(text.len() + block.len() + 1);
    for (i, line) in text.split_inclusive('\n').enumerate() {
        match spot.empty_flow {
            Some(at) if at == i => {
                let key_end = line.find(':').map_or(line.len(), |c| c + 1);
                out += &line[..key_end];
                out.push('\n');
            }
            _ => out += line,
        }
        if spot.after == Some(i) {
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out += &block;
        }
    }
    if spot.after.is_none() {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out += &block;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(text: &str, keys: &[&str], item: &str) -> Option<String> {
        let lines: Vec<&str> = text.lines().collect();
        let spot = locate(&lines, keys)?;
        let items = format!("{}- {item}\n", " ".repeat(spot.dash));
        Some(insert(text, &spot, &items))
    }

    #[test]
    fn missing_keys_are_written_before_the_items() {
        let text = "method: x\nrequest:\n  params:\n    - name: a\n";
        let out = add(text, &["response", "fields"], "name: b").unwrap();
        assert_eq!(out, format!("{text}response:\n  fields:\n    - name: b\n"));
        let out = add(text, &["request", "one_of"], "x").unwrap();
        assert_eq!(out, format!("{text}  one_of:\n    - x\n"));
    }

    #[test]
    fn a_last_line_without_newline_and_a_list_at_its_key_indent_are_handled() {
        let text = "fields:\n- name: a\n  type: string\nnext: 1";
        let out = add(text, &["fields"], "name: b").unwrap();
        assert_eq!(
            out,
            "fields:\n- name: a\n  type: string\n- name: b\nnext: 1"
        );
        let out = add("fields:\n  - name: a", &["fields"], "name: b").unwrap();
        assert_eq!(out, "fields:\n  - name: a\n  - name: b\n");
        // A flow list with items would have to be rewritten: left alone.
        assert_eq!(add("fields: [a]\n", &["fields"], "b"), None);
        // A key of the same name deeper down is not the top-level one.
        let nested = "request:\n  params:\n    - name: fields\n      fields: x\n";
        let out = add(nested, &["fields"], "name: b").unwrap();
        assert_eq!(out, format!("{nested}fields:\n  - name: b\n"));
    }
}

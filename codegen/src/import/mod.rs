//! Spec skeletons from the facts-only catalogue (`catalog/`): the mechanical half of
//! adding a method.
//!
//! The importer writes what the catalogue states (wire names, types, nesting, list-ness,
//! placement, upload parts, the official title, the v3 route) and what it derives from
//! the catalogue's hints: amounts, times and dates typed as such, enum values proposed
//! as open enum models, lengths, list sizes and required flags the descriptions state,
//! the call kind, common params, encryption and the docs link. Every derived fact is
//! written with a `derived:` note naming its evidence, so a reviewer knows what to check;
//! constraints also get a `catalog: …` source. Fields that match a shared definition in
//! `spec/fields/` are written as `- use:`. Summaries are `TODO`: the loader rejects them,
//! so a skeleton cannot reach the crate before a person has written them.
//!
//! [`update`] brings an existing method file up to date with the catalogue the same way,
//! appending only what is missing.

mod update;
mod yaml;

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;

use crate::catalog::{self, Catalog, FieldType, MethodKind};
use crate::load::RawSpec;
use crate::naming;
use crate::spec::ModelKindSpec;
pub use update::{update, Update};
use yaml::{scalar, Block};

/// Why an import failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The method is not in the catalogue.
    #[error(
        "`{0}` is not a method of the catalogue; check the spelling (e.g. `alipay.trade.query`)"
    )]
    UnknownMethod(String),
    /// No family was given and none of `groups.yaml` claims the method's prefix.
    #[error("no family for `{0}`: pass --family <name>, or add a prefix to a family in spec/groups.yaml")]
    NoFamily(String),
    /// `--update` of a method the spec does not have yet.
    #[error("`{0}` is not in the spec yet: import it without --update first")]
    NotInSpec(String),
    /// The family name is unusable.
    #[error(
        "`{0}` is not a usable family name: use a snake_case name declared in spec/groups.yaml"
    )]
    BadFamily(String),
}

/// One skeleton file, relative to the spec folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skeleton {
    /// e.g. `methods/trade/alipay.trade.query.yaml` or `models/GoodsDetail.yaml`.
    pub path: String,
    /// YAML text.
    pub text: String,
}

/// What an import did, for the maintainer's (and the issue's) report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Methods written.
    pub methods: usize,
    /// New model files written (objects and enums).
    pub models: usize,
    /// Fields written (params, response and model fields).
    pub fields: usize,
    /// Fields typed beyond the catalogue's own type, by type (`amount`, `datetime`, `date`).
    pub typed: BTreeMap<String, usize>,
    /// Facts proposed, by kind (`enum`, `enum_values`, `max_length`, `max_items`,
    /// `required`, `kind`, `common_params`, `encryptable`, `docs`).
    pub proposed: BTreeMap<String, usize>,
    /// Fields written as uses of a shared definition.
    pub shared_uses: usize,
}

impl Report {
    fn count(map: &mut BTreeMap<String, usize>, key: &str) {
        *map.entry(key.to_owned()).or_default() += 1;
    }

    /// Adds another report's counts.
    pub fn add(&mut self, other: &Report) {
        self.methods += other.methods;
        self.models += other.models;
        self.fields += other.fields;
        self.shared_uses += other.shared_uses;
        for (k, v) in &other.typed {
            *self.typed.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.proposed {
            *self.proposed.entry(k.clone()).or_default() += v;
        }
    }
}

/// What the importer needs to know about the spec it writes into.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    /// Shared definitions: id → (wire name, type expression).
    pub definitions: BTreeMap<String, (String, String)>,
    /// Models already in the spec: name → enum values (empty for objects).
    pub models: BTreeMap<String, Option<Vec<String>>>,
    /// Families with their method-name prefixes.
    pub families: Vec<(String, Vec<String>)>,
}

impl Existing {
    /// Reads what parses of a spec folder (errors are the loader's business).
    pub fn from_raw(raw: &RawSpec) -> Self {
        let mut e = Existing::default();
        for file in &raw.fields {
            for f in &file.value.fields {
                if let (Some(name), Some(ty)) = (&f.name, &f.ty) {
                    let id = f.id.clone().unwrap_or_else(|| name.clone());
                    e.definitions.insert(id, (name.clone(), ty.clone()));
                }
            }
        }
        for m in &raw.models {
            let values = (m.value.kind == ModelKindSpec::Enum).then(|| {
                m.value
                    .values
                    .iter()
                    .flatten()
                    .map(|v| v.value.clone())
                    .collect()
            });
            e.models.insert(m.value.name.clone(), values);
        }
        if let Some(g) = &raw.groups {
            e.families = g
                .value
                .families
                .iter()
                .map(|f| (f.name.clone(), f.prefixes.clone()))
                .collect();
        }
        e
    }

    /// The family whose longest prefix matches the method name.
    pub fn family_for(&self, method: &str) -> Option<&str> {
        self.families
            .iter()
            .flat_map(|(f, ps)| ps.iter().map(move |p| (f, p)))
            .filter(|(_, p)| method.starts_with(p.as_str()))
            .max_by_key(|(_, p)| p.len())
            .map(|(f, _)| f.as_str())
    }
}

/// A model name usable in the spec for a catalogue class name.
pub fn model_name(class: &str) -> String {
    let mut s: String = class
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if !s.starts_with(|c: char| c.is_ascii_uppercase()) {
        s = format!("M{s}");
    }
    if naming::PRELUDE.contains(&s.as_str()) || !naming::is_type_name(&s) {
        s.push_str("Model");
    }
    s
}

/// Skeletons for `methods` (and every new model they reach). `family` overrides the
/// family `groups.yaml` prefixes would choose.
pub fn skeletons(
    cat: &Catalog,
    existing: &Existing,
    methods: &[String],
    family: Option<&str>,
) -> Result<(Vec<Skeleton>, Report), ImportError> {
    if let Some(f) = family {
        let ok = naming::is_ident(f)
            && f.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            return Err(ImportError::BadFamily(f.to_owned()));
        }
    }
    let mut imp = Importer::default_for(cat, existing);
    let mut out = Vec::new();
    for name in methods {
        let m = cat
            .method(name)
            .ok_or_else(|| ImportError::UnknownMethod(name.clone()))?;
        let fam = family
            .or_else(|| existing.family_for(name))
            .ok_or_else(|| ImportError::NoFamily(name.clone()))?;
        out.push(Skeleton {
            path: format!("methods/{fam}/{name}.yaml"),
            text: imp.method(name, m, fam),
        });
        imp.report.methods += 1;
    }
    imp.drain_models();
    for (name, text) in std::mem::take(&mut imp.model_files) {
        out.push(Skeleton {
            path: format!("models/{name}.yaml"),
            text,
        });
    }
    Ok((out, imp.report))
}

struct Importer<'a> {
    cat: &'a Catalog,
    existing: &'a Existing,
    /// Catalogue classes reached and not yet written.
    queue: BTreeSet<String>,
    done: BTreeSet<String>,
    /// New enum models: name → values.
    enums: BTreeMap<String, Vec<String>>,
    model_files: BTreeMap<String, String>,
    report: Report,
}

impl<'a> Importer<'a> {
    fn default_for(cat: &'a Catalog, existing: &'a Existing) -> Self {
        Importer {
            cat,
            existing,
            queue: BTreeSet::new(),
            done: BTreeSet::new(),
            enums: BTreeMap::new(),
            model_files: BTreeMap::new(),
            report: Report::default(),
        }
    }

    fn propose(&mut self, what: &str) {
        Report::count(&mut self.report.proposed, what);
    }

    fn method(&mut self, name: &str, m: &catalog::Method, family: &str) -> String {
        let mut derived = BTreeMap::new();
        let kind = match &m.hints.kind {
            Some(k) => {
                derived.insert("kind".to_owned(), format!("catalog: {}", k.from));
                self.propose("kind");
                match k.value {
                    MethodKind::Page => "page",
                    MethodKind::App => "app",
                    MethodKind::Upload => "upload",
                }
            }
            None if m.upload && !m.file_params.is_empty() => "upload",
            None => "server",
        };
        let (params, response) = self.method_fields(name, m);
        // Every v2 method lists app_auth_token among its common params; notify_url and
        // return_url only where the flow is asynchronous or goes through a browser. A
        // method with a business param of the same name keeps that one.
        let mut common = Vec::new();
        if kind == "page" || kind == "app" || name.ends_with(".pay") || name.ends_with(".create") {
            common.push("notify_url");
        }
        if kind == "page" {
            common.push("return_url");
        }
        common.push("app_auth_token");
        common.retain(|c| {
            !params.contains(&format!("- name: {c}\n"))
                && !params.contains(&format!("- use: {c}\n"))
        });
        derived.insert(
            "common_params".to_owned(),
            format!(
                "inferred from the call kind and the name: {}",
                common.join(", ")
            ),
        );
        self.propose("common_params");
        let mut b = Block::new(0);
        b.raw("method", name)
            .str("title", m.title_v3.as_deref().unwrap_or("TODO"))
            .str("summary", "TODO");
        if let Some(d) = &m.hints.docs_url {
            b.str("docs", &d.value);
            derived.insert("docs".to_owned(), format!("catalog: {}", d.from));
            self.propose("docs");
        }
        b.raw("family", family);
        if m.version != "1.0" {
            b.str("version", &m.version);
        }
        b.raw("kind", kind)
            .raw("common_params", format!("[{}]", common.join(", ")));
        if m.need_encrypt_default {
            b.raw("encryptable", "true");
            derived.insert(
                "encryptable".to_owned(),
                "catalog: the official SDK encrypts it by default".to_owned(),
            );
            self.propose("encryptable");
        }
        if let Some((verb, path)) = m.v3_route.as_deref().and_then(|r| r.split_once(' ')) {
            b.text.push_str(&format!(
                "v3:\n  method: {verb}\n  path: {}\n",
                scalar(path)
            ));
        }
        b.derived(&derived);
        let mut text = b.text;
        text += &section("request:\n  params:", &params);
        text += &section("response:\n  fields:", &response);
        text
    }

    /// The request params and response fields of a method, as YAML list items.
    fn method_fields(&mut self, name: &str, m: &catalog::Method) -> (String, String) {
        let biz = m
            .biz_model
            .as_deref()
            .and_then(|c| self.cat.model(c))
            .filter(|_| m.biz_content);
        let mut params = String::new();
        let mut seen = BTreeMap::new();
        let ctx = naming::method_type(name);
        for f in biz.map_or(&[][..], |b| &b.fields[..]) {
            params += &self.field(f, "    ", None, &ctx, &mut seen);
        }
        for f in m.text_params.iter().filter(|f| f.ty != FieldType::File) {
            params += &self.field(f, "    ", Some("text"), &ctx, &mut seen);
        }
        for f in &m.file_params {
            params += &self.field(f, "    ", Some("file"), &ctx, &mut seen);
        }
        let mut fields = String::new();
        let mut seen = BTreeMap::new();
        for f in &m.response.fields {
            fields += &self.field(f, "    ", None, &format!("{ctx}Response"), &mut seen);
        }
        (params, fields)
    }

    /// The spec type of a catalogue field, with a derived note when the hints typed it.
    fn type_expr(
        &mut self,
        f: &catalog::Field,
        ctx: &str,
        derived: &mut BTreeMap<String, String>,
    ) -> String {
        let h = &f.hints;
        let mut typed = |this: &mut Self, ty: &str, from: &str| {
            derived.insert("type".to_owned(), format!("catalog: {from}"));
            Report::count(&mut this.report.typed, ty);
            ty.to_owned()
        };
        let base = match f.ty {
            FieldType::Long => "integer".to_owned(),
            FieldType::Bool => "boolean".to_owned(),
            FieldType::Datetime => "datetime".to_owned(),
            FieldType::File => "file".to_owned(),
            FieldType::Object => match f
                .reference
                .as_deref()
                .filter(|r| self.cat.model(r).is_some())
            {
                Some(r) => {
                    let name = model_name(r);
                    if !self.existing.models.contains_key(&name) && !self.done.contains(r) {
                        self.queue.insert(r.to_owned());
                    }
                    name
                }
                // A reference the catalogue does not define: keep the JSON as text.
                None => "string".to_owned(),
            },
            FieldType::String => match (f.item.as_deref(), h) {
                (Some("price"), _) => typed(self, "amount", "item type price"),
                (Some("number"), _) => "integer".to_owned(),
                (Some("boolean"), _) => "boolean".to_owned(),
                (_, h) if h.amount.is_some() => {
                    typed(self, "amount", h.amount.as_deref().unwrap_or_default())
                }
                (_, h) if h.datetime.is_some() => {
                    typed(self, "datetime", h.datetime.as_deref().unwrap_or_default())
                }
                (_, h) if h.date.is_some() => {
                    typed(self, "date", h.date.as_deref().unwrap_or_default())
                }
                (_, h) => match &h.enum_values {
                    Some(v) => {
                        derived.insert("values".to_owned(), format!("catalog: {}", v.from));
                        self.enum_for(&f.name, ctx, &v.value)
                    }
                    None => "string".to_owned(),
                },
            },
        };
        if f.list && base != "file" {
            format!("list<{base}>")
        } else {
            base
        }
    }

    /// An open enum model for proposed values: an existing one that lists them all, or a
    /// new one named after the field (prefixed by its context when the name is taken).
    fn enum_for(&mut self, field: &str, ctx: &str, values: &[String]) -> String {
        self.propose("enum_values");
        let plain = field.to_upper_camel_case();
        let fits = |have: &[String]| values.iter().all(|v| have.contains(v));
        for name in [plain.clone(), format!("{ctx}{plain}")] {
            match self.existing.models.get(&name) {
                Some(Some(have)) if fits(have) => return name,
                Some(_) => continue,
                None => {}
            }
            match self.enums.get(&name) {
                Some(have) if fits(have) => return name,
                Some(_) => continue,
                None => {
                    if !naming::is_type_name(&name) || self.cat.models.contains_key(&name) {
                        continue;
                    }
                    self.enums.insert(name.clone(), values.to_vec());
                    self.propose("enum");
                    return name;
                }
            }
        }
        "string".to_owned()
    }

    /// One field as YAML, or a `use:` of the shared definition with the same name and type.
    fn field(
        &mut self,
        f: &catalog::Field,
        indent: &str,
        placement: Option<&str>,
        ctx: &str,
        seen: &mut BTreeMap<String, String>,
    ) -> String {
        if f.name.is_empty() || seen.contains_key(&f.name) {
            return String::new();
        }
        self.report.fields += 1;
        let mut derived = BTreeMap::new();
        let ty = self.type_expr(f, ctx, &mut derived);
        let ident = naming::field_ident(&f.name);
        let clash =
            ident.is_empty() || !naming::is_ident(&ident) || seen.values().any(|v| v == &ident);
        let ident = if clash {
            format!("field_{}", seen.len())
        } else {
            ident
        };
        seen.insert(f.name.clone(), ident.clone());
        let shared = self
            .existing
            .definitions
            .get(&f.name)
            .filter(|(w, t)| *w == f.name && *t == ty);
        let mut b = Block::new(indent.len() + 2);
        if shared.is_some() && placement.is_none() && !clash {
            self.report.shared_uses += 1;
            b.raw("use", scalar(&f.name));
            return b.item();
        }
        b.str("name", &f.name)
            .raw("type", &ty)
            .str("summary", "TODO");
        if let Some(p) = placement {
            b.raw("in", p);
        }
        if clash {
            b.raw("rust_name", &ident);
        }
        let mut sources = BTreeMap::new();
        let h = &f.hints;
        if let Some(word) = &h.required {
            b.raw("required", "true");
            sources.insert("required".to_owned(), format!("catalog: {word}"));
            self.propose("required");
        }
        if let Some(v) = h
            .max_length
            .as_ref()
            .filter(|_| matches!(ty.as_str(), "string" | "list<string>"))
        {
            b.raw("max_length", v.value);
            sources.insert("max_length".to_owned(), format!("catalog: {}", v.from));
            self.propose("max_length");
        }
        if let Some(v) = h.max_items.as_ref().filter(|_| f.list) {
            b.raw("max_items", v.value);
            sources.insert("max_items".to_owned(), format!("catalog: {}", v.from));
            self.propose("max_items");
        }
        for key in sources.keys() {
            derived.insert(key.clone(), "catalog hint: check the docs table".to_owned());
        }
        b.sources(&sources).derived(&derived);
        b.item()
    }

    /// Writes every queued class (and what they reach), then the new enums.
    fn drain_models(&mut self) {
        while let Some(class) = self.queue.pop_first() {
            self.done.insert(class.clone());
            let Some(model) = self.cat.model(&class) else {
                continue;
            };
            let name = model_name(&class);
            let mut fields = String::new();
            let mut seen = BTreeMap::new();
            for f in &model.fields {
                fields += &self.field(f, "  ", None, &name, &mut seen);
            }
            let mut text = format!("name: {name}\nkind: object\nsummary: TODO\n");
            text += &section("fields:", &fields);
            self.model_files.insert(name, text);
            self.report.models += 1;
        }
        break_direct_cycles(&mut self.model_files);
        for (name, values) in std::mem::take(&mut self.enums) {
            let mut text = format!(
                "name: {name}\nkind: enum\nsummary: TODO\nsource: \"catalog: values named in the description\"\nderived:\n  values: \"catalog: proposed from the description; check the docs and whether the list is closed\"\nvalues:\n"
            );
            for v in values {
                text += &format!("  - value: {}\n    summary: TODO\n", scalar(&v));
            }
            self.model_files.insert(name, text);
            self.report.models += 1;
        }
    }
}

/// `header` then the items, or `header []` when there is none.
fn section(header: &str, items: &str) -> String {
    if items.is_empty() {
        format!("{header} []\n")
    } else {
        format!("{header}\n{items}")
    }
}

/// A model that contains itself without a list in between cannot be a Rust struct;
/// such references are turned into text with a note, to be modelled by hand.
fn break_direct_cycles(files: &mut BTreeMap<String, String>) {
    let edges = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.trim().strip_prefix("type: "))
            .filter(|t| t.starts_with(|c: char| c.is_ascii_uppercase()))
            .map(str::to_owned)
            .collect()
    };
    let names: Vec<String> = files.keys().cloned().collect();
    for name in names {
        loop {
            let graph: BTreeMap<String, Vec<String>> =
                files.iter().map(|(k, v)| (k.clone(), edges(v))).collect();
            let back = graph
                .get(&name)
                .and_then(|outs| outs.iter().find(|t| reaches(&graph, t, &name)).cloned());
            let Some(target) = back else { break };
            let Some(text) = files.get_mut(&name) else {
                break;
            };
            let from = format!("type: {target}\n");
            if !text.contains(&from) {
                break;
            }
            *text = text.replacen(
                &from,
                "type: string # TODO: recursive reference, model by hand\n",
                1,
            );
        }
    }
}

fn reaches(graph: &BTreeMap<String, Vec<String>>, from: &str, target: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_owned()];
    while let Some(n) = stack.pop() {
        if n == target {
            return true;
        }
        if seen.insert(n.clone()) {
            if let Some(next) = graph.get(&n) {
                stack.extend(next.iter().cloned());
            }
        }
    }
    false
}

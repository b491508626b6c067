//! Spec skeletons from the upstream v2 catalogue (`alipay-v2-catalog.json.gz`, built
//! from Alipay's official .NET SDK), for maintainers adding methods.
//!
//! Only facts are taken: wire names, types, nesting, placement, the official title.
//! Every summary is a `TODO` placeholder to be written in our own words; the loader
//! rejects placeholders unless [`crate::Options::allow_todo`] is set, so a skeleton
//! cannot be committed by accident. Required flags, lengths and enums are not in the
//! catalogue (only in its prose) and must be added by hand from the docs.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Deserialize;

use crate::naming;

/// The part of the catalogue the importer reads. Unknown keys are ignored: the
/// catalogue carries more than a skeleton needs.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Catalog {
    /// Methods by wire name.
    #[serde(default)]
    pub methods: BTreeMap<String, CatMethod>,
    /// Domain models by class name.
    #[serde(default)]
    pub models: BTreeMap<String, CatModel>,
    /// Responses by method name.
    #[serde(default)]
    pub responses: BTreeMap<String, CatResponse>,
}

/// A method of the catalogue.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CatMethod {
    /// API version.
    #[serde(default)]
    pub version: Option<String>,
    /// Multipart upload.
    #[serde(default)]
    pub upload: bool,
    /// Encrypted by default.
    #[serde(default)]
    pub need_encrypt_default: bool,
    /// Has `biz_content`.
    #[serde(default)]
    pub biz_content: bool,
    /// The model of `biz_content`.
    #[serde(default)]
    pub biz_model: Option<String>,
    /// Top-level text params.
    #[serde(default)]
    pub text_params: Vec<CatField>,
    /// File params.
    #[serde(default)]
    pub file_params: Vec<CatField>,
    /// Official title.
    #[serde(default)]
    pub title_v3: Option<String>,
    /// `"POST /v3/..."`.
    #[serde(default)]
    pub v3_route: Option<String>,
}

/// A domain model of the catalogue.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CatModel {
    /// Fields.
    #[serde(default)]
    pub fields: Vec<CatField>,
}

/// A response of the catalogue.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CatResponse {
    /// Fields (without code/msg/sub_code/sub_msg).
    #[serde(default)]
    pub fields: Vec<CatField>,
}

/// A field of the catalogue.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CatField {
    /// Wire name.
    pub name: String,
    /// `string`, `long`, `bool`, `datetime`, `file` or `object`.
    #[serde(default, rename = "type")]
    pub ty: String,
    /// JSON array.
    #[serde(default)]
    pub list: bool,
    /// Model of an object.
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
    /// Item hint of scalar lists (`price`, `number`, …).
    #[serde(default)]
    pub item: Option<String>,
}

/// Why an import failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The method is not in the catalogue.
    #[error(
        "`{0}` is not a method of the catalogue; check the spelling (e.g. `alipay.trade.query`)"
    )]
    UnknownMethod(String),
    /// The group name is unusable.
    #[error(
        "`{0}` is not a usable group name: use a snake_case name declared in spec/groups.yaml"
    )]
    BadGroup(String),
}

/// One skeleton file, relative to the spec folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skeleton {
    /// e.g. `methods/trade/alipay.trade.query.yaml` or `models/GoodsDetail.yaml`.
    pub path: String,
    /// YAML text.
    pub text: String,
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

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

struct Importer<'a> {
    cat: &'a Catalog,
    /// Class names reached, with the direct (non-list) object edges found.
    classes: BTreeSet<String>,
}

impl Importer<'_> {
    fn type_expr(&mut self, f: &CatField) -> String {
        let base = match f.ty.as_str() {
            "long" => "integer".to_owned(),
            "bool" => "boolean".to_owned(),
            "datetime" => "datetime".to_owned(),
            "file" => "file".to_owned(),
            "object" => match &f.reference {
                Some(r) if self.cat.models.contains_key(r) => {
                    self.classes.insert(r.clone());
                    model_name(r)
                }
                // A reference the catalogue does not define: keep the JSON as text.
                _ => "string".to_owned(),
            },
            _ if f.list => match f.item.as_deref() {
                Some("price") => "amount".to_owned(),
                Some("number") => "integer".to_owned(),
                Some("boolean") => "boolean".to_owned(),
                _ => "string".to_owned(),
            },
            _ => "string".to_owned(),
        };
        if f.list && base != "file" {
            format!("list<{base}>")
        } else {
            base
        }
    }

    /// Writes a field list; `skip` names fields to drop (wire names already used).
    fn fields(
        &mut self,
        out: &mut String,
        indent: &str,
        fields: &[CatField],
        placement: Option<&str>,
        seen: &mut BTreeMap<String, String>,
    ) {
        for f in fields {
            if f.name.is_empty() || seen.contains_key(&f.name) {
                continue;
            }
            let ty = self.type_expr(f);
            let ident = naming::field_ident(&f.name);
            let _ = writeln!(out, "{indent}- name: {}", quote(&f.name));
            let _ = writeln!(out, "{indent}  type: {ty}");
            let _ = writeln!(out, "{indent}  summary: \"TODO\"");
            if let Some(p) = placement {
                let _ = writeln!(out, "{indent}  in: {p}");
            }
            // Two wire names with the same Rust name, or none at all: pick one by hand.
            let taken = seen.values().any(|v| v == &ident);
            if ident.is_empty() || taken {
                let alt = format!("field_{}", seen.len());
                let _ = writeln!(out, "{indent}  rust_name: {alt}");
                seen.insert(f.name.clone(), alt);
            } else {
                seen.insert(f.name.clone(), ident);
            }
        }
    }
}

/// Skeletons for `methods` (and every model they reach) in group `group`.
pub fn skeletons(
    cat: &Catalog,
    methods: &[String],
    group: &str,
) -> Result<Vec<Skeleton>, ImportError> {
    if !naming::is_ident(group)
        || !group
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(ImportError::BadGroup(group.to_owned()));
    }
    let mut imp = Importer {
        cat,
        classes: BTreeSet::new(),
    };
    let mut out = Vec::new();
    for name in methods {
        let m = cat
            .methods
            .get(name)
            .ok_or_else(|| ImportError::UnknownMethod(name.clone()))?;
        let mut y = String::new();
        let _ = writeln!(
            y,
            "# Skeleton from the upstream catalogue (`cargo xtask import`). Replace every TODO"
        );
        let _ = writeln!(
            y,
            "# in your own words, add required/max_length/enums from Alipay's docs, set `kind`"
        );
        let _ = writeln!(
            y,
            "# (page/app for browser or app flows) and `common_params`, then add `docs`."
        );
        let _ = writeln!(y, "method: {name}");
        let _ = writeln!(
            y,
            "title: {}",
            quote(m.title_v3.as_deref().unwrap_or("TODO"))
        );
        let _ = writeln!(y, "summary: \"TODO\"");
        let _ = writeln!(y, "group: {group}");
        if let Some(v) = &m.version {
            if v != "1.0" {
                let _ = writeln!(y, "version: {}", quote(v));
            }
        }
        let _ = writeln!(y, "kind: {}", if m.upload { "upload" } else { "server" });
        if m.need_encrypt_default {
            let _ = writeln!(y, "encryptable: true");
        }
        if let Some((verb, path)) = m.v3_route.as_deref().and_then(|r| r.split_once(' ')) {
            let _ = writeln!(y, "v3:\n  method: {verb}\n  path: {}", quote(path));
        }
        let _ = writeln!(y, "request:\n  params:");
        let mut seen = BTreeMap::new();
        let biz = if m.biz_content {
            m.biz_model.as_ref().and_then(|b| cat.models.get(b))
        } else {
            None
        };
        if let Some(model) = biz {
            imp.fields(&mut y, "    ", &model.fields, None, &mut seen);
        }
        let texts: Vec<CatField> = m
            .text_params
            .iter()
            .filter(|f| f.ty != "file")
            .cloned()
            .collect();
        imp.fields(&mut y, "    ", &texts, Some("text"), &mut seen);
        let files: Vec<CatField> = m
            .file_params
            .iter()
            .map(|f| CatField {
                ty: "file".to_owned(),
                list: false,
                ..f.clone()
            })
            .collect();
        imp.fields(&mut y, "    ", &files, Some("file"), &mut seen);
        if seen.is_empty() {
            y = y.replace("request:\n  params:\n", "request:\n  params: []\n");
        }
        let _ = writeln!(y, "response:\n  fields:");
        let mut seen = BTreeMap::new();
        if let Some(r) = cat.responses.get(name) {
            imp.fields(&mut y, "    ", &r.fields, None, &mut seen);
        }
        if seen.is_empty() {
            y = y.replace("response:\n  fields:\n", "response:\n  fields: []\n");
        }
        out.push(Skeleton {
            path: format!("methods/{group}/{name}.yaml"),
            text: y,
        });
    }

    // Models, transitively; each new reference discovered while writing is queued.
    let mut done = BTreeSet::new();
    let mut model_files = BTreeMap::new();
    loop {
        let next = imp.classes.iter().find(|c| !done.contains(*c)).cloned();
        let Some(class) = next else { break };
        done.insert(class.clone());
        let Some(model) = cat.models.get(&class) else {
            continue;
        };
        let name = model_name(&class);
        let mut y = String::new();
        let _ = writeln!(
            y,
            "# Skeleton from the upstream catalogue (`cargo xtask import`): replace every TODO."
        );
        let _ = writeln!(y, "name: {name}\nkind: object\nsummary: \"TODO\"\nfields:");
        let mut seen = BTreeMap::new();
        imp.fields(&mut y, "  ", &model.fields, None, &mut seen);
        if seen.is_empty() {
            y = y.replace("fields:\n", "fields: []\n");
        }
        model_files.insert(name, y);
    }
    break_direct_cycles(&mut model_files);
    for (name, text) in model_files {
        out.push(Skeleton {
            path: format!("models/{name}.yaml"),
            text,
        });
    }
    Ok(out)
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
            // Find a direct edge out of `name` that leads back to it.
            let back = graph
                .get(&name)
                .and_then(|outs| outs.iter().find(|t| reaches(&graph, t, &name)).cloned());
            let Some(target) = back else { break };
            if let Some(text) = files.get_mut(&name) {
                let from = format!("type: {target}\n");
                let to = "type: string # TODO: recursive reference, model by hand\n";
                if !text.contains(&from) {
                    break;
                }
                *text = text.replacen(&from, to, 1);
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, ty: &str, list: bool, r: Option<&str>) -> CatField {
        CatField {
            name: name.into(),
            ty: ty.into(),
            list,
            reference: r.map(Into::into),
            item: None,
        }
    }

    #[test]
    fn imports_method_models_and_breaks_cycles() {
        let mut cat = Catalog::default();
        cat.methods.insert(
            "alipay.demo.query".into(),
            CatMethod {
                biz_content: true,
                biz_model: Some("AlipayDemoQueryModel".into()),
                title_v3: Some("演示查询".into()),
                v3_route: Some("POST /v3/alipay/demo/query".into()),
                ..Default::default()
            },
        );
        cat.models.insert(
            "AlipayDemoQueryModel".into(),
            CatModel {
                fields: vec![
                    field("out_no", "string", false, None),
                    field("count", "long", false, None),
                    field("node", "object", false, Some("Node")),
                    field("outNo", "string", false, None),
                ],
            },
        );
        cat.models.insert(
            "Node".into(),
            CatModel {
                fields: vec![
                    field("children", "object", true, Some("Node")),
                    field("parent", "object", false, Some("Node")),
                ],
            },
        );
        let out = skeletons(&cat, &["alipay.demo.query".into()], "demo").unwrap();
        let paths: Vec<&str> = out.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(
            paths,
            ["methods/demo/alipay.demo.query.yaml", "models/Node.yaml"]
        );
        let m = &out[0].text;
        assert!(m.contains("title: \"演示查询\""), "{m}");
        assert!(m.contains("- name: \"count\"\n      type: integer"), "{m}");
        assert!(m.contains("rust_name: field_3"), "{m}");
        assert!(
            m.contains("v3:\n  method: POST\n  path: \"/v3/alipay/demo/query\""),
            "{m}"
        );
        let node = &out[1].text;
        assert!(node.contains("type: list<Node>"), "{node}");
        assert!(node.contains("type: string # TODO: recursive"), "{node}");
        assert_eq!(
            skeletons(&cat, &["alipay.nope".into()], "demo"),
            Err(ImportError::UnknownMethod("alipay.nope".into()))
        );
    }
}

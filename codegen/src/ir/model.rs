//! Model files: objects (fields and rules) and enums (values).

use std::collections::{BTreeMap, BTreeSet};

use super::cx::{deprecated, fref, shown, Ctx, Cx, FileRef};
use super::shared::Definitions;
use super::source;
use super::{field, rules, EnumValue, Model, ModelKind};
use crate::error::ErrorKind;
use crate::load::Source;
use crate::naming;
use crate::spec::{EnumValueSpec, ModelKindSpec, ModelSpec};

pub fn build_all(
    cx: &mut Cx<'_>,
    defs: &Definitions<'_>,
    raw: &[Source<ModelSpec>],
    families: Option<&BTreeSet<String>>,
) -> Vec<Model> {
    let mut models: Vec<Model> = raw
        .iter()
        .filter_map(|m| build(cx, defs, m, families))
        .collect();
    models.sort_by(|a, b| a.name.cmp(&b.name));
    models.dedup_by(|a, b| a.name == b.name);
    models
}

fn build(
    cx: &mut Cx<'_>,
    defs: &Definitions<'_>,
    m: &Source<ModelSpec>,
    families: Option<&BTreeSet<String>>,
) -> Option<Model> {
    let file = fref(m);
    let v = &m.value;
    let at = [("name", None)];
    if let Some(f) = &v.family {
        if families.is_some_and(|fs| !fs.contains(f)) {
            let group = f.clone();
            cx.err(
                &file,
                &[("family", None)],
                ErrorKind::UnknownGroup { group },
            );
        }
    }
    if m.stem != v.name {
        cx.err(
            &file,
            &at,
            ErrorKind::FileName {
                expected: format!("{}.yaml", v.name),
            },
        );
    }
    if !naming::is_type_name(&v.name) || naming::PRELUDE.contains(&v.name.as_str()) {
        let message = format!(
            "model name `{}` must be an UpperCamelCase Rust type name that is not in the Rust prelude",
            v.name
        );
        cx.err(&file, &at, ErrorKind::Naming { message });
        return None;
    }
    cx.text(&file, &[("summary", None)], "summary", &v.summary);
    let kind = match v.kind {
        ModelKindSpec::Object => object(cx, defs, &file, v),
        ModelKindSpec::Enum => enumeration(cx, &file, v),
    };
    Some(Model {
        name: v.name.clone(),
        module: naming::type_module(&v.name),
        source: shown(&m.path),
        title: v.title.clone(),
        summary: v.summary.trim().to_owned(),
        description: v.description.as_ref().map(|d| d.trim().to_owned()),
        kind,
        family: v.family.clone(),
        families: BTreeSet::new(),
        in_requests: false,
        in_responses: false,
    })
}

fn object(cx: &mut Cx<'_>, defs: &Definitions<'_>, file: &FileRef<'_>, v: &ModelSpec) -> ModelKind {
    for (key, set) in [
        ("values", v.values.is_some()),
        ("closed", v.closed.is_some()),
        ("final_source", v.final_source.is_some()),
    ] {
        if set {
            cx.invalid(
                file,
                &[(key, None)],
                format!("an object model has `fields`, not `{key}`"),
            );
        }
    }
    let specs = v.fields.as_deref().unwrap_or_default();
    let fields = field::build_list(cx, defs, file, Ctx::Model, "fields", specs, None);
    let one_of = v.one_of.as_deref().unwrap_or_default();
    let when = v.required_when.as_deref().unwrap_or_default();
    let rules = rules::build(cx, file, &fields, one_of, when, None);
    ModelKind::Object { fields, rules }
}

fn enumeration(cx: &mut Cx<'_>, file: &FileRef<'_>, v: &ModelSpec) -> ModelKind {
    if v.fields.is_some() || v.one_of.is_some() || v.required_when.is_some() {
        cx.invalid(
            file,
            &[("fields", None)],
            "an enum model has `values`, not `fields` or rules".into(),
        );
    }
    let specs = v.values.as_deref().unwrap_or_default();
    if specs.is_empty() {
        cx.invalid(
            file,
            &[("values", None)],
            "an enum needs at least one value".into(),
        );
    }
    let closed = v.closed == Some(true);
    match &v.source {
        Some(text) => model_source(cx, file, "source", text),
        None if closed => {
            let (field, key) = (v.name.clone(), "closed".to_owned());
            cx.err(
                file,
                &[("closed", None)],
                ErrorKind::MissingSource { field, key },
            );
        }
        None => {}
    }
    let any_final = specs.iter().any(|ev| ev.is_final);
    match &v.final_source {
        Some(text) if any_final => model_source(cx, file, "final_source", text),
        Some(_) => cx.invalid(
            file,
            &[("final_source", None)],
            "`final_source` without a value marked `final: true`".into(),
        ),
        None if any_final => cx.invalid(
            file,
            &[("values", None)],
            "values marked `final: true` need `final_source:` saying where the end states come from".into(),
        ),
        None => {}
    }
    let mut values = Vec::new();
    let mut variants = BTreeMap::new();
    for ev in specs {
        if let Some(value) = enum_value(cx, file, ev, &values, &mut variants) {
            values.push(value);
        }
    }
    ModelKind::Enum {
        values,
        closed,
        source: v.source.clone(),
    }
}

/// Checks a model-level source (`source`, `final_source`): a model has no docs page of
/// its own, so `docs` must name one.
fn model_source(cx: &mut Cx<'_>, file: &FileRef<'_>, key: &'static str, text: &str) {
    source::check_text(cx, file, &[(key, None)], text, false);
}

fn enum_value(
    cx: &mut Cx<'_>,
    file: &FileRef<'_>,
    ev: &EnumValueSpec,
    done: &[EnumValue],
    variants: &mut BTreeMap<String, String>,
) -> Option<EnumValue> {
    let at = [("values", None), ("value", Some(ev.value.as_str()))];
    cx.text(
        file,
        &[at[0], at[1], ("summary", None)],
        "value summary",
        &ev.summary,
    );
    if done.iter().any(|d| d.value == ev.value) {
        let name = ev.value.clone();
        cx.err(
            file,
            &[at[0], at[1], at[1]],
            ErrorKind::Duplicate {
                what: "enum value",
                name,
            },
        );
        return None;
    }
    let variant = match &ev.rust_name {
        Some(r) => {
            if !naming::is_type_name(r) || r == "Unknown" {
                let message = format!(
                    "rust_name `{r}` must be an UpperCamelCase identifier other than `Unknown`"
                );
                cx.err(file, &at, ErrorKind::Naming { message });
            }
            r.clone()
        }
        None => naming::variant_ident(&ev.value),
    };
    if !naming::is_type_name(&variant) {
        let message = format!(
            "enum value `{}` gives no Rust variant name: add `rust_name`",
            ev.value
        );
        cx.err(file, &at, ErrorKind::Naming { message });
        return None;
    }
    if let Some(prev) = variants.insert(variant.clone(), ev.value.clone()) {
        let message = format!(
            "values `{prev}` and `{}` both become variant `{variant}`: give one a `rust_name`",
            ev.value
        );
        cx.err(file, &at, ErrorKind::Naming { message });
        return None;
    }
    Some(EnumValue {
        value: ev.value.clone(),
        variant,
        summary: ev.summary.trim().to_owned(),
        deprecated: deprecated(&ev.deprecated),
        is_final: ev.is_final,
    })
}

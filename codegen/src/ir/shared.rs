//! Shared field definitions (`spec/fields/*.yaml`) and their uses (`- use: <id>`).
//!
//! A use inherits every key of its definition and may override any but `id`, `name` and
//! `type`. Sources follow the constraint: an inherited constraint keeps the definition's
//! source, an overridden one needs the use's own.

use std::collections::BTreeMap;

use super::cx::{fref, Ctx, Cx, FileRef};
use super::field;
use super::source::{self, CONSTRAINT_KEYS};
use crate::error::ErrorKind;
use crate::load::Source;
use crate::spec::{FieldSpec, FieldsFile};

/// A definition and the file it was read from.
pub struct Definition<'a> {
    pub spec: &'a FieldSpec,
    pub file: FileRef<'a>,
}

/// Every shared definition, by id.
#[derive(Default)]
pub struct Definitions<'a> {
    pub by_id: BTreeMap<String, Definition<'a>>,
}

impl<'a> Definitions<'a> {
    /// Reads every definition, checking each one on its own (types, summary, sources).
    pub fn collect(cx: &mut Cx<'_>, files: &'a [Source<FieldsFile>]) -> Self {
        let mut by_id: BTreeMap<String, Definition<'a>> = BTreeMap::new();
        for f in files {
            let file = fref(f);
            for spec in &f.value.fields {
                let Some(name) = spec.name.as_deref() else {
                    let at = [("fields", None), ("use", spec.uses.as_deref())];
                    cx.invalid(
                        &file,
                        &at,
                        "a shared definition needs `name` and `type` (and cannot `use` another)"
                            .into(),
                    );
                    continue;
                };
                let id = spec.id.clone().unwrap_or_else(|| name.to_owned());
                let at = [("fields", None), ("name", Some(name))];
                if spec.uses.is_some() {
                    cx.invalid(
                        &file,
                        &at,
                        "a shared definition cannot `use` another one".into(),
                    );
                }
                if let Some(prev) = by_id.get(&id) {
                    let what = format!("shared field id (also in {})", prev.file.path.display());
                    cx.err(
                        &file,
                        &at,
                        ErrorKind::Invalid {
                            message: format!("duplicate {what} `{id}`: give one an `id`"),
                        },
                    );
                    continue;
                }
                // Checked once here; every use is checked again in its own context.
                let mut sources = BTreeMap::new();
                own_sources(cx, &file, spec, name, &mut sources);
                field::check(cx, &file, Ctx::Definition, "fields", spec, sources, None);
                by_id.insert(id, Definition { spec, file });
            }
        }
        Definitions { by_id }
    }

    /// Resolves a field as written in a method, model or notification: a plain field is
    /// returned as is with its sources; a use is merged with its definition.
    pub fn resolve(
        &self,
        cx: &mut Cx<'_>,
        file: &FileRef<'_>,
        section: &str,
        spec: &FieldSpec,
    ) -> Option<(FieldSpec, BTreeMap<String, String>)> {
        let Some(id) = &spec.uses else {
            let name = spec.name.clone().unwrap_or_default();
            let mut sources = BTreeMap::new();
            own_sources(cx, file, spec, &name, &mut sources);
            return Some((spec.clone(), sources));
        };
        let at = [(section, None), ("use", Some(id.as_str()))];
        let Some(def) = self.by_id.get(id) else {
            let message = format!(
                "`use: {id}` names no shared definition: add it under spec/fields/ or fix the id"
            );
            cx.err(file, &at, ErrorKind::Invalid { message });
            return None;
        };
        for (key, set) in [
            ("id", spec.id.is_some()),
            ("name", spec.name.is_some()),
            ("type", spec.ty.is_some()),
        ] {
            if set {
                let message = format!(
                    "a use cannot override `{key}`: define a separate shared field instead"
                );
                cx.err(file, &at, ErrorKind::Invalid { message });
            }
        }
        let merged = merge(def.spec, spec);
        let name = merged.name.clone().unwrap_or_default();
        // Inherited constraints keep the definition's sources; overridden ones need the use's.
        let mut sources = BTreeMap::new();
        let overridden = present(spec);
        let inherited: Vec<&'static str> = present(&merged)
            .into_iter()
            .filter(|k| !overridden.contains(k))
            .collect();
        source::resolve(
            &inherited,
            def.spec.source.as_deref(),
            &def.spec.sources,
            &mut sources,
        );
        let missing = source::resolve(
            &present(&merged)
                .into_iter()
                .filter(|k| overridden.contains(k))
                .collect::<Vec<_>>(),
            spec.source.as_deref(),
            &spec.sources,
            &mut sources,
        );
        for key in missing {
            cx.err(
                file,
                &at,
                ErrorKind::MissingSource {
                    field: name.clone(),
                    key: key.to_owned(),
                },
            );
        }
        check_source_texts(cx, file, &at, spec);
        Some((merged, sources))
    }
}

/// Sources of a field written in place: every constraint must be covered.
fn own_sources(
    cx: &mut Cx<'_>,
    file: &FileRef<'_>,
    spec: &FieldSpec,
    name: &str,
    out: &mut BTreeMap<String, String>,
) {
    let at = [("name", Some(name))];
    let missing = source::resolve(&present(spec), spec.source.as_deref(), &spec.sources, out);
    for key in missing {
        cx.err(
            file,
            &at,
            ErrorKind::MissingSource {
                field: name.to_owned(),
                key: key.to_owned(),
            },
        );
    }
    check_source_texts(cx, file, &at, spec);
}

fn check_source_texts(
    cx: &mut Cx<'_>,
    file: &FileRef<'_>,
    at: &[(&str, Option<&str>)],
    spec: &FieldSpec,
) {
    for key in spec.sources.keys() {
        if !CONSTRAINT_KEYS.contains(&key.as_str()) {
            let message = format!(
                "`sources` key `{key}` is not a constraint: use one of {}",
                CONSTRAINT_KEYS.join(", ")
            );
            cx.err(file, at, ErrorKind::Invalid { message });
        }
    }
    // Whether `docs` has a page to point at is judged where the field is used.
    for text in spec.source.iter().chain(spec.sources.values()) {
        source::check_text(cx, file, at, text, true);
    }
}

/// The constraint keys a field sets.
pub fn present(f: &FieldSpec) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut add = |key: &'static str, on: bool| {
        if on {
            out.push(key);
        }
    };
    add("required", f.required == Some(true));
    add("min_length", f.min_length.is_some());
    add("max_length", f.max_length.is_some());
    add("pattern", f.pattern.is_some());
    add("range", f.range.is_some());
    add("max_items", f.max_items.is_some());
    add("max_bytes", f.max_bytes.is_some());
    add("values", f.values.is_some());
    add("closed", f.closed == Some(true));
    add("default", f.default.is_some());
    add("fixed", f.fixed.is_some());
    add("clearable", f.clearable == Some(true));
    out
}

/// The definition with the use's keys on top.
fn merge(def: &FieldSpec, over: &FieldSpec) -> FieldSpec {
    fn pick<T: Clone>(a: &Option<T>, b: &Option<T>) -> Option<T> {
        b.clone().or_else(|| a.clone())
    }
    let mut derived = def.derived.clone();
    derived.extend(over.derived.clone());
    FieldSpec {
        uses: over.uses.clone(),
        id: def.id.clone(),
        name: def.name.clone(),
        ty: def.ty.clone(),
        summary: pick(&def.summary, &over.summary),
        description: pick(&def.description, &over.description),
        required: pick(&def.required, &over.required),
        placement: pick(&def.placement, &over.placement),
        max_length: pick(&def.max_length, &over.max_length),
        min_length: pick(&def.min_length, &over.min_length),
        range: pick(&def.range, &over.range),
        max_items: pick(&def.max_items, &over.max_items),
        default: pick(&def.default, &over.default),
        fixed: pick(&def.fixed, &over.fixed),
        clearable: pick(&def.clearable, &over.clearable),
        pattern: pick(&def.pattern, &over.pattern),
        max_bytes: pick(&def.max_bytes, &over.max_bytes),
        values: pick(&def.values, &over.values),
        closed: pick(&def.closed, &over.closed),
        deprecated: pick(&def.deprecated, &over.deprecated),
        example: pick(&def.example, &over.example),
        rust_name: pick(&def.rust_name, &over.rust_name),
        source: None,
        sources: BTreeMap::new(),
        derived,
    }
}

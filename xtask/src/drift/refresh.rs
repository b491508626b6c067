//! `cargo xtask catalog refresh`: the catalogue updated from the official Python SDK.
//!
//! The wheel declares names, nesting and list-ness, not scalar types, descriptions or
//! the docs navigation. So a refresh changes only what the wheel says differently:
//! - a field the wheel adds is added (`origin: python-sdk`; type `string`, or `object` with
//!   its model, which is added too); a field whose list-ness or model changed is updated
//!   the same way, keeping its scalar type;
//! - a field, method or model the wheel lacks is kept and marked `origin: kept`, so the
//!   drift report stops listing it and a reviewer sees it is no longer confirmed;
//! - methods the wheel has next to covered ones are recorded in `source.json` →
//!   `uncovered` (not added: the catalogue follows the docs navigation);
//! - everything else (types, hints, navigation) stays as it was.

use std::collections::BTreeSet;

use alipay_codegen::catalog::{
    Catalog, Field, FieldHints, FieldType, Model, Upstream, ORIGIN_KEPT,
};

use super::compare::new_methods;
use super::wheel::{PyField, Wheel};

/// Name of the Python SDK upstream in `source.json` → `upstreams`.
pub const PYTHON_SDK: &str = "python-sdk";

fn origin(name: &str) -> Option<String> {
    Some(name.to_owned())
}

fn new_field(t: &PyField, ty: FieldType) -> Field {
    Field {
        name: t.name.clone(),
        ty: if t.reference.is_some() {
            FieldType::Object
        } else {
            ty
        },
        list: t.list,
        reference: t.reference.clone(),
        item: None,
        hints: FieldHints::default(),
        origin: origin(PYTHON_SDK),
    }
}

/// Brings `ours` in line with `theirs`; `scalar` is the type of a field the wheel adds.
fn merge(ours: &mut Vec<Field>, theirs: &[PyField], scalar: FieldType) {
    for f in ours.iter_mut() {
        let Some(t) = theirs.iter().find(|t| t.name == f.name) else {
            f.origin = origin(ORIGIN_KEPT);
            continue;
        };
        if f.list != t.list || f.reference != t.reference {
            f.list = t.list;
            f.reference = t.reference.clone();
            f.ty = match (&t.reference, f.ty) {
                (Some(_), _) => FieldType::Object,
                (None, FieldType::Object) => FieldType::String,
                (None, ty) => ty,
            };
            f.origin = origin(PYTHON_SDK);
        } else if f.origin.as_deref() == Some(ORIGIN_KEPT) {
            f.origin = None;
        }
    }
    for t in theirs {
        if !ours.iter().any(|f| f.name == t.name) {
            ours.push(new_field(t, scalar));
        }
    }
}

/// The catalogue refreshed from `wheel` (whose file has SHA-256 `sha256`).
pub fn refresh(cat: &Catalog, wheel: &Wheel, sha256: &str) -> Catalog {
    let mut out = cat.clone();
    for (name, m) in out.methods.iter_mut() {
        let Some(py) = wheel.methods.get(name) else {
            m.origin = origin(ORIGIN_KEPT);
            continue;
        };
        if m.biz_model != py.biz_model || py.version.as_ref().is_some_and(|v| *v != m.version) {
            m.biz_model = py.biz_model.clone();
            m.biz_content = m.biz_model.is_some() || m.biz_content;
            m.version = py.version.clone().unwrap_or_else(|| m.version.clone());
            m.origin = origin(PYTHON_SDK);
        } else if m.origin.as_deref() == Some(ORIGIN_KEPT) {
            m.origin = None;
        }
        merge(&mut m.text_params, &py.text_params, FieldType::String);
        let files: Vec<PyField> = (py.file_params.iter())
            .map(|f| PyField {
                name: f.clone(),
                list: false,
                reference: None,
            })
            .collect();
        merge(&mut m.file_params, &files, FieldType::File);
        if let Some(resp) = &py.response {
            merge(&mut m.response.fields, resp, FieldType::String);
        }
    }
    for (class, model) in out.models.iter_mut() {
        match wheel.models.get(class) {
            Some(theirs) => {
                merge(&mut model.fields, theirs, FieldType::String);
                if model.origin.as_deref() == Some(ORIGIN_KEPT) {
                    model.origin = None;
                }
            }
            None => model.origin = origin(ORIGIN_KEPT),
        }
    }
    add_new_models(&mut out, wheel);
    prune_unreachable(&mut out);

    let seen = new_methods(wheel, cat).into_iter().map(str::to_owned);
    let still: Vec<String> = (cat.source.uncovered.iter())
        .filter(|m| wheel.methods.contains_key(*m))
        .cloned()
        .collect();
    let uncovered: BTreeSet<String> = seen.chain(still).collect();
    out.source.uncovered = uncovered.into_iter().collect();
    out.source.upstreams.insert(
        PYTHON_SDK.to_owned(),
        Upstream {
            name: "pypi.org/project/alipay-sdk-python".into(),
            version: wheel.version.clone(),
            date: None,
            license: "Apache-2.0".into(),
            paths: vec![
                "alipay/aop/api/request/*.py".into(),
                "alipay/aop/api/response/*.py".into(),
                "alipay/aop/api/domain/*.py".into(),
            ],
            input_sha256: sha256.to_owned(),
        },
    );
    out.source.generated_by = "cargo xtask catalog refresh".into();
    out.source.counts = out.count();
    out
}

/// Models the refreshed fields refer to that the catalogue lacks, from the wheel.
fn add_new_models(cat: &mut Catalog, wheel: &Wheel) {
    loop {
        let missing: BTreeSet<String> = (cat.methods.values())
            .flat_map(|m| {
                m.biz_model
                    .iter()
                    .cloned()
                    .chain(m.fields().filter_map(|f| f.reference.clone()))
            })
            .chain(
                cat.models
                    .values()
                    .flat_map(|m| m.fields.iter().filter_map(|f| f.reference.clone())),
            )
            .filter(|c| !cat.models.contains_key(c))
            .collect();
        if missing.is_empty() {
            return;
        }
        for class in missing {
            let fields = wheel.models.get(&class).map_or(&[][..], |f| &f[..]);
            let model = Model {
                fields: fields
                    .iter()
                    .map(|t| new_field(t, FieldType::String))
                    .collect(),
                origin: origin(PYTHON_SDK),
            };
            cat.models.insert(class, model);
        }
    }
}

/// Drops models no method reaches any more (a field's model changed).
fn prune_unreachable(cat: &mut Catalog) {
    let reached: BTreeSet<String> = (cat.methods.keys())
        .flat_map(|m| cat.models_of_method(m).into_iter().map(str::to_owned))
        .collect();
    cat.models.retain(|class, _| reached.contains(class));
}

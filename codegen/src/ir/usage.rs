//! Checks and facts that need the whole spec: models that contain themselves, and which
//! families (cargo features) and which sides (requests, responses) use each model.

use std::collections::{BTreeMap, BTreeSet};

use super::cx::{fref, Cx};
use super::{Family, Method, Model, ModelKind, Notification, Ty};
use crate::load::RawSpec;

/// Models that contain themselves without a list in between would be infinitely large.
pub fn check_recursion(cx: &mut Cx<'_>, raw: &RawSpec, models: &[Model]) {
    let direct: BTreeMap<String, BTreeSet<String>> = models
        .iter()
        .map(|m| {
            let mut out = BTreeSet::new();
            for f in object_fields(m) {
                direct_refs(&f.ty, &mut out);
            }
            (m.name.clone(), out)
        })
        .collect();
    for m in models {
        if reaches(&direct, &m.name, &m.name) {
            if let Some(s) = raw.models.iter().find(|s| s.value.name == m.name) {
                let message = format!(
                    "model `{}` contains itself through fields that are not lists; make one of them a list",
                    m.name
                );
                cx.invalid(&fref(s), &[("name", None)], message);
            }
        }
    }
}

fn object_fields(m: &Model) -> &[super::Field] {
    match &m.kind {
        ModelKind::Object { fields, .. } => fields,
        ModelKind::Enum { .. } => &[],
    }
}

/// References that are stored inline (not behind a `Vec`).
fn direct_refs(ty: &Ty, out: &mut BTreeSet<String>) {
    match ty {
        Ty::Object(n) => {
            out.insert(n.clone());
        }
        Ty::Json(t) => direct_refs(t, out),
        _ => {}
    }
}

fn reaches(graph: &BTreeMap<String, BTreeSet<String>>, from: &str, target: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&str> = graph
        .get(from)
        .map(|s| s.iter().map(String::as_str).collect())
        .unwrap_or_default();
    while let Some(n) = stack.pop() {
        if n == target {
            return true;
        }
        if seen.insert(n) {
            if let Some(next) = graph.get(n) {
                stack.extend(next.iter().map(String::as_str));
            }
        }
    }
    false
}

/// Every model reachable from `roots`, through nested models.
fn closure(uses: &BTreeMap<String, BTreeSet<String>>, roots: BTreeSet<String>) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    let mut stack: Vec<String> = roots.into_iter().collect();
    while let Some(n) = stack.pop() {
        if set.insert(n.clone()) {
            if let Some(next) = uses.get(&n) {
                stack.extend(next.iter().cloned());
            }
        }
    }
    set
}

fn refs<'a>(fields: impl IntoIterator<Item = &'a super::Field>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for f in fields {
        f.ty.refs(&mut out);
    }
    out
}

/// Records on each model the families and sides that use it, and on each family its models.
pub fn assign(
    families: &mut [Family],
    models: &mut [Model],
    methods: &[Method],
    notes: &[Notification],
) {
    let uses: BTreeMap<String, BTreeSet<String>> = models
        .iter()
        .map(|m| (m.name.clone(), refs(object_fields(m))))
        .collect();
    let mut per_family: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut requests = BTreeSet::new();
    let mut responses = BTreeSet::new();
    for m in methods {
        let req = closure(&uses, refs(&m.params));
        let resp = closure(&uses, refs(&m.response));
        let fam = per_family.entry(m.family.clone()).or_default();
        fam.extend(req.iter().cloned());
        fam.extend(resp.iter().cloned());
        requests.extend(req);
        responses.extend(resp);
    }
    for n in notes {
        let set = closure(&uses, refs(&n.fields));
        per_family
            .entry(n.family.clone())
            .or_default()
            .extend(set.iter().cloned());
        responses.extend(set);
    }
    // A model placed in a family by the spec; it is read, like a response.
    for m in models.iter().filter(|m| m.family.is_some()) {
        let set = closure(&uses, BTreeSet::from([m.name.clone()]));
        let family = m.family.clone().unwrap_or_default();
        per_family
            .entry(family)
            .or_default()
            .extend(set.iter().cloned());
        responses.extend(set);
    }
    for m in models.iter_mut() {
        m.families = per_family
            .iter()
            .filter(|(_, s)| s.contains(&m.name))
            .map(|(f, _)| f.clone())
            .collect();
        m.in_requests = requests.contains(&m.name);
        m.in_responses = responses.contains(&m.name);
    }
    for f in families.iter_mut() {
        f.models = per_family
            .get(&f.name)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
    }
}

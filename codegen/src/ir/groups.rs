//! `groups.yaml`: the method families (features and modules) and the docs products
//! (alias features over the families their methods use).

use std::collections::BTreeSet;

use super::cx::{fref, Cx};
use super::{Family, Ir, Product};
use crate::error::{locate, ErrorKind, SpecErrors};
use crate::load::RawSpec;
use crate::naming;

/// Names the crate's manifest already uses for other features or modules.
const RESERVED: &[&str] = &[
    "models", "full", "default", "aws-lc", "blocking", "schema", "client", "types",
];

fn feature_name_ok(name: &str) -> bool {
    naming::is_ident(name)
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RESERVED.contains(&name)
}

pub fn build(raw: &RawSpec, errors: &mut SpecErrors) -> (Vec<Family>, Vec<Product>) {
    let Some(gs) = &raw.groups else {
        return (Vec::new(), Vec::new());
    };
    let mut names = BTreeSet::new();
    let report = |errors: &mut SpecErrors, name: &str, kind: ErrorKind| {
        let line = locate(&gs.text, &[("name", Some(name))]);
        errors.push(&gs.path, line, kind);
    };
    let mut families = Vec::new();
    for f in &gs.value.families {
        if !names.insert(f.name.clone()) {
            report(
                errors,
                &f.name,
                ErrorKind::Duplicate {
                    what: "family or product",
                    name: f.name.clone(),
                },
            );
            continue;
        }
        if !feature_name_ok(&f.name) {
            let message = format!(
                "family name `{}` must be a snake_case Rust identifier other than {}",
                f.name,
                RESERVED.join(", ")
            );
            report(errors, &f.name, ErrorKind::Naming { message });
        }
        families.push(Family {
            name: f.name.clone(),
            title: f.title.trim().to_owned(),
            summary: f.summary.trim().to_owned(),
            models: Vec::new(),
        });
    }
    let mut products = Vec::new();
    for p in &gs.value.products {
        if !names.insert(p.name.clone()) {
            report(
                errors,
                &p.name,
                ErrorKind::Duplicate {
                    what: "family or product",
                    name: p.name.clone(),
                },
            );
            continue;
        }
        if !feature_name_ok(&p.name) {
            let message = format!(
                "product name `{}` must be a snake_case feature name",
                p.name
            );
            report(errors, &p.name, ErrorKind::Naming { message });
        }
        products.push(Product {
            name: p.name.clone(),
            title: p.title.trim().to_owned(),
            nav: p.nav.trim().to_owned(),
            methods: p.methods.clone(),
            notifications: p.notifications.clone(),
            families: Vec::new(),
            missing: Vec::new(),
        });
    }
    (families, products)
}

/// Each product's feature turns on the families of its specced methods and notifications.
pub fn resolve_products(cx: &mut Cx<'_>, raw: &RawSpec, ir: &mut Ir) {
    let Some(gs) = &raw.groups else { return };
    let file = fref(gs);
    for p in &mut ir.products {
        let mut fams = BTreeSet::new();
        let mut missing = Vec::new();
        for m in &p.methods {
            match ir.methods.binary_search_by(|x| x.wire.as_str().cmp(m)) {
                Ok(i) => {
                    fams.insert(ir.methods[i].family.clone());
                }
                Err(_) => missing.push(m.clone()),
            }
        }
        for n in &p.notifications {
            // The navigation names notifications by title, sometimes with 接口 appended.
            let title = n.trim_end_matches("接口");
            match ir
                .notifications
                .iter()
                .find(|x| &x.name == n || x.title.trim_end_matches("接口") == title)
            {
                Some(x) => {
                    fams.insert(x.family.clone());
                }
                None => missing.push(n.clone()),
            }
        }
        if fams.is_empty() {
            let message = format!("product `{}` has no method or notification in the spec yet: leave it out until one is", p.name);
            cx.invalid(&file, &[("name", Some(p.name.as_str()))], message);
        }
        p.families = fams.into_iter().collect();
        p.missing = missing;
    }
}

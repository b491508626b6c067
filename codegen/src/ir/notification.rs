//! Notification files: identity, delivery and fields.

use std::collections::BTreeSet;

use super::cx::{fref, shown, Ctx, Cx, FileRef};
use super::shared::Definitions;
use super::{field, Delivery, Notification};
use crate::error::ErrorKind;
use crate::load::Source;
use crate::naming;
use crate::spec::{DeliverySpec, NotificationSpec};

pub fn build_all(
    cx: &mut Cx<'_>,
    defs: &Definitions<'_>,
    raw: &[Source<NotificationSpec>],
    families: Option<&BTreeSet<String>>,
) -> Vec<Notification> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for n in raw {
        let file = fref(n);
        let v = &n.value;
        if !identity(cx, &file, n) {
            continue;
        }
        if !seen.insert(v.name.clone()) {
            let name = v.name.clone();
            cx.err(
                &file,
                &[("name", None)],
                ErrorKind::Duplicate {
                    what: "notification",
                    name,
                },
            );
            continue;
        }
        if families.is_some_and(|fs| !fs.contains(&v.family)) {
            cx.err(
                &file,
                &[("family", None)],
                ErrorKind::UnknownGroup {
                    group: v.family.clone(),
                },
            );
        }
        cx.text(&file, &[("summary", None)], "summary", &v.summary);
        cx.text(&file, &[("title", None)], "title", &v.title);
        let Some(delivery) = delivery(cx, &file, v) else {
            continue;
        };
        let docs = v.docs.as_deref();
        let fields = field::build_list(
            cx,
            defs,
            &file,
            Ctx::Notification,
            "fields",
            &v.fields,
            docs,
        );
        out.push(Notification {
            module: format!("notify_{}", naming::type_module(&v.name)),
            name: v.name.clone(),
            source: shown(&n.path),
            title: v.title.trim().to_owned(),
            summary: v.summary.trim().to_owned(),
            description: v.description.as_ref().map(|d| d.trim().to_owned()),
            docs: v.docs.clone(),
            family: v.family.clone(),
            delivery,
            fields,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn identity(cx: &mut Cx<'_>, file: &FileRef<'_>, n: &Source<NotificationSpec>) -> bool {
    let v = &n.value;
    let at = [("name", None)];
    if n.stem != v.name && n.stem != naming::type_module(&v.name) {
        cx.err(
            file,
            &at,
            ErrorKind::FileName {
                expected: format!("{}.yaml", v.name),
            },
        );
    }
    if !naming::is_type_name(&v.name) || naming::PRELUDE.contains(&v.name.as_str()) {
        let message = format!(
            "notification name `{}` must be an UpperCamelCase Rust type name",
            v.name
        );
        cx.err(file, &at, ErrorKind::Naming { message });
        return false;
    }
    true
}

/// The delivery and its one tag: `notify_type` (form), `msg_method` (message) or
/// `action` (json); the other two must be absent.
fn delivery(cx: &mut Cx<'_>, file: &FileRef<'_>, v: &NotificationSpec) -> Option<Delivery> {
    let tags = [&v.notify_type, &v.msg_method, &v.action];
    let (wanted, key, make): (usize, &str, fn(String) -> Delivery) = match v.delivery {
        DeliverySpec::Form => (0, "form` needs `notify_type", Delivery::Form),
        DeliverySpec::Message => (1, "message` needs `msg_method", Delivery::Message),
        DeliverySpec::Json => (2, "json` needs `action", Delivery::Json),
    };
    let others_absent = tags
        .iter()
        .enumerate()
        .all(|(i, t)| i == wanted || t.is_none());
    match tags[wanted] {
        Some(tag) if others_absent => Some(make(tag.clone())),
        _ => {
            let message = format!("`delivery: {key}` and none of the other delivery tags");
            cx.invalid(file, &[("delivery", None)], message);
            None
        }
    }
}

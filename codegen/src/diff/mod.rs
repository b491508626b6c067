//! What a spec change means for users of the generated crate.
//!
//! [`diff`] compares two validated specs ([`Ir`]s, e.g. `spec/` at two git revisions) item
//! by item and classifies each difference by its [`Impact`]: breaking for code written
//! against the older crate (a field becomes required, an enum or a length narrows, an item
//! disappears, a type changes, a method moves to another module), additive (something new,
//! a constraint widened), a fact whose source changed, or documentation only. Each
//! [`Change`] names the generated Rust item it touches, e.g.
//! `alipay_api::trade::AlipayTradePay::subject`. [`Review`] adds the crate versions of both
//! revisions and renders the result as Markdown for a pull request or as JSON;
//! [`bump_needed`] says whether the breaking changes come with the version bump Cargo's
//! semver rules ask for.
//!
//! The comparison is split by concern: `items` pairs families, products, methods,
//! models and notifications and compares their own facts; `fields` compares the fields
//! and the rules across them; `render` writes the report.

mod fields;
mod items;
mod render;
mod rules;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ir::Ir;

pub use render::{bump_needed, Review, Revision};

/// How a change affects code written against the crate generated from the older spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    /// Code that compiled or requests that passed `build()` may stop doing so, or the
    /// same call behaves differently on the wire: needs a semver-breaking version bump.
    Breaking,
    /// New items or wider constraints; existing code keeps working.
    Additive,
    /// A constraint is unchanged but the evidence cited for it changed (or a `derived:`
    /// note was reviewed): worth a reviewer's look, nothing changes for users.
    Source,
    /// Documentation only (summaries, descriptions, examples, titles, deprecation notes,
    /// constraints that only document responses).
    Docs,
}

impl Impact {
    /// Every impact, in report order.
    pub const ALL: [Impact; 4] = [
        Impact::Breaking,
        Impact::Additive,
        Impact::Source,
        Impact::Docs,
    ];

    /// The report's heading for this impact.
    pub fn heading(self) -> &'static str {
        match self {
            Impact::Breaking => "Breaking",
            Impact::Additive => "Additive",
            Impact::Source => "Sources changed",
            Impact::Docs => "Documentation only",
        }
    }
}

/// One difference between two specs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Its impact on users of the crate.
    pub impact: Impact,
    /// What kind of change, e.g. `field required`, `enum value removed`, `method moved`.
    pub kind: &'static str,
    /// The report group: a family name, `shared models`, or `features`.
    pub group: String,
    /// The item in the group: a method's wire name, `model GoodsDetail`,
    /// `notification TradeStatusSync`, `family trade` or `product pc_web_pay`.
    pub item: String,
    /// The generated Rust item, e.g. `alipay_api::trade::AlipayTradePay::subject`, or the
    /// cargo feature for families and products (`feature trade`).
    pub rust: String,
    /// What changed, in Alipay's terms, and what it means for callers.
    pub message: String,
}

/// The report group of shared models (used by more than one family).
pub const SHARED_MODELS: &str = "shared models";
/// The report group of families and products (cargo features).
pub const FEATURES: &str = "features";

/// Every difference between `before` and `after`, grouped by family (in `after`'s
/// `groups.yaml` order), then shared models, then features; within a group methods come
/// first (by wire name), then models, then notifications.
pub fn diff(before: &Ir, after: &Ir) -> Vec<Change> {
    let mut rec = Recorder {
        before,
        after,
        out: Vec::new(),
    };
    items::all(&mut rec);
    let order: Vec<&str> = (after.families.iter().chain(&before.families))
        .map(|f| f.name.as_str())
        .chain([SHARED_MODELS, FEATURES])
        .collect();
    let rank = |g: &str| order.iter().position(|o| *o == g).unwrap_or(order.len());
    let mut out = rec.out;
    out.sort_by_key(|c| rank(&c.group));
    out
}

/// Which side of the wire a field is on: constraints check requests only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// Request params and the fields of models used in requests: `build()` checks them.
    Request,
    /// Response and notification fields: every field is optional in Rust and nothing is
    /// checked, so constraints there only document.
    Response,
}

impl Side {
    /// The impact of a constraint that now accepts less.
    fn narrowed(self) -> Impact {
        match self {
            Side::Request => Impact::Breaking,
            Side::Response => Impact::Docs,
        }
    }

    /// The impact of a constraint that now accepts more.
    fn widened(self) -> Impact {
        match self {
            Side::Request => Impact::Additive,
            Side::Response => Impact::Docs,
        }
    }

    /// [`narrowed`](Self::narrowed) or [`widened`](Self::widened).
    fn impact(self, narrowed: bool) -> Impact {
        if narrowed {
            self.narrowed()
        } else {
            self.widened()
        }
    }
}

/// Where the changes being recorded belong: report group, item and Rust path.
#[derive(Debug, Clone)]
struct Place {
    group: String,
    item: String,
    rust: String,
}

impl Place {
    /// A member of the place's Rust item (a field, variant or setter).
    fn member(&self, name: &str) -> Place {
        Place {
            rust: format!("{}::{name}", self.rust),
            ..self.clone()
        }
    }
}

/// Collects changes while both specs are walked.
struct Recorder<'a> {
    before: &'a Ir,
    after: &'a Ir,
    out: Vec<Change>,
}

impl Recorder<'_> {
    fn push(&mut self, at: &Place, impact: Impact, kind: &'static str, message: String) {
        self.out.push(Change {
            impact,
            kind,
            group: at.group.clone(),
            item: at.item.clone(),
            rust: at.rust.clone(),
            message,
        });
    }

    /// One documentation change naming the keys whose text differs, if any.
    fn docs(&mut self, at: &Place, what: &str, keys: &[(&str, bool)]) {
        let changed: Vec<&str> = keys.iter().filter(|k| k.1).map(|k| k.0).collect();
        if !changed.is_empty() {
            let message = format!("{what}: {} changed", changed.join(", "));
            self.push(at, Impact::Docs, "docs", message);
        }
    }
}

/// An item present on one side, the other or both.
enum Pair<'a, T> {
    Removed(&'a T),
    Added(&'a T),
    Both(&'a T, &'a T),
}

/// Pairs the items of two lists by key: `after`'s items in order (changed or new), then
/// the ones only `before` has.
fn pair<'a, T>(before: &'a [T], after: &'a [T], key: impl Fn(&T) -> &str) -> Vec<Pair<'a, T>> {
    let index =
        |list: &'a [T]| -> BTreeMap<&'a str, &'a T> { list.iter().map(|x| (key(x), x)).collect() };
    let (old, new) = (index(before), index(after));
    let mut out: Vec<Pair<'a, T>> = after
        .iter()
        .map(|a| match old.get(key(a)) {
            Some(&b) => Pair::Both(b, a),
            None => Pair::Added(a),
        })
        .collect();
    out.extend(
        before
            .iter()
            .filter(|b| !new.contains_key(key(b)))
            .map(Pair::Removed),
    );
    out
}

/// The values only `before` has, and the ones only `after` has, each in its list's order.
fn set_diff<'a, T: PartialEq>(before: &'a [T], after: &'a [T]) -> (Vec<&'a T>, Vec<&'a T>) {
    let removed = before.iter().filter(|b| !after.contains(b)).collect();
    let added = after.iter().filter(|a| !before.contains(a)).collect();
    (removed, added)
}

/// `a`, `b` and `c` as Markdown code.
fn code_list<T: AsRef<str>>(items: &[T]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{}`", i.as_ref())).collect();
    quoted.join(", ")
}

/// ` (source: …)` when a source is known.
fn cite(source: Option<&String>) -> String {
    source.map(|s| format!(" ({s})")).unwrap_or_default()
}

//! Fields and the rules across them: one function per kind of change.

use std::collections::BTreeSet;

use super::{cite, code_list, pair, set_diff, Impact, Pair, Place, Recorder, Side};
use crate::ir::{self, Const, Field, Ir, Placement, Range};

/// Compares two field lists (request params, response fields, model or notification
/// fields) of the item at `at`; `label` says what a field is, e.g. `request param`.
pub(super) fn fields(
    rec: &mut Recorder<'_>,
    at: &Place,
    side: Side,
    label: &str,
    before: &[Field],
    after: &[Field],
) {
    for p in pair(before, after, |f| &f.wire) {
        match p {
            Pair::Added(f) => added(rec, &at.member(&f.ident), side, label, f),
            Pair::Removed(f) => {
                let what = match side {
                    Side::Request => "its struct field and setter disappear",
                    Side::Response => "its struct field disappears",
                };
                let message = format!("{label} `{}` is removed: {what}", f.wire);
                rec.push(
                    &at.member(&f.ident),
                    Impact::Breaking,
                    "field removed",
                    message,
                );
            }
            Pair::Both(b, a) => {
                let mut cx = FieldCx {
                    rec: &mut *rec,
                    at: at.member(&a.ident),
                    side,
                    label: format!("{label} `{}`", a.wire),
                    b,
                    a,
                };
                cx.compare();
            }
        }
    }
}

fn added(rec: &mut Recorder<'_>, at: &Place, side: Side, label: &str, f: &Field) {
    let ty = f.ty.expr();
    if side == Side::Request && f.required && f.default.is_none() && f.fixed.is_none() {
        let source = cite(f.sources.get("required"));
        let message = format!(
            "new required {label} `{}` (`{ty}`){source}: `build()` fails until callers set it",
            f.wire
        );
        rec.push(at, Impact::Breaking, "required field added", message);
    } else {
        let message = format!("new optional {label} `{}` (`{ty}`)", f.wire);
        rec.push(at, Impact::Additive, "field added", message);
    }
}

/// One field on both sides.
struct FieldCx<'r, 'a, 'f> {
    rec: &'r mut Recorder<'a>,
    at: Place,
    side: Side,
    /// e.g. "request param `subject`".
    label: String,
    b: &'f Field,
    a: &'f Field,
}

impl FieldCx<'_, '_, '_> {
    fn compare(&mut self) {
        self.rust_name();
        self.ty();
        self.placement();
        self.required();
        self.bounds();
        self.pattern();
        self.enum_values();
        let (b, a) = (self.b, self.a);
        self.constant("default", &b.default, &a.default);
        self.constant("fixed", &b.fixed, &a.fixed);
        self.clearable();
        self.sources();
        self.derived();
        let label = self.label.clone();
        self.rec.docs(
            &self.at,
            &label,
            &[
                ("summary", b.summary != a.summary),
                ("description", b.description != a.description),
                ("example", b.example != a.example),
                ("deprecation", b.deprecated != a.deprecated),
            ],
        );
    }

    fn push(&mut self, impact: Impact, kind: &'static str, what: String) {
        let message = format!("{}: {what}", self.label);
        self.rec.push(&self.at, impact, kind, message);
    }

    /// The source now cited for a constraint key.
    fn source(&self, key: &str) -> String {
        cite(self.a.sources.get(key).or(self.b.sources.get(key)))
    }

    /// What a narrowed or widened constraint means on this side.
    fn consequence(&self, narrowed: bool) -> &'static str {
        match (self.side, narrowed) {
            (Side::Request, true) => "`build()` refuses values it used to accept",
            (Side::Request, false) => "`build()` accepts more values",
            (Side::Response, _) => "responses are not checked, so this only documents",
        }
    }

    fn impact(&self, narrowed: bool) -> Impact {
        self.side.impact(narrowed)
    }

    fn rust_name(&mut self) {
        if self.b.ident != self.a.ident {
            let what = format!(
                "its Rust name changes from `{}` to `{}`",
                self.b.ident, self.a.ident
            );
            self.push(Impact::Breaking, "rust name", what);
        }
    }

    fn ty(&mut self) {
        if self.b.ty != self.a.ty {
            let what = format!(
                "type changes from `{}` to `{}`",
                self.b.ty.expr(),
                self.a.ty.expr()
            );
            self.push(Impact::Breaking, "type", what);
        }
    }

    fn placement(&mut self) {
        let name = |p: Placement| match p {
            Placement::Biz => "a `biz_content` member",
            Placement::Text => "a form field of its own",
            Placement::File => "a multipart file part",
        };
        if self.side == Side::Request && self.b.placement != self.a.placement {
            let what = format!(
                "now travels as {} instead of {}",
                name(self.a.placement),
                name(self.b.placement)
            );
            self.push(Impact::Breaking, "placement", what);
        }
    }

    fn required(&mut self) {
        let (b, a) = (self.b.required, self.a.required);
        if b == a {
            return;
        }
        let source = self.source("required");
        let what = match (self.side, a) {
            (Side::Request, true) => {
                format!("is now required{source}: `build()` fails until callers set it")
            }
            (Side::Request, false) => format!("is no longer required{source}"),
            (Side::Response, true) => format!(
                "is documented as always present{source} (the Rust field stays an `Option`)"
            ),
            (Side::Response, false) => {
                format!("is no longer documented as always present{source}")
            }
        };
        let kind = if a {
            "field required"
        } else {
            "field optional"
        };
        self.push(self.impact(a), kind, what);
    }

    /// Lengths, list sizes, file sizes and ranges: a lower bound that rises or an upper
    /// bound that falls (or appears) narrows, the opposite widens.
    fn bounds(&mut self) {
        let len = |n: Option<usize>| n.map(|v| v as i128);
        let (b, a) = (self.b, self.a);
        let plain = |v: i128| v.to_string();
        self.bound(
            "min_length",
            "minimum length",
            false,
            len(b.min_length),
            len(a.min_length),
            &plain,
        );
        self.bound(
            "max_length",
            "maximum length",
            true,
            len(b.max_length),
            len(a.max_length),
            &plain,
        );
        self.bound(
            "max_items",
            "maximum list size",
            true,
            len(b.max_items),
            len(a.max_items),
            &plain,
        );
        let bytes = |n: Option<u64>| n.map(i128::from);
        self.bound(
            "max_bytes",
            "maximum file size in bytes",
            true,
            bytes(b.max_bytes),
            bytes(a.max_bytes),
            &plain,
        );
        let (rb, ra) = (range_parts(b.range.as_ref()), range_parts(a.range.as_ref()));
        // Integer and amount ranges only differ when the type changed, reported above.
        if rb.2 == ra.2 || b.range.is_none() || a.range.is_none() {
            let amount = rb.2 || ra.2;
            let show = |v: i128| {
                if amount {
                    ir::format_fen(v as i64)
                } else {
                    v.to_string()
                }
            };
            self.bound("range", "lower bound", false, rb.0, ra.0, &show);
            self.bound("range", "upper bound", true, rb.1, ra.1, &show);
        }
    }

    fn bound(
        &mut self,
        key: &'static str,
        what: &str,
        upper: bool,
        b: Option<i128>,
        a: Option<i128>,
        show: &dyn Fn(i128) -> String,
    ) {
        let narrowed = match (b, a) {
            (x, y) if x == y => return,
            (None, _) => true,
            (_, None) => false,
            (Some(x), Some(y)) => (y < x) == upper,
        };
        let text = |v: Option<i128>| v.map_or_else(|| "none".to_owned(), show);
        let what = format!(
            "{what} {} → {}{}: {}",
            text(b),
            text(a),
            self.source(key),
            self.consequence(narrowed)
        );
        self.push(self.impact(narrowed), key, what);
    }

    fn pattern(&mut self) {
        let (b, a) = (&self.b.pattern, &self.a.pattern);
        if b == a {
            return;
        }
        let narrowed = a.is_some();
        let what = match (b, a) {
            (None, Some(p)) => format!("must now match `{p}`"),
            (Some(p), None) => format!("no longer has to match `{p}`"),
            (Some(p), Some(q)) => format!("pattern changes from `{p}` to `{q}`"),
            (None, None) => return,
        };
        let what = format!(
            "{what}{}: {}",
            self.source("pattern"),
            self.consequence(narrowed)
        );
        self.push(self.impact(narrowed), "pattern", what);
    }

    /// The values of an enum field and whether it is closed, where this use differs from
    /// its enum model (changes of the model itself are reported once, on the model).
    fn enum_values(&mut self) {
        let (b, a) = (self.b, self.a);
        if b.ty.base() != a.ty.base() {
            return;
        }
        let ir::Ty::Enum(name) = a.ty.base() else {
            return;
        };
        let inherited = |ir: &Ir, f: &Field| {
            ir.model(name).is_some_and(|m| match &m.kind {
                ir::ModelKind::Enum { values, closed, .. } => {
                    *closed == f.closed && values.iter().map(|v| &v.value).eq(f.values.iter())
                }
                ir::ModelKind::Object { .. } => false,
            })
        };
        if inherited(self.rec.before, b) && inherited(self.rec.after, a) {
            return;
        }
        let (removed, added) = set_diff(&b.values, &a.values);
        let source = self.source("values");
        if !removed.is_empty() {
            let (impact, what) = if a.closed {
                (self.side.narrowed(), self.consequence(true))
            } else {
                (Impact::Docs, "the field stays open, so this only documents")
            };
            let text = format!("no longer lists {}{source}: {what}", code_list(&removed));
            self.push(impact, "values", text);
        }
        if !added.is_empty() {
            let (impact, what) = if a.closed && b.closed {
                (self.side.widened(), self.consequence(false))
            } else {
                (Impact::Docs, "documented values only")
            };
            let text = format!("now also lists {}{source}: {what}", code_list(&added));
            self.push(impact, "values", text);
        }
        if b.closed != a.closed {
            let source = self.source("closed");
            let what = if a.closed {
                format!("is now closed{source}: {}", self.consequence(true))
            } else {
                format!("is now open{source}: {}", self.consequence(false))
            };
            self.push(self.impact(a.closed), "closed", what);
        }
    }

    fn constant(&mut self, key: &'static str, b: &Option<Const>, a: &Option<Const>) {
        // Compared as sent: a string constant that became an enum one is the same value.
        if b.as_ref().map(Const::wire_text) == a.as_ref().map(Const::wire_text) {
            return;
        }
        let text = |c: &Const| format!("`{}`", c.wire_text());
        let what = match (key, b, a) {
            ("fixed", None, Some(v)) => {
                format!(
                    "is now fixed to {}: its setter disappears and the value is always sent",
                    text(v)
                )
            }
            ("fixed", Some(v), None) => {
                format!(
                    "is no longer fixed to {}: a setter appears and nothing is sent unless set",
                    text(v)
                )
            }
            (_, None, Some(v)) => format!(
                "now defaults to {}: callers that leave it unset send it",
                text(v)
            ),
            (_, Some(v), None) => {
                format!(
                    "no longer defaults to {}: callers that leave it unset send nothing",
                    text(v)
                )
            }
            (_, Some(v), Some(w)) => format!("{key} value changes from {} to {}", text(v), text(w)),
            (_, None, None) => return,
        };
        let what = format!("{what}{}", self.source(key));
        self.push(Impact::Breaking, key, what);
    }

    fn clearable(&mut self) {
        if self.b.clearable == self.a.clearable {
            return;
        }
        let (impact, what) = match (self.side, self.a.clearable) {
            (Side::Request, true) => (
                Impact::Breaking,
                "now accepts `#EMPTY#` to erase the stored value: the struct field becomes `Option<Clearable<T>>`",
            ),
            (Side::Request, false) => (
                Impact::Breaking,
                "no longer accepts `#EMPTY#`: the struct field becomes `Option<T>` and `clear_…` disappears",
            ),
            (Side::Response, _) => (Impact::Docs, "clearable flag changed (responses are not affected)"),
        };
        let what = format!("{what}{}", self.source("clearable"));
        self.push(impact, "clearable", what);
    }

    /// Constraints that stayed the same while the evidence cited for them changed.
    fn sources(&mut self) {
        let keys: BTreeSet<&String> = self.b.sources.keys().chain(self.a.sources.keys()).collect();
        for key in keys {
            let (sb, sa) = (self.b.sources.get(key), self.a.sources.get(key));
            if sb == sa || constraint(self.b, key) != constraint(self.a, key) {
                continue;
            }
            let what = match (sb, sa) {
                (Some(x), Some(y)) => format!("`{key}` now cites {y} (was {x})"),
                (None, Some(y)) => format!("`{key}` now cites {y}"),
                (Some(x), None) => format!("`{key}` no longer cites {x}"),
                (None, None) => continue,
            };
            self.push(Impact::Source, "source", what);
        }
    }

    /// `derived:` notes removed (a person checked the fact) or added (a new proposal).
    fn derived(&mut self) {
        let keys = |f: &Field| f.derived.keys().cloned().collect::<Vec<_>>();
        let (removed, added) = {
            let (kb, ka) = (keys(self.b), keys(self.a));
            let (r, a) = set_diff(&kb, &ka);
            (
                r.into_iter().cloned().collect::<Vec<_>>(),
                a.into_iter().cloned().collect::<Vec<_>>(),
            )
        };
        if !removed.is_empty() {
            let what = format!(
                "reviewed: `derived:` notes on {} removed",
                code_list(&removed)
            );
            self.push(Impact::Source, "derived", what);
        }
        if !added.is_empty() {
            let what = format!(
                "unreviewed: `derived:` notes on {} added",
                code_list(&added)
            );
            self.push(Impact::Source, "derived", what);
        }
    }
}

/// The integer bounds of a range, and whether it is an amount range.
fn range_parts(r: Option<&Range>) -> (Option<i128>, Option<i128>, bool) {
    let wide = |v: Option<i64>| v.map(i128::from);
    match r {
        None => (None, None, false),
        Some(Range::Int { min, max }) => (wide(*min), wide(*max), false),
        Some(Range::Amount { min, max }) => (wide(*min), wide(*max), true),
    }
}

/// The value of one constraint key of a field, as comparable text (`None`: not set).
fn constraint(f: &Field, key: &str) -> Option<String> {
    let show = |v: &dyn std::fmt::Debug| Some(format!("{v:?}"));
    match key {
        "required" => f.required.then(|| "true".to_owned()),
        "min_length" => f.min_length.and_then(|v| show(&v)),
        "max_length" => f.max_length.and_then(|v| show(&v)),
        "range" => f.range.as_ref().and_then(|v| show(v)),
        "max_items" => f.max_items.and_then(|v| show(&v)),
        "max_bytes" => f.max_bytes.and_then(|v| show(&v)),
        "pattern" => f.pattern.clone(),
        "values" => show(&f.values),
        "closed" => f.closed.then(|| "true".to_owned()),
        "default" => f.default.as_ref().map(Const::wire_text),
        "fixed" => f.fixed.as_ref().map(Const::wire_text),
        "clearable" => f.clearable.then(|| "true".to_owned()),
        _ => None,
    }
}

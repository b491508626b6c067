//! Methods, models, notifications, families and products: paired by name, their own facts
//! compared here; their fields and rules in `fields`.

use super::fields::fields;
use super::rules::rules;
use super::{
    cite, code_list, pair, set_diff, Impact, Pair, Place, Recorder, Side, FEATURES, SHARED_MODELS,
};
use crate::ir::{
    Delivery, EnumValue, Family, Kind, Method, Model, ModelKind, Notification, Product,
};

/// What the report needs of each kind of item: how to find it on both sides, where it
/// goes, what its arrival and departure mean, and how to compare its two versions.
trait Item: Sized {
    /// The change kinds of an added and a removed item, e.g. `method added`.
    const ADDED: &'static str;
    const REMOVED: &'static str;
    /// The name the two sides are paired by.
    fn key(&self) -> &str;
    fn place(&self) -> Place;
    fn added(&self) -> String;
    fn removed(&self) -> String;
    fn compare(rec: &mut Recorder<'_>, before: &Self, after: &Self);
}

/// Pairs the items of both sides by name: new ones are additive, gone ones breaking, and
/// the ones on both sides are compared.
fn walk<T: Item>(rec: &mut Recorder<'_>, before: &[T], after: &[T]) {
    for p in pair(before, after, T::key) {
        match p {
            Pair::Added(x) => rec.push(&x.place(), Impact::Additive, T::ADDED, x.added()),
            Pair::Removed(x) => rec.push(&x.place(), Impact::Breaking, T::REMOVED, x.removed()),
            Pair::Both(b, a) => T::compare(rec, b, a),
        }
    }
}

/// Every method, model, notification, family (those with a method or notification:
/// the features) and product, added, removed or changed.
pub(super) fn all(rec: &mut Recorder<'_>) {
    let (before, after) = (rec.before, rec.after);
    walk(rec, &before.methods, &after.methods);
    walk(rec, &before.models, &after.models);
    walk(rec, &before.notifications, &after.notifications);
    let live = |ir: &crate::ir::Ir| ir.live_families().cloned().collect::<Vec<Family>>();
    walk(rec, &live(before), &live(after));
    walk(rec, &before.products, &after.products);
}

impl Item for Method {
    const ADDED: &'static str = "method added";
    const REMOVED: &'static str = "method removed";
    fn key(&self) -> &str {
        &self.wire
    }
    fn place(&self) -> Place {
        Place {
            group: self.family.clone(),
            item: self.wire.clone(),
            rust: format!("alipay_api::{}::{}", self.family, self.type_name),
        }
    }
    fn added(&self) -> String {
        format!(
            "new method {} ({}), {}",
            self.wire,
            self.title,
            kind_text(self.kind)
        )
    }
    fn removed(&self) -> String {
        format!(
            "method {} ({}) leaves the spec: `{}` and `{}` disappear",
            self.wire, self.title, self.type_name, self.response_name
        )
    }
    fn compare(rec: &mut Recorder<'_>, b: &Self, a: &Self) {
        method(rec, b, a);
    }
}

impl Item for Model {
    const ADDED: &'static str = "model added";
    const REMOVED: &'static str = "model removed";
    fn key(&self) -> &str {
        &self.name
    }
    /// Under its family when one family uses it, else under the shared models.
    fn place(&self) -> Place {
        let mut families = self.families.iter();
        let group = match (families.next(), families.next()) {
            (Some(f), None) => f.clone(),
            _ => SHARED_MODELS.to_owned(),
        };
        Place {
            group,
            item: format!("model {}", self.name),
            rust: format!("alipay_api::models::{}", self.name),
        }
    }
    fn added(&self) -> String {
        format!("new model `{}`", self.name)
    }
    fn removed(&self) -> String {
        format!("model `{}` leaves the spec: the type disappears", self.name)
    }
    fn compare(rec: &mut Recorder<'_>, b: &Self, a: &Self) {
        model(rec, b, a);
    }
}

impl Item for Notification {
    const ADDED: &'static str = "notification added";
    const REMOVED: &'static str = "notification removed";
    fn key(&self) -> &str {
        &self.name
    }
    fn place(&self) -> Place {
        Place {
            group: self.family.clone(),
            item: format!("notification {}", self.name),
            rust: format!("alipay_api::{}::{}", self.family, self.name),
        }
    }
    fn added(&self) -> String {
        let how = delivery_text(&self.delivery);
        format!("new notification `{}` ({}), {how}", self.name, self.title)
    }
    fn removed(&self) -> String {
        format!(
            "notification `{}` ({}) leaves the spec: the type disappears",
            self.name, self.title
        )
    }
    fn compare(rec: &mut Recorder<'_>, b: &Self, a: &Self) {
        notification(rec, b, a);
    }
}

impl Item for Family {
    const ADDED: &'static str = "family added";
    const REMOVED: &'static str = "family removed";
    fn key(&self) -> &str {
        &self.name
    }
    fn place(&self) -> Place {
        Place {
            group: FEATURES.to_owned(),
            item: format!("family {}", self.name),
            rust: format!("alipay_api::{}", self.name),
        }
    }
    fn added(&self) -> String {
        let n = &self.name;
        format!(
            "new cargo feature `{n}` ({}) with the module `alipay_api::{n}`",
            self.title
        )
    }
    fn removed(&self) -> String {
        let n = &self.name;
        format!("the cargo feature `{n}` and the module `alipay_api::{n}` disappear")
    }
    fn compare(rec: &mut Recorder<'_>, b: &Self, a: &Self) {
        let keys = [
            ("title", b.title != a.title),
            ("summary", b.summary != a.summary),
        ];
        rec.docs(&a.place(), "family", &keys);
    }
}

/// A product: an alias feature over the families its methods use.
impl Item for Product {
    const ADDED: &'static str = "product added";
    const REMOVED: &'static str = "product removed";
    fn key(&self) -> &str {
        &self.name
    }
    fn place(&self) -> Place {
        Place {
            group: FEATURES.to_owned(),
            item: format!("product {}", self.name),
            rust: format!("feature {}", self.name),
        }
    }
    fn added(&self) -> String {
        let families = code_list(&self.families);
        format!(
            "new alias feature `{}` ({}): turns on {families}",
            self.name, self.nav
        )
    }
    fn removed(&self) -> String {
        format!(
            "the alias feature `{}` ({}) disappears",
            self.name, self.nav
        )
    }
    fn compare(rec: &mut Recorder<'_>, b: &Self, a: &Self) {
        product(rec, b, a);
    }
}

fn kind_text(k: Kind) -> &'static str {
    match k {
        Kind::Server => "a server call (`client.execute`)",
        Kind::Page => "a page call (`client.page_form` / `client.page_url`)",
        Kind::App => "an app call (`client.app_order_string`)",
        Kind::Upload => "an upload (`client.execute`, multipart)",
    }
}

fn method(rec: &mut Recorder<'_>, b: &Method, a: &Method) {
    let at = a.place();
    let (from, to) = (&b.family, &a.family);
    moved(rec, "method moved", &b.place(), &at, from, to);
    call_facts(rec, &at, b, a);
    common_params(rec, &at, b, a);
    codes(rec, &at, "result code", &b.success_codes, &a.success_codes);
    codes(
        rec,
        &at,
        "sub code",
        &b.success_sub_codes,
        &a.success_sub_codes,
    );
    fixed_params(rec, &at, b, a);
    if b.fact_source != a.fact_source {
        let what = format!(
            "method facts (kind, common params, success codes, fixed params) now cite{} (was{})",
            cite(a.fact_source.as_ref()),
            cite(b.fact_source.as_ref())
        );
        rec.push(&at, Impact::Source, "source", what);
    }
    rec.docs(
        &at,
        "method",
        &[
            ("title", b.title != a.title),
            ("summary", b.summary != a.summary),
            ("description", b.description != a.description),
            ("docs link", b.docs != a.docs),
        ],
    );
    fields(
        rec,
        &at,
        Side::Request,
        "request param",
        &b.params,
        &a.params,
    );
    rules(rec, &at, Side::Request, &b.rules, &a.rules);
    let response = Place {
        rust: format!("alipay_api::{}::{}", a.family, a.response_name),
        ..at
    };
    fields(
        rec,
        &response,
        Side::Response,
        "response field",
        &b.response,
        &a.response,
    );
}

/// How the call is made: its kind, version, encryption and v3 route.
fn call_facts(rec: &mut Recorder<'_>, at: &Place, b: &Method, a: &Method) {
    if b.kind != a.kind {
        let what = format!(
            "changes from {} to {}",
            kind_text(b.kind),
            kind_text(a.kind)
        );
        rec.push(at, Impact::Breaking, "call kind", what);
    }
    if b.version != a.version {
        let what = format!("sends `version={}` instead of `{}`", a.version, b.version);
        rec.push(at, Impact::Breaking, "version", what);
    }
    if b.encryptable != a.encryptable {
        let (impact, what) = if a.encryptable {
            (
                Impact::Additive,
                "`biz_content` may now be AES-encrypted (when the client has a key)",
            )
        } else {
            (
                Impact::Breaking,
                "`biz_content` is no longer encrypted, even when the client has an AES key",
            )
        };
        rec.push(at, impact, "encryptable", what.to_owned());
    }
    if b.v3 != a.v3 {
        let route = |r: &Option<(String, String)>| {
            r.as_ref()
                .map_or("none".to_owned(), |(m, p)| format!("`{m} {p}`"))
        };
        let what = format!(
            "v3 route {} → {} (metadata only)",
            route(&b.v3),
            route(&a.v3)
        );
        rec.push(at, Impact::Docs, "v3 route", what);
    }
}

/// A method or notification in another family: another module and cargo feature.
fn moved(
    rec: &mut Recorder<'_>,
    kind: &'static str,
    before: &Place,
    after: &Place,
    from: &str,
    to: &str,
) {
    if from != to {
        let what = format!(
            "moves from family `{from}` to `{to}`: `{}` becomes `{}`, behind the cargo feature `{to}`",
            before.rust, after.rust
        );
        rec.push(after, Impact::Breaking, kind, what);
    }
}

fn common_params(rec: &mut Recorder<'_>, at: &Place, b: &Method, a: &Method) {
    let names = |m: &Method| {
        m.common_params
            .iter()
            .map(|c| c.wire_name())
            .collect::<Vec<_>>()
    };
    let (nb, na) = (names(b), names(a));
    let (removed, added) = set_diff(&nb, &na);
    for c in removed {
        let what = format!("no longer takes the common param `{c}`: its setter disappears");
        rec.push(
            &at.member(c),
            Impact::Breaking,
            "common param removed",
            what,
        );
    }
    for c in added {
        let what = format!("now takes the common param `{c}`");
        rec.push(&at.member(c), Impact::Additive, "common param added", what);
    }
}

/// Result or sub codes read as success besides `10000`.
fn codes(rec: &mut Recorder<'_>, at: &Place, what: &str, before: &[String], after: &[String]) {
    let (removed, added) = set_diff(before, after);
    if !removed.is_empty() {
        let text = format!(
            "{what}s {} no longer count as success: such responses become errors",
            code_list(&removed)
        );
        rec.push(at, Impact::Breaking, "success codes", text);
    }
    if !added.is_empty() {
        let text = format!(
            "{what}s {} now count as success instead of errors",
            code_list(&added)
        );
        rec.push(at, Impact::Additive, "success codes", text);
    }
}

fn fixed_params(rec: &mut Recorder<'_>, at: &Place, b: &Method, a: &Method) {
    for p in pair(&b.fixed_params, &a.fixed_params, |p| &p.0) {
        let what = match p {
            Pair::Added((k, v)) => format!("now always sends the protocol param `{k}={v}`"),
            Pair::Removed((k, v)) => format!("no longer sends the protocol param `{k}={v}`"),
            Pair::Both((k, v), (_, w)) if v != w => {
                format!("sends the protocol param `{k}={w}` instead of `{k}={v}`")
            }
            Pair::Both(..) => continue,
        };
        rec.push(at, Impact::Breaking, "fixed param", what);
    }
}

fn model(rec: &mut Recorder<'_>, b: &Model, a: &Model) {
    let at = a.place();
    let side = if b.in_requests || a.in_requests {
        Side::Request
    } else {
        Side::Response
    };
    model_features(rec, &at, b, a);
    match (&b.kind, &a.kind) {
        (
            ModelKind::Object {
                fields: fb,
                rules: rb,
            },
            ModelKind::Object {
                fields: fa,
                rules: ra,
            },
        ) => {
            fields(rec, &at, side, "field", fb, fa);
            rules(rec, &at, side, rb, ra);
        }
        (ModelKind::Enum { .. }, ModelKind::Enum { .. }) => {
            enum_model(rec, &at, side, &b.kind, &a.kind)
        }
        (_, ModelKind::Enum { .. }) => {
            let what = "changes from an object to an enum".to_owned();
            rec.push(&at, Impact::Breaking, "model kind", what);
        }
        (_, ModelKind::Object { .. }) => {
            let what = "changes from an enum to an object".to_owned();
            rec.push(&at, Impact::Breaking, "model kind", what);
        }
    }
    rec.docs(
        &at,
        "model",
        &[
            ("title", b.title != a.title),
            ("summary", b.summary != a.summary),
            ("description", b.description != a.description),
        ],
    );
}

/// The cargo features a model compiles with (and the family modules re-exporting it).
fn model_features(rec: &mut Recorder<'_>, at: &Place, b: &Model, a: &Model) {
    let list = |m: &Model| m.families.iter().cloned().collect::<Vec<_>>();
    let (fb, fa) = (list(b), list(a));
    let (removed, added) = set_diff(&fb, &fa);
    for f in removed {
        let what = format!(
            "no longer compiled with the feature `{f}` alone nor re-exported as `alipay_api::{f}::{}`",
            a.name
        );
        rec.push(at, Impact::Breaking, "model features", what);
    }
    for f in added {
        let what = format!(
            "now also compiled with the feature `{f}` and re-exported as `alipay_api::{f}::{}`",
            a.name
        );
        rec.push(at, Impact::Additive, "model features", what);
    }
}

fn enum_model(rec: &mut Recorder<'_>, at: &Place, side: Side, b: &ModelKind, a: &ModelKind) {
    let (
        ModelKind::Enum {
            values: vb,
            closed: cb,
            source: sb,
        },
        ModelKind::Enum {
            values: va,
            closed: ca,
            source: sa,
        },
    ) = (b, a)
    else {
        return;
    };
    for p in pair(vb, va, |v| &v.value) {
        match p {
            Pair::Added(v) => {
                let what = format!(
                    "new value `{}` (variant `{}`); responses carrying it read as `{}` instead of `Unknown`",
                    v.value, v.variant, v.variant
                );
                rec.push(
                    &at.member(&v.variant),
                    Impact::Additive,
                    "enum value added",
                    what,
                );
            }
            Pair::Removed(v) => {
                let what = format!(
                    "value `{}` is removed: the variant `{}` disappears and the value reads as `Unknown`",
                    v.value, v.variant
                );
                rec.push(
                    &at.member(&v.variant),
                    Impact::Breaking,
                    "enum value removed",
                    what,
                );
            }
            Pair::Both(b, a) => enum_value(rec, at, b, a),
        }
    }
    if cb != ca {
        let (impact, what) = if *ca {
            (
                side.narrowed(),
                "is now closed: `build()` refuses values outside the list",
            )
        } else {
            (
                side.widened(),
                "is now open: `build()` accepts values outside the list",
            )
        };
        let what = match side {
            Side::Request => format!("{what}{}", cite(sa.as_ref())),
            Side::Response => format!(
                "closed flag changed{} (only requests are checked; this enum is not used in one)",
                cite(sa.as_ref())
            ),
        };
        rec.push(at, impact, "enum closed", what);
    }
    let same_list = vb.iter().map(|v| &v.value).eq(va.iter().map(|v| &v.value));
    if sb != sa && same_list && cb == ca {
        let what = format!(
            "the value list now cites{} (was{})",
            cite(sa.as_ref()),
            cite(sb.as_ref())
        );
        rec.push(at, Impact::Source, "source", what);
    }
}

fn enum_value(rec: &mut Recorder<'_>, at: &Place, b: &EnumValue, a: &EnumValue) {
    let member = at.member(&a.variant);
    if b.variant != a.variant {
        let what = format!(
            "value `{}`: the variant `{}` is renamed `{}`",
            a.value, b.variant, a.variant
        );
        rec.push(&member, Impact::Breaking, "variant renamed", what);
    }
    if b.is_final != a.is_final {
        let now = if a.is_final { "now" } else { "no longer" };
        let what = format!(
            "value `{}` is {now} an end state: `is_final()` changes",
            a.value
        );
        rec.push(&member, Impact::Breaking, "end state", what);
    }
    let label = format!("value `{}`", a.value);
    rec.docs(
        &member,
        &label,
        &[
            ("summary", b.summary != a.summary),
            ("deprecation", b.deprecated != a.deprecated),
        ],
    );
}

fn delivery_text(d: &Delivery) -> String {
    match d {
        Delivery::Form(t) => format!("form fields with `notify_type={t}`"),
        Delivery::Message(m) => format!("a message with `msg_method={m}`"),
        Delivery::Json(a) => format!("a partner's JSON body with `action={a}`"),
    }
}

fn notification(rec: &mut Recorder<'_>, b: &Notification, a: &Notification) {
    let at = a.place();
    let (from, to) = (&b.family, &a.family);
    moved(rec, "notification moved", &b.place(), &at, from, to);
    if b.delivery != a.delivery {
        let what = format!(
            "arrives as {} instead of {}: the old messages are no longer recognised",
            delivery_text(&a.delivery),
            delivery_text(&b.delivery)
        );
        rec.push(&at, Impact::Breaking, "delivery", what);
    }
    rec.docs(
        &at,
        "notification",
        &[
            ("title", b.title != a.title),
            ("summary", b.summary != a.summary),
            ("description", b.description != a.description),
            ("docs link", b.docs != a.docs),
        ],
    );
    fields(rec, &at, Side::Response, "field", &b.fields, &a.fields);
}

fn product(rec: &mut Recorder<'_>, b: &Product, a: &Product) {
    let at = a.place();
    let (removed, added) = set_diff(&b.families, &a.families);
    if !removed.is_empty() {
        let what = format!("no longer turns on {}", code_list(&removed));
        rec.push(&at, Impact::Breaking, "product features", what);
    }
    if !added.is_empty() {
        let what = format!("now also turns on {}", code_list(&added));
        rec.push(&at, Impact::Additive, "product features", what);
    }
    let listed = |p: &Product| {
        p.methods
            .iter()
            .chain(&p.notifications)
            .cloned()
            .collect::<Vec<_>>()
    };
    let (lb, la) = (listed(b), listed(a));
    let (gone, new) = set_diff(&lb, &la);
    if !gone.is_empty() || !new.is_empty() {
        let what = format!(
            "the API list as the docs show it: {} added, {} removed",
            if new.is_empty() {
                "none".to_owned()
            } else {
                code_list(&new)
            },
            if gone.is_empty() {
                "none".to_owned()
            } else {
                code_list(&gone)
            }
        );
        rec.push(&at, Impact::Docs, "product list", what);
    }
    rec.docs(
        &at,
        "product",
        &[
            ("title", b.title != a.title),
            ("navigation path", b.nav != a.nav),
        ],
    );
}

//! What differs between the newest official Python SDK and what the repository holds:
//! the facts-only catalogue (`catalog/`) and the reviewed spec (`spec/`, read through the
//! codegen IR).

use std::collections::{BTreeMap, BTreeSet};

use alipay_codegen::catalog::{self, Catalog, ORIGIN_KEPT};
use alipay_codegen::ir::{self, Ir, Placement, Ty};
use serde::Serialize;

use super::wheel::{PyField, PyMethod, Wheel};

/// Where a method outside the navigation is filed.
pub const OUTSIDE_NAV: &str = "(outside the navigation)";
/// Where a specced method the catalogue lacks is filed.
pub const NOT_CATALOGUED: &str = "(not in the catalogue)";

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Row {
    /// The product the row is filed under (one of `products`, the method's main one).
    pub home: String,
    /// `catalogue` or `spec`.
    pub against: &'static str,
    /// `added`, `removed`, `list`, `nesting`, `new method`, `missing method` or `missing model`.
    pub change: &'static str,
    /// `<method> request`, `<method> response`, `model <Name>` or a method name.
    pub place: String,
    /// The field's wire name, when the row is about a field.
    pub field: String,
    /// What the SDK says now, e.g. `list of TradeFundBill`, `single → list`.
    pub detail: String,
    /// Every navigation product the place belongs to.
    pub products: Vec<String>,
}

impl Row {
    /// Counts toward `--fail-on added`.
    pub fn is_added(&self) -> bool {
        matches!(self.change, "added" | "new method")
    }

    /// Counts toward `--fail-on removed`.
    pub fn is_removed(&self) -> bool {
        matches!(self.change, "removed" | "missing method" | "missing model")
    }
}

/// The shape of one of our fields, to compare with the SDK's.
struct Ours<'a> {
    name: &'a str,
    list: bool,
    /// The model's name, for an object.
    model: Option<String>,
    /// Kept by an earlier refresh although the SDK lacks it: not reported as removed.
    kept: bool,
}

fn shape(list: bool, model: Option<&str>) -> String {
    match (list, model) {
        (true, Some(m)) => format!("list of {m}"),
        (true, None) => "list".into(),
        (false, Some(m)) => format!("object {m}"),
        (false, None) => "single".into(),
    }
}

/// Where rows are filed: products by method and model, and each one's main product.
struct Places {
    products: BTreeMap<String, Vec<String>>,
    homes: BTreeMap<String, String>,
}

impl Places {
    fn new(cat: &Catalog) -> Self {
        let mut products = BTreeMap::new();
        let mut homes = BTreeMap::new();
        let mut model_homes: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        let mut model_products: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (name, m) in &cat.methods {
            let ps: Vec<String> = m.nav.iter().map(|n| n.product.clone()).collect();
            let home = home_product(cat, name, &ps);
            for model in cat.models_of_method(name) {
                let counts = model_homes.entry(model.to_owned()).or_default();
                *counts.entry(home.clone()).or_insert(0) += 1;
                model_products
                    .entry(model.to_owned())
                    .or_default()
                    .extend(ps.iter().cloned());
            }
            products.insert(name.clone(), ps);
            homes.insert(name.clone(), home);
        }
        for (model, mut counts) in model_homes {
            if counts.len() > 1 {
                counts.remove(OUTSIDE_NAV);
            }
            let home = counts
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
            homes.insert(
                format!("model {model}"),
                home.map(|h| h.0).unwrap_or_default(),
            );
        }
        for (model, ps) in model_products {
            products.insert(format!("model {model}"), ps.into_iter().collect());
        }
        Places { products, homes }
    }

    /// The row's home and products, for a method name or `model <Name>`.
    fn of(&self, key: &str) -> (String, Vec<String>) {
        let home = self
            .homes
            .get(key)
            .cloned()
            .unwrap_or_else(|| NOT_CATALOGUED.to_owned());
        (home, self.products.get(key).cloned().unwrap_or_default())
    }
}

/// The first two segments of a method name (`alipay.trade`): its product line.
fn line(method: &str) -> &str {
    method
        .match_indices('.')
        .nth(1)
        .map_or(method, |(i, _)| &method[..i])
}

/// Where a reader looks for a method first: among its products, the one whose methods
/// are most often of the same product line (`alipay.trade.*`), then the larger one.
fn home_product(cat: &Catalog, method: &str, products: &[String]) -> String {
    let score = |p: &String| {
        let all = cat.methods_of_product(p);
        let same = all.iter().filter(|m| line(m) == line(method)).count();
        // Compare same/all as fractions without floats: same * other_len.
        (same, all.len())
    };
    products
        .iter()
        .max_by(|a, b| {
            let ((sa, na), (sb, nb)) = (score(a), score(b));
            (sa * nb).cmp(&(sb * na)).then(sa.cmp(&sb)).then(b.cmp(a))
        })
        .cloned()
        .unwrap_or_else(|| OUTSIDE_NAV.to_owned())
}

struct Report<'a> {
    places: &'a Places,
    rows: Vec<Row>,
}

impl Report<'_> {
    fn push(
        &mut self,
        against: &'static str,
        change: &'static str,
        key: &str,
        place: String,
        field: &str,
        detail: String,
    ) {
        let (home, products) = self.places.of(key);
        self.rows.push(Row {
            home,
            against,
            change,
            place,
            field: field.to_owned(),
            detail,
            products,
        });
    }

    /// Added, removed, list-ness and nesting changes between our fields and the SDK's.
    /// `same_model` says whether our model name and the SDK's class name agree.
    fn fields(
        &mut self,
        against: &'static str,
        key: &str,
        place: &str,
        ours: &[Ours],
        theirs: &[PyField],
        same_model: &dyn Fn(&str, &str) -> bool,
    ) {
        for t in theirs {
            match ours.iter().find(|o| o.name == t.name) {
                None => {
                    let detail = shape(t.list, t.reference.as_deref());
                    self.push(against, "added", key, place.to_owned(), &t.name, detail);
                }
                Some(o) if o.list != t.list => {
                    let detail = format!("{} → {}", shape(o.list, None), shape(t.list, None));
                    self.push(against, "list", key, place.to_owned(), &t.name, detail);
                }
                Some(o) => {
                    let nested = match (&o.model, &t.reference) {
                        (Some(a), Some(b)) => !same_model(a, b),
                        (a, b) => a.is_some() != b.is_some(),
                    };
                    if nested {
                        let detail = format!(
                            "{} → {}",
                            shape(false, o.model.as_deref()),
                            shape(false, t.reference.as_deref())
                        );
                        self.push(against, "nesting", key, place.to_owned(), &t.name, detail);
                    }
                }
            }
        }
        for o in ours.iter().filter(|o| !o.kept) {
            if !theirs.iter().any(|t| t.name == o.name) {
                let detail = shape(o.list, o.model.as_deref());
                self.push(against, "removed", key, place.to_owned(), o.name, detail);
            }
        }
    }
}

fn cat_fields(fields: &[catalog::Field]) -> Vec<Ours<'_>> {
    fields
        .iter()
        .map(|f| Ours {
            name: &f.name,
            list: f.list,
            model: f.reference.clone(),
            kept: f.origin.as_deref() == Some(ORIGIN_KEPT),
        })
        .collect()
}

fn kept(origin: &Option<String>) -> bool {
    origin.as_deref() == Some(ORIGIN_KEPT)
}

/// The last-but-one namespace of a method name: `alipay.trade` for `alipay.trade.query`.
pub fn namespace(method: &str) -> &str {
    method.rsplit_once('.').map_or(method, |(ns, _)| ns)
}

/// Every difference between the wheel and the catalogue and, when given, the spec.
pub fn compare(wheel: &Wheel, cat: &Catalog, spec: Option<&Ir>) -> Vec<Row> {
    let places = Places::new(cat);
    let mut r = Report {
        places: &places,
        rows: Vec::new(),
    };
    let same = |a: &str, b: &str| a == b;
    for (name, m) in &cat.methods {
        let Some(py) = wheel.methods.get(name) else {
            if !kept(&m.origin) {
                r.push(
                    "catalogue",
                    "missing method",
                    name,
                    name.clone(),
                    "",
                    "not in the SDK".into(),
                );
            }
            continue;
        };
        if m.biz_model != py.biz_model {
            let detail = format!(
                "biz_content {} → {}",
                m.biz_model.as_deref().unwrap_or("none"),
                py.biz_model.as_deref().unwrap_or("none")
            );
            r.push(
                "catalogue",
                "nesting",
                name,
                format!("{name} request"),
                "biz_content",
                detail,
            );
        }
        let mut params = cat_fields(&m.text_params);
        params.extend(cat_fields(&m.file_params));
        r.fields(
            "catalogue",
            name,
            &format!("{name} request"),
            &params,
            &request_params(py),
            &same,
        );
        if let Some(resp) = &py.response {
            let ours = cat_fields(&m.response.fields);
            r.fields(
                "catalogue",
                name,
                &format!("{name} response"),
                &ours,
                resp,
                &same,
            );
        }
    }
    for (class, model) in &cat.models {
        let key = format!("model {class}");
        match wheel.models.get(class) {
            Some(theirs) => r.fields(
                "catalogue",
                &key,
                &key,
                &cat_fields(&model.fields),
                theirs,
                &same,
            ),
            None if !kept(&model.origin) => r.push(
                "catalogue",
                "missing model",
                &key,
                key.clone(),
                "",
                "not in the SDK".into(),
            ),
            None => {}
        }
    }
    for name in new_methods(wheel, cat) {
        let sibling = cat
            .methods
            .keys()
            .find(|m| namespace(m) == namespace(name))
            .map(String::as_str)
            .unwrap_or_default();
        let detail = format!("next to {sibling}");
        let (home, products) = places.of(sibling);
        r.rows.push(Row {
            home,
            against: "catalogue",
            change: "new method",
            place: name.to_owned(),
            field: String::new(),
            detail,
            products,
        });
    }
    if let Some(ir) = spec {
        spec_rows(&mut r, wheel, ir);
    }
    r.rows.sort();
    r.rows
}

/// The SDK's text and file params as fields.
fn request_params(py: &PyMethod) -> Vec<PyField> {
    let files = py.file_params.iter().map(|f| PyField {
        name: f.clone(),
        list: false,
        reference: None,
    });
    py.text_params.iter().cloned().chain(files).collect()
}

/// Methods of the SDK next to covered ones (same namespace) that the catalogue neither
/// carries nor lists as seen and left out (`source.json` → `uncovered`).
pub fn new_methods<'a>(wheel: &'a Wheel, cat: &Catalog) -> Vec<&'a str> {
    let covered: BTreeSet<&str> = cat.methods.keys().map(|m| namespace(m)).collect();
    wheel
        .methods
        .keys()
        .map(String::as_str)
        .filter(|m| covered.contains(namespace(m)))
        .filter(|m| !cat.methods.contains_key(*m) && !cat.source.uncovered.iter().any(|u| u == m))
        .collect()
}

fn spec_fields<'a>(fields: impl Iterator<Item = &'a ir::Field>) -> Vec<Ours<'a>> {
    fields
        .map(|f| {
            // A `json<…>` field travels as a string, whatever it holds.
            let (list, inner) = match &f.ty {
                Ty::List(t) => (true, &**t),
                t => (false, t),
            };
            let model = match inner {
                Ty::Object(n) => Some(n.clone()),
                _ => None,
            };
            Ours {
                name: &f.wire,
                list,
                model,
                kept: false,
            }
        })
        .collect()
}

/// The spec's methods and the models they reach, against the SDK's classes.
fn spec_rows(r: &mut Report, wheel: &Wheel, ir: &Ir) {
    // Spec model names are ours, the SDK's are class names: nested pairs are compared by
    // following each field to its model on both sides.
    let mut pairs: BTreeSet<(String, String, String)> = BTreeSet::new();
    let any = |_: &str, _: &str| true;
    for m in &ir.methods {
        let key = m.wire.as_str();
        let Some(py) = wheel.methods.get(key) else {
            r.push(
                "spec",
                "missing method",
                key,
                key.to_owned(),
                "",
                "not in the SDK".into(),
            );
            continue;
        };
        let placed = |p: Placement| m.params.iter().filter(move |f| f.placement == p);
        let biz_theirs = py.biz_model.as_ref().and_then(|b| wheel.models.get(b));
        let biz: Vec<&ir::Field> = placed(Placement::Biz).collect();
        let place = format!("{key} request");
        if let Some(theirs) = biz_theirs {
            r.fields(
                "spec",
                key,
                &place,
                &spec_fields(biz.iter().copied()),
                theirs,
                &any,
            );
        }
        let mut outer = spec_fields(placed(Placement::Text));
        outer.extend(spec_fields(placed(Placement::File)));
        r.fields("spec", key, &place, &outer, &request_params(py), &any);
        if let Some(resp) = &py.response {
            let place = format!("{key} response");
            r.fields(
                "spec",
                key,
                &place,
                &spec_fields(m.response.iter()),
                resp,
                &any,
            );
            nested_pairs(key, m.response.iter(), resp, &mut pairs);
        }
        if let Some(theirs) = biz_theirs {
            nested_pairs(key, biz.iter().copied(), theirs, &mut pairs);
        }
        nested_pairs(key, placed(Placement::Text), &py.text_params, &mut pairs);
    }
    let models: BTreeMap<&str, &ir::Model> =
        ir.models.iter().map(|m| (m.name.as_str(), m)).collect();
    let mut done = BTreeSet::new();
    while let Some((method, ours, theirs)) = pairs.pop_first() {
        if !done.insert((ours.clone(), theirs.clone())) {
            continue;
        }
        let (Some(model), Some(py)) = (models.get(ours.as_str()), wheel.models.get(&theirs)) else {
            continue;
        };
        let ir::ModelKind::Object { fields, .. } = &model.kind else {
            continue;
        };
        let place = format!("model {ours} (SDK {theirs})");
        r.fields(
            "spec",
            &method,
            &place,
            &spec_fields(fields.iter()),
            py,
            &any,
        );
        nested_pairs(&method, fields.iter(), py, &mut pairs);
    }
}

/// Pairs (our model, the SDK's model) reached through fields of the same wire name.
fn nested_pairs<'a>(
    method: &str,
    ours: impl Iterator<Item = &'a ir::Field>,
    theirs: &[PyField],
    out: &mut BTreeSet<(String, String, String)>,
) {
    for f in ours {
        let Ty::Object(ours) = f.ty.base() else {
            continue;
        };
        let t = theirs.iter().find(|t| t.name == f.wire);
        if let Some(class) = t.and_then(|t| t.reference.clone()) {
            out.insert((method.to_owned(), ours.clone(), class));
        }
    }
}

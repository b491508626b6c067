//! The facts-only API catalogue kept in the repository under `catalog/`.
//!
//! It lists, for every v2 method behind the docs navigation, what the official SDKs
//! declare (wire names, types, nesting, list-ness, where each parameter travels, uploads,
//! the official title, the v3 route, the response root key), every model reachable from
//! those methods, where each method sits in the docs navigation, and small `hints` mined
//! from the official descriptions (an amount, a date format, candidate enum values, a
//! maximum length, …), each naming in a word what it was derived from. The descriptions
//! themselves are not stored.
//!
//! `cargo xtask catalog build` writes it from the upstream catalogue of the official .NET
//! SDK; `cargo xtask catalog refresh` updates it from the newest official Python SDK,
//! keeping what that SDK does not carry and marking it with an [`ORIGIN_KEPT`] origin.
//! [`Catalog::render`] is the one canonical text form, so a rebuild from the same inputs
//! gives the same bytes and [`load`] followed by [`Catalog::render`] reproduces the files.
//!
//! ```no_run
//! let cat = alipay_codegen::catalog::load(std::path::Path::new("catalog"))?;
//! let query = cat.method("alipay.trade.query").expect("in the catalogue");
//! for field in cat.request_fields("alipay.trade.query") {
//!     println!("{} {:?} amount={:?}", field.name, field.ty, field.hints.amount);
//! }
//! println!("{} answers under {}", query.request_class, query.response.root_key);
//! for method in cat.methods_of_product("支付 / 当面付") {
//!     println!("{method}");
//! }
//! # Ok::<(), alipay_codegen::catalog::CatalogError>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Version of the file layout; bumped when a change needs every reader to adapt.
pub const FORMAT: u32 = 1;

/// The files of the catalogue folder, in the order [`Catalog::render`] returns them.
pub const FILES: [&str; 4] = ["source.json", "nav.json", "methods.json", "models.json"];

/// The origin of facts kept from an earlier catalogue because the upstream used by a
/// refresh does not carry them (e.g. types the Python SDK does not declare).
pub const ORIGIN_KEPT: &str = "kept";

/// The whole catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Where the facts come from, and counts (`source.json`).
    pub source: Source,
    /// Docs navigation products by path, e.g. `支付 / 当面付` (`nav.json`).
    pub nav: BTreeMap<String, NavProduct>,
    /// Methods by wire name, e.g. `alipay.trade.query` (`methods.json`).
    pub methods: BTreeMap<String, Method>,
    /// Models by class name, e.g. `AlipayTradeQueryModel` (`models.json`).
    pub models: BTreeMap<String, Model>,
}

/// Provenance of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The layout version ([`FORMAT`]).
    pub format: u32,
    /// The command that wrote the catalogue.
    pub generated_by: String,
    /// The upstream every fact without an `origin` of its own comes from (a key of `upstreams`).
    pub primary: String,
    /// Upstreams by short name (`net-sdk`, `python-sdk`, `docs-nav`).
    pub upstreams: BTreeMap<String, Upstream>,
    /// Facts shared by every method.
    pub common: Common,
    /// Methods included although no navigation leaf maps to them, each with the reason.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub also: BTreeMap<String, String>,
    /// Methods a refresh saw in the newer upstream next to covered ones (same namespace)
    /// and left out of the catalogue; the drift report lists only methods not named here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncovered: Vec<String>,
    /// Counts of what the catalogue holds, for reviewing a rebuild at a glance.
    pub counts: Counts,
}

/// One upstream the catalogue was built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upstream {
    /// What it is, e.g. `github.com/alipay/alipay-sdk-net-all` or `pypi.org/project/alipay-sdk-python`.
    pub name: String,
    /// The commit or release the facts were read from.
    pub version: String,
    /// Its date, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Its license (SPDX).
    pub license: String,
    /// The files of the upstream the facts were read from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// SHA-256 of the input file the command read (hex), so a rebuild can be checked.
    pub input_sha256: String,
}

/// Facts shared by every method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Common {
    /// Fields every response carries (`code`, `msg`, `sub_code`, `sub_msg`).
    pub response_fields: Vec<Field>,
    /// System parameter wire names by the SDK's constant name (`APP_ID` → `app_id`).
    pub system_params: BTreeMap<String, String>,
}

/// Counts of the catalogue's content.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    /// Methods.
    pub methods: usize,
    /// Models.
    pub models: usize,
    /// Fields of methods (params and responses) and models.
    pub fields: usize,
    /// Docs navigation products.
    pub nav_products: usize,
    /// Hints by kind (`amount`, `enum_values`, `kind`, `docs_url`, …).
    pub hints: BTreeMap<String, usize>,
}

/// A docs navigation product ("API 列表" node).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NavProduct {
    /// Its top-level family (支付, 资金, 会员, …).
    pub family: String,
    /// Names of the notifications (asynchronous messages) listed under it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notifications: Vec<String>,
    /// Leaves that map to no v2 method, with the reason in one word.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmatched: Vec<NavLeaf>,
}

/// A navigation leaf without a v2 method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NavLeaf {
    /// The leaf's name in the navigation.
    pub leaf: String,
    /// Why no method: `spi`, `v3-only` or `unresolved`.
    #[serde(rename = "match")]
    pub quality: NavMatch,
}

/// How a navigation leaf was matched to a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NavMatch {
    /// The leaf name equals the official title.
    Exact,
    /// Equal after normalising punctuation and spacing.
    Normalised,
    /// Matched on name fragments and descriptions, with high confidence.
    FuzzyHigh,
    /// Matched on name fragments and descriptions; check against the docs.
    FuzzyMedium,
    /// An automatic match corrected by hand.
    Override,
    /// Implemented by the merchant and called by Alipay: not a method to call.
    Spi,
    /// Only a v3 route exists.
    V3Only,
    /// No credible method.
    Unresolved,
}

/// Where a method appears in the docs navigation (none for the methods of [`Source::also`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NavRef {
    /// The product path (a key of [`Catalog::nav`]).
    pub product: String,
    /// The leaf's name in the navigation.
    pub leaf: String,
    /// Match quality.
    #[serde(rename = "match")]
    pub quality: NavMatch,
}

/// A v2 gateway method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Method {
    /// The official SDK's request class, e.g. `AlipayTradeQueryRequest`.
    pub request_class: String,
    /// The official SDK's response class.
    pub response_class: String,
    /// API version sent in `version`.
    pub version: String,
    /// Takes a `biz_content` JSON parameter.
    pub biz_content: bool,
    /// The model describing `biz_content` (a key of [`Catalog::models`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_model: Option<String>,
    /// Top-level form parameters (outside `biz_content`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub text_params: Vec<Field>,
    /// Multipart file parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub file_params: Vec<Field>,
    /// Sent as `multipart/form-data`.
    pub upload: bool,
    /// The SDK encrypts `biz_content` by default.
    pub need_encrypt_default: bool,
    /// The official Chinese title (from the v3 docs), a name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_v3: Option<String>,
    /// The v3 route, e.g. `POST /v3/alipay/trade/query`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v3_route: Option<String>,
    /// The response.
    pub response: Response,
    /// Where the method appears in the docs navigation.
    pub nav: Vec<NavRef>,
    /// Facts mined from the descriptions.
    #[serde(default, skip_serializing_if = "MethodHints::is_empty")]
    pub hints: MethodHints,
    /// Upstream of this method's facts when not [`Source::primary`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// A method's response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// The JSON key the fields sit under, e.g. `alipay_trade_query_response`.
    pub root_key: String,
    /// Its fields, without the common ones of [`Common::response_fields`].
    pub fields: Vec<Field>,
}

/// A model (an object type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Its fields.
    pub fields: Vec<Field>,
    /// Upstream of this model's facts when not [`Source::primary`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// The wire type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// Text (amounts and most dates are text on the wire).
    String,
    /// An integer.
    Long,
    /// `true` / `false`.
    Bool,
    /// `yyyy-MM-dd HH:mm:ss`, typed as such by the SDK.
    Datetime,
    /// A multipart file.
    File,
    /// A JSON object described by [`Field::reference`].
    Object,
}

/// A parameter or response field, or a field of a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Wire name.
    pub name: String,
    /// Wire type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// A JSON array of `ty`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub list: bool,
    /// The model of an object (a key of [`Catalog::models`]).
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The SDK's array item name; for scalar lists it keeps the original item type
    /// (`string`, `number`, `boolean`, `date`, `price`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// Facts mined from the description.
    #[serde(default, skip_serializing_if = "FieldHints::is_empty")]
    pub hints: FieldHints,
    /// Upstream of this field when not the one of its method or model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// A mined value and, in a word, what it was derived from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Valued<T> {
    /// The value.
    pub value: T,
    /// The evidence, e.g. `最大长度`, `desc`, `name:page.pay`.
    pub from: String,
}

/// Facts mined from a field's description (or item hint, or name). A hint is a
/// proposal for the importer and the reviewer, never a constraint by itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldHints {
    /// An amount in yuan; the evidence (`单位为元`, `金额`, `item:price`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// A `yyyy-MM-dd HH:mm:ss` time; the evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datetime: Option<String>,
    /// A `yyyy-MM-dd` date; the evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Candidate wire values named in the description (at least two).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enum_values: Option<Valued<Vec<String>>>,
    /// A maximum length in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<Valued<u32>>,
    /// A maximum number of list items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<Valued<u32>>,
    /// Stated as required without a condition; the word used (`必填`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<String>,
}

/// How a method is invoked, when the evidence says it is not a plain server call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MethodKind {
    /// A browser page (form or URL) the buyer opens.
    Page,
    /// A signed order string handed to the Alipay app.
    App,
    /// A multipart upload.
    Upload,
}

/// Facts mined for a method.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodHints {
    /// The official docs page naming this method, found in a description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs_url: Option<Valued<String>>,
    /// Page, app or upload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Valued<MethodKind>>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl FieldHints {
    /// No hint at all.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// The kinds of hint present, by their JSON names.
    pub fn kinds(&self) -> Vec<&'static str> {
        let present = [
            ("amount", self.amount.is_some()),
            ("date", self.date.is_some()),
            ("datetime", self.datetime.is_some()),
            ("enum_values", self.enum_values.is_some()),
            ("max_items", self.max_items.is_some()),
            ("max_length", self.max_length.is_some()),
            ("required", self.required.is_some()),
        ];
        present
            .iter()
            .filter(|(_, p)| *p)
            .map(|(k, _)| *k)
            .collect()
    }
}

impl MethodHints {
    /// No hint at all.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// The kinds of hint present, by their JSON names.
    pub fn kinds(&self) -> Vec<&'static str> {
        let present = [
            ("docs_url", self.docs_url.is_some()),
            ("kind", self.kind.is_some()),
        ];
        present
            .iter()
            .filter(|(_, p)| *p)
            .map(|(k, _)| *k)
            .collect()
    }
}

/// Why the catalogue could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A file could not be read.
    #[error("{path}: {source}; the catalogue folder is `catalog/` at the repository root")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not valid catalogue JSON.
    #[error("{path}: {source}; rebuild it with `cargo xtask catalog build` instead of editing it")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// The files parse but contradict each other.
    #[error("the catalogue is inconsistent; rebuild it with `cargo xtask catalog build`:\n  {}", .0.join("\n  "))]
    Inconsistent(Vec<String>),
}

/// Reads and checks the catalogue in `dir` (the repository's `catalog/`).
pub fn load(dir: &Path) -> Result<Catalog, CatalogError> {
    fn part<T: serde::de::DeserializeOwned>(dir: &Path, file: &str) -> Result<T, CatalogError> {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).map_err(|source| CatalogError::Io {
            path: path.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| CatalogError::Parse { path, source })
    }
    let cat = Catalog {
        source: part(dir, FILES[0])?,
        nav: part(dir, FILES[1])?,
        methods: part(dir, FILES[2])?,
        models: part(dir, FILES[3])?,
    };
    let problems = cat.problems();
    if problems.is_empty() {
        Ok(cat)
    } else {
        Err(CatalogError::Inconsistent(problems))
    }
}

impl Catalog {
    /// The method named `name` (wire name, e.g. `alipay.trade.query`).
    pub fn method(&self, name: &str) -> Option<&Method> {
        self.methods.get(name)
    }

    /// The model named `class`.
    pub fn model(&self, class: &str) -> Option<&Model> {
        self.models.get(class)
    }

    /// Names of the methods listed under the navigation product `product`, sorted.
    pub fn methods_of_product(&self, product: &str) -> Vec<&str> {
        self.methods
            .iter()
            .filter(|(_, m)| m.nav.iter().any(|n| n.product == product))
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// The families (支付, 资金, …) a method appears under, sorted.
    pub fn families_of(&self, method: &str) -> BTreeSet<&str> {
        let nav = self.method(method).map_or(&[][..], |m| &m.nav[..]);
        nav.iter()
            .filter_map(|n| self.nav.get(&n.product))
            .map(|p| p.family.as_str())
            .collect()
    }

    /// Every parameter of a method in wire order of the SDK: the `biz_content` model's
    /// fields, then text params, then file params. Empty for an unknown method.
    pub fn request_fields(&self, method: &str) -> Vec<&Field> {
        let Some(m) = self.method(method) else {
            return Vec::new();
        };
        let biz = m.biz_model.as_deref().and_then(|b| self.model(b));
        biz.map(|b| &b.fields[..])
            .unwrap_or(&[])
            .iter()
            .chain(&m.text_params)
            .chain(&m.file_params)
            .collect()
    }

    /// Every model reachable from a method (its `biz_content` model, the models of its
    /// params and response fields, and theirs, transitively), sorted.
    pub fn models_of_method(&self, method: &str) -> BTreeSet<&str> {
        let Some(m) = self.method(method) else {
            return BTreeSet::new();
        };
        let mut start: Vec<&str> = m.biz_model.iter().map(String::as_str).collect();
        start.extend(m.fields().filter_map(|f| f.reference.as_deref()));
        self.closure(start)
    }

    fn closure<'a>(&'a self, mut todo: Vec<&'a str>) -> BTreeSet<&'a str> {
        let mut seen = BTreeSet::new();
        while let Some(class) = todo.pop() {
            let Some((name, model)) = self.models.get_key_value(class) else {
                continue;
            };
            if seen.insert(name.as_str()) {
                todo.extend(model.fields.iter().filter_map(|f| f.reference.as_deref()));
            }
        }
        seen
    }

    /// Contradictions between the parts: a reference to a missing model or product, a
    /// model no method reaches, an object without a model, counts that do not add up.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut check_field = |owner: &str, f: &Field| match (&f.reference, f.ty) {
            (Some(r), _) if !self.models.contains_key(r) => {
                out.push(format!("{owner}.{}: model {r} is missing", f.name))
            }
            (None, FieldType::Object) => {
                out.push(format!("{owner}.{}: an object without a model", f.name))
            }
            _ => {}
        };
        for (name, m) in &self.methods {
            for f in m.fields() {
                check_field(name, f);
            }
        }
        for (name, model) in &self.models {
            for f in &model.fields {
                check_field(name, f);
            }
        }
        for f in &self.source.common.response_fields {
            check_field("common", f);
        }
        let mut reached = Vec::new();
        for (name, m) in &self.methods {
            if let Some(b) = &m.biz_model {
                if !self.models.contains_key(b) {
                    out.push(format!("{name}: biz_model {b} is missing"));
                }
            }
            if m.nav.is_empty() && !self.source.also.contains_key(name) {
                out.push(format!(
                    "{name}: not under any navigation product nor in `also`"
                ));
            }
            for n in &m.nav {
                if !self.nav.contains_key(&n.product) {
                    out.push(format!(
                        "{name}: navigation product `{}` is missing",
                        n.product
                    ));
                }
            }
            reached.extend(self.models_of_method(name));
        }
        let reached: BTreeSet<&str> = reached.into_iter().collect();
        for name in self.models.keys() {
            if !reached.contains(name.as_str()) {
                out.push(format!("model {name} is not reachable from any method"));
            }
        }
        let counts = self.count();
        if counts != self.source.counts {
            out.push(format!(
                "source.json counts {:?} but the catalogue holds {counts:?}",
                self.source.counts
            ));
        }
        out
    }

    /// The counts of what the catalogue holds (what [`Source::counts`] must say).
    pub fn count(&self) -> Counts {
        let mut hints = BTreeMap::new();
        let mut fields = 0;
        let all_fields = self
            .methods
            .values()
            .flat_map(Method::fields)
            .chain(self.models.values().flat_map(|m| &m.fields));
        for f in all_fields {
            fields += 1;
            for k in f.hints.kinds() {
                *hints.entry(k.to_owned()).or_insert(0) += 1;
            }
        }
        for m in self.methods.values() {
            for k in m.hints.kinds() {
                *hints.entry(k.to_owned()).or_insert(0) += 1;
            }
        }
        Counts {
            methods: self.methods.len(),
            models: self.models.len(),
            fields,
            nav_products: self.nav.len(),
            hints,
        }
    }

    /// The catalogue as file name → text, in the canonical layout: sorted keys, objects
    /// one key per line, arrays one element per line with each element on one line.
    pub fn render(&self) -> Vec<(&'static str, String)> {
        let parts = [
            serde_json::to_value(&self.source),
            serde_json::to_value(&self.nav),
            serde_json::to_value(&self.methods),
            serde_json::to_value(&self.models),
        ];
        FILES
            .iter()
            .zip(parts)
            .map(|(file, value)| {
                let mut out = String::new();
                pretty(&value.expect("catalogue types serialize"), 0, &mut out);
                out.push('\n');
                (*file, out)
            })
            .collect()
    }

    /// Writes [`Catalog::render`] into `dir`, creating it.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for (file, text) in self.render() {
            std::fs::write(dir.join(file), text)?;
        }
        Ok(())
    }
}

impl Method {
    /// Text params, file params and response fields (not the `biz_content` model's).
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.text_params
            .iter()
            .chain(&self.file_params)
            .chain(&self.response.fields)
    }
}

fn pretty(v: &Value, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth + 1);
    match v {
        Value::Object(map) if !map.is_empty() => {
            let keys: BTreeSet<&String> = map.keys().collect();
            out.push_str("{\n");
            for (i, k) in keys.iter().enumerate() {
                let _ = write!(out, "{pad}{}: ", Value::String((*k).clone()));
                pretty(&map[*k], depth + 1, out);
                out.push_str(if i + 1 < keys.len() { ",\n" } else { "\n" });
            }
            let _ = write!(out, "{}}}", "  ".repeat(depth));
        }
        Value::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad);
                compact(item, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            let _ = write!(out, "{}]", "  ".repeat(depth));
        }
        other => compact(other, out),
    }
}

/// Keys written first on one line, in this order, so a field reads `name, type, …`.
const LEADING_KEYS: [&str; 5] = ["name", "type", "list", "ref", "item"];

/// One-line JSON: the [`LEADING_KEYS`] first, then the other keys sorted, whatever
/// serde_json's map order is.
fn compact(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let rest: BTreeSet<&String> = map
                .keys()
                .filter(|k| !LEADING_KEYS.contains(&k.as_str()))
                .collect();
            let lead = LEADING_KEYS.iter().filter_map(|k| map.get_key_value(*k));
            let keys: Vec<&String> = lead.map(|(k, _)| k).chain(rest).collect();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{}:", Value::String((*k).clone()));
                compact(&map[*k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                compact(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, ty: FieldType, reference: Option<&str>) -> Field {
        Field {
            name: name.into(),
            ty,
            list: false,
            reference: reference.map(Into::into),
            item: None,
            hints: FieldHints::default(),
            origin: None,
        }
    }

    fn tiny() -> Catalog {
        let mut cat = Catalog {
            source: Source {
                format: FORMAT,
                generated_by: "test".into(),
                primary: "net-sdk".into(),
                upstreams: BTreeMap::new(),
                common: Common {
                    response_fields: vec![field("code", FieldType::String, None)],
                    system_params: BTreeMap::new(),
                },
                also: BTreeMap::new(),
                uncovered: Vec::new(),
                counts: Counts::default(),
            },
            nav: BTreeMap::from([(
                "支付 / 演示".to_owned(),
                NavProduct {
                    family: "支付".into(),
                    notifications: vec!["演示通知".into()],
                    unmatched: vec![],
                },
            )]),
            methods: BTreeMap::new(),
            models: BTreeMap::new(),
        };
        let mut amount = field("total_amount", FieldType::String, None);
        amount.hints.amount = Some("单位为元".into());
        cat.models.insert(
            "DemoModel".into(),
            Model {
                fields: vec![amount, field("node", FieldType::Object, Some("Node"))],
                origin: None,
            },
        );
        cat.models.insert(
            "Node".into(),
            Model {
                fields: vec![field("child", FieldType::Object, Some("Node"))],
                origin: None,
            },
        );
        cat.methods.insert(
            "alipay.demo.pay".into(),
            Method {
                request_class: "AlipayDemoPayRequest".into(),
                response_class: "AlipayDemoPayResponse".into(),
                version: "1.0".into(),
                biz_content: true,
                biz_model: Some("DemoModel".into()),
                text_params: vec![],
                file_params: vec![],
                upload: false,
                need_encrypt_default: false,
                title_v3: Some("演示支付".into()),
                v3_route: None,
                response: Response {
                    root_key: "alipay_demo_pay_response".into(),
                    fields: vec![field("trade_no", FieldType::String, None)],
                },
                nav: vec![NavRef {
                    product: "支付 / 演示".into(),
                    leaf: "演示支付接口".into(),
                    quality: NavMatch::Exact,
                }],
                hints: MethodHints::default(),
                origin: None,
            },
        );
        cat.source.counts = cat.count();
        cat
    }

    #[test]
    fn render_load_round_trip_and_lookups() {
        let cat = tiny();
        assert_eq!(cat.problems(), Vec::<String>::new());
        let dir = std::env::temp_dir().join(format!("catalog-unit-{}", std::process::id()));
        cat.write(&dir).unwrap();
        let back = load(&dir).unwrap();
        assert_eq!(back, cat);
        assert_eq!(back.render(), cat.render());
        let _ = std::fs::remove_dir_all(&dir);

        assert_eq!(cat.methods_of_product("支付 / 演示"), ["alipay.demo.pay"]);
        assert_eq!(cat.families_of("alipay.demo.pay"), BTreeSet::from(["支付"]));
        assert_eq!(
            cat.models_of_method("alipay.demo.pay"),
            BTreeSet::from(["DemoModel", "Node"])
        );
        let names: Vec<&str> = cat
            .request_fields("alipay.demo.pay")
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(names, ["total_amount", "node"]);
        assert_eq!(cat.source.counts.hints["amount"], 1);
        let models = &cat.render()[3].1;
        assert!(
            models.contains(
                "\n      {\"name\":\"total_amount\",\"type\":\"string\",\"hints\":{\"amount\":\"单位为元\"}},\n"
            ),
            "{models}"
        );
    }

    #[test]
    fn problems_name_every_contradiction() {
        let mut cat = tiny();
        cat.models.get_mut("Node").unwrap().fields.push(field(
            "gone",
            FieldType::Object,
            Some("Gone"),
        ));
        cat.models.insert(
            "Orphan".into(),
            Model {
                fields: vec![field("x", FieldType::Object, None)],
                origin: None,
            },
        );
        cat.methods.get_mut("alipay.demo.pay").unwrap().nav[0].product = "nowhere".into();
        let problems = cat.problems().join("\n");
        for expected in [
            "Node.gone: model Gone is missing",
            "Orphan.x: an object without a model",
            "model Orphan is not reachable",
            "navigation product `nowhere` is missing",
            "counts",
        ] {
            assert!(
                problems.contains(expected),
                "{expected} not in:\n{problems}"
            );
        }
    }
}

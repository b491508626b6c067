//! The validated intermediate representation. Every naming and consistency decision
//! is made here; the emitter only reads it.
//!
//! [`build`] runs one small pass per concern, each in its own module: families and
//! products (`groups`), shared definitions (`shared`), models, methods and notifications
//! (all through the field checks in `field` and the rule checks in `rules`), then the
//! cross-cutting checks and the feature usage of every model (`usage`).

mod cx;
mod field;
mod groups;
mod method;
mod model;
mod notification;
mod rules;
mod shared;
pub mod source;
mod usage;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::error::SpecErrors;
use crate::load::RawSpec;
use crate::spec::CommonParamSpec;

pub use source::SourceRef;

/// Options of the consistency checks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Accept `TODO` placeholders left by `cargo xtask import` (benchmarks and
    /// work in progress); the real spec never sets this.
    pub allow_todo: bool,
}

/// A resolved type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ty {
    /// Text.
    String,
    /// `i64`.
    Integer,
    /// `bool`.
    Boolean,
    /// `Amount`.
    Amount,
    /// `BeijingDateTime`.
    DateTime,
    /// `NaiveDate`.
    Date,
    /// `FileUpload`.
    File,
    /// An object model, by name.
    Object(String),
    /// An enum model, by name.
    Enum(String),
    /// `Vec<T>`.
    List(Box<Ty>),
    /// `JsonString<T>`.
    Json(Box<Ty>),
}

impl Ty {
    /// The type inside lists and JSON strings.
    pub fn base(&self) -> &Ty {
        match self {
            Ty::List(t) | Ty::Json(t) => t.base(),
            t => t,
        }
    }

    /// Model names this type refers to.
    pub fn refs(&self, out: &mut BTreeSet<String>) {
        match self {
            Ty::Object(n) | Ty::Enum(n) => {
                out.insert(n.clone());
            }
            Ty::List(t) | Ty::Json(t) => t.refs(out),
            _ => {}
        }
    }

    /// The type as written in the spec.
    pub fn expr(&self) -> String {
        match self {
            Ty::String => "string".into(),
            Ty::Integer => "integer".into(),
            Ty::Boolean => "boolean".into(),
            Ty::Amount => "amount".into(),
            Ty::DateTime => "datetime".into(),
            Ty::Date => "date".into(),
            Ty::File => "file".into(),
            Ty::Object(n) | Ty::Enum(n) => n.clone(),
            Ty::List(t) => format!("list<{}>", t.expr()),
            Ty::Json(t) => format!("json<{}>", t.expr()),
        }
    }
}

/// Where a request parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// In `biz_content`.
    Biz,
    /// Own form field.
    Text,
    /// Multipart part.
    File,
}

/// A typed constant from the spec (`default`, `fixed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Const {
    /// Text.
    Str(String),
    /// Integer.
    Int(i64),
    /// Boolean.
    Bool(bool),
    /// Amount in fen.
    Amount(i64),
    /// Enum wire value (the enum is the field's type).
    Enum(String),
}

impl Const {
    /// The value as sent in a text parameter.
    pub fn wire_text(&self) -> String {
        match self {
            Const::Str(s) | Const::Enum(s) => s.clone(),
            Const::Int(i) => i.to_string(),
            Const::Bool(b) => b.to_string(),
            Const::Amount(f) => format_fen(*f),
        }
    }
}

/// Formats fen as a two-decimal yuan string, like the runtime's `Amount`.
pub fn format_fen(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Parses a yuan amount with at most two decimals into fen (same rules as the runtime).
pub fn parse_fen(s: &str) -> Option<i64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty()
        || int.len() > 15
        || frac.len() > 2
        || (digits.contains('.') && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let i: i64 = int.parse().ok()?;
    let f: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    let fen = i.checked_mul(100)?.checked_add(f)?;
    Some(if neg { -fen } else { fen })
}

/// An inclusive range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// Integer bounds.
    Int {
        /// Lower bound.
        min: Option<i64>,
        /// Upper bound.
        max: Option<i64>,
    },
    /// Amount bounds in fen.
    Amount {
        /// Lower bound.
        min: Option<i64>,
        /// Upper bound.
        max: Option<i64>,
    },
}

/// A validated field.
#[derive(Debug, Clone)]
pub struct Field {
    /// Wire name.
    pub wire: String,
    /// Rust identifier.
    pub ident: String,
    /// Type.
    pub ty: Ty,
    /// Summary.
    pub summary: String,
    /// Longer notes.
    pub description: Option<String>,
    /// Required.
    pub required: bool,
    /// Placement (request params; `Biz` elsewhere).
    pub placement: Placement,
    /// Min length.
    pub min_length: Option<usize>,
    /// Max length.
    pub max_length: Option<usize>,
    /// Range.
    pub range: Option<Range>,
    /// Max list items.
    pub max_items: Option<usize>,
    /// Default value.
    pub default: Option<Const>,
    /// Fixed value.
    pub fixed: Option<Const>,
    /// Accepts `#EMPTY#`.
    pub clearable: bool,
    /// Deprecation note (empty for a plain flag).
    pub deprecated: Option<String>,
    /// Example as compact JSON.
    pub example: Option<String>,
    /// Regular expression the whole value must match.
    pub pattern: Option<String>,
    /// Largest accepted file size in bytes.
    pub max_bytes: Option<u64>,
    /// Enum fields: the documented values that apply here (the enum's own list when the
    /// spec does not narrow it).
    pub values: Vec<String>,
    /// Enum fields: whether values outside `values` are rejected in requests.
    pub closed: bool,
    /// Where each constraint comes from, by constraint key (`required`, `max_length`, …).
    pub sources: BTreeMap<String, String>,
    /// Facts proposed by the importer and not yet reviewed, by key.
    pub derived: BTreeMap<String, String>,
    /// The shared definition this field uses, if any.
    pub uses: Option<String>,
}

impl Field {
    /// Whether the built value always holds this field (required or defaulted).
    pub fn always_set(&self) -> bool {
        self.required || self.default.is_some()
    }
}

/// Rule of a one-of group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OneOfRule {
    /// One or more.
    AtLeastOne,
    /// Exactly one.
    ExactlyOne,
}

/// A one-of group (wire names, in spec order).
#[derive(Debug, Clone)]
pub struct OneOf {
    /// Wire names.
    pub fields: Vec<String>,
    /// Rule.
    pub rule: OneOfRule,
    /// Where the rule comes from.
    pub source: String,
}

/// A conditional requirement: `field` must be set when `when` is set (to one of `equals`).
#[derive(Debug, Clone)]
pub struct RequiredWhen {
    /// Wire name of the field that becomes required.
    pub field: String,
    /// Wire name of the field the condition reads.
    pub when: String,
    /// Wire texts that trigger the rule; empty: any value.
    pub equals: Vec<String>,
    /// Where the rule comes from.
    pub source: String,
}

/// The rules across the fields of one request or model.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// One-of groups.
    pub one_of: Vec<OneOf>,
    /// Conditional requirements.
    pub required_when: Vec<RequiredWhen>,
}

impl Rules {
    /// Whether there is no rule.
    pub fn is_empty(&self) -> bool {
        self.one_of.is_empty() && self.required_when.is_empty()
    }
}

/// Call kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Server call.
    Server,
    /// Page redirect.
    Page,
    /// App order string.
    App,
    /// Upload.
    Upload,
}

/// A validated method.
#[derive(Debug, Clone)]
pub struct Method {
    /// Wire name.
    pub wire: String,
    /// Spec file path as shown.
    pub source: String,
    /// Chinese title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Longer notes.
    pub description: Option<String>,
    /// Upstream docs URL.
    pub docs: Option<String>,
    /// Family (folder, feature and module).
    pub family: String,
    /// API version.
    pub version: String,
    /// Kind.
    pub kind: Kind,
    /// Common params accepted, in canonical order.
    pub common_params: Vec<CommonParamSpec>,
    /// Encryptable.
    pub encryptable: bool,
    /// Extra success result codes.
    pub success_codes: Vec<String>,
    /// Extra success sub codes.
    pub success_sub_codes: Vec<String>,
    /// Fixed protocol params, sorted by name.
    pub fixed_params: Vec<(String, String)>,
    /// v3 route.
    pub v3: Option<(String, String)>,
    /// Request params in spec order.
    pub params: Vec<Field>,
    /// Rules across the params.
    pub rules: Rules,
    /// Where the method-level facts come from.
    pub fact_source: Option<String>,
    /// Response fields in spec order.
    pub response: Vec<Field>,
    /// Request type name.
    pub type_name: String,
    /// Response type name.
    pub response_name: String,
    /// Module (file) name.
    pub module: String,
    /// Response node key.
    pub response_key: String,
}

/// One enum value.
#[derive(Debug, Clone)]
pub struct EnumValue {
    /// Wire value.
    pub value: String,
    /// Variant name.
    pub variant: String,
    /// Summary.
    pub summary: String,
    /// Deprecation note.
    pub deprecated: Option<String>,
    /// Whether the value is an end state.
    pub is_final: bool,
}

/// Object or enum.
#[derive(Debug, Clone)]
pub enum ModelKind {
    /// Object with fields.
    Object {
        /// Fields in spec order.
        fields: Vec<Field>,
        /// Rules across the fields.
        rules: Rules,
    },
    /// Enum (open in Rust; `closed` only affects request validation).
    Enum {
        /// Values in spec order.
        values: Vec<EnumValue>,
        /// Whether requests may only use the listed values.
        closed: bool,
        /// Where the list (and `closed`) comes from.
        source: Option<String>,
    },
}

/// A validated model.
#[derive(Debug, Clone)]
pub struct Model {
    /// Name (Rust type name).
    pub name: String,
    /// Module (file) name.
    pub module: String,
    /// Spec file path as shown.
    pub source: String,
    /// Optional title.
    pub title: Option<String>,
    /// Summary.
    pub summary: String,
    /// Longer notes.
    pub description: Option<String>,
    /// Object or enum.
    pub kind: ModelKind,
    /// The family the spec assigns the model to, besides those that use it.
    pub family: Option<String>,
    /// Families using the model, directly or through other models.
    pub families: BTreeSet<String>,
    /// Whether a request (param or nested model) uses the model.
    pub in_requests: bool,
    /// Whether a response or notification uses the model.
    pub in_responses: bool,
}

/// How a notification arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Form fields with this `notify_type`.
    Form(String),
    /// A message with this `msg_method`.
    Message(String),
    /// A JSON body with this `action`, not signed by Alipay.
    Json(String),
}

/// A validated notification.
#[derive(Debug, Clone)]
pub struct Notification {
    /// Rust type name.
    pub name: String,
    /// Module (file) name.
    pub module: String,
    /// Spec file path as shown.
    pub source: String,
    /// Chinese title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Longer notes.
    pub description: Option<String>,
    /// Upstream docs URL.
    pub docs: Option<String>,
    /// Family.
    pub family: String,
    /// Delivery.
    pub delivery: Delivery,
    /// Fields in spec order.
    pub fields: Vec<Field>,
}

/// A method family: one cargo feature and one Rust module.
#[derive(Debug, Clone)]
pub struct Family {
    /// Name (feature and module).
    pub name: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Models used by the family, sorted.
    pub models: Vec<String>,
}

/// A docs product: an alias feature over the families its specced methods use.
#[derive(Debug, Clone)]
pub struct Product {
    /// Feature name.
    pub name: String,
    /// Title as the docs navigation shows it.
    pub title: String,
    /// Navigation path.
    pub nav: String,
    /// Its API list as the docs show it.
    pub methods: Vec<String>,
    /// Its notifications as listed.
    pub notifications: Vec<String>,
    /// Families of the specced methods and notifications, sorted.
    pub families: Vec<String>,
    /// Listed methods that are not in the spec yet.
    pub missing: Vec<String>,
}

/// The whole validated spec, sorted deterministically.
#[derive(Debug, Clone)]
pub struct Ir {
    /// Families in `groups.yaml` order.
    pub families: Vec<Family>,
    /// Products in `groups.yaml` order.
    pub products: Vec<Product>,
    /// Methods sorted by wire name.
    pub methods: Vec<Method>,
    /// Models sorted by name.
    pub models: Vec<Model>,
    /// Notifications sorted by name.
    pub notifications: Vec<Notification>,
}

impl Ir {
    /// The families that have at least one method or notification: the ones that
    /// become features and modules (the rest only tell the importer where methods go).
    pub fn live_families(&self) -> impl Iterator<Item = &Family> {
        self.families.iter().filter(|f| {
            self.methods.iter().any(|m| m.family == f.name)
                || self.notifications.iter().any(|n| n.family == f.name)
        })
    }

    /// Looks a method up by wire name.
    pub fn method(&self, wire: &str) -> Option<&Method> {
        self.methods
            .binary_search_by(|m| m.wire.as_str().cmp(wire))
            .ok()
            .and_then(|i| self.methods.get(i))
    }

    /// Looks a model up by name.
    pub fn model(&self, name: &str) -> Option<&Model> {
        self.models
            .binary_search_by(|m| m.name.as_str().cmp(name))
            .ok()
            .and_then(|i| self.models.get(i))
    }
}

/// Checks the raw spec for consistency and builds the IR. Reports every problem found.
pub fn build(raw: &RawSpec, opts: Options) -> Result<Ir, SpecErrors> {
    let mut errors = SpecErrors::default();
    let (families, products) = groups::build(raw, &mut errors);
    let family_names: Option<BTreeSet<String>> = raw
        .groups
        .as_ref()
        .map(|_| families.iter().map(|f| f.name.clone()).collect());
    let index = cx::TypeIndex::new(raw, &mut errors);
    let mut cx = cx::Cx::new(&mut errors, &index, opts);
    let defs = shared::Definitions::collect(&mut cx, &raw.fields);

    let mut models = model::build_all(&mut cx, &defs, &raw.models, family_names.as_ref());
    let methods = method::build_all(&mut cx, &defs, &raw.methods, family_names.as_ref());
    let notifications =
        notification::build_all(&mut cx, &defs, &raw.notifications, family_names.as_ref());
    cx.check_type_names(&methods, &models, &notifications);

    let mut ir = Ir {
        families,
        products,
        methods: Vec::new(),
        models: Vec::new(),
        notifications: Vec::new(),
    };
    usage::check_recursion(&mut cx, raw, &models);
    usage::assign(&mut ir.families, &mut models, &methods, &notifications);
    ir.methods = methods;
    ir.models = models;
    ir.notifications = notifications;
    groups::resolve_products(&mut cx, raw, &mut ir);

    if errors.is_empty() {
        Ok(ir)
    } else {
        Err(errors.sorted())
    }
}

/// Loads `spec_dir` and builds the IR, reporting parse and consistency errors together.
pub fn load(spec_dir: &Path, opts: Options) -> Result<Ir, SpecErrors> {
    let (raw, mut errors) = crate::load::load_raw(spec_dir);
    match build(&raw, opts) {
        Ok(ir) if errors.is_empty() => Ok(ir),
        Ok(_) => Err(errors.sorted()),
        Err(more) => {
            errors.0.extend(more.0);
            Err(errors.sorted())
        }
    }
}

/// The path shown for a spec file.
pub fn shown_path(p: &Path) -> PathBuf {
    PathBuf::from(cx::shown(p))
}

/// Common parameters in canonical order (re-exported for the emitter).
pub const COMMON_PARAMS: [CommonParamSpec; 4] = CommonParamSpec::ALL;

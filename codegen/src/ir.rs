//! The validated intermediate representation. Every naming and consistency decision
//! is made here; the emitter only reads it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::error::{locate, ErrorKind, SpecErrors};
use crate::load::{RawSpec, Source};
use crate::naming;
use crate::spec::{
    CommonParamSpec, DeliverySpec, DeprecatedSpec, FieldSpec, InSpec, KindSpec, ModelKindSpec,
    OneOfRuleSpec, OneOfSpec, ScalarSpec,
};

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
    /// Group.
    pub group: String,
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
    /// One-of groups.
    pub one_of: Vec<OneOf>,
    /// Response fields in spec order.
    pub response: Vec<Field>,
    /// Request type name.
    pub type_name: String,
    /// Builder type name.
    pub builder_name: String,
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
}

/// Object or enum.
#[derive(Debug, Clone)]
pub enum ModelKind {
    /// Object with fields.
    Object {
        /// Fields in spec order.
        fields: Vec<Field>,
        /// One-of groups.
        one_of: Vec<OneOf>,
    },
    /// Open enum.
    Enum {
        /// Values in spec order.
        values: Vec<EnumValue>,
    },
}

/// A validated model.
#[derive(Debug, Clone)]
pub struct Model {
    /// Name (Rust type name).
    pub name: String,
    /// Module (file) name.
    pub module: String,
    /// Builder type name (objects).
    pub builder_name: String,
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
    /// Groups using the model, directly or through other models.
    pub groups: BTreeSet<String>,
}

/// How a notification arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Form fields with this `notify_type`.
    Form(String),
    /// A message with this `msg_method`.
    Message(String),
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
    /// Group.
    pub group: String,
    /// Delivery.
    pub delivery: Delivery,
    /// Fields in spec order.
    pub fields: Vec<Field>,
}

/// A product group.
#[derive(Debug, Clone)]
pub struct Group {
    /// Name (feature and module).
    pub name: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Models used by the group, sorted.
    pub models: Vec<String>,
}

/// The whole validated spec, sorted deterministically.
#[derive(Debug, Clone)]
pub struct Ir {
    /// Groups in `groups.yaml` order.
    pub groups: Vec<Group>,
    /// Methods sorted by wire name.
    pub methods: Vec<Method>,
    /// Models sorted by name.
    pub models: Vec<Model>,
    /// Notifications sorted by name.
    pub notifications: Vec<Notification>,
}

impl Ir {
    /// Looks a model up by name.
    pub fn model(&self, name: &str) -> Option<&Model> {
        self.models
            .binary_search_by(|m| m.name.as_str().cmp(name))
            .ok()
            .and_then(|i| self.models.get(i))
    }
}

/// Where a field sits in its file, for locating errors.
#[derive(Clone, Copy)]
enum Ctx {
    Request,
    Response,
    Model,
    Notification,
}

struct Cx<'a> {
    errors: &'a mut SpecErrors,
    models: &'a BTreeMap<String, ModelKindSpec>,
    enum_values: &'a BTreeMap<String, Vec<String>>,
    broken_models: &'a BTreeSet<String>,
    opts: Options,
}

struct FileRef<'a> {
    path: &'a Path,
    text: &'a str,
}

impl FileRef<'_> {
    fn line(&self, anchors: &[(&str, Option<&str>)]) -> Option<usize> {
        locate(self.text, anchors)
    }
}

fn is_todo(s: &str) -> bool {
    s.trim_start().starts_with("TODO")
}

impl Cx<'_> {
    fn err(&mut self, file: &FileRef<'_>, anchors: &[(&str, Option<&str>)], kind: ErrorKind) {
        let line = file.line(anchors).or(Some(1));
        self.errors.push(file.path, line, kind);
    }

    fn todo(&mut self, file: &FileRef<'_>, anchors: &[(&str, Option<&str>)], key: &str, v: &str) {
        if !self.opts.allow_todo && is_todo(v) {
            self.err(
                file,
                anchors,
                ErrorKind::Todo {
                    key: key.to_owned(),
                },
            );
        }
    }

    /// Parses a type expression, reporting bad syntax and unknown names.
    fn parse_ty(
        &mut self,
        file: &FileRef<'_>,
        anchor: &[(&str, Option<&str>)],
        expr: &str,
    ) -> Option<Ty> {
        let e = expr.trim();
        let inner = |p: &str| {
            e.strip_prefix(p)
                .and_then(|r| r.strip_suffix('>'))
                .map(str::to_owned)
        };
        if let Some(i) = inner("list<") {
            return self
                .parse_ty(file, anchor, &i)
                .map(|t| Ty::List(Box::new(t)));
        }
        if let Some(i) = inner("json<") {
            return self
                .parse_ty(file, anchor, &i)
                .map(|t| Ty::Json(Box::new(t)));
        }
        let t = match e {
            "string" => Ty::String,
            "integer" => Ty::Integer,
            "boolean" => Ty::Boolean,
            "amount" => Ty::Amount,
            "datetime" => Ty::DateTime,
            "date" => Ty::Date,
            "file" => Ty::File,
            name if naming::is_type_name(name) => match self.models.get(name) {
                Some(ModelKindSpec::Object) => Ty::Object(name.to_owned()),
                Some(ModelKindSpec::Enum) => Ty::Enum(name.to_owned()),
                None => {
                    if !self.broken_models.contains(name) {
                        self.err(
                            file,
                            anchor,
                            ErrorKind::UnknownType {
                                name: name.to_owned(),
                            },
                        );
                    }
                    return None;
                }
            },
            _ => {
                self.err(
                    file,
                    anchor,
                    ErrorKind::BadTypeExpr {
                        expr: expr.to_owned(),
                    },
                );
                return None;
            }
        };
        Some(t)
    }

    fn parse_const(&mut self, ty: &Ty, v: &ScalarSpec) -> Result<Const, String> {
        match (ty, v) {
            (Ty::String, ScalarSpec::Str(s)) => Ok(Const::Str(s.clone())),
            (Ty::String, ScalarSpec::Int(_) | ScalarSpec::Float(_) | ScalarSpec::Bool(_)) => {
                Err("a string field needs a quoted string value".into())
            }
            (Ty::Integer, ScalarSpec::Int(i)) => Ok(Const::Int(*i)),
            (Ty::Boolean, ScalarSpec::Bool(b)) => Ok(Const::Bool(*b)),
            (Ty::Amount, ScalarSpec::Str(s)) => parse_fen(s)
                .map(Const::Amount)
                .ok_or_else(|| format!("`{s}` is not an amount with at most two decimals")),
            (Ty::Amount, ScalarSpec::Int(_) | ScalarSpec::Float(_)) => {
                Err("write amounts as quoted decimals, e.g. \"0.01\"".into())
            }
            (Ty::Enum(name), ScalarSpec::Str(s)) => {
                let known = self
                    .enum_values
                    .get(name)
                    .is_some_and(|vals| vals.iter().any(|x| x == s));
                if known {
                    Ok(Const::Enum(s.clone()))
                } else {
                    Err(format!("`{s}` is not a value of enum `{name}`"))
                }
            }
            (Ty::Integer | Ty::Boolean | Ty::Enum(_), _) => {
                Err(format!("`{}` does not fit type `{}`", v.text(), ty.expr()))
            }
            _ => Err(format!(
                "`default` and `fixed` are supported for string, integer, boolean, amount and enum fields, not `{}`",
                ty.expr()
            )),
        }
    }

    fn field(
        &mut self,
        file: &FileRef<'_>,
        ctx: Ctx,
        section: &str,
        f: &FieldSpec,
    ) -> Option<Field> {
        let name = f.name.as_str();
        let anchors_key = |key: &'static str| [(section, None), ("name", Some(name)), (key, None)];
        let bad = |message: String| ErrorKind::BadValue {
            field: name.to_owned(),
            message,
        };
        self.todo(file, &anchors_key("summary"), "summary", &f.summary);

        let ty = self.parse_ty(file, &anchors_key("type"), &f.ty);

        let ident = match &f.rust_name {
            Some(r) => {
                if !naming::is_ident(r) || r.chars().any(|c| c.is_ascii_uppercase()) {
                    self.err(
                        file,
                        &anchors_key("rust_name"),
                        ErrorKind::Naming {
                            message: format!("rust_name `{r}` is not a snake_case Rust identifier"),
                        },
                    );
                }
                r.clone()
            }
            None => naming::field_ident(name),
        };
        if f.rust_name.is_none() && !naming::is_ident(&ident) {
            self.err(
                file,
                &anchors_key("name"),
                ErrorKind::Naming {
                    message: format!(
                        "field name `{name}` gives no usable Rust identifier: add a snake_case `rust_name`"
                    ),
                },
            );
            return None;
        }

        let request = matches!(ctx, Ctx::Request);
        let placement = match (request, f.placement) {
            (true, Some(InSpec::Text)) => Placement::Text,
            (true, Some(InSpec::File)) => Placement::File,
            (true, Some(InSpec::Biz) | None) => Placement::Biz,
            (false, None) => Placement::Biz,
            (false, Some(_)) => {
                self.err(
                    file,
                    &anchors_key("in"),
                    bad("`in` is only for request params".into()),
                );
                Placement::Biz
            }
        };
        let ty = ty?;

        if (ty == Ty::File) != (placement == Placement::File)
            || (ty != Ty::File && matches!(ty.base(), Ty::File))
        {
            let key = if f.placement.is_some() { "in" } else { "type" };
            self.err(
                file,
                &anchors_key(key),
                ErrorKind::FilePlacement {
                    field: name.to_owned(),
                },
            );
        }

        let settable = matches!(ctx, Ctx::Request | Ctx::Model);
        if !settable {
            for (key, set) in [
                ("default", f.default.is_some()),
                ("fixed", f.fixed.is_some()),
                ("clearable", f.clearable),
            ] {
                if set {
                    self.err(
                        file,
                        &anchors_key(key),
                        bad(format!(
                            "`{key}` is only for request params and model fields"
                        )),
                    );
                }
            }
        }
        if f.default.is_some() && f.fixed.is_some() {
            self.err(
                file,
                &anchors_key("fixed"),
                ErrorKind::DefaultAndFixed {
                    field: name.to_owned(),
                },
            );
        }
        if f.required && f.fixed.is_some() {
            self.err(
                file,
                &anchors_key("fixed"),
                ErrorKind::RequiredAndFixed {
                    field: name.to_owned(),
                },
            );
        }
        if f.clearable && f.fixed.is_some() {
            self.err(
                file,
                &anchors_key("clearable"),
                bad("a `fixed` field cannot be `clearable`".into()),
            );
        }

        let stringy = matches!(ty.base(), Ty::String | Ty::Enum(_));
        if (f.max_length.is_some() || f.min_length.is_some()) && !stringy {
            let key = if f.max_length.is_some() {
                "max_length"
            } else {
                "min_length"
            };
            self.err(
                file,
                &anchors_key(key),
                bad(format!(
                    "lengths apply to strings and enums (or lists of them), not `{}`",
                    ty.expr()
                )),
            );
        }
        if let (Some(min), Some(max)) = (f.min_length, f.max_length) {
            if min > max {
                self.err(
                    file,
                    &anchors_key("min_length"),
                    bad(format!("min_length {min} is greater than max_length {max}")),
                );
            }
        }
        if f.max_items.is_some()
            && !matches!(ty, Ty::List(_))
            && !matches!(&ty, Ty::Json(t) if matches!(**t, Ty::List(_)))
        {
            self.err(
                file,
                &anchors_key("max_items"),
                bad("`max_items` applies to lists only".into()),
            );
        }

        let range = match &f.range {
            None => None,
            Some(r) => {
                let base = ty.base();
                let parsed = match base {
                    Ty::Integer => {
                        let conv = |v: &Option<ScalarSpec>| match v {
                            None => Ok(None),
                            Some(ScalarSpec::Int(i)) => Ok(Some(*i)),
                            Some(ScalarSpec::Str(s)) => {
                                s.trim().parse().map(Some).map_err(|_| s.clone())
                            }
                            Some(o) => Err(o.text()),
                        };
                        match (conv(&r.min), conv(&r.max)) {
                            (Ok(min), Ok(max)) => Ok(Range::Int { min, max }),
                            (Err(e), _) | (_, Err(e)) => {
                                Err(format!("range bound `{e}` is not an integer"))
                            }
                        }
                    }
                    Ty::Amount => {
                        let conv = |v: &Option<ScalarSpec>| match v {
                            None => Ok(None),
                            Some(ScalarSpec::Str(s)) => {
                                parse_fen(s.trim()).map(Some).ok_or_else(|| s.clone())
                            }
                            Some(ScalarSpec::Int(i)) => {
                                i.checked_mul(100).map(Some).ok_or_else(|| i.to_string())
                            }
                            Some(o) => Err(o.text()),
                        };
                        match (conv(&r.min), conv(&r.max)) {
                            (Ok(min), Ok(max)) => Ok(Range::Amount { min, max }),
                            (Err(e), _) | (_, Err(e)) => Err(format!(
                                "range bound `{e}` is not an amount: quote decimals, e.g. \"0.01\""
                            )),
                        }
                    }
                    other => Err(format!(
                        "`range` applies to amounts and integers, not `{}`",
                        other.expr()
                    )),
                };
                match parsed {
                    Ok(r) => {
                        let (lo, hi) = match r {
                            Range::Int { min, max } | Range::Amount { min, max } => (min, max),
                        };
                        if let (Some(lo), Some(hi)) = (lo, hi) {
                            if lo > hi {
                                self.err(
                                    file,
                                    &anchors_key("range"),
                                    bad("range min is greater than max".into()),
                                );
                            }
                        }
                        Some(r)
                    }
                    Err(m) => {
                        self.err(file, &anchors_key("range"), bad(m));
                        None
                    }
                }
            }
        };

        let constant =
            |this: &mut Self, key: &'static str, v: &Option<ScalarSpec>| -> Option<Const> {
                let v = v.as_ref()?;
                match this.parse_const(&ty, v) {
                    Ok(c) => Some(c),
                    Err(m) => {
                        this.err(file, &anchors_key(key), bad(m));
                        None
                    }
                }
            };
        let default = if settable {
            constant(self, "default", &f.default)
        } else {
            None
        };
        let fixed = if settable {
            constant(self, "fixed", &f.fixed)
        } else {
            None
        };

        let example = f
            .example
            .as_ref()
            .and_then(|v| serde_json::to_value(v).ok())
            .and_then(|v| serde_json::to_string(&v).ok());

        Some(Field {
            wire: name.to_owned(),
            ident,
            ty,
            summary: f.summary.trim().to_owned(),
            description: f.description.as_ref().map(|d| d.trim().to_owned()),
            required: f.required,
            placement,
            min_length: f.min_length,
            max_length: f.max_length,
            range,
            max_items: f.max_items,
            default,
            fixed,
            clearable: f.clearable && settable,
            deprecated: deprecated(&f.deprecated),
            example,
        })
    }

    fn fields(
        &mut self,
        file: &FileRef<'_>,
        ctx: Ctx,
        section: &str,
        specs: &[FieldSpec],
    ) -> Vec<Field> {
        let mut out: Vec<Field> = Vec::new();
        let mut wires = BTreeSet::new();
        let mut idents = BTreeMap::new();
        for f in specs {
            if !wires.insert(f.name.clone()) {
                self.err(
                    file,
                    &[
                        (section, None),
                        ("name", Some(&f.name)),
                        ("name", Some(&f.name)),
                    ],
                    ErrorKind::Duplicate {
                        what: "field",
                        name: f.name.clone(),
                    },
                );
                continue;
            }
            let Some(field) = self.field(file, ctx, section, f) else {
                continue;
            };
            if let Some(prev) = idents.insert(field.ident.clone(), field.wire.clone()) {
                self.err(
                    file,
                    &[(section, None), ("name", Some(&f.name))],
                    ErrorKind::Naming {
                        message: format!(
                            "fields `{prev}` and `{}` both become `{}` in Rust: give one a `rust_name`",
                            f.name, field.ident
                        ),
                    },
                );
                continue;
            }
            out.push(field);
        }
        out
    }

    fn one_of(&mut self, file: &FileRef<'_>, fields: &[Field], specs: &[OneOfSpec]) -> Vec<OneOf> {
        let mut out = Vec::new();
        for g in specs {
            let mut ok = true;
            for n in &g.fields {
                if !fields.iter().any(|f| &f.wire == n) {
                    self.err(
                        file,
                        &[("one_of", None), ("fields", Some(n.as_str()))],
                        ErrorKind::OneOfUnknownField { name: n.clone() },
                    );
                    ok = false;
                }
            }
            let distinct: BTreeSet<_> = g.fields.iter().collect();
            if distinct.len() < 2 {
                self.err(
                    file,
                    &[("one_of", None), ("fields", None)],
                    ErrorKind::OneOfTooSmall,
                );
                ok = false;
            }
            if ok {
                out.push(OneOf {
                    fields: g.fields.clone(),
                    rule: match g.rule {
                        OneOfRuleSpec::AtLeastOne => OneOfRule::AtLeastOne,
                        OneOfRuleSpec::ExactlyOne => OneOfRule::ExactlyOne,
                    },
                });
            }
        }
        out
    }
}

fn deprecated(d: &Option<DeprecatedSpec>) -> Option<String> {
    match d {
        None | Some(DeprecatedSpec::Flag(false)) => None,
        Some(DeprecatedSpec::Flag(true)) => Some(String::new()),
        Some(DeprecatedSpec::Note(n)) => Some(n.trim().to_owned()),
    }
}

fn shown(p: &Path) -> String {
    p.display().to_string().replace('\\', "/")
}

fn fref<T>(s: &Source<T>) -> FileRef<'_> {
    FileRef {
        path: &s.path,
        text: &s.text,
    }
}

fn valid_method_name(m: &str) -> bool {
    let parts: Vec<&str> = m.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

/// Checks the raw spec for consistency and builds the IR. Reports every problem found.
pub fn build(raw: &RawSpec, opts: Options) -> Result<Ir, SpecErrors> {
    let mut errors = SpecErrors::default();

    // Groups.
    let mut groups = Vec::new();
    let mut group_names = BTreeSet::new();
    let groups_known = raw.groups.is_some();
    if let Some(gs) = &raw.groups {
        let file = fref(gs);
        for g in &gs.value.groups {
            let at = [("name", Some(g.name.as_str()))];
            if !group_names.insert(g.name.clone()) {
                errors.push(
                    &gs.path,
                    locate(
                        &gs.text,
                        &[("name", Some(&g.name)), ("name", Some(&g.name))],
                    ),
                    ErrorKind::Duplicate {
                        what: "group",
                        name: g.name.clone(),
                    },
                );
                continue;
            }
            let ok = naming::is_ident(&g.name)
                && g.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && g.name != "models"
                && g.name != "full"
                && g.name != "default";
            if !ok {
                errors.push(file.path, file.line(&at), ErrorKind::Naming { message: format!("group name `{}` must be a snake_case Rust identifier other than `models`, `full` and `default`", g.name) });
            }
            groups.push(Group {
                name: g.name.clone(),
                title: g.title.trim().to_owned(),
                summary: g.summary.trim().to_owned(),
                models: Vec::new(),
            });
        }
    }

    // Model names first, so that type expressions can be resolved.
    let mut model_kinds = BTreeMap::new();
    let mut enum_values = BTreeMap::new();
    for m in &raw.models {
        let v = &m.value;
        if model_kinds.insert(v.name.clone(), v.kind).is_some() {
            errors.push(
                &m.path,
                locate(&m.text, &[("name", None)]),
                ErrorKind::Duplicate {
                    what: "model",
                    name: v.name.clone(),
                },
            );
        }
        if v.kind == ModelKindSpec::Enum {
            enum_values.insert(
                v.name.clone(),
                v.values
                    .iter()
                    .flatten()
                    .map(|x| x.value.clone())
                    .collect::<Vec<_>>(),
            );
        }
    }
    let broken: BTreeSet<String> = raw.broken_models.iter().cloned().collect();

    let mut cx = Cx {
        errors: &mut errors,
        models: &model_kinds,
        enum_values: &enum_values,
        broken_models: &broken,
        opts,
    };

    // Every generated type name, to catch clashes between methods, models and notifications.
    let mut type_names: BTreeMap<String, String> = BTreeMap::new();
    let mut claim =
        |cx: &mut Cx<'_>, file: &FileRef<'_>, anchor: &[(&str, Option<&str>)], name: String| {
            if let Some(prev) = type_names.get(&name) {
                if prev != &shown(file.path) {
                    cx.err(
                        file,
                        anchor,
                        ErrorKind::Naming {
                            message: format!(
                                "the Rust type `{name}` is also generated for {prev}: rename one"
                            ),
                        },
                    );
                }
            } else {
                type_names.insert(name, shown(file.path));
            }
        };

    // Models.
    let mut models = Vec::new();
    for m in &raw.models {
        let file = fref(m);
        let v = &m.value;
        if m.stem != v.name {
            cx.err(
                &file,
                &[("name", None)],
                ErrorKind::FileName {
                    expected: format!("{}.yaml", v.name),
                },
            );
        }
        if !naming::is_type_name(&v.name) || naming::PRELUDE.contains(&v.name.as_str()) {
            cx.err(&file, &[("name", None)], ErrorKind::Naming { message: format!("model name `{}` must be an UpperCamelCase Rust type name that is not in the Rust prelude", v.name) });
            continue;
        }
        cx.todo(&file, &[("summary", None)], "summary", &v.summary);
        claim(&mut cx, &file, &[("name", None)], v.name.clone());
        let kind = match v.kind {
            ModelKindSpec::Object => {
                if v.values.is_some() {
                    cx.err(
                        &file,
                        &[("values", None)],
                        ErrorKind::Invalid {
                            message: "an object model has `fields`, not `values`".into(),
                        },
                    );
                }
                claim(
                    &mut cx,
                    &file,
                    &[("name", None)],
                    format!("{}Builder", v.name),
                );
                let fields = cx.fields(
                    &file,
                    Ctx::Model,
                    "fields",
                    v.fields.as_deref().unwrap_or_default(),
                );
                let one_of = cx.one_of(&file, &fields, v.one_of.as_deref().unwrap_or_default());
                ModelKind::Object { fields, one_of }
            }
            ModelKindSpec::Enum => {
                if v.fields.is_some() || v.one_of.is_some() {
                    cx.err(
                        &file,
                        &[("fields", None)],
                        ErrorKind::Invalid {
                            message: "an enum model has `values`, not `fields` or `one_of`".into(),
                        },
                    );
                }
                let mut values = Vec::new();
                let mut seen = BTreeSet::new();
                let mut variants = BTreeMap::new();
                let specs = v.values.as_deref().unwrap_or_default();
                if specs.is_empty() {
                    cx.err(
                        &file,
                        &[("values", None)],
                        ErrorKind::Invalid {
                            message: "an enum needs at least one value".into(),
                        },
                    );
                }
                for ev in specs {
                    let at = [("values", None), ("value", Some(ev.value.as_str()))];
                    cx.todo(
                        &file,
                        &[
                            ("values", None),
                            ("value", Some(ev.value.as_str())),
                            ("summary", None),
                        ],
                        "summary",
                        &ev.summary,
                    );
                    if !seen.insert(ev.value.clone()) {
                        cx.err(
                            &file,
                            &[
                                ("values", None),
                                ("value", Some(ev.value.as_str())),
                                ("value", Some(ev.value.as_str())),
                            ],
                            ErrorKind::Duplicate {
                                what: "enum value",
                                name: ev.value.clone(),
                            },
                        );
                        continue;
                    }
                    let variant = match &ev.rust_name {
                        Some(r) => {
                            if !naming::is_type_name(r) || r == "Unknown" {
                                cx.err(&file, &at, ErrorKind::Naming { message: format!("rust_name `{r}` must be an UpperCamelCase identifier other than `Unknown`") });
                            }
                            r.clone()
                        }
                        None => naming::variant_ident(&ev.value),
                    };
                    if !naming::is_type_name(&variant) {
                        cx.err(
                            &file,
                            &at,
                            ErrorKind::Naming {
                                message: format!(
                                    "enum value `{}` gives no Rust variant name: add `rust_name`",
                                    ev.value
                                ),
                            },
                        );
                        continue;
                    }
                    if let Some(prev) = variants.insert(variant.clone(), ev.value.clone()) {
                        cx.err(&file, &at, ErrorKind::Naming { message: format!("values `{prev}` and `{}` both become variant `{variant}`: give one a `rust_name`", ev.value) });
                        continue;
                    }
                    values.push(EnumValue {
                        value: ev.value.clone(),
                        variant,
                        summary: ev.summary.trim().to_owned(),
                        deprecated: deprecated(&ev.deprecated),
                    });
                }
                ModelKind::Enum { values }
            }
        };
        models.push(Model {
            name: v.name.clone(),
            module: naming::type_module(&v.name),
            builder_name: format!("{}Builder", v.name),
            source: shown(&m.path),
            title: v.title.clone(),
            summary: v.summary.trim().to_owned(),
            description: v.description.as_ref().map(|d| d.trim().to_owned()),
            kind,
            groups: BTreeSet::new(),
        });
    }
    models.sort_by(|a, b| a.name.cmp(&b.name));
    models.dedup_by(|a, b| a.name == b.name);

    // Methods.
    let mut methods = Vec::new();
    let mut method_names = BTreeSet::new();
    for m in &raw.methods {
        let file = fref(m);
        let v = &m.value;
        if m.stem != v.method {
            cx.err(
                &file,
                &[("method", None)],
                ErrorKind::FileName {
                    expected: format!("{}.yaml", v.method),
                },
            );
        }
        if !valid_method_name(&v.method) {
            cx.err(
                &file,
                &[("method", None)],
                ErrorKind::Naming {
                    message: format!(
                        "`{}` is not a method name like `alipay.trade.query`",
                        v.method
                    ),
                },
            );
            continue;
        }
        if !method_names.insert(v.method.clone()) {
            cx.err(
                &file,
                &[("method", None)],
                ErrorKind::Duplicate {
                    what: "method",
                    name: v.method.clone(),
                },
            );
            continue;
        }
        if groups_known && !group_names.contains(&v.group) {
            cx.err(
                &file,
                &[("group", None)],
                ErrorKind::UnknownGroup {
                    group: v.group.clone(),
                },
            );
        } else if m.folder != v.group {
            cx.err(
                &file,
                &[("group", None)],
                ErrorKind::WrongGroupFolder {
                    group: v.group.clone(),
                    folder: m.folder.clone(),
                },
            );
        }
        cx.todo(&file, &[("summary", None)], "summary", &v.summary);
        cx.todo(&file, &[("title", None)], "title", &v.title);
        let type_name = naming::method_type(&v.method);
        for n in [
            type_name.clone(),
            format!("{type_name}Builder"),
            format!("{type_name}Response"),
        ] {
            claim(&mut cx, &file, &[("method", None)], n);
        }
        let kind = match v.kind {
            KindSpec::Server => Kind::Server,
            KindSpec::Page => Kind::Page,
            KindSpec::App => Kind::App,
            KindSpec::Upload => Kind::Upload,
        };
        let params = cx.fields(&file, Ctx::Request, "request", &v.request.params);
        let one_of = cx.one_of(&file, &params, &v.request.one_of);
        let response = cx.fields(&file, Ctx::Response, "response", &v.response.fields);

        let has_file = params.iter().any(|p| p.placement == Placement::File);
        if has_file != (kind == Kind::Upload) {
            cx.err(&file, &[("kind", None)], ErrorKind::Invalid { message: "file params need `kind: upload`, and an upload needs at least one `in: file` param".into() });
        }
        let mut common: Vec<CommonParamSpec> = v.common_params.clone();
        common.sort();
        if common.windows(2).any(|w| w[0] == w[1]) {
            cx.err(
                &file,
                &[("common_params", None)],
                ErrorKind::Duplicate {
                    what: "common param",
                    name: "common_params".into(),
                },
            );
            common.dedup();
        }
        for c in &common {
            if let Some(p) = params
                .iter()
                .find(|p| p.ident == c.wire_name() || p.wire == c.wire_name())
            {
                cx.err(
                    &file,
                    &[("request", None), ("name", Some(p.wire.as_str()))],
                    ErrorKind::Naming {
                        message: format!(
                            "param `{}` clashes with the common param `{}`: drop it from params",
                            p.wire,
                            c.wire_name()
                        ),
                    },
                );
            }
        }
        for k in v.fixed_params.keys() {
            if CommonParamSpec::ALL.iter().any(|c| c.wire_name() == k)
                || params.iter().any(|p| &p.wire == k)
            {
                cx.err(
                    &file,
                    &[("fixed_params", None), (k.as_str(), None)],
                    ErrorKind::Naming {
                        message: format!("fixed param `{k}` clashes with a param of the same name"),
                    },
                );
            }
        }
        if let Some(v3) = &v.v3 {
            if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&v3.method.as_str()) {
                cx.err(
                    &file,
                    &[("v3", None), ("method", None)],
                    ErrorKind::Invalid {
                        message: format!(
                            "v3 method `{}` is not an HTTP method in capitals",
                            v3.method
                        ),
                    },
                );
            }
            if !v3.path.starts_with('/') {
                cx.err(
                    &file,
                    &[("v3", None), ("path", None)],
                    ErrorKind::Invalid {
                        message: "v3 path must start with `/`".into(),
                    },
                );
            }
        }
        if let Some(d) = &v.docs {
            if !d.starts_with("https://") {
                cx.err(
                    &file,
                    &[("docs", None)],
                    ErrorKind::Invalid {
                        message: "docs must be an https:// URL".into(),
                    },
                );
            }
        }
        let module = naming::method_module(&v.method);
        methods.push(Method {
            wire: v.method.clone(),
            source: shown(&m.path),
            title: v.title.trim().to_owned(),
            summary: v.summary.trim().to_owned(),
            description: v.description.as_ref().map(|d| d.trim().to_owned()),
            docs: v.docs.clone(),
            group: v.group.clone(),
            version: v.version.clone().unwrap_or_else(|| "1.0".to_owned()),
            kind,
            common_params: common,
            encryptable: v.encryptable,
            success_codes: v.success_codes.clone(),
            success_sub_codes: v.success_sub_codes.clone(),
            fixed_params: v
                .fixed_params
                .iter()
                .map(|(a, b)| (a.clone(), b.clone()))
                .collect(),
            v3: v.v3.as_ref().map(|r| (r.method.clone(), r.path.clone())),
            params,
            one_of,
            response,
            builder_name: format!("{type_name}Builder"),
            response_name: format!("{type_name}Response"),
            type_name,
            response_key: format!("{}_response", module),
            module,
        });
    }
    methods.sort_by(|a, b| a.wire.cmp(&b.wire));

    // Notifications.
    let mut notifications = Vec::new();
    let mut notif_names = BTreeSet::new();
    for n in &raw.notifications {
        let file = fref(n);
        let v = &n.value;
        if n.stem != v.name && n.stem != naming::type_module(&v.name) {
            cx.err(
                &file,
                &[("name", None)],
                ErrorKind::FileName {
                    expected: format!("{}.yaml", v.name),
                },
            );
        }
        if !naming::is_type_name(&v.name) || naming::PRELUDE.contains(&v.name.as_str()) {
            cx.err(
                &file,
                &[("name", None)],
                ErrorKind::Naming {
                    message: format!(
                        "notification name `{}` must be an UpperCamelCase Rust type name",
                        v.name
                    ),
                },
            );
            continue;
        }
        if !notif_names.insert(v.name.clone()) {
            cx.err(
                &file,
                &[("name", None)],
                ErrorKind::Duplicate {
                    what: "notification",
                    name: v.name.clone(),
                },
            );
            continue;
        }
        claim(&mut cx, &file, &[("name", None)], v.name.clone());
        if groups_known && !group_names.contains(&v.group) {
            cx.err(
                &file,
                &[("group", None)],
                ErrorKind::UnknownGroup {
                    group: v.group.clone(),
                },
            );
        }
        cx.todo(&file, &[("summary", None)], "summary", &v.summary);
        let delivery = match (v.delivery, &v.notify_type, &v.msg_method) {
            (DeliverySpec::Form, Some(t), None) => Delivery::Form(t.clone()),
            (DeliverySpec::Message, None, Some(m)) => Delivery::Message(m.clone()),
            (DeliverySpec::Form, _, _) => {
                cx.err(
                    &file,
                    &[("delivery", None)],
                    ErrorKind::Invalid {
                        message: "`delivery: form` needs `notify_type` and no `msg_method`".into(),
                    },
                );
                continue;
            }
            (DeliverySpec::Message, _, _) => {
                cx.err(
                    &file,
                    &[("delivery", None)],
                    ErrorKind::Invalid {
                        message: "`delivery: message` needs `msg_method` and no `notify_type`"
                            .into(),
                    },
                );
                continue;
            }
        };
        let fields = cx.fields(&file, Ctx::Notification, "fields", &v.fields);
        notifications.push(Notification {
            module: format!("notify_{}", naming::type_module(&v.name)),
            name: v.name.clone(),
            source: shown(&n.path),
            title: v.title.trim().to_owned(),
            summary: v.summary.trim().to_owned(),
            description: v.description.as_ref().map(|d| d.trim().to_owned()),
            docs: v.docs.clone(),
            group: v.group.clone(),
            delivery,
            fields,
        });
    }
    notifications.sort_by(|a, b| a.name.cmp(&b.name));

    // Models that contain themselves without a list in between would be infinitely large.
    let direct: BTreeMap<String, BTreeSet<String>> = models
        .iter()
        .map(|m| {
            let mut out = BTreeSet::new();
            if let ModelKind::Object { fields, .. } = &m.kind {
                for f in fields {
                    direct_refs(&f.ty, &mut out);
                }
            }
            (m.name.clone(), out)
        })
        .collect();
    for m in &models {
        if reaches(&direct, &m.name, &m.name) {
            let src = raw.models.iter().find(|s| s.value.name == m.name);
            if let Some(s) = src {
                cx.err(&fref(s), &[("name", None)], ErrorKind::Invalid { message: format!("model `{}` contains itself through fields that are not lists; make one of them a list", m.name) });
            }
        }
    }

    // Which groups use which models, transitively.
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for m in &models {
        let mut out = BTreeSet::new();
        if let ModelKind::Object { fields, .. } = &m.kind {
            for f in fields {
                f.ty.refs(&mut out);
            }
        }
        uses.insert(m.name.clone(), out);
    }
    let mut per_group: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let roots = methods
        .iter()
        .map(|m| (m.group.clone(), m.params.iter().chain(&m.response)))
        .map(|(g, fs)| {
            let mut out = BTreeSet::new();
            for f in fs {
                f.ty.refs(&mut out);
            }
            (g, out)
        })
        .chain(notifications.iter().map(|n| {
            let mut out = BTreeSet::new();
            for f in &n.fields {
                f.ty.refs(&mut out);
            }
            (n.group.clone(), out)
        }))
        .collect::<Vec<_>>();
    for (g, refs) in roots {
        let set = per_group.entry(g).or_default();
        let mut stack: Vec<String> = refs.into_iter().collect();
        while let Some(n) = stack.pop() {
            if set.insert(n.clone()) {
                if let Some(next) = uses.get(&n) {
                    stack.extend(next.iter().cloned());
                }
            }
        }
    }
    for m in &mut models {
        for (g, set) in &per_group {
            if set.contains(&m.name) {
                m.groups.insert(g.clone());
            }
        }
    }
    for g in &mut groups {
        g.models = per_group
            .get(&g.name)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
    }

    if errors.is_empty() {
        Ok(Ir {
            groups,
            methods,
            models,
            notifications,
        })
    } else {
        Err(errors.sorted())
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
    PathBuf::from(shown(p))
}

//! The checking context shared by every pass: where errors go, which types exist, and
//! the small checks every kind of file needs (summaries, type expressions, constants).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{parse_fen, Const, Method, Model, Notification, Options, Ty};
use crate::error::{locate, ErrorKind, SpecErrors};
use crate::load::{RawSpec, Source};
use crate::naming;
use crate::spec::{DeprecatedSpec, ModelKindSpec, ScalarSpec};

/// The path shown for a spec file (forward slashes on every platform).
pub fn shown(p: &Path) -> String {
    p.display().to_string().replace('\\', "/")
}

/// A spec file being checked, for locating errors.
#[derive(Clone, Copy)]
pub struct FileRef<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl FileRef<'_> {
    pub fn line(&self, anchors: &[(&str, Option<&str>)]) -> Option<usize> {
        locate(self.text, anchors)
    }
}

pub fn fref<T>(s: &Source<T>) -> FileRef<'_> {
    FileRef {
        path: &s.path,
        text: &s.text,
    }
}

/// Where a field sits, which decides the keys it may have.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ctx {
    Request,
    Response,
    Model,
    Notification,
    /// A shared definition under `fields/`: any key; checked again where it is used.
    Definition,
}

impl Ctx {
    /// Whether the field is set by the merchant (request params, model fields).
    pub fn settable(self) -> bool {
        matches!(self, Ctx::Request | Ctx::Model | Ctx::Definition)
    }
}

/// Every model name and kind, and every enum's values, so that types resolve in any order.
pub struct TypeIndex {
    pub kinds: BTreeMap<String, ModelKindSpec>,
    pub enum_values: BTreeMap<String, Vec<String>>,
    /// Enums whose values are closed in requests.
    pub closed: BTreeSet<String>,
    pub broken: BTreeSet<String>,
}

impl TypeIndex {
    pub fn new(raw: &RawSpec, errors: &mut SpecErrors) -> Self {
        let mut kinds = BTreeMap::new();
        let mut enum_values = BTreeMap::new();
        let mut closed = BTreeSet::new();
        for m in &raw.models {
            let v = &m.value;
            if kinds.insert(v.name.clone(), v.kind).is_some() {
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
                let values = v.values.iter().flatten().map(|x| x.value.clone());
                enum_values.insert(v.name.clone(), values.collect());
                if v.closed == Some(true) {
                    closed.insert(v.name.clone());
                }
            }
        }
        TypeIndex {
            kinds,
            enum_values,
            closed,
            broken: raw.broken_models.iter().cloned().collect(),
        }
    }
}

pub struct Cx<'a> {
    pub errors: &'a mut SpecErrors,
    pub types: &'a TypeIndex,
    pub opts: Options,
}

impl<'a> Cx<'a> {
    pub fn new(errors: &'a mut SpecErrors, types: &'a TypeIndex, opts: Options) -> Self {
        Cx {
            errors,
            types,
            opts,
        }
    }

    pub fn err(&mut self, file: &FileRef<'_>, anchors: &[(&str, Option<&str>)], kind: ErrorKind) {
        let line = file.line(anchors).or(Some(1));
        self.errors.push(file.path, line, kind);
    }

    pub fn invalid(&mut self, file: &FileRef<'_>, anchors: &[(&str, Option<&str>)], msg: String) {
        self.err(file, anchors, ErrorKind::Invalid { message: msg });
    }

    /// Rejects summaries and titles that say nothing: empty, `TODO` (unless the options
    /// allow skeletons), `...`, or fewer than two words.
    pub fn text(
        &mut self,
        file: &FileRef<'_>,
        anchors: &[(&str, Option<&str>)],
        key: &str,
        v: &str,
    ) {
        let t = v.trim();
        if t.starts_with("TODO") {
            if !self.opts.allow_todo {
                let key = key.to_owned();
                self.err(file, anchors, ErrorKind::Todo { key });
            }
            return;
        }
        if key == "title" {
            if t.is_empty() {
                self.err(
                    file,
                    anchors,
                    ErrorKind::Placeholder {
                        key: key.to_owned(),
                    },
                );
            }
            return;
        }
        // An enum value can be one word ("Passport."); a field or method cannot.
        let min_words = if key == "value summary" { 1 } else { 2 };
        let words = t.split_whitespace().count();
        let placeholder = t.is_empty()
            || t.chars().all(|c| !c.is_alphanumeric())
            || words < min_words
            || t.eq_ignore_ascii_case("tbd")
            || t.eq_ignore_ascii_case("todo");
        if placeholder {
            self.err(
                file,
                anchors,
                ErrorKind::Placeholder {
                    key: key.to_owned(),
                },
            );
        }
    }

    /// Parses a type expression, reporting bad syntax and unknown names.
    pub fn parse_ty(
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
            name if naming::is_type_name(name) => match self.types.kinds.get(name) {
                Some(ModelKindSpec::Object) => Ty::Object(name.to_owned()),
                Some(ModelKindSpec::Enum) => Ty::Enum(name.to_owned()),
                None => {
                    if !self.types.broken.contains(name) {
                        let name = name.to_owned();
                        self.err(file, anchor, ErrorKind::UnknownType { name });
                    }
                    return None;
                }
            },
            _ => {
                let expr = expr.to_owned();
                self.err(file, anchor, ErrorKind::BadTypeExpr { expr });
                return None;
            }
        };
        Some(t)
    }

    /// A `default` or `fixed` value, checked against the field's type.
    pub fn parse_const(&self, ty: &Ty, v: &ScalarSpec) -> Result<Const, String> {
        match (ty, v) {
            (Ty::String, ScalarSpec::Str(s)) => Ok(Const::Str(s.clone())),
            (Ty::String, _) => Err("a string field needs a quoted string value".into()),
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
                    .types
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

    /// Every generated Rust type name must come from one spec file only.
    pub fn check_type_names(
        &mut self,
        methods: &[Method],
        models: &[Model],
        notes: &[Notification],
    ) {
        let mut owners: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for m in methods {
            for n in [&m.type_name, &m.response_name] {
                owners.entry(n.clone()).or_default().push(&m.source);
            }
        }
        for m in models {
            owners.entry(m.name.clone()).or_default().push(&m.source);
        }
        for n in notes {
            owners.entry(n.name.clone()).or_default().push(&n.source);
        }
        for (name, files) in owners {
            if let [first, .., last] = files.as_slice() {
                if first != last {
                    let message =
                        format!("the Rust type `{name}` is also generated for {first}: rename one");
                    self.errors
                        .push(Path::new(last), Some(1), ErrorKind::Naming { message });
                }
            }
        }
    }
}

pub fn deprecated(d: &Option<DeprecatedSpec>) -> Option<String> {
    match d {
        None | Some(DeprecatedSpec::Flag(false)) => None,
        Some(DeprecatedSpec::Flag(true)) => Some(String::new()),
        Some(DeprecatedSpec::Note(n)) => Some(n.trim().to_owned()),
    }
}

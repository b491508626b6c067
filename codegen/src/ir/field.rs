//! Checks of one field (after any `use:` is resolved): its name, type, placement and
//! every constraint key, each against the type it applies to.

use std::collections::BTreeMap;

use super::cx::{deprecated, Ctx, Cx, FileRef};
use super::source::SourceRef;
use super::{parse_fen, Const, Field, Placement, Range, Ty};
use crate::error::ErrorKind;
use crate::naming;
use crate::spec::{FieldSpec, InSpec, RangeSpec, ScalarSpec};

/// Where errors about one field point, and how they are worded.
struct At<'f, 'a> {
    file: &'f FileRef<'a>,
    section: &'f str,
    name: &'f str,
}

impl At<'_, '_> {
    fn key(&self, key: &'static str) -> [(&str, Option<&str>); 3] {
        [(self.section, None), ("name", Some(self.name)), (key, None)]
    }

    fn bad(&self, cx: &mut Cx<'_>, key: &'static str, message: String) {
        let field = self.name.to_owned();
        cx.err(
            self.file,
            &self.key(key),
            ErrorKind::BadValue { field, message },
        );
    }
}

/// Checks a field and builds its IR. `sources` holds the source of each constraint (see
/// `shared::resolve`); `own_docs` is the docs URL of the method the field belongs to.
pub fn check(
    cx: &mut Cx<'_>,
    file: &FileRef<'_>,
    ctx: Ctx,
    section: &str,
    f: &FieldSpec,
    sources: BTreeMap<String, String>,
    own_docs: Option<&str>,
) -> Option<Field> {
    let Some(name) = f.name.as_deref() else {
        cx.invalid(
            file,
            &[(section, None)],
            "a field needs `name` and `type`, or `use:` a shared definition".into(),
        );
        return None;
    };
    let at = At {
        file,
        section,
        name,
    };
    let summary = f.summary.clone().unwrap_or_default();
    cx.text(file, &at.key("summary"), "summary", &summary);
    check_sources(cx, &at, &sources, own_docs);
    let Some(ty_expr) = f.ty.as_deref() else {
        cx.invalid(
            file,
            &at.key("name"),
            format!("field `{name}` needs a `type`"),
        );
        return None;
    };
    let ty = cx.parse_ty(file, &at.key("type"), ty_expr);
    let ident = ident(cx, &at, f)?;
    let placement = placement(cx, &at, ctx, f);
    let ty = ty?;
    check_file(cx, &at, f, &ty, placement);
    check_settable(cx, &at, ctx, f);
    check_lengths(cx, &at, f, &ty);
    let range = f.range.as_ref().and_then(|r| range(cx, &at, r, &ty));
    let (values, closed) = enum_values(cx, &at, f, &ty);
    let constant = |cx: &mut Cx<'_>, key: &'static str, v: &Option<ScalarSpec>| -> Option<Const> {
        let v = v.as_ref().filter(|_| ctx.settable())?;
        cx.parse_const(&ty, v).map_err(|m| at.bad(cx, key, m)).ok()
    };
    let default = constant(cx, "default", &f.default);
    let fixed = constant(cx, "fixed", &f.fixed);
    let example = f
        .example
        .as_ref()
        .and_then(|v| serde_json::to_value(v).ok())
        .and_then(|v| serde_json::to_string(&v).ok());
    Some(Field {
        wire: name.to_owned(),
        ident,
        summary: summary.trim().to_owned(),
        description: f.description.as_ref().map(|d| d.trim().to_owned()),
        required: f.required == Some(true),
        placement,
        min_length: f.min_length,
        max_length: f.max_length,
        range,
        max_items: f.max_items,
        default,
        fixed,
        clearable: f.clearable == Some(true) && ctx.settable(),
        deprecated: deprecated(&f.deprecated),
        example,
        pattern: f.pattern.clone(),
        max_bytes: f.max_bytes,
        values,
        closed,
        sources,
        derived: f.derived.clone(),
        uses: f.uses.clone(),
        ty,
    })
}

fn check_sources(
    cx: &mut Cx<'_>,
    at: &At<'_, '_>,
    sources: &BTreeMap<String, String>,
    own_docs: Option<&str>,
) {
    for (key, text) in sources {
        if let Ok(s) = SourceRef::parse(text) {
            if s.needs_own_docs() && own_docs.is_none() {
                let message = format!(
                    "the source of `{key}` is `{text}`, but this file has no `docs:` page of its own: name the page, e.g. `docs:alipay.trade.pay#请求参数`"
                );
                cx.invalid(at.file, &at.key("name"), message);
            }
        }
    }
}

fn ident(cx: &mut Cx<'_>, at: &At<'_, '_>, f: &FieldSpec) -> Option<String> {
    match &f.rust_name {
        Some(r) => {
            if !naming::is_ident(r) || r.chars().any(|c| c.is_ascii_uppercase()) {
                let message = format!("rust_name `{r}` is not a snake_case Rust identifier");
                cx.err(at.file, &at.key("rust_name"), ErrorKind::Naming { message });
            }
            Some(r.clone())
        }
        None => {
            let ident = naming::field_ident(at.name);
            if naming::is_ident(&ident) {
                Some(ident)
            } else {
                let message = format!(
                    "field name `{}` gives no usable Rust identifier: add a snake_case `rust_name`",
                    at.name
                );
                cx.err(at.file, &at.key("name"), ErrorKind::Naming { message });
                None
            }
        }
    }
}

fn placement(cx: &mut Cx<'_>, at: &At<'_, '_>, ctx: Ctx, f: &FieldSpec) -> Placement {
    match (ctx, f.placement) {
        (_, None | Some(InSpec::Biz)) => Placement::Biz,
        (Ctx::Request | Ctx::Definition, Some(InSpec::Text)) => Placement::Text,
        (Ctx::Request | Ctx::Definition, Some(InSpec::File)) => Placement::File,
        (_, Some(_)) => {
            at.bad(cx, "in", "`in` is only for request params".into());
            Placement::Biz
        }
    }
}

fn check_file(cx: &mut Cx<'_>, at: &At<'_, '_>, f: &FieldSpec, ty: &Ty, placement: Placement) {
    let misplaced = (*ty == Ty::File) != (placement == Placement::File)
        || (*ty != Ty::File && matches!(ty.base(), Ty::File));
    if misplaced {
        let key = if f.placement.is_some() { "in" } else { "type" };
        let field = at.name.to_owned();
        cx.err(at.file, &at.key(key), ErrorKind::FilePlacement { field });
    }
    if f.max_bytes.is_some() && *ty != Ty::File {
        at.bad(
            cx,
            "max_bytes",
            "`max_bytes` applies to `file` params only".into(),
        );
    }
}

fn check_settable(cx: &mut Cx<'_>, at: &At<'_, '_>, ctx: Ctx, f: &FieldSpec) {
    if !ctx.settable() {
        let keys = [
            ("default", f.default.is_some()),
            ("fixed", f.fixed.is_some()),
            ("clearable", f.clearable == Some(true)),
            ("closed", f.closed == Some(true)),
        ];
        for (key, set) in keys {
            if set {
                at.bad(
                    cx,
                    key,
                    format!("`{key}` is only for request params and model fields"),
                );
            }
        }
    }
    let field = at.name.to_owned();
    if f.default.is_some() && f.fixed.is_some() {
        cx.err(
            at.file,
            &at.key("fixed"),
            ErrorKind::DefaultAndFixed {
                field: field.clone(),
            },
        );
    }
    if f.required == Some(true) && f.fixed.is_some() {
        cx.err(
            at.file,
            &at.key("fixed"),
            ErrorKind::RequiredAndFixed { field },
        );
    }
    if f.clearable == Some(true) && f.fixed.is_some() {
        at.bad(
            cx,
            "clearable",
            "a `fixed` field cannot be `clearable`".into(),
        );
    }
}

fn check_lengths(cx: &mut Cx<'_>, at: &At<'_, '_>, f: &FieldSpec, ty: &Ty) {
    let stringy = matches!(ty.base(), Ty::String | Ty::Enum(_));
    for (key, set) in [
        ("max_length", f.max_length.is_some()),
        ("min_length", f.min_length.is_some()),
        ("pattern", f.pattern.is_some()),
    ] {
        if set && !stringy {
            at.bad(
                cx,
                key,
                format!(
                    "`{key}` applies to strings and enums (or lists of them), not `{}`",
                    ty.expr()
                ),
            );
        }
    }
    if let (Some(min), Some(max)) = (f.min_length, f.max_length) {
        if min > max {
            at.bad(
                cx,
                "min_length",
                format!("min_length {min} is greater than max_length {max}"),
            );
        }
    }
    if let Some(p) = &f.pattern {
        if let Err(e) = regex_lite::Regex::new(p) {
            at.bad(
                cx,
                "pattern",
                format!("`{p}` is not a regular expression: {e}"),
            );
        }
    }
    let list = matches!(ty, Ty::List(_)) || matches!(ty, Ty::Json(t) if matches!(**t, Ty::List(_)));
    if f.max_items.is_some() && !list {
        at.bad(cx, "max_items", "`max_items` applies to lists only".into());
    }
}

fn range(cx: &mut Cx<'_>, at: &At<'_, '_>, r: &RangeSpec, ty: &Ty) -> Option<Range> {
    let parsed = match ty.base() {
        Ty::Integer => {
            let conv = |v: &Option<ScalarSpec>| match v {
                None => Ok(None),
                Some(ScalarSpec::Int(i)) => Ok(Some(*i)),
                Some(ScalarSpec::Str(s)) => s.trim().parse().map(Some).map_err(|_| s.clone()),
                Some(o) => Err(o.text()),
            };
            match (conv(&r.min), conv(&r.max)) {
                (Ok(min), Ok(max)) => Ok(Range::Int { min, max }),
                (Err(e), _) | (_, Err(e)) => Err(format!("range bound `{e}` is not an integer")),
            }
        }
        Ty::Amount => {
            let conv = |v: &Option<ScalarSpec>| match v {
                None => Ok(None),
                Some(ScalarSpec::Str(s)) => parse_fen(s.trim()).map(Some).ok_or_else(|| s.clone()),
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
            let (Range::Int { min, max } | Range::Amount { min, max }) = r;
            if let (Some(lo), Some(hi)) = (min, max) {
                if lo > hi {
                    at.bad(cx, "range", "range min is greater than max".into());
                }
            }
            Some(r)
        }
        Err(m) => {
            at.bad(cx, "range", m);
            None
        }
    }
}

/// The values that apply to an enum field, and whether they are closed.
fn enum_values(cx: &mut Cx<'_>, at: &At<'_, '_>, f: &FieldSpec, ty: &Ty) -> (Vec<String>, bool) {
    let Ty::Enum(name) = ty.base() else {
        for (key, set) in [
            ("values", f.values.is_some()),
            ("closed", f.closed.is_some()),
        ] {
            if set {
                at.bad(
                    cx,
                    key,
                    format!("`{key}` applies to enum fields, not `{}`", ty.expr()),
                );
            }
        }
        return (Vec::new(), false);
    };
    let all = cx.types.enum_values.get(name).cloned().unwrap_or_default();
    let closed_enum = cx.types.closed.contains(name.as_str());
    match &f.values {
        None => (all, f.closed.unwrap_or(closed_enum)),
        Some(vals) => {
            for v in vals {
                if !all.contains(v) {
                    at.bad(
                        cx,
                        "values",
                        format!("`{v}` is not a value of enum `{name}`: add it there first"),
                    );
                }
            }
            (vals.clone(), f.closed.unwrap_or(closed_enum))
        }
    }
}

/// Checks the fields of one section in order: resolves uses, rejects duplicate wire
/// names and two wire names that become the same Rust name.
pub fn build_list(
    cx: &mut Cx<'_>,
    defs: &super::shared::Definitions<'_>,
    file: &FileRef<'_>,
    ctx: Ctx,
    section: &str,
    specs: &[FieldSpec],
    own_docs: Option<&str>,
) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    let mut idents = BTreeMap::new();
    for spec in specs {
        let Some((merged, sources)) = defs.resolve(cx, file, section, spec) else {
            continue;
        };
        let wire = merged.name.clone().unwrap_or_default();
        // A use is found by its `use:` line, a plain field by its (second) `name:` line.
        let at = match &spec.uses {
            Some(id) => [
                (section, None),
                ("use", Some(id.as_str())),
                ("use", Some(id.as_str())),
            ],
            None => [
                (section, None),
                ("name", Some(wire.as_str())),
                ("name", Some(wire.as_str())),
            ],
        };
        if out.iter().any(|f| f.wire == wire) {
            cx.err(
                file,
                &at,
                ErrorKind::Duplicate {
                    what: "field",
                    name: wire.clone(),
                },
            );
            continue;
        }
        let Some(field) = check(cx, file, ctx, section, &merged, sources, own_docs) else {
            continue;
        };
        if let Some(prev) = idents.insert(field.ident.clone(), field.wire.clone()) {
            let message = format!(
                "fields `{prev}` and `{wire}` both become `{}` in Rust: give one a `rust_name`",
                field.ident
            );
            cx.err(file, &at[..2], ErrorKind::Naming { message });
            continue;
        }
        out.push(field);
    }
    out
}

//! Rules across the fields of one request or model: one-of groups and conditional
//! requirements. Each names fields of the same request or model and needs a source.

use std::collections::BTreeSet;

use super::cx::{Cx, FileRef};
use super::source;
use super::{Field, OneOf, OneOfRule, RequiredWhen, Rules, Ty};
use crate::error::ErrorKind;
use crate::spec::{OneOfRuleSpec, OneOfSpec, RequiredWhenSpec};

pub fn build(
    cx: &mut Cx<'_>,
    file: &FileRef<'_>,
    fields: &[Field],
    one_of: &[OneOfSpec],
    required_when: &[RequiredWhenSpec],
    own_docs: Option<&str>,
) -> Rules {
    Rules {
        one_of: one_of
            .iter()
            .filter_map(|g| one_of_group(cx, file, fields, g, own_docs))
            .collect(),
        required_when: required_when
            .iter()
            .filter_map(|r| conditional(cx, file, fields, r, own_docs))
            .collect(),
    }
}

fn rule_source(
    cx: &mut Cx<'_>,
    file: &FileRef<'_>,
    at: &[(&str, Option<&str>)],
    rule: &str,
    source: &Option<String>,
    own_docs: Option<&str>,
) -> Option<String> {
    let Some(text) = source else {
        let (field, key) = (rule.to_owned(), "rule".to_owned());
        cx.err(file, at, ErrorKind::MissingSource { field, key });
        return None;
    };
    source::check_text(cx, file, at, text, own_docs.is_some()).then(|| text.clone())
}

fn one_of_group(
    cx: &mut Cx<'_>,
    file: &FileRef<'_>,
    fields: &[Field],
    g: &OneOfSpec,
    own_docs: Option<&str>,
) -> Option<OneOf> {
    let mut ok = true;
    for n in &g.fields {
        if !fields.iter().any(|f| &f.wire == n) {
            let at = [("one_of", None), ("fields", Some(n.as_str()))];
            cx.err(file, &at, ErrorKind::OneOfUnknownField { name: n.clone() });
            ok = false;
        }
    }
    let distinct: BTreeSet<_> = g.fields.iter().collect();
    if distinct.len() < 2 {
        cx.err(
            file,
            &[("one_of", None), ("fields", None)],
            ErrorKind::OneOfTooSmall,
        );
        ok = false;
    }
    let at = [("one_of", None), ("fields", None)];
    let source = rule_source(
        cx,
        file,
        &at,
        &format!("one_of {}", g.fields.join("|")),
        &g.source,
        own_docs,
    );
    Some(OneOf {
        fields: g.fields.clone(),
        rule: match g.rule {
            OneOfRuleSpec::AtLeastOne => OneOfRule::AtLeastOne,
            OneOfRuleSpec::ExactlyOne => OneOfRule::ExactlyOne,
        },
        source: source?,
    })
    .filter(|_| ok)
}

fn conditional(
    cx: &mut Cx<'_>,
    file: &FileRef<'_>,
    fields: &[Field],
    r: &RequiredWhenSpec,
    own_docs: Option<&str>,
) -> Option<RequiredWhen> {
    let at = [("required_when", None), ("field", Some(r.field.as_str()))];
    let mut ok = true;
    for n in [&r.field, &r.when] {
        if !fields.iter().any(|f| &f.wire == n) {
            let message = format!("required_when names `{n}`, which is not a field here");
            cx.invalid(file, &at, message);
            ok = false;
        }
    }
    if r.field == r.when {
        cx.invalid(
            file,
            &at,
            "a field cannot be required when it is itself set".into(),
        );
        ok = false;
    }
    // `equals` compares wire text, so the condition field must have a text form.
    if let Some(cond) = fields.iter().find(|f| f.wire == r.when) {
        let scalar = !matches!(
            cond.ty,
            Ty::Object(_) | Ty::List(_) | Ty::Json(_) | Ty::File
        );
        if !r.equals.is_empty() && !scalar {
            let message = format!(
                "`equals` needs a scalar `when` field; `{}` is `{}`",
                r.when,
                cond.ty.expr()
            );
            cx.invalid(file, &at, message);
            ok = false;
        }
        if let Ty::Enum(_) = cond.ty {
            for v in &r.equals {
                if !cond.values.contains(v) {
                    cx.invalid(file, &at, format!("`{v}` is not a value of `{}`", r.when));
                    ok = false;
                }
            }
        }
    }
    let rule = format!("required_when {}", r.field);
    let source = rule_source(cx, file, &at, &rule, &r.source, own_docs)?;
    ok.then(|| RequiredWhen {
        field: r.field.clone(),
        when: r.when.clone(),
        equals: r.equals.clone(),
        source,
    })
}

//! Plausible values from the spec: answers for methods without a behaviour model,
//! and sample requests for any method.

use alipay_api::request::Placement;
use alipay_api::schema::{self, FieldSchema, MethodSchema, RangeSchema, TypeSchema};
use alipay_api::{Amount, BeijingDateTime};
use serde_json::Value;

use crate::outbox::json_text;

/// Nested models deeper than this are left out (the spec has no cycles today, but
/// a future one must not recurse forever).
const MAX_DEPTH: usize = 4;

fn example(f: &FieldSchema) -> Option<Value> {
    let raw = f.example?;
    Some(serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned())))
}

fn fit_length(f: &FieldSchema, mut s: String) -> String {
    if let Some(min) = f.min_length {
        while s.chars().count() < min {
            s.push('x');
        }
    }
    if let Some(max) = f.max_length {
        s = s.chars().take(max).collect();
    }
    s
}

fn amount_in_range(f: &FieldSchema, preferred: Amount) -> Amount {
    match f.range {
        Some(RangeSchema::Amount { min, max }) => {
            let mut a = preferred;
            if let Some(min) = min {
                a = a.max(min);
            }
            if let Some(max) = max {
                a = a.min(max);
            }
            a
        }
        _ => preferred,
    }
}

fn int_in_range(f: &FieldSchema, preferred: i64) -> i64 {
    match f.range {
        Some(RangeSchema::Int { min, max }) => {
            let mut i = preferred;
            if let Some(min) = min {
                i = i.max(min);
            }
            if let Some(max) = max {
                i = i.min(max);
            }
            i
        }
        _ => preferred,
    }
}

/// A value of type `ty` for field `f`. `full` includes every field of nested
/// models (answers); otherwise only what a valid request needs.
fn value_of(f: &FieldSchema, ty: &TypeSchema, depth: usize, full: bool) -> Option<Value> {
    Some(match ty {
        TypeSchema::String => Value::String(fit_length(f, format!("sandbox-{}", f.name))),
        TypeSchema::Integer => Value::from(int_in_range(f, 1)),
        TypeSchema::Boolean => Value::Bool(true),
        TypeSchema::Amount => Value::String(amount_in_range(f, Amount::from_fen(100)).to_string()),
        TypeSchema::DateTime => Value::String(BeijingDateTime::now().to_string()),
        TypeSchema::Date => Value::String(
            BeijingDateTime::now()
                .naive()
                .date()
                .format("%Y-%m-%d")
                .to_string(),
        ),
        TypeSchema::File => return None,
        TypeSchema::Enum(e) => Value::String((*f.allowed.unwrap_or(e.values).first()?).to_owned()),
        TypeSchema::Object(m) => {
            if depth >= MAX_DEPTH {
                return None;
            }
            Value::Object(object_of(m.fields, &m.rules, depth + 1, full))
        }
        TypeSchema::List(item) => Value::Array(vec![value_of(f, item, depth, full)?]),
        TypeSchema::Json(inner) => Value::String(value_of(f, inner, depth, full)?.to_string()),
    })
}

/// A field's value: its fixed or default wire text, else an example that
/// validates, else one made from its type.
fn field_value(f: &FieldSchema, depth: usize, full: bool) -> Option<Value> {
    if let Some(t) = f.fixed.or(f.default) {
        return Some(match &f.ty {
            TypeSchema::Integer | TypeSchema::Boolean => {
                serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.to_owned()))
            }
            _ => Value::String(t.to_owned()),
        });
    }
    let typed = value_of(f, &f.ty, depth, full);
    match (example(f), &f.ty) {
        // Examples of models and lists are often partial: build those from the type.
        (Some(_), TypeSchema::Object(_) | TypeSchema::List(_)) => typed,
        (Some(ex), TypeSchema::Json(_)) if !ex.is_string() => Some(Value::String(ex.to_string())),
        (Some(ex), _) => Some(ex),
        (None, _) => typed,
    }
}

/// Whether a valid request carries `f` on its own merits: required, fixed, or the
/// first of a one-of group.
fn needed(f: &FieldSchema, rules: &schema::RulesSchema) -> bool {
    f.required
        || f.fixed.is_some()
        || rules
            .one_of
            .iter()
            .any(|g| g.fields.first() == Some(&f.name))
}

/// The fields conditional rules make required, given the wire text of what is set.
fn conditionally_needed<'a>(
    fields: &'a [FieldSchema],
    rules: &schema::RulesSchema,
    value_of: &dyn Fn(&str) -> Option<String>,
) -> Vec<&'a FieldSchema> {
    rules
        .required_when
        .iter()
        .filter(|r| {
            value_of(r.when).is_some_and(|v| r.equals.is_empty() || r.equals.contains(&v.as_str()))
        })
        .filter(|r| value_of(r.field).is_none())
        .filter_map(|r| fields.iter().find(|f| f.name == r.field))
        .collect()
}

fn object_of(
    fields: &[FieldSchema],
    rules: &schema::RulesSchema,
    depth: usize,
    full: bool,
) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    for f in fields {
        let wanted = needed(f, rules) || (full && (depth <= 1 || f.example.is_some()));
        if !wanted || f.deprecated.is_some() && !f.required {
            continue;
        }
        if let Some(v) = field_value(f, depth, full) {
            m.insert(f.name.to_owned(), v);
        }
    }
    let extra = conditionally_needed(fields, rules, &|k| m.get(k).map(json_text));
    for f in extra {
        if let Some(v) = field_value(f, depth, full) {
            m.insert(f.name.to_owned(), v);
        }
    }
    m
}

/// A plausible value for every field of a notification (deprecated ones left out).
pub(super) fn notification_fields(fields: &[FieldSchema]) -> Vec<(String, Value)> {
    fields
        .iter()
        .filter(|f| f.deprecated.is_none())
        .filter_map(|f| Some((f.name.to_owned(), field_value(f, 1, true)?)))
        .collect()
}

/// A plausible value for every response field of `schema`. Fields named like a
/// request parameter echo what the request sent.
pub(super) fn response_fields(
    schema: &MethodSchema,
    lookup: &dyn Fn(&str) -> Option<Value>,
) -> Vec<(String, Value)> {
    let mut out = Vec::with_capacity(schema.response.len());
    for f in schema.response {
        if f.deprecated.is_some() {
            continue;
        }
        let echoed = schema
            .param(f.name)
            .filter(|p| same_kind(&p.ty, &f.ty))
            .and_then(|_| lookup(f.name));
        if let Some(v) = echoed.or_else(|| field_value(f, 1, true)) {
            out.push((f.name.to_owned(), v));
        }
    }
    out
}

fn same_kind(a: &TypeSchema, b: &TypeSchema) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// A request made from the spec: see [`sample_request`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SampleRequest {
    /// `biz_content`, if the method takes one.
    pub biz_content: Option<Value>,
    /// Top-level text parameters.
    pub text: Vec<(String, String)>,
}

/// A request for `method` that passes the spec's validation: `biz_content` (if the
/// method takes one) and the text parameters. Required fields, the first field of
/// every one-of group and fixed values are set; file parts are not. `None` for a
/// method the spec does not have.
///
/// ```
/// let s = alipay_sandbox::sample_request("alipay.trade.query").unwrap();
/// assert!(s.biz_content.unwrap().get("out_trade_no").is_some());
/// assert!(s.text.is_empty());
/// ```
pub fn sample_request(method: &str) -> Option<SampleRequest> {
    let s = schema::method(method)?;
    let biz_fields: Vec<&FieldSchema> = s
        .params
        .iter()
        .filter(|f| f.placement == Placement::BizContent)
        .collect();
    let mut biz = serde_json::Map::new();
    let mut text: Vec<(String, String)> = Vec::new();
    let put = |f: &FieldSchema,
               biz: &mut serde_json::Map<String, Value>,
               text: &mut Vec<(String, String)>| {
        let Some(v) = field_value(f, 1, false) else {
            return;
        };
        match f.placement {
            Placement::BizContent => {
                biz.insert(f.name.to_owned(), v);
            }
            Placement::Text => text.push((f.name.to_owned(), json_text(&v))),
            Placement::File => {}
        }
    };
    for f in s.params.iter().filter(|f| needed(f, &s.rules)) {
        put(f, &mut biz, &mut text);
    }
    let set = |k: &str| {
        biz.get(k)
            .map(json_text)
            .or_else(|| text.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    };
    for f in conditionally_needed(s.params, &s.rules, &set) {
        put(f, &mut biz, &mut text);
    }
    let biz = (!biz_fields.is_empty()).then_some(Value::Object(biz));
    Some(SampleRequest {
        biz_content: biz,
        text,
    })
}

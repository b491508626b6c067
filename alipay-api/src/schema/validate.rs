//! The one validator of the spec's rules, run by generated `build()` methods over the
//! JSON they are about to send and by the local gateway over the JSON it receives.

use serde_json::{Map, Value};

use super::{FieldSchema, MethodSchema, ModelSchema, RangeSchema, RulesSchema, TypeSchema};
use crate::request::Placement;
use crate::types::{Amount, BeijingDateTime, CLEAR_MARKER, NaiveDate, TextValue};
use crate::validation::{Checker, Problem, ValidationError};

/// The file parts of a request, by wire name, with their sizes in bytes.
pub(crate) type FileFacts<'a> = &'a [(&'a str, u64)];

/// Checks a received request against its method's schema: missing required fields,
/// one-of groups and conditional requirements, closed enum values, lengths and
/// patterns, amount and integer formats and ranges, times and dates, list sizes, nested
/// models, fixed values, and JSON type mismatches. Every problem is reported, by path.
///
/// `biz_content` is the parsed JSON object (or `None` when the request had none);
/// `text` looks up a top-level form parameter by name. File parts are not checked
/// (a server sees them separately; see the upload's `max_bytes`).
pub fn validate_params(
    schema: &MethodSchema,
    biz_content: Option<&Value>,
    text: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ValidationError> {
    check_request(schema, biz_content, text, None)
}

/// Builders' entry point: like [`validate_params`], with the file parts checked too.
pub(crate) fn validate_request(
    schema: &MethodSchema,
    biz_content: Option<&Value>,
    text: &dyn Fn(&str) -> Option<String>,
    files: FileFacts<'_>,
) -> Result<(), ValidationError> {
    check_request(schema, biz_content, text, Some(files))
}

fn check_request(
    schema: &MethodSchema,
    biz_content: Option<&Value>,
    text: &dyn Fn(&str) -> Option<String>,
    files: Option<FileFacts<'_>>,
) -> Result<(), ValidationError> {
    let mut c = Checker::new();
    let empty = Map::new();
    let biz = match biz_content {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => {
            wrong(&mut c, "biz_content", "a JSON object");
            &empty
        }
    };
    let mut seen = Vec::with_capacity(schema.params.len());
    for f in schema.params {
        let state = match f.placement {
            Placement::BizContent => {
                let v = biz.get(f.name).filter(|v| !v.is_null());
                check_present(&mut c, f, v);
                v.map(wire_text)
            }
            Placement::Text => {
                let raw = text(f.name);
                match &raw {
                    Some(raw) => check_text(&mut c, f, raw),
                    None => missing(&mut c, f),
                }
                raw
            }
            Placement::File => check_file(&mut c, f, files),
        };
        seen.push((f.name, state));
    }
    rules(&mut c, &schema.rules, &seen);
    c.finish(schema.meta.method)
}

/// Validates a JSON value against a model.
pub fn validate_model(schema: &'static ModelSchema, value: &Value) -> Result<(), ValidationError> {
    let mut c = Checker::new();
    match value.as_object() {
        Some(obj) => check_object(&mut c, schema, obj),
        None => wrong(&mut c, schema.name, "a JSON object"),
    }
    c.finish(schema.name)
}

/// The text a value has on the wire, for conditional rules.
fn wire_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

fn missing(c: &mut Checker, f: &FieldSchema) {
    if f.required && f.default.is_none() {
        c.report(f.name, Problem::Missing);
    }
}

fn check_file(c: &mut Checker, f: &FieldSchema, files: Option<FileFacts<'_>>) -> Option<String> {
    // The gateway sees file parts elsewhere: count them as present.
    let Some(files) = files else {
        return Some(String::new());
    };
    match files.iter().find(|(n, _)| *n == f.name) {
        Some((_, size)) => {
            if let Some(max) = f.max_bytes.filter(|m| size > m) {
                c.report(f.name, Problem::TooLarge { max, actual: *size });
            }
            Some(String::new())
        }
        None => {
            missing(c, f);
            None
        }
    }
}

/// One-of groups and conditional requirements, given what is set (and its wire text).
fn rules(c: &mut Checker, rules: &RulesSchema, seen: &[(&str, Option<String>)]) {
    let value = |name: &str| {
        seen.iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.as_ref())
    };
    for g in rules.one_of {
        let set: Vec<bool> = g.fields.iter().map(|n| value(n).is_some()).collect();
        c.one_of(g.fields, &set, g.rule);
    }
    for r in rules.required_when {
        let triggered = match value(r.when) {
            None => false,
            Some(v) => r.equals.is_empty() || r.equals.contains(&v.as_str()),
        };
        if triggered && value(r.field).is_none() {
            let (when, equals) = (r.when, r.equals);
            c.report(r.field, Problem::RequiredWhen { when, equals });
        }
    }
}

fn check_present(c: &mut Checker, f: &'static FieldSchema, v: Option<&Value>) {
    let Some(v) = v else {
        return missing(c, f);
    };
    if f.clearable && v.as_str() == Some(CLEAR_MARKER) {
        return;
    }
    if let Some(fixed) = &f.fixed {
        c.enum_value(f.name, &wire_text(v), std::slice::from_ref(fixed));
        return;
    }
    check_value(c, f, &f.ty, f.name, v, true);
}

/// A text parameter arrives as a string; read it the way the typed builder prints it.
fn check_text(c: &mut Checker, f: &'static FieldSchema, raw: &str) {
    if f.clearable && raw == CLEAR_MARKER {
        return;
    }
    if let Some(fixed) = &f.fixed {
        c.enum_value(f.name, raw, std::slice::from_ref(fixed));
        return;
    }
    let v = match &f.ty {
        TypeSchema::Integer => match raw.trim().parse::<i64>() {
            Ok(i) => Value::from(i),
            Err(_) => return wrong(c, f.name, "an integer"),
        },
        TypeSchema::Boolean => match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return wrong(c, f.name, "`true` or `false`"),
        },
        TypeSchema::Object(_) | TypeSchema::List(_) => match serde_json::from_str(raw) {
            Ok(v) => v,
            Err(_) => return wrong(c, f.name, "compact JSON text"),
        },
        _ => Value::String(raw.to_owned()),
    };
    check_value(c, f, &f.ty, f.name, &v, true);
}

fn wrong(c: &mut Checker, name: &str, expected: &'static str) {
    c.report(name, Problem::WrongType { expected });
}

/// Checks one value; `top` says whether list-level constraints apply (they do not to
/// the items of the list itself).
fn check_value(
    c: &mut Checker,
    f: &'static FieldSchema,
    ty: &'static TypeSchema,
    name: &str,
    v: &Value,
    top: bool,
) {
    match ty {
        TypeSchema::String => match v.as_str() {
            Some(s) => check_string(c, f, name, s),
            None => wrong(c, name, "a string"),
        },
        TypeSchema::Integer => match v.as_i64() {
            Some(i) => {
                if let Some(RangeSchema::Int { min, max }) = f.range {
                    c.int_range(name, i, min, max);
                }
            }
            None => wrong(c, name, "an integer"),
        },
        TypeSchema::Boolean => {
            if !v.is_boolean() {
                wrong(c, name, "`true` or `false`");
            }
        }
        TypeSchema::Amount => check_amount(c, f, name, v),
        TypeSchema::DateTime => match v.as_str() {
            Some(s) if BeijingDateTime::parse_text(s).is_some() => {}
            Some(s) => c.report(name, Problem::BadDateTime { raw: s.to_owned() }),
            None => wrong(c, name, "a time such as \"2024-01-02 03:04:05\""),
        },
        TypeSchema::Date => match v.as_str() {
            Some(s) if NaiveDate::parse_text(s).is_some() => {}
            Some(s) => c.report(name, Problem::BadDate { raw: s.to_owned() }),
            None => wrong(c, name, "a date such as \"2024-01-02\""),
        },
        TypeSchema::File => {}
        TypeSchema::Enum(_) => match v.as_str() {
            Some(s) => {
                if let Some(allowed) = f.allowed {
                    c.enum_value(name, s, allowed);
                }
                check_string(c, f, name, s);
            }
            None => wrong(c, name, "a string"),
        },
        TypeSchema::Object(m) => match v.as_object() {
            Some(obj) => c.nested(name, |c| check_object(c, m, obj)),
            None => wrong(c, name, "a JSON object"),
        },
        TypeSchema::List(item) => match v.as_array() {
            Some(items) => {
                if let (true, Some(max)) = (top, f.max_items) {
                    c.max_items(name, items.len(), max);
                }
                for (i, x) in items.iter().enumerate() {
                    let seg = format!("{name}[{i}]");
                    check_value(c, f, item, &seg, x, false);
                }
            }
            None => wrong(c, name, "a JSON array"),
        },
        TypeSchema::Json(inner) => check_json(c, f, inner, name, v, top),
    }
}

fn check_string(c: &mut Checker, f: &'static FieldSchema, name: &str, s: &str) {
    c.length(name, s, f.min_length, f.max_length);
    if let Some(pattern) = f.pattern {
        // Patterns come from the spec, where the generator compiled each one; a pattern
        // that somehow does not compile checks nothing rather than rejecting everything.
        let ok = regex_lite::Regex::new(pattern).map_or(true, |re| re.is_match(s));
        if !ok {
            c.report(name, Problem::Pattern { pattern });
        }
    }
}

fn check_amount(c: &mut Checker, f: &'static FieldSchema, name: &str, v: &Value) {
    let raw = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return wrong(c, name, "an amount such as \"88.88\""),
    };
    match Amount::parse_text(&raw) {
        Some(a) => {
            if let Some(RangeSchema::Amount { min, max }) = f.range {
                c.amount_range(name, a, min, max);
            }
        }
        None => c.report(name, Problem::BadAmount { raw }),
    }
}

fn check_json(
    c: &mut Checker,
    f: &'static FieldSchema,
    inner: &'static TypeSchema,
    name: &str,
    v: &Value,
    top: bool,
) {
    let parsed;
    let v = match v {
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(x) => {
                parsed = x;
                &parsed
            }
            Err(_) => return wrong(c, name, "a string holding JSON"),
        },
        // Alipay is not consistent about the extra layer; accept the bare value.
        other => other,
    };
    check_value(c, f, inner, name, v, top);
}

fn check_object(c: &mut Checker, m: &'static ModelSchema, obj: &Map<String, Value>) {
    let mut seen = Vec::with_capacity(m.fields.len());
    for f in m.fields {
        let v = obj.get(f.name).filter(|v| !v.is_null());
        check_present(c, f, v);
        seen.push((f.name, v.map(wire_text)));
    }
    rules(c, &m.rules, &seen);
}

//! From a serialised request to what goes on the wire: no `null`s, the spec's default
//! and fixed values filled in, and top-level text parameters taken out of `biz_content`.

use serde_json::{Map, Value};

use super::Placement;
use crate::schema::{FieldSchema, TypeSchema};

/// Removes `null` members (unset optional fields) at every depth.
pub(super) fn strip_nulls(map: &mut Map<String, Value>) {
    map.retain(|_, v| !v.is_null());
    for v in map.values_mut() {
        strip_value(v);
    }
}

fn strip_value(v: &mut Value) {
    match v {
        Value::Object(m) => strip_nulls(m),
        Value::Array(items) => items.iter_mut().for_each(strip_value),
        _ => {}
    }
}

/// Puts the spec's `default` (when unset) and `fixed` values in place, at every depth
/// the schema describes. Values are wire text; integers and booleans go back to JSON.
pub(super) fn fill_constants(map: &mut Map<String, Value>, fields: &'static [FieldSchema]) {
    for f in fields {
        let constant = f.fixed.or(f.default.filter(|_| !map.contains_key(f.name)));
        if let Some(text) = constant {
            map.insert(f.name.to_owned(), constant_value(&f.ty, text));
        }
        if let Some(v) = map.get_mut(f.name) {
            fill_nested(v, &f.ty);
        }
    }
}

fn fill_nested(v: &mut Value, ty: &'static TypeSchema) {
    match (v, ty) {
        (Value::Object(m), TypeSchema::Object(model)) => fill_constants(m, model.fields),
        (Value::Array(items), TypeSchema::List(inner)) => {
            items.iter_mut().for_each(|x| fill_nested(x, inner));
        }
        _ => {}
    }
}

fn constant_value(ty: &TypeSchema, text: &str) -> Value {
    match ty {
        TypeSchema::Integer => text
            .parse::<i64>()
            .map_or_else(|_| Value::from(text), Value::from),
        TypeSchema::Boolean => Value::Bool(text == "true"),
        _ => Value::from(text),
    }
}

/// Takes the `in: text` parameters out of the map, in their text form: strings as they
/// are, numbers and booleans as JSON prints them, objects and lists as compact JSON.
pub(super) fn take_text(
    map: &mut Map<String, Value>,
    fields: &'static [FieldSchema],
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for f in fields.iter().filter(|f| f.placement == Placement::Text) {
        match map.remove(f.name) {
            Some(Value::String(s)) => out.push((f.name, s)),
            Some(Value::Null) | None => {}
            Some(other) => out.push((f.name, other.to_string())),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    static INNER: crate::schema::ModelSchema = crate::schema::ModelSchema::new(
        "Inner",
        &[FieldSchema::new("kind", TypeSchema::String).fixed_value("K")],
        crate::schema::RulesSchema::NONE,
    );
    static FIELDS: [FieldSchema; 4] = [
        FieldSchema::new("product", TypeSchema::String).default_value("P"),
        FieldSchema::new("count", TypeSchema::Integer)
            .text()
            .default_value("3"),
        FieldSchema::new("items", TypeSchema::List(&TypeSchema::Object(&INNER))),
        FieldSchema::new("flag", TypeSchema::Boolean).text(),
    ];

    #[test]
    fn nulls_go_constants_arrive_and_text_leaves() {
        let mut m = json!({"product": null, "items": [{"kind": "X", "n": null}], "flag": true, "other": {"a": null}})
            .as_object()
            .cloned()
            .unwrap_or_default();
        strip_nulls(&mut m);
        fill_constants(&mut m, &FIELDS);
        let text = take_text(&mut m, &FIELDS);
        assert_eq!(
            text,
            [("count", "3".to_owned()), ("flag", "true".to_owned())]
        );
        assert_eq!(
            Value::Object(m),
            json!({"product": "P", "items": [{"kind": "K"}], "other": {}})
        );
    }

    #[test]
    fn a_set_value_beats_the_default() {
        let mut m = json!({"product": "Q"})
            .as_object()
            .cloned()
            .unwrap_or_default();
        fill_constants(&mut m, &FIELDS);
        assert_eq!(m.get("product"), Some(&json!("Q")));
    }
}

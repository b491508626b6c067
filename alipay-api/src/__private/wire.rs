//! Reading generated types from the JSON Alipay sends, leniently.
//!
//! Alipay sends numbers as strings and strings as numbers, `""` for "no value", and
//! JSON documents inside strings where the docs say objects. Generated response,
//! notification and model types read themselves through [`FromWire`] instead of a
//! derived `Deserialize`: one small runtime implementation of those rules, and far less
//! generated code for the compiler than a serde derive per type.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::types::{Input, JsonString, TextValue};

/// Why a value could not be read, with the path of the offending field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    path: String,
    message: String,
}

impl WireError {
    /// An error at the current value.
    pub fn new(message: impl Into<String>) -> Self {
        WireError {
            path: String::new(),
            message: message.into(),
        }
    }

    /// The same error one level further down (`key` is a field name or `[i]`).
    pub fn within(mut self, key: &str) -> Self {
        self.path = if self.path.is_empty() {
            key.to_owned()
        } else if self.path.starts_with('[') {
            format!("{key}{}", self.path)
        } else {
            format!("{key}.{}", self.path)
        };
        self
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "`{}`: {}", self.path, self.message)
        }
    }
}

/// A type that reads itself from a JSON value as Alipay sends it.
pub trait FromWire: Sized {
    /// Reads the value.
    fn from_wire(v: Value) -> Result<Self, WireError>;
}

/// The `Deserialize` of every generated type: read any serde input as JSON, then
/// [`FromWire`].
pub fn deserialize_wire<'de, D: Deserializer<'de>, T: FromWire>(d: D) -> Result<T, D::Error> {
    let v = Value::deserialize(d)?;
    T::from_wire(v).map_err(serde::de::Error::custom)
}

/// Whether a value means "not set": absent, `null`, or blank text.
fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// The text of a scalar: strings as they are, numbers and booleans as JSON prints them.
pub fn wire_text(v: Value) -> Result<String, WireError> {
    match v {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(WireError::new(format!(
            "expected text, found {}",
            kind(&other)
        ))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The fields of an object being read, taken out one by one; what is left over is
/// kept in the type's `extra` map.
pub struct Obj(Map<String, Value>);

impl Obj {
    /// The object, or an error for any other JSON value.
    pub fn new(v: Value) -> Result<Obj, WireError> {
        match v {
            Value::Object(m) => Ok(Obj(m)),
            other => Err(WireError::new(format!(
                "expected an object, found {}",
                kind(&other)
            ))),
        }
    }

    /// Takes a field: `None` when it is absent, `null` or blank.
    pub fn take<T: FromWire>(&mut self, key: &str) -> Result<Option<T>, WireError> {
        match self.0.remove(key) {
            Some(v) if !is_blank(&v) => T::from_wire(v).map(Some).map_err(|e| e.within(key)),
            _ => Ok(None),
        }
    }

    /// The fields nobody took.
    pub fn rest(self) -> Map<String, Value> {
        self.0
    }
}

impl FromWire for String {
    fn from_wire(v: Value) -> Result<Self, WireError> {
        wire_text(v)
    }
}

impl FromWire for i64 {
    fn from_wire(v: Value) -> Result<Self, WireError> {
        let bad = |v: &Value| WireError::new(format!("expected an integer, found {v}"));
        match &v {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .map(|f| f as i64)
                })
                .ok_or_else(|| bad(&v)),
            Value::String(s) => s.trim().parse().map_err(|_| bad(&v)),
            _ => Err(bad(&v)),
        }
    }
}

impl FromWire for bool {
    fn from_wire(v: Value) -> Result<Self, WireError> {
        match &v {
            Value::Bool(b) => Ok(*b),
            Value::String(s) => match s.trim() {
                "true" | "TRUE" | "True" | "T" | "Y" | "1" => Ok(true),
                "false" | "FALSE" | "False" | "F" | "N" | "0" => Ok(false),
                _ => Err(WireError::new(format!("expected a boolean, found {v}"))),
            },
            Value::Number(n) if n.as_u64() == Some(1) => Ok(true),
            Value::Number(n) if n.as_u64() == Some(0) => Ok(false),
            _ => Err(WireError::new(format!("expected a boolean, found {v}"))),
        }
    }
}

impl FromWire for Value {
    fn from_wire(v: Value) -> Result<Self, WireError> {
        Ok(v)
    }
}

/// Amounts, times and dates read with their own (already lenient) `Deserialize`.
macro_rules! from_wire_by_serde {
    ($($t:ty),*) => {$(
        impl FromWire for $t {
            fn from_wire(v: Value) -> Result<Self, WireError> {
                <$t>::deserialize(v).map_err(|e| WireError::new(e.to_string()))
            }
        }
    )*};
}
from_wire_by_serde!(
    crate::types::Amount,
    crate::types::BeijingDateTime,
    crate::types::NaiveDate
);

impl<T: FromWire> FromWire for Vec<T> {
    fn from_wire(v: Value) -> Result<Self, WireError> {
        match v {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, x)| T::from_wire(x).map_err(|e| e.within(&format!("[{i}]"))))
                .collect(),
            // A JSON document in a string where the docs say list.
            Value::String(s) => match serde_json::from_str::<Value>(&s) {
                Ok(inner @ Value::Array(_)) => Self::from_wire(inner),
                _ => Err(WireError::new("expected an array, found a string")),
            },
            other => Err(WireError::new(format!(
                "expected an array, found {}",
                kind(&other)
            ))),
        }
    }
}

impl<T: FromWire> FromWire for JsonString<T> {
    fn from_wire(v: Value) -> Result<Self, WireError> {
        let inner = match v {
            Value::String(text) => serde_json::from_str(&text)
                .map_err(|e| WireError::new(format!("expected JSON text ({e})")))?,
            // Alipay is not consistent about the extra layer; accept the bare value.
            other => other,
        };
        T::from_wire(inner).map(JsonString)
    }
}

impl<T: TextValue + DeserializeOwned> FromWire for Input<T> {
    fn from_wire(v: Value) -> Result<Self, WireError> {
        // A value of a model Alipay also returns: keep what does not parse, as the
        // builder would, instead of failing the whole response.
        match T::deserialize(&v) {
            Ok(t) => Ok(Input::Valid(t)),
            Err(_) => wire_text(v).map(|raw| Input::Invalid { raw }),
        }
    }
}

impl<T: FromWire> FromWire for crate::types::Clearable<T> {
    fn from_wire(v: Value) -> Result<Self, WireError> {
        match v {
            Value::String(s) if s == crate::types::CLEAR_MARKER => {
                Ok(crate::types::Clearable::Clear)
            }
            other => T::from_wire(other).map(crate::types::Clearable::Set),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_are_read_either_way() {
        assert_eq!(String::from_wire(json!(12)), Ok("12".to_owned()));
        assert_eq!(i64::from_wire(json!("34")), Ok(34));
        assert_eq!(i64::from_wire(json!(5.0)), Ok(5));
        assert!(i64::from_wire(json!("x")).is_err());
        assert_eq!(bool::from_wire(json!("true")), Ok(true));
        assert_eq!(bool::from_wire(json!(0)), Ok(false));
        assert!(bool::from_wire(json!("maybe")).is_err());
    }

    #[test]
    fn blank_is_absent_and_errors_have_paths() {
        let mut o = Obj::new(json!({"a": "", "b": null, "c": [1, "x"]})).unwrap();
        assert_eq!(o.take::<String>("a"), Ok(None));
        assert_eq!(o.take::<i64>("b"), Ok(None));
        assert_eq!(o.take::<String>("missing"), Ok(None));
        let err = o.take::<Vec<i64>>("c").unwrap_err();
        assert_eq!(err.to_string(), "`c[1]`: expected an integer, found \"x\"");
        assert!(o.rest().is_empty());
        assert!(Obj::new(json!([1])).is_err());
    }

    #[test]
    fn json_text_and_lists_in_strings() {
        let v: JsonString<Vec<i64>> = JsonString::from_wire(json!("[1,2]")).unwrap();
        assert_eq!(v.0, vec![1, 2]);
        let bare: JsonString<Vec<i64>> = JsonString::from_wire(json!([3])).unwrap();
        assert_eq!(bare.0, vec![3]);
        assert_eq!(Vec::<i64>::from_wire(json!("[4]")), Ok(vec![4]));
        assert!(JsonString::<Vec<i64>>::from_wire(json!("[1,")).is_err());
    }
}

//! Helpers that generated code calls. Not part of the public API: names may change
//! in any release.

pub use crate::validation::{Checker, OneOfRule};

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// Inserts the JSON of `v` under `key` in a `biz_content` being built. Serialising the
/// generated types cannot fail (string keys only); a value that somehow does is left out
/// rather than panicking.
pub fn put<T: Serialize + ?Sized>(
    map: &mut BTreeMap<&'static str, Value>,
    key: &'static str,
    v: &T,
) {
    if let Ok(v) = serde_json::to_value(v) {
        map.insert(key, v);
    }
}

/// The compact JSON text of a `biz_content` map; keys come out sorted by wire name
/// because the map is a `BTreeMap`.
pub fn biz_json(map: &BTreeMap<&'static str, Value>) -> String {
    serde_json::to_string(map).unwrap_or_else(|_| String::from("{}"))
}

/// The text form of a top-level parameter: strings as they are, numbers and booleans
/// as JSON prints them (`true`/`false`), times as `yyyy-MM-dd HH:mm:ss`, objects and
/// lists as compact JSON.
pub fn text<T: Serialize + ?Sized>(v: &T) -> Option<String> {
    match serde_json::to_value(v).ok()? {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

/// Lenient deserialisers for response fields, because Alipay sometimes sends numbers
/// as strings and strings as numbers. Each reads an optional value; use with
/// `#[serde(default, deserialize_with = "...")]`.
pub mod lenient {
    use serde::de::{self, Deserializer, Unexpected, Visitor};
    use serde::Deserialize;
    use std::fmt;

    struct StringV;
    impl<'de> Visitor<'de> for StringV {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string (or a number or boolean to be read as text)")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    /// An optional string that may arrive as a number or boolean.
    pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(StringV)
    }

    struct IntV;
    impl<'de> Visitor<'de> for IntV {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer (or a string holding one)")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            i64::try_from(v)
                .map(Some)
                .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            if v.fract() == 0.0 && v.abs() < 9.0e15 {
                Ok(Some(v as i64))
            } else {
                Err(E::invalid_value(Unexpected::Float(v), &self))
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            if t.is_empty() {
                return Ok(None);
            }
            t.parse()
                .map(Some)
                .map_err(|_| E::invalid_value(Unexpected::Str(v), &self))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    /// An optional integer that may arrive as a string.
    pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        d.deserialize_any(IntV)
    }

    struct BoolV;
    impl<'de> Visitor<'de> for BoolV {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a boolean (or \"true\"/\"false\")")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            match v.trim() {
                "true" | "TRUE" | "True" | "T" | "Y" | "1" => Ok(Some(true)),
                "false" | "FALSE" | "False" | "F" | "N" | "0" => Ok(Some(false)),
                "" => Ok(None),
                _ => Err(E::invalid_value(Unexpected::Str(v), &self)),
            }
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            match v {
                0 => Ok(Some(false)),
                1 => Ok(Some(true)),
                _ => Err(E::invalid_value(Unexpected::Signed(v), &self)),
            }
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            match v {
                0 => Ok(Some(false)),
                1 => Ok(Some(true)),
                _ => Err(E::invalid_value(Unexpected::Unsigned(v), &self)),
            }
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    /// An optional value (amount, time, date, JSON text) where Alipay sometimes sends an
    /// empty string for "none": blank text reads as `None`, anything else as `T`.
    pub fn blank_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: serde::de::DeserializeOwned,
    {
        match Option::<serde_json::Value>::deserialize(d)? {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(v) => T::deserialize(v).map(Some).map_err(de::Error::custom),
        }
    }

    /// An optional boolean that may arrive as text.
    pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        d.deserialize_any(BoolV)
    }

    #[cfg(test)]
    mod tests {
        #[derive(serde::Deserialize)]
        struct T {
            #[serde(default, deserialize_with = "super::string")]
            s: Option<String>,
            #[serde(default, deserialize_with = "super::int")]
            i: Option<i64>,
            #[serde(default, deserialize_with = "super::bool")]
            b: Option<bool>,
        }

        #[test]
        fn accepts_either_representation() {
            let t: T = serde_json::from_str(r#"{"s":12,"i":"34","b":"true"}"#).unwrap();
            assert_eq!(
                (t.s.as_deref(), t.i, t.b),
                (Some("12"), Some(34), Some(true))
            );
            let t: T = serde_json::from_str(r#"{"s":"x","i":5,"b":false}"#).unwrap();
            assert_eq!(
                (t.s.as_deref(), t.i, t.b),
                (Some("x"), Some(5), Some(false))
            );
            let t: T = serde_json::from_str(r#"{}"#).unwrap();
            assert_eq!((t.s, t.i, t.b), (None, None, None));
            assert!(serde_json::from_str::<T>(r#"{"i":"x"}"#).is_err());
        }
    }
}

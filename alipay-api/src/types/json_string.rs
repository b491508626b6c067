//! Values that Alipay transports as a JSON document inside a string.

use serde::de::{self, DeserializeOwned};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A structured value that travels as a string holding its compact JSON text.
///
/// Some Alipay fields (for example `fund_bill_list` in trade notifications) carry
/// JSON encoded as a string. `JsonString<T>` gives the typed value to Rust code and
/// takes care of the extra layer of encoding in both directions. On input it also
/// accepts the value unwrapped, because Alipay is not consistent about it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JsonString<T>(pub T);

impl<T> JsonString<T> {
    /// The typed value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for JsonString<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> From<T> for JsonString<T> {
    fn from(v: T) -> Self {
        JsonString(v)
    }
}

impl<T: Serialize> Serialize for JsonString<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(&self.0).map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for JsonString<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let inner = match v {
            serde_json::Value::String(text) => serde_json::from_str(&text),
            other => serde_json::from_value(other),
        };
        inner.map(JsonString).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_and_unwraps_one_layer_of_json() {
        let v = JsonString(vec![1, 2]);
        assert_eq!(serde_json::to_string(&v).unwrap(), r#""[1,2]""#);
        let back: JsonString<Vec<i32>> = serde_json::from_str(r#""[1,2]""#).unwrap();
        assert_eq!(back, v);
        let bare: JsonString<Vec<i32>> = serde_json::from_str("[1,2]").unwrap();
        assert_eq!(bare, v);
        assert!(serde_json::from_str::<JsonString<Vec<i32>>>(r#""[1,""#).is_err());
    }
}

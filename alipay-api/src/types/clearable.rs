//! Fields that an update call can explicitly clear.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The marker some Alipay update calls (e.g. `alipay.offline.market.shop.modify`)
/// accept in place of a value to erase what is stored.
pub const CLEAR_MARKER: &str = "#EMPTY#";

/// A value for a field of an update call: either a new value or an instruction to
/// erase the stored one (sent as [`CLEAR_MARKER`]).
///
/// Leaving the field unset (`None` around this type) keeps the stored value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clearable<T> {
    /// Replace the stored value.
    Set(T),
    /// Erase the stored value.
    Clear,
}

impl<T: Serialize> Serialize for Clearable<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Clearable::Set(v) => v.serialize(s),
            Clearable::Clear => s.serialize_str(CLEAR_MARKER),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Clearable<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw<T> {
            Marker(MarkerOnly),
            Value(T),
        }
        #[derive(Deserialize)]
        #[serde(try_from = "String")]
        struct MarkerOnly;
        impl TryFrom<String> for MarkerOnly {
            type Error = &'static str;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                if s == CLEAR_MARKER {
                    Ok(MarkerOnly)
                } else {
                    Err("not the clear marker")
                }
            }
        }
        Ok(match Raw::<T>::deserialize(d)? {
            Raw::Marker(_) => Clearable::Clear,
            Raw::Value(v) => Clearable::Set(v),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clear_is_the_marker_on_the_wire() {
        let c: Clearable<String> = Clearable::Clear;
        assert_eq!(serde_json::to_string(&c).unwrap(), r##""#EMPTY#""##);
        let s = Clearable::Set("x".to_owned());
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""x""#);
        let back: Clearable<String> = serde_json::from_str(r##""#EMPTY#""##).unwrap();
        assert_eq!(back, Clearable::Clear);
        let back: Clearable<String> = serde_json::from_str(r#""y""#).unwrap();
        assert_eq!(back, Clearable::Set("y".into()));
    }
}

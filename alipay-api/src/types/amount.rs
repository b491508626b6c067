//! Exact money amounts.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// An exact amount of money in yuan (元), held as an integer number of fen (分).
///
/// Alipay sends and expects amounts as decimal strings with at most two decimals
/// (`"88.88"`). Floats cannot represent those exactly, so this type never uses one:
/// it parses the decimal text directly and always serialises with two decimals.
///
/// ```
/// use alipay_api::Amount;
/// let a: Amount = "88.8".parse().unwrap();
/// assert_eq!(a.fen(), 8880);
/// assert_eq!(a.to_string(), "88.80");
/// assert_eq!(Amount::from_fen(1).to_string(), "0.01");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount {
    fen: i64,
}

/// Why a text is not a valid [`Amount`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{raw}` is not an amount in yuan with at most two decimals (e.g. `88.88`)")]
pub struct ParseAmountError {
    raw: String,
}

impl ParseAmountError {
    /// The text that failed to parse.
    pub fn raw(&self) -> &str {
        &self.raw
    }
}

impl Amount {
    /// Zero yuan.
    pub const ZERO: Amount = Amount { fen: 0 };

    /// An amount of `fen` hundredths of a yuan.
    pub const fn from_fen(fen: i64) -> Self {
        Amount { fen }
    }

    /// A whole number of yuan, or `None` on overflow.
    pub const fn from_yuan(yuan: i64) -> Option<Self> {
        match yuan.checked_mul(100) {
            Some(fen) => Some(Amount { fen }),
            None => None,
        }
    }

    /// The amount in fen (hundredths of a yuan).
    pub const fn fen(self) -> i64 {
        self.fen
    }

    /// `self + other`, or `None` on overflow.
    pub const fn checked_add(self, other: Amount) -> Option<Amount> {
        match self.fen.checked_add(other.fen) {
            Some(fen) => Some(Amount { fen }),
            None => None,
        }
    }

    /// `self - other`, or `None` on overflow.
    pub const fn checked_sub(self, other: Amount) -> Option<Amount> {
        match self.fen.checked_sub(other.fen) {
            Some(fen) => Some(Amount { fen }),
            None => None,
        }
    }
}

impl FromStr for Amount {
    type Err = ParseAmountError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseAmountError { raw: s.to_owned() };
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int, frac) = match digits.split_once('.') {
            Some((i, f)) => (i, f),
            None => (digits, ""),
        };
        // At most 15 integer digits keeps `fen` far from i64 overflow; Alipay's own
        // limits are nine digits.
        if int.is_empty()
            || int.len() > 15
            || frac.len() > 2
            || (digits.contains('.') && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(err());
        }
        let int: i64 = int.parse().map_err(|_| err())?;
        let frac: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| err())? * 10,
            _ => frac.parse::<i64>().map_err(|_| err())?,
        };
        let fen = int * 100 + frac;
        Ok(Amount {
            fen: if negative { -fen } else { fen },
        })
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.fen < 0 { "-" } else { "" };
        let abs = self.fen.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({self})")
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Amount {
    /// Accepts the documented string form and, leniently, a JSON number (some
    /// Alipay responses send amounts unquoted).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount such as \"88.88\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                v.trim().parse().map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                Amount::from_yuan(v).ok_or_else(|| E::custom("amount out of range"))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                i64::try_from(v)
                    .ok()
                    .and_then(Amount::from_yuan)
                    .ok_or_else(|| E::custom("amount out of range"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
                // The shortest round-trip text of the float is what the sender wrote.
                format!("{v}").parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_exactly() {
        for (text, fen, shown) in [
            ("0.01", 1, "0.01"),
            ("88.88", 8888, "88.88"),
            ("88.8", 8880, "88.80"),
            ("100000000", 10_000_000_000, "100000000.00"),
            ("-1.5", -150, "-1.50"),
            ("0", 0, "0.00"),
        ] {
            let a: Amount = text.parse().unwrap();
            assert_eq!(a.fen(), fen, "{text}");
            assert_eq!(a.to_string(), shown);
        }
    }

    #[test]
    fn rejects_malformed_text() {
        for bad in [
            "",
            ".",
            "1.",
            ".5",
            "1.234",
            "1,00",
            "+1",
            "1e3",
            " 1",
            "abc",
            "--1",
            "1.2.3",
            "1234567890123456",
        ] {
            assert!(bad.parse::<Amount>().is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn serde_is_a_two_decimal_string_and_lenient_on_input() {
        let a = Amount::from_fen(8880);
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"88.80\"");
        let from_num: Amount = serde_json::from_str("88.8").unwrap();
        assert_eq!(from_num, a);
        let from_int: Amount = serde_json::from_str("88").unwrap();
        assert_eq!(from_int.fen(), 8800);
        assert!(serde_json::from_str::<Amount>("\"x\"").is_err());
    }
}

//! Alipay's wall-clock time: `yyyy-MM-dd HH:mm:ss` in Beijing time.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

const FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// UTC+8, the zone of every Alipay timestamp whatever the host's own zone is.
fn beijing() -> FixedOffset {
    // 8 hours is always a valid offset; `east_opt` only fails beyond ±24h.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!())
}

/// A point in time as Alipay writes it: `yyyy-MM-dd HH:mm:ss`, Beijing time (UTC+8).
///
/// ```
/// use alipay_api::BeijingDateTime;
/// let t: BeijingDateTime = "2024-01-02 03:04:05".parse().unwrap();
/// assert_eq!(t.to_utc().to_rfc3339(), "2024-01-01T19:04:05+00:00");
/// assert_eq!(t.to_string(), "2024-01-02 03:04:05");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BeijingDateTime(NaiveDateTime);

/// Why a text is not a valid [`BeijingDateTime`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{raw}` is not a time in the form `yyyy-MM-dd HH:mm:ss`")]
pub struct ParseDateTimeError {
    raw: String,
}

impl BeijingDateTime {
    /// The current time.
    pub fn now() -> Self {
        Self::from_utc(Utc::now())
    }

    /// The Beijing wall-clock reading of an instant. Instants within 8 hours of the
    /// end of chrono's range read as its last representable time.
    pub fn from_utc(t: DateTime<Utc>) -> Self {
        BeijingDateTime(
            t.naive_utc()
                .checked_add_offset(beijing())
                .unwrap_or(NaiveDateTime::MAX),
        )
    }

    /// The instant this wall-clock reading denotes. Readings within 8 hours of the
    /// start of chrono's range (only possible through [`from_naive`](Self::from_naive))
    /// map to its first representable instant instead of overflowing.
    pub fn to_utc(self) -> DateTime<Utc> {
        self.0
            .checked_sub_offset(beijing())
            .unwrap_or(NaiveDateTime::MIN)
            .and_utc()
    }

    /// The wall-clock reading without a zone.
    pub fn naive(self) -> NaiveDateTime {
        self.0
    }

    /// Wraps a wall-clock reading that is already in Beijing time.
    pub fn from_naive(t: NaiveDateTime) -> Self {
        BeijingDateTime(t)
    }
}

impl FromStr for BeijingDateTime {
    type Err = ParseDateTimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // chrono accepts single-digit fields and signed years; Alipay's format is
        // fixed width, digits only, so every accepted text prints back as itself.
        let layout_ok = s.len() == 19
            && s.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                10 => b == b' ',
                13 | 16 => b == b':',
                _ => b.is_ascii_digit(),
            });
        if !layout_ok {
            return Err(ParseDateTimeError { raw: s.to_owned() });
        }
        NaiveDateTime::parse_from_str(s, FORMAT)
            .map(BeijingDateTime)
            .map_err(|_| ParseDateTimeError { raw: s.to_owned() })
    }
}

impl fmt::Display for BeijingDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format(FORMAT))
    }
}

impl fmt::Debug for BeijingDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BeijingDateTime({self})")
    }
}

impl From<DateTime<Utc>> for BeijingDateTime {
    fn from(t: DateTime<Utc>) -> Self {
        Self::from_utc(t)
    }
}

impl Serialize for BeijingDateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BeijingDateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.trim().parse().map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_converts_zone() {
        let t: BeijingDateTime = "2024-01-02 03:04:05".parse().unwrap();
        assert_eq!(t.to_string(), "2024-01-02 03:04:05");
        assert_eq!(t.to_utc().timestamp_millis(), 1_704_135_845_000);
        assert_eq!(BeijingDateTime::from_utc(t.to_utc()), t);
    }

    #[test]
    fn rejects_other_layouts() {
        for bad in [
            "-001-01-02 03:04:05",
            "+999-01-02 03:04:05",
            "2024-+1-02 03:04:05",
            "２０２4-01-02 03:04",
            "2024-1-2 3:4:5",
            "2024-01-02T03:04:05",
            "2024-01-02",
            "2024-13-02 03:04:05",
            "2024-01-02 03:04:05Z",
            "",
        ] {
            assert!(bad.parse::<BeijingDateTime>().is_err(), "{bad}");
        }
    }

    #[test]
    fn extreme_readings_do_not_panic() {
        for n in [NaiveDateTime::MIN, NaiveDateTime::MAX] {
            let _ = BeijingDateTime::from_naive(n).to_utc();
        }
        for t in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
            let _ = BeijingDateTime::from_utc(t);
        }
    }

    proptest::proptest! {
        /// Whatever text parses prints back as itself and converts both ways (the
        /// first character is a sign one time in six).
        #[test]
        fn accepted_texts_round_trip(
            first in "[-+0-9]",
            rest in "[0-9]{3}-(0[1-9]|1[0-2])-[0-2][1-9] [01][0-9]:[0-5][0-9]:[0-5][0-9]",
        ) {
            let s = format!("{first}{rest}");
            if let Ok(t) = s.parse::<BeijingDateTime>() {
                proptest::prop_assert_eq!(t.to_string(), s);
                proptest::prop_assert_eq!(BeijingDateTime::from_utc(t.to_utc()), t);
            }
        }

        /// Any instant and any reading convert without panicking, the ends of
        /// chrono's range included.
        #[test]
        fn any_reading_converts(secs in proptest::prop_oneof![
            DateTime::<Utc>::MIN_UTC.timestamp()..DateTime::<Utc>::MIN_UTC.timestamp() + 86_400,
            DateTime::<Utc>::MAX_UTC.timestamp() - 86_400..=DateTime::<Utc>::MAX_UTC.timestamp(),
            DateTime::<Utc>::MIN_UTC.timestamp()..=DateTime::<Utc>::MAX_UTC.timestamp(),
        ]) {
            if let Some(t) = DateTime::<Utc>::from_timestamp(secs, 0) {
                let _ = BeijingDateTime::from_utc(t).to_utc();
                let _ = BeijingDateTime::from_naive(t.naive_utc()).to_utc();
            }
        }
    }
}

//! Builder arguments that may still be unparsed text.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Amount, BeijingDateTime};

/// A builder argument for a typed field (amount, time, date) that the caller may have
/// passed as text. Parsing is deferred to `build()` so that a malformed value is
/// reported together with every other problem of the request, by wire name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input<T> {
    /// A well-formed value.
    Valid(T),
    /// Text that does not parse as `T`.
    Invalid {
        /// The text as given.
        raw: String,
    },
}

impl<T> Input<T> {
    /// The value, if it parsed.
    pub fn get(&self) -> Option<&T> {
        match self {
            Input::Valid(v) => Some(v),
            Input::Invalid { .. } => None,
        }
    }
}

impl<T> From<T> for Input<T> {
    fn from(v: T) -> Self {
        Input::Valid(v)
    }
}

// The wire form: the value, or the text as given, which the validator then reports.
impl<T: serde::Serialize> serde::Serialize for Input<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Input::Valid(v) => v.serialize(s),
            Input::Invalid { raw } => s.serialize_str(raw),
        }
    }
}

/// Types whose values builders accept as text too. Sealed: implemented for
/// [`Amount`], [`BeijingDateTime`] and [`NaiveDate`].
pub trait TextValue: Sized + sealed::Sealed {
    /// Parses the wire text form.
    fn parse_text(s: &str) -> Option<Self>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Amount {}
    impl Sealed for super::BeijingDateTime {}
    impl Sealed for super::NaiveDate {}
}

impl TextValue for Amount {
    fn parse_text(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}
impl TextValue for BeijingDateTime {
    fn parse_text(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}
impl TextValue for NaiveDate {
    fn parse_text(s: &str) -> Option<Self> {
        // Fixed width, as Alipay writes dates.
        if s.len() != 10 {
            return None;
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
    }
}

/// Conversion into an [`Input`]: implemented for the typed value itself and for text.
pub trait IntoInput<T> {
    /// Wraps or parses the argument.
    fn into_input(self) -> Input<T>;
}

impl<T: TextValue> IntoInput<T> for T {
    fn into_input(self) -> Input<T> {
        Input::Valid(self)
    }
}

impl<T: TextValue> IntoInput<T> for &str {
    fn into_input(self) -> Input<T> {
        match T::parse_text(self) {
            Some(v) => Input::Valid(v),
            None => Input::Invalid {
                raw: self.to_owned(),
            },
        }
    }
}

impl<T: TextValue> IntoInput<T> for String {
    fn into_input(self) -> Input<T> {
        self.as_str().into_input()
    }
}

impl<T: TextValue> IntoInput<T> for &String {
    fn into_input(self) -> Input<T> {
        self.as_str().into_input()
    }
}

impl IntoInput<BeijingDateTime> for DateTime<Utc> {
    fn into_input(self) -> Input<BeijingDateTime> {
        Input::Valid(BeijingDateTime::from_utc(self))
    }
}

//! Request validation errors: every problem of a request, reported at once, by wire name.
//!
//! There is one validator ([`crate::schema::validate_params`]): generated `build()`
//! methods run it over the JSON they are about to send, and the local gateway runs it
//! over the JSON it receives, so the client and the gateway cannot disagree on what a
//! valid request is.

use std::fmt;

use crate::types::Amount;

/// Why a request could not be built. Lists every violation, not just the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    request: &'static str,
    violations: Vec<Violation>,
}

impl ValidationError {
    /// The method (e.g. `alipay.trade.pay`) or model whose builder failed.
    pub fn request(&self) -> &'static str {
        self.request
    }

    /// Every violation found, in field order.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The wire names (paths for nested fields) that have a violation.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.violations.iter().map(|v| v.field.as_str())
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid `{}` request ({} problem{}); fix these fields before sending:",
            self.request,
            self.violations.len(),
            if self.violations.len() == 1 { "" } else { "s" }
        )?;
        for v in &self.violations {
            write!(f, "\n  - {v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Wire name of the field; nested fields are written as a path
    /// (`goods_detail[0].goods_id`). For one-of groups, the names joined by `|`.
    pub field: String,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.field, self.problem)
    }
}

/// Whether a one-of group needs at least one or exactly one of its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OneOfRule {
    /// One or more of the fields must be set.
    AtLeastOne,
    /// Exactly one of the fields must be set.
    ExactlyOne,
}

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// A required field was not set.
    Missing,
    /// A one-of group is not satisfied; `present` fields of the group were set.
    OneOf {
        /// The rule of the group.
        rule: OneOfRule,
        /// How many fields of the group were set.
        present: usize,
    },
    /// A value outside the documented set.
    NotInEnum {
        /// The value given.
        value: String,
        /// The accepted values.
        allowed: &'static [&'static str],
    },
    /// Text shorter than the minimum, counted in characters.
    TooShort {
        /// Minimum length.
        min: usize,
        /// Actual length.
        actual: usize,
    },
    /// Text longer than the maximum, counted in characters.
    TooLong {
        /// Maximum length.
        max: usize,
        /// Actual length.
        actual: usize,
    },
    /// A list with more items than allowed.
    TooManyItems {
        /// Maximum number of items.
        max: usize,
        /// Actual number of items.
        actual: usize,
    },
    /// Text that is not an amount with at most two decimals.
    BadAmount {
        /// The text given.
        raw: String,
    },
    /// An amount outside the documented range.
    AmountOutOfRange {
        /// The amount given.
        value: Amount,
        /// Smallest accepted amount.
        min: Option<Amount>,
        /// Largest accepted amount.
        max: Option<Amount>,
    },
    /// An integer outside the documented range.
    OutOfRange {
        /// The value given.
        value: i64,
        /// Smallest accepted value.
        min: Option<i64>,
        /// Largest accepted value.
        max: Option<i64>,
    },
    /// Text that is not a time in the form `yyyy-MM-dd HH:mm:ss`.
    BadDateTime {
        /// The text given.
        raw: String,
    },
    /// Text that is not a date in the form `yyyy-MM-dd`.
    BadDate {
        /// The text given.
        raw: String,
    },
    /// A value of the wrong JSON type (reported by the gateway's JSON checks).
    WrongType {
        /// The expected type, in words.
        expected: &'static str,
    },
    /// A field that another field's value makes required.
    RequiredWhen {
        /// The field whose value makes this one required.
        when: &'static str,
        /// The values of `when` that do (empty: any value).
        equals: &'static [&'static str],
    },
    /// Text that does not have the documented form.
    Pattern {
        /// The regular expression the whole value must match.
        pattern: &'static str,
    },
    /// A file larger than accepted.
    TooLarge {
        /// Largest accepted size in bytes.
        max: u64,
        /// Actual size in bytes.
        actual: u64,
    },
}

fn bounds<T: fmt::Display>(min: &Option<T>, max: &Option<T>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("[{a}, {b}]"),
        (Some(a), None) => format!("at least {a}"),
        (None, Some(b)) => format!("at most {b}"),
        (None, None) => "any".to_owned(),
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Missing => f.write_str("required but not set"),
            Problem::OneOf {
                rule: OneOfRule::AtLeastOne,
                ..
            } => f.write_str("set at least one of these fields"),
            Problem::OneOf {
                rule: OneOfRule::ExactlyOne,
                present,
            } => write!(f, "set exactly one of these fields ({present} set)"),
            Problem::NotInEnum { value, allowed } => {
                write!(f, "`{value}` is not one of {}", allowed.join(", "))
            }
            Problem::TooShort { min, actual } => {
                write!(f, "{actual} characters, at least {min} required")
            }
            Problem::TooLong { max, actual } => {
                write!(f, "{actual} characters, at most {max} allowed")
            }
            Problem::TooManyItems { max, actual } => {
                write!(f, "{actual} items, at most {max} allowed")
            }
            Problem::BadAmount { raw } => write!(
                f,
                "`{raw}` is not an amount in yuan with at most two decimals (e.g. `88.88`)"
            ),
            Problem::AmountOutOfRange { value, min, max } => {
                write!(
                    f,
                    "{value} is outside the accepted range {}",
                    bounds(min, max)
                )
            }
            Problem::OutOfRange { value, min, max } => {
                write!(
                    f,
                    "{value} is outside the accepted range {}",
                    bounds(min, max)
                )
            }
            Problem::BadDateTime { raw } => {
                write!(f, "`{raw}` is not a time in the form `yyyy-MM-dd HH:mm:ss`")
            }
            Problem::BadDate { raw } => write!(f, "`{raw}` is not a date in the form `yyyy-MM-dd`"),
            Problem::WrongType { expected } => write!(f, "expected {expected}"),
            Problem::RequiredWhen { when, equals: [] } => {
                write!(f, "required because `{when}` is set")
            }
            Problem::RequiredWhen { when, equals } => {
                write!(f, "required when `{when}` is {}", equals.join(" or "))
            }
            Problem::Pattern { pattern } => {
                write!(f, "does not have the documented form (`{pattern}`)")
            }
            Problem::TooLarge { max, actual } => {
                write!(f, "{actual} bytes, at most {max} allowed")
            }
        }
    }
}

/// Collects violations while the validator walks a request.
#[derive(Debug, Default)]
pub(crate) struct Checker {
    prefix: String,
    out: Vec<Violation>,
}

impl Checker {
    /// An empty checker.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn path(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_owned()
        } else {
            format!("{}.{field}", self.prefix)
        }
    }

    /// Records `problem` for `field` (relative to the current nesting).
    pub(crate) fn report(&mut self, field: &str, problem: Problem) {
        let field = self.path(field);
        self.out.push(Violation { field, problem });
    }

    /// Runs `f` with `segment` (e.g. `goods_detail[0]`) prepended to field names.
    pub(crate) fn nested<R>(&mut self, segment: &str, f: impl FnOnce(&mut Checker) -> R) -> R {
        let saved = self.prefix.len();
        if !self.prefix.is_empty() {
            self.prefix.push('.');
        }
        self.prefix.push_str(segment);
        let r = f(self);
        self.prefix.truncate(saved);
        r
    }

    /// Checks the length of `value` in characters (Alipay counts characters, not bytes).
    pub(crate) fn length(
        &mut self,
        field: &str,
        value: &str,
        min: Option<usize>,
        max: Option<usize>,
    ) {
        if min.is_none() && max.is_none() {
            return;
        }
        let actual = value.chars().count();
        if let Some(min) = min.filter(|&m| actual < m) {
            self.report(field, Problem::TooShort { min, actual });
        }
        if let Some(max) = max.filter(|&m| actual > m) {
            self.report(field, Problem::TooLong { max, actual });
        }
    }

    /// Checks the number of items of a list.
    pub(crate) fn max_items(&mut self, field: &str, actual: usize, max: usize) {
        if actual > max {
            self.report(field, Problem::TooManyItems { max, actual });
        }
    }

    /// Checks an amount against an inclusive range.
    pub(crate) fn amount_range(
        &mut self,
        field: &str,
        value: Amount,
        min: Option<Amount>,
        max: Option<Amount>,
    ) {
        if min.is_some_and(|m| value < m) || max.is_some_and(|m| value > m) {
            self.report(field, Problem::AmountOutOfRange { value, min, max });
        }
    }

    /// Checks an integer against an inclusive range.
    pub(crate) fn int_range(
        &mut self,
        field: &str,
        value: i64,
        min: Option<i64>,
        max: Option<i64>,
    ) {
        if min.is_some_and(|m| value < m) || max.is_some_and(|m| value > m) {
            self.report(field, Problem::OutOfRange { value, min, max });
        }
    }

    /// Checks a raw value against a list of accepted values.
    pub(crate) fn enum_value(
        &mut self,
        field: &str,
        value: &str,
        allowed: &'static [&'static str],
    ) {
        if !allowed.contains(&value) {
            self.report(
                field,
                Problem::NotInEnum {
                    value: value.to_owned(),
                    allowed,
                },
            );
        }
    }

    /// Checks a one-of group given which of its fields are set.
    pub(crate) fn one_of(&mut self, fields: &[&str], present: &[bool], rule: OneOfRule) {
        let n = present.iter().filter(|p| **p).count();
        let ok = match rule {
            OneOfRule::AtLeastOne => n >= 1,
            OneOfRule::ExactlyOne => n == 1,
        };
        if !ok {
            self.report(&fields.join("|"), Problem::OneOf { rule, present: n });
        }
    }

    /// Ends the walk: `Ok` when nothing was reported.
    pub(crate) fn finish(self, request: &'static str) -> Result<(), ValidationError> {
        if self.out.is_empty() {
            Ok(())
        } else {
            Err(ValidationError {
                request,
                violations: self.out,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_problem_with_paths() {
        let mut c = Checker::new();
        c.report("out_trade_no", Problem::Missing);
        c.length("subject", "超长标题", None, Some(3));
        c.nested("goods_detail[1]", |c| {
            c.report("goods_id", Problem::Missing)
        });
        c.one_of(
            &["out_trade_no", "trade_no"],
            &[false, false],
            OneOfRule::AtLeastOne,
        );
        let err = c.finish("alipay.trade.pay").unwrap_err();
        let fields: Vec<_> = err.fields().collect();
        assert_eq!(
            fields,
            [
                "out_trade_no",
                "subject",
                "goods_detail[1].goods_id",
                "out_trade_no|trade_no"
            ]
        );
        assert_eq!(
            err.violations()[1].problem,
            Problem::TooLong { max: 3, actual: 4 }
        );
        let text = err.to_string();
        assert!(
            text.contains("`subject`: 4 characters, at most 3 allowed"),
            "{text}"
        );
    }

    #[test]
    fn clean_walk_is_ok() {
        let mut c = Checker::new();
        c.length("a", "abc", Some(1), Some(3));
        c.amount_range("x", Amount::from_fen(1), Some(Amount::from_fen(1)), None);
        c.one_of(&["a", "b"], &[true, false], OneOfRule::ExactlyOne);
        assert!(c.finish("m").is_ok());
    }
}

//! Machine-readable descriptions of every generated method, model and notification.
//!
//! The tables are generated from the same spec as the typed API, and they are the only
//! place the spec's rules are enforced: a generated `build()` serialises the request and
//! runs [`validate_params`] over it, and the local gateway runs the same function over
//! the JSON it receives. Only the methods of enabled cargo features are listed.
//!
//! ```
//! use alipay_api::schema;
//! for m in schema::methods() {
//!     assert!(schema::method(m.meta.method).is_some());
//! }
//! ```

mod validate;

pub(crate) use validate::validate_request;
pub use validate::{validate_model, validate_params};

use crate::request::{MethodMeta, Placement};
use crate::types::Amount;
use crate::validation::OneOfRule;

/// A method of the spec.
#[derive(Debug)]
#[non_exhaustive]
pub struct MethodSchema {
    /// The facts the runtime uses to send the method.
    pub meta: &'static MethodMeta,
    /// Official Chinese name.
    pub title: &'static str,
    /// One line on what the method does.
    pub summary: &'static str,
    /// Request parameters, in spec order.
    pub params: &'static [FieldSchema],
    /// Rules across the parameters.
    pub rules: RulesSchema,
    /// Fields of the `<method>_response` node (without `code`/`msg`/`sub_code`/`sub_msg`).
    pub response: &'static [FieldSchema],
}

impl MethodSchema {
    /// A parameter by wire name.
    pub fn param(&self, name: &str) -> Option<&'static FieldSchema> {
        self.params.iter().find(|f| f.name == name)
    }
}

/// Rules across the fields of a request or model.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct RulesSchema {
    /// One-of groups.
    pub one_of: &'static [OneOfSchema],
    /// Conditional requirements.
    pub required_when: &'static [RequiredWhenSchema],
}

impl RulesSchema {
    /// No rules.
    pub const NONE: RulesSchema = RulesSchema {
        one_of: &[],
        required_when: &[],
    };

    /// The given rules.
    pub const fn new(
        one_of: &'static [OneOfSchema],
        required_when: &'static [RequiredWhenSchema],
    ) -> Self {
        RulesSchema {
            one_of,
            required_when,
        }
    }
}

/// A one-of group.
#[derive(Debug)]
#[non_exhaustive]
pub struct OneOfSchema {
    /// Wire names of the fields in the group.
    pub fields: &'static [&'static str],
    /// Whether at least one or exactly one must be set.
    pub rule: OneOfRule,
}

impl OneOfSchema {
    /// A group.
    pub const fn new(fields: &'static [&'static str], rule: OneOfRule) -> Self {
        OneOfSchema { fields, rule }
    }
}

/// A conditional requirement: `field` must be set when `when` is set to one of `equals`
/// (or to anything, when `equals` is empty).
#[derive(Debug)]
#[non_exhaustive]
pub struct RequiredWhenSchema {
    /// The field that becomes required.
    pub field: &'static str,
    /// The field whose value decides.
    pub when: &'static str,
    /// Wire texts of `when` that make `field` required.
    pub equals: &'static [&'static str],
}

impl RequiredWhenSchema {
    /// A rule.
    pub const fn new(
        field: &'static str,
        when: &'static str,
        equals: &'static [&'static str],
    ) -> Self {
        RequiredWhenSchema {
            field,
            when,
            equals,
        }
    }
}

/// An inclusive range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeSchema {
    /// Bounds of an integer.
    Int {
        /// Smallest accepted value.
        min: Option<i64>,
        /// Largest accepted value.
        max: Option<i64>,
    },
    /// Bounds of an amount.
    Amount {
        /// Smallest accepted amount.
        min: Option<Amount>,
        /// Largest accepted amount.
        max: Option<Amount>,
    },
}

/// A field of a request, response, model or notification.
#[derive(Debug)]
#[non_exhaustive]
pub struct FieldSchema {
    /// Wire name.
    pub name: &'static str,
    /// Where a request parameter travels ([`Placement::BizContent`] elsewhere).
    pub placement: Placement,
    /// The type.
    pub ty: TypeSchema,
    /// Whether the field must be set (documentation only for responses).
    pub required: bool,
    /// Minimum length in characters.
    pub min_length: Option<usize>,
    /// Maximum length in characters.
    pub max_length: Option<usize>,
    /// A regular expression the whole value must match.
    pub pattern: Option<&'static str>,
    /// Accepted range of an amount or integer.
    pub range: Option<RangeSchema>,
    /// Maximum number of list items.
    pub max_items: Option<usize>,
    /// Largest accepted file size in bytes.
    pub max_bytes: Option<u64>,
    /// Enum fields: the values this field accepts, when the docs close the list
    /// (narrower than the enum's own list when the spec narrows it).
    pub allowed: Option<&'static [&'static str]>,
    /// Wire text sent when the caller sets nothing.
    pub default: Option<&'static str>,
    /// Wire text always sent.
    pub fixed: Option<&'static str>,
    /// Whether `#EMPTY#` is accepted to erase the stored value.
    pub clearable: bool,
    /// Deprecation note (empty when the spec gives none).
    pub deprecated: Option<&'static str>,
    /// A plausible value, as compact JSON.
    pub example: Option<&'static str>,
}

// Const builders keep the generated tables short while the fields stay plain data.
impl FieldSchema {
    /// A field in `biz_content` with no constraints.
    pub const fn new(name: &'static str, ty: TypeSchema) -> Self {
        FieldSchema {
            name,
            placement: Placement::BizContent,
            ty,
            required: false,
            min_length: None,
            max_length: None,
            pattern: None,
            range: None,
            max_items: None,
            max_bytes: None,
            allowed: None,
            default: None,
            fixed: None,
            clearable: false,
            deprecated: None,
            example: None,
        }
    }

    /// A top-level form parameter (`in: text`).
    pub const fn text(mut self) -> Self {
        self.placement = Placement::Text;
        self
    }

    /// A multipart file part (`in: file`).
    pub const fn file(mut self) -> Self {
        self.placement = Placement::File;
        self
    }

    /// Marks the field required.
    pub const fn req(mut self) -> Self {
        self.required = true;
        self
    }

    /// Sets the length bounds in characters.
    pub const fn len(mut self, min: Option<usize>, max: Option<usize>) -> Self {
        self.min_length = min;
        self.max_length = max;
        self
    }

    /// Sets the pattern.
    pub const fn pattern(mut self, re: &'static str) -> Self {
        self.pattern = Some(re);
        self
    }

    /// Sets integer bounds.
    pub const fn int_range(mut self, min: Option<i64>, max: Option<i64>) -> Self {
        self.range = Some(RangeSchema::Int { min, max });
        self
    }

    /// Sets amount bounds, in fen.
    pub const fn amount_range(mut self, min: Option<i64>, max: Option<i64>) -> Self {
        let min = match min {
            Some(f) => Some(Amount::from_fen(f)),
            None => None,
        };
        let max = match max {
            Some(f) => Some(Amount::from_fen(f)),
            None => None,
        };
        self.range = Some(RangeSchema::Amount { min, max });
        self
    }

    /// Sets the maximum number of list items.
    pub const fn max_items(mut self, max: usize) -> Self {
        self.max_items = Some(max);
        self
    }

    /// Sets the largest accepted file size.
    pub const fn max_bytes(mut self, max: u64) -> Self {
        self.max_bytes = Some(max);
        self
    }

    /// Closes the accepted enum values.
    pub const fn allowed(mut self, values: &'static [&'static str]) -> Self {
        self.allowed = Some(values);
        self
    }

    /// Sets the wire text sent when the caller sets nothing.
    pub const fn default_value(mut self, text: &'static str) -> Self {
        self.default = Some(text);
        self
    }

    /// Sets the wire text always sent.
    pub const fn fixed_value(mut self, text: &'static str) -> Self {
        self.fixed = Some(text);
        self
    }

    /// Marks the field clearable with `#EMPTY#`.
    pub const fn clearable(mut self) -> Self {
        self.clearable = true;
        self
    }

    /// Marks the field deprecated, with a note (may be empty).
    pub const fn deprecated(mut self, note: &'static str) -> Self {
        self.deprecated = Some(note);
        self
    }

    /// Sets an example, as compact JSON.
    pub const fn example(mut self, json: &'static str) -> Self {
        self.example = Some(json);
        self
    }
}

/// A type, recursively.
#[derive(Debug)]
pub enum TypeSchema {
    /// Text.
    String,
    /// A whole number.
    Integer,
    /// `true` / `false`.
    Boolean,
    /// An amount in yuan with at most two decimals.
    Amount,
    /// `yyyy-MM-dd HH:mm:ss`, Beijing time.
    DateTime,
    /// `yyyy-MM-dd`.
    Date,
    /// A multipart file part.
    File,
    /// An object model.
    Object(&'static ModelSchema),
    /// An enum model.
    Enum(&'static EnumSchema),
    /// A JSON array.
    List(&'static TypeSchema),
    /// A string holding the compact JSON of the inner type.
    Json(&'static TypeSchema),
}

/// An object model.
#[derive(Debug)]
#[non_exhaustive]
pub struct ModelSchema {
    /// Model (and Rust type) name.
    pub name: &'static str,
    /// Fields in spec order.
    pub fields: &'static [FieldSchema],
    /// Rules across the fields.
    pub rules: RulesSchema,
}

impl ModelSchema {
    /// A model.
    pub const fn new(
        name: &'static str,
        fields: &'static [FieldSchema],
        rules: RulesSchema,
    ) -> Self {
        ModelSchema {
            name,
            fields,
            rules,
        }
    }
}

/// An enum model.
#[derive(Debug)]
#[non_exhaustive]
pub struct EnumSchema {
    /// Enum (and Rust type) name.
    pub name: &'static str,
    /// The documented values, in spec order.
    pub values: &'static [&'static str],
    /// Whether requests may only use the documented values.
    pub closed: bool,
}

impl EnumSchema {
    /// An enum.
    pub const fn new(name: &'static str, values: &'static [&'static str], closed: bool) -> Self {
        EnumSchema {
            name,
            values,
            closed,
        }
    }
}

/// How a notification reaches the merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Flat form fields, told apart by `notify_type`.
    Form {
        /// The `notify_type` value.
        notify_type: &'static str,
    },
    /// A message whose `biz_content` holds the fields, told apart by `msg_method`.
    Message {
        /// The `msg_method` value.
        msg_method: &'static str,
    },
    /// A JSON object a partner service posts itself (e签宝's signing callbacks), told
    /// apart by its `action` field. Alipay does not sign it: confirm what it says with
    /// a signed query before acting on it.
    Json {
        /// The `action` value.
        action: &'static str,
    },
}

/// A notification of the spec.
#[derive(Debug)]
#[non_exhaustive]
pub struct NotificationSchema {
    /// Rust type name.
    pub name: &'static str,
    /// Official Chinese name.
    pub title: &'static str,
    /// One line on the notification.
    pub summary: &'static str,
    /// Method family (cargo feature).
    pub family: &'static str,
    /// How it arrives.
    pub delivery: Delivery,
    /// Fields in spec order.
    pub fields: &'static [FieldSchema],
    /// Upstream documentation page.
    pub doc_url: &'static str,
}

/// Every method of the enabled cargo features, sorted by method name.
pub fn methods() -> &'static [&'static MethodSchema] {
    crate::generated::tables::METHODS
}

/// The method with this wire name, if its cargo feature is enabled.
pub fn method(name: &str) -> Option<&'static MethodSchema> {
    let all = methods();
    all.binary_search_by(|m| m.meta.method.cmp(name))
        .ok()
        .and_then(|i| all.get(i).copied())
}

/// Every notification of the enabled cargo features, sorted by name.
pub fn notifications() -> &'static [&'static NotificationSchema] {
    crate::generated::tables::NOTIFICATIONS
}

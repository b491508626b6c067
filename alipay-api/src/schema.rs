//! Machine-readable descriptions of every generated method, model and notification.
//!
//! The tables are generated from the same spec as the typed API, so a tool that only
//! sees JSON (such as a local test gateway) can apply exactly the rules the typed
//! builders apply: [`validate_params`] drives the same [`Checker`] over a received
//! `biz_content` and text parameters. Only the methods of enabled cargo features are
//! listed.
//!
//! ```
//! use alipay_api::schema;
//! for m in schema::methods() {
//!     assert!(schema::method(m.meta.method).is_some());
//! }
//! ```

use serde_json::Value;

use crate::request::{MethodMeta, Placement};
use crate::types::{Amount, BeijingDateTime, NaiveDate, TextValue, CLEAR_MARKER};
use crate::validation::{Checker, OneOfRule, Problem, ValidationError};

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
    /// One-of groups over the parameters.
    pub one_of: &'static [OneOfSchema],
    /// Fields of the `<method>_response` node (without `code`/`msg`/`sub_code`/`sub_msg`).
    pub response: &'static [FieldSchema],
}

impl MethodSchema {
    /// A parameter by wire name.
    pub fn param(&self, name: &str) -> Option<&'static FieldSchema> {
        self.params.iter().find(|f| f.name == name)
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
    /// Accepted range of an amount or integer.
    pub range: Option<RangeSchema>,
    /// Maximum number of list items.
    pub max_items: Option<usize>,
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
    /// One line on the field.
    pub summary: &'static str,
}

// Const builders keep the generated tables short (they are most of the generated
// bytes otherwise) while the fields stay plain data.
impl FieldSchema {
    /// A field in `biz_content` with no constraints.
    pub const fn new(name: &'static str, ty: TypeSchema, summary: &'static str) -> Self {
        FieldSchema {
            name,
            placement: Placement::BizContent,
            ty,
            required: false,
            min_length: None,
            max_length: None,
            range: None,
            max_items: None,
            default: None,
            fixed: None,
            clearable: false,
            deprecated: None,
            example: None,
            summary,
        }
    }

    /// Sets where the parameter travels.
    pub const fn placed(mut self, placement: Placement) -> Self {
        self.placement = placement;
        self
    }

    /// Marks the field required.
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Sets the length bounds in characters.
    pub const fn length(mut self, min: Option<usize>, max: Option<usize>) -> Self {
        self.min_length = min;
        self.max_length = max;
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
    /// One line on the model.
    pub summary: &'static str,
    /// Fields in spec order.
    pub fields: &'static [FieldSchema],
    /// One-of groups over the fields.
    pub one_of: &'static [OneOfSchema],
}

/// An enum model.
#[derive(Debug)]
#[non_exhaustive]
pub struct EnumSchema {
    /// Enum (and Rust type) name.
    pub name: &'static str,
    /// One line on the enum.
    pub summary: &'static str,
    /// The documented values, in spec order.
    pub values: &'static [&'static str],
    /// One line per value, parallel to `values`.
    pub value_summaries: &'static [&'static str],
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
    /// Product group (cargo feature).
    pub group: &'static str,
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

/// Checks a received request against its method's schema, with the same rules and
/// messages as the typed builders: missing required fields, one-of groups, enum
/// values, lengths, amount and integer formats and ranges, times and dates, list
/// sizes, nested models; plus JSON type mismatches, which typed builders cannot make.
///
/// `biz_content` is the parsed JSON object (or `None` when the request had none);
/// `text` looks up a top-level form parameter by name. File parts are not checked.
pub fn validate_params(
    schema: &MethodSchema,
    biz_content: Option<&Value>,
    text: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ValidationError> {
    let mut c = Checker::new();
    let empty = serde_json::Map::new();
    let biz = match biz_content {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => {
            c.report(
                "biz_content",
                Problem::WrongType {
                    expected: "a JSON object",
                },
            );
            &empty
        }
    };
    let mut present = Vec::with_capacity(schema.params.len());
    for f in schema.params {
        let is_set = match f.placement {
            Placement::BizContent => {
                let v = biz.get(f.name).filter(|v| !v.is_null());
                check_present(&mut c, f, v);
                v.is_some()
            }
            Placement::Text => match text(f.name) {
                Some(raw) => {
                    check_text(&mut c, f, &raw);
                    true
                }
                None => {
                    if f.required {
                        c.report(f.name, Problem::Missing);
                    }
                    false
                }
            },
            Placement::File => true,
        };
        present.push((f.name, is_set));
    }
    one_of(&mut c, schema.one_of, &present);
    c.finish(schema.meta.method)
}

/// Validates a JSON value against a model, as the typed model builder would.
pub fn validate_model(schema: &'static ModelSchema, value: &Value) -> Result<(), ValidationError> {
    let mut c = Checker::new();
    match value.as_object() {
        Some(obj) => check_object(&mut c, schema, obj),
        None => wrong(&mut c, schema.name, "a JSON object"),
    }
    c.finish(schema.name)
}

fn one_of(c: &mut Checker, groups: &[OneOfSchema], present: &[(&str, bool)]) {
    for g in groups {
        let set: Vec<bool> = g
            .fields
            .iter()
            .map(|n| present.iter().any(|(p, s)| p == n && *s))
            .collect();
        c.one_of(g.fields, &set, g.rule);
    }
}

fn check_present(c: &mut Checker, f: &'static FieldSchema, v: Option<&Value>) {
    match v {
        None => {
            if f.required && f.default.is_none() {
                c.report(f.name, Problem::Missing);
            }
        }
        Some(v) => {
            if f.clearable && v.as_str() == Some(CLEAR_MARKER) {
                return;
            }
            if let Some(fixed) = &f.fixed {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                c.enum_value(f.name, &text, std::slice::from_ref(fixed));
                return;
            }
            check_value(c, f, &f.ty, f.name, v, true);
        }
    }
}

/// A text parameter arrives as a string; parse it the way the typed builder prints it.
fn check_text(c: &mut Checker, f: &'static FieldSchema, raw: &str) {
    if f.clearable && raw == CLEAR_MARKER {
        return;
    }
    if let Some(fixed) = &f.fixed {
        c.enum_value(f.name, raw, std::slice::from_ref(fixed));
        return;
    }
    let v = match &f.ty {
        TypeSchema::String
        | TypeSchema::Amount
        | TypeSchema::DateTime
        | TypeSchema::Date
        | TypeSchema::Enum(_)
        | TypeSchema::Json(_)
        | TypeSchema::File => Value::String(raw.to_owned()),
        TypeSchema::Integer => match raw.trim().parse::<i64>() {
            Ok(i) => Value::from(i),
            Err(_) => {
                c.report(
                    f.name,
                    Problem::WrongType {
                        expected: "an integer",
                    },
                );
                return;
            }
        },
        TypeSchema::Boolean => match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => {
                c.report(
                    f.name,
                    Problem::WrongType {
                        expected: "`true` or `false`",
                    },
                );
                return;
            }
        },
        TypeSchema::Object(_) | TypeSchema::List(_) => match serde_json::from_str(raw) {
            Ok(v) => v,
            Err(_) => {
                c.report(
                    f.name,
                    Problem::WrongType {
                        expected: "compact JSON text",
                    },
                );
                return;
            }
        },
    };
    check_value(c, f, &f.ty, f.name, &v, true);
}

fn wrong(c: &mut Checker, name: &str, expected: &'static str) {
    c.report(name, Problem::WrongType { expected });
}

/// Checks one value; `top` says whether list-level constraints apply (they do not to
/// the items of the list itself).
fn check_value(
    c: &mut Checker,
    f: &'static FieldSchema,
    ty: &'static TypeSchema,
    name: &str,
    v: &Value,
    top: bool,
) {
    match ty {
        TypeSchema::String => match v {
            Value::String(s) => c.length(name, s, f.min_length, f.max_length),
            _ => wrong(c, name, "a string"),
        },
        TypeSchema::Integer => match v.as_i64() {
            Some(i) => {
                if let Some(RangeSchema::Int { min, max }) = f.range {
                    c.int_range(name, i, min, max);
                }
            }
            None => wrong(c, name, "an integer"),
        },
        TypeSchema::Boolean => {
            if !v.is_boolean() {
                wrong(c, name, "`true` or `false`");
            }
        }
        TypeSchema::Amount => {
            let raw = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return wrong(c, name, "an amount such as \"88.88\""),
            };
            match Amount::parse_text(&raw) {
                Some(a) => {
                    if let Some(RangeSchema::Amount { min, max }) = f.range {
                        c.amount_range(name, a, min, max);
                    }
                }
                None => c.report(name, Problem::BadAmount { raw }),
            }
        }
        TypeSchema::DateTime => match v.as_str() {
            Some(s) if BeijingDateTime::parse_text(s).is_some() => {}
            Some(s) => c.report(name, Problem::BadDateTime { raw: s.to_owned() }),
            None => wrong(c, name, "a time such as \"2024-01-02 03:04:05\""),
        },
        TypeSchema::Date => match v.as_str() {
            Some(s) if NaiveDate::parse_text(s).is_some() => {}
            Some(s) => c.report(name, Problem::BadDate { raw: s.to_owned() }),
            None => wrong(c, name, "a date such as \"2024-01-02\""),
        },
        TypeSchema::File => {}
        TypeSchema::Enum(e) => match v.as_str() {
            Some(s) => {
                c.enum_value(name, s, e.values);
                c.length(name, s, f.min_length, f.max_length);
            }
            None => wrong(c, name, "a string"),
        },
        TypeSchema::Object(m) => match v.as_object() {
            Some(obj) => c.nested(name, |c| check_object(c, m, obj)),
            None => wrong(c, name, "a JSON object"),
        },
        TypeSchema::List(item) => match v.as_array() {
            Some(items) => {
                if let (true, Some(max)) = (top, f.max_items) {
                    c.max_items(name, items.len(), max);
                }
                for (i, x) in items.iter().enumerate() {
                    let seg = format!("{name}[{i}]");
                    check_value(c, f, item, &seg, x, false);
                }
            }
            None => wrong(c, name, "a JSON array"),
        },
        TypeSchema::Json(inner) => {
            let parsed;
            let v = match v {
                Value::String(s) => match serde_json::from_str::<Value>(s) {
                    Ok(x) => {
                        parsed = x;
                        &parsed
                    }
                    Err(_) => return wrong(c, name, "a string holding JSON"),
                },
                // Alipay is not consistent about the extra layer; accept the bare value.
                other => other,
            };
            check_value(c, f, inner, name, v, top);
        }
    }
}

fn check_object(c: &mut Checker, m: &'static ModelSchema, obj: &serde_json::Map<String, Value>) {
    let mut present = Vec::with_capacity(m.fields.len());
    for f in m.fields {
        let v = obj.get(f.name).filter(|v| !v.is_null());
        check_present(c, f, v);
        present.push((f.name, v.is_some()));
    }
    one_of(c, m.one_of, &present);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    static KIND: EnumSchema = EnumSchema {
        name: "Kind",
        summary: "A kind.",
        values: &["A", "B"],
        value_summaries: &["First.", "Second."],
    };

    static LINE: ModelSchema = ModelSchema {
        name: "Line",
        summary: "A line.",
        fields: &[
            FieldSchema::new("sku", TypeSchema::String, "Unit.")
                .required()
                .length(None, Some(3)),
            FieldSchema::new("price", TypeSchema::Amount, "Price.").amount_range(Some(1), None),
            FieldSchema::new("kind", TypeSchema::Enum(&KIND), "Kind."),
            FieldSchema::new("bar", TypeSchema::String, "Bar."),
            FieldSchema::new("qr", TypeSchema::String, "QR."),
        ],
        one_of: &[OneOfSchema {
            fields: &["bar", "qr"],
            rule: OneOfRule::ExactlyOne,
        }],
    };

    static META: MethodMeta = MethodMeta {
        method: "demo.create",
        version: "1.0",
        kind: crate::request::CallKind::Server,
        response_key: "demo_create_response",
        extra_success_codes: &[],
        extra_success_result_codes: &[],
        encryptable: false,
        common_params: &[],
        fixed_params: &[],
        v3: None,
        group: "demo",
        doc_url: "",
    };

    static DEMO: MethodSchema = MethodSchema {
        meta: &META,
        title: "演示",
        summary: "Demo.",
        params: &[
            FieldSchema::new("out_no", TypeSchema::String, "No.").required(),
            FieldSchema::new("count", TypeSchema::Integer, "Count.").int_range(Some(1), Some(9)),
            FieldSchema::new(
                "lines",
                TypeSchema::List(&TypeSchema::Object(&LINE)),
                "Lines.",
            )
            .max_items(2),
            FieldSchema::new(
                "extra",
                TypeSchema::Json(&TypeSchema::Object(&LINE)),
                "JSON.",
            ),
            FieldSchema::new("memo", TypeSchema::String, "Memo.")
                .clearable()
                .length(Some(2), None),
            FieldSchema::new("product", TypeSchema::String, "Fixed.").fixed_value("P1"),
            FieldSchema::new("day", TypeSchema::Date, "Day."),
            FieldSchema::new("flag", TypeSchema::Boolean, "Flag.").placed(Placement::Text),
            FieldSchema::new("n", TypeSchema::Integer, "N.").placed(Placement::Text),
        ],
        one_of: &[],
        response: &[],
    };

    fn problems(biz: Value, text: &[(&str, &str)]) -> Vec<(String, Problem)> {
        let lookup = |k: &str| {
            text.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        };
        match validate_params(&DEMO, Some(&biz), &lookup) {
            Ok(()) => Vec::new(),
            Err(e) => e
                .violations()
                .iter()
                .map(|v| (v.field.clone(), v.problem.clone()))
                .collect(),
        }
    }

    #[test]
    fn valid_json_passes() {
        let biz = json!({
            "out_no": "1",
            "count": 9,
            "lines": [{"sku": "abc", "price": "0.01", "kind": "A", "bar": "x"}],
            "extra": "{\"sku\":\"a\",\"qr\":\"q\"}",
            "memo": "#EMPTY#",
            "product": "P1",
            "day": "2024-02-29",
            "unknown_keys": "are ignored"
        });
        assert_eq!(problems(biz, &[("flag", "true"), ("n", "3")]), []);
    }

    #[test]
    fn every_rule_reports_by_path() {
        let biz = json!({
            "count": 10,
            "lines": [
                {"sku": "abcd", "price": "0.00", "kind": "C", "bar": "x", "qr": "y"},
                {"price": "1.234"},
                "not an object"
            ],
            "extra": "{\"sku\":5}",
            "memo": "x",
            "product": "P2",
            "day": "2024-02-30"
        });
        let got = problems(biz, &[("flag", "yes"), ("n", "x")]);
        let fields: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "out_no",
                "count",
                "lines",
                "lines[0].sku",
                "lines[0].price",
                "lines[0].kind",
                "lines[0].bar|qr",
                "lines[1].sku",
                "lines[1].price",
                "lines[1].bar|qr",
                "lines[2]",
                "extra.sku",
                "extra.bar|qr",
                "memo",
                "product",
                "day",
                "flag",
                "n",
            ]
        );
        assert_eq!(
            got[1].1,
            Problem::OutOfRange {
                value: 10,
                min: Some(1),
                max: Some(9)
            }
        );
        assert_eq!(got[2].1, Problem::TooManyItems { max: 2, actual: 3 });
        assert_eq!(
            got[6].1,
            Problem::OneOf {
                rule: OneOfRule::ExactlyOne,
                present: 2
            }
        );
        assert_eq!(
            got[8].1,
            Problem::BadAmount {
                raw: "1.234".into()
            }
        );
        assert_eq!(
            got[10].1,
            Problem::WrongType {
                expected: "a JSON object"
            }
        );
        assert_eq!(
            got[11].1,
            Problem::WrongType {
                expected: "a string"
            }
        );
        assert_eq!(got[13].1, Problem::TooShort { min: 2, actual: 1 });
        assert_eq!(
            got[14].1,
            Problem::NotInEnum {
                value: "P2".into(),
                allowed: &["P1"]
            }
        );
        assert_eq!(
            got[15].1,
            Problem::BadDate {
                raw: "2024-02-30".into()
            }
        );
    }

    #[test]
    fn models_validate_alone_and_non_objects_fail_closed() {
        assert_eq!(
            validate_model(&LINE, &json!({"sku": "a", "qr": "q"})),
            Ok(())
        );
        let err = validate_model(&LINE, &json!("x")).unwrap_err();
        assert_eq!(err.violations()[0].field, "Line");
        let err = validate_params(&DEMO, Some(&json!(1)), &|_| None).unwrap_err();
        let fields: Vec<&str> = err.fields().collect();
        assert_eq!(fields, ["biz_content", "out_no"]);
    }
}

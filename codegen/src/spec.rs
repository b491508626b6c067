//! The YAML spec as written, before any validation: one serde struct per file kind.
//!
//! Every struct denies unknown keys so that a typo in a spec file is an error with a
//! line number instead of a silently ignored setting. `spec/README.md` documents every key.

use std::collections::BTreeMap;

use serde::Deserialize;

/// `spec/groups.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupsFile {
    /// The method families (one cargo feature and module each), in display order.
    pub families: Vec<FamilySpec>,
    /// The docs products (one alias feature each), in display order.
    #[serde(default)]
    pub products: Vec<ProductSpec>,
}

/// One method family.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilySpec {
    /// Cargo feature and module name.
    pub name: String,
    /// The family's name as Alipay shows it.
    pub title: String,
    /// One line in our own words.
    pub summary: String,
    /// Method-name prefixes that belong to the family (the importer's default choice).
    #[serde(default)]
    pub prefixes: Vec<String>,
}

/// One docs product: an alias feature over the families its methods use.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductSpec {
    /// Cargo feature name.
    pub name: String,
    /// The product as the docs navigation names it.
    pub title: String,
    /// Its path in the docs navigation.
    pub nav: String,
    /// Its API list (wire method names).
    #[serde(default)]
    pub methods: Vec<String>,
    /// Its notifications (notification names).
    #[serde(default)]
    pub notifications: Vec<String>,
}

/// `spec/fields/<topic>.yaml`: shared field definitions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldsFile {
    /// The definitions.
    pub fields: Vec<FieldSpec>,
}

/// How a method is invoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KindSpec {
    /// Server-to-server call.
    Server,
    /// Browser redirect.
    Page,
    /// App order string.
    App,
    /// Multipart upload.
    Upload,
}

/// Common protocol parameters a method may accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommonParamSpec {
    /// `notify_url`.
    NotifyUrl,
    /// `return_url`.
    ReturnUrl,
    /// `app_auth_token`.
    AppAuthToken,
    /// `auth_token`.
    AuthToken,
}

impl CommonParamSpec {
    /// Every common parameter, in the order setters are emitted.
    pub const ALL: [CommonParamSpec; 4] = [
        CommonParamSpec::NotifyUrl,
        CommonParamSpec::ReturnUrl,
        CommonParamSpec::AppAuthToken,
        CommonParamSpec::AuthToken,
    ];

    /// The wire name.
    pub fn wire_name(self) -> &'static str {
        match self {
            CommonParamSpec::NotifyUrl => "notify_url",
            CommonParamSpec::ReturnUrl => "return_url",
            CommonParamSpec::AppAuthToken => "app_auth_token",
            CommonParamSpec::AuthToken => "auth_token",
        }
    }
}

/// `spec/methods/<group>/<method>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodSpec {
    /// Wire method name.
    pub method: String,
    /// Official Chinese API name.
    pub title: String,
    /// One line in our own words.
    pub summary: String,
    /// Longer notes.
    #[serde(default)]
    pub description: Option<String>,
    /// Upstream documentation page.
    #[serde(default)]
    pub docs: Option<String>,
    /// Method family (folder, cargo feature and module).
    pub family: String,
    /// API version, default `1.0`.
    #[serde(default)]
    pub version: Option<String>,
    /// Call kind.
    pub kind: KindSpec,
    /// Common parameters the method accepts.
    #[serde(default)]
    pub common_params: Vec<CommonParamSpec>,
    /// Whether `biz_content` may be encrypted.
    #[serde(default)]
    pub encryptable: bool,
    /// `code`s besides 10000 that are not failures.
    #[serde(default)]
    pub success_codes: Vec<String>,
    /// `sub_code`s that mean success.
    #[serde(default)]
    pub success_sub_codes: Vec<String>,
    /// Protocol parameters always sent with a fixed value.
    #[serde(default)]
    pub fixed_params: BTreeMap<String, String>,
    /// v3 REST route.
    #[serde(default)]
    pub v3: Option<V3Spec>,
    /// Where the method-level facts (kind, codes, fixed params) come from.
    #[serde(default)]
    pub source: Option<String>,
    /// Method-level facts the importer proposed that nobody has checked yet, by key.
    #[serde(default)]
    pub derived: BTreeMap<String, String>,
    /// Request parameters.
    #[serde(default)]
    pub request: RequestSpec,
    /// Response fields.
    #[serde(default)]
    pub response: ResponseSpec,
}

/// A v3 route.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct V3Spec {
    /// HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
}

/// The `request:` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// Parameters in spec order.
    #[serde(default)]
    pub params: Vec<FieldSpec>,
    /// One-of groups.
    #[serde(default)]
    pub one_of: Vec<OneOfSpec>,
    /// Conditional requirements.
    #[serde(default)]
    pub required_when: Vec<RequiredWhenSpec>,
}

/// The `response:` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseSpec {
    /// Fields in spec order.
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
}

/// Where a request parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InSpec {
    /// Inside `biz_content`.
    Biz,
    /// A form field of its own.
    Text,
    /// A multipart file part.
    File,
}

/// A scalar YAML value (`default`, `fixed`, range bounds), kept with its YAML type.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum ScalarSpec {
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number with a fraction (only meaningful for amounts).
    Float(f64),
    /// Text.
    Str(String),
}

impl ScalarSpec {
    /// The value as text, as a reader of the YAML would spell it.
    pub fn text(&self) -> String {
        match self {
            ScalarSpec::Bool(b) => b.to_string(),
            ScalarSpec::Int(i) => i.to_string(),
            ScalarSpec::Float(f) => f.to_string(),
            ScalarSpec::Str(s) => s.clone(),
        }
    }
}

/// `deprecated: true` or `deprecated: "what to use instead"`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum DeprecatedSpec {
    /// A plain flag.
    Flag(bool),
    /// A note naming the replacement.
    Note(String),
}

/// An inclusive range.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeSpec {
    /// Lower bound.
    #[serde(default)]
    pub min: Option<ScalarSpec>,
    /// Upper bound.
    #[serde(default)]
    pub max: Option<ScalarSpec>,
}

/// A field of a request, response, model or notification.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// A shared definition this field uses (its `id`).
    #[serde(default, rename = "use")]
    pub uses: Option<String>,
    /// Shared definitions only: the id other fields use (default: the name).
    #[serde(default)]
    pub id: Option<String>,
    /// Wire name (from the definition when `use` is set).
    #[serde(default)]
    pub name: Option<String>,
    /// Type expression (from the definition when `use` is set).
    #[serde(default, rename = "type")]
    pub ty: Option<String>,
    /// One line in our own words.
    #[serde(default)]
    pub summary: Option<String>,
    /// Longer notes.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether the field must be set.
    #[serde(default)]
    pub required: Option<bool>,
    /// Placement of a request parameter.
    #[serde(default, rename = "in")]
    pub placement: Option<InSpec>,
    /// Maximum length in characters.
    #[serde(default)]
    pub max_length: Option<usize>,
    /// Minimum length in characters.
    #[serde(default)]
    pub min_length: Option<usize>,
    /// Inclusive range of amounts or integers.
    #[serde(default)]
    pub range: Option<RangeSpec>,
    /// Maximum number of list items.
    #[serde(default)]
    pub max_items: Option<usize>,
    /// Value sent when the caller sets nothing.
    #[serde(default)]
    pub default: Option<ScalarSpec>,
    /// Value always sent; no setter.
    #[serde(default)]
    pub fixed: Option<ScalarSpec>,
    /// Accepts the `#EMPTY#` marker.
    #[serde(default)]
    pub clearable: Option<bool>,
    /// A regular expression the whole value must match.
    #[serde(default)]
    pub pattern: Option<String>,
    /// Largest accepted file size in bytes.
    #[serde(default)]
    pub max_bytes: Option<u64>,
    /// Enum fields: the values that apply to this use.
    #[serde(default)]
    pub values: Option<Vec<String>>,
    /// Enum fields: whether other values are rejected.
    #[serde(default)]
    pub closed: Option<bool>,
    /// Deprecation flag or note.
    #[serde(default)]
    pub deprecated: Option<DeprecatedSpec>,
    /// A plausible value (any YAML).
    #[serde(default)]
    pub example: Option<serde_yaml::Value>,
    /// Rust identifier override.
    #[serde(default)]
    pub rust_name: Option<String>,
    /// Where every constraint of the field comes from.
    #[serde(default)]
    pub source: Option<String>,
    /// Where single constraints come from, by constraint key.
    #[serde(default)]
    pub sources: BTreeMap<String, String>,
    /// Facts the importer proposed that nobody has checked yet, by key.
    #[serde(default)]
    pub derived: BTreeMap<String, String>,
}

/// A one-of group.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneOfSpec {
    /// Wire names of the fields in the group.
    pub fields: Vec<String>,
    /// The rule.
    pub rule: OneOfRuleSpec,
    /// Where the rule comes from.
    #[serde(default)]
    pub source: Option<String>,
}

/// A conditional requirement: `field` is required when `when` is set (to one of `equals`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredWhenSpec {
    /// The field that becomes required.
    pub field: String,
    /// The field the condition looks at.
    pub when: String,
    /// Wire texts of `when` that trigger the rule; empty: any value.
    #[serde(default)]
    pub equals: Vec<String>,
    /// Where the rule comes from.
    #[serde(default)]
    pub source: Option<String>,
}

/// One-of rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OneOfRuleSpec {
    /// One or more.
    AtLeastOne,
    /// Exactly one.
    ExactlyOne,
}

/// Object or enum model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKindSpec {
    /// A JSON object with fields.
    Object,
    /// A closed set of string values (open in Rust).
    Enum,
}

/// `spec/models/<Name>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Model name (also the Rust type name).
    pub name: String,
    /// Object or enum.
    pub kind: ModelKindSpec,
    /// Optional Chinese name.
    #[serde(default)]
    pub title: Option<String>,
    /// One line in our own words.
    pub summary: String,
    /// Longer notes.
    #[serde(default)]
    pub description: Option<String>,
    /// A family the model belongs to although no method of it uses the model (e.g. a
    /// value a client-side plugin reports).
    #[serde(default)]
    pub family: Option<String>,
    /// Object fields.
    #[serde(default)]
    pub fields: Option<Vec<FieldSpec>>,
    /// Object one-of groups.
    #[serde(default)]
    pub one_of: Option<Vec<OneOfSpec>>,
    /// Object conditional requirements.
    #[serde(default)]
    pub required_when: Option<Vec<RequiredWhenSpec>>,
    /// Enum values.
    #[serde(default)]
    pub values: Option<Vec<EnumValueSpec>>,
    /// Enums: whether values outside the list are rejected in requests.
    #[serde(default)]
    pub closed: Option<bool>,
    /// Enums: where the list of values (and `closed`) comes from.
    #[serde(default)]
    pub source: Option<String>,
    /// Enums: where the `final` marks of the values come from.
    #[serde(default)]
    pub final_source: Option<String>,
    /// Facts the importer proposed that nobody has checked yet, by key.
    #[serde(default)]
    pub derived: BTreeMap<String, String>,
}

/// One value of an enum.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValueSpec {
    /// Wire value.
    pub value: String,
    /// One line in our own words.
    pub summary: String,
    /// Variant name override.
    #[serde(default)]
    pub rust_name: Option<String>,
    /// Deprecation flag or note.
    #[serde(default)]
    pub deprecated: Option<DeprecatedSpec>,
    /// Whether the value is an end state (the enum gets `is_final()`).
    #[serde(default, rename = "final")]
    pub is_final: bool,
}

/// How a notification arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliverySpec {
    /// Flat form fields.
    Form,
    /// Fields inside `biz_content` of a message.
    Message,
    /// A JSON object posted by a partner service (e签宝's callbacks), told apart by its
    /// `action` field, carrying no Alipay signature.
    Json,
}

/// `spec/notifications/<name>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationSpec {
    /// Rust type name.
    pub name: String,
    /// Official Chinese name.
    pub title: String,
    /// One line in our own words.
    pub summary: String,
    /// Longer notes.
    #[serde(default)]
    pub description: Option<String>,
    /// Upstream documentation page.
    #[serde(default)]
    pub docs: Option<String>,
    /// Method family (cargo feature and module).
    pub family: String,
    /// Where delivery and the notify type come from.
    #[serde(default)]
    pub source: Option<String>,
    /// Delivery.
    pub delivery: DeliverySpec,
    /// Form delivery: the `notify_type` value.
    #[serde(default)]
    pub notify_type: Option<String>,
    /// Message delivery: the `msg_method` value.
    #[serde(default)]
    pub msg_method: Option<String>,
    /// JSON delivery: the value of the body's `action` field.
    #[serde(default)]
    pub action: Option<String>,
    /// Fields.
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
}

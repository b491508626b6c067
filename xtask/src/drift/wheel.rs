//! Reads the official Python SDK's wheel (`alipay-sdk-python`) as data: its request,
//! response and domain classes are generated from one template each, so their method
//! names, field names, nesting and list-ness can be read from the source text without
//! running any of it.
//!
//! What a class declares, and where the parser finds it:
//! - request (`alipay/aop/api/request/<X>Request.py`): the method in
//!   `params[P_METHOD] = '<method>'`, the version in `self._version = "<v>"`, the
//!   `biz_content` model in the `biz_content` setter's `isinstance(value, <Model>)`, text
//!   params as `params['<name>']` in `get_params`, file params as
//!   `multipart_params['<name>']` in `get_multipart_params`;
//! - response (`…/response/<X>Response.py`): fields as `if '<name>' in response:`;
//! - domain (`…/domain/<Model>.py`): fields as `if '<name>' in d:` in `from_alipay_dict`;
//! - for every field, its setter: `isinstance(value, list)` makes it a list and
//!   `<Model>.from_alipay_dict(` names its model.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::LazyLock;

use regex::Regex;

/// A field as the Python SDK declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyField {
    /// Wire name.
    pub name: String,
    /// A JSON array.
    pub list: bool,
    /// The model of an object.
    pub reference: Option<String>,
}

/// A method as the Python SDK declares it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PyMethod {
    /// The request class.
    pub request_class: String,
    /// API version.
    pub version: Option<String>,
    /// The `biz_content` model.
    pub biz_model: Option<String>,
    /// Top-level text params.
    pub text_params: Vec<PyField>,
    /// Multipart file params.
    pub file_params: Vec<String>,
    /// Response fields (without the common ones); `None` when the response class is missing.
    pub response: Option<Vec<PyField>>,
}

/// What the wheel declares.
#[derive(Debug, Clone, Default)]
pub struct Wheel {
    /// The package version (from `*.dist-info/METADATA`).
    pub version: String,
    /// Methods by wire name.
    pub methods: BTreeMap<String, PyMethod>,
    /// Domain models by class name.
    pub models: BTreeMap<String, Vec<PyField>>,
}

const REQUEST: &str = "alipay/aop/api/request/";
const RESPONSE: &str = "alipay/aop/api/response/";
const DOMAIN: &str = "alipay/aop/api/domain/";
/// Parameters every request class sends the same way; not the method's own.
const SYSTEM_PARAMS: [&str; 6] = [
    "biz_content",
    "terminal_type",
    "terminal_info",
    "prod_code",
    "notify_url",
    "return_url",
];

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("wheel patterns are valid")
}

static METHOD: LazyLock<Regex> = LazyLock::new(|| re(r"params\[P_METHOD\] = '([^']+)'"));
static VERSION: LazyLock<Regex> = LazyLock::new(|| re(r#"self\._version = "([^"]+)""#));
static INSTANCE: LazyLock<Regex> = LazyLock::new(|| re(r"isinstance\(value, (\w+)\)"));
static PARAM: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^\s+params\['([^']+)'\]"));
static PART: LazyLock<Regex> = LazyLock::new(|| re(r"multipart_params\['([^']+)'\]"));
static IN_RESPONSE: LazyLock<Regex> = LazyLock::new(|| re(r"if '([^']+)' in response:"));
static IN_DICT: LazyLock<Regex> = LazyLock::new(|| re(r"if '([^']+)' in d:"));
static FROM_DICT: LazyLock<Regex> = LazyLock::new(|| re(r"(\w+)\.from_alipay_dict\("));
static SETTER: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^    @(\w+)\.setter$"));
static METADATA_VERSION: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^Version: (\S+)"));

/// The body of `def <name>(…)` in a class: up to the next method or decorator.
fn def_body<'a>(text: &'a str, name: &str) -> &'a str {
    let head = format!("    def {name}(");
    let Some(start) = text.find(&head) else {
        return "";
    };
    let rest = &text[start + head.len()..];
    let end = [rest.find("\n    def "), rest.find("\n    @")]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The body of the setter of `attr` (`@attr.setter` then `def attr(self, value)`).
fn setter_body<'a>(text: &'a str, attr: &str) -> &'a str {
    let decorator = format!("    @{attr}.setter\n");
    match text.find(&decorator) {
        Some(at) => def_body(&text[at + decorator.len()..], attr),
        None => "",
    }
}

/// List-ness and model of each attribute, from the setters.
fn setters(text: &str) -> BTreeMap<String, (bool, Option<String>)> {
    let mut out = BTreeMap::new();
    for c in SETTER.captures_iter(text) {
        let body = setter_body(text, &c[1]);
        let list = body.contains("isinstance(value, list)");
        let model = FROM_DICT.captures(body).map(|m| m[1].to_owned());
        out.insert(c[1].to_owned(), (list, model));
    }
    out
}

fn fields(text: &str, names: &Regex, block: &str) -> Vec<PyField> {
    let kinds = setters(text);
    names
        .captures_iter(def_body(text, block))
        .map(|c| {
            let (list, reference) = kinds.get(&c[1]).cloned().unwrap_or_default();
            PyField {
                name: c[1].to_owned(),
                list,
                reference,
            }
        })
        .collect()
}

/// A request class: its method name and what it declares.
pub fn parse_request(class: &str, text: &str) -> Option<(String, PyMethod)> {
    let method = METHOD.captures(text)?[1].to_owned();
    let kinds = setters(text);
    let text_params = PARAM
        .captures_iter(def_body(text, "get_params"))
        .map(|c| c[1].to_owned())
        .filter(|n| !SYSTEM_PARAMS.contains(&n.as_str()))
        .fold(Vec::<String>::new(), |mut v, n| {
            if !v.contains(&n) {
                v.push(n);
            }
            v
        })
        .into_iter()
        .map(|name| {
            let (list, reference) = kinds.get(&name).cloned().unwrap_or_default();
            PyField {
                name,
                list,
                reference,
            }
        })
        .collect();
    let m = PyMethod {
        request_class: class.to_owned(),
        version: VERSION.captures(text).map(|c| c[1].to_owned()),
        biz_model: INSTANCE
            .captures(setter_body(text, "biz_content"))
            .map(|c| c[1].to_owned()),
        text_params,
        file_params: PART
            .captures_iter(def_body(text, "get_multipart_params"))
            .map(|c| c[1].to_owned())
            .collect(),
        response: None,
    };
    Some((method, m))
}

/// A response class's fields.
pub fn parse_response(text: &str) -> Vec<PyField> {
    fields(text, &IN_RESPONSE, "parse_response_content")
}

/// A domain class's fields.
pub fn parse_model(text: &str) -> Vec<PyField> {
    fields(text, &IN_DICT, "from_alipay_dict")
}

/// Reads a wheel file's bytes.
pub fn read(bytes: &[u8]) -> Result<Wheel, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a wheel (zip) file: {e}"))?;
    let mut wheel = Wheel::default();
    let mut responses = BTreeMap::new();
    for i in 0..zip.len() {
        let mut file = zip
            .by_index(i)
            .map_err(|e| format!("wheel entry {i}: {e}"))?;
        let name = (file.name())
            .map_err(|e| format!("wheel entry {i}: {e}"))?
            .into_owned();
        let is_metadata = name.ends_with(".dist-info/METADATA");
        let Some(class) = [REQUEST, RESPONSE, DOMAIN]
            .iter()
            .find_map(|dir| name.strip_prefix(dir)?.strip_suffix(".py"))
            .map(str::to_owned)
            .filter(|c| !c.contains('/') && c != "__init__")
        else {
            if is_metadata {
                let mut text = String::new();
                file.read_to_string(&mut text)
                    .map_err(|e| format!("{name}: {e}"))?;
                if let Some(c) = METADATA_VERSION.captures(&text) {
                    wheel.version = c[1].to_owned();
                }
            }
            continue;
        };
        let mut text = String::new();
        file.read_to_string(&mut text)
            .map_err(|e| format!("{name}: {e}"))?;
        if name.starts_with(REQUEST) {
            if let Some((method, m)) = parse_request(&class, &text) {
                wheel.methods.insert(method, m);
            }
        } else if name.starts_with(RESPONSE) {
            responses.insert(class, parse_response(&text));
        } else {
            wheel.models.insert(class, parse_model(&text));
        }
    }
    for m in wheel.methods.values_mut() {
        let stem = m
            .request_class
            .strip_suffix("Request")
            .unwrap_or(&m.request_class);
        m.response = responses.remove(&format!("{stem}Response"));
    }
    if wheel.methods.is_empty() {
        return Err("the wheel holds no request classes (alipay/aop/api/request/*.py)".into());
    }
    Ok(wheel)
}

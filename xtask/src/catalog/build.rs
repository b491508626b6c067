//! `cargo xtask catalog build`: the facts-only catalogue from the upstream catalogue of
//! the official .NET SDK (`alipay-v2-catalog.json.gz`) and the resolved docs navigation
//! (`seed-nav-resolved.json`). A pure function of the two inputs' bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use alipay_codegen::catalog::{
    Catalog, Common, Counts, Field, FieldHints, FieldType, Method, MethodHints, Model, NavLeaf,
    NavMatch, NavProduct, NavRef, Response, Source, Upstream, Valued, FORMAT,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::mine::{self, FieldFacts};

/// Name of the .NET SDK upstream in [`Source::upstreams`], the catalogue's primary source.
pub const NET_SDK: &str = "net-sdk";
/// Name of the docs navigation upstream.
pub const DOCS_NAV: &str = "docs-nav";

/// Methods the catalogue carries although no navigation leaf maps to them, with why.
pub const ALSO: [(&str, &str); 5] = [
    (
        "alipay.trade.page.pay",
        "电脑网站支付: the method the product's seed docs page is about; the navigation folds its API list",
    ),
    (
        "alipay.open.app.alipaycert.download",
        "certificate mode: the runtime fetches a rotated Alipay certificate with it",
    ),
    (
        "alipay.user.agreement.executionplan.modify",
        "周期扣款: moves the next deduction date of a recurring agreement; the product's docs name it, the navigation leaves it out",
    ),
    (
        "alipay.fund.auth.order.freeze",
        "预授权支付: the in-store freeze (payment code) of the 预授权 API group the navigation folds away",
    ),
    (
        "alipay.fund.auth.operation.cancel",
        "预授权支付: cancelling a freeze that timed out, in the 预授权 API group the navigation folds away",
    ),
];

#[derive(Deserialize)]
struct UpCatalog {
    source: UpSource,
    common: UpCommon,
    methods: BTreeMap<String, UpMethod>,
    models: BTreeMap<String, UpModel>,
    responses: BTreeMap<String, UpResponse>,
}

#[derive(Deserialize)]
struct UpSource {
    repo: String,
    commit: String,
    date: Option<String>,
    license: String,
    #[serde(default)]
    paths: Vec<String>,
}

#[derive(Deserialize)]
struct UpCommon {
    response_fields: Vec<UpField>,
    alipay_constants: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct UpMethod {
    request_class: String,
    response_class: String,
    version: String,
    upload: bool,
    need_encrypt_default: bool,
    biz_content: bool,
    biz_content_desc: Option<String>,
    biz_model: Option<String>,
    text_params: Vec<UpField>,
    file_params: Vec<UpField>,
    title_v3: Option<String>,
    desc_v3: Option<String>,
    v3_route: Option<String>,
}

#[derive(Deserialize)]
struct UpModel {
    fields: Vec<UpField>,
}

#[derive(Deserialize)]
struct UpResponse {
    root_key: String,
    fields: Vec<UpField>,
}

#[derive(Deserialize)]
struct UpField {
    name: String,
    #[serde(rename = "type")]
    ty: FieldType,
    list: bool,
    #[serde(rename = "ref")]
    reference: Option<String>,
    item: Option<String>,
    desc: Option<String>,
}

#[derive(Deserialize)]
struct NavEntry {
    family: String,
    product: String,
    leaf: String,
    kind: String,
    #[serde(rename = "match")]
    quality: String,
    methods: Vec<String>,
}

impl UpField {
    fn facts(&self) -> Field {
        let hints = mine::field_hints(&FieldFacts {
            name: &self.name,
            ty: self.ty,
            list: self.list,
            item: self.item.as_deref(),
            desc: self.desc.as_deref().unwrap_or(""),
        });
        Field {
            name: self.name.clone(),
            ty: self.ty,
            list: self.list,
            reference: self.reference.clone(),
            item: self.item.clone(),
            hints,
            origin: None,
        }
    }
}

fn facts(fields: &[UpField]) -> Vec<Field> {
    fields.iter().map(UpField::facts).collect()
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn nav_match(quality: &str) -> Result<NavMatch, String> {
    serde_json::from_value(serde_json::Value::String(quality.to_owned()))
        .map_err(|_| format!("navigation: unknown match quality `{quality}`"))
}

/// Every description of the upstream, where docs links are searched.
fn all_descs(up: &UpCatalog) -> impl Iterator<Item = &str> {
    let fields = up
        .models
        .values()
        .flat_map(|m| &m.fields)
        .chain(up.responses.values().flat_map(|r| &r.fields))
        .chain(
            up.methods
                .values()
                .flat_map(|m| m.text_params.iter().chain(&m.file_params)),
        );
    let method_texts = up
        .methods
        .values()
        .flat_map(|m| [m.biz_content_desc.as_deref(), m.desc_v3.as_deref()]);
    fields
        .map(|f| f.desc.as_deref())
        .chain(method_texts)
        .flatten()
}

/// The catalogue from the bytes of `alipay-v2-catalog.json.gz` and `seed-nav-resolved.json`,
/// with the methods of `also` (name, reason; normally [`ALSO`]) added.
pub fn build(gz: &[u8], nav: &[u8], also: &[(&str, &str)]) -> Result<Catalog, String> {
    let mut json = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut json)
        .map_err(|e| format!("the upstream catalogue is not gzip-compressed JSON: {e}"))?;
    let up: UpCatalog = serde_json::from_str(&json)
        .map_err(|e| format!("not an alipay-v2-catalog.json.gz catalogue: {e}"))?;
    let leaves: Vec<NavEntry> = serde_json::from_slice(nav)
        .map_err(|e| format!("not a seed-nav-resolved.json navigation: {e}"))?;

    let (products, mut placements) = navigation(&leaves)?;
    for &(method, _) in also {
        placements.entry(method.to_owned()).or_default();
    }
    let names: BTreeSet<&str> = placements.keys().map(String::as_str).collect();
    let docs = mine::docs_urls(all_descs(&up), &names);
    let mut methods = BTreeMap::new();
    for (name, nav) in placements {
        let m = up.methods.get(&name).ok_or_else(|| {
            format!("navigation or ALSO names `{name}`, which the upstream catalogue lacks")
        })?;
        let r = up
            .responses
            .get(&name)
            .ok_or_else(|| format!("the upstream catalogue has no response for `{name}`"))?;
        let hints = MethodHints {
            docs_url: docs.get(&name).map(|url| Valued {
                value: url.clone(),
                from: "desc".into(),
            }),
            kind: mine::method_kind(&name, m.upload),
        };
        let method = Method {
            request_class: m.request_class.clone(),
            response_class: m.response_class.clone(),
            version: m.version.clone(),
            biz_content: m.biz_content,
            biz_model: m.biz_model.clone(),
            text_params: facts(&m.text_params),
            file_params: facts(&m.file_params),
            upload: m.upload,
            need_encrypt_default: m.need_encrypt_default,
            title_v3: m.title_v3.clone(),
            v3_route: m.v3_route.clone(),
            response: Response {
                root_key: r.root_key.clone(),
                fields: facts(&r.fields),
            },
            nav,
            hints,
            origin: None,
        };
        methods.insert(name, method);
    }

    let mut cat = Catalog {
        source: source(&up, gz, nav, also),
        nav: products,
        methods,
        models: BTreeMap::new(),
    };
    let roots = cat.methods.values().flat_map(|m| {
        let biz = m.biz_model.iter().cloned();
        biz.chain(m.fields().filter_map(|f| f.reference.clone()))
    });
    let reached = reachable(&up, roots.collect());
    for class in reached {
        let model = up.models.get(&class).ok_or_else(|| {
            format!("the upstream catalogue references model `{class}` but does not define it")
        })?;
        cat.models.insert(
            class,
            Model {
                fields: facts(&model.fields),
                origin: None,
            },
        );
    }
    cat.source.counts = cat.count();
    let problems = cat.problems();
    if !problems.is_empty() {
        return Err(format!(
            "the built catalogue is inconsistent:\n  {}",
            problems.join("\n  ")
        ));
    }
    Ok(cat)
}

/// Class names reachable from `todo` through the upstream's models.
fn reachable(up: &UpCatalog, mut todo: Vec<String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    while let Some(class) = todo.pop() {
        if !seen.insert(class.clone()) {
            continue;
        }
        if let Some(model) = up.models.get(&class) {
            todo.extend(model.fields.iter().filter_map(|f| f.reference.clone()));
        }
    }
    seen
}

type Placements = BTreeMap<String, Vec<NavRef>>;

/// Products (with notifications and unmatched leaves) and, per method, where it appears.
fn navigation(leaves: &[NavEntry]) -> Result<(BTreeMap<String, NavProduct>, Placements), String> {
    let mut products: BTreeMap<String, NavProduct> = BTreeMap::new();
    let mut placements: Placements = BTreeMap::new();
    for l in leaves {
        let product = || NavProduct {
            family: l.family.clone(),
            notifications: Vec::new(),
            unmatched: Vec::new(),
        };
        match (l.kind.as_str(), l.methods.is_empty()) {
            ("method", false) => {
                products.entry(l.product.clone()).or_insert_with(product);
                for m in &l.methods {
                    placements.entry(m.clone()).or_default().push(NavRef {
                        product: l.product.clone(),
                        leaf: l.leaf.clone(),
                        quality: nav_match(&l.quality)?,
                    });
                }
            }
            ("method", true) => {
                let leaf = NavLeaf {
                    leaf: l.leaf.clone(),
                    quality: nav_match(&l.quality)?,
                };
                let p = products.entry(l.product.clone()).or_insert_with(product);
                if !p.unmatched.contains(&leaf) {
                    p.unmatched.push(leaf);
                }
            }
            ("notification", _) => {
                let p = products.entry(l.product.clone()).or_insert_with(product);
                if !p.notifications.contains(&l.leaf) {
                    p.notifications.push(l.leaf.clone());
                }
            }
            _ => {}
        }
    }
    for refs in placements.values_mut() {
        refs.sort();
        refs.dedup();
    }
    Ok((products, placements))
}

fn source(up: &UpCatalog, gz: &[u8], nav: &[u8], also: &[(&str, &str)]) -> Source {
    let net = Upstream {
        name: format!("github.com/{}", up.source.repo),
        version: up.source.commit.clone(),
        date: up.source.date.clone(),
        license: up.source.license.clone(),
        paths: up.source.paths.clone(),
        input_sha256: sha256(gz),
    };
    let docs = Upstream {
        name: "opendocs.alipay.com navigation: API 列表 leaves resolved to v2 methods".into(),
        version: "seed-nav-resolved.json".into(),
        date: None,
        license: "names only".into(),
        paths: Vec::new(),
        input_sha256: sha256(nav),
    };
    let common_fields = up
        .common
        .response_fields
        .iter()
        .map(|f| Field {
            hints: FieldHints::default(),
            ..f.facts()
        })
        .collect();
    Source {
        format: FORMAT,
        generated_by: "cargo xtask catalog build".into(),
        primary: NET_SDK.into(),
        upstreams: BTreeMap::from([(NET_SDK.to_owned(), net), (DOCS_NAV.to_owned(), docs)]),
        common: Common {
            response_fields: common_fields,
            system_params: up.common.alipay_constants.clone(),
        },
        also: also
            .iter()
            .map(|(m, why)| (m.to_string(), why.to_string()))
            .collect(),
        uncovered: Vec::new(),
        counts: Counts::default(),
    }
}

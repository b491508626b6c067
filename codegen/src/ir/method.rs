//! Method files: identity, call kind, protocol facts, params, rules and response.

use std::collections::BTreeSet;

use super::cx::{fref, shown, Ctx, Cx, FileRef};
use super::shared::Definitions;
use super::source;
use super::{field, rules, Kind, Method, Placement};
use crate::error::ErrorKind;
use crate::load::Source;
use crate::naming;
use crate::spec::{CommonParamSpec, KindSpec, MethodSpec};

pub fn build_all(
    cx: &mut Cx<'_>,
    defs: &Definitions<'_>,
    raw: &[Source<MethodSpec>],
    families: Option<&BTreeSet<String>>,
) -> Vec<Method> {
    let mut seen = BTreeSet::new();
    let mut methods = Vec::new();
    for m in raw {
        let file = fref(m);
        if !identity(cx, &file, m, families) {
            continue;
        }
        if !seen.insert(m.value.method.clone()) {
            let name = m.value.method.clone();
            cx.err(
                &file,
                &[("method", None)],
                ErrorKind::Duplicate {
                    what: "method",
                    name,
                },
            );
            continue;
        }
        methods.push(build(cx, defs, &file, m));
    }
    methods.sort_by(|a, b| a.wire.cmp(&b.wire));
    methods
}

fn valid_method_name(m: &str) -> bool {
    let parts: Vec<&str> = m.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

/// The file name, method name and family folder agree.
fn identity(
    cx: &mut Cx<'_>,
    file: &FileRef<'_>,
    m: &Source<MethodSpec>,
    families: Option<&BTreeSet<String>>,
) -> bool {
    let v = &m.value;
    let at = [("method", None)];
    if m.stem != v.method {
        cx.err(
            file,
            &at,
            ErrorKind::FileName {
                expected: format!("{}.yaml", v.method),
            },
        );
    }
    if !valid_method_name(&v.method) {
        let message = format!(
            "`{}` is not a method name like `alipay.trade.query`",
            v.method
        );
        cx.err(file, &at, ErrorKind::Naming { message });
        return false;
    }
    let fam_at = [("family", None)];
    if families.is_some_and(|fs| !fs.contains(&v.family)) {
        cx.err(
            file,
            &fam_at,
            ErrorKind::UnknownGroup {
                group: v.family.clone(),
            },
        );
    } else if m.folder != v.family {
        let (group, folder) = (v.family.clone(), m.folder.clone());
        cx.err(file, &fam_at, ErrorKind::WrongGroupFolder { group, folder });
    }
    true
}

fn build(
    cx: &mut Cx<'_>,
    defs: &Definitions<'_>,
    file: &FileRef<'_>,
    m: &Source<MethodSpec>,
) -> Method {
    let v = &m.value;
    cx.text(file, &[("summary", None)], "summary", &v.summary);
    cx.text(file, &[("title", None)], "title", &v.title);
    check_docs(cx, file, v);
    let docs = v.docs.as_deref();
    let kind = match v.kind {
        KindSpec::Server => Kind::Server,
        KindSpec::Page => Kind::Page,
        KindSpec::App => Kind::App,
        KindSpec::Upload => Kind::Upload,
    };
    let params = field::build_list(
        cx,
        defs,
        file,
        Ctx::Request,
        "request",
        &v.request.params,
        docs,
    );
    let rules = rules::build(
        cx,
        file,
        &params,
        &v.request.one_of,
        &v.request.required_when,
        docs,
    );
    let response = field::build_list(
        cx,
        defs,
        file,
        Ctx::Response,
        "response",
        &v.response.fields,
        docs,
    );
    let has_file = params.iter().any(|p| p.placement == Placement::File);
    if has_file != (kind == Kind::Upload) {
        let message =
            "file params need `kind: upload`, and an upload needs at least one `in: file` param";
        cx.invalid(file, &[("kind", None)], message.into());
    }
    let common = common_params(cx, file, v, &params);
    check_fixed_params(cx, file, v, &params);
    check_fact_source(cx, file, v);
    let type_name = naming::method_type(&v.method);
    let module = naming::method_module(&v.method);
    Method {
        wire: v.method.clone(),
        source: shown(&m.path),
        title: v.title.trim().to_owned(),
        summary: v.summary.trim().to_owned(),
        description: v.description.as_ref().map(|d| d.trim().to_owned()),
        docs: v.docs.clone(),
        family: v.family.clone(),
        version: v.version.clone().unwrap_or_else(|| "1.0".to_owned()),
        kind,
        common_params: common,
        encryptable: v.encryptable,
        success_codes: v.success_codes.clone(),
        success_sub_codes: v.success_sub_codes.clone(),
        fixed_params: v
            .fixed_params
            .iter()
            .map(|(a, b)| (a.clone(), b.clone()))
            .collect(),
        v3: v.v3.as_ref().map(|r| (r.method.clone(), r.path.clone())),
        params,
        rules,
        fact_source: v.source.clone(),
        response,
        response_name: format!("{type_name}Response"),
        type_name,
        response_key: format!("{module}_response"),
        module,
    }
}

fn check_docs(cx: &mut Cx<'_>, file: &FileRef<'_>, v: &MethodSpec) {
    if let Some(d) = &v.docs {
        if !d.starts_with("https://") {
            cx.invalid(
                file,
                &[("docs", None)],
                "docs must be an https:// URL".into(),
            );
        }
    }
    if let Some(v3) = &v.v3 {
        if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&v3.method.as_str()) {
            let message = format!(
                "v3 method `{}` is not an HTTP method in capitals",
                v3.method
            );
            cx.invalid(file, &[("v3", None), ("method", None)], message);
        }
        if !v3.path.starts_with('/') {
            cx.invalid(
                file,
                &[("v3", None), ("path", None)],
                "v3 path must start with `/`".into(),
            );
        }
    }
}

fn common_params(
    cx: &mut Cx<'_>,
    file: &FileRef<'_>,
    v: &MethodSpec,
    params: &[super::Field],
) -> Vec<CommonParamSpec> {
    let mut common = v.common_params.clone();
    common.sort();
    if common.windows(2).any(|w| w[0] == w[1]) {
        let name = "common_params".to_owned();
        cx.err(
            file,
            &[("common_params", None)],
            ErrorKind::Duplicate {
                what: "common param",
                name,
            },
        );
        common.dedup();
    }
    for c in &common {
        if let Some(p) = params
            .iter()
            .find(|p| p.ident == c.wire_name() || p.wire == c.wire_name())
        {
            let message = format!(
                "param `{}` clashes with the common param `{}`: drop it from params",
                p.wire,
                c.wire_name()
            );
            cx.err(
                file,
                &[("request", None), ("name", Some(p.wire.as_str()))],
                ErrorKind::Naming { message },
            );
        }
    }
    common
}

fn check_fixed_params(
    cx: &mut Cx<'_>,
    file: &FileRef<'_>,
    v: &MethodSpec,
    params: &[super::Field],
) {
    for k in v.fixed_params.keys() {
        let clash = CommonParamSpec::ALL.iter().any(|c| c.wire_name() == k)
            || params.iter().any(|p| &p.wire == k);
        if clash {
            let message = format!("fixed param `{k}` clashes with a param of the same name");
            cx.err(
                file,
                &[("fixed_params", None), (k.as_str(), None)],
                ErrorKind::Naming { message },
            );
        }
    }
}

/// Success codes and fixed params change what the client does: they need a source.
fn check_fact_source(cx: &mut Cx<'_>, file: &FileRef<'_>, v: &MethodSpec) {
    let needs = !v.success_codes.is_empty()
        || !v.success_sub_codes.is_empty()
        || !v.fixed_params.is_empty();
    match &v.source {
        None if needs => {
            let (field, key) = (v.method.clone(), "success_codes/fixed_params".to_owned());
            cx.err(
                file,
                &[("method", None)],
                ErrorKind::MissingSource { field, key },
            );
        }
        None => {}
        Some(text) => {
            source::check_text(cx, file, &[("source", None)], text, v.docs.is_some());
        }
    }
}

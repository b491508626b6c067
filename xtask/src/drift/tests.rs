//! Drift and refresh on a small wheel written by the test: Python classes in the official
//! SDK's template, generated from the repository's catalogue with known edits, zipped
//! like a wheel. No network.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use alipay_codegen::catalog::{self, Catalog, Field, FieldType, ORIGIN_KEPT};

use super::compare::{compare, Row};
use super::refresh::{refresh, PYTHON_SDK};
use super::wheel::{self, PyField};
use super::FailOn;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The setter of one attribute, as the SDK's template writes it.
fn setter(out: &mut String, f: &PyField) {
    let n = &f.name;
    let _ = write!(
        out,
        "    @property\n    def {n}(self):\n        return self._{n}\n\n    @{n}.setter\n    def {n}(self, value):\n"
    );
    match (f.list, &f.reference) {
        (true, Some(r)) => {
            let _ = write!(
                out,
                "        if isinstance(value, list):\n            self._{n} = list()\n            for i in value:\n                if isinstance(i, {r}):\n                    self._{n}.append(i)\n                else:\n                    self._{n}.append({r}.from_alipay_dict(i))\n"
            );
        }
        (false, Some(r)) => {
            let _ = write!(
                out,
                "        if isinstance(value, {r}):\n            self._{n} = value\n        else:\n            self._{n} = {r}.from_alipay_dict(value)\n"
            );
        }
        (true, None) => {
            let _ = write!(
                out,
                "        if isinstance(value, list):\n            self._{n} = list()\n            for i in value:\n                self._{n}.append(i)\n"
            );
        }
        (false, None) => {
            let _ = writeln!(out, "        self._{n} = value");
        }
    }
}

fn init(out: &mut String, fields: &[PyField], extra: &str) {
    out.push_str("    def __init__(self):\n");
    out.push_str(extra);
    for f in fields {
        let _ = writeln!(out, "        self._{} = None", f.name);
    }
    out.push('\n');
}

fn domain_class(class: &str, fields: &[PyField]) -> String {
    let mut out = format!("import json\n\nfrom alipay.aop.api.constant.ParamConstants import *\n\n\nclass {class}(object):\n\n");
    init(&mut out, fields, "");
    for f in fields {
        setter(&mut out, f);
    }
    let _ = write!(out, "\n    def to_alipay_dict(self):\n        params = dict()\n        return params\n\n    @staticmethod\n    def from_alipay_dict(d):\n        if not d:\n            return None\n        o = {class}()\n");
    for f in fields {
        let n = &f.name;
        let _ = write!(
            out,
            "        if '{n}' in d:\n            o.{n} = d['{n}']\n"
        );
    }
    out.push_str("        return o\n");
    out
}

fn response_class(class: &str, fields: &[PyField]) -> String {
    let mut out = format!("import json\n\nfrom alipay.aop.api.response.AlipayResponse import AlipayResponse\n\n\nclass {class}(AlipayResponse):\n\n");
    init(&mut out, fields, "        super().__init__()\n");
    for f in fields {
        setter(&mut out, f);
    }
    out.push_str("\n    def parse_response_content(self, response_content):\n        response = super().parse_response_content(response_content)\n");
    for f in fields {
        let n = &f.name;
        let _ = write!(
            out,
            "        if '{n}' in response:\n            self.{n} = response['{n}']\n"
        );
    }
    out
}

fn request_class(
    class: &str,
    method: &str,
    biz: Option<&str>,
    text: &[PyField],
    files: &[&str],
) -> String {
    let mut out = format!("import json\n\nfrom alipay.aop.api.FileItem import FileItem\n\n\nclass {class}(object):\n\n    def __init__(self, biz_model=None):\n        self._biz_model = biz_model\n        self._biz_content = None\n        self._version = \"1.0\"\n        self._notify_url = None\n\n");
    if let Some(model) = biz {
        let _ = write!(out, "    @property\n    def biz_content(self):\n        return self._biz_content\n\n    @biz_content.setter\n    def biz_content(self, value):\n        if isinstance(value, {model}):\n            self._biz_content = value\n        else:\n            self._biz_content = {model}.from_alipay_dict(value)\n\n");
    }
    for f in text {
        setter(&mut out, f);
    }
    let _ = write!(out, "\n    def get_params(self):\n        params = dict()\n        params[P_METHOD] = '{method}'\n        params[P_VERSION] = self.version\n        if self.biz_content:\n            params['biz_content'] = self.biz_content\n");
    for f in text {
        let n = &f.name;
        let _ = write!(
            out,
            "        if self.{n}:\n            params['{n}'] = self.{n}\n"
        );
    }
    out.push_str("        if self.notify_url:\n            params['notify_url'] = self.notify_url\n        return params\n\n    def get_multipart_params(self):\n        multipart_params = dict()\n");
    for f in files {
        let _ = write!(
            out,
            "        if self.{f}:\n            multipart_params['{f}'] = self.{f}\n"
        );
    }
    out.push_str("        return multipart_params\n");
    out
}

fn py(fields: &[Field]) -> Vec<PyField> {
    fields
        .iter()
        .map(|f| PyField {
            name: f.name.clone(),
            list: f.list,
            reference: f.reference.clone(),
        })
        .collect()
}

/// The part of the repository's catalogue the fixture is about.
fn small_catalogue() -> Catalog {
    let mut cat = catalog::load(&root().join("catalog")).expect("committed catalogue");
    let keep = [
        "alipay.trade.close",
        "alipay.trade.query",
        "alipay.trade.cancel",
    ];
    cat.methods.retain(|m, _| keep.contains(&m.as_str()));
    let reached: BTreeSet<String> = keep
        .iter()
        .flat_map(|m| cat.models_of_method(m).into_iter().map(str::to_owned))
        .collect();
    cat.models.retain(|c, _| reached.contains(c));
    cat.source.uncovered.clear();
    cat
}

/// A wheel declaring `cat` with known edits; the edits are listed where they are made.
fn fixture_wheel(cat: &Catalog) -> Vec<u8> {
    let mut files: Vec<(String, String)> = Vec::new();
    for (class, model) in &cat.models {
        let mut fields = py(&model.fields);
        if class == "AlipayTradeCloseModel" {
            fields.retain(|f| f.name != "operator_id"); // removed
            fields.push(PyField {
                name: "close_reason".into(),
                list: false,
                reference: None,
            }); // added
        }
        files.push((format!("domain/{class}.py"), domain_class(class, &fields)));
    }
    files.push(("domain/ClosePlan.py".into(), domain_class("ClosePlan", &[])));
    for (name, m) in &cat.methods {
        if name == "alipay.trade.cancel" {
            continue; // missing method
        }
        let stem = m.request_class.trim_end_matches("Request");
        let mut resp = py(&m.response.fields);
        if name == "alipay.trade.query" {
            for f in resp.iter_mut() {
                match f.name.as_str() {
                    "fund_bill_list" => f.list = false, // list → single
                    "buyer_logon_id" => f.reference = Some("ClosePlan".into()), // nesting
                    _ => {}
                }
            }
        }
        files.push((
            format!("response/{stem}Response.py"),
            response_class(&format!("{stem}Response"), &resp),
        ));
        let req = request_class(
            &m.request_class,
            name,
            m.biz_model.as_deref(),
            &py(&m.text_params),
            &[],
        );
        files.push((format!("request/{}.py", m.request_class), req));
    }
    // A method next to covered ones (`alipay.trade.*`) and one far from them.
    for (class, method) in [
        ("AlipayTradeBrandnewRequest", "alipay.trade.brandnew"),
        ("AlipayOtherThingRequest", "alipay.other.thing"),
    ] {
        files.push((
            format!("request/{class}.py"),
            request_class(class, method, None, &[], &["image_content"]),
        ));
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("alipay_sdk_python-9.9.9.dist-info/METADATA", opts)
        .unwrap();
    zip.write_all(b"Metadata-Version: 2.1\nName: alipay-sdk-python\nVersion: 9.9.9\n")
        .unwrap();
    for (path, text) in files {
        zip.start_file(format!("alipay/aop/api/{path}"), opts)
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn has(rows: &[Row], against: &str, change: &str, place: &str, field: &str) -> bool {
    rows.iter()
        .any(|r| r.against == against && r.change == change && r.place == place && r.field == field)
}

#[test]
fn the_parser_reads_what_the_template_declares() {
    let text = request_class(
        "AlipayDemoUploadRequest",
        "alipay.demo.upload",
        Some("AlipayDemoUploadModel"),
        &[PyField {
            name: "items".into(),
            list: true,
            reference: Some("Item".into()),
        }],
        &["image_content"],
    );
    let (method, m) = wheel::parse_request("AlipayDemoUploadRequest", &text).unwrap();
    assert_eq!(method, "alipay.demo.upload");
    assert_eq!(m.version.as_deref(), Some("1.0"));
    assert_eq!(m.biz_model.as_deref(), Some("AlipayDemoUploadModel"));
    assert_eq!(
        m.text_params,
        [PyField {
            name: "items".into(),
            list: true,
            reference: Some("Item".into())
        }]
    );
    assert_eq!(m.file_params, ["image_content"]);
    let fields = [
        PyField {
            name: "a".into(),
            list: false,
            reference: None,
        },
        PyField {
            name: "b".into(),
            list: true,
            reference: None,
        },
        PyField {
            name: "c".into(),
            list: false,
            reference: Some("C".into()),
        },
    ];
    assert_eq!(wheel::parse_model(&domain_class("M", &fields)), fields);
    assert_eq!(wheel::parse_response(&response_class("R", &fields)), fields);
}

#[test]
fn drift_reports_each_kind_of_change() {
    let cat = small_catalogue();
    let w = wheel::read(&fixture_wheel(&cat)).unwrap();
    assert_eq!(w.version, "9.9.9");
    let ir = alipay_codegen::ir::load(&root().join("spec"), alipay_codegen::Options::default())
        .expect("the spec loads");
    let rows = compare(&w, &cat, Some(&ir));
    let close = "model AlipayTradeCloseModel";
    assert!(
        has(&rows, "catalogue", "added", close, "close_reason"),
        "{rows:#?}"
    );
    assert!(
        has(&rows, "catalogue", "removed", close, "operator_id"),
        "{rows:#?}"
    );
    assert!(has(
        &rows,
        "catalogue",
        "list",
        "alipay.trade.query response",
        "fund_bill_list"
    ));
    assert!(has(
        &rows,
        "catalogue",
        "nesting",
        "alipay.trade.query response",
        "buyer_logon_id"
    ));
    assert!(has(
        &rows,
        "catalogue",
        "missing method",
        "alipay.trade.cancel",
        ""
    ));
    assert!(has(
        &rows,
        "catalogue",
        "new method",
        "alipay.trade.brandnew",
        ""
    ));
    assert!(
        !rows.iter().any(|r| r.place == "alipay.other.thing"),
        "not next to a covered method"
    );
    // The spec's own fields, compared the same way (the spec specs alipay.trade.close).
    assert!(
        has(
            &rows,
            "spec",
            "added",
            "alipay.trade.close request",
            "close_reason"
        ),
        "{rows:#?}"
    );
    assert!(
        has(
            &rows,
            "spec",
            "removed",
            "alipay.trade.close request",
            "operator_id"
        ),
        "{rows:#?}"
    );
    assert!(has(
        &rows,
        "spec",
        "list",
        "alipay.trade.query response",
        "fund_bill_list"
    ));
    // Rows are filed under a product of the method.
    let row = rows
        .iter()
        .find(|r| r.field == "close_reason" && r.against == "catalogue")
        .unwrap();
    assert!(row.products.contains(&row.home), "{row:?}");

    assert!(FailOn::parse(Some("added")).unwrap().check(&rows).is_err());
    assert!(FailOn::parse(Some("removed"))
        .unwrap()
        .check(&rows)
        .is_err());
    assert!(FailOn::parse(None).unwrap().check(&rows).is_ok());
    assert!(FailOn::parse(Some("sideways")).is_err());
}

#[test]
fn refresh_takes_the_wheel_and_keeps_what_it_lacks() {
    let cat = small_catalogue();
    let w = wheel::read(&fixture_wheel(&cat)).unwrap();
    let new = refresh(&cat, &w, "00");
    assert_eq!(new.problems(), Vec::<String>::new());
    // Nothing left to report against the refreshed catalogue.
    assert_eq!(compare(&w, &new, None), Vec::<Row>::new());

    let close = &new.models["AlipayTradeCloseModel"].fields;
    let field = |name: &str| close.iter().find(|f| f.name == name).unwrap();
    assert_eq!(field("close_reason").origin.as_deref(), Some(PYTHON_SDK));
    assert_eq!(field("close_reason").ty, FieldType::String);
    assert_eq!(field("operator_id").origin.as_deref(), Some(ORIGIN_KEPT));
    assert_eq!(
        field("out_trade_no").origin,
        None,
        "unchanged facts keep their source"
    );
    let query = &new.methods["alipay.trade.query"].response.fields;
    let fund = query.iter().find(|f| f.name == "fund_bill_list").unwrap();
    assert!(!fund.list && fund.ty == FieldType::Object, "{fund:?}");
    let buyer = query.iter().find(|f| f.name == "buyer_logon_id").unwrap();
    assert_eq!(buyer.reference.as_deref(), Some("ClosePlan"));
    assert_eq!(new.models["ClosePlan"].origin.as_deref(), Some(PYTHON_SDK));
    assert_eq!(
        new.methods["alipay.trade.cancel"].origin.as_deref(),
        Some(ORIGIN_KEPT)
    );
    assert_eq!(new.source.uncovered, ["alipay.trade.brandnew"]);
    assert_eq!(new.source.upstreams[PYTHON_SDK].version, "9.9.9");
    // Refreshing again with the same wheel changes nothing.
    assert_eq!(refresh(&new, &w, "00"), new);
}

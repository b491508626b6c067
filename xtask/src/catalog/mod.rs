//! `cargo xtask catalog build|refresh`: writes the facts-only catalogue kept in the
//! repository under `catalog/` (see `catalog/README.md` and `alipay_codegen::catalog`).
//!
//! This is the only place that names the maintainers' reference folder beside the
//! repository (`../shared/upstream/`), as the default input of `build`; nothing else in
//! the repository reads outside it.

pub mod build;
pub mod mine;

use std::fs;
use std::path::{Path, PathBuf};

use alipay_codegen::catalog::Catalog;

use crate::args::Args;

const USAGE: &str = "usage:
  cargo xtask catalog build [--from <alipay-v2-catalog.json.gz>] [--nav <seed-nav-resolved.json>] [--out <dir>] [--check]
      rebuild catalog/ from the official .NET SDK's catalogue and the resolved docs navigation
      (defaults: ../shared/upstream/ beside the repository or a folder above it); with --check, change nothing and
      fail if catalog/ differs from a rebuild
  cargo xtask catalog refresh [--wheel <file.whl>] [--catalog <dir>]
      update catalog/ from the newest official Python SDK (pip download alipay-sdk-python):
      fields it adds or reshapes are taken from it, what it lacks is kept and marked `kept`";

const BUILD_OPTIONS: [&str; 3] = ["--from", "--nav", "--out"];

/// The catalogue folder of the repository.
pub fn dir(root: &Path) -> PathBuf {
    root.join("catalog")
}

/// `cargo xtask catalog …`.
pub fn catalog_cmd(root: &Path, args: &[String]) -> Result<(), String> {
    match args.split_first() {
        Some((sub, rest)) if sub == "build" => {
            build_cmd(root, &Args::parse(rest, &["--check"], &BUILD_OPTIONS)?)
        }
        Some((sub, rest)) if sub == "refresh" => crate::drift::refresh_cmd(root, rest),
        _ => Err(USAGE.to_owned()),
    }
}

/// `../shared/upstream/<file>`, or the same beside a folder further up (a worktree).
fn upstream_default(root: &Path, file: &str) -> PathBuf {
    let beside = |dir: &Path| dir.join("shared/upstream").join(file);
    root.ancestors()
        .skip(1)
        .map(beside)
        .find(|p| p.is_file())
        .unwrap_or_else(|| root.join("../shared/upstream").join(file))
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>, String> {
    fs::read(path).map_err(|e| format!("{}: {e}; pass {what}", path.display()))
}

fn build_cmd(root: &Path, args: &Args) -> Result<(), String> {
    build_with(root, args, &build::ALSO)
}

fn build_with(root: &Path, args: &Args, also: &[(&str, &str)]) -> Result<(), String> {
    let from = args.path_or("--from", || {
        upstream_default(root, "alipay-v2-catalog.json.gz")
    });
    let nav = args.path_or("--nav", || upstream_default(root, "seed-nav-resolved.json"));
    let out = args.path_or("--out", || dir(root));
    let cat = build::build(
        &read(&from, "--from <alipay-v2-catalog.json.gz>")?,
        &read(&nav, "--nav <seed-nav-resolved.json>")?,
        also,
    )?;
    if args.flag("--check") {
        return check(&cat, &out);
    }
    cat.write(&out)
        .map_err(|e| format!("{}: {e}", out.display()))?;
    report(&cat, &out);
    Ok(())
}

/// Fails with the names of the files in `dir` that differ from `cat`'s rendering.
pub fn check(cat: &Catalog, dir: &Path) -> Result<(), String> {
    let stale: Vec<&str> = cat
        .render()
        .into_iter()
        .filter(|(file, text)| fs::read_to_string(dir.join(file)).ok().as_deref() != Some(text))
        .map(|(file, _)| file)
        .collect();
    if stale.is_empty() {
        eprintln!("{} is up to date", dir.display());
        Ok(())
    } else {
        Err(format!(
            "{} differs from a rebuild in: {}; run `cargo xtask catalog build` and commit the result",
            dir.display(),
            stale.join(", ")
        ))
    }
}

/// Prints what was written: files and sizes, counts.
pub fn report(cat: &Catalog, dir: &Path) {
    let mut total = 0;
    for (file, text) in cat.render() {
        total += text.len();
        eprintln!(
            "wrote {} ({} KB)",
            dir.join(file).display(),
            text.len() / 1024
        );
    }
    let c = &cat.source.counts;
    eprintln!(
        "{} methods, {} models, {} fields, {} navigation products; {} KB in all",
        c.methods,
        c.models,
        c.fields,
        c.nav_products,
        total / 1024
    );
    let hints: Vec<String> = c.hints.iter().map(|(k, n)| format!("{k} {n}")).collect();
    eprintln!("hints: {}", hints.join(", "));
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use serde_json::json;

    use super::*;

    fn field(name: &str, ty: &str, reference: Option<&str>, desc: &str) -> serde_json::Value {
        json!({"name": name, "prop": name, "cs_type": ty, "type": ty, "list": false,
               "ref": reference, "desc": desc})
    }

    /// A two-method upstream and its navigation, written as the real files are.
    fn fixture(dir: &Path) -> (PathBuf, PathBuf) {
        let method = |model: &str| {
            json!({"request_class": "R", "response_class": "S", "version": "1.0", "upload": false,
                   "need_encrypt_default": false, "biz_content": true, "biz_content_desc": "x",
                   "biz_model": model, "text_params": [], "file_params": [], "notify_url": true,
                   "return_url": true, "set_biz_model": true, "title_v3": "演示", "desc_v3": null,
                   "v3_route": null})
        };
        let upstream = json!({
            "source": {"repo": "alipay/alipay-sdk-net-all", "commit": "abc", "date": "2026-01-01",
                       "license": "Apache-2.0", "license_file": "v2/LICENSE", "paths": ["v2/*.cs"],
                       "generated_by": "test"},
            "common": {"response_fields": [field("code", "string", None, "错误码")],
                       "alipay_constants": {"APP_ID": "app_id"}},
            "methods": {"alipay.demo.page.pay": method("DemoModel"), "alipay.unlisted.query": method("Unused")},
            "models": {
                "DemoModel": {"fields": [
                    field("total_amount", "string", None, "订单总金额，单位为元，见 https://opendocs.alipay.com/apis/api_1/alipay.demo.page.pay"),
                    field("status", "string", None, "状态：INIT（初始）、DONE（完成）"),
                    field("node", "object", Some("Node"), "")]},
                "Node": {"fields": [field("name", "string", None, "最大长度为15个字符")]},
                "Unused": {"fields": []}},
            "responses": {
                "alipay.demo.page.pay": {"class": "S", "root_key": "alipay_demo_page_pay_response", "fields": []},
                "alipay.unlisted.query": {"class": "S", "root_key": "x", "fields": []}}
        });
        let nav = json!([
            {"line": 1, "family": "支付", "product": "支付 / 演示", "leaf": "演示支付", "kind": "method",
             "match": "exact", "methods": ["alipay.demo.page.pay"], "note": ""},
            {"line": 2, "family": "支付", "product": "支付 / 演示", "leaf": "演示通知", "kind": "notification",
             "match": "none", "methods": [], "note": ""},
            {"line": 3, "family": "支付", "product": "支付 / 演示", "leaf": "演示 SPI", "kind": "method",
             "match": "spi", "methods": [], "note": "called by Alipay"}
        ]);
        let gz = dir.join("alipay-v2-catalog.json.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(upstream.to_string().as_bytes()).unwrap();
        fs::write(&gz, enc.finish().unwrap()).unwrap();
        let nav_path = dir.join("seed-nav-resolved.json");
        fs::write(&nav_path, nav.to_string()).unwrap();
        (gz, nav_path)
    }

    /// `cargo xtask catalog build <args>` without the real `ALSO` methods, which the
    /// fixture does not have.
    fn run(root: &Path, args: &[&str]) -> Result<(), String> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let args = Args::parse(&args, &["--check"], &BUILD_OPTIONS)?;
        build_with(root, &args, &[])
    }

    #[test]
    fn build_twice_gives_the_same_bytes_and_check_catches_edits() {
        let tmp = std::env::temp_dir().join(format!("xtask-catalog-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp).unwrap();
        let (gz, nav) = fixture(&tmp);
        let (gz, nav) = (gz.to_str().unwrap(), nav.to_str().unwrap());
        let snapshot = |dir: &Path| -> Vec<Vec<u8>> {
            alipay_codegen::catalog::FILES
                .iter()
                .map(|f| fs::read(dir.join(f)).unwrap())
                .collect()
        };
        let build = |out: &Path, check: bool| {
            let out = out.to_str().unwrap();
            let args = ["--from", gz, "--nav", nav, "--out", out, "--check"];
            run(&tmp, &args[..if check { 7 } else { 6 }])
        };
        let (a, b) = (tmp.join("a"), tmp.join("b"));
        build(&a, false).unwrap();
        build(&b, false).unwrap();
        assert_eq!(snapshot(&a), snapshot(&b));
        build(&a, true).unwrap();

        let cat = alipay_codegen::catalog::load(&a).unwrap();
        assert_eq!(
            cat.methods.keys().collect::<Vec<_>>(),
            ["alipay.demo.page.pay"]
        );
        assert_eq!(cat.models.keys().collect::<Vec<_>>(), ["DemoModel", "Node"]);
        let m = &cat.methods["alipay.demo.page.pay"];
        assert_eq!(m.hints.kind.as_ref().unwrap().from, "name:page.pay");
        assert!(m.hints.docs_url.is_some());
        let p = &cat.nav["支付 / 演示"];
        assert_eq!(p.notifications, ["演示通知"]);
        assert_eq!(p.unmatched[0].leaf, "演示 SPI");
        let hints = &cat.source.counts.hints;
        for kind in ["amount", "enum_values", "max_length", "kind", "docs_url"] {
            assert_eq!(hints.get(kind), Some(&1), "{kind}: {hints:?}");
        }
        // No description reaches the catalogue.
        let text: String = snapshot(&a)
            .into_iter()
            .map(|b| String::from_utf8(b).unwrap())
            .collect();
        assert!(
            !text.contains("订单总金额") && !text.contains("初始"),
            "{text}"
        );

        fs::write(a.join("models.json"), "{}\n").unwrap();
        let err = build(&a, true).unwrap_err();
        assert!(err.contains("models.json"), "{err}");
        let _ = fs::remove_dir_all(&tmp);
    }
}

//! The importer on the committed catalogue: every method behind the docs navigation
//! becomes a skeleton that loads (with TODO summaries allowed) and generates, derived
//! facts carry `derived:` notes, and fields matching a shared definition become uses.

use std::fs;
use std::path::{Path, PathBuf};

use alipay_codegen::catalog;
use alipay_codegen::import::{skeletons, Existing};
use alipay_codegen::{generate_from, Options};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn copy(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap().flatten() {
        let dst = to.join(e.file_name());
        if e.path().is_dir() {
            copy(&e.path(), &dst);
        } else {
            fs::copy(e.path(), dst).unwrap();
        }
    }
}

#[test]
fn every_catalogue_method_imports_loads_and_generates() {
    let cat = catalog::load(&repo().join("catalog")).unwrap();
    let dir = std::env::temp_dir().join(format!("alipay-import-all-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    copy(&repo().join("spec"), &dir);
    let (raw, _) = alipay_codegen::load::load_raw(&dir);
    let existing = Existing::from_raw(&raw);
    let have: Vec<&str> = raw
        .methods
        .iter()
        .map(|m| m.value.method.as_str())
        .collect();
    let missing: Vec<String> = cat
        .methods
        .keys()
        .filter(|m| !have.contains(&m.as_str()))
        .cloned()
        .collect();
    assert!(
        missing.len() > 300,
        "the catalogue covers the whole docs navigation"
    );
    let (files, report) = skeletons(&cat, &existing, &missing, None).unwrap();
    for s in &files {
        let p = dir.join(&s.path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        if !p.exists() {
            fs::write(p, &s.text).unwrap();
        }
    }
    let out = generate_from(&dir, Options { allow_todo: true });
    let _ = fs::remove_dir_all(&dir);
    let out = out.unwrap_or_else(|e| panic!("the imported spec does not generate:\n{e}"));
    assert!(out.files.len() > 1000);
    assert_eq!(report.methods, missing.len());
    // The hints become typed fields and proposed facts.
    assert!(
        report.typed["amount"] > 100 && report.typed["datetime"] > 50,
        "{report:?}"
    );
    assert!(
        report.proposed["enum_values"] > 100 && report.proposed["kind"] > 5,
        "{report:?}"
    );
    assert!(report.shared_uses > 100, "{report:?}");
    // Without a summary a skeleton is rejected by the real loader.
    let trade_pay_like = files
        .iter()
        .find(|s| s.path.ends_with("alipay.trade.orderinfo.sync.yaml"))
        .unwrap();
    assert!(trade_pay_like.text.contains("summary: TODO"));
}

#[test]
fn derived_facts_are_marked_and_sourced() {
    let cat = catalog::load(&repo().join("catalog")).unwrap();
    let (raw, _) = alipay_codegen::load::load_raw(&repo().join("spec"));
    let existing = Existing::from_raw(&raw);
    let (files, _) = skeletons(
        &cat,
        &existing,
        &["alipay.user.agreement.page.sign".to_owned()],
        None,
    )
    .unwrap();
    let method = &files[0];
    assert_eq!(
        method.path,
        "methods/agreement/alipay.user.agreement.page.sign.yaml"
    );
    let text = &method.text;
    assert!(text.contains("kind: page"), "{text}");
    assert!(text.contains("derived:\n  common_params:"), "{text}");
    assert!(text.contains("  kind: \"catalog: "), "{text}");
    assert!(
        text.contains("common_params: [notify_url, return_url, app_auth_token]"),
        "{text}"
    );
    // A field the spec defines once is written as a use.
    let (files, _) = skeletons(
        &cat,
        &existing,
        &["alipay.trade.orderinfo.sync".to_owned()],
        None,
    )
    .unwrap();
    assert!(
        files[0].text.contains("- use: out_trade_no\n"),
        "{}",
        files[0].text
    );
    assert!(
        files[0].text.contains("- use: trade_no\n"),
        "{}",
        files[0].text
    );
}

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
    let method = files
        .iter()
        .find(|s| s.path.starts_with("methods/trade/"))
        .unwrap();
    assert!(method.text.contains("summary: TODO"));
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

/// A spec written by hand, in an unusual but valid layout (comments, a blank line inside a
/// list, a flow list), whose `alipay.trade.close` lacks fields the catalogue lists.
const UPDATE_GROUPS: &str = "families:\n  - name: trade\n    title: 统一收单\n    summary: Taking payments.\n    prefixes: [alipay.trade.]\n";
const UPDATE_FIELDS: &str = "fields:\n  - name: operator_id\n    type: string\n    summary: The merchant's operator code.\n";
const UPDATE_CLOSE: &str = "\
# Closing unpaid trades.
method: alipay.trade.close
title: 统一收单交易关闭接口
summary: Close a trade the buyer has not paid.
family: trade
kind: server
request:
  params:
    - name: out_trade_no   # the merchant's number
      type: string
      summary: The merchant order number.

    - name: extend_params
      type: CloseExtendParams
      summary: Extra options.
  # nothing else was checked yet
response:
  fields: []
";
const UPDATE_MODEL: &str = "\
name: CloseExtendParams
kind: object
summary: Extra options for closing a trade.
fields:
- name: legacy_flag
  type: string
  summary: A field the catalogue does not list; it stays.
";

fn field(json: serde_json::Value) -> catalog::Field {
    serde_json::from_value(json).unwrap()
}

/// The committed catalogue with `alipay.trade.close` as Alipay might list it later: new
/// request, response and model fields, and a field of a model the spec does not have.
fn newer_catalogue() -> catalog::Catalog {
    use serde_json::json;
    let mut cat = catalog::load(&repo().join("catalog")).unwrap();
    let close = cat.methods.get_mut("alipay.trade.close").unwrap();
    close.response.fields = vec![
        field(json!({"name": "trade_no", "type": "string"})),
        field(json!({"name": "out_trade_no", "type": "string"})),
        field(json!({"name": "close_time", "type": "datetime"})),
    ];
    let model = close.biz_model.clone().unwrap();
    cat.models.get_mut(&model).unwrap().fields = vec![
        field(json!({"name": "out_trade_no", "type": "string"})),
        field(json!({"name": "trade_no", "type": "string"})),
        field(json!({"name": "operator_id", "type": "string"})),
        field(json!({"name": "extend_params", "type": "object", "ref": "CloseExtendParams"})),
        field(json!({"name": "close_scene", "type": "object", "ref": "CloseSceneInfo"})),
    ];
    cat.models.get_mut("CloseExtendParams").unwrap().fields = vec![
        field(json!({"name": "is_fulfilled", "type": "string"})),
        field(json!({"name": "is_partial", "type": "bool"})),
    ];
    let scene = catalog::Model {
        fields: vec![field(json!({"name": "scene_code", "type": "string"}))],
        origin: None,
    };
    cat.models.insert("CloseSceneInfo".into(), scene);
    cat
}

/// Lines of `old` that `new` deleted or changed (everything else must be kept as is).
fn removed_lines(old: &str, new: &str) -> Vec<String> {
    let diff = similar::TextDiff::from_lines(old, new);
    diff.iter_all_changes()
        .filter(|c| c.tag() == similar::ChangeTag::Delete)
        .map(|c| c.value().to_owned())
        .collect()
}

#[test]
fn update_appends_missing_fields_and_keeps_every_existing_line() {
    use alipay_codegen::import::{update, ImportError};
    let dir = std::env::temp_dir().join(format!("alipay-import-update-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let spec = dir.join("spec");
    for (path, text) in [
        ("groups.yaml", UPDATE_GROUPS),
        ("fields/order.yaml", UPDATE_FIELDS),
        ("methods/trade/alipay.trade.close.yaml", UPDATE_CLOSE),
        ("models/CloseExtendParams.yaml", UPDATE_MODEL),
    ] {
        fs::create_dir_all(spec.join(path).parent().unwrap()).unwrap();
        fs::write(spec.join(path), text).unwrap();
    }
    let cat = newer_catalogue();
    let (raw, errors) = alipay_codegen::load::load_raw(&spec);
    assert!(errors.is_empty(), "{errors}");
    let up = update(&cat, &raw, "alipay.trade.close").unwrap();
    assert_eq!(
        up.added,
        [
            "methods/trade/alipay.trade.close.yaml: request param `trade_no`",
            "methods/trade/alipay.trade.close.yaml: request param `operator_id`",
            "methods/trade/alipay.trade.close.yaml: request param `close_scene`",
            "methods/trade/alipay.trade.close.yaml: response field `trade_no`",
            "methods/trade/alipay.trade.close.yaml: response field `out_trade_no`",
            "methods/trade/alipay.trade.close.yaml: response field `close_time`",
            "models/CloseExtendParams.yaml: field `is_fulfilled`",
            "models/CloseExtendParams.yaml: field `is_partial`",
            "models/CloseSceneInfo.yaml: new model file",
        ]
    );
    let text = |p: &str| &up.files.iter().find(|f| f.path == p).unwrap().text;
    let method = text("methods/trade/alipay.trade.close.yaml");
    // Every existing line is kept byte for byte, in order; only the empty flow list, which
    // cannot take items, becomes a block list.
    assert_eq!(removed_lines(UPDATE_CLOSE, method), ["  fields: []\n"]);
    assert!(
        method
            .contains("  fields:\n    - name: trade_no\n      type: string\n      summary: TODO\n"),
        "{method}"
    );
    assert!(
        method.contains("      summary: Extra options.\n    - name: trade_no\n      type: string\n      summary: TODO\n    - use: operator_id\n    - name: close_scene\n      type: CloseSceneInfo\n      summary: TODO\n  # nothing else"),
        "new params go after the last item, before the comment that closes the list:\n{method}"
    );
    assert!(
        method.contains("    - name: close_time\n      type: datetime\n"),
        "{method}"
    );
    let model = text("models/CloseExtendParams.yaml");
    assert!(removed_lines(UPDATE_MODEL, model).is_empty(), "{model}");
    assert!(model.ends_with("- name: is_fulfilled\n  type: string\n  summary: TODO\n- name: is_partial\n  type: boolean\n  summary: TODO\n"), "items follow the file's own indent:\n{model}");
    assert!(text("models/CloseSceneInfo.yaml").contains("- name: scene_code"));

    // The result loads (TODO summaries allowed until a person writes them), and a second
    // update finds nothing to add.
    for f in &up.files {
        fs::create_dir_all(spec.join(&f.path).parent().unwrap()).unwrap();
        fs::write(spec.join(&f.path), &f.text).unwrap();
    }
    alipay_codegen::ir::load(&spec, Options { allow_todo: true }).unwrap();
    let (raw, _) = alipay_codegen::load::load_raw(&spec);
    let again = update(&cat, &raw, "alipay.trade.close").unwrap();
    assert!(
        again.added.is_empty() && again.files.is_empty(),
        "{again:?}"
    );

    assert_eq!(
        update(&cat, &raw, "alipay.trade.query"),
        Err(ImportError::NotInSpec("alipay.trade.query".into()))
    );
    let _ = fs::remove_dir_all(&dir);
}

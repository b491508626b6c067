//! Broken specs are rejected with `path:line: message`, every problem at once.

use std::fs;
use std::path::PathBuf;

use alipay_codegen::{ir, Options};
use expect_test::{expect, Expect};

const GROUPS: &str =
    "families:\n  - name: pay\n    title: 支付\n    summary: Payments and refunds.\n";

const GOOD_METHOD: &str = "\
method: demo.pay.query
title: 查询
summary: Looks an order up.
family: pay
kind: server
request:
  params:
    - name: out_trade_no
      type: string
      summary: Order number.
";

const GOOD_MODEL: &str = "\
name: Line
kind: object
summary: A line.
fields:
  - name: sku
    type: string
    summary: Stock unit.
";

/// A spec folder in the system temp dir, removed on drop.
struct Spec(PathBuf);

impl Spec {
    fn new(name: &str, files: &[(&str, &str)]) -> Spec {
        let dir =
            std::env::temp_dir().join(format!("alipay-codegen-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let root = dir.join("spec");
        for (path, text) in files {
            let p = root.join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        Spec(dir)
    }

    fn errors(&self) -> String {
        match ir::load(&self.0.join("spec"), Options::default()) {
            Ok(_) => "no errors".to_owned(),
            Err(e) => e.to_string(),
        }
    }
}

impl Drop for Spec {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn check(name: &str, files: &[(&str, &str)], want: Expect) {
    let mut all = vec![("groups.yaml", GROUPS)];
    all.extend_from_slice(files);
    let spec = Spec::new(name, &all);
    want.assert_eq(&spec.errors());
}

#[test]
fn valid_spec_loads() {
    check(
        "valid",
        &[
            ("methods/pay/demo.pay.query.yaml", GOOD_METHOD),
            ("models/Line.yaml", GOOD_MODEL),
        ],
        expect!["no errors"],
    );
}

#[test]
fn unknown_key() {
    let text = GOOD_METHOD.replace(
        "summary: Order number.",
        "summary: Order number.\n      max_lenght: 64",
    );
    check(
        "unknown-key",
        &[("methods/pay/demo.pay.query.yaml", &text)],
        expect!["spec/methods/pay/demo.pay.query.yaml:11: request.params[0]: unknown field `max_lenght`, expected one of `use`, `id`, `name`, `type`, `summary`, `description`, `required`, `in`, `max_length`, `min_length`, `range`, `max_items`, `default`, `fixed`, `clearable`, `pattern`, `max_bytes`, `values`, `closed`, `deprecated`, `example`, `rust_name`, `source`, `sources`, `derived`"],
    );
}

#[test]
fn dangling_type_reference() {
    let text = GOOD_METHOD.replace("type: string", "type: list<NoSuchModel>");
    check(
        "dangling",
        &[("methods/pay/demo.pay.query.yaml", &text)],
        expect!["spec/methods/pay/demo.pay.query.yaml:9: unknown type `NoSuchModel`: add spec/models/NoSuchModel.yaml or fix the name"],
    );
}

#[test]
fn duplicate_field_name() {
    let text = format!(
        "{GOOD_METHOD}    - name: out_trade_no\n      type: string\n      summary: The same name again.\n"
    );
    check(
        "duplicate",
        &[("methods/pay/demo.pay.query.yaml", &text)],
        expect!["spec/methods/pay/demo.pay.query.yaml:11: duplicate field `out_trade_no`: names must be unique"],
    );
}

#[test]
fn one_of_naming_an_unknown_field() {
    let text = format!("{GOOD_METHOD}  one_of:\n    - fields: [out_trade_no, trade_no]\n      rule: at_least_one\n");
    check(
        "one-of",
        &[("methods/pay/demo.pay.query.yaml", &text)],
        expect![[r#"
            spec/methods/pay/demo.pay.query.yaml:12: `one_of out_trade_no|trade_no`: `rule` has no source: add `source:` (or `sources: {rule: ...}`) naming the docs page, `catalog`, an official SDK or `inferred: <reason>`
            spec/methods/pay/demo.pay.query.yaml:12: one_of names `trade_no`, which is not a field here"#]],
    );
}

#[test]
fn file_name_and_folder_must_match() {
    check(
        "names",
        &[
            ("methods/pay/demo.pay.other.yaml", GOOD_METHOD),
            (
                "methods/refund/demo.pay.close.yaml",
                &GOOD_METHOD.replace("demo.pay.query", "demo.pay.close"),
            ),
            ("models/Lines.yaml", GOOD_MODEL),
        ],
        expect![[r#"
            spec/methods/pay/demo.pay.other.yaml:1: file name does not match its content: expected `demo.pay.query.yaml`
            spec/methods/refund/demo.pay.close.yaml:4: method of family `pay` is in folder `refund`: move it to spec/methods/pay/
            spec/models/Lines.yaml:1: file name does not match its content: expected `Line.yaml`"#]],
    );
}

#[test]
fn yaml_syntax_error() {
    let text = GOOD_METHOD.replace("title: 查询", "title: \"查询");
    check(
        "syntax",
        &[("methods/pay/demo.pay.query.yaml", &text)],
        expect!["spec/methods/pay/demo.pay.query.yaml:11: found unexpected end of stream"],
    );
}

#[test]
fn semantic_errors_are_all_reported() {
    let text = GOOD_METHOD.replace("family: pay", "family: nope")
        + "    - name: mode\n      type: string\n      summary: The mode field.\n      default: A\n      fixed: B\n"
        + "    - name: image\n      type: string\n      summary: The image field.\n      in: file\n"
        + "    - name: when\n      type: list<datetime\n      summary: The when field.\n"
        + "    - name: note\n      type: string\n      summary: TODO\n"
        + "    - name: n\n      type: integer\n      summary: The count field.\n      range: { min: 5, max: 1 }\n      max_length: 3\n";
    let model = GOOD_MODEL.replace(
        "kind: object",
        "kind: object\none_of:\n  - fields: [sku]\n    rule: exactly_one",
    );
    check(
        "semantic",
        &[
            ("methods/nope/demo.pay.query.yaml", &text),
            ("models/Line.yaml", &model),
        ],
        expect![[r#"
            spec/methods/nope/demo.pay.query.yaml:4: unknown family `nope`: declare it under `families` in spec/groups.yaml
            spec/methods/nope/demo.pay.query.yaml:5: file params need `kind: upload`, and an upload needs at least one `in: file` param
            spec/methods/nope/demo.pay.query.yaml:11: `mode`: `default` has no source: add `source:` (or `sources: {default: ...}`) naming the docs page, `catalog`, an official SDK or `inferred: <reason>`
            spec/methods/nope/demo.pay.query.yaml:11: `mode`: `fixed` has no source: add `source:` (or `sources: {fixed: ...}`) naming the docs page, `catalog`, an official SDK or `inferred: <reason>`
            spec/methods/nope/demo.pay.query.yaml:15: field `mode` has both `default` and `fixed`: keep one
            spec/methods/nope/demo.pay.query.yaml:19: field `image`: type `file` and `in: file` go together
            spec/methods/nope/demo.pay.query.yaml:21: bad type expression `list<datetime`: use string, integer, boolean, amount, datetime, date, file, a model name, list<T> or json<T>
            spec/methods/nope/demo.pay.query.yaml:25: `summary` is still a TODO placeholder: write it in your own words
            spec/methods/nope/demo.pay.query.yaml:26: `n`: `max_length` has no source: add `source:` (or `sources: {max_length: ...}`) naming the docs page, `catalog`, an official SDK or `inferred: <reason>`
            spec/methods/nope/demo.pay.query.yaml:26: `n`: `range` has no source: add `source:` (or `sources: {range: ...}`) naming the docs page, `catalog`, an official SDK or `inferred: <reason>`
            spec/methods/nope/demo.pay.query.yaml:29: field `n`: range min is greater than max
            spec/methods/nope/demo.pay.query.yaml:30: field `n`: `max_length` applies to strings and enums (or lists of them), not `integer`
            spec/models/Line.yaml:4: `one_of sku`: `rule` has no source: add `source:` (or `sources: {rule: ...}`) naming the docs page, `catalog`, an official SDK or `inferred: <reason>`
            spec/models/Line.yaml:4: a one_of group needs at least two fields"#]],
    );
}

#[test]
fn broken_model_does_not_cascade_into_unknown_type_errors() {
    let text = GOOD_METHOD.replace("type: string", "type: Line");
    let model = GOOD_MODEL.replace("kind: object", "kind: objekt");
    check(
        "cascade",
        &[
            ("methods/pay/demo.pay.query.yaml", &text),
            ("models/Line.yaml", &model),
        ],
        expect![
            "spec/models/Line.yaml:2: kind: unknown variant `objekt`, expected `object` or `enum`"
        ],
    );
}

#[test]
fn todo_placeholders_are_allowed_on_request() {
    let text = GOOD_METHOD.replace("summary: Looks an order up.", "summary: TODO");
    let spec = Spec::new(
        "todo",
        &[
            ("groups.yaml", GROUPS),
            ("methods/pay/demo.pay.query.yaml", &text),
        ],
    );
    assert!(spec
        .errors()
        .contains("`summary` is still a TODO placeholder"));
    let ok = ir::load(&spec.0.join("spec"), Options { allow_todo: true });
    assert!(ok.is_ok());
}

/// Truncating or corrupting any fixture file at many points yields errors, never a
/// panic (and whatever still loads also generates).
#[test]
fn mangled_specs_never_panic() {
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
    let mut files = Vec::new();
    for dir in [
        "",
        "fields",
        "methods/pay",
        "methods/media",
        "models",
        "notifications",
    ] {
        for e in fs::read_dir(base.join(dir)).unwrap().flatten() {
            if e.path().is_file() {
                let rel = if dir.is_empty() {
                    e.file_name().to_string_lossy().into_owned()
                } else {
                    format!("{dir}/{}", e.file_name().to_string_lossy())
                };
                files.push((rel, fs::read_to_string(e.path()).unwrap()));
            }
        }
    }
    files.sort();
    let spec = Spec::new("mangled", &[]);
    let root = spec.0.join("spec");
    let write_all = |skip: &str, replacement: &str| {
        let _ = fs::remove_dir_all(&root);
        for (rel, text) in &files {
            let p = root.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(
                p,
                if rel == skip {
                    replacement
                } else {
                    text.as_str()
                },
            )
            .unwrap();
        }
    };
    let mut loaded = 0;
    for (rel, text) in &files {
        let cuts: Vec<usize> = (0..text.len())
            .step_by(41)
            .filter(|i| text.is_char_boundary(*i))
            .collect();
        for (n, cut) in cuts.into_iter().enumerate() {
            // Truncation, and the same point with a stray character spliced in.
            for variant in [
                text[..cut].to_owned(),
                format!("{}:{}", &text[..cut], &text[cut..]),
            ] {
                write_all(rel, &variant);
                if let Ok(ir) = ir::load(&root, Options::default()) {
                    loaded += 1;
                    if n % 16 == 0 {
                        alipay_codegen::emit::emit(&ir).expect("a loaded spec always emits");
                    }
                }
            }
        }
    }
    assert!(
        loaded > 0,
        "some truncations end on a line boundary and still load"
    );
}

#[test]
fn every_constraint_needs_a_source() {
    let text = GOOD_METHOD.replace(
        "summary: Order number.",
        "summary: Order number.\n      max_length: 64\n      required: true\n      sources:\n        required: docs:alipay.trade.pay#请求参数",
    ) + "  one_of:\n    - fields: [out_trade_no, trade_no]\n      rule: at_least_one\n    - fields: [out_trade_no, trade_no]\n      rule: exactly_one\n      source: the docs say so\n"
        + "  required_when:\n    - field: trade_no\n      when: out_trade_no\n      source: docs\n";
    let text = text.replace(
        "request:\n  params:\n",
        "request:\n  params:\n    - name: trade_no\n      type: string\n      summary: Alipay's number.\n",
    );
    check(
        "sources",
        &[("methods/pay/demo.pay.query.yaml", &text)],
        expect![[r#"
            spec/methods/pay/demo.pay.query.yaml:11: `out_trade_no`: `max_length` has no source: add `source:` (or `sources: {max_length: ...}`) naming the docs page, `catalog`, an official SDK or `inferred: <reason>`
            spec/methods/pay/demo.pay.query.yaml:19: `one_of out_trade_no|trade_no`: `rule` has no source: add `source:` (or `sources: {rule: ...}`) naming the docs page, `catalog`, an official SDK or `inferred: <reason>`
            spec/methods/pay/demo.pay.query.yaml:19: bad source `the docs say so`: use docs[#section], docs:<method or URL>[#section], seed:<NNN>[#section], catalog[: note], sdk:<name> <where> or inferred: <reason>
            spec/methods/pay/demo.pay.query.yaml:25: bad source `docs`: this file has no `docs:` page of its own to cite: name the page, e.g. `docs:alipay.trade.pay#请求参数`"#]],
    );
}

#[test]
fn placeholder_summaries_are_rejected() {
    let text = GOOD_METHOD
        .replace("summary: Order number.", "summary: ...")
        .replace("summary: Looks an order up.", "summary: \"\"");
    let model = GOOD_MODEL.replace("summary: Stock unit.", "summary: sku");
    check(
        "placeholders",
        &[
            ("methods/pay/demo.pay.query.yaml", &text),
            ("models/Line.yaml", &model),
        ],
        expect![[r#"
            spec/methods/pay/demo.pay.query.yaml:3: `summary` is a placeholder (empty, `...`, or under two words): say what it is in your own words
            spec/methods/pay/demo.pay.query.yaml:10: `summary` is a placeholder (empty, `...`, or under two words): say what it is in your own words
            spec/models/Line.yaml:7: `summary` is a placeholder (empty, `...`, or under two words): say what it is in your own words"#]],
    );
}

#[test]
fn shared_definitions_and_their_uses() {
    let fields = "fields:\n  - name: out_trade_no\n    type: string\n    summary: The merchant's order number.\n    max_length: 64\n    source: docs:demo.pay.query#请求参数\n  - name: amount\n    type: amount\n    summary: An amount in yuan.\n    required: true\n";
    let method = "method: demo.pay.query\ntitle: 查询\nsummary: Looks an order up.\nfamily: pay\nkind: server\nrequest:\n  params:\n    - use: out_trade_no\n      min_length: 3\n    - use: out_trade_no\n      rust_name: again\n    - use: no_such_field\n    - use: out_trade_no\n      type: integer\n";
    check(
        "shared",
        &[
            ("fields/orders.yaml", fields),
            ("methods/pay/demo.pay.query.yaml", method),
        ],
        expect![[r#"
            spec/fields/orders.yaml:7: `amount`: `required` has no source: add `source:` (or `sources: {required: ...}`) naming the docs page, `catalog`, an official SDK or `inferred: <reason>`
            spec/methods/pay/demo.pay.query.yaml:8: `out_trade_no`: `min_length` has no source: add `source:` (or `sources: {min_length: ...}`) naming the docs page, `catalog`, an official SDK or `inferred: <reason>`
            spec/methods/pay/demo.pay.query.yaml:8: a use cannot override `type`: define a separate shared field instead
            spec/methods/pay/demo.pay.query.yaml:10: duplicate field `out_trade_no`: names must be unique
            spec/methods/pay/demo.pay.query.yaml:12: `use: no_such_field` names no shared definition: add it under spec/fields/ or fix the id"#]],
    );
}

#[test]
fn enum_values_closed_and_conditional_rules() {
    let kind = "name: Kind\nkind: enum\nsummary: What kind of thing.\nclosed: true\nvalues:\n  - value: A\n    summary: First kind.\n";
    let text = GOOD_METHOD.replace(
        "summary: Order number.",
        "summary: Order number.\n    - name: kind\n      type: Kind\n      summary: Kind of order.\n      values: [A, B]\n      source: docs:demo.pay.query#请求参数\n    - name: note\n      type: string\n      summary: A free note.\n      pattern: \"([\"\n      source: \"inferred: a made-up format\"",
    ) + "  required_when:\n    - field: note\n      when: kind\n      equals: [Z]\n      source: \"seed:000#附录\"\n";
    check(
        "enums",
        &[
            ("methods/pay/demo.pay.query.yaml", &text),
            ("models/Kind.yaml", kind),
        ],
        expect![[r#"
            spec/methods/pay/demo.pay.query.yaml:14: field `kind`: `B` is not a value of enum `Kind`: add it there first
            spec/methods/pay/demo.pay.query.yaml:19: field `note`: `([` is not a regular expression: found unclosed character class
            spec/methods/pay/demo.pay.query.yaml:22: `Z` is not a value of `kind`
            spec/models/Kind.yaml:4: `Kind`: `closed` has no source: add `source:` (or `sources: {closed: ...}`) naming the docs page, `catalog`, an official SDK or `inferred: <reason>`"#]],
    );
}

#[test]
fn deeply_nested_or_huge_files_are_refused_quickly() {
    let deep = format!("method: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let huge = format!(
        "method: demo.pay.query\ndescription: \"{}\"\n",
        "x".repeat(2 << 20)
    );
    let spec = Spec::new(
        "limits",
        &[
            ("groups.yaml", GROUPS),
            ("methods/pay/demo.pay.query.yaml", &deep),
            ("methods/pay/demo.pay.big.yaml", &huge),
        ],
    );
    let errors = spec.errors();
    assert!(
        errors.contains("demo.pay.query.yaml: nesting deeper than 64 levels"),
        "{errors}"
    );
    assert!(
        errors.contains("demo.pay.big.yaml: file is 2097"),
        "{errors}"
    );
}

#[test]
fn final_states_model_families_and_json_delivery() {
    let done = "name: Done\nkind: enum\nsummary: Whether it is done.\nfamily: nope\nvalues:\n  - value: Y\n    summary: It is done.\n    final: true\n";
    let spare = "name: Spare\nkind: enum\nsummary: A spare list.\nfinal_source: \"inferred: no reason\"\nvalues:\n  - value: A\n    summary: First value.\n";
    let object = GOOD_MODEL.replace(
        "kind: object\n",
        "kind: object\nfinal_source: \"inferred: no reason\"\n",
    );
    let note = |tags: &str| {
        format!("name: Scanned\ntitle: 扫描\nsummary: A partner's callback.\nfamily: pay\ndelivery: json\n{tags}fields: []\n")
    };
    let (without, both) = (note(""), note("action: X\nnotify_type: y\n"));
    check(
        "finals",
        &[
            ("models/Done.yaml", done),
            ("models/Spare.yaml", spare),
            ("models/Line.yaml", &object),
            ("notifications/Scanned.yaml", &without),
            (
                "notifications/Other.yaml",
                &both.replace("Scanned", "Other"),
            ),
        ],
        expect![[r#"
            spec/models/Done.yaml:4: unknown family `nope`: declare it under `families` in spec/groups.yaml
            spec/models/Done.yaml:5: values marked `final: true` need `final_source:` saying where the end states come from
            spec/models/Line.yaml:3: an object model has `fields`, not `final_source`
            spec/models/Spare.yaml:4: `final_source` without a value marked `final: true`
            spec/notifications/Other.yaml:5: `delivery: json` needs `action` and none of the other delivery tags
            spec/notifications/Scanned.yaml:5: `delivery: json` needs `action` and none of the other delivery tags"#]],
    );
}

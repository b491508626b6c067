//! Broken specs are rejected with `path:line: message`, every problem at once.

use std::fs;
use std::path::PathBuf;

use alipay_codegen::{ir, Options};
use expect_test::{expect, Expect};

const GROUPS: &str = "groups:\n  - name: pay\n    title: 支付\n    summary: Payments.\n";

const GOOD_METHOD: &str = "\
method: demo.pay.query
title: 查询
summary: Looks an order up.
group: pay
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
        expect!["spec/methods/pay/demo.pay.query.yaml:11: request.params[0]: unknown field `max_lenght`, expected one of `name`, `type`, `summary`, `description`, `required`, `in`, `max_length`, `min_length`, `range`, `max_items`, `default`, `fixed`, `clearable`, `deprecated`, `example`, `rust_name`"],
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
        "{GOOD_METHOD}    - name: out_trade_no\n      type: string\n      summary: Again.\n"
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
        expect!["spec/methods/pay/demo.pay.query.yaml:12: one_of names `trade_no`, which is not a field here"],
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
            spec/methods/refund/demo.pay.close.yaml:4: method of group `pay` is in folder `refund`: move it to spec/methods/pay/
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
    let text = GOOD_METHOD.replace("group: pay", "group: nope")
        + "    - name: mode\n      type: string\n      summary: Mode.\n      default: A\n      fixed: B\n"
        + "    - name: image\n      type: string\n      summary: Image.\n      in: file\n"
        + "    - name: when\n      type: list<datetime\n      summary: When.\n"
        + "    - name: note\n      type: string\n      summary: TODO\n"
        + "    - name: n\n      type: integer\n      summary: Count.\n      range: { min: 5, max: 1 }\n      max_length: 3\n";
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
            spec/methods/nope/demo.pay.query.yaml:4: unknown group `nope`: declare it in spec/groups.yaml
            spec/methods/nope/demo.pay.query.yaml:5: file params need `kind: upload`, and an upload needs at least one `in: file` param
            spec/methods/nope/demo.pay.query.yaml:15: field `mode` has both `default` and `fixed`: keep one
            spec/methods/nope/demo.pay.query.yaml:19: field `image`: type `file` and `in: file` go together
            spec/methods/nope/demo.pay.query.yaml:21: bad type expression `list<datetime`: use string, integer, boolean, amount, datetime, date, file, a model name, list<T> or json<T>
            spec/methods/nope/demo.pay.query.yaml:25: `summary` is still a TODO placeholder: write it in your own words
            spec/methods/nope/demo.pay.query.yaml:29: field `n`: range min is greater than max
            spec/methods/nope/demo.pay.query.yaml:30: field `n`: lengths apply to strings and enums (or lists of them), not `integer`
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

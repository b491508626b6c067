//! `alipay_codegen::diff` on fixture spec revisions: a small base spec, one edit per kind
//! of change, and the exact classification each edit must get (impact, kind, Rust item).
//! Nothing else may be reported for an edit, so a check that fires twice or on the wrong
//! item fails too.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use alipay_codegen::diff::{self, bump_needed, Change, Impact, Review, Revision};
use alipay_codegen::{ir, Ir, Options};

use Impact::{Additive, Breaking, Docs, Source};

const GROUPS: &str = "\
families:
  - name: pay
    title: 支付
    summary: Payments and refunds.
  - name: media
    title: 素材
    summary: Uploads of pictures.
products:
  - name: quick_pay
    title: 快捷支付
    nav: 支付 / 快捷支付
    methods: [demo.pay.create]
";

const CREATE: &str = "\
method: demo.pay.create
docs: https://example.com/docs/demo.pay.create
title: 创建订单
summary: Creates an order.
family: pay
kind: server
common_params: [notify_url]
success_codes: [\"10003\"]
source: docs
request:
  params:
    - name: out_trade_no
      type: string
      summary: The merchant order number.
      max_length: 64
      source: docs#请求参数
    - name: trade_no
      type: string
      summary: Alipay's trade number.
      min_length: 16
      source: docs#请求参数
    - name: total_amount
      type: amount
      summary: Order total in yuan.
      required: true
      range: { min: \"0.01\", max: \"100000000\" }
      source: docs#请求参数
    - name: channel
      type: Channel
      summary: Which channel pays.
    - name: product_code
      type: string
      summary: The product the merchant signed.
      default: FAST_PAY
      source: docs#请求参数
    - name: items
      type: list<Item>
      summary: The goods bought.
      max_items: 10
      source: docs#请求参数
    - name: pay_mode
      type: string
      summary: How the buyer pays.
    - name: mode_detail
      type: string
      summary: Details of the pay mode.
  one_of:
    - fields: [out_trade_no, trade_no]
      rule: at_least_one
      source: docs#请求参数
  required_when:
    - field: mode_detail
      when: pay_mode
      equals: [CARD]
      source: docs#请求参数
response:
  fields:
    - name: trade_no
      type: string
      summary: Alipay's trade number.
      max_length: 64
      source: docs#响应参数
    - name: channel
      type: Channel
      summary: The channel that paid.
";

const QUERY: &str = "\
method: demo.pay.query
docs: https://example.com/docs/demo.pay.query
title: 查询订单
summary: Looks an order up.
family: pay
kind: server
request:
  params:
    - name: out_trade_no
      type: string
      summary: The merchant order number.
response:
  fields:
    - name: trade_status
      type: string
      summary: Where the trade is.
";

const UPLOAD: &str = "\
method: demo.media.upload
docs: https://example.com/docs/demo.media.upload
title: 上传图片
summary: Uploads an image.
family: media
kind: upload
request:
  params:
    - name: image_content
      type: file
      summary: The image bytes.
      in: file
      max_bytes: 5242880
      source: docs#请求参数
response:
  fields:
    - name: image_id
      type: string
      summary: Id of the stored image.
";

const CHANNEL: &str = "\
name: Channel
kind: enum
summary: A payment channel.
source: docs:demo.pay.create#请求参数
values:
  - value: BALANCE
    summary: The Alipay balance.
  - value: CARD
    summary: A bank card.
  - value: CREDIT
    summary: Credit the buyer repays later.
";

const ITEM: &str = "\
name: Item
kind: object
summary: One line of goods.
fields:
  - name: sku
    type: string
    summary: The stock unit code.
    max_length: 32
    source: docs:demo.pay.create#请求参数
  - name: quantity
    type: integer
    summary: How many units.
    range: { min: 1 }
    source: docs:demo.pay.create#请求参数
    derived:
      range: \"catalog: 必须为正整数\"
";

const PAY_DONE: &str = "\
name: PayDone
title: 支付完成通知
summary: Pushed when an order is paid.
docs: https://example.com/docs/pay-done
family: pay
delivery: form
notify_type: demo_pay_done
source: docs
fields:
  - name: trade_no
    type: string
    summary: Alipay's trade number.
";

type Files = BTreeMap<String, String>;

fn base() -> Files {
    [
        ("groups.yaml", GROUPS),
        ("methods/pay/demo.pay.create.yaml", CREATE),
        ("methods/pay/demo.pay.query.yaml", QUERY),
        ("methods/media/demo.media.upload.yaml", UPLOAD),
        ("models/Channel.yaml", CHANNEL),
        ("models/Item.yaml", ITEM),
        ("notifications/PayDone.yaml", PAY_DONE),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Writes `files` as a spec folder and loads it; a fixture that does not load is a bug
/// in the test.
fn load(name: &str, files: &Files) -> Ir {
    let dir = std::env::temp_dir().join(format!("alipay-diff-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let spec: PathBuf = dir.join("spec");
    for (path, text) in files {
        let p = spec.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
    let ir = ir::load(&spec, Options::default());
    let _ = fs::remove_dir_all(&dir);
    ir.unwrap_or_else(|e| panic!("fixture `{name}` does not load:\n{e}"))
}

/// One edit: in `path`, replace the only occurrence of `from` by `to` (a missing `from`
/// creates the file with `to`; an empty `to` with `from` "*" deletes the file).
type Edit<'a> = (&'a str, &'a str, &'a str);

fn apply(name: &str, files: &mut Files, edits: &[Edit]) {
    for (path, from, to) in edits {
        match (files.get_mut(*path), *from) {
            (Some(_), "*") => {
                files.remove(*path);
            }
            (Some(text), from) => {
                assert_eq!(text.matches(from).count(), 1, "{name}: `{from}` in {path}");
                *text = text.replacen(from, to, 1);
            }
            (None, _) => {
                files.insert((*path).to_owned(), (*to).to_owned());
            }
        }
    }
}

/// The changes from the base spec to the base with `edits` applied.
fn changes(name: &str, edits: &[Edit]) -> Vec<Change> {
    let mut after = base();
    apply(name, &mut after, edits);
    diff::diff(&load(&format!("{name}-base"), &base()), &load(name, &after))
}

type Expected = (Impact, &'static str, &'static str);

fn check(name: &str, edits: &[Edit], expected: &[Expected]) {
    let got = changes(name, edits);
    let short: Vec<(Impact, &str, &str)> = got
        .iter()
        .map(|c| (c.impact, c.kind, c.rust.as_str()))
        .collect();
    let mut want: Vec<(Impact, &str, &str)> = expected.to_vec();
    let mut have = short.clone();
    want.sort();
    have.sort();
    assert_eq!(have, want, "{name}: got {got:#?}");
}

const C: &str = "methods/pay/demo.pay.create.yaml";
const P: &str = "alipay_api::pay::DemoPayCreate";

#[test]
fn identical_specs_have_no_changes() {
    check("identical", &[], &[]);
}

#[test]
fn a_field_that_becomes_required_is_breaking() {
    check(
        "required",
        &[(
            C,
            "summary: How the buyer pays.\n",
            "summary: How the buyer pays.\n      required: true\n      source: docs#请求参数\n",
        )],
        &[(
            Breaking,
            "field required",
            "alipay_api::pay::DemoPayCreate::pay_mode",
        )],
    );
    check(
        "optional",
        &[(C, "      required: true\n      range", "      range")],
        &[(
            Additive,
            "field optional",
            "alipay_api::pay::DemoPayCreate::total_amount",
        )],
    );
}

#[test]
fn rules_added_or_tightened_are_breaking_and_relaxed_ones_additive() {
    let when =
        "  required_when:\n    - field: mode_detail\n      when: pay_mode\n      equals: [CARD]\n";
    check(
        "required-when-added",
        &[(
            C,
            when,
            &format!(
                "{when}      source: docs#请求参数\n    - field: pay_mode\n      when: channel\n"
            ),
        )],
        &[(Breaking, "required_when added", P)],
    );
    check(
        "required-when-wider-trigger",
        &[(C, "equals: [CARD]", "equals: [CARD, BANK]")],
        &[(Breaking, "required_when changed", P)],
    );
    check(
        "required-when-any-value",
        &[(C, "      equals: [CARD]\n", "")],
        &[(Breaking, "required_when changed", P)],
    );
    check(
        "required-when-removed",
        &[(C, &format!("{when}      source: docs#请求参数\n"), "")],
        &[(Additive, "required_when removed", P)],
    );
    check(
        "one-of-exactly",
        &[(C, "rule: at_least_one", "rule: exactly_one")],
        &[(Breaking, "one_of changed", P)],
    );
    check(
        "one-of-more-fields",
        &[(
            C,
            "fields: [out_trade_no, trade_no]",
            "fields: [out_trade_no, trade_no, pay_mode]",
        )],
        &[(Additive, "one_of changed", P)],
    );
    check(
        "one-of-added",
        &[(C, "  required_when:", "    - fields: [pay_mode, channel]\n      rule: exactly_one\n      source: docs#请求参数\n  required_when:")],
        &[(Breaking, "one_of added", P)],
    );
    check(
        "one-of-removed",
        &[(C, "    - fields: [out_trade_no, trade_no]\n      rule: at_least_one\n      source: docs#请求参数\n", "")],
        &[(Additive, "one_of removed", P)],
    );
}

/// The changes between the base with `before` edits and the base with `after` edits.
fn check_between(name: &str, before: &[Edit], after: &[Edit], expected: &[Expected]) {
    let (mut b, mut a) = (base(), base());
    apply(name, &mut b, before);
    apply(name, &mut a, after);
    let got = diff::diff(&load(&format!("{name}-before"), &b), &load(name, &a));
    let mut have: Vec<(Impact, &str, &str)> = got
        .iter()
        .map(|c| (c.impact, c.kind, c.rust.as_str()))
        .collect();
    let mut want = expected.to_vec();
    have.sort();
    want.sort();
    assert_eq!(have, want, "{name}: got {got:#?}");
}

#[test]
fn rules_rewritten_to_accept_more_are_judged_together() {
    let when = "  required_when:\n    - field: mode_detail\n      when: pay_mode\n      equals: [CARD]\n      source: docs#请求参数\n";
    // Before: `out_trade_no` or `trade_no`, and `trade_no` with `pay_mode` only together
    // (as alipay.trade.order.settle.query was specced).
    let pair = "  required_when:\n    - field: pay_mode\n      when: trade_no\n      source: docs#请求参数\n    - field: trade_no\n      when: pay_mode\n      source: docs#请求参数\n";
    // After: `out_trade_no` alone, or `trade_no` with `pay_mode`: the pair's rejections of
    // `out_trade_no` + `pay_mode` are gone, nothing accepted before is refused.
    let groups = "    - fields: [out_trade_no, pay_mode]\n      rule: at_least_one\n      source: docs#请求参数\n";
    check_between(
        "rules-rewritten-wider",
        &[(C, when, pair)],
        &[(C, when, groups)],
        &[
            (Additive, "one_of added", P),
            (Additive, "required_when removed", P),
            (Additive, "required_when removed", P),
        ],
    );
    let msg = {
        let (mut b, mut a) = (base(), base());
        apply("msg", &mut b, &[(C, when, pair)]);
        apply("msg", &mut a, &[(C, when, groups)]);
        diff::diff(&load("msg-before", &b), &load("msg", &a))
            .into_iter()
            .find(|c| c.kind == "one_of added")
            .unwrap()
            .message
    };
    assert!(msg.contains("still accepts every request it did"), "{msg}");
    // A rewrite that refuses `out_trade_no` alone, accepted before, stays breaking.
    let narrower = "    - fields: [trade_no, pay_mode]\n      rule: at_least_one\n      source: docs#请求参数\n";
    check_between(
        "rules-rewritten-narrower",
        &[(C, when, pair)],
        &[(C, when, narrower)],
        &[
            (Breaking, "one_of added", P),
            (Additive, "required_when removed", P),
            (Additive, "required_when removed", P),
        ],
    );
}

#[test]
fn an_enum_that_narrows_is_breaking_once_on_the_model() {
    check(
        "enum-value-removed",
        &[(
            "models/Channel.yaml",
            "  - value: CREDIT\n    summary: Credit the buyer repays later.\n",
            "",
        )],
        &[(
            Breaking,
            "enum value removed",
            "alipay_api::models::Channel::Credit",
        )],
    );
    check(
        "enum-closed",
        &[(
            "models/Channel.yaml",
            "kind: enum\n",
            "kind: enum\nclosed: true\n",
        )],
        &[(Breaking, "enum closed", "alipay_api::models::Channel")],
    );
    check(
        "enum-value-added",
        &[(
            "models/Channel.yaml",
            "values:\n",
            "values:\n  - value: PCREDIT\n    summary: Instalments.\n",
        )],
        &[(
            Additive,
            "enum value added",
            "alipay_api::models::Channel::Pcredit",
        )],
    );
}

#[test]
fn a_use_that_narrows_its_values_is_breaking_only_when_closed() {
    let field = "      summary: Which channel pays.\n";
    check(
        "values-narrowed-closed",
        &[(C, field, "      summary: Which channel pays.\n      values: [BALANCE, CARD]\n      closed: true\n      source: docs#请求参数\n")],
        &[
            (Breaking, "values", "alipay_api::pay::DemoPayCreate::channel"),
            (Breaking, "closed", "alipay_api::pay::DemoPayCreate::channel"),
        ],
    );
    check(
        "values-narrowed-open",
        &[(C, field, "      summary: Which channel pays.\n      values: [BALANCE, CARD]\n      source: docs#请求参数\n")],
        &[(Docs, "values", "alipay_api::pay::DemoPayCreate::channel")],
    );
}

#[test]
fn bounds_that_shrink_are_breaking_and_grow_additive() {
    let out = "alipay_api::pay::DemoPayCreate::out_trade_no";
    check(
        "max-length-shrinks",
        &[(
            C,
            "max_length: 64\n      source: docs#请求参数",
            "max_length: 32\n      source: docs#请求参数",
        )],
        &[(Breaking, "max_length", out)],
    );
    check(
        "max-length-grows",
        &[(
            C,
            "max_length: 64\n      source: docs#请求参数",
            "max_length: 128\n      source: docs#请求参数",
        )],
        &[(Additive, "max_length", out)],
    );
    check(
        "max-length-dropped",
        &[(C, "      max_length: 64\n      source: docs#请求参数\n", "")],
        &[(Additive, "max_length", out)],
    );
    check(
        "min-length-rises",
        &[(C, "min_length: 16", "min_length: 20")],
        &[(
            Breaking,
            "min_length",
            "alipay_api::pay::DemoPayCreate::trade_no",
        )],
    );
    check(
        "range-max-lowered",
        &[(C, "max: \"100000000\"", "max: \"50000\"")],
        &[(
            Breaking,
            "range",
            "alipay_api::pay::DemoPayCreate::total_amount",
        )],
    );
    check(
        "range-min-lowered",
        &[(C, "min: \"0.01\"", "min: \"0\"")],
        &[(
            Additive,
            "range",
            "alipay_api::pay::DemoPayCreate::total_amount",
        )],
    );
    check(
        "max-items-shrinks",
        &[(C, "max_items: 10", "max_items: 5")],
        &[(
            Breaking,
            "max_items",
            "alipay_api::pay::DemoPayCreate::items",
        )],
    );
    check(
        "max-bytes-shrinks",
        &[(
            "methods/media/demo.media.upload.yaml",
            "max_bytes: 5242880",
            "max_bytes: 1048576",
        )],
        &[(
            Breaking,
            "max_bytes",
            "alipay_api::media::DemoMediaUpload::image_content",
        )],
    );
    check(
        "model-field-shrinks",
        &[("models/Item.yaml", "max_length: 32", "max_length: 16")],
        &[(Breaking, "max_length", "alipay_api::models::Item::sku")],
    );
}

#[test]
fn a_pattern_added_is_breaking_and_removed_additive() {
    check(
        "pattern-added",
        &[(C, "summary: How the buyer pays.\n", "summary: How the buyer pays.\n      pattern: \"^[A-Z]+$\"\n      source: docs#请求参数\n")],
        &[(Breaking, "pattern", "alipay_api::pay::DemoPayCreate::pay_mode")],
    );
}

#[test]
fn constraints_on_responses_only_document() {
    let r = "alipay_api::pay::DemoPayCreateResponse::trade_no";
    check(
        "response-shrinks",
        &[(
            C,
            "max_length: 64\n      source: docs#响应参数",
            "max_length: 32\n      source: docs#响应参数",
        )],
        &[(Docs, "max_length", r)],
    );
    check(
        "response-required",
        &[(
            C,
            "      max_length: 64\n      source: docs#响应参数\n",
            "      required: true\n      max_length: 64\n      source: docs#响应参数\n",
        )],
        &[(Docs, "field required", r)],
    );
}

#[test]
fn disappearing_items_are_breaking() {
    check(
        "param-removed",
        &[(C, "    - name: mode_detail\n      type: string\n      summary: Details of the pay mode.\n", ""), (C, "  required_when:\n    - field: mode_detail\n      when: pay_mode\n      equals: [CARD]\n      source: docs#请求参数\n", "")],
        &[
            (Breaking, "field removed", "alipay_api::pay::DemoPayCreate::mode_detail"),
            (Additive, "required_when removed", P),
        ],
    );
    check(
        "response-field-removed",
        &[(
            "methods/pay/demo.pay.query.yaml",
            "    - name: trade_status\n      type: string\n      summary: Where the trade is.\n",
            "",
        )],
        &[(
            Breaking,
            "field removed",
            "alipay_api::pay::DemoPayQueryResponse::trade_status",
        )],
    );
    check(
        "method-removed",
        &[("methods/pay/demo.pay.query.yaml", "*", "")],
        &[(Breaking, "method removed", "alipay_api::pay::DemoPayQuery")],
    );
    check(
        "notification-removed",
        &[("notifications/PayDone.yaml", "*", "")],
        &[(Breaking, "notification removed", "alipay_api::pay::PayDone")],
    );
    check(
        "model-removed",
        &[(C, "    - name: items\n      type: list<Item>\n      summary: The goods bought.\n      max_items: 10\n      source: docs#请求参数\n", ""), ("models/Item.yaml", "*", "")],
        &[
            (Breaking, "field removed", "alipay_api::pay::DemoPayCreate::items"),
            (Breaking, "model removed", "alipay_api::models::Item"),
        ],
    );
    check(
        "product-removed",
        &[("groups.yaml", "products:\n  - name: quick_pay\n    title: 快捷支付\n    nav: 支付 / 快捷支付\n    methods: [demo.pay.create]\n", "")],
        &[(Breaking, "product removed", "feature quick_pay")],
    );
    check(
        "family-removed",
        &[("methods/media/demo.media.upload.yaml", "*", "")],
        &[
            (
                Breaking,
                "method removed",
                "alipay_api::media::DemoMediaUpload",
            ),
            (Breaking, "family removed", "alipay_api::media"),
        ],
    );
}

#[test]
fn types_modules_and_constants_that_change_are_breaking() {
    check(
        "type",
        &[(
            C,
            "    - name: pay_mode\n      type: string",
            "    - name: pay_mode\n      type: integer",
        )],
        &[(Breaking, "type", "alipay_api::pay::DemoPayCreate::pay_mode")],
    );
    let moved = QUERY.replace("family: pay", "family: media");
    check(
        "moved",
        &[
            ("methods/pay/demo.pay.query.yaml", "*", ""),
            ("methods/media/demo.pay.query.yaml", "", &moved),
        ],
        &[(Breaking, "method moved", "alipay_api::media::DemoPayQuery")],
    );
    check(
        "default",
        &[(C, "default: FAST_PAY", "default: QUICK_PAY")],
        &[(
            Breaking,
            "default",
            "alipay_api::pay::DemoPayCreate::product_code",
        )],
    );
    check(
        "fixed",
        &[(C, "default: FAST_PAY", "fixed: FAST_PAY")],
        &[
            (
                Breaking,
                "default",
                "alipay_api::pay::DemoPayCreate::product_code",
            ),
            (
                Breaking,
                "fixed",
                "alipay_api::pay::DemoPayCreate::product_code",
            ),
        ],
    );
    check(
        "kind",
        &[(
            "methods/pay/demo.pay.query.yaml",
            "kind: server",
            "kind: page",
        )],
        &[(Breaking, "call kind", "alipay_api::pay::DemoPayQuery")],
    );
    check(
        "common-param-removed",
        &[(C, "common_params: [notify_url]\n", "")],
        &[(
            Breaking,
            "common param removed",
            "alipay_api::pay::DemoPayCreate::notify_url",
        )],
    );
}

#[test]
fn new_optional_things_are_additive_and_new_required_params_breaking() {
    check(
        "param-added",
        &[(
            C,
            "  one_of:",
            "    - name: memo\n      type: string\n      summary: A note for the buyer.\n  one_of:",
        )],
        &[(
            Additive,
            "field added",
            "alipay_api::pay::DemoPayCreate::memo",
        )],
    );
    check(
        "required-param-added",
        &[(C, "  one_of:", "    - name: memo\n      type: string\n      summary: A note for the buyer.\n      required: true\n      source: docs#请求参数\n  one_of:")],
        &[(Breaking, "required field added", "alipay_api::pay::DemoPayCreate::memo")],
    );
    let refund = QUERY
        .replace("demo.pay.query", "demo.pay.refund")
        .replace("查询订单", "退款");
    check(
        "method-added",
        &[("methods/pay/demo.pay.refund.yaml", "", &refund)],
        &[(Additive, "method added", "alipay_api::pay::DemoPayRefund")],
    );
    check(
        "product-added",
        &[("groups.yaml", "    methods: [demo.pay.create]\n", "    methods: [demo.pay.create]\n  - name: media_kit\n    title: 素材\n    nav: 素材 / 上传\n    methods: [demo.media.upload]\n")],
        &[(Additive, "product added", "feature media_kit")],
    );
    check(
        "product-widened",
        &[(
            "groups.yaml",
            "methods: [demo.pay.create]",
            "methods: [demo.pay.create, demo.media.upload]",
        )],
        &[
            (Additive, "product features", "feature quick_pay"),
            (Docs, "product list", "feature quick_pay"),
        ],
    );
    check(
        "success-code-added",
        &[(
            C,
            "success_codes: [\"10003\"]",
            "success_codes: [\"10003\", \"10004\"]",
        )],
        &[(Additive, "success codes", P)],
    );
}

#[test]
fn sources_and_docs_are_reported_apart() {
    check(
        "source",
        &[(
            C,
            "max_length: 64\n      source: docs#请求参数",
            "max_length: 64\n      source: \"docs#请求参数 (最大长度 64)\"",
        )],
        &[(
            Source,
            "source",
            "alipay_api::pay::DemoPayCreate::out_trade_no",
        )],
    );
    check(
        "derived-reviewed",
        &[(
            "models/Item.yaml",
            "    derived:\n      range: \"catalog: 必须为正整数\"\n",
            "",
        )],
        &[(Source, "derived", "alipay_api::models::Item::quantity")],
    );
    check(
        "enum-source",
        &[(
            "models/Channel.yaml",
            "source: docs:demo.pay.create#请求参数",
            "source: docs:demo.pay.query#请求参数",
        )],
        &[(Source, "source", "alipay_api::models::Channel")],
    );
    check(
        "summary",
        &[(
            C,
            "summary: The merchant order number.",
            "summary: The merchant's own order number.",
        )],
        &[(Docs, "docs", "alipay_api::pay::DemoPayCreate::out_trade_no")],
    );
}

#[test]
fn messages_say_what_changes_in_alipay_terms() {
    let got = changes("message", &[(C, "min_length: 16", "min_length: 20")]);
    assert_eq!(
        got[0].message,
        "request param `trade_no`: minimum length 16 → 20 (docs#请求参数): `build()` refuses values it used to accept"
    );
    assert_eq!(
        (got[0].group.as_str(), got[0].item.as_str()),
        ("pay", "demo.pay.create")
    );
}

fn revision(label: &str, version: &str) -> Revision {
    Revision {
        label: label.to_owned(),
        commit: None,
        version: Some(version.to_owned()),
    }
}

#[test]
fn breaking_changes_need_the_semver_bump() {
    let needs = |n, b, a| bump_needed(n, Some(b), Some(a));
    assert_eq!(needs(0, "0.1.0", "0.1.0"), None);
    let msg = needs(2, "0.1.0", "0.1.1").expect("a patch bump is not enough while 0.x");
    assert!(msg.contains("bump the minor version (to 0.2.0)"), "{msg}");
    assert_eq!(needs(2, "0.1.0", "0.2.0"), None);
    assert_eq!(needs(1, "0.1.0", "1.0.0"), None);
    let msg = needs(1, "1.4.2", "1.5.0").expect("a minor bump is not enough from 1.0");
    assert!(msg.contains("bump the major version (to 2.0.0)"), "{msg}");
    assert_eq!(needs(1, "1.4.2", "2.0.0"), None);
    assert_eq!(needs(1, "0.0.3", "0.0.4"), None);
    assert!(bump_needed(1, None, Some("0.1.0")).is_some());
}

#[test]
fn the_review_renders_markdown_by_impact_and_json() {
    let changes = changes(
        "render",
        &[
            (C, "min_length: 16", "min_length: 20"),
            (
                "models/Channel.yaml",
                "values:\n",
                "values:\n  - value: PCREDIT\n    summary: Instalments.\n",
            ),
        ],
    );
    let review = Review::new(
        revision("main", "0.1.0"),
        revision("HEAD", "0.1.0"),
        changes,
    );
    let md = review.markdown();
    assert!(md.contains("> [!WARNING]\n> 1 breaking change(s)"), "{md}");
    let breaking = md.find("### Breaking (1)").expect(&md);
    let additive = md.find("### Additive (1)").expect(&md);
    assert!(breaking < additive);
    assert!(md.contains("#### pay\n\n- **demo.pay.create**\n  - `alipay_api::pay::DemoPayCreate::trade_no`: request param `trade_no`: minimum length 16 → 20"), "{md}");
    assert!(
        md.contains("- **model Channel**\n  - `alipay_api::models::Channel::Pcredit`"),
        "{md}"
    );
    let json: serde_json::Value = serde_json::from_str(&review.json()).unwrap();
    assert_eq!(json["counts"]["breaking"], 1);
    assert_eq!(json["counts"]["additive"], 1);
    assert_eq!(json["changes"][0]["kind"], "min_length");
    assert!(json["bump_needed"].as_str().unwrap().contains("minor"));

    let bumped = Review::new(
        revision("main", "0.1.0"),
        revision("HEAD", "0.2.0"),
        review.changes,
    );
    assert_eq!(bumped.bump, None);
    assert!(!bumped.markdown().contains("[!WARNING]"));
}

#[test]
fn a_long_report_is_cut_to_the_limit_and_says_what_it_left_out() {
    // Every param's summary reworded: one documentation change each.
    let edits: Vec<(String, String)> = [
        "The merchant order number.",
        "The product the merchant signed.",
        "Order total in yuan.",
        "Which channel pays.",
        "How the buyer pays.",
    ]
    .iter()
    .map(|s| {
        (
            format!("summary: {s}\n"),
            format!("summary: {s} Reworded.\n"),
        )
    })
    .collect();
    let edits: Vec<Edit> = edits
        .iter()
        .map(|(f, t)| (C, f.as_str(), t.as_str()))
        .collect();
    let mut all = changes("long", &edits);
    all.push(changes("long-breaking", &[(C, "min_length: 16", "min_length: 20")]).remove(0));
    let review = Review::new(revision("main", "0.1.0"), revision("HEAD", "0.2.0"), all);
    let full = review.markdown();
    assert_eq!(review.count(Docs), 5, "{full}");
    assert!(!full.contains("more: run"), "{full}");
    let limit = full.len() - 150;
    let cut = review.markdown_within(limit);
    assert!(cut.len() <= limit, "{} > {limit}", cut.len());
    // The breaking change comes first and is kept; documentation lines are dropped.
    assert!(cut.contains("minimum length 16 → 20"), "{cut}");
    assert!(
        cut.contains("more: run `cargo xtask spec-diff` locally for the whole list."),
        "{cut}"
    );
}

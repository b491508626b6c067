//! `spec-diff` end to end on a throwaway git repository: the codegen fixture spec
//! committed, then edited commit by commit; each range is read out of git, compared, and
//! must end with the right outcome (the command's exit status).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::git::{parse_range, Side, TempDir};
use super::{run, Format, Outcome};

const MD: Format = Format::Markdown(usize::MAX);

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/tests/fixtures/basic")
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=test", "-c", "user.email=test@localhost"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// A repository with the fixture spec and `alipay-api` at 0.1.0, one commit.
fn repo() -> TempDir {
    let dir = TempDir::new("test-repo").unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    crate::import::copy_dir(&fixture(), &dir.path().join("spec")).unwrap();
    set_version(dir.path(), "0.1.0");
    commit(dir.path(), "base");
    dir
}

fn set_version(dir: &Path, v: &str) {
    let manifest = dir.join(super::git::MANIFEST);
    std::fs::create_dir_all(manifest.parent().unwrap()).unwrap();
    let text = format!("[package]\nname = \"alipay-api\"\nversion = \"{v}\"\n");
    std::fs::write(manifest, text).unwrap();
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join("spec").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches(from).count(), 1, "`{from}` in {file}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

const CREATE: &str = "methods/pay/demo.pay.create.yaml";
/// `trade_no` of `demo.pay.create`, and the same param made required (breaking).
const TRADE_NO: &str = "    - name: trade_no\n      type: string\n      summary: Alipay trade number.\n    - name: total";
const TRADE_NO_REQUIRED: &str = "    - name: trade_no\n      type: string\n      summary: Alipay trade number.\n      required: true\n      source: docs#请求参数\n    - name: total";
/// Rewords the same param's summary: documentation only.
const REWORDED: &str = "    - name: trade_no\n      type: string\n      summary: Alipay's number of the trade.\n    - name: total";

#[test]
fn a_breaking_change_fails_until_the_minor_version_is_bumped() {
    let repo = repo();
    let dir = repo.path();
    edit(dir, CREATE, TRADE_NO, TRADE_NO_REQUIRED);
    commit(dir, "trade_no required");

    let (md, outcome, note) = run(dir, "HEAD~1..HEAD", MD).unwrap();
    assert_eq!(outcome, Outcome::NeedsBump, "{md}");
    assert!(md.contains("### Breaking (1)"), "{md}");
    assert!(
        md.contains("`alipay_api::pay::DemoPayCreate::trade_no`: request param `trade_no`: is now required (docs#请求参数)"),
        "{md}"
    );
    let note = note.unwrap();
    assert!(note.contains("bump the minor version (to 0.2.0)"), "{note}");

    set_version(dir, "0.2.0");
    commit(dir, "0.2.0");
    let (md, outcome, _) = run(dir, "HEAD~2..HEAD", MD).unwrap();
    assert_eq!(outcome, Outcome::Clean, "{md}");
    assert!(md.contains("alipay-api 0.1.0 → 0.2.0"), "{md}");
    // `HEAD~2..` ends at HEAD.
    assert_eq!(run(dir, "HEAD~2..", MD).unwrap().0, md);
}

#[test]
fn a_single_revision_compares_with_the_working_tree() {
    let repo = repo();
    let dir = repo.path();
    edit(dir, CREATE, TRADE_NO, REWORDED);
    let (json, outcome, _) = run(dir, "HEAD", Format::Json).unwrap();
    assert_eq!(outcome, Outcome::Clean);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["head"]["label"], "working tree");
    assert_eq!(doc["counts"]["docs"], 1, "{json}");
    assert_eq!(
        doc["changes"][0]["rust"],
        "alipay_api::pay::DemoPayCreate::trade_no"
    );
    // An additive change needs no bump either.
    let memo = "    - name: gift_message\n      type: string\n      summary: A message printed on the gift card.\n    - name: total";
    edit(dir, CREATE, "    - name: total", memo);
    let (md, outcome, _) = run(dir, "HEAD", MD).unwrap();
    assert_eq!(outcome, Outcome::Clean, "{md}");
    assert!(md.contains("### Additive (1)"), "{md}");
}

#[test]
fn a_side_that_does_not_load_is_reported_not_compared() {
    let repo = repo();
    let dir = repo.path();
    edit(dir, CREATE, "kind: server", "kind: teleport");
    commit(dir, "broken");
    let (md, outcome, _) = run(dir, "HEAD~1..HEAD", MD).unwrap();
    assert_eq!(outcome, Outcome::Unloadable);
    assert!(md.contains("The spec at `HEAD` does not load"), "{md}");
    assert!(
        md.contains("spec/methods/pay/demo.pay.create.yaml:"),
        "{md}"
    );
    let (json, _, _) = run(dir, "HEAD~1..HEAD", Format::Json).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["unloadable"][0]["side"]["label"], "HEAD");
}

#[test]
fn three_dots_start_from_the_merge_base_and_bad_revisions_are_refused() {
    let repo = repo();
    let dir = repo.path();
    git(dir, &["checkout", "-q", "-b", "topic"]);
    edit(dir, CREATE, TRADE_NO, TRADE_NO_REQUIRED);
    commit(dir, "topic change");
    git(dir, &["checkout", "-q", "main"]);
    edit(dir, CREATE, TRADE_NO, REWORDED);
    commit(dir, "main moves on");

    let (base, head) = parse_range(dir, "main...topic").unwrap();
    let (Side::Commit { commit: b, .. }, Side::Commit { label, .. }) = (&base, &head) else {
        panic!("{base:?} {head:?}");
    };
    assert_eq!(label, "topic");
    let (main_parent, _) = parse_range(dir, "main~1..").unwrap();
    assert!(matches!(main_parent, Side::Commit { commit, .. } if &commit == b));
    // From the merge base only the topic's change shows, not main's newer summary.
    let (md, outcome, _) = run(dir, "main...topic", MD).unwrap();
    assert_eq!(outcome, Outcome::NeedsBump);
    assert!(!md.contains("Documentation only"), "{md}");

    let err = run(dir, "no-such-branch..HEAD", MD).unwrap_err();
    assert!(err.contains("`no-such-branch` is not a commit"), "{err}");
}

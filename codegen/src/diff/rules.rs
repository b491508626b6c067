//! Rules across fields (one-of groups, conditional requirements): what a change of
//! them does to the requests `build()` accepts.

use std::collections::BTreeSet;

use super::{cite, code_list, set_diff, Impact, Place, Recorder, Side};
use crate::ir::{OneOf, OneOfRule, RequiredWhen, Rules};

/// Compares the one-of groups and conditional requirements of a request or model.
pub(super) fn rules(rec: &mut Recorder<'_>, at: &Place, side: Side, before: &Rules, after: &Rules) {
    // A rule change that looks narrowing on its own may be part of a rewrite that, taken
    // whole, accepts every request accepted before (a conditional rule replaced by a
    // one-of group, say): then none of its changes is breaking.
    let change = Change {
        side,
        widens_overall: accepts_all_it_did(before, after),
    };
    one_of(rec, at, change, &before.one_of, &after.one_of);
    required_when(rec, at, change, &before.required_when, &after.required_when);
}

/// How the rule changes of one request or model are judged.
#[derive(Clone, Copy)]
struct Change {
    side: Side,
    /// Whether the new rules, taken together, accept every combination of set and unset
    /// fields the old ones accepted.
    widens_overall: bool,
}

/// Most fields the whole-rule comparison enumerates (2^12 combinations).
const MAX_RULE_FIELDS: usize = 12;

/// Whether every combination of set and unset fields the `before` rules accept, the
/// `after` rules accept too. Only for presence rules: `false` (judge each rule alone)
/// when a conditional rule reads a value, or too many fields take part.
fn accepts_all_it_did(before: &Rules, after: &Rules) -> bool {
    let all = [before, after];
    if all
        .iter()
        .any(|r| r.required_when.iter().any(|w| !w.equals.is_empty()))
    {
        return false;
    }
    let mut names: Vec<&str> = all
        .iter()
        .flat_map(|r| {
            let groups = r.one_of.iter().flat_map(|g| g.fields.iter());
            let conds = r.required_when.iter().flat_map(|w| [&w.field, &w.when]);
            groups.chain(conds).map(String::as_str)
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    if names.len() > MAX_RULE_FIELDS {
        return false;
    }
    (0u32..1 << names.len()).all(|set| {
        let present = |f: &str| {
            names
                .iter()
                .position(|n| *n == f)
                .is_some_and(|i| set & (1 << i) != 0)
        };
        !accepts(before, &present) || accepts(after, &present)
    })
}

/// Whether rules accept a request whose set fields are those `present` says.
fn accepts(rules: &Rules, present: &dyn Fn(&str) -> bool) -> bool {
    let groups = rules.one_of.iter().all(|g| {
        let n = g.fields.iter().filter(|f| present(f)).count();
        match g.rule {
            OneOfRule::AtLeastOne => n >= 1,
            OneOfRule::ExactlyOne => n == 1,
        }
    });
    groups
        && rules
            .required_when
            .iter()
            .all(|w| !present(&w.when) || present(&w.field))
}

fn rule_name(r: OneOfRule) -> &'static str {
    match r {
        OneOfRule::AtLeastOne => "at least one of",
        OneOfRule::ExactlyOne => "exactly one of",
    }
}

/// One-of groups are paired by their field set; a group whose set changed is paired with
/// the old group it overlaps. Widening an at-least-one group (more fields, same rule)
/// and relaxing exactly-one to at-least-one widen; everything else narrows.
fn one_of(rec: &mut Recorder<'_>, at: &Place, change: Change, before: &[OneOf], after: &[OneOf]) {
    let key = |g: &OneOf| {
        let mut f = g.fields.clone();
        f.sort();
        f
    };
    let show = |g: &OneOf| format!("{} {}", rule_name(g.rule), code_list(&g.fields));
    let mut old: Vec<&OneOf> = before.iter().collect();
    for a in after {
        let same = old.iter().position(|b| key(b) == key(a));
        let overlap = || {
            old.iter()
                .position(|b| b.fields.iter().any(|f| a.fields.contains(f)))
        };
        let source = cite(Some(&a.source));
        let Some(i) = same.or_else(overlap) else {
            let what = format!("new rule: {}{source}", show(a));
            rule_change(rec, at, change, true, "one_of added", what);
            continue;
        };
        let b = old.remove(i);
        if key(b) == key(a) && b.rule == a.rule {
            if b.source != a.source {
                let what = format!("rule {} now cites {} (was {})", show(a), a.source, b.source);
                rec.push(at, Impact::Source, "source", what);
            }
            continue;
        }
        // More fields to choose from widens a group, unless exactly one must be set.
        let more_fields = b.fields.iter().all(|f| a.fields.contains(f));
        let widened = a.rule == OneOfRule::AtLeastOne && more_fields;
        let what = format!("rule {} becomes {}{source}", show(b), show(a));
        rule_change(rec, at, change, !widened, "one_of changed", what);
    }
    for b in old {
        let what = format!("rule {} is dropped", show(b));
        rule_change(rec, at, change, false, "one_of removed", what);
    }
}

/// Records a change of a rule across fields, with what it means on this side.
fn rule_change(
    rec: &mut Recorder<'_>,
    at: &Place,
    change: Change,
    narrowed: bool,
    kind: &'static str,
    what: String,
) {
    let effect = match (change.side, narrowed, change.widens_overall) {
        (Side::Request, true, true) => {
            "with the other rule changes here, `build()` still accepts every request it did"
        }
        (Side::Request, true, false) => "`build()` refuses requests it used to accept",
        (Side::Request, false, _) => "`build()` accepts more requests",
        (Side::Response, _, _) => "the rule only documents this type, which is not checked",
    };
    let narrowed = narrowed && !change.widens_overall;
    rec.push(
        at,
        change.side.impact(narrowed),
        kind,
        format!("{what}: {effect}"),
    );
}

/// Conditional requirements are paired by (field, condition field). A trigger that fires
/// on more values (fewer `equals`, or none: any value) narrows.
fn required_when(
    rec: &mut Recorder<'_>,
    at: &Place,
    change: Change,
    before: &[RequiredWhen],
    after: &[RequiredWhen],
) {
    let cond = |r: &RequiredWhen| {
        if r.equals.is_empty() {
            format!("`{}` is set", r.when)
        } else {
            format!("`{}` is {}", r.when, code_list(&r.equals))
        }
    };
    let key = |r: &RequiredWhen| (r.field.clone(), r.when.clone());
    let new: BTreeSet<_> = after.iter().map(key).collect();
    for a in after {
        let field = &a.field;
        let source = cite(Some(&a.source));
        let Some(b) = before.iter().find(|b| key(b) == key(a)) else {
            let what = format!("`{field}` is now required when {}{source}", cond(a));
            rule_change(rec, at, change, true, "required_when added", what);
            continue;
        };
        if b.equals != a.equals {
            let (_, more) = set_diff(&b.equals, &a.equals);
            let narrowed = a.equals.is_empty() || (!b.equals.is_empty() && !more.is_empty());
            let what = format!(
                "`{field}` was required when {}, now when {}{source}",
                cond(b),
                cond(a)
            );
            rule_change(rec, at, change, narrowed, "required_when changed", what);
        } else if b.source != a.source {
            let what = format!(
                "`{field}` required when {} now cites {} (was {})",
                cond(a),
                a.source,
                b.source
            );
            rec.push(at, Impact::Source, "source", what);
        }
    }
    for b in before.iter().filter(|b| !new.contains(&key(b))) {
        let what = format!("`{}` is no longer required when {}", b.field, cond(b));
        rule_change(rec, at, change, false, "required_when removed", what);
    }
}

//! The review of a spec change: the changes, the crate versions on both sides, and
//! whether the version moved as far as the breaking changes require; as Markdown for a
//! pull request, or as JSON.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Change, Impact};

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revision {
    /// How the side was named on the command line, e.g. `main` or `working tree`.
    pub label: String,
    /// The commit it resolved to, if it is one.
    pub commit: Option<String>,
    /// The `version` of `alipay-api/Cargo.toml` there, if it could be read.
    pub version: Option<String>,
}

impl Revision {
    fn title(&self) -> String {
        match &self.commit {
            Some(c) => format!("`{}` ({})", self.label, c.get(..10).unwrap_or(c)),
            None => format!("`{}`", self.label),
        }
    }
}

/// A spec change reviewed: what changed and whether the crate version follows.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// The older side.
    pub base: Revision,
    /// The newer side.
    pub head: Revision,
    /// Every change, in report order.
    pub changes: Vec<Change>,
    /// Set when breaking changes lack the version bump they need: what to bump.
    pub bump: Option<String>,
}

impl Review {
    /// Reviews `changes` between `base` and `head`.
    pub fn new(base: Revision, head: Revision, changes: Vec<Change>) -> Self {
        let breaking = changes
            .iter()
            .filter(|c| c.impact == Impact::Breaking)
            .count();
        let bump = bump_needed(breaking, base.version.as_deref(), head.version.as_deref());
        Review {
            base,
            head,
            changes,
            bump,
        }
    }

    /// How many changes have this impact.
    pub fn count(&self, impact: Impact) -> usize {
        self.changes.iter().filter(|c| c.impact == impact).count()
    }

    /// The report as JSON: both sides, counts by impact, the verdict and every change.
    pub fn json(&self) -> String {
        let counts: serde_json::Map<String, serde_json::Value> = Impact::ALL
            .iter()
            .map(|i| {
                let key = serde_json::to_value(i)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                (key, self.count(*i).into())
            })
            .collect();
        let doc = serde_json::json!({
            "base": self.base,
            "head": self.head,
            "counts": counts,
            "bump_needed": self.bump,
            "changes": self.changes,
        });
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }

    /// The report as Markdown: a verdict line, then one section per impact, grouped by
    /// family and item; sources and documentation changes are folded.
    pub fn markdown(&self) -> String {
        self.markdown_within(usize::MAX)
    }

    /// [`markdown`](Self::markdown) cut to about `limit` bytes (a pull-request comment
    /// holds at most 65,536 characters): each section lists what fits in the space left,
    /// breaking changes first, and says how many it left out.
    pub fn markdown_within(&self, limit: usize) -> String {
        let mut out = format!(
            "## Spec changes: {} → {}\n\n{}\n",
            self.base.title(),
            self.head.title(),
            self.verdict()
        );
        for impact in Impact::ALL {
            let n = self.count(impact);
            if n == 0 {
                continue;
            }
            // Room for the headings and the note about what was left out.
            let budget = limit.saturating_sub(out.len().saturating_add(300));
            let (mut body, left_out) = self.section(impact, budget);
            if left_out > 0 {
                let _ = write!(
                    body,
                    "\n… and {left_out} more: run `cargo xtask spec-diff` locally for the whole list.\n"
                );
            }
            let heading = format!("{} ({n})", impact.heading());
            if matches!(impact, Impact::Source | Impact::Docs) {
                let _ = write!(
                    out,
                    "\n<details><summary><b>{heading}</b></summary>\n{body}\n</details>\n"
                );
            } else {
                let _ = write!(out, "\n### {heading}\n{body}");
            }
        }
        out
    }

    fn verdict(&self) -> String {
        let counts: Vec<String> = Impact::ALL
            .iter()
            .map(|i| format!("{} {}", self.count(*i), i.heading().to_lowercase()))
            .collect();
        let versions = format!(
            "alipay-api {} → {}",
            self.base.version.as_deref().unwrap_or("?"),
            self.head.version.as_deref().unwrap_or("?")
        );
        let mut out = if self.changes.is_empty() {
            format!("{versions}. No change that users of the crate can see.\n")
        } else {
            format!("{versions}. Changes: {}.\n", counts.join(", "))
        };
        if let Some(b) = &self.bump {
            let _ = write!(out, "\n> [!WARNING]\n> {b}\n");
        }
        out
    }

    /// The changes of one impact, under `#### group` headings and `**item**` bullets, as
    /// far as `budget` bytes allow; and how many changes did not fit.
    fn section(&self, impact: Impact, budget: usize) -> (String, usize) {
        let mut out = String::new();
        let (mut group, mut item) = (None, None);
        let changes: Vec<&Change> = self.changes.iter().filter(|c| c.impact == impact).collect();
        for (i, c) in changes.iter().enumerate() {
            let mut text = String::new();
            if group != Some(&c.group) {
                let _ = write!(text, "\n#### {}\n\n", c.group);
            }
            if group != Some(&c.group) || item != Some(&c.item) {
                let _ = writeln!(text, "- **{}**", c.item);
            }
            let _ = writeln!(text, "  - `{}`: {}", c.rust, c.message);
            if out.len() + text.len() > budget {
                return (out, changes.len() - i);
            }
            out.push_str(&text);
            group = Some(&c.group);
            item = Some(&c.item);
        }
        (out, 0)
    }
}

/// Whether `breaking` changes between crate versions `before` and `after` lack the bump
/// Cargo's semver rules ask for (a major bump from 1.0, a minor one while 0.x, a patch
/// one while 0.0.x); the message says what to bump. `None` when nothing is missing.
pub fn bump_needed(breaking: usize, before: Option<&str>, after: Option<&str>) -> Option<String> {
    if breaking == 0 {
        return None;
    }
    let parse = |v: Option<&str>| v.and_then(|v| semver::Version::parse(v).ok());
    let (Some(b), Some(a)) = (parse(before), parse(after)) else {
        return Some(format!(
            "{breaking} breaking change(s), and the alipay-api version could not be read on both sides ({} → {}): check alipay-api/Cargo.toml",
            before.unwrap_or("?"),
            after.unwrap_or("?")
        ));
    };
    let (enough, part, next) = if b.major > 0 {
        (a.major > b.major, "major", format!("{}.0.0", b.major + 1))
    } else if b.minor > 0 {
        (
            a.major > 0 || a.minor > b.minor,
            "minor",
            format!("0.{}.0", b.minor + 1),
        )
    } else {
        (
            a.major > 0 || a.minor > 0 || a.patch > b.patch,
            "patch",
            format!("0.0.{}", b.patch + 1),
        )
    };
    (!enough).then(|| {
        format!(
            "{breaking} breaking change(s) and alipay-api goes from {b} to {a}: bump the {part} version \
             (to {next}) in alipay-api/Cargo.toml"
        )
    })
}

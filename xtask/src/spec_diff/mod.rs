//! `cargo xtask spec-diff BASE..HEAD`: what a spec change means for users of the crate.
//!
//! Both sides' `spec/` folders are read out of git (a side may also be the working tree)
//! into a temporary folder, loaded through the codegen crate and compared with
//! [`alipay_codegen::diff`]. The report is Markdown (for a pull request) or JSON; the
//! command fails when breaking changes come without the version bump they need, and
//! says so (exit 1), or when a side's spec does not load (exit 2).

mod git;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use alipay_codegen::diff::{self, Review, Revision};
use alipay_codegen::{Ir, Options};

use crate::args::Args;
use git::Side;

/// How a comparison ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Compared; the version is fine.
    Clean,
    /// Breaking changes without the version bump they need.
    NeedsBump,
    /// A side's spec does not load, so nothing was compared.
    Unloadable,
}

impl Outcome {
    fn code(self) -> ExitCode {
        match self {
            Outcome::Clean => ExitCode::SUCCESS,
            Outcome::NeedsBump => ExitCode::from(1),
            Outcome::Unloadable => ExitCode::from(2),
        }
    }
}

/// How the report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON.
    Json,
    /// Markdown of at most this many bytes (`--max-chars`, for a pull-request comment).
    Markdown(usize),
}

impl Format {
    fn parse(a: &Args) -> Result<Self, String> {
        let limit = match a.value("--max-chars") {
            Some(n) => n
                .parse()
                .map_err(|_| format!("--max-chars takes a number, not `{n}`"))?,
            None => usize::MAX,
        };
        match (a.flag("--json"), a.flag("--markdown")) {
            (true, true) => Err("--json and --markdown exclude each other".to_owned()),
            (true, false) => Ok(Format::Json),
            (false, _) => Ok(Format::Markdown(limit)),
        }
    }
}

/// `cargo xtask spec-diff`.
pub fn spec_diff_cmd(root: &Path, args: &[String]) -> ExitCode {
    let parsed = Args::parse(args, &["--json", "--markdown"], &["--max-chars"]).and_then(|a| {
        match &a.positional[..] {
            [range] => Ok((Format::parse(&a)?, range.clone())),
            _ => Err(format!(
                "name one revision range, e.g. `main..HEAD`\n{}",
                crate::USAGE
            )),
        }
    });
    match parsed.and_then(|(format, range)| run(root, &range, format)) {
        Ok((report, outcome, note)) => {
            print!("{report}");
            if let Some(note) = note {
                eprintln!("{note}");
            }
            outcome.code()
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

/// A side read into a temporary folder (removed on drop), or the working tree.
struct Checkout {
    revision: Revision,
    spec: PathBuf,
    _temp: Option<git::TempDir>,
}

fn checkout(root: &Path, side: &Side) -> Result<Checkout, String> {
    match side {
        Side::WorkTree => Ok(Checkout {
            revision: Revision {
                label: "working tree".to_owned(),
                commit: None,
                version: version(
                    &std::fs::read_to_string(root.join(git::MANIFEST)).unwrap_or_default(),
                ),
            },
            spec: root.join("spec"),
            _temp: None,
        }),
        Side::Commit { label, commit } => {
            let temp = git::TempDir::new(&commit[..commit.len().min(12)])?;
            git::extract(root, commit, "spec", temp.path())?;
            let manifest = git::show(root, commit, git::MANIFEST).unwrap_or_default();
            Ok(Checkout {
                revision: Revision {
                    label: label.clone(),
                    commit: Some(commit.clone()),
                    version: version(&manifest),
                },
                spec: temp.path().join("spec"),
                _temp: Some(temp),
            })
        }
    }
}

/// The `[package] version` of a manifest's text.
fn version(manifest: &str) -> Option<String> {
    let table: toml::Table = manifest.parse().ok()?;
    Some(table.get("package")?.get("version")?.as_str()?.to_owned())
}

/// Loads a side; the error is the loader's full report.
fn load(c: &Checkout) -> Result<Ir, String> {
    alipay_codegen::ir::load(&c.spec, Options::default()).map_err(|e| e.to_string())
}

/// Compares the two sides of `range`: the report, the outcome, and a note for stderr.
pub fn run(
    root: &Path,
    range: &str,
    format: Format,
) -> Result<(String, Outcome, Option<String>), String> {
    let (base, head) = git::parse_range(root, range)?;
    let (base, head) = (checkout(root, &base)?, checkout(root, &head)?);
    let (b, h) = (load(&base), load(&head));
    let (b, h) = match (b, h) {
        (Ok(b), Ok(h)) => (b, h),
        (b, h) => {
            let failed: Vec<(&Revision, String)> =
                [(&base.revision, b.err()), (&head.revision, h.err())]
                    .into_iter()
                    .filter_map(|(r, e)| e.map(|e| (r, e)))
                    .collect();
            let report = unloadable(&base.revision, &head.revision, &failed, format);
            let note = "spec-diff: a side's spec does not load with this checkout's codegen; nothing was compared";
            return Ok((report, Outcome::Unloadable, Some(note.to_owned())));
        }
    };
    let review = Review::new(
        base.revision.clone(),
        head.revision.clone(),
        diff::diff(&b, &h),
    );
    let report = match format {
        Format::Json => review.json() + "\n",
        Format::Markdown(limit) => review.markdown_within(limit),
    };
    Ok(match &review.bump {
        Some(b) => (report, Outcome::NeedsBump, Some(format!("spec-diff: {b}"))),
        None => (report, Outcome::Clean, None),
    })
}

/// The report when a side does not load: which side, and the loader's errors.
fn unloadable(
    base: &Revision,
    head: &Revision,
    failed: &[(&Revision, String)],
    format: Format,
) -> String {
    if format == Format::Json {
        let errors: Vec<serde_json::Value> = failed
            .iter()
            .map(|(r, e)| serde_json::json!({ "side": r, "errors": e.lines().collect::<Vec<_>>() }))
            .collect();
        let doc = serde_json::json!({ "base": base, "head": head, "unloadable": errors });
        return serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    }
    let mut out = format!("## Spec changes: `{}` → `{}`\n", base.label, head.label);
    for (r, e) in failed {
        let lines: Vec<&str> = e.lines().collect();
        let shown = lines
            .iter()
            .take(20)
            .copied()
            .collect::<Vec<_>>()
            .join("\n");
        let more = match lines.len().saturating_sub(20) {
            0 => String::new(),
            n => format!("\n… and {n} more"),
        };
        out += &format!(
            "\nThe spec at `{}` does not load with this version of the generator, so nothing was compared:\n\n```text\n{shown}{more}\n```\n",
            r.label
        );
    }
    out
}

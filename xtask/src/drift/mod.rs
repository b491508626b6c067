//! `cargo xtask drift` and `cargo xtask catalog refresh`: what the newest official Python
//! SDK (`alipay-sdk-python` on PyPI) declares differently from the repository's
//! catalogue and spec, and the catalogue brought up to date with it.
//!
//! The wheel is fetched with `pip download --no-deps` (the only network access) unless
//! `--wheel <file>` names one, and read as data (`wheel.rs`): nothing from it is run.

pub mod compare;
pub mod refresh;
#[cfg(test)]
mod tests;
pub mod wheel;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use alipay_codegen::catalog;
use sha2::{Digest, Sha256};

use crate::args::Args;
use compare::Row;

/// A wheel's bytes and where they came from.
struct Fetched {
    bytes: Vec<u8>,
    file: String,
}

fn fetch(args: &Args) -> Result<Fetched, String> {
    if let Some(path) = args.value("--wheel") {
        let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
        return Ok(Fetched {
            bytes,
            file: path.to_owned(),
        });
    }
    let dir = std::env::temp_dir().join(format!("alipay-drift-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    eprintln!(
        "$ {python} -m pip download --no-deps alipay-sdk-python -d {}",
        dir.display()
    );
    let status = Command::new(&python)
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet"])
        .args(["--disable-pip-version-check", "alipay-sdk-python", "-d"])
        .arg(&dir)
        .status()
        .map_err(|e| format!("could not run {python} -m pip ({e}); install Python 3 with pip, or pass --wheel <file.whl>"))?;
    let found = std::fs::read_dir(&dir)
        .ok()
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "whl"));
    let result = match (status.success(), found) {
        (true, Some(p)) => std::fs::read(&p)
            .map(|bytes| Fetched {
                bytes,
                file: p.file_name().unwrap_or_default().to_string_lossy().into_owned(),
            })
            .map_err(|e| format!("{}: {e}", p.display())),
        _ => Err(format!(
            "pip could not download alipay-sdk-python ({status}); check the network, or pass --wheel <file.whl>"
        )),
    };
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn catalog_dir(root: &Path, args: &Args) -> PathBuf {
    args.path_or("--catalog", || crate::catalog::dir(root))
}

/// `cargo xtask drift`.
pub fn drift_cmd(root: &Path, args: &[String]) -> Result<(), String> {
    let args = Args::parse(
        args,
        &["--json"],
        &["--wheel", "--catalog", "--spec", "--fail-on"],
    )?;
    let fail_on = FailOn::parse(args.value("--fail-on"))?;
    let cat = catalog::load(&catalog_dir(root, &args)).map_err(|e| e.to_string())?;
    let spec_dir = args.path_or("--spec", || root.join("spec"));
    let ir = alipay_codegen::ir::load(&spec_dir, alipay_codegen::Options::default())
        .map_err(|e| format!("{}: the spec does not load:\n{e}", spec_dir.display()))?;
    let fetched = fetch(&args)?;
    let wheel = wheel::read(&fetched.bytes).map_err(|e| format!("{}: {e}", fetched.file))?;
    let rows = compare::compare(&wheel, &cat, Some(&ir));
    let header = Header {
        wheel: format!("alipay-sdk-python {} ({})", wheel.version, fetched.file),
        catalogue: format!(
            "catalog/ ({} methods, {} models, from {})",
            cat.methods.len(),
            cat.models.len(),
            upstreams(&cat)
        ),
        spec: format!("spec/ ({} methods)", ir.methods.len()),
        sdk_methods: wheel.methods.len(),
    };
    if args.flag("--json") {
        println!("{}", json(&header, &rows));
    } else {
        print!("{}", table(&header, &rows));
    }
    fail_on.check(&rows)
}

/// `cargo xtask catalog refresh`.
pub fn refresh_cmd(root: &Path, args: &[String]) -> Result<(), String> {
    let args = Args::parse(args, &[], &["--wheel", "--catalog"])?;
    let dir = catalog_dir(root, &args);
    let cat = catalog::load(&dir).map_err(|e| e.to_string())?;
    let fetched = fetch(&args)?;
    let wheel = wheel::read(&fetched.bytes).map_err(|e| format!("{}: {e}", fetched.file))?;
    let new = refresh::refresh(&cat, &wheel, &sha256(&fetched.bytes));
    let problems = new.problems();
    if !problems.is_empty() {
        return Err(format!(
            "the refreshed catalogue is inconsistent:\n  {}",
            problems.join("\n  ")
        ));
    }
    new.write(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    crate::catalog::report(&new, &dir);
    Ok(())
}

fn upstreams(cat: &catalog::Catalog) -> String {
    let parts: Vec<String> = (cat.source.upstreams.iter())
        .filter(|(k, _)| k.as_str() != crate::catalog::build::DOCS_NAV)
        .map(|(k, u)| format!("{k} {}", u.version.get(..12).unwrap_or(&u.version)))
        .collect();
    parts.join(", ")
}

/// Which rows make the command fail.
#[derive(Default)]
struct FailOn {
    added: bool,
    removed: bool,
}

impl FailOn {
    fn parse(value: Option<&str>) -> Result<Self, String> {
        let mut f = FailOn::default();
        for part in value.unwrap_or("").split(',').filter(|p| !p.is_empty()) {
            match part {
                "added" => f.added = true,
                "removed" => f.removed = true,
                other => {
                    return Err(format!(
                        "--fail-on takes added, removed or added,removed, not `{other}`"
                    ))
                }
            }
        }
        Ok(f)
    }

    fn check(&self, rows: &[Row]) -> Result<(), String> {
        let added = rows.iter().filter(|r| r.is_added()).count();
        let removed = rows.iter().filter(|r| r.is_removed()).count();
        let mut why = Vec::new();
        if self.added && added > 0 {
            why.push(format!("{added} added"));
        }
        if self.removed && removed > 0 {
            why.push(format!("{removed} removed"));
        }
        if why.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "drift: {} since the catalogue and spec were last updated; review the rows above, then \
                 `cargo xtask catalog refresh` and update the spec",
                why.join(", ")
            ))
        }
    }
}

struct Header {
    wheel: String,
    catalogue: String,
    spec: String,
    sdk_methods: usize,
}

/// Counts by (against, change).
fn summary(rows: &[Row]) -> BTreeMap<(&'static str, &'static str), usize> {
    let mut out = BTreeMap::new();
    for r in rows {
        *out.entry((r.against, r.change)).or_insert(0) += 1;
    }
    out
}

/// The readable report: rows grouped by product, then counts.
pub fn table_rows(rows: &[Row]) -> String {
    let width = |f: fn(&Row) -> usize| rows.iter().map(f).max().unwrap_or(0);
    let (w_change, w_place, w_field) = (
        width(|r| r.change.chars().count()),
        width(|r| r.place.chars().count()),
        width(|r| r.field.chars().count()),
    );
    let mut out = String::new();
    let mut home = None;
    for r in rows {
        if home != Some(&r.home) {
            let _ = writeln!(out, "\n{}", r.home);
            home = Some(&r.home);
        }
        let _ = writeln!(
            out,
            "  {:<9}  {:<w_change$}  {:<w_place$}  {:<w_field$}  {}",
            r.against, r.change, r.place, r.field, r.detail
        );
    }
    out
}

fn table(h: &Header, rows: &[Row]) -> String {
    let mut out = format!(
        "drift: {} ({} methods) against {} and {}\n",
        h.wheel, h.sdk_methods, h.catalogue, h.spec
    );
    out.push_str(&table_rows(rows));
    let counts: Vec<String> = summary(rows)
        .iter()
        .map(|((against, change), n)| format!("{against} {change}: {n}"))
        .collect();
    let _ = writeln!(
        out,
        "\n{} rows{}{}",
        rows.len(),
        if counts.is_empty() { "" } else { "; " },
        counts.join(", ")
    );
    out
}

fn json(h: &Header, rows: &[Row]) -> String {
    let summary: BTreeMap<String, usize> = summary(rows)
        .into_iter()
        .map(|((a, c), n)| (format!("{a} {c}"), n))
        .collect();
    let doc = serde_json::json!({
        "wheel": h.wheel,
        "sdk_methods": h.sdk_methods,
        "catalogue": h.catalogue,
        "spec": h.spec,
        "summary": summary,
        "changes": rows,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

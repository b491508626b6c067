//! `cargo xtask import` and `cargo xtask bench-codegen`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use alipay_codegen::catalog::{self, Catalog};
use alipay_codegen::import::{skeletons, update, Existing, Report, Skeleton};
use alipay_codegen::Options;

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

/// The in-repo catalogue (`catalog/`, or `--catalog <dir>`).
pub(crate) fn read_catalog(root: &Path, args: &[String]) -> Result<Catalog, String> {
    let dir = flag(args, "--catalog")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::catalog::dir(root));
    catalog::load(&dir).map_err(|e| e.to_string())
}

fn existing(spec: &Path) -> Existing {
    let (raw, _) = alipay_codegen::load::load_raw(spec);
    Existing::from_raw(&raw)
}

/// Every catalogue method the spec at `spec` does not have yet.
pub(crate) fn missing_methods(cat: &Catalog, spec: &Path) -> Vec<String> {
    let (raw, _) = alipay_codegen::load::load_raw(spec);
    let have: Vec<&str> = raw
        .methods
        .iter()
        .map(|m| m.value.method.as_str())
        .collect();
    cat.methods
        .keys()
        .filter(|m| !have.contains(&m.as_str()))
        .cloned()
        .collect()
}

/// Writes skeletons under `spec`; existing files are kept unless `force`.
pub(crate) fn write_skeletons(
    spec: &Path,
    files: &[Skeleton],
    force: bool,
    quiet: bool,
) -> Result<usize, String> {
    let mut written = 0;
    for s in files {
        let path = spec.join(&s.path);
        if path.exists() && !force {
            if !quiet {
                eprintln!(
                    "kept existing {} (use --force to overwrite)",
                    path.display()
                );
            }
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::write(&path, &s.text).map_err(|e| format!("{}: {e}", path.display()))?;
        written += 1;
        if !quiet {
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(written)
}

/// The importer's report, as printed by `import` and the benchmarks.
pub(crate) fn print_report(r: &Report) {
    let typed: usize = r.typed.values().sum();
    let proposed: usize = r.proposed.values().sum();
    println!(
        "import: {} methods, {} new models, {} fields ({} as uses of shared definitions)",
        r.methods, r.models, r.fields, r.shared_uses
    );
    let list = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "  typed beyond the catalogue's own types: {typed} fields ({})",
        list(&r.typed)
    );
    println!(
        "  facts proposed (each marked `derived:` for review): {proposed} ({})",
        list(&r.proposed)
    );
}

pub fn import_cmd(root: &Path, args: &[String]) -> Result<(), String> {
    let mut methods = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--catalog" | "--family" | "--spec" => i += 2,
            "--force" | "--all" | "--update" => i += 1,
            other if other.starts_with("--") => {
                return Err(format!("unknown option {other}\n{}", crate::USAGE))
            }
            m => {
                methods.push(m.to_owned());
                i += 1;
            }
        }
    }
    let spec = flag(args, "--spec")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("spec"));
    let cat = read_catalog(root, args)?;
    if args.iter().any(|a| a == "--all") {
        methods.extend(missing_methods(&cat, &spec));
    }
    if methods.is_empty() {
        return Err(format!(
            "name at least one method, or --all\n{}",
            crate::USAGE
        ));
    }
    if args.iter().any(|a| a == "--update") {
        return update_cmd(&cat, &spec, &methods);
    }
    let ex = existing(&spec);
    let (files, report) =
        skeletons(&cat, &ex, &methods, flag(args, "--family")).map_err(|e| e.to_string())?;
    write_skeletons(&spec, &files, args.iter().any(|a| a == "--force"), false)?;
    print_report(&report);
    eprintln!(
        "review every `derived:` note and replace every TODO, then run `cargo xtask codegen`"
    );
    Ok(())
}

/// `import --update`: appends what the catalogue has and the spec lacks, method by method
/// (the spec is read again after each, so two methods sharing a model add its fields once).
fn update_cmd(cat: &Catalog, spec: &Path, methods: &[String]) -> Result<(), String> {
    let mut total = Report::default();
    let mut added = 0;
    for m in methods {
        let (raw, _) = alipay_codegen::load::load_raw(spec);
        let up = update(cat, &raw, m).map_err(|e| e.to_string())?;
        // The files hold the whole updated text: every kept line and the appended items.
        write_skeletons(spec, &up.files, true, true)?;
        if up.added.is_empty() {
            eprintln!("{m}: the spec already has every field the catalogue lists");
        }
        for line in &up.added {
            println!("added {line}");
        }
        added += up.added.len();
        total.add(&up.report);
    }
    if added > 0 {
        print_report(&total);
        eprintln!(
            "existing lines are unchanged; review every new `derived:` note and replace every TODO, then run `cargo xtask codegen`"
        );
    }
    Ok(())
}

/// Copies the repository's spec to `dir` and imports every catalogue method it lacks.
pub(crate) fn full_spec(root: &Path, cat: &Catalog, dir: &Path) -> Result<Report, String> {
    let _ = fs::remove_dir_all(dir);
    copy_dir(&root.join("spec"), dir)?;
    let methods = missing_methods(cat, dir);
    let (files, report) =
        skeletons(cat, &existing(dir), &methods, None).map_err(|e| e.to_string())?;
    write_skeletons(dir, &files, false, true)?;
    Ok(report)
}

pub(crate) fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for e in fs::read_dir(from)
        .map_err(|e| format!("{}: {e}", from.display()))?
        .flatten()
    {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_dir(&src, &dst)?;
        } else {
            fs::copy(&src, &dst).map_err(|e| format!("{}: {e}", src.display()))?;
        }
    }
    Ok(())
}

pub fn bench_cmd(root: &Path, args: &[String]) -> Result<(), String> {
    let t = Instant::now();
    let cat = read_catalog(root, args)?;
    let read_time = t.elapsed();
    let dir = std::env::temp_dir().join(format!("alipay-bench-codegen-{}", std::process::id()));
    let t = Instant::now();
    let report = full_spec(root, &cat, &dir)?;
    let import_time = t.elapsed();
    let t = Instant::now();
    let result = alipay_codegen::generate_from(&dir, Options { allow_todo: true });
    let gen_time = t.elapsed();
    let _ = fs::remove_dir_all(&dir);
    let out = result.map_err(|e| e.to_string())?;
    let bytes: usize = out.files.values().map(String::len).sum();
    let lines: usize = out.files.values().map(|t| t.lines().count()).sum();
    let methods = out
        .files
        .keys()
        .filter(|p| !p.starts_with("models/") && !p.ends_with("mod.rs") && !p.contains("/notify_"))
        .count();
    println!(
        "bench-codegen: every catalogue method ({methods}) -> {} Rust files, {lines} lines ({:.1} MB), {} lines per method",
        out.files.len(),
        bytes as f64 / 1e6,
        lines / methods.max(1)
    );
    print_report(&report);
    println!("  catalogue read: {read_time:.2?}; import: {import_time:.2?} (not counted)");
    println!("  load + check + generate: {gen_time:.2?} (goal < 3 s)");
    if cfg!(debug_assertions) {
        println!("  note: debug build; `cargo run --release -p xtask -- bench-codegen` gives representative numbers");
    }
    Ok(())
}

//! `cargo xtask import` and `cargo xtask bench-codegen`.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use alipay_codegen::import::{skeletons, Catalog};
use alipay_codegen::Options;

fn read_catalog(path: &Path) -> Result<Catalog, String> {
    let file = fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .map_err(|e| {
            format!(
                "{}: not a gzip-compressed JSON catalogue: {e}",
                path.display()
            )
        })?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: not a catalogue ({e}); expected alipay-v2-catalog.json.gz",
            path.display()
        )
    })
}

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

pub fn import_cmd(root: &Path, args: &[String]) -> Result<(), String> {
    let mut methods = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--catalog" | "--group" | "--spec" => i += 2,
            "--force" => i += 1,
            other if other.starts_with("--") => {
                return Err(format!("unknown option {other}\n{}", crate::USAGE))
            }
            m => {
                methods.push(m.to_owned());
                i += 1;
            }
        }
    }
    let group = flag(args, "--group").ok_or("--group <group> is required")?;
    let catalog = PathBuf::from(
        flag(args, "--catalog")
            .ok_or("--catalog <path to alipay-v2-catalog.json.gz> is required")?,
    );
    if methods.is_empty() {
        return Err(format!("name at least one method\n{}", crate::USAGE));
    }
    let spec = flag(args, "--spec")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("spec"));
    let force = args.iter().any(|a| a == "--force");
    let cat = read_catalog(&catalog)?;
    let files = skeletons(&cat, &methods, group).map_err(|e| e.to_string())?;
    for s in files {
        let path = spec.join(&s.path);
        if path.exists() && !force {
            eprintln!(
                "kept existing {} (use --force to overwrite)",
                path.display()
            );
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::write(&path, s.text).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    eprintln!("replace every TODO, then run `cargo xtask codegen`");
    Ok(())
}

/// A group name for a method: its second segment, made a valid feature name.
fn bench_group(method: &str) -> String {
    let seg = method.split('.').nth(1).unwrap_or("misc");
    let g: String = seg
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("g_{g}")
}

pub fn bench_cmd(args: &[String]) -> Result<(), String> {
    let catalog = PathBuf::from(
        flag(args, "--catalog")
            .ok_or("--catalog <path to alipay-v2-catalog.json.gz> is required")?,
    );
    let n: usize = flag(args, "--methods")
        .map(|s| {
            s.parse()
                .map_err(|_| format!("--methods takes a number, not {s}"))
        })
        .transpose()?
        .unwrap_or(500);

    let t = Instant::now();
    let cat = read_catalog(&catalog)?;
    let read_time = t.elapsed();

    // Every n-th method across the sorted catalogue, so that many product lines are covered.
    let all: Vec<&String> = cat.methods.keys().collect();
    let step = (all.len() / n.max(1)).max(1);
    let chosen: Vec<String> = all
        .iter()
        .step_by(step)
        .take(n)
        .map(|s| (*s).clone())
        .collect();
    let mut by_group: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in &chosen {
        by_group.entry(bench_group(m)).or_default().push(m.clone());
    }

    let dir = std::env::temp_dir().join(format!("alipay-bench-codegen-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let spec = dir.join("spec");
    fs::create_dir_all(&spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let mut groups = String::from("groups:\n");
    let mut files = BTreeMap::new();
    for (g, methods) in &by_group {
        groups.push_str(&format!(
            "  - name: {g}\n    title: \"{g}\"\n    summary: Benchmark group.\n"
        ));
        for s in skeletons(&cat, methods, g).map_err(|e| e.to_string())? {
            files.insert(s.path, s.text);
        }
    }
    fs::write(spec.join("groups.yaml"), groups).map_err(|e| e.to_string())?;
    for (path, text) in &files {
        let p = spec.join(path);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        fs::write(&p, text).map_err(|e| e.to_string())?;
    }

    let t = Instant::now();
    let result = alipay_codegen::generate_from(&spec, Options { allow_todo: true });
    let gen_time = t.elapsed();
    let t = Instant::now();
    let ir = alipay_codegen::ir::load(&spec, Options { allow_todo: true });
    let load_time = t.elapsed();
    let _ = fs::remove_dir_all(&dir);
    let (out, _) = result.map_err(|e| e.to_string())?;
    let bytes: usize = out.values().map(String::len).sum();
    println!(
        "bench-codegen: {} methods in {} groups, {} spec files ({} models) -> {} Rust files ({:.1} MB)",
        chosen.len(),
        by_group.len(),
        files.len() + 1,
        files.keys().filter(|p| p.starts_with("models/")).count(),
        out.len(),
        bytes as f64 / 1e6
    );
    println!("  catalogue read: {read_time:.2?} (not counted)");
    println!("  load + check + generate: {gen_time:.2?} (goal < 3 s)");
    println!(
        "    of which load + check: {load_time:.2?} ({} methods in the IR)",
        ir.map(|i| i.methods.len()).unwrap_or(0)
    );
    if cfg!(debug_assertions) {
        println!("  note: debug build; `cargo run --release -p xtask -- bench-codegen` gives representative numbers");
    }
    Ok(())
}

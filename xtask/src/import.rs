//! `cargo xtask import` and `cargo xtask bench-codegen`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use alipay_codegen::catalog;
use alipay_codegen::import::{skeletons, CatField, CatMethod, CatModel, CatResponse, Catalog};
use alipay_codegen::Options;

/// The importer's view of the in-repo catalogue (`catalog/`, or `--catalog <dir>`).
fn read_catalog(root: &Path, args: &[String]) -> Result<Catalog, String> {
    let dir = flag(args, "--catalog")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::catalog::dir(root));
    let cat = catalog::load(&dir).map_err(|e| e.to_string())?;
    Ok(import_view(&cat))
}

fn import_field(f: &catalog::Field) -> CatField {
    CatField {
        name: f.name.clone(),
        ty: serde_json::to_value(f.ty)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        list: f.list,
        reference: f.reference.clone(),
        item: f.item.clone(),
    }
}

fn import_fields(fields: &[catalog::Field]) -> Vec<CatField> {
    fields.iter().map(import_field).collect()
}

fn import_view(cat: &catalog::Catalog) -> Catalog {
    let method = |m: &catalog::Method| CatMethod {
        version: Some(m.version.clone()),
        upload: m.upload,
        need_encrypt_default: m.need_encrypt_default,
        biz_content: m.biz_content,
        biz_model: m.biz_model.clone(),
        text_params: import_fields(&m.text_params),
        file_params: import_fields(&m.file_params),
        title_v3: m.title_v3.clone(),
        v3_route: m.v3_route.clone(),
    };
    Catalog {
        methods: cat
            .methods
            .iter()
            .map(|(k, m)| (k.clone(), method(m)))
            .collect(),
        models: (cat.models.iter())
            .map(|(k, m)| {
                (
                    k.clone(),
                    CatModel {
                        fields: import_fields(&m.fields),
                    },
                )
            })
            .collect(),
        responses: (cat.methods.iter())
            .map(|(k, m)| {
                let fields = import_fields(&m.response.fields);
                (k.clone(), CatResponse { fields })
            })
            .collect(),
    }
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
    if methods.is_empty() {
        return Err(format!("name at least one method\n{}", crate::USAGE));
    }
    let spec = flag(args, "--spec")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("spec"));
    let force = args.iter().any(|a| a == "--force");
    let cat = read_catalog(root, args)?;
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
    let n: Option<usize> = flag(args, "--methods")
        .map(|s| {
            s.parse()
                .map_err(|_| format!("--methods takes a number, not {s}"))
        })
        .transpose()?;

    let t = Instant::now();
    let cat = read_catalog(&crate::root(), args)?;
    let read_time = t.elapsed();

    // The catalogue's methods are the ones behind the docs navigation; with `--methods n`,
    // every k-th of them, so that many product lines are covered.
    let all: Vec<&String> = cat.methods.keys().collect();
    let n = n.unwrap_or(all.len());
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
    let out = result.map_err(|e| e.to_string())?.files;
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

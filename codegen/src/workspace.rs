//! Where the generated files go, and the freshness check.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::emit::{self, EmitError};
use crate::error::SpecErrors;
use crate::ir::{self, Options};

/// Folder of the generated module, relative to the repository root.
pub const GENERATED_DIR: &str = "alipay-api/src/generated";
/// The manifest holding the generated feature block.
pub const MANIFEST: &str = "alipay-api/Cargo.toml";
const BEGIN: &str = "# BEGIN GENERATED FEATURES\n";
const END: &str = "# END GENERATED FEATURES";
/// The README holding the generated feature table.
pub const README: &str = "README.md";
const TABLE_BEGIN: &str = "<!-- BEGIN GENERATED FEATURES -->\n";
const TABLE_END: &str = "<!-- END GENERATED FEATURES -->";

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    /// The spec has problems; each names its file and line.
    #[error("the spec has problems; fix them and run `cargo xtask codegen` again:\n{0}")]
    Spec(SpecErrors),
    /// The generator produced tokens that do not parse.
    #[error(transparent)]
    Emit(#[from] EmitError),
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// A file lacks the markers of its generated block.
    #[error("{0} has no generated block: add the marker lines `{1}` and `{2}` where it belongs")]
    NoFeatureBlock(String, &'static str, &'static str),
}

/// The full output of a generation run, keyed by path relative to the repository root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// Every file under `alipay-api/src/generated/` plus the updated manifest.
    pub files: BTreeMap<PathBuf, String>,
}

/// A file whose checked-in content differs from what generation produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// Path relative to the repository root.
    pub path: PathBuf,
    /// A unified diff from the checked-in to the expected content.
    pub diff: String,
}

fn io(path: &Path, e: std::io::Error) -> CodegenError {
    CodegenError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Replaces the generated feature block of a manifest.
pub fn splice_features(manifest: &str, block: &str) -> Option<String> {
    splice(manifest, BEGIN, END, block)
}

fn splice(manifest: &str, begin: &str, end_marker: &str, block: &str) -> Option<String> {
    let start = manifest.find(begin)? + begin.len();
    let end = start + manifest[start..].find(end_marker)?;
    Some(format!(
        "{}{}{}",
        &manifest[..start],
        block,
        &manifest[end..]
    ))
}

/// What one generation run produces, before it is placed in a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emitted {
    /// Files keyed by path relative to the generated folder.
    pub files: BTreeMap<String, String>,
    /// The manifest's feature block.
    pub features: String,
    /// The README's feature table.
    pub table: String,
}

/// Generates from a spec folder without touching the disk beyond reading it.
pub fn generate_from(spec_dir: &Path, opts: Options) -> Result<Emitted, CodegenError> {
    let ir = ir::load(spec_dir, opts).map_err(CodegenError::Spec)?;
    Ok(Emitted {
        files: emit::emit(&ir)?,
        features: emit::features_block(&ir),
        table: emit::feature_table(&ir),
    })
}

fn splice_file(
    root: &Path,
    rel: &str,
    (begin, end): (&'static str, &'static str),
    block: &str,
) -> Result<String, CodegenError> {
    let path = root.join(rel);
    let text = fs::read_to_string(&path).map_err(|e| io(&path, e))?;
    splice(&text, begin, end, block)
        .ok_or_else(|| CodegenError::NoFeatureBlock(rel.to_owned(), begin.trim_end(), end))
}

/// Generates everything for the repository at `root`.
pub fn generate(root: &Path) -> Result<Generated, CodegenError> {
    generate_with(root, Options::default())
}

/// [`generate`] with options (benchmarks generate skeleton specs with `allow_todo`).
pub fn generate_with(root: &Path, opts: Options) -> Result<Generated, CodegenError> {
    let e = generate_from(&root.join("spec"), opts)?;
    let mut out: BTreeMap<PathBuf, String> = e
        .files
        .into_iter()
        .map(|(p, s)| (Path::new(GENERATED_DIR).join(p), s))
        .collect();
    let manifest = splice_file(root, MANIFEST, (BEGIN, END), &e.features)?;
    out.insert(PathBuf::from(MANIFEST), manifest);
    let readme = splice_file(root, README, (TABLE_BEGIN, TABLE_END), &e.table)?;
    out.insert(PathBuf::from(README), readme);
    // The same table on the crate's front page (docs.rs).
    out.insert(Path::new(GENERATED_DIR).join("FEATURES.md"), e.table);
    Ok(Generated { files: out })
}

fn existing_generated(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, rel: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = fs::read_dir(dir) else { return };
        for e in rd.flatten() {
            let p = e.path();
            let r = rel.join(e.file_name());
            if p.is_dir() {
                walk(&p, &r, out);
            } else {
                out.push(r);
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &root.join(GENERATED_DIR),
        Path::new(GENERATED_DIR),
        &mut out,
    );
    out.sort();
    out
}

/// Files that differ from the checked-in tree, including stale extra files in the
/// generated folder (diffed against nothing).
pub fn check(root: &Path, g: &Generated) -> Vec<Stale> {
    let mut out = Vec::new();
    for (path, want) in &g.files {
        let have = fs::read_to_string(root.join(path)).unwrap_or_default();
        if &have != want {
            out.push(Stale {
                path: path.clone(),
                diff: diff(path, &have, want),
            });
        }
    }
    for path in existing_generated(root) {
        if !g.files.contains_key(&path) {
            let have = fs::read_to_string(root.join(&path)).unwrap_or_default();
            out.push(Stale {
                diff: diff(&path, &have, ""),
                path,
            });
        }
    }
    out
}

fn diff(path: &Path, old: &str, new: &str) -> String {
    let name = path.display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

/// Writes the files that changed and removes stale files from the generated folder.
/// Returns the paths written or removed.
pub fn write(root: &Path, g: &Generated) -> Result<Vec<PathBuf>, CodegenError> {
    let mut touched = Vec::new();
    for (path, want) in &g.files {
        let abs = root.join(path);
        if fs::read_to_string(&abs).ok().as_deref() == Some(want.as_str()) {
            continue;
        }
        if let Some(parent) = abs.parent() {
            fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        fs::write(&abs, want).map_err(|e| io(&abs, e))?;
        touched.push(path.clone());
    }
    for path in existing_generated(root) {
        if !g.files.contains_key(&path) {
            let abs = root.join(&path);
            fs::remove_file(&abs).map_err(|e| io(&abs, e))?;
            touched.push(path);
        }
    }
    // Remove folders left empty (a group that was dropped).
    if let Ok(rd) = fs::read_dir(root.join(GENERATED_DIR)) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir()
                && fs::read_dir(&p)
                    .map(|mut d| d.next().is_none())
                    .unwrap_or(false)
            {
                let _ = fs::remove_dir(&p);
            }
        }
    }
    Ok(touched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splices_only_between_the_markers() {
        let m = "[features]\ndefault = []\n# BEGIN GENERATED FEATURES\nold = []\n# END GENERATED FEATURES\n[x]\n";
        assert_eq!(
            splice_features(m, "a = []\n").as_deref(),
            Some("[features]\ndefault = []\n# BEGIN GENERATED FEATURES\na = []\n# END GENERATED FEATURES\n[x]\n")
        );
        assert_eq!(splice_features("[features]\n", "a = []\n"), None);
    }

    #[test]
    fn check_reports_changed_and_extra_files_and_write_fixes_them() {
        let root = std::env::temp_dir().join(format!("alipay-codegen-ws-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let gen = Path::new(GENERATED_DIR);
        let g = Generated {
            files: [
                (gen.join("mod.rs"), "pub mod a;\n".to_owned()),
                (gen.join("a/mod.rs"), "// a\n".to_owned()),
            ]
            .into_iter()
            .collect(),
        };
        assert_eq!(check(&root, &g).len(), 2, "missing files are stale");
        write(&root, &g).unwrap();
        assert!(check(&root, &g).is_empty());

        fs::write(root.join(gen).join("a/mod.rs"), "// edited by hand\n").unwrap();
        fs::create_dir_all(root.join(gen).join("old")).unwrap();
        fs::write(root.join(gen).join("old/mod.rs"), "// dropped group\n").unwrap();
        let stale = check(&root, &g);
        let paths: Vec<String> = stale.iter().map(|s| s.path.display().to_string()).collect();
        assert_eq!(
            paths,
            [
                format!("{GENERATED_DIR}/a/mod.rs"),
                format!("{GENERATED_DIR}/old/mod.rs")
            ]
        );
        assert!(
            stale[0].diff.contains("-// edited by hand\n+// a"),
            "{}",
            stale[0].diff
        );
        assert!(
            stale[1].diff.contains("-// dropped group"),
            "{}",
            stale[1].diff
        );

        let touched = write(&root, &g).unwrap();
        assert_eq!(touched.len(), 2);
        assert!(check(&root, &g).is_empty());
        assert!(
            !root.join(gen).join("old").exists(),
            "empty folders are removed"
        );
        let _ = fs::remove_dir_all(&root);
    }
}

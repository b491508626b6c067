//! Reading a folder of the repository as it was at a commit, through the `git` command.

use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The manifest whose version the breaking-change rule reads.
pub const MANIFEST: &str = "alipay-api/Cargo.toml";

/// One side of a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Side {
    /// The files on disk.
    WorkTree,
    /// A commit, and how it was named.
    Commit {
        /// The name given, e.g. `main` or `HEAD~3`.
        label: String,
        /// The full commit id.
        commit: String,
    },
}

fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| format!("could not run git ({e}); spec-diff needs git on the PATH"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn commit(root: &Path, rev: &str) -> Result<Side, String> {
    let spec = format!("{rev}^{{commit}}");
    let id = git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ],
    )
    .map_err(|_| format!("`{rev}` is not a commit of this repository"))?;
    Ok(Side::Commit {
        label: rev.to_owned(),
        commit: String::from_utf8_lossy(&id).trim().to_owned(),
    })
}

fn id(side: &Side) -> &str {
    match side {
        Side::Commit { commit, .. } => commit,
        Side::WorkTree => "",
    }
}

/// Reads `A..B` (either end defaults to `HEAD`), `A...B` (from the merge base of `A` and
/// `B`, as a pull request sees it) or a single `A` (from `A` to the working tree).
pub fn parse_range(root: &Path, range: &str) -> Result<(Side, Side), String> {
    let or_head = |s: &str| {
        if s.is_empty() {
            "HEAD".to_owned()
        } else {
            s.to_owned()
        }
    };
    if let Some((from, to)) = range.split_once("...") {
        let (from, to) = (or_head(from), or_head(to));
        let (a, head) = (commit(root, &from)?, commit(root, &to)?);
        let base = git(root, &["merge-base", id(&a), id(&head)])?;
        let base = Side::Commit {
            label: format!("merge base of {from} and {to}"),
            commit: String::from_utf8_lossy(&base).trim().to_owned(),
        };
        return Ok((base, head));
    }
    match range.split_once("..") {
        Some((a, b)) => Ok((commit(root, &or_head(a))?, commit(root, &or_head(b))?)),
        None => Ok((commit(root, range)?, Side::WorkTree)),
    }
}

/// The text of one file at a commit.
pub fn show(root: &Path, commit: &str, path: &str) -> Result<String, String> {
    let bytes = git(root, &["show", &format!("{commit}:{path}")])?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Writes the files under `path` at `commit` into `dest/path`, with one `git cat-file`.
pub fn extract(root: &Path, commit: &str, path: &str, dest: &Path) -> Result<(), String> {
    let list = git(root, &["ls-tree", "-r", "-z", commit, "--", path])?;
    // Each entry: "<mode> <type> <object>\t<path>\0"; only regular files are kept.
    let blobs: Vec<(String, PathBuf)> = list
        .split(|b| *b == 0)
        .filter_map(|entry| {
            let entry = std::str::from_utf8(entry).ok()?;
            let (meta, file) = entry.split_once('\t')?;
            let mut meta = meta.split(' ');
            let (mode, kind, object) = (meta.next()?, meta.next()?, meta.next()?);
            let safe = Path::new(file)
                .components()
                .all(|c| matches!(c, Component::Normal(_)));
            (kind == "blob" && mode != "120000" && safe)
                .then(|| (object.to_owned(), PathBuf::from(file)))
        })
        .collect();
    let contents = cat_blobs(
        root,
        &blobs.iter().map(|b| b.0.as_str()).collect::<Vec<_>>(),
    )?;
    for ((_, file), bytes) in blobs.iter().zip(contents) {
        let target = dest.join(file);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&target, bytes).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    Ok(())
}

/// The contents of blobs by object id, in order, from one `git cat-file --batch`.
fn cat_blobs(root: &Path, objects: &[&str]) -> Result<Vec<Vec<u8>>, String> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not run git cat-file ({e})"))?;
    let input: String = objects.iter().map(|o| format!("{o}\n")).collect();
    let mut stdin = child.stdin.take().ok_or("git cat-file: no stdin")?;
    // Written from a thread: git answers while it reads, and a full pipe would block both.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .map_err(|e| format!("git cat-file: {e}"))?;
    let _ = writer.join();
    let mut rest = &out.stdout[..];
    let mut blobs = Vec::with_capacity(objects.len());
    for o in objects {
        let header_end = rest
            .iter()
            .position(|b| *b == b'\n')
            .ok_or("git cat-file: truncated output")?;
        let header = String::from_utf8_lossy(&rest[..header_end]).into_owned();
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .filter(|_| header.starts_with(*o) && header.contains(" blob "))
            .ok_or_else(|| format!("git cat-file: unexpected header `{header}`"))?;
        let body = rest
            .get(header_end + 1..header_end + 1 + size)
            .ok_or("git cat-file: truncated output")?;
        blobs.push(body.to_vec());
        rest = rest.get(header_end + 2 + size..).unwrap_or_default();
    }
    Ok(blobs)
}

/// A folder under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty folder named after the process, `tag` and a counter.
    pub fn new(tag: &str) -> Result<Self, String> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("alipay-spec-diff-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(TempDir(dir))
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

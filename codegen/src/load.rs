//! Reading the spec folder into the raw serde structs, keeping each file's text so that
//! later semantic errors can point at a line.

use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::error::{ErrorKind, SpecErrors};
use crate::spec::{FieldsFile, GroupsFile, MethodSpec, ModelSpec, NotificationSpec};

/// One parsed spec file.
#[derive(Debug, Clone)]
pub struct Source<T> {
    /// Path shown in messages and headers, e.g. `spec/methods/trade/alipay.trade.query.yaml`.
    pub path: PathBuf,
    /// The folder directly containing the file (the group folder for methods).
    pub folder: String,
    /// The file name without `.yaml`.
    pub stem: String,
    /// The raw text.
    pub text: String,
    /// The parsed content.
    pub value: T,
}

/// Every spec file, parsed but not yet checked for consistency.
#[derive(Debug, Clone)]
pub struct RawSpec {
    /// `groups.yaml`, unless it failed to parse.
    pub groups: Option<Source<GroupsFile>>,
    /// Shared field definitions, sorted by path.
    pub fields: Vec<Source<FieldsFile>>,
    /// Method files, sorted by path.
    pub methods: Vec<Source<MethodSpec>>,
    /// Model files, sorted by path.
    pub models: Vec<Source<ModelSpec>>,
    /// Notification files, sorted by path.
    pub notifications: Vec<Source<NotificationSpec>>,
    /// Stems of model files that failed to parse: references to them are not
    /// reported again as unknown types.
    pub broken_models: Vec<String>,
}

fn display_base(spec_dir: &Path) -> PathBuf {
    spec_dir
        .file_name()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("spec"))
}

fn parse<T: DeserializeOwned>(
    abs: &Path,
    shown: PathBuf,
    folder: String,
    errors: &mut SpecErrors,
) -> Option<Source<T>> {
    let text = match fs::read_to_string(abs) {
        Ok(t) => t,
        Err(e) => {
            errors.push(
                &shown,
                None,
                ErrorKind::Io {
                    message: e.to_string(),
                },
            );
            return None;
        }
    };
    let stem = abs
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.strip_suffix(".yaml").unwrap_or(n).to_owned())
        .unwrap_or_default();
    if let Err(message) = within_limits(&text) {
        errors.push(&shown, None, ErrorKind::Invalid { message });
        return None;
    }
    match serde_yaml::from_str::<T>(&text) {
        Ok(value) => Some(Source {
            path: shown,
            folder,
            stem,
            text,
            value,
        }),
        Err(e) => {
            let line = e.location().map(|l| l.line());
            // serde_yaml appends " at line N column M"; the line is already in front.
            let mut message = e.to_string();
            if let Some(i) = message.find(" at line ") {
                message.truncate(i);
            }
            errors.push(&shown, line, ErrorKind::Yaml { message });
            None
        }
    }
}

/// The largest spec file accepted; the biggest real one is a few dozen kilobytes.
pub const MAX_FILE_BYTES: usize = 1 << 20;
/// The deepest nesting accepted (flow brackets and block indentation levels).
pub const MAX_DEPTH: usize = 64;

/// Refuses files that are too big or too deeply nested before the YAML parser sees them:
/// the parser's time grows badly with nesting, and a spec file is never more than a few
/// levels deep. The check is one linear pass over the text.
fn within_limits(text: &str) -> Result<(), String> {
    if text.len() > MAX_FILE_BYTES {
        return Err(format!(
            "file is {} bytes; spec files are at most {MAX_FILE_BYTES} bytes: split it",
            text.len()
        ));
    }
    let mut flow = 0usize;
    for line in text.lines() {
        // Block nesting: two columns of indentation (or one `- `) per level.
        let indent = line.len() - line.trim_start_matches([' ', '-']).len();
        if indent / 2 > MAX_DEPTH {
            return Err(format!("nesting deeper than {MAX_DEPTH} levels"));
        }
        for b in line.bytes() {
            match b {
                b'[' | b'{' => {
                    flow += 1;
                    if flow > MAX_DEPTH {
                        return Err(format!("nesting deeper than {MAX_DEPTH} levels"));
                    }
                }
                b']' | b'}' => flow = flow.saturating_sub(1),
                _ => {}
            }
        }
    }
    Ok(())
}

/// Lists `*.yaml` files of a folder, sorted; a missing folder is empty. Other files are
/// reported, because a `.yml` file silently ignored would be a surprise.
fn yaml_files(dir: &Path, shown: &Path, errors: &mut SpecErrors) -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return out,
        Err(e) => {
            errors.push(
                shown,
                None,
                ErrorKind::Io {
                    message: e.to_string(),
                },
            );
            return out;
        }
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if path.is_dir() || name.starts_with('.') || name.ends_with(".md") {
            continue;
        }
        if name.ends_with(".yaml") {
            out.push((path, shown.join(&name)));
        } else {
            errors.push(
                &shown.join(&name),
                None,
                ErrorKind::Invalid {
                    message: "not a spec file: spec files end in `.yaml`".to_owned(),
                },
            );
        }
    }
    out.sort();
    out
}

fn subdirs(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Reads and parses every file under `spec_dir`. Collects every syntax and schema
/// error rather than stopping at the first, and returns what did parse so that the
/// consistency checks can run on it too.
pub fn load_raw(spec_dir: &Path) -> (RawSpec, SpecErrors) {
    let base = display_base(spec_dir);
    let mut errors = SpecErrors::default();

    let groups = parse::<GroupsFile>(
        &spec_dir.join("groups.yaml"),
        base.join("groups.yaml"),
        String::new(),
        &mut errors,
    );

    let mut fields = Vec::new();
    for (abs, shown) in yaml_files(&spec_dir.join("fields"), &base.join("fields"), &mut errors) {
        if let Some(s) = parse::<FieldsFile>(&abs, shown, "fields".into(), &mut errors) {
            fields.push(s);
        }
    }

    let mut methods = Vec::new();
    let methods_dir = spec_dir.join("methods");
    for (folder, dir) in subdirs(&methods_dir) {
        let shown = base.join("methods").join(&folder);
        for (abs, shown) in yaml_files(&dir, &shown, &mut errors) {
            if let Some(s) = parse::<MethodSpec>(&abs, shown, folder.clone(), &mut errors) {
                methods.push(s);
            }
        }
    }
    // A method file directly under methods/ has no group folder.
    for (abs, shown) in yaml_files(&methods_dir, &base.join("methods"), &mut errors) {
        if let Some(s) = parse::<MethodSpec>(&abs, shown, String::new(), &mut errors) {
            methods.push(s);
        }
    }

    let mut models = Vec::new();
    let mut broken_models = Vec::new();
    for (abs, shown) in yaml_files(&spec_dir.join("models"), &base.join("models"), &mut errors) {
        match parse::<ModelSpec>(&abs, shown, "models".into(), &mut errors) {
            Some(s) => models.push(s),
            None => broken_models.push(
                abs.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ),
        }
    }

    let mut notifications = Vec::new();
    for (abs, shown) in yaml_files(
        &spec_dir.join("notifications"),
        &base.join("notifications"),
        &mut errors,
    ) {
        if let Some(s) = parse::<NotificationSpec>(&abs, shown, "notifications".into(), &mut errors)
        {
            notifications.push(s);
        }
    }

    (
        RawSpec {
            groups,
            fields,
            methods,
            models,
            notifications,
            broken_models,
        },
        errors,
    )
}

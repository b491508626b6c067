//! Spec errors: each names the file and, where it can be found, the line.

use std::fmt;
use std::path::{Path, PathBuf};

/// What is wrong with a spec file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file or folder could not be read.
    #[error("cannot read: {message}")]
    Io {
        /// The operating system's message.
        message: String,
    },
    /// YAML syntax error, unknown key, missing key or wrong value type.
    #[error("{message}")]
    Yaml {
        /// The parser's message.
        message: String,
    },
    /// A type expression names a model that does not exist.
    #[error("unknown type `{name}`: add spec/models/{name}.yaml or fix the name")]
    UnknownType {
        /// The name used.
        name: String,
    },
    /// A type expression that does not parse.
    #[error("bad type expression `{expr}`: use string, integer, boolean, amount, datetime, date, file, a model name, list<T> or json<T>")]
    BadTypeExpr {
        /// The expression.
        expr: String,
    },
    /// Two things with the same name.
    #[error("duplicate {what} `{name}`: names must be unique")]
    Duplicate {
        /// What kind of thing (field, model, method, …).
        what: &'static str,
        /// The name.
        name: String,
    },
    /// A one-of group naming a field that does not exist.
    #[error("one_of names `{name}`, which is not a field here")]
    OneOfUnknownField {
        /// The name.
        name: String,
    },
    /// A one-of group with fewer than two fields.
    #[error("a one_of group needs at least two fields")]
    OneOfTooSmall,
    /// The file name does not match the name inside.
    #[error("file name does not match its content: expected `{expected}`")]
    FileName {
        /// The file name the content calls for.
        expected: String,
    },
    /// A method file in another group's folder.
    #[error(
        "method of family `{group}` is in folder `{folder}`: move it to spec/methods/{group}/"
    )]
    WrongGroupFolder {
        /// The group the file names.
        group: String,
        /// The folder it is in.
        folder: String,
    },
    /// A group that `groups.yaml` does not declare.
    #[error("unknown family `{group}`: declare it under `families` in spec/groups.yaml")]
    UnknownGroup {
        /// The group name.
        group: String,
    },
    /// `default` together with `fixed`.
    #[error("field `{field}` has both `default` and `fixed`: keep one")]
    DefaultAndFixed {
        /// The field.
        field: String,
    },
    /// `required` together with `fixed`.
    #[error("field `{field}` is `fixed`, so `required` is pointless: remove it")]
    RequiredAndFixed {
        /// The field.
        field: String,
    },
    /// `in: file` with a non-file type, or a file type elsewhere.
    #[error("field `{field}`: type `file` and `in: file` go together")]
    FilePlacement {
        /// The field.
        field: String,
    },
    /// A value (default, fixed, range, …) that does not fit the field's type.
    #[error("field `{field}`: {message}")]
    BadValue {
        /// The field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A name that cannot become a Rust identifier or clashes with another.
    #[error("{message}")]
    Naming {
        /// What is wrong and what to do.
        message: String,
    },
    /// A placeholder left by `cargo xtask import`.
    #[error("`{key}` is still a TODO placeholder: write it in your own words")]
    Todo {
        /// The key holding the placeholder.
        key: String,
    },
    /// A summary or title that says nothing.
    #[error("`{key}` is a placeholder (empty, `...`, or under two words): say what it is in your own words")]
    Placeholder {
        /// The key holding the placeholder.
        key: String,
    },
    /// A constraint without a source.
    #[error("`{field}`: `{key}` has no source: add `source:` (or `sources: {{{key}: ...}}`) naming the docs page, `catalog`, an official SDK or `inferred: <reason>`")]
    MissingSource {
        /// The field (or rule) name.
        field: String,
        /// The constraint key.
        key: String,
    },
    /// A source string that is not one of the documented forms.
    #[error("bad source `{source_text}`: {message}")]
    BadSource {
        /// The text given.
        source_text: String,
        /// What is wrong.
        message: String,
    },
    /// Anything else that is inconsistent.
    #[error("{message}")]
    Invalid {
        /// What is wrong and what to do.
        message: String,
    },
}

/// One problem in one spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The file, relative to the spec folder's parent when possible.
    pub path: PathBuf,
    /// 1-based line, when it could be found.
    pub line: Option<usize>,
    /// What is wrong.
    pub kind: ErrorKind,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display().to_string().replace('\\', "/");
        match self.line {
            Some(line) => write!(f, "{path}:{line}: {}", self.kind),
            None => write!(f, "{path}: {}", self.kind),
        }
    }
}

impl std::error::Error for SpecError {}

/// Every problem found in the spec.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpecErrors(pub Vec<SpecError>);

impl SpecErrors {
    /// Adds one problem.
    pub fn push(&mut self, path: &Path, line: Option<usize>, kind: ErrorKind) {
        self.0.push(SpecError {
            path: path.to_path_buf(),
            line,
            kind,
        });
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sorted by file and line so the report reads top to bottom.
    pub fn sorted(mut self) -> Self {
        self.0.sort_by(|a, b| {
            (&a.path, a.line, a.kind.to_string()).cmp(&(&b.path, b.line, b.kind.to_string()))
        });
        self.0.dedup();
        self
    }
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecErrors {}

/// Finds the line of a key (and optionally its value) in YAML text, after a chain of
/// anchors: each anchor is searched from the line of the previous one on. Returns the
/// line of the last anchor that was found, so a partly found chain still points close.
pub fn locate(text: &str, anchors: &[(&str, Option<&str>)]) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut from = 0usize;
    let mut found = None;
    for (key, value) in anchors {
        let hit = lines
            .iter()
            .enumerate()
            .skip(from)
            .find(|(_, l)| line_matches(l, key, *value));
        match hit {
            Some((i, _)) => {
                found = Some(i + 1);
                from = i + 1;
            }
            None => break,
        }
    }
    found
}

fn line_matches(line: &str, key: &str, value: Option<&str>) -> bool {
    let mut t = line.trim_start();
    while let Some(rest) = t.strip_prefix("- ") {
        t = rest.trim_start();
    }
    let Some(rest) = t.strip_prefix(key) else {
        return false;
    };
    let Some(rest) = rest.trim_start().strip_prefix(':') else {
        return false;
    };
    match value {
        None => true,
        Some(v) => {
            let rest = rest.split(" #").next().unwrap_or_default().trim();
            let unq = rest
                .strip_prefix('"')
                .and_then(|r| r.strip_suffix('"'))
                .or_else(|| rest.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))
                .unwrap_or(rest);
            unq == v || rest.contains(v) && (rest.starts_with('[') || rest.starts_with('{'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_keys() {
        let text = "method: a\nrequest:\n  params:\n    - name: x\n      type: string\n    - name: \"y\"\n      type: Foo\n";
        assert_eq!(
            locate(text, &[("name", Some("y")), ("type", None)]),
            Some(7)
        );
        assert_eq!(
            // A chain that breaks off points at the last anchor found.
            locate(text, &[("name", Some("x")), ("name", Some("x"))]),
            Some(4)
        );
        assert_eq!(locate(text, &[("name", Some("x"))]), Some(4));
        assert_eq!(locate(text, &[("name", Some("z"))]), None);
        assert_eq!(
            locate(text, &[("request", None), ("name", Some("z"))]),
            Some(2)
        );
    }
}

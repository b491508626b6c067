//! A small command-line parser shared by the xtask commands: `--name value` options,
//! `--flag` switches and positional arguments, with unknown options refused.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Parsed arguments of one command.
#[derive(Debug, Default)]
pub struct Args {
    values: BTreeMap<String, String>,
    flags: BTreeSet<String>,
    /// Arguments that are not options, in order.
    pub positional: Vec<String>,
}

impl Args {
    /// Parses `args`; `switches` take no value, `options` take one.
    pub fn parse(args: &[String], switches: &[&str], options: &[&str]) -> Result<Self, String> {
        let mut out = Args::default();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if switches.contains(&a.as_str()) {
                out.flags.insert(a.clone());
            } else if options.contains(&a.as_str()) {
                let v = it.next().ok_or_else(|| format!("{a} needs a value"))?;
                out.values.insert(a.clone(), v.clone());
            } else if a.starts_with("--") {
                return Err(format!("unknown option {a}\n{}", crate::USAGE));
            } else {
                out.positional.push(a.clone());
            }
        }
        Ok(out)
    }

    /// The value of `--name`.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The value of `--name` as a path, or `default()`.
    pub fn path_or(&self, name: &str, default: impl FnOnce() -> PathBuf) -> PathBuf {
        self.value(name).map(PathBuf::from).unwrap_or_else(default)
    }

    /// Whether the switch `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.flags.contains(name)
    }
}

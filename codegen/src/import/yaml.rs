//! Writing spec YAML by hand: a skeleton keeps the spec's key order and layout, which a
//! serialiser would not.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A YAML scalar: plain when that reads back as the same string, quoted otherwise.
pub fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || "_-./ ".contains(c) || !c.is_ascii())
        && !s.starts_with([' ', '-', '.'])
        && !s.ends_with(' ')
        && s.parse::<f64>().is_err()
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "null" | "on" | "off" | "y" | "n" | "~"
        );
    if plain {
        s.to_owned()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
    }
}

/// `key: value` lines at an indent.
pub struct Block {
    pub text: String,
    indent: String,
}

impl Block {
    pub fn new(indent: usize) -> Self {
        Block {
            text: String::new(),
            indent: " ".repeat(indent),
        }
    }

    /// `key: value` (the value written as given).
    pub fn raw(&mut self, key: &str, value: impl std::fmt::Display) -> &mut Self {
        let _ = writeln!(self.text, "{}{key}: {value}", self.indent);
        self
    }

    /// `key: "text"` with YAML quoting as needed.
    pub fn str(&mut self, key: &str, value: &str) -> &mut Self {
        self.raw(key, scalar(value))
    }

    /// A `derived:` map, if not empty.
    pub fn derived(&mut self, notes: &BTreeMap<String, String>) -> &mut Self {
        if !notes.is_empty() {
            let _ = writeln!(self.text, "{}derived:", self.indent);
            for (k, v) in notes {
                let _ = writeln!(self.text, "{}  {k}: {}", self.indent, scalar(v));
            }
        }
        self
    }

    /// A `sources:` map, if not empty.
    pub fn sources(&mut self, sources: &BTreeMap<String, String>) -> &mut Self {
        if !sources.is_empty() {
            let _ = writeln!(self.text, "{}sources:", self.indent);
            for (k, v) in sources {
                let _ = writeln!(self.text, "{}  {k}: {}", self.indent, scalar(v));
            }
        }
        self
    }

    /// The block as a list item: its first line gets `- `.
    pub fn item(self) -> String {
        let dash = format!("{}- ", &self.indent[..self.indent.len().saturating_sub(2)]);
        match self.text.strip_prefix(self.indent.as_str()) {
            Some(rest) => format!("{dash}{rest}"),
            None => self.text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_read_back_as_written() {
        for s in [
            "TODO",
            "统一收单交易查询",
            "a: b",
            "10",
            "true",
            "",
            " x",
            "#EMPTY#",
            "x\"y",
        ] {
            let back: String = serde_yaml::from_str(&scalar(s)).unwrap();
            assert_eq!(back, s);
        }
        assert_eq!(scalar("alipay.trade.query"), "alipay.trade.query");
    }
}

//! Sources of facts: the grammar of a source string, and the rule that every constraint
//! names one (`spec/README.md`, "Sources").

use std::collections::BTreeMap;

/// Where a fact comes from, parsed from its source string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceRef {
    /// A docs page: this method's (`page: None`), another method's, or a URL.
    Docs {
        /// A method name or an `https://` URL; `None` for the current method.
        page: Option<String>,
        /// A section of the page.
        section: Option<String>,
    },
    /// One of the seed docs pages, by number.
    Seed {
        /// The page number, e.g. `000`.
        page: String,
        /// A section of the page.
        section: Option<String>,
    },
    /// The official catalogue, with an optional note.
    Catalog(Option<String>),
    /// Another official SDK and where in it.
    Sdk(String),
    /// Our own reasoning.
    Inferred(String),
}

fn split_section(s: &str) -> (String, Option<String>) {
    match s.split_once('#') {
        Some((a, b)) => (a.trim().to_owned(), Some(b.trim().to_owned())),
        None => (s.trim().to_owned(), None),
    }
}

impl SourceRef {
    /// Parses a source string; the error says which forms are accepted.
    pub fn parse(text: &str) -> Result<SourceRef, String> {
        let t = text.trim();
        let (head, rest) = match t.split_once(':') {
            // `docs#…` has no colon before the hash.
            Some((h, r)) if !h.contains('#') => (h.trim(), Some(r.trim())),
            _ => (t.split('#').next().unwrap_or_default().trim(), None),
        };
        match (head, rest) {
            ("docs", None) => {
                let (_, section) = split_section(t);
                Ok(SourceRef::Docs { page: None, section })
            }
            ("docs", Some(r)) => {
                // A URL keeps its own colon: `docs:https://…`.
                let (page, section) = split_section(r);
                let ok = page.starts_with("https://") || is_method_name(&page);
                if !ok {
                    return Err("after `docs:` give a method name or an https:// URL".into());
                }
                Ok(SourceRef::Docs { page: Some(page), section })
            }
            ("seed", Some(r)) => {
                let (page, section) = split_section(r);
                if page.is_empty() || !page.bytes().all(|b| b.is_ascii_digit()) {
                    return Err("after `seed:` give the page number, e.g. `seed:000#附录`".into());
                }
                Ok(SourceRef::Seed { page, section })
            }
            ("catalog", None) if t == "catalog" => Ok(SourceRef::Catalog(None)),
            ("catalog", Some(r)) if !r.is_empty() => Ok(SourceRef::Catalog(Some(r.to_owned()))),
            ("sdk", Some(r)) if r.split_whitespace().count() >= 2 => Ok(SourceRef::Sdk(r.to_owned())),
            ("sdk", _) => Err("write `sdk:<sdk name> <class or file>`".into()),
            ("inferred", Some(r)) if r.split_whitespace().count() >= 2 => {
                Ok(SourceRef::Inferred(r.to_owned()))
            }
            ("inferred", _) => Err("`inferred:` needs the reason, in a few words".into()),
            _ => Err(
                "use docs[#section], docs:<method or URL>[#section], seed:<NNN>[#section], catalog[: note], sdk:<name> <where> or inferred: <reason>".into(),
            ),
        }
    }

    /// Whether the source needs the current method's `docs:` URL.
    pub fn needs_own_docs(&self) -> bool {
        matches!(self, SourceRef::Docs { page: None, .. })
    }
}

fn is_method_name(s: &str) -> bool {
    s.contains('.')
        && s.split('.').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
}

/// The constraint keys that need a source, as spelled in the spec.
pub const CONSTRAINT_KEYS: &[&str] = &[
    "required",
    "min_length",
    "max_length",
    "pattern",
    "range",
    "max_items",
    "max_bytes",
    "values",
    "closed",
    "default",
    "fixed",
    "clearable",
];

/// Checks one source text where it stands: it must be a form of the grammar, and cite
/// `docs` (this file's own page) only in a file that has a `docs:` page. Reports what is
/// wrong at `at`; returns whether the text passed.
pub(super) fn check_text(
    cx: &mut super::cx::Cx<'_>,
    file: &super::cx::FileRef<'_>,
    at: &[(&str, Option<&str>)],
    text: &str,
    has_own_docs: bool,
) -> bool {
    let message = match SourceRef::parse(text) {
        Ok(s) if s.needs_own_docs() && !has_own_docs => "this file has no `docs:` page of its \
            own to cite: name the page, e.g. `docs:alipay.trade.pay#请求参数`"
            .to_owned(),
        Ok(_) => return true,
        Err(message) => message,
    };
    let source_text = text.to_owned();
    cx.err(
        file,
        at,
        crate::error::ErrorKind::BadSource {
            source_text,
            message,
        },
    );
    false
}

/// Resolves, for each constraint key present, the source that covers it: the key's own
/// entry in `sources`, else `source`. Returns the keys left without one.
pub fn resolve(
    present: &[&'static str],
    source: Option<&str>,
    sources: &BTreeMap<String, String>,
    out: &mut BTreeMap<String, String>,
) -> Vec<&'static str> {
    let mut missing = Vec::new();
    for key in present {
        match sources.get(*key).map(String::as_str).or(source) {
            Some(s) => {
                out.insert((*key).to_owned(), s.to_owned());
            }
            None => missing.push(*key),
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_form_parses() {
        assert_eq!(
            SourceRef::parse("docs#请求参数"),
            Ok(SourceRef::Docs {
                page: None,
                section: Some("请求参数".into())
            })
        );
        assert_eq!(
            SourceRef::parse("docs"),
            Ok(SourceRef::Docs {
                page: None,
                section: None
            })
        );
        assert_eq!(
            SourceRef::parse("docs:alipay.trade.pay#响应参数"),
            Ok(SourceRef::Docs {
                page: Some("alipay.trade.pay".into()),
                section: Some("响应参数".into())
            })
        );
        assert!(matches!(
            SourceRef::parse("docs:https://opendocs.alipay.com/open/x#y"),
            Ok(SourceRef::Docs { page: Some(p), .. }) if p == "https://opendocs.alipay.com/open/x"
        ));
        assert!(matches!(
            SourceRef::parse("seed:000#附录"),
            Ok(SourceRef::Seed { .. })
        ));
        assert_eq!(SourceRef::parse("catalog"), Ok(SourceRef::Catalog(None)));
        assert!(matches!(
            SourceRef::parse("catalog: 单位为元"),
            Ok(SourceRef::Catalog(Some(_)))
        ));
        assert!(matches!(
            SourceRef::parse("sdk:alipay-sdk-java-v3 AlipayTradePayModel"),
            Ok(SourceRef::Sdk(_))
        ));
        assert!(matches!(
            SourceRef::parse("inferred: ISO 4217 codes"),
            Ok(SourceRef::Inferred(_))
        ));
    }

    #[test]
    fn vague_sources_are_rejected() {
        for bad in [
            "",
            "the docs",
            "inferred:",
            "inferred: guess",
            "sdk:java",
            "docs:somewhere",
            "seed:x",
            "catalog:",
        ] {
            assert!(SourceRef::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}

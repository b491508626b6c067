//! A captured notification body: decoded and verified with the runtime's own
//! parser and check; the variants re-read the raw body the ways known mistakes do.

use alipay_api::protocol::notify::{self, NotifyScheme};
use alipay_api::protocol::notify_content;

use super::causes::Cause;
use super::keyring::Keyring;
use super::{decode_signature, encode, other_charset, Diagnosis, Scheme, VerifyReport};
use crate::error::CliError;

type Pairs = Vec<(String, String)>;

const V1: &[&str] = &["sign", "sign_type"];
const V2: &[&str] = &["sign"];

fn get<'a>(pairs: &'a Pairs, key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn content(pairs: &Pairs, exclude: &[&str]) -> String {
    notify_content(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), exclude)
}

/// The parameters one string rule leaves out.
type Rule = &'static [&'static str];

/// The string rules the scheme accepts, and the other rule for the in/out check.
fn rules(scheme: Scheme) -> (&'static [Rule], Option<(Rule, Cause)>) {
    match scheme {
        Scheme::V1 => (&[V1], Some((V2, Cause::SignTypeIncluded))),
        Scheme::V2 => (&[V2], Some((V1, Cause::SignTypeExcluded))),
        Scheme::Auto => (&[V1, V2], None),
    }
}

/// Splits a raw body into pairs, decoding each part `times` times (`+` and `%xx`)
/// and reading the bytes as `charset`. `None` when they are not text there.
fn raw_pairs(body: &[u8], times: usize, charset: &str) -> Option<Pairs> {
    let enc = encoding_rs::Encoding::for_label(charset.as_bytes())?;
    let text = |part: &[u8]| {
        let mut bytes = part.to_vec();
        for _ in 0..times {
            let plus: Vec<u8> = bytes
                .iter()
                .map(|&b| if b == b'+' { b' ' } else { b })
                .collect();
            bytes = percent_encoding::percent_decode(&plus).collect();
        }
        enc.decode_without_bom_handling_and_without_replacement(&bytes)
            .map(|c| c.into_owned())
    };
    body.split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.iter().position(|&b| b == b'=') {
            Some(i) => Some((text(&p[..i])?, text(&p[i + 1..])?)),
            None => Some((text(p)?, String::new())),
        })
        .collect()
}

/// The charset the raw body declares (its `charset` parameter), UTF-8 by default.
fn declared_charset(body: &[u8]) -> String {
    raw_pairs(body, 1, "latin1")
        .and_then(|p| get(&p, "charset").map(|c| c.trim().to_ascii_lowercase()))
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "utf-8".into())
}

/// Verifies a notification body.
pub fn verify(body: &[u8], scheme: Scheme, ring: &Keyring) -> Result<VerifyReport, CliError> {
    let mut report = VerifyReport::new("notification", ring);
    let charset = declared_charset(body);
    report.charset = charset.clone();
    let (accepted, _) = rules(scheme);
    report.rule = Some(match scheme {
        Scheme::V1 => "V1: sign and sign_type left out".into(),
        Scheme::V2 => "V2: only sign left out".into(),
        Scheme::Auto => "V1 or V2".into(),
    });
    let parsed = notify::parse_form(body);
    match &parsed {
        Ok(pairs) => {
            report.string_verified = content(pairs, accepted[0]);
            if get(pairs, "sign").is_none_or(str::is_empty) {
                report.problem = Some("the body carries no `sign`; it proves nothing".into());
                return Ok(report);
            }
            let runtime_scheme = match scheme {
                Scheme::V1 => NotifyScheme::V1,
                Scheme::V2 => NotifyScheme::V2,
                Scheme::Auto => NotifyScheme::Auto,
            };
            let outcome = match &ring.configured {
                Some(k) => {
                    notify::verify_params(pairs.clone(), &[k], ring.sign_type, runtime_scheme)
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                }
                None => Err(format!(
                    "the configured key cannot be read: {}",
                    ring.configured_error.as_deref().unwrap_or("no key")
                )),
            };
            match outcome {
                Ok(()) => {
                    report.verified = true;
                    return Ok(report);
                }
                Err(e) => report.problem = Some(e),
            }
        }
        Err(e) => report.problem = Some(e.to_string()),
    }
    let mut d = Diagnosis::new(ring);
    if let Ok(pairs) = &parsed {
        diagnose_pairs(&mut d, pairs, scheme, &charset);
    }
    diagnose_raw(&mut d, body, accepted, &charset);
    if parsed.is_err() && d.found.is_empty() {
        return Err(CliError::input(format!(
            "the notification body cannot be read: {}; save the raw body exactly as posted",
            report.problem.as_deref().unwrap_or_default()
        )));
    }
    report.causes = d.found;
    Ok(report)
}

/// Variants of the decoded parameters.
fn diagnose_pairs(d: &mut Diagnosis<'_>, pairs: &Pairs, scheme: Scheme, charset: &str) {
    let Some(sig) = get(pairs, "sign").and_then(decode_signature) else {
        return;
    };
    let (accepted, other_rule) = rules(scheme);
    if let Some((rule, cause)) = other_rule {
        if let Some(b) = encode(&content(pairs, rule), charset) {
            let evidence = match cause {
                Cause::SignTypeIncluded => "it verifies with `sign_type` kept in the string",
                _ => "it verifies with `sign_type` left out of the string",
            };
            d.try_content(cause, evidence, &b, &sig);
        }
    }
    let other = other_charset(charset);
    let mapped = |f: &dyn Fn(&str) -> String| -> Pairs {
        pairs.iter().map(|(k, v)| (k.clone(), f(v))).collect()
    };
    let unescaped = mapped(&|v| v.replace("\\/", "/"));
    let escaped = mapped(&|v| v.replace("\\/", "/").replace('/', "\\/"));
    let t = d.ring.sign_type;
    for rule in accepted {
        let text = content(pairs, rule);
        let Some(bytes) = encode(&text, charset) else {
            continue;
        };
        if let Some(b) = encode(&text, other).filter(|b| *b != bytes) {
            let evidence = format!("it verifies over the string's {other} bytes, while the body declares charset={charset}");
            d.try_content(Cause::Charset, &evidence, &b, &sig);
        }
        for (variant, cause, evidence) in [
            (
                &unescaped,
                Cause::SlashEscapes,
                "it verifies with `\\/` written `/`",
            ),
            (
                &escaped,
                Cause::SlashEscapes,
                "it verifies with every `/` written `\\/`",
            ),
        ] {
            if variant != pairs {
                if let Some(b) = encode(&content(variant, rule), charset) {
                    d.try_content(cause, evidence, &b, &sig);
                }
            }
        }
        d.try_other_sign_type(&bytes, &sig);
        d.try_alternatives(|k| k.verify(t, &bytes, &sig));
    }
}

/// Variants of reading the raw body: not decoded, decoded twice, or its bytes read
/// in the other charset (then signed in either).
fn diagnose_raw(d: &mut Diagnosis<'_>, body: &[u8], accepted: &[Rule], charset: &str) {
    let other = other_charset(charset);
    let declared: &[&str] = &[charset];
    let both: &[&str] = &[charset, other];
    let readings = [
        (0, charset, declared, Cause::DecodedTwice, "it verifies when the body is taken as already decoded (not URL-decoded again)".to_owned()),
        (2, charset, declared, Cause::EncodedTwice, "it verifies after URL-decoding the body a second time".to_owned()),
        (1, other, both, Cause::Charset, format!("it verifies when the body's bytes are read as {other}, although it declares charset={charset}")),
    ];
    for (times, read_as, sign_charsets, cause, evidence) in readings {
        let Some(pairs) = raw_pairs(body, times, read_as) else {
            continue;
        };
        let Some(sig) = get(&pairs, "sign").and_then(decode_signature) else {
            continue;
        };
        for rule in accepted {
            let text = content(&pairs, rule);
            for sign_charset in sign_charsets {
                if let Some(b) = encode(&text, sign_charset) {
                    d.try_content(cause, &evidence, &b, &sig);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_pairs_decode_as_asked() {
        let body = b"a=x%2By+z&charset=gbk&s=%B2%E2";
        let zero = raw_pairs(body, 0, "utf-8").unwrap();
        assert_eq!(zero[0], ("a".into(), "x%2By+z".into()));
        let once = raw_pairs(body, 1, "gbk").unwrap();
        assert_eq!(once[0], ("a".into(), "x+y z".into()));
        assert_eq!(once[2], ("s".into(), "测".into()));
        assert!(
            raw_pairs(body, 1, "utf-8").is_none(),
            "GBK bytes are not UTF-8"
        );
        assert_eq!(declared_charset(body), "gbk");
        assert_eq!(declared_charset(b"a=1"), "utf-8");
    }
}

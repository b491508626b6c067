//! The v2 gateway protocol, free of I/O: the string to sign, request assembly,
//! page forms and URLs, app order strings, response extraction and verification,
//! notifications, and the v3 `authorization` header.
//!
//! The client drives these; a local gateway or test server can use them directly to
//! check requests and sign answers the way Alipay does.

pub mod notify;
pub mod request;
pub mod response;
pub mod v3;

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

/// Parameters whose values are credentials (a merchant's or a user's authorisation):
/// `Debug` output shows them as `<redacted>`.
pub const SECRET_PARAMS: [&str; 2] = ["app_auth_token", "auth_token"];

/// `Debug` of a parameter list with the values of [`SECRET_PARAMS`] redacted.
pub(crate) struct Redacted<'a>(pub(crate) &'a [(String, String)]);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.0.iter().map(|(k, v)| {
            let v = if SECRET_PARAMS.contains(&k.as_str()) {
                "<redacted>"
            } else {
                v.as_str()
            };
            (k, v)
        });
        f.debug_list().entries(shown).finish()
    }
}

/// The string to sign: every parameter except `sign`, empty values dropped, sorted
/// by key (byte order), `key=value` joined by `&`, nothing URL-encoded.
pub fn sign_content<'a, I>(params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    sign_content_excluding(params, &["sign"])
}

/// Like [`sign_content`], leaving out every key in `exclude`.
pub fn sign_content_excluding<'a, I>(params: I, exclude: &[&str]) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    join_sorted(params, exclude, false)
}

/// The content a notification's signature covers: like [`sign_content_excluding`]
/// but keeping parameters with empty values, as Alipay signs notifications.
pub fn notify_content<'a, I>(params: I, exclude: &[&str]) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    join_sorted(params, exclude, true)
}

fn join_sorted<'a, I>(params: I, exclude: &[&str], keep_empty: bool) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut kept: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(k, v)| (keep_empty || !v.is_empty()) && !k.is_empty() && !exclude.contains(k))
        .collect();
    kept.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let len = kept.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    let mut out = String::with_capacity(len);
    for (i, (k, v)) in kept.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// `application/x-www-form-urlencoded` serialisation (spaces as `+`), as used for
/// the gateway URL query and form bodies.
pub fn form_encode<'a, I>(params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        s.append_pair(k, v);
    }
    s.finish()
}

/// What JavaScript's `encodeURIComponent` leaves alone: letters, digits and
/// `-_.!~*'()`. App order strings are encoded this way (spaces as `%20`).
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Percent-encodes like `encodeURIComponent`.
pub fn uri_component(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, URI_COMPONENT).to_string()
}

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

use std::borrow::Cow;
use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

/// The charset a client encodes, signs and sends requests in, and reads answers in
/// (`charset`). Alipay signs and checks the bytes of the text in this charset, as the
/// official SDKs do (`content.getBytes(charset)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Charset {
    /// UTF-8, what every new integration uses.
    #[default]
    Utf8,
    /// GBK, for older integrations (口碑 and others) that still use it.
    Gbk,
}

impl Charset {
    /// The wire value of `charset`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Charset::Utf8 => "utf-8",
            Charset::Gbk => "GBK",
        }
    }

    /// The charset a label names (`utf-8`, `gbk`, `gb2312`, `gb18030`, any case).
    pub fn from_label(label: &str) -> Option<Self> {
        match label.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(Charset::Utf8),
            "gbk" | "gb2312" | "gb18030" => Some(Charset::Gbk),
            _ => None,
        }
    }

    fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            Charset::Utf8 => encoding_rs::UTF_8,
            Charset::Gbk => encoding_rs::GBK,
        }
    }

    /// `text` in this charset, or `None` when a character has no encoding in it.
    pub fn encode(self, text: &str) -> Option<Cow<'_, [u8]>> {
        match self {
            Charset::Utf8 => Some(Cow::Borrowed(text.as_bytes())),
            _ => {
                let (bytes, _, unmappable) = self.encoding().encode(text);
                (!unmappable).then_some(bytes)
            }
        }
    }

    /// `bytes` read in this charset, or `None` when they are not valid in it.
    pub fn decode(self, bytes: &[u8]) -> Option<Cow<'_, str>> {
        self.encoding()
            .decode_without_bom_handling_and_without_replacement(bytes)
    }

    /// Like [`encode`](Self::encode), replacing what cannot be encoded (for text
    /// already checked to be encodable).
    fn encode_lossy(self, text: &str) -> Cow<'_, [u8]> {
        self.encoding().encode(text).0
    }
}

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
    form_encode_in(params, Charset::Utf8)
}

/// [`form_encode`] with the bytes of `charset` percent-encoded (what a GBK client
/// sends; characters GBK cannot encode must have been refused before).
pub fn form_encode_in<'a, I>(params: I, charset: Charset) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    fn gbk(s: &str) -> Cow<'_, [u8]> {
        Charset::Gbk.encode_lossy(s)
    }
    let mut s = form_urlencoded::Serializer::new(String::new());
    match charset {
        Charset::Utf8 => {}
        Charset::Gbk => {
            s.encoding_override(Some(&gbk));
        }
    }
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
    uri_component_in(s, Charset::Utf8)
}

/// [`uri_component`] over the bytes of `charset`.
pub fn uri_component_in(s: &str, charset: Charset) -> String {
    percent_encoding::percent_encode(&charset.encode_lossy(s), URI_COMPONENT).to_string()
}

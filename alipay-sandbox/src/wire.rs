//! Reading a request's parameters the way the gateway receives them: the URL query
//! plus an `application/x-www-form-urlencoded` or `multipart/form-data` body,
//! decoded in the charset the request names (UTF-8 or GBK).

use bytes::Bytes;
use encoding_rs::Encoding;

use crate::call::{FilePart, Params};
use crate::charset::encoding_for;

/// Why the parameters could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WireError {
    /// The `charset` is not one the gateway knows.
    Charset(String),
    /// Bytes that are not valid in the charset.
    Encoding(String),
    /// The same parameter twice with different values.
    Duplicate(String),
    /// A malformed multipart body.
    Multipart(String),
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireError::Charset(c) => write!(f, "unsupported charset `{c}`; send utf-8 or gbk"),
            WireError::Encoding(c) => write!(f, "the request holds bytes that are not valid {c}"),
            WireError::Duplicate(k) => {
                write!(
                    f,
                    "parameter `{k}` is sent more than once with different values"
                )
            }
            WireError::Multipart(m) => write!(f, "malformed multipart body: {m}"),
        }
    }
}

fn decode_component(raw: &[u8]) -> Vec<u8> {
    let plus: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_encoding_decode(&plus)
}

/// Percent-decoding; a `%` not followed by two hex digits is kept as is (browsers
/// and servers are lenient here too).
fn percent_encoding_decode(b: &[u8]) -> Vec<u8> {
    let hex = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b.get(i).copied().unwrap_or_default();
        if c == b'%' {
            if let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

fn raw_pairs(s: &[u8], out: &mut Vec<(Vec<u8>, Vec<u8>)>) {
    for piece in s.split(|&b| b == b'&') {
        if piece.is_empty() {
            continue;
        }
        let (k, v) = match piece.iter().position(|&b| b == b'=') {
            Some(p) => (
                piece.get(..p).unwrap_or_default(),
                piece.get(p + 1..).unwrap_or_default(),
            ),
            None => (piece, &[][..]),
        };
        out.push((decode_component(k), decode_component(v)));
    }
}

fn decode(enc: &'static Encoding, bytes: &[u8]) -> Result<String, WireError> {
    enc.decode_without_bom_handling_and_without_replacement(bytes)
        .map(|c| c.into_owned())
        .ok_or_else(|| WireError::Encoding(enc.name().to_owned()))
}

/// The boundary of a `multipart/form-data` content type, if it is one.
fn multipart_boundary(content_type: Option<&str>) -> Option<String> {
    let ct = content_type?;
    if !ct
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        return None;
    }
    multer::parse_boundary(ct).ok()
}

/// Reads every parameter of a request.
pub(crate) async fn read(
    query: Option<&str>,
    content_type: Option<&str>,
    body: Bytes,
) -> Result<Params, WireError> {
    let mut raw = Vec::new();
    raw_pairs(query.unwrap_or_default().as_bytes(), &mut raw);
    let boundary = multipart_boundary(content_type);
    let mut text_parts: Vec<(String, Vec<u8>)> = Vec::new();
    let mut files = Vec::new();
    match boundary {
        Some(b) => {
            let stream =
                futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
            let mut mp = multer::Multipart::new(stream, b);
            loop {
                let field = match mp.next_field().await {
                    Ok(Some(f)) => f,
                    Ok(None) => break,
                    Err(e) => return Err(WireError::Multipart(e.to_string())),
                };
                let name = field.name().unwrap_or_default().to_owned();
                let file_name = field.file_name().map(str::to_owned);
                let ct = field.content_type().map(|m| m.to_string());
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| WireError::Multipart(e.to_string()))?;
                match file_name {
                    Some(file_name) => files.push(FilePart {
                        field: name,
                        file_name,
                        content_type: ct,
                        bytes,
                    }),
                    None => text_parts.push((name, bytes.to_vec())),
                }
            }
        }
        None => raw_pairs(&body, &mut raw),
    }
    let label = raw
        .iter()
        .find(|(k, _)| k == b"charset")
        .map(|(_, v)| String::from_utf8_lossy(v).trim().to_ascii_lowercase())
        .or_else(|| {
            text_parts
                .iter()
                .find(|(k, _)| k == "charset")
                .map(|(_, v)| String::from_utf8_lossy(v).trim().to_ascii_lowercase())
        })
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "utf-8".into());
    let enc = encoding_for(&label).ok_or_else(|| WireError::Charset(label.clone()))?;
    let mut params = Params::new(label);
    for (k, v) in raw {
        params
            .push(decode(enc, &k)?, decode(enc, &v)?)
            .map_err(WireError::Duplicate)?;
    }
    for (k, v) in text_parts {
        params
            .push(k, decode(enc, &v)?)
            .map_err(WireError::Duplicate)?;
    }
    params.files = files;
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn merges_query_and_body_and_decodes_gbk() {
        // "测试" in GBK is B2 E2 CA D4.
        let p = read(
            Some("charset=GBK&method=a.b"),
            Some("application/x-www-form-urlencoded"),
            Bytes::from_static(b"subject=%B2%E2%CA%D4&x=1+2&pct=%zz"),
        )
        .await
        .unwrap();
        assert_eq!(p.get("subject"), Some("测试"));
        assert_eq!(p.get("x"), Some("1 2"));
        assert_eq!(p.get("pct"), Some("%zz"));
        assert_eq!(p.charset, "gbk");
    }

    #[tokio::test]
    async fn rejects_conflicts_and_bad_charsets() {
        assert_eq!(
            read(Some("a=1"), None, Bytes::from_static(b"a=2"))
                .await
                .unwrap_err(),
            WireError::Duplicate("a".into())
        );
        assert!(read(Some("a=1"), None, Bytes::from_static(b"a=1"))
            .await
            .is_ok());
        assert!(matches!(
            read(Some("charset=latin9"), None, Bytes::new()).await,
            Err(WireError::Charset(_))
        ));
        assert!(matches!(
            read(Some("s=%FF%FE"), None, Bytes::new()).await,
            Err(WireError::Encoding(_))
        ));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(
            query in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
            multipart in proptest::prelude::any::<bool>(),
        ) {
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let q = String::from_utf8_lossy(&query).into_owned();
            let ct = if multipart { "multipart/form-data; boundary=b" } else { "application/x-www-form-urlencoded" };
            if let Ok(p) = rt.block_on(read(Some(&q), Some(ct), Bytes::from(body))) {
                // Whatever was read can be encoded back without loss of keys.
                let again = crate::charset::encode_form(&p.pairs, "utf-8");
                proptest::prop_assert!(p.pairs.is_empty() || !again.is_empty());
            }
        }
    }
}

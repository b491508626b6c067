//! Reading a request's parameters the way the gateway receives them: the URL query
//! plus an `application/x-www-form-urlencoded` or `multipart/form-data` body,
//! decoded in the charset the request names (UTF-8 or GBK).
//!
//! Hostile input costs linear time: the size and the number of parameters are
//! capped before anything is decoded, and repeated names are found by hashing.

use bytes::Bytes;
use encoding_rs::Encoding;

use crate::call::{FilePart, Params};
use crate::charset::encoding_for;

/// Most parameters one request may carry (query, form fields and multipart parts
/// together). Real requests carry a few dozen at most.
pub(crate) const MAX_PARAMS: usize = 1_000;

/// Largest request accepted, query and body together (uploads included).
pub(crate) const MAX_BYTES: usize = 16 * 1024 * 1024;

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
    /// More than [`MAX_PARAMS`] parameters.
    TooMany,
    /// More than [`MAX_BYTES`] bytes.
    TooLarge,
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
            WireError::TooMany => write!(
                f,
                "the request has more than {MAX_PARAMS} parameters; send only the method's own"
            ),
            WireError::TooLarge => write!(
                f,
                "the request is over {MAX_BYTES} bytes; upload smaller files"
            ),
        }
    }
}

fn decode_component(raw: &[u8]) -> Vec<u8> {
    // `+` is a space in form encoding. A `%` without two hex digits stays as it is,
    // as browsers and servers leave it.
    let plus: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_encoding::percent_decode(&plus).collect()
}

/// Splits `name=value&…` into raw pairs, refusing to go past [`MAX_PARAMS`].
fn raw_pairs(s: &[u8], out: &mut Vec<(Vec<u8>, Vec<u8>)>) -> Result<(), WireError> {
    for piece in s.split(|&b| b == b'&') {
        if piece.is_empty() {
            continue;
        }
        if out.len() >= MAX_PARAMS {
            return Err(WireError::TooMany);
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
    Ok(())
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
    let query = query.unwrap_or_default();
    if query.len().saturating_add(body.len()) > MAX_BYTES {
        return Err(WireError::TooLarge);
    }
    let mut raw = Vec::new();
    raw_pairs(query.as_bytes(), &mut raw)?;
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
                if raw.len() + text_parts.len() + files.len() >= MAX_PARAMS {
                    return Err(WireError::TooMany);
                }
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
        None => raw_pairs(&body, &mut raw)?,
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

    /// `n` distinct empty parameters, `p0=&p1=&…`.
    fn many(n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| format!("p{i}="))
            .collect::<Vec<_>>()
            .join("&")
            .into_bytes()
    }

    #[tokio::test]
    async fn parameters_are_capped_across_query_and_body() {
        let form = Some("application/x-www-form-urlencoded");
        let half = MAX_PARAMS / 2;
        let query = format!("q0=1&{}", "q1=2&".repeat(half - 2));
        let query = query.trim_end_matches('&');
        let ok = read(Some(query), form, Bytes::from(many(half)))
            .await
            .unwrap();
        assert_eq!(
            ok.pairs.len(),
            2 + half,
            "a repeat with the same value is one parameter"
        );
        let full = read(None, form, Bytes::from(many(MAX_PARAMS)))
            .await
            .unwrap();
        assert_eq!(full.pairs.len(), MAX_PARAMS);
        for (q, body) in [
            (None, many(MAX_PARAMS + 1)),
            (Some("a=1"), many(MAX_PARAMS)),
            (None, many(100_000)),
        ] {
            assert_eq!(
                read(q, form, Bytes::from(body)).await.unwrap_err(),
                WireError::TooMany
            );
        }
    }

    #[tokio::test]
    async fn multipart_parts_count_too() {
        let part =
            |i: usize| format!("--b\r\nContent-Disposition: form-data; name=\"p{i}\"\r\n\r\nv\r\n");
        let body = |n: usize| {
            let mut b: String = (0..n).map(part).collect();
            b.push_str("--b--\r\n");
            Bytes::from(b)
        };
        let ct = Some("multipart/form-data; boundary=b");
        let p = read(None, ct, body(MAX_PARAMS)).await.unwrap();
        assert_eq!(p.pairs.len(), MAX_PARAMS);
        assert_eq!(
            read(None, ct, body(MAX_PARAMS + 1)).await.unwrap_err(),
            WireError::TooMany
        );
    }

    #[tokio::test]
    async fn oversized_requests_are_refused_before_decoding() {
        let body = Bytes::from(vec![b'a'; MAX_BYTES]);
        assert!(read(None, None, body.clone()).await.is_ok());
        assert_eq!(
            read(Some("x"), None, body).await.unwrap_err(),
            WireError::TooLarge
        );
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

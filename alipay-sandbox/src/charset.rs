//! The two charsets Alipay speaks (UTF-8 and GBK): what signatures cover, and how
//! forms are encoded in them.

use encoding_rs::Encoding;

/// The encoding behind a charset label, if the gateway supports it.
pub(crate) fn encoding_for(label: &str) -> Option<&'static Encoding> {
    match label {
        "utf-8" | "utf8" => Some(encoding_rs::UTF_8),
        "gbk" | "gb2312" | "gb18030" => Some(encoding_rs::GBK),
        _ => None,
    }
}

/// The canonical label of a supported charset (`utf-8` or `gbk`).
pub(crate) fn canonical(label: &str) -> &'static str {
    match encoding_for(label) {
        Some(e) if e == encoding_rs::GBK => "gbk",
        _ => "utf-8",
    }
}

/// `text` encoded in `charset` (UTF-8 when unknown): what signatures cover, as the
/// official SDKs sign `content.getBytes(charset)`.
pub(crate) fn bytes(text: &str, charset: &str) -> Vec<u8> {
    let enc = encoding_for(charset).unwrap_or(encoding_rs::UTF_8);
    enc.encode(text).0.into_owned()
}

/// Encodes parameters as a form body in `charset` (notifications, return URLs).
pub(crate) fn encode_form(pairs: &[(String, String)], charset: &str) -> Vec<u8> {
    let enc = encoding_for(charset).unwrap_or(encoding_rs::UTF_8);
    let mut out = Vec::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        for (j, part) in [k, v].iter().enumerate() {
            if j == 1 {
                out.push(b'=');
            }
            let (bytes, _, _) = enc.encode(part);
            out.extend(form_urlencoded::byte_serialize(&bytes).flat_map(str::bytes));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_gbk_forms() {
        let body = encode_form(&[("subject".into(), "测试 1".into())], "gbk");
        assert_eq!(body, b"subject=%B2%E2%CA%D4+1");
        assert_eq!(canonical("gb2312"), "gbk");
        assert_eq!(canonical("latin9"), "utf-8");
    }
}

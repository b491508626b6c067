//! A captured gateway response: the node is found and verified with the runtime's
//! own extractor and check, over the exact text received.

use alipay_api::protocol::response::{self, Extracted};

use super::causes::Cause;
use super::keyring::Keyring;
use super::{decode_signature, encode, Diagnosis, VerifyReport};
use crate::error::CliError;

/// The body as text, and whether it had to be read as GBK.
fn body_text(bytes: &[u8]) -> Result<(String, bool), CliError> {
    if let Ok(t) = std::str::from_utf8(bytes) {
        return Ok((t.to_owned(), false));
    }
    let (text, _, had_errors) = encoding_rs::GBK.decode(bytes);
    if had_errors {
        return Err(CliError::input(
            "the response body is neither UTF-8 nor GBK text; save the bytes exactly as received",
        ));
    }
    Ok((text.into_owned(), true))
}

/// The node's key: from the method, or the body's only `*_response` member.
fn node_key(text: &str, method: Option<&str>) -> Result<String, CliError> {
    if let Some(m) = method {
        return Ok(format!("{}_response", m.replace('.', "_")));
    }
    let members = response::top_level_members(text).map_err(|e| {
        CliError::input(format!(
            "the response body: {e}; save the whole body exactly as received"
        ))
    })?;
    let nodes: Vec<&str> = members
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| k.ends_with("_response"))
        .collect();
    let own: Vec<&str> = nodes
        .iter()
        .copied()
        .filter(|k| *k != "error_response")
        .collect();
    match (own.as_slice(), nodes.as_slice()) {
        ([one], _) | ([], [one]) => Ok((*one).to_owned()),
        ([], []) => Err(CliError::input(
            "the body has no `*_response` node; is it a gateway response? (give --method)",
        )),
        _ => Err(CliError::input(
            "the body has several `*_response` nodes; give --method",
        )),
    }
}

/// Verifies a response body.
pub fn verify(
    bytes: &[u8],
    method: Option<&str>,
    ring: &Keyring,
) -> Result<VerifyReport, CliError> {
    let (text, gbk) = body_text(bytes)?;
    let key = node_key(&text, method)?;
    let ex = response::extract(&text, &key).map_err(|e| {
        CliError::input(format!(
            "the response body: {e}; save the whole body exactly as received"
        ))
    })?;
    let mut report = VerifyReport::new("response", ring);
    report.string_verified = ex.node.to_owned();
    if gbk {
        report.charset = "gbk".into();
    }
    let Some(sign) = ex.sign.as_deref() else {
        report.problem = Some(
            "the body carries no `sign`: an unsigned answer (Alipay leaves some gateway errors \
             unsigned) proves nothing and must not be trusted"
                .into(),
        );
        return Ok(report);
    };
    let Some(sig) = decode_signature(sign) else {
        report.problem = Some("`sign` is not base64: the body is cut or altered".into());
        return Ok(report);
    };
    let sn_mismatch = match (&ex.alipay_cert_sn, &ring.configured_sn) {
        (Some(got), Some(configured)) if got != configured => Some((got, configured)),
        _ => None,
    };
    let t = ring.sign_type;
    report.verified = !gbk
        && sn_mismatch.is_none()
        && ring
            .configured
            .as_ref()
            .is_some_and(|k| response::verify_node(ex.node, sign, k, t));
    if report.verified {
        return Ok(report);
    }
    report.problem = Some(if gbk {
        "the body is not UTF-8 (it reads as GBK); the client reads UTF-8 answers only".into()
    } else if let Some((got, configured)) = sn_mismatch {
        format!(
            "signed with the certificate SN {got}; the configured Alipay certificate's SN is {configured}"
        )
    } else if let Some(e) = &ring.configured_error {
        format!("the configured key cannot be read: {e}")
    } else {
        "the signature does not match this string under the configured key".into()
    });
    report.causes = diagnose(&ex, sign, &sig, gbk, ring);
    Ok(report)
}

fn diagnose(
    ex: &Extracted<'_>,
    sign: &str,
    sig: &[u8],
    gbk: bool,
    ring: &Keyring,
) -> Vec<super::causes::Found> {
    let mut d = Diagnosis::new(ring);
    let node = ex.node;
    let utf8 = node.as_bytes();
    if let Some(gbk_bytes) = encode(node, "gbk").filter(|b| b.as_slice() != utf8) {
        let evidence = if gbk {
            "it verifies over the GBK bytes received: the request said charset=GBK, and the client reads UTF-8 answers only"
        } else {
            "it verifies over the node's GBK bytes, not its UTF-8 bytes"
        };
        d.try_content(Cause::Charset, evidence, &gbk_bytes, sig);
        d.try_other_sign_type(&gbk_bytes, sig);
    }
    let escaped = node.replace("\\/", "/").replace('/', "\\/");
    if escaped != node {
        d.try_content(
            Cause::SlashEscapes,
            "it verifies with every `/` written `\\/`, as Alipay sent it",
            escaped.as_bytes(),
            sig,
        );
    }
    d.try_other_sign_type(utf8, sig);
    let t = ring.sign_type;
    d.try_alternatives(|k| response::verify_node(node, sign, k, t));
    if let (Some(got), Some(_)) = (&ex.alipay_cert_sn, &ring.configured_sn) {
        let known = ring
            .alternatives
            .iter()
            .any(|a| a.sn.as_deref() == Some(got));
        if !known && ring.configured_sn.as_ref() != Some(got) {
            d.fits(
                Cause::CertSn,
                format!(
                    "the response names certificate SN {got}, which none of the configured \
                     certificate files holds; if Alipay rotated its certificate, the client \
                     downloads the new one itself (alipay.open.app.alipaycert.download)"
                ),
            );
        }
    }
    d.found
}

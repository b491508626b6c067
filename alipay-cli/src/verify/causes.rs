//! The known reasons a correct signature fails to verify (验签失败), each with
//! what to do about it.

use serde::Serialize;

/// A known cause of a failed verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    /// The bytes were signed in the other charset (GBK vs UTF-8).
    Charset,
    /// The notification's signature covers `sign_type` (the V2 rule).
    SignTypeIncluded,
    /// The notification's signature leaves `sign_type` out (the V1 rule).
    SignTypeExcluded,
    /// The body given had already been URL-decoded; decoding it again changed it.
    DecodedTwice,
    /// The body was URL-encoded twice on its way.
    EncodedTwice,
    /// The configured Alipay public key is the app's own public key.
    OwnPublicKey,
    /// The body verifies with the app's own key: the app (or a tool holding its
    /// private key) signed it, not Alipay.
    SignedByAppKey,
    /// `\/` escapes were removed from (or added to) the signed text.
    SlashEscapes,
    /// The certificate SN names another certificate than the one configured.
    CertSn,
    /// The key was pasted in a form the reader does not take as it is.
    KeyFormat,
    /// Signed with the other sign type (RSA vs RSA2).
    SignType,
}

impl Cause {
    /// A one-line explanation.
    pub fn explanation(self) -> &'static str {
        match self {
            Cause::Charset => "the signature covers the string's bytes in the other charset (GBK vs UTF-8)",
            Cause::SignTypeIncluded => "the signature covers `sign_type` too (the V2 rule of return_url parameters); asynchronous notifications leave it out (V1)",
            Cause::SignTypeExcluded => "the signature leaves `sign_type` out (the V1 rule of asynchronous notifications), not only `sign` (V2)",
            Cause::DecodedTwice => "the body had already been URL-decoded once (by a web framework or a log) and was decoded again: `+` became a space, `%xx` changed",
            Cause::EncodedTwice => "the body was URL-encoded twice on its way (a proxy or a client re-encoded it): it verifies only after a second decoding",
            Cause::OwnPublicKey => "the configured Alipay public key is your app's own public key",
            Cause::SignedByAppKey => "the body was signed with your app's private key, not by Alipay",
            Cause::SlashEscapes => "the `\\/` escapes in the text differ from what was signed (a tool re-serialised the JSON)",
            Cause::CertSn => "the certificate SN points at another certificate than the configured Alipay certificate",
            Cause::KeyFormat => "the Alipay public key is pasted in a form that is not read as it is",
            Cause::SignType => "the body is signed with the other sign type (RSA/SHA-1 vs RSA2/SHA-256)",
        }
    }

    /// What to do.
    pub fn fix(self) -> &'static str {
        match self {
            Cause::Charset => "verify over the bytes in the charset the body declares (`charset`); send requests with charset=utf-8, or decode GBK bodies as GBK",
            Cause::SignTypeIncluded => "for async notifications remove both `sign` and `sign_type` before building the string (rsaCheckV1); use V2 only for return_url parameters (`--scheme v2`, NotifyScheme::V2)",
            Cause::SignTypeExcluded => "this body follows the V1 rule: remove `sign` and `sign_type` (`--scheme v1`, NotifyScheme::V1 or Auto)",
            Cause::DecodedTwice => "verify the raw body exactly as received (Client::verify_notification), or the framework's decoded fields without decoding again (Client::verify_params)",
            Cause::EncodedTwice => "find what re-encodes the body (proxy, client library) and pass it through untouched",
            Cause::OwnPublicKey => "in the console (接口加签方式) copy 支付宝公钥 (Alipay public key), not 应用公钥 (the app public key you uploaded)",
            Cause::SignedByAppKey => "this body did not come from Alipay: check where it came from; Alipay's answers verify with 支付宝公钥",
            Cause::SlashEscapes => "verify the raw bytes as received, before any JSON parsing or pretty-printing",
            Cause::CertSn => "configure alipayCertPublicKey_RSA2.crt as the Alipay certificate, leaf first, as downloaded; the SN comes from the first certificate of the file",
            Cause::KeyFormat => "paste 支付宝公钥 as the console shows it (bare base64), or as PEM under `-----BEGIN PUBLIC KEY-----` with real line breaks",
            Cause::SignType => "set the sign type the app uses in the console (ALIPAY_SIGN_TYPE / sign_type: RSA2 for every app made since 2018)",
        }
    }
}

/// A cause that fits, with what showed it.
#[derive(Debug, Clone, Serialize)]
pub struct Found {
    /// The cause.
    pub cause: Cause,
    /// What it means.
    pub explanation: &'static str,
    /// What showed it (which variant verified, or which setting is wrong).
    pub evidence: String,
    /// What to do.
    pub fix: &'static str,
}

impl Found {
    /// A cause with its evidence.
    pub fn new(cause: Cause, evidence: impl Into<String>) -> Self {
        Found {
            cause,
            explanation: cause.explanation(),
            evidence: evidence.into(),
            fix: cause.fix(),
        }
    }
}

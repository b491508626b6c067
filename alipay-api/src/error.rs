//! The one error type of the runtime, with a variant per kind of failure.
//!
//! Every message says what to do about it. [`Error::outcome_unknown`] separates
//! failures after which the call may still have taken effect at Alipay (query before
//! retrying a payment) from definite failures.

mod advice;

pub use advice::{Advice, ResultCode};

use crate::validation::ValidationError;

/// Shorthand for results of the runtime.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Anything that can go wrong configuring the client, calling Alipay or checking
/// what it sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The request breaks the method's rules; nothing was sent.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// Signing the request failed; nothing was sent.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// The HTTP exchange failed.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The response (or notification) could not be read.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A signature was missing, malformed or wrong: the data was not accepted.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// Alipay answered the call with a failure and the answer's signature verified: a
    /// definite business answer such as `ACQ.TRADE_NOT_EXIST`, unless
    /// [`Error::outcome_unknown`] says otherwise (system errors). Boxed: it carries the
    /// raw node.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The gateway answered with an error that carries no signature (Alipay leaves
    /// gateway-level errors such as a bad app id or a bad request signature unsigned).
    /// Nothing proves it came from Alipay, so it never counts as a decline: the outcome
    /// is unknown ([`Error::outcome_unknown`] is `true`); query before retrying.
    #[error(
        "{0}; the answer was unsigned, so it cannot be trusted as Alipay's: treat the \
         outcome as unknown and query before retrying (if it repeats, check the app id, \
         the keys and the gateway URL)"
    )]
    UnverifiedApi(Box<ApiError>),
    /// The request cannot be sent as built (e.g. it sets a parameter the client sets
    /// itself); nothing was sent.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// A verified notification (or return parameters) was addressed to another app.
    #[error(transparent)]
    WrongApp(#[from] WrongAppError),
    /// An e签宝 file upload failed, or an e签宝 callback was not confirmed by the flow's
    /// signed state.
    #[error(transparent)]
    Esign(#[from] EsignError),
}

impl From<ApiError> for Error {
    /// A signed error becomes [`Error::Api`], an unsigned one [`Error::UnverifiedApi`].
    fn from(e: ApiError) -> Self {
        if e.signed {
            Error::Api(Box::new(e))
        } else {
            Error::UnverifiedApi(Box::new(e))
        }
    }
}

impl Error {
    /// Whether the call may still have taken effect at Alipay although it failed here:
    /// a system error (`code` `20000`, `*.SYSTEM_ERROR`, `isp.unknow-error`), an
    /// undocumented `code`, an unsigned error answer, a timeout or a connection lost
    /// after the request was sent, or an unreadable or unverifiable answer. Query the
    /// order (e.g. `alipay.trade.query`) before retrying a payment; never pay twice.
    /// [`advice`](Self::advice) also tells a retryable failure from a definite one.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Error::Api(e) => e.outcome_unknown(),
            Error::Http(e) => e.maybe_sent,
            // The gateway answered, but with something unreadable or unverifiable:
            // it may have processed the request.
            Error::Decode(_) | Error::Signature(_) | Error::UnverifiedApi(_) => true,
            Error::Config(_)
            | Error::Validation(_)
            | Error::Sign(_)
            | Error::Request(_)
            | Error::WrongApp(_)
            | Error::Esign(_) => false,
        }
    }

    /// The Alipay error, if Alipay answered with a signed, verified one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The unsigned error answer, if the gateway sent one (for diagnosis only: it is
    /// not proven to come from Alipay).
    pub fn unverified_api(&self) -> Option<&ApiError> {
        match self {
            Error::UnverifiedApi(e) => Some(e),
            _ => None,
        }
    }
}

/// A request that cannot be sent as built; nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// A parameter the client sets itself (`charset`, `method`, `sign`, …) was given
    /// on the request or in the call options.
    #[error(
        "`{0}` is a common parameter the client sets itself; remove it from the request \
         (configure it on the client builder instead)"
    )]
    Reserved(String),
    /// A parameter was given twice (e.g. both as a text and as a protocol parameter).
    #[error("parameter `{0}` is given more than once; give it once")]
    Duplicate(String),
    /// A value has characters the client's charset cannot encode.
    #[error(
        "the request has characters that {charset} cannot encode (in `{field}`); use \
         UTF-8 or remove them"
    )]
    Unencodable {
        /// The charset of the client.
        charset: &'static str,
        /// The parameter (or `sign content` for the string to sign).
        field: String,
    },
}

/// What went wrong uploading a file to e签宝 or confirming an e签宝 callback. None of
/// these leaves anything half done at Alipay: an upload can be repeated as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EsignError {
    /// The upload address is neither `https` nor plain `http` to a loopback host; nothing
    /// was sent.
    #[error(
        "the upload address is not an https URL (scheme `{scheme}`, host `{host}`); nothing \
         was sent: upload only to the address Alipay returned"
    )]
    UploadAddress {
        /// The address's scheme.
        scheme: String,
        /// The address's host.
        host: String,
    },
    /// The storage refused the upload (e.g. `403`): the `Content-Type` or `Content-MD5`
    /// differ from the values announced when the address was issued, or the address
    /// has expired (after an hour).
    #[error(
        "the storage refused the upload with HTTP {status} ({detail}): send the exact bytes \
         whose MD5 and content type were announced, or ask for a new upload address"
    )]
    UploadRefused {
        /// The HTTP status.
        status: u16,
        /// The start of the storage's answer.
        detail: String,
    },
    /// The storage answered `200` with a non-zero `errCode`.
    #[error("the storage did not accept the upload (errCode {code}: {message}); upload again")]
    UploadRejected {
        /// The `errCode` value.
        code: String,
        /// The message that came with it.
        message: String,
    },
    /// The verified answer of the method that issues an upload address lacks a field
    /// the upload needs.
    #[error("the answer of `{method}` has no `{field}`; nothing was uploaded: call it again")]
    Incomplete {
        /// The method called.
        method: &'static str,
        /// The missing field.
        field: &'static str,
    },
    /// An e签宝 callback claims a state that the flow's signed state (from
    /// `alipay.eco.sign.flow.query`) does not show: it may be forged, or it may be
    /// ahead of the query. Do not act on it; answer with a non-2xx status so that e签宝
    /// sends it again, or query the flow later.
    #[error(
        "the {action} callback for flow `{flow_id}` claims {claimed}, but the flow's signed \
         state shows {actual}: not acted on; answer non-2xx so that it is sent again, or \
         query the flow later"
    )]
    Unconfirmed {
        /// The callback's `action`.
        action: String,
        /// The flow it names.
        flow_id: String,
        /// What the callback claims.
        claimed: String,
        /// What the signed query shows.
        actual: String,
    },
}

/// A verified notification or return parameters for another app than this client's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the notification's `{field}` is {}, not this client's app id `{expected}`: it was \
     rejected as meant for another app (an ISV acting for merchants' apps checks the \
     app ids itself after `ClientBuilder::accept_notifications_for_any_app`)",
    value.as_deref().map(|v| format!("`{v}`")).unwrap_or_else(|| "missing".into())
)]
pub struct WrongAppError {
    /// `app_id` or `auth_app_id`.
    pub field: &'static str,
    /// The value in the notification, `None` when the field is missing.
    pub value: Option<String>,
    /// The client's app id.
    pub expected: String,
}

/// A configuration mistake, found when the client is built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required setting is missing.
    #[error("missing `{0}`: set it on the client builder")]
    Missing(&'static str),
    /// A setting has an invalid value.
    #[error("invalid `{field}`: {reason}")]
    Invalid {
        /// The setting.
        field: &'static str,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// A key could not be read.
    #[error("cannot read the {what}: {reason}")]
    Key {
        /// Which key.
        what: &'static str,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// A certificate could not be read or checked.
    #[error("certificate problem with the {what}: {reason}")]
    Certificate {
        /// Which certificate.
        what: &'static str,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// The configured Alipay public key is the app's own public key.
    #[error(
        "the configured Alipay public key is your app's own public key; download the \
         Alipay public key (支付宝公钥) from the open platform console instead"
    )]
    OwnPublicKey,
    /// Both a public key and certificates were configured.
    #[error(
        "both an Alipay public key and certificates are configured; choose key mode or \
         certificate mode, not both"
    )]
    Ambiguous,
    /// The gateway URL is plain `http://` on a host that is not loopback: requests
    /// and their tokens would cross the network unencrypted.
    #[error(
        "the gateway URL uses plain http on `{host}`, which is not loopback; use https \
         (plain http is only for a local gateway on 127.0.0.0/8, ::1 or localhost)"
    )]
    InsecureGateway {
        /// The host of the URL.
        host: String,
    },
    /// A file could not be read.
    #[error("cannot read `{path}`: {reason}")]
    File {
        /// The path given.
        path: String,
        /// The I/O error.
        reason: String,
    },
}

/// Signing failed (e.g. a remote signer was unreachable).
#[derive(Debug, thiserror::Error)]
#[error("signing failed: {message}")]
pub struct SignError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl SignError {
    /// A signing failure with a message saying what to check.
    pub fn new(message: impl Into<String>) -> Self {
        SignError {
            message: message.into(),
            source: None,
        }
    }

    /// A signing failure caused by another error (e.g. from a KMS client).
    pub fn with_source(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        SignError {
            message: message.into(),
            source: Some(source.into()),
        }
    }
}

/// What went wrong in the HTTP exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpErrorKind {
    /// No connection could be made (nothing was sent).
    Connect,
    /// The connect or request timeout elapsed.
    Timeout,
    /// The gateway answered with a non-2xx status.
    Status,
    /// The connection broke while sending or receiving.
    Transport,
    /// The request could not be built (e.g. an invalid gateway URL).
    Request,
}

/// The HTTP exchange with the gateway failed.
#[derive(Debug, thiserror::Error)]
#[error("HTTP call of `{method}` failed ({kind:?}{}): {message}{}", status.map(|s| format!(", status {s}")).unwrap_or_default(), if *maybe_sent { "; the request may have reached Alipay: query its outcome before retrying" } else { "; nothing reached Alipay, retrying is safe" })]
pub struct HttpError {
    /// The method called.
    pub method: String,
    /// The kind of failure.
    pub kind: HttpErrorKind,
    /// The HTTP status, for [`HttpErrorKind::Status`].
    pub status: Option<u16>,
    /// Whether the request may have reached Alipay.
    pub maybe_sent: bool,
    /// Details.
    pub message: String,
    /// The underlying error.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// A response or notification whose content could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot read the {what}: {reason} (raw body kept in the error for diagnosis)")]
pub struct DecodeError {
    /// What was being read.
    pub what: &'static str,
    /// What kind of problem it is (malformed, or over one of the limits).
    pub kind: DecodeErrorKind,
    /// What is wrong.
    pub reason: String,
    /// The raw body as received (lossily decoded to text); empty for a body refused at
    /// a size, parameter or member limit, which is not kept.
    pub raw: String,
}

/// The kind of a [`DecodeError`]: a malformed body, or one over a limit that keeps
/// hostile input from costing more than linear work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The content is malformed or does not match the expected type.
    Malformed,
    /// More parameters (or top-level members) than the limit.
    TooManyParameters {
        /// The limit.
        max: usize,
    },
    /// The body is longer than the limit.
    TooLarge {
        /// The limit in bytes.
        max_bytes: usize,
    },
    /// JSON nested deeper than the limit (checked after the signature verified).
    TooDeep {
        /// The deepest nesting read.
        max_depth: usize,
    },
}

impl DecodeError {
    pub(crate) fn new(
        what: &'static str,
        reason: impl Into<String>,
        raw: impl Into<String>,
    ) -> Self {
        Self::with_kind(what, DecodeErrorKind::Malformed, reason, raw)
    }

    pub(crate) fn with_kind(
        what: &'static str,
        kind: DecodeErrorKind,
        reason: impl Into<String>,
        raw: impl Into<String>,
    ) -> Self {
        DecodeError {
            what,
            kind,
            reason: reason.into(),
            raw: raw.into(),
        }
    }
}

/// A signature check failed; the data was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The data carries no signature.
    #[error(
        "the {0} is not signed; it was rejected (check the gateway URL and that the method name is right)"
    )]
    Missing(&'static str),
    /// The signature does not match the data and the configured Alipay key.
    #[error(
        "the {0}'s signature does not verify with the configured Alipay public key or \
         certificate; it was rejected (check that you configured Alipay's key for this \
         app and environment, not your own)"
    )]
    Invalid(&'static str),
    /// The signature is not valid base64 of the right shape.
    #[error("the {0}'s signature is malformed; it was rejected")]
    Malformed(&'static str),
    /// The response was signed with a certificate that is unknown and could not be
    /// fetched or trusted.
    #[error("the response names Alipay certificate `{sn}`, which could not be trusted: {reason}")]
    UnknownCertificate {
        /// The `alipay_cert_sn` of the response.
        sn: String,
        /// Why it is not trusted.
        reason: String,
    },
    /// The sign type is not one this client accepts.
    #[error("unsupported sign_type `{0}`: use RSA2 (or RSA for legacy apps)")]
    UnsupportedSignType(String),
}

/// Alipay answered the call with a failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{} `{method}`: code {code} ({msg}){}{}",
    if self.signed { "Alipay refused" } else { "the gateway answered with an unsigned error for" },
    self.sub_code.as_deref().map(|s| format!(", sub_code {s}")).unwrap_or_default(),
    self.sub_msg.as_deref().map(|s| format!(" ({s})")).unwrap_or_default(),
)]
#[non_exhaustive]
pub struct ApiError {
    /// The method called.
    pub method: String,
    /// `code`, e.g. `40004`.
    pub code: String,
    /// `msg`.
    pub msg: String,
    /// `sub_code`, e.g. `ACQ.TRADE_NOT_EXIST`.
    pub sub_code: Option<String>,
    /// `sub_msg`.
    pub sub_msg: Option<String>,
    /// Alipay's trace id (response header `trace_id`), for support tickets.
    pub trace_id: Option<String>,
    /// Whether the answer carried a valid signature. Alipay leaves some gateway-level
    /// errors (bad app id, bad signature) unsigned; such an answer is reported as
    /// [`Error::UnverifiedApi`] and cannot be trusted as Alipay's.
    pub signed: bool,
    /// The raw response node (JSON text).
    pub raw: String,
}

impl ApiError {
    /// Whether the outcome is unknown: Alipay itself does not know it yet (system
    /// error or busy), the answer was unsigned, or its `code` is none of the failure
    /// codes Alipay documents (see [`ResultCode`]). Query before retrying, never pay
    /// twice; [`advice`](Self::advice) says the same in one value.
    pub fn outcome_unknown(&self) -> bool {
        let definite = matches!(
            self.result_code(),
            ResultCode::InsufficientTokenPermissions
                | ResultCode::MissingArguments
                | ResultCode::InvalidArguments
                | ResultCode::InsufficientConditions
                | ResultCode::BusinessFailed
                | ResultCode::CallLimited
                | ResultCode::InsufficientPermissions
        );
        if !self.signed || !definite {
            return true;
        }
        match self.sub_code.as_deref() {
            // The settlement docs say a split answered ACQ.TRADE_SETTLE_ERROR may or
            // may not have been made: query it, then retry with the same request.
            Some(s) => {
                s.ends_with("SYSTEM_ERROR")
                    || s == "isp.unknow-error"
                    || s == "isp.unknown-error"
                    || s.ends_with("ACQ.SYSTEM_ERROR")
                    || s == "ACQ.TRADE_SETTLE_ERROR"
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: &str, sub: Option<&str>) -> Error {
        ApiError {
            method: "alipay.trade.pay".into(),
            code: code.into(),
            msg: String::new(),
            sub_code: sub.map(str::to_owned),
            sub_msg: None,
            trace_id: None,
            signed: true,
            raw: String::new(),
        }
        .into()
    }

    #[test]
    fn outcome_unknown_separates_system_errors_from_definite_failures() {
        assert!(api("20000", Some("isp.unknow-error")).outcome_unknown());
        assert!(api("40004", Some("ACQ.SYSTEM_ERROR")).outcome_unknown());
        assert!(api("40004", Some("aop.ACQ.SYSTEM_ERROR")).outcome_unknown());
        assert!(api("40004", Some("ACQ.TRADE_SETTLE_ERROR")).outcome_unknown());
        assert!(!api("40004", Some("ACQ.TRADE_NOT_EXIST")).outcome_unknown());
        assert!(!api("40004", Some("ACQ.BUYER_BALANCE_NOT_ENOUGH")).outcome_unknown());
        // A code Alipay does not document proves nothing either way.
        assert!(api("40007", None).outcome_unknown());
        assert!(api("10003", None).outcome_unknown());
        assert!(!Error::from(ConfigError::Missing("app_id")).outcome_unknown());
        let connect = HttpError {
            method: "m".into(),
            kind: HttpErrorKind::Connect,
            status: None,
            maybe_sent: false,
            message: String::new(),
            source: None,
        };
        assert!(!Error::from(connect).outcome_unknown());
        assert!(Error::from(DecodeError::new("response", "cut", "{")).outcome_unknown());
    }

    #[test]
    fn unsigned_errors_are_unknown_and_never_a_decline() {
        let mut e = ApiError {
            method: "alipay.trade.pay".into(),
            code: "40004".into(),
            msg: "Business Failed".into(),
            sub_code: Some("ACQ.TRADE_NOT_EXIST".into()),
            sub_msg: None,
            trace_id: None,
            signed: false,
            raw: String::new(),
        };
        assert!(e.outcome_unknown());
        let unsigned = Error::from(e.clone());
        assert!(unsigned.outcome_unknown());
        assert!(!matches!(unsigned, Error::Api(_)));
        assert!(unsigned.api().is_none());
        assert_eq!(
            unsigned.unverified_api().map(|a| a.code.as_str()),
            Some("40004")
        );
        assert!(unsigned.to_string().contains("unsigned"), "{unsigned}");
        e.signed = true;
        let signed = Error::from(e);
        assert!(matches!(signed, Error::Api(_)) && !signed.outcome_unknown());
    }
}

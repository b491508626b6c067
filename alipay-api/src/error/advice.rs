//! What to do after a failed call: Alipay's gateway result codes, the same for every
//! method, and the advice that follows from them.
//!
//! The gateway puts one of a handful of `code`s on every answer. Alipay's guides (the
//! 口碑开店 guide's table of result codes, and the public error-code page it points to)
//! say what each means for the caller: `10000` is success; `40001`–`40006` are definite
//! failures whose `sub_code` says what to fix; `20000` is a system error after which
//! the outcome must be established (by a query) before the call is sent again.

use super::{ApiError, Error};

/// A gateway result code (`code`), as Alipay defines it for every method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResultCode {
    /// `10000`: the call succeeded.
    Success,
    /// `20000` (Service Currently Unavailable): a system error; the call may or may
    /// not have taken effect.
    ServiceUnavailable,
    /// `20001` (Insufficient Token Permissions): the `auth_token` or `app_auth_token`
    /// is invalid or expired, or the merchant did not authorise this method.
    InsufficientTokenPermissions,
    /// `40001` (Missing Required Arguments): a required parameter is missing.
    MissingArguments,
    /// `40002` (Invalid Arguments): a parameter (or the signature) is invalid.
    InvalidArguments,
    /// `40003` (Insufficient Conditions): a condition of the call is not met.
    InsufficientConditions,
    /// `40004` (Business Failed): the business rules refused the call; `sub_code` says
    /// which rule.
    BusinessFailed,
    /// `40005` (Call Limited): too many calls; nothing was done.
    CallLimited,
    /// `40006` (Insufficient Permissions): the app (or the merchant it acts for) may
    /// not call this method.
    InsufficientPermissions,
    /// A code outside Alipay's documented list (or none).
    Other,
}

impl ResultCode {
    /// The code of a `code` field's text.
    pub fn parse(code: &str) -> ResultCode {
        match code {
            "10000" => ResultCode::Success,
            "20000" => ResultCode::ServiceUnavailable,
            "20001" => ResultCode::InsufficientTokenPermissions,
            "40001" => ResultCode::MissingArguments,
            "40002" => ResultCode::InvalidArguments,
            "40003" => ResultCode::InsufficientConditions,
            "40004" => ResultCode::BusinessFailed,
            "40005" => ResultCode::CallLimited,
            "40006" => ResultCode::InsufficientPermissions,
            _ => ResultCode::Other,
        }
    }

    /// The advice for a failure with this code, before `sub_code` and signature are
    /// considered ([`ApiError::advice`] considers them); `None` for
    /// [`ResultCode::Success`].
    pub fn advice(self) -> Option<Advice> {
        Some(match self {
            ResultCode::Success => return None,
            ResultCode::CallLimited => Advice::RetryLater,
            ResultCode::InsufficientTokenPermissions
            | ResultCode::MissingArguments
            | ResultCode::InvalidArguments
            | ResultCode::InsufficientConditions
            | ResultCode::BusinessFailed
            | ResultCode::InsufficientPermissions => Advice::DoNotRetry,
            // A system error, or a code nobody documented: nothing proves the call
            // failed, so it must not be taken for a definite refusal.
            ResultCode::ServiceUnavailable | ResultCode::Other => Advice::QueryFirst,
        })
    }
}

/// What to do after a failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Advice {
    /// Whether the call took effect is unknown: Alipay answered `20000` or a
    /// system-error `sub_code`, or the answer was unsigned, unreadable or lost. Query
    /// the object first (the trade, the refund, the store's apply order); send the
    /// call again only if the query shows it did not take effect, and then with the
    /// same idempotency keys (`out_trade_no`, `out_request_no`, `request_id`), so that
    /// it cannot take effect twice.
    QueryFirst,
    /// Nothing took effect and the same call may succeed later unchanged (Alipay
    /// limited the call rate, or no connection could be made). Wait, then send it
    /// again.
    RetryLater,
    /// A definite refusal: nothing took effect, and sending the call again unchanged
    /// fails the same way. Fix what `sub_code` and `sub_msg` name first: the request
    /// (`40001`, `40002`), the state of the business object (`40003`, `40004`), or the
    /// authorisation and the app's permissions (`20001`, `40006`).
    DoNotRetry,
}

impl Advice {
    /// Whether the call may be sent again at all: after a query for
    /// [`Advice::QueryFirst`], after a pause for [`Advice::RetryLater`], never
    /// unchanged for [`Advice::DoNotRetry`].
    pub fn retry_allowed(self) -> bool {
        !matches!(self, Advice::DoNotRetry)
    }
}

impl ApiError {
    /// The gateway result code of this error.
    pub fn result_code(&self) -> ResultCode {
        ResultCode::parse(&self.code)
    }

    /// What to do about this error: [`Advice::QueryFirst`] whenever
    /// [`outcome_unknown`](Self::outcome_unknown) is true (system errors, unsigned
    /// answers, undocumented codes), [`Advice::RetryLater`] for `40005`, and
    /// [`Advice::DoNotRetry`] for the other documented failures.
    pub fn advice(&self) -> Advice {
        if self.outcome_unknown() {
            return Advice::QueryFirst;
        }
        self.result_code().advice().unwrap_or(Advice::QueryFirst)
    }

    /// Whether sending the call again can succeed: `true` for
    /// [`Advice::QueryFirst`] (only once a query showed the call did not take effect)
    /// and [`Advice::RetryLater`]; `false` for a definite refusal.
    pub fn retryable(&self) -> bool {
        self.advice().retry_allowed()
    }
}

impl Error {
    /// What to do about this error (see [`Advice`]): an Alipay answer is judged by its
    /// codes ([`ApiError::advice`]); a failure after the request may have been sent
    /// means [`Advice::QueryFirst`]; a failure before anything was sent that could
    /// pass by itself (no connection, a signer that did not answer) means
    /// [`Advice::RetryLater`]; a mistake in the request or the configuration means
    /// [`Advice::DoNotRetry`].
    pub fn advice(&self) -> Advice {
        match self {
            Error::Api(e) | Error::UnverifiedApi(e) => e.advice(),
            _ if self.outcome_unknown() => Advice::QueryFirst,
            Error::Http(_) | Error::Sign(_) => Advice::RetryLater,
            _ => Advice::DoNotRetry,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ConfigError, HttpError, HttpErrorKind, SignError};

    fn api(code: &str, sub: Option<&str>, signed: bool) -> ApiError {
        ApiError {
            method: "alipay.offline.market.shop.create".into(),
            code: code.into(),
            msg: String::new(),
            sub_code: sub.map(str::to_owned),
            sub_msg: None,
            trace_id: None,
            signed,
            raw: String::new(),
        }
    }

    #[test]
    fn every_documented_code_has_its_meaning() {
        let table = [
            ("10000", ResultCode::Success, None),
            (
                "20000",
                ResultCode::ServiceUnavailable,
                Some(Advice::QueryFirst),
            ),
            (
                "20001",
                ResultCode::InsufficientTokenPermissions,
                Some(Advice::DoNotRetry),
            ),
            (
                "40001",
                ResultCode::MissingArguments,
                Some(Advice::DoNotRetry),
            ),
            (
                "40002",
                ResultCode::InvalidArguments,
                Some(Advice::DoNotRetry),
            ),
            (
                "40003",
                ResultCode::InsufficientConditions,
                Some(Advice::DoNotRetry),
            ),
            (
                "40004",
                ResultCode::BusinessFailed,
                Some(Advice::DoNotRetry),
            ),
            ("40005", ResultCode::CallLimited, Some(Advice::RetryLater)),
            (
                "40006",
                ResultCode::InsufficientPermissions,
                Some(Advice::DoNotRetry),
            ),
            ("40007", ResultCode::Other, Some(Advice::QueryFirst)),
            ("", ResultCode::Other, Some(Advice::QueryFirst)),
        ];
        for (code, kind, advice) in table {
            assert_eq!(ResultCode::parse(code), kind, "{code}");
            assert_eq!(kind.advice(), advice, "{code}");
        }
    }

    #[test]
    fn the_seed_codes_advise_as_the_guide_says() {
        // 20000: establish the outcome by a query before sending again.
        let e = api("20000", Some("isp.unknow-error"), true);
        assert_eq!(e.advice(), Advice::QueryFirst);
        assert!(e.retryable() && e.outcome_unknown());
        // 40001–40006: definite; 40005 alone passes with time.
        for code in ["40001", "40002", "40003", "40004", "40006"] {
            let e = api(code, Some("SHOP_CREATE_INVALID_PARAM"), true);
            assert_eq!(e.advice(), Advice::DoNotRetry, "{code}");
            assert!(!e.retryable(), "{code}");
        }
        let limited = api("40005", Some("aop.ACL-blacklist"), true);
        assert_eq!(limited.advice(), Advice::RetryLater);
        assert!(limited.retryable() && !limited.outcome_unknown());
    }

    #[test]
    fn system_error_sub_codes_and_unsigned_answers_mean_query_first() {
        // A product's own system error under 40004 leaves the outcome open.
        let e = api("40004", Some("SHOP_CREATE_SYSTEM_ERROR"), true);
        assert_eq!(e.advice(), Advice::QueryFirst);
        // Nothing proves an unsigned refusal is Alipay's.
        let e = api("40004", Some("SHOP_CREATE_INVALID_PARAM"), false);
        assert_eq!(e.advice(), Advice::QueryFirst);
        assert_eq!(Error::from(e).advice(), Advice::QueryFirst);
    }

    #[test]
    fn errors_without_an_answer_are_judged_by_what_was_sent() {
        let http = |maybe_sent| HttpError {
            method: "m".into(),
            kind: HttpErrorKind::Timeout,
            status: None,
            maybe_sent,
            message: String::new(),
            source: None,
        };
        assert_eq!(Error::from(http(true)).advice(), Advice::QueryFirst);
        assert_eq!(Error::from(http(false)).advice(), Advice::RetryLater);
        assert_eq!(
            Error::from(SignError::new("signer down")).advice(),
            Advice::RetryLater
        );
        assert_eq!(
            Error::from(ConfigError::Missing("app_id")).advice(),
            Advice::DoNotRetry
        );
        let signed = Error::from(api("40004", Some("SHOP_MODIFY_SHOP_NOT_EXISTS"), true));
        assert_eq!(signed.advice(), Advice::DoNotRetry);
    }
}

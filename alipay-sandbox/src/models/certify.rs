//! Identity verification (支付宝身份验证): `initialize` opens a verification,
//! `certify` sends the user's browser to the sandbox's check page, the user passes or
//! fails there (or through the `Sandbox` hooks), and `query` reports the outcome.
//!
//! Alipay's docs name no `sub_code` for an unknown `certify_id` or a verification in
//! the wrong state; the sandbox answers `40004` with `CERTIFY_ID_NOT_EXIST` and
//! `CERTIFY_STATUS_ERROR`, its own names.

use std::collections::HashMap;

use crate::call::Call;
use crate::env::Env;
use crate::html::{esc, page};
use crate::reply::{Answer, Failure, Node, Page};

/// Identity verifications and their outcomes.
pub(crate) struct CertifyModel;

/// Where an identity verification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertifyStatus {
    /// Initialised; the user has not opened the verification URL yet.
    Initialized,
    /// The user opened the verification URL and is going through the check.
    Certifying,
    /// The user passed.
    Passed,
    /// The user failed.
    Failed,
}

impl CertifyStatus {
    /// A short English name for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            CertifyStatus::Initialized => "initialized",
            CertifyStatus::Certifying => "in progress",
            CertifyStatus::Passed => "passed",
            CertifyStatus::Failed => "failed",
        }
    }
}

impl std::fmt::Display for CertifyStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One verification.
#[derive(Debug, Clone)]
struct Certification {
    status: CertifyStatus,
    cert_name: String,
    /// `merchant_config.return_url`, where the user goes when done.
    return_url: Option<String>,
}

/// Verifications by `certify_id`.
#[derive(Debug, Default)]
struct Certifications(HashMap<String, Certification>);

const PASS: &str = "certify-pass";
const FAIL: &str = "certify-fail";

impl super::Model for CertifyModel {
    fn methods(&self) -> &'static [&'static str] {
        &[
            "alipay.user.certify.open.initialize",
            "alipay.user.certify.open.certify",
            "alipay.user.certify.open.query",
        ]
    }

    fn answer(&self, c: &Call<'_>) -> Result<Answer, Failure> {
        match c.method {
            "alipay.user.certify.open.initialize" => initialize(c).map(Answer::Node),
            "alipay.user.certify.open.certify" => certify(c).map(Answer::Page),
            "alipay.user.certify.open.query" => query(c).map(Answer::Node),
            other => Err(super::unhandled(other)),
        }
    }

    fn pages(&self) -> &'static [&'static str] {
        &[PASS, FAIL]
    }

    fn page(&self, env: &Env, segment: &str, certify_id: &str) -> Page {
        match finish(env, certify_id, segment == PASS) {
            Ok(Some(url)) => Page::Redirect(url),
            Ok(None) => Page::Html(page(
                "Identity verification finished",
                &format!(
                    "<p>Verification <code>{}</code> is over; ask alipay.user.certify.open.query for the outcome.</p>",
                    esc(certify_id)
                ),
            )),
            Err(Finish::Unknown) => Page::Refused(404, "no such verification".into()),
            Err(Finish::State(s)) => Page::Refused(409, format!("the verification is {s}")),
        }
    }
}

fn initialize(c: &Call<'_>) -> Result<Node, Failure> {
    let cert_name = c
        .biz
        .get("identity_param")
        .and_then(|p| p.get("cert_name"))
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned();
    let return_url = c
        .biz
        .get("merchant_config")
        .and_then(|m| m.get("return_url"))
        .and_then(|v| v.as_str())
        .filter(|u| !u.is_empty())
        .map(str::to_owned);
    let certify_id = {
        let mut st = c.env.lock();
        let id = format!("sbxcert{:025}", st.ledger.next_seq());
        let record = Certification {
            status: CertifyStatus::Initialized,
            cert_name,
            return_url,
        };
        st.parts
            .get_mut::<Certifications>()
            .0
            .insert(id.clone(), record);
        id
    };
    let mut n = Node::success();
    n.set("certify_id", certify_id);
    Ok(n)
}

/// The user's browser arrives: the check page, with a button to pass and one to fail.
fn certify(c: &Call<'_>) -> Result<Page, Failure> {
    let id = c.required("certify_id")?;
    let name = {
        let mut st = c.env.lock();
        let cert = lookup(st.parts.get_mut::<Certifications>(), &id)?;
        match cert.status {
            CertifyStatus::Initialized | CertifyStatus::Certifying => {
                cert.status = CertifyStatus::Certifying;
            }
            done => return Err(state_error(&id, done)),
        }
        masked_name(&cert.cert_name)
    };
    let base = esc(&c.env.base_url);
    let id = esc(&id);
    Ok(Page::Html(page(
        "Sandbox identity check",
        &format!(
            "<p>Verifying <strong>{}</strong> (<code>{id}</code>).</p>\n\
             <p><a id=\"pass\" href=\"{base}/sandbox/{PASS}/{id}\">Pass the check</a></p>\n\
             <p><a id=\"fail\" href=\"{base}/sandbox/{FAIL}/{id}\">Fail the check</a></p>",
            esc(&name)
        ),
    )))
}

fn query(c: &Call<'_>) -> Result<Node, Failure> {
    let id = c.required("certify_id")?;
    let status = {
        let mut st = c.env.lock();
        lookup(st.parts.get_mut::<Certifications>(), &id)?.status
    };
    let mut n = Node::success();
    n.set(
        "passed",
        if status == CertifyStatus::Passed {
            "T"
        } else {
            "F"
        },
    );
    Ok(n)
}

/// Why a verification could not be finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Finish {
    /// No verification with that id.
    Unknown,
    /// The user has not opened it yet, or it is already over.
    State(CertifyStatus),
}

/// The user passes (or fails) a verification they opened; returns where their
/// browser goes next.
pub(crate) fn finish(env: &Env, certify_id: &str, pass: bool) -> Result<Option<String>, Finish> {
    let mut st = env.lock();
    let cert = st
        .parts
        .get_mut::<Certifications>()
        .0
        .get_mut(certify_id)
        .ok_or(Finish::Unknown)?;
    if cert.status != CertifyStatus::Certifying {
        return Err(Finish::State(cert.status));
    }
    cert.status = if pass {
        CertifyStatus::Passed
    } else {
        CertifyStatus::Failed
    };
    Ok(cert.return_url.clone())
}

/// The current state of a verification, if it exists.
pub(crate) fn status(env: &Env, certify_id: &str) -> Option<CertifyStatus> {
    env.lock()
        .parts
        .get::<Certifications>()
        .and_then(|c| c.0.get(certify_id))
        .map(|c| c.status)
}

fn lookup<'a>(book: &'a mut Certifications, id: &str) -> Result<&'a mut Certification, Failure> {
    book.0.get_mut(id).ok_or_else(|| {
        Failure::business(
            "CERTIFY_ID_NOT_EXIST",
            format!("no identity verification `{id}`; use the certify_id that initialize returned"),
        )
    })
}

fn state_error(id: &str, status: CertifyStatus) -> Failure {
    Failure::business(
        "CERTIFY_STATUS_ERROR",
        format!("identity verification `{id}` is {status}; initialize a new one"),
    )
}

/// The name as the check page shows it: the family name, the rest masked.
fn masked_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count())),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::masked_name;

    #[test]
    fn names_are_masked_but_the_first_character() {
        assert_eq!(masked_name("张三丰"), "张**");
        assert_eq!(masked_name(""), "");
    }
}

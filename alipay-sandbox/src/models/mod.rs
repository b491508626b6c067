//! Behaviour models: one module per product, each answering the methods it
//! declares with state of its own (see the crate README, "Adding a product model").
//! Every other method of the spec is answered from the spec by the dispatcher.

pub(crate) mod agreement;
mod bill;
mod cert;
pub(crate) mod certify;
pub(crate) mod esign;
pub(crate) mod fund_auth;
pub(crate) mod member;
pub(crate) mod royalty;
pub(crate) mod shop;
pub(crate) mod trade;
pub(crate) mod transfer;
mod upload;
pub(crate) mod users;

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::call::Call;
use crate::env::Env;
use crate::reply::{Answer, Failure, Page};

/// A product's behaviour: the methods it answers and, optionally, pages under
/// `/sandbox/<segment>/<id>` (a QR code to scan, a file to download).
pub(crate) trait Model: Sync {
    /// The methods this model answers (names as in the spec).
    fn methods(&self) -> &'static [&'static str];

    /// Answers one verified, spec-valid call of one of [`Model::methods`]. A
    /// `Failure` is sent as Alipay sends a refused call (signed, under the method's
    /// node; an error page for page methods).
    fn answer(&self, call: &Call<'_>) -> Result<Answer, Failure>;

    /// The path segments under `/sandbox/` this model serves pages for.
    fn pages(&self) -> &'static [&'static str] {
        &[]
    }

    /// The page `/sandbox/<segment>/<id>` (a `GET` from a browser or a download).
    fn page(&self, env: &Env, segment: &str, id: &str) -> Page {
        let _ = (env, id);
        Page::Refused(404, format!("nothing is served under /sandbox/{segment}"))
    }

    /// A `PUT` to `/sandbox/<segment>/<id>`: a file sent to a direct-upload address.
    fn put(&self, env: &Env, segment: &str, id: &str, upload: &Put<'_>) -> Page {
        let _ = (env, id, upload);
        Page::Refused(405, format!("nothing is uploaded under /sandbox/{segment}"))
    }
}

/// A `PUT` of a file to a direct-upload address, as the storage sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Put<'a> {
    /// The `Content-Type` header, if sent.
    pub(crate) content_type: Option<&'a str>,
    /// The `Content-MD5` header, if sent.
    pub(crate) content_md5: Option<&'a str>,
    /// The bytes.
    pub(crate) body: &'a [u8],
}

/// Every behaviour model. A new product model is registered here, and only here.
const MODELS: &[&dyn Model] = &[
    &trade::TradeModel,
    &bill::BillModel,
    &cert::CertModel,
    &upload::ImageModel,
    &agreement::AgreementModel,
    &fund_auth::FundAuthModel,
    &certify::CertifyModel,
    &member::MemberModel,
    &royalty::RoyaltyModel,
    &transfer::TransferModel,
    &shop::ShopModel,
    &esign::EsignModel,
];

/// The model that answers `method`, if any.
pub(crate) fn for_method(method: &str) -> Option<&'static dyn Model> {
    static BY_METHOD: OnceLock<HashMap<&'static str, &'static dyn Model>> = OnceLock::new();
    let table = BY_METHOD.get_or_init(|| {
        MODELS
            .iter()
            .flat_map(|m| m.methods().iter().map(move |name| (*name, *m)))
            .collect()
    });
    table.get(method).copied()
}

/// The model that serves pages under `/sandbox/<segment>/`, if any.
pub(crate) fn for_page(segment: &str) -> Option<&'static dyn Model> {
    MODELS
        .iter()
        .copied()
        .find(|m| m.pages().contains(&segment))
}

/// The answer for a method a model declared but does not handle: a bug in the
/// model, reported as the platform reports its own failures.
pub(crate) fn unhandled(method: &str) -> Failure {
    Failure::unavailable(format!(
        "the sandbox model for `{method}` declares it but has no behaviour for it"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_method_is_in_the_spec_and_has_one_model() {
        let mut seen = std::collections::HashSet::new();
        for m in MODELS {
            for name in m.methods() {
                assert!(
                    crate::spec::method(name).is_some(),
                    "{name} is not in the spec"
                );
                assert!(seen.insert(*name), "{name} is declared by two models");
            }
        }
        let mut segments = std::collections::HashSet::new();
        for s in MODELS.iter().flat_map(|m| m.pages()) {
            assert!(segments.insert(*s), "/sandbox/{s} is served by two models");
        }
    }
}

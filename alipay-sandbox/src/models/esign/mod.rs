//! The e签宝 electronic-contract product (E签宝电子面签): templates uploaded to
//! direct-upload addresses that check `Content-Type` and `Content-MD5`, signing flows
//! that move from signing to completed, refused, revoked or expired, signing and
//! preview pages, downloads of the signed contract and of attachments, and e签宝's
//! callbacks (`SIGN_FLOW_UPDATE`, `SIGN_FLOW_FINISH`) posted to the flow's
//! `notice_developer_url` as e签宝 posts them (JSON, unsigned), retried until the
//! merchant answers with a 2xx status.
//!
//! Business refusals are `40004 Business Failed` with sub-codes of the sandbox's own
//! (`ESIGN.FLOW_NOT_EXIST`, `ESIGN.TEMPLATE_NOT_EXIST`, `ESIGN.FLOW_STATUS_ERROR`, …):
//! the product's documentation lists none.

mod book;
mod files;
mod flow;

use crate::call::Call;
use crate::env::Env;
use crate::models::Put;
use crate::reply::{Answer, Failure, Page};

pub use book::EsignFlow;
pub(crate) use flow::{expire, flow, signer_acts, Act, Refusal};

/// The e签宝 service app every call is addressed to (seed 000, 注意事项).
const TARGET_APP_ID: &str = "2021001101679589";
/// Where uploads go (`PUT`).
const SEG_UPLOAD: &str = "esign-upload";
/// A template's settings page.
const SEG_TEMPLATE: &str = "esign-template";
/// An uploaded attachment.
const SEG_FILE: &str = "esign-file";
/// A completed flow's signed contract.
const SEG_DOC: &str = "esign-doc";
/// A signer's signing page.
const SEG_SIGN: &str = "esign-sign";
/// A signer's preview page.
const SEG_PREVIEW: &str = "esign-preview";

/// Templates, files and signing flows.
pub(crate) struct EsignModel;

impl super::Model for EsignModel {
    fn methods(&self) -> &'static [&'static str] {
        &[
            "alipay.eco.doc.template.create",
            "alipay.eco.doctemplate.settingurl.query",
            "alipay.eco.file.path.query",
            "alipay.eco.contract.signflows.create",
            "alipay.eco.sign.flow.create",
            "alipay.eco.sign.flow.query",
            "alipay.eco.signflows.url.query",
            "alipay.eco.signflows.detail.query",
            "alipay.eco.sign.flow.cancel",
            "alipay.eco.sign.flow.finish",
        ]
    }

    fn answer(&self, c: &Call<'_>) -> Result<Answer, Failure> {
        routed(c)?;
        let node = match c.method {
            "alipay.eco.doc.template.create" => files::template_create(c),
            "alipay.eco.doctemplate.settingurl.query" => files::setting_url(c),
            "alipay.eco.file.path.query" => files::file_path(c),
            "alipay.eco.contract.signflows.create" => flow::create(c, flow::Form::Contract),
            "alipay.eco.sign.flow.create" => flow::create(c, flow::Form::Simple),
            "alipay.eco.sign.flow.query" => flow::query(c),
            "alipay.eco.signflows.url.query" => flow::urls(c),
            "alipay.eco.signflows.detail.query" => flow::detail(c),
            "alipay.eco.sign.flow.cancel" => flow::cancel(c),
            "alipay.eco.sign.flow.finish" => flow::finish(c),
            other => Err(super::unhandled(other)),
        }?;
        Ok(Answer::Node(node))
    }

    fn pages(&self) -> &'static [&'static str] {
        &[
            SEG_UPLOAD,
            SEG_TEMPLATE,
            SEG_FILE,
            SEG_DOC,
            SEG_SIGN,
            SEG_PREVIEW,
        ]
    }

    fn page(&self, env: &Env, segment: &str, id: &str) -> Page {
        match segment {
            SEG_TEMPLATE => files::template_page(env, id),
            SEG_FILE => files::file_page(env, id),
            SEG_DOC => flow::document(env, id),
            SEG_SIGN | SEG_PREVIEW => flow::task_page(env, segment == SEG_SIGN, id),
            _ => Page::Refused(405, "upload addresses take a PUT".into()),
        }
    }

    fn put(&self, env: &Env, segment: &str, id: &str, upload: &Put<'_>) -> Page {
        match segment {
            SEG_UPLOAD => files::put(env, id, upload),
            _ => Page::Refused(405, format!("/sandbox/{segment} takes no upload")),
        }
    }
}

/// A business refusal of the e签宝 product.
fn esign_failure(what: &str, sub_msg: String) -> Failure {
    Failure::business(&format!("ESIGN.{what}"), sub_msg)
}

/// Business content the e签宝 service refuses (it checks `biz_content` itself, so the
/// refusal is a business one, as the trade service's `ACQ.INVALID_PARAMETER` is).
fn invalid(detail: &str) -> Failure {
    esign_failure("INVALID_PARAMETER", format!("invalid parameter: {detail}"))
}

/// A business parameter e签宝 needs.
fn required(c: &Call<'_>, k: &str) -> Result<String, Failure> {
    c.text(k)
        .ok_or_else(|| invalid(&format!("`{k}` is required")))
}

/// The call reaches e签宝 only as the product's guide says: for the e签宝 service app,
/// and never on a merchant's behalf.
fn routed(c: &Call<'_>) -> Result<(), Failure> {
    if c.params.get("target_app_id") != Some(TARGET_APP_ID) {
        let msg = format!("e签宝 calls are made with `target_app_id` {TARGET_APP_ID}");
        return Err(Failure::invalid("isv.invalid-target-app-id", msg));
    }
    if c.params.non_empty("app_auth_token").is_some() {
        let msg = "e签宝 cannot be called for a merchant: leave out `app_auth_token`";
        return Err(Failure::invalid("isv.invalid-app-auth-token", msg));
    }
    Ok(())
}

/// Ids and tokens, shaped like e签宝's (32 hex digits), drawn from the gateway's
/// sequence so that they never repeat.
mod ids {
    fn hex(kind: u32, seq: u64) -> String {
        format!("{kind:08x}{seq:024x}")
    }

    pub(super) fn template(seq: u64) -> String {
        hex(0x7e3a_1a7e, seq)
    }

    pub(super) fn file(seq: u64) -> String {
        hex(0xf11e_0000, seq)
    }

    pub(super) fn flow(seq: u64) -> String {
        hex(0xf10e_0000, seq)
    }

    pub(super) fn token(seq: u64) -> String {
        hex(0x0b1e_c700, seq)
    }

    /// The look of a storage signature in the upload address's query.
    pub(super) fn signature(seq: u64) -> String {
        hex(0x519a_7e00, seq.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    /// An e签宝 account id for one of the merchant's signer ids (stable per id).
    pub(super) fn account(third_party_user_id: &str) -> String {
        let sum = third_party_user_id
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            });
        hex(0xacc0_0000, sum)
    }
}

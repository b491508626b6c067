//! What the e签宝 model remembers: templates, files announced for direct upload, the
//! addresses they are uploaded to, and signing flows with their signers.

use std::collections::HashMap;

use alipay_api::models::{EsignFlowStatus, EsignSignStatus};
use alipay_api::BeijingDateTime;
use bytes::Bytes;

/// The e签宝 state of one gateway.
#[derive(Debug, Default)]
pub(crate) struct EsignBook {
    pub(crate) templates: HashMap<String, Template>,
    pub(crate) files: HashMap<String, StoredFile>,
    /// Direct-upload addresses by their token (the last path segment).
    pub(crate) uploads: HashMap<String, UploadSlot>,
    pub(crate) flows: HashMap<String, Flow>,
}

/// A contract template; usable once its file is uploaded.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    pub(crate) file_name: String,
    pub(crate) uploaded: bool,
}

/// A file announced with `alipay.eco.file.path.query`; its bytes once uploaded.
#[derive(Debug, Clone)]
pub(crate) struct StoredFile {
    pub(crate) file_name: String,
    pub(crate) content_type: String,
    pub(crate) bytes: Option<Bytes>,
}

/// What an upload address stores into, and the headers it was issued for.
#[derive(Debug, Clone)]
pub(crate) struct UploadSlot {
    pub(crate) target: UploadTarget,
    pub(crate) content_type: String,
    pub(crate) content_md5: String,
}

/// A template's file or an attachment.
#[derive(Debug, Clone)]
pub(crate) enum UploadTarget {
    Template(String),
    File(String),
}

/// A signing flow.
#[derive(Debug, Clone)]
pub(crate) struct Flow {
    pub(crate) flow_id: String,
    pub(crate) business_scene: String,
    pub(crate) status: EsignFlowStatus,
    /// The state's description (the reason, for a refused or revoked flow).
    pub(crate) description: String,
    pub(crate) signers: Vec<Signer>,
    /// Where e签宝's callbacks go (`notice_developer_url`).
    pub(crate) notice_url: Option<String>,
    /// Whether the flow completes by itself when the last signer has signed.
    pub(crate) auto_archive: bool,
    /// The names of the files to sign, one per template.
    pub(crate) documents: Vec<String>,
    /// Attachment file ids.
    pub(crate) attachments: Vec<String>,
    pub(crate) contract_validity: Option<i64>,
    pub(crate) started: BeijingDateTime,
    pub(crate) ended: Option<BeijingDateTime>,
}

/// One party of a flow.
#[derive(Debug, Clone)]
pub(crate) struct Signer {
    /// The merchant's id of the person (for a company: its agent).
    pub(crate) third_party_user_id: String,
    /// The merchant's id of the company, for a company signer.
    pub(crate) org_third_party_user_id: Option<String>,
    pub(crate) status: EsignSignStatus,
    /// Position in the signing order, from 1.
    pub(crate) order: usize,
}

impl Flow {
    /// Whether every signer has signed.
    pub(crate) fn all_signed(&self) -> bool {
        self.signers
            .iter()
            .all(|s| s.status == EsignSignStatus::Signed)
    }

    /// A signer by the merchant's id.
    pub(crate) fn signer_mut(&mut self, third_party_user_id: &str) -> Option<&mut Signer> {
        self.signers
            .iter_mut()
            .find(|s| s.third_party_user_id == third_party_user_id)
    }
}

/// A flow as a test sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EsignFlow {
    /// The flow's id.
    pub flow_id: String,
    /// Where it is.
    pub status: EsignFlowStatus,
    /// Each signer (by the merchant's id) and where they are.
    pub signers: Vec<(String, EsignSignStatus)>,
}

impl From<&Flow> for EsignFlow {
    fn from(f: &Flow) -> Self {
        EsignFlow {
            flow_id: f.flow_id.clone(),
            status: f.status.clone(),
            signers: f
                .signers
                .iter()
                .map(|s| (s.third_party_user_id.clone(), s.status.clone()))
                .collect(),
        }
    }
}

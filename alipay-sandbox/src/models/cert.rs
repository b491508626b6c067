//! Certificate download (`alipay.open.app.alipaycert.download`): the platform
//! certificate with a given SN, current or retired, for clients that rotate.

use base64::Engine as _;

use crate::call::Call;
use crate::reply::{Answer, Failure, Node};

/// Hands out the platform's certificates by SN.
pub(crate) struct CertModel;

impl super::Model for CertModel {
    fn methods(&self) -> &'static [&'static str] {
        &["alipay.open.app.alipaycert.download"]
    }

    fn answer(&self, c: &Call<'_>) -> Result<Answer, Failure> {
        let sn = c.required("alipay_cert_sn")?;
        let platform = c.env.platform();
        let pem = platform.cert_by_sn(&sn).ok_or_else(|| {
            Failure::business(
                "CERT_NOT_EXIST",
                format!("no Alipay certificate with SN `{sn}` is known to this app"),
            )
        })?;
        let mut n = Node::success();
        n.set(
            "alipay_cert_content",
            base64::engine::general_purpose::STANDARD.encode(pem.as_bytes()),
        );
        Ok(Answer::Node(n))
    }
}

//! The test-facing hooks of the agreement and fund-authorisation products: a user
//! signing or ending a deduction agreement, the Alipay app confirming a freeze, and
//! the state of both.

use crate::error::SandboxError;
use crate::models::agreement::{self, Agreement, AgreementBook};
use crate::models::fund_auth::{FundAuthBook, FundAuthOrder};
use crate::sandbox::{node_text, Sandbox};

impl Sandbox {
    /// Hands a signed `alipay.fund.auth.order.app.freeze` order string to the
    /// platform as the Alipay app would once the user confirmed: it is checked like
    /// any request, the funds are frozen and the freeze notification goes out.
    pub async fn confirm_app_freeze(
        &self,
        order_string: &str,
    ) -> Result<FundAuthOrder, SandboxError> {
        let node = self
            .submit_app_order(order_string, "alipay.fund.auth.order.app.freeze")
            .await?;
        let auth_no = node_text(&node, "auth_no");
        self.fund_auth_order(&auth_no)
            .ok_or(SandboxError::UnknownFundAuthOrder(auth_no))
    }

    /// The simulated user signs an agreement stored by a signing page (with
    /// `auto_pay_pages(false)`); the signing notification goes out as usual.
    pub fn sign_agreement(&self, agreement_no: &str) -> Result<Agreement, SandboxError> {
        agreement::sign_as_user(self.env(), agreement_no).map_err(|status| match status {
            None => SandboxError::UnknownAgreement(agreement_no.to_owned()),
            Some(status) => SandboxError::AgreementState {
                agreement_no: agreement_no.to_owned(),
                status: status.to_string(),
            },
        })
    }

    /// The user ends an agreement from the Alipay app; the unsigning notification
    /// goes to the signing request's `notify_url`.
    pub fn unsign_agreement(&self, agreement_no: &str) -> Result<Agreement, SandboxError> {
        agreement::unsign_as_user(self.env(), agreement_no)
            .ok_or_else(|| SandboxError::UnknownAgreement(agreement_no.to_owned()))
    }

    /// An agreement by agreement number.
    pub fn agreement(&self, agreement_no: &str) -> Option<Agreement> {
        self.env()
            .lock()
            .parts
            .get_mut::<AgreementBook>()
            .agreements
            .get(agreement_no)
            .cloned()
    }

    /// Every agreement, by agreement number (signed, pending and ended).
    pub fn agreements(&self) -> Vec<Agreement> {
        let mut st = self.env().lock();
        let book = st.parts.get_mut::<AgreementBook>();
        book.agreements.values().cloned().collect()
    }

    /// A fund-authorisation order by authorisation number.
    pub fn fund_auth_order(&self, auth_no: &str) -> Option<FundAuthOrder> {
        self.env()
            .lock()
            .parts
            .get_mut::<FundAuthBook>()
            .orders
            .get(auth_no)
            .cloned()
    }

    /// Every fund-authorisation order, by authorisation number.
    pub fn fund_auth_orders(&self) -> Vec<FundAuthOrder> {
        let mut st = self.env().lock();
        let book = st.parts.get_mut::<FundAuthBook>();
        book.orders.values().cloned().collect()
    }
}

//! Where the money of an `alipay.trade.pay` comes from: the payment code the cashier
//! scanned, a signed deduction agreement (`agreement_params`), or funds frozen by a
//! pre-authorisation (`auth_no`). The agreement and authorisation models say whether
//! they can pay and who the payer is, and record what was taken.

use alipay_api::Amount;

use super::{valid_auth_code, Trade};
use crate::call::Call;
use crate::models::agreement::{self, deduct, AgreementBook};
use crate::models::fund_auth::{self, FundAuthBook};
use crate::reply::Failure;
use crate::store::Store;

/// Who pays, when an agreement or an authorisation order says so.
#[derive(Debug, Clone)]
pub(crate) struct Payer {
    /// The payer's user id.
    pub(crate) user_id: String,
    /// The payer's masked login name.
    pub(crate) logon_id: String,
}

/// The source of a payment's money.
pub(super) enum Source {
    /// A payment code (or face token) the cashier read.
    Code(String),
    /// A deduction under this agreement.
    Agreement(String),
    /// Funds frozen on this authorisation order; `complete` releases the rest.
    Frozen { auth_no: String, complete: bool },
}

impl Source {
    /// The source a pay request names: an agreement wins over frozen funds, which win
    /// over a payment code. A payment code of the wrong form is refused.
    pub(super) fn of(c: &Call<'_>) -> Result<Source, Failure> {
        if c.biz.contains_key("agreement_params") {
            return agreement::nested(c, "agreement_params", "agreement_no")
                .map(Source::Agreement)
                .ok_or_else(|| {
                    c.invalid(
                        "`agreement_params.agreement_no` is required to deduct under an agreement",
                    )
                });
        }
        if let Some(auth_no) = c.text("auth_no") {
            let complete = c.text("auth_confirm_mode").as_deref() == Some("COMPLETE");
            return Ok(Source::Frozen { auth_no, complete });
        }
        let code = c.required("auth_code")?;
        if !valid_auth_code(&code) {
            return Err(Failure::business(
                "ACQ.PAYMENT_AUTH_CODE_INVALID",
                "the payment code is not valid; ask the buyer to refresh it (16-24 digits starting with 25-30)",
            ));
        }
        Ok(Source::Code(code))
    }

    /// The payment code, whose digits seed the buyer's id.
    pub(super) fn code(&self) -> Option<&str> {
        match self {
            Source::Code(code) => Some(code),
            _ => None,
        }
    }

    /// Whether the agreement or the frozen funds can pay `amount`, and who pays;
    /// `None` for a payment code (the buyer is whoever shows it).
    pub(super) fn check(
        &self,
        c: &Call<'_>,
        st: &mut Store,
        amount: Amount,
    ) -> Result<Option<Payer>, Failure> {
        match self {
            Source::Code(_) => Ok(None),
            Source::Agreement(no) => {
                let product = c.text("product_code");
                let today = c.env.now().naive().date();
                let book = st.parts.get_mut::<AgreementBook>();
                deduct::check(book, no, product.as_deref(), amount, today).map(Some)
            }
            Source::Frozen { auth_no, .. } => {
                let book = st.parts.get_mut::<FundAuthBook>();
                fund_auth::pay::check(book, auth_no, amount).map(Some)
            }
        }
    }

    /// Records the deduction or the payment from frozen funds of paid trade `t`.
    pub(super) fn record(&self, c: &Call<'_>, st: &mut Store, t: &Trade) {
        let now = c.env.now();
        match self {
            Source::Code(_) => {}
            Source::Agreement(no) => {
                let book = st.parts.get_mut::<AgreementBook>();
                deduct::record(book, no, t.total_amount, now.naive().date());
            }
            Source::Frozen { auth_no, complete } => {
                fund_auth::pay::record(
                    st,
                    auth_no,
                    &t.out_trade_no,
                    t.total_amount,
                    *complete,
                    now,
                );
            }
        }
    }
}

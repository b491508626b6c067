//! The agreement product's state: signed deduction agreements, their recurring
//! schedules, and the public snapshots of them handed to tests.

use std::collections::BTreeMap;

use alipay_api::{Amount, BeijingDateTime, SignType};
use chrono::{Datelike, Months, NaiveDate};

use crate::store::Ledger;

/// Where an agreement is in its lifecycle (`status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgreementStatus {
    /// Created by a signing request; the user has not signed yet.
    Temp,
    /// Signed and in effect: the merchant may deduct under it.
    Normal,
    /// Ended by the merchant or the user.
    Unsign,
}

impl AgreementStatus {
    /// The wire value, e.g. `NORMAL`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AgreementStatus::Temp => "TEMP",
            AgreementStatus::Normal => "NORMAL",
            AgreementStatus::Unsign => "UNSIGN",
        }
    }
}

impl std::fmt::Display for AgreementStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The unit of a recurring agreement's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodUnit {
    /// Days.
    Day,
    /// Calendar months (the same day of a later month).
    Month,
}

/// The schedule and limits of a recurring (周期扣款) agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PeriodRule {
    /// The unit of the period.
    pub unit: PeriodUnit,
    /// The period's length in `unit`s.
    pub period: u32,
    /// The date of the first deduction.
    pub first_date: NaiveDate,
    /// The most one deduction may take.
    pub single_amount: Amount,
    /// The most all deductions together may take, if limited.
    pub total_amount: Option<Amount>,
    /// The most successful deductions, if limited.
    pub total_payments: Option<u32>,
}

impl PeriodRule {
    /// The date one period after `date`, or `None` past chrono's range.
    pub(crate) fn next_after(&self, date: NaiveDate) -> Option<NaiveDate> {
        match self.unit {
            PeriodUnit::Day => date.checked_add_days(chrono::Days::new(u64::from(self.period))),
            PeriodUnit::Month => date.checked_add_months(Months::new(self.period)),
        }
    }

    /// Monthly schedules may not use days that some months lack.
    pub(crate) fn day_allowed(&self, date: NaiveDate) -> bool {
        self.unit == PeriodUnit::Day || date.day() <= 28
    }
}

/// A deduction agreement as the gateway knows it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Agreement {
    /// The platform's agreement number.
    pub agreement_no: String,
    /// The merchant's agreement number, if it gave one.
    pub external_agreement_no: Option<String>,
    /// The personal product code, e.g. `CYCLE_PAY_AUTH_P`.
    pub personal_product_code: String,
    /// The signing scenario.
    pub sign_scene: String,
    /// The status.
    pub status: AgreementStatus,
    /// The signing user's id, once signed.
    pub alipay_user_id: Option<String>,
    /// The signing user's masked login name, once signed.
    pub alipay_logon_id: Option<String>,
    /// The user's login name on the merchant's site, if given.
    pub external_logon_id: Option<String>,
    /// The only user allowed to sign, if the request named one.
    pub required_user_id: Option<String>,
    /// The recurring schedule, for 周期扣款 agreements.
    pub period_rule: Option<PeriodRule>,
    /// The date of the next planned deduction (recurring agreements).
    pub next_deduct_date: Option<NaiveDate>,
    /// The date of the last successful deduction.
    pub last_deduct_date: Option<NaiveDate>,
    /// What deductions have taken so far.
    pub deducted: Amount,
    /// How many deductions succeeded.
    pub deductions: u32,
    /// When the signing request arrived.
    pub created_at: BeijingDateTime,
    /// When the user signed.
    pub signed_at: Option<BeijingDateTime>,
    /// When it stops being valid.
    pub invalid_at: BeijingDateTime,
    /// When it ended.
    pub unsigned_at: Option<BeijingDateTime>,
    /// Where the signing notification goes (and unsigning ones without their own).
    pub notify_url: Option<String>,
    /// Where the user's browser returns after signing.
    pub return_url: Option<String>,
    /// `charset` of the signing request; notifications use it too.
    pub charset: String,
    /// `sign_type` of the signing request; notifications are signed with it.
    pub sign_type: SignType,
}

impl Agreement {
    /// Whether deductions, queries and changes may still use it.
    pub(crate) fn in_effect(&self) -> bool {
        self.status == AgreementStatus::Normal
    }

    /// Whether the fields identify this agreement (the user's id and product, plus
    /// scenario and merchant number when given), as queries and unsigning do.
    pub(crate) fn matches(&self, key: &AgreementKey) -> bool {
        let user = key.user.as_deref();
        (user.is_none() || self.alipay_user_id.as_deref() == user)
            && key
                .personal_product_code
                .as_deref()
                .is_none_or(|p| p == self.personal_product_code)
            && key
                .sign_scene
                .as_deref()
                .is_none_or(|s| s == self.sign_scene)
            && key
                .external_agreement_no
                .as_deref()
                .is_none_or(|e| self.external_agreement_no.as_deref() == Some(e))
    }
}

/// How a query or an unsigning names an agreement without its number.
#[derive(Debug, Default)]
pub(crate) struct AgreementKey {
    pub(crate) user: Option<String>,
    pub(crate) personal_product_code: Option<String>,
    pub(crate) sign_scene: Option<String>,
    pub(crate) external_agreement_no: Option<String>,
}

impl AgreementKey {
    /// Whether the key names anything at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.user.is_none() && self.external_agreement_no.is_none()
    }
}

/// Every agreement of the gateway (the agreement model's part of the store).
#[derive(Debug, Default)]
pub(crate) struct AgreementBook {
    /// Agreements by agreement number.
    pub(crate) agreements: BTreeMap<String, Agreement>,
}

impl AgreementBook {
    /// The agreement `key` names that is in effect, newest first.
    pub(crate) fn find(&self, key: &AgreementKey) -> Option<&Agreement> {
        self.agreements
            .values()
            .rev()
            .find(|a| a.in_effect() && a.matches(key))
    }
}

/// A new 20-digit agreement number: the year, a fixed part, a sequence.
pub(crate) fn new_agreement_no(ledger: &mut Ledger, now: BeijingDateTime) -> String {
    format!("{}5{:015}", now.naive().format("%Y"), ledger.next_seq())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(unit: PeriodUnit, period: u32) -> PeriodRule {
        PeriodRule {
            unit,
            period,
            first_date: NaiveDate::from_ymd_opt(2024, 1, 31).unwrap(),
            single_amount: Amount::from_fen(100),
            total_amount: None,
            total_payments: None,
        }
    }

    #[test]
    fn periods_advance_by_days_or_calendar_months() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 28).unwrap();
        assert_eq!(
            rule(PeriodUnit::Day, 30).next_after(d),
            NaiveDate::from_ymd_opt(2024, 2, 27)
        );
        assert_eq!(
            rule(PeriodUnit::Month, 1).next_after(d),
            NaiveDate::from_ymd_opt(2024, 2, 28)
        );
        assert!(rule(PeriodUnit::Month, 1)
            .next_after(NaiveDate::MAX)
            .is_none());
        let month = rule(PeriodUnit::Month, 1);
        assert!(month.day_allowed(d));
        assert!(!month.day_allowed(NaiveDate::from_ymd_opt(2024, 1, 29).unwrap()));
        assert!(rule(PeriodUnit::Day, 1).day_allowed(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap()));
    }
}

//! Deductions under an agreement: what `alipay.trade.pay` checks before it charges
//! the user with `agreement_params` instead of a payment code, and what it records
//! afterwards (the recurring schedule moves on by one period).

use alipay_api::Amount;
use chrono::NaiveDate;

use super::{Agreement, AgreementBook, AgreementStatus};
use crate::models::trade::Payer;
use crate::reply::Failure;

/// How many days before a recurring deduction's date Alipay accepts it.
const EARLY_DAYS: u64 = 5;

fn refuse(sub_code: &str, msg: impl Into<String>) -> Failure {
    Failure::business(sub_code, msg)
}

/// Whether `amount` may be deducted under agreement `no` today, and from whom.
pub(crate) fn check(
    book: &AgreementBook,
    no: &str,
    product_code: Option<&str>,
    amount: Amount,
    today: NaiveDate,
) -> Result<Payer, Failure> {
    let a = book.agreements.get(no).ok_or_else(|| {
        refuse(
            "ACQ.AGREEMENT_NOT_EXIST",
            "no agreement has this agreement_no",
        )
    })?;
    if a.status != AgreementStatus::Normal {
        return Err(refuse(
            "ACQ.AGREEMENT_INVALID",
            format!("the agreement is {}; the user has to sign again", a.status),
        ));
    }
    let cycle = a.period_rule.is_some();
    if product_code.is_some_and(|p| (p == "CYCLE_PAY_AUTH") != cycle) {
        return Err(refuse(
            "ACQ.AGREEMENT_ERROR_PARAM",
            "product_code does not match the agreement: CYCLE_PAY_AUTH for recurring agreements, GENERAL_WITHHOLDING otherwise",
        ));
    }
    check_schedule(a, amount, today)?;
    let user = a.alipay_user_id.clone().unwrap_or_default();
    Ok(Payer {
        logon_id: a.alipay_logon_id.clone().unwrap_or_default(),
        user_id: user,
    })
}

/// A recurring agreement's limits: not too early, not above the single or total
/// amount, not more often than allowed.
fn check_schedule(a: &Agreement, amount: Amount, today: NaiveDate) -> Result<(), Failure> {
    let (Some(rule), Some(next)) = (&a.period_rule, a.next_deduct_date) else {
        return Ok(());
    };
    let opens = next
        .checked_sub_days(chrono::Days::new(EARLY_DAYS))
        .unwrap_or(next);
    if today < opens {
        return Err(refuse(
            "ACQ.CYCLE_PAY_DATE_NOT_MATCH",
            format!("the next deduction is planned for {next}; deduct from {opens} on"),
        ));
    }
    if amount > rule.single_amount {
        return Err(refuse(
            "ACQ.CYCLE_PAY_SINGLE_FEE_EXCEED",
            format!("a deduction may take at most {} yuan", rule.single_amount),
        ));
    }
    let total = a.deducted.checked_add(amount);
    if rule
        .total_amount
        .is_some_and(|max| total.is_none_or(|t| t > max))
    {
        return Err(refuse(
            "ACQ.CYCLE_PAY_TOTAL_FEE_EXCEED",
            "the deductions would exceed the agreement's total amount",
        ));
    }
    if rule.total_payments.is_some_and(|max| a.deductions >= max) {
        return Err(refuse(
            "ACQ.CYCLE_PAY_TOTAL_TIMES_EXCEED",
            "the agreement allows no more deductions",
        ));
    }
    Ok(())
}

/// Records a deduction that went through: totals, and for recurring agreements the
/// next planned date one period later.
pub(crate) fn record(book: &mut AgreementBook, no: &str, amount: Amount, today: NaiveDate) {
    let Some(a) = book.agreements.get_mut(no) else {
        return;
    };
    a.deducted = a.deducted.checked_add(amount).unwrap_or(a.deducted);
    a.deductions = a.deductions.saturating_add(1);
    a.last_deduct_date = Some(today);
    if let (Some(rule), Some(next)) = (&a.period_rule, a.next_deduct_date) {
        a.next_deduct_date = rule.next_after(next).or(Some(next));
    }
}

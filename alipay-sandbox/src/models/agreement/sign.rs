//! The user's side of an agreement: the signing page (`page.sign`), the sandbox
//! page that signs as the user, the return to the merchant, and the user ending
//! an agreement from the Alipay app.

use alipay_api::{Amount, BeijingDateTime};
use chrono::{Months, NaiveDate};
use serde_json::Value;

use super::book::{new_agreement_no, AgreementKey, PeriodRule, PeriodUnit};
use super::{nested, notice, Agreement, AgreementBook, AgreementStatus};
use crate::call::Call;
use crate::env::Env;
use crate::html::{esc, page as html_page};
use crate::models::trade::{buyer_from, masked_logon};
use crate::reply::{Failure, Page};
use crate::store::Store;

/// Agreements without a validity period stay valid until this far-off date, as
/// Alipay's do.
const FOREVER: &str = "2115-02-01 00:00:00";

/// The browser arrives with a signing request: the agreement is stored, and signed
/// at once by the simulated user (or shown on a page to sign from).
pub(super) fn page(c: &Call<'_>) -> Result<Page, Failure> {
    let rule = period_rule(c)?;
    let now = c.env.now();
    let invalid_at = match c.text("sign_validity_period") {
        Some(p) => valid_until(now, &p).ok_or_else(|| {
            c.invalid("`sign_validity_period` must be a number followed by d or m, e.g. 2m")
        })?,
        None => FOREVER.parse().unwrap_or(now),
    };
    let auto = c.env.config.auto_pay_pages;
    let a = {
        let mut st = c.env.lock();
        let no = stored(c, &mut st, rule, invalid_at)?;
        if auto {
            sign_in(&mut st, &no, now).map_err(|s| {
                Failure::business(
                    "USER_AGREEMENT_ALREADY_EXIST",
                    format!("the agreement is {s}"),
                )
            })?
        } else {
            st.parts
                .get_mut::<AgreementBook>()
                .agreements
                .get(&no)
                .cloned()
                .ok_or_else(super::not_exist)?
        }
    };
    if a.status != AgreementStatus::Normal {
        return Ok(Page::Html(signing_page(&c.env.base_url, &a)));
    }
    notice::signed(c.env, &a);
    Ok(return_to_merchant(&a))
}

/// `/sandbox/agreement/<agreement_no>`: the user signs on the sandbox's page.
pub(super) fn open(env: &Env, agreement_no: &str) -> Page {
    match sign_as_user(env, agreement_no) {
        Ok(a) => return_to_merchant(&a),
        Err(None) => Page::Refused(404, "no such agreement".into()),
        Err(Some(s)) => Page::Refused(409, format!("the agreement is {s}")),
    }
}

/// The simulated user signs a stored agreement (a test's `sign_agreement`); the
/// signing notification goes out as usual. `Err(None)` for an unknown number,
/// else the status that prevented it.
pub(crate) fn sign_as_user(
    env: &Env,
    agreement_no: &str,
) -> Result<Agreement, Option<AgreementStatus>> {
    let a = {
        let mut st = env.lock();
        if !st
            .parts
            .get_mut::<AgreementBook>()
            .agreements
            .contains_key(agreement_no)
        {
            return Err(None);
        }
        sign_in(&mut st, agreement_no, env.now()).map_err(Some)?
    };
    notice::signed(env, &a);
    Ok(a)
}

/// The user ends an agreement in the Alipay app (a test's `unsign_agreement`); the
/// notification goes to the signing request's `notify_url`, standing in for the
/// app gateway. `None` when no agreement in effect has that number.
pub(crate) fn unsign_as_user(env: &Env, agreement_no: &str) -> Option<Agreement> {
    let ended = end(
        env.lock().parts.get_mut::<AgreementBook>(),
        agreement_no,
        env.now(),
    )?;
    notice::unsigned(env, &ended, ended.notify_url.clone());
    Some(ended)
}

/// Ends an agreement in effect; its snapshot, or `None` if there is none.
pub(super) fn end(book: &mut AgreementBook, no: &str, now: BeijingDateTime) -> Option<Agreement> {
    let a = book.agreements.get_mut(no).filter(|a| a.in_effect())?;
    a.status = AgreementStatus::Unsign;
    a.unsigned_at = Some(now);
    Some(a.clone())
}

/// The stored agreement for a signing request: a pending one with the same
/// merchant number, or a new one. Refused when that number is already signed.
fn stored(
    c: &Call<'_>,
    st: &mut Store,
    rule: Option<PeriodRule>,
    invalid_at: BeijingDateTime,
) -> Result<String, Failure> {
    let product = c.required("personal_product_code")?;
    let scene = c
        .text("sign_scene")
        .unwrap_or_else(|| "DEFAULT|DEFAULT".into());
    let external = c.text("external_agreement_no");
    let book = st.parts.get_mut::<AgreementBook>();
    if let Some(ext) = &external {
        let key = AgreementKey {
            personal_product_code: Some(product.clone()),
            sign_scene: Some(scene.clone()),
            external_agreement_no: Some(ext.clone()),
            ..AgreementKey::default()
        };
        if book.find(&key).is_some() {
            return Err(Failure::business(
                "USER_AGREEMENT_ALREADY_EXIST",
                "an agreement with this external_agreement_no is already signed; unsign it or use a new number",
            ));
        }
        let pending = book
            .agreements
            .values()
            .find(|a| a.status == AgreementStatus::Temp && a.matches(&key));
        if let Some(p) = pending {
            return Ok(p.agreement_no.clone());
        }
    }
    let no = new_agreement_no(&mut st.ledger, c.env.now());
    let a = Agreement {
        agreement_no: no.clone(),
        external_agreement_no: external,
        personal_product_code: product,
        sign_scene: scene,
        status: AgreementStatus::Temp,
        alipay_user_id: None,
        alipay_logon_id: None,
        external_logon_id: c.text("external_logon_id"),
        required_user_id: nested(c, "identity_params", "sign_user_id"),
        next_deduct_date: rule.as_ref().map(|r| r.first_date),
        period_rule: rule,
        last_deduct_date: None,
        deducted: Amount::ZERO,
        deductions: 0,
        created_at: c.env.now(),
        signed_at: None,
        invalid_at,
        unsigned_at: None,
        notify_url: c.notify_url().map(str::to_owned),
        return_url: c.return_url().map(str::to_owned),
        charset: c.charset().to_owned(),
        sign_type: c.sign_type,
    };
    st.parts
        .get_mut::<AgreementBook>()
        .agreements
        .insert(no.clone(), a);
    Ok(no)
}

/// The user signs a pending agreement: it takes effect now. `Err` with the status
/// when it is not pending.
fn sign_in(st: &mut Store, no: &str, now: BeijingDateTime) -> Result<Agreement, AgreementStatus> {
    let fresh_user = buyer_from(no, &mut st.ledger);
    let book = st.parts.get_mut::<AgreementBook>();
    let Some(a) = book.agreements.get_mut(no) else {
        return Err(AgreementStatus::Unsign);
    };
    if a.status != AgreementStatus::Temp {
        return Err(a.status);
    }
    let user = a.required_user_id.clone().unwrap_or(fresh_user);
    a.alipay_logon_id = Some(masked_logon(&user));
    a.alipay_user_id = Some(user);
    a.status = AgreementStatus::Normal;
    a.signed_at = Some(now);
    Ok(a.clone())
}

/// `period_rule_params`, checked: a known unit, a positive period, and for monthly
/// schedules a first date no later than the 28th.
fn period_rule(c: &Call<'_>) -> Result<Option<PeriodRule>, Failure> {
    let Some(p) = c.biz.get("period_rule_params").and_then(Value::as_object) else {
        return Ok(None);
    };
    let text = |k: &str| match p.get(k) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let bad = |what: &str| c.invalid(&format!("`period_rule_params`: {what}"));
    let unit = match text("period_type").as_deref() {
        Some("DAY") => PeriodUnit::Day,
        Some("MONTH") => PeriodUnit::Month,
        _ => return Err(bad("`period_type` must be DAY or MONTH")),
    };
    let period = text("period")
        .and_then(|s| s.parse::<u32>().ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| bad("`period` must be a positive whole number"))?;
    let first_date = text("execute_time")
        .and_then(|s| s.parse::<NaiveDate>().ok())
        .ok_or_else(|| bad("`execute_time` must be a date"))?;
    let amount = |k: &str| text(k).and_then(|s| s.parse::<Amount>().ok());
    let rule = PeriodRule {
        unit,
        period,
        first_date,
        single_amount: amount("single_amount")
            .ok_or_else(|| bad("`single_amount` must be an amount"))?,
        total_amount: amount("total_amount"),
        total_payments: text("total_payments").and_then(|s| s.parse().ok()),
    };
    if !rule.day_allowed(first_date) {
        return Err(bad(
            "a monthly schedule cannot start on the 29th, 30th or 31st (`execute_time`)",
        ));
    }
    Ok(Some(rule))
}

/// `now` plus a validity period such as `2m` or `30d`.
fn valid_until(now: BeijingDateTime, period: &str) -> Option<BeijingDateTime> {
    let (n, unit) = period.split_at(period.len().checked_sub(1)?);
    let n: u32 = n.parse().ok().filter(|n| *n > 0)?;
    let t = now.naive();
    let end = match unit {
        "d" => t.checked_add_days(chrono::Days::new(u64::from(n)))?,
        "m" => t.checked_add_months(Months::new(n))?,
        _ => return None,
    };
    Some(BeijingDateTime::from_naive(end))
}

/// After signing: a `302` to `return_url`, or a plain page when there is none.
fn return_to_merchant(a: &Agreement) -> Page {
    match &a.return_url {
        Some(url) => Page::Redirect(url.clone()),
        None => Page::Html(html_page(
            "Agreement signed",
            &format!(
                "<p>Agreement <code id=\"agreement_no\">{}</code> is in effect.</p>",
                esc(&a.agreement_no)
            ),
        )),
    }
}

fn signing_page(base: &str, a: &Agreement) -> String {
    html_page(
        "Sandbox agreement signing",
        &format!(
            "<p>{} ({})</p>\n<p><a id=\"sign\" href=\"{}/sandbox/agreement/{}\">Sign as the user</a></p>",
            esc(&a.personal_product_code),
            esc(&a.sign_scene),
            esc(base),
            esc(&a.agreement_no)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_periods() {
        let now: BeijingDateTime = "2024-01-31 10:00:00".parse().unwrap();
        assert_eq!(
            valid_until(now, "2m").unwrap().to_string(),
            "2024-03-31 10:00:00"
        );
        assert_eq!(
            valid_until(now, "30d").unwrap().to_string(),
            "2024-03-01 10:00:00"
        );
        for bad in ["", "m", "0d", "2y", "-1d", "1.5m", "99999999999d"] {
            assert!(valid_until(now, bad).is_none(), "{bad}");
        }
    }
}

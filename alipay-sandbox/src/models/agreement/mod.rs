//! Deduction agreements (商家扣款, 周期扣款): signing through the page flow, query,
//! unsigning, moving a recurring agreement's next deduction, and the deductions
//! `alipay.trade.pay` makes under an agreement, with the signing and unsigning
//! notifications.

mod book;
pub(crate) mod deduct;
mod notice;
mod sign;

use chrono::NaiveDate;
use serde_json::Value;

use crate::call::Call;
use crate::env::Env;
use crate::reply::{Answer, Failure, Node, Page};

pub(crate) use book::AgreementBook;
use book::AgreementKey;
pub use book::{Agreement, AgreementStatus, PeriodRule, PeriodUnit};
pub(crate) use sign::{sign_as_user, unsign_as_user};

/// The agreement lifecycle.
pub(crate) struct AgreementModel;

impl super::Model for AgreementModel {
    fn methods(&self) -> &'static [&'static str] {
        &[
            "alipay.user.agreement.page.sign",
            "alipay.user.agreement.query",
            "alipay.user.agreement.unsign",
            "alipay.user.agreement.executionplan.modify",
        ]
    }

    fn answer(&self, c: &Call<'_>) -> Result<Answer, Failure> {
        let node = match c.method {
            "alipay.user.agreement.page.sign" => return sign::page(c).map(Answer::Page),
            "alipay.user.agreement.query" => query(c),
            "alipay.user.agreement.unsign" => unsign(c),
            "alipay.user.agreement.executionplan.modify" => modify_plan(c),
            other => Err(super::unhandled(other)),
        }?;
        Ok(Answer::Node(node))
    }

    fn pages(&self) -> &'static [&'static str] {
        &["agreement"]
    }

    fn page(&self, env: &Env, _segment: &str, agreement_no: &str) -> Page {
        sign::open(env, agreement_no)
    }
}

fn not_exist() -> Failure {
    Failure::business(
        "USER_AGREEMENT_NOT_EXIST",
        "no agreement in effect matches; check the agreement number or the user and product",
    )
}

/// A text field of an object inside `biz_content` (e.g. `agreement_params.agreement_no`).
pub(crate) fn nested(c: &Call<'_>, object: &str, key: &str) -> Option<String> {
    match c.biz.get(object)?.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The agreement a query, unsigning or plan change names: by number (which wins), or
/// by user and product.
fn named(c: &Call<'_>, book: &AgreementBook) -> Result<String, Failure> {
    if let Some(no) = c.text("agreement_no") {
        return book
            .agreements
            .get(&no)
            .filter(|a| a.in_effect())
            .map(|a| a.agreement_no.clone())
            .ok_or_else(not_exist);
    }
    let key = AgreementKey {
        user: c.text("alipay_user_id"),
        personal_product_code: c.text("personal_product_code"),
        sign_scene: c.text("sign_scene"),
        external_agreement_no: c.text("external_agreement_no"),
    };
    if key.is_empty() {
        return Err(not_exist());
    }
    book.find(&key)
        .map(|a| a.agreement_no.clone())
        .ok_or_else(not_exist)
}

/// The fields shared by the query answer and the notifications, in Alipay's order;
/// absent values are left out.
fn agreement_fields(a: &Agreement) -> Vec<(&'static str, String)> {
    let signed = a.signed_at.map(|t| t.to_string());
    [
        ("agreement_no", Some(a.agreement_no.clone())),
        ("status", Some(a.status.as_str().to_owned())),
        (
            "personal_product_code",
            Some(a.personal_product_code.clone()),
        ),
        ("sign_scene", Some(a.sign_scene.clone())),
        ("external_agreement_no", a.external_agreement_no.clone()),
        ("external_logon_id", a.external_logon_id.clone()),
        ("sign_time", signed.clone()),
        ("valid_time", signed),
        ("invalid_time", Some(a.invalid_at.to_string())),
        ("alipay_logon_id", a.alipay_logon_id.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect()
}

fn query(c: &Call<'_>) -> Result<Node, Failure> {
    let a = {
        let mut st = c.env.lock();
        let book = st.parts.get_mut::<AgreementBook>();
        let no = named(c, book)?;
        book.agreements.get(&no).cloned().ok_or_else(not_exist)?
    };
    let mut n = Node::success();
    for (k, v) in agreement_fields(&a) {
        n.set(k, v);
    }
    n.opt("principal_id", a.alipay_user_id.as_deref());
    n.set("pricipal_type", "CARD");
    n.set("third_party_type", "PARTNER");
    if let Some(rule) = &a.period_rule {
        n.set("single_quota", rule.single_amount.to_string());
        if let Some(next) = a.next_deduct_date {
            n.set("next_deduct_time", next.to_string());
            n.set("execution_plans", next_plan(&a, rule, next));
        }
        n.opt(
            "last_deduct_time",
            a.last_deduct_date.map(|d| d.to_string()),
        );
    }
    Ok(n)
}

/// The next planned deduction of a recurring agreement, as `execution_plans` lists it.
fn next_plan(a: &Agreement, rule: &PeriodRule, next: NaiveDate) -> Value {
    serde_json::json!([{
        "period_id": (a.deductions + 1).to_string(),
        "execute_time": next.to_string(),
        "latest_execute_time": next.to_string(),
        "single_amount": rule.single_amount.to_string(),
    }])
}

fn unsign(c: &Call<'_>) -> Result<Node, Failure> {
    let ended = {
        let mut st = c.env.lock();
        let book = st.parts.get_mut::<AgreementBook>();
        let no = named(c, book)?;
        sign::end(book, &no, c.env.now()).ok_or_else(not_exist)?
    };
    // The unsigning call's own notify_url wins; the signing one stands in for the
    // app gateway Alipay would use otherwise.
    let url = c
        .notify_url()
        .map(str::to_owned)
        .or_else(|| ended.notify_url.clone());
    notice::unsigned(c.env, &ended, url);
    Ok(Node::success())
}

fn modify_plan(c: &Call<'_>) -> Result<Node, Failure> {
    let date: NaiveDate = c
        .required("deduct_time")?
        .parse()
        .map_err(|_| c.invalid("`deduct_time` must be a date like 2024-03-02"))?;
    let a = {
        let mut st = c.env.lock();
        let book = st.parts.get_mut::<AgreementBook>();
        let no = named(c, book)?;
        let a = book.agreements.get_mut(&no).ok_or_else(not_exist)?;
        move_next_deduction(a, date)?;
        a.clone()
    };
    let mut n = Node::success();
    n.set("agreement_no", a.agreement_no.as_str());
    n.set("deduct_time", date.to_string());
    Ok(n)
}

/// A recurring agreement's next deduction moves to `date`: only later, and within
/// the days every month has for monthly schedules.
fn move_next_deduction(a: &mut Agreement, date: NaiveDate) -> Result<(), Failure> {
    let (Some(rule), Some(next)) = (&a.period_rule, a.next_deduct_date) else {
        return Err(Failure::business(
            "AGREEMENT_NOT_CYCLE_PAY",
            "only recurring (CYCLE_PAY_AUTH_P) agreements have an execution plan",
        ));
    };
    if date <= next {
        return Err(Failure::business(
            "DEDUCT_TIME_INVALID",
            format!("the next deduction ({next}) can only move later"),
        ));
    }
    if !rule.day_allowed(date) {
        return Err(Failure::business(
            "DEDUCT_TIME_INVALID",
            "a monthly schedule cannot move to the 29th, 30th or 31st",
        ));
    }
    a.next_deduct_date = Some(date);
    Ok(())
}

//! User authorisation and the profile behind it (APP 支付宝登录, 获取会员信息).
//!
//! The user approves (the `alipay.user.info.auth` page, or `Sandbox::authorize_user`
//! for the app SDK's login), `alipay.system.oauth.token` trades the one-time code for
//! an access and a refresh token, `alipay.user.info.share` reads the profile with the
//! access token, `alipay.open.auth.userauth.relationship.query` says which scopes are
//! in force, and a user revoking the authorisation kills the tokens and sends
//! `alipay.open.auth.userauth.cancelled` to the app gateway.

use std::collections::HashMap;

use alipay_api::open_auth::UserAuthCancelled;
use alipay_api::SignType;
use chrono::{NaiveDateTime, TimeDelta};
use serde_json::{json, Map, Value};

use crate::call::Call;
use crate::env::Env;
use crate::html::{esc, page};
use crate::outbox::{Content, Notice};
use crate::reply::{Answer, Failure, Node, Page};
use crate::store::Store;

use super::users::{AlipayUser, IdKind, Users};

/// User authorisations, their tokens and the profiles they open.
pub(crate) struct MemberModel;

/// The Alipay user who approves page authorisations (`alipay.user.info.auth`).
pub(crate) const PAGE_USER: &str = "2088000000000002";

/// Lifetimes of the tokens `alipay.system.oauth.token` issues, in seconds.
const ACCESS_SECS: i64 = 3600;
const REFRESH_SECS: i64 = 30 * 24 * 3600;

/// The scope whose token may read the profile; `auth_base` tokens may not.
const PROFILE_SCOPE: &str = "auth_user";

/// One approval by a user.
#[derive(Debug, Clone)]
struct Grant {
    user_id: String,
    scopes: Vec<String>,
    revoked: bool,
}

/// A token and the approval it stands for.
#[derive(Debug, Clone, Copy)]
struct Token {
    grant: usize,
    expires: NaiveDateTime,
}

/// Approvals, unused codes and live tokens.
#[derive(Debug, Default)]
struct Grants {
    grants: Vec<Grant>,
    codes: HashMap<String, usize>,
    access: HashMap<String, Token>,
    refresh: HashMap<String, Token>,
}

impl super::Model for MemberModel {
    fn methods(&self) -> &'static [&'static str] {
        &[
            "alipay.system.oauth.token",
            "alipay.user.info.auth",
            "alipay.user.info.share",
            "alipay.open.auth.userauth.relationship.query",
        ]
    }

    fn answer(&self, c: &Call<'_>) -> Result<Answer, Failure> {
        match c.method {
            "alipay.system.oauth.token" => oauth_token(c).map(Answer::Node),
            "alipay.user.info.auth" => Ok(Answer::Page(login_page(c))),
            "alipay.user.info.share" => info_share(c).map(Answer::Node),
            "alipay.open.auth.userauth.relationship.query" => relationship(c).map(Answer::Node),
            other => Err(super::unhandled(other)),
        }
    }
}

/// The user approves `scopes` for the app; returns the one-time authorisation code.
/// A user unknown to the gateway's directory joins it: whoever logs in has an account.
pub(crate) fn approve(env: &Env, user_id: &str, scopes: &[String]) -> String {
    let mut st = env.lock();
    let code = format!("sbxauth{:025}", st.ledger.next_seq());
    let users = st.parts.get_mut::<Users>();
    if users.get(user_id).is_none() {
        let tail: String = user_id
            .chars()
            .skip(user_id.len().saturating_sub(4))
            .collect();
        users.add(AlipayUser::new(
            user_id,
            format!("{user_id}@sandbox.example"),
            format!("沙箱用户{tail}"),
        ));
    }
    let g = st.parts.get_mut::<Grants>();
    g.grants.push(Grant {
        user_id: user_id.to_owned(),
        scopes: scopes.to_vec(),
        revoked: false,
    });
    let idx = g.grants.len() - 1;
    g.codes.insert(code.clone(), idx);
    code
}

/// Makes every access token of `user_id` expired; false when the user has none.
pub(crate) fn expire_access(env: &Env, user_id: &str) -> bool {
    let past = env.now().naive() - TimeDelta::seconds(1);
    let mut st = env.lock();
    let g = st.parts.get_mut::<Grants>();
    let mut any = false;
    for t in g.access.values_mut() {
        if g.grants[t.grant].user_id == user_id {
            t.expires = past;
            any = true;
        }
    }
    any
}

/// The user withdraws every authorisation they gave the app: the tokens die and the
/// cancellation message goes to the app gateway, if one is set. False when the user
/// gave none.
pub(crate) fn revoke(env: &Env, user_id: &str) -> bool {
    {
        let mut st = env.lock();
        let g = st.parts.get_mut::<Grants>();
        let mut any = false;
        for grant in g.grants.iter_mut().filter(|x| x.user_id == user_id) {
            any |= !grant.revoked;
            grant.revoked = true;
        }
        if !any {
            return false;
        }
        let grants = &g.grants;
        g.access.retain(|_, t| !grants[t.grant].revoked);
        g.refresh.retain(|_, t| !grants[t.grant].revoked);
        g.codes.retain(|_, i| !grants[*i].revoked);
    }
    let Some(url) = env.app_gateway() else {
        return true;
    };
    env.notify(Notice {
        url,
        charset: "utf-8".into(),
        sign_type: SignType::Rsa2,
        content: Content::Message {
            msg_method: UserAuthCancelled::MSG_METHOD,
            biz: json!({
                "cancel_time": env.now().to_utc().timestamp_millis(),
                "user_id": user_id,
                "app_id": env.app_id,
            }),
        },
    });
    true
}

fn oauth_token(c: &Call<'_>) -> Result<Node, Failure> {
    let now = c.env.now();
    let mut st = c.env.lock();
    let seq = st.ledger.next_seq();
    let g = st.parts.get_mut::<Grants>();
    let grant = match c.required("grant_type")?.as_str() {
        "refresh_token" => {
            let old = c.required("refresh_token")?;
            let t = g.refresh.remove(&old).ok_or_else(|| {
                invalid_refresh("isv.refresh-token-invalid", "unknown or already used")
            })?;
            if t.expires <= now.naive() {
                return Err(invalid_refresh("isv.refresh-token-time-out", "expired"));
            }
            t.grant
        }
        _ => {
            let code = c.required("code")?;
            g.codes.remove(&code).ok_or_else(|| {
                Failure::invalid(
                    "isv.code-invalid",
                    "the authorisation code is unknown, already used or withdrawn; ask the user to authorise again",
                )
            })?
        }
    };
    let issue = |secs: i64, kind: &str| {
        let token = format!("{}{kind}{seq:029}", now.naive().format("%Y%m%d"));
        let t = Token {
            grant,
            expires: now.naive() + TimeDelta::seconds(secs),
        };
        (token, t)
    };
    let (access, a) = issue(ACCESS_SECS, "acc");
    let (refresh, r) = issue(REFRESH_SECS, "ref");
    g.access.insert(access.clone(), a);
    g.refresh.insert(refresh.clone(), r);
    let user_id = g.grants[grant].user_id.clone();
    let user = known(&st, &user_id);
    drop(st);
    let mut n = Node::success();
    n.set("user_id", user.user_id);
    n.set("open_id", user.open_id);
    n.set("access_token", access);
    n.set("expires_in", ACCESS_SECS);
    n.set("refresh_token", refresh);
    n.set("re_expires_in", REFRESH_SECS);
    n.set("auth_start", now.to_string());
    Ok(n)
}

fn invalid_refresh(sub_code: &str, why: &str) -> Failure {
    Failure::invalid(
        sub_code,
        format!("the refresh token is {why}; ask the user to authorise again"),
    )
}

/// The profile behind a valid `auth_user` access token.
fn info_share(c: &Call<'_>) -> Result<Node, Failure> {
    let token = c.params.non_empty("auth_token").unwrap_or_default();
    let user = {
        let mut st = c.env.lock();
        let g = st.parts.get_mut::<Grants>();
        let t = g.access.get(token).copied().ok_or_else(|| {
            Failure::token(
                "aop.invalid-auth-token",
                "the auth_token is missing or unknown; pass the access_token from alipay.system.oauth.token",
            )
        })?;
        if t.expires <= c.env.now().naive() {
            return Err(Failure::token(
                "aop.auth-token-time-out",
                "the auth_token has expired; refresh it with alipay.system.oauth.token",
            ));
        }
        let grant = &g.grants[t.grant];
        if !grant.scopes.iter().any(|s| s == PROFILE_SCOPE) {
            return Err(Failure::token(
                "aop.invalid-auth-token",
                "the auth_token comes from an auth_base authorisation; ask the user for auth_user",
            ));
        }
        let user_id = grant.user_id.clone();
        known(&st, &user_id)
    };
    let mut n = Node::success();
    n.set("user_id", user.user_id);
    n.set("open_id", user.open_id);
    n.set("nick_name", user.name);
    n.set("gender", "M");
    n.set("province", "浙江省");
    n.set("city", "杭州市");
    n.set("user_type", "2");
    n.set("user_status", "T");
    n.set("is_certified", "T");
    n.set("is_student_certified", "F");
    Ok(n)
}

/// Which of the asked scopes the user's authorisations still grant.
fn relationship(c: &Call<'_>) -> Result<Node, Failure> {
    let asked: Vec<String> = c
        .text("scopes")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let mut detail = Map::new();
    {
        let mut st = c.env.lock();
        // The user by user id, else by OpenID (the one-of rule guarantees one of them).
        let user_id = c.text("user_id").or_else(|| {
            let open_id = c.text("open_id")?;
            let users = st.parts.get::<Users>()?;
            Some(users.find(IdKind::OpenId, &open_id)?.user_id.clone())
        });
        let g = st.parts.get_mut::<Grants>();
        let live = g
            .grants
            .iter()
            .filter(|x| !x.revoked && user_id.as_deref() == Some(x.user_id.as_str()));
        let granted: Vec<&String> = live.flat_map(|x| x.scopes.iter()).collect();
        for s in asked {
            let ok = granted.contains(&&s);
            detail.insert(s, Value::Bool(ok));
        }
    }
    let mut n = Node::success();
    n.set("query_detail", Value::Object(detail).to_string());
    Ok(n)
}

/// The browser arrives to log in: the sandbox user approves at once and goes back to
/// `return_url` with the code, as Alipay sends it after the user agrees.
fn login_page(c: &Call<'_>) -> Page {
    let scopes: Vec<String> = c
        .biz
        .get("scopes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let code = approve(c.env, PAGE_USER, &scopes);
    let Some(url) = c.return_url() else {
        return Page::Html(page(
            "Authorised",
            &format!(
                "<p>The user authorised the app; auth_code <code id=\"auth_code\">{}</code>.</p>",
                esc(&code)
            ),
        ));
    };
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("app_id", &c.env.app_id)
        .append_pair("scope", &scopes.join(","))
        .append_pair("auth_code", &code);
    if let Some(state) = c.text("state") {
        q.append_pair("state", &state);
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    Page::Redirect(format!("{url}{sep}{}", q.finish()))
}

/// The directory's entry of a user who approved (approving adds it).
fn known(st: &Store, user_id: &str) -> AlipayUser {
    st.parts
        .get::<Users>()
        .and_then(|u| u.get(user_id))
        .cloned()
        .unwrap_or_else(|| AlipayUser::new(user_id, "", ""))
}

//! User login and profile (APP 支付宝登录, 获取会员信息) end to end against the
//! sandbox gateway: the user approves, `alipay.system.oauth.token` trades the code
//! for tokens, `alipay.user.info.share` reads the profile with them, tokens expire
//! and are refreshed, and a user withdrawing the authorisation kills the tokens and
//! sends the `alipay.open.auth.userauth.cancelled` message. The official Node SDK
//! runs the same calls (and the identity verification ones) against the gateway.

mod sandbox_support;

use std::time::Duration;

use alipay_api::auth::{AlipaySystemOauthToken, AlipaySystemOauthTokenResponse};
use alipay_api::member::{AlipayUserInfoAuth, AlipayUserInfoShare, AlipayUserInfoShareResponse};
use alipay_api::models::{OauthGrantType, UserAuthScope};
use alipay_api::open_auth::{AlipayOpenAuthUserauthRelationshipQuery, UserAuthCancelled};
use alipay_api::{Client, Error};
use alipay_sandbox::{Sandbox, SandboxConfig, SandboxError};
use sandbox_support::{browser, query_params, run_node_peer, NotifyReceiver};

const USER: &str = "2088102150477652";

async fn tokens_for_code(c: &Client, code: &str) -> Result<AlipaySystemOauthTokenResponse, Error> {
    let req = AlipaySystemOauthToken::builder()
        .grant_type(OauthGrantType::AuthorizationCode)
        .code(code)
        .build()
        .unwrap();
    c.execute(&req).await
}

async fn refreshed(c: &Client, refresh: &str) -> Result<AlipaySystemOauthTokenResponse, Error> {
    let req = AlipaySystemOauthToken::builder()
        .grant_type(OauthGrantType::RefreshToken)
        .refresh_token(refresh)
        .build()
        .unwrap();
    c.execute(&req).await
}

async fn profile(c: &Client, token: Option<&str>) -> Result<AlipayUserInfoShareResponse, Error> {
    let mut b = AlipayUserInfoShare::builder();
    if let Some(t) = token {
        b = b.auth_token(t);
    }
    c.execute(&b.build().unwrap()).await
}

/// The `(code, sub_code)` of a signed refusal.
fn refusal(e: Error) -> (String, String) {
    let api = e.api().unwrap_or_else(|| panic!("not an API error: {e:?}"));
    assert!(api.signed, "{api:?}");
    (api.code.clone(), api.sub_code.clone().unwrap_or_default())
}

fn refused(code: &str, sub_code: &str) -> (String, String) {
    (code.to_owned(), sub_code.to_owned())
}

async fn scopes_in_force(c: &Client, user_id: &str) -> serde_json::Value {
    let req = AlipayOpenAuthUserauthRelationshipQuery::builder()
        .user_id(user_id)
        .scopes("auth_user,auth_base")
        .build()
        .unwrap();
    let r = c.execute(&req).await.unwrap();
    serde_json::from_str(&r.query_detail.unwrap()).unwrap()
}

#[tokio::test]
async fn an_approved_code_becomes_tokens_that_read_the_profile() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();
    let code = gw.authorize_user(USER, &["auth_user"]);

    let t = tokens_for_code(&c, &code).await.unwrap();
    assert_eq!(t.user_id.as_deref(), Some(USER));
    assert_eq!(t.expires_in, Some(3600));
    let access = t.access_token.unwrap();
    let me = profile(&c, Some(&access)).await.unwrap();
    assert_eq!(me.user_id.as_deref(), Some(USER));
    assert_eq!(me.open_id, t.open_id);
    assert!(me.nick_name.is_some() && me.extra.is_empty(), "{me:?}");

    // A code works once; tokens the gateway never issued are refused.
    let e = tokens_for_code(&c, &code).await.unwrap_err();
    assert_eq!(refusal(e), refused("40002", "isv.code-invalid"));
    for token in [None, Some("20120823ac6ffaa4d2d84e7384bf983531473993")] {
        let e = profile(&c, token).await.unwrap_err();
        assert_eq!(refusal(e), refused("20001", "aop.invalid-auth-token"));
    }
    assert_eq!(
        scopes_in_force(&c, USER).await,
        serde_json::json!({ "auth_user": true, "auth_base": false })
    );
    // Apps that switched to OpenIDs ask by the OpenID the token exchange gave them.
    let by_open_id = AlipayOpenAuthUserauthRelationshipQuery::builder()
        .open_id(t.open_id.unwrap())
        .scopes("auth_user")
        .build()
        .unwrap();
    let r = c.execute(&by_open_id).await.unwrap();
    assert_eq!(r.query_detail.as_deref(), Some(r#"{"auth_user":true}"#));
}

#[tokio::test]
async fn expired_access_tokens_are_refused_until_refreshed() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();
    let t = tokens_for_code(&c, &gw.authorize_user(USER, &["auth_user"]))
        .await
        .unwrap();
    let (access, refresh) = (t.access_token.unwrap(), t.refresh_token.unwrap());

    gw.expire_user_tokens(USER).unwrap();
    let e = profile(&c, Some(&access)).await.unwrap_err();
    assert_eq!(refusal(e), refused("20001", "aop.auth-token-time-out"));

    let renewed = refreshed(&c, &refresh).await.unwrap();
    assert_ne!(renewed.access_token.as_deref(), Some(access.as_str()));
    let me = profile(&c, renewed.access_token.as_deref()).await.unwrap();
    assert_eq!(me.user_id.as_deref(), Some(USER));
    // A refresh token is used up by refreshing.
    let e = refreshed(&c, &refresh).await.unwrap_err();
    assert_eq!(refusal(e), refused("40002", "isv.refresh-token-invalid"));
    assert!(matches!(
        gw.expire_user_tokens("2088000000009999"),
        Err(SandboxError::UnknownUser(_))
    ));
}

#[tokio::test]
async fn the_login_page_returns_a_code_and_auth_base_cannot_read_the_profile() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();
    let req = AlipayUserInfoAuth::builder()
        .scopes(vec![UserAuthScope::AuthBase])
        .state("c2Vzc2lvbi0x")
        .return_url("https://merchant.example/login?from=alipay")
        .build()
        .unwrap();
    let resp = browser()
        .get(c.page_url(&req).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("https://merchant.example/login?from=alipay&"),
        "{location}"
    );
    let params = query_params(&location);
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(get("state").as_deref(), Some("c2Vzc2lvbi0x"));
    assert_eq!(get("scope").as_deref(), Some("auth_base"));

    let t = tokens_for_code(&c, &get("auth_code").unwrap())
        .await
        .unwrap();
    let e = profile(&c, t.access_token.as_deref()).await.unwrap_err();
    assert_eq!(refusal(e), refused("20001", "aop.invalid-auth-token"));
    // The closed scope list and the base64-only state are checked before sending.
    assert!(AlipayUserInfoAuth::builder()
        .scopes(vec![UserAuthScope::AuthUser])
        .state("not base64!")
        .build()
        .is_err());
}

#[tokio::test]
async fn withdrawing_the_authorisation_kills_the_tokens_and_sends_the_message() {
    let receiver = NotifyReceiver::start(1).await;
    let gw = Sandbox::start_with(
        SandboxConfig::new()
            .notify_time_scale(0.0005)
            .app_gateway_url(&receiver.url),
    )
    .await
    .unwrap();
    let c = gw.client().unwrap();
    let t = tokens_for_code(&c, &gw.authorize_user(USER, &["auth_user"]))
        .await
        .unwrap();

    gw.revoke_user_authorization(USER).unwrap();
    let n = gw
        .wait_for_notification(Duration::from_secs(20), |n| {
            n.topic == UserAuthCancelled::MSG_METHOD && !n.pending()
        })
        .await
        .unwrap();
    // Retried after a wrong acknowledgement, like every notification.
    assert!(n.delivered && n.attempts == 2, "{n:?}");
    let body = receiver.bodies().last().cloned().unwrap();
    let verified = c.verify_notification(&body).unwrap();
    assert_eq!(
        verified.get("msg_method"),
        Some(UserAuthCancelled::MSG_METHOD)
    );
    let msg: UserAuthCancelled = verified.parse().unwrap();
    assert_eq!(msg.user_id.as_deref(), Some(USER));
    assert_eq!(msg.app_id.as_deref(), Some(gw.keys().app_id.as_str()));
    assert!(msg.cancel_time.is_some_and(|ms| ms > 1_600_000_000_000));
    // A tampered message does not verify.
    let tampered = String::from_utf8(body)
        .unwrap()
        .replace(USER, "2088000000000666");
    assert!(c.verify_notification(tampered.as_bytes()).is_err());

    let e = profile(&c, t.access_token.as_deref()).await.unwrap_err();
    assert_eq!(refusal(e), refused("20001", "aop.invalid-auth-token"));
    let e = refreshed(&c, t.refresh_token.as_deref().unwrap())
        .await
        .unwrap_err();
    assert_eq!(refusal(e), refused("40002", "isv.refresh-token-invalid"));
    assert_eq!(scopes_in_force(&c, USER).await["auth_user"], false);
    assert!(matches!(
        gw.revoke_user_authorization(USER),
        Err(SandboxError::UnknownUser(_))
    ));
}

#[tokio::test]
async fn official_node_sdk_logs_in_reads_the_profile_and_verifies_an_identity() {
    let gw = Sandbox::start().await.unwrap();
    let cfg = serde_json::json!({
        "gateway": gw.gateway_url(),
        "appId": gw.keys().app_id,
        "privateKey": gw.keys().app_private_key,
        "alipayPublicKey": gw.keys().alipay_public_key,
        "authCode": gw.authorize_user(USER, &["auth_user"]),
        "orderNo": sandbox_support::order_no("nodecert"),
    });
    let v = run_node_peer("member.mjs", cfg).await;

    assert_eq!(v["token"]["userId"], USER, "{v}");
    assert_eq!(v["share"]["code"], "10000");
    assert_eq!(v["share"]["userId"], USER);
    assert_eq!(v["badToken"]["subCode"], "aop.invalid-auth-token");
    assert_eq!(v["risk"]["code"], "10000");
    let id = v["init"]["certifyId"].as_str().unwrap();
    assert_eq!(v["checkPage"], 200);
    assert_eq!(v["query"]["passed"], "T");
    assert_eq!(
        gw.certification(id),
        Some(alipay_sandbox::CertifyStatus::Passed)
    );
}

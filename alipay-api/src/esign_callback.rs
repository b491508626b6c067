//! e签宝's signing callbacks, read and confirmed.
//!
//! A flow created with `config_info.notice_developer_url` gets two kinds of callback
//! there: [`EsignSignerUpdated`] when a signer has signed, failed or refused, and
//! [`EsignFlowFinished`] when the flow has ended. e签宝 posts them itself, as a JSON
//! body told apart by its `action`, and Alipay does not sign them: anyone who knows the
//! address can post one. So a callback is a claim, never an outcome.
//! [`Client::confirm_esign_callback`](crate::Client::confirm_esign_callback) reads it
//! ([`parse`]), asks for the flow's state with a signed `alipay.eco.sign.flow.query`,
//! and returns both only when the state shows what the callback claims; otherwise it
//! fails with [`EsignError::Unconfirmed`]. Answer the callback with a 2xx status once
//! handled; e签宝 sends it again otherwise, so handle repeats idempotently.
//!
//! ```no_run
//! # async fn handle(client: alipay_api::Client, body: &[u8]) -> u16 {
//! use alipay_api::esign_callback::EsignCallback;
//! match client.confirm_esign_callback(body).await {
//!     Ok(c) => {
//!         if let EsignCallback::FlowFinished(f) = &c.callback {
//!             // c.flow is Alipay's signed answer: act on it, once per flow.
//!             let _ = (&f.flow_id, &c.flow.flow_status);
//!         }
//!         200
//!     }
//!     Err(_) => 503, // not confirmed (yet): e签宝 will send it again
//! }
//! # }
//! ```

use crate::error::{DecodeError, DecodeErrorKind, EsignError};
use crate::esign::{AlipayEcoSignFlowQueryResponse, EsignFlowFinished, EsignSignerUpdated};
use crate::models::{EsignSignResult, EsignSignStatus, FlowSigner};

/// The largest callback body read (64 KiB); e签宝's are a few hundred bytes.
pub const MAX_CALLBACK_BODY: usize = 64 << 10;

/// A callback as e签宝 posted it: what it claims, not yet confirmed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EsignCallback {
    /// `SIGN_FLOW_UPDATE`: a signer has signed, failed or refused.
    SignerUpdated(EsignSignerUpdated),
    /// `SIGN_FLOW_FINISH`: the flow has ended.
    FlowFinished(EsignFlowFinished),
    /// Another `action`, kept as received.
    Other {
        /// The `action` value.
        action: String,
        /// The whole body.
        body: serde_json::Map<String, serde_json::Value>,
    },
}

impl EsignCallback {
    /// The `action` value.
    pub fn action(&self) -> &str {
        match self {
            EsignCallback::SignerUpdated(_) => EsignSignerUpdated::ACTION,
            EsignCallback::FlowFinished(_) => EsignFlowFinished::ACTION,
            EsignCallback::Other { action, .. } => action,
        }
    }

    /// The flow the callback is about (`flowId`).
    pub fn flow_id(&self) -> Option<&str> {
        match self {
            EsignCallback::SignerUpdated(u) => u.flow_id.as_deref(),
            EsignCallback::FlowFinished(f) => f.flow_id.as_deref(),
            EsignCallback::Other { body, .. } => body.get("flowId").and_then(|v| v.as_str()),
        }
    }
}

/// A callback whose claim the flow's signed state confirms.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConfirmedEsignCallback {
    /// The callback as posted.
    pub callback: EsignCallback,
    /// The flow's state from `alipay.eco.sign.flow.query`, verified: act on this.
    pub flow: AlipayEcoSignFlowQueryResponse,
}

fn malformed(reason: impl Into<String>, body: &[u8]) -> DecodeError {
    DecodeError::new(
        "e签宝 callback",
        reason,
        String::from_utf8_lossy(body).into_owned(),
    )
}

/// Reads a callback body (UTF-8 JSON) into the callback its `action` names. Bodies
/// over [`MAX_CALLBACK_BODY`] are refused unread.
pub fn parse(body: &[u8]) -> Result<EsignCallback, DecodeError> {
    if body.len() > MAX_CALLBACK_BODY {
        return Err(DecodeError::with_kind(
            "e签宝 callback",
            DecodeErrorKind::TooLarge {
                max_bytes: MAX_CALLBACK_BODY,
            },
            format!("the body is {} bytes; it was refused unread", body.len()),
            String::new(),
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| malformed(format!("the body is not JSON ({e})"), body))?;
    let serde_json::Value::Object(map) = value else {
        return Err(malformed("the body is not a JSON object", body));
    };
    let action = match map.get("action") {
        Some(serde_json::Value::String(a)) => a.clone(),
        _ => return Err(malformed("the body has no `action`", body)),
    };
    let typed = |e: serde_json::Error| malformed(format!("a field has the wrong type ({e})"), body);
    let value = serde_json::Value::Object(map);
    Ok(match action.as_str() {
        EsignSignerUpdated::ACTION => {
            EsignCallback::SignerUpdated(serde_json::from_value(value).map_err(typed)?)
        }
        EsignFlowFinished::ACTION => {
            EsignCallback::FlowFinished(serde_json::from_value(value).map_err(typed)?)
        }
        _ => {
            let serde_json::Value::Object(body) = value else {
                unreachable!("an object stays an object")
            };
            EsignCallback::Other { action, body }
        }
    })
}

/// Checks a callback's claim against the flow's signed state.
pub(crate) fn confirm(
    callback: &EsignCallback,
    flow: &AlipayEcoSignFlowQueryResponse,
) -> Result<(), EsignError> {
    let unconfirmed = |claimed: String, actual: String| EsignError::Unconfirmed {
        action: callback.action().to_owned(),
        flow_id: callback.flow_id().unwrap_or_default().to_owned(),
        claimed,
        actual,
    };
    if flow.flow_id.is_some() && flow.flow_id.as_deref() != callback.flow_id() {
        let actual = format!("flow `{}`", flow.flow_id.as_deref().unwrap_or_default());
        return Err(unconfirmed("another flow".into(), actual));
    }
    match callback {
        EsignCallback::FlowFinished(f) => {
            let ended = f.flow_status.as_ref().filter(|s| s.is_final());
            if ended.is_some() && ended == flow.flow_status.as_ref() {
                return Ok(());
            }
            Err(unconfirmed(
                format!("flow status {}", shown(f.flow_status.as_ref())),
                format!("flow status {}", shown(flow.flow_status.as_ref())),
            ))
        }
        EsignCallback::SignerUpdated(u) => confirm_signer(u, flow).map_err(|actual| {
            let who = u.third_party_user_id.as_deref().unwrap_or("(unnamed)");
            unconfirmed(
                format!("signer `{who}` {}", shown(u.sign_result.as_ref())),
                actual,
            )
        }),
        EsignCallback::Other { action, .. } => Err(unconfirmed(
            format!("action `{action}`, which this SDK cannot check"),
            format!("flow status {}", shown(flow.flow_status.as_ref())),
        )),
    }
}

/// The signer the callback names (by `thirdPartyUserId`; any signer when it names
/// none) must be in the state its result implies. Returns what the flow shows when not.
fn confirm_signer(
    u: &EsignSignerUpdated,
    flow: &AlipayEcoSignFlowQueryResponse,
) -> Result<(), String> {
    let fits = |s: &FlowSigner| -> bool {
        let named = match &u.third_party_user_id {
            Some(id) => s.third_party_user_id.as_deref() == Some(id.as_str()),
            None => true,
        };
        let status = s.sign_status.as_ref();
        let state_fits = match u.sign_result.as_ref() {
            Some(EsignSignResult::Signed) => matches!(
                status,
                Some(EsignSignStatus::Signed | EsignSignStatus::PendingApproval)
            ),
            Some(EsignSignResult::Refused) => status == Some(&EsignSignStatus::Refused),
            // A failed attempt leaves the signer able to try again.
            Some(EsignSignResult::Failed) => status.is_some_and(|s| !s.is_final()),
            _ => false,
        };
        named && state_fits
    };
    let signers = flow.signers.as_deref().unwrap_or_default();
    if signers.iter().any(fits) {
        return Ok(());
    }
    let states: Vec<String> = signers
        .iter()
        .map(|s| {
            let who = s.third_party_user_id.as_deref().unwrap_or("(unnamed)");
            format!("`{who}` {}", shown(s.sign_status.as_ref()))
        })
        .collect();
    Err(format!("signers [{}]", states.join(", ")))
}

fn shown<T: std::fmt::Debug>(v: Option<&T>) -> String {
    v.map(|v| format!("{v:?}"))
        .unwrap_or_else(|| "(none)".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::EsignFlowStatus;

    fn flow(status: &str, signers: serde_json::Value) -> AlipayEcoSignFlowQueryResponse {
        serde_json::from_value(serde_json::json!({
            "flow_id": "F1", "flow_status": status.parse::<i64>().unwrap(), "signers": signers,
        }))
        .unwrap()
    }

    fn cb(json: serde_json::Value) -> EsignCallback {
        parse(json.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn callbacks_are_told_apart_by_action() {
        let c = cb(
            serde_json::json!({"action": "SIGN_FLOW_FINISH", "flowId": "F1", "flowStatus": "2",
            "createTime": "2019-07-24 19:36:04", "timestamp": 1563968167329_i64}),
        );
        let EsignCallback::FlowFinished(f) = &c else {
            panic!("{c:?}")
        };
        assert_eq!(f.flow_status, Some(EsignFlowStatus::Completed));
        assert_eq!(c.flow_id(), Some("F1"));
        let c =
            cb(serde_json::json!({"action": "SIGN_FLOW_UPDATE", "flowId": "F1", "signResult": 4}));
        assert!(
            matches!(&c, EsignCallback::SignerUpdated(u) if u.sign_result == Some(EsignSignResult::Refused))
        );
        let c = cb(serde_json::json!({"action": "FILE_UNAVAILABLE", "flowId": "F1"}));
        assert_eq!((c.action(), c.flow_id()), ("FILE_UNAVAILABLE", Some("F1")));
    }

    #[test]
    fn malformed_and_oversized_bodies_are_refused() {
        for bad in [
            &b"[1]"[..],
            b"{\"flowId\":\"F1\"}",
            b"not json",
            b"{\"action\":\"SIGN_FLOW_FINISH\",\"createTime\":\"yesterday\"}",
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        let big = vec![b' '; MAX_CALLBACK_BODY + 1];
        let e = parse(&big).unwrap_err();
        assert!(matches!(e.kind, DecodeErrorKind::TooLarge { .. }), "{e}");
    }

    #[test]
    fn a_finished_flow_is_confirmed_only_by_the_same_end_state() {
        let done =
            cb(serde_json::json!({"action": "SIGN_FLOW_FINISH", "flowId": "F1", "flowStatus": 2}));
        assert!(confirm(&done, &flow("2", serde_json::json!([]))).is_ok());
        let e = confirm(&done, &flow("1", serde_json::json!([]))).unwrap_err();
        assert!(e.to_string().contains("Signing"), "{e}");
        // A callback claiming a state that is not an end state confirms nothing.
        let odd =
            cb(serde_json::json!({"action": "SIGN_FLOW_FINISH", "flowId": "F1", "flowStatus": 1}));
        assert!(confirm(&odd, &flow("1", serde_json::json!([]))).is_err());
        let other_flow =
            cb(serde_json::json!({"action": "SIGN_FLOW_FINISH", "flowId": "F2", "flowStatus": 2}));
        assert!(confirm(&other_flow, &flow("2", serde_json::json!([]))).is_err());
    }

    #[test]
    fn a_signer_update_is_confirmed_by_that_signers_state() {
        let signers = serde_json::json!([
            {"third_party_user_id": "u1", "sign_status": 2},
            {"third_party_user_id": "u2", "sign_status": 1},
        ]);
        let f = flow("1", signers);
        let said = |who: &str, result: i64| {
            cb(
                serde_json::json!({"action": "SIGN_FLOW_UPDATE", "flowId": "F1", "thirdPartyUserId": who, "signResult": result}),
            )
        };
        assert!(confirm(&said("u1", 2), &f).is_ok());
        assert!(confirm(&said("u2", 2), &f).is_err());
        assert!(confirm(&said("u2", 4), &f).is_err());
        assert!(confirm(&said("u2", 3), &f).is_ok());
        assert!(confirm(&said("nobody", 2), &f).is_err());
        let unknown = cb(serde_json::json!({"action": "SOMETHING", "flowId": "F1"}));
        assert!(confirm(&unknown, &f).is_err());
    }
}

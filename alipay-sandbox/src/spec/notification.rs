//! Any notification of the spec, made up from its fields and put on the wire exactly
//! as the gateway's outbox posts it: for `alipay trigger` and for tests that drive a
//! webhook without walking a whole flow first.

use alipay_api::schema::{self, Delivery, NotificationSchema};
use alipay_api::{BeijingDateTime, SignType, Signer};
use serde_json::Value;

use super::synth;
use crate::error::SandboxError;
use crate::outbox::{self, Content, Notice};

/// The fields of a form notification that the outbox's envelope writes itself.
const FORM_ENVELOPE: &[&str] = &[
    "notify_time",
    "notify_type",
    "notify_id",
    "app_id",
    "auth_app_id",
    "charset",
    "version",
    "sign_type",
    "sign",
];

/// A notification as the gateway would post it: see [`sample_notification`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SampleNotification {
    /// The notification's type name in `alipay_api` (e.g. `TradeStatusSync`).
    pub name: &'static str,
    /// What tells it apart on the wire: its `notify_type`, `msg_method` or `action`.
    pub topic: &'static str,
    /// The parameters posted (`sign` last), or a partner callback's top-level fields.
    pub params: Vec<(String, String)>,
    /// The `Content-Type` header to post it with.
    pub content_type: String,
    /// The body to post.
    pub body: Vec<u8>,
    /// Whether Alipay signed it, and so expects exactly `success` as the answer;
    /// a partner's callback (e签宝's) is unsigned and any 2xx acknowledges it.
    pub signed: bool,
}

/// How [`sample_notification`] signs and encodes.
#[derive(Debug, Clone, Copy)]
pub struct NotificationSigning<'a> {
    /// The app the notification is for.
    pub app_id: &'a str,
    /// The platform key (the gateway's: `alipay gateway --keys-out` writes it).
    pub signer: &'a dyn Signer,
    /// `RSA2` (or legacy `RSA`).
    pub sign_type: SignType,
    /// `utf-8` or `gbk`: the bytes signed and posted.
    pub charset: &'a str,
}

/// The spec's notifications (of the enabled features), by type name.
pub fn notification_names() -> Vec<&'static str> {
    schema::notifications().iter().map(|n| n.name).collect()
}

fn find(name: &str) -> Option<&'static NotificationSchema> {
    schema::notifications()
        .iter()
        .copied()
        .find(|n| n.name == name || topic(n) == name)
}

fn topic(n: &NotificationSchema) -> &'static str {
    match n.delivery {
        Delivery::Form { notify_type } => notify_type,
        Delivery::Message { msg_method } => msg_method,
        Delivery::Json { action } => action,
    }
}

/// The notification `name` (its type name, such as `UserAgreementSigned`, or its
/// `notify_type` / `msg_method` / `action`) with a plausible value for every field
/// the spec lists, then `overrides` (an empty value removes the field), signed with
/// `signing` as the gateway signs it. Fields the envelope writes (`notify_id`,
/// `app_id`, `charset`, …) are the envelope's; overriding one is an error.
///
/// ```
/// use alipay_sandbox::{sample_notification, NotificationSigning, SandboxKeys};
/// let keys = SandboxKeys::generate("2021000000000001", false, false).unwrap();
/// let platform_key = alipay_api::PrivateKey::from_text(&keys.alipay_private_key).unwrap();
/// let signing = NotificationSigning {
///     app_id: &keys.app_id,
///     signer: &platform_key,
///     sign_type: alipay_api::SignType::Rsa2,
///     charset: "utf-8",
/// };
/// let n = sample_notification(
///     "TradeStatusSync",
///     &[("trade_status".into(), "TRADE_SUCCESS".into())],
///     &signing,
/// )
/// .unwrap();
/// assert_eq!(n.topic, "trade_status_sync");
/// assert!(n.params.iter().any(|(k, v)| k == "trade_status" && v == "TRADE_SUCCESS"));
/// ```
pub fn sample_notification(
    name: &str,
    overrides: &[(String, String)],
    signing: &NotificationSigning<'_>,
) -> Result<SampleNotification, SandboxError> {
    let schema = find(name).ok_or_else(|| SandboxError::UnknownNotification {
        name: name.to_owned(),
        known: notification_names().join(", "),
    })?;
    let content = content(schema, overrides)?;
    let refuse = |hint| SandboxError::NotificationCharset {
        name: schema.name,
        charset: signing.charset.to_owned(),
        hint,
    };
    if crate::charset::encoding_for(signing.charset).is_none() {
        return Err(refuse("use utf-8 or gbk"));
    }
    let charset = crate::charset::canonical(signing.charset);
    if charset != "utf-8" && matches!(content, Content::BareForm { .. } | Content::Json { .. }) {
        // These posts declare no charset, so a verifier reads them as UTF-8.
        return Err(refuse("it declares no charset, so it is always UTF-8"));
    }
    let notice = Notice {
        url: String::new(),
        charset: charset.to_owned(),
        sign_type: signing.sign_type,
        content,
    };
    let now = BeijingDateTime::now();
    let notify_id = format!("sample{}", now.naive().format("%Y%m%d%H%M%S%3f"));
    let posted = outbox::wire(signing.app_id, &notify_id, now, &notice, signing.signer)?;
    check_encodable(&posted.params, charset)?;
    Ok(SampleNotification {
        name: schema.name,
        topic: topic(schema),
        signed: !matches!(schema.delivery, Delivery::Json { .. }),
        params: posted.params,
        content_type: posted.content_type,
        body: posted.body,
    })
}

/// The content of `schema`'s notification: every field's plausible value, then the
/// overrides.
fn content(
    schema: &'static NotificationSchema,
    overrides: &[(String, String)],
) -> Result<Content, SandboxError> {
    let envelope: &[&str] = match schema.delivery {
        Delivery::Form { .. } => FORM_ENVELOPE,
        Delivery::Message { .. } | Delivery::Json { .. } => &[],
    };
    if let Some((k, _)) = overrides
        .iter()
        .find(|(k, _)| envelope.contains(&k.as_str()))
    {
        return Err(SandboxError::EnvelopeField(k.clone()));
    }
    let mut fields: Vec<(String, Value)> = synth::notification_fields(schema.fields)
        .into_iter()
        .filter(|(k, _)| !envelope.contains(&k.as_str()))
        .collect();
    if let Delivery::Json { action } = schema.delivery {
        set(&mut fields, "action", Value::String(action.to_owned()));
    }
    for (k, v) in overrides {
        set(&mut fields, k, Value::String(v.clone()));
    }
    fields.retain(|(_, v)| v.as_str() != Some(""));
    let object = || Value::Object(fields.iter().cloned().collect());
    let text = || {
        fields
            .iter()
            .map(|(k, v)| (k.clone(), outbox::json_text(v)))
            .collect::<Vec<_>>()
    };
    Ok(match schema.delivery {
        // The form notifications whose spec lists no `app_id` come in the older
        // layout (no `app_id`, no `charset`); `parse_notification` reads them so too.
        Delivery::Form { notify_type } if !schema.fields.iter().any(|f| f.name == "app_id") => {
            Content::BareForm {
                notify_type,
                version: schema
                    .fields
                    .iter()
                    .find(|f| f.name == "version")
                    .and_then(|f| f.fixed.or(f.example))
                    .unwrap_or("1.0"),
                fields: text(),
            }
        }
        Delivery::Form { notify_type } => Content::Form {
            notify_type,
            fields: text(),
        },
        Delivery::Message { msg_method } => Content::Message {
            msg_method,
            biz: object(),
        },
        Delivery::Json { action } => Content::Json {
            action,
            body: object(),
        },
    })
}

fn set(fields: &mut Vec<(String, Value)>, k: &str, v: Value) {
    match fields.iter_mut().find(|(key, _)| key == k) {
        Some((_, slot)) => *slot = v,
        None => fields.push((k.to_owned(), v)),
    }
}

/// Refuses text the charset cannot write (it would be signed as something else).
fn check_encodable(params: &[(String, String)], charset: &str) -> Result<(), SandboxError> {
    let Some(enc) = crate::charset::encoding_for(charset) else {
        return Ok(());
    };
    match params.iter().find(|(_, v)| enc.encode(v).2) {
        Some((k, _)) => Err(SandboxError::Unencodable {
            field: k.clone(),
            charset: charset.to_owned(),
        }),
        None => Ok(()),
    }
}

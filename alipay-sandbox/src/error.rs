//! The sandbox's own error type (starting, configuring and driving the gateway).

/// Why the sandbox could not do what was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}; pick another port (0 chooses a free one)")]
    Bind {
        /// The address asked for.
        addr: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Generating a key or minting a certificate failed.
    #[error(
        "cannot generate test credentials: {0}; this is a bug in the sandbox, please report it"
    )]
    KeyGeneration(String),
    /// A key or certificate handed to the sandbox could not be used.
    #[error("unusable {what}: {reason}")]
    Credentials {
        /// Which key or certificate.
        what: &'static str,
        /// What is wrong and what to do.
        reason: String,
    },
    /// The matching client could not be built.
    #[error("cannot build a client for the sandbox: {0}")]
    Client(#[from] alipay_api::ConfigError),
    /// No trade with that merchant order number exists on this gateway.
    #[error("no trade `{0}` on this sandbox; create it first (precreate, create, pay or a page payment)")]
    UnknownTrade(String),
    /// The trade is not in a state that allows the action.
    #[error(
        "trade `{out_trade_no}` is {status}; only an unpaid trade (WAIT_BUYER_PAY) can be paid"
    )]
    TradeState {
        /// The merchant order number.
        out_trade_no: String,
        /// Its current status.
        status: String,
    },
    /// No agreement with that number is on this sandbox (or none in effect).
    #[error("no agreement `{0}` on this sandbox; start one with alipay.user.agreement.page.sign")]
    UnknownAgreement(String),
    /// The agreement is not in a state that allows the action.
    #[error(
        "agreement `{agreement_no}` is {status}; only a pending (TEMP) agreement can be signed"
    )]
    AgreementState {
        /// The agreement number.
        agreement_no: String,
        /// Its current status.
        status: String,
    },
    /// No fund-authorisation order with that number is on this sandbox.
    #[error("no fund-authorisation order `{0}` on this sandbox; freeze funds first")]
    UnknownFundAuthOrder(String),
    /// No store create or modify request (apply order) has that id.
    #[error("no apply order `{0}` on this sandbox; use the apply_id that shop.create or shop.modify returned")]
    UnknownApplyOrder(String),
    /// The apply order's review was already decided.
    #[error("apply order `{apply_id}` is {status}; only an order under review (PROCESS) can be approved or rejected")]
    ApplyOrderDecided {
        /// The apply order.
        apply_id: String,
        /// Its status.
        status: String,
    },
    /// No e签宝 signing flow with that id exists on this gateway.
    #[error("no e签宝 flow `{0}` on this sandbox; create it first (alipay.eco.contract.signflows.create)")]
    UnknownFlow(String),
    /// The e签宝 flow has no signer with that id.
    #[error("flow `{flow_id}` has no signer `{signer}`; name a signer by the third_party_user_id given when the flow was created")]
    UnknownSigner {
        /// The flow.
        flow_id: String,
        /// The signer asked for.
        signer: String,
    },
    /// The e签宝 flow or signer is not in a state that allows the action.
    #[error("flow `{flow_id}`: {state}; only a signer who has not signed or refused, in a flow still signing, can act")]
    FlowState {
        /// The flow.
        flow_id: String,
        /// The state that forbids the action.
        state: String,
    },
    /// The action needs certificate mode.
    #[error("this sandbox runs in key mode; start it with `SandboxConfig::cert_mode(true)`")]
    NotCertMode,
    /// An app order string handed to the sandbox was rejected.
    #[error("app order string rejected: {code} {sub_code}: {sub_msg}")]
    Rejected {
        /// The gateway `code`.
        code: String,
        /// The gateway `sub_code`.
        sub_code: String,
        /// The gateway `sub_msg`.
        sub_msg: String,
    },
    /// No identity verification with that `certify_id` exists on this gateway.
    #[error("no identity verification `{0}` on this sandbox; use the certify_id that alipay.user.certify.open.initialize returned")]
    UnknownCertification(String),
    /// The identity verification is not in progress.
    #[error("identity verification `{certify_id}` is {status}; only one the user opened through the certify URL can be passed or failed")]
    CertificationState {
        /// The verification.
        certify_id: String,
        /// Where it stands.
        status: String,
    },
    /// The user never authorised the app on this gateway (or has no token left).
    #[error("user `{0}` holds no authorisation of this app on this sandbox; authorise first (authorize_user or the alipay.user.info.auth page)")]
    UnknownUser(String),
    /// `sample_notification` was asked for a notification the spec does not have.
    #[error("no notification `{name}` in the spec; known: {known}")]
    UnknownNotification {
        /// The name asked for.
        name: String,
        /// The notifications there are.
        known: String,
    },
    /// A notification asked for in a charset it is never posted in.
    #[error("{name} cannot be posted in `{charset}`: {hint}")]
    NotificationCharset {
        /// The notification.
        name: &'static str,
        /// The charset asked for.
        charset: String,
        /// What to do instead.
        hint: &'static str,
    },
    /// An override of a field the envelope writes (`notify_id`, `app_id`, …).
    #[error("`{0}` is written by the notification's envelope and cannot be set")]
    EnvelopeField(String),
    /// A value the charset asked for cannot write.
    #[error("`{field}` has characters {charset} cannot write; use utf-8")]
    Unencodable {
        /// The parameter.
        field: String,
        /// The charset.
        charset: String,
    },
    /// The platform key could not sign.
    #[error("cannot sign the notification: {0}")]
    Sign(#[from] alipay_api::error::SignError),
    /// Waiting for something timed out.
    #[error("timed out waiting for {0}")]
    Timeout(String),
}

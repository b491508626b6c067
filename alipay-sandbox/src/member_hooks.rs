//! The test-facing hooks of the member products: a user approving an app (as the
//! Alipay app does for APP 支付宝登录), tokens expiring, a user withdrawing the
//! authorisation, and a user passing or failing an identity verification.

use crate::error::SandboxError;
use crate::models::certify::{self, CertifyStatus, Finish};
use crate::models::member;
use crate::sandbox::Sandbox;

impl Sandbox {
    /// The user `user_id` approves the app for `scopes` (`auth_base`, `auth_user`, …)
    /// in the Alipay app; returns the one-time `auth_code` the app hands to its server
    /// for `alipay.system.oauth.token`.
    pub fn authorize_user(&self, user_id: &str, scopes: &[&str]) -> String {
        let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        member::approve(self.env(), user_id, &scopes)
    }

    /// Every access token of `user_id` expires now (refresh tokens keep working):
    /// `alipay.user.info.share` then answers `aop.auth-token-time-out`.
    pub fn expire_user_tokens(&self, user_id: &str) -> Result<(), SandboxError> {
        if member::expire_access(self.env(), user_id) {
            Ok(())
        } else {
            Err(SandboxError::UnknownUser(user_id.to_owned()))
        }
    }

    /// The user withdraws every authorisation they gave the app: its codes and tokens
    /// stop working, and the `alipay.open.auth.userauth.cancelled` message is posted to
    /// the app gateway ([`crate::SandboxConfig::app_gateway_url`]; nothing is sent
    /// without one), signed and retried like any notification.
    pub fn revoke_user_authorization(&self, user_id: &str) -> Result<(), SandboxError> {
        if member::revoke(self.env(), user_id) {
            Ok(())
        } else {
            Err(SandboxError::UnknownUser(user_id.to_owned()))
        }
    }

    /// The user passes the identity verification `certify_id`, which they opened
    /// through the `alipay.user.certify.open.certify` URL.
    pub fn pass_certification(&self, certify_id: &str) -> Result<(), SandboxError> {
        self.finish_certification(certify_id, true)
    }

    /// The user fails the identity verification `certify_id`, which they opened
    /// through the `alipay.user.certify.open.certify` URL.
    pub fn fail_certification(&self, certify_id: &str) -> Result<(), SandboxError> {
        self.finish_certification(certify_id, false)
    }

    /// Where an identity verification stands, if it exists.
    pub fn certification(&self, certify_id: &str) -> Option<CertifyStatus> {
        certify::status(self.env(), certify_id)
    }

    fn finish_certification(&self, certify_id: &str, pass: bool) -> Result<(), SandboxError> {
        certify::finish(self.env(), certify_id, pass)
            .map(|_| ())
            .map_err(|e| match e {
                Finish::Unknown => SandboxError::UnknownCertification(certify_id.to_owned()),
                Finish::State(status) => SandboxError::CertificationState {
                    certify_id: certify_id.to_owned(),
                    status: status.to_string(),
                },
            })
    }
}

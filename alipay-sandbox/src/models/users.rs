//! The Alipay users this gateway knows besides the merchant: transfer payees and
//! royalty receivers must be among them, as on the real platform an account must
//! exist. A few are there from the start (the accounts the spec's examples name);
//! tests add their own with [`crate::Sandbox::add_user`].

use std::collections::BTreeMap;

/// An Alipay user on the sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AlipayUser {
    /// The user id, 16 digits starting with 2088.
    pub user_id: String,
    /// The login name (a phone number or an email address).
    pub logon_id: String,
    /// The real name, checked when a request gives one.
    pub name: String,
    /// The user's OpenID under the sandbox's app.
    pub open_id: String,
}

impl AlipayUser {
    /// A user with these ids and name; the OpenID is derived from the user id.
    pub fn new(
        user_id: impl Into<String>,
        logon_id: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        let user_id = user_id.into();
        AlipayUser {
            open_id: format!("074sbx{user_id}"),
            user_id,
            logon_id: logon_id.into(),
            name: name.into(),
        }
    }
}

/// How a request names an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdKind {
    /// The 2088… user id.
    UserId,
    /// The login name.
    Logon,
    /// The OpenID.
    OpenId,
}

impl IdKind {
    /// The kind a royalty `type` / `trans_in_type` value names, if it names an
    /// Alipay account at all (`cardAliasNo` does not).
    pub(crate) fn from_royalty(wire: &str) -> Option<IdKind> {
        match wire {
            "userId" => Some(IdKind::UserId),
            "loginName" => Some(IdKind::Logon),
            "openId" => Some(IdKind::OpenId),
            _ => None,
        }
    }

    /// The kind a transfer `identity_type` value names, if it names an Alipay account.
    pub(crate) fn from_transfer(wire: &str) -> Option<IdKind> {
        match wire {
            "ALIPAY_USER_ID" => Some(IdKind::UserId),
            "ALIPAY_LOGON_ID" => Some(IdKind::Logon),
            "ALIPAY_OPEN_ID" => Some(IdKind::OpenId),
            _ => None,
        }
    }
}

/// The known users, by user id (the model state behind the store lock).
#[derive(Debug)]
pub(crate) struct Users(BTreeMap<String, AlipayUser>);

impl Default for Users {
    fn default() -> Self {
        let mut u = Users(BTreeMap::new());
        // The accounts the spec's examples name, so that sample requests succeed.
        u.add(AlipayUser::new(
            "2088101126708402",
            "test@alitest.xyz",
            "测试名称",
        ));
        u.add(AlipayUser::new(
            "2088123412341234",
            "payee@sandbox.example",
            "黄龙国际有限公司",
        ));
        u
    }
}

impl Users {
    /// Adds or replaces a user.
    pub(crate) fn add(&mut self, user: AlipayUser) {
        self.0.insert(user.user_id.clone(), user);
    }

    /// The user an account reference names.
    pub(crate) fn find(&self, kind: IdKind, value: &str) -> Option<&AlipayUser> {
        match kind {
            IdKind::UserId => self.0.get(value),
            IdKind::Logon => self.0.values().find(|u| u.logon_id == value),
            IdKind::OpenId => self.0.values().find(|u| u.open_id == value),
        }
    }

    /// The user with this user id.
    pub(crate) fn get(&self, user_id: &str) -> Option<&AlipayUser> {
        self.0.get(user_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_found_by_each_kind_of_reference() {
        let mut u = Users::default();
        u.add(AlipayUser::new("2088000000000042", "a@b.example", "甲"));
        let by_id = u.find(IdKind::UserId, "2088000000000042").cloned();
        assert_eq!(by_id.as_ref().map(|x| x.name.as_str()), Some("甲"));
        assert_eq!(u.find(IdKind::Logon, "a@b.example").cloned(), by_id);
        assert_eq!(
            u.find(IdKind::OpenId, "074sbx2088000000000042").cloned(),
            by_id
        );
        assert!(u.find(IdKind::UserId, "a@b.example").is_none());
        assert_eq!(IdKind::from_royalty("cardAliasNo"), None);
        assert_eq!(IdKind::from_transfer("BANKCARD_ACCOUNT"), None);
    }
}

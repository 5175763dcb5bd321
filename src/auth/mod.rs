//! Accounts, login and access control.
//!
//! A request carries a [`RequestAuth`]: who is asking ([`Principal`]), resolved once from the
//! bearer token ([`session::authenticate`]). Root fields are default-deny ([`default_deny`]);
//! role rules live in one table ([`permissions::RULES`]) and are enforced by the
//! [`guard::Require`] guard.

pub mod default_deny;
pub mod graphql;
pub mod guard;
pub mod model;
pub mod password;
pub mod permissions;
pub mod repo;
pub mod session;
pub mod throttle;
pub mod token;

use std::time::Duration;

use crate::text_enum;

pub use throttle::{throttle, Decision};

text_enum! {
    /// A staff member's role.
    pub enum Role {
        /// Everything, including staff accounts and the audit log.
        Admin => "ADMIN",
        /// All business data; not staff accounts or the audit log.
        Manager => "MANAGER",
        /// Field cashier: reads customers and invoices, records payments.
        Collector => "COLLECTOR",
        /// Reads customers; handles complaints.
        Support => "SUPPORT",
    }
}

/// Who is making a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A staff account with a role.
    Employee { id: i64, username: String, full_name: String, role: Role },
    /// A customer using self-service: sees only their own data.
    Customer { id: i64, username: String, full_name: String },
}

impl Principal {
    /// The stored kind (`sessions.principal_kind`, `audit_log.actor_kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            Principal::Employee { .. } => model::EMPLOYEE,
            Principal::Customer { .. } => model::CUSTOMER,
        }
    }

    pub fn id(&self) -> i64 {
        match self {
            Principal::Employee { id, .. } | Principal::Customer { id, .. } => *id,
        }
    }

    pub fn username(&self) -> &str {
        match self {
            Principal::Employee { username, .. } | Principal::Customer { username, .. } => username,
        }
    }
}

/// What a request knows about its caller; in every request's (and websocket's) data.
#[derive(Debug, Clone, Default)]
pub struct RequestAuth {
    pub principal: Option<Principal>,
    /// The session the bearer token belongs to (for `logout`).
    pub session_id: Option<i64>,
    /// The client's IP address, for login throttling.
    pub client_address: String,
    /// Why there is no principal, when there is none (`extensions.reason`).
    pub no_login: crate::error::NoLogin,
    /// What signs download links for this session; only a request that came with the session's
    /// token has it (not one that came with a download link).
    pub link_key: Option<LinkKey>,
}

/// A session's key for download links ([`crate::downloads::links`]) and when the session ends.
#[derive(Clone)]
pub struct LinkKey {
    /// The session's token hash, which only the server holds.
    pub token_hash: String,
    pub session_expires: chrono::NaiveDateTime,
}

impl std::fmt::Debug for LinkKey {
    /// Without the key: it signs links, so it never goes into a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkKey").field("session_expires", &self.session_expires).finish_non_exhaustive()
    }
}

/// Login and token settings.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// How long a token works after login.
    pub token_ttl: Duration,
    /// Failed logins that lock a (username, client address) pair; from this many on, a
    /// username's failures from anywhere slow its logins down (and from three times as many,
    /// an address's failures slow its logins down), never lock them (see [`throttle`]).
    pub max_failures: i64,
    /// How long those failures count, and so how long a lock (or a slow-down) lasts.
    pub lock_window: Duration,
}

/// The bearer token in an `Authorization` header value (`Bearer <token>`), if any.
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn reads_bearer_tokens() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("abc"), None);
    }
}

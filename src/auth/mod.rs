//! Accounts, login and access control.
//!
//! A request carries a [`RequestAuth`]: who is asking ([`Principal`]), resolved once from the
//! bearer token. Root fields are default-deny ([`default_deny`]); role rules live in one
//! table ([`permissions::RULES`]) and are enforced by the [`permissions::Require`] guard.

pub mod default_deny;
pub mod graphql;
pub mod model;
pub mod password;
pub mod permissions;
pub mod repo;
pub mod token;
pub mod websocket;

use std::time::Duration;

use async_graphql::Context;

use crate::db::Db;
use crate::error::{AppError, AppResult};
pub use permissions::Role;

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
}

/// Login and token settings.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// How long a token works after login.
    pub token_ttl: Duration,
    /// Failed logins (per username, and per client address) that lock further attempts.
    pub max_failures: i64,
    /// How long those failures count, and so how long a lock lasts.
    pub lock_window: Duration,
}

/// The request's auth data (anonymous when the transport set none).
pub fn request_auth<'a>(ctx: &Context<'a>) -> &'a RequestAuth {
    static ANONYMOUS: std::sync::OnceLock<RequestAuth> = std::sync::OnceLock::new();
    ctx.data_opt::<RequestAuth>().unwrap_or_else(|| ANONYMOUS.get_or_init(RequestAuth::default))
}

/// The caller, or `UNAUTHENTICATED`.
pub fn principal<'a>(ctx: &Context<'a>) -> AppResult<&'a Principal> {
    request_auth(ctx).principal.as_ref().ok_or(AppError::Unauthenticated)
}

/// The bearer token in an `Authorization` header value (`Bearer <token>`), if any.
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

/// Resolves a bearer token to its principal; an unknown, expired or revoked token, or one of
/// a deactivated account, gives an anonymous request.
pub async fn authenticate(db: &Db, token: Option<&str>, client_address: String) -> AppResult<RequestAuth> {
    let Some(token) = token else {
        return Ok(RequestAuth { client_address, ..RequestAuth::default() });
    };
    let token_hash = token::hash(token);
    let found = db.read(move |conn| repo::session_principal(conn, &token_hash, crate::graphql::context::now())).await?;
    Ok(match found {
        Some((session_id, principal)) => {
            RequestAuth { principal: Some(principal), session_id: Some(session_id), client_address }
        }
        None => RequestAuth { client_address, ..RequestAuth::default() },
    })
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

//! Accounts, login and access control.
//!
//! A request carries a [`RequestAuth`]: who is asking ([`Principal`]), resolved once from the
//! bearer token. Root fields are default-deny ([`default_deny`]); role rules live in one
//! table ([`permissions::RULES`]) and are enforced by the [`guard::Require`] guard.

pub mod default_deny;
pub mod graphql;
pub mod guard;
pub mod model;
pub mod password;
pub mod permissions;
pub mod repo;
pub mod token;
pub mod websocket;

use std::time::Duration;

use crate::db::Db;
use crate::error::AppResult;
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
    /// Failed logins that lock a (username, client address) pair, and a client address for
    /// every username; from this many on, a username's failures from anywhere slow its logins
    /// down (see [`throttle`]) but never lock it.
    pub max_failures: i64,
    /// How long those failures count, and so how long a lock (or a slow-down) lasts.
    pub lock_window: Duration,
}

/// The first wait of a login once its username has [`AuthSettings::max_failures`] recent
/// failures (from anywhere); each further failure doubles it.
pub const FIRST_LOGIN_DELAY: Duration = Duration::from_millis(250);

/// The longest a login waits because of its username's failures.
pub const MAX_LOGIN_DELAY: Duration = Duration::from_secs(8);

/// What to do with a login attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Check the password now.
    Go,
    /// Wait this long, then check the password.
    Delay(Duration),
    /// Refuse without checking the password (`TOO_MANY_REQUESTS`).
    Refuse,
}

/// Login throttling, from the recent failures (within [`AuthSettings::lock_window`]) of this
/// username from this address (`by_pair`), of any username from this address (`by_address`)
/// and of this username from any address (`by_username`).
///
/// `max` failures lock the pair, and the address (one address guessing many usernames); a
/// lock never reaches the owner on another address. A username's failures from everywhere
/// only slow it down: from `max` on, an attempt first waits [`FIRST_LOGIN_DELAY`], doubled for
/// each further failure, at most [`MAX_LOGIN_DELAY`].
pub fn throttle(by_pair: i64, by_address: i64, by_username: i64, max: i64) -> Decision {
    if by_pair >= max || by_address >= max {
        return Decision::Refuse;
    }
    if by_username < max {
        return Decision::Go;
    }
    // 2^5 × 250 ms already passes the cap; stop doubling well before anything could overflow.
    let doublings = u32::try_from(by_username - max).unwrap_or(u32::MAX).min(16);
    Decision::Delay(FIRST_LOGIN_DELAY.saturating_mul(1 << doublings).min(MAX_LOGIN_DELAY))
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
    let found = db.read(move |conn| repo::session_principal(conn, &token_hash, crate::clock::now())).await?;
    Ok(match found {
        Some((session_id, principal)) => {
            RequestAuth { principal: Some(principal), session_id: Some(session_id), client_address }
        }
        None => RequestAuth { client_address, ..RequestAuth::default() },
    })
}

#[cfg(test)]
mod tests {
    use super::{bearer_token, throttle, Decision, FIRST_LOGIN_DELAY, MAX_LOGIN_DELAY};
    use std::time::Duration;

    #[test]
    fn a_pair_or_an_address_is_locked_at_the_maximum() {
        assert_eq!(throttle(2, 2, 2, 3), Decision::Go);
        assert_eq!(throttle(3, 3, 3, 3), Decision::Refuse, "this username from this address");
        assert_eq!(throttle(0, 3, 0, 3), Decision::Refuse, "this address guessed other usernames");
        assert_eq!(throttle(3, 3, 50, 3), Decision::Refuse, "a lock wins over a delay");
    }

    #[test]
    fn a_username_failing_everywhere_is_slowed_not_locked() {
        // The same username from a fresh address: never refused, only delayed.
        assert_eq!(throttle(0, 0, 2, 3), Decision::Go);
        assert_eq!(throttle(0, 0, 3, 3), Decision::Delay(FIRST_LOGIN_DELAY));
        assert_eq!(throttle(0, 0, 4, 3), Decision::Delay(Duration::from_millis(500)));
        assert_eq!(throttle(0, 0, 5, 3), Decision::Delay(Duration::from_millis(1000)));
        assert_eq!(throttle(0, 0, 7, 3), Decision::Delay(Duration::from_millis(4000)));
        assert_eq!(throttle(0, 0, 8, 3), Decision::Delay(MAX_LOGIN_DELAY));
        for failures in [9, 20, 64, 1_000_000, i64::MAX] {
            assert_eq!(throttle(2, 2, failures, 3), Decision::Delay(MAX_LOGIN_DELAY), "{failures}");
        }
    }

    #[test]
    fn delays_grow_and_never_pass_the_cap() {
        let mut last = Duration::ZERO;
        for failures in 0..100 {
            let delay = match throttle(0, 0, failures, 10) {
                Decision::Go => Duration::ZERO,
                Decision::Delay(d) => d,
                Decision::Refuse => panic!("a username alone never locks"),
            };
            assert!(delay >= last && delay <= MAX_LOGIN_DELAY, "{failures}: {delay:?}");
            last = delay;
        }
        assert_eq!(last, MAX_LOGIN_DELAY);
    }

    #[test]
    fn reads_bearer_tokens() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("abc"), None);
    }
}

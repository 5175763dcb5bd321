//! Passwords: the policy, and argon2id hashing on a blocking thread.

use std::sync::OnceLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;

use crate::error::{AppError, AppResult};

pub const MIN_LENGTH: usize = 8;
pub const MAX_LENGTH: usize = 128;

/// The password policy: 8 to 128 characters, not the username.
pub fn check_policy(field: &str, password: &str, username: &str) -> AppResult<()> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(AppError::bad_input(field, format!("`{field}` must be at least {MIN_LENGTH} characters")));
    }
    if length > MAX_LENGTH {
        return Err(AppError::bad_input(field, format!("`{field}` must be at most {MAX_LENGTH} characters")));
    }
    if password.eq_ignore_ascii_case(username.trim()) {
        return Err(AppError::bad_input(field, format!("`{field}` must not be the username")));
    }
    Ok(())
}

/// An argon2id PHC string for `password` (`$argon2id$v=19$...`), with a fresh salt.
pub fn hash_blocking(password: &str) -> AppResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h: PasswordHash| h.to_string())
        .map_err(|e| AppError::Internal(format!("hashing a password: {e}")))
}

/// Whether `password` matches the PHC string `hash`; a malformed hash never matches.
pub fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// At most this many argon2 computations at once (each takes ~19 MiB and a core for tens of
/// milliseconds); a burst of logins waits here instead of exhausting memory.
fn hashing_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

/// [`hash_blocking`] off the async workers.
pub async fn hash(password: String) -> AppResult<String> {
    let _permit = hashing_permits().acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await.map_err(AppError::join)?
}

/// [`verify_blocking`] off the async workers; `None` checks against a dummy hash, so an
/// unknown username costs the same time as a wrong password.
pub async fn verify(password: String, hash: Option<String>) -> AppResult<bool> {
    let _permit = hashing_permits().acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || match hash {
        Some(hash) => verify_blocking(&password, &hash),
        None => {
            verify_blocking(&password, dummy_hash());
            false
        }
    })
    .await
    .map_err(AppError::join)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking(&super::token::generate()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_salted() {
        let a = hash_blocking("correct horse").unwrap();
        let b = hash_blocking("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$v=19$"), "{a}");
        assert_ne!(a, b, "a fresh salt each time");
        assert!(verify_blocking("correct horse", &a));
        assert!(!verify_blocking("correct horsf", &a));
        assert!(!verify_blocking("correct horse", "not a hash"));
    }

    #[test]
    fn policy() {
        assert!(check_policy("password", "short", "ravi").is_err());
        assert!(check_policy("password", "Ravi.Kumar", "ravi.kumar").is_err());
        assert!(check_policy("password", &"x".repeat(129), "ravi").is_err());
        assert!(check_policy("password", "eight chr", "ravi").is_ok());
    }
}

//! Running a money mutation once per idempotency key, inside the mutation's own transaction:
//! the key's row is written with the result, so both commit or neither does.

use sha2::{Digest, Sha256};

use super::repo::{self, NewKey};
use crate::audit::Actor;
use crate::db::{Db, DbConn};
use crate::error::{AppError, AppResult};

/// How long a key is kept (at least 24 hours are promised).
pub const KEEP_HOURS: i64 = 48;

/// A key as its caller sent it, for one operation with one request.
#[derive(Debug, Clone)]
pub struct Claim {
    caller: String,
    key: String,
    operation: &'static str,
    fingerprint: String,
}

impl Claim {
    /// `key` (1 to 200 visible ASCII characters, else `BAD_USER_INPUT` on `idempotencyKey`) of
    /// `actor` for `operation` with `request` (its `Debug` form is what "the same input" means).
    pub fn new(actor: &Actor, key: &str, operation: &'static str, request: &impl std::fmt::Debug) -> AppResult<Claim> {
        let key = key.trim();
        if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AppError::bad_input(
                "idempotencyKey",
                "`idempotencyKey` must be 1 to 200 visible ASCII characters (a UUID is a good choice)",
            ));
        }
        let digest = Sha256::digest(format!("{operation}\n{request:?}").as_bytes());
        Ok(Claim {
            caller: format!("{}:{}", actor.kind, actor.id.unwrap_or_default()),
            key: key.to_owned(),
            operation,
            fingerprint: crate::hex::encode(&digest),
        })
    }
}

/// The key a mutation was sent with: its `idempotencyKey` argument or the `Idempotency-Key`
/// header; both given must agree.
pub fn key_of(argument: Option<String>, header: Option<&str>) -> AppResult<Option<String>> {
    match (argument, header) {
        (Some(a), Some(h)) if a.trim() != h.trim() => Err(AppError::bad_input(
            "idempotencyKey",
            "`idempotencyKey` and the Idempotency-Key header differ; send one of them",
        )),
        (Some(a), _) => Ok(Some(a)),
        (None, h) => Ok(h.map(str::to_owned)),
    }
}

/// What a mutation with a key did.
pub enum Once<T> {
    /// Ran now.
    Fresh(T),
    /// Ran before: the row id of the first result.
    Replayed(i64),
}

/// Runs `work` in `conn`'s transaction unless `claim`'s key already ran with the same input
/// (then the first result's id); the same key with another input is `CONFLICT`.
pub fn once<T>(
    conn: &mut DbConn,
    claim: Option<&Claim>,
    work: impl FnOnce(&mut DbConn) -> AppResult<T>,
    id_of: impl Fn(&T) -> i64,
) -> AppResult<Once<T>> {
    let Some(claim) = claim else { return work(conn).map(Once::Fresh) };
    let now = crate::clock::now();
    repo::purge(conn, now - chrono::Duration::hours(KEEP_HOURS))?;
    if let Some(first) = repo::find(conn, &claim.caller, &claim.key)? {
        if first.operation != claim.operation || first.fingerprint != claim.fingerprint {
            return Err(AppError::Conflict(format!(
                "idempotency key {:?} was used for another request ({} with other input); use a new key \
                 for a new request",
                claim.key, first.operation
            )));
        }
        return Ok(Once::Replayed(first.result_id));
    }
    let result = work(conn)?;
    repo::insert(
        conn,
        &NewKey {
            caller: &claim.caller,
            idempotency_key: &claim.key,
            operation: claim.operation,
            fingerprint: &claim.fingerprint,
            result_id: id_of(&result),
            created_at: now,
        },
    )?;
    Ok(Once::Fresh(result))
}

/// [`once`] in a write transaction of its own. Two retries with one key at the same instant:
/// the second finds the first's key and replays ([`Db::write_settling_race`]).
pub async fn write_once<T, F, I>(db: &Db, claim: Option<Claim>, mut work: F, id_of: I) -> AppResult<Once<T>>
where
    T: Send + 'static,
    F: FnMut(&mut DbConn) -> AppResult<T> + Clone + Send + 'static,
    I: Fn(&T) -> i64 + Copy + Send + 'static,
{
    match claim {
        Some(claim) => db.write_settling_race(move |conn| once(conn, Some(&claim), work.clone(), id_of)).await,
        None => db.write(move |conn| work(conn).map(Once::Fresh)).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_and_fingerprints_follow_the_input() {
        let actor = Actor { kind: "EMPLOYEE", id: Some(3), name: "asha".into() };
        assert!(Claim::new(&actor, "", "createPayment", &1).is_err());
        assert!(Claim::new(&actor, "has space", "createPayment", &1).is_err());
        assert!(Claim::new(&actor, &"k".repeat(201), "createPayment", &1).is_err());
        let a = Claim::new(&actor, "k-1", "createPayment", &(1, "x")).unwrap();
        let b = Claim::new(&actor, "k-1", "createPayment", &(1, "x")).unwrap();
        let c = Claim::new(&actor, "k-1", "createPayment", &(2, "x")).unwrap();
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_ne!(a.fingerprint, c.fingerprint);
        assert_eq!(a.caller, "EMPLOYEE:3");
    }

    #[test]
    fn the_argument_and_the_header_must_agree() {
        assert_eq!(key_of(None, Some("h")).unwrap().as_deref(), Some("h"));
        assert_eq!(key_of(Some("a".into()), None).unwrap().as_deref(), Some("a"));
        assert_eq!(key_of(Some("a".into()), Some("a")).unwrap().as_deref(), Some("a"));
        assert!(key_of(Some("a".into()), Some("b")).is_err());
        assert_eq!(key_of(None, None).unwrap(), None);
    }
}

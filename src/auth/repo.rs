//! Sessions, failed logins and credential lookups.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Credentials, NewLoginFailure, NewSession, SessionRow, CUSTOMER, EMPLOYEE};
use super::Principal;
use crate::db::schema::{customers, employees, login_failures, sessions};
use crate::db::{lower, DbConn};
use crate::error::{AppResult, NoLogin};

/// What a session's account contributes to its principal: an employee's (role, username,
/// name, active) or a customer's (username, name, status). Never a password hash.
pub type EmployeeSide = Option<(crate::auth::Role, String, String, bool)>;
pub type CustomerSide = Option<(String, String, crate::customers::model::CustomerStatus)>;

/// The session with this token hash and its principal, or why it gives none: one statement
/// (the session joined to its account).
pub fn session_principal(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
) -> AppResult<Result<(SessionRow, Principal), NoLogin>> {
    // The token hash is unique: no `LIMIT` (a bound one would have PostgreSQL plan the statement
    // afresh at every request, see `db::page::LimitedTo`).
    let found = with_account!(sessions::table.filter(sessions::token_hash.eq(token_hash))).load::<Found>(conn)?.pop();
    Ok(live_with_account(found, now))
}

/// A session with its account.
pub type Found = (SessionRow, EmployeeSide, CustomerSide);

/// The session with this id, live or not, with its account (one statement).
pub fn session_by_id(conn: &mut DbConn, session_id: i64) -> AppResult<Option<Found>> {
    Ok(with_account!(sessions::table.filter(sessions::id.eq(session_id))).first(conn).optional()?)
}

/// `sessions` narrowed by `$query`, each joined to the account it names.
macro_rules! with_account {
    ($query:expr) => {
        $query
            .left_join(
                employees::table
                    .on(sessions::principal_kind.eq(EMPLOYEE).and(employees::id.eq(sessions::principal_id))),
            )
            .left_join(
                customers::table
                    .on(sessions::principal_kind.eq(CUSTOMER).and(customers::id.eq(sessions::principal_id))),
            )
            .select((
                sessions::all_columns,
                (employees::role, employees::username, employees::full_name, employees::is_active).nullable(),
                (customers::username, customers::full_name, customers::status).nullable(),
            ))
    };
}
use with_account;

/// A session found with its account: live when not revoked, not expired, its account active
/// (a deactivated account's sessions are revoked with it; one that slipped through reads so).
pub fn live_with_account(found: Option<Found>, now: NaiveDateTime) -> Result<(SessionRow, Principal), NoLogin> {
    let Some((session, employee, customer)) = found else { return Err(NoLogin::TokenInvalid) };
    if session.revoked_at.is_some() {
        return Err(NoLogin::TokenRevoked);
    }
    if session.expires_at <= now {
        return Err(NoLogin::TokenExpired);
    }
    let id = session.principal_id;
    let principal = match (session.principal_kind.as_str(), employee, customer) {
        (EMPLOYEE, Some((role, username, full_name, true)), _) => Principal::Employee { id, role, username, full_name },
        (CUSTOMER, _, Some((username, full_name, status)))
            if status != crate::customers::model::CustomerStatus::Terminated =>
        {
            Principal::Customer { id, username, full_name }
        }
        _ => return Err(NoLogin::TokenRevoked),
    };
    Ok((session, principal))
}

/// The active principal of `kind` with row id `id`.
pub fn principal(conn: &mut DbConn, kind: &str, id: i64) -> AppResult<Option<Principal>> {
    match kind {
        EMPLOYEE => {
            let row: Option<(crate::auth::Role, String, String)> = employees::table
                .find(id)
                .filter(employees::is_active.eq(true))
                .select((employees::role, employees::username, employees::full_name))
                .first(conn)
                .optional()?;
            Ok(row.map(|(role, username, full_name)| Principal::Employee { id, role, username, full_name }))
        }
        CUSTOMER => crate::customers::repo::principal(conn, id),
        _ => Ok(None),
    }
}

/// The account a login names: staff first, then customers. Usernames match ignoring case.
pub fn credentials(conn: &mut DbConn, username: &str) -> AppResult<Option<Credentials>> {
    let employee: Option<(i64, String, bool)> = employees::table
        .filter(lower(employees::username).eq(username.to_lowercase()))
        .select((employees::id, employees::password_hash, employees::is_active))
        .first(conn)
        .optional()?;
    if let Some((id, password_hash, active)) = employee {
        return Ok(Some(Credentials { kind: EMPLOYEE, id, password_hash, active }));
    }
    crate::customers::repo::credentials(conn, username)
}

pub fn insert_session(
    conn: &mut DbConn,
    kind: &str,
    principal_id: i64,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> AppResult<i64> {
    let new = NewSession { token_hash, principal_kind: kind, principal_id, created_at: now, expires_at };
    Ok(diesel::insert_into(sessions::table).values(&new).returning(sessions::id).get_result(conn)?)
}

pub fn revoke_session(conn: &mut DbConn, session_id: i64, now: NaiveDateTime) -> AppResult<()> {
    diesel::update(sessions::table.find(session_id).filter(sessions::revoked_at.is_null()))
        .set(sessions::revoked_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// Ends every session of a principal (password changed, account deactivated).
pub fn revoke_all(conn: &mut DbConn, kind: &str, principal_id: i64, now: NaiveDateTime) -> AppResult<usize> {
    Ok(diesel::update(
        sessions::table
            .filter(sessions::principal_kind.eq(kind))
            .filter(sessions::principal_id.eq(principal_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now))
    .execute(conn)?)
}

/// How long a login attempt being checked counts (a server that died while checking one
/// leaves its row pending; a check, delays included, takes seconds).
pub const PENDING_SECONDS: i64 = 120;

/// Recent failed logins, as [`super::throttle`] weighs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecentFailures {
    /// This username from this address, with the attempts at it being checked now.
    pub by_pair: i64,
    /// Any username from this address.
    pub by_address: i64,
    /// This username from any address (those not forgiven by a later right password from an
    /// address that had not failed).
    pub by_username: i64,
}

/// Failed logins since `since` for this username from this address (with the attempts at the
/// pair being checked now, on any server), from this address, and for this username.
pub fn recent_failures(
    conn: &mut DbConn,
    username: &str,
    address: &str,
    since: NaiveDateTime,
    now: NaiveDateTime,
) -> AppResult<RecentFailures> {
    let stale = now - chrono::Duration::seconds(PENDING_SECONDS);
    let by_pair = login_failures::table
        .filter(login_failures::username.eq(username))
        .filter(login_failures::address.eq(address))
        .filter(login_failures::failed_at.gt(since))
        .filter(login_failures::pending.eq(false).or(login_failures::failed_at.gt(stale)))
        .count()
        .get_result(conn)?;
    let by_address = login_failures::table
        .filter(login_failures::address.eq(address))
        .filter(login_failures::failed_at.gt(since))
        .filter(login_failures::pending.eq(false))
        .count()
        .get_result(conn)?;
    let by_username = login_failures::table
        .filter(login_failures::username.eq(username))
        .filter(login_failures::slows_username.eq(true))
        .filter(login_failures::failed_at.gt(since))
        .filter(login_failures::pending.eq(false))
        .count()
        .get_result(conn)?;
    Ok(RecentFailures { by_pair, by_address, by_username })
}

/// Starts checking a login at (username, address): the recent failures as they stand (the
/// attempts at the pair being checked before this one included, on every server: the pair is
/// locked meanwhile), then this attempt's pending row, whose id is returned.
pub fn begin_attempt(
    conn: &mut DbConn,
    username: &str,
    address: &str,
    since: NaiveDateTime,
    now: NaiveDateTime,
) -> AppResult<(i64, RecentFailures)> {
    crate::db::lock_key(conn, &format!("login:{username}\n{address}"))?;
    let recent = recent_failures(conn, username, address, since, now)?;
    let id = diesel::insert_into(login_failures::table)
        .values(&NewLoginFailure { username, address, failed_at: now, pending: true })
        .returning(login_failures::id)
        .get_result(conn)?;
    Ok((id, recent))
}

/// Ends attempt `id` without a failure (refused unchecked, or the right password).
pub fn end_attempt(conn: &mut DbConn, id: i64) -> AppResult<()> {
    diesel::delete(login_failures::table.find(id)).execute(conn)?;
    Ok(())
}

/// Attempt `id` failed: it becomes a failure at `now` (recorded afresh if a right password
/// cleared it meanwhile), and failures older than `forget_before` are forgotten.
pub fn record_failure(
    conn: &mut DbConn,
    id: i64,
    username: &str,
    address: &str,
    now: NaiveDateTime,
    forget_before: NaiveDateTime,
) -> AppResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::failed_at.lt(forget_before))).execute(conn)?;
    let settled = diesel::update(login_failures::table.find(id))
        .set((
            login_failures::pending.eq(false),
            login_failures::failed_at.eq(now),
            login_failures::slows_username.eq(true),
        ))
        .execute(conn)?;
    if settled == 0 {
        diesel::insert_into(login_failures::table)
            .values(&NewLoginFailure { username, address, failed_at: now, pending: false })
            .execute(conn)?;
    }
    Ok(())
}

/// Stops a username's recorded failures from slowing its logins down (they still lock their
/// own username and address pair, and count for their address).
pub fn forgive_username(conn: &mut DbConn, username: &str) -> AppResult<()> {
    diesel::update(login_failures::table.filter(login_failures::username.eq(username)))
        .set(login_failures::slows_username.eq(false))
        .execute(conn)?;
    Ok(())
}

/// Forgets a username's failed logins from `address` after it logs in from there (attempts
/// still being checked stay).
pub fn clear_failures(conn: &mut DbConn, username: &str, address: &str) -> AppResult<()> {
    diesel::delete(
        login_failures::table
            .filter(login_failures::username.eq(username))
            .filter(login_failures::address.eq(address))
            .filter(login_failures::pending.eq(false)),
    )
    .execute(conn)?;
    Ok(())
}

//! Queries on the network tables (and the network columns of `plans` and `companies`).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::*;
use crate::customers::model::CustomerStatus;
use crate::db::page::{Page, PageWindow};
use crate::db::schema::{
    companies, customers, nas_devices, nas_requests, network_credentials, plans, radius_sessions, radius_usage_daily,
};
use crate::db::{lower, DbConn};
use crate::error::{AppError, AppResult};
use crate::keyset_page;

// ---- credentials ----

pub fn credential_of(conn: &mut DbConn, customer_id: i64) -> AppResult<Option<CredentialRow>> {
    Ok(network_credentials::table.filter(network_credentials::customer_id.eq(customer_id)).first(conn).optional()?)
}

/// The credentials of each customer in `customer_ids` (for the batched `Customer.networkCredentials`).
pub fn credentials_of(conn: &mut DbConn, customer_ids: &[i64]) -> AppResult<Vec<CredentialRow>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(network_credentials::table
        .filter(crate::db::fragments::id_in("network_credentials.customer_id", customer_ids))
        .load(conn)?)
}

/// Whether another customer than `customer_id` has network username `username` (ignoring case).
pub fn username_taken(conn: &mut DbConn, username: &str, customer_id: i64) -> AppResult<bool> {
    let n: i64 = network_credentials::table
        .filter(lower(network_credentials::username).eq(username.to_lowercase()))
        .filter(network_credentials::customer_id.ne(customer_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Whether another customer than `customer_id` has static address `ip`.
pub fn static_ip_taken(conn: &mut DbConn, ip: &str, customer_id: i64) -> AppResult<bool> {
    let n: i64 = network_credentials::table
        .filter(network_credentials::static_ip.eq(ip))
        .filter(network_credentials::customer_id.ne(customer_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn insert_credential(conn: &mut DbConn, new: &NewCredential) -> AppResult<CredentialRow> {
    crate::db::changes::note_customer(new.customer_id);
    Ok(diesel::insert_into(network_credentials::table)
        .values(new)
        .returning(network_credentials::all_columns)
        .get_result(conn)?)
}

pub fn update_credential(
    conn: &mut DbConn,
    id: i64,
    customer_id: i64,
    username: &str,
    password_sealed: &str,
    static_ip: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<CredentialRow> {
    crate::db::changes::note_customer(customer_id);
    Ok(diesel::update(network_credentials::table.find(id))
        .set((
            network_credentials::username.eq(username),
            network_credentials::password_sealed.eq(password_sealed),
            network_credentials::static_ip.eq(static_ip),
            network_credentials::updated_at.eq(now),
        ))
        .returning(network_credentials::all_columns)
        .get_result(conn)?)
}

// ---- plan speeds and company settings ----

pub fn set_plan_rate(conn: &mut DbConn, plan: i64, rate: Option<(i32, i32)>, now: NaiveDateTime) -> AppResult<()> {
    crate::db::changes::note_all();
    let n = diesel::update(plans::table.find(plan))
        .set((
            plans::upload_kbps.eq(rate.map(|r| r.0)),
            plans::download_kbps.eq(rate.map(|r| r.1)),
            plans::updated_at.eq(now),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(AppError::not_found("plan"));
    }
    Ok(())
}

pub fn set_company_settings(
    conn: &mut DbConn,
    company: i64,
    settings: &CompanySettings,
    now: NaiveDateTime,
) -> AppResult<()> {
    crate::db::changes::note_all();
    let n = diesel::update(companies::table.find(company))
        .set((
            companies::radius_rate_attribute.eq(&settings.rate_attribute),
            companies::radius_suspended.eq(settings.suspended),
            companies::radius_walled_pool.eq(&settings.walled_pool),
            companies::pay_link.eq(&settings.pay_link),
            companies::updated_at.eq(now),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(AppError::not_found("company"));
    }
    Ok(())
}

/// What the snapshot holds of one login, as read from the database.
#[derive(Debug, Clone, Queryable)]
pub struct LoginRow {
    pub customer_id: i64,
    pub username: String,
    pub password_sealed: String,
    pub static_ip: Option<String>,
    pub status: CustomerStatus,
    pub upload_kbps: Option<i32>,
    pub download_kbps: Option<i32>,
    pub rate_attribute: String,
    pub suspended: SuspendedAccess,
    pub walled_pool: String,
    /// The status the network was last told about (`None`: nothing yet).
    pub told_status: Option<CustomerStatus>,
}

/// The logins of `customer_ids`, or of every customer with credentials when `None`.
pub fn logins(conn: &mut DbConn, customer_ids: Option<&[i64]>) -> AppResult<Vec<LoginRow>> {
    let mut query = network_credentials::table
        .inner_join(customers::table.inner_join(plans::table).inner_join(companies::table))
        .select((
            network_credentials::customer_id,
            network_credentials::username,
            network_credentials::password_sealed,
            network_credentials::static_ip,
            customers::status,
            plans::upload_kbps,
            plans::download_kbps,
            companies::radius_rate_attribute,
            companies::radius_suspended,
            companies::radius_walled_pool,
            network_credentials::told_status,
        ))
        .into_boxed();
    if let Some(ids) = customer_ids {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        query = query.filter(crate::db::fragments::id_in("network_credentials.customer_id", ids));
    }
    Ok(query.load(conn)?)
}

/// Sets customer `customer_id`'s told status from `old` to `new`; whether it was still `old`
/// (`false`: another server got there first, and tells the NAS itself).
pub fn mark_told(
    conn: &mut DbConn,
    customer_id: i64,
    old: Option<CustomerStatus>,
    new: CustomerStatus,
) -> AppResult<bool> {
    let row = network_credentials::table.filter(network_credentials::customer_id.eq(customer_id));
    let set = network_credentials::told_status.eq(Some(new));
    let n = match old {
        Some(old) => diesel::update(row.filter(network_credentials::told_status.eq(old))).set(set).execute(conn)?,
        None => diesel::update(row.filter(network_credentials::told_status.is_null())).set(set).execute(conn)?,
    };
    Ok(n == 1)
}

// ---- sessions ----

pub fn session_by_key(conn: &mut DbConn, nas: &str, session_id: &str) -> AppResult<Option<SessionRow>> {
    Ok(radius_sessions::table
        .filter(radius_sessions::nas_address.eq(nas))
        .filter(radius_sessions::acct_session_id.eq(session_id))
        .first(conn)
        .optional()?)
}

pub fn insert_session(conn: &mut DbConn, new: &NewSession) -> AppResult<SessionRow> {
    Ok(diesel::insert_into(radius_sessions::table)
        .values(new)
        .returning(radius_sessions::all_columns)
        .get_result(conn)?)
}

/// The session after a newer record.
#[allow(clippy::too_many_arguments)]
pub fn advance_session(
    conn: &mut DbConn,
    id: i64,
    record: RecordType,
    seconds: i64,
    input: i64,
    output: i64,
    framed_ip: Option<&str>,
    stopped: Option<(NaiveDateTime, Option<&str>)>,
    now: NaiveDateTime,
) -> AppResult<()> {
    diesel::update(radius_sessions::table.find(id))
        .set((
            radius_sessions::last_record.eq(record),
            radius_sessions::last_seconds.eq(seconds),
            radius_sessions::input_octets.eq(input),
            radius_sessions::output_octets.eq(output),
            radius_sessions::updated_at.eq(now),
        ))
        .execute(conn)?;
    if let Some(ip) = framed_ip {
        diesel::update(radius_sessions::table.find(id)).set(radius_sessions::framed_ip.eq(ip)).execute(conn)?;
    }
    if let Some((at, cause)) = stopped {
        diesel::update(radius_sessions::table.find(id))
            .set((radius_sessions::stopped_at.eq(at), radius_sessions::terminate_cause.eq(cause)))
            .execute(conn)?;
    }
    Ok(())
}

/// Adds bytes to a customer's day.
pub fn add_usage(conn: &mut DbConn, customer_id: i64, day: NaiveDate, input: i64, output: i64) -> AppResult<()> {
    let existing: Option<UsageRow> = radius_usage_daily::table.find((customer_id, day)).first(conn).optional()?;
    match existing {
        Some(row) => {
            diesel::update(radius_usage_daily::table.find((customer_id, day)))
                .set((
                    radius_usage_daily::input_octets.eq(row.input_octets.saturating_add(input)),
                    radius_usage_daily::output_octets.eq(row.output_octets.saturating_add(output)),
                ))
                .execute(conn)?;
        }
        None => {
            diesel::insert_into(radius_usage_daily::table)
                .values(&UsageRow { customer_id, day, input_octets: input, output_octets: output })
                .execute(conn)?;
        }
    }
    Ok(())
}

/// A customer's usage per day from `from` to `to` (both included), oldest first.
pub fn usage(conn: &mut DbConn, customer_id: i64, from: NaiveDate, to: NaiveDate) -> AppResult<Vec<UsageRow>> {
    Ok(radius_usage_daily::table
        .filter(radius_usage_daily::customer_id.eq(customer_id))
        .filter(radius_usage_daily::day.ge(from))
        .filter(radius_usage_daily::day.le(to))
        .order(radius_usage_daily::day.asc())
        .load(conn)?)
}

/// The open sessions of a customer.
pub fn open_sessions_of(conn: &mut DbConn, customer_id: i64) -> AppResult<Vec<SessionRow>> {
    Ok(radius_sessions::table
        .filter(radius_sessions::customer_id.eq(customer_id))
        .filter(radius_sessions::stopped_at.is_null())
        .order(radius_sessions::id.asc())
        .load(conn)?)
}

/// The open sessions of each customer in `customer_ids`.
pub fn open_sessions_of_many(conn: &mut DbConn, customer_ids: &[i64]) -> AppResult<Vec<SessionRow>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(radius_sessions::table
        .filter(crate::db::fragments::id_in("radius_sessions.customer_id", customer_ids))
        .filter(radius_sessions::stopped_at.is_null())
        .order(radius_sessions::id.asc())
        .load(conn)?)
}

/// A page of sessions: one customer's (`customer`), or the open ones of everybody (`open_only`).
pub fn sessions_page(
    conn: &mut DbConn,
    customer: Option<i64>,
    open_only: bool,
    window: PageWindow,
) -> AppResult<Page<SessionRow>> {
    let filtered = || {
        let mut q = radius_sessions::table.into_boxed();
        if let Some(c) = customer {
            q = q.filter(radius_sessions::customer_id.eq(c));
        }
        if open_only {
            q = q.filter(radius_sessions::stopped_at.is_null());
        }
        q
    };
    let total = filtered().count().get_result::<i64>(conn)?;
    let rows = keyset_page!(filtered(), radius_sessions::id, window).load::<SessionRow>(conn)?;
    Ok(window.finish(rows, total))
}

pub fn sessions_by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<SessionRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(radius_sessions::table.filter(crate::db::fragments::id_in("radius_sessions.id", ids)).load(conn)?)
}

// ---- NAS devices ----

pub fn insert(conn: &mut DbConn, new: &NewNas) -> AppResult<NasRow> {
    diesel::insert_into(nas_devices::table)
        .values(new)
        .returning(nas_devices::all_columns)
        .get_result(conn)
        .map_err(|e| nas_conflict(e, &new.name, &new.address))
}

pub fn update(conn: &mut DbConn, id: i64, changes: &NasChanges) -> AppResult<NasRow> {
    diesel::update(nas_devices::table.find(id))
        .set(changes)
        .returning(nas_devices::all_columns)
        .get_result(conn)
        .optional()
        .map_err(|e| {
            nas_conflict(e, changes.name.as_deref().unwrap_or_default(), changes.address.as_deref().unwrap_or_default())
        })?
        .ok_or_else(|| AppError::not_found("NAS device"))
}

fn nas_conflict(e: diesel::result::Error, name: &str, address: &str) -> AppError {
    if crate::error::is_unique_violation(&e) {
        AppError::Conflict(format!("a NAS device named {name:?} or at {address} is already configured"))
    } else {
        e.into()
    }
}

pub fn delete(conn: &mut DbConn, id: i64) -> AppResult<()> {
    let sent: i64 = nas_requests::table.filter(nas_requests::nas_id.eq(id)).count().get_result(conn)?;
    if sent > 0 {
        return Err(AppError::Conflict(format!(
            "{sent} disconnect or CoA requests were sent to this NAS device; it is kept for their record"
        )));
    }
    let n = diesel::delete(nas_devices::table.find(id)).execute(conn)?;
    if n == 0 {
        return Err(AppError::not_found("NAS device"));
    }
    Ok(())
}

pub fn find(conn: &mut DbConn, id: i64) -> AppResult<NasRow> {
    nas_devices::table.find(id).first(conn).optional()?.ok_or_else(|| AppError::not_found("NAS device"))
}

pub fn nas_by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<NasRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(nas_devices::table.filter(crate::db::fragments::id_in("nas_devices.id", ids)).load(conn)?)
}

/// Every NAS device, by name (a network has a few dozen at most).
pub fn all_nas(conn: &mut DbConn) -> AppResult<Vec<NasRow>> {
    Ok(nas_devices::table.order(nas_devices::name.asc()).limit(1000).load(conn)?)
}

pub fn nas_at(conn: &mut DbConn, address: &str) -> AppResult<Option<NasRow>> {
    Ok(nas_devices::table.filter(nas_devices::address.eq(address)).first(conn).optional()?)
}

// ---- requests to NAS devices ----

pub fn insert_request(conn: &mut DbConn, new: &NewNasRequest) -> AppResult<NasRequestRow> {
    Ok(diesel::insert_into(nas_requests::table).values(new).returning(nas_requests::all_columns).get_result(conn)?)
}

/// PENDING requests due by `now`, oldest first.
pub fn due_requests(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> AppResult<Vec<NasRequestRow>> {
    Ok(nas_requests::table
        .filter(nas_requests::status.eq(NasRequestStatus::Pending))
        .filter(nas_requests::next_attempt_at.le(now))
        .order(nas_requests::id.asc())
        .limit(limit)
        .load(conn)?)
}

/// Takes request `id` for its attempt `attempts + 1`: counts the attempt and moves the request
/// `until` (when another sender may take it, should this one stop meanwhile) if it is still
/// PENDING, due at `now` and at `attempts`, as this sender read it; whether this sender has it
/// (`false`: another server's sender took it, or made an attempt since it was read).
pub fn claim(conn: &mut DbConn, id: i64, attempts: i32, now: NaiveDateTime, until: NaiveDateTime) -> AppResult<bool> {
    let n = diesel::update(
        nas_requests::table
            .find(id)
            .filter(nas_requests::status.eq(NasRequestStatus::Pending))
            .filter(nas_requests::attempts.eq(attempts))
            .filter(nas_requests::next_attempt_at.le(now)),
    )
    .set((nas_requests::attempts.eq(attempts + 1), nas_requests::next_attempt_at.eq(until)))
    .execute(conn)?;
    Ok(n == 1)
}

/// The earliest time a PENDING request is due.
pub fn next_due(conn: &mut DbConn) -> AppResult<Option<NaiveDateTime>> {
    Ok(nas_requests::table
        .filter(nas_requests::status.eq(NasRequestStatus::Pending))
        .select(diesel::dsl::min(nas_requests::next_attempt_at))
        .first(conn)?)
}

pub fn record_attempt(
    conn: &mut DbConn,
    id: i64,
    status: NasRequestStatus,
    attempts: i32,
    next_at: NaiveDateTime,
    error: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<()> {
    // Only the attempt this sender claimed: a sender that outlasted its claim, whose request
    // another took since, records nothing.
    diesel::update(
        nas_requests::table
            .find(id)
            .filter(nas_requests::status.eq(NasRequestStatus::Pending))
            .filter(nas_requests::attempts.eq(attempts)),
    )
    .set((
        nas_requests::status.eq(status),
        nas_requests::attempts.eq(attempts),
        nas_requests::next_attempt_at.eq(next_at),
        nas_requests::last_error.eq(error),
        nas_requests::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(())
}

/// A page of requests: one customer's, or all.
pub fn requests_page(conn: &mut DbConn, customer: Option<i64>, window: PageWindow) -> AppResult<Page<NasRequestRow>> {
    let filtered = || {
        let mut q = nas_requests::table.into_boxed();
        if let Some(c) = customer {
            q = q.filter(nas_requests::customer_id.eq(c));
        }
        q
    };
    let total = filtered().count().get_result::<i64>(conn)?;
    let rows = keyset_page!(filtered(), nas_requests::id, window).load::<NasRequestRow>(conn)?;
    Ok(window.finish(rows, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;

    /// A migrated SQLite database with one PENDING request (id 1, no attempt yet, due) whose
    /// NAS, session and customer rows are left out (foreign keys off on this connection).
    fn one_request() -> (tempfile::TempDir, DbConn) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("claims.db");
        let mut conn = DbConn::Sqlite(diesel::SqliteConnection::establish(&path.to_string_lossy()).unwrap());
        crate::db::migrations::run_pending(&mut conn).unwrap();
        let DbConn::Sqlite(c) = &mut conn else { unreachable!() };
        c.batch_execute(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO nas_requests (id, nas_id, session_id, customer_id, code, reason, status, attempts,
                 next_attempt_at, created_at, updated_at)
             VALUES (1, 1, 1, 1, 'DISCONNECT', 'SUSPENDED', 'PENDING', 0,
                 '2026-12-01 10:00:00', '2026-12-01 10:00:00', '2026-12-01 10:00:00');",
        )
        .unwrap();
        (dir, conn)
    }

    fn at(time: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(&format!("2026-12-01 {time}"), "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn row(conn: &mut DbConn) -> NasRequestRow {
        nas_requests::table.find(1).first(conn).unwrap()
    }

    #[test]
    fn one_sender_takes_each_attempt_and_a_late_one_records_nothing() {
        let (_dir, mut conn) = one_request();
        let until = at("10:00:13");
        // Two senders read it due at attempt 0: the first takes it, the second finds it taken.
        assert!(claim(&mut conn, 1, 0, at("10:00:01"), until).unwrap());
        assert!(!claim(&mut conn, 1, 0, at("10:00:01"), until).unwrap());
        assert_eq!((row(&mut conn).attempts, row(&mut conn).next_attempt_at), (1, until));
        // Not due again before the claim runs out, even for a sender that read attempt 1.
        assert!(!claim(&mut conn, 1, 1, at("10:00:05"), at("10:00:17")).unwrap());

        // The first sender stopped; past its claim another takes attempt 2 and is told no.
        assert!(claim(&mut conn, 1, 1, at("10:00:14"), at("10:00:26")).unwrap());
        record_attempt(&mut conn, 1, NasRequestStatus::Naked, 2, at("10:00:15"), Some("NAK"), at("10:00:15")).unwrap();
        // The first sender comes back with its attempt 1's ACK: too late, nothing changes.
        record_attempt(&mut conn, 1, NasRequestStatus::Acked, 1, at("10:00:16"), None, at("10:00:16")).unwrap();
        let done = row(&mut conn);
        assert_eq!((done.status, done.attempts, done.last_error.as_deref()), (NasRequestStatus::Naked, 2, Some("NAK")));
        // A settled request is taken by nobody.
        assert!(!claim(&mut conn, 1, 2, at("10:01:00"), at("10:01:12")).unwrap());
    }
}

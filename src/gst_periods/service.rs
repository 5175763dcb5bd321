//! Closing and reopening GST periods, and the check every issuing or cancelling path makes.

use chrono::NaiveDate;

use super::repo::{self, ClosedPeriodRow};
use crate::audit::Actor;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::gstr1::model::Period;
use crate::ids::{self, Kind};

/// `closeGstPeriod`: marks `period` of a registered company filed. Only a month that has
/// ended; `CONFLICT` when it is closed already.
pub fn close(conn: &mut DbConn, company_id: i64, period: Period, actor: &Actor) -> AppResult<ClosedPeriodRow> {
    lock(conn, company_id)?;
    let company = crate::companies::repo::find(conn, company_id)?;
    if company.gstin.is_none() {
        return Err(AppError::bad_input(
            "companyId",
            "the company has no GSTIN: it files no GST returns, so it has no periods to close",
        ));
    }
    let (_, last) = period.days();
    let today = crate::clock::today();
    if last >= today {
        return Err(AppError::bad_input(
            "period",
            format!("{} has not ended (today is {today}): a month is closed once its return is filed", period.label()),
        ));
    }
    let label = period.label();
    if repo::is_closed(conn, company_id, &label)? {
        return Err(AppError::Conflict(format!("{label} is closed already")));
    }
    let row = repo::insert(conn, company_id, &label, actor.employee_id(), &actor.name)?;
    let target = [ids::encode(Kind::Company, company_id)];
    crate::audit::repo::record(conn, actor, "closeGstPeriod", &target, Some(&label))?;
    Ok(row)
}

/// `reopenGstPeriod`: undoes a closing (an administrator correcting a mistake), recording why.
/// `NOT_FOUND` when the month is not closed.
pub fn reopen(conn: &mut DbConn, company_id: i64, period: Period, reason: &str, actor: &Actor) -> AppResult<()> {
    lock(conn, company_id)?;
    let label = period.label();
    if repo::delete(conn, company_id, &label)? == 0 {
        return Err(AppError::not_found("closed GST period"));
    }
    let target = [ids::encode(Kind::Company, company_id)];
    crate::audit::repo::record(conn, actor, "reopenGstPeriod", &target, Some(&format!("{label}: {reason}")))
}

/// Refuses what would change a closed month of `company_id`: a document dated `date`. `what`
/// says what was refused ("issue this invoice", "cancel invoice INV/.."); `field` names the
/// input at fault (`BAD_USER_INPUT`), or `None` for `CONFLICT`.
pub fn ensure_open(
    conn: &mut DbConn,
    company_id: i64,
    date: NaiveDate,
    what: &str,
    field: Option<&str>,
) -> AppResult<()> {
    lock(conn, company_id)?;
    let label = Period::of(date).label();
    let guard = lock_name(company_id);
    let closed = crate::db::guarded_read(&guard, &format!("{guard}:closed:{label}"), || {
        repo::is_closed(conn, company_id, &label)
    })?;
    if !closed {
        return Ok(());
    }
    let message = format!(
        "cannot {what} dated {date}: {label} is closed (its GSTR-1 is filed); correct it in the open month with a \
         credit note"
    );
    Err(match field {
        Some(field) => AppError::bad_input(field, message),
        None => AppError::Conflict(message),
    })
}

/// The first day after the latest closed month of `company_id`, if it closed any.
pub fn first_open_day(conn: &mut DbConn, company_id: i64) -> AppResult<Option<NaiveDate>> {
    let guard = lock_name(company_id);
    let latest = crate::db::guarded_read(&guard, &format!("{guard}:latest"), || repo::latest(conn, company_id))?;
    let Some(latest) = latest else { return Ok(None) };
    let period = Period::parse(&latest).map_err(AppError::Internal)?;
    Ok(period.days().1.succ_opt())
}

/// Closing, reopening and the checks of issuing and cancelling take turns per company
/// (PostgreSQL: an advisory lock to the end of the transaction; SQLite has one writer), so no
/// invoice lands in a month being closed.
fn lock(conn: &mut DbConn, company_id: i64) -> AppResult<()> {
    crate::db::lock_key(conn, &lock_name(company_id))
}

/// The name of the lock [`lock`] takes (a batch may hold it: [`crate::db::with_locks_held`]).
pub fn lock_name(company_id: i64) -> String {
    format!("gst_periods:{company_id}")
}

//! Queries on `gst_periods_closed`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::gst_periods_closed;
use crate::db::DbConn;
use crate::error::AppResult;

/// A closed month of a company.
#[derive(Debug, Clone, Queryable)]
pub struct ClosedPeriodRow {
    pub company_id: i64,
    /// `YYYY-MM`.
    pub period: String,
    pub closed_at: NaiveDateTime,
    pub closed_by: Option<i64>,
    pub closed_by_name: String,
}

/// Whether `company_id` has closed `period` (`YYYY-MM`).
pub fn is_closed(conn: &mut DbConn, company_id: i64, period: &str) -> AppResult<bool> {
    let found: i64 = gst_periods_closed::table
        .filter(gst_periods_closed::company_id.eq(company_id))
        .filter(gst_periods_closed::period.eq(period))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// The latest month `company_id` has closed, if any.
pub fn latest(conn: &mut DbConn, company_id: i64) -> AppResult<Option<String>> {
    Ok(gst_periods_closed::table
        .filter(gst_periods_closed::company_id.eq(company_id))
        .order(gst_periods_closed::period.desc())
        .select(gst_periods_closed::period)
        .first(conn)
        .optional()?)
}

/// The months `company_id` has closed, newest first.
pub fn of_company(conn: &mut DbConn, company_id: i64) -> AppResult<Vec<ClosedPeriodRow>> {
    Ok(gst_periods_closed::table
        .filter(gst_periods_closed::company_id.eq(company_id))
        .order(gst_periods_closed::period.desc())
        .load(conn)?)
}

pub fn insert(
    conn: &mut DbConn,
    company_id: i64,
    period: &str,
    by: Option<i64>,
    by_name: &str,
) -> AppResult<ClosedPeriodRow> {
    Ok(diesel::insert_into(gst_periods_closed::table)
        .values((
            gst_periods_closed::company_id.eq(company_id),
            gst_periods_closed::period.eq(period),
            gst_periods_closed::closed_at.eq(crate::clock::now()),
            gst_periods_closed::closed_by.eq(by),
            gst_periods_closed::closed_by_name.eq(by_name),
        ))
        .returning(gst_periods_closed::all_columns)
        .get_result(conn)?)
}

/// Deletes the closing of `period`; how many rows went (0 or 1).
pub fn delete(conn: &mut DbConn, company_id: i64, period: &str) -> AppResult<usize> {
    Ok(diesel::delete(
        gst_periods_closed::table
            .filter(gst_periods_closed::company_id.eq(company_id))
            .filter(gst_periods_closed::period.eq(period)),
    )
    .execute(conn)?)
}

//! Queries on `connection_requests`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{ConnectionRequestRow, ConnectionRequestStatus, NewConnectionRequest};
use crate::db::page::{Page, PageWindow};
use crate::db::schema::{connection_requests, localities, plans};
use crate::db::{DbConn, MultiBackend};
use crate::error::{AppError, AppResult};
use crate::keyset_page;

pub fn insert(conn: &mut DbConn, new: &NewConnectionRequest) -> AppResult<ConnectionRequestRow> {
    Ok(diesel::insert_into(connection_requests::table)
        .values(new)
        .returning(connection_requests::all_columns)
        .get_result(conn)?)
}

pub fn find(conn: &mut DbConn, id: i64) -> AppResult<ConnectionRequestRow> {
    connection_requests::table.find(id).first(conn).optional()?.ok_or_else(|| AppError::not_found("connection request"))
}

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<ConnectionRequestRow>> {
    Ok(connection_requests::table.filter(crate::db::fragments::id_in("connection_requests.id", ids)).load(conn)?)
}

/// How many requests came from `address` since `since`.
pub fn count_from(conn: &mut DbConn, address: &str, since: NaiveDateTime) -> AppResult<i64> {
    Ok(connection_requests::table
        .filter(connection_requests::client_address.eq(address))
        .filter(connection_requests::created_at.ge(since))
        .count()
        .get_result(conn)?)
}

/// Stores a new status (and the customer, once converted).
pub fn set_status(
    conn: &mut DbConn,
    id: i64,
    status: ConnectionRequestStatus,
    customer: Option<i64>,
) -> AppResult<ConnectionRequestRow> {
    Ok(diesel::update(connection_requests::table.find(id))
        .set((
            connection_requests::status.eq(status),
            connection_requests::customer_id.eq(customer),
            connection_requests::updated_at.eq(crate::clock::now()),
        ))
        .returning(connection_requests::all_columns)
        .get_result(conn)?)
}

fn filtered(status: Option<ConnectionRequestStatus>) -> connection_requests::BoxedQuery<'static, MultiBackend> {
    let mut query = connection_requests::table.into_boxed();
    if let Some(status) = status {
        query = query.filter(connection_requests::status.eq(status));
    }
    query
}

pub fn page(
    conn: &mut DbConn,
    status: Option<ConnectionRequestStatus>,
    window: PageWindow,
) -> AppResult<Page<ConnectionRequestRow>> {
    let total = filtered(status).count().get_result::<i64>(conn)?;
    let rows = keyset_page!(filtered(status), connection_requests::id, window).load::<ConnectionRequestRow>(conn)?;
    Ok(window.finish(rows, total))
}

/// The locality and plan a visitor picked must exist, and the plan be active.
pub fn check_choice(conn: &mut DbConn, locality: Option<i64>, plan: Option<i64>) -> AppResult<()> {
    if let Some(locality) = locality {
        let found: i64 = localities::table.filter(localities::id.eq(locality)).count().get_result(conn)?;
        if found == 0 {
            return Err(AppError::bad_input("localityId", "`localityId` names no existing locality"));
        }
    }
    if let Some(plan) = plan {
        let active: Option<bool> = plans::table.find(plan).select(plans::is_active).first(conn).optional()?;
        if active != Some(true) {
            return Err(AppError::bad_input("planId", "`planId` names no active plan"));
        }
    }
    Ok(())
}

//! Queries on `complaints`.

use diesel::prelude::*;

use super::model::{ComplaintChanges, ComplaintFilter, ComplaintRow, NewComplaint};
use crate::db::page::{Page, PageWindow};
use crate::db::schema::complaints;
use crate::db::{DbConn, MultiBackend};
use crate::error::{AppError, AppResult};
use crate::keyset_page;

/// Inserts under a fresh `CMP` + 10-digit number.
pub fn insert(conn: &mut DbConn, mut new: NewComplaint) -> AppResult<ComplaintRow> {
    crate::numbers::insert_with_fresh_number(conn, "CMP", 10, "complaint_id", |c, number| {
        new.complaint_id = number;
        diesel::insert_into(complaints::table).values(&new).returning(complaints::all_columns).get_result(c)
    })
}

pub fn find(conn: &mut DbConn, id: i64) -> AppResult<ComplaintRow> {
    complaints::table.find(id).first(conn).optional()?.ok_or_else(|| AppError::not_found("complaint"))
}

pub fn update(conn: &mut DbConn, id: i64, changes: &ComplaintChanges) -> AppResult<ComplaintRow> {
    diesel::update(complaints::table.find(id))
        .set(changes)
        .returning(complaints::all_columns)
        .get_result(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("complaint"))
}

pub fn delete(conn: &mut DbConn, id: i64) -> AppResult<()> {
    if diesel::delete(complaints::table.find(id)).execute(conn)? == 0 {
        return Err(AppError::not_found("complaint"));
    }
    Ok(())
}

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<ComplaintRow>> {
    Ok(complaints::table.filter(crate::db::fragments::id_in("complaints.id", ids)).load(conn)?)
}

/// The newest `first` complaints of each customer, newest first within each.
pub fn newest_for_customers(conn: &mut DbConn, customer_ids: &[i64], first: i64) -> AppResult<Vec<ComplaintRow>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ranked = crate::db::fragments::newest_per_customer("complaints", customer_ids, None, first);
    let mut rows: Vec<ComplaintRow> = complaints::table.filter(ranked).load(conn)?;
    rows.sort_unstable_by_key(|r| (r.customer_id, std::cmp::Reverse(r.id)));
    Ok(rows)
}

fn filtered(filter: &ComplaintFilter) -> complaints::BoxedQuery<'static, MultiBackend> {
    let mut query = complaints::table.into_boxed();
    if let Some(customer) = filter.customer_id {
        query = query.filter(complaints::customer_id.eq(customer));
    }
    if let Some(status) = filter.status {
        query = query.filter(complaints::status.eq(status));
    }
    if let Some(priority) = filter.priority {
        query = query.filter(complaints::priority.eq(priority));
    }
    if let Some(category) = filter.category {
        query = query.filter(complaints::category.eq(category));
    }
    if let Some(employee) = filter.assigned_employee_id {
        query = query.filter(complaints::assigned_employee_id.eq(employee));
    }
    if let Some(from) = filter.from {
        query = query.filter(complaints::created_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(complaints::created_at.lt(to));
    }
    query
}

pub fn page(conn: &mut DbConn, filter: &ComplaintFilter, window: PageWindow) -> AppResult<Page<ComplaintRow>> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = keyset_page!(filtered(filter), complaints::id, window).load::<ComplaintRow>(conn)?;
    Ok(window.finish(rows, total))
}

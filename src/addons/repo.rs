//! Queries on `addon_bills`.

use diesel::prelude::*;

use super::model::{AddonFilter, AddonRow, NewAddon};
use crate::db::page::{Page, PageWindow};
use crate::db::schema::addon_bills;
use crate::db::{DbConn, MultiBackend};
use crate::error::{AppError, AppResult};
use crate::keyset_page;

pub fn insert(conn: &mut DbConn, new: &NewAddon) -> AppResult<AddonRow> {
    Ok(diesel::insert_into(addon_bills::table).values(new).returning(addon_bills::all_columns).get_result(conn)?)
}

pub fn find(conn: &mut DbConn, id: i64) -> AppResult<AddonRow> {
    addon_bills::table.find(id).first(conn).optional()?.ok_or_else(|| AppError::not_found("add-on bill"))
}

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<AddonRow>> {
    Ok(addon_bills::table.filter(crate::db::fragments::id_in("addon_bills.id", ids)).load(conn)?)
}

/// The add-ons of each customer in `customer_ids`, oldest first.
pub fn of_customers(conn: &mut DbConn, customer_ids: &[i64]) -> AppResult<Vec<AddonRow>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(addon_bills::table
        .filter(crate::db::fragments::id_in("addon_bills.customer_id", customer_ids))
        .order(addon_bills::id.asc())
        .load(conn)?)
}

/// The customer's add-ons waiting for their next invoice, oldest first.
pub fn pending(conn: &mut DbConn, customer_id: i64) -> AppResult<Vec<AddonRow>> {
    pending_of(conn, &[customer_id])
}

/// [`pending`] for each customer of `ids` (only those with some), oldest first.
pub fn pending_of(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<AddonRow>> {
    Ok(addon_bills::table
        .filter(crate::db::fragments::id_in("addon_bills.customer_id", ids))
        .filter(addon_bills::invoice_id.is_null())
        .order(addon_bills::id.asc())
        .load(conn)?)
}

/// Marks add-ons as billed on `invoice_id`.
pub fn mark_billed(conn: &mut DbConn, ids: &[i64], invoice_id: i64) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    diesel::update(addon_bills::table.filter(crate::db::fragments::id_in("addon_bills.id", ids)))
        .set((addon_bills::invoice_id.eq(invoice_id), addon_bills::updated_at.eq(crate::clock::now())))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, id: i64) -> AppResult<()> {
    diesel::delete(addon_bills::table.find(id)).execute(conn)?;
    Ok(())
}

fn filtered(filter: &AddonFilter) -> addon_bills::BoxedQuery<'static, MultiBackend> {
    let mut query = addon_bills::table.into_boxed();
    if let Some(customer) = filter.customer_id {
        query = query.filter(addon_bills::customer_id.eq(customer));
    }
    match filter.pending {
        Some(true) => query = query.filter(addon_bills::invoice_id.is_null()),
        Some(false) => query = query.filter(addon_bills::invoice_id.is_not_null()),
        None => {}
    }
    if let Some(kind) = filter.addon_type {
        query = query.filter(addon_bills::addon_type.eq(kind));
    }
    query
}

pub fn page(conn: &mut DbConn, filter: &AddonFilter, window: PageWindow) -> AppResult<Page<AddonRow>> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = keyset_page!(filtered(filter), addon_bills::id, window).load::<AddonRow>(conn)?;
    Ok(window.finish(rows, total))
}

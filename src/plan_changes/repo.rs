//! Queries on `plan_changes`.

use diesel::prelude::*;

use super::model::{NewPlanChange, PlanChangeRow};
use crate::db::schema::plan_changes;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

pub fn insert(conn: &mut DbConn, new: &NewPlanChange) -> AppResult<PlanChangeRow> {
    Ok(diesel::insert_into(plan_changes::table).values(new).returning(plan_changes::all_columns).get_result(conn)?)
}

/// The plan changes of each customer in `customer_ids`, oldest first.
pub fn of_customers(conn: &mut DbConn, customer_ids: &[i64]) -> AppResult<Vec<PlanChangeRow>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(plan_changes::table
        .filter(crate::db::fragments::id_in("plan_changes.customer_id", customer_ids))
        .order(plan_changes::id.asc())
        .load(conn)?)
}

/// The customer's lines waiting for their next invoice, oldest first.
pub fn pending(conn: &mut DbConn, customer_id: i64) -> AppResult<Vec<PlanChangeRow>> {
    pending_of(conn, &[customer_id])
}

/// [`pending`] for each customer of `ids` (only those with some), oldest first.
pub fn pending_of(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<PlanChangeRow>> {
    Ok(plan_changes::table
        .filter(crate::db::fragments::id_in("plan_changes.customer_id", ids))
        .filter(plan_changes::invoice_id.is_null())
        .order(plan_changes::id.asc())
        .load(conn)?)
}

/// Puts lines on `invoice_id`.
pub fn mark_billed(conn: &mut DbConn, ids: &[i64], invoice_id: i64) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    diesel::update(plan_changes::table.filter(crate::db::fragments::id_in("plan_changes.id", ids)))
        .set(plan_changes::invoice_id.eq(invoice_id))
        .execute(conn)?;
    Ok(())
}

/// An invoice leaves the books (cancelled, or a deleted draft): the lines on it wait for the
/// next invoice again, and the credit it carried over goes. `CONFLICT` when that carried credit
/// is on a later invoice already (releasing would credit twice): that invoice goes first.
pub fn release(conn: &mut DbConn, invoice_id: i64) -> AppResult<()> {
    let carried_used: i64 = plan_changes::table
        .filter(plan_changes::carried_from_invoice_id.eq(invoice_id))
        .filter(plan_changes::invoice_id.is_not_null())
        .count()
        .get_result(conn)?;
    if carried_used > 0 {
        return Err(AppError::Conflict(
            "a plan-change credit this invoice carried over is on a later invoice; cancel or delete that one first"
                .into(),
        ));
    }
    diesel::delete(plan_changes::table.filter(plan_changes::carried_from_invoice_id.eq(invoice_id))).execute(conn)?;
    diesel::update(plan_changes::table.filter(plan_changes::invoice_id.eq(invoice_id)))
        .set(plan_changes::invoice_id.eq(None::<i64>))
        .execute(conn)?;
    Ok(())
}

/// A customer created by mistake goes with their lines.
pub fn delete_of_customer(conn: &mut DbConn, customer_id: i64) -> AppResult<()> {
    diesel::delete(plan_changes::table.filter(plan_changes::customer_id.eq(customer_id))).execute(conn)?;
    Ok(())
}

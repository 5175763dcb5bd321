//! Queries on `payments`.

use diesel::prelude::*;

use super::model::PaymentRow;
use crate::db::schema::payments;
use crate::db::DbConn;
use crate::error::AppResult;

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<PaymentRow>> {
    Ok(payments::table.filter(crate::db::fragments::id_in("payments.id", ids)).load(conn)?)
}

/// Payments of each invoice in `invoice_ids`, oldest first.
pub fn for_invoices(conn: &mut DbConn, invoice_ids: &[i64]) -> AppResult<Vec<PaymentRow>> {
    if invoice_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(payments::table
        .filter(crate::db::fragments::id_in("payments.invoice_id", invoice_ids))
        .order(payments::id.asc())
        .load(conn)?)
}

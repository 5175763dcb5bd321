//! Queries on `payments`.

use diesel::prelude::*;

use super::model::PaymentRow;
use crate::db::schema::payments;
use crate::db::DbConn;
use crate::error::AppResult;

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<PaymentRow>> {
    Ok(payments::table.filter(payments::id.eq_any(ids)).load(conn)?)
}

/// Payments of each invoice in `invoice_ids`, oldest first.
pub fn for_invoices(conn: &mut DbConn, invoice_ids: &[i64]) -> AppResult<Vec<PaymentRow>> {
    Ok(payments::table
        .filter(payments::invoice_id.eq_any(invoice_ids.iter().map(|id| Some(*id))))
        .order(payments::id.asc())
        .load(conn)?)
}

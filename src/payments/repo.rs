//! Queries on `payments`.

use diesel::prelude::*;
use diesel::RunQueryDsl;

use super::model::PaymentRow;
use crate::db::schema::payments;
use crate::db::DbConn;
use crate::error::AppResult;

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<PaymentRow>> {
    Ok(payments::table.filter(payments::id.eq_any(ids)).load(conn)?)
}

/// Payments of each invoice in `invoice_ids`, oldest first (one statement whose text does not
/// depend on how many invoices, see [`crate::db::id_list`]).
pub fn for_invoices(conn: &mut DbConn, invoice_ids: &[i64]) -> AppResult<Vec<PaymentRow>> {
    if invoice_ids.is_empty() {
        return Ok(Vec::new());
    }
    let filter = match conn {
        DbConn::Sqlite(_) => "invoice_id IN (SELECT value FROM json_each('[' || ? || ']'))",
        DbConn::Pg(_) => "invoice_id = ANY(string_to_array($1, ',')::bigint[])",
    };
    let sql = format!(
        "SELECT id, payment_id, customer_id, invoice_id, amount_paise, method, payment_reference, remarks, status, \
                collected_by, paid_at, created_at, updated_at FROM payments WHERE {filter} ORDER BY id"
    );
    Ok(diesel::sql_query(sql).bind::<diesel::sql_types::Text, _>(crate::db::id_list(invoice_ids)).load(conn)?)
}

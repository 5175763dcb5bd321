//! Queries on `invoices`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::model::{InvoiceRow, NewInvoice};
use super::rules::invoice_number;
use crate::db::schema::invoices;
use crate::db::{escape_like, DbConn};
use crate::error::{AppError, AppResult};

/// Inserts `new` under the invoice number for `local_time`, with the next free suffix when
/// other invoices were made in the same second. Each try runs in a savepoint, so a number
/// taken concurrently moves on to the next suffix instead of failing the transaction.
pub fn insert_numbered(conn: &mut DbConn, mut new: NewInvoice, local_time: NaiveDateTime) -> AppResult<InvoiceRow> {
    let base = invoice_number(local_time, 1);
    let taken: i64 = invoices::table
        .filter(
            invoices::invoice_number
                .eq(&base)
                .or(invoices::invoice_number.like(format!("{}-%", escape_like(&base))).escape('\\')),
        )
        .count()
        .get_result(conn)?;
    let first = u32::try_from(taken).unwrap_or(0) + 1;
    for nth in first..first + 1000 {
        new.invoice_number = invoice_number(local_time, nth);
        let attempt = conn.transaction(|c| {
            diesel::insert_into(invoices::table)
                .values(&new)
                .returning(invoices::all_columns)
                .get_result::<InvoiceRow>(c)
        });
        match attempt {
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => continue,
            other => return Ok(other?),
        }
    }
    Err(AppError::Internal(format!("no free invoice number for {base}")))
}

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<InvoiceRow>> {
    Ok(invoices::table.filter(crate::db::fragments::id_in("invoices.id", ids)).load(conn)?)
}

/// The newest `first` invoices of each customer in `customer_ids`, optionally of one status,
/// newest first within each customer: one statement, limited per customer in SQL with
/// `ROW_NUMBER()`. Its text does not depend on the number of customers (the ids travel as one
/// value), so the prepared statement is reused.
pub fn newest_for_customers(
    conn: &mut DbConn,
    customer_ids: &[i64],
    status: Option<&str>,
    first: i64,
) -> AppResult<Vec<InvoiceRow>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ranked = crate::db::fragments::newest_invoices(customer_ids, status, first);
    let mut rows: Vec<InvoiceRow> = invoices::table.filter(ranked).load(conn)?;
    rows.sort_unstable_by_key(|r| (r.customer_id, std::cmp::Reverse(r.id)));
    Ok(rows)
}

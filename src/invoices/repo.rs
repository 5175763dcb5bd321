//! Queries on `invoices`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{BigInt, Nullable, Text};

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
    Ok(invoices::table.filter(invoices::id.eq_any(ids)).load(conn)?)
}

/// The newest `first` invoices of each customer in `customer_ids`, optionally of one status,
/// newest first within each customer: one statement, limited per customer in SQL with
/// `ROW_NUMBER()`. The id list is one bound value, so the statement text never changes and
/// its prepared form is reused.
pub fn newest_for_customers(
    conn: &mut DbConn,
    customer_ids: &[i64],
    status: Option<&str>,
    first: i64,
) -> AppResult<Vec<InvoiceRow>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = crate::db::id_list(customer_ids);
    let (id_filter, status_filter, rank_filter) = match conn {
        DbConn::Sqlite(_) => (
            "i.customer_id IN (SELECT value FROM json_each('[' || ? || ']'))",
            "(? IS NULL OR i.status = ?)",
            "t.rn <= ?",
        ),
        DbConn::Pg(_) => (
            "i.customer_id = ANY(string_to_array($1, ',')::bigint[])",
            "($2::text IS NULL OR i.status = $3)",
            "t.rn <= $4",
        ),
    };
    let sql = format!(
        "SELECT t.id, t.invoice_number, t.customer_id, t.bill_paise, t.cgst_paise, t.sgst_paise, t.igst_paise, \
                t.installation_paise, t.discount_paise, t.total_paise, t.paid_paise, t.balance_paise, \
                t.invoice_date, t.due_date, t.billing_period_start, t.billing_period_end, t.status, t.sent_at, \
                t.created_at, t.updated_at \
         FROM (SELECT i.*, ROW_NUMBER() OVER (PARTITION BY i.customer_id ORDER BY i.id DESC) AS rn \
               FROM invoices i WHERE {id_filter} AND {status_filter}) t \
         WHERE {rank_filter}"
    );
    let mut rows: Vec<InvoiceRow> = diesel::sql_query(sql)
        .bind::<Text, _>(ids)
        .bind::<Nullable<Text>, _>(status)
        .bind::<Nullable<Text>, _>(status)
        .bind::<BigInt, _>(first)
        .load(conn)?;
    // Ordered here rather than by the database (a sort of a few rows, no temporary B-tree).
    rows.sort_unstable_by_key(|r| (r.customer_id, std::cmp::Reverse(r.id)));
    Ok(rows)
}

//! The queries of settlement that belong to no one table's area: the customer lock, and the
//! dues a customer is suspended for.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel::QueryableByName;

use super::rules::{postpaid_cutoff, prepaid_cutoff};
use crate::customers::model::{CustomerChanges, CustomerRow, CustomerStatus};
use crate::db::schema::{companies, customers};
use crate::db::sql::{Param, Sql};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// Customer `id`, locked until the transaction ends (PostgreSQL `FOR UPDATE`; SQLite's
/// `BEGIN IMMEDIATE` already admits one writer), if there is one.
pub fn lock_customer(conn: &mut DbConn, id: i64) -> AppResult<Option<CustomerRow>> {
    Ok(match conn {
        DbConn::Pg(c) => customers::table.find(id).select(CustomerRow::columns()).for_update().first(c).optional()?,
        DbConn::Sqlite(c) => customers::table.find(id).select(CustomerRow::columns()).first(c).optional()?,
    })
}

#[derive(QueryableByName)]
pub(crate) struct Id {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
}

/// Adds `AND` (`EXISTS` an invoice of customer `c` that makes them suspendable on `as_of`) to
/// `sql`: prepaid, a balance on a period that started before the grace cutoff; postpaid, a
/// balance due before the limit cutoff.
pub fn push_suspendable_dues(sql: &mut Sql, as_of: NaiveDate, grace_days: i32, limit_days: i32) {
    sql.push(
        " AND ((c.billing_type = 'PREPAID' AND EXISTS (SELECT 1 FROM invoices i WHERE i.customer_id = c.id \
         AND i.balance_paise > 0 AND i.status <> 'CANCELLED'",
    );
    sql.push_bind(
        " AND COALESCE(i.billing_period_start, i.invoice_date) < ?))",
        Param::Date(prepaid_cutoff(as_of, grace_days)),
    );
    sql.push(
        " OR (c.billing_type = 'POSTPAID' AND EXISTS (SELECT 1 FROM invoices i WHERE i.customer_id = c.id \
         AND i.balance_paise > 0 AND i.status <> 'CANCELLED'",
    );
    sql.push_bind(" AND i.due_date < ?)))", Param::Date(postpaid_cutoff(as_of, limit_days)));
}

/// Whether customer `id` still has dues that would get them suspended on `as_of`.
pub fn has_suspendable_dues(conn: &mut DbConn, id: i64, as_of: NaiveDate) -> AppResult<bool> {
    let (grace, limit_days): (i32, i32) = customers::table
        .inner_join(companies::table)
        .filter(customers::id.eq(id))
        .select((companies::grace_days, companies::postpaid_limit_days))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("customer"))?;
    let mut sql = Sql::new("SELECT c.id AS id FROM customers c WHERE c.id = ?");
    sql.bind(Param::Int(id));
    push_suspendable_dues(&mut sql, as_of, grace, limit_days);
    Ok(!sql.load::<Id>(conn)?.is_empty())
}

/// Sets a customer suspended for dues ACTIVE again.
pub fn reactivate(conn: &mut DbConn, id: i64) -> AppResult<()> {
    let changes = CustomerChanges {
        status: Some(CustomerStatus::Active),
        suspended_for_dues: Some(false),
        updated_at: Some(crate::clock::now()),
        ..Default::default()
    };
    crate::customers::repo::update(conn, id, &changes).map(|_| ())
}

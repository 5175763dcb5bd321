//! What must hold after any number of days, checked in SQL over the whole database; each
//! broken rule comes back as a line naming what broke it.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date};

use crate::db::schema::{customers, invoices};
use crate::db::sql::{Param, Sql};
use crate::db::DbConn;
use crate::error::AppResult;

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Every check; `terminated` holds who left and on which day, `first_invoice` is the last
/// invoice before the simulation.
pub fn all(
    conn: &mut DbConn,
    last_day: NaiveDate,
    first_invoice: i64,
    terminated: &HashMap<i64, NaiveDate>,
) -> AppResult<Vec<String>> {
    let mut out = Vec::new();
    out.extend(one_invoice_per_period(conn)?);
    out.extend(periods_without_gaps(conn, last_day, first_invoice)?);
    out.extend(money(conn)?);
    out.extend(suspended_with_dues(conn, last_day)?);
    out.extend(nobody_billed_after_leaving(conn, terminated)?);
    Ok(out)
}

fn rows(conn: &mut DbConn, sql: &str, what: &str) -> AppResult<Vec<String>> {
    let found: Vec<Found> = Sql::new(sql).load(conn)?;
    Ok(found.into_iter().map(|f| format!("{what}: row {} ({})", f.id, f.n)).collect())
}

/// At most one live invoice per customer and service period.
fn one_invoice_per_period(conn: &mut DbConn) -> AppResult<Vec<String>> {
    rows(
        conn,
        "SELECT customer_id AS id, COUNT(*) AS n FROM invoices \
         WHERE billing_period_start IS NOT NULL AND status <> 'CANCELLED' \
         GROUP BY customer_id, billing_period_start HAVING COUNT(*) > 1",
        "customer billed twice for one period",
    )
}

#[derive(QueryableByName)]
struct PeriodRow {
    #[diesel(sql_type = BigInt)]
    customer_id: i64,
    #[diesel(sql_type = Date)]
    start: NaiveDate,
    #[diesel(sql_type = Date)]
    end: NaiveDate,
}

/// The cycle's invoices of each customer follow one another with no gap, and an auto-renewing
/// customer still served is paid up to after the last day.
fn periods_without_gaps(conn: &mut DbConn, last_day: NaiveDate, first_invoice: i64) -> AppResult<Vec<String>> {
    let mut sql = Sql::new(
        "SELECT customer_id, billing_period_start AS start, billing_period_end AS \"end\" FROM invoices \
         WHERE billing_run_id IS NOT NULL AND status <> 'CANCELLED' AND id > ? \
         ORDER BY customer_id, billing_period_start",
    );
    sql.bind(Param::Int(first_invoice));
    let periods: Vec<PeriodRow> = sql.load(conn)?;
    let mut out = Vec::new();
    for pair in periods.windows(2) {
        if pair[0].customer_id == pair[1].customer_id && pair[0].end != pair[1].start {
            out.push(format!(
                "gap or overlap for customer {}: a period ends {} and the next starts {}",
                pair[0].customer_id, pair[0].end, pair[1].start
            ));
        }
    }
    let behind: Vec<i64> = customers::table
        .filter(customers::auto_renew.eq(true))
        .filter(customers::status.eq_any([
            crate::customers::model::CustomerStatus::Active,
            crate::customers::model::CustomerStatus::Suspended,
        ]))
        .filter(customers::end_date.le(last_day))
        .select(customers::id)
        .load(conn)?;
    out.extend(behind.into_iter().map(|id| format!("auto-renewing customer {id} not renewed by {last_day}")));
    Ok(out)
}

/// `balance = total − paid`; `paid` = what completed payments put on the invoice (net of
/// refunds); PAID exactly when settled; a payment's allocations add up to its allocated amount,
/// which with refunds is at most its amount.
fn money(conn: &mut DbConn) -> AppResult<Vec<String>> {
    let mut out = rows(
        conn,
        "SELECT id, balance_paise AS n FROM invoices WHERE balance_paise <> total_paise - paid_paise",
        "invoice balance is not total − paid",
    )?;
    out.extend(rows(
        conn,
        "SELECT i.id AS id, i.paid_paise AS n FROM invoices i WHERE i.paid_paise <> COALESCE((\
           SELECT CAST(SUM(a.amount_paise) AS BIGINT) FROM payment_allocations a \
           JOIN payments p ON p.id = a.payment_id WHERE a.invoice_id = i.id AND p.status = 'COMPLETED'), 0)",
        "invoice paid is not the completed payments on it",
    )?);
    out.extend(rows(
        conn,
        "SELECT id, balance_paise AS n FROM invoices WHERE \
         (CASE WHEN status = 'PAID' THEN 1 ELSE 0 END) <> \
         (CASE WHEN balance_paise <= 0 AND status <> 'CANCELLED' THEN 1 ELSE 0 END)",
        "invoice PAID but owing, or settled but not PAID",
    )?);
    out.extend(rows(
        conn,
        "SELECT p.id AS id, p.allocated_paise AS n FROM payments p WHERE p.status = 'COMPLETED' AND (\
           p.allocated_paise + p.refunded_paise > p.amount_paise OR p.allocated_paise <> COALESCE((\
           SELECT CAST(SUM(a.amount_paise) AS BIGINT) FROM payment_allocations a WHERE a.payment_id = p.id), 0))",
        "payment allocations disagree with the payment",
    )?);
    Ok(out)
}

/// Nobody is suspended for dues who has paid them.
fn suspended_with_dues(conn: &mut DbConn, last_day: NaiveDate) -> AppResult<Vec<String>> {
    let suspended: Vec<i64> = customers::table
        .filter(customers::suspended_for_dues.eq(true))
        .filter(customers::status.eq(crate::customers::model::CustomerStatus::Suspended))
        .select(customers::id)
        .load(conn)?;
    let mut out = Vec::new();
    for id in suspended {
        if !crate::settlement::repo::has_suspendable_dues(conn, id, last_day)? {
            out.push(format!("customer {id} is suspended for dues but owes none that warrant it"));
        }
    }
    Ok(out)
}

/// No cycle invoice dated after the day a customer left.
fn nobody_billed_after_leaving(conn: &mut DbConn, terminated: &HashMap<i64, NaiveDate>) -> AppResult<Vec<String>> {
    let mut out = Vec::new();
    for (&id, &left) in terminated {
        let late: i64 = invoices::table
            .filter(invoices::customer_id.eq(id))
            .filter(invoices::billing_run_id.is_not_null())
            .filter(invoices::invoice_date.gt(left))
            .count()
            .get_result(conn)?;
        if late > 0 {
            out.push(format!("customer {id} left on {left} and was billed {late} times after"));
        }
    }
    Ok(out)
}

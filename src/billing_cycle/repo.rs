//! Queries of the billing cycle; each takes a connection so it runs in the caller's batch.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::{BillingRunRow, Counts, Overdue, RunErrorRow, RunFilter, RunStatus};
use crate::customers::model::{CustomerRow, CustomerStatus};
use crate::db::page::{Page, PageWindow};
use crate::db::schema::{billing_run_errors, billing_runs, companies, customers, invoices};
use crate::db::sql::{Param, Sql};
use crate::db::CachedDsl;
use crate::db::{DbConn, MultiBackend};
use crate::error::AppResult;
use crate::invoices::model::{InvoiceRow, InvoiceStatus};
use crate::keyset_page;
use crate::service_pauses::repo::paused_customers;

/// The run for `as_of`, started (or started again: one more attempt).
pub fn start(conn: &mut DbConn, as_of: NaiveDate, started_by: &str) -> AppResult<BillingRunRow> {
    crate::db::lock_key(conn, &format!("billing-run:{as_of}"))?;
    let now = crate::clock::now();
    let existing: Option<BillingRunRow> =
        billing_runs::table.filter(billing_runs::as_of.eq(as_of)).first(conn).optional()?;
    Ok(match existing {
        Some(run) => diesel::update(billing_runs::table.find(run.id))
            .set((
                billing_runs::status.eq(RunStatus::Running),
                billing_runs::attempts.eq(billing_runs::attempts + 1),
                billing_runs::started_by.eq(started_by),
                billing_runs::started_at.eq(now),
                billing_runs::finished_at.eq(None::<chrono::NaiveDateTime>),
            ))
            .returning(billing_runs::all_columns)
            .get_result(conn)?,
        None => diesel::insert_into(billing_runs::table)
            .values((
                billing_runs::as_of.eq(as_of),
                billing_runs::status.eq(RunStatus::Running),
                billing_runs::started_by.eq(started_by),
                billing_runs::started_at.eq(now),
            ))
            .returning(billing_runs::all_columns)
            .get_result(conn)?,
    })
}

/// Adds a batch's counts to its run.
pub fn add_counts(conn: &mut DbConn, run_id: i64, c: &Counts) -> AppResult<()> {
    if *c == Counts::default() {
        return Ok(());
    }
    diesel::update(billing_runs::table.find(run_id))
        .set((
            billing_runs::renewed.eq(billing_runs::renewed + c.renewed),
            billing_runs::overdue.eq(billing_runs::overdue + c.overdue),
            billing_runs::suspended.eq(billing_runs::suspended + c.suspended),
            billing_runs::reminders.eq(billing_runs::reminders + c.reminders),
            billing_runs::errors.eq(billing_runs::errors + c.errors),
        ))
        .returning(billing_runs::id)
        .cached()
        .changed(conn)?;
    Ok(())
}

pub fn finish(conn: &mut DbConn, run_id: i64) -> AppResult<BillingRunRow> {
    Ok(diesel::update(billing_runs::table.find(run_id))
        .set((billing_runs::status.eq(RunStatus::Finished), billing_runs::finished_at.eq(crate::clock::now())))
        .returning(billing_runs::all_columns)
        .get_result(conn)?)
}

pub fn record_error(conn: &mut DbConn, run_id: i64, customer_id: i64, message: &str) -> AppResult<()> {
    diesel::insert_into(billing_run_errors::table)
        .values((
            billing_run_errors::run_id.eq(run_id),
            billing_run_errors::customer_id.eq(customer_id),
            billing_run_errors::message.eq(message),
            billing_run_errors::created_at.eq(crate::clock::now()),
        ))
        .execute(conn)?;
    Ok(())
}

fn filtered(filter: &RunFilter) -> billing_runs::BoxedQuery<'static, MultiBackend> {
    let mut query = billing_runs::table.into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(billing_runs::status.eq(status));
    }
    if let Some(from) = filter.from {
        query = query.filter(billing_runs::as_of.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(billing_runs::as_of.le(to));
    }
    query
}

/// A page of the runs matching `filter`, in the order they were first started.
pub fn page(conn: &mut DbConn, filter: &RunFilter, window: PageWindow) -> AppResult<Page<BillingRunRow>> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = keyset_page!(filtered(filter), billing_runs::id, window).load::<BillingRunRow>(conn)?;
    Ok(window.finish(rows, total))
}

/// The last business date a run finished for.
pub fn last_finished(conn: &mut DbConn) -> AppResult<Option<NaiveDate>> {
    Ok(billing_runs::table
        .filter(billing_runs::status.eq(RunStatus::Finished))
        .select(diesel::dsl::max(billing_runs::as_of))
        .first::<Option<NaiveDate>>(conn)?)
}

pub fn errors_of(conn: &mut DbConn, run_id: i64) -> AppResult<Vec<RunErrorRow>> {
    Ok(billing_run_errors::table
        .filter(billing_run_errors::run_id.eq(run_id))
        .order(billing_run_errors::id)
        .limit(1000)
        .load(conn)?)
}

/// The renewal condition on `as_of`: auto-renewing, not terminated or deactivated, service
/// ended, not paused (a pause freezes the period: `service_pauses`). Candidates are found by it
/// and each is checked by it again under its lock.
#[diesel::dsl::auto_type]
fn renewal_due(as_of: NaiveDate) -> _ {
    let renews: bool = true;
    let terminated: CustomerStatus = CustomerStatus::Terminated;
    let deactive: CustomerStatus = CustomerStatus::Deactive;
    customers::auto_renew
        .eq(renews)
        .and(customers::status.ne(terminated))
        .and(customers::status.ne(deactive))
        .and(customers::end_date.le(as_of))
        .and(customers::id.ne_all(paused_customers()))
}

/// Customers due a renewal on `as_of` ([`renewal_due`]) after row id `after`.
pub fn renewal_candidates(conn: &mut DbConn, as_of: NaiveDate, after: i64, limit: i64) -> AppResult<Vec<i64>> {
    Ok(customers::table
        .filter(renewal_due(as_of))
        .filter(customers::id.gt(after))
        .order(customers::id)
        .limit(limit)
        .select(customers::id)
        .load(conn)?)
}

/// Customers after row id `after` that a run on `as_of` would renew ([`renewal_due`]) or
/// could suspend (ACTIVE, not exempt): the batches of a preview.
pub fn preview_candidates(conn: &mut DbConn, as_of: NaiveDate, after: i64, limit: i64) -> AppResult<Vec<i64>> {
    let suspendable = customers::status.eq(CustomerStatus::Active).and(customers::never_suspend.eq(false));
    Ok(customers::table
        .filter(renewal_due(as_of).or(suspendable))
        .filter(customers::id.gt(after))
        .order(customers::id)
        .limit(limit)
        .select(customers::id)
        .load(conn)?)
}

/// The customers of `ids` still due a renewal on `as_of` ([`renewal_due`]), locked until the
/// transaction ends (on PostgreSQL; SQLite's writer holds the whole database), in id order.
pub fn lock_renewals_due(conn: &mut DbConn, ids: &[i64], as_of: NaiveDate) -> AppResult<Vec<CustomerRow>> {
    if let DbConn::Pg(c) = conn {
        return Ok(customers::table
            .filter(customers::id.eq_any(ids))
            .filter(renewal_due(as_of))
            .order(customers::id)
            .select(CustomerRow::columns())
            .for_update()
            .load(c)?);
    }
    Ok(customers::table
        .filter(crate::db::fragments::id_in("customers.id", ids))
        .filter(renewal_due(as_of))
        .order(customers::id)
        .select(CustomerRow::columns())
        .load(conn)?)
}

/// The periods of `ids` the cycle billed from `from` on: (customer, period start).
pub fn billed_periods(conn: &mut DbConn, ids: &[i64], from: NaiveDate) -> AppResult<Vec<(i64, NaiveDate)>> {
    Ok(invoices::table
        .filter(crate::db::fragments::id_in("invoices.customer_id", ids))
        .filter(invoices::billing_period_start.ge(from))
        .filter(invoices::billing_run_id.is_not_null())
        .select((invoices::customer_id, invoices::billing_period_start.assume_not_null()))
        .load(conn)?)
}

/// Unpaid invoices past their due date on `as_of` not yet marked OVERDUE (DRAFT or SENT),
/// the longest overdue first; not those of a paused customer (marked by the first run after
/// the resume). Found by `invoices_status_due_idx` (status, due date: migration 000042), so a
/// batch reads the invoices past their due date, not every open one.
fn overdue_due(as_of: NaiveDate) -> invoices::BoxedQuery<'static, MultiBackend> {
    invoices::table
        .filter(crate::db::fragments::condition("invoices.status IN ('DRAFT', 'SENT') AND invoices.balance_paise > 0"))
        .filter(invoices::due_date.lt(as_of))
        .filter(invoices::customer_id.ne_all(paused_customers()))
        .order((invoices::due_date, invoices::id))
        .into_boxed()
}

/// The first `limit` invoices [`overdue_due`] on `as_of`.
pub fn overdue_candidates(conn: &mut DbConn, as_of: NaiveDate, limit: i64) -> AppResult<Vec<InvoiceRow>> {
    Ok(overdue_due(as_of).limit(limit).load(conn)?)
}

/// Every invoice [`overdue_due`] on `as_of`: what a preview reports of them.
pub fn overdue_preview(conn: &mut DbConn, as_of: NaiveDate) -> AppResult<Vec<Overdue>> {
    let rows: Vec<(i64, i64, i64)> =
        overdue_due(as_of).select((invoices::id, invoices::customer_id, invoices::balance_paise)).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(invoice_id, customer_id, balance_paise)| Overdue { invoice_id, customer_id, balance_paise })
        .collect())
}

/// Marks `invoice` OVERDUE if it still is a candidate on `as_of` (unpaid, past its due date,
/// DRAFT or SENT); whether it did. A run that overlaps another finds some of its candidates
/// marked already, and counts only its own.
pub fn mark_overdue(conn: &mut DbConn, invoice: i64, as_of: NaiveDate) -> AppResult<bool> {
    let changed = diesel::update(
        invoices::table
            .find(invoice)
            .filter(invoices::status.eq_any([InvoiceStatus::Draft, InvoiceStatus::Sent]))
            .filter(crate::db::fragments::condition("invoices.balance_paise > 0"))
            .filter(invoices::due_date.lt(as_of)),
    )
    .set((invoices::status.eq(InvoiceStatus::Overdue), invoices::updated_at.eq(crate::clock::now())))
    .execute(conn)?;
    Ok(changed == 1)
}

/// (company id, grace days, postpaid limit days) of every company.
pub fn company_limits(conn: &mut DbConn) -> AppResult<Vec<(i64, i32, i32)>> {
    Ok(companies::table
        .select((companies::id, companies::grace_days, companies::postpaid_limit_days))
        .order(companies::id)
        .load(conn)?)
}

/// The next `limit` ACTIVE, not exempt customers of `company_id` after customer `after`, in id
/// order: the suspension step looks at a batch of these and picks those with dues
/// ([`with_suspendable_dues`]). Walking the company's customers by its `(company_id, id)` index,
/// a batch costs the same on the last day of a million customers as on the first; asking the
/// database for "the next 200 with dues" instead made it look through every invoice each time.
pub fn active_after(conn: &mut DbConn, company_id: i64, after: i64, limit: i64) -> AppResult<Vec<i64>> {
    Ok(customers::table
        .filter(customers::company_id.eq(company_id))
        .filter(customers::id.gt(after))
        .filter(customers::status.eq(CustomerStatus::Active))
        .filter(customers::never_suspend.eq(false))
        .order(customers::id)
        .limit(limit)
        .select(customers::id)
        .load(conn)?)
}

/// ACTIVE, not exempt customers of `company` with suspendable dues on `as_of`, after `after`
/// (the preview's count; the run walks [`active_after`]).
pub fn suspension_candidates(
    conn: &mut DbConn,
    company: (i64, i32, i32),
    as_of: NaiveDate,
    after: i64,
    limit: i64,
) -> AppResult<Vec<i64>> {
    let (company_id, grace, limit_days) = company;
    let mut sql = Sql::new("SELECT c.id AS id FROM customers c WHERE c.status = 'ACTIVE' AND c.never_suspend = ?");
    sql.bind(Param::Bool(false));
    sql.push_bind(" AND c.company_id = ?", Param::Int(company_id));
    sql.push_bind(" AND c.id > ?", Param::Int(after));
    crate::settlement::repo::push_suspendable_dues(&mut sql, as_of, grace, limit_days);
    sql.push_bind(" ORDER BY c.id LIMIT ?", Param::Int(limit));
    Ok(sql.load::<crate::settlement::repo::Id>(conn)?.into_iter().map(|r| r.id).collect())
}

/// The customers of `ids`, locked (PostgreSQL: `FOR UPDATE`, in id order; SQLite's write
/// transaction holds the whole database), oldest first.
pub fn lock_customers(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<CustomerRow>> {
    if let DbConn::Pg(c) = conn {
        return Ok(customers::table
            .filter(customers::id.eq_any(ids))
            .order(customers::id)
            .select(CustomerRow::columns())
            .for_update()
            .load(c)?);
    }
    Ok(customers::table
        .filter(crate::db::fragments::id_in("customers.id", ids))
        .order(customers::id)
        .select(CustomerRow::columns())
        .load(conn)?)
}

/// The customers of `ids` (of `company`: `(id, grace days, postpaid limit days)`) with
/// suspendable dues on `as_of`, oldest first.
pub fn with_suspendable_dues(
    conn: &mut DbConn,
    ids: &[i64],
    company: (i64, i32, i32),
    as_of: NaiveDate,
) -> AppResult<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (_, grace, limit_days) = company;
    // The ids as one value, so the text stays the same (see `db::fragments`). On SQLite the
    // ids drive the join (`CROSS JOIN` keeps its order): with `c.id IN (...)` its planner
    // answered the dues' `OR` from the index on `billing_type`, reading every prepaid
    // customer for each batch (147 s of a 100,000-customer day).
    let mut sql = Sql::new(if matches!(conn, DbConn::Sqlite(_)) {
        "SELECT c.id AS id FROM json_each('[' || ? || ']') AS j CROSS JOIN customers c ON c.id = j.value WHERE 1 = 1"
    } else {
        "SELECT c.id AS id FROM customers c WHERE c.id = ANY(string_to_array(?, ',')::bigint[])"
    });
    sql.bind(Param::Text(crate::db::id_list(ids)));
    crate::settlement::repo::push_suspendable_dues(&mut sql, as_of, grace, limit_days);
    sql.push(" ORDER BY c.id");
    Ok(sql.load::<crate::settlement::repo::Id>(conn)?.into_iter().map(|r| r.id).collect())
}

/// [`suspend_for_dues`] for the customers of `ids` at once: those it suspended, oldest first.
pub fn suspend_all_for_dues(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut changed: Vec<i64> = diesel::update(
        customers::table
            .filter(crate::db::fragments::id_in("customers.id", ids))
            .filter(customers::status.eq(CustomerStatus::Active))
            .filter(customers::never_suspend.eq(false)),
    )
    .set((
        customers::status.eq(CustomerStatus::Suspended),
        customers::suspended_for_dues.eq(true),
        customers::updated_at.eq(crate::clock::now()),
    ))
    .returning(customers::id)
    .cached()
    .load(conn)?;
    changed.sort_unstable();
    for id in &changed {
        crate::db::changes::note_customer(*id);
    }
    Ok(changed)
}

/// Suspends customer `id` for dues if they are still ACTIVE and not exempt; whether it did (a
/// run that overlaps another may find them suspended already).
pub fn suspend_for_dues(conn: &mut DbConn, id: i64) -> AppResult<bool> {
    Ok(!suspend_all_for_dues(conn, &[id])?.is_empty())
}

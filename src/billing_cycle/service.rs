//! Running the cycle for one business date, batch by batch (reactivation on payment is
//! `settlement::service::reactivate_if_cleared`).
//!
//! A run counts what it changed, not what it set out to change: each change is made only if
//! its row still allows it (an `UPDATE ... WHERE` the state still calls for it) and counted by
//! the rows it affected. Two runs at once (two servers on one database) then add up to what
//! happened, once.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::Connection;

use super::batch::{Later, Renewals};
use super::model::{BillingRunRow, Counts};
use super::repo;
use super::suspensions;
use crate::audit::Actor;
use crate::companies::model::CompanyRow;
use crate::db::{Db, DbConn};
use crate::error::{AppError, AppResult};
use crate::events::{Events, Outgoing};
use crate::ids::{self, Kind};
use crate::invoices::model::InvoiceRow;
use crate::invoices::service::{raise_for, InvoiceDraft, Pending};
use crate::money::rupees;
use crate::notifications::model::{NotificationKind, Recipient};
use crate::notifications::Outbox;
use crate::plans::model::PlanRow;

/// Customers (or invoices) handled per transaction on PostgreSQL: few enough that a payment of
/// one of them waits at most one short batch for its lock.
pub const BATCH: i64 = 200;

/// The same on SQLite, where a commit costs more: it writes every page the transaction changed
/// into the log, the same pages at the right end of each table and index again in every batch.
/// Five times the customers per commit take a renewal day of 100,000 customers from about 15 s
/// to about 12 s on a 2-core machine; every write of the API (SQLite has one writer at a time)
/// then waits for at most one batch, about 0.1 s there (docs/BENCHMARKS.md).
pub const SQLITE_BATCH: i64 = 1000;

/// Customers (or invoices) per transaction on `db`'s database.
fn batch_size(db: &Db) -> i64 {
    match db.backend() {
        crate::db::Backend::Sqlite => SQLITE_BATCH,
        crate::db::Backend::Postgres => BATCH,
    }
}

/// What a run needs besides its date.
#[derive(Clone)]
pub struct Cycle {
    pub db: Db,
    pub outbox: Outbox,
    pub events: Events,
}

/// Runs the cycle for `as_of` to the end (or again, finishing what a stopped run left):
/// renewals, overdue invoices, suspensions, reminders. Returns the run as recorded.
pub async fn run(cycle: &Cycle, as_of: NaiveDate, actor: Actor) -> AppResult<BillingRunRow> {
    let started_by = actor.name.clone();
    let run = cycle.db.write(move |conn| repo::start(conn, as_of, &started_by)).await?;
    let run_id = run.id;
    let outbox = cycle.outbox;
    tracing::info!(%as_of, attempt = run.attempts, "billing run started");

    let started = std::time::Instant::now();
    // Renewals, customer by customer (each in a savepoint: one failing is recorded, not fatal).
    // Each counts the invoices it raised: under the customer's row lock the periods still due
    // are read again (a run overlapping this one has moved the period on), and the cycle's
    // invoice for a period is unique.
    let renew_actor = actor.clone();
    let size = batch_size(&cycle.db);
    in_batches(cycle, move |conn, _out, after, careful| {
        let ids = repo::renewal_candidates(conn, as_of, after, size)?;
        let mut known = Known::default();
        let mut due = Renewals::lock(conn, &ids, as_of)?;
        known.read_plans(conn, &due.plan_ids())?;
        // The locks every renewal's invoice takes, taken once for the batch.
        let mut locks = Vec::new();
        for company in due.company_ids() {
            locks.extend(issuing_locks(&known.company(conn, company)?, as_of));
        }
        let renewing = due.ids();
        let mut later = Later::batch(renewing.len());
        crate::db::with_locks_held(conn, &locks, |conn| {
            crate::series::repo::with_number_memo(|| {
                let mut renew_one = |conn: &mut DbConn, id| {
                    if careful {
                        // The customer's own, written inside their savepoint: a customer that
                        // fails leaves nothing behind for the next to write.
                        let mut own = Later::default();
                        let raised = renew(conn, &mut known, &mut due, run_id, id, as_of, &renew_actor, &mut own)?;
                        own.write(conn)?;
                        return Ok(raised);
                    }
                    renew(conn, &mut known, &mut due, run_id, id, as_of, &renew_actor, &mut later)
                };
                let tally = |counts: &mut Counts, raised: Vec<InvoiceRow>| counts.renewed += raised.len() as i64;
                if careful {
                    return each_customer(conn, run_id, "renewal", &ids, true, renew_one, tally);
                }
                // Without savepoints, the ledger's balances are read once for the batch, and
                // each series' last serial written once.
                crate::ledger::repo::with_balances_known(conn, &renewing, |conn| {
                    crate::series::repo::with_serials_kept(conn, |conn| {
                        each_customer(conn, run_id, "renewal", &ids, false, &mut renew_one, tally)
                    })
                })?;
                later.write(conn)
            })
        })?;
        Ok(ids)
    })
    .await?;

    let renewals_done = started.elapsed();
    // Overdue invoices (each told to its customer once).
    loop {
        let more = cycle
            .events
            .write(&cycle.db, move |conn, out| {
                let invoices = repo::overdue_candidates(conn, as_of, size)?;
                let (mut marked, mut reminders) = (0, 0);
                for invoice in &invoices {
                    // Counted when this run marked it (another run may have, since the read).
                    if !repo::mark_overdue(conn, invoice.id, as_of)? {
                        continue;
                    }
                    marked += 1;
                    let mut new = outbox.draft(
                        Recipient::customer(invoice.customer_id),
                        NotificationKind::InvoiceOverdue,
                        format!("Invoice {} is overdue", invoice.invoice_number),
                        format!(
                            "Invoice {} was due on {}; ₹{} is unpaid. Please pay to keep your service.",
                            invoice.invoice_number,
                            invoice.due_date,
                            rupees(invoice.balance_paise)
                        ),
                        Some(ids::encode(Kind::Invoice, invoice.id)),
                    );
                    new.dedupe_key = Some(format!("invoice-overdue:{}", invoice.id));
                    let made = crate::notifications::repo::insert(conn, &new)?;
                    reminders += i64::from(made.is_some());
                    out.notifications(made);
                }
                let counts = Counts { overdue: marked, reminders, ..Counts::default() };
                repo::add_counts(conn, run_id, &counts)?;
                Ok(invoices.len() as i64 == size)
            })
            .await?;
        if !more {
            break;
        }
    }

    let overdue_done = started.elapsed();
    // Suspensions, company by company (each has its own grace and limit).
    let companies = cycle.db.read(repo::company_limits).await?;
    for company in companies {
        let actor = actor.clone();
        in_batches(cycle, move |conn, out, after, careful| {
            // A batch of the company's ACTIVE customers, and of them those with dues.
            let looked = repo::active_after(conn, company.0, after, size)?;
            let ids = repo::with_suspendable_dues(conn, &looked, company, as_of)?;
            if !careful {
                let told = suspensions::suspend_all(conn, &outbox, &ids, company, as_of, &actor)?;
                let mut counts = Counts { suspended: told.len() as i64, ..Counts::default() };
                for made in told {
                    counts.reminders += made.len() as i64;
                    out.notifications(made);
                }
                repo::add_counts(conn, run_id, &counts)?;
                return Ok(looked);
            }
            let suspend_one = |conn: &mut DbConn, id| suspensions::suspend(conn, &outbox, id, as_of, &actor);
            each_customer(conn, run_id, "suspension", &ids, true, suspend_one, |counts, made| {
                if let Some(made) = made {
                    counts.suspended += 1;
                    counts.reminders += made.len() as i64;
                    out.notifications(made);
                }
            })?;
            Ok(looked)
        })
        .await?;
    }

    let suspensions_done = started.elapsed();
    // Plan-expiry reminders for the date, a batch of customers per transaction, then done.
    let mut from = crate::notifications::reminders::Cursor::start(as_of);
    loop {
        let next = cycle
            .events
            .write(&cycle.db, move |conn, out| {
                let (made, next) = crate::notifications::reminders::make_due(conn, &outbox, as_of, from)?;
                repo::add_counts(conn, run_id, &Counts { reminders: made.len() as i64, ..Counts::default() })?;
                out.notifications(made);
                Ok(next)
            })
            .await?;
        match next {
            Some(next) => from = next,
            None => break,
        }
    }
    let run = cycle.db.write(move |conn| repo::finish(conn, run_id)).await?;
    tracing::info!(
        %as_of, renewed = run.renewed, overdue = run.overdue, suspended = run.suspended,
        reminders = run.reminders, errors = run.errors,
        renewals_s = renewals_done.as_secs_f64(),
        overdue_s = (overdue_done - renewals_done).as_secs_f64(),
        suspensions_s = (suspensions_done - overdue_done).as_secs_f64(),
        total_s = started.elapsed().as_secs_f64(),
        "billing run finished"
    );
    Ok(run)
}

/// Walks a per-customer step's candidates, [`batch_size`] customers per transaction (published
/// after it commits), until a batch comes back short: `batch(conn, out, after, careful)`
/// handles the candidates after customer `after` and returns the IDs it looked at, in order.
///
/// A batch runs first without a savepoint per customer (`careful` false: a savepoint is two
/// more statements per customer, and lets nothing be written in one statement for the batch);
/// a customer failing fails the batch, which is then run again `careful`, each customer in a
/// savepoint of its own, so that the failure is recorded and the others are done.
async fn in_batches<F>(cycle: &Cycle, batch: F) -> AppResult<()>
where
    F: FnMut(&mut DbConn, &mut Outgoing, i64, bool) -> AppResult<Vec<i64>> + Clone + Send + 'static,
{
    let size = batch_size(&cycle.db);
    let mut after = 0;
    loop {
        let attempt = |careful: bool| {
            let mut batch = batch.clone();
            cycle.events.write(&cycle.db, move |conn, out| batch(conn, out, after, careful))
        };
        let ids = match attempt(false).await {
            Ok(ids) => ids,
            Err(e) => {
                tracing::debug!(after, error = %e.message(), "billing run: a batch failed, running it customer by customer");
                attempt(true).await?
            }
        };
        match ids.last() {
            Some(&last) if ids.len() as i64 == size => after = last,
            _ => return Ok(()),
        }
    }
}

/// `step` for each customer of `ids`, what it did added up by `tally`; the batch's counts are
/// added to the run's. `careful`: each in a savepoint, and one failing is recorded against the
/// run (as its `name` step) and counted, not fatal; contention fails the batch (to be tried
/// again whole). Else one failing fails the batch (see [`in_batches`]).
fn each_customer<T>(
    conn: &mut DbConn,
    run_id: i64,
    name: &str,
    ids: &[i64],
    careful: bool,
    mut step: impl FnMut(&mut DbConn, i64) -> AppResult<T>,
    mut tally: impl FnMut(&mut Counts, T),
) -> AppResult<()> {
    let mut counts = Counts::default();
    for &id in ids {
        if !careful {
            tally(&mut counts, step(conn, id)?);
            continue;
        }
        match conn.transaction(|conn| step(conn, id)) {
            Ok(done) => tally(&mut counts, done),
            Err(e) if e.is_contention() => return Err(e),
            Err(e) => {
                repo::record_error(conn, run_id, id, &failure(name, id, &e))?;
                counts.errors += 1;
            }
        }
    }
    repo::add_counts(conn, run_id, &counts)
}

/// What `billingRuns` shows of a customer's failure: the message of an input or state error
/// (a bill too large, a missing plan), but for a database or internal error only that it
/// happened; its text (which may quote SQL) goes to the server log.
pub(super) fn failure(step: &str, customer: i64, e: &AppError) -> String {
    if e.code() == crate::error::codes::INTERNAL_SERVER_ERROR {
        tracing::error!(step, customer, error = %e.message(), "billing run: a customer failed");
        format!("{step}: internal error (details in the server log)")
    } else {
        format!("{step}: {}", e.message())
    }
}

/// Plans and companies read once per batch (a batch is one transaction).
#[derive(Default)]
pub(super) struct Known {
    plans: HashMap<i64, PlanRow>,
    companies: HashMap<i64, CompanyRow>,
}

impl Known {
    /// Reads plans `ids` at once (in one statement, not one each).
    fn read_plans(&mut self, conn: &mut DbConn, ids: &[i64]) -> AppResult<()> {
        let missing: Vec<i64> = ids.iter().copied().filter(|id| !self.plans.contains_key(id)).collect();
        if !missing.is_empty() {
            self.plans.extend(crate::plans::repo::by_ids(conn, &missing)?.into_iter().map(|p| (p.id, p)));
        }
        Ok(())
    }

    fn plan(&mut self, conn: &mut DbConn, id: i64) -> AppResult<PlanRow> {
        if let Some(plan) = self.plans.get(&id) {
            return Ok(plan.clone());
        }
        let plan = crate::plans::repo::by_ids(conn, &[id])?
            .pop()
            .ok_or_else(|| AppError::Internal(format!("plan {id} is missing")))?;
        self.plans.insert(id, plan.clone());
        Ok(plan)
    }

    fn company(&mut self, conn: &mut DbConn, id: i64) -> AppResult<CompanyRow> {
        if let Some(company) = self.companies.get(&id) {
            return Ok(company.clone());
        }
        let company = crate::companies::repo::find(conn, id)?;
        self.companies.insert(id, company.clone());
        Ok(company)
    }
}

/// The locks issuing an invoice of `company` dated `day` takes: its GST periods' and, when it
/// numbers by financial year, its invoice series'.
fn issuing_locks(company: &CompanyRow, day: NaiveDate) -> Vec<String> {
    let mut locks = vec![crate::gst_periods::service::lock_name(company.id)];
    if company.invoice_numbering == crate::series::model::InvoiceNumbering::FinancialYear {
        let series =
            crate::series::rules::series_name(&company.invoice_prefix, crate::series::rules::financial_year(day));
        locks.push(crate::series::repo::lock_name(company.id, crate::series::model::DocumentType::Invoice, &series));
    }
    locks
}

/// Renews customer `id` of the batch `due` for every period that has started by `as_of` and
/// is not billed yet; returns the invoices it raised. What nothing after it reads (their audit
/// entries and records, the customer's new period) is left in `later`.
#[allow(clippy::too_many_arguments)]
pub(super) fn renew(
    conn: &mut DbConn,
    known: &mut Known,
    due: &mut Renewals,
    run_id: i64,
    id: i64,
    as_of: NaiveDate,
    actor: &Actor,
    later: &mut Later,
) -> AppResult<Vec<InvoiceRow>> {
    // Locked and read again with the batch: a run overlapping this one may have renewed them.
    let Some((customer, periods, first)) = due.take(id, as_of) else { return Ok(Vec::new()) };
    let plan = known.plan(conn, customer.plan_id)?;
    let company = known.company(conn, customer.company_id)?;
    let may_have_advance = first.advance;
    let mut pending = Some(first);
    let mut raised = Vec::new();
    for period in &periods {
        if due.billed(id, period.start) {
            continue;
        }
        // What waits goes on the first invoice; a later period's (a run catching up) reads
        // what is left, such as a plan-change credit carried over from the one before.
        let waiting = match pending.take() {
            Some(first) => first,
            None => Pending { advance: may_have_advance, ..Pending::of(conn, id)? },
        };
        let bill = crate::plans::service::bill(&plan, customer.period_months, "periodMonths")?;
        let draft = InvoiceDraft {
            customer_id: id,
            bill,
            taxes: None,
            installation: 0,
            discount: 0,
            invoice_date: as_of,
            due_date: None,
            period_start: Some(period.start),
            period_end: Some(period.end),
            include_pending_addons: true,
            billing_run_id: Some(run_id),
            // A renewal is the period's tax invoice, issued as it is raised.
            issue: true,
        };
        raised.push(raise_for(conn, &customer, &company, Some(&plan), waiting, &draft, actor, &mut later.invoices)?);
    }
    if let Some(last) = periods.last() {
        later.period(id, last.start, last.end);
    }
    Ok(raised)
}

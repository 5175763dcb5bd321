//! What the cycle would do on a date, without doing it (`previewBillingCycle`).
//!
//! The preview runs the cycle's own steps on the data as it stands today: the same renewal
//! candidates and the same [`renew`](super::service::renew) (plan price, add-ons waiting,
//! prorated plan changes, GST, advance applied), then the same suspension query, which sees
//! the renewal invoices just raised, and the same overdue query. Renewals and suspensions go
//! batch by batch ([`BATCH`] customers) inside a savepoint that is rolled back, so nothing is
//! written and the API's own writes wait at most one batch, as they do for a real run. It is
//! what a run on `as_of` would do if no run happened before it and nothing were paid meanwhile.
//! A later date is previewed with the clock of its day ([`crate::clock::as_if_on`]): the
//! invoices are dated and numbered as they would be then.

use chrono::NaiveDate;
use diesel::Connection;

use super::batch::{Later, Renewals};
pub use super::model::Overdue;
use super::repo;
use super::service::{failure, renew, Known, BATCH};
use crate::audit::Actor;
use crate::db::{Db, DbConn};
use crate::error::{AppError, AppResult};
use crate::invoices::model::InvoiceRow;

/// The furthest ahead a preview may look, in days.
pub const MAX_DAYS_AHEAD: u64 = 366;

/// An invoice the run would raise (never stored).
#[derive(Debug, Clone)]
pub struct Renewal {
    pub customer_id: i64,
    pub invoice: InvoiceRow,
}

/// What a run on `as_of` would do. The lists hold at most `limit` lines each; the counts and
/// sums cover everything.
#[derive(Debug, Clone, Default)]
pub struct Preview {
    pub as_of: NaiveDate,
    pub renewals: Vec<Renewal>,
    pub renewal_count: i64,
    pub renewed_customers: i64,
    pub bill_paise: i64,
    pub tax_paise: i64,
    pub total_paise: i64,
    /// What advances would pay of them.
    pub paid_paise: i64,
    pub overdue: Vec<Overdue>,
    pub overdue_count: i64,
    pub overdue_balance_paise: i64,
    pub suspended: Vec<i64>,
    pub suspended_count: i64,
    /// (customer, message) of customers the run could not renew, as `billingRuns` would say.
    pub errors: Vec<(i64, String)>,
    pub error_count: i64,
}

impl Preview {
    fn renewal(&mut self, customer_id: i64, invoices: Vec<InvoiceRow>, limit: usize) {
        self.renewed_customers += i64::from(!invoices.is_empty());
        for invoice in invoices {
            self.renewal_count += 1;
            self.bill_paise += invoice.bill_paise + invoice.installation_paise - invoice.discount_paise;
            self.tax_paise += invoice.cgst_paise + invoice.sgst_paise + invoice.igst_paise;
            self.total_paise += invoice.total_paise;
            self.paid_paise += invoice.paid_paise;
            if self.renewals.len() < limit {
                self.renewals.push(Renewal { customer_id, invoice });
            }
        }
    }
}

/// Whether `e` is the rollback every preview batch ends with (its work done and not to stay),
/// not a failure.
fn is_rollback(e: &AppError) -> bool {
    matches!(e, AppError::Database(diesel::result::Error::RollbackTransaction))
}

/// Previews the cycle for `as_of`, with at most `limit` lines per list.
pub async fn preview(db: &Db, as_of: NaiveDate, limit: usize, actor: Actor) -> AppResult<Preview> {
    let mut preview = Preview { as_of, ..Preview::default() };
    let companies = db.read(repo::company_limits).await?;
    let mut after = 0;
    loop {
        let (actor, companies, base) = (actor.clone(), companies.clone(), preview.clone());
        let (batch, last) = db
            .write(move |conn| {
                let mut batch = base.clone();
                let mut last = None;
                let mut work = || {
                    conn.transaction(|conn| {
                        last = batch_of(conn, &mut batch, &companies, as_of, after, limit, &actor)?;
                        Err::<(), _>(AppError::from(diesel::result::Error::RollbackTransaction))
                    })
                };
                // A later day is previewed on its own clock (a run then could not be earlier);
                // a past or today's date on today's, as `runBillingCycle` runs it.
                let done = if as_of > crate::clock::today() { crate::clock::as_if_on(as_of, work) } else { work() };
                match done {
                    Err(e) if is_rollback(&e) => {
                        // Nothing it noted for the network happened.
                        crate::db::changes::discard();
                        Ok((batch, last))
                    }
                    Err(e) => Err(e),
                    Ok(()) => Err(AppError::Internal("a preview batch was not rolled back".into())),
                }
            })
            .await?;
        preview = batch;
        match last {
            Some(last) => after = last,
            None => break,
        }
    }
    let overdue = db.read(move |conn| repo::overdue_preview(conn, as_of)).await?;
    preview.overdue_count = overdue.len() as i64;
    preview.overdue_balance_paise = overdue.iter().map(|o| o.balance_paise).sum();
    preview.overdue = overdue.into_iter().take(limit).collect();
    Ok(preview)
}

/// One batch: the next [`BATCH`] customers after row id `after` that the run would renew or
/// could suspend, renewed (each in a savepoint, a failure recorded), then those the suspension
/// step would pick; the last customer's id, `None` when this was the last batch.
fn batch_of(
    conn: &mut DbConn,
    preview: &mut Preview,
    companies: &[(i64, i32, i32)],
    as_of: NaiveDate,
    after: i64,
    limit: usize,
    actor: &Actor,
) -> AppResult<Option<i64>> {
    let ids = repo::preview_candidates(conn, as_of, after, BATCH)?;
    let Some(&last) = ids.last() else { return Ok(None) };
    // The run's own renewal bookkeeping needs a run row: this one goes with the rollback.
    let run = repo::start(conn, as_of, "preview")?;
    let mut known = Known::default();
    let renewals: Vec<i64> =
        repo::renewal_candidates(conn, as_of, after, BATCH)?.into_iter().filter(|id| *id <= last).collect();
    let mut due = Renewals::lock(conn, &renewals, as_of)?;
    crate::series::repo::with_number_memo(|| {
        for &id in &renewals {
            let renewed = conn.transaction(|conn| {
                let mut later = Later::default();
                let invoices = renew(conn, &mut known, &mut due, run.id, id, as_of, actor, &mut later)?;
                later.write(conn)?;
                Ok::<_, AppError>(invoices)
            });
            match renewed {
                Ok(invoices) => preview.renewal(id, invoices, limit),
                Err(e) if e.is_contention() => return Err(e),
                Err(e) => {
                    preview.error_count += 1;
                    if preview.errors.len() < limit {
                        preview.errors.push((id, failure("renewal", id, &e)));
                    }
                }
            }
        }
        Ok(())
    })?;
    for &company in companies {
        let suspended = repo::suspension_candidates(conn, company, as_of, after, BATCH)?;
        for id in suspended.into_iter().filter(|id| *id <= last) {
            preview.suspended_count += 1;
            if preview.suspended.len() < limit {
                preview.suspended.push(id);
            }
        }
    }
    Ok((ids.len() as i64 == BATCH).then_some(last))
}

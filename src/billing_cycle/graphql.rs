//! `runBillingCycle` and `billingRuns`.

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::model::{BillingRunRow, RunErrorRow, RunFilter, RunStatus};
use super::repo;
use super::scheduler::Runner;
use crate::audit::Actor;
use crate::auth::guard::{principal, Require};
use crate::auth::permissions::Permission;
use crate::customers::graphql::Customer;
use crate::error::AppError;
use crate::graphql::context::db;
use crate::graphql::ids::global_id;
use crate::graphql::pagination::{connection, page_cost, PageArgs, PageConnection};
use crate::graphql::scalars::{Date, DateTime};

/// One business date's run of the billing cycle.
pub struct BillingRun(pub BillingRunRow);

#[Object]
impl BillingRun {
    /// The business date the run was for.
    async fn as_of(&self) -> Date {
        Date(self.0.as_of)
    }
    /// RUNNING (going, or stopped by a crash: running the date again finishes it) or FINISHED.
    async fn status(&self) -> RunStatus {
        self.0.status
    }
    /// `system` for the daily scheduler, else the staff member who asked.
    async fn started_by(&self) -> &str {
        &self.0.started_by
    }
    async fn started_at(&self) -> DateTime {
        DateTime(self.0.started_at)
    }
    async fn finished_at(&self) -> Option<DateTime> {
        self.0.finished_at.map(DateTime)
    }
    /// How many times the date was run.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// Renewal invoices raised.
    async fn renewed(&self) -> i64 {
        self.0.renewed
    }
    /// Invoices marked OVERDUE.
    async fn overdue(&self) -> i64 {
        self.0.overdue
    }
    /// Customers suspended for dues.
    async fn suspended(&self) -> i64 {
        self.0.suspended
    }
    /// Notifications sent (overdue, suspension, plan expiry).
    async fn reminders(&self) -> i64 {
        self.0.reminders
    }
    /// Customers the run could not handle (see `errorDetails`).
    async fn errors(&self) -> i64 {
        self.0.errors
    }
    /// What went wrong, per customer, in the order it happened. Not paged: the first 1,000
    /// customers a run could not handle (`errors` counts them all).
    async fn error_details(&self, ctx: &Context<'_>) -> Result<Vec<BillingRunError>> {
        let id = self.0.id;
        Ok(db(ctx).read(move |conn| repo::errors_of(conn, id)).await?.into_iter().map(BillingRunError).collect())
    }
}

/// A customer a billing run could not handle.
pub struct BillingRunError(RunErrorRow);

#[Object]
impl BillingRunError {
    async fn customer(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        Customer::load(ctx, self.0.customer_id).await
    }
    /// The customer's ID, also when the customer is gone.
    async fn customer_id(&self) -> ID {
        global_id(Customer::KIND, self.0.customer_id)
    }
    async fn message(&self) -> &str {
        &self.0.message
    }
    async fn at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

/// Narrows `billingRuns`.
#[derive(InputObject, Default)]
pub struct BillingRunFilterInput {
    pub status: Option<RunStatus>,
    /// Runs for this business date or later.
    pub from: Option<Date>,
    /// Runs for this business date or earlier.
    pub to: Option<Date>,
}

#[derive(Default)]
pub struct BillingCycleQuery;

#[Object]
impl BillingCycleQuery {
    /// The billing runs, one per business date run, in the order they were first started
    /// (the dates in order, but for a past date first run by hand later); `last: 1` is the
    /// newest. A run started again (after a crash, or by hand) keeps its place.
    #[graphql(guard = "Require(Permission::WriteBilling)", complexity = "page_cost(first, last, child_complexity)")]
    async fn billing_runs(
        &self,
        ctx: &Context<'_>,
        filter: Option<BillingRunFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<BillingRun>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let filter = filter.unwrap_or_default();
        let filter = RunFilter { status: filter.status, from: filter.from.map(|d| d.0), to: filter.to.map(|d| d.0) };
        let page = db(ctx).read(move |conn| repo::page(conn, &filter, window)).await?;
        Ok(connection(page, |row| row.id, BillingRun))
    }
}

#[derive(Default)]
pub struct BillingCycleMutation;

#[Object]
impl BillingCycleMutation {
    /// Runs the billing cycle for `asOf` (today when left out; not a future date): renewals of
    /// auto-renewing customers whose service has ended, OVERDUE for unpaid invoices past due,
    /// suspension for dues past the company's grace or limit, reminders. Safe to repeat: a
    /// date already run changes nothing, and a run that stopped half way is finished. The run
    /// goes on if this request times out; `billingRuns` shows it.
    #[graphql(guard = "Require(Permission::WriteBilling)")]
    async fn run_billing_cycle(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<BillingRun> {
        let actor = Actor::from(principal(ctx)?);
        let today = crate::clock::today();
        let as_of = as_of.map_or(today, |d| d.0);
        if as_of > today {
            return Err(AppError::bad_input("asOf", format!("`asOf` must not be after today ({today})")).into());
        }
        let runner = ctx.data_unchecked::<Runner>().clone();
        let run = tokio::spawn(async move { runner.run(as_of, actor).await })
            .await
            .map_err(|e| AppError::Internal(format!("the billing run stopped: {e}")))??;
        Ok(BillingRun(run))
    }
}

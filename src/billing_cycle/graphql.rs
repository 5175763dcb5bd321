//! `runBillingCycle` and `billingRuns`.

use async_graphql::{Context, Object, Result, ID};

use super::model::{BillingRunRow, RunErrorRow, RunStatus};
use super::repo;
use super::scheduler::Runner;
use crate::audit::Actor;
use crate::auth::guard::{principal, Require};
use crate::auth::permissions::Permission;
use crate::customers::graphql::Customer;
use crate::error::AppError;
use crate::graphql::context::db;
use crate::graphql::ids::global_id;
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
    /// What went wrong, per customer (at most 1,000).
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

#[derive(Default)]
pub struct BillingCycleQuery;

#[Object]
impl BillingCycleQuery {
    /// The newest billing runs first (at most `first`, default 30, up to 366).
    #[graphql(guard = "Require(Permission::WriteBilling)")]
    async fn billing_runs(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<BillingRun>> {
        let limit = i64::from(first.unwrap_or(30).clamp(1, 366));
        Ok(db(ctx).read(move |conn| repo::newest(conn, limit)).await?.into_iter().map(BillingRun).collect())
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

//! `runBillingCycle` and `billingRuns`.

use async_graphql::{ComplexObject, Context, InputObject, Object, Result, SimpleObject, ID};

use super::model::{BillingRunRow, RunErrorRow, RunFilter, RunStatus};
use super::preview::{self, Overdue, Preview, Renewal};
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
use crate::graphql::scalars::{Date, DateTime, Money};
use crate::invoices::graphql::Invoice;

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

/// What `runBillingCycle` would do on a date, worked out by the run's own steps on the data as
/// it stands now and then thrown away: nothing is written, nobody is told. It is what a run on
/// `asOf` would do if no run happened before it and nothing were paid meanwhile (the daily
/// runs in between, and payments, change what the real run finds). Each list holds the first
/// `first` lines; the counts and amounts cover every line.
pub struct BillingCyclePreview(Preview);

#[Object]
impl BillingCyclePreview {
    /// The business date previewed.
    async fn as_of(&self) -> Date {
        Date(self.0.as_of)
    }
    /// Not paged: the first `first` renewal invoices the run would raise, by customer (a
    /// customer behind by several periods has one per period); `renewalCount` counts them all.
    async fn renewals(&self) -> Vec<PreviewInvoice> {
        self.0.renewals.iter().cloned().map(PreviewInvoice).collect()
    }
    /// Renewal invoices the run would raise: its `renewed`.
    async fn renewal_count(&self) -> i64 {
        self.0.renewal_count
    }
    /// Customers those invoices are for.
    async fn renewed_customers(&self) -> i64 {
        self.0.renewed_customers
    }
    /// The renewal invoices' taxable value (plan, add-ons waiting, prorated plan changes).
    async fn taxable_amount(&self) -> Money {
        Money(self.0.bill_paise)
    }
    /// Their GST.
    async fn tax_amount(&self) -> Money {
        Money(self.0.tax_paise)
    }
    /// Their totals: `taxableAmount + taxAmount`.
    async fn total_amount(&self) -> Money {
        Money(self.0.total_paise)
    }
    /// What the customers' advances would pay of them at once.
    async fn paid_from_advance(&self) -> Money {
        Money(self.0.paid_paise)
    }
    /// Not paged: the first `first` invoices the run would mark OVERDUE; `overdueCount` counts
    /// them all.
    async fn overdue(&self) -> Vec<PreviewOverdue> {
        self.0.overdue.iter().cloned().map(PreviewOverdue).collect()
    }
    /// Invoices the run would mark OVERDUE: its `overdue`.
    async fn overdue_count(&self) -> i64 {
        self.0.overdue_count
    }
    /// What is unpaid on them.
    async fn overdue_balance(&self) -> Money {
        Money(self.0.overdue_balance_paise)
    }
    /// Not paged: the first `first` customers the run would suspend for dues (counting the
    /// renewal invoices it would raise); `suspendedCount` counts them all.
    async fn suspended(&self, ctx: &Context<'_>) -> Result<Vec<Customer>> {
        let mut out = Vec::with_capacity(self.0.suspended.len());
        for &id in &self.0.suspended {
            out.extend(Customer::load(ctx, id).await?);
        }
        Ok(out)
    }
    /// Customers the run would suspend: its `suspended`.
    async fn suspended_count(&self) -> i64 {
        self.0.suspended_count
    }
    /// Not paged: the first `first` customers the run could not renew, and why (as
    /// `BillingRun.errorDetails` would say); `errorCount` counts them all.
    async fn errors(&self) -> Vec<PreviewError> {
        self.0.errors.iter().cloned().map(|(customer, message)| PreviewError { customer, message }).collect()
    }
    /// Customers the run could not renew: its `errors`.
    async fn error_count(&self) -> i64 {
        self.0.error_count
    }
}

/// A renewal invoice a run would raise (never stored: it has no number or ID).
pub struct PreviewInvoice(Renewal);

#[Object]
impl PreviewInvoice {
    async fn customer(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        Customer::load(ctx, self.0.customer_id).await
    }
    /// The service period it bills.
    async fn billing_period_start(&self) -> Option<Date> {
        self.0.invoice.billing_period_start.map(Date)
    }
    async fn billing_period_end(&self) -> Option<Date> {
        self.0.invoice.billing_period_end.map(Date)
    }
    async fn invoice_date(&self) -> Date {
        Date(self.0.invoice.invoice_date)
    }
    async fn due_date(&self) -> Date {
        Date(self.0.invoice.due_date)
    }
    /// The plan's price for the period, with add-ons waiting and prorated plan changes.
    async fn bill_amount(&self) -> Money {
        Money(self.0.invoice.bill_paise)
    }
    async fn cgst_tax(&self) -> Money {
        Money(self.0.invoice.cgst_paise)
    }
    async fn sgst_tax(&self) -> Money {
        Money(self.0.invoice.sgst_paise)
    }
    async fn igst_tax(&self) -> Money {
        Money(self.0.invoice.igst_paise)
    }
    async fn total_amount(&self) -> Money {
        Money(self.0.invoice.total_paise)
    }
    /// What the customer's advance would pay of it at once.
    async fn paid_amount(&self) -> Money {
        Money(self.0.invoice.paid_paise)
    }
    async fn balance_amount(&self) -> Money {
        Money(self.0.invoice.balance_paise)
    }
}

/// An invoice a run would mark OVERDUE.
pub struct PreviewOverdue(Overdue);

#[Object]
impl PreviewOverdue {
    async fn invoice(&self, ctx: &Context<'_>) -> Result<Option<Invoice>> {
        Invoice::load(ctx, self.0.invoice_id).await
    }
    async fn customer(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        Customer::load(ctx, self.0.customer_id).await
    }
    /// Unpaid on it today.
    async fn balance_amount(&self) -> Money {
        Money(self.0.balance_paise)
    }
}

/// A customer a run could not renew.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct PreviewError {
    #[graphql(skip)]
    customer: i64,
    message: String,
}

#[ComplexObject]
impl PreviewError {
    async fn customer(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        Customer::load(ctx, self.customer).await
    }
}

#[derive(Default)]
pub struct BillingPreviewQuery;

#[Object]
impl BillingPreviewQuery {
    /// What `runBillingCycle(asOf:)` would do on `asOf` (a past date, today, or up to a year
    /// ahead): who would be renewed and for how much, which invoices would turn OVERDUE, who
    /// would be suspended for dues. Writes nothing. Lists hold at most `first` lines each (100
    /// when left out, up to 1,000); counts and amounts cover all. Takes about as long as the
    /// run would (seconds for thousands of renewals).
    #[graphql(guard = "Require(Permission::WriteBilling)")]
    async fn preview_billing_cycle(
        &self,
        ctx: &Context<'_>,
        as_of: Date,
        first: Option<i32>,
    ) -> Result<BillingCyclePreview> {
        let actor = Actor::from(principal(ctx)?);
        let limit = match first.unwrap_or(100) {
            n @ 0..=1000 => n as usize,
            _ => return Err(AppError::bad_input("first", "`first` must be between 0 and 1000").into()),
        };
        let today = crate::clock::today();
        let latest = today.checked_add_days(chrono::Days::new(preview::MAX_DAYS_AHEAD)).unwrap_or(today);
        if as_of.0 > latest {
            return Err(AppError::bad_input("asOf", format!("`asOf` must be at most a year ahead ({latest})")).into());
        }
        let db = db(ctx).clone();
        let found = tokio::spawn(async move { preview::preview(&db, as_of.0, limit, actor).await })
            .await
            .map_err(|e| AppError::Internal(format!("the preview stopped: {e}")))??;
        Ok(BillingCyclePreview(found))
    }
}

//! The `dashboard` query. Each part is computed when selected; the single figures come from
//! one statement, shared by the fields that show them.

use async_graphql::{Context, Object, Result, SimpleObject, ID};
use tokio::sync::OnceCell;

use super::model::{self, Periods, Scope, Summary, ThreePeriods};
use super::repo;
use crate::auth::guard::Require;
use crate::auth::permissions::Permission;
use crate::companies::graphql::Company;
use crate::complaints::model::ComplaintPriority;
use crate::customers::model::CustomerStatus;
use crate::employees::graphql::StaffContact;
use crate::enums::ServiceType;
use crate::gateways::graphql::UnmatchedTotal;
use crate::graphql::context::reporting_db;
use crate::graphql::ids::expect_id;
use crate::graphql::scalars::{Date, Money};
use crate::localities::graphql::Locality;
use crate::payments::model::PaymentMethod;

/// The owner's morning view. Each field needs, besides the dashboard permission, the
/// permission for its data: customers for counts, billing for money, complaints for
/// complaints, expenses for `expensesThisMonth` and `net` (so a COLLECTOR sees collections and
/// dues but not profit). Collections come gross (`collected`), paid back (`refunded`) and net
/// of refunds (`collectedNet`). "Today" and months are in the business time zone (`timeZone`).
pub struct Dashboard {
    scope: Scope,
    periods: Periods,
    now: chrono::NaiveDateTime,
    summary: OnceCell<Summary>,
}

impl Dashboard {
    async fn summary(&self, ctx: &Context<'_>) -> Result<&Summary> {
        let (scope, periods) = (self.scope, self.periods);
        Ok(self
            .summary
            .get_or_try_init(|| reporting_db(ctx).read(move |conn| repo::summary(conn, &scope, &periods)))
            .await?)
    }
}

/// An amount today, this month and last month (business calendar).
#[derive(SimpleObject)]
pub struct PeriodAmounts {
    pub today: Money,
    pub this_month: Money,
    pub last_month: Money,
}

impl From<ThreePeriods> for PeriodAmounts {
    fn from(t: ThreePeriods) -> Self {
        PeriodAmounts { today: Money(t.today), this_month: Money(t.this_month), last_month: Money(t.last_month) }
    }
}

/// How many customers have a status.
#[derive(SimpleObject)]
pub struct StatusCount {
    pub status: CustomerStatus,
    pub count: i64,
}

/// How many customers have a service type.
#[derive(SimpleObject)]
pub struct ServiceTypeCount {
    pub service_type: ServiceType,
    pub count: i64,
}

/// Collections by one payment method.
#[derive(SimpleObject)]
pub struct MethodCollection {
    pub method: PaymentMethod,
    pub amount: Money,
    /// Number of payments.
    pub count: i64,
}

impl From<model::Collected<PaymentMethod>> for MethodCollection {
    fn from(r: model::Collected<PaymentMethod>) -> Self {
        MethodCollection { method: r.key, amount: Money(r.amount), count: r.count }
    }
}

/// Collections by one staff member.
pub struct CollectorCollection {
    collector: Option<i64>,
    amount: i64,
    count: i64,
}

impl From<model::Collected<Option<i64>>> for CollectorCollection {
    fn from(r: model::Collected<Option<i64>>) -> Self {
        CollectorCollection { collector: r.key, amount: r.amount, count: r.count }
    }
}

#[Object]
impl CollectorCollection {
    /// Who collected; `null` for payments recorded without a collector (self-service, gateways).
    async fn collector(&self, ctx: &Context<'_>) -> Result<Option<StaffContact>> {
        StaffContact::load(ctx, self.collector).await
    }
    async fn amount(&self) -> Money {
        Money(self.amount)
    }
    /// Number of payments.
    async fn count(&self) -> i64 {
        self.count
    }
}

/// Collections on one business day.
#[derive(SimpleObject)]
pub struct DailyAmount {
    pub date: Date,
    pub amount: Money,
}

/// Open complaints of one priority.
#[derive(SimpleObject)]
pub struct PriorityCount {
    pub priority: ComplaintPriority,
    pub count: i64,
}

/// Complaints still OPEN or IN_PROGRESS.
#[derive(SimpleObject)]
pub struct OpenComplaints {
    /// Every priority, with zero where there are none. Not paged: one line per priority.
    pub by_priority: Vec<PriorityCount>,
    /// Filed more than 48 hours ago.
    pub older_than_48_hours: i64,
    pub total: i64,
}

#[Object]
impl Dashboard {
    /// Today's business date, which "today" and "this month" are counted from.
    async fn as_of(&self) -> Date {
        Date(self.periods.today)
    }
    /// The business time zone (`ISP_TIME_ZONE`), e.g. `Asia/Kolkata`.
    async fn time_zone(&self) -> String {
        crate::clock::zone().name().to_owned()
    }
    /// Customers per status, every status listed (zero included). Not paged: one line per
    /// status.
    #[graphql(guard = "Require(Permission::ReadCustomers)")]
    async fn customers_by_status(&self, ctx: &Context<'_>) -> Result<Vec<StatusCount>> {
        let scope = self.scope;
        let by_status = reporting_db(ctx).read(move |conn| repo::customers_by_status(conn, &scope)).await?;
        Ok(by_status.into_iter().map(|c| StatusCount { status: c.key, count: c.count }).collect())
    }
    /// Customers per service type, every type listed. Not paged: one line per service type.
    #[graphql(guard = "Require(Permission::ReadCustomers)")]
    async fn customers_by_service_type(&self, ctx: &Context<'_>) -> Result<Vec<ServiceTypeCount>> {
        let scope = self.scope;
        let by_type = reporting_db(ctx).read(move |conn| repo::customers_by_service_type(conn, &scope)).await?;
        Ok(by_type.into_iter().map(|c| ServiceTypeCount { service_type: c.key, count: c.count }).collect())
    }
    /// Customers created this month.
    #[graphql(guard = "Require(Permission::ReadCustomers)")]
    async fn new_customers(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.summary(ctx).await?.new_customers)
    }
    /// Customers created before this month whose current service period starts this month.
    #[graphql(guard = "Require(Permission::ReadCustomers)")]
    async fn renewed_customers(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.summary(ctx).await?.renewed_customers)
    }
    /// ACTIVE customers whose service ends between today and 7 days from today.
    #[graphql(guard = "Require(Permission::ReadCustomers)")]
    async fn expiring_customers(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.summary(ctx).await?.expiring_customers)
    }
    /// Totals of invoices (not cancelled, net of credit notes) by invoice date.
    #[graphql(guard = "Require(Permission::ReadBilling)")]
    async fn invoiced(&self, ctx: &Context<'_>) -> Result<PeriodAmounts> {
        Ok(self.summary(ctx).await?.invoiced.into())
    }
    /// Collections gross: COMPLETED payments by the time they were received, before refunds
    /// (a payment refunded later still counts here, on the day it was received).
    #[graphql(guard = "Require(Permission::ReadBilling)")]
    async fn collected(&self, ctx: &Context<'_>) -> Result<PeriodAmounts> {
        Ok(self.summary(ctx).await?.collected.into())
    }
    /// Refunds by the time they were made (whenever the payment refunded was received), of
    /// the customers in scope.
    #[graphql(guard = "Require(Permission::ReadBilling)")]
    async fn refunded(&self, ctx: &Context<'_>) -> Result<PeriodAmounts> {
        Ok(self.summary(ctx).await?.refunded.into())
    }
    /// Collections net of refunds: `collected` less `refunded`, period by period; negative on
    /// a day that paid back more than it received.
    #[graphql(guard = "Require(Permission::ReadBilling)")]
    async fn collected_net(&self, ctx: &Context<'_>) -> Result<PeriodAmounts> {
        Ok(self.summary(ctx).await?.collected_net().into())
    }
    /// What customers owe now: the balance of every invoice not cancelled (equals the dues
    /// report's total).
    #[graphql(guard = "Require(Permission::ReadBilling)")]
    async fn outstanding(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(self.summary(ctx).await?.outstanding))
    }
    /// This month's collections per payment method, largest first (gross, as `collected`).
    /// Not paged: one line per payment method used.
    #[graphql(guard = "Require(Permission::ReadBilling)")]
    async fn collections_by_method(&self, ctx: &Context<'_>) -> Result<Vec<MethodCollection>> {
        let (scope, p) = (self.scope, self.periods);
        let rows =
            reporting_db(ctx).read(move |conn| repo::collections_by_method(conn, &this_month(&scope, &p))).await?;
        Ok(rows
            .into_iter()
            .map(|r| MethodCollection { method: r.key, amount: Money(r.amount), count: r.count })
            .collect())
    }
    /// This month's collections per collecting staff member, largest first (gross, as
    /// `collected`). Not paged: one line per staff member who collected, and one for none.
    #[graphql(guard = "Require(Permission::ReadBilling)")]
    async fn collections_by_collector(&self, ctx: &Context<'_>) -> Result<Vec<CollectorCollection>> {
        let (scope, p) = (self.scope, self.periods);
        let rows =
            reporting_db(ctx).read(move |conn| repo::collections_by_collector(conn, &this_month(&scope, &p))).await?;
        Ok(rows
            .into_iter()
            .map(|r| CollectorCollection { collector: r.key, amount: r.amount, count: r.count })
            .collect())
    }
    /// Collections per business day for the last 30 days, today last, every day listed (gross,
    /// as `collected`). Not paged: always 30 lines.
    #[graphql(guard = "Require(Permission::ReadBilling)")]
    async fn daily_collections(&self, ctx: &Context<'_>) -> Result<Vec<DailyAmount>> {
        let (scope, p) = (self.scope, self.periods);
        let (first, last) = (p.series_start(), p.today);
        let found = reporting_db(ctx).read(move |conn| repo::collections_per_day(conn, &scope, first, last)).await?;
        Ok(model::fill_days(first, last, &found)
            .into_iter()
            .map(|d| DailyAmount { date: Date(d.date), amount: Money(d.amount) })
            .collect())
    }
    /// Complaints still open, by priority.
    #[graphql(guard = "Require(Permission::ReadComplaints)")]
    async fn open_complaints(&self, ctx: &Context<'_>) -> Result<OpenComplaints> {
        let (scope, now) = (self.scope, self.now);
        let (by_priority, old) = reporting_db(ctx).read(move |conn| repo::open_complaints(conn, &scope, now)).await?;
        Ok(OpenComplaints {
            total: by_priority.iter().map(|c| c.count).sum(),
            by_priority: by_priority.into_iter().map(|c| PriorityCount { priority: c.key, count: c.count }).collect(),
            older_than_48_hours: old,
        })
    }
    /// Money payment gateways reported that waits unmatched now (see
    /// `unmatchedGatewayPayments`), of the company's gateways when one is given (it has no
    /// locality). Not in `collected` until staff assign it.
    #[graphql(guard = "Require(Permission::ReadBilling)")]
    async fn unmatched_gateway_payments(&self, ctx: &Context<'_>) -> Result<UnmatchedTotal> {
        UnmatchedTotal::load(ctx, self.scope.company_id, None).await
    }
    /// Expenses dated this month (of the company when one is given; expenses have no locality).
    #[graphql(guard = "Require(Permission::ManageExpenses)")]
    async fn expenses_this_month(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(self.summary(ctx).await?.expenses_this_month))
    }
    /// Collections net of refunds this month (`collectedNet.thisMonth`) less expenses this
    /// month; negative in a month that spent more.
    #[graphql(guard = "Require(Permission::ManageExpenses)")]
    async fn net(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(self.summary(ctx).await?.net()))
    }
}

fn this_month(scope: &Scope, p: &Periods) -> repo::Collections {
    repo::Collections::between(scope, p.month_start, p.next_month_start)
}

#[derive(Default)]
pub struct DashboardQuery;

#[Object]
impl DashboardQuery {
    /// The dashboard for every company, or one company and/or one locality. Staff only.
    #[graphql(guard = "Require(Permission::ReadDashboard)")]
    async fn dashboard(&self, company_id: Option<ID>, locality_id: Option<ID>) -> Result<Dashboard> {
        let scope = Scope {
            company_id: company_id.map(|id| expect_id("companyId", Company::KIND, &id)).transpose()?,
            locality_id: locality_id.map(|id| expect_id("localityId", Locality::KIND, &id)).transpose()?,
        };
        Ok(Dashboard {
            scope,
            periods: Periods::at(crate::clock::today()),
            now: crate::clock::now(),
            summary: OnceCell::new(),
        })
    }
}

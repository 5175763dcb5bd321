//! The reports as GraphQL queries (ADMIN, MANAGER): totals and groups. The lines themselves
//! are the CSV downloads (`GET /reports/<name>.csv`), or the API's own lists (`payments`,
//! `customers`).

use crate::gateways::graphql::UnmatchedTotal;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};

use super::model::{Ageing, DateRange, ReportFilter, RevenueGrouping};
use super::repo;
use crate::auth::guard::Require;
use crate::auth::permissions::Permission;
use crate::companies::graphql::Company;
use crate::dashboard::graphql::{CollectorCollection, MethodCollection};
use crate::dashboard::model::Scope;
use crate::employees::graphql::Employee;
use crate::error::AppResult;
use crate::expenses::model::ExpenseCategory;
use crate::graphql::context::db;
use crate::graphql::ids::{expect_id, global_id};
use crate::graphql::scalars::{Date, Money};
use crate::localities::graphql::Locality;
use crate::payments::model::PaymentMethod;

/// What a report covers. Dates are business dates, both included (this month up to today
/// when left out). Reports ignore what does not apply to them: expenses have no locality,
/// and only collections narrow by `method` and `collectorId`.
#[derive(InputObject, Default)]
pub struct ReportFilterInput {
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub company_id: Option<ID>,
    pub locality_id: Option<ID>,
    pub method: Option<PaymentMethod>,
    pub collector_id: Option<ID>,
}

impl ReportFilterInput {
    fn scope(&self) -> AppResult<Scope> {
        Ok(Scope {
            company_id: self
                .company_id
                .as_ref()
                .map(|id| expect_id("filter.companyId", Company::KIND, id))
                .transpose()?,
            locality_id: self
                .locality_id
                .as_ref()
                .map(|id| expect_id("filter.localityId", Locality::KIND, id))
                .transpose()?,
        })
    }

    fn into_filter(self) -> AppResult<ReportFilter> {
        Ok(ReportFilter {
            scope: self.scope()?,
            range: DateRange::new(self.from.map(|d| d.0), self.to.map(|d| d.0), crate::clock::today())?,
            method: self.method,
            collector_id: self
                .collector_id
                .map(|id| expect_id("filter.collectorId", Employee::KIND, &id))
                .transpose()?,
        })
    }
}

/// Collections (COMPLETED payments by the time received) over a period.
pub struct CollectionsReport {
    filter: ReportFilter,
    /// (total, count): one statement for both fields.
    totals: tokio::sync::OnceCell<(i64, i64)>,
}

impl CollectionsReport {
    async fn totals(&self, ctx: &Context<'_>) -> Result<(i64, i64)> {
        let f = self.filter;
        Ok(*self.totals.get_or_try_init(|| db(ctx).read(move |conn| repo::collections_total(conn, &f))).await?)
    }
}

#[Object]
impl CollectionsReport {
    async fn from(&self) -> Date {
        Date(self.filter.range.from)
    }
    async fn to(&self) -> Date {
        Date(self.filter.range.to)
    }
    /// Sum of the `amount` column of `/reports/collections.csv` for the same filter.
    async fn total(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(self.totals(ctx).await?.0))
    }
    /// Number of payments.
    async fn count(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.1)
    }
    /// Per payment method, largest first.
    async fn by_method(&self, ctx: &Context<'_>) -> Result<Vec<MethodCollection>> {
        let c = repo::collections(&self.filter);
        let rows = db(ctx).read(move |conn| crate::dashboard::repo::collections_by_method(conn, &c)).await?;
        Ok(rows.into_iter().map(MethodCollection::from).collect())
    }
    /// Money payment gateways reported in the period that still waits unmatched, of the
    /// filter's company (not in `total` until staff assign it; no locality, method or
    /// collector applies).
    async fn unmatched_gateway_payments(&self, ctx: &Context<'_>) -> Result<UnmatchedTotal> {
        let range = self.filter.range;
        UnmatchedTotal::load(ctx, self.filter.scope.company_id, Some((range.from, range.to))).await
    }
    /// Per collecting staff member, largest first.
    async fn by_collector(&self, ctx: &Context<'_>) -> Result<Vec<CollectorCollection>> {
        let c = repo::collections(&self.filter);
        let rows = db(ctx).read(move |conn| crate::dashboard::repo::collections_by_collector(conn, &c)).await?;
        Ok(rows.into_iter().map(CollectorCollection::from).collect())
    }
}

/// Unpaid balances by how long past due they are.
#[derive(SimpleObject)]
pub struct DuesReport {
    /// The date ages are counted on.
    pub as_of: Date,
    /// Due date still ahead.
    pub not_due: Money,
    /// Due today or up to 30 days ago.
    pub days_0_to_30: Money,
    pub days_31_to_60: Money,
    pub days_61_to_90: Money,
    /// More than 90 days past due.
    pub over_90_days: Money,
    /// Everything owed: the dashboard's `outstanding`.
    pub total: Money,
    /// Customers who owe anything (the lines of `/reports/dues.csv`).
    pub customers: i64,
}

impl DuesReport {
    fn new(as_of: chrono::NaiveDate, a: Ageing, customers: i64) -> Self {
        DuesReport {
            as_of: Date(as_of),
            not_due: Money(a.not_due),
            days_0_to_30: Money(a.days_0_30),
            days_31_to_60: Money(a.days_31_60),
            days_61_to_90: Money(a.days_61_90),
            over_90_days: Money(a.over_90),
            total: Money(a.total()),
            customers,
        }
    }
}

/// Invoiced amounts of one plan or locality.
#[derive(SimpleObject)]
pub struct RevenueLine {
    /// The plan's or locality's ID; `null` for customers without a locality.
    pub id: Option<ID>,
    pub name: Option<String>,
    pub invoices: i64,
    /// Total less taxes.
    pub taxable_value: Money,
    pub tax: Money,
    pub total: Money,
}

/// One month of invoices, for GST.
#[derive(SimpleObject)]
pub struct GstMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub invoices: i64,
    pub taxable_value: Money,
    pub cgst: Money,
    pub sgst: Money,
    pub igst: Money,
    pub total: Money,
}

/// Expenses of one category.
#[derive(SimpleObject)]
pub struct ExpenseCategoryTotal {
    pub category: ExpenseCategory,
    pub amount: Money,
    /// Number of expenses.
    pub count: i64,
}

#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// Collections over a period; the lines are `GET /reports/collections.csv`.
    #[graphql(guard = "Require(Permission::ReadReports)")]
    async fn collections_report(&self, filter: Option<ReportFilterInput>) -> Result<CollectionsReport> {
        Ok(CollectionsReport { filter: filter.unwrap_or_default().into_filter()?, totals: Default::default() })
    }

    /// Unpaid balances by age on `asOf` (today when left out), in the filter's company or
    /// locality; per customer at `GET /reports/dues.csv`.
    #[graphql(guard = "Require(Permission::ReadReports)")]
    async fn dues_report(
        &self,
        ctx: &Context<'_>,
        filter: Option<ReportFilterInput>,
        as_of: Option<Date>,
    ) -> Result<DuesReport> {
        let scope = filter.unwrap_or_default().scope()?;
        let as_of = as_of.map_or_else(crate::clock::today, |d| d.0);
        let (ageing, customers) = db(ctx).read(move |conn| repo::ageing_totals(conn, &scope, as_of)).await?;
        Ok(DuesReport::new(as_of, ageing, customers))
    }

    /// Invoices (not cancelled) dated in the period, by the customer's plan or locality,
    /// largest first; `GET /reports/revenue.csv?by=plan|locality`.
    #[graphql(guard = "Require(Permission::ReadReports)")]
    async fn revenue_report(
        &self,
        ctx: &Context<'_>,
        filter: Option<ReportFilterInput>,
        #[graphql(default_with = "RevenueGrouping::Plan")] by: RevenueGrouping,
    ) -> Result<Vec<RevenueLine>> {
        let f = filter.unwrap_or_default().into_filter()?;
        let rows = db(ctx).read(move |conn| repo::revenue(conn, &f, by)).await?;
        let kind = match by {
            RevenueGrouping::Plan => crate::ids::Kind::Plan,
            RevenueGrouping::Locality => crate::ids::Kind::Locality,
        };
        Ok(rows
            .into_iter()
            .map(|r| RevenueLine {
                id: r.key.map(|k| global_id(kind, k)),
                name: r.name,
                invoices: r.invoices,
                taxable_value: Money(r.taxable),
                tax: Money(r.tax),
                total: Money(r.total),
            })
            .collect())
    }

    /// Per month of invoice date: invoices, taxable value, CGST, SGST, IGST (as the invoices
    /// stand, net of credit notes); `GET /reports/gst-summary.csv`.
    #[graphql(guard = "Require(Permission::ReadReports)")]
    async fn gst_summary(&self, ctx: &Context<'_>, filter: Option<ReportFilterInput>) -> Result<Vec<GstMonth>> {
        let f = filter.unwrap_or_default().into_filter()?;
        let rows = db(ctx).read(move |conn| repo::gst_summary(conn, &f)).await?;
        Ok(rows
            .into_iter()
            .map(|m| GstMonth {
                month: m.month,
                invoices: m.invoices,
                taxable_value: Money(m.taxable),
                cgst: Money(m.cgst),
                sgst: Money(m.sgst),
                igst: Money(m.igst),
                total: Money(m.total),
            })
            .collect())
    }

    /// Expenses dated in the period by category, every category listed;
    /// `GET /reports/expenses.csv`.
    #[graphql(guard = "Require(Permission::ManageExpenses)")]
    async fn expenses_report(
        &self,
        ctx: &Context<'_>,
        filter: Option<ReportFilterInput>,
    ) -> Result<Vec<ExpenseCategoryTotal>> {
        let f = filter.unwrap_or_default().into_filter()?;
        let rows = db(ctx).read(move |conn| repo::expenses_by_category(conn, f.scope.company_id, &f.range)).await?;
        Ok(rows
            .into_iter()
            .map(|(category, amount, count)| ExpenseCategoryTotal { category, amount: Money(amount), count })
            .collect())
    }
}

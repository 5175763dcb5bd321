//! The reports as GraphQL queries (ADMIN, MANAGER): totals and groups. The lines themselves
//! are the CSV downloads (`GET /reports/<name>.csv`), or the API's own lists (`payments`,
//! `customers`).

use crate::gateways::graphql::UnmatchedTotal;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};

use super::model::{Ageing, DateRange, ReportFilter, RevenueGrouping};
use super::{refunds, repo};
use crate::auth::guard::Require;
use crate::auth::permissions::Permission;
use crate::companies::graphql::Company;
use crate::dashboard::graphql::{CollectorCollection, MethodCollection};
use crate::dashboard::model::{Periods, Scope};
use crate::employees::graphql::Employee;
use crate::error::AppResult;
use crate::expenses::model::ExpenseCategory;
use crate::graphql::context::reporting_db;
use crate::graphql::ids::{expect_id, global_id};
use crate::graphql::pagination::{connection, page_cost, PageArgs, PageConnection};
use crate::graphql::scalars::{Date, Money};
use crate::localities::graphql::Locality;
use crate::payments::model::PaymentMethod;
use crate::refunds::graphql::Refund;
use crate::refunds::model::RefundFilter;

/// What a report covers. Dates are business dates, both included (this month up to today
/// when left out). Reports ignore what does not apply to them: expenses have no locality,
/// and only collections and refunds narrow by `method` and `collectorId` (a refund by its
/// payment's).
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

/// Collections over a period: COMPLETED payments by the time received (gross), refunds by the
/// time made, and the two netted. The lines are `GET /reports/collections.csv`.
pub struct CollectionsReport {
    filter: ReportFilter,
    /// One statement for the totals and counts.
    totals: tokio::sync::OnceCell<repo::CollectionTotals>,
}

impl CollectionsReport {
    async fn totals(&self, ctx: &Context<'_>) -> Result<repo::CollectionTotals> {
        let f = self.filter;
        Ok(*self
            .totals
            .get_or_try_init(|| reporting_db(ctx).read(move |conn| repo::collections_total(conn, &f)))
            .await?)
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
    /// Collections gross: the payments received, before refunds (the `PAYMENT` lines of
    /// `/reports/collections.csv` for the same filter). The dashboard's `collected`.
    async fn total(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(self.totals(ctx).await?.collected))
    }
    /// Number of payments.
    async fn count(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.payments)
    }
    /// Refunds made in the period (whenever the payments they pay back were received), as a
    /// positive amount: the `REFUND` lines of the CSV, which carry it negative. With a
    /// `method` or `collectorId`, the refunds of payments of that method or collector. The
    /// dashboard's `refunded`; each refund is in `refundsReport`.
    async fn refunded(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(self.totals(ctx).await?.refunded))
    }
    /// Number of refunds.
    async fn refund_count(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.refunds)
    }
    /// Collections net of refunds: `total` less `refunded`, the sum of the CSV's whole
    /// `amount` column. The dashboard's `collectedNet`.
    async fn net(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(self.totals(ctx).await?.net()))
    }
    /// Per payment method, largest first (payments, gross). Not paged: one line per payment
    /// method used.
    async fn by_method(&self, ctx: &Context<'_>) -> Result<Vec<MethodCollection>> {
        let c = repo::collections(&self.filter);
        let rows = reporting_db(ctx).read(move |conn| crate::dashboard::repo::collections_by_method(conn, &c)).await?;
        Ok(rows.into_iter().map(MethodCollection::from).collect())
    }
    /// Money payment gateways reported in the period that still waits unmatched, of the
    /// filter's company (not in `total` until staff assign it; no locality, method or
    /// collector applies).
    async fn unmatched_gateway_payments(&self, ctx: &Context<'_>) -> Result<UnmatchedTotal> {
        let range = self.filter.range;
        UnmatchedTotal::load(ctx, self.filter.scope.company_id, Some((range.from, range.to))).await
    }
    /// Per collecting staff member, largest first (payments, gross). Not paged: one line per
    /// staff member who collected, and one for none.
    async fn by_collector(&self, ctx: &Context<'_>) -> Result<Vec<CollectorCollection>> {
        let c = repo::collections(&self.filter);
        let rows =
            reporting_db(ctx).read(move |conn| crate::dashboard::repo::collections_by_collector(conn, &c)).await?;
        Ok(rows.into_iter().map(CollectorCollection::from).collect())
    }
}

/// Refunds made over a period (by the time made, on the business calendar), of customers in
/// the filter's company or locality, of payments of its `method` and `collectorId` when given.
/// The lines are `GET /reports/refunds.csv`.
pub struct RefundsReport {
    filter: ReportFilter,
    /// (total, count): one statement for both fields.
    totals: tokio::sync::OnceCell<(i64, i64)>,
}

impl RefundsReport {
    async fn totals(&self, ctx: &Context<'_>) -> Result<(i64, i64)> {
        let f = self.filter;
        Ok(*self
            .totals
            .get_or_try_init(|| reporting_db(ctx).read(move |conn| refunds::refunds_total(conn, &f)))
            .await?)
    }
}

#[Object]
impl RefundsReport {
    async fn from(&self) -> Date {
        Date(self.filter.range.from)
    }
    async fn to(&self) -> Date {
        Date(self.filter.range.to)
    }
    /// Sum of the refunds (the `amount` column of `/reports/refunds.csv` for the same
    /// filter); `collectionsReport.refunded`.
    async fn total(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(self.totals(ctx).await?.0))
    }
    /// Number of refunds.
    async fn count(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.1)
    }
    /// The refunds, oldest first (`last:` gives the newest): when (`createdAt`), the
    /// `customer`, the `payment` refunded (its `paymentMethod`), `amount`, `reason` and who
    /// approved it (`approvedBy`).
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn refunds(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<Refund>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let f = self.filter;
        let filter = RefundFilter {
            from: Some(Periods::instant(f.range.from)),
            to: Some(Periods::instant(f.range.end())),
            company_id: f.scope.company_id,
            locality_id: f.scope.locality_id,
            method: f.method,
            collector_id: f.collector_id,
            ..RefundFilter::default()
        };
        let page = reporting_db(ctx).read(move |conn| crate::refunds::repo::page(conn, &filter, window)).await?;
        Ok(connection(page, |row| row.id, Refund))
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
    /// Collections over a period, gross, refunded and net; the lines (payments and refunds)
    /// are `GET /reports/collections.csv`.
    #[graphql(guard = "Require(Permission::ReadReports)")]
    async fn collections_report(&self, filter: Option<ReportFilterInput>) -> Result<CollectionsReport> {
        Ok(CollectionsReport { filter: filter.unwrap_or_default().into_filter()?, totals: Default::default() })
    }

    /// Refunds made over a period, with their total; the lines are `GET /reports/refunds.csv`.
    #[graphql(guard = "Require(Permission::ReadReports)")]
    async fn refunds_report(&self, filter: Option<ReportFilterInput>) -> Result<RefundsReport> {
        Ok(RefundsReport { filter: filter.unwrap_or_default().into_filter()?, totals: Default::default() })
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
        let (ageing, customers) = reporting_db(ctx).read(move |conn| repo::ageing_totals(conn, &scope, as_of)).await?;
        Ok(DuesReport::new(as_of, ageing, customers))
    }

    /// Invoices (not cancelled) dated in the period, by the customer's plan or locality,
    /// largest first; `GET /reports/revenue.csv?by=plan|locality`. Not paged: one line per
    /// plan or locality (reference data: tens, a few hundred at most).
    #[graphql(guard = "Require(Permission::ReadReports)")]
    async fn revenue_report(
        &self,
        ctx: &Context<'_>,
        filter: Option<ReportFilterInput>,
        #[graphql(default_with = "RevenueGrouping::Plan")] by: RevenueGrouping,
    ) -> Result<Vec<RevenueLine>> {
        let f = filter.unwrap_or_default().into_filter()?;
        let rows = reporting_db(ctx).read(move |conn| repo::revenue(conn, &f, by)).await?;
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
    /// stand, net of credit notes); `GET /reports/gst-summary.csv`. Not paged: one line per
    /// month of the filter's range, at most 122 (a report covers at most 3,660 days).
    #[graphql(guard = "Require(Permission::ReadReports)")]
    async fn gst_summary(&self, ctx: &Context<'_>, filter: Option<ReportFilterInput>) -> Result<Vec<GstMonth>> {
        let f = filter.unwrap_or_default().into_filter()?;
        let rows = reporting_db(ctx).read(move |conn| repo::gst_summary(conn, &f)).await?;
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
    /// `GET /reports/expenses.csv`. Not paged: one line per category.
    #[graphql(guard = "Require(Permission::ManageExpenses)")]
    async fn expenses_report(
        &self,
        ctx: &Context<'_>,
        filter: Option<ReportFilterInput>,
    ) -> Result<Vec<ExpenseCategoryTotal>> {
        let f = filter.unwrap_or_default().into_filter()?;
        let rows =
            reporting_db(ctx).read(move |conn| repo::expenses_by_category(conn, f.scope.company_id, &f.range)).await?;
        Ok(rows
            .into_iter()
            .map(|(category, amount, count)| ExpenseCategoryTotal { category, amount: Money(amount), count })
            .collect())
    }
}

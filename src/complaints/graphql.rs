//! The `Complaint` type and the `complaints` query.

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::model::{ComplaintCategory, ComplaintFilter, ComplaintPriority, ComplaintRow, ComplaintStatus};
use super::repo;
use crate::auth::guard::Require;
use crate::auth::permissions::Permission;
use crate::customers::graphql::Customer;
use crate::employees::graphql::{Employee, StaffContact};
use crate::error::AppResult;
use crate::graphql::access::{load_own, own_page};
use crate::graphql::ids::{expect_id, global_id};
use crate::graphql::pagination::{connection, page_cost, PageArgs, PageConnection};
use crate::graphql::scalars::DateTime;

crate::by_id_key! {
    /// The id of one of the complaints, for the batched lookup by id.
    ComplaintId => ComplaintRow, super::repo::by_ids
}

crate::newest_key! {
    /// A customer's newest complaints.
    NewestComplaints => ComplaintRow, super::repo::newest_for_customers
}

/// A customer's complaint, worked by support staff.
pub struct Complaint(pub ComplaintRow);

impl Complaint {
    pub const KIND: crate::ids::Kind = crate::ids::Kind::Complaint;

    /// The complaint with row id `key`, if the caller may read it.
    pub async fn load(ctx: &Context<'_>, key: i64) -> Result<Option<Complaint>> {
        Ok(load_own(ctx, Permission::ReadComplaints, ComplaintId(key), |row| row.customer_id).await?.map(Complaint))
    }
}

#[Object]
impl Complaint {
    /// Opaque ID, unique across all types.
    pub async fn id(&self) -> ID {
        global_id(Self::KIND, self.0.id)
    }
    /// `CMP` + 10 digits.
    async fn complaint_id(&self) -> &str {
        &self.0.complaint_id
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn category(&self) -> Result<ComplaintCategory> {
        Ok(self.0.category)
    }
    async fn priority(&self) -> Result<ComplaintPriority> {
        Ok(self.0.priority)
    }
    async fn status(&self) -> Result<ComplaintStatus> {
        Ok(self.0.status)
    }
    /// When it was last marked RESOLVED (cleared when reopened).
    async fn resolved_at(&self) -> Option<DateTime> {
        self.0.resolved_at.map(DateTime)
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    /// Who complained.
    async fn customer(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        Customer::load(ctx, self.0.customer_id).await
    }
    /// The staff member working on it.
    async fn assigned_employee(&self, ctx: &Context<'_>) -> Result<Option<StaffContact>> {
        StaffContact::load(ctx, self.0.assigned_employee_id).await
    }
}

/// Narrows `complaints` (and the complaint subscriptions); `from`/`to` bound the filing time.
#[derive(InputObject, Default, Clone)]
pub struct ComplaintFilterInput {
    pub customer_id: Option<ID>,
    pub status: Option<ComplaintStatus>,
    pub priority: Option<ComplaintPriority>,
    pub category: Option<ComplaintCategory>,
    pub assigned_employee_id: Option<ID>,
    /// From this time on (inclusive).
    pub from: Option<DateTime>,
    /// Before this time.
    pub to: Option<DateTime>,
}

impl ComplaintFilterInput {
    pub fn into_filter(self) -> AppResult<ComplaintFilter> {
        Ok(ComplaintFilter {
            customer_id: self.customer_id.map(|id| expect_id("filter.customerId", Customer::KIND, &id)).transpose()?,
            status: self.status,
            priority: self.priority,
            category: self.category,
            assigned_employee_id: self
                .assigned_employee_id
                .map(|id| expect_id("filter.assignedEmployeeId", Employee::KIND, &id))
                .transpose()?,
            from: self.from.map(|t| t.0),
            to: self.to.map(|t| t.0),
        })
    }
}

impl ComplaintFilter {
    /// Whether `row` passes the filter (for live events).
    pub fn matches(&self, row: &ComplaintRow) -> bool {
        self.customer_id.is_none_or(|c| c == row.customer_id)
            && self.status.is_none_or(|s| s == row.status)
            && self.priority.is_none_or(|p| p == row.priority)
            && self.category.is_none_or(|c| c == row.category)
            && self.assigned_employee_id.is_none_or(|e| Some(e) == row.assigned_employee_id)
            && self.from.is_none_or(|f| row.created_at >= f)
            && self.to.is_none_or(|t| row.created_at < t)
    }
}

#[derive(Default)]
pub struct ComplaintQuery;

#[Object]
impl ComplaintQuery {
    /// Complaints, oldest first (`last:` gives the newest). A customer sees only their own.
    #[graphql(guard = "Require(Permission::ReadComplaints)", complexity = "page_cost(first, last, child_complexity)")]
    async fn complaints(
        &self,
        ctx: &Context<'_>,
        filter: Option<ComplaintFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<Complaint>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let filter = filter.unwrap_or_default().into_filter()?;
        let page =
            own_page(ctx, Permission::ReadComplaints, filter, |f| &mut f.customer_id, window, repo::page).await?;
        Ok(connection(page, |row| row.id, Complaint))
    }
}

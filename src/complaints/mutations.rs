//! `createComplaint`, `updateComplaint`, `deleteComplaint`. Each publishes its event (and the
//! notifications it made) only after its transaction commits.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};

use super::graphql::Complaint;
use super::model::{ComplaintCategory, ComplaintChanges, ComplaintPriority, ComplaintStatus, NewComplaint};
use super::{rules, service};
use crate::audit::Actor;
use crate::auth::guard::{principal, require, Require};
use crate::auth::permissions::{Access, Permission};
use crate::customers::graphql::Customer;
use crate::employees::graphql::Employee;
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::graphql::context::{db, events};
use crate::graphql::ids::expect_id;
use crate::notifications::Outbox;
use crate::validate;

/// A new complaint.
#[derive(InputObject)]
pub struct CreateComplaintInput {
    /// Whose complaint; required for staff, left out (or your own) for a customer.
    pub customer_id: Option<ID>,
    pub title: String,
    pub description: String,
    pub category: ComplaintCategory,
    /// MEDIUM when left out.
    #[graphql(default_with = "ComplaintPriority::Medium")]
    pub priority: ComplaintPriority,
    /// Staff only: who works on it.
    pub assigned_employee_id: Option<ID>,
}

/// Changes to a complaint; left-out fields stay as they are.
#[derive(InputObject, Default)]
pub struct UpdateComplaintInput {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<ComplaintCategory>,
    pub priority: Option<ComplaintPriority>,
    /// OPEN → IN_PROGRESS → RESOLVED → CLOSED; an OPEN complaint may be RESOLVED at once, and a
    /// RESOLVED one may go back to OPEN or IN_PROGRESS. RESOLVED sets `resolvedAt`.
    pub status: Option<ComplaintStatus>,
    /// An active staff member, or `null` to unassign.
    pub assigned_employee_id: MaybeUndefined<ID>,
}

fn staff_only(ctx: &Context<'_>) -> AppResult<()> {
    match require(ctx, Permission::WriteComplaints)? {
        Access::All => Ok(()),
        Access::Own(_) => Err(AppError::Forbidden("only staff change or delete complaints".into())),
    }
}

#[derive(Default)]
pub struct ComplaintMutation;

#[Object]
impl ComplaintMutation {
    /// Files a complaint: `complaintId` = `CMP` + 10 digits, status OPEN. Customers file their
    /// own; staff name the customer and may assign it at once. Subscribers of
    /// `complaintCreated` get it as soon as it is stored.
    #[graphql(guard = "Require(Permission::WriteComplaints)")]
    async fn create_complaint(&self, ctx: &Context<'_>, input: CreateComplaintInput) -> Result<Complaint> {
        let actor = Actor::from(principal(ctx)?);
        let outbox = *ctx.data_unchecked::<Outbox>();
        let requested = input.customer_id.map(|id| expect_id("customerId", Customer::KIND, &id)).transpose()?;
        let assigned =
            input.assigned_employee_id.map(|id| expect_id("assignedEmployeeId", Employee::KIND, &id)).transpose()?;
        let access = require(ctx, Permission::WriteComplaints)?;
        let customer = rules::filed_for(access, requested, assigned.is_some())?;
        let now = crate::clock::now();
        let new = NewComplaint {
            complaint_id: String::new(),
            customer_id: customer,
            title: validate::required_text("title", &input.title, 200)?,
            description: validate::required_multiline("description", &input.description, 4000)?,
            category: input.category,
            priority: input.priority,
            status: ComplaintStatus::Open,
            assigned_employee_id: assigned,
            resolved_at: None,
            created_at: now,
            updated_at: now,
        };
        let row = events(ctx)
            .write(db(ctx), move |conn, out| {
                let (row, notifications) = service::create(conn, &outbox, &new, &actor)?;
                out.push(Event::ComplaintCreated(row.clone()));
                out.notifications(notifications);
                Ok(row)
            })
            .await?;
        Ok(Complaint(row))
    }

    /// Changes a complaint (staff): status along OPEN → IN_PROGRESS → RESOLVED → CLOSED (OPEN →
    /// RESOLVED at once on the first call; a RESOLVED one may reopen), assignment, priority, category, text. Subscribers of
    /// `complaintUpdated` get the complaint as changed; the customer is notified of a new
    /// status and a newly assigned employee of the assignment.
    #[graphql(guard = "Require(Permission::WriteComplaints)")]
    async fn update_complaint(&self, ctx: &Context<'_>, id: ID, input: UpdateComplaintInput) -> Result<Complaint> {
        staff_only(ctx)?;
        let actor = Actor::from(principal(ctx)?);
        let outbox = *ctx.data_unchecked::<Outbox>();
        let key = expect_id("id", Complaint::KIND, &id)?;
        let changes = ComplaintChanges {
            title: input.title.map(|t| validate::required_text("title", &t, 200)).transpose()?,
            description: input
                .description
                .map(|d| validate::required_multiline("description", &d, 4000))
                .transpose()?,
            category: input.category,
            priority: input.priority,
            status: None,
            assigned_employee_id: match input.assigned_employee_id {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(id) => Some(Some(expect_id("assignedEmployeeId", Employee::KIND, &id)?)),
            },
            resolved_at: None,
            updated_at: Some(crate::clock::now()),
        };
        let to = input.status;
        let row = events(ctx)
            .write(db(ctx), move |conn, out| {
                let (row, notifications) = service::update(conn, &outbox, key, &changes, to, &actor)?;
                out.push(Event::ComplaintUpdated(row.clone()));
                out.notifications(notifications);
                Ok(row)
            })
            .await?;
        Ok(Complaint(row))
    }

    /// Deletes a complaint filed by mistake (staff).
    #[graphql(guard = "Require(Permission::WriteComplaints)")]
    async fn delete_complaint(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        staff_only(ctx)?;
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("id", Complaint::KIND, &id)?;
        db(ctx).write(move |conn| service::delete(conn, key, &actor)).await?;
        Ok(id)
    }
}

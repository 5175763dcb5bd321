//! `createComplaint`, `updateComplaint`, `deleteComplaint`. Each publishes its event (and the
//! notifications it made) only after its transaction commits.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};

use super::graphql::Complaint;
use super::model::{
    ComplaintCategory, ComplaintChanges, ComplaintPriority, ComplaintRow, ComplaintStatus, NewComplaint,
};
use super::{repo, rules};
use crate::audit::Actor;
use crate::auth::guard::{require, Require};
use crate::auth::permissions::{Access, Permission};
use crate::auth::guard::principal;
use crate::customers::graphql::Customer;
use crate::db::DbConn;
use crate::employees::graphql::Employee;
use crate::error::{AppError, AppResult};
use crate::events::{Event, Events};
use crate::graphql::context::db;
use crate::graphql::node::{expect_id, global_id};
use crate::notifications::model::{NotificationKind, NotificationRow, Recipient};
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
    /// OPEN → IN_PROGRESS → RESOLVED → CLOSED; a RESOLVED complaint may go back to OPEN or
    /// IN_PROGRESS. RESOLVED sets `resolvedAt`.
    pub status: Option<ComplaintStatus>,
    /// An active staff member, or `null` to unassign.
    pub assigned_employee_id: MaybeUndefined<ID>,
}

/// Stores the notifications a complaint change makes: the newly assigned employee hears of
/// it, the customer hears of a new status.
fn notify(
    conn: &mut DbConn,
    outbox: &Outbox,
    row: &ComplaintRow,
    assigned: Option<i64>,
    status_changed: bool,
) -> AppResult<Vec<NotificationRow>> {
    let subject = Some(global_id(Complaint::KIND, row.id).0);
    let mut made = Vec::new();
    if let Some(employee) = assigned {
        let new = outbox.draft(
            Recipient::employee(employee),
            NotificationKind::ComplaintAssigned,
            format!("Complaint {} assigned to you", row.complaint_id),
            format!("{} ({}, {})", row.title, row.category, row.priority),
            subject.clone(),
        );
        made.extend(crate::notifications::repo::insert(conn, &new)?);
    }
    if status_changed {
        let new = outbox.draft(
            Recipient::customer(row.customer_id),
            NotificationKind::ComplaintStatusChanged,
            format!("Your complaint {} is now {}", row.complaint_id, row.status),
            row.title.clone(),
            subject,
        );
        made.extend(crate::notifications::repo::insert(conn, &new)?);
    }
    Ok(made)
}

/// Publishes a committed complaint event and its notifications.
fn publish(ctx: &Context<'_>, event: Event, notes: Vec<NotificationRow>) {
    let events = ctx.data_unchecked::<Events>();
    events.publish(event);
    crate::notifications::publish(events, notes);
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
        let customer = match require(ctx, Permission::WriteComplaints)? {
            Access::All => requested.ok_or_else(|| AppError::bad_input("customerId", "say whose complaint it is"))?,
            Access::Own(own) => {
                if requested.is_some_and(|r| r != own) {
                    return Err(AppError::bad_input("customerId", "you can file complaints only for yourself").into());
                }
                if assigned.is_some() {
                    return Err(AppError::bad_input("assignedEmployeeId", "staff assign complaints").into());
                }
                own
            }
        };
        let now = crate::clock::now();
        let new = NewComplaint {
            complaint_id: String::new(),
            customer_id: customer,
            title: validate::required_text("title", &input.title, 200)?,
            description: validate::required_multiline("description", &input.description, 4000)?,
            category: input.category.as_str().to_owned(),
            priority: input.priority.as_str().to_owned(),
            status: ComplaintStatus::Open.as_str().to_owned(),
            assigned_employee_id: assigned,
            resolved_at: None,
            created_at: now,
            updated_at: now,
        };
        let (row, notes) = db(ctx)
            .write(move |conn| {
                crate::customers::repo::find(conn, new.customer_id)
                    .map_err(|_| AppError::bad_input("customerId", "`customerId` names no existing customer"))?;
                if let Some(employee) = new.assigned_employee_id {
                    crate::employees::repo::check_active(conn, employee, "assignedEmployeeId")?;
                }
                let row = repo::insert(conn, new.clone())?;
                let notes = notify(conn, &outbox, &row, row.assigned_employee_id, false)?;
                let target = [crate::ids::encode(Complaint::KIND, row.id)];
                crate::audit::repo::record(conn, &actor, "createComplaint", &target, Some(&row.complaint_id))?;
                Ok((row, notes))
            })
            .await?;
        publish(ctx, Event::ComplaintCreated(row.clone()), notes);
        Ok(Complaint(row))
    }

    /// Changes a complaint (staff): status along OPEN → IN_PROGRESS → RESOLVED → CLOSED (a
    /// RESOLVED one may reopen), assignment, priority, category, text. Subscribers of
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
            category: input.category.map(|c| c.as_str().to_owned()),
            priority: input.priority.map(|p| p.as_str().to_owned()),
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
        let (row, notes) = db(ctx)
            .write(move |conn| {
                let before = repo::find(conn, key)?;
                let mut changes = changes.clone();
                let from = ComplaintStatus::from_db(&before.status)?;
                let status_changed = to.is_some_and(|to| to != from);
                if let Some(to) = to {
                    rules::check_transition(from, to).map_err(|m| AppError::bad_input("status", m))?;
                    changes.status = Some(to.as_str().to_owned());
                    changes.resolved_at = match to {
                        ComplaintStatus::Resolved => Some(Some(crate::clock::now())),
                        ComplaintStatus::Open | ComplaintStatus::InProgress => Some(None),
                        ComplaintStatus::Closed => None,
                    };
                }
                let newly_assigned = match changes.assigned_employee_id {
                    Some(Some(employee)) if before.assigned_employee_id != Some(employee) => {
                        crate::employees::repo::check_active(conn, employee, "assignedEmployeeId")?;
                        Some(employee)
                    }
                    _ => None,
                };
                let row = repo::update(conn, key, &changes)?;
                let notes = notify(conn, &outbox, &row, newly_assigned, status_changed)?;
                let details = format!("{} {} -> {}", row.complaint_id, before.status, row.status);
                crate::audit::repo::record(
                    conn,
                    &actor,
                    "updateComplaint",
                    &[crate::ids::encode(Complaint::KIND, key)],
                    Some(&details),
                )?;
                Ok((row, notes))
            })
            .await?;
        publish(ctx, Event::ComplaintUpdated(row.clone()), notes);
        Ok(Complaint(row))
    }

    /// Deletes a complaint filed by mistake (staff).
    #[graphql(guard = "Require(Permission::WriteComplaints)")]
    async fn delete_complaint(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        staff_only(ctx)?;
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("id", Complaint::KIND, &id)?;
        let target = id.clone();
        db(ctx)
            .write(move |conn| {
                let row = repo::find(conn, key)?;
                repo::delete(conn, key)?;
                crate::audit::repo::record(
                    conn,
                    &actor,
                    "deleteComplaint",
                    std::slice::from_ref(&target),
                    Some(&row.complaint_id),
                )
            })
            .await?;
        Ok(id)
    }
}

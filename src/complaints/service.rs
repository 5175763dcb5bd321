//! Complaint changes, each inside the caller's transaction: filing, changing and deleting,
//! with the notifications they make and their audit entries. The caller publishes the events
//! after the commit.

use super::model::{ComplaintChanges, ComplaintRow, ComplaintStatus, NewComplaint};
use super::{repo, rules};
use crate::audit::Actor;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::ids::{self, Kind};
use crate::notifications::model::{NotificationKind, NotificationRow, Recipient};
use crate::notifications::Outbox;

/// Stores the notifications a complaint change makes: the newly assigned employee hears of
/// it, the customer hears of a new status.
fn notify(
    conn: &mut DbConn,
    outbox: &Outbox,
    row: &ComplaintRow,
    assigned: Option<i64>,
    status_changed: bool,
) -> AppResult<Vec<NotificationRow>> {
    let subject = Some(ids::encode(Kind::Complaint, row.id));
    let mut made = Vec::new();
    if let Some(employee) = assigned {
        made.extend(outbox.notify(
            conn,
            Recipient::employee(employee),
            NotificationKind::ComplaintAssigned,
            format!("Complaint {} assigned to you", row.complaint_id),
            format!("{} ({}, {})", row.title, row.category, row.priority),
            subject.clone(),
        )?);
    }
    if status_changed {
        made.extend(outbox.notify(
            conn,
            Recipient::customer(row.customer_id),
            NotificationKind::ComplaintStatusChanged,
            format!("Your complaint {} is now {}", row.complaint_id, row.status),
            row.title.clone(),
            subject,
        )?);
    }
    Ok(made)
}

/// Files `new` (its customer must exist, an assignee must be active staff) and notifies the
/// assignee.
pub fn create(
    conn: &mut DbConn,
    outbox: &Outbox,
    new: &NewComplaint,
    actor: &Actor,
) -> AppResult<(ComplaintRow, Vec<NotificationRow>)> {
    crate::customers::repo::find(conn, new.customer_id)
        .map_err(|_| AppError::bad_input("customerId", "`customerId` names no existing customer"))?;
    if let Some(employee) = new.assigned_employee_id {
        crate::employees::repo::check_active(conn, employee, "assignedEmployeeId")?;
    }
    let row = repo::insert(conn, new.clone())?;
    let notifications = notify(conn, outbox, &row, row.assigned_employee_id, false)?;
    let target = [ids::encode(Kind::Complaint, row.id)];
    crate::audit::repo::record(conn, actor, "createComplaint", &target, Some(&row.complaint_id))?;
    Ok((row, notifications))
}

/// Applies `changes` and, when given, the move to status `to` (checked by
/// [`rules::check_transition`], with `resolvedAt` set or cleared by [`rules::resolved_at`]) to
/// complaint `key`; notifies a newly assigned employee and, on a new status, the customer.
pub fn update(
    conn: &mut DbConn,
    outbox: &Outbox,
    key: i64,
    changes: &ComplaintChanges,
    to: Option<ComplaintStatus>,
    actor: &Actor,
) -> AppResult<(ComplaintRow, Vec<NotificationRow>)> {
    let before = repo::find(conn, key)?;
    let mut changes = changes.clone();
    let from = before.status;
    let status_changed = to.is_some_and(|to| to != from);
    if let Some(to) = to {
        rules::check_transition(from, to).map_err(|m| AppError::bad_input("status", m))?;
        changes.status = Some(to);
        changes.resolved_at = rules::resolved_at(to, crate::clock::now());
    }
    let newly_assigned = match changes.assigned_employee_id {
        Some(Some(employee)) if before.assigned_employee_id != Some(employee) => {
            crate::employees::repo::check_active(conn, employee, "assignedEmployeeId")?;
            Some(employee)
        }
        _ => None,
    };
    let row = repo::update(conn, key, &changes)?;
    let notifications = notify(conn, outbox, &row, newly_assigned, status_changed)?;
    let details =
        format!("{}: {}", row.complaint_id, crate::audit::diff::describe(&before.audit_fields(), &row.audit_fields()));
    let target = [ids::encode(Kind::Complaint, key)];
    crate::audit::repo::record(conn, actor, "updateComplaint", &target, Some(&details))?;
    Ok((row, notifications))
}

/// Deletes complaint `key` (filed by mistake).
pub fn delete(conn: &mut DbConn, key: i64, actor: &Actor) -> AppResult<()> {
    let row = repo::find(conn, key)?;
    repo::delete(conn, key)?;
    let target = [ids::encode(Kind::Complaint, key)];
    crate::audit::repo::record(conn, actor, "deleteComplaint", &target, Some(&row.complaint_id))
}

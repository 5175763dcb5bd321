//! Suspending customers for dues: a batch at once, or (when one of it fails) one by one.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::repo;
use crate::audit::Actor;
use crate::customers::model::{CustomerRow, CustomerStatus};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::ids::{self, Kind};
use crate::notifications::model::{NewNotification, NotificationKind, NotificationRow, Recipient};
use crate::notifications::Outbox;
use crate::settlement::service::lock_customer;

/// Suspends customer `id` for dues (checked again under the lock, and the change made only
/// while they are still ACTIVE); `None` when nothing changed (paid meanwhile, or suspended by
/// another run). The customer is told once.
pub(super) fn suspend(
    conn: &mut DbConn,
    outbox: &Outbox,
    id: i64,
    as_of: NaiveDate,
    actor: &Actor,
) -> AppResult<Option<Vec<NotificationRow>>> {
    let customer = lock_customer(conn, id, "customerId")?;
    if customer.status != CustomerStatus::Active
        || customer.never_suspend
        || !crate::settlement::repo::has_suspendable_dues(conn, id, as_of)?
        || !repo::suspend_for_dues(conn, id)?
    {
        return Ok(None);
    }
    let target = [ids::encode(Kind::Customer, id)];
    crate::audit::repo::record(conn, actor, "suspendCustomer", &target, Some(&details(as_of)))?;
    Ok(Some(tell(conn, outbox, &customer, as_of)?.into_iter().collect()))
}

/// [`suspend`] for the customers `ids` of `company` (`(id, grace days, postpaid limit days)`)
/// at once: locked in one statement, their dues checked again in one, suspended in one, audited
/// in one, told in one. The notifications made, per customer suspended.
pub(super) fn suspend_all(
    conn: &mut DbConn,
    outbox: &Outbox,
    ids: &[i64],
    company: (i64, i32, i32),
    as_of: NaiveDate,
    actor: &Actor,
) -> AppResult<Vec<Vec<NotificationRow>>> {
    let locked = repo::lock_customers(conn, ids)?;
    let active: Vec<i64> =
        locked.iter().filter(|c| c.status == CustomerStatus::Active && !c.never_suspend).map(|c| c.id).collect();
    // Read after the locks: a payment that cleared the dues meanwhile has committed.
    let owing = repo::with_suspendable_dues(conn, &active, company, as_of)?;
    let suspended = repo::suspend_all_for_dues(conn, &owing)?;
    let entries: Vec<_> = suspended
        .iter()
        .map(|id| {
            let target = [ids::encode(Kind::Customer, *id)];
            crate::audit::repo::Later::new(actor, "suspendCustomer", &target, Some(details(as_of)))
        })
        .collect();
    crate::audit::repo::record_all(conn, &entries)?;
    let suspended: Vec<&CustomerRow> = locked.iter().filter(|c| suspended.contains(&c.id)).collect();
    let news: Vec<NewNotification> = suspended.iter().map(|c| notice(outbox, c, as_of)).collect();
    let mut made: HashMap<i64, NotificationRow> =
        crate::notifications::repo::insert_all(conn, &news)?.into_iter().map(|n| (n.recipient_id, n)).collect();
    Ok(suspended.iter().map(|c| made.remove(&c.id).into_iter().collect()).collect())
}

fn details(as_of: NaiveDate) -> String {
    format!("unpaid dues, as of {as_of}")
}

/// Tells `customer` they are suspended, once per date.
fn tell(
    conn: &mut DbConn,
    outbox: &Outbox,
    customer: &CustomerRow,
    as_of: NaiveDate,
) -> AppResult<Option<NotificationRow>> {
    crate::notifications::repo::insert(conn, &notice(outbox, customer, as_of))
}

/// The notice [`tell`] stores (none when one with its `dedupe_key`, the customer's for the
/// date, is stored already).
fn notice(outbox: &Outbox, customer: &CustomerRow, as_of: NaiveDate) -> NewNotification {
    let mut new = outbox.draft(
        Recipient::customer(customer.id),
        NotificationKind::ServiceSuspended,
        "Your service is suspended".to_owned(),
        format!(
            "Dear {}, your service is suspended for unpaid dues. It comes back as soon as you pay.",
            customer.full_name
        ),
        Some(ids::encode(Kind::Customer, customer.id)),
    );
    new.dedupe_key = Some(format!("suspended:{}:{as_of}", customer.id));
    new
}

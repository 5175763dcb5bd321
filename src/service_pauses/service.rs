//! Pausing and resuming a customer's service, each inside the caller's write transaction with
//! the customer locked (the billing cycle renews under the same lock).

use chrono::NaiveDate;

use super::model::{NewServicePause, ServicePauseRow};
use super::{repo, rules};
use crate::audit::Actor;
use crate::customers::model::{CustomerChanges, CustomerRow, CustomerStatus};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::ids::{self, Kind};
use crate::settlement::service::lock_customer;

/// A pause or resume done: the customer and the pause after it, and a note for the operator.
pub struct Done {
    pub customer: CustomerRow,
    pub pause: ServicePauseRow,
    pub note: String,
}

/// Pauses the service of customer `id` from `from` (`today` when `None`; see
/// [`rules::check_pause`]): the customer becomes SUSPENDED and their period is frozen until
/// [`resume`]. Audited as `pauseService`.
pub fn pause(
    conn: &mut DbConn,
    id: i64,
    from: Option<NaiveDate>,
    reason: Option<String>,
    today: NaiveDate,
    actor: &Actor,
) -> AppResult<Done> {
    let customer = lock_customer(conn, id, "customerId")?;
    let from = from.unwrap_or(today);
    let pausable = rules::Pausable {
        status: customer.status,
        suspended_for_dues: customer.suspended_for_dues,
        start: customer.start_date,
        end: customer.end_date,
        paused_since: repo::open_of(conn, id)?.map(|p| p.paused_on),
        last_resumed: repo::last_resumed(conn, id)?,
    };
    rules::check_pause(&pausable, from, today)?;
    let now = crate::clock::now();
    let pause = repo::insert(
        conn,
        &NewServicePause {
            customer_id: id,
            paused_on: from,
            resumed_on: None,
            days: None,
            reason: reason.clone(),
            created_by: actor.employee_id(),
            resumed_by: None,
            created_at: now,
            updated_at: now,
        },
    )?;
    let changes = CustomerChanges {
        status: Some(CustomerStatus::Suspended),
        suspended_for_dues: Some(false),
        updated_at: Some(now),
        ..Default::default()
    };
    let row = crate::customers::repo::update(conn, id, &changes)?;
    let details = format!(
        "paused from {from}: ACTIVE -> SUSPENDED; endDate {} moves by the days paused on resume{}",
        customer.end_date,
        reason.map(|r| format!("; reason: {r}")).unwrap_or_default()
    );
    crate::audit::repo::record(conn, actor, "pauseService", &[ids::encode(Kind::Customer, id)], Some(&details))?;
    let note = format!(
        "service paused from {from} (SUSPENDED); the billing cycle will not renew it while paused; resumeService \
         moves endDate ({}) by the days paused",
        customer.end_date
    );
    Ok(Done { customer: row, pause, note })
}

/// Ends the open pause of customer `id` on `on` (`today` when `None`; see
/// [`rules::days_paused`]): `endDate` moves by the days paused, and the customer is ACTIVE
/// again, or stays SUSPENDED (for dues, so that paying them reactivates the service) when they
/// owe dues that would suspend them today. Audited as `resumeService`.
pub fn resume(conn: &mut DbConn, id: i64, on: Option<NaiveDate>, today: NaiveDate, actor: &Actor) -> AppResult<Done> {
    let customer = lock_customer(conn, id, "customerId")?;
    let open = repo::open_of(conn, id)?
        .ok_or_else(|| AppError::Conflict("this customer's service is not paused (pauseService pauses it)".into()))?;
    let on = on.unwrap_or(today);
    let days = rules::days_paused(open.paused_on, on, today)?;
    let end = rules::moved_end(customer.end_date, days)?;
    let dues = !customer.never_suspend && crate::settlement::repo::has_suspendable_dues(conn, id, today)?;
    let status = if dues { CustomerStatus::Suspended } else { CustomerStatus::Active };
    let now = crate::clock::now();
    let pause = repo::close(conn, open.id, on, days, actor.employee_id(), now)?;
    let changes = CustomerChanges {
        status: Some(status),
        suspended_for_dues: Some(dues),
        end_date: Some(end),
        updated_at: Some(now),
        ..Default::default()
    };
    let row = crate::customers::repo::update(conn, id, &changes)?;
    let outcome = if dues {
        "stays SUSPENDED for unpaid dues (a payment that clears them makes it ACTIVE)"
    } else {
        "SUSPENDED -> ACTIVE"
    };
    let details = format!(
        "resumed on {on} after {days} days paused from {}: endDate {} -> {end}; {outcome}",
        open.paused_on, customer.end_date
    );
    crate::audit::repo::record(conn, actor, "resumeService", &[ids::encode(Kind::Customer, id)], Some(&details))?;
    let service = if dues {
        "the service stays SUSPENDED for unpaid dues: a payment that clears them makes it ACTIVE at once"
    } else {
        "the service is ACTIVE again"
    };
    let note = format!("{days} days given back: endDate moved from {} to {end}; {service}", customer.end_date);
    Ok(Done { customer: row, pause, note })
}

/// Whether customer `id` is paused now; for changes that must not happen while they are
/// ([`crate::customers::service::change_status`]).
pub fn refuse_if_paused(conn: &mut DbConn, id: i64, what: &str) -> AppResult<()> {
    match repo::open_of(conn, id)? {
        Some(open) => Err(AppError::Conflict(format!(
            "the customer's service is paused since {} (pauseService); resume it first (resumeService), then {what}",
            open.paused_on
        ))),
        None => Ok(()),
    }
}

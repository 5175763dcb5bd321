//! Recording a plan change, and putting waiting lines on an invoice.

use chrono::NaiveDate;

use super::model::{NewPlanChange, PlanChangeRow};
use super::{repo, rules};
use crate::audit::Actor;
use crate::customers::model::CustomerRow;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::money::rupees;
use crate::plans::model::PlanRow;

/// Records that `customer` (locked, as before the change) moves from plan `old` to `new` on
/// `today`, prorated over their current period; `None` when nothing of that period is left.
pub fn record(
    conn: &mut DbConn,
    customer: &CustomerRow,
    old: &PlanRow,
    new: &PlanRow,
    today: NaiveDate,
    actor: &Actor,
) -> AppResult<Option<PlanChangeRow>> {
    // What each plan charges for the customer's current period (its price per `validityDays`,
    // pro rata over the period's months, so also right while `periodMonths` changes with it).
    let days = crate::plans::rules::period_days(customer.period_months);
    let bill = |plan: &PlanRow| {
        crate::plans::rules::worth_of_days(plan.price_paise, plan.validity_days, days)
            .ok_or_else(|| AppError::bad_input("planId", "the bill for this period is too large"))
    };
    let Some(p) = rules::prorate(bill(old)?, bill(new)?, customer.start_date, customer.end_date, today) else {
        return Ok(None);
    };
    let row = repo::insert(
        conn,
        &NewPlanChange {
            customer_id: customer.id,
            old_plan_id: Some(old.id),
            new_plan_id: Some(new.id),
            changed_on: today,
            period_start: customer.start_date,
            period_end: customer.end_date,
            unused_days: p.unused_days,
            period_days: p.period_days,
            credit_paise: p.credit,
            charge_paise: p.charge,
            net_paise: p.net(),
            carried_from_invoice_id: None,
            invoice_id: None,
            created_by: actor.employee_id(),
            created_at: crate::clock::now(),
        },
    )?;
    Ok(Some(row))
}

/// The operator's note on a recorded change.
pub fn describe(row: &PlanChangeRow, old: &PlanRow, new: &PlanRow) -> String {
    format!(
        "the next invoice credits ₹{} for the {} unused days of {} and charges ₹{} for {} (before GST)",
        rupees(row.credit_paise),
        row.unused_days,
        old.name,
        rupees(row.charge_paise),
        new.name
    )
}

/// Puts the lines `ids` on invoice `invoice_id`; a credit that did not fit (`carried`,
/// negative) waits for the invoice after, as a line of its own.
pub fn put_on(
    conn: &mut DbConn,
    customer: &CustomerRow,
    ids: &[i64],
    invoice_id: i64,
    carried: Option<i64>,
    day: NaiveDate,
) -> AppResult<()> {
    repo::mark_billed(conn, ids, invoice_id)?;
    if let Some(net) = carried {
        repo::insert(
            conn,
            &NewPlanChange {
                customer_id: customer.id,
                old_plan_id: None,
                new_plan_id: None,
                changed_on: day,
                period_start: customer.start_date,
                period_end: customer.end_date,
                unused_days: 0,
                period_days: 1,
                credit_paise: -net,
                charge_paise: 0,
                net_paise: net,
                carried_from_invoice_id: Some(invoice_id),
                invoice_id: None,
                created_by: None,
                created_at: crate::clock::now(),
            },
        )?;
    }
    Ok(())
}

//! One simulated day's events besides the cycle: payments as in the demo data, plan changes
//! and terminations.

use chrono::{Datelike, Days, NaiveDate};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::audit::Actor;
use crate::customers::model::{CustomerChanges, CustomerStatus};
use crate::db::schema::{customers, invoices, plans};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::notifications::model::NotificationKind;
use crate::payments::model::{PaymentMethod, PaymentStatus};
use crate::payments::service::PaymentRequest;
use crate::plans::model::PlanRow;

/// Per customer and day: the chance of a plan change, and of leaving.
const PLAN_CHANGE_CHANCE: f64 = 1.0 / 1_000.0;
const TERMINATION_CHANCE: f64 = 1.0 / 2_000.0;

pub fn last_invoice_id(conn: &mut DbConn) -> AppResult<i64> {
    Ok(invoices::table.select(diesel::dsl::max(invoices::id)).first::<Option<i64>>(conn)?.unwrap_or(0))
}

pub fn active_plans(conn: &mut DbConn) -> AppResult<Vec<PlanRow>> {
    Ok(plans::table.filter(plans::is_active.eq(true)).order(plans::id).load(conn)?)
}

/// How many invoices run `run_id` raised, and their total.
pub fn invoiced_by_run(conn: &mut DbConn, run_id: i64) -> AppResult<(i64, i64)> {
    let totals: Vec<i64> =
        invoices::table.filter(invoices::billing_run_id.eq(run_id)).select(invoices::total_paise).load(conn)?;
    Ok((totals.len() as i64, totals.iter().sum()))
}

/// The day's payments.
#[derive(Debug, Default)]
pub struct Paid {
    pub payments: i64,
    pub paise: i64,
    pub reactivations: i64,
}

/// How the customer pays an invoice, fixed by the invoice and the seed (as in the demo data:
/// most pay in full within a week, some late, some half, some never).
enum Habit {
    InFull(u64),
    Half(u64),
    Never,
}

fn habit(seed: u64, invoice_id: i64) -> Habit {
    let h = mix(seed ^ (invoice_id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let days = (h >> 16) % 7;
    match h % 100 {
        0..80 => Habit::InFull(days),
        80..88 => Habit::InFull(10 + (h >> 24) % 30),
        88..94 => Habit::Half(days),
        _ => Habit::Never,
    }
}

/// splitmix64's finaliser: a well-spread hash of `x`.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Pays, on `date`, the invoices raised in the simulation (after `first_invoice`) that their
/// customer's habit says are paid today, each through the payment service (so a suspended
/// customer is reactivated in the payment's transaction).
pub fn payments(conn: &mut DbConn, date: NaiveDate, first_invoice: i64, seed: u64) -> AppResult<Paid> {
    let open: Vec<(i64, i64, i64, i64, i64, NaiveDate)> = invoices::table
        .filter(invoices::id.gt(first_invoice))
        .filter(crate::db::fragments::condition("invoices.balance_paise > 0 AND invoices.status <> 'CANCELLED'"))
        .select((
            invoices::id,
            invoices::customer_id,
            invoices::total_paise,
            invoices::paid_paise,
            invoices::balance_paise,
            invoices::invoice_date,
        ))
        .load(conn)?;
    let mut paid = Paid::default();
    let actor = Actor::system();
    let outbox = crate::notifications::Outbox::default();
    for (id, customer, total, already, balance, invoice_date) in open {
        let (after, amount) = match habit(seed, id) {
            Habit::InFull(days) => (days, balance),
            Habit::Half(days) if already == 0 => (days, total / 2),
            _ => continue,
        };
        if invoice_date.checked_add_days(Days::new(after)).is_none_or(|d| d > date) || amount <= 0 {
            continue;
        }
        let request = PaymentRequest {
            customer_id: Some(customer),
            invoice_id: Some(id),
            amount,
            method: if id % 3 == 0 { PaymentMethod::Cash } else { PaymentMethod::Googlepay },
            reference: (id % 3 != 0).then(|| format!("SIM{id:012}")),
            remarks: None,
            status: PaymentStatus::Completed,
            keep_excess_as_advance: false,
            upi_utr: None,
            from_gateway: false,
        };
        let (_, notifications) =
            conn.transaction(|conn| crate::payments::service::create_payment(conn, &outbox, &request, &actor))?;
        paid.payments += 1;
        paid.paise += amount;
        paid.reactivations +=
            notifications.iter().filter(|n| n.kind == NotificationKind::ServiceReactivated).count() as i64;
    }
    Ok(paid)
}

/// The day's plan changes and terminations.
#[derive(Debug, Default)]
pub struct Changes {
    pub plan_changes: i64,
    pub terminated: Vec<i64>,
}

/// A few customers (drawn by the seed and the date) change to another plan of their company
/// and service, and a few leave (TERMINATED).
pub fn changes(conn: &mut DbConn, date: NaiveDate, seed: u64, plans: &[PlanRow]) -> AppResult<Changes> {
    let mut rng = StdRng::seed_from_u64(seed ^ (u64::from(date.num_days_from_ce().unsigned_abs()) << 20));
    let people: Vec<(i64, i64, CustomerStatus)> = customers::table
        .filter(customers::status.ne(CustomerStatus::Terminated))
        .order(customers::id)
        .select((customers::id, customers::plan_id, customers::status))
        .load(conn)?;
    let actor = Actor::system();
    let mut out = Changes::default();
    for (id, plan_id, _) in people {
        if rng.random_bool(TERMINATION_CHANCE) {
            conn.transaction(|conn| {
                crate::customers::service::change_status(
                    conn,
                    id,
                    CustomerStatus::Terminated,
                    Some("simulated"),
                    &actor,
                )
            })?;
            out.terminated.push(id);
        } else if rng.random_bool(PLAN_CHANGE_CHANCE) {
            let Some(current) = plans.iter().find(|p| p.id == plan_id) else { continue };
            let others: Vec<&PlanRow> = plans
                .iter()
                .filter(|p| p.id != plan_id && p.company_id == current.company_id)
                .filter(|p| p.service_type == current.service_type)
                .collect();
            if others.is_empty() {
                continue;
            }
            let to = others[rng.random_range(0..others.len())].id;
            let changes =
                CustomerChanges { plan_id: Some(to), updated_at: Some(crate::clock::now()), ..Default::default() };
            conn.transaction(|conn| crate::customers::service::update(conn, id, &changes, None, &actor))?;
            out.plan_changes += 1;
        }
    }
    Ok(out)
}

//! `isp-billing simulate`: a demo database lived through day by day on a scratch database.
//! Each day the billing cycle runs at 02:00 (business time), customers pay during the day as
//! they do in the demo data, and a few change plans or leave; at the end every invariant the
//! cycle promises is checked ([`checks`]). The process's clock is moved to each simulated day
//! ([`crate::clock::simulate_at`]), so timestamps, numbers and "today" are the day's.

pub mod checks;
pub mod day;

use std::collections::{BTreeMap, HashMap};

use chrono::{Days, NaiveDate};

use crate::audit::Actor;
use crate::billing_cycle::service::Cycle;
use crate::db::Db;

/// What one simulated month did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Month {
    pub invoices: i64,
    pub invoiced_paise: i64,
    pub payments: i64,
    pub collected_paise: i64,
    pub suspensions: i64,
    pub reactivations: i64,
    pub plan_changes: i64,
    pub terminations: i64,
}

/// A finished simulation.
#[derive(Debug, Clone)]
pub struct Report {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// Keyed by the month's first day.
    pub months: BTreeMap<NaiveDate, Month>,
    /// Every invariant found broken (empty when all hold).
    pub violations: Vec<String>,
}

/// Seeds `customers` demo customers into `db` (which must be empty) and lives through the
/// `days` days after today.
pub async fn run(db: &Db, customers: usize, days: u32, seed: u64) -> anyhow::Result<Report> {
    crate::seed::seed_demo(db, customers, seed).await?;
    let start = crate::clock::today();
    let first_invoice = db.read(day::last_invoice_id).await?;
    let plans = db.read(day::active_plans).await?;
    let cycle = Cycle { db: db.clone(), outbox: crate::notifications::Outbox::default(), events: Default::default() };
    let mut months: BTreeMap<NaiveDate, Month> = BTreeMap::new();
    let mut terminated: HashMap<i64, NaiveDate> = HashMap::new();
    let mut last_day = start;
    for n in 1..=u64::from(days) {
        let date = start.checked_add_days(Days::new(n)).ok_or_else(|| anyhow::anyhow!("past the calendar"))?;
        last_day = date;
        let month = months.entry(crate::clock::month_start(date)).or_default();

        crate::clock::simulate_at(date.and_hms_opt(2, 0, 0).unwrap_or_default());
        let run = crate::billing_cycle::service::run(&cycle, date, Actor::system()).await?;
        if run.errors > 0 {
            anyhow::bail!("the billing run of {date} recorded {} errors; see billingRuns", run.errors);
        }
        month.suspensions += run.suspended;
        let (count, paise) = db.read(move |conn| day::invoiced_by_run(conn, run.id)).await?;
        month.invoices += count;
        month.invoiced_paise += paise;

        crate::clock::simulate_at(date.and_hms_opt(11, 0, 0).unwrap_or_default());
        let paid = db.write(move |conn| day::payments(conn, date, first_invoice, seed)).await?;
        month.payments += paid.payments;
        month.collected_paise += paid.paise;
        month.reactivations += paid.reactivations;

        crate::clock::simulate_at(date.and_hms_opt(16, 0, 0).unwrap_or_default());
        let plans = plans.clone();
        let changes = db.write(move |conn| day::changes(conn, date, seed, &plans)).await?;
        month.plan_changes += changes.plan_changes;
        month.terminations += changes.terminated.len() as i64;
        terminated.extend(changes.terminated.into_iter().map(|id| (id, date)));
    }
    let violations = db.read(move |conn| checks::all(conn, last_day, first_invoice, &terminated)).await?;
    Ok(Report { first_day: start, last_day, months, violations })
}

impl Report {
    /// The per-month table and the verdict, as `simulate` prints them.
    pub fn render(&self) -> String {
        let rupees = crate::money::rupees;
        let mut out = format!(
            "{:<8} {:>9} {:>15} {:>9} {:>15} {:>9} {:>11} {:>8} {:>10}\n",
            "month",
            "invoices",
            "invoiced ₹",
            "payments",
            "collected ₹",
            "suspended",
            "reactivated",
            "plan chg",
            "terminated"
        );
        for (month, m) in &self.months {
            out.push_str(&format!(
                "{:<8} {:>9} {:>15} {:>9} {:>15} {:>9} {:>11} {:>8} {:>10}\n",
                month.format("%Y-%m"),
                m.invoices,
                rupees(m.invoiced_paise),
                m.payments,
                rupees(m.collected_paise),
                m.suspensions,
                m.reactivations,
                m.plan_changes,
                m.terminations
            ));
        }
        if self.violations.is_empty() {
            out.push_str("invariants: all hold\n");
        } else {
            out.push_str(&format!("invariants: {} BROKEN\n", self.violations.len()));
            for v in &self.violations {
                out.push_str(&format!("  {v}\n"));
            }
        }
        out
    }
}

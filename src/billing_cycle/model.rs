use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::text_enum;

text_enum! {
    /// Where a billing run stands.
    pub enum RunStatus {
        /// Started and not finished: still going, or stopped by a crash (running the same date
        /// again finishes it).
        Running => "RUNNING",
        Finished => "FINISHED",
    }
}

/// A row of `billing_runs`: one per business date.
#[derive(Debug, Clone, Queryable)]
pub struct BillingRunRow {
    pub id: i64,
    pub as_of: NaiveDate,
    pub status: RunStatus,
    /// `scheduler`, or the staff member who asked.
    pub started_by: String,
    pub started_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    /// How many times the date was run (a re-run after a crash, or by hand).
    pub attempts: i32,
    pub renewed: i64,
    pub overdue: i64,
    pub suspended: i64,
    pub reminders: i64,
    pub errors: i64,
}

/// Narrows `billingRuns`: by status, and by the business date run (`from`, `to` included).
#[derive(Debug, Clone, Copy, Default)]
pub struct RunFilter {
    pub status: Option<RunStatus>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// A row of `billing_run_errors`.
#[derive(Debug, Clone, Queryable)]
pub struct RunErrorRow {
    pub id: i64,
    pub run_id: i64,
    pub customer_id: i64,
    pub message: String,
    pub created_at: NaiveDateTime,
}

/// What one batch did, added to its run's counts in the batch's own transaction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub renewed: i64,
    pub overdue: i64,
    pub suspended: i64,
    pub reminders: i64,
    pub errors: i64,
}

/// An invoice a run would mark OVERDUE (what a preview reports of it).
#[derive(Debug, Clone)]
pub struct Overdue {
    pub invoice_id: i64,
    pub customer_id: i64,
    pub balance_paise: i64,
}

//! What reports are asked for, and the ageing rule.

use chrono::{Days, NaiveDate};

use crate::dashboard::model::Scope;
use crate::error::{AppError, AppResult};
use crate::payments::model::PaymentMethod;
use crate::text_enum;

/// Longest date range a report covers, in days.
pub const MAX_RANGE_DAYS: i64 = 3660;

/// Business dates from `from` to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DateRange {
    /// The range asked for; this month up to today where an end is left out.
    pub fn new(from: Option<NaiveDate>, to: Option<NaiveDate>, today: NaiveDate) -> AppResult<DateRange> {
        let to = to.unwrap_or(today);
        let from = from.unwrap_or_else(|| crate::clock::month_start(to));
        if from > to {
            return Err(AppError::bad_input("from", format!("`from` ({from}) must not be after `to` ({to})")));
        }
        if (to - from).num_days() >= MAX_RANGE_DAYS {
            return Err(AppError::bad_input("to", format!("a report covers at most {MAX_RANGE_DAYS} days")));
        }
        Ok(DateRange { from, to })
    }

    /// The day after `to`: the range as half-open `[from, end)`.
    pub fn end(&self) -> NaiveDate {
        self.to.checked_add_days(Days::new(1)).unwrap_or(self.to)
    }
}

/// What a report is narrowed by. Reports ignore what does not apply to them (expenses have no
/// locality, method or collector).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportFilter {
    pub scope: Scope,
    pub range: DateRange,
    pub method: Option<PaymentMethod>,
    pub collector_id: Option<i64>,
}

text_enum! {
    /// How the revenue report groups invoices.
    pub enum RevenueGrouping {
        /// By the customer's plan.
        Plan => "PLAN",
        /// By the customer's locality.
        Locality => "LOCALITY",
    }
}

/// Ageing buckets: how long past its due date an unpaid balance is, on the report's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// Due date still ahead.
    NotDue,
    /// Due today or up to 30 days ago.
    Days0To30,
    Days31To60,
    Days61To90,
    /// More than 90 days past due.
    Over90,
}

/// The bucket of a balance due on `due` as seen on `as_of`.
pub fn bucket(as_of: NaiveDate, due: NaiveDate) -> Bucket {
    match (as_of - due).num_days() {
        d if d < 0 => Bucket::NotDue,
        0..=30 => Bucket::Days0To30,
        31..=60 => Bucket::Days31To60,
        61..=90 => Bucket::Days61To90,
        _ => Bucket::Over90,
    }
}

/// The earliest due date in each past-due bucket on `as_of` (0–30, 31–60, 61–90), for SQL
/// that compares dates: a balance is in 0–30 when `due >= bounds[0]` and `due <= as_of`.
pub fn bucket_bounds(as_of: NaiveDate) -> [NaiveDate; 3] {
    let back = |days| as_of.checked_sub_days(Days::new(days)).unwrap_or(as_of);
    [back(30), back(60), back(90)]
}

/// A customer's (or everyone's) unpaid balances by bucket, in paise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ageing {
    pub not_due: i64,
    pub days_0_30: i64,
    pub days_31_60: i64,
    pub days_61_90: i64,
    pub over_90: i64,
}

impl Ageing {
    pub fn total(&self) -> i64 {
        self.not_due + self.days_0_30 + self.days_31_60 + self.days_61_90 + self.over_90
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn buckets_at_their_edges() {
        let as_of = d("2026-03-31");
        assert_eq!(bucket(as_of, d("2026-04-01")), Bucket::NotDue);
        assert_eq!(bucket(as_of, d("2026-03-31")), Bucket::Days0To30);
        assert_eq!(bucket(as_of, d("2026-03-01")), Bucket::Days0To30);
        assert_eq!(bucket(as_of, d("2026-02-28")), Bucket::Days31To60);
        assert_eq!(bucket(as_of, d("2026-01-30")), Bucket::Days31To60);
        assert_eq!(bucket(as_of, d("2026-01-29")), Bucket::Days61To90);
        assert_eq!(bucket(as_of, d("2025-12-31")), Bucket::Days61To90);
        assert_eq!(bucket(as_of, d("2025-12-30")), Bucket::Over90);
        // The SQL bounds agree with the rule.
        let [b30, b60, b90] = bucket_bounds(as_of);
        assert_eq!(bucket(as_of, b30), Bucket::Days0To30);
        assert_eq!(bucket(as_of, b30.pred_opt().unwrap()), Bucket::Days31To60);
        assert_eq!(bucket(as_of, b60), Bucket::Days31To60);
        assert_eq!(bucket(as_of, b90), Bucket::Days61To90);
        assert_eq!(bucket(as_of, b90.pred_opt().unwrap()), Bucket::Over90);
    }

    #[test]
    fn buckets_across_a_leap_day() {
        let as_of = d("2028-03-30");
        assert_eq!(bucket(as_of, d("2028-02-29")), Bucket::Days0To30);
        assert_eq!(bucket(as_of, d("2028-02-28")), Bucket::Days31To60);
    }

    #[test]
    fn ranges_default_to_this_month_and_refuse_backwards() {
        let today = d("2026-11-29");
        assert_eq!(DateRange::new(None, None, today).unwrap(), DateRange { from: d("2026-11-01"), to: today });
        assert_eq!(DateRange::new(None, None, today).unwrap().end(), d("2026-11-30"));
        let e = DateRange::new(Some(d("2026-12-01")), Some(d("2026-11-01")), today).unwrap_err();
        assert!(matches!(e, AppError::BadInput { ref field, .. } if field == "from"));
    }
}

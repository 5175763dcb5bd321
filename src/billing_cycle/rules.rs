//! The cycle's rules on dates, as pure functions.

use chrono::NaiveDate;

use crate::customers::rules::end_date;

/// Most periods one customer is renewed by in one run (a customer far behind catches up, but a
/// wrong date cannot make thousands of invoices).
pub const MAX_PERIODS_PER_RUN: usize = 24;

/// A service period: `start` included, `end` the day the next one starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The periods to bill on `as_of` for service ending on `end` and `months` long: each starts
/// where the last ended (the original system's rule: end = start + 30 × months), while a
/// period has started on or before `as_of`. Empty when the service runs past `as_of`.
pub fn periods_due(end: NaiveDate, months: i32, as_of: NaiveDate) -> Vec<Period> {
    let mut out = Vec::new();
    let mut start = end;
    while start <= as_of && out.len() < MAX_PERIODS_PER_RUN {
        let Some(next) = end_date(start, months) else { break };
        out.push(Period { start, end: next });
        start = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn renewal_periods_follow_thirty_days_a_month() {
        assert_eq!(periods_due(d("2026-11-30"), 1, d("2026-11-29")), []);
        assert_eq!(
            periods_due(d("2026-11-30"), 1, d("2026-11-30")),
            [Period { start: d("2026-11-30"), end: d("2026-12-30") }]
        );
        // Across the year end, and three months at once.
        assert_eq!(
            periods_due(d("2026-12-31"), 3, d("2026-12-31")),
            [Period { start: d("2026-12-31"), end: d("2027-03-31") }]
        );
    }

    #[test]
    fn renewals_through_a_leap_february() {
        // 30 days from 31 January 2028 is 1 March (February has 29 days).
        assert_eq!(periods_due(d("2028-01-31"), 1, d("2028-01-31"))[0].end, d("2028-03-01"));
        // A period starting on 29 February.
        assert_eq!(periods_due(d("2028-02-29"), 1, d("2028-03-01"))[0].end, d("2028-03-30"));
        // In a common year 30 days from 31 January is 2 March.
        assert_eq!(periods_due(d("2027-01-31"), 1, d("2027-01-31"))[0].end, d("2027-03-02"));
    }

    #[test]
    fn a_customer_behind_catches_up_period_by_period() {
        let due = periods_due(d("2026-09-01"), 1, d("2026-11-29"));
        let starts: Vec<NaiveDate> = due.iter().map(|p| p.start).collect();
        assert_eq!(starts, [d("2026-09-01"), d("2026-10-01"), d("2026-10-31")]);
        assert_eq!(due[2].end, d("2026-11-30"));
        assert_eq!(periods_due(d("2000-01-01"), 1, d("2026-11-29")).len(), MAX_PERIODS_PER_RUN);
    }
}

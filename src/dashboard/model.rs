//! What the dashboard reads and returns, and the periods it reads over.

use chrono::{Days, NaiveDate, NaiveDateTime};

use crate::clock;

/// Which customers a figure covers: all, or one company's, or one locality's (or both).
/// Invoice figures take the company an invoice was issued by; payments and customers the
/// customer's company.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    pub company_id: Option<i64>,
    pub locality_id: Option<i64>,
}

/// The business dates the dashboard's columns cover, from "today" in the business time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    pub today: NaiveDate,
    pub tomorrow: NaiveDate,
    pub month_start: NaiveDate,
    pub next_month_start: NaiveDate,
    pub last_month_start: NaiveDate,
}

impl Periods {
    pub fn at(today: NaiveDate) -> Periods {
        Periods {
            today,
            tomorrow: today.checked_add_days(Days::new(1)).unwrap_or(today),
            month_start: clock::month_start(today),
            next_month_start: clock::next_month_start(today),
            last_month_start: clock::previous_month_start(today),
        }
    }

    /// The last day customers count as "expiring soon": a week from today.
    pub fn expiring_until(&self) -> NaiveDate {
        self.today.checked_add_days(Days::new(DAYS_EXPIRING)).unwrap_or(self.today)
    }

    /// The first day of the daily collections series.
    pub fn series_start(&self) -> NaiveDate {
        self.today.checked_sub_days(Days::new(SERIES_DAYS - 1)).unwrap_or(self.today)
    }

    /// Business dates as the UTC instants they begin at, for timestamp columns.
    pub fn instant(date: NaiveDate) -> NaiveDateTime {
        clock::start_of(date)
    }
}

/// "Expiring" means a service end date within this many days from today (both ends included).
pub const DAYS_EXPIRING: u64 = 7;
/// Days in the daily collections series, today included.
pub const SERIES_DAYS: u64 = 30;
/// Open complaints older than this many hours are counted apart.
pub const COMPLAINT_AGE_HOURS: i64 = 48;

/// An amount for today, this month and last month, in paise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThreePeriods {
    pub today: i64,
    pub this_month: i64,
    pub last_month: i64,
}

impl ThreePeriods {
    /// Each period of `self` less the same period of `other`.
    pub fn less(&self, other: &ThreePeriods) -> ThreePeriods {
        ThreePeriods {
            today: self.today - other.today,
            this_month: self.this_month - other.this_month,
            last_month: self.last_month - other.last_month,
        }
    }
}

/// The dashboard's single figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub invoiced: ThreePeriods,
    /// COMPLETED payments by the time received: gross, before refunds.
    pub collected: ThreePeriods,
    /// Refunds by the time they were made.
    pub refunded: ThreePeriods,
    pub outstanding: i64,
    pub expenses_this_month: i64,
    pub new_customers: i64,
    pub renewed_customers: i64,
    pub expiring_customers: i64,
}

impl Summary {
    /// Collections net of refunds: what was received less what was paid back, per period.
    pub fn collected_net(&self) -> ThreePeriods {
        self.collected.less(&self.refunded)
    }

    /// Collections net of refunds this month less expenses this month (a profit figure,
    /// before tax).
    pub fn net(&self) -> i64 {
        self.collected_net().this_month - self.expenses_this_month
    }
}

/// A group and its count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count<K> {
    pub key: K,
    pub count: i64,
}

/// Money and the number of payments in a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collected<K> {
    pub key: K,
    pub amount: i64,
    pub count: i64,
}

/// One day of the collections series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayAmount {
    pub date: NaiveDate,
    pub amount: i64,
}

/// Every day from `first` to `last`, with the amounts found (zero for days without).
pub fn fill_days(first: NaiveDate, last: NaiveDate, found: &[DayAmount]) -> Vec<DayAmount> {
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|date| DayAmount { date, amount: found.iter().filter(|f| f.date == date).map(|f| f.amount).sum() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_around_a_year_end() {
        let p = Periods::at(d("2027-01-01"));
        assert_eq!(p.month_start, d("2027-01-01"));
        assert_eq!(p.last_month_start, d("2026-12-01"));
        assert_eq!(p.next_month_start, d("2027-02-01"));
        assert_eq!(p.expiring_until(), d("2027-01-08"));
        assert_eq!(p.series_start(), d("2026-12-03"));
    }

    #[test]
    fn periods_in_a_leap_february() {
        let p = Periods::at(d("2028-02-29"));
        assert_eq!(p.tomorrow, d("2028-03-01"));
        assert_eq!(p.next_month_start, d("2028-03-01"));
        assert_eq!(p.series_start(), d("2028-01-31"));
    }

    #[test]
    fn the_series_has_every_day() {
        let days = fill_days(d("2026-11-28"), d("2026-12-01"), &[DayAmount { date: d("2026-11-30"), amount: 500 }]);
        let amounts: Vec<i64> = days.iter().map(|x| x.amount).collect();
        assert_eq!(amounts, [0, 0, 500, 0]);
        assert_eq!(days[3].date, d("2026-12-01"));
    }

    #[test]
    fn net_is_collections_less_refunds_less_expenses() {
        let s = Summary {
            collected: ThreePeriods { today: 1, this_month: 10_000, last_month: 7 },
            expenses_this_month: 12_500,
            ..Summary::default()
        };
        assert_eq!(s.net(), -2_500);
        let s = Summary { refunded: ThreePeriods { today: 0, this_month: 1_500, last_month: 9 }, ..s };
        assert_eq!(s.collected_net(), ThreePeriods { today: 1, this_month: 8_500, last_month: -2 });
        assert_eq!(s.net(), -4_000);
    }
}

//! Time: UTC for every stored timestamp; the business time zone (`ISP_TIME_ZONE`, default
//! `Asia/Kolkata`, from the tz database) for business dates, invoice numbers, "today" and
//! "this month". Dates are turned into UTC instants through the zone's real rules (no fixed
//! offsets), so a zone with daylight saving gets its 23- and 25-hour days right.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::OnceLock;

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The default business time zone.
pub const DEFAULT_ZONE: Tz = chrono_tz::Asia::Kolkata;

static ZONE: OnceLock<Tz> = OnceLock::new();

/// Sets the business time zone for this process (once; the server and its commands call it
/// at start). A second call with a different zone is refused: dates already handed out would
/// disagree.
pub fn use_zone(zone: Tz) -> Result<(), String> {
    let set = *ZONE.get_or_init(|| zone);
    if set == zone {
        Ok(())
    } else {
        Err(format!("the business time zone is already {set}; this process cannot switch to {zone}"))
    }
}

/// The business time zone.
pub fn zone() -> Tz {
    *ZONE.get().unwrap_or(&DEFAULT_ZONE)
}

/// Parses a tz database name (`Asia/Kolkata`, `UTC`), for `ISP_TIME_ZONE`.
pub fn parse_zone(name: &str) -> Result<Tz, String> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| format!("`{name}` is not a time zone of the tz database (e.g. Asia/Kolkata, Asia/Dubai, UTC)"))
}

/// How far this process's clock is moved from the real one, in microseconds: always 0 in the
/// server; only `isp-billing simulate` moves it, to live through days on a scratch database.
static SHIFT_MICROS: AtomicI64 = AtomicI64::new(0);

/// Moves this process's clock so that the business wall clock reads `local` now, and runs on
/// from there (`simulate` only; the server never calls it).
pub fn simulate_at(local: NaiveDateTime) {
    let target = zone().from_local_datetime(&local).earliest().map_or(local, |t| t.naive_utc());
    let shift = target - Utc::now().naive_utc();
    SHIFT_MICROS.store(shift.num_microseconds().unwrap_or(0), Ordering::Relaxed);
}

thread_local! {
    /// How far [`as_if_on`] moved this thread's clock, in microseconds.
    static THREAD_SHIFT_MICROS: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
}

/// Runs `f` with this thread's clock moved by whole days so that the business date is `date`
/// (at the time of day it is now): a preview of a later day runs the rules as they would run
/// on it (invoice dates, the financial year of numbers). Only this thread, only during `f`.
pub fn as_if_on<T>(date: NaiveDate, f: impl FnOnce() -> T) -> T {
    struct Restore(i64);
    impl Drop for Restore {
        fn drop(&mut self) {
            THREAD_SHIFT_MICROS.with(|s| s.set(self.0));
        }
    }
    let before = THREAD_SHIFT_MICROS.with(|s| s.get());
    let _restore = Restore(before);
    let days = (date - today()).num_days();
    THREAD_SHIFT_MICROS.with(|s| s.set(before.saturating_add(days.saturating_mul(86_400_000_000))));
    f()
}

fn utc_now() -> chrono::DateTime<Utc> {
    let shift = SHIFT_MICROS.load(Ordering::Relaxed).saturating_add(THREAD_SHIFT_MICROS.with(|s| s.get()));
    Utc::now() + chrono::Duration::microseconds(shift)
}

/// Now, in UTC, to the microsecond (what both databases store).
pub fn now() -> NaiveDateTime {
    let now = utc_now().naive_utc();
    now - chrono::Duration::nanoseconds(i64::from(now.and_utc().timestamp_subsec_nanos() % 1000))
}

/// Now on the business wall clock.
pub fn local_now() -> NaiveDateTime {
    utc_now().with_timezone(&zone()).naive_local()
}

/// Today's business date.
pub fn today() -> NaiveDate {
    local_now().date()
}

/// The business date of a stored (UTC) timestamp.
pub fn business_date(utc: NaiveDateTime) -> NaiveDate {
    in_zone(zone(), utc).date()
}

/// A stored (UTC) timestamp on the business wall clock.
pub fn business_time(utc: NaiveDateTime) -> NaiveDateTime {
    in_zone(zone(), utc)
}

fn in_zone(zone: Tz, utc: NaiveDateTime) -> NaiveDateTime {
    Utc.from_utc_datetime(&utc).with_timezone(&zone).naive_local()
}

/// The UTC instant a business date begins at (its first wall-clock minute that exists).
pub fn start_of(date: NaiveDate) -> NaiveDateTime {
    start_in(zone(), date)
}

fn start_in(zone: Tz, date: NaiveDate) -> NaiveDateTime {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    // A zone may skip midnight (a daylight-saving start at 00:00): take the first minute
    // after it that exists.
    (0..=180)
        .find_map(|minutes| zone.from_local_datetime(&(midnight + chrono::Duration::minutes(minutes))).earliest())
        .map(|t| t.naive_utc())
        .unwrap_or(midnight)
}

/// The first day of `date`'s month.
pub fn month_start(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// The first day of the month before `date`'s.
pub fn previous_month_start(date: NaiveDate) -> NaiveDate {
    month_start(date).checked_sub_months(Months::new(1)).unwrap_or(date)
}

/// The first day of the month after `date`'s.
pub fn next_month_start(date: NaiveDate) -> NaiveDate {
    month_start(date).checked_add_months(Months::new(1)).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn india_days_begin_at_1830_utc_the_day_before() {
        assert_eq!(start_in(DEFAULT_ZONE, d("2026-12-01")), t("2026-11-30 18:30:00"));
        // 23:30 IST on 30 November is still November; 00:10 IST on 1 December is December.
        assert_eq!(in_zone(DEFAULT_ZONE, t("2026-11-30 18:00:00")).date(), d("2026-11-30"));
        assert_eq!(in_zone(DEFAULT_ZONE, t("2026-11-30 18:40:00")).date(), d("2026-12-01"));
    }

    #[test]
    fn daylight_saving_days_have_their_real_length() {
        let london = chrono_tz::Europe::London;
        // 29 March 2026: clocks go from 01:00 to 02:00 GMT, a 23-hour day.
        let day = start_in(london, d("2026-03-30")) - start_in(london, d("2026-03-29"));
        assert_eq!(day, chrono::Duration::hours(23));
        // A zone that skips midnight (America/Santiago in September) starts the day at 01:00.
        let santiago = chrono_tz::America::Santiago;
        let start = start_in(santiago, d("2026-09-06"));
        assert_eq!(in_zone(santiago, start), t("2026-09-06 01:00:00"));
    }

    #[test]
    fn months_step_over_year_ends_and_short_months() {
        assert_eq!(previous_month_start(d("2026-01-15")), d("2025-12-01"));
        assert_eq!(next_month_start(d("2026-12-31")), d("2027-01-01"));
        assert_eq!(next_month_start(d("2028-01-31")), d("2028-02-01"));
        assert_eq!(month_start(d("2028-02-29")), d("2028-02-01"));
    }

    #[test]
    fn zones_are_read_by_name() {
        assert_eq!(parse_zone("Asia/Kolkata").unwrap(), DEFAULT_ZONE);
        assert!(parse_zone("IST+5:30").unwrap_err().contains("tz database"));
    }
}

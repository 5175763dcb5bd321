//! When a service may be paused and resumed, and what a pause gives back, as pure functions.
//!
//! A customer's period runs from `start` (included) to `end` (the day the next one starts). A
//! pause from day `paused_on` to day `resumed_on` stops the service for `resumed_on −
//! paused_on` days; on resume the period's `end` moves by exactly that many days, so the days
//! paid for and not served are given back. While the pause is open the period is frozen: the
//! billing cycle does not renew the customer, even when `end` passes, and renews them from the
//! moved `end` afterwards.
//!
//! A pause starts the day it is recorded or earlier (a customer who left yesterday and calls
//! today), never later: the status the network reads (SUSPENDED) and the record then always
//! agree, with no job that must run on the day for the pause to begin.

use chrono::{Days, NaiveDate};

use crate::customers::model::CustomerStatus;
use crate::error::{AppError, AppResult};

/// What a pause is checked against: the customer, as locked.
#[derive(Debug, Clone, Copy)]
pub struct Pausable {
    pub status: CustomerStatus,
    pub suspended_for_dues: bool,
    /// The current period, `[start, end)`.
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// When the customer's open pause began, if one is open.
    pub paused_since: Option<NaiveDate>,
    /// When the customer's last pause ended, if any did.
    pub last_resumed: Option<NaiveDate>,
}

/// Whether the service of `c` may be paused from `from` on `today`: only an ACTIVE customer not
/// paused already (`CONFLICT` otherwise: a suspension for dues is paid, not paused), from a day
/// of the current period, not in the future and not before the last pause ended
/// (`BAD_USER_INPUT` on `from`).
pub fn check_pause(c: &Pausable, from: NaiveDate, today: NaiveDate) -> AppResult<()> {
    if let Some(since) = c.paused_since {
        return Err(AppError::Conflict(format!(
            "the service is already paused since {since}; resume it first (resumeService)"
        )));
    }
    match c.status {
        CustomerStatus::Active => {}
        CustomerStatus::Terminated => {
            return Err(AppError::Conflict("a TERMINATED customer's service cannot be paused".into()))
        }
        CustomerStatus::Suspended if c.suspended_for_dues => {
            return Err(AppError::Conflict(
                "the customer is SUSPENDED for unpaid dues, and a pause is no way around them: once they are paid \
                 the service is ACTIVE again and can be paused"
                    .into(),
            ))
        }
        other => {
            return Err(AppError::Conflict(format!(
                "only an ACTIVE customer's service can be paused; this customer is {}",
                other.as_str()
            )))
        }
    }
    if from > today {
        return Err(AppError::bad_input(
            "from",
            format!("`from` ({from}) is in the future: record the pause on the day the customer leaves (or after)"),
        ));
    }
    if from < c.start || from >= c.end {
        let last = c.end.pred_opt().unwrap_or(c.end);
        let why =
            if today >= c.end { " (that period has ended and the billing cycle has not renewed it yet)" } else { "" };
        return Err(AppError::bad_input(
            "from",
            format!("`from` ({from}) must lie in the current service period, {} to {last}{why}", c.start),
        ));
    }
    if let Some(resumed) = c.last_resumed.filter(|r| from < *r) {
        return Err(AppError::bad_input(
            "from",
            format!("`from` ({from}) is before the customer's last pause ended ({resumed})"),
        ));
    }
    Ok(())
}

/// The days a pause from `paused_on` gives back when it ends on `on` (`today` the latest day
/// allowed): `on − paused_on`. `BAD_USER_INPUT` on `on` when it is before the pause began or in
/// the future.
pub fn days_paused(paused_on: NaiveDate, on: NaiveDate, today: NaiveDate) -> AppResult<i32> {
    if on > today {
        return Err(AppError::bad_input(
            "on",
            format!("`on` ({on}) is in the future: resume the service on the day the customer is back"),
        ));
    }
    if on < paused_on {
        return Err(AppError::bad_input("on", format!("`on` ({on}) is before the pause began ({paused_on})")));
    }
    i32::try_from((on - paused_on).num_days()).map_err(|_| AppError::bad_input("on", "the pause is too long"))
}

/// The period's end after `days` were given back.
pub fn moved_end(end: NaiveDate, days: i32) -> AppResult<NaiveDate> {
    u64::try_from(days)
        .ok()
        .and_then(|d| end.checked_add_days(Days::new(d)))
        .ok_or_else(|| AppError::bad_input("on", "the moved end date is outside the calendar"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::codes;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn active() -> Pausable {
        Pausable {
            status: CustomerStatus::Active,
            suspended_for_dues: false,
            start: d("2026-11-01"),
            end: d("2026-12-01"),
            paused_since: None,
            last_resumed: None,
        }
    }

    fn field(e: &AppError) -> Option<&str> {
        e.details().filter(|(k, _)| *k == "field").map(|(_, f)| f)
    }

    fn refused(c: &Pausable, from: &str, today: &str) -> (&'static str, Option<String>) {
        let e = check_pause(c, d(from), d(today)).unwrap_err();
        (e.code(), field(&e).map(str::to_owned))
    }

    #[test]
    fn a_pause_starts_in_the_current_period_today_or_before() {
        let c = active();
        assert!(check_pause(&c, d("2026-11-20"), d("2026-11-20")).is_ok());
        assert!(check_pause(&c, d("2026-11-01"), d("2026-11-20")).is_ok(), "the period's first day");
        assert!(check_pause(&c, d("2026-11-30"), d("2026-11-30")).is_ok(), "its last day");
        let from = Some("from".to_owned());
        assert_eq!(refused(&c, "2026-11-21", "2026-11-20"), (codes::BAD_USER_INPUT, from.clone()), "future");
        assert_eq!(refused(&c, "2026-10-31", "2026-11-20"), (codes::BAD_USER_INPUT, from.clone()), "before");
        // The period ended and is not renewed yet: its end is not in it.
        assert_eq!(refused(&c, "2026-12-01", "2026-12-01"), (codes::BAD_USER_INPUT, from.clone()));
        let e = check_pause(&c, d("2026-12-01"), d("2026-12-01")).unwrap_err();
        assert!(e.message().contains("2026-11-01 to 2026-11-30"), "{}", e.message());
        // Not over the last pause.
        let after = Pausable { last_resumed: Some(d("2026-11-10")), ..c };
        assert_eq!(refused(&after, "2026-11-09", "2026-11-20"), (codes::BAD_USER_INPUT, from));
        assert!(check_pause(&after, d("2026-11-10"), d("2026-11-20")).is_ok());
    }

    #[test]
    fn only_an_active_customer_not_paused_is_paused() {
        let c = active();
        let conflict = (codes::CONFLICT, None);
        let paused = Pausable { paused_since: Some(d("2026-11-05")), status: CustomerStatus::Suspended, ..c };
        assert_eq!(refused(&paused, "2026-11-20", "2026-11-20"), conflict);
        for status in [CustomerStatus::Terminated, CustomerStatus::Deactive, CustomerStatus::Suspended] {
            let other = Pausable { status, ..c };
            assert_eq!(refused(&other, "2026-11-20", "2026-11-20"), conflict, "{status:?}");
        }
        let dues = Pausable { status: CustomerStatus::Suspended, suspended_for_dues: true, ..c };
        let e = check_pause(&dues, d("2026-11-20"), d("2026-11-20")).unwrap_err();
        assert!(e.message().contains("dues"), "{}", e.message());
    }

    #[test]
    fn a_resume_gives_back_the_days_paused() {
        assert_eq!(days_paused(d("2026-11-20"), d("2026-12-05"), d("2026-12-05")).unwrap(), 15);
        assert_eq!(days_paused(d("2026-11-20"), d("2026-11-20"), d("2026-12-05")).unwrap(), 0, "a pause undone");
        // Across a leap February: 28 Feb to 1 Mar 2028 is two days.
        assert_eq!(days_paused(d("2028-02-28"), d("2028-03-01"), d("2028-03-01")).unwrap(), 2);
        let future = days_paused(d("2026-11-20"), d("2026-12-06"), d("2026-12-05")).unwrap_err();
        assert_eq!((future.code(), field(&future)), (codes::BAD_USER_INPUT, Some("on")));
        let before = days_paused(d("2026-11-20"), d("2026-11-19"), d("2026-12-05")).unwrap_err();
        assert_eq!((before.code(), field(&before)), (codes::BAD_USER_INPUT, Some("on")));
        assert_eq!(moved_end(d("2026-12-01"), 15).unwrap(), d("2026-12-16"));
        assert_eq!(moved_end(d("2028-02-20"), 10).unwrap(), d("2028-03-01"));
    }
}

//! Customer rules: generated numbers, the service period and status transitions.

use chrono::{Days, NaiveDate};
use rand::Rng;

use super::model::CustomerStatus;
use crate::error::{AppError, AppResult};

/// Days in one billing month, as the original system counts them.
pub const DAYS_PER_MONTH: u64 = 30;

/// A random 10-digit customer number (no leading zero).
pub fn random_customer_id(rng: &mut impl Rng) -> String {
    rng.random_range(1_000_000_000u64..=9_999_999_999).to_string()
}

/// A random CAF (customer application form) number: `CAF` + 8 digits.
pub fn random_caf_no(rng: &mut impl Rng) -> String {
    format!("CAF{:08}", rng.random_range(0..100_000_000u32))
}

/// `endDate = startDate + periodMonths × 30 days`; `None` when out of the calendar.
pub fn end_date(start: NaiveDate, period_months: i32) -> Option<NaiveDate> {
    let months = u64::try_from(period_months).ok().filter(|m| *m > 0)?;
    start.checked_add_days(Days::new(months * DAYS_PER_MONTH))
}

/// The end of service: as given (after the start), or computed from the period.
pub fn end_of_service(start: NaiveDate, months: i32, given: Option<NaiveDate>) -> AppResult<NaiveDate> {
    match given {
        Some(end) if end <= start => Err(AppError::bad_input("endDate", "`endDate` must be after `startDate`")),
        Some(end) => Ok(end),
        None => end_date(start, months)
            .ok_or_else(|| AppError::bad_input("periodMonths", "the period runs past the calendar")),
    }
}

/// A customer's service period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub months: i32,
    pub end: NaiveDate,
}

/// The period after a change of any of its parts (`None` = unchanged): the end date is
/// recomputed unless given, and `notes` tell the operator what moved. Invoices already issued
/// are never changed, which the notes say too.
pub fn reschedule(
    before: Period,
    start: Option<NaiveDate>,
    months: Option<i32>,
    end: Option<NaiveDate>,
) -> AppResult<(Period, Vec<String>)> {
    let start = start.unwrap_or(before.start);
    let months = months.unwrap_or(before.months);
    let end = end_of_service(start, months, end)?;
    let mut notes = Vec::new();
    if end != before.end {
        notes.push(format!("endDate is now {end}"));
    }
    if months != before.months {
        notes.push("period changed: existing invoices keep their amounts".to_owned());
    }
    Ok((Period { start, months, end }, notes))
}

/// Whether a customer may move from `from` to `to`. `TERMINATED` is final.
pub fn check_transition(from: CustomerStatus, to: CustomerStatus) -> Result<(), String> {
    use CustomerStatus::*;
    match (from, to) {
        (Terminated, _) => Err("a TERMINATED customer cannot change status".to_owned()),
        (a, b) if a == b => Err(format!("the customer is already {}", a.as_str())),
        (Active | Deactive | Suspended, Active | Deactive | Suspended | Terminated) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_new_start_or_period_moves_the_end_date() {
        let before = Period { start: day("2026-01-01"), months: 1, end: day("2026-01-31") };
        let (after, notes) = reschedule(before, None, Some(3), None).unwrap();
        assert_eq!(after, Period { start: day("2026-01-01"), months: 3, end: day("2026-04-01") });
        assert_eq!(notes, ["endDate is now 2026-04-01", "period changed: existing invoices keep their amounts"]);
        let (after, notes) = reschedule(before, Some(day("2026-02-01")), None, None).unwrap();
        assert_eq!(after.end, day("2026-03-03"));
        assert_eq!(notes, ["endDate is now 2026-03-03"]);
        // A given end date wins, but must come after the start.
        let (after, notes) = reschedule(before, None, None, Some(day("2026-01-31"))).unwrap();
        assert_eq!((after, notes.len()), (before, 0));
        let e = reschedule(before, None, None, Some(day("2025-12-31"))).unwrap_err();
        assert!(matches!(e, AppError::BadInput { ref field, .. } if field == "endDate"), "{e:?}");
    }

    #[test]
    fn generated_numbers_have_their_formats() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..1000 {
            let id = random_customer_id(&mut rng);
            assert_eq!(id.len(), 10);
            assert!(id.bytes().all(|b| b.is_ascii_digit()) && !id.starts_with('0'));
            let caf = random_caf_no(&mut rng);
            assert_eq!(caf.len(), 11);
            assert!(caf.starts_with("CAF") && caf[3..].bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn end_date_is_thirty_days_a_month() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        assert_eq!(end_date(start, 1), NaiveDate::from_ymd_opt(2026, 3, 2));
        assert_eq!(end_date(start, 12), NaiveDate::from_ymd_opt(2027, 1, 26));
        assert_eq!(end_date(start, 0), None);
    }

    #[test]
    fn terminated_is_final() {
        use CustomerStatus::*;
        assert!(check_transition(Active, Suspended).is_ok());
        assert!(check_transition(Suspended, Active).is_ok());
        assert!(check_transition(Deactive, Terminated).is_ok());
        assert!(check_transition(Active, Active).is_err());
        for to in [Active, Deactive, Suspended, Terminated] {
            assert!(check_transition(Terminated, to).is_err());
        }
    }
}

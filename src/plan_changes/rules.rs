//! Proration by days, as pure functions.
//!
//! A customer's period runs from `start` (included) to `end` (the day the next period starts).
//! A plan changed on day `changed_on` leaves `unused = end − max(changed_on, start)` days of
//! it. The next invoice is credited `old bill × unused ÷ period days` and charged `new bill ×
//! unused ÷ period days` (a bill is what the plan charges for the period: its price per `validityDays`, pro rata; each part
//! rounded half up to the paisa). Their difference joins the next invoice's taxable value, so
//! GST follows it. A credit larger than that invoice's bill leaves the invoice at zero and is
//! carried to the invoice after.

use chrono::NaiveDate;

/// What a plan change is worth on the next invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proration {
    pub unused_days: i32,
    pub period_days: i32,
    /// For the old plan's unused days.
    pub credit: i64,
    /// For the new plan over the same days.
    pub charge: i64,
}

impl Proration {
    /// What the next invoice's bill changes by: `charge − credit`.
    pub fn net(&self) -> i64 {
        self.charge - self.credit
    }
}

/// The proration of a change from `old_bill` to `new_bill` (each for the whole period) on
/// `changed_on`, for the period `[start, end)`. `None` when nothing of the period is left (the
/// period has ended, or is empty), so the change is not worth a line.
pub fn prorate(
    old_bill: i64,
    new_bill: i64,
    start: NaiveDate,
    end: NaiveDate,
    changed_on: NaiveDate,
) -> Option<Proration> {
    let period_days = (end - start).num_days();
    let unused = (end - changed_on.max(start)).num_days();
    if period_days <= 0 || unused <= 0 {
        return None;
    }
    let part = |bill: i64| share(bill, unused, period_days);
    Some(Proration {
        unused_days: i32::try_from(unused).ok()?,
        period_days: i32::try_from(period_days).ok()?,
        credit: part(old_bill)?,
        charge: part(new_bill)?,
    })
}

/// `amount × part ÷ whole`, rounded half up (amounts are never negative).
fn share(amount: i64, part: i64, whole: i64) -> Option<i64> {
    let scaled = i128::from(amount) * i128::from(part);
    let whole = i128::from(whole);
    i64::try_from((2 * scaled + whole) / (2 * whole)).ok()
}

/// A bill with pending proration lines (`net`, summed) put on it: the bill to charge, and the
/// credit (negative) that did not fit and is carried to the next invoice, if any.
pub fn settle(bill: i64, net: i64) -> (i64, Option<i64>) {
    let after = bill.saturating_add(net);
    if after >= 0 {
        (after, None)
    } else {
        (0, Some(after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn an_upgrade_half_way_credits_half_the_old_and_charges_half_the_new() {
        // ₹500 → ₹800 on day 16 of a 30-day period: 15 unused days.
        let p = prorate(50_000, 80_000, d("2026-11-01"), d("2026-12-01"), d("2026-11-16")).unwrap();
        assert_eq!(p, Proration { unused_days: 15, period_days: 30, credit: 25_000, charge: 40_000 });
        assert_eq!(p.net(), 15_000);
    }

    #[test]
    fn a_change_at_the_month_end() {
        // Period 31 January – 2 March 2027 (30 days, common year); changed on 28 February:
        // 2 days left (28 Feb, 1 Mar).
        let p = prorate(30_000, 60_000, d("2027-01-31"), d("2027-03-02"), d("2027-02-28")).unwrap();
        assert_eq!((p.unused_days, p.period_days, p.credit, p.charge), (2, 30, 2_000, 4_000));
        // Changed on the period's last day: one day left.
        let p = prorate(30_000, 60_000, d("2027-01-31"), d("2027-03-02"), d("2027-03-01")).unwrap();
        assert_eq!((p.unused_days, p.credit, p.charge), (1, 1_000, 2_000));
        // Changed on the day the next period starts: nothing left of this one.
        assert_eq!(prorate(30_000, 60_000, d("2027-01-31"), d("2027-03-02"), d("2027-03-02")), None);
    }

    #[test]
    fn a_change_in_a_leap_february() {
        // Period 31 January – 1 March 2028 (30 days: February has 29); changed on 29 February
        // leaves 1 day, on 28 February 2 days.
        let p = prorate(60_000, 90_000, d("2028-01-31"), d("2028-03-01"), d("2028-02-29")).unwrap();
        assert_eq!((p.unused_days, p.period_days, p.credit, p.charge), (1, 30, 2_000, 3_000));
        let p = prorate(60_000, 90_000, d("2028-01-31"), d("2028-03-01"), d("2028-02-28")).unwrap();
        assert_eq!((p.unused_days, p.credit, p.charge), (2, 4_000, 6_000));
        // A period starting on 29 February, changed on 15 March: 15 of 30 days left.
        let p = prorate(60_000, 30_000, d("2028-02-29"), d("2028-03-30"), d("2028-03-15")).unwrap();
        assert_eq!((p.unused_days, p.credit, p.charge, p.net()), (15, 30_000, 15_000, -15_000));
    }

    #[test]
    fn a_change_before_the_period_starts_prorates_all_of_it() {
        let p = prorate(50_000, 80_000, d("2026-12-01"), d("2026-12-31"), d("2026-11-20")).unwrap();
        assert_eq!((p.unused_days, p.credit, p.charge), (30, 50_000, 80_000));
        // After the period: nothing.
        assert_eq!(prorate(50_000, 80_000, d("2026-10-01"), d("2026-10-31"), d("2026-11-20")), None);
    }

    #[test]
    fn parts_round_half_up_to_the_paisa() {
        // ₹499 × 7 / 30 = 116.4333… → 11,643 paise; ₹999.99 × 7 / 90 = 77.777 → 7,778 paise.
        let p = prorate(49_900, 99_999, d("2026-11-01"), d("2026-12-01"), d("2026-11-24")).unwrap();
        assert_eq!((p.credit, p.charge), (11_643, 23_333));
        let p = prorate(99_999, 0, d("2026-11-01"), d("2027-01-30"), d("2027-01-23")).unwrap();
        assert_eq!((p.unused_days, p.period_days, p.credit), (7, 90, 7_778));
        // Exactly half a paisa rounds up: 1 paisa × 1 / 2.
        assert_eq!(share(1, 1, 2), Some(1));
        assert_eq!(share(i64::MAX, 2, 1), None);
    }

    #[test]
    fn a_credit_larger_than_the_bill_is_carried() {
        assert_eq!(settle(50_000, 15_000), (65_000, None));
        assert_eq!(settle(50_000, -20_000), (30_000, None));
        assert_eq!(settle(50_000, -50_000), (0, None));
        assert_eq!(settle(10_000, -25_000), (0, Some(-15_000)));
    }
}

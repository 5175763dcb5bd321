//! What a plan's price buys, as pure functions.
//!
//! A plan's `price` buys `validityDays` of service, and `validityDays` is a whole number of
//! 30-day months (the original system counts every billing month as 30 days): 30 for a monthly
//! plan, 90 for a quarterly one, 360 for a year. A customer is billed per period of
//! `periodMonths` × 30 days, which must hold a whole number of the plan's periods; the bill is
//! the price times that number. So a ₹1,797 quarterly plan bills ₹1,797 for `periodMonths` 3,
//! ₹3,594 for 6, and refuses 1 or 4.

/// Days in one billing month ([`crate::customers::rules::DAYS_PER_MONTH`]) as an `i32`, like
/// the columns.
const MONTH: i32 = crate::customers::rules::DAYS_PER_MONTH as i32;

/// The longest validity a plan may have: 120 months, the longest customer period.
pub const MAX_VALIDITY_DAYS: i32 = 120 * MONTH;

/// `validityDays` as given, when it is a whole number of 30-day months from 30 to 3600.
pub fn validity_days(days: i32) -> Result<i32, String> {
    if !(MONTH..=MAX_VALIDITY_DAYS).contains(&days) || days % MONTH != 0 {
        return Err(format!(
            "`validityDays` must be a whole number of 30-day billing months, 30 to {MAX_VALIDITY_DAYS} (30 monthly, 90 \
             quarterly, 180 half-yearly, 360 yearly); {days} is not"
        ));
    }
    Ok(days)
}

/// The months one period of a plan lasts (`validityDays` ÷ 30, at least 1).
pub fn months_per_period(validity_days: i32) -> i32 {
    (validity_days / MONTH).max(1)
}

/// Why a customer's period does not fit a plan: the message names both `periodMonths` and
/// the plan's `validityDays`, and says which periods would.
pub fn mismatch(period_months: i32, validity_days: i32) -> String {
    let step = months_per_period(validity_days);
    format!(
        "`periodMonths` {period_months} ({} days) is not a whole number of the plan's periods (`validityDays` \
         {validity_days}): use a multiple of {step} months, or a plan whose validity fits",
        period_days(period_months)
    )
}

/// Days in a billing period of `period_months`.
pub fn period_days(period_months: i32) -> i64 {
    i64::from(period_months) * i64::from(MONTH)
}

/// How many of a plan's periods a customer's billing period of `period_months` holds;
/// `None` when it does not hold a whole number of them.
pub fn periods_in(period_months: i32, validity_days: i32) -> Option<i64> {
    let days = period_days(period_months);
    let validity = i64::from(validity_days);
    (period_months > 0 && validity > 0 && days % validity == 0).then(|| days / validity)
}

/// The bill for one billing period of `period_months` on a plan of `price` per
/// `validity_days`; `Err` with [`mismatch`]'s message when the period does not hold a whole
/// number of plan periods, `Ok(None)` when the bill overflows.
pub fn bill(price: i64, validity_days: i32, period_months: i32) -> Result<Option<i64>, String> {
    let periods = periods_in(period_months, validity_days).ok_or_else(|| mismatch(period_months, validity_days))?;
    Ok(price.checked_mul(periods))
}

/// What `days` of a plan are worth, pro rata at `price` per `validity_days`, rounded half up
/// to the paisa (for a plan change within a period); `None` on overflow.
pub fn worth_of_days(price: i64, validity_days: i32, days: i64) -> Option<i64> {
    let scaled = i128::from(price).checked_mul(i128::from(days))?;
    let whole = i128::from(validity_days.max(1));
    i64::try_from((2 * scaled + whole) / (2 * whole)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_is_whole_months() {
        for ok in [30, 60, 90, 180, 360, 3600] {
            assert_eq!(validity_days(ok), Ok(ok));
        }
        for bad in [0, 1, 28, 29, 31, 45, 365, 3630, -30] {
            let e = validity_days(bad).unwrap_err();
            assert!(e.contains("`validityDays`") && e.contains(&bad.to_string()), "{e}");
        }
    }

    #[test]
    fn the_price_buys_the_validity() {
        // Monthly: as before, the price for every month.
        assert_eq!(bill(49_900, 30, 1), Ok(Some(49_900)));
        assert_eq!(bill(49_900, 30, 12), Ok(Some(598_800)));
        // Quarterly: ₹1,797 per 90 days.
        assert_eq!(bill(179_700, 90, 3), Ok(Some(179_700)));
        assert_eq!(bill(179_700, 90, 6), Ok(Some(359_400)));
        let e = bill(179_700, 90, 1).unwrap_err();
        assert!(e.contains("`periodMonths` 1 (30 days)") && e.contains("`validityDays` 90"), "{e}");
        assert!(e.contains("multiple of 3 months"), "{e}");
        assert!(bill(179_700, 90, 4).is_err());
        // Yearly plan, yearly period.
        assert_eq!(bill(600_000, 360, 12), Ok(Some(600_000)));
        assert_eq!(bill(i64::MAX, 30, 2), Ok(None));
    }

    #[test]
    fn days_are_worth_their_share_of_the_price() {
        assert_eq!(worth_of_days(179_700, 90, 90), Some(179_700));
        assert_eq!(worth_of_days(179_700, 90, 30), Some(59_900));
        // 49,900 × 7 ÷ 30 = 11,643.33… → 11,643.
        assert_eq!(worth_of_days(49_900, 30, 7), Some(11_643));
        // Half a paisa rounds up: 1 × 15 ÷ 30 = 0.5 → 1.
        assert_eq!(worth_of_days(1, 30, 15), Some(1));
        assert_eq!(worth_of_days(0, 30, 15), Some(0));
    }
}

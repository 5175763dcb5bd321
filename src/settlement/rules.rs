//! Where money goes, as pure functions over paise: a payment onto invoices, a refund back off
//! them, whether an invoice can take a payment, and the dates past which unpaid dues suspend.

use chrono::{Days, NaiveDate};

/// Splits `amount` over invoices in the order given (oldest first), each up to what it still
/// owes; returns `(invoice, amount)` for every invoice that gets money, and what is left over
/// (the customer's advance). Invoices owing nothing are skipped.
pub fn allocate(amount: i64, open: &[(i64, i64)]) -> (Vec<(i64, i64)>, i64) {
    let mut left = amount.max(0);
    let mut out = Vec::new();
    for &(invoice, owed) in open {
        if left == 0 {
            break;
        }
        let take = owed.min(left);
        if take > 0 {
            out.push((invoice, take));
            left -= take;
        }
    }
    (out, left)
}

/// Where a refund of `amount` comes from: first the payment's money not on any invoice
/// (`unallocated`), then the invoices it paid, the newest first (`(invoice, amount on it)`).
/// Returns what comes out of the unallocated money and `(invoice, amount taken back)`.
/// The caller has checked that `amount` is at most what is left of the payment.
pub fn take_back(amount: i64, unallocated: i64, on_invoices_newest_first: &[(i64, i64)]) -> (i64, Vec<(i64, i64)>) {
    let from_unallocated = unallocated.clamp(0, amount.max(0));
    let mut left = amount.max(0) - from_unallocated;
    let mut out = Vec::new();
    for &(invoice, on) in on_invoices_newest_first {
        if left == 0 {
            break;
        }
        let take = on.min(left);
        if take > 0 {
            out.push((invoice, take));
            left -= take;
        }
    }
    (from_unallocated, out)
}

/// Why an invoice cannot take a payment ([`refusal`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The invoice is CANCELLED: it takes no money.
    Cancelled,
    /// The payment is more than the invoice owes (`balance`, never below zero).
    MoreThanOwed { balance: i64 },
}

/// Whether an invoice (`cancelled`, owing `balance`) refuses a payment of `amount`: it is
/// cancelled, or the payment is more than it owes and the excess may not become advance
/// (`keep_excess_as_advance`). A payment that moves no money (recorded as FAILED, `counts`
/// false) is refused only by a cancelled invoice.
pub fn refusal(
    cancelled: bool,
    balance: i64,
    amount: i64,
    counts: bool,
    keep_excess_as_advance: bool,
) -> Option<Refusal> {
    if cancelled {
        return Some(Refusal::Cancelled);
    }
    if !counts || keep_excess_as_advance || amount <= balance {
        return None;
    }
    Some(Refusal::MoreThanOwed { balance: balance.max(0) })
}

/// A prepaid customer is suspended on `as_of` for a balance on a period that started before
/// this date (the period's start plus the company's grace days has passed).
pub fn prepaid_cutoff(as_of: NaiveDate, grace_days: i32) -> NaiveDate {
    as_of.checked_sub_days(Days::new(u64::try_from(grace_days.max(0)).unwrap_or(0))).unwrap_or(as_of)
}

/// A postpaid customer is suspended on `as_of` for an invoice due before this date and unpaid
/// (the due date plus the company's limit has passed).
pub fn postpaid_cutoff(as_of: NaiveDate, limit_days: i32) -> NaiveDate {
    prepaid_cutoff(as_of, limit_days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn invoices_refuse_cancellation_and_unasked_overpayment() {
        assert_eq!(refusal(true, 500, 1, true, true), Some(Refusal::Cancelled));
        assert_eq!(refusal(false, 500, 501, true, false), Some(Refusal::MoreThanOwed { balance: 500 }));
        assert_eq!(refusal(false, 500, 500, true, false), None);
        assert_eq!(refusal(false, 500, 501, true, true), None, "kept as advance");
        assert_eq!(refusal(false, 0, 100, false, false), None, "a failed payment moves nothing");
        assert_eq!(refusal(false, -10, 1, true, false), Some(Refusal::MoreThanOwed { balance: 0 }));
    }

    #[test]
    fn payments_fill_the_oldest_invoices_first_and_keep_the_rest() {
        let open = [(1, 500), (2, 0), (3, 300), (4, 1000)];
        assert_eq!(allocate(700, &open), (vec![(1, 500), (3, 200)], 0));
        assert_eq!(allocate(2000, &open), (vec![(1, 500), (3, 300), (4, 1000)], 200));
        assert_eq!(allocate(100, &[]), (vec![], 100));
        assert_eq!(allocate(500, &open), (vec![(1, 500)], 0));
    }

    #[test]
    fn refunds_take_unallocated_money_first_then_the_newest_invoice() {
        assert_eq!(take_back(100, 300, &[(9, 500)]), (100, vec![]));
        assert_eq!(take_back(400, 300, &[(9, 50), (4, 500)]), (300, vec![(9, 50), (4, 50)]));
        assert_eq!(take_back(500, 0, &[(9, 500)]), (0, vec![(9, 500)]));
    }

    #[test]
    fn allocation_never_creates_or_loses_money() {
        for amount in [0, 1, 99, 100, 101, 1_000, 5_000] {
            let open = [(1, 120), (2, 0), (3, 7), (4, 900)];
            let (parts, left) = allocate(amount, &open);
            assert_eq!(parts.iter().map(|p| p.1).sum::<i64>() + left, amount);
            for (invoice, part) in parts {
                assert!(part <= open.iter().find(|o| o.0 == invoice).unwrap().1);
            }
        }
    }

    #[test]
    fn cutoffs_step_back_by_the_company_days() {
        assert_eq!(prepaid_cutoff(d("2026-03-01"), 7), d("2026-02-22"));
        assert_eq!(prepaid_cutoff(d("2028-03-01"), 1), d("2028-02-29"));
        assert_eq!(postpaid_cutoff(d("2027-01-05"), 30), d("2026-12-06"));
        assert_eq!(prepaid_cutoff(d("2026-03-01"), -3), d("2026-03-01"));
    }
}

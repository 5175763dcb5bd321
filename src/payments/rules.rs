//! Where a payment's money goes and where a refund takes it back from: pure functions over paise.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}

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

/// Why an invoice cannot take a payment of `amount`, as `(input field, message)`: it is
/// cancelled, or the payment is more than it owes and the caller did not ask to keep the excess
/// as advance. A payment recorded as FAILED (`counts` false) moves no money, so only the
/// cancellation matters for it.
pub fn refusal(
    invoice_number: &str,
    cancelled: bool,
    balance: i64,
    amount: i64,
    counts: bool,
    keep_excess_as_advance: bool,
) -> Option<(&'static str, String)> {
    if cancelled {
        return Some(("invoiceId", format!("invoice {invoice_number} is CANCELLED and takes no payments")));
    }
    if !counts || keep_excess_as_advance || amount <= balance {
        return None;
    }
    let rupees = crate::invoices::rules::rupees;
    Some((
        "amount",
        format!(
            "₹{} is more than invoice {invoice_number} owes (₹{}); pass `keepExcessAsAdvance: true` to keep the rest as advance",
            rupees(amount),
            rupees(balance.max(0))
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoices_refuse_cancellation_and_unasked_overpayment() {
        assert_eq!(refusal("INV1", true, 500, 1, true, true).unwrap().0, "invoiceId");
        assert_eq!(refusal("INV1", false, 500, 501, true, false).unwrap().0, "amount");
        assert!(refusal("INV1", false, 500, 500, true, false).is_none());
        assert!(refusal("INV1", false, 500, 501, true, true).is_none(), "kept as advance");
        assert!(refusal("INV1", false, 0, 100, false, false).is_none(), "a failed payment moves nothing");
        assert!(refusal("INV1", false, -10, 1, true, false).unwrap().1.contains("(₹0.00)"));
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
}

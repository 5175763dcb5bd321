//! Pure rules of gateway money: when two reports are the same money, how a report that is not
//! explains itself to staff, and the reference the payment it becomes carries.

use chrono::NaiveDateTime;

use super::model::{GatewayPaymentRow, NewGatewayPayment};
use super::notification::{shown, Reported};
use crate::money::rupees;

/// Whether `row` reports the same money as `reported`: the same amount, currency and customer
/// named. Only then is a report under an id (or UTR) seen before a `DUPLICATE`.
pub fn same_report(row: &GatewayPaymentRow, reported: &Reported) -> bool {
    row.amount_paise == reported.amount_paise
        && row.currency == reported.currency
        && row.customer_ref == reported.customer_ref
}

/// Why a report under an id seen before with other money is kept unmatched; `what` names the id
/// (`gateway payment id pay_1`).
pub fn reported_before(what: &str, first: &GatewayPaymentRow, reported: &Reported) -> String {
    format!(
        "{what} was reported before with {}; this report says {}: kept for staff to check",
        described(first.amount_paise, &first.currency, first.customer_ref.as_deref()),
        described(reported.amount_paise, &reported.currency, reported.customer_ref.as_deref())
    )
}

/// Why a report of a UTR a cashier entered with another amount is kept unmatched.
pub fn entered_by_hand(utr: &str, payment_number: &str, amount_paise: i64, reported: &Reported) -> String {
    format!(
        "UPI reference (UTR) {utr} is already payment {payment_number} of ₹{}; this report says {}: kept for \
         staff to check",
        rupees(amount_paise),
        described(reported.amount_paise, &reported.currency, reported.customer_ref.as_deref())
    )
}

/// Money as a reason shows it: `₹500.00 for customer 1234567890`.
fn described(amount_paise: i64, currency: &str, customer_ref: Option<&str>) -> String {
    let money = match currency {
        "INR" => format!("₹{}", rupees(amount_paise)),
        other => format!("{} {other}", rupees(amount_paise)),
    };
    match customer_ref {
        Some(customer) => format!("{money} for customer {}", shown(customer)),
        None => format!("{money} naming no customer"),
    }
}

impl NewGatewayPayment {
    /// The row for money `gateway_id` reported, at `now`, unmatched until it is recorded;
    /// `conflict_no` is the row's [`conflict_no`].
    pub fn reported(gateway_id: i64, reported: &Reported, conflict_no: i32, now: NaiveDateTime) -> Self {
        NewGatewayPayment {
            gateway_id,
            gateway_payment_id: reported.gateway_payment_id.clone(),
            amount_paise: reported.amount_paise,
            currency: reported.currency.clone(),
            method: reported.method,
            utr: reported.utr.clone(),
            customer_ref: reported.customer_ref.clone(),
            invoice_ref: reported.invoice_ref.clone(),
            payment_id: None,
            unmatched_reason: None,
            paid_at: now,
            assigned_by: None,
            created_at: now,
            updated_at: now,
            conflict_no,
        }
    }
}

/// `conflict_no` of a row after `earlier` rows with its id.
pub fn conflict_no(earlier: usize) -> i32 {
    i32::try_from(earlier).unwrap_or(i32::MAX)
}

/// The reference of the payment a gateway payment becomes: its id with every character other
/// than visible ASCII written as `\u{..}`, and ` (report N)` for the Nth report of an id that
/// came with other money. Payment references are compared ignoring case, spaces and invisible
/// characters, so this keeps two different gateway ids two different references.
pub fn payment_reference(gateway_payment_id: &str, conflict_no: i32) -> String {
    let mut reference = String::with_capacity(gateway_payment_id.len());
    for c in gateway_payment_id.chars() {
        if c.is_ascii_graphic() {
            reference.push(c);
        } else {
            reference.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        }
    }
    if conflict_no > 0 {
        reference.push_str(&format!(" (report {})", conflict_no + 1));
    }
    reference
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payments::model::PaymentMethod;

    fn reported(amount_paise: i64, customer_ref: Option<&str>) -> Reported {
        Reported {
            gateway_payment_id: "pay_1".to_owned(),
            amount_paise,
            currency: "INR".to_owned(),
            method: PaymentMethod::Upi,
            utr: None,
            customer_ref: customer_ref.map(str::to_owned),
            invoice_ref: None,
        }
    }

    fn row(amount_paise: i64, currency: &str, customer_ref: Option<&str>) -> GatewayPaymentRow {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap().and_hms_opt(10, 0, 0).unwrap();
        let mut reported = reported(amount_paise, customer_ref);
        reported.currency = currency.to_owned();
        reported.invoice_ref = Some("INV/1".to_owned());
        NewGatewayPayment::reported(1, &reported, 0, now).into_row(1)
    }

    #[test]
    fn the_same_money_is_the_same_amount_currency_and_customer() {
        let c = Some("1234567890");
        assert!(same_report(&row(500, "INR", c), &reported(500, c)), "the invoice named does not matter");
        assert!(!same_report(&row(500, "INR", c), &reported(501, c)));
        assert!(!same_report(&row(500, "USD", c), &reported(500, c)));
        assert!(!same_report(&row(500, "INR", c), &reported(500, None)));
        assert!(!same_report(&row(500, "INR", c), &reported(500, Some("1234567891"))));
    }

    #[test]
    fn a_report_with_other_money_says_both() {
        let reason = reported_before(
            "gateway payment id pay_1",
            &row(50_000, "INR", Some("1234567890")),
            &reported(60_000, None),
        );
        assert_eq!(
            reason,
            "gateway payment id pay_1 was reported before with ₹500.00 for customer 1234567890; this report says \
             ₹600.00 naming no customer: kept for staff to check"
        );
        let reason = reported_before("x", &row(100, "USD", None), &reported(100, None));
        assert!(reason.contains("with 1.00 USD naming no customer"), "{reason}");
        let reason = entered_by_hand("433412345678", "PAY000000000001", 100, &reported(200, None));
        assert!(reason.starts_with("UPI reference (UTR) 433412345678 is already payment PAY000000000001 of ₹1.00"));
    }

    #[test]
    fn payment_references_keep_different_ids_different() {
        assert_eq!(payment_reference("pay_N1", 0), "pay_N1");
        assert_eq!(payment_reference("pay_\u{200B}N1", 0), "pay_\\u{200b}N1");
        assert_eq!(payment_reference("a b", 2), "a\\u{20}b (report 3)");
        let key = crate::payments::rules::reference_key;
        assert_ne!(key(&payment_reference("pay_\u{200B}N1", 0)), key(&payment_reference("pay_N1", 0)));
        assert_ne!(key(&payment_reference("pay_N1", 1)), key(&payment_reference("pay_N1", 0)));
        assert_eq!(conflict_no(3), 3);
    }
}

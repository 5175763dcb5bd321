//! Invoice arithmetic and numbering: pure functions over paise.

use chrono::{NaiveDate, NaiveDateTime};

use super::model::InvoiceStatus;

/// GST on an amount, split the way the invoice shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TaxSplit {
    pub cgst: i64,
    pub sgst: i64,
    pub igst: i64,
}

/// `numerator / denominator` rounded half up, for non-negative values.
fn round_half_up(numerator: i128, denominator: i128) -> i64 {
    i64::try_from((numerator + denominator / 2) / denominator).unwrap_or(i64::MAX)
}

/// GST on `amount` paise at `rate_bp` basis points. Within the company's state it is split
/// into CGST and SGST at half the rate each; across states it is IGST at the full rate.
/// Each tax is rounded to the paisa (half up) on its own.
pub fn gst(amount: i64, rate_bp: i32, same_state: bool) -> TaxSplit {
    let amount = i128::from(amount.max(0));
    let rate = i128::from(rate_bp.max(0));
    if same_state {
        let half = round_half_up(amount * rate, 20_000);
        TaxSplit { cgst: half, sgst: half, igst: 0 }
    } else {
        TaxSplit { cgst: 0, sgst: 0, igst: round_half_up(amount * rate, 10_000) }
    }
}

/// The GST rate a company charges: its rate when it is `registered` (has a GSTIN), else none
/// (CGST Act section 32: an unregistered person may not collect tax).
pub fn charged_rate(rate_bp: i32, registered: bool) -> i32 {
    if registered {
        rate_bp
    } else {
        0
    }
}

/// Whether a customer's state is the company's, ignoring case and surrounding spaces.
pub fn same_state(customer_state: &str, company_state: &str) -> bool {
    customer_state.trim().eq_ignore_ascii_case(company_state.trim())
}

/// Whether an invoice with taxes `tax` supplied to `place_of_supply` is inter-state (IGST):
/// it charged IGST, or it charged no tax and the place of supply is outside `company_state`.
pub fn inter_state(tax: TaxSplit, place_of_supply: &str, company_state: &str) -> bool {
    tax.igst > 0 || (tax.cgst == 0 && tax.sgst == 0 && !same_state(place_of_supply, company_state))
}

/// A typed tax that is not what the law computes; names the input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxError {
    pub field: &'static str,
    pub message: String,
}

/// Checks taxes typed on an invoice against `computed` (the company's rate on `taxable`, split
/// by the place of supply): tax is computed, never chosen. `registered`: the company has a
/// GSTIN (without one no tax may be charged, section 32). The first field that disagrees is
/// named, with the amount it must have and why.
pub fn check_typed_tax(
    typed: TaxSplit,
    computed: TaxSplit,
    taxable: i64,
    registered: bool,
    rate_bp: i32,
) -> Result<(), TaxError> {
    let why = if !registered {
        "the company has no GSTIN, so it may charge no tax (CGST Act section 32): leave the taxes out".to_owned()
    } else if computed.igst > 0 || (computed.cgst == 0 && computed.sgst == 0 && rate_bp > 0 && taxable > 0) {
        format!(
            "the supply is inter-state, so it bears IGST at {}% of ₹{}",
            percent(rate_bp),
            crate::money::rupees(taxable)
        )
    } else {
        format!(
            "the supply is within the company's state, so it bears CGST and SGST at {}% each of ₹{}",
            percent(rate_bp / 2),
            crate::money::rupees(taxable)
        )
    };
    for (field, given, want) in [
        ("cgstTax", typed.cgst, computed.cgst),
        ("sgstTax", typed.sgst, computed.sgst),
        ("igstTax", typed.igst, computed.igst),
    ] {
        if given != want {
            return Err(TaxError {
                field,
                message: format!(
                    "`{field}` must be ₹{}, not ₹{}: {why}",
                    crate::money::rupees(want),
                    crate::money::rupees(given)
                ),
            });
        }
    }
    Ok(())
}

/// A rate in basis points as a percent without trailing zeros: 900 → `9`, 250 → `2.5`.
fn percent(rate_bp: i32) -> String {
    let text = crate::money::format_hundredths(rate_bp.into());
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The value GST is charged on: the bill (the plan's charge and any add-ons) plus installation
/// and other taxable charges, less the discount shown on the invoice; never below zero. `None`
/// if the sum does not fit.
pub fn taxable_value(bill: i64, installation: i64, discount: i64) -> Option<i64> {
    Some(bill.checked_add(installation)?.checked_sub(discount)?.max(0))
}

/// The amounts an invoice is made of, in paise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Amounts {
    pub bill: i64,
    pub tax: TaxSplit,
    pub installation: i64,
    pub discount: i64,
}

/// Why amounts cannot make an invoice; names the input field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountError {
    pub field: &'static str,
    pub message: &'static str,
}

/// `total = bill + cgst + sgst + igst + installation − discount`; every part must be ≥ 0 and
/// the discount may not exceed the rest.
pub fn total(a: &Amounts) -> Result<i64, AmountError> {
    for (field, value) in [
        ("billAmount", a.bill),
        ("cgstTax", a.tax.cgst),
        ("sgstTax", a.tax.sgst),
        ("igstTax", a.tax.igst),
        ("installationCharges", a.installation),
        ("discount", a.discount),
    ] {
        if value < 0 {
            return Err(AmountError { field, message: "must not be negative" });
        }
    }
    let before_discount = [a.bill, a.tax.cgst, a.tax.sgst, a.tax.igst, a.installation]
        .iter()
        .try_fold(0i64, |sum, v| sum.checked_add(*v))
        .ok_or(AmountError { field: "billAmount", message: "is too large" })?;
    if a.discount > before_discount {
        return Err(AmountError { field: "discount", message: "must not exceed the rest of the invoice" });
    }
    Ok(before_discount - a.discount)
}

/// `balance = total − paid`.
pub fn balance(total: i64, paid: i64) -> i64 {
    total - paid
}

/// Days from an invoice's date to its due date.
pub const DAYS_TO_PAY: u64 = 7;

/// An invoice dated `invoice_date` is due [`DAYS_TO_PAY`] days later.
pub fn due_date(invoice_date: chrono::NaiveDate) -> chrono::NaiveDate {
    invoice_date.checked_add_days(chrono::Days::new(DAYS_TO_PAY)).unwrap_or(invoice_date)
}

/// What timestamp invoice numbers start with.
pub const TIMESTAMP_PREFIX: &str = "INV";

/// What the reference of a proforma (a draft of a company numbering by financial year, not
/// yet issued) starts with: it takes no number from the tax series until it is issued.
pub const PROFORMA_PREFIX: &str = "PRO";

/// The timestamp invoice number for a moment (India time): `INV` + `YYYYMMDDHHmmss`, and for
/// the n-th invoice in the same second a suffix (`INV20261125103000-2`, `-3`, ...).
pub fn invoice_number(local_time: NaiveDateTime, nth_in_second: u32) -> String {
    crate::series::rules::timestamp_number(TIMESTAMP_PREFIX, local_time, nth_in_second)
}

/// The status an invoice has after its paid amount changed (a payment, a refund, advance
/// applied): `PAID` exactly when nothing is left to pay; a `PAID` invoice that owes again
/// reopens as `DRAFT` (never sent), `OVERDUE` (past due) or `SENT`. `CANCELLED` stays.
pub fn settled_status(
    current: InvoiceStatus,
    balance: i64,
    sent: bool,
    due: NaiveDate,
    today: NaiveDate,
) -> InvoiceStatus {
    use InvoiceStatus::*;
    match current {
        Cancelled => Cancelled,
        _ if balance <= 0 => Paid,
        Paid if !sent => Draft,
        Paid if today > due => Overdue,
        Paid => Sent,
        other => other,
    }
}

/// Whether `updateInvoiceStatus` may move an invoice from `from` to `to`; the message says why
/// not. `PAID` comes only from payments, `CANCELLED` only with nothing paid, `OVERDUE` only
/// past the due date.
pub fn check_status_change(
    from: InvoiceStatus,
    to: InvoiceStatus,
    paid: i64,
    due: NaiveDate,
    today: NaiveDate,
) -> Result<(), String> {
    use InvoiceStatus::*;
    match (from, to) {
        (a, b) if a == b => Err(format!("the invoice is already {}", a.as_str())),
        (Cancelled, _) => Err("a CANCELLED invoice cannot change".to_owned()),
        (_, Paid) => Err("PAID is set by payments: record a payment for the balance".to_owned()),
        (Paid, _) => Err("a PAID invoice changes only through refunds".to_owned()),
        (_, Draft) => Err("an invoice cannot go back to DRAFT".to_owned()),
        (_, Cancelled) if paid != 0 => {
            Err(format!("₹{} is paid on this invoice; refund it before cancelling", crate::money::rupees(paid)))
        }
        (_, Cancelled) => Ok(()),
        (Draft, Sent) => Ok(()),
        (Overdue, Sent) => Err("an OVERDUE invoice stays overdue until it is paid".to_owned()),
        (Draft | Sent, Overdue) if today > due => Ok(()),
        (Draft | Sent, Overdue) => Err(format!("the invoice is not past its due date ({due})")),
        (Sent, Sent) | (Overdue, Overdue) => unreachable!("equal statuses are handled first"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taxable_value_is_bill_plus_installation_less_discount() {
        assert_eq!(taxable_value(1000, 500, 100), Some(1400));
        assert_eq!(taxable_value(100, 0, 500), Some(0), "never below zero");
        assert_eq!(taxable_value(i64::MAX, 1, 0), None);
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn payments_settle_and_refunds_reopen() {
        use InvoiceStatus::*;
        assert_eq!(settled_status(Sent, 0, true, day(10), day(5)), Paid);
        assert_eq!(settled_status(Draft, -100, false, day(10), day(5)), Paid);
        assert_eq!(settled_status(Sent, 1, true, day(10), day(5)), Sent);
        assert_eq!(settled_status(Paid, 1, false, day(10), day(5)), Draft);
        assert_eq!(settled_status(Paid, 1, true, day(10), day(5)), Sent);
        assert_eq!(settled_status(Paid, 1, true, day(10), day(11)), Overdue);
        assert_eq!(settled_status(Cancelled, 0, true, day(10), day(5)), Cancelled);
        assert_eq!(settled_status(Overdue, 5, true, day(10), day(11)), Overdue);
    }

    #[test]
    fn manual_status_changes_follow_the_rules() {
        use InvoiceStatus::*;
        let ok = |from, to, paid, today| check_status_change(from, to, paid, day(10), day(today));
        assert!(ok(Draft, Sent, 0, 5).is_ok());
        assert!(ok(Draft, Cancelled, 0, 5).is_ok());
        assert!(ok(Sent, Cancelled, 0, 5).is_ok());
        assert!(ok(Overdue, Cancelled, 0, 12).is_ok());
        assert!(ok(Sent, Overdue, 0, 11).is_ok());
        assert!(ok(Sent, Overdue, 0, 10).unwrap_err().contains("due date"));
        assert!(ok(Sent, Cancelled, 100, 5).unwrap_err().contains("refund"));
        assert!(ok(Sent, Paid, 0, 5).unwrap_err().contains("payments"));
        assert!(ok(Paid, Sent, 0, 5).is_err());
        assert!(ok(Cancelled, Sent, 0, 5).is_err());
        assert!(ok(Sent, Draft, 0, 5).is_err());
        assert!(ok(Sent, Sent, 0, 5).unwrap_err().contains("already"));
        assert!(ok(Overdue, Sent, 0, 12).is_err());
    }

    #[test]
    fn gst_is_split_within_a_state_and_rounded_per_tax() {
        assert_eq!(gst(49_900, 1800, true), TaxSplit { cgst: 4_491, sgst: 4_491, igst: 0 });
        assert_eq!(gst(49_900, 1800, false), TaxSplit { cgst: 0, sgst: 0, igst: 8_982 });
        // 333.33 at 9 % = 29.9997 → 30.00 each; at 18 % = 59.9994 → 59.99 (each rounded alone).
        assert_eq!(gst(33_333, 1800, true), TaxSplit { cgst: 3_000, sgst: 3_000, igst: 0 });
        assert_eq!(gst(33_333, 1800, false).igst, 6_000);
        // Half a paisa rounds up: 0.25 at 18 % = 0.045 → 0.05 IGST; 0.0225 → 0.02 CGST/SGST.
        assert_eq!(gst(25, 1800, false).igst, 5);
        assert_eq!(gst(25, 1800, true).cgst, 2);
        assert_eq!(gst(100_000, 0, true), TaxSplit { cgst: 0, sgst: 0, igst: 0 });
    }

    #[test]
    fn totals_follow_the_formula() {
        let a = Amounts { bill: 100_000, tax: gst(100_000, 1800, true), installation: 50_000, discount: 10_000 };
        assert_eq!(total(&a), Ok(100_000 + 9_000 + 9_000 + 50_000 - 10_000));
        assert_eq!(balance(158_000, 58_000), 100_000);
        let too_much = Amounts { discount: 1_000_000, ..a };
        assert_eq!(total(&too_much).unwrap_err().field, "discount");
        let negative = Amounts { installation: -1, ..a };
        assert_eq!(total(&negative).unwrap_err().field, "installationCharges");
    }

    #[test]
    fn invoice_numbers_carry_the_second_and_a_suffix() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap().and_hms_opt(17, 5, 9).unwrap();
        assert_eq!(invoice_number(t, 1), "INV20261125170509");
        assert_eq!(invoice_number(t, 2), "INV20261125170509-2");
        assert_eq!(invoice_number(t, 12), "INV20261125170509-12");
    }

    #[test]
    fn invoices_are_due_in_a_week() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 28).unwrap();
        assert_eq!(due_date(d), chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap());
    }

    #[test]
    fn typed_taxes_must_be_the_computed_ones() {
        let intra = gst(49_900, 1800, true);
        assert_eq!(check_typed_tax(intra, intra, 49_900, true, 1800), Ok(()));
        let igst = TaxSplit { cgst: 0, sgst: 0, igst: 8_982 };
        let e = check_typed_tax(igst, intra, 49_900, true, 1800).unwrap_err();
        assert_eq!(e.field, "cgstTax");
        assert!(e.message.contains("₹44.91") && e.message.contains("within the company's state"), "{}", e.message);
        let inter = gst(49_900, 1800, false);
        let e = check_typed_tax(TaxSplit { igst: 2_495, ..inter }, inter, 49_900, true, 1800).unwrap_err();
        assert_eq!(e.field, "igstTax");
        assert!(e.message.contains("inter-state"), "{}", e.message);
        let e = check_typed_tax(intra, TaxSplit::default(), 49_900, false, 0).unwrap_err();
        assert!(e.message.contains("no GSTIN"), "{}", e.message);
        assert_eq!(check_typed_tax(TaxSplit::default(), TaxSplit::default(), 49_900, false, 0), Ok(()));
    }

    #[test]
    fn states_compare_ignoring_case() {
        assert!(same_state(" maharashtra", "Maharashtra "));
        assert!(!same_state("Goa", "Maharashtra"));
    }
}

//! How a credit splits into taxable value and taxes: pure functions over paise.

use crate::invoices::rules::TaxSplit;

/// The last day a credit note may be issued for an invoice dated `invoice_date` (CGST Act
/// section 34(2)): 30 November after the end of the invoice's financial year.
pub fn last_note_date(invoice_date: chrono::NaiveDate) -> chrono::NaiveDate {
    let year = crate::series::rules::financial_year(invoice_date) + 1;
    chrono::NaiveDate::from_ymd_opt(year, 11, 30).unwrap_or(invoice_date)
}

/// A credit (or any amount that includes GST) split into the value it was charged on and the
/// taxes in it. `taxable + cgst + sgst + igst` is the whole amount, always.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CreditSplit {
    pub taxable: i64,
    pub tax: TaxSplit,
}

impl CreditSplit {
    pub fn amount(&self) -> i64 {
        self.taxable + self.tax.cgst + self.tax.sgst + self.tax.igst
    }
}

/// `credit` paise of an invoice that now totals `total` with taxes `tax`, split in the
/// invoice's own proportions: each tax gets `credit × tax ÷ total` (half up, each on its own,
/// so CGST and SGST stay equal when they were), the rest is taxable value. No part exceeds
/// what the invoice has of it when `credit ≤ total`, and the parts always add up to `credit`.
/// An invoice whose taxes exceed its total (a discount larger than its taxable charges) is
/// split over its taxes alone.
pub fn split(credit: i64, total: i64, tax: TaxSplit) -> CreditSplit {
    let credit = credit.max(0);
    let taxes = tax.cgst.max(0) + tax.sgst.max(0) + tax.igst.max(0);
    let whole = i128::from(total.max(taxes));
    if whole <= 0 {
        return CreditSplit { taxable: credit, tax: TaxSplit::default() };
    }
    let part = |t: i64, round: bool| {
        let n = i128::from(credit) * i128::from(t.max(0));
        let q = if round { (n + whole / 2) / whole } else { n / whole };
        i64::try_from(q).unwrap_or(0)
    };
    let parts =
        |round| TaxSplit { cgst: part(tax.cgst, round), sgst: part(tax.sgst, round), igst: part(tax.igst, round) };
    let mut reversed = parts(true);
    if reversed.cgst + reversed.sgst + reversed.igst > credit {
        // Rounding up each tax overshot a credit that is nearly all tax: round down instead.
        reversed = parts(false);
    }
    CreditSplit { taxable: credit - reversed.cgst - reversed.sgst - reversed.igst, tax: reversed }
}

#[cfg(test)]
mod tests {
    #[test]
    fn credit_notes_close_on_the_thirtieth_of_november_after_the_year() {
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(super::last_note_date(day(2026, 3, 31)), day(2026, 11, 30));
        assert_eq!(super::last_note_date(day(2025, 4, 1)), day(2026, 11, 30));
        assert_eq!(super::last_note_date(day(2026, 4, 1)), day(2027, 11, 30));
    }
    use super::*;
    use proptest::prelude::*;

    fn intra(half: i64) -> TaxSplit {
        TaxSplit { cgst: half, sgst: half, igst: 0 }
    }

    #[test]
    fn awkward_credits_split_to_the_paisa() {
        // ₹1,000 at 18 % within the state: total ₹1,180.
        let s = split(1, 118_000, intra(9_000));
        assert_eq!(s, CreditSplit { taxable: 1, tax: intra(0) }, "₹0.01 is all taxable value");
        // ₹333.33 of it: 333.33 × 90/1180 = 25.4235 → 25.42 each.
        let s = split(33_333, 118_000, intra(9_000));
        assert_eq!(s, CreditSplit { taxable: 28_249, tax: intra(2_542) });
        assert_eq!(s.amount(), 33_333);
        // Inter-state: IGST 180.00 of 1,180.00; 333.33 × 180/1180 = 50.847 → 50.85.
        let s = split(33_333, 118_000, TaxSplit { cgst: 0, sgst: 0, igst: 18_000 });
        assert_eq!(s, CreditSplit { taxable: 28_248, tax: TaxSplit { cgst: 0, sgst: 0, igst: 5_085 } });
        // The whole invoice reverses exactly what it had.
        assert_eq!(split(118_000, 118_000, intra(9_000)), CreditSplit { taxable: 100_000, tax: intra(9_000) });
    }

    #[test]
    fn invoices_without_tax_or_value_credit_only_taxable_value() {
        assert_eq!(split(500, 1_000, TaxSplit::default()), CreditSplit { taxable: 500, tax: TaxSplit::default() });
        assert_eq!(split(0, 0, intra(0)).amount(), 0);
    }

    #[test]
    fn nearly_all_tax_never_goes_below_zero() {
        // Taxes 0.01 + 0.01 on a total of 0.01 (a discount ate the taxable value).
        let s = split(1, 1, intra(1));
        assert!(s.taxable >= 0 && s.amount() == 1, "{s:?}");
        assert_eq!(s.tax.cgst, s.tax.sgst);
    }

    proptest! {
        #[test]
        fn parts_add_up_and_stay_within_the_invoice(
            taxable in 0i64..10_000_000_000,
            rate_bp in 0i32..=2_800,
            inter in any::<bool>(),
            share in 0.0f64..=1.0,
        ) {
            let tax = crate::invoices::rules::gst(taxable, rate_bp, !inter);
            let total = taxable + tax.cgst + tax.sgst + tax.igst;
            let credit = ((total as f64) * share) as i64;
            let s = split(credit, total, tax);
            prop_assert_eq!(s.amount(), credit);
            prop_assert!(s.taxable >= 0 && s.taxable <= taxable);
            prop_assert!(s.tax.cgst <= tax.cgst && s.tax.sgst <= tax.sgst && s.tax.igst <= tax.igst);
            prop_assert_eq!(s.tax.cgst, s.tax.sgst);
        }
    }
}

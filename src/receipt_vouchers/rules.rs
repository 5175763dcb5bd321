//! The tax in an advance and in its adjustment: pure arithmetic over paise.

use crate::invoices::rules::{gst, TaxSplit};

/// An amount split into its taxable value and taxes: `amount = taxable + taxes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Split {
    pub taxable: i64,
    pub tax: TaxSplit,
}

impl Split {
    pub fn total(&self) -> i64 {
        self.taxable + self.tax.cgst + self.tax.sgst + self.tax.igst
    }
}

/// The tax in an advance of `amount` paise received at `rate_bp` (the advance includes its
/// tax, Rule 50's "amount of advance" being what was paid): the taxable value is the amount
/// less tax on that value, each tax to the paisa as an invoice rounds it, so the parts add up
/// to `amount` exactly.
pub fn in_advance(amount: i64, rate_bp: i32, same_state: bool) -> Split {
    let rate = i128::from(rate_bp.max(0));
    let base = i128::from(amount.max(0)) * 10_000;
    let guess = i64::try_from((base + (10_000 + rate) / 2) / (10_000 + rate)).unwrap_or(0);
    let tax = gst(guess, rate_bp, same_state);
    let taxes = tax.cgst + tax.sgst + tax.igst;
    Split { taxable: amount - taxes, tax }
}

/// The part of a voucher `voucher` (its whole split) adjusted when `amount` of its `open`
/// amount goes, given what was adjusted before (`before`). The last adjustment takes exactly
/// what is left, so a voucher's adjustments add up to it.
pub fn adjusted(voucher: Split, amount: i64, open: i64, before: Split) -> Split {
    if amount >= open {
        return Split {
            taxable: voucher.taxable - before.taxable,
            tax: TaxSplit {
                cgst: voucher.tax.cgst - before.tax.cgst,
                sgst: voucher.tax.sgst - before.tax.sgst,
                igst: voucher.tax.igst - before.tax.igst,
            },
        };
    }
    let total = voucher.total().max(1);
    let part = |tax: i64| {
        i64::try_from((i128::from(tax) * i128::from(amount) + i128::from(total) / 2) / i128::from(total)).unwrap_or(0)
    };
    let tax = TaxSplit { cgst: part(voucher.tax.cgst), sgst: part(voucher.tax.sgst), igst: part(voucher.tax.igst) };
    Split { taxable: amount - tax.cgst - tax.sgst - tax.igst, tax }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_advance_holds_its_tax() {
        // ₹1,180 at 18 % within the state: 1,000 + 90 + 90.
        let s = in_advance(118_000, 1800, true);
        assert_eq!(s, Split { taxable: 100_000, tax: TaxSplit { cgst: 9_000, sgst: 9_000, igst: 0 } });
        // ₹500 across states: 423.73 + IGST 76.27.
        let s = in_advance(50_000, 1800, false);
        assert_eq!((s.taxable, s.tax.igst, s.total()), (42_373, 7_627, 50_000));
        // Odd amounts still add up; no tax at rate 0.
        for amount in [1, 99, 101, 12_345, 999_999] {
            assert_eq!(in_advance(amount, 1800, true).total(), amount);
        }
        assert_eq!(in_advance(50_000, 0, true), Split { taxable: 50_000, tax: TaxSplit::default() });
    }

    #[test]
    fn adjustments_add_up_to_the_voucher() {
        let v = in_advance(100_000, 1800, true);
        let first = adjusted(v, 30_000, 100_000, Split::default());
        assert_eq!(first.total(), 30_000);
        let second = adjusted(v, 70_000, 70_000, first);
        assert_eq!(second.total(), 70_000);
        assert_eq!(first.tax.cgst + second.tax.cgst, v.tax.cgst);
        assert_eq!(first.taxable + second.taxable, v.taxable);
    }
}

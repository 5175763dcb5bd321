//! GSTR-1 rules that changed over time, in one table of dated entries: each says what a rule
//! is from a date on, and where that comes from. A lookup takes the latest entry of its rule
//! dated on or before the day asked about, so a return for an old period is built by the rules
//! of that period, and a new change is one more line in [`RULES`].
//!
//! Which day a rule is looked up by is the rule's own: the B2CL limit by the invoice's date
//! (rule 59(4) speaks of invoices), the shape of the HSN summary by the return period (the
//! portal changed the table from a return period on).

// Amounts are written in the Indian grouping (2_50_000 = two and a half lakh), on purpose.
#![allow(clippy::inconsistent_digit_grouping)]

use chrono::NaiveDate;

use super::model::Period;

/// How table 12 of GSTR-1 (the HSN-wise summary of outward supplies) is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HsnSummary {
    /// One list for all supplies: `"hsn": {"data": [...]}`.
    OneList,
    /// One list for supplies to registered recipients and one for the rest:
    /// `"hsn": {"hsn_b2b": [...], "hsn_b2c": [...]}`.
    SplitB2bB2c,
}

/// A rule and the value it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// An inter-state invoice to an unregistered recipient whose value is above this many
    /// paise is reported invoice by invoice (table 5, `b2cl`); at or below it, summed in
    /// `b2cs`. Looked up by the invoice's date (a credit note follows its invoice's).
    B2clThresholdPaise(i64),
    /// The shape of table 12. Looked up by the first day of the return period.
    HsnSummary(HsnSummary),
}

/// A rule's value from a date on.
#[derive(Debug, Clone, Copy)]
pub struct Dated {
    /// The first day the value applies.
    pub from: NaiveDate,
    pub rule: Rule,
    /// The notification, rule or advisory that says so.
    pub source: &'static str,
}

const fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a calendar date")
}

/// The first day of GST (1 July 2017): the rules as first notified.
const GST_START: NaiveDate = day(2017, 7, 1);

/// Every dated rule, oldest first within each rule.
pub const RULES: &[Dated] = &[
    Dated {
        from: GST_START,
        rule: Rule::B2clThresholdPaise(2_50_000_00),
        source: "CGST Rules, 2017, rule 59(4)(a)(ii) (Form GSTR-1 table 5): inter-State supplies to \
                 unregistered persons with an invoice value of more than two and a half lakh rupees",
    },
    Dated {
        from: day(2024, 8, 1),
        rule: Rule::B2clThresholdPaise(1_00_000_00),
        source: "Notification No. 12/2024-Central Tax, 10 July 2024: in rule 59(4), \"one lakh rupees\" for \
                 \"two and a half lakh rupees\" with effect from 1 August 2024 (GSTN advisory of 3 September \
                 2024 on reporting supplies to unregistered dealers in GSTR-1)",
    },
    Dated {
        from: GST_START,
        rule: Rule::HsnSummary(HsnSummary::OneList),
        source: "Form GSTR-1 table 12, HSN-wise summary of outward supplies: one table (GST offline tool \
                 and returns API: \"hsn\": {\"data\": [...]})",
    },
    Dated {
        from: day(2025, 5, 1),
        rule: Rule::HsnSummary(HsnSummary::SplitB2bB2c),
        source: "GSTN advisory on Phase-3 of HSN reporting in table 12 of GSTR-1 and GSTR-1A, from the May \
                 2025 return period: table 12 split into B2B and B2C supplies (\"hsn_b2b\", \"hsn_b2c\"), \
                 under Notification No. 78/2020-Central Tax",
    },
];

/// The value `pick` finds in the entry in force on `on`: the latest entry it finds dated on or
/// before `on`, else (a day before the table starts) the earliest it finds.
fn in_force<T>(on: NaiveDate, pick: impl Fn(&Rule) -> Option<T>) -> T {
    let mut entries: Vec<(NaiveDate, T)> = RULES.iter().filter_map(|d| pick(&d.rule).map(|v| (d.from, v))).collect();
    entries.sort_by_key(|(from, _)| *from);
    let index = entries.iter().rposition(|(from, _)| *from <= on).unwrap_or(0);
    entries.swap_remove(index).1
}

/// The B2CL limit, in paise, for an invoice dated `invoice_date`.
pub fn b2cl_threshold_paise(invoice_date: NaiveDate) -> i64 {
    in_force(invoice_date, |r| match r {
        Rule::B2clThresholdPaise(p) => Some(*p),
        _ => None,
    })
}

/// The shape of the HSN summary in the return for `period`.
pub fn hsn_summary(period: Period) -> HsnSummary {
    in_force(period.days().0, |r| match r {
        Rule::HsnSummary(s) => Some(*s),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_b2cl_limit_falls_to_one_lakh_for_invoices_from_1_august_2024() {
        assert_eq!(b2cl_threshold_paise(day(2024, 7, 31)), 2_50_000_00);
        assert_eq!(b2cl_threshold_paise(day(2024, 8, 1)), 1_00_000_00);
        assert_eq!(b2cl_threshold_paise(GST_START), 2_50_000_00);
        assert_eq!(b2cl_threshold_paise(day(2030, 1, 1)), 1_00_000_00);
        // Before GST the first rule stands (there is nothing older to report by).
        assert_eq!(b2cl_threshold_paise(day(2017, 6, 30)), 2_50_000_00);
    }

    #[test]
    fn the_hsn_summary_splits_from_the_may_2025_period() {
        assert_eq!(hsn_summary(Period { year: 2025, month: 4 }), HsnSummary::OneList);
        assert_eq!(hsn_summary(Period { year: 2025, month: 5 }), HsnSummary::SplitB2bB2c);
        assert_eq!(hsn_summary(Period { year: 2024, month: 12 }), HsnSummary::OneList);
        assert_eq!(hsn_summary(Period { year: 2026, month: 11 }), HsnSummary::SplitB2bB2c);
    }

    #[test]
    fn every_rule_starts_with_gst_and_cites_its_source() {
        let kinds = [Rule::B2clThresholdPaise(0), Rule::HsnSummary(HsnSummary::OneList)];
        for kind in kinds {
            let same = |d: &&Dated| std::mem::discriminant(&d.rule) == std::mem::discriminant(&kind);
            let dates: Vec<NaiveDate> = RULES.iter().filter(same).map(|d| d.from).collect();
            assert_eq!(dates.first(), Some(&GST_START), "{kind:?}");
            assert!(dates.windows(2).all(|w| w[0] < w[1]), "{kind:?} oldest first, one entry a day");
        }
        assert!(RULES.iter().all(|d| d.source.len() > 40));
    }
}

//! A month's documents as GSTR-1 needs them. Paise; rates in basis points.

use chrono::NaiveDate;

/// One invoice of the month as issued (one GST rate per invoice).
#[derive(Debug, Clone)]
pub struct InvoiceLine {
    pub number: String,
    pub date: NaiveDate,
    /// `INV/26-27` (financial-year numbering) or `INV` (timestamp numbers).
    pub series: String,
    /// Position in a financial-year series; `None` for timestamp numbers.
    pub serial: Option<i64>,
    /// The recipient's GSTIN when registered (B2B).
    pub customer_gstin: Option<String>,
    /// The recipient's name as issued (the offline tool's `Receiver Name`).
    pub recipient_name: String,
    /// Two-digit GST state code of the place of supply, e.g. `27`.
    pub pos_code: String,
    pub inter_state: bool,
    /// Total GST rate: 1800 = 18 %.
    pub rate_bp: i32,
    pub taxable_paise: i64,
    pub igst_paise: i64,
    pub cgst_paise: i64,
    pub sgst_paise: i64,
    /// Invoice value (taxable + taxes).
    pub value_paise: i64,
    pub cancelled: bool,
    /// Its lines by code, for the HSN summary.
    pub codes: Vec<CodeShare>,
}

/// One line of a document as the HSN summary counts it: its SAC or HSN code, goods' unit and
/// quantity (`None` for a service), and its value before discount, by which the document's
/// taxable value and taxes are shared among its codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeShare {
    pub code: String,
    pub goods: Option<(String, i64)>,
    pub weight: i64,
}

/// One credit note of the month, against an invoice. Paise, positive.
#[derive(Debug, Clone)]
pub struct CreditNoteLine {
    /// A debit note (`ntty` D: the value rose); else a credit note.
    pub debit: bool,
    pub number: String,
    pub date: NaiveDate,
    pub series: String,
    pub serial: Option<i64>,
    /// The original invoice's value as issued and its date (to tell B2CL from B2CS by the
    /// limit of the invoice's date).
    pub invoice_value_paise: i64,
    pub invoice_date: NaiveDate,
    pub customer_gstin: Option<String>,
    /// The recipient's name as issued (the offline tool's `Receiver Name`).
    pub recipient_name: String,
    pub pos_code: String,
    pub inter_state: bool,
    pub rate_bp: i32,
    pub taxable_paise: i64,
    pub igst_paise: i64,
    pub cgst_paise: i64,
    pub sgst_paise: i64,
    pub value_paise: i64,
    /// The code it changes the value under, for the HSN summary (no quantity).
    pub codes: Vec<CodeShare>,
}

/// A return period: a calendar month (India time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub year: i32,
    pub month: u32,
}

impl Period {
    /// `YYYY-MM`, or a message saying what is wrong.
    pub fn parse(text: &str) -> Result<Period, String> {
        let bad = || format!("must be a month as YYYY-MM, like 2026-11, got \"{}\"", text.trim());
        let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let (year, month) = (y.parse::<i32>().map_err(|_| bad())?, m.parse::<u32>().map_err(|_| bad())?);
        if !(2000..=2999).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Period { year, month })
    }

    /// The month `date` falls in.
    pub fn of(date: NaiveDate) -> Period {
        use chrono::Datelike;
        Period { year: date.year(), month: date.month() }
    }

    /// `YYYY-MM`.
    pub fn label(self) -> String {
        format!("{}-{:02}", self.year, self.month)
    }

    /// The first and last day of the month.
    pub fn days(self) -> (NaiveDate, NaiveDate) {
        let first = NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default();
        let next = if self.month == 12 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, self.month + 1, 1)
        };
        (first, next.and_then(|d| d.pred_opt()).unwrap_or(first))
    }

    /// `MMYYYY`, GSTR-1's `fp`.
    pub fn fp(self) -> String {
        format!("{:02}{}", self.month, self.year)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_months() {
        let p = Period::parse("2027-03").unwrap();
        assert_eq!(p.fp(), "032027");
        let (first, last) = p.days();
        assert_eq!((first.to_string(), last.to_string()), ("2027-03-01".into(), "2027-03-31".into()));
        assert_eq!(Period::parse("2028-02").unwrap().days().1.to_string(), "2028-02-29");
        assert_eq!(Period::parse("2026-12").unwrap().days().1.to_string(), "2026-12-31");
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "", "abcd-ef"] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }
}

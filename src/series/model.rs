use crate::text_enum;

text_enum! {
    /// How a company numbers its tax invoices and credit notes.
    pub enum InvoiceNumbering {
        /// `INV` + `YYYYMMDDHHmmss` (India time), `-2`, `-3`, ... within one second; credit
        /// notes `CN` + the same. The original system's format: not consecutive, and 17
        /// characters, so not Rule 46 compliant. The default, so existing data is unaffected.
        Timestamp => "TIMESTAMP",
        /// `<prefix>/<YY-YY>/<serial>` (`INV/26-27/000123`): at most 16 characters, consecutive
        /// from 1 in each financial year (1 April, India time), never skipped or reused.
        FinancialYear => "FINANCIAL_YEAR",
    }
}

text_enum! {
    /// Which kind of document a series numbers.
    pub enum DocumentType {
        /// Tax invoices.
        Invoice => "INVOICE",
        /// Credit and debit notes (rows of `credit_notes`; each kind in a series of its own
        /// prefix).
        CreditNote => "CREDIT_NOTE",
    }
}

/// Where a new document's number comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numbered {
    pub number: String,
    /// `INV/26-27` or `INV`.
    pub series: String,
    /// Set for financial-year series.
    pub serial: Option<i64>,
}

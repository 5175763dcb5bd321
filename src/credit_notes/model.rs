use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::credit_notes;
use crate::text_enum;

text_enum! {
    /// Which way a note moves an issued invoice's value (CGST Act section 34).
    pub enum NoteType {
        /// The value or tax falls (section 34(1)): a waiver, a discount given later.
        Credit => "CREDIT",
        /// The value or tax rises (section 34(3)): a charge found after issue.
        Debit => "DEBIT",
    }
}

crate::row_and_new! {
    table = credit_notes;

    /// A row of `credit_notes`: a credit or a debit note. Amounts in paise, never negative;
    /// `amount = taxable + cgst + sgst + igst`.
    #[derive(Debug, Clone, Queryable)]
    pub struct CreditNoteRow {
        pub id: i64,
        ..NewCreditNote
    }

    #[derive(Debug, Clone, Insertable)]
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewCreditNote {
        pub credit_note_number: String,
        pub series: String,
        pub serial: Option<i64>,
        pub company_id: i64,
        pub invoice_id: i64,
        pub customer_id: i64,
        pub note_date: NaiveDate,
        pub taxable_paise: i64,
        pub cgst_paise: i64,
        pub sgst_paise: i64,
        pub igst_paise: i64,
        pub amount_paise: i64,
        pub reason: String,
        pub issued_by: Option<i64>,
        pub issued_by_name: String,
        pub created_at: NaiveDateTime,
        /// A credit note, or a debit note (kept in the same table: GSTR-1's `cdn`).
        pub note_type: NoteType,
    }
}

/// Narrows `creditNotes`. Dates are credit note dates, both ends inclusive.
#[derive(Debug, Clone, Default)]
pub struct CreditNoteFilter {
    pub customer_id: Option<i64>,
    pub invoice_id: Option<i64>,
    pub company_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

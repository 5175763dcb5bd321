use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{advance_adjustments, receipt_vouchers};
use crate::text_enum;

crate::row_and_new! {
    table = receipt_vouchers;

    /// A row of `receipt_vouchers`: an advance received and the tax in it, as issued (never
    /// changed, except `adjusted_paise`). Paise; `amount = taxable + cgst + sgst + igst`.
    #[derive(Debug, Clone, Queryable)]
    pub struct VoucherRow {
        pub id: i64,
        ..NewVoucher
    }

    #[derive(Debug, Clone, Insertable)]
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewVoucher {
        pub company_id: i64,
        pub customer_id: i64,
        /// The payment that brought the advance in.
        pub payment_id: Option<i64>,
        pub series: String,
        pub serial: i64,
        pub voucher_number: String,
        pub voucher_date: NaiveDate,
        pub amount_paise: i64,
        pub taxable_paise: i64,
        pub cgst_paise: i64,
        pub sgst_paise: i64,
        pub igst_paise: i64,
        pub rate_bp: i32,
        /// Two-digit GST state code of the place of supply.
        pub pos_code: String,
        pub inter_state: bool,
        pub customer_gstin: Option<String>,
        /// How much of `amount` has been adjusted (invoiced or refunded) so far.
        pub adjusted_paise: i64,
        /// The voucher as printed (a `TaxDocument`, JSON), frozen when issued.
        pub document: String,
        pub created_at: NaiveDateTime,
    }
}

impl VoucherRow {
    /// What is still to be adjusted.
    pub fn open(&self) -> i64 {
        self.amount_paise - self.adjusted_paise
    }

    /// The advance as its taxable value and taxes.
    pub fn split(&self) -> super::rules::Split {
        super::rules::Split {
            taxable: self.taxable_paise,
            tax: crate::invoices::rules::TaxSplit {
                cgst: self.cgst_paise,
                sgst: self.sgst_paise,
                igst: self.igst_paise,
            },
        }
    }
}

text_enum! {
    /// Why an advance was adjusted.
    pub enum AdjustmentCause {
        /// The money reached an issued invoice (the supply is invoiced).
        Invoiced => "INVOICED",
        /// The money was refunded with no supply made.
        Refunded => "REFUNDED",
    }
}

crate::row_and_new! {
    table = advance_adjustments;

    /// A row of `advance_adjustments`: part of a voucher's advance (and of its tax) taken off.
    #[derive(Debug, Clone, Queryable)]
    pub struct AdjustmentRow {
        pub id: i64,
        ..NewAdjustment
    }

    #[derive(Debug, Clone, Insertable)]
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewAdjustment {
        pub voucher_id: i64,
        pub company_id: i64,
        pub adjusted_on: NaiveDate,
        pub amount_paise: i64,
        pub taxable_paise: i64,
        pub cgst_paise: i64,
        pub sgst_paise: i64,
        pub igst_paise: i64,
        pub invoice_id: Option<i64>,
        pub cause: AdjustmentCause,
        pub created_at: NaiveDateTime,
    }
}

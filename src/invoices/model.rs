use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::invoices;
use crate::text_enum;

text_enum! {
    /// Where an invoice stands.
    pub enum InvoiceStatus {
        /// Raised, not yet issued: a proforma, not a tax invoice (no number from a tax series,
        /// in no return).
        Draft => "DRAFT",
        /// Issued to the customer (`sentAt`, `issuedAt`).
        Sent => "SENT",
        /// Fully paid: set by payments only.
        Paid => "PAID",
        /// Past its due date and not fully paid.
        Overdue => "OVERDUE",
        /// Withdrawn; only possible while nothing is paid.
        Cancelled => "CANCELLED",
    }
}

crate::row_and_new! {
    table = invoices;

    /// A row of `invoices`. Amounts in paise; `status` holds an [`InvoiceStatus`] name.
    #[derive(Debug, Clone, Queryable, QueryableByName)]
    pub struct InvoiceRow {
        pub id: i64,
        ..NewInvoice
    }

    #[derive(Debug, Clone, Insertable)]
    // `None` is NULL, not DEFAULT: that lets SQLite insert many rows in one statement.
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewInvoice {
        pub invoice_number: String,
        pub customer_id: i64,
        pub bill_paise: i64,
        pub cgst_paise: i64,
        pub sgst_paise: i64,
        pub igst_paise: i64,
        pub installation_paise: i64,
        pub discount_paise: i64,
        pub total_paise: i64,
        pub paid_paise: i64,
        pub balance_paise: i64,
        #[diesel(deserialize_as = crate::db::dates::Day)]
        pub invoice_date: NaiveDate,
        #[diesel(deserialize_as = crate::db::dates::Day)]
        pub due_date: NaiveDate,
        #[diesel(deserialize_as = crate::db::dates::MaybeDay)]
        pub billing_period_start: Option<NaiveDate>,
        #[diesel(deserialize_as = crate::db::dates::MaybeDay)]
        pub billing_period_end: Option<NaiveDate>,
        pub status: InvoiceStatus,
        #[diesel(deserialize_as = crate::db::dates::MaybeMoment)]
        pub sent_at: Option<NaiveDateTime>,
        #[diesel(deserialize_as = crate::db::dates::Moment)]
        pub created_at: NaiveDateTime,
        #[diesel(deserialize_as = crate::db::dates::Moment)]
        pub updated_at: NaiveDateTime,
        /// The company that issued it.
        pub company_id: i64,
        /// The customer's state when it was issued (GST place of supply).
        pub place_of_supply: String,
        /// The customer's GSTIN when it was issued (a B2B invoice), if any.
        pub customer_gstin: Option<String>,
        /// The company's GST rate when it was issued, in basis points.
        pub gst_rate_bp: i32,
        /// The numbering series: `INV/26-27` (prefix and financial year) or `INV` (timestamp numbers).
        pub series: String,
        /// Position in a financial-year series; `None` for timestamp numbers.
        pub serial: Option<i64>,
        /// The billing run that raised it (renewal invoices), if any.
        pub billing_run_id: Option<i64>,
        /// When it was issued as a tax document (numbered in its series, its snapshot frozen);
        /// `None` for a proforma (a draft never issued).
        #[diesel(deserialize_as = crate::db::dates::MaybeMoment)]
        pub issued_at: Option<NaiveDateTime>,
    }
}

/// The columns of an invoice that a page of customers shows with each customer (the profile's
/// `invoices { invoiceNumber invoiceDate totalAmount paidAmount balanceAmount status }`): read
/// instead of the whole [`InvoiceRow`] when the query asks for no other field
/// (`crate::customers::prefetch`), a third of the width.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invoices)]
pub struct InvoiceBrief {
    pub id: i64,
    pub invoice_number: String,
    pub customer_id: i64,
    pub total_paise: i64,
    pub paid_paise: i64,
    pub balance_paise: i64,
    #[diesel(deserialize_as = crate::db::dates::Day)]
    pub invoice_date: NaiveDate,
    #[diesel(deserialize_as = crate::db::dates::Day)]
    pub due_date: NaiveDate,
    pub status: InvoiceStatus,
}

impl InvoiceBrief {
    /// Its columns, as `Selectable` names them, for any connection.
    pub fn columns() -> <InvoiceBrief as Selectable<crate::db::MultiBackend>>::SelectExpression {
        <InvoiceBrief as Selectable<crate::db::MultiBackend>>::construct_selection()
    }
}

/// An invoice to insert under an id taken first ([`crate::db::NewIds`]).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = invoices)]
// Else `id` would be a value that may be DEFAULT, and diesel would insert many rows into SQLite
// one statement each.
#[diesel(treat_none_as_default_value = false)]
pub struct NewInvoiceAs {
    pub id: i64,
    #[diesel(embed)]
    pub new: NewInvoice,
}

/// Narrows `invoices`. Dates are invoice dates, both ends inclusive.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    pub customer_id: Option<i64>,
    pub status: Option<InvoiceStatus>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub invoice_number: Option<String>,
}

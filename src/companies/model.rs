use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::companies;
use crate::series::model::InvoiceNumbering;

crate::row_and_new! {
    table = companies;

    /// A row of `companies`.
    #[derive(Debug, Clone, Queryable, Selectable)]
    pub struct CompanyRow {
        pub id: i64,
        ..NewCompany,
        /// Days a TERMINATED customer's KYC record is kept before it is erased (730 unless set).
        pub kyc_retention_days: i32,
        /// The RADIUS reply attribute a plan's speed becomes (`Mikrotik-Rate-Limit` unless set).
        pub radius_rate_attribute: String,
        /// What a SUSPENDED customer's network login gets: `WALLED_GARDEN` or `REJECT`.
        pub radius_suspended: crate::network::model::SuspendedAccess,
        /// The address pool (`Framed-Pool`) of the walled garden.
        pub radius_walled_pool: String,
        /// The company's payment page at its gateway, shown on the walled garden's `/pay` page
        /// (`{customer}` and `{amount}` filled in there).
        pub pay_link: Option<String>,
    }

    #[derive(Debug, Insertable)]
    // `None` is NULL, not DEFAULT: that lets SQLite insert many rows in one statement.
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewCompany {
        pub name: String,
        pub gstin: Option<String>,
        pub state: String,
        pub address: Option<String>,
        pub phone: Option<String>,
        pub email: Option<String>,
        /// GST rate in basis points (1800 = 18.00 %).
        pub gst_rate_bp: i32,
        #[diesel(deserialize_as = crate::db::dates::Moment)]
        pub created_at: NaiveDateTime,
        #[diesel(deserialize_as = crate::db::dates::Moment)]
        pub updated_at: NaiveDateTime,
        pub invoice_numbering: InvoiceNumbering,
        /// Prefix of financial-year invoice numbers (`INV`).
        pub invoice_prefix: String,
        /// Prefix of financial-year credit note numbers (`CN`).
        pub credit_note_prefix: String,
        /// Days a prepaid period may run unpaid before the billing cycle suspends the customer.
        pub grace_days: i32,
        /// Days past its due date a postpaid invoice may stay unpaid before suspension.
        pub postpaid_limit_days: i32,
        /// Who signs the company's documents ("Authorised signatory"); frozen into each one.
        pub signatory_name: Option<String>,
        /// The UPI address (VPA, `name@handle`) an invoice's QR code pays.
        pub upi_vpa: Option<String>,
        /// Reports its B2B documents to the Invoice Registration Portal (e-invoicing, for
        /// turnover above the limit): e-invoice JSON is served and IRNs are recorded.
        pub einvoicing: bool,
        /// Prefix of financial-year debit note numbers (`DN`).
        pub debit_note_prefix: String,
    }
}

/// The columns of a company that a page of customers shows with each customer (its name,
/// GSTIN, state and GST rate): read instead of the whole [`CompanyRow`] when the query asks
/// for nothing more (`crate::customers::prefetch`).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = companies)]
pub struct CompanyBrief {
    pub id: i64,
    pub name: String,
    pub gstin: Option<String>,
    pub state: String,
    pub gst_rate_bp: i32,
}

impl CompanyBrief {
    /// Its columns, as `Selectable` names them, for any connection.
    pub fn columns() -> <CompanyBrief as Selectable<crate::db::MultiBackend>>::SelectExpression {
        <CompanyBrief as Selectable<crate::db::MultiBackend>>::construct_selection()
    }
}

/// Changes to a company: `None` leaves a column alone, `Some(None)` clears it.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = companies)]
pub struct CompanyChanges {
    pub name: Option<String>,
    pub gstin: Option<Option<String>>,
    pub state: Option<String>,
    pub address: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub gst_rate_bp: Option<i32>,
    pub updated_at: NaiveDateTime,
    pub invoice_numbering: Option<InvoiceNumbering>,
    pub invoice_prefix: Option<String>,
    pub credit_note_prefix: Option<String>,
    pub grace_days: Option<i32>,
    pub postpaid_limit_days: Option<i32>,
    pub signatory_name: Option<Option<String>>,
    pub upi_vpa: Option<Option<String>>,
    pub einvoicing: Option<bool>,
    pub debit_note_prefix: Option<String>,
    pub kyc_retention_days: Option<i32>,
}

/// What `companies(filter:)` narrows by.
#[derive(Debug, Default, Clone)]
pub struct CompanyFilter {
    /// Case-insensitive part of the name.
    pub search: Option<String>,
}

impl CompanyRow {
    /// The fields `updateCompany` records from → to (the UPI address is where customers' money
    /// goes: every change is kept).
    pub fn audit_fields(&self) -> crate::audit::diff::Fields {
        use crate::audit::diff::{name, v, Shown};
        vec![
            ("name", v(&self.name)),
            ("gstin", v(&self.gstin)),
            ("state", v(&self.state)),
            ("address", v(&self.address)),
            ("phone", v(&self.phone)),
            ("email", v(&self.email)),
            ("gstRate", Shown::Plain(crate::money::format_hundredths(self.gst_rate_bp.into()))),
            ("invoiceNumbering", name(&self.invoice_numbering)),
            ("invoicePrefix", v(&self.invoice_prefix)),
            ("creditNotePrefix", v(&self.credit_note_prefix)),
            ("debitNotePrefix", v(&self.debit_note_prefix)),
            ("graceDays", v(&self.grace_days)),
            ("postpaidLimitDays", v(&self.postpaid_limit_days)),
            ("signatoryName", v(&self.signatory_name)),
            ("upiVpa", v(&self.upi_vpa)),
            ("einvoicing", v(&self.einvoicing)),
            ("kycRetentionDays", v(&self.kyc_retention_days)),
        ]
    }
}

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{payment_allocations, payments};
use crate::text_enum;

text_enum! {
    /// How the customer paid.
    pub enum PaymentMethod {
        Cash => "CASH",
        Paytm => "PAYTM",
        Phonepe => "PHONEPE",
        Googlepay => "GOOGLEPAY",
        Cheque => "CHEQUE",
        NetBanking => "NET_BANKING",
        Excitel => "EXCITEL",
        Wiom => "WIOM",
        /// UPI from any app, or through a payment gateway (`utr` holds its reference).
        Upi => "UPI",
        /// Through a payment gateway by card, wallet or another instrument.
        Online => "ONLINE",
    }
}

text_enum! {
    /// Whether the money arrived.
    pub enum PaymentStatus {
        /// Awaiting confirmation (a cheque to clear, a gateway callback); counts for nothing yet.
        Pending => "PENDING",
        /// Received; counted on its invoice.
        Completed => "COMPLETED",
        /// Did not go through; never counts.
        Failed => "FAILED",
    }
}

crate::row_and_new! {
    table = payments;

    /// A row of `payments`. `amount_paise` is positive; enum columns hold their GraphQL names.
    #[derive(Debug, Clone, Queryable, QueryableByName)]
    pub struct PaymentRow {
        pub id: i64,
        ..NewPayment,
        /// How much of it was paid back.
        pub refunded_paise: i64,
        /// `payment_reference` as duplicates are compared ([`super::rules::reference_key`]);
        /// unique per method.
        pub payment_reference_key: Option<String>,
        /// The UPI transaction reference (UTR, 12 digits), unique across every method and channel.
        pub upi_utr: Option<String>,
    }

    /// A new row of `payments`, without its `payment_reference_key`: [`super::service::record`]
    /// inserts it together with the key (`(&new, payments::payment_reference_key.eq(key))`).
    #[derive(Debug, Clone, Insertable)]
    // `None` is NULL, not DEFAULT: that lets SQLite insert many rows in one statement.
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewPayment {
        pub payment_id: String,
        pub customer_id: i64,
        pub invoice_id: Option<i64>,
        pub amount_paise: i64,
        pub method: PaymentMethod,
        pub payment_reference: Option<String>,
        pub remarks: Option<String>,
        pub status: PaymentStatus,
        pub collected_by: Option<i64>,
        #[diesel(deserialize_as = crate::db::dates::Moment)]
        pub paid_at: NaiveDateTime,
        #[diesel(deserialize_as = crate::db::dates::Moment)]
        pub created_at: NaiveDateTime,
        #[diesel(deserialize_as = crate::db::dates::Moment)]
        pub updated_at: NaiveDateTime,
        /// How much of it sits on invoices.
        pub allocated_paise: i64,
    }
}

impl PaymentRow {
    /// What is left of a completed payment after refunds and invoices: the customer's advance.
    pub fn unallocated(&self) -> i64 {
        if self.status == PaymentStatus::Completed {
            self.amount_paise - self.refunded_paise - self.allocated_paise
        } else {
            0
        }
    }
}

/// The columns of a payment that a page of customers shows under each invoice (the profile's
/// `payments { paymentId amount paymentMethod status paidAt }`): read instead of the whole
/// [`PaymentRow`] when the query asks for no other field (`crate::customers::prefetch`).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = payments)]
pub struct PaymentBrief {
    pub id: i64,
    pub payment_id: String,
    pub customer_id: i64,
    pub amount_paise: i64,
    pub method: PaymentMethod,
    pub status: PaymentStatus,
    #[diesel(deserialize_as = crate::db::dates::Moment)]
    pub paid_at: NaiveDateTime,
}

impl PaymentBrief {
    /// Its columns, as `Selectable` names them, for any connection.
    pub fn columns() -> <PaymentBrief as Selectable<crate::db::MultiBackend>>::SelectExpression {
        <PaymentBrief as Selectable<crate::db::MultiBackend>>::construct_selection()
    }
}

crate::row_and_new! {
    table = payment_allocations;

    /// A row of `payment_allocations`: money of one payment put on (negative: taken back from)
    /// one invoice.
    #[derive(Debug, Clone, Queryable)]
    pub struct AllocationRow {
        pub id: i64,
        ..NewAllocation
    }

    #[derive(Debug, Clone, Insertable)]
    pub struct NewAllocation {
        pub payment_id: i64,
        pub invoice_id: i64,
        pub amount_paise: i64,
        #[diesel(deserialize_as = crate::db::dates::Moment)]
        pub created_at: NaiveDateTime,
    }
}

/// Narrows `payments`.
#[derive(Debug, Clone, Default)]
pub struct PaymentFilter {
    pub customer_id: Option<i64>,
    pub invoice_id: Option<i64>,
    pub method: Option<PaymentMethod>,
    pub status: Option<PaymentStatus>,
    pub collected_by: Option<i64>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::payments;
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

/// A row of `payments`. `amount_paise` is positive; enum columns hold their GraphQL names.
#[derive(Debug, Clone, Queryable, QueryableByName)]
#[diesel(table_name = payments)]
pub struct PaymentRow {
    pub id: i64,
    pub payment_id: String,
    pub customer_id: i64,
    pub invoice_id: Option<i64>,
    pub amount_paise: i64,
    pub method: String,
    pub payment_reference: Option<String>,
    pub remarks: Option<String>,
    pub status: String,
    pub collected_by: Option<i64>,
    pub paid_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = payments)]
// `None` is NULL, not DEFAULT: that lets SQLite insert many rows in one statement.
#[diesel(treat_none_as_default_value = false)]
pub struct NewPayment {
    pub payment_id: String,
    pub customer_id: i64,
    pub invoice_id: Option<i64>,
    pub amount_paise: i64,
    pub method: String,
    pub payment_reference: Option<String>,
    pub remarks: Option<String>,
    pub status: String,
    pub collected_by: Option<i64>,
    pub paid_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

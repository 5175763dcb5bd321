use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::refunds;
use crate::payments::model::PaymentMethod;

crate::row_and_new! {
    table = refunds;

    /// A row of `refunds`. `approved_by` is the staff member who approved it.
    #[derive(Debug, Clone, Queryable)]
    pub struct RefundRow {
        pub id: i64,
        ..NewRefund
    }

    #[derive(Debug, Clone, Insertable)]
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewRefund {
        pub refund_id: String,
        pub payment_id: i64,
        pub customer_id: i64,
        pub amount_paise: i64,
        pub reason: String,
        pub approved_by: Option<i64>,
        pub created_at: NaiveDateTime,
    }
}

/// Narrows `refunds` (and the refunds report, which also narrows by the customer's company
/// and locality and by the refunded payment's method and collector).
#[derive(Debug, Clone, Default)]
pub struct RefundFilter {
    pub customer_id: Option<i64>,
    pub payment_id: Option<i64>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub company_id: Option<i64>,
    pub locality_id: Option<i64>,
    pub method: Option<PaymentMethod>,
    pub collector_id: Option<i64>,
}

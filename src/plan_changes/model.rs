use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::plan_changes;

crate::row_and_new! {
    table = plan_changes;

    /// A row of `plan_changes`: a prorated plan change, or a credit carried over (no plans).
    #[derive(Debug, Clone, Queryable)]
    pub struct PlanChangeRow {
        pub id: i64,
        ..NewPlanChange
    }

    #[derive(Debug, Clone, Insertable)]
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewPlanChange {
        pub customer_id: i64,
        pub old_plan_id: Option<i64>,
        pub new_plan_id: Option<i64>,
        pub changed_on: NaiveDate,
        pub period_start: NaiveDate,
        pub period_end: NaiveDate,
        pub unused_days: i32,
        pub period_days: i32,
        pub credit_paise: i64,
        pub charge_paise: i64,
        /// `charge − credit`: what the next invoice's bill changes by.
        pub net_paise: i64,
        /// On a carried credit: the invoice it did not fit on.
        pub carried_from_invoice_id: Option<i64>,
        /// The invoice it is on; `None` while it waits for the next one.
        pub invoice_id: Option<i64>,
        pub created_by: Option<i64>,
        pub created_at: NaiveDateTime,
    }
}

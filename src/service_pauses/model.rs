use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::service_pauses;

crate::row_and_new! {
    table = service_pauses;

    /// A row of `service_pauses`: one pause of a customer's service, open while `resumed_on` is
    /// `None`.
    #[derive(Debug, Clone, Queryable)]
    pub struct ServicePauseRow {
        pub id: i64,
        ..NewServicePause
    }

    #[derive(Debug, Clone, Insertable)]
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewServicePause {
        pub customer_id: i64,
        /// The first day without service.
        pub paused_on: NaiveDate,
        /// The day the service came back; `None` while paused.
        pub resumed_on: Option<NaiveDate>,
        /// The days given back (`resumed_on − paused_on`); `None` while paused.
        pub days: Option<i32>,
        pub reason: Option<String>,
        pub created_by: Option<i64>,
        pub resumed_by: Option<i64>,
        pub created_at: NaiveDateTime,
        pub updated_at: NaiveDateTime,
    }
}

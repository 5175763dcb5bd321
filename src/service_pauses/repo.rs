//! Queries on `service_pauses`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{NewServicePause, ServicePauseRow};
use crate::db::schema::service_pauses;
use crate::db::DbConn;
use crate::error::AppResult;

pub fn insert(conn: &mut DbConn, new: &NewServicePause) -> AppResult<ServicePauseRow> {
    Ok(diesel::insert_into(service_pauses::table)
        .values(new)
        .returning(service_pauses::all_columns)
        .get_result(conn)?)
}

/// The customer's open pause, if they are paused.
pub fn open_of(conn: &mut DbConn, customer_id: i64) -> AppResult<Option<ServicePauseRow>> {
    Ok(service_pauses::table
        .filter(service_pauses::customer_id.eq(customer_id))
        .filter(service_pauses::resumed_on.is_null())
        .first(conn)
        .optional()?)
}

/// The customers of `ids` with an open pause.
pub fn paused_of(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<i64>> {
    Ok(service_pauses::table
        .filter(crate::db::fragments::id_in("service_pauses.customer_id", ids))
        .filter(service_pauses::resumed_on.is_null())
        .select(service_pauses::customer_id)
        .load(conn)?)
}

/// The day the customer's last pause ended, if any did.
pub fn last_resumed(conn: &mut DbConn, customer_id: i64) -> AppResult<Option<NaiveDate>> {
    Ok(service_pauses::table
        .filter(service_pauses::customer_id.eq(customer_id))
        .select(diesel::dsl::max(service_pauses::resumed_on))
        .first::<Option<NaiveDate>>(conn)?)
}

/// Ends pause `id` on `on`, `days` given back, by `by`.
pub fn close(
    conn: &mut DbConn,
    id: i64,
    on: NaiveDate,
    days: i32,
    by: Option<i64>,
    now: NaiveDateTime,
) -> AppResult<ServicePauseRow> {
    Ok(diesel::update(service_pauses::table.find(id))
        .set((
            service_pauses::resumed_on.eq(on),
            service_pauses::days.eq(days),
            service_pauses::resumed_by.eq(by),
            service_pauses::updated_at.eq(now),
        ))
        .returning(service_pauses::all_columns)
        .get_result(conn)?)
}

/// The pauses of each customer in `customer_ids`, oldest first.
pub fn of_customers(conn: &mut DbConn, customer_ids: &[i64]) -> AppResult<Vec<ServicePauseRow>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(service_pauses::table
        .filter(crate::db::fragments::id_in("service_pauses.customer_id", customer_ids))
        .order(service_pauses::id.asc())
        .load(conn)?)
}

/// The customers whose service is paused now, as a subquery for `customers.id NOT IN (...)`
/// (the billing cycle leaves them alone).
#[diesel::dsl::auto_type]
pub fn paused_customers() -> _ {
    service_pauses::table.filter(service_pauses::resumed_on.is_null()).select(service_pauses::customer_id)
}

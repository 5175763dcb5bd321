//! Queries on `payment_gateways`, `gateway_payments` and `gateway_events`; each takes a
//! connection so it can run inside a caller's transaction.

use diesel::prelude::*;

use super::model::{GatewayChanges, GatewayPaymentRow, GatewayRow, NewGateway, NewGatewayEvent, NewGatewayPayment};
use crate::db::schema::{gateway_events, gateway_payments, payment_gateways};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<GatewayRow>> {
    Ok(payment_gateways::table.filter(crate::db::fragments::id_in("payment_gateways.id", ids)).load(conn)?)
}

pub fn find(conn: &mut DbConn, id: i64) -> AppResult<GatewayRow> {
    payment_gateways::table.find(id).first(conn).optional()?.ok_or_else(|| AppError::not_found("payment gateway"))
}

/// Every gateway, of one company or all, in the order they were added.
pub fn list(conn: &mut DbConn, company_id: Option<i64>) -> AppResult<Vec<GatewayRow>> {
    let mut query = payment_gateways::table.order(payment_gateways::id.asc()).into_boxed();
    if let Some(company_id) = company_id {
        query = query.filter(payment_gateways::company_id.eq(company_id));
    }
    Ok(query.load(conn)?)
}

pub fn insert(conn: &mut DbConn, new: &NewGateway) -> AppResult<GatewayRow> {
    Ok(diesel::insert_into(payment_gateways::table)
        .values(new)
        .returning(payment_gateways::all_columns)
        .get_result(conn)?)
}

pub fn update(conn: &mut DbConn, id: i64, changes: &GatewayChanges) -> AppResult<GatewayRow> {
    diesel::update(payment_gateways::table.find(id))
        .set(changes)
        .returning(payment_gateways::all_columns)
        .get_result(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("payment gateway"))
}

pub fn delete(conn: &mut DbConn, id: i64) -> AppResult<()> {
    if diesel::delete(payment_gateways::table.find(id)).execute(conn)? == 0 {
        return Err(AppError::not_found("payment gateway"));
    }
    Ok(())
}

/// Records a notification (unique per gateway, event id and `conflict_no`: a second is refused).
pub fn insert_event(conn: &mut DbConn, new: &NewGatewayEvent) -> AppResult<()> {
    diesel::insert_into(gateway_events::table).values(new).execute(conn)?;
    Ok(())
}

/// The gateway payments recorded under exactly this id, first report first.
pub fn with_gateway_payment_id(conn: &mut DbConn, gateway_id: i64, id: &str) -> AppResult<Vec<GatewayPaymentRow>> {
    Ok(gateway_payments::table
        .filter(gateway_payments::gateway_id.eq(gateway_id))
        .filter(gateway_payments::gateway_payment_id.eq(id))
        .order(gateway_payments::conflict_no.asc())
        .load(conn)?)
}

/// The gateway payments with UPI reference `utr`, of any gateway, oldest first.
pub fn with_utr(conn: &mut DbConn, utr: &str) -> AppResult<Vec<GatewayPaymentRow>> {
    Ok(gateway_payments::table.filter(gateway_payments::utr.eq(utr)).order(gateway_payments::id.asc()).load(conn)?)
}

pub fn insert_payment(conn: &mut DbConn, new: &NewGatewayPayment) -> AppResult<GatewayPaymentRow> {
    Ok(diesel::insert_into(gateway_payments::table)
        .values(new)
        .returning(gateway_payments::all_columns)
        .get_result(conn)?)
}

pub fn gateway_payments_by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<GatewayPaymentRow>> {
    Ok(gateway_payments::table.filter(crate::db::fragments::id_in("gateway_payments.id", ids)).load(conn)?)
}

pub fn find_payment(conn: &mut DbConn, id: i64) -> AppResult<GatewayPaymentRow> {
    gateway_payments::table.find(id).first(conn).optional()?.ok_or_else(|| AppError::not_found("gateway payment"))
}

/// Gateway payments still unmatched, oldest first, with their count and sum.
pub fn unmatched(conn: &mut DbConn, first: i64) -> AppResult<(Vec<GatewayPaymentRow>, i64, i64)> {
    let rows = gateway_payments::table
        .filter(gateway_payments::payment_id.is_null())
        .order(gateway_payments::id.asc())
        .limit(first)
        .load(conn)?;
    let (count, sum) = unmatched_totals(conn, None, None, None)?;
    Ok((rows, count, sum))
}

/// Marks unmatched gateway payment `id` as having become payment `payment_id` (assigned by
/// `by`); `CONFLICT` when someone assigned it meanwhile.
pub fn set_matched(conn: &mut DbConn, id: i64, payment_id: i64, by: Option<i64>) -> AppResult<GatewayPaymentRow> {
    diesel::update(gateway_payments::table.find(id).filter(gateway_payments::payment_id.is_null()))
        .set((
            gateway_payments::payment_id.eq(payment_id),
            gateway_payments::assigned_by.eq(by),
            gateway_payments::updated_at.eq(crate::clock::now()),
        ))
        .returning(gateway_payments::all_columns)
        .get_result(conn)
        .optional()?
        .ok_or_else(|| AppError::Conflict("this gateway payment was assigned meanwhile".to_owned()))
}

/// An unmatched gateway payment with UPI reference `utr`, if any.
pub fn unmatched_by_utr(conn: &mut DbConn, utr: &str) -> AppResult<Option<GatewayPaymentRow>> {
    Ok(gateway_payments::table
        .filter(gateway_payments::utr.eq(utr))
        .filter(gateway_payments::payment_id.is_null())
        .first(conn)
        .optional()?)
}

/// The gateway payment that became payment `payment_id`, if any.
pub fn for_payment(conn: &mut DbConn, payment_id: i64) -> AppResult<Option<GatewayPaymentRow>> {
    Ok(gateway_payments::table.filter(gateway_payments::payment_id.eq(payment_id)).first(conn).optional()?)
}

/// The events recorded under exactly this event id, first first: the gateway payment each
/// pointed at (`None` for an event without money).
pub fn events_with_id(conn: &mut DbConn, gateway_id: i64, event_id: &str) -> AppResult<Vec<Option<i64>>> {
    Ok(gateway_events::table
        .filter(gateway_events::gateway_id.eq(gateway_id))
        .filter(gateway_events::event_id.eq(event_id))
        .order(gateway_events::conflict_no.asc())
        .select(gateway_events::gateway_payment_id)
        .load(conn)?)
}

/// How many gateway payments wait unmatched, and their sum: of one company's gateways or all,
/// received in `[since, until)` (UTC) or at any time.
pub fn unmatched_totals(
    conn: &mut DbConn,
    company_id: Option<i64>,
    since: Option<chrono::NaiveDateTime>,
    until: Option<chrono::NaiveDateTime>,
) -> AppResult<(i64, i64)> {
    let mut query = gateway_payments::table
        .inner_join(payment_gateways::table)
        .filter(gateway_payments::payment_id.is_null())
        .into_boxed();
    if let Some(company_id) = company_id {
        query = query.filter(payment_gateways::company_id.eq(company_id));
    }
    if let Some(since) = since {
        query = query.filter(gateway_payments::created_at.ge(since));
    }
    if let Some(until) = until {
        query = query.filter(gateway_payments::created_at.lt(until));
    }
    let (count, sum): (i64, Option<i64>) = query
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::BigInt>>(
                "CAST(SUM(gateway_payments.amount_paise) AS BIGINT)",
            ),
        ))
        .first(conn)?;
    Ok((count, sum.unwrap_or(0)))
}

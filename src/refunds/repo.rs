//! Reading refunds.

use diesel::prelude::*;

use super::model::{RefundFilter, RefundRow};
use crate::db::page::{Page, PageWindow};
use crate::db::schema::{customers, payments, refunds};
use crate::db::{DbConn, MultiBackend};
use crate::error::AppResult;
use crate::keyset_page;

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<RefundRow>> {
    Ok(refunds::table.filter(crate::db::fragments::id_in("refunds.id", ids)).load(conn)?)
}

/// The refunds of each payment in `payment_ids`, oldest first.
pub fn of_payments(conn: &mut DbConn, payment_ids: &[i64]) -> AppResult<Vec<RefundRow>> {
    if payment_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(refunds::table
        .filter(crate::db::fragments::id_in("refunds.payment_id", payment_ids))
        .order(refunds::id.asc())
        .load(conn)?)
}

fn filtered(filter: &RefundFilter) -> refunds::BoxedQuery<'static, MultiBackend> {
    let mut query = refunds::table.into_boxed();
    if let Some(customer) = filter.customer_id {
        query = query.filter(refunds::customer_id.eq(customer));
    }
    if let Some(payment) = filter.payment_id {
        query = query.filter(refunds::payment_id.eq(payment));
    }
    if let Some(from) = filter.from {
        query = query.filter(refunds::created_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(refunds::created_at.lt(to));
    }
    // The customer's company and locality, the payment's method and collector: one
    // subquery each.
    if let Some(company) = filter.company_id {
        let of = customers::table.filter(customers::company_id.eq(company)).select(customers::id);
        query = query.filter(refunds::customer_id.eq_any(of));
    }
    if let Some(locality) = filter.locality_id {
        let of = customers::table.filter(customers::locality_id.eq(locality)).select(customers::id);
        query = query.filter(refunds::customer_id.eq_any(of));
    }
    if let Some(method) = filter.method {
        let of = payments::table.filter(payments::method.eq(method)).select(payments::id);
        query = query.filter(refunds::payment_id.eq_any(of));
    }
    if let Some(collector) = filter.collector_id {
        let of = payments::table.filter(payments::collected_by.eq(collector)).select(payments::id);
        query = query.filter(refunds::payment_id.eq_any(of));
    }
    query
}

pub fn page(conn: &mut DbConn, filter: &RefundFilter, window: PageWindow) -> AppResult<Page<RefundRow>> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = keyset_page!(filtered(filter), refunds::id, window).load::<RefundRow>(conn)?;
    Ok(window.finish(rows, total))
}

//! Queries on `payments`.

use std::collections::HashMap;

use diesel::prelude::*;

use super::model::{AllocationRow, NewAllocation, PaymentFilter, PaymentMethod, PaymentRow};
use crate::db::page::{Page, PageWindow};
use crate::db::schema::{payment_allocations, payments};
use crate::db::CachedDsl;
use crate::db::{DbConn, MultiBackend};
use crate::error::{AppError, AppResult};
use crate::keyset_page;

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<PaymentRow>> {
    Ok(payments::table.filter(crate::db::fragments::id_in("payments.id", ids)).load(conn)?)
}

/// Payments of each invoice in `invoice_ids`, oldest first.
pub fn for_invoices(conn: &mut DbConn, invoice_ids: &[i64]) -> AppResult<Vec<PaymentRow>> {
    if invoice_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(payments::table
        .filter(crate::db::fragments::id_in("payments.invoice_id", invoice_ids))
        .order(payments::id.asc())
        .load(conn)?)
}

/// The payments that name one of `invoice_ids` or put money on one (through an allocation),
/// each with its allocations on those invoices (a payment naming an invoice without money on
/// it comes once, with `None`). In no particular order. One statement.
pub fn with_allocations_on(
    conn: &mut DbConn,
    invoice_ids: &[i64],
) -> AppResult<Vec<(PaymentRow, Option<AllocationRow>)>> {
    use crate::db::fragments::id_in;
    if invoice_ids.is_empty() {
        return Ok(Vec::new());
    }
    let on_these =
        payment_allocations::payment_id.eq(payments::id).and(id_in("payment_allocations.invoice_id", invoice_ids));
    Ok(payments::table
        .left_join(payment_allocations::table.on(on_these))
        .filter(crate::db::fragments::payments_on_invoices(invoice_ids))
        // Unordered: the caller sorts its few rows per invoice (an ORDER BY here made SQLite
        // sort the whole result, a fifth of the statement's time).
        .select((payments::all_columns, payment_allocations::all_columns.nullable()))
        .load(conn)?)
}

/// The payment with row id `id`, or `NOT_FOUND`.
pub fn find(conn: &mut DbConn, id: i64) -> AppResult<PaymentRow> {
    payments::table.find(id).first(conn).optional()?.ok_or_else(|| AppError::not_found("payment"))
}

/// The payment already recorded under `method` with a reference of this key
/// ([`super::rules::reference_key`]), if any.
pub fn by_reference_key(conn: &mut DbConn, method: PaymentMethod, key: &str) -> AppResult<Option<PaymentRow>> {
    Ok(payments::table
        .filter(payments::method.eq(method))
        .filter(payments::payment_reference_key.eq(key))
        .first(conn)
        .optional()?)
}

/// The payment with UPI reference (UTR) `utr`, if any.
pub fn by_utr(conn: &mut DbConn, utr: &str) -> AppResult<Option<PaymentRow>> {
    Ok(payments::table.filter(payments::upi_utr.eq(utr)).first(conn).optional()?)
}

/// The customer's completed payments with money not on any invoice (their advance), oldest first.
pub fn with_advance(conn: &mut DbConn, customer_id: i64) -> AppResult<Vec<PaymentRow>> {
    Ok(payments::table
        .filter(payments::customer_id.eq(customer_id))
        .filter(crate::db::fragments::condition("payments.status = 'COMPLETED'"))
        .filter(payments::amount_paise.gt(payments::refunded_paise + payments::allocated_paise))
        .order(payments::id.asc())
        .load(conn)?)
}

/// Each customer's advance: money of completed payments on no invoice. Every customer present.
pub fn advances(conn: &mut DbConn, customer_ids: &[i64]) -> AppResult<HashMap<i64, i64>> {
    let mut out: HashMap<i64, i64> = customer_ids.iter().map(|id| (*id, 0)).collect();
    if customer_ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<PaymentRow> = payments::table
        .filter(crate::db::fragments::id_in("payments.customer_id", customer_ids))
        .filter(crate::db::fragments::condition("payments.status = 'COMPLETED'"))
        .filter(payments::amount_paise.gt(payments::refunded_paise + payments::allocated_paise))
        .load(conn)?;
    for row in rows {
        *out.entry(row.customer_id).or_default() += row.unallocated();
    }
    Ok(out)
}

/// Stores a payment's status, when it was paid, its allocated and refunded amounts.
pub fn set_money(conn: &mut DbConn, row: &PaymentRow) -> AppResult<()> {
    diesel::update(payments::table.find(row.id))
        .set((
            payments::status.eq(&row.status),
            payments::paid_at.eq(row.paid_at),
            payments::allocated_paise.eq(row.allocated_paise),
            payments::refunded_paise.eq(row.refunded_paise),
            payments::updated_at.eq(row.updated_at),
        ))
        .returning(payments::id)
        .cached()
        .changed(conn)?;
    Ok(())
}

/// Records money of a payment put on (negative: taken back from) an invoice.
pub fn add_allocation(conn: &mut DbConn, payment_id: i64, invoice_id: i64, amount: i64) -> AppResult<()> {
    let row = NewAllocation { payment_id, invoice_id, amount_paise: amount, created_at: crate::clock::now() };
    diesel::insert_into(payment_allocations::table)
        .values(&row)
        .returning(payment_allocations::id)
        .cached()
        .changed(conn)?;
    Ok(())
}

/// What a payment has on each invoice now (allocations net of take-backs), the invoice it was
/// last put on first. Invoices with nothing left on them are left out.
pub fn on_invoices(conn: &mut DbConn, payment_id: i64) -> AppResult<Vec<(i64, i64)>> {
    let rows: Vec<AllocationRow> = payment_allocations::table
        .filter(payment_allocations::payment_id.eq(payment_id))
        .order(payment_allocations::id.asc())
        .load(conn)?;
    let mut net: Vec<(i64, i64, i64)> = Vec::new(); // (invoice, amount, last allocation id)
    for row in rows {
        match net.iter_mut().find(|n| n.0 == row.invoice_id) {
            Some(n) => {
                n.1 += row.amount_paise;
                if row.amount_paise > 0 {
                    n.2 = row.id;
                }
            }
            None => net.push((row.invoice_id, row.amount_paise, row.id)),
        }
    }
    net.retain(|n| n.1 > 0);
    net.sort_by_key(|n| std::cmp::Reverse(n.2));
    Ok(net.into_iter().map(|n| (n.0, n.1)).collect())
}

/// The allocations of each payment in `payment_ids`, oldest first.
pub fn allocations_of(conn: &mut DbConn, payment_ids: &[i64]) -> AppResult<Vec<AllocationRow>> {
    if payment_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(payment_allocations::table
        .filter(crate::db::fragments::id_in("payment_allocations.payment_id", payment_ids))
        .order(payment_allocations::id.asc())
        .load(conn)?)
}

/// The newest `first` payments of each customer, newest first within each.
pub fn newest_for_customers(conn: &mut DbConn, customer_ids: &[i64], first: i64) -> AppResult<Vec<PaymentRow>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ranked = crate::db::fragments::newest_per_customer("payments", customer_ids, None, first);
    let mut rows: Vec<PaymentRow> = payments::table.filter(ranked).load(conn)?;
    rows.sort_unstable_by_key(|r| (r.customer_id, std::cmp::Reverse(r.id)));
    Ok(rows)
}

fn filtered(filter: &PaymentFilter) -> payments::BoxedQuery<'static, MultiBackend> {
    let mut query = payments::table.into_boxed();
    if let Some(customer) = filter.customer_id {
        query = query.filter(payments::customer_id.eq(customer));
    }
    if let Some(invoice) = filter.invoice_id {
        query = query.filter(payments::invoice_id.eq(invoice));
    }
    if let Some(method) = filter.method {
        query = query.filter(payments::method.eq(method));
    }
    if let Some(status) = filter.status {
        query = query.filter(payments::status.eq(status));
    }
    if let Some(collector) = filter.collected_by {
        query = query.filter(payments::collected_by.eq(collector));
    }
    if let Some(from) = filter.from {
        query = query.filter(payments::paid_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(payments::paid_at.lt(to));
    }
    query
}

pub fn page(conn: &mut DbConn, filter: &PaymentFilter, window: PageWindow) -> AppResult<Page<PaymentRow>> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = keyset_page!(filtered(filter), payments::id, window).load::<PaymentRow>(conn)?;
    Ok(window.finish(rows, total))
}

//! Queries on `invoices`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{InvoiceFilter, InvoiceRow, InvoiceStatus, NewInvoice, NewInvoiceAs};
use super::rules::{PROFORMA_PREFIX, TIMESTAMP_PREFIX};
use crate::companies::model::CompanyRow;
use crate::db::page::{Page, PageWindow};
use crate::db::schema::invoices;
use crate::db::CachedDsl;
use crate::db::{DbConn, MultiBackend};
use crate::error::{AppError, AppResult};
use crate::keyset_page;
use crate::series::model::{DocumentType, InvoiceNumbering};
use crate::series::repo::{insert_timestamped, next_financial_year_number};

/// Inserts `new` under its company's next number. Issued (`issued_at` set) under
/// `FINANCIAL_YEAR` numbering: the next serial of the financial-year series of its invoice
/// date. A proforma of such a company: `PRO` + `local_time`, no tax series. Under `TIMESTAMP`
/// numbering (companies without a GSTIN): `INV` + `local_time`, kept when it is issued. Both
/// timestamp forms take the next free suffix (see [`crate::series::repo`]).
///
/// `id`: the id it takes, taken first ([`crate::db::NewIds`]); `None`: the table's next.
pub fn insert_numbered(
    conn: &mut DbConn,
    company: &CompanyRow,
    mut new: NewInvoice,
    local_time: NaiveDateTime,
    id: Option<i64>,
) -> AppResult<InvoiceRow> {
    let insert = |c: &mut DbConn, new: &NewInvoice| match id {
        None => diesel::insert_into(invoices::table)
            .values(new)
            .returning(invoices::all_columns)
            .cached()
            .get_result::<InvoiceRow>(c),
        Some(id) => diesel::insert_into(invoices::table)
            .values(NewInvoiceAs { id, new: new.clone() })
            .returning(invoices::all_columns)
            .cached()
            .get_result::<InvoiceRow>(c),
    };
    let financial_year = company.invoice_numbering == InvoiceNumbering::FinancialYear;
    if new.issued_at.is_some() && number_in_series(conn, company, &mut new)? {
        return Ok(insert(conn, &new)?);
    }
    let prefix = if financial_year { PROFORMA_PREFIX } else { TIMESTAMP_PREFIX };
    let taken = |c: &mut DbConn, base: &str| {
        invoices::table
            .filter(
                invoices::invoice_number
                    .eq(base)
                    // `base-2`, `base-3`, …: a range of the unique index ('.' follows '-'), where a
                    // LIKE would read every number (SQLite's LIKE ignores case, so no index).
                    .or(invoices::invoice_number
                        .gt(format!("{base}-"))
                        .and(invoices::invoice_number.lt(format!("{base}.")))),
            )
            .count()
            .get_result(c)
    };
    insert_timestamped(conn, prefix, local_time, taken, |c, numbered| {
        new.invoice_number = numbered.number;
        new.series = numbered.series;
        new.serial = None;
        insert(c, &new)
    })
}

/// Numbers `new`, an invoice being issued, in `company`'s financial-year series (its next
/// serial, under the series' lock the caller holds); `false`, leaving it as it was, when the
/// company numbers its invoices by timestamp.
pub fn number_in_series(conn: &mut DbConn, company: &CompanyRow, new: &mut NewInvoice) -> AppResult<bool> {
    let Some(numbered) = next_financial_year_number(conn, company, DocumentType::Invoice, new.invoice_date)? else {
        return Ok(false);
    };
    new.invoice_number = numbered.number;
    new.series = numbered.series;
    new.serial = numbered.serial;
    Ok(true)
}

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<InvoiceRow>> {
    Ok(invoices::table.filter(crate::db::fragments::id_in("invoices.id", ids)).load(conn)?)
}

/// The newest `first` invoices of each customer in `customer_ids`, optionally of one status,
/// newest first within each customer: one statement, each customer's read along its index no
/// further than `first` (`NewestPerCustomer`). Its text does not depend on the number of
/// customers (the ids travel as one value), so the prepared statement is reused.
pub fn newest_for_customers(
    conn: &mut DbConn,
    customer_ids: &[i64],
    status: Option<InvoiceStatus>,
    first: i64,
) -> AppResult<Vec<InvoiceRow>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ranked = crate::db::fragments::newest_invoices(customer_ids, status.map(InvoiceStatus::as_str), first);
    let mut rows: Vec<InvoiceRow> = invoices::table.filter(ranked).load(conn)?;
    rows.sort_unstable_by_key(|r| (r.customer_id, std::cmp::Reverse(r.id)));
    Ok(rows)
}

/// The invoice with row id `id`, or `NOT_FOUND`.
pub fn find(conn: &mut DbConn, id: i64) -> AppResult<InvoiceRow> {
    invoices::table.find(id).first(conn).optional()?.ok_or_else(|| AppError::not_found("invoice"))
}

/// The customer's invoices that still owe money (not cancelled), oldest first.
pub fn open_for_customer(conn: &mut DbConn, customer_id: i64) -> AppResult<Vec<InvoiceRow>> {
    Ok(invoices::table
        .filter(invoices::customer_id.eq(customer_id))
        .filter(crate::db::fragments::condition("invoices.balance_paise > 0 AND invoices.status <> 'CANCELLED'"))
        .order((invoices::invoice_date.asc(), invoices::id.asc()))
        .load(conn)?)
}

/// Writes an invoice's paid amount, balance and status.
pub fn set_money(conn: &mut DbConn, row: &InvoiceRow) -> AppResult<()> {
    diesel::update(invoices::table.find(row.id))
        .set((
            invoices::paid_paise.eq(row.paid_paise),
            invoices::balance_paise.eq(row.balance_paise),
            invoices::status.eq(&row.status),
            invoices::updated_at.eq(row.updated_at),
        ))
        .returning(invoices::id)
        .cached()
        .changed(conn)?;
    Ok(())
}

/// Writes what a credit or debit note changes on an invoice: bill, discount, taxes, total,
/// balance and status.
pub fn set_amounts(conn: &mut DbConn, row: &InvoiceRow) -> AppResult<()> {
    diesel::update(invoices::table.find(row.id))
        .set((
            invoices::bill_paise.eq(row.bill_paise),
            invoices::discount_paise.eq(row.discount_paise),
            invoices::cgst_paise.eq(row.cgst_paise),
            invoices::sgst_paise.eq(row.sgst_paise),
            invoices::igst_paise.eq(row.igst_paise),
            invoices::total_paise.eq(row.total_paise),
            invoices::balance_paise.eq(row.balance_paise),
            invoices::status.eq(&row.status),
            invoices::updated_at.eq(row.updated_at),
        ))
        .returning(invoices::id)
        .cached()
        .changed(conn)?;
    Ok(())
}

/// Writes what issuing an invoice changes: number, series, serial, dates, status, `sent_at`,
/// `issued_at`, and the recipient's GSTIN and state and the rate as of the issue.
pub fn set_issued(conn: &mut DbConn, row: &InvoiceRow) -> AppResult<()> {
    diesel::update(invoices::table.find(row.id))
        .set((
            invoices::invoice_number.eq(&row.invoice_number),
            invoices::series.eq(&row.series),
            invoices::serial.eq(row.serial),
            invoices::invoice_date.eq(row.invoice_date),
            invoices::due_date.eq(row.due_date),
            invoices::status.eq(&row.status),
            invoices::sent_at.eq(row.sent_at),
            invoices::issued_at.eq(row.issued_at),
            invoices::updated_at.eq(row.updated_at),
            invoices::customer_gstin.eq(&row.customer_gstin),
            invoices::place_of_supply.eq(&row.place_of_supply),
            invoices::gst_rate_bp.eq(row.gst_rate_bp),
        ))
        .execute(conn)?;
    Ok(())
}

/// The number and date of the last invoice of `company_id`'s financial-year `series` (the
/// highest serial), if any.
pub fn last_issued(conn: &mut DbConn, company_id: i64, series: &str) -> AppResult<Option<(String, chrono::NaiveDate)>> {
    Ok(invoices::table
        .filter(invoices::company_id.eq(company_id))
        .filter(invoices::series.eq(series))
        .filter(invoices::serial.is_not_null())
        .order(invoices::serial.desc())
        .select((invoices::invoice_number, invoices::invoice_date))
        .first(conn)
        .optional()?)
}

/// Writes an invoice's status and `sent_at`.
pub fn set_status(conn: &mut DbConn, row: &InvoiceRow) -> AppResult<()> {
    diesel::update(invoices::table.find(row.id))
        .set((
            invoices::status.eq(&row.status),
            invoices::sent_at.eq(row.sent_at),
            invoices::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The recipient GSTIN of invoice `id`, after an amendment (`crate::amendments`).
pub fn set_customer_gstin(conn: &mut DbConn, id: i64, gstin: Option<&str>) -> AppResult<()> {
    diesel::update(invoices::table.find(id))
        .set((invoices::customer_gstin.eq(gstin), invoices::updated_at.eq(crate::clock::now())))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, id: i64) -> AppResult<()> {
    diesel::delete(invoices::table.find(id)).execute(conn)?;
    Ok(())
}

fn filtered(filter: &InvoiceFilter) -> invoices::BoxedQuery<'static, MultiBackend> {
    let mut query = invoices::table.into_boxed();
    if let Some(customer) = filter.customer_id {
        query = query.filter(invoices::customer_id.eq(customer));
    }
    if let Some(status) = filter.status {
        query = query.filter(invoices::status.eq(status));
    }
    if let Some(from) = filter.from {
        query = query.filter(invoices::invoice_date.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(invoices::invoice_date.le(to));
    }
    if let Some(number) = &filter.invoice_number {
        query = query.filter(invoices::invoice_number.eq(number.clone()));
    }
    query
}

pub fn page(conn: &mut DbConn, filter: &InvoiceFilter, window: PageWindow) -> AppResult<Page<InvoiceRow>> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = keyset_page!(filtered(filter), invoices::id, window).load::<InvoiceRow>(conn)?;
    Ok(window.finish(rows, total))
}

/// All invoices of a customer, oldest first.
pub fn of_customer(conn: &mut DbConn, customer_id: i64) -> AppResult<Vec<InvoiceRow>> {
    Ok(invoices::table.filter(invoices::customer_id.eq(customer_id)).order(invoices::id.asc()).load(conn)?)
}

/// The invoice numbered `number` (invoice numbers are unique), if any.
pub fn by_number(conn: &mut DbConn, number: &str) -> AppResult<Option<InvoiceRow>> {
    Ok(invoices::table.filter(invoices::invoice_number.eq(number)).first(conn).optional()?)
}

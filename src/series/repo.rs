//! Serial counters and numbered inserts, inside the caller's write transaction.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::model::{DocumentType, InvoiceNumbering, Numbered};
use super::rules;
use crate::companies::model::CompanyRow;
use crate::db::schema::document_series;
use crate::db::CachedDsl;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// The lock every writer of `company_id`'s `series` of `document`s takes (a batch may hold it:
/// [`crate::db::with_locks_held`]).
pub fn lock_name(company_id: i64, document: DocumentType, series: &str) -> String {
    format!("series:{company_id}:{document}:{series}")
}

/// The next serial of `company`'s `series` of `document`s (1 for a new series), raised inside
/// the caller's write transaction: a rollback gives it back, and concurrent writers of the same
/// series wait for each other (SQLite admits one writer; PostgreSQL takes an advisory lock on
/// the series until the transaction ends), so no serial is skipped or used twice.
pub fn next_serial(conn: &mut DbConn, company_id: i64, document: DocumentType, series: &str) -> AppResult<i64> {
    crate::db::lock_key(conn, &lock_name(company_id, document, series))?;
    let key = (company_id, document, series.to_owned());
    let kept = KEPT.with(|k| {
        let mut k = k.borrow_mut();
        let serial = k.as_mut()?.get_mut(&key)?;
        serial.1 += 1;
        Some(serial.1)
    });
    if let Some(next) = kept {
        return Ok(next);
    }
    let next = take_serial(conn, company_id, document, series)?;
    KEPT.with(|k| {
        if let Some(kept) = k.borrow_mut().as_mut() {
            kept.insert(key, (next, next));
        }
    });
    Ok(next)
}

/// Per series (company, document, name) taken from: the serial stored and the last one given.
type Kept = std::collections::HashMap<(i64, DocumentType, String), (i64, i64)>;

thread_local! {
    /// While [`with_serials_kept`] runs on this thread.
    static KEPT: std::cell::RefCell<Option<Kept>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` giving serials from memory after the first of each series (which is taken as
/// always), and stores each series' last serial given when `f` succeeds: one statement per
/// series instead of one per document, for a batch that numbers hundreds of invoices in one
/// transaction. Call it with the series' locks held for the whole transaction
/// (`db::with_locks_held`) and no savepoint inside `f` that could roll a document back while
/// its serial stays given.
pub fn with_serials_kept<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> AppResult<T>) -> AppResult<T> {
    struct Restore(Option<Kept>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let before = self.0.take();
            KEPT.with(|k| *k.borrow_mut() = before);
        }
    }
    let restore = Restore(KEPT.with(|k| k.borrow_mut().replace(Kept::new())));
    let done = f(conn)?;
    let kept = KEPT.with(|k| k.borrow_mut().take()).unwrap_or_default();
    drop(restore);
    for ((company_id, document, series), (stored, last)) in kept {
        if last == stored {
            continue;
        }
        diesel::update(
            document_series::table
                .filter(document_series::company_id.eq(company_id))
                .filter(document_series::document.eq(document))
                .filter(document_series::series.eq(series)),
        )
        .set(document_series::last_serial.eq(last))
        .returning(document_series::last_serial)
        .cached()
        .changed(conn)?;
    }
    Ok(done)
}

/// The series' next serial, stored.
fn take_serial(conn: &mut DbConn, company_id: i64, document: DocumentType, series: &str) -> AppResult<i64> {
    let moved: Option<i64> = diesel::update(
        document_series::table
            .filter(document_series::company_id.eq(company_id))
            .filter(document_series::document.eq(document))
            .filter(document_series::series.eq(series)),
    )
    .set(document_series::last_serial.eq(document_series::last_serial + 1))
    .returning(document_series::last_serial)
    .cached()
    .get_result(conn)
    .optional()?;
    if let Some(next) = moved {
        return Ok(next);
    }
    diesel::insert_into(document_series::table)
        .values((
            document_series::company_id.eq(company_id),
            document_series::document.eq(document),
            document_series::series.eq(series),
            document_series::last_serial.eq(1i64),
        ))
        .execute(conn)?;
    Ok(1)
}

/// The next financial-year number of `company`'s `document`s dated `date`, or `None` when the
/// company numbers by timestamp (see [`insert_timestamped`]).
pub fn next_financial_year_number(
    conn: &mut DbConn,
    company: &CompanyRow,
    document: DocumentType,
    date: NaiveDate,
) -> AppResult<Option<Numbered>> {
    let prefix = match document {
        DocumentType::Invoice => &company.invoice_prefix,
        DocumentType::CreditNote => &company.credit_note_prefix,
    };
    next_number_under(conn, company, document, prefix, date)
}

/// [`next_financial_year_number`] under `prefix` (a company's debit notes are counted as
/// `CREDIT_NOTE` documents under their own prefix, so in a series of their own).
pub fn next_number_under(
    conn: &mut DbConn,
    company: &CompanyRow,
    document: DocumentType,
    prefix: &str,
    date: NaiveDate,
) -> AppResult<Option<Numbered>> {
    if company.invoice_numbering != InvoiceNumbering::FinancialYear {
        return Ok(None);
    }
    let year = rules::financial_year(date);
    let series = rules::series_name(prefix, year);
    let serial = next_serial(conn, company.id, document, &series)?;
    let number = rules::financial_year_number(prefix, year, serial).ok_or_else(|| {
        AppError::Conflict(format!(
            "the series {series} is full: serial {serial} does not fit in 16 characters; \
             give the company a shorter prefix to start a new series"
        ))
    })?;
    Ok(Some(Numbered { number, series, serial: Some(serial) }))
}

thread_local! {
    /// While [`with_number_memo`] runs on this thread: per base timestamp number, the last
    /// suffix given.
    static MEMO: std::cell::RefCell<Option<std::collections::HashMap<String, u32>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` (one write transaction on this thread) remembering the timestamp numbers it
/// gives. A run of inserts within one second (the billing cycle's batch makes thousands) then
/// starts after the last suffix it gave, instead of counting every number of that second again
/// (a cost that grew with each insert). The memo is only a starting point: a number taken
/// meanwhile moves on to the next suffix, and one given back by a rollback leaves a gap, which
/// timestamp numbers may have (financial-year series never use this).
pub fn with_number_memo<T>(f: impl FnOnce() -> T) -> T {
    struct Clear;
    impl Drop for Clear {
        fn drop(&mut self) {
            MEMO.with(|m| *m.borrow_mut() = None);
        }
    }
    MEMO.with(|m| *m.borrow_mut() = Some(std::collections::HashMap::new()));
    let _clear = Clear;
    f()
}

/// Inserts a document under the timestamp number for `local_time` (`prefix` + time), with the
/// next free suffix when others were numbered in the same second. `taken` counts the numbers
/// already used for a base number; `insert` writes the row. Each try runs in a savepoint, so a
/// number taken concurrently moves on to the next suffix instead of failing the transaction.
pub fn insert_timestamped<T>(
    conn: &mut DbConn,
    prefix: &str,
    local_time: NaiveDateTime,
    taken: impl FnOnce(&mut DbConn, &str) -> QueryResult<i64>,
    mut insert: impl FnMut(&mut DbConn, Numbered) -> QueryResult<T>,
) -> AppResult<T> {
    let base = rules::timestamp_number(prefix, local_time, 1);
    let remembered = MEMO.with(|m| m.borrow().as_ref().map(|memo| memo.get(&base).copied()));
    let first = match remembered {
        Some(Some(last)) => last + 1,
        _ => u32::try_from(taken(conn, &base)?).unwrap_or(0) + 1,
    };
    for nth in first..first + 1000 {
        let numbered = Numbered {
            number: rules::timestamp_number(prefix, local_time, nth),
            series: prefix.to_owned(),
            serial: None,
        };
        match conn.transaction(|c| insert(c, numbered)) {
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => continue,
            other => {
                let row = other?;
                MEMO.with(|m| {
                    if let Some(memo) = m.borrow_mut().as_mut() {
                        memo.insert(base.clone(), nth);
                    }
                });
                return Ok(row);
            }
        }
    }
    Err(AppError::Internal(format!("no free number for {base}")))
}

/// `CONFLICT` when another company has already issued documents in a financial-year series
/// under `prefix` (it may number by timestamp today): two companies under one prefix would
/// produce the same numbers. `field` names the input at fault.
pub fn ensure_prefix_free(conn: &mut DbConn, company_id: i64, prefix: &str, field: &str) -> AppResult<()> {
    let pattern = format!("{}/%", crate::db::escape_like(prefix));
    let used: i64 = document_series::table
        .filter(document_series::company_id.ne(company_id))
        .filter(document_series::series.like(pattern).escape('\\'))
        .count()
        .get_result(conn)?;
    if used > 0 {
        return Err(AppError::Conflict(format!(
            "another company has issued documents numbered {prefix}/...; choose another `{field}`"
        )));
    }
    Ok(())
}

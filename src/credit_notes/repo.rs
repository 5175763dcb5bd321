//! Queries on `credit_notes`.

use diesel::prelude::*;

use super::model::{CreditNoteFilter, CreditNoteRow, NewCreditNote, NoteType};
use crate::companies::model::CompanyRow;
use crate::db::page::{Page, PageWindow};
use crate::db::schema::credit_notes;
use crate::db::{DbConn, MultiBackend};
use crate::error::{AppError, AppResult};
use crate::keyset_page;
use crate::series::model::DocumentType;
use crate::series::repo::{insert_timestamped, next_number_under};

/// What timestamp credit note numbers start with.
pub const TIMESTAMP_PREFIX: &str = "CN";

/// What timestamp debit note numbers start with.
pub const DEBIT_TIMESTAMP_PREFIX: &str = "DN";

/// Inserts `new` under `company`'s next credit (or debit) note number: the next serial of the
/// financial-year series of its date under the company's credit (debit) note prefix, or `CN`
/// (`DN`) + `local_time` (see [`crate::series::repo`]).
pub fn insert_numbered(
    conn: &mut DbConn,
    company: &CompanyRow,
    mut new: NewCreditNote,
    local_time: chrono::NaiveDateTime,
) -> AppResult<CreditNoteRow> {
    let insert = |c: &mut DbConn, new: &NewCreditNote| {
        diesel::insert_into(credit_notes::table)
            .values(new)
            .returning(credit_notes::all_columns)
            .get_result::<CreditNoteRow>(c)
    };
    let debit = new.note_type == NoteType::Debit;
    let prefix = if debit { &company.debit_note_prefix } else { &company.credit_note_prefix };
    if let Some(numbered) = next_number_under(conn, company, DocumentType::CreditNote, prefix, new.note_date)? {
        new.credit_note_number = numbered.number;
        new.series = numbered.series;
        new.serial = numbered.serial;
        return Ok(insert(conn, &new)?);
    }
    let taken = |c: &mut DbConn, base: &str| {
        credit_notes::table
            .filter(
                credit_notes::credit_note_number
                    .eq(base)
                    // `base-2`, `base-3`, …: a range of the unique index ('.' follows '-'), where a
                    // LIKE would read every number (SQLite's LIKE ignores case, so no index).
                    .or(credit_notes::credit_note_number
                        .gt(format!("{base}-"))
                        .and(credit_notes::credit_note_number.lt(format!("{base}.")))),
            )
            .count()
            .get_result(c)
    };
    let stamp = if debit { DEBIT_TIMESTAMP_PREFIX } else { TIMESTAMP_PREFIX };
    insert_timestamped(conn, stamp, local_time, taken, |c, numbered| {
        new.credit_note_number = numbered.number;
        new.series = numbered.series;
        new.serial = None;
        insert(c, &new)
    })
}

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<CreditNoteRow>> {
    Ok(credit_notes::table.filter(crate::db::fragments::id_in("credit_notes.id", ids)).load(conn)?)
}

/// The credit notes of each invoice in `invoice_ids`, oldest first.
pub fn of_invoices(conn: &mut DbConn, invoice_ids: &[i64]) -> AppResult<Vec<CreditNoteRow>> {
    if invoice_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(credit_notes::table
        .filter(crate::db::fragments::id_in("credit_notes.invoice_id", invoice_ids))
        .order(credit_notes::id.asc())
        .load(conn)?)
}

/// Credit note `id`, or `NOT_FOUND`.
pub fn find(conn: &mut DbConn, id: i64) -> AppResult<CreditNoteRow> {
    credit_notes::table.find(id).first(conn).optional()?.ok_or_else(|| AppError::not_found("credit note"))
}

fn filtered(filter: &CreditNoteFilter) -> credit_notes::BoxedQuery<'static, MultiBackend> {
    let mut query = credit_notes::table.into_boxed();
    if let Some(customer) = filter.customer_id {
        query = query.filter(credit_notes::customer_id.eq(customer));
    }
    if let Some(invoice) = filter.invoice_id {
        query = query.filter(credit_notes::invoice_id.eq(invoice));
    }
    if let Some(company) = filter.company_id {
        query = query.filter(credit_notes::company_id.eq(company));
    }
    if let Some(from) = filter.from {
        query = query.filter(credit_notes::note_date.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(credit_notes::note_date.le(to));
    }
    query
}

pub fn page(conn: &mut DbConn, filter: &CreditNoteFilter, window: PageWindow) -> AppResult<Page<CreditNoteRow>> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = keyset_page!(filtered(filter), credit_notes::id, window).load::<CreditNoteRow>(conn)?;
    Ok(window.finish(rows, total))
}

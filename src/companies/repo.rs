//! Queries on `companies`; each takes a connection so it can run inside a caller's transaction.

use diesel::prelude::*;

use super::model::{CompanyBrief, CompanyChanges, CompanyFilter, CompanyRow, NewCompany};
use crate::db::page::{Page, PageWindow};
use crate::db::schema::companies;
use crate::db::{DbConn, MultiBackend};
use crate::error::{on_foreign_key_violation, on_unique_violation, AppError, AppResult};
use crate::keyset_page;

fn filtered(filter: &CompanyFilter) -> companies::BoxedQuery<'static, MultiBackend> {
    let mut query = companies::table.into_boxed();
    if let Some(search) = &filter.search {
        query = query.filter(crate::db::lower(companies::name).like(crate::db::like_pattern(search)).escape('\\'));
    }
    query
}

pub fn page(conn: &mut DbConn, filter: &CompanyFilter, window: PageWindow) -> AppResult<Page<CompanyRow>> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = keyset_page!(filtered(filter), companies::id, window).load::<CompanyRow>(conn)?;
    Ok(window.finish(rows, total))
}

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<CompanyRow>> {
    Ok(companies::table.filter(crate::db::fragments::id_in("companies.id", ids)).load(conn)?)
}

/// The [`CompanyBrief`] rows of these companies, in one statement.
pub fn briefs_by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<CompanyBrief>> {
    Ok(companies::table
        .filter(crate::db::fragments::id_in("companies.id", ids))
        .select(CompanyBrief::columns())
        .load(conn)?)
}

/// `BAD_USER_INPUT` on `companyId` unless company `id` exists (nothing to check for `None`).
pub fn ensure_exists(conn: &mut DbConn, id: Option<i64>) -> AppResult<()> {
    let Some(id) = id else { return Ok(()) };
    let n: i64 = companies::table.filter(companies::id.eq(id)).count().get_result(conn)?;
    if n == 0 {
        return Err(AppError::bad_input("companyId", "`companyId` names no existing company"));
    }
    Ok(())
}

/// What a unique violation on `companies` means: a taken name, or a prefix another company
/// already numbers its financial-year documents with.
fn taken(e: diesel::result::Error, name: &str) -> AppError {
    let prefix = |e: &diesel::result::Error, column: &str| match e {
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, info) => {
            info.message().contains(column) || info.constraint_name().is_some_and(|c| c.contains(column))
        }
        _ => false,
    };
    if prefix(&e, "credit_note_prefix") {
        AppError::Conflict(
            "another company numbers its credit notes by financial year with this `creditNotePrefix`; \
             each company needs its own, so that a number names one document"
                .to_owned(),
        )
    } else if prefix(&e, "invoice_prefix") {
        AppError::Conflict(
            "another company numbers its invoices by financial year with this `invoicePrefix`; \
             each company needs its own, so that a number names one document"
                .to_owned(),
        )
    } else {
        on_unique_violation(e, || format!("a company named \"{name}\" already exists"))
    }
}

pub fn insert(conn: &mut DbConn, new: &NewCompany) -> AppResult<CompanyRow> {
    diesel::insert_into(companies::table)
        .values(new)
        .returning(companies::all_columns)
        .get_result(conn)
        .map_err(|e| taken(e, &new.name))
}

pub fn update(conn: &mut DbConn, id: i64, changes: &CompanyChanges) -> AppResult<CompanyRow> {
    diesel::update(companies::table.find(id))
        .set(changes)
        .returning(companies::all_columns)
        .get_result(conn)
        .optional()
        .map_err(|e| taken(e, changes.name.as_deref().unwrap_or_default()))?
        .ok_or_else(|| AppError::not_found("company"))
}

/// Deletes a company that nothing refers to; `CONFLICT` says what still does.
pub fn delete(conn: &mut DbConn, id: i64) -> AppResult<()> {
    crate::referrers::refuse_if_referenced(
        conn,
        "this company",
        crate::referrers::OF_COMPANY,
        id,
        "move or delete them first (a company with invoices or documents on file stays)",
    )?;
    let deleted = diesel::delete(companies::table.find(id))
        .execute(conn)
        .map_err(|e| on_foreign_key_violation(e, || "this company is still in use".to_owned()))?;
    if deleted == 0 {
        return Err(AppError::not_found("company"));
    }
    Ok(())
}

/// Company `id`, or `NOT_FOUND`.
pub fn find(conn: &mut DbConn, id: i64) -> AppResult<CompanyRow> {
    companies::table.find(id).first(conn).optional()?.ok_or_else(|| AppError::not_found("company"))
}

//! `document_snapshots`: one row per issued invoice or credit note, written once.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::snapshot::Snapshot;
use crate::db::schema::document_snapshots;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::series::model::DocumentType;

/// Stores what document `id` of `company_id` shows as issued. A document is frozen once: a
/// second snapshot of it is refused by the unique key.
pub fn insert(
    conn: &mut DbConn,
    company_id: i64,
    document: DocumentType,
    id: i64,
    snapshot: &Snapshot,
) -> AppResult<()> {
    diesel::insert_into(document_snapshots::table)
        .values((
            document_snapshots::company_id.eq(company_id),
            document_snapshots::document.eq(document),
            document_snapshots::document_id.eq(id),
            document_snapshots::document_date.eq(snapshot.document.date),
            document_snapshots::body.eq(snapshot.to_json()),
            document_snapshots::created_at.eq(crate::clock::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores `snapshot` as document `id`'s unless another transaction stored one first (a
/// document issued before snapshots existed, printed on two servers at once or while one
/// starts and freezes the rest): then the one stored, which every later print shows.
pub fn insert_first(
    conn: &mut DbConn,
    company_id: i64,
    document: DocumentType,
    id: i64,
    snapshot: Snapshot,
) -> AppResult<Snapshot> {
    // In a savepoint: on PostgreSQL a failed statement would end the caller's transaction.
    match conn.transaction(|conn| insert(conn, company_id, document, id, &snapshot)) {
        Ok(()) => Ok(snapshot),
        Err(AppError::Database(e)) if crate::error::is_unique_violation(&e) => find(conn, document, id)?
            .ok_or_else(|| AppError::Internal(format!("the record of {document} {id} is neither new nor stored"))),
        Err(e) => Err(e),
    }
}

/// The snapshot of document `id`, if it was issued.
pub fn find(conn: &mut DbConn, document: DocumentType, id: i64) -> AppResult<Option<Snapshot>> {
    let body: Option<String> = document_snapshots::table
        .filter(document_snapshots::document.eq(document))
        .filter(document_snapshots::document_id.eq(id))
        .select(document_snapshots::body)
        .first(conn)
        .optional()?;
    body.map(|b| Snapshot::from_json(&b).map_err(AppError::Internal)).transpose()
}

/// The snapshots of `company_id`'s `document`s dated `first..=last`, by document id:
/// `(document id, snapshot)`.
pub fn dated_between(
    conn: &mut DbConn,
    company_id: i64,
    document: DocumentType,
    first: NaiveDate,
    last: NaiveDate,
) -> AppResult<Vec<(i64, Snapshot)>> {
    let rows: Vec<(i64, String)> = document_snapshots::table
        .filter(document_snapshots::company_id.eq(company_id))
        .filter(document_snapshots::document_date.between(first, last))
        .filter(document_snapshots::document.eq(document))
        .order(document_snapshots::document_id.asc())
        .select((document_snapshots::document_id, document_snapshots::body))
        .load(conn)?;
    rows.into_iter().map(|(id, body)| Ok((id, Snapshot::from_json(&body).map_err(AppError::Internal)?))).collect()
}

/// The snapshots of the documents `ids`: `(document id, snapshot)`.
pub fn of_ids(conn: &mut DbConn, document: DocumentType, ids: &[i64]) -> AppResult<Vec<(i64, Snapshot)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, String)> = document_snapshots::table
        .filter(document_snapshots::document.eq(document))
        .filter(document_snapshots::document_id.eq_any(ids))
        .select((document_snapshots::document_id, document_snapshots::body))
        .load(conn)?;
    rows.into_iter().map(|(id, body)| Ok((id, Snapshot::from_json(&body).map_err(AppError::Internal)?))).collect()
}

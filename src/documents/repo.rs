//! `document_snapshots`: one row per issued invoice or credit note, written once.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::snapshot::Snapshot;
use crate::db::schema::document_snapshots;
use crate::db::CachedDsl;
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
        .returning(document_snapshots::id)
        .cached()
        .changed(conn)?;
    Ok(())
}

/// The invoices' records `(company id, invoice id, record)` [`insert`] would store one by one,
/// in as few statements as the databases allow (a batch of invoices issued in one transaction).
pub fn insert_invoices(conn: &mut DbConn, records: &[(i64, i64, Snapshot)]) -> AppResult<()> {
    // 6 values a row: within SQLite's and PostgreSQL's limits on a statement's values.
    for chunk in records.chunks(500) {
        let at = crate::clock::now();
        let rows: Vec<_> = chunk
            .iter()
            .map(|(company_id, id, snapshot)| {
                (
                    document_snapshots::company_id.eq(*company_id),
                    document_snapshots::document.eq(DocumentType::Invoice),
                    document_snapshots::document_id.eq(*id),
                    document_snapshots::document_date.eq(snapshot.document.date),
                    document_snapshots::body.eq(snapshot.to_json()),
                    document_snapshots::created_at.eq(at),
                )
            })
            .collect();
        let insert = diesel::insert_into(document_snapshots::table).values(rows);
        match conn {
            DbConn::Pg(c) => insert.execute(c)?,
            DbConn::Sqlite(c) => insert.execute(c)?,
        };
    }
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

/// The record of document `id`, if it was issued: its newest version ([`super::amendments`]),
/// else the one first issued.
pub fn find(conn: &mut DbConn, document: DocumentType, id: i64) -> AppResult<Option<Snapshot>> {
    if let Some(amended) = super::amendments::newest(conn, document, id)? {
        return Ok(Some(amended));
    }
    first_issued(conn, document, id)
}

/// The record of document `id` as first issued.
pub fn first_issued(conn: &mut DbConn, document: DocumentType, id: i64) -> AppResult<Option<Snapshot>> {
    let body: Option<String> = document_snapshots::table
        .filter(document_snapshots::document.eq(document))
        .filter(document_snapshots::document_id.eq(id))
        .select(document_snapshots::body)
        .first(conn)
        .optional()?;
    body.map(|b| Snapshot::from_json(&b).map_err(AppError::Internal)).transpose()
}

/// The records of `company_id`'s `document`s dated `first..=last`, by document id, as their
/// month's return shows them (amended while the month was open, else as first issued):
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
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    let mut amended = super::amendments::in_place(conn, document, &ids)?;
    rows.into_iter()
        .map(|(id, body)| match amended.remove(&id) {
            Some(snapshot) => Ok((id, snapshot)),
            None => Ok((id, Snapshot::from_json(&body).map_err(AppError::Internal)?)),
        })
        .collect()
}

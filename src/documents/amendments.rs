//! `document_amendments`: later versions of an issued document's record, one row per
//! amendment (CGST Act section 37(3)), never changed. The version first issued stays in
//! `document_snapshots`; [`super::repo::find`] reads the newest version, a month's return the
//! newest made while that month was open ([`in_place`]), and a later month's return the
//! amendments reported in it ([`reported_in`]).

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::snapshot::Snapshot;
use crate::db::schema::document_amendments;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::series::model::DocumentType;

/// A row of `document_amendments`.
#[derive(Debug, Clone, Queryable)]
pub struct AmendmentRow {
    pub id: i64,
    pub company_id: i64,
    pub document: DocumentType,
    pub document_id: i64,
    pub document_date: NaiveDate,
    pub amended_on: NaiveDate,
    /// The return period (`YYYY-MM`) reporting it; `None`: made while the document's month was
    /// open, so that month's own return shows it.
    pub reported_in: Option<String>,
    pub before_body: String,
    pub body: String,
    pub reason: String,
    pub amended_by_name: String,
    pub created_at: NaiveDateTime,
}

impl AmendmentRow {
    pub fn before(&self) -> AppResult<Snapshot> {
        Snapshot::from_json(&self.before_body).map_err(AppError::Internal)
    }
    pub fn after(&self) -> AppResult<Snapshot> {
        Snapshot::from_json(&self.body).map_err(AppError::Internal)
    }
}

/// A new version of a document's record.
pub struct NewAmendment<'a> {
    pub company_id: i64,
    pub document: DocumentType,
    pub document_id: i64,
    pub amended_on: NaiveDate,
    pub reported_in: Option<String>,
    pub before: &'a Snapshot,
    pub after: &'a Snapshot,
    pub reason: &'a str,
    pub amended_by_name: &'a str,
}

pub fn insert(conn: &mut DbConn, new: &NewAmendment<'_>) -> AppResult<()> {
    diesel::insert_into(document_amendments::table)
        .values((
            document_amendments::company_id.eq(new.company_id),
            document_amendments::document.eq(new.document),
            document_amendments::document_id.eq(new.document_id),
            document_amendments::document_date.eq(new.before.document.date),
            document_amendments::amended_on.eq(new.amended_on),
            document_amendments::reported_in.eq(new.reported_in.clone()),
            document_amendments::before_body.eq(new.before.to_json()),
            document_amendments::body.eq(new.after.to_json()),
            document_amendments::reason.eq(new.reason),
            document_amendments::amended_by_name.eq(new.amended_by_name),
            document_amendments::created_at.eq(crate::clock::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The newest version of document `id`, when it was amended.
pub fn newest(conn: &mut DbConn, document: DocumentType, id: i64) -> AppResult<Option<Snapshot>> {
    let body: Option<String> = document_amendments::table
        .filter(document_amendments::document.eq(document))
        .filter(document_amendments::document_id.eq(id))
        .order(document_amendments::id.desc())
        .select(document_amendments::body)
        .first(conn)
        .optional()?;
    body.map(|b| Snapshot::from_json(&b).map_err(AppError::Internal)).transpose()
}

/// The amendments of documents `ids`, oldest first.
pub fn of_documents(conn: &mut DbConn, document: DocumentType, ids: &[i64]) -> AppResult<Vec<AmendmentRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(document_amendments::table
        .filter(document_amendments::document.eq(document))
        .filter(crate::db::fragments::id_in("document_amendments.document_id", ids))
        .order(document_amendments::id.asc())
        .load(conn)?)
}

/// Per document of `ids`, its newest version made while its own month was open: what its
/// month's return shows.
pub fn in_place(conn: &mut DbConn, document: DocumentType, ids: &[i64]) -> AppResult<HashMap<i64, Snapshot>> {
    let mut newest = HashMap::new();
    for row in of_documents(conn, document, ids)? {
        if row.reported_in.is_none() {
            newest.insert(row.document_id, row.after()?);
        }
    }
    Ok(newest)
}

/// `company_id`'s amendments reported in the returns of `first..=last` (`YYYY-MM` labels),
/// oldest first.
pub fn reported_in(conn: &mut DbConn, company_id: i64, first: &str, last: &str) -> AppResult<Vec<AmendmentRow>> {
    Ok(document_amendments::table
        .filter(document_amendments::company_id.eq(company_id))
        .filter(document_amendments::reported_in.between(first.to_owned(), last.to_owned()))
        .order(document_amendments::id.asc())
        .load(conn)?)
}

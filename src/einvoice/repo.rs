//! `einvoice_registrations`: the IRP's answer per document, inserted once.

use diesel::prelude::*;

use super::model::{EinvoiceRow, NewEinvoice};
use crate::db::schema::einvoice_registrations;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::series::model::DocumentType;

/// Records `new`; the unique keys refuse a second registration of a document or an IRN.
pub fn insert(conn: &mut DbConn, new: &NewEinvoice) -> AppResult<EinvoiceRow> {
    Ok(diesel::insert_into(einvoice_registrations::table)
        .values(new)
        .returning(einvoice_registrations::all_columns)
        .get_result::<EinvoiceRow>(conn)?)
}

/// The registration of document `id`, if it has one.
pub fn of_document(conn: &mut DbConn, document: DocumentType, id: i64) -> AppResult<Option<EinvoiceRow>> {
    Ok(einvoice_registrations::table
        .filter(einvoice_registrations::document.eq(document))
        .filter(einvoice_registrations::document_id.eq(id))
        .first::<EinvoiceRow>(conn)
        .optional()?)
}

/// The registration with IRN `irn`, if one has it.
pub fn with_irn(conn: &mut DbConn, irn: &str) -> AppResult<Option<EinvoiceRow>> {
    Ok(einvoice_registrations::table
        .filter(einvoice_registrations::irn.eq(irn))
        .first::<EinvoiceRow>(conn)
        .optional()?)
}

/// The registrations of the invoices `ids` (batched lookup).
pub fn of_invoices(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<EinvoiceRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(einvoice_registrations::table
        .filter(einvoice_registrations::document.eq(DocumentType::Invoice))
        .filter(crate::db::fragments::id_in("einvoice_registrations.document_id", ids))
        .load::<EinvoiceRow>(conn)?)
}

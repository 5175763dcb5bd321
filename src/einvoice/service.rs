//! The e-invoice of an issued invoice or credit note (from its snapshot), and recording what
//! the Invoice Registration Portal returned for an invoice.

use chrono::NaiveDateTime;

use super::inv01::{self, EInvoice};
use super::model::{EinvoiceRow, NewEinvoice};
use crate::audit::Actor;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::ids::{self, Kind};
use crate::invoices::model::InvoiceStatus;
use crate::series::model::DocumentType;

/// An e-invoice and the customer whose document it is (for access checks).
pub struct Found {
    pub einvoice: EInvoice,
    pub customer_id: i64,
}

/// The e-invoice of the issued invoice `id`. `field` names the argument that named it, for
/// refusals: `BAD_USER_INPUT` when the invoice's company does not e-invoice or the invoice is
/// not one to e-invoice (B2C, a bill of supply), `CONFLICT` while it is a proforma or once it
/// is cancelled.
pub fn invoice(conn: &mut DbConn, id: i64, field: &str) -> AppResult<Found> {
    let row = crate::invoices::repo::find(conn, id)?;
    if row.issued_at.is_none() {
        return Err(AppError::Conflict(format!(
            "invoice {} is a proforma: issue it first (issueInvoice), then e-invoice it",
            row.invoice_number
        )));
    }
    if row.status == InvoiceStatus::Cancelled {
        return Err(AppError::Conflict(format!("invoice {} is cancelled: it is not e-invoiced", row.invoice_number)));
    }
    company_einvoices(conn, row.company_id, field)?;
    let snapshot = crate::documents::source::issued_invoice(conn, &row)?;
    Ok(Found { einvoice: inv01::build(&snapshot, field)?, customer_id: row.customer_id })
}

/// The e-invoice of credit note `id` (`CRN`, naming its invoice), refused as for invoices.
pub fn credit_note(conn: &mut DbConn, id: i64, field: &str) -> AppResult<Found> {
    let note = crate::credit_notes::repo::find(conn, id)?;
    company_einvoices(conn, note.company_id, field)?;
    let snapshot = match crate::documents::repo::find(conn, DocumentType::CreditNote, id)? {
        Some(s) => s,
        None => crate::documents::source::freeze_credit_note(conn, &note)?,
    };
    Ok(Found { einvoice: inv01::build(&snapshot, field)?, customer_id: note.customer_id })
}

/// `BAD_USER_INPUT` on `field` unless company `id` has e-invoicing on.
fn company_einvoices(conn: &mut DbConn, id: i64, field: &str) -> AppResult<()> {
    let company = crate::companies::repo::find(conn, id)?;
    if !company.einvoicing {
        return Err(AppError::bad_input(
            field,
            format!(
                "{} does not e-invoice: switch `einvoicing` on for the company (updateCompany) if its turnover \
                 obliges it to",
                company.name
            ),
        ));
    }
    Ok(())
}

/// What the portal returned, checked (see [`super::rules`]).
#[derive(Debug, Clone)]
pub struct Registration {
    pub irn: String,
    pub ack_no: String,
    pub ack_date: NaiveDateTime,
    pub signed_qr: String,
}

/// `recordEinvoice`: records what the portal returned for invoice `id`. The invoice must be
/// one to e-invoice (see [`invoice`]); the QR code must be its own (where the code names an
/// IRN, document number or GSTIN); `CONFLICT` when the invoice has its IRN already or the IRN
/// is another document's. Audited.
pub fn record(conn: &mut DbConn, id: i64, input: Registration, actor: &Actor) -> AppResult<EinvoiceRow> {
    let row = crate::invoices::repo::find(conn, id)?;
    // In turn with an amendment of the invoice (`crate::amendments`), which an IRN forbids.
    crate::settlement::service::lock_customer(conn, row.customer_id, "invoiceId")?;
    let found = invoice(conn, id, "invoiceId")?;
    let (signed_qr, claims) = super::rules::signed_qr("signedQrCode", &input.signed_qr)?;
    let doc = &found.einvoice.doc_dtls;
    super::rules::qr_matches("signedQrCode", &claims, &input.irn, &doc.no, Some(&found.einvoice.seller_dtls.gstin))?;
    let dated =
        crate::documents::repo::find(conn, DocumentType::Invoice, id)?.map_or(row.invoice_date, |s| s.document.date);
    let ack_date = super::rules::ack_date("ackDate", input.ack_date, dated, crate::clock::now())?;
    if let Some(existing) = super::repo::of_document(conn, DocumentType::Invoice, id)? {
        return Err(AppError::Conflict(format!(
            "invoice {} has its e-invoice recorded already (IRN {}, acknowledgement {})",
            doc.no, existing.irn, existing.ack_no
        )));
    }
    if super::repo::with_irn(conn, &input.irn)?.is_some() {
        return Err(AppError::Conflict(format!("IRN {} is recorded for another document", input.irn)));
    }
    let new = NewEinvoice {
        company_id: row.company_id,
        document: DocumentType::Invoice,
        document_id: id,
        irn: input.irn,
        ack_no: input.ack_no,
        ack_date,
        signed_qr,
        recorded_by: actor.employee_id(),
        created_at: crate::clock::now(),
    };
    let saved = super::repo::insert(conn, &new).map_err(|e| match e {
        AppError::Database(ref d) if crate::error::is_unique_violation(d) => {
            AppError::Conflict(format!("invoice {} has its e-invoice recorded already", doc.no))
        }
        other => other,
    })?;
    let details = format!("{} IRN {} ack {}", doc.no, saved.irn, saved.ack_no);
    crate::audit::repo::record(conn, actor, "recordEinvoice", &[ids::encode(Kind::Invoice, id)], Some(&details))?;
    Ok(saved)
}

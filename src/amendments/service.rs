//! Amending an issued invoice, inside the caller's write transaction.

use super::rules::{self, Reported};
use crate::audit::Actor;
use crate::db::DbConn;
use crate::documents::amendments::NewAmendment;
use crate::error::{AppError, AppResult};
use crate::gstr1::model::Period;
use crate::ids::{self, Kind};
use crate::invoices::model::{InvoiceRow, InvoiceStatus};
use crate::series::model::DocumentType;

/// A correction of an issued invoice's recipient: the GSTIN (already checked, upper-cased)
/// and, when given, the name they are registered under.
pub struct Correction {
    pub customer_gstin: String,
    pub recipient_name: Option<String>,
    pub reason: String,
}

/// Amends issued invoice `key` and its credit and debit notes to `correction`, dated today:
/// a new version of each record, which prints from now on; returns filed before keep what
/// they filed, the return of the month of today reports it ([`Reported`]). Refused (naming
/// why) for a proforma, a cancelled invoice, a bill of supply, an e-invoice, a GSTIN it has
/// already, past the section 37(3) limit, while today's month is closed, and for what an
/// amendment cannot carry ([`rules::reported`]).
pub fn amend_invoice(conn: &mut DbConn, key: i64, correction: &Correction, actor: &Actor) -> AppResult<InvoiceRow> {
    let invoice = crate::invoices::repo::find(conn, key)?;
    crate::settlement::service::lock_customer(conn, invoice.customer_id, "id")?;
    let invoice = crate::invoices::repo::find(conn, key)?;
    let refuse =
        |why: String| Err(AppError::Conflict(format!("invoice {} cannot be amended: {why}", invoice.invoice_number)));
    if invoice.issued_at.is_none() {
        return refuse(
            "it is a proforma, not a tax invoice; change the customer's GSTIN (updateCustomer) and it is issued with it"
                .into(),
        );
    }
    if invoice.status == InvoiceStatus::Cancelled {
        return refuse("it is cancelled".into());
    }
    let current = crate::documents::source::issued_invoice(conn, &invoice)?;
    if current.document.supplier.gstin.is_none() {
        return refuse("it is a bill of supply (the company had no GSTIN), which no return reports".into());
    }
    if let Some(e) = crate::einvoice::repo::of_document(conn, DocumentType::Invoice, key)? {
        return refuse(format!(
            "it is an e-invoice registered with the IRP (IRN {}), which cannot be amended: issue a credit note for it \
             and a new invoice",
            e.irn
        ));
    }
    let company_row = crate::companies::repo::find(conn, invoice.company_id)?;
    if company_row.gstin != current.document.supplier.gstin {
        return refuse(format!(
            "it was issued under GSTIN {}, and the company now files under {}: amend it in that \
             registration's return on the portal",
            current.document.supplier.gstin.as_deref().unwrap_or("-"),
            company_row.gstin.as_deref().unwrap_or("no GSTIN")
        ));
    }
    if company_row.einvoicing && current.filed.customer_gstin.is_none() {
        return refuse(
            "the company e-invoices, so as a B2B invoice it would need an IRN from the IRP, which is not issued \
             for an invoice of an earlier date: issue a credit note for it and a new invoice to the registered recipient"
                .into(),
        );
    }
    let gstin = &correction.customer_gstin;
    if current.document.supplier.gstin.as_deref() == Some(gstin.as_str()) {
        return Err(AppError::bad_input("customerGstin", format!("{gstin} is the company's own GSTIN")));
    }
    if current.filed.customer_gstin.as_deref() == Some(gstin.as_str()) {
        return Err(AppError::bad_input(
            "customerGstin",
            format!("invoice {} already carries {gstin}", invoice.invoice_number),
        ));
    }
    crate::validate::recipient_gstin_in_state("customerGstin", gstin, &current.document.place_of_supply)?;
    let today = crate::clock::today();
    let last = rules::last_amendment_date(current.document.date);
    if today > last {
        return Err(AppError::bad_input(
            "id",
            format!(
                "invoices dated {} could be amended until {} (CGST Act section 37(3)); correct it with a credit note \
                 if that is still possible",
                current.document.date.format("%d-%m-%Y"),
                last.format("%d-%m-%Y")
            ),
        ));
    }
    let company = invoice.company_id;
    crate::gst_periods::service::ensure_open(conn, company, today, "amend an invoice", None)?;
    let closed =
        |conn: &mut DbConn, date| crate::gst_periods::repo::is_closed(conn, company, &Period::of(date).label());
    // Once an amendment went into a filed return, later ones follow it there (a month
    // reopened since would otherwise show one version while the portal holds another).
    let reported_before = crate::documents::amendments::of_documents(conn, DocumentType::Invoice, &[key])?
        .iter()
        .any(|a| a.reported_in.is_some());
    let month_closed = reported_before || closed(conn, current.document.date)?;
    let notes = crate::credit_notes::repo::of_invoices(conn, &[key])?;
    let mut note_records = Vec::with_capacity(notes.len());
    let mut filed_b2c_notes = 0;
    for note in &notes {
        let record = crate::documents::source::issued_note(conn, note)?;
        let filed = closed(conn, record.document.date)?;
        if filed && record.filed.customer_gstin.is_none() {
            filed_b2c_notes += 1;
        }
        note_records.push((note.id, record, filed));
    }
    let f = &current.filed;
    let b2cl = crate::gstr1::build::is_b2cl(f.inter_state, &f.customer_gstin, f.value_paise, current.document.date);
    let how = rules::reported(month_closed, f.customer_gstin.is_some(), b2cl, filed_b2c_notes)
        .map_err(|why| AppError::Conflict(format!("invoice {} cannot be amended: {why}", invoice.invoice_number)))?;
    let this_month = Period::of(today).label();
    let name = correction.recipient_name.as_deref();
    let reason = correction.reason.as_str();
    let store = |conn: &mut DbConn, document, id, before: &crate::documents::snapshot::Snapshot, filed: bool| {
        let after = rules::amended(before, gstin, name, today, reason);
        crate::documents::amendments::insert(
            conn,
            &NewAmendment {
                company_id: company,
                document,
                document_id: id,
                amended_on: today,
                reported_in: filed.then(|| this_month.clone()),
                before,
                after: &after,
                reason,
                amended_by_name: &actor.name,
            },
        )
    };
    store(conn, DocumentType::Invoice, key, &current, how != Reported::InPlace)?;
    for (id, record, filed) in &note_records {
        store(conn, DocumentType::CreditNote, *id, record, *filed)?;
    }
    crate::invoices::repo::set_customer_gstin(conn, key, Some(gstin))?;
    let reported = match how {
        Reported::InPlace => format!("in the return of {}", Period::of(current.document.date).label()),
        Reported::B2bAmended => format!("as b2ba in the return of {this_month}"),
        Reported::MovedToB2b => format!("as b2b and b2csa in the return of {this_month}"),
    };
    let before = current.filed.customer_gstin.as_deref().unwrap_or("unregistered");
    let details = format!(
        "{}: customerGstin: {before} -> {gstin}; reported {reported}; reason: {reason:?}",
        invoice.invoice_number
    );
    crate::audit::repo::record(conn, actor, "amendInvoice", &[ids::encode(Kind::Invoice, key)], Some(&details))?;
    crate::invoices::repo::find(conn, key)
}

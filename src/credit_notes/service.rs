//! Issuing a credit or debit note, inside the caller's write transaction.

use super::model::{CreditNoteRow, NewCreditNote, NoteType};
use super::repo;
use super::rules::CreditSplit;
use crate::audit::Actor;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::invoices::model::InvoiceRow;

/// Issues a credit note for `split` of `invoice` (as it was before the credit), dated today
/// (India time) and numbered in its company's credit note series. The caller lowers the
/// invoice and writes the ledger row that names the note.
pub fn issue(
    conn: &mut DbConn,
    invoice: &InvoiceRow,
    split: CreditSplit,
    reason: &str,
    actor: &Actor,
) -> AppResult<CreditNoteRow> {
    within_time_limit(invoice)?;
    note(conn, invoice, split, reason, actor, NoteType::Credit)
}

/// Issues a debit note raising `invoice` by `split` (section 34(3): no time limit), dated
/// today and numbered in its company's debit note series. The caller raises the invoice and
/// writes the ledger row that names the note.
pub fn issue_debit(
    conn: &mut DbConn,
    invoice: &InvoiceRow,
    split: CreditSplit,
    reason: &str,
    actor: &Actor,
) -> AppResult<CreditNoteRow> {
    note(conn, invoice, split, reason, actor, NoteType::Debit)
}

/// `BAD_USER_INPUT` on `id` past the section 34(2) limit for credit notes on `invoice`.
fn within_time_limit(invoice: &InvoiceRow) -> AppResult<()> {
    let today = crate::clock::today();
    let last = super::rules::last_note_date(invoice.invoice_date);
    if today > last {
        let start = crate::series::rules::financial_year(invoice.invoice_date);
        let year = format!("{start}-{:02}", (start + 1).rem_euclid(100));
        return Err(AppError::bad_input(
            "id",
            format!(
                "credit notes for {year} invoices could be issued until {} (CGST Act section 34(2)); \
                 {} can no longer be reduced",
                last.format("%d-%m-%Y"),
                invoice.invoice_number
            ),
        ));
    }
    Ok(())
}

fn note(
    conn: &mut DbConn,
    invoice: &InvoiceRow,
    split: CreditSplit,
    reason: &str,
    actor: &Actor,
    note_type: NoteType,
) -> AppResult<CreditNoteRow> {
    let company = crate::companies::repo::find(conn, invoice.company_id)?;
    let new = NewCreditNote {
        credit_note_number: String::new(),
        series: String::new(),
        serial: None,
        company_id: invoice.company_id,
        invoice_id: invoice.id,
        customer_id: invoice.customer_id,
        note_date: crate::clock::today(),
        taxable_paise: split.taxable,
        cgst_paise: split.tax.cgst,
        sgst_paise: split.tax.sgst,
        igst_paise: split.tax.igst,
        amount_paise: split.amount(),
        reason: reason.to_owned(),
        issued_by: actor.employee_id(),
        issued_by_name: actor.name.clone(),
        created_at: crate::clock::now(),
        note_type,
    };
    let note = repo::insert_numbered(conn, &company, new, crate::clock::local_now())?;
    crate::documents::source::freeze_credit_note(conn, &note)?;
    Ok(note)
}

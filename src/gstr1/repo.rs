//! A company's documents of a month, read as GSTR-1 needs them.

use std::collections::HashMap;

use diesel::prelude::*;

use super::build::{build, Gstr1};
use super::model::{CreditNoteLine, InvoiceLine, Period};
use crate::companies::model::CompanyRow;
use crate::credit_notes::model::CreditNoteRow;
use crate::db::schema::{credit_notes, invoices};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::invoices::model::{InvoiceRow, InvoiceStatus};

/// GSTR-1 of company `company_id` for `period`: its invoices dated in the month (as issued,
/// cancelled ones counted in `doc_issue` only) and its credit notes dated in the month. Dates
/// are business dates in India time. `BAD_USER_INPUT` on `companyId` without a GSTIN.
pub fn for_month(conn: &mut DbConn, company_id: i64, period: Period) -> AppResult<Gstr1> {
    let company = crate::companies::repo::find(conn, company_id)?;
    let Some(gstin) = company.gstin.clone() else {
        return Err(AppError::bad_input(
            "companyId",
            "the company has no GSTIN: GSTR-1 is filed by registered suppliers",
        ));
    };
    let (first, last) = period.days();
    let month: Vec<InvoiceRow> = invoices::table
        .filter(invoices::company_id.eq(company_id))
        .filter(invoices::invoice_date.between(first, last))
        .order(invoices::id.asc())
        .load(conn)?;
    let notes: Vec<CreditNoteRow> = credit_notes::table
        .filter(credit_notes::company_id.eq(company_id))
        .filter(credit_notes::note_date.between(first, last))
        .order(credit_notes::id.asc())
        .load(conn)?;
    // The invoices the month's notes reduce, and every note of every invoice involved (to
    // add back what the notes took off each invoice row).
    let mut invoice_ids: Vec<i64> = month.iter().map(|i| i.id).chain(notes.iter().map(|n| n.invoice_id)).collect();
    invoice_ids.sort_unstable();
    invoice_ids.dedup();
    let all_notes = crate::credit_notes::repo::of_invoices(conn, &invoice_ids)?;
    let noted: Vec<i64> = notes.iter().map(|n| n.invoice_id).collect();
    let of_notes = if noted.is_empty() { Vec::new() } else { crate::invoices::repo::by_ids(conn, &noted)? };
    let mut taken: HashMap<i64, Vec<CreditNoteRow>> = HashMap::new();
    for n in all_notes {
        taken.entry(n.invoice_id).or_default().push(n);
    }
    let none = Vec::new();
    let lines: Vec<InvoiceLine> =
        month.iter().map(|i| invoice_line(i, &company, taken.get(&i.id).unwrap_or(&none))).collect();
    let by_id: HashMap<i64, &InvoiceRow> = of_notes.iter().map(|i| (i.id, i)).collect();
    let mut note_lines = Vec::new();
    for n in &notes {
        let invoice = by_id
            .get(&n.invoice_id)
            .ok_or_else(|| AppError::Internal(format!("credit note {} has no invoice", n.credit_note_number)))?;
        let issued = invoice_line(invoice, &company, taken.get(&invoice.id).unwrap_or(&none));
        note_lines.push(CreditNoteLine {
            number: n.credit_note_number.clone(),
            date: n.note_date,
            series: n.series.clone(),
            serial: n.serial,
            invoice_value_paise: issued.value_paise,
            invoice_date: issued.date,
            customer_gstin: issued.customer_gstin,
            pos_code: issued.pos_code,
            inter_state: issued.inter_state,
            rate_bp: issued.rate_bp,
            taxable_paise: n.taxable_paise,
            igst_paise: n.igst_paise,
            cgst_paise: n.cgst_paise,
            sgst_paise: n.sgst_paise,
            value_paise: n.amount_paise,
        });
    }
    Ok(build(&gstin, period, &lines, &note_lines))
}

/// An invoice as issued: its row plus what its credit notes took off.
fn invoice_line(i: &InvoiceRow, company: &CompanyRow, notes: &[CreditNoteRow]) -> InvoiceLine {
    let issued = crate::documents::source::as_issued(i, notes);
    let taxes = issued.tax.cgst + issued.tax.sgst + issued.tax.igst;
    let inter_state = crate::invoices::rules::inter_state(issued.tax, &i.place_of_supply, &company.state);
    InvoiceLine {
        number: i.invoice_number.clone(),
        date: i.invoice_date,
        series: i.series.clone(),
        serial: i.serial,
        customer_gstin: i.customer_gstin.clone(),
        // 97: "other territory", for a state name the table does not know.
        pos_code: crate::states::gst_code(&i.place_of_supply).unwrap_or("97").to_owned(),
        inter_state,
        rate_bp: if taxes == 0 { 0 } else { i.gst_rate_bp },
        taxable_paise: issued.total - taxes,
        igst_paise: issued.tax.igst,
        cgst_paise: issued.tax.cgst,
        sgst_paise: issued.tax.sgst,
        value_paise: issued.total,
        cancelled: i.status == InvoiceStatus::Cancelled,
    }
}

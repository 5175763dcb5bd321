//! A company's documents of a month, read as GSTR-1 needs them: from the snapshots taken when
//! each was issued, so a later change of a name, address, GSTIN or plan never reaches a return.

use std::collections::HashMap;

use diesel::prelude::*;

use super::advances::{Adjustment, Advance, Voucher};
use super::amendments::{Amended, RevisedSummary};
use super::build::{build, Gstr1};
use super::model::{CodeShare, CreditNoteLine, InvoiceLine, Period};
use crate::companies::model::CompanyRow;
use crate::db::schema::invoices;
use crate::db::DbConn;
use crate::documents::amendments::AmendmentRow;
use crate::documents::snapshot::Snapshot;
use crate::error::{AppError, AppResult};
use crate::invoices::model::InvoiceStatus;
use crate::receipt_vouchers::model::VoucherRow;
use crate::series::model::DocumentType;

/// GSTR-1 of company `company_id` for `period`: the invoices it issued dated in the month
/// (cancelled ones counted in `doc_issue` only) and its credit notes dated in the month, as
/// issued. Dates are business dates in India time. The return is the supplier GSTIN's that the
/// month's documents carry (the company's today when it issued none); `BAD_USER_INPUT` on
/// `companyId` when there is neither.
pub fn for_month(conn: &mut DbConn, company_id: i64, period: Period) -> AppResult<Gstr1> {
    let company = crate::companies::repo::find(conn, company_id)?;
    let (gstin, lines, note_lines) = documents_of(conn, &company, period)?;
    let mut r = build(&gstin, period, &lines, &note_lines);
    add_advances(conn, company_id, period, &mut r)?;
    add_amendments(conn, &company, period, &gstin, &mut r)?;
    Ok(r)
}

/// A month's invoices (cancelled ones marked) and credit and debit notes as its return files
/// them, and the supplier GSTIN of the return.
fn documents_of(
    conn: &mut DbConn,
    company: &CompanyRow,
    period: Period,
) -> AppResult<(String, Vec<InvoiceLine>, Vec<CreditNoteLine>)> {
    let company_id = company.id;
    let (first, last) = period.days();
    let month = crate::documents::repo::dated_between(conn, company_id, DocumentType::Invoice, first, last)?;
    let notes = crate::documents::repo::dated_between(conn, company_id, DocumentType::CreditNote, first, last)?;
    let gstin =
        month.iter().chain(&notes).rev().find_map(|(_, s)| s.document.supplier.gstin.clone()).or(company.gstin.clone());
    let Some(gstin) = gstin else {
        return Err(AppError::bad_input(
            "companyId",
            "the company has no GSTIN: GSTR-1 is filed by registered suppliers",
        ));
    };
    // A return is one registration's: documents issued under another GSTIN are not in it.
    let ours = |s: &Snapshot| s.document.supplier.gstin.as_deref() == Some(gstin.as_str());
    let ids: Vec<i64> = month.iter().map(|(id, _)| *id).collect();
    let cancelled: HashMap<i64, bool> = if ids.is_empty() {
        HashMap::new()
    } else {
        invoices::table
            .filter(invoices::id.eq_any(&ids))
            .select((invoices::id, invoices::status))
            .load::<(i64, InvoiceStatus)>(conn)?
            .into_iter()
            .map(|(id, status)| (id, status == InvoiceStatus::Cancelled))
            .collect()
    };
    let lines: Vec<InvoiceLine> = month
        .iter()
        .filter(|(_, s)| ours(s))
        .map(|(id, s)| invoice_line(s, cancelled.get(id).copied().unwrap_or(false)))
        .collect();
    let note_lines: Vec<CreditNoteLine> = notes.iter().filter(|(_, s)| ours(s)).map(|(_, s)| note_line(s)).collect();
    Ok((gstin, lines, note_lines))
}

/// Table 11 of `period`: advances received and adjusted.
fn add_advances(conn: &mut DbConn, company_id: i64, period: Period, r: &mut Gstr1) -> AppResult<()> {
    let (first, last) = period.days();
    let vouchers = crate::receipt_vouchers::repo::dated_between(conn, company_id, first, last)?;
    let adjusted = crate::receipt_vouchers::repo::adjusted_between(conn, company_id, first, last)?;
    let advance = |v: &VoucherRow, taxable, igst, cgst, sgst| Advance {
        pos_code: v.pos_code.clone(),
        inter_state: v.inter_state,
        rate_bp: v.rate_bp,
        taxable_paise: taxable,
        igst_paise: igst,
        cgst_paise: cgst,
        sgst_paise: sgst,
    };
    let vouchers: Vec<Voucher> = vouchers
        .iter()
        .map(|v| Voucher {
            advance: advance(v, v.taxable_paise, v.igst_paise, v.cgst_paise, v.sgst_paise),
            series: v.series.clone(),
            serial: v.serial,
            number: v.voucher_number.clone(),
        })
        .collect();
    let adjustments: Vec<Adjustment> = adjusted
        .iter()
        .map(|(a, v)| Adjustment {
            advance: advance(v, a.taxable_paise, a.igst_paise, a.cgst_paise, a.sgst_paise),
            voucher_in_month: v.voucher_date >= first,
        })
        .collect();
    super::advances::add(r, &vouchers, &adjustments);
    Ok(())
}

/// The amendments reported in `period`'s return of `gstin` ([`super::amendments`]): per
/// document, the version filed before (the first amendment's `before`) against the newest.
fn add_amendments(
    conn: &mut DbConn,
    company: &CompanyRow,
    period: Period,
    gstin: &str,
    r: &mut Gstr1,
) -> AppResult<()> {
    let label = period.label();
    let rows = crate::documents::amendments::reported_in(conn, company.id, &label, &label)?;
    if rows.is_empty() {
        return Ok(());
    }
    let versions = first_and_newest(&rows)?;
    let ours = |s: &Snapshot| s.document.supplier.gstin.as_deref() == Some(gstin);
    let (mut invoices, mut notes, mut moved) = (Vec::new(), Vec::new(), Vec::new());
    for (document, _, before, after) in versions.iter().filter(|v| ours(&v.3)) {
        let original = (before.document.number.clone(), before.document.date);
        match (document, before.filed.customer_gstin.is_some()) {
            (DocumentType::Invoice, true) => invoices.push(Amended {
                line: invoice_line(after, false),
                original_number: original.0,
                original_date: original.1,
            }),
            (DocumentType::Invoice, false) => moved.push(invoice_line(after, false)),
            (DocumentType::CreditNote, true) => {
                notes.push(Amended { line: note_line(after), original_number: original.0, original_date: original.1 })
            }
            // Refused by `amendments::rules::reported`: a note filed as B2C stays where it is.
            (DocumentType::CreditNote, false) => {}
        }
    }
    // The B2C summaries the moved invoices were filed in, less every invoice moved out since.
    let mut months: Vec<Period> = moved.iter().map(|i| Period::of(i.date)).collect();
    months.sort_by_key(|p| (p.year, p.month));
    months.dedup();
    let mut summaries = Vec::new();
    if !months.is_empty() {
        let so_far = crate::documents::amendments::reported_in(conn, company.id, "0000-00", &label)?;
        let so_far = first_and_newest(&so_far)?;
        for month in months {
            let (filed_gstin, lines, note_lines) = documents_of(conn, company, month)?;
            let filed = build(&filed_gstin, month, &lines, &note_lines).b2cs;
            let moved_out = |v: &&(DocumentType, i64, Snapshot, Snapshot)| {
                v.0 == DocumentType::Invoice
                    && v.2.filed.customer_gstin.is_none()
                    && Period::of(v.2.document.date) == month
                    && ours(&v.3)
            };
            summaries.push(RevisedSummary {
                month,
                filed,
                moved: so_far.iter().filter(moved_out).map(|v| invoice_line(&v.3, false)).collect(),
                moved_now: moved.iter().filter(|i| Period::of(i.date) == month).cloned().collect(),
            });
        }
    }
    super::amendments::add(r, &invoices, &notes, &moved, &summaries);
    Ok(())
}

/// Per amended document, in the order first amended: (kind, id, the version before its first
/// amendment of `rows`, its newest).
fn first_and_newest(rows: &[AmendmentRow]) -> AppResult<Vec<(DocumentType, i64, Snapshot, Snapshot)>> {
    let mut out: Vec<(DocumentType, i64, Snapshot, Snapshot)> = Vec::new();
    for row in rows {
        let after = row.after()?;
        match out.iter_mut().find(|v| v.0 == row.document && v.1 == row.document_id) {
            Some(v) => v.3 = after,
            None => out.push((row.document, row.document_id, row.before()?, after)),
        }
    }
    Ok(out)
}

/// An invoice's line as issued.
fn invoice_line(s: &Snapshot, cancelled: bool) -> InvoiceLine {
    let f = &s.filed;
    InvoiceLine {
        number: s.document.number.clone(),
        date: s.document.date,
        series: f.series.clone(),
        serial: f.serial,
        customer_gstin: f.customer_gstin.clone(),
        recipient_name: s.document.recipient.name.clone(),
        pos_code: f.pos_code.clone(),
        inter_state: f.inter_state,
        rate_bp: f.rate_bp,
        taxable_paise: f.taxable_paise,
        igst_paise: f.igst_paise,
        cgst_paise: f.cgst_paise,
        sgst_paise: f.sgst_paise,
        value_paise: f.value_paise,
        cancelled,
        codes: codes(s),
    }
}

/// The document's lines by code.
fn codes(s: &Snapshot) -> Vec<CodeShare> {
    s.document
        .lines
        .iter()
        .map(|l| CodeShare {
            code: l.sac.clone(),
            goods: l.goods.as_ref().map(|q| (q.uqc.clone(), q.count)),
            weight: l.amount_paise,
        })
        .collect()
}

/// A credit note's line as issued.
fn note_line(s: &Snapshot) -> CreditNoteLine {
    let f = &s.filed;
    CreditNoteLine {
        debit: f.debit,
        number: s.document.number.clone(),
        date: s.document.date,
        series: f.series.clone(),
        serial: f.serial,
        invoice_value_paise: f.invoice_value_paise.unwrap_or(f.value_paise),
        invoice_date: s.document.original_invoice.as_ref().map_or(s.document.date, |(_, date)| *date),
        customer_gstin: f.customer_gstin.clone(),
        recipient_name: s.document.recipient.name.clone(),
        pos_code: f.pos_code.clone(),
        inter_state: f.inter_state,
        rate_bp: f.rate_bp,
        taxable_paise: f.taxable_paise,
        igst_paise: f.igst_paise,
        cgst_paise: f.cgst_paise,
        sgst_paise: f.sgst_paise,
        value_paise: f.value_paise,
        codes: codes(s),
    }
}

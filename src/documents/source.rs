//! The tax invoice and credit note documents as stored: reads the rows a document shows and
//! builds its [`TaxDocument`]. Invoices are shown as issued: the amounts on an invoice row are
//! net of its credit notes, so their taxable value and taxes are added back here (the credit
//! notes are documents of their own).

use diesel::prelude::*;

use super::model::{DocumentKind, Line, Party, TaxDocument, TaxLine};
use crate::companies::model::CompanyRow;
use crate::credit_notes::model::CreditNoteRow;
use crate::customers::model::CustomerRow;
use crate::db::schema::{addon_bills, customers, plans};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::invoices::model::{InvoiceRow, InvoiceStatus};
use crate::invoices::rules::TaxSplit;

/// SAC of telecommunication services (broadband, cable TV).
pub const SAC: &str = "9984";

/// The tax invoice `id` as a document, and the customer it belongs to (for access checks).
pub fn invoice(conn: &mut DbConn, id: i64) -> AppResult<(TaxDocument, i64)> {
    let invoice = crate::invoices::repo::find(conn, id)?;
    let company = crate::companies::repo::find(conn, invoice.company_id)?;
    let customer: CustomerRow = customers::table.find(invoice.customer_id).first(conn)?;
    let notes = crate::credit_notes::repo::of_invoices(conn, &[invoice.id])?;
    let plan: Option<(String, Option<String>)> =
        plans::table.find(customer.plan_id).select((plans::name, plans::speed)).first(conn).optional()?;
    let addons: Vec<(String, String, i64)> = addon_bills::table
        .filter(addon_bills::invoice_id.eq(invoice.id))
        .order(addon_bills::id.asc())
        .select((addon_bills::description, addon_bills::addon_type, addon_bills::amount_paise))
        .load(conn)?;
    Ok((invoice_document(&invoice, &company, &customer, plan, &addons, &notes), customer.id))
}

/// The credit note `id` as a document, and the customer it belongs to.
pub fn credit_note(conn: &mut DbConn, id: i64) -> AppResult<(TaxDocument, i64)> {
    let note = crate::credit_notes::repo::find(conn, id)?;
    let invoice = crate::invoices::repo::find(conn, note.invoice_id)?;
    let company = crate::companies::repo::find(conn, note.company_id)?;
    let customer: CustomerRow = customers::table.find(note.customer_id).first(conn)?;
    Ok((credit_note_document(&note, &invoice, &company, &customer), customer.id))
}

/// The company as the supplier.
fn supplier(company: &CompanyRow) -> Party {
    Party {
        name: company.name.clone(),
        address_lines: company.address.as_deref().map(lines).unwrap_or_default(),
        gstin: company.gstin.clone(),
        state: company.state.clone(),
        state_code: crate::states::gst_code(&company.state).map(str::to_owned),
        phone: company.phone.clone(),
        email: company.email.clone(),
    }
}

/// The customer as the recipient, with the GSTIN and state the invoice was issued to.
fn recipient(customer: &CustomerRow, invoice: &InvoiceRow) -> Party {
    let mut address = Vec::new();
    let street = match &customer.house_number {
        Some(house) => format!("{house}, {}", customer.address),
        None => customer.address.clone(),
    };
    address.extend(lines(&street));
    address.push(format!("{}, {} {}", customer.city, customer.state, customer.pincode));
    Party {
        name: customer.full_name.clone(),
        address_lines: address,
        gstin: invoice.customer_gstin.clone(),
        state: invoice.place_of_supply.clone(),
        state_code: crate::states::gst_code(&invoice.place_of_supply).map(str::to_owned),
        phone: Some(customer.mobile.clone()),
        email: customer.email.clone(),
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// The taxes of a document at the invoice's rate: CGST and SGST at half the rate each within
/// the company's state, else IGST at the full rate.
fn tax_lines(invoice: &InvoiceRow, company: &CompanyRow, tax: TaxSplit) -> Vec<TaxLine> {
    if crate::invoices::rules::inter_state(tax, &invoice.place_of_supply, &company.state) {
        vec![TaxLine { name: "IGST", rate_bp: invoice.gst_rate_bp, amount_paise: tax.igst }]
    } else {
        let half = invoice.gst_rate_bp / 2;
        vec![
            TaxLine { name: "CGST", rate_bp: half, amount_paise: tax.cgst },
            TaxLine { name: "SGST", rate_bp: invoice.gst_rate_bp - half, amount_paise: tax.sgst },
        ]
    }
}

/// What an invoice was issued as: its row plus what its credit notes took off.
pub struct AsIssued {
    pub discount: i64,
    pub tax: TaxSplit,
    pub total: i64,
}

/// `invoice` before the credit notes `notes` (all of its own) lowered it.
pub fn as_issued(invoice: &InvoiceRow, notes: &[CreditNoteRow]) -> AsIssued {
    let sum = |f: fn(&CreditNoteRow) -> i64| notes.iter().map(f).sum::<i64>();
    AsIssued {
        discount: invoice.discount_paise - sum(|n| n.taxable_paise),
        tax: TaxSplit {
            cgst: invoice.cgst_paise + sum(|n| n.cgst_paise),
            sgst: invoice.sgst_paise + sum(|n| n.sgst_paise),
            igst: invoice.igst_paise + sum(|n| n.igst_paise),
        },
        total: invoice.total_paise + sum(|n| n.amount_paise),
    }
}

/// A tax invoice as issued (Rule 46).
pub fn invoice_document(
    invoice: &InvoiceRow,
    company: &CompanyRow,
    customer: &CustomerRow,
    plan: Option<(String, Option<String>)>,
    addons: &[(String, String, i64)],
    notes: &[CreditNoteRow],
) -> TaxDocument {
    let issued = as_issued(invoice, notes);
    let period = invoice.billing_period_start.zip(invoice.billing_period_end);
    let addon_total: i64 = addons.iter().map(|a| a.2).sum();
    let mut items = Vec::new();
    let service = invoice.bill_paise - addon_total;
    if service != 0 || addons.is_empty() {
        let description = match plan {
            Some((name, Some(speed))) => format!("{name} ({speed})"),
            Some((name, None)) => name,
            None => "Service charges".to_owned(),
        };
        items.push(Line { description, sac: SAC.to_owned(), period, amount_paise: service });
    }
    for (description, kind, amount) in addons {
        items.push(Line {
            description: format!("{description} ({kind})"),
            sac: SAC.to_owned(),
            period: None,
            amount_paise: *amount,
        });
    }
    if invoice.installation_paise > 0 {
        items.push(Line {
            description: "Installation charges".to_owned(),
            sac: SAC.to_owned(),
            period: None,
            amount_paise: invoice.installation_paise,
        });
    }
    let taxable = invoice.bill_paise + invoice.installation_paise - issued.discount;
    TaxDocument {
        kind: DocumentKind::TaxInvoice,
        number: invoice.invoice_number.clone(),
        date: invoice.invoice_date,
        supplier: supplier(company),
        recipient: recipient(customer, invoice),
        place_of_supply: invoice.place_of_supply.clone(),
        place_of_supply_code: crate::states::gst_code(&invoice.place_of_supply).map(str::to_owned),
        original_invoice: None,
        lines: items,
        discount_paise: issued.discount,
        taxable_paise: taxable,
        taxes: tax_lines(invoice, company, issued.tax),
        total_paise: issued.total,
        paid_paise: Some(invoice.paid_paise),
        balance_paise: Some(invoice.balance_paise),
        due_date: Some(invoice.due_date),
        reason: None,
        issued_by: None,
        cancelled: invoice.status == InvoiceStatus::Cancelled,
    }
}

/// A credit note (Rule 53) against `invoice`.
pub fn credit_note_document(
    note: &CreditNoteRow,
    invoice: &InvoiceRow,
    company: &CompanyRow,
    customer: &CustomerRow,
) -> TaxDocument {
    let tax = TaxSplit { cgst: note.cgst_paise, sgst: note.sgst_paise, igst: note.igst_paise };
    TaxDocument {
        kind: DocumentKind::CreditNote,
        number: note.credit_note_number.clone(),
        date: note.note_date,
        supplier: supplier(company),
        recipient: recipient(customer, invoice),
        place_of_supply: invoice.place_of_supply.clone(),
        place_of_supply_code: crate::states::gst_code(&invoice.place_of_supply).map(str::to_owned),
        original_invoice: Some((invoice.invoice_number.clone(), invoice.invoice_date)),
        lines: vec![Line {
            description: format!("Value reduced on invoice {}", invoice.invoice_number),
            sac: SAC.to_owned(),
            period: invoice.billing_period_start.zip(invoice.billing_period_end),
            amount_paise: note.taxable_paise,
        }],
        discount_paise: 0,
        taxable_paise: note.taxable_paise,
        taxes: tax_lines(invoice, company, tax),
        total_paise: note.amount_paise,
        paid_paise: None,
        balance_paise: None,
        due_date: None,
        reason: Some(note.reason.clone()),
        issued_by: Some(note.issued_by_name.clone()),
        cancelled: false,
    }
}

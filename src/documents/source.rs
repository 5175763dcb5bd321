//! Documents from the database. An issued invoice or credit note is printed (and filed) from
//! its snapshot, frozen when it was issued ([`freeze_invoice`], [`freeze_credit_note`]); only
//! an invoice's paid amount, balance and cancellation come from today's row. A proforma (a
//! draft never issued) is built from today's data. Invoice rows are net of their credit notes,
//! so a snapshot taken after a credit note (documents issued before snapshots existed) adds
//! back what the notes took off.

use std::collections::HashMap;

use diesel::prelude::*;

use super::model::{
    DocumentKind, Line, NoteKind, NoteOnInvoice, Party, Quantity, Signatory, TaxDocument, TaxLine, SAC,
};
use super::snapshot::{Filed, Snapshot, VERSION};
use crate::addons::model::{AddonRow, AddonType};
use crate::companies::model::CompanyRow;
use crate::credit_notes::model::{CreditNoteRow, NoteType};
use crate::customers::model::CustomerRow;
use crate::db::schema::{addon_bills, customers, document_snapshots, invoices, plans};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::invoices::model::{InvoiceRow, InvoiceStatus};
use crate::invoices::rules::TaxSplit;
use crate::series::model::DocumentType;

/// The invoice `id` as a document, and the customer it belongs to (for access checks).
pub fn invoice(conn: &mut DbConn, id: i64) -> AppResult<(TaxDocument, i64)> {
    let invoice = crate::invoices::repo::find(conn, id)?;
    let document = match invoice.issued_at {
        Some(_) => issued_invoice(conn, &invoice)?.document,
        None => {
            let mut proforma = live_invoice(conn, &invoice, false)?.document;
            proforma.kind = DocumentKind::Proforma;
            proforma
        }
    };
    let document = with_status(document, &invoice);
    let notes = crate::credit_notes::repo::of_invoices(conn, &[invoice.id])?;
    let company = crate::companies::repo::find(conn, invoice.company_id)?;
    Ok((with_notes_and_upi(document, &notes, &company), invoice.customer_id))
}

/// The credit note `id` as a document, and the customer it belongs to.
pub fn credit_note(conn: &mut DbConn, id: i64) -> AppResult<(TaxDocument, i64)> {
    let note = crate::credit_notes::repo::find(conn, id)?;
    let snapshot = issued_note(conn, &note)?;
    Ok((snapshot.document, note.customer_id))
}

/// The snapshot of the issued `invoice`; one taken now if it has none (an invoice issued
/// before snapshots existed, if start-up has not taken it yet).
pub fn issued_invoice(conn: &mut DbConn, invoice: &InvoiceRow) -> AppResult<Snapshot> {
    match super::repo::find(conn, DocumentType::Invoice, invoice.id)? {
        Some(s) => Ok(s),
        None => freeze_earlier_invoice(conn, invoice),
    }
}

/// The record of the credit or debit note `note`; one taken now if it has none (a note issued
/// before records existed).
pub fn issued_note(conn: &mut DbConn, note: &CreditNoteRow) -> AppResult<Snapshot> {
    match super::repo::find(conn, DocumentType::CreditNote, note.id)? {
        Some(s) => Ok(s),
        None => freeze_note(conn, note, None),
    }
}

/// Freezes what the issued `invoice` shows today as its record.
pub fn freeze_invoice(conn: &mut DbConn, invoice: &InvoiceRow) -> AppResult<Snapshot> {
    let snapshot = live_invoice(conn, invoice, false)?;
    super::repo::insert(conn, invoice.company_id, DocumentType::Invoice, invoice.id, &snapshot)?;
    Ok(snapshot)
}

/// The record [`freeze_invoice`] would store for an invoice just raised, from the rows its
/// caller holds: its `customer` (locked), `company`, the name and speed of the customer's plan,
/// and the add-ons put on it (oldest first). A new invoice has no credit notes yet. Nothing is
/// read again (debug builds check that reading would have made the same record); the caller
/// stores it (`repo::insert_invoices`), alone or with its batch's.
pub fn new_invoice_record(
    conn: &mut DbConn,
    invoice: &InvoiceRow,
    customer: &CustomerRow,
    company: &CompanyRow,
    plan: Option<(String, Option<String>)>,
    addons: &[AddonRow],
) -> AppResult<Snapshot> {
    let mut live = Live {
        companies: HashMap::from([(company.id, company.clone())]),
        customers: HashMap::from([(customer.id, customer.clone())]),
        plans: plan.into_iter().map(|p| (customer.plan_id, p)).collect(),
        addons: HashMap::from([(invoice.id, addons.iter().cloned().map(addon_line).collect())]),
        notes: HashMap::new(),
    };
    let snapshot = live.snapshot(invoice, false)?;
    debug_assert_eq!(
        snapshot.to_json(),
        live_invoice(conn, invoice, false)?.to_json(),
        "the record frozen from held rows differs from the one read back"
    );
    Ok(snapshot)
}

/// Freezes an invoice an earlier version issued (see [`as_printed_before`]).
fn freeze_earlier_invoice(conn: &mut DbConn, invoice: &InvoiceRow) -> AppResult<Snapshot> {
    let snapshot = as_printed_before(live_invoice(conn, invoice, true)?);
    super::repo::insert_first(conn, invoice.company_id, DocumentType::Invoice, invoice.id, snapshot)
}

/// Freezes the credit note `note` from its invoice's snapshot, signed for by the company's
/// signatory of today.
pub fn freeze_credit_note(conn: &mut DbConn, note: &CreditNoteRow) -> AppResult<Snapshot> {
    let company = crate::companies::repo::find(conn, note.company_id)?;
    freeze_note(conn, note, Some(signatory(&company)))
}

/// Freezes the credit note `note` with `signatory` (`None`: one an earlier version issued).
fn freeze_note(conn: &mut DbConn, note: &CreditNoteRow, signatory: Option<Signatory>) -> AppResult<Snapshot> {
    let invoice = crate::invoices::repo::find(conn, note.invoice_id)?;
    let issued = issued_invoice(conn, &invoice)?;
    let mut snapshot = super::snapshot::credit_note(note, &issued);
    let earlier = signatory.is_none();
    snapshot.document.signatory = signatory;
    if earlier {
        // A note issued before snapshots existed may be frozen by two at once.
        return super::repo::insert_first(conn, note.company_id, DocumentType::CreditNote, note.id, snapshot);
    }
    super::repo::insert(conn, note.company_id, DocumentType::CreditNote, note.id, &snapshot)?;
    Ok(snapshot)
}

/// `snapshot` as the version before documents printed the customer's numbers and the
/// signatory printed it: what a document issued then is frozen as, so that upgrading changes
/// nothing already issued.
fn as_printed_before(mut snapshot: Snapshot) -> Snapshot {
    let d = &mut snapshot.document;
    d.customer_number = None;
    d.caf_no = None;
    d.signatory = None;
    snapshot
}

/// The signatory block of `company`'s documents.
fn signatory(company: &CompanyRow) -> Signatory {
    Signatory { name: company.signatory_name.clone() }
}

/// `document` with what changes after issue taken from `invoice`'s row: paid, balance, due
/// date, cancellation.
fn with_status(mut document: TaxDocument, invoice: &InvoiceRow) -> TaxDocument {
    document.paid_paise = Some(invoice.paid_paise);
    document.balance_paise = Some(invoice.balance_paise);
    document.due_date = Some(invoice.due_date);
    document.cancelled = invoice.status == InvoiceStatus::Cancelled;
    document
}

/// `document` (an invoice, with its status of today) with what else changes after issue: the
/// credit notes `notes` (all of its own) listed, and the UPI QR code that pays its balance,
/// when `company` has a UPI address and something is owed on an invoice not cancelled. The
/// QR code names the company as it is today: it pays today's account.
fn with_notes_and_upi(mut document: TaxDocument, notes: &[CreditNoteRow], company: &CompanyRow) -> TaxDocument {
    let mut listed: Vec<&CreditNoteRow> = notes.iter().collect();
    listed.sort_by_key(|n| (n.note_date, n.id));
    document.notes = listed
        .into_iter()
        .map(|n| NoteOnInvoice {
            kind: match n.note_type {
                NoteType::Credit => NoteKind::Credit,
                NoteType::Debit => NoteKind::Debit,
            },
            number: n.credit_note_number.clone(),
            date: n.note_date,
            amount_paise: n.amount_paise,
        })
        .collect();
    document.upi = match (&company.upi_vpa, document.balance_paise) {
        (Some(vpa), Some(balance)) if !document.cancelled => {
            super::upi::payment(vpa, &company.name, balance, &document.number)
        }
        _ => None,
    };
    document
}

/// What the rows say about `invoice` today.
fn live_invoice(conn: &mut DbConn, invoice: &InvoiceRow, earlier: bool) -> AppResult<Snapshot> {
    let mut live = Live::load(conn, std::slice::from_ref(invoice))?;
    live.snapshot(invoice, earlier)
}

/// Takes the snapshot of every issued invoice and credit note that has none (documents issued
/// before snapshots existed: they are frozen as they printed, see [`as_printed_before`]), in
/// batches; returns how many.
/// Run at start-up, after the migrations.
pub fn backfill(conn: &mut DbConn) -> AppResult<usize> {
    let mut done = 0;
    // Each batch starts after the last one (everything before it has its snapshot now), so
    // the look for invoices without one never reads the same ones again.
    let mut after = 0;
    loop {
        let batch: Vec<InvoiceRow> = invoices::table
            .filter(invoices::id.gt(after))
            .filter(invoices::issued_at.is_not_null())
            .filter(diesel::dsl::not(diesel::dsl::exists(
                document_snapshots::table
                    .filter(document_snapshots::document.eq(DocumentType::Invoice))
                    .filter(document_snapshots::document_id.eq(invoices::id)),
            )))
            .order(invoices::id.asc())
            .limit(500)
            .load(conn)?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        let mut live = Live::load(conn, &batch)?;
        for invoice in &batch {
            let snapshot = as_printed_before(live.snapshot(invoice, true)?);
            super::repo::insert_first(conn, invoice.company_id, DocumentType::Invoice, invoice.id, snapshot)?;
            done += 1;
        }
    }
    let notes: Vec<CreditNoteRow> = crate::db::schema::credit_notes::table
        .filter(diesel::dsl::not(diesel::dsl::exists(
            document_snapshots::table
                .filter(document_snapshots::document.eq(DocumentType::CreditNote))
                .filter(document_snapshots::document_id.eq(crate::db::schema::credit_notes::id)),
        )))
        .order(crate::db::schema::credit_notes::id.asc())
        .load(conn)?;
    for note in &notes {
        freeze_note(conn, note, None)?;
        done += 1;
    }
    Ok(done)
}

/// An add-on billed on an invoice: its description, kind (as stored), amount (paise) and,
/// for goods, the HSN code and quantity.
pub struct AddonLine {
    pub description: String,
    pub kind: String,
    pub amount: i64,
    pub goods: Option<(String, Quantity)>,
}

/// An add-on as a line of its invoice.
fn addon_line(a: AddonRow) -> AddonLine {
    let goods = a.hsn.zip(a.uqc).map(|(hsn, uqc)| (hsn, Quantity { count: a.quantity, uqc: uqc.to_string() }));
    AddonLine { description: a.description, kind: a.addon_type.to_string(), amount: a.amount_paise, goods }
}

/// Today's rows behind a batch of invoices.
struct Live {
    companies: HashMap<i64, CompanyRow>,
    customers: HashMap<i64, CustomerRow>,
    plans: HashMap<i64, (String, Option<String>)>,
    addons: HashMap<i64, Vec<AddonLine>>,
    notes: HashMap<i64, Vec<CreditNoteRow>>,
}

impl Live {
    fn load(conn: &mut DbConn, batch: &[InvoiceRow]) -> AppResult<Live> {
        let ids: Vec<i64> = batch.iter().map(|i| i.id).collect();
        let mut customer_ids: Vec<i64> = batch.iter().map(|i| i.customer_id).collect();
        customer_ids.sort_unstable();
        customer_ids.dedup();
        let mut company_ids: Vec<i64> = batch.iter().map(|i| i.company_id).collect();
        company_ids.sort_unstable();
        company_ids.dedup();
        let customers: HashMap<i64, CustomerRow> = customers::table
            .filter(customers::id.eq_any(&customer_ids))
            .select(CustomerRow::columns())
            .load::<CustomerRow>(conn)?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let mut plan_ids: Vec<i64> = customers.values().map(|c| c.plan_id).collect();
        plan_ids.sort_unstable();
        plan_ids.dedup();
        let plans = plans::table
            .filter(plans::id.eq_any(&plan_ids))
            .select((plans::id, plans::name, plans::speed))
            .load::<(i64, String, Option<String>)>(conn)?
            .into_iter()
            .map(|(id, name, speed)| (id, (name, speed)))
            .collect();
        let companies = crate::companies::repo::by_ids(conn, &company_ids)?.into_iter().map(|c| (c.id, c)).collect();
        let mut addons: HashMap<i64, Vec<AddonLine>> = HashMap::new();
        let rows: Vec<AddonRow> =
            addon_bills::table.filter(addon_bills::invoice_id.eq_any(&ids)).order(addon_bills::id.asc()).load(conn)?;
        for a in rows {
            if let Some(id) = a.invoice_id {
                addons.entry(id).or_default().push(addon_line(a));
            }
        }
        let mut notes: HashMap<i64, Vec<CreditNoteRow>> = HashMap::new();
        for n in crate::credit_notes::repo::of_invoices(conn, &ids)? {
            notes.entry(n.invoice_id).or_default().push(n);
        }
        Ok(Live { companies, customers, plans, addons, notes })
    }

    /// `earlier`: as the version before issued records printed it (see [`invoice_document`]).
    fn snapshot(&mut self, invoice: &InvoiceRow, earlier: bool) -> AppResult<Snapshot> {
        let company = self
            .companies
            .get(&invoice.company_id)
            .ok_or_else(|| AppError::Internal(format!("invoice {} has no company", invoice.invoice_number)))?;
        let customer = self
            .customers
            .get(&invoice.customer_id)
            .ok_or_else(|| AppError::Internal(format!("invoice {} has no customer", invoice.invoice_number)))?;
        let plan = self.plans.get(&customer.plan_id).cloned();
        let none = Vec::new();
        let addons = self.addons.get(&invoice.id).unwrap_or(&none);
        let no_notes = Vec::new();
        let notes = self.notes.get(&invoice.id).unwrap_or(&no_notes);
        Ok(Snapshot {
            version: VERSION,
            document: invoice_document(invoice, company, customer, plan, addons, notes, earlier),
            filed: filed_invoice(invoice, company, notes),
        })
    }
}

/// An invoice's GSTR-1 line as issued: its row plus what its credit notes took off.
pub fn filed_invoice(i: &InvoiceRow, company: &CompanyRow, notes: &[CreditNoteRow]) -> Filed {
    let issued = as_issued(i, notes);
    let taxes = issued.tax.cgst + issued.tax.sgst + issued.tax.igst;
    Filed {
        series: i.series.clone(),
        serial: i.serial,
        customer_gstin: i.customer_gstin.clone(),
        // 97: "other territory", for a state name the table does not know.
        pos_code: crate::states::gst_code(&i.place_of_supply).unwrap_or("97").to_owned(),
        inter_state: crate::invoices::rules::inter_state(issued.tax, &i.place_of_supply, &company.state),
        rate_bp: if taxes == 0 { 0 } else { i.gst_rate_bp },
        taxable_paise: issued.total - taxes,
        igst_paise: issued.tax.igst,
        cgst_paise: issued.tax.cgst,
        sgst_paise: issued.tax.sgst,
        value_paise: issued.total,
        invoice_value_paise: None,
        debit: false,
    }
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
    customer_party(customer, invoice.customer_gstin.clone(), &invoice.place_of_supply)
}

/// The customer as a recipient with `gstin`, in `state` (the place of supply).
fn customer_party(customer: &CustomerRow, gstin: Option<String>, state: &str) -> Party {
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
        gstin,
        state: state.to_owned(),
        state_code: crate::states::gst_code(state).map(str::to_owned),
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
    let inter = crate::invoices::rules::inter_state(tax, &invoice.place_of_supply, &company.state);
    taxes_at(invoice.gst_rate_bp, inter, tax)
}

/// `tax` at `rate_bp` as printed: IGST at the full rate across states, else CGST and SGST at
/// half each.
fn taxes_at(rate_bp: i32, inter_state: bool, tax: TaxSplit) -> Vec<TaxLine> {
    if inter_state {
        vec![TaxLine { name: "IGST".to_owned(), rate_bp, amount_paise: tax.igst }]
    } else {
        let half = rate_bp / 2;
        vec![
            TaxLine { name: "CGST".to_owned(), rate_bp: half, amount_paise: tax.cgst },
            TaxLine { name: "SGST".to_owned(), rate_bp: rate_bp - half, amount_paise: tax.sgst },
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

/// A tax invoice as issued (Rule 46); a bill of supply when the company has no GSTIN.
/// `earlier`: as versions before issued records printed it (add-on kinds as stored, always a
/// "Tax Invoice"), for an invoice such a version issued.
pub fn invoice_document(
    invoice: &InvoiceRow,
    company: &CompanyRow,
    customer: &CustomerRow,
    plan: Option<(String, Option<String>)>,
    addons: &[AddonLine],
    notes: &[CreditNoteRow],
    earlier: bool,
) -> TaxDocument {
    let issued = as_issued(invoice, notes);
    let period = invoice.billing_period_start.zip(invoice.billing_period_end);
    let addon_total: i64 = addons.iter().map(|a| a.amount).sum();
    let mut items = Vec::new();
    let service = invoice.bill_paise - addon_total;
    if service != 0 || addons.is_empty() {
        let description = match plan {
            Some((name, Some(speed))) => format!("{name} ({speed})"),
            Some((name, None)) => name,
            None => "Service charges".to_owned(),
        };
        items.push(Line {
            description,
            sac: SAC.to_owned(),
            period,
            amount_paise: service,
            rate_bp: invoice.gst_rate_bp,
            goods: None,
        });
    }
    for a in addons {
        let (description, kind) = (&a.description, &a.kind);
        items.push(Line {
            description: if earlier { format!("{description} ({kind})") } else { addon_description(description, kind) },
            sac: a.goods.as_ref().map_or(SAC, |(hsn, _)| hsn.as_str()).to_owned(),
            period: None,
            amount_paise: a.amount,
            rate_bp: invoice.gst_rate_bp,
            goods: a.goods.as_ref().map(|(_, q)| q.clone()),
        });
    }
    if invoice.installation_paise > 0 {
        items.push(Line {
            description: "Installation charges".to_owned(),
            sac: SAC.to_owned(),
            period: None,
            amount_paise: invoice.installation_paise,
            rate_bp: invoice.gst_rate_bp,
            goods: None,
        });
    }
    let taxable = invoice.bill_paise + invoice.installation_paise - issued.discount;
    // No GSTIN, no tax (section 32): a bill of supply. (Invoices of such a company from before
    // that rule charged tax, and print as the tax invoices they were.)
    let untaxed = !earlier && company.gstin.is_none() && issued.tax == TaxSplit::default();
    TaxDocument {
        kind: if untaxed { DocumentKind::BillOfSupply } else { DocumentKind::TaxInvoice },
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
        taxes: if untaxed { Vec::new() } else { tax_lines(invoice, company, issued.tax) },
        total_paise: issued.total,
        paid_paise: Some(invoice.paid_paise),
        balance_paise: Some(invoice.balance_paise),
        due_date: Some(invoice.due_date),
        reason: None,
        issued_by: None,
        cancelled: invoice.status == InvoiceStatus::Cancelled,
        customer_number: Some(customer.customer_id.clone()),
        caf_no: Some(customer.caf_no.clone()).filter(|c| !c.is_empty()),
        signatory: Some(signatory(company)),
        amended: None,
        notes: Vec::new(),
        upi: None,
    }
}

/// Receipt voucher `voucher` as printed (Rule 50): the supplier and the customer as they are
/// when it is issued, the advance as its one line (SAC 9984), its tax and total. Stored with
/// the voucher, as JSON, and never rebuilt.
pub fn receipt_voucher(
    conn: &mut DbConn,
    voucher: &crate::receipt_vouchers::model::NewVoucher,
    company: &CompanyRow,
    customer: &CustomerRow,
) -> AppResult<String> {
    let plan: Option<(String, Option<String>)> =
        plans::table.find(customer.plan_id).select((plans::name, plans::speed)).first(conn).optional()?;
    let plan = match plan {
        Some((name, Some(speed))) => format!("{name} ({speed})"),
        Some((name, None)) => name,
        None => "services".to_owned(),
    };
    let tax = TaxSplit { cgst: voucher.cgst_paise, sgst: voucher.sgst_paise, igst: voucher.igst_paise };
    let document = TaxDocument {
        kind: DocumentKind::ReceiptVoucher,
        number: voucher.voucher_number.clone(),
        date: voucher.voucher_date,
        supplier: supplier(company),
        recipient: customer_party(customer, voucher.customer_gstin.clone(), &customer.state),
        place_of_supply: customer.state.clone(),
        place_of_supply_code: crate::states::gst_code(&customer.state).map(str::to_owned),
        original_invoice: None,
        lines: vec![Line {
            description: format!("Advance for {plan}, to be invoiced"),
            sac: SAC.to_owned(),
            period: None,
            amount_paise: voucher.taxable_paise,
            rate_bp: voucher.rate_bp,
            goods: None,
        }],
        discount_paise: 0,
        taxable_paise: voucher.taxable_paise,
        taxes: taxes_at(voucher.rate_bp, voucher.inter_state, tax),
        total_paise: voucher.amount_paise,
        paid_paise: None,
        balance_paise: None,
        due_date: None,
        reason: None,
        issued_by: None,
        cancelled: false,
        customer_number: Some(customer.customer_id.clone()),
        caf_no: Some(customer.caf_no.clone()).filter(|c| !c.is_empty()),
        signatory: Some(signatory(company)),
        amended: None,
        notes: Vec::new(),
        upi: None,
    };
    Ok(serde_json::to_string(&document).unwrap_or_default())
}

/// The receipt voucher `id` as printed, and the customer it belongs to.
pub fn stored_receipt_voucher(conn: &mut DbConn, id: i64) -> AppResult<(TaxDocument, i64)> {
    let voucher = crate::receipt_vouchers::repo::find(conn, id)?;
    let document: TaxDocument = serde_json::from_str(&voucher.document)
        .map_err(|e| AppError::Internal(format!("receipt voucher {} cannot be read: {e}", voucher.voucher_number)))?;
    Ok((document, voucher.customer_id))
}

/// An add-on's line: its description and its kind in words, `Dual-band router (Equipment
/// sale)`; the kind is left out when it says nothing more (`OTHER`, or the description is
/// the kind).
fn addon_description(description: &str, kind: &str) -> String {
    let words = match crate::addons::model::AddonType::from_db(kind) {
        Ok(AddonType::Other) => None,
        Ok(k) => Some(k.in_words()),
        // A kind this version does not know prints as stored.
        Err(_) => Some(kind),
    };
    match words {
        Some(w) if !description.trim().eq_ignore_ascii_case(w) => format!("{description} ({w})"),
        _ => description.to_owned(),
    }
}

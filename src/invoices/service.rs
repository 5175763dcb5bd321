//! Invoice changes that move money, each inside the caller's write transaction: raising an
//! invoice (on the ledger, advance applied), putting money on it, status changes, deletion.

use diesel::prelude::*;

use chrono::NaiveDate;

use super::deferred::InBatch;
use super::later::Later;
use super::model::{InvoiceRow, InvoiceStatus, NewInvoice};
use super::repo;
use super::rules::{
    balance, charged_rate, check_status_change, due_date, gst, same_state, settled_status, total, Amounts, TaxSplit,
};
use crate::addons::model::AddonRow;
use crate::audit::Actor;
use crate::companies::model::CompanyRow;
use crate::customers::model::CustomerRow;
use crate::db::schema::{addon_bills, companies, payment_allocations, payments};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::ids::{self, Kind};
use crate::ledger::model::{Entry, TransactionType};
use crate::money::rupees;
use crate::plan_changes::model::PlanChangeRow;
use crate::series::model::DocumentType;
use crate::series::model::InvoiceNumbering;
use crate::settlement::service::{apply_advance, invoice_locked, lock_customer};

/// A manual invoice as the caller described it (checked for form already).
#[derive(Debug, Clone)]
pub struct InvoiceDraft {
    pub customer_id: i64,
    pub bill: i64,
    /// GST as given; `None`: computed from the company's rate and the customer's state.
    pub taxes: Option<TaxSplit>,
    pub installation: i64,
    pub discount: i64,
    pub invoice_date: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    /// Whether the customer's pending add-ons go on this invoice.
    pub include_pending_addons: bool,
    /// The billing run raising it (a renewal), unique per customer and period start.
    pub billing_run_id: Option<i64>,
    /// Issue it at once (numbered in the tax series, its record frozen); else a DRAFT proforma.
    pub issue: bool,
}

/// What waits for a customer's next invoice, read under their lock: add-ons not billed yet and
/// plan changes not prorated yet (each oldest first), and whether they may have advance to
/// apply. The billing cycle reads it for a whole batch at once.
#[derive(Debug, Clone)]
pub struct Pending {
    pub addons: Vec<AddonRow>,
    pub plan_changes: Vec<PlanChangeRow>,
    /// `false` only when the caller knows the customer has no advance (then none is looked for).
    pub advance: bool,
}

impl Pending {
    /// What waits for customer `id` (locked by the caller).
    pub fn of(conn: &mut DbConn, id: i64) -> AppResult<Pending> {
        Ok(Pending {
            addons: crate::addons::repo::pending(conn, id)?,
            plan_changes: crate::plan_changes::repo::pending(conn, id)?,
            advance: true,
        })
    }

    /// Nothing waiting to go on the invoice (its advance is still looked for).
    pub fn nothing() -> Pending {
        Pending { addons: Vec::new(), plan_changes: Vec::new(), advance: true }
    }
}

/// `createInvoice`: a manual invoice in DRAFT, `balance = total`, with the customer's pending
/// add-ons on it (their amounts join the bill and their GST the taxes) and their advance applied.
pub fn raise(conn: &mut DbConn, draft: &InvoiceDraft, actor: &Actor) -> AppResult<InvoiceRow> {
    let customer = lock_customer(conn, draft.customer_id, "customerId")?;
    let company = crate::companies::repo::find(conn, customer.company_id)?;
    let pending = if draft.include_pending_addons { Pending::of(conn, customer.id)? } else { Pending::nothing() };
    let plan = if draft.issue { crate::plans::repo::by_ids(conn, &[customer.plan_id])?.pop() } else { None };
    let mut later = Later::default();
    let row = raise_for(conn, &customer, &company, plan.as_ref(), pending, draft, actor, &mut later)?;
    later.write(conn)?;
    Ok(row)
}

/// [`raise`] for `customer`, locked by the caller, of `company` on `plan` (the customer's
/// plan: read only for an invoice issued at once, whose record names it), with what is
/// `pending` for them (the billing cycle reads companies and plans once per batch, and what
/// is pending for the whole batch at once). Its audit entry and frozen record are left in
/// `later`, for the caller to write before its transaction ends.
#[allow(clippy::too_many_arguments)]
pub fn raise_for(
    conn: &mut DbConn,
    customer: &CustomerRow,
    company: &CompanyRow,
    plan: Option<&crate::plans::model::PlanRow>,
    pending: Pending,
    draft: &InvoiceDraft,
    actor: &Actor,
    later: &mut Later,
) -> AppResult<InvoiceRow> {
    // Plan changes waiting to be prorated join an invoice for a service period whose GST is
    // computed here (their net changes the taxable value; a credit too large is carried on).
    let (prorated, net): (Vec<i64>, i64) =
        if draft.include_pending_addons && draft.taxes.is_none() && draft.period_start.is_some() {
            let net = pending.plan_changes.iter().map(|r| r.net_paise).sum();
            (pending.plan_changes.iter().map(|r| r.id).collect(), net)
        } else {
            (Vec::new(), 0)
        };
    let (bill, carried) = crate::plan_changes::rules::settle(draft.bill, net);
    let taxable = super::rules::taxable_value(bill, draft.installation, draft.discount)
        .ok_or_else(|| AppError::bad_input("billAmount", "`billAmount` is too large"))?;
    let tax = tax_at(company, customer, taxable);
    if let Some(typed) = draft.taxes {
        super::rules::check_typed_tax(typed, tax, taxable, company.gstin.is_some(), rate_bp(company))
            .map_err(|e| AppError::bad_input(e.field, e.message))?;
    }
    let addons = if draft.include_pending_addons { pending.addons } else { Vec::new() };
    let mut amounts = Amounts { bill, tax, installation: draft.installation, discount: draft.discount };
    // Sums within what can be recorded (else `BAD_USER_INPUT`, never a refused row).
    let add = |a: i64, b: i64| crate::money::add("billAmount", a, b);
    for addon in &addons {
        amounts.bill = add(amounts.bill, addon.amount_paise)?;
        amounts.tax.cgst = add(amounts.tax.cgst, addon.cgst_paise)?;
        amounts.tax.sgst = add(amounts.tax.sgst, addon.sgst_paise)?;
        amounts.tax.igst = add(amounts.tax.igst, addon.igst_paise)?;
    }
    let taxes = add(add(amounts.tax.cgst, amounts.tax.sgst)?, amounts.tax.igst)?;
    add(add(amounts.bill, taxes)?, amounts.installation)?;
    let due = draft.due_date.unwrap_or_else(|| due_date(draft.invoice_date));
    let mut new = new_invoice(customer, &amounts, draft.invoice_date, due, draft.period_start, draft.period_end)?;
    new.billing_run_id = draft.billing_run_id;
    if draft.issue {
        new.issued_at = Some(crate::clock::now());
    }
    let with: Vec<String> = addons.iter().map(|a| format!("{} ({})", a.description, a.addon_type)).collect();
    let proration = (!prorated.is_empty()).then(|| format!(" with plan changes prorated: ₹{} before GST", rupees(net)));
    // An invoice that add-ons or plan changes will name is inserted at once; else it may wait
    // with the caller's batch.
    let may_wait = addons.is_empty() && prorated.is_empty() && carried.is_none();
    let batch = later.deferred().map(|deferred| InBatch { deferred, may_wait });
    let row = issue_for(
        conn,
        company,
        new,
        TransactionType::Invoice,
        |number| {
            let mut text = format!("Invoice {number}");
            if !with.is_empty() {
                text.push_str(&format!(" with add-ons: {}", with.join(", ")));
            }
            text.push_str(proration.as_deref().unwrap_or_default());
            text
        },
        pending.advance,
        actor,
        batch,
    )?;
    let ids: Vec<i64> = addons.iter().map(|a| a.id).collect();
    crate::addons::repo::mark_billed(conn, &ids, row.id)?;
    crate::plan_changes::service::put_on(conn, customer, &prorated, row.id, carried, draft.invoice_date)?;
    if row.issued_at.is_some() {
        // Frozen once its add-ons are on it: they are lines of the record.
        let plan = plan.filter(|p| p.id == customer.plan_id).map(|p| (p.name.clone(), p.speed.clone()));
        let record = crate::documents::source::new_invoice_record(conn, &row, customer, company, plan, &addons)?;
        later.record(row.company_id, row.id, record);
    }
    let details = format!("{} ₹{}", row.invoice_number, rupees(row.total_paise));
    let target = [ids::encode(Kind::Invoice, row.id)];
    later.audit(crate::audit::repo::Later::new(actor, "createInvoice", &target, Some(details)));
    Ok(row)
}

/// GST on `amount` for `customer`: the company's rate, CGST + SGST within its state, else IGST;
/// none when the company has no GSTIN (section 32: it issues bills of supply).
pub fn tax_for(conn: &mut DbConn, customer: &CustomerRow, amount: i64) -> AppResult<TaxSplit> {
    let (rate, gstin, company_state): (i32, Option<String>, String) = companies::table
        .find(customer.company_id)
        .select((companies::gst_rate_bp, companies::gstin, companies::state))
        .first(conn)?;
    Ok(gst(amount, charged_rate(rate, gstin.is_some()), same_state(&customer.state, &company_state)))
}

/// The GST rate `company` charges: its rate when registered, else none.
pub fn rate_bp(company: &CompanyRow) -> i32 {
    charged_rate(company.gst_rate_bp, company.gstin.is_some())
}

/// GST on `amount` for `customer` of `company` (see [`tax_for`]).
fn tax_at(company: &CompanyRow, customer: &CustomerRow, amount: i64) -> TaxSplit {
    gst(amount, rate_bp(company), same_state(&customer.state, &company.state))
}

/// A new DRAFT invoice row of `customer` for `amounts` (total and balance computed, nothing
/// paid yet; the place of supply and GSTIN are the customer's now). [`issue`] numbers it.
pub fn new_invoice(
    customer: &CustomerRow,
    amounts: &Amounts,
    invoice_date: NaiveDate,
    due_date: NaiveDate,
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
) -> AppResult<NewInvoice> {
    let total = total(amounts).map_err(|e| AppError::bad_input(e.field, format!("`{}` {}", e.field, e.message)))?;
    let now = crate::clock::now();
    Ok(NewInvoice {
        invoice_number: String::new(),
        customer_id: customer.id,
        bill_paise: amounts.bill,
        cgst_paise: amounts.tax.cgst,
        sgst_paise: amounts.tax.sgst,
        igst_paise: amounts.tax.igst,
        installation_paise: amounts.installation,
        discount_paise: amounts.discount,
        total_paise: total,
        paid_paise: 0,
        balance_paise: balance(total, 0),
        invoice_date,
        due_date,
        billing_period_start: period_start,
        billing_period_end: period_end,
        status: InvoiceStatus::Draft,
        sent_at: None,
        created_at: now,
        updated_at: now,
        company_id: customer.company_id,
        place_of_supply: customer.state.clone(),
        customer_gstin: customer.customer_gst_no.clone(),
        gst_rate_bp: 0,
        series: String::new(),
        serial: None,
        billing_run_id: None,
        issued_at: None,
    })
}

/// Adds an invoice: numbered in its company's series (see [`crate::series`]), with the
/// company's GST rate recorded, `PAID` at once if it totals nothing, on the ledger as `kind`
/// (`INVOICE` or `ADDON_CHARGE`), and with the customer's advance applied. The customer must
/// be locked.
pub fn issue(
    conn: &mut DbConn,
    new: NewInvoice,
    kind: TransactionType,
    describe: impl FnOnce(&str) -> String,
    actor: &Actor,
) -> AppResult<InvoiceRow> {
    let company = crate::companies::repo::find(conn, new.company_id)?;
    issue_for(conn, &company, new, kind, describe, true, actor, None)
}

/// [`issue`] with the invoice's company already read. An invoice created issued (`issued_at`
/// set) is numbered in the tax series and SENT; the caller freezes its record once all its
/// lines are on it ([`raise_for`] does, after the add-ons). Else it is a DRAFT proforma.
/// `advance`: whether to look for the customer's advance to apply (`false` only when the caller
/// knows there is none). `batch`: the caller's batch of invoices, where this one and its
/// ledger row wait to be inserted with the others when they may (see [`super::deferred`]).
#[allow(clippy::too_many_arguments)]
pub fn issue_for(
    conn: &mut DbConn,
    company: &CompanyRow,
    mut new: NewInvoice,
    kind: TransactionType,
    describe: impl FnOnce(&str) -> String,
    advance: bool,
    actor: &Actor,
    batch: Option<InBatch>,
) -> AppResult<InvoiceRow> {
    let today = crate::clock::today();
    new.status = settled_status(InvoiceStatus::Draft, new.balance_paise, false, new.due_date, today);
    new.gst_rate_bp = rate_bp(company);
    if let Some(at) = new.issued_at {
        let date = issue_date(conn, company, new.invoice_date, new.billing_run_id.is_some())?;
        new.due_date = shifted_due(new.invoice_date, new.due_date, date);
        new.invoice_date = date;
        new.sent_at = Some(at);
        new.status = settled_status(InvoiceStatus::Sent, new.balance_paise, true, new.due_date, today);
    }
    let entry = |row: &InvoiceRow| {
        let mut entry =
            Entry::new(row.customer_id, kind, row.total_paise, row.total_paise, describe(&row.invoice_number));
        entry.invoice_id = Some(row.id);
        entry
    };
    let row = match batch {
        Some(InBatch { deferred, may_wait }) => {
            if may_wait && !advance && deferred.takes(company, &new) {
                return deferred.issue(conn, company, new, entry, actor);
            }
            deferred.insert_now(conn, company, new)?
        }
        None => repo::insert_numbered(conn, company, new, crate::clock::local_now(), None)?,
    };
    crate::ledger::repo::append(conn, entry(&row), actor)?;
    if !advance {
        return Ok(row);
    }
    apply_advance(conn, row, actor)
}

/// The date an invoice of `company` dated `wanted` is issued under: numbers follow dates
/// within a financial-year series (Rule 46(b)), so never before the series' last issued
/// invoice, never in the future, and never in a closed GST period. `move_up`: a date before
/// the series' last or in a closed month becomes the first date allowed (the billing cycle
/// catching up on a missed day); else it is refused.
fn issue_date(conn: &mut DbConn, company: &CompanyRow, wanted: NaiveDate, move_up: bool) -> AppResult<NaiveDate> {
    let today = crate::clock::today();
    if wanted > today {
        return Err(AppError::bad_input(
            "invoiceDate",
            format!("`invoiceDate` {wanted} is in the future: an invoice is dated no later than the day it is issued ({today})"),
        ));
    }
    let wanted = match crate::gst_periods::service::first_open_day(conn, company.id)? {
        Some(open) if move_up && wanted < open => open,
        _ => {
            crate::gst_periods::service::ensure_open(
                conn,
                company.id,
                wanted,
                "issue this invoice",
                Some("invoiceDate"),
            )?;
            wanted
        }
    };
    if company.invoice_numbering != InvoiceNumbering::FinancialYear {
        return Ok(wanted);
    }
    let series =
        crate::series::rules::series_name(&company.invoice_prefix, crate::series::rules::financial_year(wanted));
    // The series' lock first (the one its serial is taken under, held to the end of the
    // transaction): no invoice of a later date can take the next serial between this check
    // and ours.
    let document = crate::series::model::DocumentType::Invoice;
    let guard = crate::series::repo::lock_name(company.id, document, &series);
    crate::db::lock_key(conn, &guard)?;
    // Remembered through a batch that holds the series' lock: its own invoices are dated no
    // earlier than this last date, so the last date stays what the batch first read.
    let last =
        crate::db::guarded_read(&guard, &format!("{guard}:last"), || repo::last_issued(conn, company.id, &series))?;
    match last {
        Some((number, last)) if last > wanted => {
            if move_up {
                return Ok(last);
            }
            Err(AppError::bad_input(
                "invoiceDate",
                format!(
                    "`invoiceDate` {wanted} is before {last}, the date of {number}, the last invoice of {series}: \
                     invoice numbers follow their dates (CGST Rule 46(b)); date it {last} or later"
                ),
            ))
        }
        _ => Ok(wanted),
    }
}

/// The due date of an invoice moved from `from` to `to`: as many days after it as before.
fn shifted_due(from: NaiveDate, due: NaiveDate, to: NaiveDate) -> NaiveDate {
    to.checked_add_signed(due - from).unwrap_or(due).max(to)
}

/// `issueInvoice`: issues a DRAFT proforma (or one paid in full by advance before it was
/// issued) as a tax invoice: numbered in its company's series, dated `date` (or its own date),
/// SENT unless paid, and its record frozen: from now on its amounts change only through credit
/// notes.
pub fn issue_invoice(conn: &mut DbConn, id: i64, date: Option<NaiveDate>, actor: &Actor) -> AppResult<InvoiceRow> {
    let mut invoice = invoice_locked(conn, id)?;
    if invoice.issued_at.is_some() {
        return Err(AppError::Conflict(format!("invoice {} is issued already", invoice.invoice_number)));
    }
    if invoice.status == InvoiceStatus::Cancelled {
        return Err(AppError::Conflict(format!("invoice {} is cancelled", invoice.invoice_number)));
    }
    let company = crate::companies::repo::find(conn, invoice.company_id)?;
    refresh_recipient(conn, &mut invoice, &company)?;
    let wanted = date.unwrap_or(invoice.invoice_date);
    let issued_on = issue_date(conn, &company, wanted, false)?;
    let now = crate::clock::now();
    invoice.due_date = shifted_due(invoice.invoice_date, invoice.due_date, issued_on);
    invoice.invoice_date = issued_on;
    if let Some(numbered) = crate::series::repo::next_financial_year_number(
        conn,
        &company,
        crate::series::model::DocumentType::Invoice,
        issued_on,
    )? {
        invoice.invoice_number = numbered.number;
        invoice.series = numbered.series;
        invoice.serial = numbered.serial;
    }
    invoice.issued_at = Some(now);
    invoice.sent_at = Some(now);
    if invoice.status == InvoiceStatus::Draft {
        invoice.status = InvoiceStatus::Sent;
    }
    invoice.updated_at = now;
    repo::set_issued(conn, &invoice)?;
    crate::documents::source::freeze_invoice(conn, &invoice)?;
    if invoice.paid_paise > 0 {
        // Money paid on the proforma was an advance: now invoiced, its vouchers are adjusted.
        let cause = crate::settlement::advances::Cause::Invoice(invoice.id, invoice.invoice_date);
        let customer = crate::customers::repo::find(conn, invoice.customer_id)?;
        crate::settlement::advances::reconcile(conn, &customer, cause)?;
    }
    let details = format!("{} dated {}", invoice.invoice_number, invoice.invoice_date);
    crate::audit::repo::record(conn, actor, "issueInvoice", &[ids::encode(Kind::Invoice, id)], Some(&details))?;
    Ok(invoice)
}

/// A proforma is issued to the customer as they are today: their GSTIN (a registration added
/// since drafting makes it B2B) and state. When that, or the company's rate, would change the
/// tax the proforma charges (another rate, or CGST + SGST against IGST), it is refused: the
/// amounts were agreed as drafted, so the office adjusts it or raises a new invoice.
fn refresh_recipient(conn: &mut DbConn, invoice: &mut InvoiceRow, company: &CompanyRow) -> AppResult<()> {
    let customer = crate::customers::repo::find(conn, invoice.customer_id)?;
    let rate = rate_bp(company);
    let drafted_inter = invoice.igst_paise > 0;
    let drafted_taxed = invoice.igst_paise + invoice.cgst_paise + invoice.sgst_paise > 0;
    let now_inter = !same_state(&customer.state, &company.state);
    // Drafts from before invoices recorded their rate have 0 there: their taxes tell.
    let drafted_rate = if invoice.gst_rate_bp == 0 && drafted_taxed { rate } else { invoice.gst_rate_bp };
    if rate != drafted_rate || (drafted_taxed && drafted_inter != now_inter) {
        let what = if rate != drafted_rate {
            format!(
                "the GST rate is {} now, not {} as drafted",
                crate::documents::text::percent(rate),
                crate::documents::text::percent(drafted_rate)
            )
        } else {
            format!(
                "the customer is in {} now, which makes it {}-state",
                customer.state,
                if now_inter { "inter" } else { "intra" }
            )
        };
        return Err(AppError::Conflict(format!(
            "proforma {} cannot be issued as drafted: {what}; adjust it, or delete it and raise a new invoice",
            invoice.invoice_number
        )));
    }
    invoice.customer_gstin = customer.customer_gst_no;
    invoice.place_of_supply = customer.state;
    invoice.gst_rate_bp = rate;
    Ok(())
}

/// `updateInvoiceStatus`: `DRAFT → SENT` sets `sentAt`; `CANCELLED` only with nothing paid
/// (its total leaves the ledger; add-ons added to it wait for the next invoice again);
/// `OVERDUE` only past the due date; `PAID` never by hand.
pub fn change_status(conn: &mut DbConn, id: i64, to: InvoiceStatus, actor: &Actor) -> AppResult<InvoiceRow> {
    let mut invoice = invoice_locked(conn, id)?;
    let from = invoice.status;
    check_status_change(from, to, invoice.paid_paise, invoice.due_date, crate::clock::today())
        .map_err(|m| AppError::bad_input("status", m))?;
    if to == InvoiceStatus::Sent && invoice.issued_at.is_none() {
        // Sending a proforma issues it, on its own date: a date that cannot be is blamed on
        // `status` (this mutation has no date), saying how to issue it on another.
        return issue_invoice(conn, id, None, actor).map_err(|e| match e {
            AppError::BadInput { field, message } if field == "invoiceDate" => AppError::bad_input(
                "status",
                format!("{message} (`issueInvoice(id:, invoiceDate:)` issues it on another date)"),
            ),
            e => e,
        });
    }
    if to == InvoiceStatus::Cancelled && invoice.issued_at.is_some() {
        let what = format!("cancel invoice {}", invoice.invoice_number);
        crate::gst_periods::service::ensure_open(conn, invoice.company_id, invoice.invoice_date, &what, None)?;
        let notes = crate::credit_notes::repo::of_invoices(conn, &[id])?;
        if let Some(note) = notes.first() {
            return Err(AppError::Conflict(format!(
                "invoice {} has credit note {}: an invoice with a credit note cannot be cancelled \
                 (its return would drop the invoice and keep the note); issue a credit note for the rest instead",
                invoice.invoice_number, note.credit_note_number
            )));
        }
        let amended = crate::documents::amendments::of_documents(conn, DocumentType::Invoice, &[id])?;
        if amended.iter().any(|a| a.reported_in.is_some()) {
            return Err(AppError::Conflict(format!(
                "invoice {} was amended in a filed month's return: it cannot be cancelled any more; issue a \
                 credit note for it instead",
                invoice.invoice_number
            )));
        }
    }
    let now = crate::clock::now();
    if to == InvoiceStatus::Sent {
        invoice.sent_at = Some(now);
    }
    invoice.status = to;
    invoice.updated_at = now;
    repo::set_status(conn, &invoice)?;
    if to == InvoiceStatus::Cancelled {
        release_addons(conn, invoice.id)?;
        crate::plan_changes::repo::release(conn, invoice.id)?;
        let mut entry = Entry::new(
            invoice.customer_id,
            TransactionType::InvoiceCancelled,
            invoice.total_paise,
            -invoice.total_paise,
            format!("Invoice {} cancelled", invoice.invoice_number),
        );
        entry.invoice_id = Some(invoice.id);
        crate::ledger::repo::append(conn, entry, actor)?;
    }
    let details = format!("{} -> {}", from.as_str(), to.as_str());
    crate::audit::repo::record(conn, actor, "updateInvoiceStatus", &[ids::encode(Kind::Invoice, id)], Some(&details))?;
    Ok(invoice)
}

/// `adjustInvoice`: waives `credit` of an invoice's unpaid balance (goodwill for an outage, a
/// disputed charge), never more than is unpaid and never on a CANCELLED invoice. The credit is
/// split in the invoice's own proportions ([`crate::credit_notes::rules::split`]): its taxable
/// part joins the discount and each tax falls by its part, so `total = bill + taxes +
/// installation − discount` still holds and the taxes match the value. An issued invoice gets
/// a credit note for it in the same transaction; a proforma (never issued) simply changes. The
/// ledger records an ADJUSTMENT that names the credit note.
pub fn adjust(conn: &mut DbConn, id: i64, credit: i64, reason: &str, actor: &Actor) -> AppResult<InvoiceRow> {
    let mut invoice = invoice_locked(conn, id)?;
    let status = invoice.status;
    if status == InvoiceStatus::Cancelled {
        return Err(AppError::bad_input("id", "a CANCELLED invoice cannot be adjusted"));
    }
    if credit > invoice.balance_paise {
        return Err(AppError::bad_input(
            "credit",
            format!(
                "only ₹{} is unpaid on {}; refund a payment instead",
                rupees(invoice.balance_paise.max(0)),
                invoice.invoice_number
            ),
        ));
    }
    let taxes = TaxSplit { cgst: invoice.cgst_paise, sgst: invoice.sgst_paise, igst: invoice.igst_paise };
    let split = crate::credit_notes::rules::split(credit, invoice.total_paise, taxes);
    let note = if invoice.issued_at.is_none() {
        None
    } else {
        Some(crate::credit_notes::service::issue(conn, &invoice, split, reason, actor)?)
    };
    invoice.discount_paise += split.taxable;
    invoice.cgst_paise -= split.tax.cgst;
    invoice.sgst_paise -= split.tax.sgst;
    invoice.igst_paise -= split.tax.igst;
    invoice.total_paise -= credit;
    invoice.balance_paise = balance(invoice.total_paise, invoice.paid_paise);
    let today = crate::clock::today();
    let sent = invoice.sent_at.is_some() || invoice.issued_at.is_some();
    invoice.status = settled_status(status, invoice.balance_paise, sent, invoice.due_date, today);
    invoice.updated_at = crate::clock::now();
    repo::set_amounts(conn, &invoice)?;
    let waived =
        format!("₹{} of invoice {} waived by {}: {reason}", rupees(credit), invoice.invoice_number, actor.name);
    let description = match &note {
        Some(note) => format!("Credit note {}: {waived}", note.credit_note_number),
        None => waived,
    };
    let mut entry = Entry::new(invoice.customer_id, TransactionType::Adjustment, credit, -credit, description);
    entry.invoice_id = Some(invoice.id);
    entry.credit_note_id = note.as_ref().map(|n| n.id);
    crate::ledger::repo::append(conn, entry, actor)?;
    let mut targets = vec![ids::encode(Kind::Invoice, id)];
    let mut details = format!("{} -₹{}: {reason}", invoice.invoice_number, rupees(credit));
    if let Some(note) = &note {
        targets.push(ids::encode(Kind::CreditNote, note.id));
        details = format!("{details} (credit note {})", note.credit_note_number);
    }
    crate::audit::repo::record(conn, actor, "adjustInvoice", &targets, Some(&details))?;
    Ok(invoice)
}

/// `raiseDebitNote`: raises an issued invoice by `taxable` of value (a charge found after
/// issue) and the GST on it at the invoice's rate and place of supply, through a debit note
/// (CGST Act section 34(3)) issued in the same transaction. The invoice's bill, taxes, total
/// and balance rise (a PAID invoice owes again); the ledger records an ADJUSTMENT that names the
/// note, and the customer's advance goes on the new balance. A proforma is changed by
/// `adjustInvoice` or raised again instead; a CANCELLED invoice cannot be raised.
pub fn raise_debit(conn: &mut DbConn, id: i64, taxable: i64, reason: &str, actor: &Actor) -> AppResult<InvoiceRow> {
    let mut invoice = invoice_locked(conn, id)?;
    if invoice.status == InvoiceStatus::Cancelled {
        return Err(AppError::bad_input("invoiceId", "a CANCELLED invoice cannot be raised"));
    }
    if invoice.issued_at.is_none() {
        return Err(AppError::bad_input(
            "invoiceId",
            format!(
                "{} is a proforma, not issued: a debit note raises an issued invoice; create the proforma again instead",
                invoice.invoice_number
            ),
        ));
    }
    let issued = crate::documents::source::issued_invoice(conn, &invoice)?;
    // At the rate the invoice was filed at (0 for one that bore no tax), so the note's tax and
    // its GSTR-1 rate agree.
    let tax = gst(taxable, issued.filed.rate_bp, !issued.filed.inter_state);
    let split = crate::credit_notes::rules::CreditSplit { taxable, tax };
    let add = |a: i64, b: i64| crate::money::add("taxableValue", a, b);
    let total = add(invoice.total_paise, split.amount())?;
    let note = crate::credit_notes::service::issue_debit(conn, &invoice, split, reason, actor)?;
    invoice.bill_paise = add(invoice.bill_paise, taxable)?;
    invoice.cgst_paise += tax.cgst;
    invoice.sgst_paise += tax.sgst;
    invoice.igst_paise += tax.igst;
    invoice.total_paise = total;
    invoice.balance_paise = balance(invoice.total_paise, invoice.paid_paise);
    let today = crate::clock::today();
    invoice.status =
        settled_status(invoice.status, invoice.balance_paise, invoice.issued_at.is_some(), invoice.due_date, today);
    invoice.updated_at = crate::clock::now();
    repo::set_amounts(conn, &invoice)?;
    let amount = split.amount();
    let description = format!(
        "Debit note {}: invoice {} raised by ₹{} by {}: {reason}",
        note.credit_note_number,
        invoice.invoice_number,
        rupees(amount),
        actor.name
    );
    let mut entry = Entry::new(invoice.customer_id, TransactionType::Adjustment, amount, amount, description);
    entry.invoice_id = Some(invoice.id);
    entry.credit_note_id = Some(note.id);
    crate::ledger::repo::append(conn, entry, actor)?;
    let targets = [ids::encode(Kind::Invoice, id), ids::encode(Kind::CreditNote, note.id)];
    let details =
        format!("{} +₹{}: {reason} (debit note {})", invoice.invoice_number, rupees(amount), note.credit_note_number);
    crate::audit::repo::record(conn, actor, "raiseDebitNote", &targets, Some(&details))?;
    apply_advance(conn, invoice, actor)
}

/// `deleteInvoice`: only a `DRAFT` with no payments (recorded against it or put on it) and a
/// timestamp number; otherwise `CONFLICT`. A financial-year number is never deleted (the
/// series would have a gap): such a draft is cancelled instead. Its total leaves the ledger
/// (see [`remove_from_ledger`] for its add-ons).
pub fn delete(conn: &mut DbConn, id: i64, actor: &Actor) -> AppResult<()> {
    let invoice = invoice_locked(conn, id)?;
    if invoice.serial.is_some() || invoice.issued_at.is_some() {
        return Err(AppError::Conflict(format!(
            "invoice {} is numbered in a financial-year series, and an issued number is never deleted; \
             cancel it instead (it stays in the series as cancelled)",
            invoice.invoice_number
        )));
    }
    if invoice.status != InvoiceStatus::Draft {
        return Err(AppError::Conflict(format!(
            "invoice {} is {}: only a DRAFT invoice can be deleted; cancel it instead",
            invoice.invoice_number, invoice.status
        )));
    }
    let recorded: i64 = payments::table.filter(payments::invoice_id.eq(id)).count().get_result(conn)?;
    let applied: i64 =
        payment_allocations::table.filter(payment_allocations::invoice_id.eq(id)).count().get_result(conn)?;
    if recorded + applied > 0 {
        return Err(AppError::Conflict(format!(
            "invoice {} has payments (₹{} paid); it cannot be deleted",
            invoice.invoice_number,
            rupees(invoice.paid_paise)
        )));
    }
    crate::referrers::refuse_if_referenced(
        conn,
        &format!("invoice {}", invoice.invoice_number),
        crate::referrers::OF_INVOICE,
        id,
        "cancel it instead",
    )?;
    remove_from_ledger(conn, &invoice, actor)?;
    repo::delete(conn, id)?;
    crate::audit::repo::record(
        conn,
        actor,
        "deleteInvoice",
        &[ids::encode(Kind::Invoice, id)],
        Some(&invoice.invoice_number),
    )
}

/// Takes a draft invoice that is about to be deleted off the ledger: add-ons added to it wait
/// for the next invoice again; an add-on it was raised for (OWN_INVOICE) is deleted with it.
pub fn remove_from_ledger(conn: &mut DbConn, invoice: &InvoiceRow, actor: &Actor) -> AppResult<()> {
    release_addons(conn, invoice.id)?;
    crate::plan_changes::repo::release(conn, invoice.id)?;
    diesel::delete(addon_bills::table.filter(addon_bills::invoice_id.eq(invoice.id))).execute(conn)?;
    let mut entry = Entry::new(
        invoice.customer_id,
        TransactionType::InvoiceDeleted,
        invoice.total_paise,
        -invoice.total_paise,
        format!("Draft invoice {} deleted", invoice.invoice_number),
    );
    entry.invoice_id = Some(invoice.id);
    crate::ledger::repo::append(conn, entry, actor)?;
    Ok(())
}

/// Add-ons that were added to `invoice_id` (NEXT_INVOICE) wait for the next invoice again.
/// Those billed on it as their own invoice (OWN_INVOICE) stay with it: they are not billed
/// again by surprise. (A deleted draft takes its own add-ons with it, see [`remove_from_ledger`].)
fn release_addons(conn: &mut DbConn, invoice_id: i64) -> AppResult<()> {
    diesel::update(
        addon_bills::table
            .filter(addon_bills::invoice_id.eq(invoice_id))
            .filter(addon_bills::bill_on.eq(crate::addons::model::AddonBillOn::NextInvoice)),
    )
    .set((addon_bills::invoice_id.eq(None::<i64>), addon_bills::updated_at.eq(crate::clock::now())))
    .execute(conn)?;
    Ok(())
}

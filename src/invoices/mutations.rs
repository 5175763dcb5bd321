//! `createInvoice`, `updateInvoiceStatus`, `deleteInvoice`.

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::graphql::Invoice;
use super::model::InvoiceStatus;
use super::rules::TaxSplit;
use super::service::{self, InvoiceDraft};
use crate::audit::Actor;
use crate::auth::guard::{principal, Require};
use crate::auth::permissions::Permission;
use crate::customers::graphql::Customer;
use crate::error::{AppError, AppResult};
use crate::graphql::context::{db, events, idempotency_claim};
use crate::graphql::ids::{expect_id, global_id};
use crate::graphql::scalars::{Date, Money};
use crate::idempotency::service::{write_once, Once};
use crate::money::rupees;
use crate::notifications::model::{NotificationKind, Recipient};
use crate::notifications::Outbox;
use crate::validate::non_negative_paise;

/// A manual invoice. Amounts are rupees with at most two decimals, none negative.
#[derive(InputObject)]
pub struct CreateInvoiceInput {
    pub customer_id: ID,
    /// The charge before tax.
    pub bill_amount: Money,
    /// GST is computed, never chosen: the company's GST rate on the taxable value, CGST + SGST
    /// when the customer is in the company's state, else IGST, and none when the company has
    /// no GSTIN. Leave all three out (best); any one given: the ones left out are 0, and each
    /// must equal the computed amount, else `BAD_USER_INPUT` on the field that differs.
    pub cgst_tax: Option<Money>,
    pub sgst_tax: Option<Money>,
    pub igst_tax: Option<Money>,
    pub installation_charges: Option<Money>,
    /// At most the rest of the invoice.
    pub discount: Option<Money>,
    /// Today (India time) when left out.
    pub invoice_date: Option<Date>,
    /// Seven days after `invoiceDate` when left out; not before it.
    pub due_date: Option<Date>,
    pub billing_period_start: Option<Date>,
    /// Not before `billingPeriodStart`.
    pub billing_period_end: Option<Date>,
    /// Put the customer's PENDING add-on bills on this invoice (their amounts join the bill,
    /// their GST the taxes). True when left out.
    #[graphql(default = true)]
    pub include_pending_addons: bool,
    /// Issue it at once as a tax invoice (numbered in the company's series, SENT, its record
    /// frozen). False when left out: a DRAFT proforma, issued later by `issueInvoice`.
    #[graphql(default = false)]
    pub issue: bool,
    /// Makes retries safe: the same key with the same input returns the first result and
    /// does nothing again; with other input it is `CONFLICT`. Your own keys, kept 48 hours.
    /// The `Idempotency-Key` HTTP header works too.
    pub idempotency_key: Option<String>,
}

impl CreateInvoiceInput {
    fn validate(self) -> AppResult<InvoiceDraft> {
        let money = |field: &str, m: Option<Money>| non_negative_paise(field, m.map_or(0, |m| m.0));
        let taxes = if self.cgst_tax.is_none() && self.sgst_tax.is_none() && self.igst_tax.is_none() {
            None
        } else {
            Some(TaxSplit {
                cgst: money("cgstTax", self.cgst_tax)?,
                sgst: money("sgstTax", self.sgst_tax)?,
                igst: money("igstTax", self.igst_tax)?,
            })
        };
        let invoice_date = self.invoice_date.map_or_else(crate::clock::today, |d| d.0);
        let due_date = self.due_date.map(|d| d.0);
        if due_date.is_some_and(|due| due < invoice_date) {
            return Err(AppError::bad_input("dueDate", "`dueDate` must not be before `invoiceDate`"));
        }
        let (start, end) = (self.billing_period_start.map(|d| d.0), self.billing_period_end.map(|d| d.0));
        if let (Some(start), Some(end)) = (start, end) {
            if end < start {
                return Err(AppError::bad_input("billingPeriodEnd", "`billingPeriodEnd` must not be before the start"));
            }
        }
        Ok(InvoiceDraft {
            customer_id: expect_id("customerId", Customer::KIND, &self.customer_id)?,
            bill: non_negative_paise("billAmount", self.bill_amount.0)?,
            taxes,
            installation: money("installationCharges", self.installation_charges)?,
            discount: money("discount", self.discount)?,
            invoice_date,
            due_date,
            period_start: start,
            period_end: end,
            include_pending_addons: self.include_pending_addons,
            billing_run_id: None,
            issue: self.issue,
        })
    }
}

/// Tells the customer of an invoice issued to them.
fn issued_notice(
    conn: &mut crate::db::DbConn,
    outbox: &Outbox,
    row: &super::model::InvoiceRow,
) -> AppResult<Vec<crate::notifications::model::NotificationRow>> {
    outbox.notify(
        conn,
        Recipient::customer(row.customer_id),
        NotificationKind::InvoiceIssued,
        format!("Invoice {} for ₹{}", row.invoice_number, rupees(row.total_paise)),
        format!("Due on {}; ₹{} to pay.", row.due_date, rupees(row.balance_paise)),
        Some(global_id(Invoice::KIND, row.id).0),
    )
}

#[derive(Default)]
pub struct InvoiceMutation;

#[Object]
impl InvoiceMutation {
    /// Raises a manual invoice, `totalAmount = billAmount + cgstTax + sgstTax + igstTax +
    /// installationCharges − discount`, `balanceAmount = totalAmount`. By default a DRAFT
    /// proforma: referenced `PRO` + timestamp (or `INV` + timestamp under TIMESTAMP numbering),
    /// in no GST return, printed as "Proforma Invoice"; `issue: true` issues it at once (see
    /// `issueInvoice`). The customer's advance is applied at once (an invoice paid in full by
    /// it is PAID), and the ledger gets an INVOICE row.
    #[graphql(guard = "Require(Permission::WriteBilling)")]
    async fn create_invoice(&self, ctx: &Context<'_>, input: CreateInvoiceInput) -> Result<Invoice> {
        let actor = Actor::from(principal(ctx)?);
        let key = input.idempotency_key.clone();
        let draft = input.validate()?;
        let claim = idempotency_claim(ctx, key, &actor, "createInvoice", &draft)?;
        let work = move |conn: &mut crate::db::DbConn| service::raise(conn, &draft, &actor);
        match write_once(db(ctx), claim, work, |row| row.id).await? {
            Once::Fresh(row) => Ok(Invoice::from(row)),
            Once::Replayed(id) => Ok(Invoice::from(db(ctx).read(move |conn| super::repo::find(conn, id)).await?)),
        }
    }

    /// Issues a DRAFT proforma (or one paid by advance before it was issued) as a tax invoice:
    /// numbered in the company's financial-year series (`INV/26-27/000123`), dated
    /// `invoiceDate` (its own date when left out; the due date moves with it), SENT unless
    /// paid, and what it shows frozen: reprints and GST returns show it as issued whatever
    /// changes later, and its amounts change only through credit notes. The date may not be in
    /// the future nor before the series' last invoice (numbers follow dates); `CONFLICT` when
    /// it is issued already or cancelled. The customer is notified.
    #[graphql(guard = "Require(Permission::WriteBilling)")]
    async fn issue_invoice(&self, ctx: &Context<'_>, id: ID, invoice_date: Option<Date>) -> Result<Invoice> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("id", Invoice::KIND, &id)?;
        let date = invoice_date.map(|d| d.0);
        let outbox = *ctx.data_unchecked::<Outbox>();
        let row = events(ctx)
            .write(db(ctx), move |conn, out| {
                let row = service::issue_invoice(conn, key, date, &actor)?;
                out.notifications(issued_notice(conn, &outbox, &row)?);
                Ok(row)
            })
            .await?;
        Ok(Invoice::from(row))
    }

    /// Moves an invoice on: DRAFT → SENT (issues it, as `issueInvoice` with its own date); DRAFT, SENT or OVERDUE → CANCELLED
    /// only while nothing is paid (the total leaves the ledger); DRAFT or SENT → OVERDUE only
    /// past the due date. PAID is set by payments only; PAID and CANCELLED invoices do not move.
    /// A refused change is `BAD_USER_INPUT` on `status`, saying why.
    #[graphql(guard = "Require(Permission::WriteBilling)")]
    async fn update_invoice_status(&self, ctx: &Context<'_>, id: ID, status: InvoiceStatus) -> Result<Invoice> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("id", Invoice::KIND, &id)?;
        let outbox = *ctx.data_unchecked::<Outbox>();
        let row = events(ctx)
            .write(db(ctx), move |conn, out| {
                let row = service::change_status(conn, key, status, &actor)?;
                // Sending an invoice is when the customer hears of it.
                if status == InvoiceStatus::Sent {
                    out.notifications(issued_notice(conn, &outbox, &row)?);
                }
                Ok(row)
            })
            .await?;
        Ok(Invoice::from(row))
    }

    /// Waives part of an invoice's unpaid balance (a credit adjustment: goodwill for an outage,
    /// a disputed charge). `credit` joins the invoice's `discount`, lowering `totalAmount` and
    /// `balanceAmount` (PAID when nothing is left); at most the unpaid balance. The ledger
    /// records an ADJUSTMENT with `reason` and who made it. (Extra charges are add-on bills.)
    #[graphql(guard = "Require(Permission::WriteBilling)")]
    async fn adjust_invoice(
        &self,
        ctx: &Context<'_>,
        id: ID,
        credit: Money,
        reason: String,
        #[graphql(desc = "Makes retries safe, as on `createPayment` (or the `Idempotency-Key` header).")]
        idempotency_key: Option<String>,
    ) -> Result<Invoice> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("id", Invoice::KIND, &id)?;
        let credit = crate::money::positive("credit", credit.0)?;
        let reason = crate::validate::required_multiline("reason", &reason, 500)?;
        let claim = idempotency_claim(ctx, idempotency_key, &actor, "adjustInvoice", &(key, credit, &reason))?;
        let work = move |conn: &mut crate::db::DbConn| service::adjust(conn, key, credit, &reason, &actor);
        match write_once(db(ctx), claim, work, |row| row.id).await? {
            Once::Fresh(row) => Ok(Invoice::from(row)),
            Once::Replayed(id) => Ok(Invoice::from(db(ctx).read(move |conn| super::repo::find(conn, id)).await?)),
        }
    }

    /// Raises an issued invoice by a charge found after issue, through a **debit note** (CGST
    /// Act section 34(3)): `taxableValue` of value plus the GST on it at the invoice's rate
    /// and place of supply, numbered in the company's debit note series (`DN/26-27/0000001`),
    /// listed in `Invoice.creditNotes` with `noteType: DEBIT` and reported in GSTR-1 (`cdnr` /
    /// `cdnur`, `ntty` D). The invoice's `billAmount`, taxes, `totalAmount` and
    /// `balanceAmount` rise (a PAID invoice owes again); the customer's advance goes on it.
    /// `BAD_USER_INPUT` on `invoiceId` for a proforma (create it again) or a CANCELLED invoice.
    #[graphql(guard = "Require(Permission::WriteBilling)")]
    async fn raise_debit_note(
        &self,
        ctx: &Context<'_>,
        invoice_id: ID,
        taxable_value: Money,
        reason: String,
        #[graphql(desc = "Makes retries safe, as on `createPayment` (or the `Idempotency-Key` header).")]
        idempotency_key: Option<String>,
    ) -> Result<Invoice> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("invoiceId", Invoice::KIND, &invoice_id)?;
        let taxable = crate::money::positive("taxableValue", taxable_value.0)?;
        let reason = crate::validate::required_multiline("reason", &reason, 500)?;
        let claim = idempotency_claim(ctx, idempotency_key, &actor, "raiseDebitNote", &(key, taxable, &reason))?;
        let work = move |conn: &mut crate::db::DbConn| service::raise_debit(conn, key, taxable, &reason, &actor);
        match write_once(db(ctx), claim, work, |row| row.id).await? {
            Once::Fresh(row) => Ok(Invoice::from(row)),
            Once::Replayed(id) => Ok(Invoice::from(db(ctx).read(move |conn| super::repo::find(conn, id)).await?)),
        }
    }

    /// Deletes a DRAFT invoice with no payments (its total leaves the ledger; NEXT_INVOICE
    /// add-ons on it wait for the next invoice, an OWN_INVOICE add-on goes with it). Anything
    /// else is `CONFLICT`: cancel it instead.
    #[graphql(guard = "Require(Permission::WriteBilling)")]
    async fn delete_invoice(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("id", Invoice::KIND, &id)?;
        db(ctx).write(move |conn| service::delete(conn, key, &actor)).await?;
        Ok(id)
    }
}

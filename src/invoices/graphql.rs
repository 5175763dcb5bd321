//! The `Invoice` type and the `invoices` query.

use std::borrow::Cow;

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::model::{InvoiceFilter, InvoiceRow, InvoiceStatus};
use crate::auth::guard::Require;
use crate::auth::permissions::Permission;
use crate::customers::graphql::Customer;
use crate::customers::loader::{InvoiceData, InvoiceMoney, MoneyOfInvoice, PaymentData};
use crate::error::{AppError, AppResult};
use crate::graphql::access::{load_own, own_page};
use crate::graphql::ids::{expect_id, global_id};
use crate::graphql::loaders::{load_many, load_one};
use crate::graphql::pagination::{connection, page_cost, PageArgs, PageConnection};
use crate::graphql::scalars::{Date, DateTime, Money};
use crate::graphql::shown::{whole, Shown};
use crate::payments::graphql::Payment;
use crate::payments::model::AllocationRow;

crate::by_id_key! {
    /// The id of one of the invoices, for the batched lookup by id.
    InvoiceId => InvoiceRow, super::repo::by_ids
}

/// A GST invoice. `totalAmount = billAmount + cgstTax + sgstTax + igstTax +
/// installationCharges − discount`; `balanceAmount = totalAmount − paidAmount`.
pub struct Invoice(pub InvoiceData);

impl From<InvoiceRow> for Invoice {
    fn from(row: InvoiceRow) -> Self {
        Invoice(Shown::Whole(row))
    }
}

impl Invoice {
    pub const KIND: crate::ids::Kind = crate::ids::Kind::Invoice;

    /// The invoice with row id `key`, if the caller may read billing data of its customer.
    pub async fn load(ctx: &Context<'_>, key: i64) -> Result<Option<Invoice>> {
        Ok(load_own(ctx, Permission::ReadBilling, InvoiceId(key), |row| row.customer_id).await?.map(Invoice::from))
    }

    fn row_id(&self) -> i64 {
        *crate::shown!(&self.0, id)
    }

    /// The whole row, loaded by id when this invoice is a brief one.
    async fn whole(&self, ctx: &Context<'_>) -> Result<Cow<'_, InvoiceRow>> {
        whole(ctx, &self.0, InvoiceId(self.row_id())).await
    }
}

#[Object]
impl Invoice {
    /// Opaque ID, unique across all types.
    pub async fn id(&self) -> ID {
        global_id(Self::KIND, self.row_id())
    }
    /// This invoice as PDF at a link that opens without an `Authorization` header (for
    /// `<a href>`): it works for minutes, for your session only (see `downloadUrl`). `pdfUrl`
    /// is the plain path, for a client that sends the bearer token.
    async fn pdf_download_url(&self, ctx: &Context<'_>) -> Result<String> {
        let id = global_id(Self::KIND, self.row_id());
        crate::downloads::graphql::signed(ctx, &format!("/invoices/{}.pdf", id.as_str()))
    }
    /// The same as `pdfDownloadUrl`, as a web page to print from the browser.
    async fn html_download_url(&self, ctx: &Context<'_>) -> Result<String> {
        let id = global_id(Self::KIND, self.row_id());
        crate::downloads::graphql::signed(ctx, &format!("/invoices/{}.html", id.as_str()))
    }
    /// Under the company's `FINANCIAL_YEAR` numbering `<prefix>/<YY-YY>/<serial>`
    /// (`INV/26-27/000123`, consecutive per financial year); under `TIMESTAMP` numbering `INV` +
    /// `YYYYMMDDHHmmss` (India time), with `-2`, `-3`, ... for more in the same second.
    async fn invoice_number(&self) -> &str {
        crate::shown!(&self.0, invoice_number)
    }
    /// The company that issued it.
    async fn company(&self, ctx: &Context<'_>) -> Result<Option<crate::companies::graphql::Company>> {
        let company = self.whole(ctx).await?.company_id;
        crate::companies::graphql::Company::load(ctx, company).await
    }
    /// GST place of supply: the customer's state when the invoice was issued.
    async fn place_of_supply(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.whole(ctx).await?.place_of_supply.clone())
    }
    /// The customer's GSTIN when the invoice was issued (a B2B invoice), else `null`.
    async fn customer_gstin(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.customer_gstin.clone())
    }
    /// The company's GST rate when the invoice was issued, in percent (`"18.00"`).
    async fn gst_rate(&self, ctx: &Context<'_>) -> Result<crate::graphql::scalars::Percent> {
        Ok(crate::graphql::scalars::Percent(self.whole(ctx).await?.gst_rate_bp))
    }
    /// Credit and debit notes issued against it, oldest first (`noteType`: waivers after it
    /// was issued, or charges raised by `raiseDebitNote`). The amounts on this invoice are net
    /// of them. Not paged: the notes of one invoice, rarely more than one or two.
    #[graphql(complexity = "crate::graphql::pagination::unpaged_cost(child_complexity)")]
    async fn credit_notes(&self, ctx: &Context<'_>) -> Result<Vec<crate::credit_notes::graphql::CreditNote>> {
        let rows = load_many(ctx, crate::credit_notes::graphql::CreditNotesOfInvoice(self.row_id())).await?;
        Ok(rows.into_iter().map(crate::credit_notes::graphql::CreditNote).collect())
    }
    /// Where the tax invoice as a PDF is (`GET`, same bearer token as the API).
    async fn pdf_url(&self) -> String {
        format!("/invoices/{}.pdf", global_id(Self::KIND, self.row_id()).0)
    }
    /// Where the tax invoice as a printable HTML page is (`GET`, same bearer token).
    async fn html_url(&self) -> String {
        format!("/invoices/{}.html", global_id(Self::KIND, self.row_id()).0)
    }
    /// Where the e-invoice JSON to upload to the Invoice Registration Portal is (`GET`, same
    /// bearer token; INV-01 schema 1.1, amounts in rupees with two decimals). Set only for an
    /// issued, not cancelled, B2B invoice (`customerGstin`) of a company with `einvoicing`;
    /// `null` otherwise. Record what the portal returns with `recordEinvoice`.
    async fn einvoice_url(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let row = self.whole(ctx).await?;
        if row.issued_at.is_none() || row.status == InvoiceStatus::Cancelled || row.customer_gstin.is_none() {
            return Ok(None);
        }
        let company = crate::graphql::loaders::load(ctx, crate::companies::graphql::CompanyId(row.company_id)).await?;
        Ok(company
            .filter(|c| c.einvoicing)
            .map(|_| format!("/invoices/{}/einvoice.json", global_id(Self::KIND, row.id).0)))
    }
    /// What the Invoice Registration Portal returned for this invoice (IRN, acknowledgement,
    /// signed QR code), once recorded with `recordEinvoice`; `null` before.
    async fn einvoice_registration(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::einvoice::graphql::EinvoiceRegistration>> {
        crate::einvoice::graphql::EinvoiceRegistration::of_invoice(ctx, self.row_id()).await
    }
    async fn customer(&self, ctx: &Context<'_>) -> Result<Customer> {
        Customer::load(ctx, *crate::shown!(&self.0, customer_id))
            .await?
            .ok_or_else(|| AppError::Internal(format!("invoice {} has no customer", self.row_id())).into())
    }
    /// The charge before tax.
    async fn bill_amount(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(self.whole(ctx).await?.bill_paise))
    }
    /// Central GST (within the company's state).
    async fn cgst_tax(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(self.whole(ctx).await?.cgst_paise))
    }
    /// State GST (within the company's state).
    async fn sgst_tax(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(self.whole(ctx).await?.sgst_paise))
    }
    /// Integrated GST (customer in another state).
    async fn igst_tax(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(self.whole(ctx).await?.igst_paise))
    }
    async fn installation_charges(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(self.whole(ctx).await?.installation_paise))
    }
    async fn discount(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(self.whole(ctx).await?.discount_paise))
    }
    async fn total_amount(&self) -> Money {
        Money(*crate::shown!(&self.0, total_paise))
    }
    /// Completed payments less refunds.
    async fn paid_amount(&self) -> Money {
        Money(*crate::shown!(&self.0, paid_paise))
    }
    /// What is still owed (negative when overpaid).
    async fn balance_amount(&self) -> Money {
        Money(*crate::shown!(&self.0, balance_paise))
    }
    async fn invoice_date(&self) -> Date {
        Date(*crate::shown!(&self.0, invoice_date))
    }
    async fn due_date(&self) -> Date {
        Date(*crate::shown!(&self.0, due_date))
    }
    async fn billing_period_start(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        Ok(self.whole(ctx).await?.billing_period_start.map(Date))
    }
    async fn billing_period_end(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        Ok(self.whole(ctx).await?.billing_period_end.map(Date))
    }
    async fn status(&self) -> Result<InvoiceStatus> {
        Ok(*crate::shown!(&self.0, status))
    }
    /// When it was sent to the customer.
    async fn sent_at(&self, ctx: &Context<'_>) -> Result<Option<DateTime>> {
        Ok(self.whole(ctx).await?.sent_at.map(DateTime))
    }
    /// When it was issued as a tax invoice (or bill of supply): numbered in its company's
    /// series, what it shows frozen from then on. Null for a DRAFT proforma, which is in no GST
    /// return and prints as "Proforma Invoice".
    async fn issued_at(&self, ctx: &Context<'_>) -> Result<Option<DateTime>> {
        Ok(self.whole(ctx).await?.issued_at.map(DateTime))
    }
    async fn created_at(&self, ctx: &Context<'_>) -> Result<DateTime> {
        Ok(DateTime(self.whole(ctx).await?.created_at))
    }
    async fn updated_at(&self, ctx: &Context<'_>) -> Result<DateTime> {
        Ok(DateTime(self.whole(ctx).await?.updated_at))
    }
    /// Every payment with money on this invoice, oldest first: those that name it
    /// (`Payment.invoice`; pending and failed ones included) and those spread over open
    /// invoices that put some of their money here (see `allocations` for how much).
    /// Not paged: the payments of one invoice, a handful.
    #[graphql(complexity = "crate::graphql::pagination::unpaged_cost(child_complexity)")]
    async fn payments(&self, ctx: &Context<'_>) -> Result<Vec<Payment>> {
        Ok(self.money(ctx).await?.payments.into_iter().map(Payment).collect())
    }
    /// What each payment put on this invoice, in the order it happened; a refund that takes
    /// money back from the invoice shows as a negative amount. Not paged: one entry per
    /// payment or refund of one invoice, a handful.
    #[graphql(complexity = "crate::graphql::pagination::unpaged_cost(child_complexity)")]
    async fn allocations(&self, ctx: &Context<'_>) -> Result<Vec<InvoiceAllocation>> {
        let money = self.money(ctx).await?;
        Ok(money
            .allocations
            .into_iter()
            .map(|(allocation, payment)| InvoiceAllocation { allocation, payment })
            .collect())
    }
}

impl Invoice {
    async fn money(&self, ctx: &Context<'_>) -> Result<InvoiceMoney> {
        let key = MoneyOfInvoice { invoice: self.row_id(), brief: matches!(self.0, Shown::Brief(_)) };
        Ok(load_one(ctx, key).await?.unwrap_or_default())
    }
}

/// Money of one payment put on an invoice (negative: taken back by a refund).
pub struct InvoiceAllocation {
    allocation: AllocationRow,
    payment: PaymentData,
}

#[Object]
impl InvoiceAllocation {
    /// The payment the money came from.
    async fn payment(&self) -> Payment {
        Payment(self.payment.clone())
    }
    /// How much of it went on the invoice.
    async fn amount(&self) -> Money {
        Money(self.allocation.amount_paise)
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.allocation.created_at)
    }
}

/// Narrows `invoices`. `from`/`to` are invoice dates, both inclusive.
#[derive(InputObject, Default)]
pub struct InvoiceFilterInput {
    pub customer_id: Option<ID>,
    pub status: Option<InvoiceStatus>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// The invoice number exactly, e.g. `INV20261125103000`.
    pub invoice_number: Option<String>,
}

impl InvoiceFilterInput {
    fn into_filter(self) -> AppResult<InvoiceFilter> {
        Ok(InvoiceFilter {
            customer_id: self.customer_id.map(|id| expect_id("filter.customerId", Customer::KIND, &id)).transpose()?,
            status: self.status,
            from: self.from.map(|d| d.0),
            to: self.to.map(|d| d.0),
            invoice_number: self.invoice_number.map(|n| n.trim().to_owned()),
        })
    }
}

#[derive(Default)]
pub struct InvoiceQuery;

#[Object]
impl InvoiceQuery {
    /// Invoices, oldest first (`last:` gives the newest). A customer sees only their own.
    #[graphql(guard = "Require(Permission::ReadBilling)", complexity = "page_cost(first, last, child_complexity)")]
    async fn invoices(
        &self,
        ctx: &Context<'_>,
        filter: Option<InvoiceFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<Invoice>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let filter = filter.unwrap_or_default().into_filter()?;
        let page =
            own_page(ctx, Permission::ReadBilling, filter, |f| &mut f.customer_id, window, super::repo::page).await?;
        Ok(connection(page, |row| row.id, Invoice::from))
    }
}

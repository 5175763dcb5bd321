//! The `CreditNote` type and the `creditNotes` query.

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::model::{CreditNoteFilter, CreditNoteRow};
use crate::auth::guard::Require;
use crate::auth::permissions::Permission;
use crate::companies::graphql::Company;
use crate::customers::graphql::Customer;
use crate::error::AppResult;
use crate::graphql::access::{load_own, own_page};
use crate::graphql::ids::{expect_id, global_id};
use crate::graphql::pagination::{connection, page_cost, PageArgs, PageConnection};
use crate::graphql::scalars::{Date, DateTime, Money};
use crate::invoices::graphql::Invoice;

crate::by_id_key! {
    /// The id of one of the credit notes, for the batched lookup by id.
    CreditNoteId => CreditNoteRow, super::repo::by_ids
}

crate::owner_key! {
    /// An invoice's id, for its credit notes.
    CreditNotesOfInvoice => CreditNoteRow, super::repo::of_invoices, |r| r.invoice_id
}

/// A credit note: part of an issued invoice's value given back (a waiver after it was sent),
/// with the taxes reversed in the invoice's own proportions; or, with `noteType: DEBIT`, a
/// debit note raising it (`raiseDebitNote`). GST law reports both as "credit/debit notes".
/// `amount = taxableValue + cgstTax + sgstTax + igstTax`, never negative. Never changed or
/// deleted.
pub struct CreditNote(pub CreditNoteRow);

impl CreditNote {
    pub const KIND: crate::ids::Kind = crate::ids::Kind::CreditNote;

    /// The credit note with row id `key`, if the caller may read billing data of its customer.
    pub async fn load(ctx: &Context<'_>, key: i64) -> Result<Option<CreditNote>> {
        Ok(load_own(ctx, Permission::ReadBilling, CreditNoteId(key), |row| row.customer_id).await?.map(CreditNote))
    }
}

#[Object]
impl CreditNote {
    /// Opaque ID, unique across all types.
    pub async fn id(&self) -> ID {
        global_id(Self::KIND, self.0.id)
    }
    /// This credit note as PDF at a link that opens without an `Authorization` header (for
    /// `<a href>`): it works for minutes, for your session only (see `downloadUrl`). `pdfUrl`
    /// is the plain path, for a client that sends the bearer token.
    async fn pdf_download_url(&self, ctx: &Context<'_>) -> Result<String> {
        let id = global_id(Self::KIND, self.0.id);
        crate::downloads::graphql::signed(ctx, &format!("/credit-notes/{}.pdf", id.as_str()))
    }
    /// The same as `pdfDownloadUrl`, as a web page to print from the browser.
    async fn html_download_url(&self, ctx: &Context<'_>) -> Result<String> {
        let id = global_id(Self::KIND, self.0.id);
        crate::downloads::graphql::signed(ctx, &format!("/credit-notes/{}.html", id.as_str()))
    }
    /// `CN/26-27/0000001` under financial-year numbering (the company's `creditNotePrefix`),
    /// else `CN` + `YYYYMMDDHHmmss` (India time).
    async fn credit_note_number(&self) -> &str {
        &self.0.credit_note_number
    }
    /// The date it was issued (India time).
    async fn note_date(&self) -> Date {
        Date(self.0.note_date)
    }
    /// The invoice it reduces (its number and date are on it).
    async fn invoice(&self, ctx: &Context<'_>) -> Result<Option<Invoice>> {
        Invoice::load(ctx, self.0.invoice_id).await
    }
    async fn customer(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        Customer::load(ctx, self.0.customer_id).await
    }
    /// The company that issued it.
    async fn company(&self, ctx: &Context<'_>) -> Result<Option<Company>> {
        Company::load(ctx, self.0.company_id).await
    }
    /// The value before tax given back.
    async fn taxable_value(&self) -> Money {
        Money(self.0.taxable_paise)
    }
    /// Central GST reversed.
    async fn cgst_tax(&self) -> Money {
        Money(self.0.cgst_paise)
    }
    /// State GST reversed.
    async fn sgst_tax(&self) -> Money {
        Money(self.0.sgst_paise)
    }
    /// Integrated GST reversed.
    async fn igst_tax(&self) -> Money {
        Money(self.0.igst_paise)
    }
    /// The whole credit: taxable value plus the taxes.
    async fn amount(&self) -> Money {
        Money(self.0.amount_paise)
    }
    /// CREDIT (the invoice's value fell) or DEBIT (it rose, `raiseDebitNote`).
    async fn note_type(&self) -> crate::credit_notes::model::NoteType {
        self.0.note_type
    }
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// Name of the staff member (or `system`) who issued it.
    async fn issued_by(&self) -> &str {
        &self.0.issued_by_name
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// Where the credit note as a PDF is (`GET`, same bearer token as the API).
    async fn pdf_url(&self) -> String {
        format!("/credit-notes/{}.pdf", global_id(Self::KIND, self.0.id).0)
    }
    /// Where the credit note as a printable HTML page is (`GET`, same bearer token).
    async fn html_url(&self) -> String {
        format!("/credit-notes/{}.html", global_id(Self::KIND, self.0.id).0)
    }
}

/// Narrows `creditNotes`. `from`/`to` are credit note dates, both inclusive.
#[derive(InputObject, Default)]
pub struct CreditNoteFilterInput {
    pub customer_id: Option<ID>,
    pub invoice_id: Option<ID>,
    pub company_id: Option<ID>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl CreditNoteFilterInput {
    fn into_filter(self) -> AppResult<CreditNoteFilter> {
        Ok(CreditNoteFilter {
            customer_id: self.customer_id.map(|id| expect_id("filter.customerId", Customer::KIND, &id)).transpose()?,
            invoice_id: self.invoice_id.map(|id| expect_id("filter.invoiceId", Invoice::KIND, &id)).transpose()?,
            company_id: self.company_id.map(|id| expect_id("filter.companyId", Company::KIND, &id)).transpose()?,
            from: self.from.map(|d| d.0),
            to: self.to.map(|d| d.0),
        })
    }
}

#[derive(Default)]
pub struct CreditNoteQuery;

#[Object]
impl CreditNoteQuery {
    /// Credit notes, oldest first (`last:` gives the newest). A customer sees only their own.
    #[graphql(guard = "Require(Permission::ReadBilling)", complexity = "page_cost(first, last, child_complexity)")]
    async fn credit_notes(
        &self,
        ctx: &Context<'_>,
        filter: Option<CreditNoteFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<CreditNote>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let filter = filter.unwrap_or_default().into_filter()?;
        let page =
            own_page(ctx, Permission::ReadBilling, filter, |f| &mut f.customer_id, window, super::repo::page).await?;
        Ok(connection(page, |row| row.id, CreditNote))
    }
}

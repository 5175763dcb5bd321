//! The `Invoice` type.

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::{Context, Object, Result, ID};

use super::model::{InvoiceRow, InvoiceStatus};
use crate::auth::permissions::{require, Access, Permission};
use crate::customers::graphql::Customer;
use crate::customers::loader::PaymentsLoader;
use crate::error::{AppError, AppResult};
use crate::graphql::context::loader_error;
use crate::graphql::loaders::load_by_id;
use crate::graphql::node::global_id;
use crate::graphql::scalars::{Date, DateTime, Money};
use crate::payments::graphql::Payment;

/// A GST invoice. `totalAmount = billAmount + cgstTax + sgstTax + igstTax +
/// installationCharges − discount`; `balanceAmount = totalAmount − paidAmount`.
pub struct Invoice(pub InvoiceRow);

impl Invoice {
    pub const KIND: &'static str = "Invoice";

    /// The invoice with row id `key`, if the caller may read billing data of its customer.
    pub async fn load(ctx: &Context<'_>, key: i64) -> Result<Option<Invoice>> {
        let Some(row) = load_by_id::<InvoiceRow>(ctx, key).await? else { return Ok(None) };
        Ok(billing_readable(ctx, row.customer_id).is_ok().then_some(Invoice(row)))
    }
}

/// `Ok` when the caller may read the billing data of customer `customer`.
pub fn billing_readable(ctx: &Context<'_>, customer: i64) -> AppResult<()> {
    match require(ctx, Permission::ReadBilling)? {
        Access::All => Ok(()),
        Access::Own(own) if own == customer => Ok(()),
        Access::Own(_) => Err(AppError::not_found("invoice")),
    }
}

#[Object]
impl Invoice {
    /// Opaque ID, unique across all types.
    pub async fn id(&self) -> ID {
        global_id(Self::KIND, self.0.id)
    }
    /// `INV` + `YYYYMMDDHHmmss` (India time), with `-2`, `-3`, ... for more in the same second.
    async fn invoice_number(&self) -> &str {
        &self.0.invoice_number
    }
    async fn customer(&self, ctx: &Context<'_>) -> Result<Customer> {
        Customer::load(ctx, self.0.customer_id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("invoice {} has no customer", self.0.id)).into())
    }
    /// The charge before tax.
    async fn bill_amount(&self) -> Money {
        Money(self.0.bill_paise)
    }
    /// Central GST (within the company's state).
    async fn cgst_tax(&self) -> Money {
        Money(self.0.cgst_paise)
    }
    /// State GST (within the company's state).
    async fn sgst_tax(&self) -> Money {
        Money(self.0.sgst_paise)
    }
    /// Integrated GST (customer in another state).
    async fn igst_tax(&self) -> Money {
        Money(self.0.igst_paise)
    }
    async fn installation_charges(&self) -> Money {
        Money(self.0.installation_paise)
    }
    async fn discount(&self) -> Money {
        Money(self.0.discount_paise)
    }
    async fn total_amount(&self) -> Money {
        Money(self.0.total_paise)
    }
    /// Completed payments less refunds.
    async fn paid_amount(&self) -> Money {
        Money(self.0.paid_paise)
    }
    /// What is still owed (negative when overpaid).
    async fn balance_amount(&self) -> Money {
        Money(self.0.balance_paise)
    }
    async fn invoice_date(&self) -> Date {
        Date(self.0.invoice_date)
    }
    async fn due_date(&self) -> Date {
        Date(self.0.due_date)
    }
    async fn billing_period_start(&self) -> Option<Date> {
        self.0.billing_period_start.map(Date)
    }
    async fn billing_period_end(&self) -> Option<Date> {
        self.0.billing_period_end.map(Date)
    }
    async fn status(&self) -> Result<InvoiceStatus> {
        Ok(InvoiceStatus::from_db(&self.0.status)?)
    }
    /// When it was sent to the customer.
    async fn sent_at(&self) -> Option<DateTime> {
        self.0.sent_at.map(DateTime)
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    /// Payments made against this invoice, oldest first (pending and failed ones included).
    async fn payments(&self, ctx: &Context<'_>) -> Result<Vec<Payment>> {
        let loader = ctx.data_unchecked::<DataLoader<PaymentsLoader, HashMapCache>>();
        let rows = loader.load_one(self.0.id).await.map_err(loader_error)?;
        Ok(rows.unwrap_or_default().into_iter().map(Payment).collect())
    }
}

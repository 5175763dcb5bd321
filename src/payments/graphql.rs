//! The `Payment` type.

use async_graphql::{Context, Object, Result, ID};

use super::model::{PaymentMethod, PaymentRow, PaymentStatus};
use crate::customers::graphql::Customer;
use crate::employees::graphql::StaffContact;
use crate::error::AppError;
use crate::graphql::loaders::load_by_id;
use crate::graphql::node::global_id;
use crate::graphql::scalars::{DateTime, Money};
use crate::invoices::graphql::{billing_readable, Invoice};

/// Money received from a customer, usually against an invoice.
pub struct Payment(pub PaymentRow);

impl Payment {
    pub const KIND: &'static str = "Payment";

    /// The payment with row id `key`, if the caller may read billing data of its customer.
    pub async fn load(ctx: &Context<'_>, key: i64) -> Result<Option<Payment>> {
        let Some(row) = load_by_id::<PaymentRow>(ctx, key).await? else { return Ok(None) };
        Ok(billing_readable(ctx, row.customer_id).is_ok().then_some(Payment(row)))
    }
}

#[Object]
impl Payment {
    /// Opaque ID, unique across all types.
    pub async fn id(&self) -> ID {
        global_id(Self::KIND, self.0.id)
    }
    /// `PAY` + 12 digits.
    async fn payment_id(&self) -> &str {
        &self.0.payment_id
    }
    async fn amount(&self) -> Money {
        Money(self.0.amount_paise)
    }
    async fn payment_method(&self) -> Result<PaymentMethod> {
        Ok(PaymentMethod::from_db(&self.0.method)?)
    }
    /// Gateway, UPI or cheque reference; one reference counts once per method.
    async fn payment_reference(&self) -> Option<&str> {
        self.0.payment_reference.as_deref()
    }
    async fn remarks(&self) -> Option<&str> {
        self.0.remarks.as_deref()
    }
    async fn status(&self) -> Result<PaymentStatus> {
        Ok(PaymentStatus::from_db(&self.0.status)?)
    }
    /// When the money was received.
    async fn paid_at(&self) -> DateTime {
        DateTime(self.0.paid_at)
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn customer(&self, ctx: &Context<'_>) -> Result<Customer> {
        Customer::load(ctx, self.0.customer_id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("payment {} has no customer", self.0.id)).into())
    }
    /// The invoice it was applied to, if any.
    async fn invoice(&self, ctx: &Context<'_>) -> Result<Option<Invoice>> {
        match self.0.invoice_id {
            Some(id) => Invoice::load(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The staff member who collected it.
    async fn collected_by(&self, ctx: &Context<'_>) -> Result<Option<StaffContact>> {
        match self.0.collected_by {
            Some(id) => Ok(load_by_id(ctx, id).await?.map(StaffContact)),
            None => Ok(None),
        }
    }
}

//! The `Payment` type and the `payments` query.

use std::borrow::Cow;

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::model::{AllocationRow, PaymentFilter, PaymentMethod, PaymentRow, PaymentStatus};
use crate::auth::guard::Require;
use crate::auth::permissions::Permission;
use crate::customers::graphql::Customer;
use crate::customers::loader::PaymentData;
use crate::employees::graphql::{Employee, StaffContact};
use crate::error::{AppError, AppResult};
use crate::graphql::access::{load_own, own_page};
use crate::graphql::ids::{expect_id, global_id};
use crate::graphql::loaders::load_many;
use crate::graphql::pagination::{connection, page_cost, PageArgs, PageConnection};
use crate::graphql::scalars::{DateTime, Money};
use crate::graphql::shown::{whole, Shown};
use crate::invoices::graphql::Invoice;
use crate::ledger::graphql::{LedgerRowsOfPayment, Transaction};
use crate::refunds::graphql::{Refund, RefundsOfPayment};

crate::by_id_key! {
    /// The id of one of the payments, for the batched lookup by id.
    PaymentId => PaymentRow, super::repo::by_ids
}

crate::owner_key! {
    /// A payment's id, for the invoices it was applied to.
    AllocationsOfPayment => AllocationRow, super::repo::allocations_of, |r| r.payment_id
}

crate::newest_key! {
    /// A customer's newest payments.
    NewestPayments => PaymentRow, super::repo::newest_for_customers
}

/// Money received from a customer, usually against an invoice.
pub struct Payment(pub PaymentData);

impl From<PaymentRow> for Payment {
    fn from(row: PaymentRow) -> Self {
        Payment(Shown::Whole(row))
    }
}

impl Payment {
    pub const KIND: crate::ids::Kind = crate::ids::Kind::Payment;

    /// The payment with row id `key`, if the caller may read billing data of its customer.
    pub async fn load(ctx: &Context<'_>, key: i64) -> Result<Option<Payment>> {
        Ok(load_own(ctx, Permission::ReadBilling, PaymentId(key), |row| row.customer_id).await?.map(Payment::from))
    }

    fn row_id(&self) -> i64 {
        *crate::shown!(&self.0, id)
    }

    /// The whole row, loaded by id when this payment is a brief one.
    async fn whole(&self, ctx: &Context<'_>) -> Result<Cow<'_, PaymentRow>> {
        whole(ctx, &self.0, PaymentId(self.row_id())).await
    }
}

#[Object]
impl Payment {
    /// Opaque ID, unique across all types.
    pub async fn id(&self) -> ID {
        global_id(Self::KIND, self.row_id())
    }
    /// `PAY` + 12 digits.
    async fn payment_id(&self) -> &str {
        crate::shown!(&self.0, payment_id)
    }
    async fn amount(&self) -> Money {
        Money(*crate::shown!(&self.0, amount_paise))
    }
    async fn payment_method(&self) -> Result<PaymentMethod> {
        Ok(*crate::shown!(&self.0, method))
    }
    /// Gateway, UPI or cheque reference, as entered; one reference counts once per method
    /// (compared ignoring case, spaces and invisible characters).
    async fn payment_reference(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.payment_reference.clone())
    }
    /// The UPI transaction reference (UTR, 12 digits) when the payment carries one: read from
    /// a UPI app payment's reference, or reported by the gateway. One UTR is recorded once,
    /// whatever the method or channel.
    async fn utr(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.upi_utr.clone())
    }
    async fn remarks(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.remarks.clone())
    }
    async fn status(&self) -> Result<PaymentStatus> {
        Ok(*crate::shown!(&self.0, status))
    }
    /// When the money was received.
    async fn paid_at(&self) -> DateTime {
        DateTime(*crate::shown!(&self.0, paid_at))
    }
    async fn created_at(&self, ctx: &Context<'_>) -> Result<DateTime> {
        Ok(DateTime(self.whole(ctx).await?.created_at))
    }
    async fn customer(&self, ctx: &Context<'_>) -> Result<Customer> {
        Customer::load(ctx, *crate::shown!(&self.0, customer_id))
            .await?
            .ok_or_else(|| AppError::Internal(format!("payment {} has no customer", self.row_id())).into())
    }
    /// The invoice the payment was recorded against (`createPayment(input: {invoiceId})`);
    /// `null` for a payment spread over the customer's open invoices, whose `allocations` say
    /// where its money went (and those invoices list it under `Invoice.payments`).
    async fn invoice(&self, ctx: &Context<'_>) -> Result<Option<Invoice>> {
        match self.whole(ctx).await?.invoice_id {
            Some(id) => Invoice::load(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The staff member who collected it.
    async fn collected_by(&self, ctx: &Context<'_>) -> Result<Option<StaffContact>> {
        let collected_by = self.whole(ctx).await?.collected_by;
        StaffContact::load(ctx, collected_by).await
    }
    /// How much of it sits on invoices now.
    async fn allocated_amount(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(self.whole(ctx).await?.allocated_paise))
    }
    /// How much of it was paid back.
    async fn refunded_amount(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(self.whole(ctx).await?.refunded_paise))
    }
    /// How much of it is on no invoice: the customer's advance (0 unless COMPLETED).
    async fn advance_amount(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(self.whole(ctx).await?.unallocated()))
    }
    /// Where its money went: one entry per invoice it was put on (negative when a refund took
    /// money back), oldest first. Not paged: the invoices one payment paid and its refunds, a
    /// handful.
    #[graphql(complexity = "crate::graphql::pagination::unpaged_cost(child_complexity)")]
    async fn allocations(&self, ctx: &Context<'_>) -> Result<Vec<PaymentAllocation>> {
        Ok(load_many(ctx, AllocationsOfPayment(self.row_id())).await?.into_iter().map(PaymentAllocation).collect())
    }
    /// The ledger row (`TXN...`) written when the payment was applied; `null` while it is
    /// pending, and for a failed payment.
    async fn transaction(&self, ctx: &Context<'_>) -> Result<Option<Transaction>> {
        Ok(load_many(ctx, LedgerRowsOfPayment(self.row_id())).await?.into_iter().next().map(Transaction))
    }
    /// Refunds of this payment, oldest first. Not paged: never more money than the payment,
    /// in practice one or two; all refunds are `refunds(filter: {paymentId})`.
    #[graphql(complexity = "crate::graphql::pagination::unpaged_cost(child_complexity)")]
    async fn refunds(&self, ctx: &Context<'_>) -> Result<Vec<Refund>> {
        Ok(load_many(ctx, RefundsOfPayment(self.row_id())).await?.into_iter().map(Refund).collect())
    }
}

/// Money of a payment put on an invoice (negative: taken back by a refund).
pub struct PaymentAllocation(pub AllocationRow);

#[Object]
impl PaymentAllocation {
    async fn invoice(&self, ctx: &Context<'_>) -> Result<Option<Invoice>> {
        Invoice::load(ctx, self.0.invoice_id).await
    }
    async fn amount(&self) -> Money {
        Money(self.0.amount_paise)
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

/// Narrows `payments`. `from`/`to` bound the time the money was received.
#[derive(InputObject, Default)]
pub struct PaymentFilterInput {
    pub customer_id: Option<ID>,
    pub invoice_id: Option<ID>,
    pub method: Option<PaymentMethod>,
    pub status: Option<PaymentStatus>,
    /// Collected by this employee.
    pub collected_by: Option<ID>,
    /// From this time on (inclusive).
    pub from: Option<DateTime>,
    /// Before this time.
    pub to: Option<DateTime>,
}

impl PaymentFilterInput {
    fn into_filter(self) -> AppResult<PaymentFilter> {
        Ok(PaymentFilter {
            customer_id: self.customer_id.map(|id| expect_id("filter.customerId", Customer::KIND, &id)).transpose()?,
            invoice_id: self.invoice_id.map(|id| expect_id("filter.invoiceId", Invoice::KIND, &id)).transpose()?,
            method: self.method,
            status: self.status,
            collected_by: self
                .collected_by
                .map(|id| expect_id("filter.collectedBy", Employee::KIND, &id))
                .transpose()?,
            from: self.from.map(|t| t.0),
            to: self.to.map(|t| t.0),
        })
    }
}

#[derive(Default)]
pub struct PaymentQuery;

#[Object]
impl PaymentQuery {
    /// Payments, oldest first (`last:` gives the newest). A customer sees only their own.
    #[graphql(guard = "Require(Permission::ReadBilling)", complexity = "page_cost(first, last, child_complexity)")]
    async fn payments(
        &self,
        ctx: &Context<'_>,
        filter: Option<PaymentFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<Payment>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let filter = filter.unwrap_or_default().into_filter()?;
        let page =
            own_page(ctx, Permission::ReadBilling, filter, |f| &mut f.customer_id, window, super::repo::page).await?;
        Ok(connection(page, |row| row.id, Payment::from))
    }
}

//! The `Transaction` type (a ledger row) and the `transactions` query.

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::model::{TransactionFilter, TransactionRow, TransactionType};
use super::repo;
use crate::auth::guard::Require;
use crate::auth::permissions::Permission;
use crate::customers::graphql::Customer;
use crate::employees::graphql::StaffContact;
use crate::error::AppResult;
use crate::graphql::access::{load_own, own_page};
use crate::graphql::ids::{expect_id, global_id};
use crate::graphql::pagination::{connection, page_cost, PageArgs, PageConnection};
use crate::graphql::scalars::{DateTime, Money};
use crate::invoices::graphql::Invoice;
use crate::payments::graphql::Payment;
use crate::refunds::graphql::Refund;

crate::by_id_key! {
    /// The id of one of the ledger rows, for the batched lookup by id.
    TransactionId => TransactionRow, super::repo::by_ids
}

crate::owner_key! {
    /// A payment's id, for its `TXN` ledger row.
    LedgerRowsOfPayment => TransactionRow, super::repo::payment_rows, |r| r.payment_id.unwrap_or(0)
}

crate::newest_key! {
    /// A customer's newest ledger rows.
    NewestTransactions => TransactionRow, super::repo::newest_for_customers
}

/// One money movement on a customer's account, append-only. `balanceChange` is what it did to
/// what the customer owes (positive: owes more; negative: owes less or holds more advance) and
/// `balanceAfter` the customer's balance right after it.
pub struct Transaction(pub TransactionRow);

impl Transaction {
    pub const KIND: crate::ids::Kind = crate::ids::Kind::Transaction;

    /// The ledger row with row id `key`, if the caller may read billing data of its customer.
    pub async fn load(ctx: &Context<'_>, key: i64) -> Result<Option<Transaction>> {
        Ok(load_own(ctx, Permission::ReadBilling, TransactionId(key), |row| row.customer_id).await?.map(Transaction))
    }
}

#[Object]
impl Transaction {
    /// Opaque ID, unique across all types.
    pub async fn id(&self) -> ID {
        global_id(Self::KIND, self.0.id)
    }
    /// `TXN` + 12 digits.
    async fn transaction_id(&self) -> &str {
        &self.0.transaction_id
    }
    async fn transaction_type(&self) -> Result<TransactionType> {
        Ok(self.0.transaction_type)
    }
    /// How much money moved (never negative).
    async fn amount(&self) -> Money {
        Money(self.0.amount_paise)
    }
    /// What it did to the customer's balance: positive means they owe more.
    async fn balance_change(&self) -> Money {
        Money(self.0.balance_change_paise)
    }
    /// The customer's balance after this movement (negative: advance held).
    async fn balance_after(&self) -> Money {
        Money(self.0.balance_after_paise)
    }
    /// What happened, in words (invoice and payment numbers included).
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn customer(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        Customer::load(ctx, self.0.customer_id).await
    }
    /// The invoice it concerns, if any (`null` once a draft invoice is deleted).
    async fn invoice(&self, ctx: &Context<'_>) -> Result<Option<Invoice>> {
        match self.0.invoice_id {
            Some(id) => Invoice::load(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The payment it concerns, if any.
    async fn payment(&self, ctx: &Context<'_>) -> Result<Option<Payment>> {
        match self.0.payment_id {
            Some(id) => Payment::load(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The refund it records, if any.
    async fn refund(&self, ctx: &Context<'_>) -> Result<Option<Refund>> {
        match self.0.refund_id {
            Some(id) => Refund::load(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The credit note an ADJUSTMENT of an issued invoice records, if any.
    async fn credit_note(&self, ctx: &Context<'_>) -> Result<Option<crate::credit_notes::graphql::CreditNote>> {
        match self.0.credit_note_id {
            Some(id) => crate::credit_notes::graphql::CreditNote::load(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The staff member who recorded or approved it (`null` for the system or a customer).
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<Option<StaffContact>> {
        StaffContact::load(ctx, self.0.recorded_by).await
    }
}

/// Narrows `transactions`.
#[derive(InputObject, Default)]
pub struct TransactionFilterInput {
    pub customer_id: Option<ID>,
    pub transaction_type: Option<TransactionType>,
    pub invoice_id: Option<ID>,
    pub payment_id: Option<ID>,
    /// From this time on (inclusive).
    pub from: Option<DateTime>,
    /// Before this time.
    pub to: Option<DateTime>,
}

impl TransactionFilterInput {
    fn into_filter(self) -> AppResult<TransactionFilter> {
        Ok(TransactionFilter {
            customer_id: self.customer_id.map(|id| expect_id("filter.customerId", Customer::KIND, &id)).transpose()?,
            kind: self.transaction_type,
            invoice_id: self.invoice_id.map(|id| expect_id("filter.invoiceId", Invoice::KIND, &id)).transpose()?,
            payment_id: self.payment_id.map(|id| expect_id("filter.paymentId", Payment::KIND, &id)).transpose()?,
            from: self.from.map(|t| t.0),
            to: self.to.map(|t| t.0),
        })
    }
}

#[derive(Default)]
pub struct LedgerQuery;

#[Object]
impl LedgerQuery {
    /// The ledger, oldest first (`last:` gives the newest). A customer sees only their own rows.
    #[graphql(guard = "Require(Permission::ReadBilling)", complexity = "page_cost(first, last, child_complexity)")]
    async fn transactions(
        &self,
        ctx: &Context<'_>,
        filter: Option<TransactionFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<Transaction>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let filter = filter.unwrap_or_default().into_filter()?;
        let page = own_page(ctx, Permission::ReadBilling, filter, |f| &mut f.customer_id, window, repo::page).await?;
        Ok(connection(page, |row| row.id, Transaction))
    }
}

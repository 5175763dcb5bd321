//! The `Refund` type, the `refunds` query and `createRefund`.

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::model::{RefundFilter, RefundRow};
use super::service;
use crate::audit::Actor;
use crate::auth::guard::{principal, Require};
use crate::auth::permissions::Permission;
use crate::customers::graphql::Customer;
use crate::employees::graphql::StaffContact;
use crate::error::AppResult;
use crate::graphql::access::{load_own, own_page};
use crate::graphql::context::{db, idempotency_claim};
use crate::graphql::ids::{expect_id, global_id};
use crate::graphql::pagination::{connection, page_cost, PageArgs, PageConnection};
use crate::graphql::scalars::{DateTime, Money};
use crate::idempotency::service::{write_once, Once};
use crate::payments::graphql::Payment;

crate::by_id_key! {
    /// The id of one of the refunds, for the batched lookup by id.
    RefundId => RefundRow, super::repo::by_ids
}

crate::owner_key! {
    /// A payment's id, for its refunds.
    RefundsOfPayment => RefundRow, super::repo::of_payments, |r| r.payment_id
}

/// Money of a completed payment paid back to the customer.
pub struct Refund(pub RefundRow);

impl Refund {
    pub const KIND: crate::ids::Kind = crate::ids::Kind::Refund;

    /// The refund with row id `key`, if the caller may read billing data of its customer.
    pub async fn load(ctx: &Context<'_>, key: i64) -> Result<Option<Refund>> {
        Ok(load_own(ctx, Permission::ReadBilling, RefundId(key), |row| row.customer_id).await?.map(Refund))
    }
}

#[Object]
impl Refund {
    /// Opaque ID, unique across all types.
    pub async fn id(&self) -> ID {
        global_id(Self::KIND, self.0.id)
    }
    /// `RFD` + 12 digits.
    async fn refund_id(&self) -> &str {
        &self.0.refund_id
    }
    async fn amount(&self) -> Money {
        Money(self.0.amount_paise)
    }
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// The payment refunded.
    async fn payment(&self, ctx: &Context<'_>) -> Result<Option<Payment>> {
        Payment::load(ctx, self.0.payment_id).await
    }
    async fn customer(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        Customer::load(ctx, self.0.customer_id).await
    }
    /// The staff member who approved it.
    async fn approved_by(&self, ctx: &Context<'_>) -> Result<Option<StaffContact>> {
        StaffContact::load(ctx, self.0.approved_by).await
    }
}

/// Narrows `refunds`.
#[derive(InputObject, Default)]
pub struct RefundFilterInput {
    pub customer_id: Option<ID>,
    pub payment_id: Option<ID>,
    /// From this time on (inclusive).
    pub from: Option<DateTime>,
    /// Before this time.
    pub to: Option<DateTime>,
}

impl RefundFilterInput {
    fn into_filter(self) -> AppResult<RefundFilter> {
        Ok(RefundFilter {
            customer_id: self.customer_id.map(|id| expect_id("filter.customerId", Customer::KIND, &id)).transpose()?,
            payment_id: self.payment_id.map(|id| expect_id("filter.paymentId", Payment::KIND, &id)).transpose()?,
            from: self.from.map(|t| t.0),
            to: self.to.map(|t| t.0),
            ..RefundFilter::default()
        })
    }
}

/// What to refund.
#[derive(InputObject)]
pub struct CreateRefundInput {
    /// A COMPLETED payment.
    pub payment_id: ID,
    /// How much; all that is left of the payment when left out. Never more than that.
    pub amount: Option<Money>,
    /// Why, for the ledger and the audit log.
    pub reason: String,
    /// Makes retries safe: the same key with the same input returns the first result and
    /// does nothing again; with other input it is `CONFLICT`. Your own keys, kept 48 hours.
    /// The `Idempotency-Key` HTTP header works too.
    pub idempotency_key: Option<String>,
}

#[derive(Default)]
pub struct RefundQuery;

#[Object]
impl RefundQuery {
    /// Refunds, oldest first (`last:` gives the newest). A customer sees only their own.
    #[graphql(guard = "Require(Permission::ReadBilling)", complexity = "page_cost(first, last, child_complexity)")]
    async fn refunds(
        &self,
        ctx: &Context<'_>,
        filter: Option<RefundFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<Refund>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let filter = filter.unwrap_or_default().into_filter()?;
        let page =
            own_page(ctx, Permission::ReadBilling, filter, |f| &mut f.customer_id, window, super::repo::page).await?;
        Ok(connection(page, |row| row.id, Refund))
    }
}

#[derive(Default)]
pub struct RefundMutation;

#[Object]
impl RefundMutation {
    /// Pays back all or part of a COMPLETED payment, never more than is left of it. Money the
    /// payment had on no invoice (advance) goes first; then the invoices it paid, newest first,
    /// owe again and reopen (a PAID invoice becomes SENT, OVERDUE or DRAFT). The ledger records
    /// it with you as the approver.
    #[graphql(guard = "Require(Permission::WriteBilling)")]
    async fn create_refund(&self, ctx: &Context<'_>, input: CreateRefundInput) -> Result<Refund> {
        let actor = Actor::from(principal(ctx)?);
        let payment = expect_id("paymentId", Payment::KIND, &input.payment_id)?;
        let amount = input.amount.map(|m| m.0);
        let reason = crate::validate::required_multiline("reason", &input.reason, 500)?;
        let claim = idempotency_claim(ctx, input.idempotency_key, &actor, "createRefund", &(payment, amount, &reason))?;
        let work = move |conn: &mut crate::db::DbConn| service::refund(conn, payment, amount, &reason, &actor);
        match write_once(db(ctx), claim, work, |row| row.id).await? {
            Once::Fresh(row) => Ok(Refund(row)),
            Once::Replayed(id) => {
                let row = db(ctx).read(move |conn| super::repo::by_ids(conn, &[id])).await?.pop();
                Ok(Refund(row.ok_or_else(|| crate::error::AppError::not_found("refund"))?))
            }
        }
    }
}

//! `createPayment` and `updatePaymentStatus`.

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::graphql::Payment;
use super::model::{PaymentMethod, PaymentStatus};
use super::service::{self, PaymentRequest};
use crate::audit::Actor;
use crate::auth::guard::{principal, Require};
use crate::auth::permissions::Permission;
use crate::customers::graphql::Customer;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::events::Outgoing;
use crate::graphql::context::{db, events, idempotency_claim};
use crate::graphql::ids::expect_id;
use crate::graphql::scalars::Money;
use crate::idempotency::service::Once;
use crate::invoices::graphql::Invoice;
use crate::notifications::Outbox;

/// A payment received.
#[derive(InputObject)]
pub struct CreatePaymentInput {
    /// Whose payment. May be left out when `invoiceId` is given (it is the invoice's customer).
    pub customer_id: Option<ID>,
    /// The invoice it pays. Left out: the money goes to the customer's open invoices, oldest
    /// first, and the rest becomes their advance.
    pub invoice_id: Option<ID>,
    /// More than zero.
    pub amount: Money,
    pub payment_method: PaymentMethod,
    /// Gateway, UPI or cheque reference, stored as entered. One reference counts once per
    /// method: a second submission is refused with `CONFLICT`, also when it differs only in
    /// case, spaces, invisible characters or Unicode compatibility forms (NFKC: full-width
    /// letters and digits).
    pub payment_reference: Option<String>,
    pub remarks: Option<String>,
    /// COMPLETED (the default) counts at once; PENDING (a cheque to clear) counts when
    /// `updatePaymentStatus` completes it; FAILED never counts.
    #[graphql(default_with = "PaymentStatus::Completed")]
    pub status: PaymentStatus,
    /// With `invoiceId`: keep money beyond the invoice's balance as the customer's advance
    /// (otherwise such an amount is refused).
    #[graphql(default)]
    pub keep_excess_as_advance: bool,
    /// Makes retries safe: the same key with the same input returns the first result and
    /// does nothing again; with other input it is `CONFLICT`. Your own keys, kept 48 hours.
    /// The `Idempotency-Key` HTTP header works too.
    pub idempotency_key: Option<String>,
}

impl CreatePaymentInput {
    fn validate(self) -> crate::error::AppResult<PaymentRequest> {
        Ok(PaymentRequest {
            customer_id: self.customer_id.map(|id| expect_id("customerId", Customer::KIND, &id)).transpose()?,
            invoice_id: self.invoice_id.map(|id| expect_id("invoiceId", Invoice::KIND, &id)).transpose()?,
            amount: crate::money::positive("amount", self.amount.0)?,
            method: self.payment_method,
            reference: reference("paymentReference", self.payment_reference.as_deref())?,
            remarks: crate::validate::optional_multiline("remarks", self.remarks.as_deref(), 500)?,
            status: self.status,
            keep_excess_as_advance: self.keep_excess_as_advance,
            upi_utr: None,
            from_gateway: false,
        })
    }
}

/// A payment reference: text of at most 100 characters with something visible in it (its key,
/// [`super::rules::reference_key`], is what duplicates are found by).
fn reference(field: &str, value: Option<&str>) -> AppResult<Option<String>> {
    let reference = crate::validate::optional_reference(field, value, 100)?;
    if reference.as_deref().is_some_and(|r| super::rules::reference_key(r).is_empty()) {
        return Err(AppError::bad_input(field, format!("`{field}` has no visible characters")));
    }
    Ok(reference)
}

#[derive(Default)]
pub struct PaymentMutation;

#[Object]
impl PaymentMutation {
    /// Records a payment with a `PAY` + 12-digit `paymentId` and, when COMPLETED, applies it in
    /// the same transaction: the invoice's `paidAmount` rises and `balanceAmount` falls (PAID at
    /// 0), the ledger gets a `TXN` row. Refused: amounts of zero or less, a CANCELLED invoice,
    /// more than the invoice owes (unless `keepExcessAsAdvance`), and a `paymentReference`
    /// already recorded for the same method (compared ignoring case, spaces and invisible
    /// characters).
    #[graphql(guard = "Require(Permission::RecordPayments)")]
    async fn create_payment(&self, ctx: &Context<'_>, input: CreatePaymentInput) -> Result<Payment> {
        let actor = Actor::from(principal(ctx)?);
        let outbox = *ctx.data_unchecked::<Outbox>();
        let key = input.idempotency_key.clone();
        let request = input.validate()?;
        let claim = idempotency_claim(ctx, key, &actor, "createPayment", &request)?;
        let work = move |conn: &mut DbConn, out: &mut Outgoing| {
            let (row, notifications) = service::create_payment(conn, &outbox, &request, &actor)?;
            out.notifications(notifications);
            Ok(row)
        };
        match events(ctx).write_once(db(ctx), claim, work, |row| row.id).await? {
            Once::Fresh(row) => Ok(Payment::from(row)),
            Once::Replayed(id) => Ok(Payment::from(db(ctx).read(move |conn| super::repo::find(conn, id)).await?)),
        }
    }

    /// Completes (money applied now) or fails a PENDING payment. COMPLETED and FAILED are final.
    #[graphql(guard = "Require(Permission::RecordPayments)")]
    async fn update_payment_status(&self, ctx: &Context<'_>, id: ID, status: PaymentStatus) -> Result<Payment> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("id", Payment::KIND, &id)?;
        let outbox = *ctx.data_unchecked::<Outbox>();
        let row = events(ctx)
            .write(db(ctx), move |conn, out| {
                let (row, notifications) = service::complete_or_fail(conn, &outbox, key, status, &actor)?;
                out.notifications(notifications);
                Ok(row)
            })
            .await?;
        Ok(Payment::from(row))
    }
}

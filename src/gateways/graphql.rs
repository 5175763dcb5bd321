//! GraphQL types and root fields for payment gateways (ADMIN) and unmatched gateway payments
//! (ADMIN, MANAGER).

use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};

use super::model::{GatewayChanges, GatewayPaymentRow, GatewayRow, NewGateway, Provider};
use super::repo;
use super::service::{self, GatewaySettings, Gateways};
use crate::audit::Actor;
use crate::auth::guard::{principal, Require};
use crate::auth::permissions::Permission;
use crate::companies::graphql::Company;
use crate::customers::graphql::Customer;
use crate::error::{AppError, AppResult};
use crate::graphql::context::{db, events, now};
use crate::graphql::ids::{expect_id, global_id};
use crate::graphql::scalars::{DateTime, Money};
use crate::invoices::graphql::Invoice;
use crate::notifications::Outbox;
use crate::payments::graphql::Payment;
use crate::payments::model::PaymentMethod;
use crate::{reference, validate};

/// A company's account with a payment gateway. Its webhook secret is write-only: no field
/// returns it.
pub struct PaymentGateway(pub GatewayRow);

impl PaymentGateway {
    pub const KIND: crate::ids::Kind = crate::ids::Kind::PaymentGateway;
}

#[Object]
impl PaymentGateway {
    /// Opaque ID, unique across all types.
    async fn id(&self) -> ID {
        global_id(Self::KIND, self.0.id)
    }
    /// The company whose money arrives through it.
    async fn company(&self, ctx: &Context<'_>) -> Result<Company> {
        Company::load(ctx, self.0.company_id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("gateway {} has no company", self.0.id)).into())
    }
    async fn provider(&self) -> Provider {
        self.0.provider
    }
    /// The merchant or key id the provider gave (not secret).
    async fn key_id(&self) -> &str {
        &self.0.key_id
    }
    /// Whether notifications are accepted. A switched-off gateway answers 403, and the provider
    /// delivers again later (Razorpay for 24 hours), so nothing is lost while it is off.
    async fn is_active(&self) -> bool {
        self.0.is_active
    }
    /// What to paste into the provider's dashboard as the webhook URL (from `ISP_PUBLIC_URL`).
    async fn webhook_url(&self, ctx: &Context<'_>) -> String {
        ctx.data_unchecked::<GatewaySettings>().webhook_url(&self.0)
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

/// Money a gateway reported as captured: on a payment of ours, or unmatched (no customer or
/// invoice of ours could be told from it) until staff assign it.
pub struct GatewayPayment(pub GatewayPaymentRow);

impl GatewayPayment {
    pub const KIND: crate::ids::Kind = crate::ids::Kind::GatewayPayment;
}

#[Object]
impl GatewayPayment {
    /// Opaque ID, unique across all types.
    async fn id(&self) -> ID {
        global_id(Self::KIND, self.0.id)
    }
    /// The gateway's own id of the payment (Razorpay `pay_…`, Cashfree `cf_payment_id`), exactly
    /// as the gateway sent it (up to 255 characters). The same id reported again with other money
    /// is a second gateway payment, unmatched, whose `unmatchedReason` says so.
    async fn gateway_payment_id(&self) -> &str {
        &self.0.gateway_payment_id
    }
    async fn amount(&self) -> Money {
        Money(self.0.amount_paise)
    }
    /// As the gateway reported it; only `INR` is ever recorded.
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    async fn method(&self) -> PaymentMethod {
        self.0.method
    }
    /// The UPI transaction reference, when the gateway gave one.
    async fn utr(&self) -> Option<&str> {
        self.0.utr.as_deref()
    }
    /// The customer id the notification named, as sent.
    async fn customer_ref(&self) -> Option<&str> {
        self.0.customer_ref.as_deref()
    }
    /// The invoice number the notification named, as sent.
    async fn invoice_ref(&self) -> Option<&str> {
        self.0.invoice_ref.as_deref()
    }
    /// Why it is unmatched (`null` once it is a payment).
    async fn unmatched_reason(&self) -> Option<&str> {
        match self.0.payment_id {
            Some(_) => None,
            None => self.0.unmatched_reason.as_deref(),
        }
    }
    /// The payment it became; `null` while unmatched.
    async fn payment(&self, ctx: &Context<'_>) -> Result<Option<Payment>> {
        match self.0.payment_id {
            Some(id) => Payment::load(ctx, id).await,
            None => Ok(None),
        }
    }
    async fn received_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

/// How many gateway payments wait unmatched, and their sum (money received but on no
/// customer's account yet; not part of any collections total).
#[derive(SimpleObject)]
pub struct UnmatchedTotal {
    pub count: i64,
    pub amount: Money,
}

impl UnmatchedTotal {
    /// Of one company's gateways or all, received between two business dates (both included)
    /// or at any time.
    pub async fn load(
        ctx: &Context<'_>,
        company_id: Option<i64>,
        dates: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    ) -> Result<UnmatchedTotal> {
        let since = dates.map(|(from, _)| crate::clock::start_of(from));
        let until = dates.map(|(_, to)| crate::clock::start_of(to + chrono::Days::new(1)));
        let (count, sum) = db(ctx).read(move |conn| repo::unmatched_totals(conn, company_id, since, until)).await?;
        Ok(UnmatchedTotal { count, amount: Money(sum) })
    }
}

/// Unmatched gateway payments, oldest first, with their count and sum.
#[derive(SimpleObject)]
pub struct UnmatchedGatewayPayments {
    pub total_count: i64,
    pub total_amount: Money,
    /// The oldest of them. Not paged: the oldest `first` (50 by default, at most 500) of
    /// `totalCount`; each one assigned leaves the list, so the next call shows the next ones.
    pub nodes: Vec<GatewayPayment>,
}

/// A new gateway account.
#[derive(InputObject)]
pub struct CreatePaymentGatewayInput {
    pub company_id: ID,
    pub provider: Provider,
    /// The merchant or key id the provider gave (up to 100 characters).
    pub key_id: String,
    /// The webhook secret set in the provider's dashboard (Cashfree: the client secret). Stored
    /// encrypted under `ISP_SECRETS_KEY`; never returned.
    pub webhook_secret: String,
    #[graphql(default = true)]
    pub is_active: bool,
}

/// Changes to a gateway: leave a field out to keep it.
#[derive(InputObject)]
pub struct UpdatePaymentGatewayInput {
    pub key_id: Option<String>,
    /// A new secret (stored encrypted; never returned).
    pub webhook_secret: Option<String>,
    pub is_active: Option<bool>,
}

fn secret(settings: &GatewaySettings, value: &str) -> AppResult<String> {
    if value.trim().is_empty() || value.chars().count() > 200 {
        return Err(AppError::bad_input("webhookSecret", "`webhookSecret` must be 1 to 200 characters"));
    }
    settings.seal("webhookSecret", value)
}

impl CreatePaymentGatewayInput {
    fn validate(self, settings: &GatewaySettings) -> AppResult<NewGateway> {
        let now = now();
        Ok(NewGateway {
            company_id: expect_id("companyId", Company::KIND, &self.company_id)?,
            provider: self.provider,
            key_id: validate::required_text("keyId", &self.key_id, 100)?,
            webhook_secret_sealed: secret(settings, &self.webhook_secret)?,
            is_active: self.is_active,
            created_at: now,
            updated_at: now,
        })
    }
}

impl UpdatePaymentGatewayInput {
    fn validate(self, settings: &GatewaySettings) -> AppResult<GatewayChanges> {
        Ok(GatewayChanges {
            key_id: self.key_id.map(|k| validate::required_text("keyId", &k, 100)).transpose()?,
            webhook_secret_sealed: self.webhook_secret.map(|s| secret(settings, &s)).transpose()?,
            is_active: self.is_active,
            updated_at: Some(now()),
        })
    }
}

#[derive(Default)]
pub struct GatewayQuery;

#[Object]
impl GatewayQuery {
    /// The payment gateways, of one company or all, in the order they were added. Not paged:
    /// a company has one gateway account per provider it uses, a few at most.
    #[graphql(guard = "Require(Permission::ManageGateways)")]
    async fn payment_gateways(&self, ctx: &Context<'_>, company_id: Option<ID>) -> Result<Vec<PaymentGateway>> {
        let company = company_id.map(|id| expect_id("companyId", Company::KIND, &id)).transpose()?;
        let rows = db(ctx).read(move |conn| repo::list(conn, company)).await?;
        Ok(rows.into_iter().map(PaymentGateway).collect())
    }

    /// Money gateways reported that names no customer or invoice of ours (or does not fit
    /// it), oldest first: assign each with `assignGatewayPayment`.
    #[graphql(guard = "Require(Permission::WriteBilling)")]
    async fn unmatched_gateway_payments(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50, validator(minimum = 1, maximum = 500))] first: i64,
    ) -> Result<UnmatchedGatewayPayments> {
        let (rows, total_count, sum) = db(ctx).read(move |conn| repo::unmatched(conn, first)).await?;
        Ok(UnmatchedGatewayPayments {
            total_count,
            total_amount: Money(sum),
            nodes: rows.into_iter().map(GatewayPayment).collect(),
        })
    }
}

#[derive(Default)]
pub struct GatewayMutation;

#[Object]
impl GatewayMutation {
    /// Adds a gateway account (audited, without the secret). Refused (`BAD_USER_INPUT` on
    /// `webhookSecret`) when the server has no `ISP_SECRETS_KEY` to encrypt the secret with.
    #[graphql(guard = "Require(Permission::ManageGateways)")]
    async fn create_payment_gateway(
        &self,
        ctx: &Context<'_>,
        input: CreatePaymentGatewayInput,
    ) -> Result<PaymentGateway> {
        let actor = Actor::from(principal(ctx)?);
        let new = input.validate(ctx.data_unchecked::<GatewaySettings>())?;
        let row = db(ctx).write(move |conn| reference::create::<Gateways>(conn, &new, &actor)).await?;
        Ok(PaymentGateway(row))
    }

    /// Changes a gateway account (audited, without the secret). `NOT_FOUND` for an unknown ID.
    #[graphql(guard = "Require(Permission::ManageGateways)")]
    async fn update_payment_gateway(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdatePaymentGatewayInput,
    ) -> Result<PaymentGateway> {
        let key = expect_id("id", PaymentGateway::KIND, &id)?;
        let actor = Actor::from(principal(ctx)?);
        let changes = input.validate(ctx.data_unchecked::<GatewaySettings>())?;
        let row = db(ctx).write(move |conn| reference::update::<Gateways>(conn, key, &changes, &actor)).await?;
        Ok(PaymentGateway(row))
    }

    /// Records an unmatched gateway payment as a COMPLETED payment of a customer (on
    /// `invoiceId`, or on their open invoices oldest first), through the rules of
    /// `createPayment`; money beyond the invoice's balance is kept as advance. `CONFLICT` when
    /// it is already a payment, or its UTR is. `BAD_USER_INPUT` on `customerId` or `invoiceId`
    /// when that is another company's than the gateway's: gateway money stays in its company.
    #[graphql(guard = "Require(Permission::WriteBilling)")]
    async fn assign_gateway_payment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        customer_id: Option<ID>,
        invoice_id: Option<ID>,
    ) -> Result<GatewayPayment> {
        let key = expect_id("id", GatewayPayment::KIND, &id)?;
        let customer = customer_id.map(|id| expect_id("customerId", Customer::KIND, &id)).transpose()?;
        let invoice = invoice_id.map(|id| expect_id("invoiceId", Invoice::KIND, &id)).transpose()?;
        let actor = Actor::from(principal(ctx)?);
        let outbox = *ctx.data_unchecked::<Outbox>();
        let row = events(ctx)
            .write(db(ctx), move |conn, out| {
                let (row, _, notifications) = service::assign(conn, &outbox, key, customer, invoice, &actor)?;
                out.notifications(notifications);
                Ok(row)
            })
            .await?;
        Ok(GatewayPayment(row))
    }
}

//! Customer mutations: create (with the first invoice), update, status changes, delete.

use async_graphql::{Context, MaybeUndefined, Object, Result, SimpleObject, ID};

use super::graphql::Customer;
use super::inputs::{CreateCustomerInput, UpdateCustomerInput};
use super::model::CustomerStatus;
use super::service;
use crate::audit::Actor;
use crate::auth::guard::principal;
use crate::auth::guard::Require;
use crate::auth::password;
use crate::auth::permissions::Permission;
use crate::graphql::context::db;
use crate::graphql::ids::expect_id;
use crate::id_vault::key::IdVault;

/// The changed customer, and what the change did and did not do.
#[derive(SimpleObject)]
pub struct UpdateCustomerPayload {
    pub customer: Customer,
    /// Plain-language notes for the operator, e.g. that existing invoices keep their amounts
    /// after a plan change, or the new `endDate`. Not paged: a few sentences about one change.
    pub notes: Vec<String>,
}

#[derive(Default)]
pub struct CustomerMutation;

#[Object]
impl CustomerMutation {
    /// Creates a customer, ACTIVE, with a generated 10-digit `customerId`, a `cafNo` unless
    /// given, `endDate = startDate + periodMonths × 30 days`, and a first invoice in DRAFT for
    /// the plan's price × `periodMonths` plus GST (and installation charges), all in one
    /// transaction.
    #[graphql(guard = "Require(Permission::WriteCustomers)")]
    async fn create_customer(&self, ctx: &Context<'_>, input: CreateCustomerInput) -> Result<Customer> {
        let actor = Actor::from(principal(ctx)?);
        let (mut draft, password) = input.validate(ctx.data_unchecked::<IdVault>())?;
        draft.customer.password_hash = password::hash(password).await?;
        let (row, _invoice) = db(ctx).write(move |conn| service::create(conn, &draft, &actor)).await?;
        Ok(Customer::from(row))
    }

    /// Changes a customer. Changing `startDate` or `periodMonths` recomputes `endDate` (unless
    /// given); a new plan must be active, of the same company and service type. Existing
    /// invoices are never changed: `notes` says so.
    #[graphql(guard = "Require(Permission::WriteCustomers)")]
    async fn update_customer(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateCustomerInput,
    ) -> Result<UpdateCustomerPayload> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("id", Customer::KIND, &id)?;
        // A new number alone is checked for the document type on file.
        let stored_type = match (&input.id_proof_type, &input.id_proof_no) {
            (MaybeUndefined::Undefined, MaybeUndefined::Value(_)) => {
                db(ctx).read(move |conn| super::repo::find(conn, key)).await?.id_proof_type
            }
            _ => None,
        };
        let (requested, id_proof) = input.validate(ctx.data_unchecked::<IdVault>(), stored_type)?;
        let (row, notes) = db(ctx)
            .write(move |conn| service::update(conn, key, &requested, id_proof.as_ref().map(Option::as_ref), &actor))
            .await?;
        Ok(UpdateCustomerPayload { customer: Customer::from(row), notes })
    }

    /// Moves a customer between ACTIVE, DEACTIVE and SUSPENDED, or to TERMINATED, which is
    /// final. A TERMINATED customer can no longer log in. A suspension made here gives no days
    /// back: the customer's period runs on and renews as usual (and a payment never lifts it).
    /// For a customer who travels and should get the days back, use `pauseService` and
    /// `resumeService` instead; a paused customer's status changes only through
    /// `resumeService` (`CONFLICT` here).
    #[graphql(guard = "Require(Permission::WriteCustomers)")]
    async fn change_customer_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: CustomerStatus,
        #[graphql(desc = "Why, for the audit log.")] reason: Option<String>,
    ) -> Result<Customer> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("id", Customer::KIND, &id)?;
        let reason = crate::validate::optional_multiline("reason", reason.as_deref(), 500)?;
        let row =
            db(ctx).write(move |conn| service::change_status(conn, key, status, reason.as_deref(), &actor)).await?;
        Ok(Customer::from(row))
    }

    /// Deletes a customer created by mistake: only while it has no payments, no add-on bills and
    /// no invoice beyond DRAFT (its draft invoices go with it; the ledger keeps a record of
    /// them). Otherwise `CONFLICT`: terminate instead.
    #[graphql(guard = "Require(Permission::WriteCustomers)")]
    async fn delete_customer(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("id", Customer::KIND, &id)?;
        db(ctx).write(move |conn| service::delete(conn, key, &actor)).await?;
        Ok(id)
    }
}

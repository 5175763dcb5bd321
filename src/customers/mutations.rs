//! Customer mutations: create (with the first invoice), update, status changes, delete.

use async_graphql::{Context, Object, Result, SimpleObject, ID};

use super::graphql::Customer;
use super::inputs::{end_of_service, CreateCustomerInput, UpdateCustomerInput};
use super::model::CustomerStatus;
use super::{repo, rules, service};
use crate::audit::repo::record;
use crate::audit::Actor;
use crate::auth::guard::principal;
use crate::auth::guard::Require;
use crate::auth::password;
use crate::auth::permissions::Permission;
use crate::error::AppError;
use crate::graphql::context::db;
use crate::graphql::node::expect_id;

/// The changed customer, and what the change did and did not do.
#[derive(SimpleObject)]
pub struct UpdateCustomerPayload {
    pub customer: Customer,
    /// Plain-language notes for the operator, e.g. that existing invoices keep their amounts
    /// after a plan change, or the new `endDate`.
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
        let (mut draft, password) = input.validate()?;
        draft.customer.password_hash = password::hash(password).await?;
        let (row, _invoice) = db(ctx).write(move |conn| service::create(conn, &draft, &actor)).await?;
        Ok(Customer(row))
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
        let requested = input.validate()?;
        let (row, notes) = db(ctx)
            .write(move |conn| {
                let before = repo::find(conn, key)?;
                if before.status == CustomerStatus::Terminated.as_str() {
                    return Err(AppError::Conflict("a TERMINATED customer cannot be changed".into()));
                }
                let mut changes = requested.clone();
                let mut notes = Vec::new();
                if let Some(plan_id) = changes.plan_id.filter(|p| *p != before.plan_id) {
                    let plan = service::active_plan(conn, plan_id)?;
                    if plan.company_id != before.company_id {
                        return Err(AppError::bad_input("planId", "the plan belongs to another company"));
                    }
                    if plan.service_type != before.service_type {
                        return Err(AppError::bad_input("planId", "the plan is for another service type"));
                    }
                    notes.push(format!(
                        "plan changed to {}: existing invoices keep their amounts; the next invoice bills the new plan",
                        plan.name
                    ));
                }
                service::check_references(
                    conn,
                    before.company_id,
                    changes.locality_id.flatten(),
                    changes.assigned_employee_id.flatten(),
                )?;
                if changes.state.is_some() || changes.pincode.is_some() || changes.locality_id.is_some() {
                    let state = changes.state.clone().unwrap_or_else(|| before.state.clone());
                    let pincode = changes.pincode.clone().unwrap_or_else(|| before.pincode.clone());
                    let locality = changes.locality_id.unwrap_or(before.locality_id);
                    let pin_field = if changes.pincode.is_some() { "pincode" } else { "state" };
                    service::check_place(conn, &state, &pincode, locality, pin_field)?;
                }
                if changes.start_date.is_some() || changes.period_months.is_some() || changes.end_date.is_some() {
                    let start = changes.start_date.unwrap_or(before.start_date);
                    let months = changes.period_months.unwrap_or(before.period_months);
                    let end = end_of_service(start, months, changes.end_date)?;
                    changes.end_date = Some(end);
                    if end != before.end_date {
                        notes.push(format!("endDate is now {end}"));
                    }
                    if months != before.period_months {
                        notes.push("period changed: existing invoices keep their amounts".to_owned());
                    }
                }
                let row = repo::update(conn, key, &changes)?;
                record(conn, &actor, "updateCustomer", &[crate::ids::encode(Customer::KIND, key)], None)?;
                Ok((row, notes))
            })
            .await?;
        Ok(UpdateCustomerPayload { customer: Customer(row), notes })
    }

    /// Moves a customer between ACTIVE, DEACTIVE and SUSPENDED, or to TERMINATED, which is
    /// final. A TERMINATED customer can no longer log in.
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
        let row = db(ctx)
            .write(move |conn| {
                let before = repo::find(conn, key)?;
                let from = CustomerStatus::from_db(&before.status)?;
                rules::check_transition(from, status).map_err(|m| AppError::bad_input("status", m))?;
                let changes = super::model::CustomerChanges {
                    status: Some(status.as_str().to_owned()),
                    updated_at: Some(crate::clock::now()),
                    ..Default::default()
                };
                let row = repo::update(conn, key, &changes)?;
                if status == CustomerStatus::Terminated {
                    crate::auth::repo::revoke_all(conn, crate::auth::model::CUSTOMER, key, crate::clock::now())?;
                }
                let details = format!(
                    "{} -> {}{}",
                    from.as_str(),
                    status.as_str(),
                    reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default()
                );
                record(
                    conn,
                    &actor,
                    "changeCustomerStatus",
                    &[crate::ids::encode(Customer::KIND, key)],
                    Some(&details),
                )?;
                Ok(row)
            })
            .await?;
        Ok(Customer(row))
    }

    /// Deletes a customer created by mistake: only while it has no payments, no add-on bills and
    /// no invoice beyond DRAFT (its draft invoices go with it; the ledger keeps a record of
    /// them). Otherwise `CONFLICT`: terminate instead.
    #[graphql(guard = "Require(Permission::WriteCustomers)")]
    async fn delete_customer(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("id", Customer::KIND, &id)?;
        let target = id.clone();
        db(ctx)
            .write(move |conn| {
                // Locked like every money change: its draft invoices leave the ledger.
                crate::invoices::service::lock_customer(conn, key, "id")
                    .map_err(|_| AppError::not_found("customer"))?;
                if repo::has_financial_history(conn, key)? {
                    return Err(AppError::Conflict(
                        "this customer has payments or issued invoices; change its status to TERMINATED instead".into(),
                    ));
                }
                crate::auth::repo::revoke_all(conn, crate::auth::model::CUSTOMER, key, crate::clock::now())?;
                // The ledger keeps the customer's rows; their draft invoices leave it.
                for draft in crate::invoices::repo::of_customer(conn, key)? {
                    crate::invoices::service::remove_from_ledger(conn, &draft, &actor)?;
                }
                repo::delete(conn, key)?;
                record(conn, &actor, "deleteCustomer", std::slice::from_ref(&target), None)
            })
            .await?;
        Ok(id)
    }
}

//! `pauseService` and `resumeService`.

use async_graphql::{Context, Object, Result, SimpleObject, ID};

use super::graphql::ServicePause;
use super::service::{self, Done};
use crate::audit::Actor;
use crate::auth::guard::{principal, Require};
use crate::auth::permissions::Permission;
use crate::customers::graphql::Customer;
use crate::graphql::context::db;
use crate::graphql::ids::expect_id;
use crate::graphql::scalars::Date;

/// A pause or resume done.
#[derive(SimpleObject)]
pub struct ServicePausePayload {
    /// The customer after it: `status`, and after a resume the moved `endDate`.
    pub customer: Customer,
    /// The pause begun or ended.
    pub pause: ServicePause,
    /// What happened, in a sentence for the operator (the days given back and the new
    /// `endDate`; whether the service is ACTIVE again or stays SUSPENDED for dues).
    pub note: String,
}

impl From<Done> for ServicePausePayload {
    fn from(done: Done) -> Self {
        ServicePausePayload {
            customer: Customer::from(done.customer),
            pause: ServicePause(done.pause),
            note: done.note,
        }
    }
}

#[derive(Default)]
pub struct ServicePauseMutation;

#[Object]
impl ServicePauseMutation {
    /// Pauses an ACTIVE customer's service, for a customer who travels: they become SUSPENDED
    /// (the network cuts them) and their period is frozen, so the billing cycle does not renew
    /// them while paused, even once `endDate` has passed (nor marks their invoices OVERDUE).
    /// `resumeService` gives the days back (`changeCustomerStatus(status: SUSPENDED)` gives
    /// none). `CONFLICT` for a customer already paused, SUSPENDED for dues
    /// (pay them instead), or otherwise not ACTIVE; `BAD_USER_INPUT` on `from` outside the
    /// current period, in the future, or before the last pause ended.
    #[graphql(guard = "Require(Permission::WriteCustomers)")]
    async fn pause_service(
        &self,
        ctx: &Context<'_>,
        customer_id: ID,
        #[graphql(desc = "The first day without service: today when left out, or a day already past in the \
                          current period (a customer who left yesterday); never a future day, so record the \
                          pause on the day they leave.")]
        from: Option<Date>,
        #[graphql(desc = "Why, for the record and the audit log.")] reason: Option<String>,
    ) -> Result<ServicePausePayload> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("customerId", Customer::KIND, &customer_id)?;
        let reason = crate::validate::optional_multiline("reason", reason.as_deref(), 500)?;
        let from = from.map(|d| d.0);
        let today = crate::clock::today();
        let done = db(ctx).write(move |conn| service::pause(conn, key, from, reason.clone(), today, &actor)).await?;
        Ok(done.into())
    }

    /// Ends a customer's pause: their `endDate` moves by the days paused (`on − pausedOn`, kept
    /// as the pause's `days`), so they get exactly those days back, and the service is ACTIVE
    /// again, unless they owe dues that would suspend them today: then it stays SUSPENDED for
    /// dues (`suspendedForDues`), and the payment that clears them makes it ACTIVE (`note` says
    /// so). A pause that spanned the old `endDate` is renewed by the billing cycle from the moved
    /// one. `CONFLICT` when the customer is not paused; `BAD_USER_INPUT` on `on` before the pause
    /// began or in the future.
    #[graphql(guard = "Require(Permission::WriteCustomers)")]
    async fn resume_service(
        &self,
        ctx: &Context<'_>,
        customer_id: ID,
        #[graphql(desc = "The day the service comes back: today when left out, or a day already past.")] on: Option<
            Date,
        >,
    ) -> Result<ServicePausePayload> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("customerId", Customer::KIND, &customer_id)?;
        let on = on.map(|d| d.0);
        let today = crate::clock::today();
        let done = db(ctx).write(move |conn| service::resume(conn, key, on, today, &actor)).await?;
        Ok(done.into())
    }
}

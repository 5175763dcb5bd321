//! The `ServicePause` type (read through `Customer.pause` and `Customer.pauses`).

use async_graphql::{Context, Object, Result};

use super::model::ServicePauseRow;
use crate::employees::graphql::StaffContact;
use crate::graphql::scalars::{Date, DateTime};

crate::owner_key! {
    /// A customer's id, for their service pauses.
    PausesOfCustomer => ServicePauseRow, super::repo::of_customers, |r| r.customer_id
}

/// One pause of a customer's service (`Customer.pause`, `Customer.pauses`).
pub struct ServicePause(pub ServicePauseRow);

/// A pause of a customer's service (a customer travelling, say): from `pausedOn` the customer
/// is SUSPENDED and their period is frozen (the billing cycle does not renew them); on
/// `resumedOn` their `endDate` moved by `days`, so they lost none of the days they paid for.
#[Object]
impl ServicePause {
    /// The first day without service.
    async fn paused_on(&self) -> Date {
        Date(self.0.paused_on)
    }
    /// The day the service came back; null while paused.
    async fn resumed_on(&self) -> Option<Date> {
        self.0.resumed_on.map(Date)
    }
    /// The days given back: `resumedOn − pausedOn`, added to the customer's `endDate` on resume;
    /// null while paused.
    async fn days(&self) -> Option<i32> {
        self.0.days
    }
    /// Why, as staff recorded it.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// Who paused the service.
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Option<StaffContact>> {
        StaffContact::load(ctx, self.0.created_by).await
    }
    /// Who resumed it; null while paused.
    async fn resumed_by(&self, ctx: &Context<'_>) -> Result<Option<StaffContact>> {
        StaffContact::load(ctx, self.0.resumed_by).await
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

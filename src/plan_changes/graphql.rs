//! The `PlanChange` type (read through `Customer.planChanges`).

use async_graphql::{Context, Object, Result};

use super::model::PlanChangeRow;
use crate::employees::graphql::StaffContact;
use crate::graphql::loaders::load;
use crate::graphql::scalars::{Date, DateTime, Money};
use crate::invoices::graphql::Invoice;
use crate::plans::graphql::{Plan, PlanId};

crate::owner_key! {
    /// A customer's id, for their plan changes.
    PlanChangesOfCustomer => PlanChangeRow, super::repo::of_customers, |r| r.customer_id
}

/// A plan changed in the middle of a paid period, prorated by days on the next invoice: a
/// credit for the old plan's unused days and a charge for the new plan's. A line with no plans
/// carries over a credit that was larger than the invoice it was put on.
pub struct PlanChange(pub PlanChangeRow);

#[Object]
impl PlanChange {
    /// The business date of the change.
    async fn changed_on(&self) -> Date {
        Date(self.0.changed_on)
    }
    /// The plan before; null on a carried credit.
    async fn old_plan(&self, ctx: &Context<'_>) -> Result<Option<Plan>> {
        plan(ctx, self.0.old_plan_id).await
    }
    /// The plan after; null on a carried credit.
    async fn new_plan(&self, ctx: &Context<'_>) -> Result<Option<Plan>> {
        plan(ctx, self.0.new_plan_id).await
    }
    /// The service period the change fell in (`periodEnd` is the day the next one starts).
    async fn period_start(&self) -> Date {
        Date(self.0.period_start)
    }
    async fn period_end(&self) -> Date {
        Date(self.0.period_end)
    }
    /// Days of the period from the change to its end.
    async fn unused_days(&self) -> i32 {
        self.0.unused_days
    }
    async fn period_days(&self) -> i32 {
        self.0.period_days
    }
    /// Old plan's bill for the period × `unusedDays ÷ periodDays`, before GST.
    async fn credit(&self) -> Money {
        Money(self.0.credit_paise)
    }
    /// New plan's bill for the period × `unusedDays ÷ periodDays`, before GST.
    async fn charge(&self) -> Money {
        Money(self.0.charge_paise)
    }
    /// `charge − credit`: what it adds to (or, negative, takes off) the next invoice's bill,
    /// before GST.
    async fn net(&self) -> Money {
        Money(self.0.net_paise)
    }
    /// The invoice it is on; null while it waits for the customer's next invoice.
    async fn invoice(&self, ctx: &Context<'_>) -> Result<Option<Invoice>> {
        match self.0.invoice_id {
            Some(id) => Invoice::load(ctx, id).await,
            None => Ok(None),
        }
    }
    /// On a carried credit: the invoice it did not fit on.
    async fn carried_from(&self, ctx: &Context<'_>) -> Result<Option<Invoice>> {
        match self.0.carried_from_invoice_id {
            Some(id) => Invoice::load(ctx, id).await,
            None => Ok(None),
        }
    }
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Option<StaffContact>> {
        StaffContact::load(ctx, self.0.created_by).await
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

async fn plan(ctx: &Context<'_>, id: Option<i64>) -> Result<Option<Plan>> {
    match id {
        Some(id) => Ok(load(ctx, PlanId(id)).await?.map(Plan::from)),
        None => Ok(None),
    }
}

//! The `AddonBill` type, the `addonBills` query, `createAddonBill` and `deleteAddonBill`.

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::model::{AddonBillOn, AddonFilter, AddonRow, AddonStatus, AddonType, Uqc};
use super::rules::GoodsInput;
use super::service::{self, AddonRequest};
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
use crate::invoices::graphql::Invoice;

crate::by_id_key! {
    /// The id of one of the add-on bills, for the batched lookup by id.
    AddonBillId => AddonRow, super::repo::by_ids
}

crate::owner_key! {
    /// A customer's id, for their add-on bills.
    AddonsOfCustomer => AddonRow, super::repo::of_customers, |r| r.customer_id
}

/// A one-off charge on a customer (router sale, reconnection, shifting), with GST.
pub struct AddonBill(pub AddonRow);

impl AddonBill {
    pub const KIND: crate::ids::Kind = crate::ids::Kind::AddonBill;

    /// The add-on with row id `key`, if the caller may read billing data of its customer.
    pub async fn load(ctx: &Context<'_>, key: i64) -> Result<Option<AddonBill>> {
        Ok(load_own(ctx, Permission::ReadBilling, AddonBillId(key), |row| row.customer_id).await?.map(AddonBill))
    }
}

#[Object]
impl AddonBill {
    /// Opaque ID, unique across all types.
    pub async fn id(&self) -> ID {
        global_id(Self::KIND, self.0.id)
    }
    async fn addon_type(&self) -> Result<AddonType> {
        Ok(self.0.addon_type)
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Goods (a router, a set-top box, cable): their HSN code, printed on the invoice and
    /// reported in GSTR-1's HSN summary. `null` for a service (SAC 9984).
    async fn hsn(&self) -> Option<&str> {
        self.0.hsn.as_deref()
    }
    /// How many: 2 routers, 30 metres of cable; 1 for a service. `amount` is for all of them.
    async fn quantity(&self) -> i64 {
        self.0.quantity
    }
    /// Goods: the unit `quantity` counts (NOS, MTR, ...); `null` for a service.
    async fn uqc(&self) -> Option<Uqc> {
        self.0.uqc
    }
    /// The charge before tax, for the whole `quantity`.
    async fn amount(&self) -> Money {
        Money(self.0.amount_paise)
    }
    async fn cgst_tax(&self) -> Money {
        Money(self.0.cgst_paise)
    }
    async fn sgst_tax(&self) -> Money {
        Money(self.0.sgst_paise)
    }
    async fn igst_tax(&self) -> Money {
        Money(self.0.igst_paise)
    }
    /// `amount` plus GST.
    async fn total_amount(&self) -> Money {
        Money(self.0.total())
    }
    async fn bill_on(&self) -> Result<AddonBillOn> {
        Ok(self.0.bill_on)
    }
    /// PENDING until it is on an invoice.
    async fn status(&self) -> AddonStatus {
        if self.0.invoice_id.is_some() {
            AddonStatus::Billed
        } else {
            AddonStatus::Pending
        }
    }
    /// The invoice it is billed on, once billed.
    async fn invoice(&self, ctx: &Context<'_>) -> Result<Option<Invoice>> {
        match self.0.invoice_id {
            Some(id) => Invoice::load(ctx, id).await,
            None => Ok(None),
        }
    }
    async fn customer(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        Customer::load(ctx, self.0.customer_id).await
    }
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Option<StaffContact>> {
        StaffContact::load(ctx, self.0.created_by).await
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

/// Narrows `addonBills`.
#[derive(InputObject, Default)]
pub struct AddonFilterInput {
    pub customer_id: Option<ID>,
    pub status: Option<AddonStatus>,
    pub addon_type: Option<AddonType>,
}

impl AddonFilterInput {
    fn into_filter(self) -> AppResult<AddonFilter> {
        Ok(AddonFilter {
            customer_id: self.customer_id.map(|id| expect_id("filter.customerId", Customer::KIND, &id)).transpose()?,
            pending: self.status.map(|s| s == AddonStatus::Pending),
            addon_type: self.addon_type,
        })
    }
}

/// A one-off charge.
#[derive(InputObject)]
pub struct CreateAddonBillInput {
    pub customer_id: ID,
    pub addon_type: AddonType,
    /// What it is, as printed on the invoice (e.g. "TP-Link router").
    pub description: String,
    /// The charge before tax, for the whole `quantity`; GST is added at the company's rate.
    pub amount: Money,
    /// Goods only: the HSN code (4, 6 or 8 digits). Defaults to the kind's: ROUTER_SALE 8517,
    /// SET_TOP_BOX_SALE 8528, CABLE_SALE 8544. Giving one to OTHER bills it as goods;
    /// RECONNECTION, SHIFTING and INSTALLATION are services and refuse it.
    pub hsn: Option<String>,
    /// Goods only: how many, a whole number from 1 (the default).
    pub quantity: Option<i64>,
    /// Goods only: the unit `quantity` counts. Defaults to NOS (MTR for CABLE_SALE).
    pub uqc: Option<Uqc>,
    /// OWN_INVOICE raises its invoice now; NEXT_INVOICE adds it to the next `createInvoice`.
    pub bill_on: AddonBillOn,
    /// Makes retries safe: the same key with the same input returns the first result and
    /// does nothing again; with other input it is `CONFLICT`. Your own keys, kept 48 hours.
    /// The `Idempotency-Key` HTTP header works too.
    pub idempotency_key: Option<String>,
}

#[derive(Default)]
pub struct AddonQuery;

#[Object]
impl AddonQuery {
    /// Add-on bills, oldest first (`last:` gives the newest). A customer sees only their own.
    #[graphql(guard = "Require(Permission::ReadBilling)", complexity = "page_cost(first, last, child_complexity)")]
    async fn addon_bills(
        &self,
        ctx: &Context<'_>,
        filter: Option<AddonFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<AddonBill>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let filter = filter.unwrap_or_default().into_filter()?;
        let page =
            own_page(ctx, Permission::ReadBilling, filter, |f| &mut f.customer_id, window, super::repo::page).await?;
        Ok(connection(page, |row| row.id, AddonBill))
    }
}

#[derive(Default)]
pub struct AddonMutation;

#[Object]
impl AddonMutation {
    /// Adds a one-off charge with GST at the company's rate. OWN_INVOICE: its invoice is raised
    /// now (DRAFT, on the ledger as ADDON_CHARGE, advance applied). NEXT_INVOICE: it waits as
    /// PENDING and joins the customer's next `createInvoice`.
    #[graphql(guard = "Require(Permission::WriteBilling)")]
    async fn create_addon_bill(&self, ctx: &Context<'_>, input: CreateAddonBillInput) -> Result<AddonBill> {
        let actor = Actor::from(principal(ctx)?);
        let request = AddonRequest {
            customer_id: expect_id("customerId", Customer::KIND, &input.customer_id)?,
            addon_type: input.addon_type,
            description: crate::validate::required_text("description", &input.description, 200)?,
            amount: crate::money::positive("amount", input.amount.0)?,
            bill_on: input.bill_on,
            goods: GoodsInput { hsn: input.hsn, quantity: input.quantity, uqc: input.uqc },
        };
        let claim = idempotency_claim(ctx, input.idempotency_key, &actor, "createAddonBill", &request)?;
        let work = move |conn: &mut crate::db::DbConn| service::create(conn, &request, &actor);
        match write_once(db(ctx), claim, work, |row| row.id).await? {
            Once::Fresh(row) => Ok(AddonBill(row)),
            Once::Replayed(id) => Ok(AddonBill(db(ctx).read(move |conn| super::repo::find(conn, id)).await?)),
        }
    }

    /// Deletes a PENDING add-on. One already on an invoice is `CONFLICT`.
    #[graphql(guard = "Require(Permission::WriteBilling)")]
    async fn delete_addon_bill(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("id", AddonBill::KIND, &id)?;
        db(ctx).write(move |conn| service::delete(conn, key, &actor)).await?;
        Ok(id)
    }
}

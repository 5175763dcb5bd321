//! The `Customer` type and the customer queries.

use crate::network::graphql::{DailyUsage, NasRequest, NetworkCredentials, NetworkSession};
use async_graphql::{Context, InputObject, Object, Result, ID};

use std::borrow::Cow;

use super::loader::{load_account, AccountOfCustomer, CustomerData};
use super::loader::{InvoicesOf, DEFAULT_INVOICES};
use super::model::{BillingType, CustomerFilter, CustomerRow, CustomerStatus, IdProofType};
use super::prefetch::{self, Selection};
use super::repo;
use crate::addons::graphql::AddonBill;
use crate::addons::graphql::AddonsOfCustomer;
use crate::auth::guard::{principal, require, Require};
use crate::auth::permissions::Permission;
use crate::auth::Principal;
use crate::companies::graphql::Company;
use crate::complaints::graphql::Complaint;
use crate::complaints::graphql::NewestComplaints;
use crate::employees::graphql::{Employee, StaffContact};
use crate::enums::ServiceType;
use crate::error::{AppError, AppResult};
use crate::graphql::access::own_readable;
use crate::graphql::context::db;
use crate::graphql::ids::{expect_id, global_id};
use crate::graphql::loaders::{load, load_many, load_newest, load_one};
use crate::graphql::pagination::{connection, page_cost, PageArgs, PageConnection};
use crate::graphql::scalars::{Date, DateTime, Money};
use crate::graphql::shown::{whole, Shown};
use crate::id_vault::graphql::MaskedIdProofOf;
use crate::id_vault::key::IdVault;
use crate::invoices::graphql::Invoice;
use crate::invoices::model::InvoiceStatus;
use crate::ledger::graphql::NewestTransactions;
use crate::ledger::graphql::Transaction;
use crate::localities::graphql::Locality;
use crate::localities::graphql::LocalityId;
use crate::payments::graphql::NewestPayments;
use crate::payments::graphql::Payment;
use crate::plan_changes::graphql::{PlanChange, PlanChangesOfCustomer};
use crate::plans::graphql::Plan;
use crate::receipt_vouchers::graphql::{ReceiptVoucher, VouchersOfCustomer};
use crate::service_pauses::graphql::{PausesOfCustomer, ServicePause};

crate::by_id_key! {
    /// The id of one of the customers, for the batched lookup by id.
    CustomerId => CustomerRow, super::repo::by_ids
}

/// A customer on a broadband or cable-TV plan. Customers logged in to self-service see only
/// themselves; their password is write-only.
pub struct Customer(pub CustomerData);

impl From<CustomerRow> for Customer {
    fn from(row: CustomerRow) -> Self {
        Customer(Shown::Whole(row))
    }
}

impl Customer {
    pub const KIND: crate::ids::Kind = crate::ids::Kind::Customer;

    /// The customer with row id `key`, if the caller may read it (others are `NOT_FOUND`).
    pub async fn load(ctx: &Context<'_>, key: i64) -> Result<Option<Customer>> {
        readable(ctx, key)?;
        Ok(load(ctx, CustomerId(key)).await?.map(Customer::from))
    }

    pub fn row_id(&self) -> i64 {
        *crate::shown!(&self.0, id)
    }

    /// Whether a page read this customer in brief: then it read the plan and company in brief
    /// too where the query asks for nothing more of them.
    fn read_in_brief(&self) -> bool {
        matches!(self.0, Shown::Brief(_))
    }

    /// The whole row, loaded by id when this customer is a brief one (a page read it so because
    /// the query asked for nothing more: a field outside the brief ones is a fallback).
    async fn whole(&self, ctx: &Context<'_>) -> Result<Cow<'_, CustomerRow>> {
        whole(ctx, &self.0, CustomerId(self.row_id())).await
    }
}

/// `Ok` when the caller may read customer `key`: staff with the permission, or that customer.
pub fn readable(ctx: &Context<'_>, key: i64) -> AppResult<()> {
    own_readable(ctx, Permission::ReadCustomers, key, "customer")
}

#[Object]
impl Customer {
    /// Opaque ID, unique across all types.
    pub async fn id(&self) -> ID {
        global_id(Self::KIND, self.row_id())
    }
    /// The 10-digit customer number printed on bills.
    async fn customer_id(&self) -> &str {
        crate::shown!(&self.0, customer_id)
    }
    /// Self-service login name.
    async fn username(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.whole(ctx).await?.username.clone())
    }
    async fn full_name(&self) -> &str {
        crate::shown!(&self.0, full_name)
    }
    async fn nickname(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.nickname.clone())
    }
    async fn email(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.email.clone())
    }
    /// The main phone as stored: 10 digits for a mobile, 11 for a landline (with its STD
    /// code's 0), without `+91`, spaces or dashes.
    async fn mobile(&self) -> &str {
        crate::shown!(&self.0, mobile)
    }
    /// A second phone, mobile or landline, stored as `mobile` is.
    async fn alternate_mobile(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.alternate_mobile.clone())
    }
    /// The customer's own GSTIN or UIN, when registered (a business, a government office or TDS
    /// deductor, a UN body or embassy, ...).
    async fn customer_gst_no(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.customer_gst_no.clone())
    }
    async fn id_proof_type(&self, ctx: &Context<'_>) -> Result<Option<IdProofType>> {
        Ok(self.whole(ctx).await?.id_proof_type)
    }
    /// The identity document's number, masked: an Aadhaar number as `XXXX XXXX 1234`, any other
    /// with all but its last four characters as `X`. A customer sees their own in full; ADMIN and
    /// MANAGER can see it through `revealIdProof` (recorded in the audit log).
    async fn id_proof_no(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        if self.whole(ctx).await?.id_proof_token.is_none() {
            return Ok(None);
        }
        if matches!(principal(ctx), Ok(Principal::Customer { id, .. }) if *id == self.row_id()) {
            let (vault, key) = (ctx.data_unchecked::<IdVault>().clone(), self.row_id());
            // Without the key (or with a damaged row) the customer sees it masked, as staff do.
            if let Ok(number) = db(ctx).read(move |conn| crate::id_vault::service::open(conn, &vault, key)).await {
                return Ok(number.map(|n| n.expose().to_owned()));
            }
        }
        Ok(load(ctx, MaskedIdProofOf(self.row_id())).await?.map(|m| m.masked))
    }
    async fn house_number(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.house_number.clone())
    }
    async fn address(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.whole(ctx).await?.address.clone())
    }
    async fn city(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.whole(ctx).await?.city.clone())
    }
    /// The customer's state: the same as the company's means CGST + SGST, else IGST.
    async fn state(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.whole(ctx).await?.state.clone())
    }
    async fn pincode(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.whole(ctx).await?.pincode.clone())
    }
    async fn service_type(&self, ctx: &Context<'_>) -> Result<ServiceType> {
        Ok(self.whole(ctx).await?.service_type)
    }
    async fn no_of_connections(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(self.whole(ctx).await?.no_of_connections)
    }
    /// Whether the plan renews by itself at the end of the period.
    async fn auto_renew(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.whole(ctx).await?.auto_renew)
    }
    /// Never suspended by the billing cycle for dues.
    async fn never_suspend(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.whole(ctx).await?.never_suspend)
    }
    /// Suspended by the billing cycle for unpaid dues: a payment that clears them makes the
    /// customer ACTIVE again at once.
    async fn suspended_for_dues(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.whole(ctx).await?.suspended_for_dues)
    }
    /// Customer application form number: `CAF` + 8 digits unless one was given.
    async fn caf_no(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.whole(ctx).await?.caf_no.clone())
    }
    async fn mac_address(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.mac_address.clone())
    }
    async fn mac_address_detail(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.mac_address_detail.clone())
    }
    async fn ip_address(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.ip_address.clone())
    }
    async fn vendor(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.vendor.clone())
    }
    async fn modem_no(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.modem_no.clone())
    }
    async fn modem_no_detail(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.modem_no_detail.clone())
    }
    /// Deposit held for the set-top box or modem.
    async fn stb_modem_security_amount(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(self.whole(ctx).await?.stb_modem_security_paise))
    }
    /// Months per billing period.
    async fn period_months(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(self.whole(ctx).await?.period_months)
    }
    async fn start_date(&self, ctx: &Context<'_>) -> Result<Date> {
        Ok(Date(self.whole(ctx).await?.start_date))
    }
    /// `startDate + periodMonths × 30 days` unless set explicitly: the day the next period
    /// starts. Moved later by the days of each pause of the service (`resumeService`).
    async fn end_date(&self) -> Date {
        Date(*crate::shown!(&self.0, end_date))
    }
    async fn billing_type(&self, ctx: &Context<'_>) -> Result<BillingType> {
        Ok(self.whole(ctx).await?.billing_type)
    }
    async fn status(&self) -> Result<CustomerStatus> {
        Ok(*crate::shown!(&self.0, status))
    }
    async fn created_at(&self, ctx: &Context<'_>) -> Result<DateTime> {
        Ok(DateTime(self.whole(ctx).await?.created_at))
    }
    async fn updated_at(&self, ctx: &Context<'_>) -> Result<DateTime> {
        Ok(DateTime(self.whole(ctx).await?.updated_at))
    }
    /// The customer's plan.
    async fn plan(&self, ctx: &Context<'_>) -> Result<Plan> {
        Plan::load_for(ctx, *crate::shown!(&self.0, plan_id), self.read_in_brief())
            .await?
            .ok_or_else(|| AppError::Internal(format!("customer {} has no plan", self.row_id())).into())
    }
    async fn locality(&self, ctx: &Context<'_>) -> Result<Option<Locality>> {
        match *crate::shown!(&self.0, locality_id) {
            Some(id) => Ok(load(ctx, LocalityId(id)).await?.map(Locality)),
            None => Ok(None),
        }
    }
    /// The company that bills this customer.
    async fn company(&self, ctx: &Context<'_>) -> Result<Company> {
        Company::load_for(ctx, *crate::shown!(&self.0, company_id), self.read_in_brief())
            .await?
            .ok_or_else(|| AppError::Internal(format!("customer {} has no company", self.row_id())).into())
    }
    /// The staff member (usually a collector) looking after this customer.
    async fn assigned_employee(&self, ctx: &Context<'_>) -> Result<Option<StaffContact>> {
        StaffContact::load(ctx, *crate::shown!(&self.0, assigned_employee_id)).await
    }
    /// Invoices, newest first: the newest `first` (12 when left out, a year of monthly bills;
    /// at most 100), optionally only those of one `status`. Needs the billing permission
    /// (SUPPORT staff get `FORBIDDEN`). Not paged: the newest `first` only, for a profile
    /// page; every invoice of the customer, page by page, is
    /// `invoices(filter: {customerId})`.
    #[graphql(
        guard = "Require(Permission::ReadBilling)",
        complexity = "crate::graphql::pagination::list_cost(first, DEFAULT_INVOICES, child_complexity)"
    )]
    async fn invoices(
        &self,
        ctx: &Context<'_>,
        status: Option<InvoiceStatus>,
        first: Option<i32>,
    ) -> Result<Vec<Invoice>> {
        let brief = ctx.look_ahead().selection_fields().iter().all(super::prefetch::brief_enough);
        let key = InvoicesOf::new(self.row_id(), status, first, brief)?;
        let rows = load_one(ctx, key).await?;
        Ok(rows.unwrap_or_default().into_iter().map(Invoice).collect())
    }
    /// What the customer owes by the ledger: invoices raised (and refunds) less payments. Negative
    /// when they hold an advance. Needs the billing permission.
    #[graphql(guard = "Require(Permission::ReadBilling)")]
    async fn balance(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(load_account(ctx, AccountOfCustomer(self.row_id())).await?.balance))
    }
    /// Money paid and not on any invoice; applied to their next invoice automatically.
    #[graphql(guard = "Require(Permission::ReadBilling)")]
    async fn advance_amount(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(Money(load_account(ctx, AccountOfCustomer(self.row_id())).await?.advance))
    }
    /// Payments, newest first: the newest `first` (20 when left out; at most 100). Not paged:
    /// the newest `first` only; all of them, page by page, are `payments(filter: {customerId})`.
    #[graphql(
        guard = "Require(Permission::ReadBilling)",
        complexity = "crate::graphql::pagination::list_cost(first, 20, child_complexity)"
    )]
    async fn payments(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<Payment>> {
        let rows = load_newest::<NewestPayments>(ctx, self.row_id(), first.unwrap_or(20)).await?;
        Ok(rows.into_iter().map(Payment::from).collect())
    }
    /// The ledger, newest first: the newest `first` rows (20 when left out; at most 100).
    /// Not paged: the newest `first` only; the whole ledger, page by page, is
    /// `transactions(filter: {customerId})`.
    #[graphql(
        guard = "Require(Permission::ReadBilling)",
        complexity = "crate::graphql::pagination::list_cost(first, 20, child_complexity)"
    )]
    async fn transactions(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<Transaction>> {
        let rows = load_newest::<NewestTransactions>(ctx, self.row_id(), first.unwrap_or(20)).await?;
        Ok(rows.into_iter().map(Transaction).collect())
    }
    /// Complaints, newest first: the newest `first` (20 when left out; at most 100). Needs the
    /// complaints permission (collectors get `FORBIDDEN`). Not paged: the newest `first` only;
    /// all of them, page by page, are `complaints(filter: {customerId})`.
    #[graphql(
        guard = "Require(Permission::ReadComplaints)",
        complexity = "crate::graphql::pagination::list_cost(first, 20, child_complexity)"
    )]
    async fn complaints(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<Complaint>> {
        let rows = load_newest::<NewestComplaints>(ctx, self.row_id(), first.unwrap_or(20)).await?;
        Ok(rows.into_iter().map(Complaint).collect())
    }
    /// Receipt vouchers (GST on money paid before it was invoiced), oldest first: one each
    /// time the customer's money on no issued invoice grew, `adjustedAmount` showing how much
    /// has since been invoiced or refunded. Not paged: one customer's advances, a few a year.
    #[graphql(
        guard = "Require(Permission::ReadBilling)",
        complexity = "crate::graphql::pagination::unpaged_cost(child_complexity)"
    )]
    async fn receipt_vouchers(&self, ctx: &Context<'_>) -> Result<Vec<ReceiptVoucher>> {
        Ok(load_many(ctx, VouchersOfCustomer(self.row_id())).await?.into_iter().map(ReceiptVoucher).collect())
    }
    /// One-off charges, oldest first (PENDING ones wait for the next invoice). Not paged: one
    /// customer's one-off charges, a few a year; page through them with
    /// `addonBills(filter: {customerId})`.
    #[graphql(
        guard = "Require(Permission::ReadBilling)",
        complexity = "crate::graphql::pagination::unpaged_cost(child_complexity)"
    )]
    async fn addon_bills(&self, ctx: &Context<'_>) -> Result<Vec<AddonBill>> {
        Ok(load_many(ctx, AddonsOfCustomer(self.row_id())).await?.into_iter().map(AddonBill).collect())
    }
    /// Plan changes prorated by days, oldest first: each waits for the customer's next invoice
    /// (`invoice` null) and is then on it. Not paged: one line per change of one customer's
    /// plan, a few in a customer's life.
    #[graphql(
        guard = "Require(Permission::ReadBilling)",
        complexity = "crate::graphql::pagination::unpaged_cost(child_complexity)"
    )]
    async fn plan_changes(&self, ctx: &Context<'_>) -> Result<Vec<PlanChange>> {
        Ok(load_many(ctx, PlanChangesOfCustomer(self.row_id())).await?.into_iter().map(PlanChange).collect())
    }
    /// The open pause of the customer's service (`pauseService`): while there is one the
    /// customer is SUSPENDED and their period is frozen; null when the service is not paused.
    async fn pause(&self, ctx: &Context<'_>) -> Result<Option<ServicePause>> {
        let pauses = load_many(ctx, PausesOfCustomer(self.row_id())).await?;
        Ok(pauses.into_iter().find(|p| p.resumed_on.is_none()).map(ServicePause))
    }
    /// Not paged: a customer pauses a few times a year at most. Every pause of the customer's
    /// service, oldest first, the open one last; each ended one with the `days` it gave back.
    #[graphql(complexity = "crate::graphql::pagination::unpaged_cost(child_complexity)")]
    async fn pauses(&self, ctx: &Context<'_>) -> Result<Vec<ServicePause>> {
        Ok(load_many(ctx, PausesOfCustomer(self.row_id())).await?.into_iter().map(ServicePause).collect())
    }
    /// The customer's network login (PPPoE/IPoE username and static address) that FreeRADIUS
    /// checks; null until `setNetworkCredentials`. The password is write-only.
    async fn network_credentials(&self, ctx: &Context<'_>) -> Result<Option<NetworkCredentials>> {
        crate::network::graphql::credentials_of(ctx, self.row_id()).await
    }
    /// Whether the customer has an open network session (accounting started, not stopped).
    async fn online(&self, ctx: &Context<'_>) -> Result<bool> {
        crate::network::graphql::online(ctx, self.row_id()).await
    }
    /// The customer's network sessions from FreeRADIUS accounting, oldest first (`last:` gives
    /// the newest).
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn sessions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<NetworkSession>> {
        let args = crate::graphql::pagination::PageArgs::new(first, after, last, before);
        crate::network::graphql::sessions_of(ctx, self.row_id(), args).await
    }
    /// Not paged: one entry per business day with traffic from `from` to `to` (both included,
    /// at most 366 days; days without traffic are left out). Bytes up and down per day.
    #[graphql(complexity = "crate::graphql::pagination::list_cost(Some(366), 366, child_complexity)")]
    async fn usage(&self, ctx: &Context<'_>, from: Date, to: Date) -> Result<Vec<DailyUsage>> {
        crate::network::graphql::usage_of(ctx, self.row_id(), from, to).await
    }
    /// Disconnect and CoA requests sent to NAS devices for the customer's sessions, oldest first
    /// (`last:` gives the newest), with their outcome.
    #[graphql(
        guard = "Require(Permission::ManageNetwork)",
        complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)"
    )]
    async fn nas_requests(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<NasRequest>> {
        let args = crate::graphql::pagination::PageArgs::new(first, after, last, before);
        crate::network::graphql::requests_of(ctx, self.row_id(), args).await
    }
}

/// Narrows `customers`: the original system's filters and a few more.
#[derive(InputObject, Default)]
pub struct CustomerFilterInput {
    pub status: Option<CustomerStatus>,
    pub service_type: Option<ServiceType>,
    /// Part of the name, customer number, phone (`mobile` or `alternateMobile`), CAF number or
    /// GSTIN, in any case. A phone number may be typed as on input: `+91 98450 11111` finds
    /// `9845011111`.
    pub search: Option<String>,
    pub locality_id: Option<ID>,
    pub company_id: Option<ID>,
    pub assigned_employee_id: Option<ID>,
    pub billing_type: Option<BillingType>,
    /// Service ends before this date (renewals due).
    pub expiring_before: Option<Date>,
    /// An identity document number, whole (spaces and dashes ignored) or its last four
    /// characters: found through the vault's keyed hashes, never compared in clear.
    #[graphql(secret)]
    pub id_proof_no: Option<String>,
}

impl CustomerFilterInput {
    fn into_filter(self, vault: &IdVault) -> AppResult<CustomerFilter> {
        let id_proof_hashes = self
            .id_proof_no
            .map(|number| crate::id_vault::service::lookup_hashes(vault, &number, "filter.idProofNo"))
            .transpose()?;
        Ok(CustomerFilter {
            only_id: None,
            status: self.status,
            service_type: self.service_type,
            search: crate::validate::search(self.search)?,
            locality_id: self.locality_id.map(|id| expect_id("filter.localityId", Locality::KIND, &id)).transpose()?,
            company_id: self.company_id.map(|id| expect_id("filter.companyId", Company::KIND, &id)).transpose()?,
            assigned_employee_id: self
                .assigned_employee_id
                .map(|id| expect_id("filter.assignedEmployeeId", Employee::KIND, &id))
                .transpose()?,
            billing_type: self.billing_type,
            expiring_before: self.expiring_before.map(|d| d.0),
            id_proof_hashes,
        })
    }
}

#[derive(Default)]
pub struct CustomerQuery;

#[Object]
impl CustomerQuery {
    /// Customers in creation order, paged. A customer logged in to self-service gets only
    /// themselves.
    #[graphql(guard = "Require(Permission::ReadCustomers)", complexity = "page_cost(first, last, child_complexity)")]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        filter: Option<CustomerFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<Customer>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let mut filter = filter.unwrap_or_default().into_filter(ctx.data_unchecked::<IdVault>())?;
        filter.only_id = require(ctx, Permission::ReadCustomers)?.own();
        // The page and the relations the query selects, in one round trip (see prefetch).
        let selection = Selection::of(ctx);
        let (page, fetched) = db(ctx)
            .read(move |conn| {
                let (related, total) = (selection.related, selection.total);
                if selection.brief {
                    let page = repo::page_brief(conn, &filter, window, related, total)?;
                    prefetch::fetch(conn, &selection, page)
                } else {
                    let page = repo::page(conn, &filter, window, related, total)?;
                    prefetch::fetch(conn, &selection, page)
                }
            })
            .await?;
        fetched.feed(ctx).await;
        Ok(connection(page, |row| *crate::shown!(row, id), Customer))
    }

    /// One customer by ID; `null` if there is none (or, for a customer, if it is not them).
    #[graphql(guard = "Require(Permission::ReadCustomers)")]
    async fn customer(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Customer>> {
        let key = expect_id("id", Customer::KIND, &id)?;
        if readable(ctx, key).is_err() {
            return Ok(None);
        }
        Customer::load(ctx, key).await
    }

    /// One customer by the 10-digit customer number on their bill; `null` if there is none.
    #[graphql(guard = "Require(Permission::ReadCustomers)")]
    async fn customer_by_number(&self, ctx: &Context<'_>, customer_id: String) -> Result<Option<Customer>> {
        let number = customer_id.trim().to_owned();
        let Some(key) = db(ctx).read(move |conn| repo::id_by_number(conn, &number)).await? else { return Ok(None) };
        if readable(ctx, key).is_err() {
            return Ok(None);
        }
        Customer::load(ctx, key).await
    }
}

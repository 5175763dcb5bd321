//! GraphQL types and root fields for companies.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};

use std::borrow::Cow;

use super::model::{CompanyBrief, CompanyChanges, CompanyFilter, CompanyRow, NewCompany};
use super::repo;
use super::service::Companies;
use crate::audit::Actor;
use crate::auth::guard::principal;
use crate::auth::guard::Require;
use crate::auth::permissions::Permission;
use crate::documents::upi;
use crate::graphql::context::{db, now, optional_change};
use crate::graphql::ids::{expect_id, global_id};
use crate::graphql::loaders::load;
use crate::graphql::pagination::{connection, page_cost, PageArgs, PageConnection};
use crate::graphql::scalars::{DateTime, Percent};
use crate::graphql::shown::{whole, Shown};
use crate::reference;
use crate::series::model::InvoiceNumbering;
use crate::validate;

crate::by_id_key! {
    /// The id of one of the companies, for the batched lookup by id.
    CompanyId => CompanyRow, super::repo::by_ids
}

crate::by_id_key! {
    /// The id of one of the companies, for the batched lookup of its brief row.
    CompanyBriefId => CompanyBrief, super::repo::briefs_by_ids
}

/// GST rate used when a company is created without one: 18 %.
pub const DEFAULT_GST_RATE_BP: i32 = 1800;

/// Longest signatory name, in characters (it fits the signature block on one line).
const SIGNATORY_CHARS: usize = 80;

/// The ISP or franchise that bills customers: its GSTIN, state and GST rate decide the tax
/// on every invoice it raises.
pub struct Company(pub Shown<CompanyRow, CompanyBrief>);

impl From<CompanyRow> for Company {
    fn from(row: CompanyRow) -> Self {
        Company(Shown::Whole(row))
    }
}

impl Company {
    pub const KIND: crate::ids::Kind = crate::ids::Kind::Company;

    /// The fields [`CompanyBrief`] answers.
    pub const BRIEF_FIELDS: &[&str] = &["__typename", "id", "name", "gstin", "state", "gstRate"];

    /// The company with row id `key`, through the request's batch loader.
    pub async fn load(ctx: &Context<'_>, key: i64) -> Result<Option<Company>> {
        Ok(load(ctx, CompanyId(key)).await?.map(Company::from))
    }

    /// The company with row id `key` as the field being resolved needs it: its brief row when
    /// `brief_read` (a page read brief rows: see `crate::customers::prefetch`) and the field
    /// asks only for [`Company::BRIEF_FIELDS`], else the whole row.
    pub async fn load_for(ctx: &Context<'_>, key: i64, brief_read: bool) -> Result<Option<Company>> {
        if brief_read && crate::graphql::shown::asks_only(ctx, Self::BRIEF_FIELDS) {
            return Ok(load(ctx, CompanyBriefId(key)).await?.map(|row| Company(Shown::Brief(row))));
        }
        Self::load(ctx, key).await
    }

    /// The whole row, loaded by id when this company is a brief one.
    async fn whole(&self, ctx: &Context<'_>) -> Result<Cow<'_, CompanyRow>> {
        whole(ctx, &self.0, CompanyId(*crate::shown!(&self.0, id))).await
    }
}

#[Object]
impl Company {
    /// Opaque ID, unique across all types.
    pub async fn id(&self) -> ID {
        global_id(Self::KIND, *crate::shown!(&self.0, id))
    }
    /// Trading name, unique (ignoring case).
    async fn name(&self) -> &str {
        crate::shown!(&self.0, name)
    }
    /// 15-character GST identification number, if registered.
    async fn gstin(&self) -> Option<&str> {
        crate::shown!(&self.0, gstin).as_deref()
    }
    /// State of registration; customers in the same state pay CGST + SGST, others IGST.
    async fn state(&self) -> &str {
        crate::shown!(&self.0, state)
    }
    async fn address(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.address.clone())
    }
    async fn phone(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.phone.clone())
    }
    async fn email(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.email.clone())
    }
    /// GST rate applied to this company's invoices, in percent (`"18.00"`).
    async fn gst_rate(&self) -> Percent {
        Percent(*crate::shown!(&self.0, gst_rate_bp))
    }
    /// Days a prepaid customer's period may run unpaid before the billing cycle suspends them
    /// (default 7).
    async fn grace_days(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(self.whole(ctx).await?.grace_days)
    }
    /// Days a TERMINATED customer's KYC record (identity document number and personal details)
    /// is kept after termination; the daily erasure then erases the number and anonymises the
    /// customer, leaving invoices and GST records as issued. The operator's choice under its
    /// licence: 730 (two years) unless set with `updateCompany`.
    async fn kyc_retention_days(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(self.whole(ctx).await?.kyc_retention_days)
    }
    /// What FreeRADIUS answers for the company's customers (`setCompanyNetworkSettings`).
    async fn network_settings(&self, ctx: &Context<'_>) -> Result<CompanyNetworkSettings> {
        Ok(company_settings(&*self.whole(ctx).await?))
    }
    /// Days past its due date a postpaid invoice may stay unpaid before the billing cycle
    /// suspends the customer (default 30).
    async fn postpaid_limit_days(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(self.whole(ctx).await?.postpaid_limit_days)
    }
    /// Whether the company e-invoices (an operator whose turnover is above the limit, ₹5 crore
    /// since August 2023): its issued B2B invoices and credit notes then have e-invoice JSON to
    /// upload to the Invoice Registration Portal (`Invoice.einvoiceUrl`), and the IRN it returns
    /// is recorded with `recordEinvoice`. False by default.
    async fn einvoicing(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.whole(ctx).await?.einvoicing)
    }
    async fn created_at(&self, ctx: &Context<'_>) -> Result<DateTime> {
        Ok(DateTime(self.whole(ctx).await?.created_at))
    }
    async fn updated_at(&self, ctx: &Context<'_>) -> Result<DateTime> {
        Ok(DateTime(self.whole(ctx).await?.updated_at))
    }
    /// How new invoices and credit notes are numbered: `TIMESTAMP` (the default, the original
    /// `INV` + time format) or `FINANCIAL_YEAR` (`INV/26-27/000123`, consecutive per year).
    async fn invoice_numbering(&self, ctx: &Context<'_>) -> Result<InvoiceNumbering> {
        Ok(self.whole(ctx).await?.invoice_numbering)
    }
    /// Prefix of financial-year invoice numbers: 1–4 of `A-Z0-9`, `INV` by default.
    async fn invoice_prefix(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.whole(ctx).await?.invoice_prefix.clone())
    }
    /// Prefix of financial-year credit note numbers: 1–4 of `A-Z0-9`, `CN` by default.
    async fn credit_note_prefix(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.whole(ctx).await?.credit_note_prefix.clone())
    }
    /// Name printed in the "Authorised signatory" block of the company's invoices and credit
    /// notes (under "For <company name>"); `null` prints the block without a name. Each
    /// document keeps the name it was issued with: changing it changes only documents issued
    /// afterwards.
    async fn signatory_name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.signatory_name.clone())
    }
    /// UPI address (VPA, such as `vidarbhafibernet@okaxis`) that customers pay to. When set,
    /// every invoice with a balance prints a UPI QR code for that balance (and its HTML links
    /// to `upi://pay`); `null`: no QR code. Read when a document is shown, so a change reaches
    /// old invoices too.
    async fn upi_vpa(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.upi_vpa.clone())
    }
    /// Prefix of its financial-year debit note numbers (`DN/26-27/0000001`).
    async fn debit_note_prefix(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.whole(ctx).await?.debit_note_prefix.clone())
    }
}

/// Narrows `companies`.
#[derive(InputObject, Default)]
pub struct CompanyFilterInput {
    /// Part of the name, any case.
    pub search: Option<String>,
}

/// A new company.
#[derive(InputObject)]
pub struct CreateCompanyInput {
    /// Trading name; must not be used by another company.
    pub name: String,
    /// GSTIN, checked for shape and check character. Without one the company charges no GST
    /// and issues bills of supply (CGST Act section 32).
    pub gstin: Option<String>,
    /// State of registration, e.g. `Maharashtra`.
    pub state: String,
    /// Required with a GSTIN: tax invoices show it.
    pub address: Option<String>,
    /// 10-digit mobile or 11-digit landline with STD code.
    pub phone: Option<String>,
    pub email: Option<String>,
    /// GST rate in percent; 18.00 when left out.
    pub gst_rate: Option<Percent>,
    /// `FINANCIAL_YEAR` when left out. `TIMESTAMP` (the original system's `INV` + time) only
    /// for a company without a GSTIN. Under `FINANCIAL_YEAR` no two companies share a prefix.
    pub invoice_numbering: Option<InvoiceNumbering>,
    /// 1–4 of `A-Z0-9` (lower case is raised). When left out: `INV`, or the first of `INV2`,
    /// `INV3` ... that no other company uses.
    pub invoice_prefix: Option<String>,
    /// 1–4 of `A-Z0-9`, not the invoice prefix. When left out: `CN`, or the first of `CN2`,
    /// `CN3` ... that no other company uses.
    pub credit_note_prefix: Option<String>,
    /// 1–4 of `A-Z0-9`, not the other two. When left out: `DN`, or the first of `DN2`, `DN3`
    /// ... that no other company uses.
    pub debit_note_prefix: Option<String>,
    /// Days a prepaid period may run unpaid before suspension (0–365; 7 when left out).
    pub grace_days: Option<i32>,
    /// Days past due a postpaid invoice may stay unpaid before suspension (0–365; 30 when
    /// left out).
    pub postpaid_limit_days: Option<i32>,
    /// Who signs for the company: printed in the "Authorised signatory" block of its
    /// documents (up to 80 characters, one line). Left out: the block has no name.
    pub signatory_name: Option<String>,
    /// UPI address customers pay to, `name@handle` (lower-cased; letters, digits, `.`, `-`,
    /// `_` before the `@`). Left out: invoices print no UPI QR code.
    pub upi_vpa: Option<String>,
    /// E-invoicing (see `Company.einvoicing`); false when left out. Needs a GSTIN and an
    /// address with its 6-digit PIN code (the e-invoice's `SellerDtls`).
    pub einvoicing: Option<bool>,
}

/// Changes to a company: leave a field out to keep it, send `null` to clear an optional one.
#[derive(InputObject)]
pub struct UpdateCompanyInput {
    pub name: Option<String>,
    pub gstin: MaybeUndefined<String>,
    pub state: Option<String>,
    pub address: MaybeUndefined<String>,
    pub phone: MaybeUndefined<String>,
    pub email: MaybeUndefined<String>,
    pub gst_rate: Option<Percent>,
    /// Switching to `FINANCIAL_YEAR` starts the series at 1 (or goes on where this year's
    /// series under the same prefix stopped); numbers already issued stay as they are.
    pub invoice_numbering: Option<InvoiceNumbering>,
    /// A new prefix starts a new series (at 1).
    pub invoice_prefix: Option<String>,
    pub credit_note_prefix: Option<String>,
    /// A new prefix starts a new series (at 1).
    pub debit_note_prefix: Option<String>,
    /// Days a prepaid period may run unpaid before suspension (0–365; 7 when left out).
    pub grace_days: Option<i32>,
    /// Days past due a postpaid invoice may stay unpaid before suspension (0–365; 30 when
    /// left out).
    pub postpaid_limit_days: Option<i32>,
    /// Printed on documents issued from now on; those already issued keep their name.
    /// `null` removes the name (the block stays).
    pub signatory_name: MaybeUndefined<String>,
    /// `name@handle`; `null` stops printing UPI QR codes. Reaches every invoice still owed,
    /// old ones included.
    pub upi_vpa: MaybeUndefined<String>,
    /// Switches e-invoicing on or off (see `Company.einvoicing`); on needs a GSTIN and an
    /// address with its 6-digit PIN code. Documents already issued are e-invoiced too once on.
    pub einvoicing: Option<bool>,
    /// Days a TERMINATED customer's KYC record is kept (0–36500; see `Company.kycRetentionDays`).
    pub kyc_retention_days: Option<i32>,
}

impl CreateCompanyInput {
    fn validate(self) -> crate::error::AppResult<NewCompany> {
        let now = now();
        let new = NewCompany {
            name: validate::required_text("name", &self.name, 120)?,
            gstin: self.gstin.as_deref().map(|g| validate::gstin("gstin", g)).transpose()?,
            state: validate::state("state", &self.state)?,
            address: validate::optional_multiline("address", self.address.as_deref(), 500)?,
            phone: self.phone.as_deref().map(|p| validate::phone("phone", p)).transpose()?,
            email: self.email.as_deref().map(|e| validate::email("email", e)).transpose()?,
            gst_rate_bp: validate::rate_basis_points("gstRate", self.gst_rate.map_or(DEFAULT_GST_RATE_BP, |p| p.0))?,
            created_at: now,
            updated_at: now,
            invoice_numbering: self.invoice_numbering.unwrap_or(InvoiceNumbering::FinancialYear),
            invoice_prefix: prefix("invoicePrefix", self.invoice_prefix.as_deref().unwrap_or("INV"))?,
            credit_note_prefix: prefix("creditNotePrefix", self.credit_note_prefix.as_deref().unwrap_or("CN"))?,
            debit_note_prefix: prefix("debitNotePrefix", self.debit_note_prefix.as_deref().unwrap_or("DN"))?,
            grace_days: days("graceDays", self.grace_days.unwrap_or(7))?,
            postpaid_limit_days: days("postpaidLimitDays", self.postpaid_limit_days.unwrap_or(30))?,
            signatory_name: validate::optional_text("signatoryName", self.signatory_name.as_deref(), SIGNATORY_CHARS)?,
            upi_vpa: self.upi_vpa.as_deref().map(|v| upi::vpa("upiVpa", v)).transpose()?,
            einvoicing: self.einvoicing.unwrap_or(false),
        };
        super::service::distinct_prefixes(&new.invoice_prefix, &new.credit_note_prefix, &new.debit_note_prefix)?;
        if let Some(gstin) = &new.gstin {
            validate::gstin_in_state("gstin", gstin, &new.state)?;
        }
        Ok(new)
    }
}

impl UpdateCompanyInput {
    fn validate(self) -> crate::error::AppResult<CompanyChanges> {
        Ok(CompanyChanges {
            name: self.name.map(|n| validate::required_text("name", &n, 120)).transpose()?,
            gstin: optional_change(self.gstin, |g| validate::gstin("gstin", &g))?,
            state: self.state.map(|s| validate::state("state", &s)).transpose()?,
            address: optional_change(self.address, |a| validate::required_multiline("address", &a, 500))?,
            phone: optional_change(self.phone, |p| validate::phone("phone", &p))?,
            email: optional_change(self.email, |e| validate::email("email", &e))?,
            gst_rate_bp: self.gst_rate.map(|p| validate::rate_basis_points("gstRate", p.0)).transpose()?,
            updated_at: now(),
            invoice_numbering: self.invoice_numbering,
            invoice_prefix: self.invoice_prefix.map(|p| prefix("invoicePrefix", &p)).transpose()?,
            credit_note_prefix: self.credit_note_prefix.map(|p| prefix("creditNotePrefix", &p)).transpose()?,
            debit_note_prefix: self.debit_note_prefix.map(|p| prefix("debitNotePrefix", &p)).transpose()?,
            grace_days: self.grace_days.map(|d| days("graceDays", d)).transpose()?,
            postpaid_limit_days: self.postpaid_limit_days.map(|d| days("postpaidLimitDays", d)).transpose()?,
            signatory_name: optional_change(self.signatory_name, |n| {
                validate::required_text("signatoryName", &n, SIGNATORY_CHARS)
            })?,
            upi_vpa: optional_change(self.upi_vpa, |v| upi::vpa("upiVpa", &v))?,
            einvoicing: self.einvoicing,
            kyc_retention_days: self
                .kyc_retention_days
                .map(|d| {
                    if (0..=36_500).contains(&d) {
                        Ok(d)
                    } else {
                        Err(crate::error::AppError::bad_input(
                            "kycRetentionDays",
                            "`kycRetentionDays` must be between 0 and 36500",
                        ))
                    }
                })
                .transpose()?,
        })
    }
}

/// A series prefix, or `BAD_USER_INPUT` on `field`.
fn prefix(field: &str, value: &str) -> crate::error::AppResult<String> {
    crate::series::rules::prefix(value).map_err(|m| crate::error::AppError::bad_input(field, format!("`{field}` {m}")))
}

#[derive(Default)]
pub struct CompanyQuery;

#[Object]
impl CompanyQuery {
    /// Companies in creation order, paged.
    #[graphql(
        guard = "Require(Permission::ReadReferenceData)",
        complexity = "page_cost(first, last, child_complexity)"
    )]
    async fn companies(
        &self,
        ctx: &Context<'_>,
        filter: Option<CompanyFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<Company>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let filter = CompanyFilter { search: validate::search(filter.unwrap_or_default().search)? };
        let page = db(ctx).read(move |conn| repo::page(conn, &filter, window)).await?;
        Ok(connection(page, |row| row.id, Company::from))
    }

    /// One company by ID; `null` if there is none.
    #[graphql(guard = "Require(Permission::ReadReferenceData)")]
    async fn company(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Company>> {
        Company::load(ctx, expect_id("id", Company::KIND, &id)?).await
    }
}

#[derive(Default)]
pub struct CompanyMutation;

#[Object]
impl CompanyMutation {
    /// Creates a company. `CONFLICT` when the name is taken.
    #[graphql(guard = "Require(Permission::WriteReferenceData)")]
    async fn create_company(&self, ctx: &Context<'_>, input: CreateCompanyInput) -> Result<Company> {
        let actor = Actor::from(principal(ctx)?);
        let defaults =
            (input.invoice_prefix.is_none(), input.credit_note_prefix.is_none(), input.debit_note_prefix.is_none());
        let mut new = input.validate()?;
        let row = db(ctx)
            .write(move |conn| {
                super::service::default_prefixes(conn, &mut new, defaults)?;
                reference::create::<Companies>(conn, &new, &actor)
            })
            .await?;
        Ok(Company::from(row))
    }

    /// Changes a company. `NOT_FOUND` for an unknown ID, `CONFLICT` when the new name is taken.
    #[graphql(guard = "Require(Permission::WriteReferenceData)")]
    async fn update_company(&self, ctx: &Context<'_>, id: ID, input: UpdateCompanyInput) -> Result<Company> {
        let key = expect_id("id", Company::KIND, &id)?;
        let actor = Actor::from(principal(ctx)?);
        let changes = input.validate()?;
        let row = db(ctx).write(move |conn| reference::update::<Companies>(conn, key, &changes, &actor)).await?;
        Ok(Company::from(row))
    }

    /// Deletes a company that has no localities or plans (`CONFLICT` otherwise). Returns its ID.
    #[graphql(guard = "Require(Permission::WriteReferenceData)")]
    async fn delete_company(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let key = expect_id("id", Company::KIND, &id)?;
        let actor = Actor::from(principal(ctx)?);
        db(ctx).write(move |conn| reference::delete::<Companies>(conn, key, &actor)).await?;
        Ok(id)
    }
}

/// A number of days for the billing cycle's limits.
fn days(field: &str, value: i32) -> crate::error::AppResult<i32> {
    if !(0..=365).contains(&value) {
        return Err(crate::error::AppError::bad_input(field, format!("`{field}` must be between 0 and 365")));
    }
    Ok(value)
}

/// What FreeRADIUS answers for a company's customers.
pub struct CompanyNetworkSettings {
    pub rate_attribute: String,
    pub suspended_access: crate::network::model::SuspendedAccess,
    pub walled_garden_pool: String,
    pub payment_link: Option<String>,
}

#[Object]
impl CompanyNetworkSettings {
    /// The reply attribute a plan's speed is sent in (`Mikrotik-Rate-Limit` unless changed).
    async fn rate_attribute(&self) -> &str {
        &self.rate_attribute
    }
    /// What a SUSPENDED customer's login gets: the walled garden (they can still reach the
    /// payment page) or a reject.
    async fn suspended_access(&self) -> crate::network::model::SuspendedAccess {
        self.suspended_access
    }
    /// The address pool (`Framed-Pool`) of the walled garden.
    async fn walled_garden_pool(&self) -> &str {
        &self.walled_garden_pool
    }
    /// The company's payment page at its gateway, offered on the walled garden's `/pay` page
    /// beside the UPI QR code (`{customer}` and `{amount}` in it are filled in there); `null`:
    /// the page offers UPI only.
    async fn payment_link(&self) -> Option<&str> {
        self.payment_link.as_deref()
    }
}

/// `Company.networkSettings`.
pub fn company_settings(row: &CompanyRow) -> CompanyNetworkSettings {
    CompanyNetworkSettings {
        rate_attribute: row.radius_rate_attribute.clone(),
        suspended_access: row.radius_suspended,
        walled_garden_pool: row.radius_walled_pool.clone(),
        payment_link: row.pay_link.clone(),
    }
}

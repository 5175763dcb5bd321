//! GraphQL types and root fields for plans.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};

use std::borrow::Cow;

use super::model::{NewPlan, PlanBrief, PlanChanges, PlanFilter, PlanRow};
use super::repo;
use super::service::Plans;
use crate::audit::Actor;
use crate::auth::guard::principal;
use crate::auth::guard::Require;
use crate::auth::permissions::Permission;
use crate::companies::graphql::Company;
use crate::enums::ServiceType;
use crate::error::{AppError, AppResult};
use crate::graphql::context::{db, now, optional_change};
use crate::graphql::ids::{expect_id, global_id};
use crate::graphql::loaders::load;
use crate::graphql::pagination::{connection, page_cost, PageArgs, PageConnection};
use crate::graphql::scalars::{DateTime, Money};
use crate::graphql::shown::{whole, Shown};
use crate::reference;
use crate::validate;

crate::by_id_key! {
    /// The id of one of the plans, for the batched lookup by id.
    PlanId => PlanRow, super::repo::by_ids
}

crate::by_id_key! {
    /// The id of one of the plans, for the batched lookup of its brief row.
    PlanBriefId => PlanBrief, super::repo::briefs_by_ids
}

/// Validity of a plan when none is given, in days.
pub const DEFAULT_VALIDITY_DAYS: i32 = 30;

/// A broadband or cable-TV plan a customer subscribes to.
pub struct Plan(pub Shown<PlanRow, PlanBrief>);

impl From<PlanRow> for Plan {
    fn from(row: PlanRow) -> Self {
        Plan(Shown::Whole(row))
    }
}

impl Plan {
    pub const KIND: crate::ids::Kind = crate::ids::Kind::Plan;

    /// The fields [`PlanBrief`] answers.
    pub const BRIEF_FIELDS: &[&str] = &["__typename", "id", "name", "serviceType", "speed", "price"];

    /// The plan with row id `key`, through the request's batch loader.
    pub async fn load(ctx: &Context<'_>, key: i64) -> Result<Option<Plan>> {
        Ok(load(ctx, PlanId(key)).await?.map(Plan::from))
    }

    /// The plan with row id `key` as the field being resolved needs it: its brief row when
    /// `brief_read` (a page read brief rows: see `crate::customers::prefetch`) and the field
    /// asks only for [`Plan::BRIEF_FIELDS`], else the whole row.
    pub async fn load_for(ctx: &Context<'_>, key: i64, brief_read: bool) -> Result<Option<Plan>> {
        if brief_read && crate::graphql::shown::asks_only(ctx, Self::BRIEF_FIELDS) {
            return Ok(load(ctx, PlanBriefId(key)).await?.map(|row| Plan(Shown::Brief(row))));
        }
        Self::load(ctx, key).await
    }

    /// The whole row, loaded by id when this plan is a brief one.
    async fn whole(&self, ctx: &Context<'_>) -> Result<Cow<'_, PlanRow>> {
        whole(ctx, &self.0, PlanId(*crate::shown!(&self.0, id))).await
    }
}

#[Object]
impl Plan {
    /// Opaque ID, unique across all types.
    pub async fn id(&self) -> ID {
        global_id(Self::KIND, *crate::shown!(&self.0, id))
    }
    /// Name, unique (ignoring case) within its company.
    async fn name(&self) -> &str {
        crate::shown!(&self.0, name)
    }
    async fn description(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.description.clone())
    }
    async fn service_type(&self) -> Result<ServiceType> {
        Ok(*crate::shown!(&self.0, service_type))
    }
    /// Free text shown to customers, e.g. `"100 Mbps"`.
    async fn speed(&self) -> Option<&str> {
        crate::shown!(&self.0, speed).as_deref()
    }
    /// Free text shown to customers, e.g. `"Unlimited"` or `"1000 GB"`.
    async fn data_limit(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.data_limit.clone())
    }
    /// Price for one period of `validityDays`, before GST: a customer is billed this for every
    /// `validityDays` their billing period (`periodMonths` × 30 days) holds.
    async fn price(&self) -> Money {
        Money(*crate::shown!(&self.0, price_paise))
    }
    /// Days the price buys: a whole number of 30-day months (30 monthly, 90 quarterly, 180
    /// half-yearly, 360 yearly). A customer's `periodMonths` must be a multiple of
    /// `validityDays` ÷ 30.
    async fn validity_days(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(self.whole(ctx).await?.validity_days)
    }
    /// Whether new customers can be put on this plan.
    async fn is_active(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.whole(ctx).await?.is_active)
    }
    /// The speed sent to the network when the plan's customers log in (`setPlanRateLimit`);
    /// null: no limit is sent.
    async fn rate_limit(&self, ctx: &Context<'_>) -> Result<Option<RateLimit>> {
        let row = self.whole(ctx).await?;
        Ok(rate_limit(row.upload_kbps, row.download_kbps))
    }
    /// The company offering the plan.
    async fn company(&self, ctx: &Context<'_>) -> Result<Company> {
        let row = self.whole(ctx).await?;
        Company::load(ctx, row.company_id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("plan {} has no company", row.id)).into())
    }
    async fn created_at(&self, ctx: &Context<'_>) -> Result<DateTime> {
        Ok(DateTime(self.whole(ctx).await?.created_at))
    }
    async fn updated_at(&self, ctx: &Context<'_>) -> Result<DateTime> {
        Ok(DateTime(self.whole(ctx).await?.updated_at))
    }
}

/// Narrows `plans`.
#[derive(InputObject, Default)]
pub struct PlanFilterInput {
    pub service_type: Option<ServiceType>,
    pub company_id: Option<ID>,
    pub is_active: Option<bool>,
}

/// A new plan.
#[derive(InputObject)]
pub struct CreatePlanInput {
    /// The company offering it.
    pub company_id: ID,
    pub name: String,
    pub description: Option<String>,
    pub service_type: ServiceType,
    pub speed: Option<String>,
    pub data_limit: Option<String>,
    /// Price for one period of `validityDays`, before GST; not negative.
    pub price: Money,
    /// Days the price buys, a whole number of 30-day months (30, 60, 90, ... 3600); 30 when
    /// left out.
    pub validity_days: Option<i32>,
    /// `true` when left out.
    pub is_active: Option<bool>,
}

/// Changes to a plan: leave a field out to keep it, send `null` to clear an optional one.
#[derive(InputObject)]
pub struct UpdatePlanInput {
    pub company_id: Option<ID>,
    pub name: Option<String>,
    pub description: MaybeUndefined<String>,
    pub service_type: Option<ServiceType>,
    pub speed: MaybeUndefined<String>,
    pub data_limit: MaybeUndefined<String>,
    /// The new price per `validityDays`: invoices already raised keep theirs.
    pub price: Option<Money>,
    /// Refused (`CONFLICT`) while a customer on the plan has a `periodMonths` that is not a
    /// multiple of the new `validityDays` ÷ 30.
    pub validity_days: Option<i32>,
    pub is_active: Option<bool>,
}

fn validity_days(days: i32) -> AppResult<i32> {
    crate::plans::rules::validity_days(days).map_err(|m| AppError::bad_input("validityDays", m))
}

impl CreatePlanInput {
    fn validate(self) -> AppResult<NewPlan> {
        let now = now();
        Ok(NewPlan {
            company_id: expect_id("companyId", Company::KIND, &self.company_id)?,
            name: validate::required_text("name", &self.name, 120)?,
            description: validate::optional_multiline("description", self.description.as_deref(), 1000)?,
            service_type: self.service_type,
            speed: validate::optional_text("speed", self.speed.as_deref(), 60)?,
            data_limit: validate::optional_text("dataLimit", self.data_limit.as_deref(), 60)?,
            price_paise: validate::non_negative_paise("price", self.price.0)?,
            validity_days: validity_days(self.validity_days.unwrap_or(DEFAULT_VALIDITY_DAYS))?,
            is_active: self.is_active.unwrap_or(true),
            created_at: now,
            updated_at: now,
        })
    }
}

impl UpdatePlanInput {
    fn validate(self) -> AppResult<PlanChanges> {
        Ok(PlanChanges {
            company_id: self.company_id.map(|id| expect_id("companyId", Company::KIND, &id)).transpose()?,
            name: self.name.map(|v| validate::required_text("name", &v, 120)).transpose()?,
            description: optional_change(self.description, |v| validate::required_multiline("description", &v, 1000))?,
            service_type: self.service_type,
            speed: optional_change(self.speed, |v| validate::required_text("speed", &v, 60))?,
            data_limit: optional_change(self.data_limit, |v| validate::required_text("dataLimit", &v, 60))?,
            price_paise: self.price.map(|p| validate::non_negative_paise("price", p.0)).transpose()?,
            validity_days: self.validity_days.map(validity_days).transpose()?,
            is_active: self.is_active,
            updated_at: now(),
        })
    }
}

#[derive(Default)]
pub struct PlanQuery;

#[Object]
impl PlanQuery {
    /// Plans in creation order, paged.
    #[graphql(
        guard = "Require(Permission::ReadReferenceData)",
        complexity = "page_cost(first, last, child_complexity)"
    )]
    async fn plans(
        &self,
        ctx: &Context<'_>,
        filter: Option<PlanFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<Plan>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let filter = filter.unwrap_or_default();
        let filter = PlanFilter {
            service_type: filter.service_type,
            company_id: filter.company_id.map(|id| expect_id("filter.companyId", Company::KIND, &id)).transpose()?,
            is_active: filter.is_active,
        };
        let page = db(ctx).read(move |conn| repo::page(conn, &filter, window)).await?;
        Ok(connection(page, |row| row.id, Plan::from))
    }

    /// One plan by ID; `null` if there is none.
    #[graphql(guard = "Require(Permission::ReadReferenceData)")]
    async fn plan(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Plan>> {
        Plan::load(ctx, expect_id("id", Plan::KIND, &id)?).await
    }
}

#[derive(Default)]
pub struct PlanMutation;

#[Object]
impl PlanMutation {
    /// Creates a plan. `BAD_USER_INPUT` for an unknown company, `CONFLICT` for a duplicate name.
    #[graphql(guard = "Require(Permission::WriteReferenceData)")]
    async fn create_plan(&self, ctx: &Context<'_>, input: CreatePlanInput) -> Result<Plan> {
        let actor = Actor::from(principal(ctx)?);
        let new = input.validate()?;
        let row = db(ctx).write(move |conn| reference::create::<Plans>(conn, &new, &actor)).await?;
        Ok(Plan::from(row))
    }

    /// Changes a plan; existing customers keep their invoices. `NOT_FOUND` for an unknown ID.
    #[graphql(guard = "Require(Permission::WriteReferenceData)")]
    async fn update_plan(&self, ctx: &Context<'_>, id: ID, input: UpdatePlanInput) -> Result<Plan> {
        let key = expect_id("id", Plan::KIND, &id)?;
        let actor = Actor::from(principal(ctx)?);
        let changes = input.validate()?;
        let row = db(ctx).write(move |conn| reference::update::<Plans>(conn, key, &changes, &actor)).await?;
        Ok(Plan::from(row))
    }

    /// Deletes a plan no customer is on (`CONFLICT` otherwise: deactivate it). Returns its ID.
    #[graphql(guard = "Require(Permission::WriteReferenceData)")]
    async fn delete_plan(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let key = expect_id("id", Plan::KIND, &id)?;
        let actor = Actor::from(principal(ctx)?);
        db(ctx).write(move |conn| reference::delete::<Plans>(conn, key, &actor)).await?;
        Ok(id)
    }
}

/// A plan's speed, sent to the NAS when a customer on the plan logs in.
pub struct RateLimit {
    pub upload_kbps: i32,
    pub download_kbps: i32,
}

#[Object]
impl RateLimit {
    /// Upload (from the customer) in kbit/s.
    async fn upload_kbps(&self) -> i32 {
        self.upload_kbps
    }
    /// Download (to the customer) in kbit/s.
    async fn download_kbps(&self) -> i32 {
        self.download_kbps
    }
    /// The value sent in the company's rate attribute (`Mikrotik-Rate-Limit` format, upload
    /// first: `"10240k/51200k"`).
    async fn value(&self) -> String {
        crate::network::rules::rate_limit(self.upload_kbps, self.download_kbps)
    }
}

/// `Plan.rateLimit`.
pub fn rate_limit(upload: Option<i32>, download: Option<i32>) -> Option<RateLimit> {
    upload.zip(download).map(|(upload_kbps, download_kbps)| RateLimit { upload_kbps, download_kbps })
}

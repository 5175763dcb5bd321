//! GraphQL types and root fields for localities.

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::model::{LocalityChanges, LocalityFilter, LocalityRow, NewLocality};
use super::repo;
use super::service::Localities;
use crate::audit::Actor;
use crate::auth::guard::principal;
use crate::auth::guard::Require;
use crate::auth::permissions::Permission;
use crate::companies::graphql::Company;
use crate::error::{AppError, AppResult};
use crate::graphql::context::{db, now};
use crate::graphql::ids::{expect_id, global_id};
use crate::graphql::loaders::load;
use crate::graphql::pagination::{connection, page_cost, PageArgs, PageConnection};
use crate::graphql::scalars::DateTime;
use crate::reference;
use crate::validate;

crate::by_id_key! {
    /// The id of one of the localities, for the batched lookup by id.
    LocalityId => LocalityRow, super::repo::by_ids
}

/// A neighbourhood a company serves; customers are grouped by it for collection rounds.
pub struct Locality(pub LocalityRow);

impl Locality {
    pub const KIND: crate::ids::Kind = crate::ids::Kind::Locality;

    /// The locality with row id `key`, through the request's batch loader.
    pub async fn load(ctx: &Context<'_>, key: i64) -> Result<Option<Locality>> {
        Ok(load(ctx, LocalityId(key)).await?.map(Locality))
    }
}

#[Object]
impl Locality {
    /// Opaque ID, unique across all types.
    pub async fn id(&self) -> ID {
        global_id(Self::KIND, self.0.id)
    }
    /// Name, unique (ignoring case) within its company and city.
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn city(&self) -> &str {
        &self.0.city
    }
    async fn state(&self) -> &str {
        &self.0.state
    }
    /// 6-digit PIN code.
    async fn pincode(&self) -> &str {
        &self.0.pincode
    }
    /// The company serving this locality.
    async fn company(&self, ctx: &Context<'_>) -> Result<Company> {
        Company::load(ctx, self.0.company_id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("locality {} has no company", self.0.id)).into())
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

/// Narrows `localities`.
#[derive(InputObject, Default)]
pub struct LocalityFilterInput {
    /// Only this company's localities.
    pub company_id: Option<ID>,
    /// Part of the name, city or PIN code, any case.
    pub search: Option<String>,
}

/// A new locality.
#[derive(InputObject)]
pub struct CreateLocalityInput {
    /// The company serving it.
    pub company_id: ID,
    pub name: String,
    pub city: String,
    pub state: String,
    /// 6-digit PIN code.
    pub pincode: String,
}

/// Changes to a locality: leave a field out to keep it.
#[derive(InputObject)]
pub struct UpdateLocalityInput {
    pub company_id: Option<ID>,
    pub name: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub pincode: Option<String>,
}

impl CreateLocalityInput {
    fn validate(self) -> AppResult<NewLocality> {
        let now = now();
        let state = validate::state("state", &self.state)?;
        let pincode = validate::pincode("pincode", &self.pincode)?;
        validate::pincode_in_state("pincode", &pincode, &state)?;
        Ok(NewLocality {
            company_id: expect_id("companyId", Company::KIND, &self.company_id)?,
            name: validate::required_text("name", &self.name, 120)?,
            city: validate::required_text("city", &self.city, 80)?,
            state,
            pincode,
            created_at: now,
            updated_at: now,
        })
    }
}

impl UpdateLocalityInput {
    fn validate(self) -> AppResult<LocalityChanges> {
        Ok(LocalityChanges {
            company_id: self.company_id.map(|id| expect_id("companyId", Company::KIND, &id)).transpose()?,
            name: self.name.map(|v| validate::required_text("name", &v, 120)).transpose()?,
            city: self.city.map(|v| validate::required_text("city", &v, 80)).transpose()?,
            state: self.state.map(|v| validate::state("state", &v)).transpose()?,
            pincode: self.pincode.map(|v| validate::pincode("pincode", &v)).transpose()?,
            updated_at: now(),
        })
    }
}

#[derive(Default)]
pub struct LocalityQuery;

#[Object]
impl LocalityQuery {
    /// Localities in creation order, paged.
    #[graphql(
        guard = "Require(Permission::ReadReferenceData)",
        complexity = "page_cost(first, last, child_complexity)"
    )]
    async fn localities(
        &self,
        ctx: &Context<'_>,
        filter: Option<LocalityFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<Locality>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let filter = filter.unwrap_or_default();
        let filter = LocalityFilter {
            company_id: filter.company_id.map(|id| expect_id("filter.companyId", Company::KIND, &id)).transpose()?,
            search: validate::search(filter.search)?,
        };
        let page = db(ctx).read(move |conn| repo::page(conn, &filter, window)).await?;
        Ok(connection(page, |row| row.id, Locality))
    }

    /// One locality by ID; `null` if there is none.
    #[graphql(guard = "Require(Permission::ReadReferenceData)")]
    async fn locality(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Locality>> {
        Locality::load(ctx, expect_id("id", Locality::KIND, &id)?).await
    }
}

#[derive(Default)]
pub struct LocalityMutation;

#[Object]
impl LocalityMutation {
    /// Creates a locality. `BAD_USER_INPUT` for an unknown company, `CONFLICT` for a duplicate name.
    #[graphql(guard = "Require(Permission::WriteReferenceData)")]
    async fn create_locality(&self, ctx: &Context<'_>, input: CreateLocalityInput) -> Result<Locality> {
        let actor = Actor::from(principal(ctx)?);
        let new = input.validate()?;
        let row = db(ctx).write(move |conn| reference::create::<Localities>(conn, &new, &actor)).await?;
        Ok(Locality(row))
    }

    /// Changes a locality. `NOT_FOUND` for an unknown ID.
    #[graphql(guard = "Require(Permission::WriteReferenceData)")]
    async fn update_locality(&self, ctx: &Context<'_>, id: ID, input: UpdateLocalityInput) -> Result<Locality> {
        let key = expect_id("id", Locality::KIND, &id)?;
        let actor = Actor::from(principal(ctx)?);
        let changes = input.validate()?;
        let row = db(ctx).write(move |conn| reference::update::<Localities>(conn, key, &changes, &actor)).await?;
        Ok(Locality(row))
    }

    /// Deletes a locality no customer lives in (`CONFLICT` otherwise). Returns its ID.
    #[graphql(guard = "Require(Permission::WriteReferenceData)")]
    async fn delete_locality(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let key = expect_id("id", Locality::KIND, &id)?;
        let actor = Actor::from(principal(ctx)?);
        db(ctx).write(move |conn| reference::delete::<Localities>(conn, key, &actor)).await?;
        Ok(id)
    }
}

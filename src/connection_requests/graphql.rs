//! The `ConnectionRequest` type, its query and mutations.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};

use super::model::{check_transition, ConnectionRequestRow, ConnectionRequestStatus, NewConnectionRequest};
use super::repo;
use crate::audit::Actor;
use crate::auth::guard::{principal, request_auth, Require};
use crate::auth::permissions::Permission;
use crate::customers::graphql::Customer;
use crate::customers::inputs::CreateCustomerInput;
use crate::error::AppError;
use crate::events::Event;
use crate::graphql::context::{db, events};
use crate::graphql::ids::{expect_id, global_id};
use crate::graphql::loaders::load;
use crate::graphql::pagination::{connection, page_cost, PageArgs, PageConnection};
use crate::graphql::scalars::DateTime;
use crate::localities::graphql::{Locality, LocalityId};
use crate::notifications::model::{NotificationKind, Recipient};
use crate::notifications::Outbox;
use crate::plans::graphql::{Plan, PlanId};
use crate::validate;

crate::by_id_key! {
    /// The id of one of the connection requests, for the batched lookup by id.
    ConnectionRequestId => ConnectionRequestRow, super::repo::by_ids
}

/// How many connection requests one client address may send per hour (schema data).
#[derive(Debug, Clone, Copy)]
pub struct RequestLimit(pub i64);

/// Somebody asking for a connection through the operator's website.
pub struct ConnectionRequest(pub ConnectionRequestRow);

impl ConnectionRequest {
    pub const KIND: crate::ids::Kind = crate::ids::Kind::ConnectionRequest;
}

#[Object]
impl ConnectionRequest {
    /// Opaque ID, unique across all types.
    async fn id(&self) -> ID {
        global_id(Self::KIND, self.0.id)
    }
    async fn full_name(&self) -> &str {
        &self.0.full_name
    }
    async fn mobile(&self) -> &str {
        &self.0.mobile
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn address(&self) -> &str {
        &self.0.address
    }
    async fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }
    async fn status(&self) -> Result<ConnectionRequestStatus> {
        Ok(self.0.status)
    }
    async fn locality(&self, ctx: &Context<'_>) -> Result<Option<Locality>> {
        match self.0.locality_id {
            Some(id) => Ok(load(ctx, LocalityId(id)).await?.map(Locality)),
            None => Ok(None),
        }
    }
    /// The plan they asked for.
    async fn plan(&self, ctx: &Context<'_>) -> Result<Option<Plan>> {
        match self.0.plan_id {
            Some(id) => Ok(load(ctx, PlanId(id)).await?.map(Plan::from)),
            None => Ok(None),
        }
    }
    /// The customer it became, once CONVERTED.
    async fn customer(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        match self.0.customer_id {
            Some(id) => Customer::load(ctx, id).await,
            None => Ok(None),
        }
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

/// The website form.
#[derive(InputObject)]
pub struct CreateConnectionRequestInput {
    pub full_name: String,
    /// The number to call back: a 10-digit mobile, or an 11-digit landline with its STD code
    /// (`+91`, spaces and dashes are dropped).
    pub mobile: String,
    pub email: Option<String>,
    pub address: String,
    pub locality_id: Option<ID>,
    /// The plan they are interested in.
    pub plan_id: Option<ID>,
    pub message: Option<String>,
}

/// What the website shows after the form is sent.
#[derive(SimpleObject)]
pub struct ConnectionRequestReceipt {
    /// Quote it when calling the operator.
    pub reference: ID,
    pub message: String,
}

/// A converted request and the customer made from it.
#[derive(SimpleObject)]
pub struct ConvertConnectionRequestPayload {
    pub connection_request: ConnectionRequest,
    pub customer: Customer,
}

#[derive(Default)]
pub struct ConnectionRequestQuery;

#[Object]
impl ConnectionRequestQuery {
    /// Connection requests, oldest first (`last:` gives the newest), optionally of one status.
    #[graphql(guard = "Require(Permission::WriteCustomers)", complexity = "page_cost(first, last, child_complexity)")]
    async fn connection_requests(
        &self,
        ctx: &Context<'_>,
        status: Option<ConnectionRequestStatus>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<ConnectionRequest>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let page = db(ctx).read(move |conn| repo::page(conn, status, window)).await?;
        Ok(connection(page, |row| row.id, ConnectionRequest))
    }
}

#[derive(Default)]
pub struct ConnectionRequestMutation;

#[Object]
impl ConnectionRequestMutation {
    /// The website's "get connected" form: public (no login), at most a few per hour from one
    /// address (`TOO_MANY_REQUESTS` beyond). Staff are notified and see it live.
    async fn create_connection_request(
        &self,
        ctx: &Context<'_>,
        input: CreateConnectionRequestInput,
    ) -> Result<ConnectionRequestReceipt> {
        let address = request_auth(ctx).client_address.clone();
        let limit = ctx.data_unchecked::<RequestLimit>().0;
        let outbox = *ctx.data_unchecked::<Outbox>();
        let now = crate::clock::now();
        let new = NewConnectionRequest {
            full_name: validate::required_text("fullName", &input.full_name, 120)?,
            mobile: validate::phone("mobile", &input.mobile)?,
            email: input.email.as_deref().map(|e| validate::email("email", e)).transpose()?,
            address: validate::required_multiline("address", &input.address, 300)?,
            locality_id: input.locality_id.map(|id| expect_id("localityId", Locality::KIND, &id)).transpose()?,
            plan_id: input.plan_id.map(|id| expect_id("planId", Plan::KIND, &id)).transpose()?,
            message: validate::optional_multiline("message", input.message.as_deref(), 1000)?,
            status: ConnectionRequestStatus::New,
            customer_id: None,
            client_address: address.clone(),
            created_at: now,
            updated_at: now,
        };
        let row = events(ctx)
            .write(db(ctx), move |conn, out| {
                crate::db::lock_key(conn, &format!("connection-request:{address}"))?;
                if repo::count_from(conn, &address, now - chrono::Duration::hours(1))? >= limit {
                    return Err(AppError::TooManyRequests(
                        "too many requests from your address; please call us or try again in an hour".into(),
                    ));
                }
                repo::check_choice(conn, new.locality_id, new.plan_id)?;
                let row = repo::insert(conn, &new)?;
                out.push(Event::ConnectionRequestCreated(row.clone()));
                for staff in crate::employees::repo::active_with_roles(conn, &["ADMIN", "MANAGER"])? {
                    let draft = outbox.draft(
                        Recipient::employee(staff),
                        NotificationKind::ConnectionRequest,
                        format!("New connection request from {}", row.full_name),
                        format!("{} ({}) asks for a connection at {}", row.full_name, row.mobile, row.address),
                        Some(global_id(ConnectionRequest::KIND, row.id).0),
                    );
                    out.notifications(crate::notifications::repo::insert(conn, &draft)?);
                }
                Ok(row)
            })
            .await?;
        Ok(ConnectionRequestReceipt {
            reference: global_id(ConnectionRequest::KIND, row.id),
            message: "Thank you! We will call you back soon.".to_owned(),
        })
    }

    /// Moves a request on: NEW → CONTACTED → APPROVED, or REJECTED (final). CONVERTED comes
    /// only from `convertConnectionRequest`.
    #[graphql(guard = "Require(Permission::WriteCustomers)")]
    async fn update_connection_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: ConnectionRequestStatus,
    ) -> Result<ConnectionRequest> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("id", ConnectionRequest::KIND, &id)?;
        let row = db(ctx)
            .write(move |conn| {
                crate::db::lock_key(conn, &format!("connection-request:{key}"))?;
                let before = repo::find(conn, key)?;
                let from = before.status;
                check_transition(from, status).map_err(|m| AppError::bad_input("status", m))?;
                let row = repo::set_status(conn, key, status, None)?;
                let details = format!("{} -> {}", from.as_str(), status.as_str());
                crate::audit::repo::record(
                    conn,
                    &actor,
                    "updateConnectionRequest",
                    std::slice::from_ref(&id),
                    Some(&details),
                )?;
                Ok(row)
            })
            .await?;
        Ok(ConnectionRequest(row))
    }

    /// Makes the customer (with its first invoice, as `createCustomer`) from a request that is
    /// not REJECTED or already CONVERTED, and marks the request CONVERTED, in one transaction.
    #[graphql(guard = "Require(Permission::WriteCustomers)")]
    async fn convert_connection_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CreateCustomerInput,
    ) -> Result<ConvertConnectionRequestPayload> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("id", ConnectionRequest::KIND, &id)?;
        let (mut draft, password) = input.validate(ctx.data_unchecked::<crate::id_vault::key::IdVault>())?;
        draft.customer.password_hash = crate::auth::password::hash(password).await?;
        let (request, customer) = db(ctx)
            .write(move |conn| {
                // One conversion (or status change) of a request at a time.
                crate::db::lock_key(conn, &format!("connection-request:{key}"))?;
                let before = repo::find(conn, key)?;
                let from = before.status;
                if matches!(from, ConnectionRequestStatus::Rejected | ConnectionRequestStatus::Converted) {
                    return Err(AppError::Conflict(format!("this request is {}", from.as_str())));
                }
                let (customer, _invoice) = crate::customers::service::create(conn, &draft, &actor)?;
                let request = repo::set_status(conn, key, ConnectionRequestStatus::Converted, Some(customer.id))?;
                let targets = [id.0.clone(), crate::ids::encode(Customer::KIND, customer.id)];
                crate::audit::repo::record(conn, &actor, "convertConnectionRequest", &targets, None)?;
                Ok((request, customer))
            })
            .await?;
        Ok(ConvertConnectionRequestPayload {
            connection_request: ConnectionRequest(request),
            customer: Customer::from(customer),
        })
    }
}

//! GraphQL types of the network: a customer's login, sessions and daily usage, NAS devices and
//! the requests sent to them, plan speeds and company settings; the area's Query root.

use async_graphql::{Context, InputValueError, InputValueResult, Object, Result, Scalar, ScalarType, Value, ID};

use super::model::*;
use super::repo;
use crate::auth::guard::Require;
use crate::auth::permissions::Permission;
use crate::customers::graphql::Customer;
use crate::error::AppError;
use crate::graphql::access::own_readable;
use crate::graphql::context::db;
use crate::graphql::ids::global_id;
use crate::graphql::loaders::{load, load_many};
use crate::graphql::pagination::{connection, page_cost, PageArgs, PageConnection};
use crate::graphql::scalars::{Date, DateTime};
use crate::ids::Kind;

crate::owner_key! {
    /// A customer's id, for their network login.
    CredentialsOfCustomer => CredentialRow, super::repo::credentials_of, |r| r.customer_id
}

crate::owner_key! {
    /// A customer's id, for their open sessions.
    OpenSessionsOfCustomer => SessionRow, super::repo::open_sessions_of_many, |r| r.customer_id.unwrap_or_default()
}

crate::by_id_key! {
    /// The id of a NAS device.
    NasId => NasRow, super::repo::nas_by_ids
}

crate::by_id_key! {
    /// The id of a network session.
    SessionId => SessionRow, super::repo::sessions_by_ids
}

/// A count of bytes: a JSON number (exact up to 2^53, some 9 petabytes).
#[derive(Debug, Clone, Copy)]
pub struct Bytes(pub i64);

#[Scalar]
impl ScalarType for Bytes {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::Number(n) => n.as_i64().map(Bytes).ok_or_else(|| InputValueError::expected_type(value)),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::Number(self.0.into())
    }
}

/// A customer's network login (PPPoE/IPoE), as FreeRADIUS is told it. The password is
/// write-only: set it with `setNetworkCredentials`, it is never shown.
pub struct NetworkCredentials(pub CredentialRow);

#[Object]
impl NetworkCredentials {
    /// The login name the customer's router sends (unique, ignoring case).
    async fn username(&self) -> &str {
        &self.0.username
    }
    /// The fixed IPv4 address sent as `Framed-IP-Address`; null: the NAS assigns one.
    async fn static_ip(&self) -> Option<&str> {
        self.0.static_ip.as_deref()
    }
    /// When the login was last set (a new password included).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

/// A NAS device (router, BRAS, OLT) that takes RFC 5176 Disconnect/CoA requests. Its RADIUS
/// shared secret is write-only.
pub struct NasDevice(pub NasRow);

impl NasDevice {
    pub const KIND: Kind = Kind::NasDevice;

    /// The device with row id `key`, through the request's batch loader.
    pub async fn load(ctx: &Context<'_>, key: i64) -> Result<Option<NasDevice>> {
        Ok(load(ctx, NasId(key)).await?.map(NasDevice))
    }
}

#[Object]
impl NasDevice {
    /// Opaque ID, unique across all types.
    pub async fn id(&self) -> ID {
        global_id(Self::KIND, self.0.id)
    }
    /// Unique name, ignoring case.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The IP address its accounting comes from (`NAS-IP-Address`) and requests go to.
    async fn address(&self) -> &str {
        &self.0.address
    }
    /// UDP port of its Disconnect/CoA listener (3799 unless set).
    async fn coa_port(&self) -> i32 {
        self.0.coa_port
    }
    async fn kind(&self) -> NasKind {
        self.0.kind
    }
    /// How it is told about a status change.
    async fn method(&self) -> NasMethod {
        self.0.method
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

/// A network session from FreeRADIUS accounting (PPPoE or IPoE).
pub struct NetworkSession(pub SessionRow);

#[Object]
impl NetworkSession {
    /// Opaque ID, unique across all types.
    async fn id(&self) -> ID {
        global_id(Kind::NetworkSession, self.0.id)
    }
    /// The NAS it runs on (`NAS-IP-Address`).
    async fn nas_address(&self) -> &str {
        &self.0.nas_address
    }
    /// The NAS's `Acct-Session-Id`.
    async fn session_id(&self) -> &str {
        &self.0.acct_session_id
    }
    /// The login name it was opened with.
    async fn username(&self) -> &str {
        &self.0.username
    }
    /// The customer with that login; null for a login no customer has.
    async fn customer(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        match self.0.customer_id {
            Some(id) => Customer::load(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The address the customer got.
    async fn framed_ip(&self) -> Option<&str> {
        self.0.framed_ip.as_deref()
    }
    /// The customer's router (`Calling-Station-Id`, usually its MAC address).
    async fn calling_station_id(&self) -> Option<&str> {
        self.0.calling_station_id.as_deref()
    }
    async fn started_at(&self) -> DateTime {
        DateTime(self.0.started_at)
    }
    /// When it ended; null while online.
    async fn stopped_at(&self) -> Option<DateTime> {
        self.0.stopped_at.map(DateTime)
    }
    /// Whether it is still open (no Stop record yet).
    async fn online(&self) -> bool {
        self.0.stopped_at.is_none()
    }
    /// Seconds online, as of the latest record.
    async fn duration_seconds(&self) -> i64 {
        self.0.last_seconds
    }
    /// Bytes from the customer, as of the latest record.
    async fn upload_bytes(&self) -> Bytes {
        Bytes(self.0.input_octets)
    }
    /// Bytes to the customer, as of the latest record.
    async fn download_bytes(&self) -> Bytes {
        Bytes(self.0.output_octets)
    }
    /// Why it ended (`Acct-Terminate-Cause`, e.g. `User-Request`, `Admin-Reset`).
    async fn terminate_cause(&self) -> Option<&str> {
        self.0.terminate_cause.as_deref()
    }
    /// When the latest accounting record arrived.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

/// A customer's traffic on one business day.
pub struct DailyUsage(pub UsageRow);

#[Object]
impl DailyUsage {
    async fn day(&self) -> Date {
        Date(self.0.day)
    }
    async fn upload_bytes(&self) -> Bytes {
        Bytes(self.0.input_octets)
    }
    async fn download_bytes(&self) -> Bytes {
        Bytes(self.0.output_octets)
    }
}

/// An RFC 5176 Disconnect-Request or CoA-Request sent to a NAS for one session after the
/// customer's status changed, with its outcome.
pub struct NasRequest(pub NasRequestRow);

#[Object]
impl NasRequest {
    /// Opaque ID, unique across all types.
    async fn id(&self) -> ID {
        global_id(Kind::NasRequest, self.0.id)
    }
    async fn code(&self) -> NasRequestCode {
        self.0.code
    }
    /// The status change that called for it.
    async fn reason(&self) -> NasRequestReason {
        self.0.reason
    }
    async fn status(&self) -> NasRequestStatus {
        self.0.status
    }
    /// Attempts made (retried with growing waits while unanswered).
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// When it is sent next, while PENDING.
    async fn next_attempt_at(&self) -> Option<DateTime> {
        (self.0.status == NasRequestStatus::Pending).then_some(DateTime(self.0.next_attempt_at))
    }
    /// Why the last attempt failed, or the NAK's Error-Cause.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// The NAS it went to.
    async fn nas(&self, ctx: &Context<'_>) -> Result<Option<NasDevice>> {
        Ok(load(ctx, NasId(self.0.nas_id)).await?.map(NasDevice))
    }
    /// The session it names.
    async fn session(&self, ctx: &Context<'_>) -> Result<Option<NetworkSession>> {
        Ok(load(ctx, SessionId(self.0.session_id)).await?.map(NetworkSession))
    }
    async fn customer(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        Customer::load(ctx, self.0.customer_id).await
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

// ---- fields on other areas' types (their resolvers call these) ----

/// `Customer.networkCredentials`.
pub async fn credentials_of(ctx: &Context<'_>, customer: i64) -> Result<Option<NetworkCredentials>> {
    Ok(load_many(ctx, CredentialsOfCustomer(customer)).await?.into_iter().next().map(NetworkCredentials))
}

/// `Customer.online`.
pub async fn online(ctx: &Context<'_>, customer: i64) -> Result<bool> {
    Ok(!load_many(ctx, OpenSessionsOfCustomer(customer)).await?.is_empty())
}

/// `Customer.sessions`.
pub async fn sessions_of(ctx: &Context<'_>, customer: i64, args: PageArgs) -> Result<PageConnection<NetworkSession>> {
    own_readable(ctx, Permission::ReadCustomers, customer, "customer")?;
    let window = args.window()?;
    let page = db(ctx).read(move |conn| repo::sessions_page(conn, Some(customer), false, window)).await?;
    Ok(connection(page, |r| r.id, NetworkSession))
}

/// Most days `Customer.usage` covers at once.
pub const MAX_USAGE_DAYS: i64 = 366;

/// `Customer.usage`.
pub async fn usage_of(ctx: &Context<'_>, customer: i64, from: Date, to: Date) -> Result<Vec<DailyUsage>> {
    own_readable(ctx, Permission::ReadCustomers, customer, "customer")?;
    let (from, to) = (from.0, to.0);
    if to < from {
        return Err(AppError::bad_input("to", "`to` is before `from`").into());
    }
    if (to - from).num_days() >= MAX_USAGE_DAYS {
        return Err(AppError::bad_input("to", format!("at most {MAX_USAGE_DAYS} days at once")).into());
    }
    let rows = db(ctx).read(move |conn| repo::usage(conn, customer, from, to)).await?;
    Ok(rows.into_iter().map(DailyUsage).collect())
}

/// `Customer.nasRequests`.
pub async fn requests_of(ctx: &Context<'_>, customer: i64, args: PageArgs) -> Result<PageConnection<NasRequest>> {
    let window = args.window()?;
    let page = db(ctx).read(move |conn| repo::requests_page(conn, Some(customer), window)).await?;
    Ok(connection(page, |r| r.id, NasRequest))
}

#[derive(Default)]
pub struct NetworkQuery;

#[Object]
impl NetworkQuery {
    /// Who is online: the open network sessions (no Stop record yet), oldest first (`last:`
    /// gives the newest).
    #[graphql(guard = "Require(Permission::ManageNetwork)", complexity = "page_cost(first, last, child_complexity)")]
    async fn online_sessions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<NetworkSession>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let page = db(ctx).read(move |conn| repo::sessions_page(conn, None, true, window)).await?;
        Ok(connection(page, |r| r.id, NetworkSession))
    }

    /// Not paged: every NAS device, by name (a network has a few dozen; at most 1000 are
    /// returned).
    #[graphql(
        guard = "Require(Permission::ManageNetwork)",
        complexity = "crate::graphql::pagination::unpaged_cost(child_complexity)"
    )]
    async fn nas_devices(&self, ctx: &Context<'_>) -> Result<Vec<NasDevice>> {
        Ok(db(ctx).read(repo::all_nas).await?.into_iter().map(NasDevice).collect())
    }

    /// Disconnect and CoA requests sent to NAS devices, oldest first (`last:` gives the newest).
    #[graphql(guard = "Require(Permission::ManageNetwork)", complexity = "page_cost(first, last, child_complexity)")]
    async fn nas_requests(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<NasRequest>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let page = db(ctx).read(move |conn| repo::requests_page(conn, None, window)).await?;
        Ok(connection(page, |r| r.id, NasRequest))
    }
}

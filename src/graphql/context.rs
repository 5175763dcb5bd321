//! Small helpers every resolver uses: the database handle, the clock, optional changes.

use std::sync::Arc;

use async_graphql::{Context, MaybeUndefined};

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::Events;
use crate::graphql::errors::to_graphql_error;

/// The database handle of the schema.
pub fn db<'a>(ctx: &Context<'a>) -> &'a Db {
    ctx.data_unchecked::<Db>()
}

/// Where the dashboard and the reports read: the read replica (`DATABASE_READ_URL`) when one
/// is set, else the database. Never for a write's checks.
#[derive(Clone)]
pub struct ReportingDb(pub Db);

/// The database the dashboard and reports read ([`ReportingDb`]).
pub fn reporting_db<'a>(ctx: &Context<'a>) -> &'a Db {
    ctx.data_opt::<ReportingDb>().map_or_else(|| db(ctx), |r| &r.0)
}

/// The event hub of the schema: a write that announces anything runs through its
/// [`Events::write`], which publishes after the commit.
pub fn events<'a>(ctx: &Context<'a>) -> &'a Events {
    ctx.data_unchecked::<Events>()
}

pub use crate::clock::now;

/// An optional column in an update: left out → unchanged, `null` → cleared, a value → checked.
pub fn optional_change<T, U>(
    value: MaybeUndefined<T>,
    check: impl FnOnce(T) -> AppResult<U>,
) -> AppResult<Option<Option<U>>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(v) => Ok(Some(Some(check(v)?))),
    }
}

/// A batch loader's shared error as a GraphQL error.
pub fn loader_error(e: Arc<AppError>) -> async_graphql::Error {
    to_graphql_error(&e)
}

/// The `Idempotency-Key` header of the HTTP request that carries the operation, if any.
#[derive(Debug, Clone)]
pub struct IdempotencyHeader(pub String);

/// The idempotency claim of a money mutation: its `idempotencyKey` argument or the request's
/// `Idempotency-Key` header (both given must agree), for `operation` with `request`.
pub fn idempotency_claim(
    ctx: &Context<'_>,
    argument: Option<String>,
    actor: &crate::audit::Actor,
    operation: &'static str,
    request: &impl std::fmt::Debug,
) -> AppResult<Option<crate::idempotency::service::Claim>> {
    use crate::idempotency::service::{key_of, Claim};
    let header = ctx.data_opt::<IdempotencyHeader>().map(|h| h.0.as_str());
    key_of(argument, header)?.map(|key| Claim::new(actor, &key, operation, request)).transpose()
}

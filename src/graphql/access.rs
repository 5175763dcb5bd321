//! A customer's own data: staff with a permission read every customer's rows, a customer only
//! their own ([`crate::auth::permissions::Access`]). The lookups and lists of customers' rows
//! (customers, billing documents, complaints) go through these helpers, so the rule and its
//! answers (`NOT_FOUND`, `null`, an empty page) stand in one place.

use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::Context;

use crate::auth::guard::require;
use crate::auth::permissions::Permission;
use crate::db::page::{Page, PageWindow};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::graphql::context::db;
use crate::graphql::loaders::{load, Reader, RowKey};

/// `Ok` when the caller may read what belongs to customer `customer` under `permission`; a
/// customer asking for another's gets `NOT_FOUND` of `what`, as if there were none.
pub fn own_readable(ctx: &Context<'_>, permission: Permission, customer: i64, what: &str) -> AppResult<()> {
    if require(ctx, permission)?.reaches(customer) {
        Ok(())
    } else {
        Err(AppError::not_found(what))
    }
}

/// The row of `key` (through the request's loader) when the caller may read it under
/// `permission`; `None` when there is none, or it is not theirs to read. `customer` says whose
/// a row is.
pub async fn load_own<K: RowKey>(
    ctx: &Context<'_>,
    permission: Permission,
    key: K,
    customer: fn(&K::Row) -> i64,
) -> async_graphql::Result<Option<K::Row>>
where
    Reader: Loader<K, Value = K::Row, Error = Arc<AppError>>,
{
    let Some(row) = load(ctx, key).await? else { return Ok(None) };
    Ok(require(ctx, permission).is_ok_and(|access| access.reaches(customer(&row))).then_some(row))
}

/// One page of a list of customers' rows under `permission`, read by `query`: the filter's
/// customer (`customer` points at it) becomes the caller's scope ([`Access::scope`](crate::auth::permissions::Access::scope)), and a customer
/// asking for another's gets an empty page, as if there were none.
pub async fn own_page<F, R>(
    ctx: &Context<'_>,
    permission: Permission,
    mut filter: F,
    customer: fn(&mut F) -> &mut Option<i64>,
    window: PageWindow,
    query: fn(&mut DbConn, &F, PageWindow) -> AppResult<Page<R>>,
) -> AppResult<Page<R>>
where
    F: Send + 'static,
    R: Send + 'static,
{
    let requested = customer(&mut filter);
    let Some(scope) = require(ctx, permission)?.scope(*requested) else { return Ok(Page::empty()) };
    *requested = scope;
    db(ctx).read(move |conn| query(conn, &filter, window)).await
}

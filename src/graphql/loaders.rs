//! Batched lookups for relations, through one reader created fresh for every request. What it
//! loads is cached for the rest of its request only (so a page's relations can be loaded up
//! front, see `customers::prefetch`); nothing is shared between requests.
//!
//! A request has one `DataLoader<Reader>`; async-graphql keeps a batch and a cache per key type
//! in it. Each lookup is a key type of its own (a `PlanId` cannot be passed where a `CustomerId`
//! is expected), declared beside the queries that use it together with its `Loader` impl for
//! [`Reader`]: [`by_id_key!`] for rows by primary key, [`owner_key!`] for the rows that belong to
//! an owner, [`newest_key!`] for a customer's newest rows, or by hand for bigger ones (see
//! `customers::loader`). So installing the reader needs no list of lookups: this module holds
//! the reader, the generic loading the macros call, and the functions resolvers load with.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, Data};

use crate::db::{Db, DbConn};
use crate::error::{AppError, AppResult};
use crate::graphql::context::loader_error;
use crate::graphql::loader_cache::EpochCache;

/// What every lookup of a request reads through: the database handle. A key type is a lookup
/// when `Reader: Loader<Key>`.
pub struct Reader(Db);

/// The request's loader: batches and caches every key type `Reader` loads.
pub type RequestLoader = DataLoader<Reader, EpochCache>;

impl Reader {
    /// The database handle to read with.
    pub fn db(&self) -> &Db {
        &self.0
    }
}

/// The key of a lookup by primary key: which table, and how to read many rows at once.
pub trait RowKey: Copy + Eq + Hash + Send + Sync + 'static {
    type Row: Clone + Send + Sync + 'static;
    /// The rows with these ids, in one statement.
    fn fetch(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<Self::Row>>;
    fn id(self) -> i64;
    fn of(row: &Self::Row) -> Self;
}

/// Declares `$key(pub i64)`, the key of `$row`s by primary key, read by `$fetch`.
#[macro_export]
macro_rules! by_id_key {
    ($(#[$meta:meta])* $key:ident => $row:ty, $fetch:path) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl $crate::graphql::loaders::RowKey for $key {
            type Row = $row;
            fn fetch(conn: &mut $crate::db::DbConn, ids: &[i64]) -> $crate::error::AppResult<Vec<$row>> {
                $fetch(conn, ids)
            }
            fn id(self) -> i64 {
                self.0
            }
            fn of(row: &$row) -> Self {
                $key(row.id)
            }
        }

        impl ::async_graphql::dataloader::Loader<$key> for $crate::graphql::loaders::Reader {
            type Value = $row;
            type Error = ::std::sync::Arc<$crate::error::AppError>;

            async fn load(&self, keys: &[$key]) -> ::std::result::Result<::std::collections::HashMap<$key, $row>, Self::Error> {
                self.by_id(keys).await
            }
        }
    };
}

impl Reader {
    /// Loads rows of one table by primary key, many keys per SQL statement (the `Loader` of
    /// every [`by_id_key!`]).
    pub async fn by_id<K: RowKey>(&self, keys: &[K]) -> Result<HashMap<K, K::Row>, Arc<AppError>> {
        let ids: Vec<i64> = keys.iter().map(|k| k.id()).collect();
        let rows = self.0.read(move |conn| K::fetch(conn, &ids)).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|row| (K::of(&row), row)).collect())
    }
}

/// The key of the rows that belong to one owner (a payment's refunds, a customer's add-ons).
pub trait OwnerKey: Copy + Eq + Hash + Send + Sync + 'static {
    type Row: Clone + Send + Sync + 'static;
    /// The rows of these owners, in one statement.
    fn fetch(conn: &mut DbConn, owners: &[i64]) -> AppResult<Vec<Self::Row>>;
    fn id(self) -> i64;
    fn of(row: &Self::Row) -> Self;
}

/// Declares `$key(pub i64)`, the key of the `$row`s of one owner (`$owner` of a row), read by
/// `$fetch`.
#[macro_export]
macro_rules! owner_key {
    ($(#[$meta:meta])* $key:ident => $row:ty, $fetch:path, |$r:ident| $owner:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl $crate::graphql::loaders::OwnerKey for $key {
            type Row = $row;
            fn fetch(conn: &mut $crate::db::DbConn, owners: &[i64]) -> $crate::error::AppResult<Vec<$row>> {
                $fetch(conn, owners)
            }
            fn id(self) -> i64 {
                self.0
            }
            fn of($r: &$row) -> Self {
                $key($owner)
            }
        }

        impl ::async_graphql::dataloader::Loader<$key> for $crate::graphql::loaders::Reader {
            type Value = Vec<$row>;
            type Error = ::std::sync::Arc<$crate::error::AppError>;

            async fn load(&self, keys: &[$key]) -> ::std::result::Result<::std::collections::HashMap<$key, Vec<$row>>, Self::Error> {
                self.owned(keys).await
            }
        }
    };
}

impl Reader {
    /// Loads the rows of many owners; every owner asked for is present (the `Loader` of every
    /// [`owner_key!`]).
    pub async fn owned<K: OwnerKey>(&self, keys: &[K]) -> Result<HashMap<K, Vec<K::Row>>, Arc<AppError>> {
        let ids: Vec<i64> = keys.iter().map(|k| k.id()).collect();
        let rows = self.0.read(move |conn| K::fetch(conn, &ids)).await.map_err(Arc::new)?;
        let mut out: HashMap<K, Vec<K::Row>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            out.entry(K::of(&row)).or_default().push(row);
        }
        Ok(out)
    }
}

/// The key of a customer's newest `first` rows of a table (payments, ledger rows, complaints).
pub trait NewestKey: Copy + Eq + Hash + Send + Sync + 'static {
    type Row: Clone + Send + Sync + 'static;
    /// The newest `first` rows of each of these customers, in one statement.
    fn fetch(conn: &mut DbConn, customers: &[i64], first: i64) -> AppResult<Vec<Self::Row>>;
    fn new(customer: i64, first: i32) -> Self;
    fn customer(self) -> i64;
    fn first(self) -> i32;
    fn customer_of(row: &Self::Row) -> i64;
}

/// Declares `$key { customer, first }`, the key of a customer's newest `$row`s, read by `$fetch`.
#[macro_export]
macro_rules! newest_key {
    ($(#[$meta:meta])* $key:ident => $row:ty, $fetch:path) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key {
            pub customer: i64,
            pub first: i32,
        }

        impl $crate::graphql::loaders::NewestKey for $key {
            type Row = $row;
            fn fetch(
                conn: &mut $crate::db::DbConn,
                customers: &[i64],
                first: i64,
            ) -> $crate::error::AppResult<Vec<$row>> {
                $fetch(conn, customers, first)
            }
            fn new(customer: i64, first: i32) -> Self {
                $key { customer, first }
            }
            fn customer(self) -> i64 {
                self.customer
            }
            fn first(self) -> i32 {
                self.first
            }
            fn customer_of(row: &$row) -> i64 {
                row.customer_id
            }
        }

        impl ::async_graphql::dataloader::Loader<$key> for $crate::graphql::loaders::Reader {
            type Value = Vec<$row>;
            type Error = ::std::sync::Arc<$crate::error::AppError>;

            async fn load(&self, keys: &[$key]) -> ::std::result::Result<::std::collections::HashMap<$key, Vec<$row>>, Self::Error> {
                self.newest(keys).await
            }
        }
    };
}

impl Reader {
    /// Loads [`NewestKey`]s: one statement per distinct `first` (the `Loader` of every
    /// [`newest_key!`]).
    pub async fn newest<K: NewestKey>(&self, keys: &[K]) -> Result<HashMap<K, Vec<K::Row>>, Arc<AppError>> {
        let mut groups: HashMap<i32, Vec<i64>> = HashMap::new();
        for key in keys {
            groups.entry(key.first()).or_default().push(key.customer());
        }
        let mut out: HashMap<K, Vec<K::Row>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for (first, customers) in groups {
            let rows = self.0.read(move |conn| K::fetch(conn, &customers, i64::from(first))).await.map_err(Arc::new)?;
            for row in rows {
                out.entry(K::new(K::customer_of(&row), first)).or_default().push(row);
            }
        }
        Ok(out)
    }
}

/// Adds a fresh reader to a request's data; what it loads is cached for the request.
pub fn install(data: &mut Data, db: &Db) {
    install_with(data, db, &EpochCache::default())
}

/// Adds a reader whose caches `cache` makes: a websocket's subscriptions share one, and empty
/// it at each new event (`EpochCache::advance`), so an event is resolved once per socket and
/// never from what an earlier event loaded.
pub fn install_with(data: &mut Data, db: &Db, cache: &EpochCache) {
    data.insert(RequestLoader::with_cache(Reader(db.clone()), tokio::spawn, cache.clone()));
}

/// The request's loader.
fn loader<'a>(ctx: &Context<'a>) -> &'a RequestLoader {
    ctx.data_unchecked::<RequestLoader>()
}

/// What `key` names, through the request's loader; `None` when there is nothing.
pub async fn load_one<K>(ctx: &Context<'_>, key: K) -> async_graphql::Result<Option<<Reader as Loader<K>>::Value>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Reader: Loader<K, Error = Arc<AppError>>,
{
    loader(ctx).load_one(key).await.map_err(loader_error)
}

/// Puts values read some other way into the request's cache for their keys.
pub async fn feed_many<K>(ctx: &Context<'_>, values: impl IntoIterator<Item = (K, <Reader as Loader<K>>::Value)>)
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Reader: Loader<K>,
{
    loader(ctx).feed_many(values).await;
}

/// The row `key` names, through the request's loader; `None` when there is none.
pub async fn load<K: RowKey>(ctx: &Context<'_>, key: K) -> async_graphql::Result<Option<K::Row>>
where
    Reader: Loader<K, Value = K::Row, Error = Arc<AppError>>,
{
    load_one(ctx, key).await
}

/// Puts rows read some other way into the request's cache for their key.
pub async fn feed<K: RowKey>(ctx: &Context<'_>, rows: Vec<K::Row>)
where
    Reader: Loader<K, Value = K::Row>,
{
    if !rows.is_empty() {
        feed_many(ctx, rows.into_iter().map(|r| (K::of(&r), r))).await;
    }
}

/// The rows that belong to `key`'s owner, through the request's loader.
pub async fn load_many<K: OwnerKey>(ctx: &Context<'_>, key: K) -> async_graphql::Result<Vec<K::Row>>
where
    Reader: Loader<K, Value = Vec<K::Row>, Error = Arc<AppError>>,
{
    Ok(load_one(ctx, key).await?.unwrap_or_default())
}

/// The newest `first` rows of a customer, through the request's loader; `first` must be 0 to
/// 100.
pub async fn load_newest<K: NewestKey>(
    ctx: &Context<'_>,
    customer: i64,
    first: i32,
) -> async_graphql::Result<Vec<K::Row>>
where
    Reader: Loader<K, Value = Vec<K::Row>, Error = Arc<AppError>>,
{
    if !(0..=crate::graphql::pagination::MAX_PAGE_SIZE).contains(&first) {
        let max = crate::graphql::pagination::MAX_PAGE_SIZE;
        return Err(AppError::bad_input("first", format!("`first` must be between 0 and {max}, got {first}")).into());
    }
    Ok(load_one(ctx, K::new(customer, first)).await?.unwrap_or_default())
}

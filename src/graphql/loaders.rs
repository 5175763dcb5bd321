//! Batched lookups for relations, created fresh for every request. Each caches what it loaded
//! for the rest of its request only (so a page's relations can be loaded up front, see
//! `customers::prefetch`); nothing is shared between requests.
//!
//! Each area declares its lookups beside its queries, with a key type of its own (a `PlanId`
//! cannot be passed where a `CustomerId` is expected): [`by_id_key!`] for rows by primary key,
//! [`OwnerKey`] for the rows that belong to an owner, [`NewestKey`] for a customer's newest
//! rows. This module only holds the generic loaders and installs one of each per request.

use std::collections::HashMap;
use std::hash::Hash;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, Data};

use crate::db::{Db, DbConn};
use crate::error::{AppError, AppResult};
use crate::graphql::context::loader_error;
use crate::graphql::loader_cache::EpochCache;

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
    };
}

/// Loads rows of one table by primary key, many keys per SQL statement.
pub struct ByIdLoader<K>(Db, PhantomData<K>);

impl<K: RowKey> Loader<K> for ByIdLoader<K> {
    type Value = K::Row;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[K]) -> Result<HashMap<K, K::Row>, Self::Error> {
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
    };
}

/// Loads the rows of many owners; every owner asked for is present.
pub struct ManyLoader<K>(Db, PhantomData<K>);

impl<K: OwnerKey> Loader<K> for ManyLoader<K> {
    type Value = Vec<K::Row>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[K]) -> Result<HashMap<K, Vec<K::Row>>, Self::Error> {
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
    };
}

/// Loads [`NewestKey`]s: one statement per distinct `first`.
pub struct NewestLoader<K>(Db, PhantomData<K>);

impl<K: NewestKey> Loader<K> for NewestLoader<K> {
    type Value = Vec<K::Row>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[K]) -> Result<HashMap<K, Vec<K::Row>>, Self::Error> {
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

fn loader<L: Send + Sync + 'static>(data: &mut Data, cache: &EpochCache, loader: L) {
    data.insert(DataLoader::with_cache(loader, tokio::spawn, cache.clone()));
}

fn by_id<K: RowKey>(data: &mut Data, db: &Db, cache: &EpochCache) {
    loader(data, cache, ByIdLoader::<K>(db.clone(), PhantomData));
}

fn many<K: OwnerKey>(data: &mut Data, db: &Db, cache: &EpochCache) {
    loader(data, cache, ManyLoader::<K>(db.clone(), PhantomData));
}

fn newest<K: NewestKey>(data: &mut Data, db: &Db, cache: &EpochCache) {
    loader(data, cache, NewestLoader::<K>(db.clone(), PhantomData));
}

/// Adds a fresh set of loaders to a request's data; what they load is cached for the request.
pub fn install(data: &mut Data, db: &Db) {
    install_with(data, db, &EpochCache::default())
}

/// Adds loaders whose caches `cache` makes: a websocket's subscriptions share one set, and
/// empty it at each new event (`EpochCache::advance`), so an event is resolved once per
/// socket and never from what an earlier event loaded.
pub fn install_with(data: &mut Data, db: &Db, cache: &EpochCache) {
    use crate::{
        addons, companies, complaints, connection_requests, credit_notes, customers, employees, expenses, invoices,
        ledger, localities, payments, plan_changes, plans, refunds,
    };
    by_id::<companies::graphql::CompanyId>(data, db, cache);
    by_id::<localities::graphql::LocalityId>(data, db, cache);
    by_id::<plans::graphql::PlanId>(data, db, cache);
    by_id::<employees::graphql::EmployeeId>(data, db, cache);
    by_id::<customers::graphql::CustomerId>(data, db, cache);
    by_id::<invoices::graphql::InvoiceId>(data, db, cache);
    by_id::<payments::graphql::PaymentId>(data, db, cache);
    by_id::<ledger::graphql::TransactionId>(data, db, cache);
    by_id::<refunds::graphql::RefundId>(data, db, cache);
    by_id::<addons::graphql::AddonBillId>(data, db, cache);
    by_id::<complaints::graphql::ComplaintId>(data, db, cache);
    by_id::<connection_requests::graphql::ConnectionRequestId>(data, db, cache);
    by_id::<credit_notes::graphql::CreditNoteId>(data, db, cache);
    by_id::<expenses::graphql::ExpenseId>(data, db, cache);
    many::<credit_notes::graphql::CreditNotesOfInvoice>(data, db, cache);
    many::<refunds::graphql::RefundsOfPayment>(data, db, cache);
    many::<payments::graphql::AllocationsOfPayment>(data, db, cache);
    many::<addons::graphql::AddonsOfCustomer>(data, db, cache);
    many::<plan_changes::graphql::PlanChangesOfCustomer>(data, db, cache);
    many::<ledger::graphql::LedgerRowsOfPayment>(data, db, cache);
    newest::<payments::graphql::NewestPayments>(data, db, cache);
    newest::<ledger::graphql::NewestTransactions>(data, db, cache);
    newest::<complaints::graphql::NewestComplaints>(data, db, cache);
    loader(data, cache, customers::loader::InvoicesLoader(db.clone()));
    loader(data, cache, customers::loader::PaymentsLoader(db.clone()));
    loader(data, cache, customers::loader::AccountLoader(db.clone()));
}

/// The row `key` names, through the request's loader; `None` when there is none.
pub async fn load<K: RowKey>(ctx: &Context<'_>, key: K) -> async_graphql::Result<Option<K::Row>> {
    let loader = ctx.data_unchecked::<DataLoader<ByIdLoader<K>, EpochCache>>();
    loader.load_one(key).await.map_err(loader_error)
}

/// Puts rows read some other way into the request's cache for their key.
pub async fn feed<K: RowKey>(ctx: &Context<'_>, rows: Vec<K::Row>) {
    if !rows.is_empty() {
        let loader = ctx.data_unchecked::<DataLoader<ByIdLoader<K>, EpochCache>>();
        loader.feed_many(rows.into_iter().map(|r| (K::of(&r), r))).await;
    }
}

/// The rows that belong to `key`'s owner, through the request's loader.
pub async fn load_many<K: OwnerKey>(ctx: &Context<'_>, key: K) -> async_graphql::Result<Vec<K::Row>> {
    let loader = ctx.data_unchecked::<DataLoader<ManyLoader<K>, EpochCache>>();
    Ok(loader.load_one(key).await.map_err(loader_error)?.unwrap_or_default())
}

/// The newest `first` rows of a customer, through the request's loader; `first` must be 0 to
/// 100.
pub async fn load_newest<K: NewestKey>(
    ctx: &Context<'_>,
    customer: i64,
    first: i32,
) -> async_graphql::Result<Vec<K::Row>> {
    if !(0..=crate::graphql::pagination::MAX_PAGE_SIZE).contains(&first) {
        let max = crate::graphql::pagination::MAX_PAGE_SIZE;
        return Err(AppError::bad_input("first", format!("`first` must be between 0 and {max}, got {first}")).into());
    }
    let loader = ctx.data_unchecked::<DataLoader<NewestLoader<K>, EpochCache>>();
    Ok(loader.load_one(K::new(customer, first)).await.map_err(loader_error)?.unwrap_or_default())
}

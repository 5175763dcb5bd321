//! Batched lookups for relations, created fresh for every request. Each caches what it loaded
//! for the rest of its request only (so a page's relations can be loaded up front, see
//! `customers::prefetch`); nothing is shared between requests.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, Data};

use crate::addons::model::AddonRow;
use crate::companies::model::CompanyRow;
use crate::complaints::model::ComplaintRow;
use crate::connection_requests::model::ConnectionRequestRow;
use crate::customers::loader::{InvoicesLoader, PaymentsLoader};
use crate::customers::model::CustomerRow;
use crate::db::{Db, DbConn};
use crate::employees::model::EmployeeRow;
use crate::error::{AppError, AppResult};
use crate::graphql::context::loader_error;
use crate::graphql::loader_cache::EpochCache;
use crate::invoices::model::InvoiceRow;
use crate::ledger::model::TransactionRow;
use crate::localities::model::LocalityRow;
use crate::payments::model::{AllocationRow, PaymentRow};
use crate::plans::model::PlanRow;
use crate::refunds::model::RefundRow;

/// Loads rows of one table by primary key, many keys per SQL statement.
pub struct ByIdLoader<R> {
    db: Db,
    fetch: fn(&mut DbConn, &[i64]) -> AppResult<Vec<R>>,
    key: fn(&R) -> i64,
}

impl<R: Clone + Send + Sync + 'static> Loader<i64> for ByIdLoader<R> {
    type Value = R;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, R>, Self::Error> {
        let (keys, fetch, key) = (keys.to_vec(), self.fetch, self.key);
        let rows = self.db.read(move |conn| fetch(conn, &keys)).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|row| (key(&row), row)).collect())
    }
}

fn by_id<R: Clone + Send + Sync + 'static>(
    db: &Db,
    cache: &EpochCache,
    fetch: fn(&mut DbConn, &[i64]) -> AppResult<Vec<R>>,
    key: fn(&R) -> i64,
) -> DataLoader<ByIdLoader<R>, EpochCache> {
    DataLoader::with_cache(ByIdLoader { db: db.clone(), fetch, key }, tokio::spawn, cache.clone())
}

/// Loads the rows of one table that belong to many owners (a payment's refunds, a customer's
/// add-ons), keyed by the owner's id; every owner asked for is present.
pub struct ManyLoader<R> {
    db: Db,
    fetch: fn(&mut DbConn, &[i64]) -> AppResult<Vec<R>>,
    owner: fn(&R) -> i64,
}

impl<R: Clone + Send + Sync + 'static> Loader<i64> for ManyLoader<R> {
    type Value = Vec<R>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Vec<R>>, Self::Error> {
        let (ids, fetch, owner) = (keys.to_vec(), self.fetch, self.owner);
        let rows = self.db.read(move |conn| fetch(conn, &ids)).await.map_err(Arc::new)?;
        let mut out: HashMap<i64, Vec<R>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            out.entry(owner(&row)).or_default().push(row);
        }
        Ok(out)
    }
}

/// Loads the newest `first` rows of a table for many customers, keyed by `(customer, first)`;
/// one statement per distinct `first`.
pub struct NewestLoader<R> {
    db: Db,
    fetch: fn(&mut DbConn, &[i64], i64) -> AppResult<Vec<R>>,
    owner: fn(&R) -> i64,
}

impl<R: Clone + Send + Sync + 'static> Loader<(i64, i32)> for NewestLoader<R> {
    type Value = Vec<R>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[(i64, i32)]) -> Result<HashMap<(i64, i32), Vec<R>>, Self::Error> {
        let mut groups: HashMap<i32, Vec<i64>> = HashMap::new();
        for (owner, first) in keys {
            groups.entry(*first).or_default().push(*owner);
        }
        let mut out: HashMap<(i64, i32), Vec<R>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for (first, owners) in groups {
            let (fetch, owner) = (self.fetch, self.owner);
            let rows = self.db.read(move |conn| fetch(conn, &owners, i64::from(first))).await.map_err(Arc::new)?;
            for row in rows {
                out.entry((owner(&row), first)).or_default().push(row);
            }
        }
        Ok(out)
    }
}

/// A customer's account figures: what they owe by the ledger, and their advance.
#[derive(Debug, Clone, Copy, Default)]
pub struct Account {
    pub balance: i64,
    pub advance: i64,
}

/// Loads [`Account`]s of many customers: two statements.
pub struct AccountLoader(Db);

impl Loader<i64> for AccountLoader {
    type Value = Account;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Account>, Self::Error> {
        let ids = keys.to_vec();
        self.0
            .read(move |conn| {
                let balances = crate::ledger::repo::balances(conn, &ids)?;
                let advances = crate::payments::repo::advances(conn, &ids)?;
                Ok(ids
                    .iter()
                    .map(|id| {
                        let account = Account {
                            balance: balances.get(id).copied().unwrap_or(0),
                            advance: advances.get(id).copied().unwrap_or(0),
                        };
                        (*id, account)
                    })
                    .collect())
            })
            .await
            .map_err(Arc::new)
    }
}

fn many<R: Clone + Send + Sync + 'static>(
    db: &Db,
    cache: &EpochCache,
    fetch: fn(&mut DbConn, &[i64]) -> AppResult<Vec<R>>,
    owner: fn(&R) -> i64,
) -> DataLoader<ManyLoader<R>, EpochCache> {
    DataLoader::with_cache(ManyLoader { db: db.clone(), fetch, owner }, tokio::spawn, cache.clone())
}

fn newest<R: Clone + Send + Sync + 'static>(
    db: &Db,
    cache: &EpochCache,
    fetch: fn(&mut DbConn, &[i64], i64) -> AppResult<Vec<R>>,
    owner: fn(&R) -> i64,
) -> DataLoader<NewestLoader<R>, EpochCache> {
    DataLoader::with_cache(NewestLoader { db: db.clone(), fetch, owner }, tokio::spawn, cache.clone())
}

/// Adds a fresh set of loaders to a request's data; what they load is cached for the request.
pub fn install(data: &mut Data, db: &Db) {
    install_with(data, db, &EpochCache::default())
}

/// Adds loaders whose caches `cache` makes: a websocket's subscriptions share one set, and
/// empty it at each new event (`EpochCache::advance`), so an event is resolved once per
/// socket and never from what an earlier event loaded.
pub fn install_with(data: &mut Data, db: &Db, cache: &EpochCache) {
    put(data, by_id::<CompanyRow>(db, cache, crate::companies::repo::by_ids, |r| r.id));
    put(data, by_id::<LocalityRow>(db, cache, crate::localities::repo::by_ids, |r| r.id));
    put(data, by_id::<PlanRow>(db, cache, crate::plans::repo::by_ids, |r| r.id));
    put(data, by_id::<EmployeeRow>(db, cache, crate::employees::repo::by_ids, |r| r.id));
    put(data, by_id::<CustomerRow>(db, cache, crate::customers::repo::by_ids, |r| r.id));
    put(data, by_id::<InvoiceRow>(db, cache, crate::invoices::repo::by_ids, |r| r.id));
    put(data, by_id::<PaymentRow>(db, cache, crate::payments::repo::by_ids, |r| r.id));
    put(data, DataLoader::with_cache(InvoicesLoader(db.clone()), tokio::spawn, cache.clone()));
    put(data, DataLoader::with_cache(PaymentsLoader(db.clone()), tokio::spawn, cache.clone()));
    put(data, by_id::<TransactionRow>(db, cache, crate::ledger::repo::by_ids, |r| r.id));
    put(data, by_id::<RefundRow>(db, cache, crate::refunds::service::by_ids, |r| r.id));
    put(data, by_id::<AddonRow>(db, cache, crate::addons::repo::by_ids, |r| r.id));
    put(data, many::<RefundRow>(db, cache, crate::refunds::service::of_payments, |r| r.payment_id));
    put(data, many::<AllocationRow>(db, cache, crate::payments::repo::allocations_of, |r| r.payment_id));
    put(data, many::<AddonRow>(db, cache, crate::addons::repo::of_customers, |r| r.customer_id));
    put(data, many::<TransactionRow>(db, cache, crate::ledger::repo::payment_rows, |r| r.payment_id.unwrap_or(0)));
    put(data, newest::<PaymentRow>(db, cache, crate::payments::repo::newest_for_customers, |r| r.customer_id));
    put(data, newest::<TransactionRow>(db, cache, crate::ledger::repo::newest_for_customers, |r| r.customer_id));
    put(data, DataLoader::with_cache(AccountLoader(db.clone()), tokio::spawn, cache.clone()));
    put(data, by_id::<ComplaintRow>(db, cache, crate::complaints::repo::by_ids, |r| r.id));
    put(data, newest::<ComplaintRow>(db, cache, crate::complaints::repo::newest_for_customers, |r| r.customer_id));
    put(data, by_id::<ConnectionRequestRow>(db, cache, crate::connection_requests::repo::by_ids, |r| r.id));
}

fn put<L: Send + Sync + 'static>(data: &mut Data, loader: DataLoader<L, EpochCache>) {
    data.insert(loader);
}

/// The rows of `R` that belong to `owner`, through the request's [`ManyLoader`].
pub async fn load_many<R: Clone + Send + Sync + 'static>(
    ctx: &Context<'_>,
    owner: i64,
) -> async_graphql::Result<Vec<R>> {
    let loader = ctx.data_unchecked::<DataLoader<ManyLoader<R>, EpochCache>>();
    Ok(loader.load_one(owner).await.map_err(loader_error)?.unwrap_or_default())
}

/// The newest `first` rows of `R` of a customer, through the request's [`NewestLoader`];
/// `first` must be 0 to 100.
pub async fn load_newest<R: Clone + Send + Sync + 'static>(
    ctx: &Context<'_>,
    customer: i64,
    first: i32,
) -> async_graphql::Result<Vec<R>> {
    if !(0..=crate::graphql::pagination::MAX_PAGE_SIZE).contains(&first) {
        let max = crate::graphql::pagination::MAX_PAGE_SIZE;
        return Err(AppError::bad_input("first", format!("`first` must be between 0 and {max}, got {first}")).into());
    }
    let loader = ctx.data_unchecked::<DataLoader<NewestLoader<R>, EpochCache>>();
    Ok(loader.load_one((customer, first)).await.map_err(loader_error)?.unwrap_or_default())
}

/// A customer's [`Account`] through the request's loader.
pub async fn load_account(ctx: &Context<'_>, customer: i64) -> async_graphql::Result<Account> {
    let loader = ctx.data_unchecked::<DataLoader<AccountLoader, EpochCache>>();
    Ok(loader.load_one(customer).await.map_err(loader_error)?.unwrap_or_default())
}

/// The row with id `key` through the request's loader for `R`.
pub async fn load_by_id<R: Clone + Send + Sync + 'static>(
    ctx: &Context<'_>,
    key: i64,
) -> async_graphql::Result<Option<R>> {
    let loader = ctx.data_unchecked::<DataLoader<ByIdLoader<R>, EpochCache>>();
    loader.load_one(key).await.map_err(loader_error)
}

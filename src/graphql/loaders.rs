//! Batched lookups for relations, created fresh for every request. Each caches what it loaded
//! for the rest of its request only (so a page's relations can be loaded up front, see
//! `customers::prefetch`); nothing is shared between requests.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::{Context, Data};

use crate::companies::model::CompanyRow;
use crate::customers::loader::{InvoicesLoader, PaymentsLoader};
use crate::customers::model::CustomerRow;
use crate::db::{Db, DbConn};
use crate::employees::model::EmployeeRow;
use crate::error::{AppError, AppResult};
use crate::graphql::context::loader_error;
use crate::invoices::model::InvoiceRow;
use crate::localities::model::LocalityRow;
use crate::payments::model::PaymentRow;
use crate::plans::model::PlanRow;

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
    fetch: fn(&mut DbConn, &[i64]) -> AppResult<Vec<R>>,
    key: fn(&R) -> i64,
) -> DataLoader<ByIdLoader<R>, HashMapCache> {
    DataLoader::with_cache(ByIdLoader { db: db.clone(), fetch, key }, tokio::spawn, HashMapCache::default())
}

/// Adds a fresh set of loaders to a request's (or a websocket connection's) data.
pub fn install(data: &mut Data, db: &Db) {
    data.insert(by_id::<CompanyRow>(db, crate::companies::repo::by_ids, |r| r.id));
    data.insert(by_id::<LocalityRow>(db, crate::localities::repo::by_ids, |r| r.id));
    data.insert(by_id::<PlanRow>(db, crate::plans::repo::by_ids, |r| r.id));
    data.insert(by_id::<EmployeeRow>(db, crate::employees::repo::by_ids, |r| r.id));
    data.insert(by_id::<CustomerRow>(db, crate::customers::repo::by_ids, |r| r.id));
    data.insert(by_id::<InvoiceRow>(db, crate::invoices::repo::by_ids, |r| r.id));
    data.insert(by_id::<PaymentRow>(db, crate::payments::repo::by_ids, |r| r.id));
    data.insert(DataLoader::with_cache(InvoicesLoader(db.clone()), tokio::spawn, HashMapCache::default()));
    data.insert(DataLoader::with_cache(PaymentsLoader(db.clone()), tokio::spawn, HashMapCache::default()));
}

/// The row with id `key` through the request's loader for `R`.
pub async fn load_by_id<R: Clone + Send + Sync + 'static>(
    ctx: &Context<'_>,
    key: i64,
) -> async_graphql::Result<Option<R>> {
    let loader = ctx.data_unchecked::<DataLoader<ByIdLoader<R>, HashMapCache>>();
    loader.load_one(key).await.map_err(loader_error)
}

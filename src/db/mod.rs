//! Database access: one connection type over SQLite and PostgreSQL, pooled by r2d2.
//!
//! Diesel is synchronous, so async code reaches the database only through [`Db::read`] and
//! [`Db::write`], which run the closure on tokio's blocking pool with a pooled connection.

mod cached;
pub mod changes;
mod checkpointer;
mod connection;
pub mod dates;
pub mod fragments;
mod held;
pub mod migrations;
pub mod models;
mod new_ids;
pub mod page;
pub mod schema;
pub mod sql;

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, TransactionManager};

pub use cached::{Cached, CachedDsl};
pub use connection::{parse_url, sqlite_process_setup, Backend, DbConn, MultiBackend, SqliteSync};
pub use held::{guarded_read, lock_key, with_locks_held};
pub use new_ids::NewIds;

use crate::error::AppError;

/// How many times a write transaction is tried when the database reports contention.
const WRITE_ATTEMPTS: u32 = 8;

/// How long a request waits for a free pooled connection before it fails with `BUSY`.
const POOL_WAIT: Duration = Duration::from_secs(5);

/// Pooled connections held back from each kind of work for the other: reads may hold at most
/// `pool size - reserve` connections at once, and so may writes, so a crowd of readers never
/// leaves a payment without a connection, nor a crowd of writers a profile query.
fn reserve(pool_size: u32) -> u32 {
    (pool_size / 4).max(1).min(pool_size.saturating_sub(1))
}

/// A cheap, cloneable handle on the connection pool.
#[derive(Clone)]
pub struct Db {
    pool: diesel::r2d2::Pool<connection::Manager>,
    backend: Backend,
    /// SQLite admits one writer: this process's write transactions take turns here instead of
    /// in SQLite's busy handler, which sleeps in growing steps and lets a newcomer overtake a
    /// writer that has waited long (seconds at the tail under steady concurrent writes).
    writers: Arc<std::sync::Mutex<()>>,
    /// The connections reads may hold at once (see [`reserve`]).
    read_budget: Arc<tokio::sync::Semaphore>,
    /// The connections writes may hold at once (see [`reserve`]).
    write_budget: Arc<tokio::sync::Semaphore>,
    /// A connection of its own for `/healthz`, outside the pool and its budgets, so a busy
    /// pool still answers whether the database is up.
    health: Arc<Health>,
    /// What committed writes changed for the network (see [`changes`]).
    network_changes: tokio::sync::broadcast::Sender<changes::Changed>,
    /// This server's name among the servers on one database (random, per start): what its
    /// writes record for the others is marked with it (see [`changes::record_for_peers`]).
    origin: Arc<str>,
    /// Rung after a commit that recorded events for the other servers (see
    /// [`crate::cluster::doorbell`]).
    doorbell: crate::cluster::doorbell::Doorbell,
    /// SQLite: the thread that checkpoints the write-ahead log, rung by each committed write
    /// (see [`checkpointer`]).
    checkpointer: Option<Arc<checkpointer::Checkpointer>>,
}

/// The health check's own connection, opened when first needed and again after a failure.
struct Health {
    manager: connection::Manager,
    conn: std::sync::Mutex<Option<DbConn>>,
}

impl Db {
    /// Connects to `database_url` (a SQLite path or `sqlite://path`, or a `postgres://` URL).
    ///
    /// One connection is opened first so that a wrong URL, a missing server or bad credentials
    /// fail here with the database's own message. `statements` counts every SQL statement.
    pub fn connect(database_url: &str, pool_size: u32, statements: Arc<AtomicU64>) -> anyhow::Result<Db> {
        Self::connect_with(database_url, pool_size, statements, SqliteSync::default(), 0)
    }

    /// Like [`Db::connect`], with SQLite's durability setting and PostgreSQL's statement
    /// timeout in milliseconds (0: none).
    pub fn connect_with(
        database_url: &str,
        pool_size: u32,
        statements: Arc<AtomicU64>,
        sync: SqliteSync,
        statement_timeout_ms: u64,
    ) -> anyhow::Result<Db> {
        let manager = connection::Manager::new(database_url, Arc::clone(&statements), sync, statement_timeout_ms)?;
        let health = Arc::new(Health {
            manager: connection::Manager::new(database_url, statements, sync, statement_timeout_ms)?,
            conn: std::sync::Mutex::new(None),
        });
        let backend = manager.backend();
        // Surface the real connection error before r2d2 hides it behind a timeout.
        drop(diesel::r2d2::ManageConnection::connect(&manager)?);
        let checkpointer = match backend {
            Backend::Sqlite => Some(Arc::new(checkpointer::Checkpointer::start(manager.target())?)),
            Backend::Postgres => None,
        };
        let pool_size = pool_size.max(1);
        let pool = diesel::r2d2::Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(pool_size.min(2)))
            .connection_timeout(POOL_WAIT)
            // No ping on every checkout (it would double the statements of a request);
            // broken connections are found by `has_broken` when they come back.
            .test_on_check_out(false)
            .build(manager)?;
        let budget = (pool_size - reserve(pool_size)) as usize;
        Ok(Db {
            pool,
            backend,
            writers: Arc::default(),
            read_budget: Arc::new(tokio::sync::Semaphore::new(budget)),
            write_budget: Arc::new(tokio::sync::Semaphore::new(budget)),
            health,
            network_changes: tokio::sync::broadcast::channel(1024).0,
            origin: crate::hex::encode(&rand::random::<[u8; 8]>()).into(),
            doorbell: Default::default(),
            checkpointer,
        })
    }

    /// A place in `budget`, waited for at most [`POOL_WAIT`] (without holding a thread).
    async fn place(budget: &Arc<tokio::sync::Semaphore>) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
        match tokio::time::timeout(POOL_WAIT, Arc::clone(budget).acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AppError::busy_database()),
        }
    }

    /// Runs `SELECT 1` on the health check's own connection (not a pooled one).
    pub async fn ping(&self) -> Result<(), AppError> {
        use diesel::connection::SimpleConnection;
        let health = Arc::clone(&self.health);
        tokio::task::spawn_blocking(move || {
            let mut conn = health.conn.lock().unwrap_or_else(|p| p.into_inner());
            if conn.is_none() {
                let fresh = diesel::r2d2::ManageConnection::connect(&health.manager)
                    .map_err(|e| AppError::Internal(format!("cannot connect: {e}")))?;
                *conn = Some(fresh);
            }
            let Some(c) = conn.as_mut() else { return Err(AppError::Internal("no connection".into())) };
            let answered = c.batch_execute("SELECT 1");
            if answered.is_err() {
                // Open a fresh one next time (the server may have restarted).
                *conn = None;
            }
            answered.map_err(AppError::from)
        })
        .await
        .map_err(AppError::join)?
    }

    /// What committed write transactions changed for the network, from now on (a receiver that
    /// falls behind is told it lagged: then it reads everything again).
    pub fn network_changes(&self) -> tokio::sync::broadcast::Receiver<changes::Changed> {
        self.network_changes.subscribe()
    }

    /// Where other servers' network changes are handed in (the cluster listener's), as if
    /// this server's own writes had committed them.
    pub fn network_sender(&self) -> tokio::sync::broadcast::Sender<changes::Changed> {
        self.network_changes.clone()
    }

    /// This server's name among the servers on one database (the event hub uses it too).
    pub fn origin(&self) -> Arc<str> {
        Arc::clone(&self.origin)
    }

    /// What this server's writes ring after committing events for the other servers: the
    /// cluster listener answers it.
    pub fn doorbell(&self) -> crate::cluster::doorbell::Doorbell {
        self.doorbell.clone()
    }

    /// Which database this handle talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `f` with a pooled connection on the blocking pool (no transaction of its own).
    ///
    /// Reads hold at most the read budget of connections; past [`POOL_WAIT`] without a place
    /// the answer is `BUSY`. Never keep the connection while waiting on a client.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let place = Self::place(&self.read_budget).await?;
        tokio::task::spawn_blocking(move || {
            let _place = place;
            let mut conn = pool.get().map_err(AppError::pool)?;
            f(&mut conn)
        })
        .await
        .map_err(AppError::join)?
    }

    /// Runs `f` inside one write transaction and commits it when `f` returns `Ok`.
    ///
    /// On SQLite the transaction starts with `BEGIN IMMEDIATE`, so it holds the write lock from
    /// the start instead of failing to upgrade a read lock later. When the database reports
    /// contention (SQLite busy, PostgreSQL serialization failure or deadlock), the whole
    /// closure is run again in a fresh transaction; the caller never sees those errors.
    pub async fn write<T, F>(&self, mut f: F) -> Result<T, AppError>
    where
        F: FnMut(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let writers = (self.backend == Backend::Sqlite).then(|| Arc::clone(&self.writers));
        let place = Self::place(&self.write_budget).await?;
        let network_changes = self.network_changes.clone();
        let origin = Arc::clone(&self.origin);
        let doorbell = self.doorbell.clone();
        let checkpointer = self.checkpointer.clone();
        tokio::task::spawn_blocking(move || {
            let _place = place;
            // The turn before the connection: writers waiting their turn hold no connection
            // that readers need. A panic in another writer leaves nothing behind in the
            // database (its transaction rolled back), so a poisoned turn is still a turn.
            let _turn = writers.as_ref().map(|w| w.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
            let mut conn = pool.get().map_err(AppError::pool)?;
            let mut attempt = 1;
            loop {
                match write_transaction(&mut conn, &mut f, &origin) {
                    Err(e) if attempt < WRITE_ATTEMPTS && e.is_contention() => {
                        tracing::debug!(attempt, "write transaction retried after contention");
                        std::thread::sleep(Duration::from_millis(2u64 << attempt));
                        attempt += 1;
                    }
                    // Still contended after every attempt: nothing was written, try again later.
                    Err(e) if e.is_contention() => {
                        tracing::warn!(error = %e.message(), "write transaction gave up after contention");
                        return Err(AppError::busy_database());
                    }
                    result => {
                        // Only the attempt that committed announces what it changed.
                        if let (Ok(_), Some(changed)) = (&result, changes::take()) {
                            let _ = network_changes.send(changed);
                        }
                        if crate::cluster::doorbell::take_recorded() && result.is_ok() {
                            doorbell.ring();
                        }
                        if let (Ok(_), Some(checkpointer)) = (&result, &checkpointer) {
                            checkpointer.ring();
                        }
                        return result;
                    }
                }
            }
        })
        .await
        .map_err(AppError::join)?
    }
}

impl Db {
    /// On SQLite, copies the write-ahead log into the database file and truncates the log to
    /// nothing (`PRAGMA wal_checkpoint(TRUNCATE)`): after personal data was erased or moved
    /// into the vault, the log's older copies of the pages that held it are gone too (the file
    /// itself holds zeros there: connections run with `secure_delete`). Best effort: when a
    /// reader keeps the log in use, or the checkpoint fails, it is logged (`what` says after
    /// what) and the log is left for SQLite's own checkpoints. Nothing to do on PostgreSQL.
    pub async fn checkpoint_wal(&self, what: &'static str) {
        #[derive(diesel::QueryableByName)]
        struct Checkpoint {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            busy: i32,
        }
        if self.backend != Backend::Sqlite {
            return;
        }
        use diesel::RunQueryDsl;
        let checkpointer = self.checkpointer.clone();
        let done = self
            .read(move |conn| {
                // Not while the checkpointer runs one: SQLite would answer "busy" at once.
                let _turn = checkpointer.as_ref().map(|c| c.turn());
                Ok(diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").load::<Checkpoint>(conn)?)
            })
            .await;
        match done.as_deref() {
            Ok([Checkpoint { busy: 0 }]) => tracing::debug!(what, "write-ahead log checkpointed and truncated"),
            Ok(_) => tracing::warn!(
                what,
                "the write-ahead log could not be truncated (in use): older copies of changed pages stay in it \
                 until SQLite's next checkpoint reuses its space"
            ),
            Err(e) => tracing::warn!(what, error = %e.message(), "the write-ahead log could not be checkpointed"),
        }
    }

    /// [`Db::write`], run once more when it fails on a unique key. Two transactions racing to
    /// insert the same key on PostgreSQL: the second waits for the first and fails when it
    /// commits; run again, it finds what the first recorded (a notification or an idempotency
    /// key already there) and answers from it.
    pub async fn write_settling_race<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnMut(&mut DbConn) -> Result<T, AppError> + Clone + Send + 'static,
        T: Send + 'static,
    {
        match self.write(f.clone()).await {
            Err(AppError::Database(e)) if crate::error::is_unique_violation(&e) => self.write(f).await,
            other => other,
        }
    }
}

/// One transaction around `f`: `BEGIN IMMEDIATE` on SQLite, `BEGIN` on PostgreSQL.
fn write_transaction<T, F>(conn: &mut DbConn, f: &mut F, origin: &str) -> Result<T, AppError>
where
    F: FnMut(&mut DbConn) -> Result<T, AppError>,
{
    changes::clear();
    crate::cluster::doorbell::take_recorded();
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match f(conn).and_then(|value| changes::record_for_peers(conn, origin).map(|()| value)) {
        Ok(value) => match <DbConn as TransactionManager<DbConn>>::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                // A failed COMMIT (for example a serialization failure) leaves the
                // transaction open; roll it back so the connection is clean for the retry.
                let _ = <DbConn as TransactionManager<DbConn>>::rollback_transaction(conn);
                Err(e.into())
            }
        },
        Err(e) => {
            <DbConn as TransactionManager<DbConn>>::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

/// Takes (`true`) or gives back PostgreSQL's session lock on migrating, so that servers starting
/// together migrate one at a time; nothing on SQLite (its writers take turns anyway).
pub fn migration_lock(conn: &mut DbConn, take: bool) -> Result<(), AppError> {
    use diesel::connection::SimpleConnection;
    if let DbConn::Pg(c) = conn {
        let call = if take { "pg_advisory_lock" } else { "pg_advisory_unlock" };
        c.batch_execute(&format!("SELECT {call}(hashtext('isp-billing migrations'))"))?;
    }
    Ok(())
}

/// Sets PostgreSQL's `statement_timeout` for this connection's session, in milliseconds (0: no
/// limit); nothing on SQLite.
pub fn set_statement_timeout(conn: &mut DbConn, milliseconds: u64) -> Result<(), AppError> {
    use diesel::connection::SimpleConnection;
    if let DbConn::Pg(c) = conn {
        c.batch_execute(&format!("SET statement_timeout = {milliseconds}"))?;
    }
    Ok(())
}

diesel::define_sql_function! {
    /// SQL `lower(text)`, for case-insensitive matching on both backends.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Ids as one comma-separated value, for SQL that splits it (`json_each` on SQLite,
/// `string_to_array` on PostgreSQL): one bound parameter however many ids, so the statement
/// text stays the same and its prepared form is reused.
pub fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// A `LIKE` pattern matching `needle` anywhere, lower-cased, with `%`, `_` and `\` escaped
/// (use with `.escape('\\')`).
pub fn like_pattern(needle: &str) -> String {
    format!("%{}%", escape_like(&needle.trim().to_lowercase()))
}

/// `text` with the `LIKE` wildcards `%` and `_`, and the escape character, escaped.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

//! The connection type over both backends and the r2d2 manager that opens and sets it up.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use diesel::connection::{Connection, InstrumentationEvent, SimpleConnection};
use diesel::r2d2::R2D2Connection;
use diesel::{ConnectionError, PgConnection, SqliteConnection};

/// A connection to either database; which one is picked from the URL.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

/// The database behind a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How SQLite makes a commit durable (`PRAGMA synchronous`, with the WAL journal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SqliteSync {
    /// Every commit is on disk before it is acknowledged: a power cut loses nothing a client
    /// was told was saved. The default.
    #[default]
    Full,
    /// Commits are synced at checkpoints: faster, and the database stays consistent, but a
    /// power cut (not a crash of the server alone) can lose the last commits.
    Normal,
}

/// Set on every SQLite connection. `busy_timeout` must come before `journal_mode = WAL`:
/// switching to WAL takes a lock, and without the timeout parallel pool start-up fails
/// with "database is locked". `temp_store = MEMORY` keeps savepoints' statement journals
/// (every write inside a savepoint copies its pages there) off the disk. `secure_delete = ON`
/// zeroes what a delete or an update leaves behind (the old cell, a freed page), so an erased
/// customer's details or an identity number moved into the vault are not left readable in the
/// file's free space; [`super::Db::checkpoint_wal`] then clears the write-ahead log's old copies.
/// `wal_autocheckpoint` is [`super::checkpointer::BACKSTOP_PAGES`]: the log is checkpointed by
/// a thread of its own, and a writer does it itself only if that thread fell that far behind.
fn sqlite_setup(sync: SqliteSync) -> String {
    let synchronous = match sync {
        SqliteSync::Full => "FULL",
        SqliteSync::Normal => "NORMAL",
    };
    format!(
        "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; \
         PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA secure_delete = ON; \
         PRAGMA wal_autocheckpoint = {};",
        super::checkpointer::BACKSTOP_PAGES
    )
}

/// Opens connections for r2d2, with the real error when that fails.
pub struct Manager {
    backend: Backend,
    target: String,
    statements: Arc<AtomicU64>,
    sync: SqliteSync,
    /// PostgreSQL's `statement_timeout` on every connection, in milliseconds (0: none).
    statement_timeout_ms: u64,
}

impl Manager {
    pub fn new(
        database_url: &str,
        statements: Arc<AtomicU64>,
        sync: SqliteSync,
        statement_timeout_ms: u64,
    ) -> anyhow::Result<Manager> {
        let (backend, target) = parse_url(database_url)?;
        if backend == Backend::Sqlite {
            sqlite_process_setup();
        }
        Ok(Manager { backend, target, statements, sync, statement_timeout_ms })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// What the backend's driver opens: a SQLite file's path, or PostgreSQL's URL.
    pub fn target(&self) -> &str {
        &self.target
    }
}

/// Sets up the SQLite library once per process, before it opens its first connection: see
/// [`unshared_connections`] and [`stable_query_plans`]. Called before every connection this
/// process opens (the pool's, a backup's).
pub fn sqlite_process_setup() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        unshared_connections();
        stable_query_plans();
    });
}

/// Puts SQLite in its multi-thread mode, with no statistics of its memory.
///
/// By default (serialized mode) SQLite locks a mutex of the connection around every call,
/// each column read of each row included, and another around every allocation to count
/// memory: 7 % of the server's CPU on a profile page of 100 customers. A diesel
/// connection is never used by two threads at once (it is `Send`, not `Sync`, and the pool
/// lends it to one), which is all multi-thread mode asks. Must run before SQLite initialises
/// (its first open, or `sqlite3_auto_extension`); if something opened SQLite before, it stays
/// serialized, slower but as correct.
fn unshared_connections() {
    use libsqlite3_sys as ffi;
    // SAFETY: both options take one int. This runs once (the `Once` of
    // `sqlite_process_setup`), before the server's first SQLite call; after an initialisation
    // (a test that opened SQLite on its own first) it only returns SQLITE_MISUSE.
    let threads = unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MULTITHREAD) };
    let memory = unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int) };
    if threads != ffi::SQLITE_OK || memory != ffi::SQLITE_OK {
        tracing::warn!(threads, memory, "SQLite was set up before the server: it stays in its serialized mode");
    }
}

/// Turns on SQLite's query planner stability guarantee (`SQLITE_DBCONFIG_ENABLE_QPSG`) for
/// every SQLite connection this process opens from now on.
///
/// Without it, SQLite plans some statements for the values bound to them, and then
/// re-prepares them whenever one of those parameters is bound again. That covers diesel's
/// `LIMIT ?` in every `.first()`, and a `?` compared with a partial index's condition. Diesel
/// binds again on every execution, so such statements were parsed and planned anew each
/// time: a fifth of a billing run in `sqlite3Reprepare`. With the guarantee, a plan depends
/// only on the SQL text. Conditions meant for a partial index are written inline
/// (`fragments::condition`), so they still use it.
///
/// diesel gives no handle on the raw connection, so this registers an auto-extension: SQLite
/// runs it in every `sqlite3_open`, before diesel sees the connection.
fn stable_query_plans() {
    use libsqlite3_sys as ffi;

    unsafe extern "C" fn enable(
        db: *mut ffi::sqlite3,
        _error: *mut *mut std::ffi::c_char,
        _api: *const ffi::sqlite3_api_routines,
    ) -> std::ffi::c_int {
        // SAFETY: `db` is the connection SQLite is opening; ENABLE_QPSG takes an int (1: on)
        // and an optional `int*` for the new setting (null: not wanted).
        unsafe {
            ffi::sqlite3_db_config(
                db,
                ffi::SQLITE_DBCONFIG_ENABLE_QPSG,
                1 as std::ffi::c_int,
                std::ptr::null_mut::<std::ffi::c_int>(),
            )
        };
        ffi::SQLITE_OK
    }

    // SAFETY: `enable` has the signature SQLite calls auto-extensions with, and lives for
    // the whole process.
    let rc = unsafe { ffi::sqlite3_auto_extension(Some(enable)) };
    if rc != ffi::SQLITE_OK {
        tracing::warn!(rc, "could not turn on SQLite's query plan stability; statements may be re-prepared");
    }
}

/// Splits a database URL into its backend and what that backend's driver takes.
pub fn parse_url(url: &str) -> anyhow::Result<(Backend, String)> {
    let url = url.trim();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Backend::Postgres, url.to_owned()));
    }
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    anyhow::ensure!(!path.is_empty(), "DATABASE_URL is empty: give a SQLite file path or a postgres:// URL");
    anyhow::ensure!(
        path != ":memory:",
        "an in-memory SQLite database is not shared between pooled connections; give a file path"
    );
    Ok((Backend::Sqlite, path.to_owned()))
}

/// `RUST_LOG=isp_billing::sql=trace` logs every statement's SQL (never its bound values,
/// which hold passwords' hashes and tokens): for finding a slow or scanning statement. Off, it
/// costs one level check per statement.
fn log_statement(query: &dyn diesel::connection::DebugQuery) {
    if tracing::enabled!(target: "isp_billing::sql", tracing::Level::TRACE) {
        let text = query.to_string();
        let sql = text.split(" -- binds: ").next().unwrap_or_default();
        tracing::trace!(target: "isp_billing::sql", sql);
    }
}

impl diesel::r2d2::ManageConnection for Manager {
    type Connection = DbConn;
    type Error = ConnectionError;

    fn connect(&self) -> Result<DbConn, ConnectionError> {
        let mut conn = match self.backend {
            Backend::Sqlite => DbConn::Sqlite(SqliteConnection::establish(&self.target)?),
            Backend::Postgres => DbConn::Pg(PgConnection::establish(&self.target)?),
        };
        let setup = match self.backend {
            Backend::Sqlite => sqlite_setup(self.sync),
            Backend::Postgres => {
                format!("SET TIME ZONE 'UTC'; SET statement_timeout = {};", self.statement_timeout_ms)
            }
        };
        conn.batch_execute(&setup).map_err(ConnectionError::CouldntSetupConfiguration)?;
        // Counted from here on: the setup above runs whenever the pool opens a connection,
        // which depends on timing, not on the work asked of the server.
        let counter = Arc::clone(&self.statements);
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { query, .. } = event {
                counter.fetch_add(1, Ordering::Relaxed);
                log_statement(query);
            }
        });
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), ConnectionError> {
        conn.ping().map_err(ConnectionError::CouldntSetupConfiguration)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_backend_from_the_url() {
        assert_eq!(parse_url("postgres://u@h/db").unwrap().0, Backend::Postgres);
        assert_eq!(parse_url("postgresql://u@h/db").unwrap().0, Backend::Postgres);
        assert_eq!(parse_url("ispbilling.db").unwrap(), (Backend::Sqlite, "ispbilling.db".into()));
        assert_eq!(parse_url("sqlite:///tmp/x.db").unwrap(), (Backend::Sqlite, "/tmp/x.db".into()));
        assert_eq!(parse_url("sqlite:x.db").unwrap(), (Backend::Sqlite, "x.db".into()));
        assert!(parse_url("").is_err());
        assert!(parse_url(":memory:").is_err());
    }
}

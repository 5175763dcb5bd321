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
/// with "database is locked".
fn sqlite_setup(sync: SqliteSync) -> &'static str {
    match sync {
        SqliteSync::Full => {
            "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
             PRAGMA foreign_keys = ON;"
        }
        SqliteSync::Normal => {
            "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA foreign_keys = ON;"
        }
    }
}

/// Opens connections for r2d2, with the real error when that fails.
pub struct Manager {
    backend: Backend,
    target: String,
    statements: Arc<AtomicU64>,
    sync: SqliteSync,
}

impl Manager {
    pub fn new(database_url: &str, statements: Arc<AtomicU64>, sync: SqliteSync) -> anyhow::Result<Manager> {
        let (backend, target) = parse_url(database_url)?;
        Ok(Manager { backend, target, statements, sync })
    }

    pub fn backend(&self) -> Backend {
        self.backend
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
            Backend::Postgres => "SET TIME ZONE 'UTC';",
        };
        conn.batch_execute(setup).map_err(ConnectionError::CouldntSetupConfiguration)?;
        // Counted from here on: the setup above runs whenever the pool opens a connection,
        // which depends on timing, not on the work asked of the server.
        let counter = Arc::clone(&self.statements);
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { .. } = event {
                counter.fetch_add(1, Ordering::Relaxed);
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

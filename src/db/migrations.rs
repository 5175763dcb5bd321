//! Embedded migrations, one set per backend, applied at start.

use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::DbConn;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

type MigrationResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Applies every pending migration; returns the versions applied.
pub fn run_pending(conn: &mut DbConn) -> MigrationResult<Vec<String>> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE)?,
        DbConn::Pg(c) => c.run_pending_migrations(POSTGRES)?,
    };
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// Reverts every applied migration, newest first; returns the versions reverted.
pub fn revert_all(conn: &mut DbConn) -> MigrationResult<Vec<String>> {
    let reverted = match conn {
        DbConn::Sqlite(c) => c.revert_all_migrations(SQLITE)?,
        DbConn::Pg(c) => c.revert_all_migrations(POSTGRES)?,
    };
    Ok(reverted.iter().map(ToString::to_string).collect())
}

/// Reverts the newest applied migration; returns its version.
pub fn revert_last(conn: &mut DbConn) -> MigrationResult<String> {
    let reverted = match conn {
        DbConn::Sqlite(c) => c.revert_last_migration(SQLITE)?,
        DbConn::Pg(c) => c.revert_last_migration(POSTGRES)?,
    };
    Ok(reverted.to_string())
}

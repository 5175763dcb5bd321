//! Embedded migrations, one set per backend, applied at start.

use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use diesel::connection::SimpleConnection;
use diesel::{RunQueryDsl, SqliteConnection};

use super::DbConn;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

type MigrationResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Applies every pending migration; returns the versions applied.
pub fn run_pending(conn: &mut DbConn) -> MigrationResult<Vec<String>> {
    match conn {
        DbConn::Sqlite(c) => without_foreign_keys(c, |c| Ok(names(&c.run_pending_migrations(SQLITE)?))),
        DbConn::Pg(c) => Ok(names(&c.run_pending_migrations(POSTGRES)?)),
    }
}

/// Reverts every applied migration, newest first; returns the versions reverted.
pub fn revert_all(conn: &mut DbConn) -> MigrationResult<Vec<String>> {
    match conn {
        DbConn::Sqlite(c) => without_foreign_keys(c, |c| Ok(names(&c.revert_all_migrations(SQLITE)?))),
        DbConn::Pg(c) => Ok(names(&c.revert_all_migrations(POSTGRES)?)),
    }
}

/// Reverts the newest applied migration; returns its version.
pub fn revert_last(conn: &mut DbConn) -> MigrationResult<String> {
    match conn {
        DbConn::Sqlite(c) => without_foreign_keys(c, |c| Ok(c.revert_last_migration(SQLITE)?.to_string())),
        DbConn::Pg(c) => Ok(c.revert_last_migration(POSTGRES)?.to_string()),
    }
}

fn names(versions: &[diesel::migration::MigrationVersion<'_>]) -> Vec<String> {
    versions.iter().map(ToString::to_string).collect()
}

/// Runs SQLite migrations the way SQLite's own procedure for changing a table asks
/// (<https://www.sqlite.org/lang_altertable.html#otheralter>): foreign keys off while a table is
/// rebuilt (each migration is still one transaction), then every reference checked before
/// they are on again. A dangling reference fails the run.
fn without_foreign_keys<T>(
    c: &mut SqliteConnection,
    run: impl FnOnce(&mut SqliteConnection) -> MigrationResult<T>,
) -> MigrationResult<T> {
    c.batch_execute("PRAGMA foreign_keys = OFF")?;
    let result = run(c);
    let dangling = diesel::sql_query("PRAGMA foreign_key_check").load::<ForeignKeyProblem>(c);
    c.batch_execute("PRAGMA foreign_keys = ON")?;
    let value = result?;
    if let Some(problem) = dangling?.first() {
        return Err(format!(
            "after the migrations, table {} has a dangling reference (row {:?})",
            problem.table, problem.rowid
        )
        .into());
    }
    Ok(value)
}

#[derive(diesel::QueryableByName)]
struct ForeignKeyProblem {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    rowid: Option<i64>,
}

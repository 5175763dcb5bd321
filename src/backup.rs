//! Backups of the database: `isp-billing backup --to FILE`, `isp-billing restore --from FILE`,
//! and a daily automatic backup into `ISP_BACKUP_DIR`.
//!
//! On SQLite a backup is `VACUUM INTO`: a consistent copy of the live database as of one
//! moment (a read transaction), taken while the server keeps writing, then checked with
//! `PRAGMA integrity_check`. On PostgreSQL the tool for the job is `pg_dump`; it is run when
//! installed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, ensure, Context as _};
use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl, SqliteConnection};

use crate::db::{Backend, Db, DbConn};

/// Copies the live database to `to`, which must not exist yet, and checks the copy.
pub async fn backup(db: &Db, database_url: &str, to: &Path) -> anyhow::Result<()> {
    ensure!(!to.exists(), "{} exists already: a backup never overwrites a file", to.display());
    match db.backend() {
        Backend::Sqlite => {
            let target = to.to_string_lossy().into_owned();
            db.read(move |conn| {
                let DbConn::Sqlite(conn) = conn else { unreachable!("a SQLite pool") };
                // One read transaction: a copy as of one moment, writers carry on (WAL).
                diesel::sql_query("VACUUM INTO ?")
                    .bind::<diesel::sql_types::Text, _>(&target)
                    .execute(conn)
                    .map_err(crate::error::AppError::from)?;
                Ok(())
            })
            .await
            .map_err(|e| anyhow::Error::from(e).context("copying the database"))?;
            let to = to.to_owned();
            tokio::task::spawn_blocking(move || check_sqlite_file(&to)).await??;
            Ok(())
        }
        Backend::Postgres => pg_dump(database_url, to).await,
    }
}

/// Runs `pg_dump` (custom format, for `pg_restore`) into `to`, or says how to back up.
async fn pg_dump(database_url: &str, to: &Path) -> anyhow::Result<()> {
    let output = tokio::process::Command::new("pg_dump")
        .arg("--format=custom")
        .arg("--file")
        .arg(to)
        .arg(database_url)
        .output()
        .await;
    match output {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => bail!("pg_dump failed: {}", String::from_utf8_lossy(&out.stderr).trim()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "on PostgreSQL, back up with pg_dump (install postgresql-client): pg_dump --format=custom --file {} <DATABASE_URL>",
            to.display()
        ),
        Err(e) => Err(e).context("running pg_dump"),
    }
}

/// Opens a SQLite file and runs `PRAGMA integrity_check`; an error unless it answers `ok`.
pub fn check_sqlite_file(path: &Path) -> anyhow::Result<()> {
    #[derive(diesel::QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let url = path.to_string_lossy();
    let mut conn = SqliteConnection::establish(&url).with_context(|| format!("opening {}", path.display()))?;
    let rows: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .with_context(|| format!("{} is not a SQLite database", path.display()))?;
    let findings: Vec<String> = rows.into_iter().map(|r| r.integrity_check).collect();
    ensure!(findings == ["ok"], "{} failed the integrity check: {}", path.display(), findings.join("; "));
    Ok(())
}

/// Restores a SQLite backup `from` into the database file `to`, which must not exist or be
/// empty (a restore never overwrites a database). The backup is checked first, and copied
/// under a temporary name then renamed, so `to` is either complete or absent.
pub fn restore(from: &Path, database_url: &str) -> anyhow::Result<PathBuf> {
    let (backend, target) = crate::db::parse_url(database_url)?;
    ensure!(
        backend == Backend::Sqlite,
        "on PostgreSQL, restore a pg_dump backup with pg_restore: pg_restore --dbname <DATABASE_URL> {}",
        from.display()
    );
    let to = PathBuf::from(target);
    let occupied = std::fs::metadata(&to).is_ok_and(|m| m.len() > 0);
    ensure!(
        !occupied,
        "{} already holds a database: restore into a new path (set DATABASE_URL or --database-url), never over a live one",
        to.display()
    );
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", to.display()));
        ensure!(!side.exists(), "{} exists: is a server using this path?", side.display());
    }
    check_sqlite_file(from).context("the backup")?;
    let partial = PathBuf::from(format!("{}.restoring", to.display()));
    std::fs::copy(from, &partial).with_context(|| format!("copying to {}", partial.display()))?;
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, &to).with_context(|| format!("renaming {} to {}", partial.display(), to.display()))?;
    let mut conn = SqliteConnection::establish(&to.to_string_lossy())?;
    conn.batch_execute("PRAGMA journal_mode = WAL;")?;
    Ok(to)
}

/// The file name of a daily backup taken at `now` (UTC), sortable by time.
fn daily_name(now: chrono::NaiveDateTime, backend: Backend) -> String {
    let extension = match backend {
        Backend::Sqlite => "db",
        Backend::Postgres => "dump",
    };
    format!("ispbilling-{}.{extension}", now.format("%Y%m%d-%H%M%S"))
}

/// Removes the oldest daily backups in `dir` beyond the newest `keep`.
pub fn prune(dir: &Path, keep: usize) -> anyhow::Result<Vec<PathBuf>> {
    let mut backups: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("ispbilling-") && (n.ends_with(".db") || n.ends_with(".dump")))
        })
        .collect();
    backups.sort();
    let excess = backups.len().saturating_sub(keep.max(1));
    let removed: Vec<PathBuf> = backups.into_iter().take(excess).collect();
    for path in &removed {
        std::fs::remove_file(path)?;
    }
    Ok(removed)
}

/// Takes one daily backup into `dir` now and prunes the old ones.
pub async fn daily(db: &Db, database_url: &str, dir: &Path, keep: usize) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(daily_name(crate::clock::now(), db.backend()));
    backup(db, database_url, &path).await?;
    prune(dir, keep)?;
    Ok(path)
}

/// Starts the daily backups when `dir` is set: one soon after start, then every 24 hours.
pub fn spawn_daily(db: Db, database_url: String, dir: String, keep: usize) {
    if dir.trim().is_empty() {
        return;
    }
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(24 * 3600));
        loop {
            every.tick().await;
            match daily(&db, &database_url, Path::new(dir.trim()), keep).await {
                Ok(path) => tracing::info!(path = %path.display(), "daily backup taken"),
                Err(e) => tracing::error!(error = %format!("{e:#}"), "daily backup failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prunes_the_oldest_beyond_keep() {
        let dir = tempfile::tempdir().unwrap();
        for day in 1..=9 {
            std::fs::write(dir.path().join(format!("ispbilling-202611{day:02}-020000.db")), b"x").unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), b"kept").unwrap();
        let removed = prune(dir.path(), 7).unwrap();
        assert_eq!(removed.len(), 2);
        assert!(removed[0].ends_with("ispbilling-20261101-020000.db"));
        assert!(dir.path().join("notes.txt").exists());
        assert!(dir.path().join("ispbilling-20261109-020000.db").exists());
    }

    #[test]
    fn daily_names_sort_by_time() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(2, 0, 5).unwrap();
        assert_eq!(daily_name(t, Backend::Sqlite), "ispbilling-20261128-020005.db");
    }
}

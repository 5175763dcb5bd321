//! Backups of the database: `isp-billing backup --to FILE`, `isp-billing restore --from FILE`,
//! and a daily automatic backup into `ISP_BACKUP_DIR`.
//!
//! On SQLite a backup is `VACUUM INTO`: a consistent copy of the live database as of one
//! moment (a read transaction), taken while the server keeps writing, then checked with
//! `PRAGMA integrity_check`. On PostgreSQL the tool for the job is `pg_dump`; it is run when
//! installed (and `pg_restore` restores).
//!
//! A backup holds everything (password hashes, customers, sealed secrets), so only the server's
//! user may read it: the copy is made inside a private directory (0700) beside the target, made
//! 0600 and checked there, then linked in under its name. Nobody else can open it at any
//! moment, and a half-made copy never appears under the backup's name. The daily directory is
//! created 0700. The PostgreSQL password goes to `pg_dump` and `pg_restore` in their
//! environment (`PGPASSWORD`), never on their command line, which every user can read.

use std::ffi::OsString;
use std::fs::{DirBuilder, OpenOptions, Permissions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, ensure, Context as _};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};

use crate::db::{Backend, Db, DbConn};

/// Copies the live database to `to`, which must not exist yet, and checks the copy. The file
/// is the server user's alone (mode 0600) from the moment it exists.
pub async fn backup(db: &Db, database_url: &str, to: &Path) -> anyhow::Result<()> {
    ensure!(!to.exists(), "{} exists already: a backup never overwrites a file", to.display());
    let staging = Staging::beside(to)?;
    match db.backend() {
        Backend::Sqlite => {
            let target = staging.file.to_string_lossy().into_owned();
            db.read(move |conn| {
                let DbConn::Sqlite(conn) = conn else { unreachable!("a SQLite pool") };
                // One read transaction: a copy as of one moment, writers carry on (WAL). The
                // target is the empty 0600 file made by `Staging` (VACUUM INTO accepts one).
                diesel::sql_query("VACUUM INTO ?")
                    .bind::<diesel::sql_types::Text, _>(&target)
                    .execute(conn)
                    .map_err(crate::error::AppError::from)?;
                Ok(())
            })
            .await
            .map_err(|e| anyhow::Error::from(e).context("copying the database"))?;
            let file = staging.file.clone();
            tokio::task::spawn_blocking(move || check_sqlite_file(&file)).await??;
        }
        Backend::Postgres => pg_dump(database_url, &staging.file).await?,
    }
    let to = to.to_owned();
    tokio::task::spawn_blocking(move || staging.publish(&to)).await?
}

/// A private directory (0700) beside a backup's final path, holding the copy (an empty file,
/// 0600) while it is made and checked; removed when dropped. Made inside the target's own
/// directory, so publishing is a link on the same file system.
struct Staging {
    dir: PathBuf,
    file: PathBuf,
}

impl Staging {
    fn beside(to: &Path) -> anyhow::Result<Staging> {
        let name = to.file_name().with_context(|| format!("{} names no file", to.display()))?;
        let parent = to.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let dir = parent.join(format!(
            ".{}.partial-{}-{:08x}",
            name.to_string_lossy(),
            std::process::id(),
            rand::random::<u32>()
        ));
        DirBuilder::new().mode(0o700).create(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let staging = Staging { file: dir.join(name), dir };
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&staging.file)
            .with_context(|| format!("creating {}", staging.file.display()))?;
        Ok(staging)
    }

    /// Makes the copy 0600 (whatever made it), writes it to disk and links it in at `to`,
    /// never over an existing file.
    fn publish(&self, to: &Path) -> anyhow::Result<()> {
        std::fs::set_permissions(&self.file, Permissions::from_mode(0o600))?;
        std::fs::File::open(&self.file)?.sync_all()?;
        match std::fs::hard_link(&self.file, to) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                bail!("{} exists already: a backup never overwrites a file", to.display())
            }
            // A file system without hard links: a rename, after checking again.
            Err(_) if !to.exists() => std::fs::rename(&self.file, to)
                .with_context(|| format!("renaming {} to {}", self.file.display(), to.display()))?,
            Err(e) => return Err(e).with_context(|| format!("linking the backup at {}", to.display())),
        }
        if let Some(parent) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
            // The new name survives a power cut too (best effort: not every system syncs a directory).
            let _ = std::fs::File::open(parent).and_then(|d| d.sync_all());
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A PostgreSQL URL split for `pg_dump` and `pg_restore`: everything but the password (user,
/// hosts, port, database, parameters), which may go on a command line, and the password
/// (percent-decoded), which goes in their environment. Read as libpq reads a URI: the user
/// information ends at the first `@` before any `/`, the password follows the first `:` in it;
/// a `password` parameter counts too.
pub struct PgTarget {
    pub url: String,
    pub password: Option<Vec<u8>>,
}

impl std::fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let password = self.password.as_ref().map(|_| "..");
        f.debug_struct("PgTarget").field("url", &self.url).field("password", &password).finish()
    }
}

pub fn split_password(url: &str) -> PgTarget {
    let url = url.trim();
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return PgTarget { url: url.to_owned(), password: None };
    };
    let (scheme, rest) = url.split_at(scheme_end);
    let mut password = None;
    let mut rest = rest.to_owned();
    if let Some(at) = rest.find(['@', '/']).filter(|&i| rest.as_bytes()[i] == b'@') {
        let (userinfo, after) = (&rest[..at], &rest[at + 1..]);
        let user = match userinfo.split_once(':') {
            Some((user, secret)) => {
                if !secret.is_empty() {
                    password = Some(percent_decode(secret));
                }
                user
            }
            None => userinfo,
        };
        rest = if user.is_empty() { after.to_owned() } else { format!("{user}@{after}") };
    }
    if let Some((base, query)) = rest.split_once('?') {
        let mut kept = Vec::new();
        for param in query.split('&') {
            match param.split_once('=') {
                Some(("password", value)) => {
                    let value = percent_decode(value);
                    if !value.is_empty() {
                        password = Some(value);
                    }
                }
                _ if param.is_empty() => {}
                _ => kept.push(param),
            }
        }
        rest = if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
    }
    PgTarget { url: format!("{scheme}{rest}"), password }
}

/// `%XX` sequences decoded (as libpq decodes a URI); anything else kept as it is.
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// `program` (`pg_dump`, `pg_restore`) connecting to `database_url`: the URL without its
/// password as `--dbname`, the password in `PGPASSWORD`; never a prompt (`--no-password`).
fn pg_command(program: &str, database_url: &str) -> std::process::Command {
    let target = split_password(database_url);
    let mut command = std::process::Command::new(program);
    command.arg("--no-password").arg(format!("--dbname={}", target.url)).stdin(Stdio::null());
    if let Some(password) = target.password {
        command.env("PGPASSWORD", <OsString as std::os::unix::ffi::OsStringExt>::from_vec(password));
    }
    command
}

/// The `pg_dump` that writes a backup (custom format, for `pg_restore`) to `to`.
pub fn pg_dump_command(database_url: &str, to: &Path) -> std::process::Command {
    let mut command = pg_command("pg_dump", database_url);
    command.arg("--format=custom").arg("--file").arg(to);
    command
}

/// The `pg_restore` that restores the backup `from` into the (empty) database at `database_url`,
/// all or nothing.
pub fn pg_restore_command(database_url: &str, from: &Path) -> std::process::Command {
    let mut command = pg_command("pg_restore", database_url);
    command.args(["--exit-on-error", "--single-transaction", "--no-owner"]).arg(from);
    command
}

/// Runs `pg_dump` into `to`, or says how to back up.
async fn pg_dump(database_url: &str, to: &Path) -> anyhow::Result<()> {
    let output = tokio::process::Command::from(pg_dump_command(database_url, to)).output().await;
    match output {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => bail!("pg_dump failed: {}", String::from_utf8_lossy(&out.stderr).trim()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "on PostgreSQL, back up with pg_dump (install postgresql-client): \
             PGPASSWORD=... pg_dump --format=custom --file {} --dbname <DATABASE_URL without the password>",
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
    crate::db::sqlite_process_setup();
    let mut conn = SqliteConnection::establish(&url).with_context(|| format!("opening {}", path.display()))?;
    let rows: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .with_context(|| format!("{} is not a SQLite database", path.display()))?;
    let findings: Vec<String> = rows.into_iter().map(|r| r.integrity_check).collect();
    ensure!(findings == ["ok"], "{} failed the integrity check: {}", path.display(), findings.join("; "));
    Ok(())
}

/// Restores a backup `from` into the database at `database_url`, which must be new or empty
/// (a restore never overwrites a database); returns where it went, for the operator.
///
/// SQLite: the backup is checked first, and copied under a temporary name then renamed, so the
/// database file is either complete or absent. PostgreSQL: `pg_restore` of a `pg_dump` backup
/// into an empty database, in one transaction.
pub fn restore(from: &Path, database_url: &str) -> anyhow::Result<String> {
    let (backend, target) = crate::db::parse_url(database_url)?;
    if backend == Backend::Postgres {
        restore_postgres(from, &target)?;
        return Ok(crate::redact(&target));
    }
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
    // The database is as private as its backup.
    std::fs::set_permissions(&partial, Permissions::from_mode(0o600))?;
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, &to).with_context(|| format!("renaming {} to {}", partial.display(), to.display()))?;
    crate::db::sqlite_process_setup();
    let mut conn = SqliteConnection::establish(&to.to_string_lossy())?;
    conn.batch_execute("PRAGMA journal_mode = WAL;")?;
    Ok(to.display().to_string())
}

/// `pg_restore` of `from` into the PostgreSQL database at `url`, which must hold no tables.
fn restore_postgres(from: &Path, url: &str) -> anyhow::Result<()> {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        tables: i64,
    }
    let mut head = [0u8; 5];
    std::io::Read::read_exact(
        &mut std::fs::File::open(from).with_context(|| format!("opening {}", from.display()))?,
        &mut head,
    )
    .ok();
    ensure!(&head == b"PGDMP", "{} is not a pg_dump backup (custom format)", from.display());
    let mut conn = PgConnection::establish(url)
        .with_context(|| format!("connecting to the database at {}", crate::redact(url)))?;
    let count: Count = diesel::sql_query(
        "SELECT COUNT(*) AS tables FROM information_schema.tables \
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
    )
    .get_result(&mut conn)?;
    drop(conn);
    ensure!(
        count.tables == 0,
        "{} already holds tables: restore into a new, empty database (createdb, then set DATABASE_URL), never over a live one",
        crate::redact(url)
    );
    let output = pg_restore_command(url, from).output();
    match output {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => bail!("pg_restore failed: {}", String::from_utf8_lossy(&out.stderr).trim()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!("on PostgreSQL, restoring needs pg_restore: install postgresql-client")
        }
        Err(e) => Err(e).context("running pg_restore"),
    }
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
    private_dir(dir)?;
    let path = dir.join(daily_name(crate::clock::now(), db.backend()));
    backup(db, database_url, &path).await?;
    prune(dir, keep)?;
    Ok(path)
}

/// Creates `dir` (and its missing parents) 0700. One that exists already is left as it is, with
/// a warning when others may enter it (the backups in it are 0600 all the same).
fn private_dir(dir: &Path) -> anyhow::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mode = std::fs::metadata(dir)?.permissions().mode();
    if mode & 0o077 != 0 {
        tracing::warn!(
            dir = %dir.display(),
            mode = %format!("{:o}", mode & 0o777),
            "the backup directory is open to other users; `chmod 700` it (each backup is 0600)"
        );
    }
    Ok(())
}

/// Starts the daily backups when `dir` is set: one soon after start, then every 24 hours (on
/// one server of several: the job `backup` of [`Leases`]).
pub fn spawn_daily(leases: &crate::cluster::leases::Leases, db: Db, database_url: String, dir: String, keep: usize) {
    if dir.trim().is_empty() {
        return;
    }
    leases.spawn("backup", move || daily_backups(db.clone(), database_url.clone(), dir.clone(), keep));
}

async fn daily_backups(db: Db, database_url: String, dir: String, keep: usize) {
    let mut every = tokio::time::interval(Duration::from_secs(24 * 3600));
    loop {
        every.tick().await;
        match daily(&db, &database_url, Path::new(dir.trim()), keep).await {
            Ok(path) => tracing::info!(path = %path.display(), "daily backup taken"),
            Err(e) => tracing::error!(error = %format!("{e:#}"), "daily backup failed"),
        }
    }
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

    fn split(url: &str) -> (String, Option<String>) {
        let target = split_password(url);
        (target.url, target.password.map(|p| String::from_utf8(p).unwrap()))
    }

    #[test]
    fn the_password_is_split_off_postgres_urls() {
        let pair = |url: &str, password: Option<&str>| (url.to_owned(), password.map(str::to_owned));
        // Percent-encoded, with a port and parameters kept.
        assert_eq!(
            split("postgres://billing:p%40ss%3Aw%2Fd%25@db.example:5433/isp?sslmode=require&connect_timeout=5"),
            pair("postgres://billing@db.example:5433/isp?sslmode=require&connect_timeout=5", Some("p@ss:w/d%"))
        );
        // None to split off.
        assert_eq!(
            split("postgres://postgres@127.0.0.1:5432/postgres"),
            pair("postgres://postgres@127.0.0.1:5432/postgres", None)
        );
        assert_eq!(split("postgresql://localhost/isp"), pair("postgresql://localhost/isp", None));
        assert_eq!(split("postgres://u:@h/db"), pair("postgres://u@h/db", None));
        // An `@` after the path is not user information.
        assert_eq!(split("postgres://h/db?application_name=a@b"), pair("postgres://h/db?application_name=a@b", None));
        // A password without a user; several hosts.
        assert_eq!(split("postgres://:s3cret@h/db"), pair("postgres://h/db", Some("s3cret")));
        assert_eq!(split(" postgres://u:pw@h1:5432,h2:5433/db "), pair("postgres://u@h1:5432,h2:5433/db", Some("pw")));
        // A password as a parameter, alone or among others.
        assert_eq!(
            split("postgresql://u@h/db?sslmode=disable&password=s%20x+y&application_name=isp"),
            pair("postgresql://u@h/db?sslmode=disable&application_name=isp", Some("s x+y"))
        );
        assert_eq!(split("postgres://u@h/db?password=pw"), pair("postgres://u@h/db", Some("pw")));
        assert!(!format!("{:?}", split_password("postgres://u:hunter2@h/db")).contains("hunter2"));
    }

    #[test]
    fn the_password_reaches_pg_dump_and_pg_restore_by_environment_only() {
        let url = "postgres://billing:hunter%32@db.example:5433/isp?sslmode=require";
        let to = Path::new("/backups/isp.dump");
        for command in [pg_dump_command(url, to), pg_restore_command(url, to)] {
            let args: Vec<String> = command.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
            assert!(args.iter().all(|a| !a.contains("hunter")), "{args:?}");
            assert!(
                args.contains(&"--dbname=postgres://billing@db.example:5433/isp?sslmode=require".to_owned()),
                "{args:?}"
            );
            assert!(args.contains(&"--no-password".to_owned()) && args.contains(&"/backups/isp.dump".to_owned()));
            let env: Vec<(String, String)> = command
                .get_envs()
                .filter_map(|(k, v)| Some((k.to_string_lossy().into_owned(), v?.to_string_lossy().into_owned())))
                .collect();
            assert_eq!(env, [("PGPASSWORD".to_owned(), "hunter2".to_owned())]);
        }
        let command = pg_dump_command("postgres://postgres@127.0.0.1/isp", to);
        assert_eq!(command.get_envs().count(), 0, "no password, no PGPASSWORD set (an inherited one still works)");
    }

    #[test]
    fn a_backup_is_staged_privately_and_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let to = dir.path().join("isp.db");
        let staging = Staging::beside(&to).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&staging.dir), 0o700);
        assert_eq!(mode(&staging.file), 0o600);
        std::fs::set_permissions(&staging.file, Permissions::from_mode(0o644)).unwrap();
        staging.publish(&to).unwrap();
        assert_eq!(mode(&to), 0o600, "0600 whatever made the copy");
        let staged_dir = staging.dir.clone();
        drop(staging);
        assert!(!staged_dir.exists());
        let again = Staging::beside(&to).unwrap();
        assert!(again.publish(&to).unwrap_err().to_string().contains("never overwrites"));
        drop(again);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "nothing left behind");
        let daily = dir.path().join("a/b");
        private_dir(&daily).unwrap();
        assert_eq!(mode(&daily), 0o700);
    }

    #[test]
    fn daily_names_sort_by_time() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(2, 0, 5).unwrap();
        assert_eq!(daily_name(t, Backend::Sqlite), "ispbilling-20261128-020005.db");
    }
}

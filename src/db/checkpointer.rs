//! Copying SQLite's write-ahead log into the database file on a thread of its own.
//!
//! Left to itself, SQLite checkpoints in the connection whose commit takes the log past 1,000
//! pages: that writer reads the log's pages, writes them into the database file and syncs it
//! before its commit returns, and every other writer waits for its turn meanwhile. On a
//! renewal day of 100,000 customers that was a sixth of the run, on the one core the writers
//! take turns on. Here each committed write rings the database's [`Checkpointer`], a thread
//! with a connection of its own that runs a `PASSIVE` checkpoint (which never waits for a
//! reader or a writer), at most once per [`INTERVAL`]: writers go on while it copies, on the
//! other core. Pooled connections checkpoint themselves only past [`BACKSTOP_PAGES`] of log
//! (`wal_autocheckpoint`), if the thread ever fell that far behind.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use diesel::{Connection, RunQueryDsl, SqliteConnection};

/// The least time between two checkpoints: one copies what the commits since the last wrote,
/// each page once however often they rewrote it.
const INTERVAL: Duration = Duration::from_millis(100);

/// Pages of log past which a committing connection checkpoints itself (SQLite's
/// `wal_autocheckpoint`, 1,000 by default): 40 MB at 4 KB pages.
pub const BACKSTOP_PAGES: u32 = 10_000;

/// The checkpointing thread of one SQLite database; it stops when this is dropped.
pub struct Checkpointer {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    bell: Condvar,
    /// Held around each checkpoint this server runs on the file: SQLite answers a second
    /// checkpoint at once with "busy" instead of waiting for the first.
    turn: Mutex<()>,
    /// Checkpoints the thread has run.
    done: AtomicU64,
}

#[derive(Default)]
struct State {
    rung: bool,
    stopped: bool,
}

#[derive(diesel::QueryableByName)]
struct Outcome {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    busy: i32,
}

impl Checkpointer {
    /// Opens a connection to the SQLite file `target` and starts the thread on it.
    pub fn start(target: &str) -> anyhow::Result<Checkpointer> {
        // A plain connection: its statements are not the server's work, and stay out of the
        // statement counter that tests and benchmarks read.
        let mut conn = SqliteConnection::establish(target)?;
        diesel::connection::SimpleConnection::batch_execute(&mut conn, "PRAGMA busy_timeout = 10000;")?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            bell: Condvar::new(),
            turn: Mutex::new(()),
            done: AtomicU64::new(0),
        });
        let theirs = Arc::clone(&shared);
        std::thread::Builder::new().name("sqlite-checkpoints".into()).spawn(move || run(conn, &theirs))?;
        Ok(Checkpointer { shared })
    }

    /// Something was committed: the log is checkpointed within [`INTERVAL`].
    pub fn ring(&self) {
        let mut state = lock(&self.shared.state);
        if !state.rung {
            state.rung = true;
            self.shared.bell.notify_one();
        }
    }

    /// This server's turn to checkpoint the file: hold it around a checkpoint run elsewhere.
    pub fn turn(&self) -> MutexGuard<'_, ()> {
        lock(&self.shared.turn)
    }

    /// Checkpoints the thread has run so far.
    #[cfg(test)]
    pub fn done(&self) -> u64 {
        self.shared.done.load(Ordering::Relaxed)
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        lock(&self.shared.state).stopped = true;
        self.shared.bell.notify_one();
    }
}

/// A poisoned lock still guards what it guards here (a flag, or a turn).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn run(mut conn: SqliteConnection, shared: &Shared) {
    loop {
        {
            let mut state = lock(&shared.state);
            while !state.rung && !state.stopped {
                state = shared.bell.wait(state).unwrap_or_else(|poisoned| poisoned.into_inner());
            }
            if state.stopped {
                return;
            }
            state.rung = false;
        }
        let started = Instant::now();
        let outcome = {
            let _turn = lock(&shared.turn);
            diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").load::<Outcome>(&mut conn)
        };
        match outcome.as_deref() {
            // All copied, or what no reader still needs (the rest at a later turn).
            Ok([Outcome { busy: 0 }]) => {}
            // Another connection's checkpoint held the file: the next turn copies it.
            Ok(_) => tracing::debug!("write-ahead log checkpoint busy"),
            Err(e) => tracing::warn!(error = %e, "the write-ahead log could not be checkpointed"),
        }
        shared.done.fetch_add(1, Ordering::Relaxed);
        std::thread::sleep(INTERVAL.saturating_sub(started.elapsed()));
    }
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;

    use super::BACKSTOP_PAGES;
    use crate::db::Db;

    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        wal_autocheckpoint: i32,
    }

    #[tokio::test]
    async fn the_log_is_copied_into_the_file_by_the_thread_not_by_the_writers() {
        use diesel::RunQueryDsl;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.db");
        let db = Db::connect(&path.to_string_lossy(), 2, Default::default()).unwrap();
        let setting =
            db.read(|c| Ok(diesel::sql_query("PRAGMA wal_autocheckpoint").load::<Setting>(c)?)).await.unwrap();
        assert_eq!(setting[0].wal_autocheckpoint, BACKSTOP_PAGES as i32, "writers leave the log to the thread");

        db.write(|c| Ok(c.batch_execute("CREATE TABLE pages (body BLOB NOT NULL)")?)).await.unwrap();
        // 4,000 pages of log in 40 commits: past SQLite's own checkpoint at 1,000, short of the
        // writers' backstop.
        for _ in 0..40 {
            db.write(|c| {
                Ok(c.batch_execute(
                    "INSERT INTO pages (body) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n \
                     WHERE i < 100) SELECT randomblob(4000) FROM n",
                )?)
            })
            .await
            .unwrap();
        }
        let checkpointer = db.checkpointer.clone().expect("a SQLite database has a checkpointer");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        // The thread copies what was committed: the file holds the pages without any reader
        // or writer having checkpointed.
        loop {
            let file = std::fs::metadata(&path).unwrap().len();
            if checkpointer.done() > 0 && file >= 4_000 * 4_000 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "not checkpointed: {} runs, file {file} bytes",
                checkpointer.done()
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let count: i64 = db
            .read(|c| Ok(diesel::dsl::sql::<diesel::sql_types::BigInt>("SELECT COUNT(*) FROM pages").get_result(c)?))
            .await
            .unwrap();
        assert_eq!(count, 4_000);
    }
}

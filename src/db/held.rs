//! Locks a batch takes once, at the top of its transaction, and the reads they guard.
//!
//! The billing cycle issues hundreds of invoices in one transaction, each in a savepoint of its
//! own. Every one would take the same advisory locks (its company's GST periods, its invoice
//! series) and read again what those locks guard (the closed months, the series' last invoice):
//! on PostgreSQL, a round trip each. [`with_locks_held`] takes the locks once, outside any
//! savepoint, so they are held until the transaction ends (a savepoint rolled back would give back
//! a lock taken inside it); within it, [`lock_key`] of a held key costs nothing, and
//! [`guarded_read`] remembers what a held lock guards, since nothing else can change it meanwhile.

use std::any::Any;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use super::connection::DbConn;
use super::sql::{Param, Sql};
use crate::error::AppResult;

struct Held {
    keys: HashSet<String>,
    reads: HashMap<String, Box<dyn Any>>,
}

thread_local! {
    /// While [`with_locks_held`] runs on this thread (a write transaction runs on one thread).
    static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
}

/// Takes the advisory locks `keys` (see [`lock_key`]) and runs `f` with them held. Call it
/// at the top of a write transaction, never inside a savepoint.
pub fn with_locks_held<T>(
    conn: &mut DbConn,
    keys: &[String],
    f: impl FnOnce(&mut DbConn) -> AppResult<T>,
) -> AppResult<T> {
    for key in keys {
        lock_key(conn, key)?;
    }
    struct Restore(Option<Held>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let before = self.0.take();
            HELD.with(|h| *h.borrow_mut() = before);
        }
    }
    let held = Held { keys: keys.iter().cloned().collect(), reads: HashMap::new() };
    let _restore = Restore(HELD.with(|h| h.borrow_mut().replace(held)));
    f(conn)
}

/// Whether [`with_locks_held`] holds `key` on this thread.
fn is_held(key: &str) -> bool {
    HELD.with(|h| h.borrow().as_ref().is_some_and(|held| held.keys.contains(key)))
}

/// `read()`, remembered as `what` for the rest of [`with_locks_held`] when it holds the lock
/// `guard` (which every writer of what `read` reads takes); else read each time.
pub fn guarded_read<V: Clone + 'static>(guard: &str, what: &str, read: impl FnOnce() -> AppResult<V>) -> AppResult<V> {
    if !is_held(guard) {
        return read();
    }
    let known = HELD.with(|h| {
        h.borrow().as_ref().and_then(|held| held.reads.get(what)).and_then(|v| v.downcast_ref::<V>()).cloned()
    });
    if let Some(value) = known {
        return Ok(value);
    }
    let value = read()?;
    HELD.with(|h| {
        if let Some(held) = h.borrow_mut().as_mut() {
            held.reads.insert(what.to_owned(), Box::new(value.clone()));
        }
    });
    Ok(value)
}

/// Serialises write transactions that name the same `key` until they end. SQLite's
/// `BEGIN IMMEDIATE` already lets one writer in at a time; PostgreSQL takes a transaction-scoped
/// advisory lock (for check-then-write rules such as "not the last admin").
pub fn lock_key(conn: &mut DbConn, key: &str) -> AppResult<()> {
    if let DbConn::Pg(_) = conn {
        if is_held(key) {
            return Ok(());
        }
        Sql::new("SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext(?))")
            .bind(Param::Text(key.to_owned()))
            .load::<Locked>(conn)?;
    }
    Ok(())
}

/// What [`lock_key`] reads back (a row once the lock is taken).
#[derive(diesel::QueryableByName)]
struct Locked {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    #[allow(dead_code)]
    locked: i32,
}

//! What a write transaction changed that the network must hear about, announced after the
//! commit. Repositories that change what RADIUS answers (a customer's status or plan, their
//! network login, a plan's speed, a company's network settings) note it here, inside the
//! transaction; [`super::Db::write`] sends the notes of the attempt that committed, and only
//! those, to [`super::Db::network_changes`] subscribers (the network snapshot in
//! `crate::network::snapshot`). A rolled-back or retried attempt's notes are dropped.
//!
//! Notes are kept per thread: one write attempt runs on one blocking thread from its `BEGIN` to
//! its `COMMIT`. A note says "read this again", never what changed, so a note from a savepoint
//! later rolled back only causes one needless re-read; a billing-cycle preview, whose every
//! batch is rolled back, [`discard`]s its notes.
//!
//! Several servers on one PostgreSQL: the same notes are recorded for the others in the
//! transaction itself ([`record_for_peers`], through `crate::cluster::feed`); each server's
//! listener hands them to its own subscribers ([`super::Db::network_sender`]), so every
//! server's snapshot hears every commit within moments, not at its next full read.

use std::cell::RefCell;

/// What to read again after a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// These customers (row ids).
    Customers(Vec<i64>),
    /// These customers, changed by another server on the database: read again to answer
    /// FreeRADIUS; the NAS is told by the server that committed the change (or, should it stop
    /// first, by any server's next full read).
    Elsewhere(Vec<i64>),
    /// Everything (a plan's speed or a company's settings changed).
    All,
}

#[derive(Default)]
struct Notes {
    customers: Vec<i64>,
    all: bool,
}

thread_local! {
    static NOTES: RefCell<Notes> = RefCell::new(Notes::default());
}

/// Customer `id`'s network answer may have changed in this transaction.
pub fn note_customer(id: i64) {
    NOTES.with(|n| n.borrow_mut().customers.push(id));
}

/// Every customer's network answer may have changed in this transaction.
pub fn note_all() {
    NOTES.with(|n| n.borrow_mut().all = true);
}

/// The `cluster_events` kind of a customer whose network answer may have changed (row id: the
/// customer's); for the network snapshot, not for subscriptions.
pub const NETWORK_CUSTOMER: &str = "NetworkCustomer";
/// The `cluster_events` kind of "every customer's network answer may have changed" (row id 0).
pub const NETWORK_ALL: &str = "NetworkAll";

/// Records this attempt's notes for the other servers on the database (kinds
/// [`NETWORK_CUSTOMER`] and [`NETWORK_ALL`]), in its transaction, just before the commit;
/// nothing on SQLite (one process) or without notes.
pub(super) fn record_for_peers(conn: &mut super::DbConn, origin: &str) -> crate::error::AppResult<()> {
    if !matches!(conn, super::DbConn::Pg(_)) {
        return Ok(());
    }
    let events: Vec<(&'static str, i64)> = NOTES.with(|n| {
        let notes = n.borrow();
        if notes.all {
            return vec![(NETWORK_ALL, 0)];
        }
        let mut ids = notes.customers.clone();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter().map(|id| (NETWORK_CUSTOMER, id)).collect()
    });
    crate::cluster::feed::record(conn, origin, &events)
}

/// Forgets this transaction's notes so far: its work was rolled back to a savepoint and changed
/// nothing (a billing-cycle preview), so neither this server nor the others need read anything.
pub fn discard() {
    clear();
}

/// Forgets the notes of an earlier attempt on this thread (called at `BEGIN`).
pub(super) fn clear() {
    NOTES.with(|n| *n.borrow_mut() = Notes::default());
}

/// Takes this thread's notes (called after `COMMIT`).
pub(super) fn take() -> Option<Changed> {
    NOTES.with(|n| {
        let notes = std::mem::take(&mut *n.borrow_mut());
        if notes.all {
            Some(Changed::All)
        } else if notes.customers.is_empty() {
            None
        } else {
            let mut ids = notes.customers;
            ids.sort_unstable();
            ids.dedup();
            Some(Changed::Customers(ids))
        }
    })
}

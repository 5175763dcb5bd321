//! How the other servers hear that events were committed: after a write transaction that
//! recorded events ([`super::feed::record`]) commits, the server rings its doorbell, and its
//! listener ([`super::listener`]) sends one `NOTIFY isp_events` on its own connection for every
//! ring since its last, at most one per [`GAP`].
//!
//! The `NOTIFY` is not sent by the writing transaction itself: PostgreSQL lets one transaction
//! that notifies commit at a time (it holds a database-wide lock from just before the commit
//! until the commit is flushed), so payments that each notified waited for one another's WAL
//! flush. The events are durable in `cluster_events` either way. Rings while the listener is
//! away stay rung and are announced once it has connected again; the others read the table
//! every [`super::listener::HEARTBEAT`] meanwhile.

use std::cell::Cell;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// The least time between two `NOTIFY`s of one server: the rings in between are announced
/// together. The other servers look for notifications every 50 ms, so this adds little.
pub const GAP: Duration = Duration::from_millis(10);

thread_local! {
    /// Whether the write transaction on this thread recorded events (see [`take_recorded`]).
    static RECORDED: Cell<bool> = const { Cell::new(false) };
}

/// The write transaction on this thread recorded events (`super::feed::record`).
pub fn note_recorded() {
    RECORDED.set(true);
}

/// Whether the transaction on this thread recorded events since the last call (made at its
/// `BEGIN` and after its `COMMIT` by `Db::write`): after the commit, the doorbell is rung.
pub fn take_recorded() -> bool {
    RECORDED.replace(false)
}

/// A server's doorbell (cheap to clone): rung by writers, answered by its listener.
#[derive(Clone, Default)]
pub struct Doorbell(Arc<Inner>);

#[derive(Default)]
struct Inner {
    rung: Mutex<bool>,
    woken: Condvar,
}

impl Doorbell {
    /// Events were committed: the listener is to announce them.
    pub fn ring(&self) {
        let mut rung = self.0.rung.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *rung = true;
        self.0.woken.notify_one();
    }

    /// Waits up to `timeout` for a ring; whether there was one since the last answered (it is
    /// answered by this call: ring again to be announced again).
    pub fn wait(&self, timeout: Duration) -> bool {
        let rung = self.0.rung.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (mut rung, _) = self
            .0
            .woken
            .wait_timeout_while(rung, timeout, |rung| !*rung)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        std::mem::take(&mut *rung)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn rings_before_a_wait_are_answered_by_it_once() {
        let bell = Doorbell::default();
        bell.ring();
        bell.ring();
        assert!(bell.wait(Duration::from_secs(5)));
        let started = Instant::now();
        assert!(!bell.wait(Duration::from_millis(20)), "both rings were answered by the first wait");
        assert!(started.elapsed() >= Duration::from_millis(20));
    }

    #[test]
    fn a_ring_from_another_thread_ends_the_wait() {
        let bell = Doorbell::default();
        let ringer = bell.clone();
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            ringer.ring();
        });
        let started = Instant::now();
        assert!(bell.wait(Duration::from_secs(10)));
        assert!(started.elapsed() < Duration::from_secs(10));
        thread.join().unwrap();
    }
}

//! Live events for subscriptions: published after the transaction that caused them commits,
//! fanned out to every subscriber through a bounded broadcast channel. Publishing never waits
//! for a subscriber; one that falls more than [`CAPACITY`] events behind is told how many it
//! missed and carries on from the newest.
//!
//! Publishing after the commit cannot be forgotten: a write that announces anything runs
//! through [`Events::write`] (or [`Events::write_settling_race`], [`Events::write_once`]). Its
//! transaction pushes what it has to announce onto an [`Outgoing`], fresh for every attempt,
//! and the events are published when, and only when, that transaction has committed. There is
//! no other way to publish.
//!
//! Several servers on one PostgreSQL: the same transaction also records its events for the
//! other servers (`cluster::feed::record`; they are notified after the commit); each server's
//! listener (`cluster::listener`) reads them, loads the rows afresh and hands them to its own
//! subscribers through a [`PeerFeed`]. On SQLite (one process) nothing more happens.

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::complaints::model::ComplaintRow;
use crate::connection_requests::model::ConnectionRequestRow;
use crate::db::changes::Changed;
use crate::db::{Db, DbConn};
use crate::error::AppResult;
use crate::idempotency::service::{Claim, Once};
use crate::notifications::model::NotificationRow;

/// Events a subscriber may fall behind by before it misses some.
pub const CAPACITY: usize = 1024;

/// Something that happened, for subscribers.
#[derive(Debug, Clone)]
pub enum Event {
    ComplaintCreated(ComplaintRow),
    ComplaintUpdated(ComplaintRow),
    ConnectionRequestCreated(ConnectionRequestRow),
    NotificationCreated(NotificationRow),
    /// Events other servers committed may have been missed (this server's listener was away
    /// longer than the events are kept, or fell too far behind): subscribers are told `LAGGED`.
    Missed,
}

impl Event {
    /// The event's kind and row id, as other servers are told of it (`None` for [`Event::Missed`]).
    pub fn kind_and_id(&self) -> Option<(&'static str, i64)> {
        Some(match self {
            Event::ComplaintCreated(row) => (kinds::COMPLAINT_CREATED, row.id),
            Event::ComplaintUpdated(row) => (kinds::COMPLAINT_UPDATED, row.id),
            Event::ConnectionRequestCreated(row) => (kinds::CONNECTION_REQUEST_CREATED, row.id),
            Event::NotificationCreated(row) => (kinds::NOTIFICATION_CREATED, row.id),
            Event::Missed => return None,
        })
    }
}

/// The names of the event kinds in `cluster_events.kind`.
pub mod kinds {
    pub const COMPLAINT_CREATED: &str = "ComplaintCreated";
    pub const COMPLAINT_UPDATED: &str = "ComplaintUpdated";
    pub const CONNECTION_REQUEST_CREATED: &str = "ConnectionRequestCreated";
    pub const NOTIFICATION_CREATED: &str = "NotificationCreated";
    // The network snapshot's kinds are `crate::db::changes::{NETWORK_CUSTOMER, NETWORK_ALL}`.
}

/// What one attempt of a write transaction will announce once it commits. An attempt that
/// rolls back (an error, or contention and a retry) takes its `Outgoing` with it.
#[derive(Debug, Default)]
pub struct Outgoing(Vec<Event>);

impl Outgoing {
    /// Announces `event` after the commit.
    pub fn push(&mut self, event: Event) {
        self.0.push(event);
    }

    /// Announces notifications stored in this transaction to their recipients' subscriptions.
    pub fn notifications(&mut self, rows: impl IntoIterator<Item = NotificationRow>) {
        self.0.extend(rows.into_iter().map(Event::NotificationCreated));
    }
}

/// The server's event hub (cheap to clone).
#[derive(Clone)]
pub struct Events {
    sender: broadcast::Sender<Arc<Event>>,
    /// This hub's name among the servers on one database (random, per start): the events it
    /// records are marked with it, so its listener does not deliver them a second time.
    origin: Arc<str>,
}

impl Default for Events {
    fn default() -> Self {
        Events::with_capacity(CAPACITY)
    }
}

impl Events {
    /// The hub of the server whose name among the servers on the database is `origin`
    /// ([`Db::origin`]: what its writes record for the others is marked alike).
    pub fn for_server(origin: Arc<str>) -> Self {
        Events { origin, ..Events::default() }
    }
}

/// One attempt of `f` with a fresh [`Outgoing`]; what it announces is also recorded for the
/// other servers on the database, in the same transaction (`cluster::feed::record`).
fn attempt<T>(
    f: &mut impl FnMut(&mut DbConn, &mut Outgoing) -> AppResult<T>,
    conn: &mut DbConn,
    origin: &str,
) -> AppResult<(T, Outgoing)> {
    let mut out = Outgoing::default();
    let value = f(conn, &mut out)?;
    let announced: Vec<(&'static str, i64)> = out.0.iter().filter_map(Event::kind_and_id).collect();
    crate::cluster::feed::record(conn, origin, &announced)?;
    Ok((value, out))
}

impl Events {
    /// A hub whose subscribers may fall `capacity` events behind.
    pub fn with_capacity(capacity: usize) -> Self {
        let origin = crate::hex::encode(&rand::random::<[u8; 8]>());
        Events { sender: broadcast::channel(capacity.max(1)).0, origin: origin.into() }
    }

    /// Where the cluster listener delivers the events other servers committed.
    pub fn peer_feed(&self) -> PeerFeed {
        PeerFeed { sender: self.sender.downgrade(), origin: Arc::clone(&self.origin), network: None }
    }

    /// [`Db::write`] of `f`, which pushes what it announces onto its [`Outgoing`]; published
    /// once the transaction has committed (nothing of an attempt that rolled back).
    pub async fn write<T, F>(&self, db: &Db, mut f: F) -> AppResult<T>
    where
        F: FnMut(&mut DbConn, &mut Outgoing) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let origin = Arc::clone(&self.origin);
        let (value, out) = db.write(move |conn| attempt(&mut f, conn, &origin)).await?;
        self.send(out);
        Ok(value)
    }

    /// [`Events::write`] through [`Db::write_settling_race`].
    pub async fn write_settling_race<T, F>(&self, db: &Db, mut f: F) -> AppResult<T>
    where
        F: FnMut(&mut DbConn, &mut Outgoing) -> AppResult<T> + Clone + Send + 'static,
        T: Send + 'static,
    {
        let origin = Arc::clone(&self.origin);
        let (value, out) = db.write_settling_race(move |conn| attempt(&mut f, conn, &origin)).await?;
        self.send(out);
        Ok(value)
    }

    /// [`Events::write`] through [`crate::idempotency::service::write_once`]: a replay
    /// announces nothing (the first run did).
    pub async fn write_once<T, F>(
        &self,
        db: &Db,
        claim: Option<Claim>,
        mut f: F,
        id_of: fn(&T) -> i64,
    ) -> AppResult<Once<T>>
    where
        F: FnMut(&mut DbConn, &mut Outgoing) -> AppResult<T> + Clone + Send + 'static,
        T: Send + 'static,
    {
        let origin = Arc::clone(&self.origin);
        let work = move |conn: &mut DbConn| attempt(&mut f, conn, &origin);
        let id_of = move |(value, _): &(T, Outgoing)| id_of(value);
        let once = crate::idempotency::service::write_once(db, claim, work, id_of).await?;
        Ok(match once {
            Once::Fresh((value, out)) => {
                self.send(out);
                Once::Fresh(value)
            }
            Once::Replayed(id) => Once::Replayed(id),
        })
    }

    /// Sends `out`'s events, in order, to every current subscriber (only after the commit).
    fn send(&self, out: Outgoing) {
        for event in out.0 {
            // An error only means nobody is listening.
            let _ = self.sender.send(Arc::new(event));
        }
    }

    /// Sends `event` as if a transaction had committed it.
    #[cfg(test)]
    pub(crate) fn publish(&self, event: Event) {
        self.send(Outgoing(vec![event]));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }
}

/// The way into a hub for events other servers committed (the cluster listener's): it does
/// not keep the hub alive, and says when the hub is gone (the server stopped).
pub struct PeerFeed {
    sender: broadcast::WeakSender<Arc<Event>>,
    origin: Arc<str>,
    /// Where network changes go ([`crate::db::Db::network_sender`]).
    network: Option<broadcast::Sender<Changed>>,
}

impl PeerFeed {
    /// The hub's own name: events recorded under it were delivered when they committed.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Whether the hub still exists.
    pub fn alive(&self) -> bool {
        self.sender.strong_count() > 0
    }

    /// The same feed, handing other servers' network changes to `network`.
    pub fn with_network(self, network: broadcast::Sender<Changed>) -> Self {
        PeerFeed { network: Some(network), ..self }
    }

    /// Hands a network change another server committed to this server's snapshot.
    pub fn network(&self, changed: Changed) {
        if let Some(network) = &self.network {
            // An error only means nobody is listening.
            let _ = network.send(changed);
        }
    }

    /// Other servers' events may have been missed: subscribers are told `LAGGED` and the
    /// network snapshot reads everything again.
    pub fn missed(&self) {
        self.deliver(Event::Missed);
        self.network(Changed::All);
    }

    /// Hands `event`, committed by another server, to this server's subscribers; `false` when
    /// the hub is gone.
    pub fn deliver(&self, event: Event) -> bool {
        match self.sender.upgrade() {
            Some(sender) => {
                // An error only means nobody is listening.
                let _ = sender.send(Arc::new(event));
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::error::AppError;
    use diesel::result::{DatabaseErrorKind, Error as DieselError};
    use tokio::sync::broadcast::error::TryRecvError;

    /// A complaint event with row id `id`.
    pub(crate) fn complaint(id: i64) -> Event {
        let now = crate::clock::now();
        Event::ComplaintCreated(ComplaintRow {
            id,
            complaint_id: format!("CMP{id:010}"),
            customer_id: 1,
            title: String::new(),
            description: String::new(),
            category: crate::complaints::model::ComplaintCategory::Other,
            priority: crate::complaints::model::ComplaintPriority::Low,
            status: crate::complaints::model::ComplaintStatus::Open,
            assigned_employee_id: None,
            resolved_at: None,
            created_at: now,
            updated_at: now,
        })
    }

    fn id_of(event: &Event) -> i64 {
        match event {
            Event::ComplaintCreated(row) | Event::ComplaintUpdated(row) => row.id,
            _ => 0,
        }
    }

    fn contention() -> AppError {
        AppError::Database(DieselError::DatabaseError(
            DatabaseErrorKind::SerializationFailure,
            Box::new("could not serialize access".to_owned()),
        ))
    }

    #[tokio::test]
    async fn only_the_committed_attempt_is_announced_and_only_after_the_commit() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&dir.path().join("events.db").to_string_lossy(), 2, Default::default()).unwrap();
        let events = Events::default();
        let mut received = events.subscribe();

        // Rolled back: nothing is announced.
        let failed = events.write(&db, |_, out| -> AppResult<()> {
            out.push(complaint(1));
            Err(AppError::Conflict("no".into()))
        });
        assert!(failed.await.is_err());
        assert!(matches!(received.try_recv(), Err(TryRecvError::Empty)));

        // Contention on the first attempt: only the retry's events go out, after its commit.
        let mut attempt = 0;
        let value = events
            .write(&db, move |_, out| {
                attempt += 1;
                out.push(complaint(10 + attempt));
                if attempt == 1 {
                    return Err(contention());
                }
                Ok(attempt)
            })
            .await
            .unwrap();
        assert_eq!(value, 2);
        assert_eq!(id_of(&received.try_recv().unwrap()), 12);
        assert!(matches!(received.try_recv(), Err(TryRecvError::Empty)));
    }
}

//! Live events for subscriptions: published after the transaction that caused them commits,
//! fanned out to every subscriber through a bounded broadcast channel. Publishing never waits
//! for a subscriber; one that falls more than [`CAPACITY`] events behind is told how many it
//! missed and carries on from the newest.

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::complaints::model::ComplaintRow;
use crate::connection_requests::model::ConnectionRequestRow;
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
}

/// The server's event hub (cheap to clone).
#[derive(Clone)]
pub struct Events {
    sender: broadcast::Sender<Arc<Event>>,
}

impl Default for Events {
    fn default() -> Self {
        Events { sender: broadcast::channel(CAPACITY).0 }
    }
}

impl Events {
    /// A hub whose subscribers may fall `capacity` events behind.
    pub fn with_capacity(capacity: usize) -> Self {
        Events { sender: broadcast::channel(capacity.max(1)).0 }
    }

    /// Sends `event` to every current subscriber; call it only after the commit.
    pub fn publish(&self, event: Event) {
        // An error only means nobody is listening.
        let _ = self.sender.send(Arc::new(event));
    }

    /// Publishes each of `events` in order.
    pub fn publish_all(&self, events: impl IntoIterator<Item = Event>) {
        for event in events {
            self.publish(event);
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }
}

//! What the subscriptions of one websocket share, and the caps on how many there may be:
//! per socket (`ISP_WS_MAX_SUBSCRIPTIONS`) and per account across all its sockets
//! (`ISP_MAX_SUBSCRIPTIONS_PER_ACCOUNT`). The login behind a socket is checked once per event,
//! whatever the number of its subscriptions.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::loader_cache::EpochCache;
use crate::auth::Principal;
use crate::events::Event;

/// The caps, and the count of live subscriptions per account (shared by every socket).
#[derive(Clone)]
pub struct SubscriptionLimits {
    pub per_socket: usize,
    pub per_account: usize,
    /// Most open websockets of one account.
    pub sockets_per_account: usize,
    accounts: Arc<Mutex<HashMap<(&'static str, i64), usize>>>,
    sockets: Arc<Mutex<HashMap<(&'static str, i64), usize>>>,
}

impl SubscriptionLimits {
    pub fn new(per_socket: usize, per_account: usize, sockets_per_account: usize) -> Self {
        SubscriptionLimits {
            per_socket,
            per_account,
            sockets_per_account,
            accounts: Arc::default(),
            sockets: Arc::default(),
        }
    }

    /// Takes a place for one more logged-in websocket of `who`, or says that the account has
    /// as many open as it may. The place is given back when the returned [`Slot`] is dropped
    /// (with the connection's data, when the socket closes).
    pub fn acquire_socket(&self, who: &Principal) -> Result<AccountSlot, String> {
        let key = (who.kind(), who.id());
        let mut sockets = self.sockets.lock().unwrap_or_else(|p| p.into_inner());
        let count = sockets.entry(key).or_insert(0);
        if *count >= self.sockets_per_account {
            return Err(format!(
                "your account already has {} open websocket connections, the most allowed; close one first",
                self.sockets_per_account
            ));
        }
        *count += 1;
        Ok(AccountSlot { counts: Arc::clone(&self.sockets), key })
    }

    /// Takes a place for one more subscription of `who` on `socket`, or says which cap is
    /// reached. The place is given back when the returned [`Slot`] is dropped.
    pub fn acquire(&self, socket: &Arc<SocketFeed>, who: &Principal) -> Result<Slot, String> {
        let taken = socket.active.fetch_add(1, Ordering::SeqCst);
        let socket_slot = SocketSlot(Arc::clone(socket));
        if taken >= self.per_socket {
            return Err(format!(
                "this connection already has {} subscriptions, the most allowed; stop one first",
                self.per_socket
            ));
        }
        let key = (who.kind(), who.id());
        let mut accounts = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        let count = accounts.entry(key).or_insert(0);
        if *count >= self.per_account {
            return Err(format!(
                "your account already has {} live subscriptions, the most allowed; close some first",
                self.per_account
            ));
        }
        *count += 1;
        Ok(Slot { _socket: socket_slot, accounts: Arc::clone(&self.accounts), key })
    }
}

/// A place taken by one account's websocket; dropping it gives the place back.
pub struct AccountSlot {
    counts: Arc<Mutex<HashMap<(&'static str, i64), usize>>>,
    key: (&'static str, i64),
}

impl Drop for AccountSlot {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = counts.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.key);
            }
        }
    }
}

/// A place taken by one live subscription; dropping it gives the place back.
pub struct Slot {
    _socket: SocketSlot,
    accounts: Arc<Mutex<HashMap<(&'static str, i64), usize>>>,
    key: (&'static str, i64),
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut accounts = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = accounts.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                accounts.remove(&self.key);
            }
        }
    }
}

struct SocketSlot(Arc<SocketFeed>);

impl Drop for SocketSlot {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The outcome of one login check: who the token stands for now (`None`: nobody, and why), or
/// `Err` when it could not be checked.
pub type LoginCheck = Result<(Option<Principal>, crate::error::NoLogin), ()>;

/// What the subscriptions of one websocket share (in its connection data).
#[derive(Default)]
pub struct SocketFeed {
    active: AtomicUsize,
    /// Makes the caches of the socket's loaders; advanced at each new event.
    cache: EpochCache,
    /// The newest event the login was checked for, and the outcome.
    checked: tokio::sync::Mutex<Option<(Arc<Event>, LoginCheck)>>,
}

impl SocketFeed {
    /// The cache factory of the socket's loaders (installed in its connection data).
    pub fn cache(&self) -> &EpochCache {
        &self.cache
    }

    /// The login check for `event`: done by the first subscription that gets the event, and
    /// reused by the socket's other subscriptions for the same event. The first also empties
    /// the socket's loader caches, so the event is resolved from fresh data, once.
    pub async fn login_at<F>(&self, event: &Arc<Event>, check: impl FnOnce() -> F) -> LoginCheck
    where
        F: Future<Output = LoginCheck>,
    {
        let mut checked = self.checked.lock().await;
        if let Some((seen, outcome)) = checked.as_ref() {
            if Arc::ptr_eq(seen, event) {
                return outcome.clone();
            }
        }
        self.cache.advance();
        let outcome = check().await;
        *checked = Some((Arc::clone(event), outcome.clone()));
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::NoLogin;

    fn admin() -> Principal {
        Principal::Employee {
            id: 1,
            username: "admin".into(),
            full_name: "Admin".into(),
            role: crate::auth::Role::Admin,
        }
    }

    #[test]
    fn caps_per_socket_and_per_account_and_gives_places_back() {
        let limits = SubscriptionLimits::new(2, 3, 2);
        let one = limits.acquire_socket(&admin()).unwrap();
        let _two = limits.acquire_socket(&admin()).unwrap();
        assert!(limits.acquire_socket(&admin()).is_err(), "two sockets per account");
        drop(one);
        assert!(limits.acquire_socket(&admin()).is_ok());
        let (a, b) = (Arc::new(SocketFeed::default()), Arc::new(SocketFeed::default()));
        let a1 = limits.acquire(&a, &admin()).unwrap();
        let _a2 = limits.acquire(&a, &admin()).unwrap();
        assert!(limits.acquire(&a, &admin()).err().expect("refused").contains("connection"));
        let _b1 = limits.acquire(&b, &admin()).unwrap();
        assert!(limits.acquire(&b, &admin()).err().expect("refused").contains("account"));
        drop(a1);
        assert!(limits.acquire(&b, &admin()).is_ok(), "a place given back is free again");
    }

    #[tokio::test]
    async fn checks_the_login_once_per_event() {
        let feed = SocketFeed::default();
        let event = Arc::new(crate::graphql::subscriptions::tests::complaint(1));
        let calls = AtomicUsize::new(0);
        for _ in 0..5 {
            let outcome = feed
                .login_at(&event, || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Ok((Some(admin()), NoLogin::NoToken))
                })
                .await;
            assert_eq!(outcome, Ok((Some(admin()), NoLogin::NoToken)));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let next = Arc::new(crate::graphql::subscriptions::tests::complaint(2));
        let _ = feed.login_at(&next, || async { Ok((None, NoLogin::TokenRevoked)) }).await;
        let again = feed.login_at(&next, || async { Ok((Some(admin()), NoLogin::NoToken)) }).await;
        assert_eq!(again, Ok((None, NoLogin::TokenRevoked)), "cached for the event");
    }
}

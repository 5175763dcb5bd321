//! Who gets one of the server's connection places (`ISP_MAX_CONNECTIONS`).
//!
//! - **One address's share shrinks as places fill**: an address may hold at most 1/8 of the
//!   places still free (never fewer than [`MIN_SHARE`], never more than
//!   `ISP_MAX_CONNECTIONS_PER_ADDRESS`). A few addresses holding silent connections therefore
//!   stop well short of the limit. Trusted reverse proxies (`ISP_TRUSTED_PROXIES`) carry
//!   everyone's traffic and have no share.
//! - **Places go to those who speak**: when places run short, a connection that has sent
//!   nothing (no complete request head) for a second gives its place to the newcomer first, then
//!   a keep-alive connection idle the longest. A connection with a request in flight, or
//!   upgraded to a websocket, is never taken.
//! - **A reserve for those we know**: the last 1/16 of the places are for requests that carry
//!   an `Authorization` header and for `/healthz`; anything else arriving on such a place gets
//!   `503 BUSY`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use tokio::sync::Notify;

use super::proxies::TrustedProxies;

/// The smallest share of places one address always has.
pub const MIN_SHARE: usize = 16;

/// How long a connection must have moved nothing before it may give its place away (ms).
const QUIET_MS: u64 = 1000;

/// Milliseconds on a clock shared by every connection. It starts at an hour, so that "quiet
/// for a second" needs no special case in the first second of the process.
fn now_ms() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let elapsed = u64::try_from(EPOCH.get_or_init(Instant::now).elapsed().as_millis()).unwrap_or(u64::MAX);
    elapsed.saturating_add(3_600_000)
}

/// What a connection is doing, as the accept loop sees it.
#[derive(Debug, Default)]
pub struct Activity {
    /// Request heads received.
    requests: AtomicU64,
    /// Requests whose response has not been produced yet.
    in_flight: AtomicUsize,
    upgraded: AtomicBool,
    /// When a byte last moved, in [`now_ms`].
    last_moved: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Activity { last_moved: AtomicU64::new(now_ms()), ..Activity::default() }
    }

    /// Bytes moved in either direction.
    pub fn moved(&self) {
        self.last_moved.store(now_ms(), Ordering::Relaxed);
    }

    /// A request head arrived; the returned guard marks its end (its response sent whole)
    /// when dropped.
    pub fn request(self: &Arc<Self>) -> InFlight {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.moved();
        InFlight(Arc::clone(self))
    }

    /// The connection became a websocket (answered 101): it never gives its place away.
    pub fn upgraded(&self) {
        self.upgraded.store(true, Ordering::Relaxed);
    }

    /// Whether the connection may give its place away: nothing in flight, not a websocket,
    /// nothing moved for a second.
    fn may_yield(&self, now: u64) -> bool {
        self.in_flight.load(Ordering::Relaxed) == 0
            && !self.upgraded.load(Ordering::Relaxed)
            && now.saturating_sub(self.last_moved.load(Ordering::Relaxed)) >= QUIET_MS
    }

    /// Which yields first: connections that never spoke, then the longest quiet.
    fn yield_order(&self) -> (bool, u64) {
        (self.requests.load(Ordering::Relaxed) > 0, self.last_moved.load(Ordering::Relaxed))
    }
}

/// A request in flight on a connection.
pub struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.0.moved();
    }
}

struct Tracked {
    ip: IpAddr,
    shared: bool,
    activity: Arc<Activity>,
    leave: Arc<Notify>,
}

#[derive(Default)]
struct Inner {
    open: usize,
    per_address: HashMap<IpAddr, usize>,
    connections: HashMap<u64, Tracked>,
    next_id: u64,
}

impl Inner {
    /// Forgets connection `id` and gives back its places; `None` if it was already gone.
    fn release(&mut self, id: u64) -> Option<Tracked> {
        let gone = self.connections.remove(&id)?;
        self.open -= 1;
        if gone.shared {
            if let Some(n) = self.per_address.get_mut(&gone.ip) {
                *n -= 1;
                if *n == 0 {
                    self.per_address.remove(&gone.ip);
                }
            }
        }
        Some(gone)
    }
}

/// The server's connection places.
#[derive(Clone)]
pub struct Places {
    inner: Arc<Mutex<Inner>>,
    max: usize,
    max_per_address: usize,
    reserve: usize,
    proxies: Arc<TrustedProxies>,
}

/// A connection admitted: its place (given back on drop), what it tells the accept loop, the
/// signal to leave, and whether it sits in the reserve.
pub struct Admitted {
    pub place: Place,
    pub activity: Arc<Activity>,
    pub leave: Arc<Notify>,
    pub reserved: bool,
}

/// One connection's place; given back when dropped.
pub struct Place {
    inner: Arc<Mutex<Inner>>,
    id: u64,
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.release(self.id);
    }
}

impl Places {
    pub fn new(max: usize, max_per_address: usize, proxies: Arc<TrustedProxies>) -> Self {
        let max = max.max(1);
        Places { inner: Arc::default(), max, max_per_address: max_per_address.max(1), reserve: max / 16, proxies }
    }

    /// A place for a connection from `ip`, or `None` (answer 503 and close).
    pub fn admit(&self, ip: IpAddr) -> Option<Admitted> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let shared = !self.proxies.trusts(ip);
        let free = self.max.saturating_sub(inner.open);
        if shared {
            let held = inner.per_address.get(&ip).copied().unwrap_or(0);
            let share = (free / 8).max(MIN_SHARE).min(self.max_per_address);
            if held >= share {
                return None;
            }
        }
        if free <= self.reserve {
            // Places are short: one that is not being used makes room, silent ones first.
            let now = now_ms();
            let quiet = inner
                .connections
                .iter()
                .filter(|(_, c)| c.activity.may_yield(now))
                .min_by_key(|(_, c)| c.activity.yield_order())
                .map(|(id, _)| *id);
            if let Some(gone) = quiet.and_then(|id| inner.release(id)) {
                tracing::debug!(address = %gone.ip, "a quiet connection gave its place to a new one");
                gone.leave.notify_one();
            }
        }
        let free = self.max.saturating_sub(inner.open);
        if free == 0 {
            return None;
        }
        let reserved = free <= self.reserve;
        let (activity, leave) = (Arc::new(Activity::new()), Arc::new(Notify::new()));
        let id = inner.next_id;
        inner.next_id += 1;
        inner.open += 1;
        if shared {
            *inner.per_address.entry(ip).or_insert(0) += 1;
        }
        let tracked = Tracked { ip, shared, activity: Arc::clone(&activity), leave: Arc::clone(&leave) };
        inner.connections.insert(id, tracked);
        Some(Admitted { place: Place { inner: Arc::clone(&self.inner), id }, activity, leave, reserved })
    }

    /// Open connections.
    fn open(&self) -> usize {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).open
    }

    /// Resolves once every place has been given back (websockets included: a place lives as
    /// long as the socket, upgraded or not).
    pub async fn drained(&self) {
        while self.open() > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(max: usize, per_address: usize) -> Places {
        Places::new(max, per_address, Arc::new(TrustedProxies::parse("10.0.0.1").unwrap()))
    }

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, n])
    }

    #[test]
    fn an_address_share_shrinks_as_places_fill() {
        let p = places(1024, 256);
        let mut held = Vec::new();
        // Five addresses take all they can get: far from every place.
        for n in 1..=5 {
            while let Some(a) = p.admit(ip(n)) {
                held.push(a);
            }
        }
        let taken = p.open();
        assert!(taken <= 512, "five addresses hold {taken} places: at most half");
        assert!(p.admit(ip(9)).is_some(), "another address still gets in");
        // A trusted proxy is not held to a share.
        let proxy: Vec<_> = (0..300).map_while(|_| p.admit("10.0.0.1".parse().unwrap())).collect();
        assert_eq!(proxy.len(), 300);
    }

    #[test]
    fn the_static_cap_still_holds_and_places_come_back() {
        let p = places(64, 3);
        let a: Vec<_> = (0..3).map(|_| p.admit(ip(1)).unwrap()).collect();
        assert!(p.admit(ip(1)).is_none(), "a fourth from one address");
        drop(a);
        assert_eq!(p.open(), 0);
        assert!(p.admit(ip(1)).is_some());
    }

    #[test]
    fn when_full_a_quiet_connection_gives_way_and_a_busy_one_does_not() {
        let p = places(4, 256);
        let held: Vec<_> = (1..=4).map(|n| p.admit(ip(n)).unwrap()).collect();
        // Every one is busy: a request in flight or a websocket.
        let _requests: Vec<_> = held.iter().map(|a| a.activity.request()).collect();
        assert!(p.admit(ip(5)).is_none(), "nothing to give way");
        drop(_requests);
        let _socket = held[0].activity.request();
        held[0].activity.upgraded();
        // Quiet for a second (pretend): the silent ones have not spoken at all.
        for a in &held {
            a.activity.last_moved.store(0, Ordering::Relaxed);
        }
        let newcomer = p.admit(ip(6));
        assert!(newcomer.is_some(), "an idle keep-alive connection gives its place");
        assert_eq!(p.open(), 4);
        // The one told to leave is not the websocket.
        assert!(!held[0].leave_was_signalled());
    }

    #[test]
    fn silent_connections_go_before_idle_ones_and_the_reserve_is_marked() {
        let p = places(32, 256);
        let talked = p.admit(ip(1)).unwrap();
        drop(talked.activity.request());
        let silent = p.admit(ip(2)).unwrap();
        for a in [&talked, &silent] {
            a.activity.last_moved.store(0, Ordering::Relaxed);
        }
        let _rest: Vec<_> = (0..28).map(|n| p.admit(ip(10 + n)).unwrap()).collect();
        // 30 of 32 taken, the last two are the reserve (32 / 16): a quiet connection makes room,
        // the silent one first.
        let next = p.admit(ip(100)).unwrap();
        assert!(silent.leave_was_signalled() && !talked.leave_was_signalled());
        assert!(!next.reserved);
        // Nothing quiet is left (the rest moved just now, `talked` is busy): a reserve place.
        let _busy = talked.activity.request();
        let reserved = p.admit(ip(101)).unwrap();
        assert!(reserved.reserved, "{} open", p.open());
        assert!(!talked.leave_was_signalled());
    }

    impl Admitted {
        fn leave_was_signalled(&self) -> bool {
            // A stored notification completes at once.
            let notified = self.leave.notified();
            futures_util::FutureExt::now_or_never(notified).is_some()
        }
    }
}

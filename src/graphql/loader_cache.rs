//! The cache behind every DataLoader: a plain map per request, which a websocket can also
//! share among its subscriptions and empty at each new event ([`EpochCache::advance`]), so that
//! one event costs one resolution per socket rather than one per subscription, and no event is
//! resolved from what was loaded before it arrived.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_graphql::dataloader::{CacheFactory, CacheStorage};

/// Makes the loaders' caches; every cache it made forgets its entries when
/// [`EpochCache::advance`] is called.
#[derive(Clone, Default)]
pub struct EpochCache {
    epoch: Arc<AtomicU64>,
}

impl EpochCache {
    /// Empties every cache made by this factory (from their next use on).
    pub fn advance(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
    }
}

impl CacheFactory for EpochCache {
    fn create<K, V>(&self) -> Box<dyn CacheStorage<Key = K, Value = V>>
    where
        K: Send + Sync + Clone + Eq + Hash + 'static,
        V: Send + Sync + Clone + 'static,
    {
        let epoch = Arc::clone(&self.epoch);
        let seen = epoch.load(Ordering::SeqCst);
        Box::new(Storage { epoch, seen, map: HashMap::new() })
    }
}

struct Storage<K, V> {
    epoch: Arc<AtomicU64>,
    /// The epoch the entries belong to.
    seen: u64,
    map: HashMap<K, V>,
}

impl<K, V> Storage<K, V> {
    /// Drops the entries of an earlier epoch.
    fn catch_up(&mut self) {
        let now = self.epoch.load(Ordering::SeqCst);
        if now != self.seen {
            self.map.clear();
            self.seen = now;
        }
    }
}

impl<K, V> CacheStorage for Storage<K, V>
where
    K: Send + Sync + Clone + Eq + Hash + 'static,
    V: Send + Sync + Clone + 'static,
{
    type Key = K;
    type Value = V;

    fn get(&mut self, key: &K) -> Option<&V> {
        self.catch_up();
        self.map.get(key)
    }

    fn insert(&mut self, key: Cow<'_, K>, value: Cow<'_, V>) {
        self.catch_up();
        self.map.insert(key.into_owned(), value.into_owned());
    }

    fn remove(&mut self, key: &K) {
        self.map.remove(key);
    }

    fn clear(&mut self) {
        self.map.clear();
    }

    fn iter(&self) -> Box<dyn Iterator<Item = (&'_ K, &'_ V)> + '_> {
        // Entries of an earlier epoch are not shown.
        let current = self.epoch.load(Ordering::SeqCst) == self.seen;
        Box::new(self.map.iter().filter(move |_| current))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgets_entries_when_the_epoch_advances() {
        let factory = EpochCache::default();
        let mut cache = factory.create::<i64, String>();
        cache.insert(Cow::Owned(1), Cow::Owned("one".into()));
        assert_eq!(cache.get(&1).map(String::as_str), Some("one"));
        factory.advance();
        assert_eq!(cache.iter().count(), 0);
        assert_eq!(cache.get(&1), None);
        cache.insert(Cow::Owned(2), Cow::Owned("two".into()));
        assert_eq!(cache.get(&2).map(String::as_str), Some("two"));
    }
}

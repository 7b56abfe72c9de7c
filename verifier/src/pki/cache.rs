//! Caches of work already done on exact bytes: signatures verified, chains parsed.
//!
//! Both are [`quick_cache::sync::Cache`]s. A service verifies on every core against one
//! `Verifier`, so a read must not serialize the threads, and a full cache must not start
//! over (each clear made every platform pay a full chain verification again, all at
//! once). `quick_cache` splits the cache into shards (four per core), each behind a
//! read-write lock whose read side serves hits, and evicts one entry per insertion with
//! a CLOCK-Pro-like policy: entries read again stay, a stream of one-time entries (a
//! fleet larger than the cache) cycles through a small probationary part instead of
//! flushing them. It is small (hashbrown, parking_lot, foldhash) and synchronous; `moka`,
//! the other well-kept choice, brings a much larger dependency tree and per-entry
//! bookkeeping (expiry, listeners, async) this cache does not use.

use std::hash::Hash;
use std::sync::{Arc, OnceLock};

use quick_cache::sync::Cache;
use quick_cache::Equivalent;

use super::Certificate;
use crate::crypto::Digest;

/// Remembers which (algorithm, key, message, signature) tuples have verified.
///
/// The key is a SHA-256 over all four, so an entry can only be hit by exactly the bytes
/// that verified before: caching changes cost, never outcome. Only successes are kept.
/// It caches signatures, never a verdict: validity, revocation and bindings are evaluated
/// on every call. Bounded: when full, each insertion evicts one entry (one not read
/// recently first), which only costs a re-verification of that signature.
#[derive(Debug)]
pub struct SignatureCache {
    /// `None` when disabled (capacity 0).
    entries: Option<Cache<Digest, ()>>,
}

impl Default for SignatureCache {
    fn default() -> Self {
        // A few thousand distinct chains (each adds two or three entries) covers a busy
        // service's working set; each entry is under 100 bytes.
        Self::with_capacity(8192)
    }
}

impl SignatureCache {
    /// A cache holding about `capacity` entries (each shard rounds its share up); 0
    /// disables caching.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: (capacity > 0).then(|| Cache::new(capacity)),
        }
    }

    /// A cache that never remembers anything (see [`crate::Verifier::without_caches`]).
    pub(crate) fn disabled() -> Self {
        Self::with_capacity(0)
    }

    /// Whether this cache remembers anything (capacity above 0).
    pub fn enabled(&self) -> bool {
        self.entries.is_some()
    }

    pub(crate) fn contains(&self, key: &Digest) -> bool {
        // `get`, not `peek`: a hit marks the entry referenced, which keeps it on eviction.
        self.entries.as_ref().is_some_and(|e| e.get(key).is_some())
    }

    pub(crate) fn insert(&self, key: Digest) {
        if let Some(e) = &self.entries {
            e.insert(key, ());
        }
    }

    /// Number of cached signatures.
    pub fn len(&self) -> usize {
        self.entries.as_ref().map_or(0, Cache::len)
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Certificate chains already parsed (and what was decoded from them), keyed by the
/// SHA-256 of their exact encoded bytes, or (`K = Box<[u8]>`) by the bytes themselves:
/// for a chain that is looked up on every call, a non-cryptographic hash and a
/// comparison of a few KB cost less than a SHA-256 over them.
///
/// Every TDX quote carries its PCK chain as PEM; parsing three certificates and decoding
/// the PCK extension costs more than the one signature a warm verification needs. Only
/// parsing is cached: the certificates are still checked (signatures through
/// [`SignatureCache`], validity and revocation at `now`) on every use. Bounded and
/// evicting like [`SignatureCache`]; bounded by count, not weight, since every entry is
/// a few KB.
#[derive(Debug)]
pub(crate) struct ParsedChainCache<T = Vec<Certificate>, K = Digest> {
    /// `None` when disabled (capacity 0).
    entries: Option<Cache<K, Arc<T>>>,
}

impl<T, K: Eq + Hash> Default for ParsedChainCache<T, K> {
    fn default() -> Self {
        // One entry per platform (PCK certificate); a few KB each.
        Self::with_capacity(1024)
    }
}

impl<T, K: Eq + Hash> ParsedChainCache<T, K> {
    /// A cache holding about `capacity` chains; 0 disables caching.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: (capacity > 0).then(|| Cache::new(capacity)),
        }
    }

    /// A cache that never remembers anything.
    pub(crate) fn disabled() -> Self {
        Self::with_capacity(0)
    }

    /// Whether this cache remembers anything.
    pub(crate) fn enabled(&self) -> bool {
        self.entries.is_some()
    }

    pub(crate) fn get<Q: Hash + Equivalent<K> + ?Sized>(&self, key: &Q) -> Option<Arc<T>> {
        self.entries.as_ref()?.get(key)
    }

    pub(crate) fn insert(&self, key: K, chain: Arc<T>) {
        if let Some(e) = &self.entries {
            e.insert(key, chain);
        }
    }
}

/// The SHA-256 of a signed message, computed once per parsed object: cache keys are
/// built from it, so a warm check of a large signed document (a TCB Info, a CRL) does not
/// hash the whole document again. Equality ignores it (it is derived from the bytes).
#[derive(Debug, Clone, Default)]
pub(crate) struct DigestMemo(OnceLock<Digest>);

impl DigestMemo {
    pub(crate) fn get_or_init(&self, f: impl FnOnce() -> Digest) -> Digest {
        *self.0.get_or_init(f)
    }
}

impl PartialEq for DigestMemo {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for DigestMemo {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A distinct key per `i`.
    fn key(i: u64) -> Digest {
        Digest::new(&i.to_be_bytes()).expect("8 bytes")
    }

    #[test]
    fn disabled_caches_remember_nothing() {
        let signatures = SignatureCache::disabled();
        signatures.insert(key(1));
        assert!(!signatures.enabled());
        assert!(!signatures.contains(&key(1)));
        assert!(signatures.is_empty());

        let chains = ParsedChainCache::<u64>::disabled();
        chains.insert(key(1), Arc::new(1));
        assert!(!chains.enabled());
        assert!(chains.get(&key(1)).is_none());
    }

    #[test]
    fn hits_only_the_exact_key_and_share_the_parsed_value() {
        let signatures = SignatureCache::default();
        signatures.insert(key(1));
        assert!(signatures.contains(&key(1)));
        assert!(!signatures.contains(&key(2)));
        assert_eq!(signatures.len(), 1);

        let chains = ParsedChainCache::<Vec<u8>>::default();
        let parsed = Arc::new(vec![1, 2, 3]);
        chains.insert(key(1), Arc::clone(&parsed));
        assert!(Arc::ptr_eq(&chains.get(&key(1)).expect("hit"), &parsed));
        assert!(chains.get(&key(2)).is_none());
    }

    #[test]
    fn size_stays_bounded_and_eviction_is_gradual() {
        // Powers of two divide evenly between the shards, so the bound is exact.
        const CAPACITY: u64 = 4096;
        let cache = SignatureCache::with_capacity(CAPACITY as usize);
        let inserted = CAPACITY + CAPACITY / 2;
        for i in 0..inserted {
            cache.insert(key(i));
            assert!(cache.len() <= CAPACITY as usize, "over capacity at {i}");
        }
        // A cache that starts over when full would hold the last CAPACITY / 2 alone.
        assert!(
            cache.len() >= CAPACITY as usize * 9 / 10,
            "{} entries left",
            cache.len()
        );
        // New entries go to a small probationary part evicted first in, first out, so
        // the latest are still there (most of them: shards share the load by hash).
        let recent = (inserted - CAPACITY / 64..inserted)
            .filter(|&i| cache.contains(&key(i)))
            .count();
        assert!(
            recent >= (CAPACITY / 64) as usize / 2,
            "{recent} recent left"
        );
        assert!(cache.contains(&key(inserted - 1)));

        let chains = ParsedChainCache::<u64>::with_capacity(1024);
        for i in 0..4096 {
            chains.insert(key(i), Arc::new(i));
        }
        assert!(chains.get(&key(4095)).is_some());
        let left = (0..4096).filter(|&i| chains.get(&key(i)).is_some()).count();
        assert!((900..=1024).contains(&left), "{left} chains left");
    }

    #[test]
    fn entries_in_use_survive_a_stream_larger_than_the_cache() {
        // The service case: a working set verified again and again while a fleet larger
        // than the cache streams past, each of its platforms seen once.
        let cache = SignatureCache::with_capacity(1024);
        let hot: Vec<Digest> = (0..64).map(|i| key(u64::MAX - i)).collect();
        for k in &hot {
            cache.insert(*k);
        }
        for i in 0..16 * 1024 {
            cache.insert(key(i));
            let k = &hot[usize::try_from(i).expect("small") % hot.len()];
            assert!(cache.contains(k), "hot entry evicted at {i}");
        }
    }

    #[test]
    fn concurrent_use_from_several_threads() {
        const THREADS: u64 = 4;
        const CAPACITY: usize = 2048;
        let cache = SignatureCache::with_capacity(CAPACITY);
        let chains = ParsedChainCache::<u64>::with_capacity(256);
        let shared: Vec<Digest> = (0..32).map(|i| key(u64::MAX - i)).collect();
        std::thread::scope(|s| {
            for t in 0..THREADS {
                let (cache, chains, shared) = (&cache, &chains, &shared);
                s.spawn(move || {
                    for (i, k) in (0..4 * CAPACITY as u64).zip(shared.iter().cycle()) {
                        // Every thread verifies the shared entries and a stream of its own.
                        if !cache.contains(k) {
                            cache.insert(*k);
                        }
                        cache.insert(key(t << 32 | i));
                        let value = t << 32 | i;
                        chains.insert(key(value), Arc::new(value));
                        if let Some(v) = chains.get(&key(value)) {
                            assert_eq!(*v, value, "a chain under another key");
                        }
                    }
                });
            }
        });
        assert!(cache.len() <= CAPACITY);
        assert!(shared.iter().all(|k| cache.contains(k)));
        assert!(chains.entries.as_ref().is_some_and(|c| c.len() <= 256));
    }
}

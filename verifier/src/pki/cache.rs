//! A cache of signatures already verified, keyed by the exact bytes involved.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use super::Certificate;
use crate::crypto::Digest;

/// Remembers which (algorithm, key, message, signature) tuples have verified.
///
/// The key is a SHA-256 over all four, so an entry can only be hit by exactly the bytes
/// that verified before: caching changes cost, never outcome. Only successes are kept.
/// It caches signatures, never a verdict: validity, revocation and bindings are evaluated
/// on every call. Bounded: when full it starts over, which only costs re-verification.
#[derive(Debug)]
pub struct SignatureCache {
    entries: Mutex<HashSet<Digest>>,
    capacity: usize,
}

impl Default for SignatureCache {
    fn default() -> Self {
        // A few thousand distinct chains (each adds two or three entries) covers a busy
        // service's working set; each entry is under 100 bytes.
        Self::with_capacity(8192)
    }
}

impl SignatureCache {
    /// A cache holding at most `capacity` entries; 0 disables caching.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashSet::new()),
            capacity,
        }
    }

    /// A cache that never remembers anything (for cold-path benchmarks and tests).
    pub fn disabled() -> Self {
        Self::with_capacity(0)
    }

    /// Whether this cache remembers anything (capacity above 0).
    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    pub(crate) fn contains(&self, key: &Digest) -> bool {
        self.capacity > 0 && self.entries.lock().is_ok_and(|e| e.contains(key))
    }

    pub(crate) fn insert(&self, key: Digest) {
        if self.capacity == 0 {
            return;
        }
        if let Ok(mut e) = self.entries.lock() {
            if e.len() >= self.capacity {
                e.clear();
            }
            e.insert(key);
        }
    }

    /// Number of cached signatures.
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Certificate chains already parsed, keyed by the SHA-256 of their exact encoded bytes.
///
/// Every TDX quote carries its PCK chain as PEM; parsing three certificates costs more
/// than the one signature a warm verification needs. Only the parse is cached: the
/// certificates are still checked (signatures through [`SignatureCache`], validity and
/// revocation at `now`) on every use. Bounded like [`SignatureCache`].
#[derive(Debug)]
pub struct ParsedChainCache {
    entries: Mutex<HashMap<Digest, Arc<[Certificate]>>>,
    capacity: usize,
}

impl Default for ParsedChainCache {
    fn default() -> Self {
        // One entry per platform (PCK certificate); a few KB each.
        Self::with_capacity(1024)
    }
}

impl ParsedChainCache {
    /// A cache holding at most `capacity` chains; 0 disables caching.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// A cache that never remembers anything.
    pub fn disabled() -> Self {
        Self::with_capacity(0)
    }

    /// Whether this cache remembers anything.
    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    pub(crate) fn get(&self, key: &Digest) -> Option<Arc<[Certificate]>> {
        if self.capacity == 0 {
            return None;
        }
        self.entries.lock().ok()?.get(key).cloned()
    }

    pub(crate) fn insert(&self, key: Digest, chain: Arc<[Certificate]>) {
        if self.capacity == 0 {
            return;
        }
        if let Ok(mut e) = self.entries.lock() {
            if e.len() >= self.capacity {
                e.clear();
            }
            e.insert(key, chain);
        }
    }

    /// Number of cached chains.
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

//! A cache of signatures already verified, keyed by the exact bytes involved.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

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
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashSet::new()),
            capacity,
        }
    }

    /// A cache that never remembers anything (see [`crate::Verifier::without_caches`]).
    pub(crate) fn disabled() -> Self {
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

/// Certificate chains already parsed (and what was decoded from them), keyed by the
/// SHA-256 of their exact encoded bytes.
///
/// Every TDX quote carries its PCK chain as PEM; parsing three certificates and decoding
/// the PCK extension costs more than the one signature a warm verification needs. Only
/// parsing is cached: the certificates are still checked (signatures through
/// [`SignatureCache`], validity and revocation at `now`) on every use. Bounded like
/// [`SignatureCache`].
#[derive(Debug)]
pub(crate) struct ParsedChainCache<T = Vec<Certificate>> {
    entries: Mutex<HashMap<Digest, Arc<T>>>,
    capacity: usize,
}

impl<T> Default for ParsedChainCache<T> {
    fn default() -> Self {
        // One entry per platform (PCK certificate); a few KB each.
        Self::with_capacity(1024)
    }
}

impl<T> ParsedChainCache<T> {
    /// A cache holding at most `capacity` chains; 0 disables caching.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// A cache that never remembers anything.
    pub(crate) fn disabled() -> Self {
        Self::with_capacity(0)
    }

    /// Whether this cache remembers anything.
    pub(crate) fn enabled(&self) -> bool {
        self.capacity > 0
    }

    pub(crate) fn get(&self, key: &Digest) -> Option<Arc<T>> {
        if self.capacity == 0 {
            return None;
        }
        self.entries.lock().ok()?.get(key).cloned()
    }

    pub(crate) fn insert(&self, key: Digest, chain: Arc<T>) {
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

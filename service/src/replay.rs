//! Each challenge is accepted once. In memory for one replica; replicas that share
//! Redis share the record, so a nonce used at one is refused at every other.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::challenge::NONCE_LEN;
use crate::redis::Redis;

/// At most this many unexpired nonces are remembered in memory; past it new nonces
/// are refused (fail closed) until old ones expire.
const MAX_REMEMBERED: usize = 1 << 20;

/// How far replicas' clocks may disagree without reopening a used nonce.
const CLOCK_SKEW: u64 = 60;

/// Where used nonces are recorded.
pub enum ReplayGuard {
    /// This process only.
    Memory(Mutex<Remembered>),
    /// Shared by every replica using this Redis.
    Redis(Redis),
}

/// The used nonces of one process, with their expiries.
pub struct Remembered {
    used: HashMap<[u8; NONCE_LEN], u64>,
    /// [`MAX_REMEMBERED`], smaller in tests.
    capacity: usize,
}

/// Why a nonce could not be accepted.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// Used before.
    #[error("the nonce was already used; ask /v1/challenge for a new one")]
    Replayed,
    /// The record cannot be consulted (Redis unreachable, or memory full): refused
    /// rather than risk accepting a replay.
    #[error("cannot record the nonce's use: {0}")]
    Unavailable(String),
}

impl ReplayError {
    /// The problem kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Replayed => "nonce_replayed",
            Self::Unavailable(_) => "nonce_store_unavailable",
        }
    }
}

impl ReplayGuard {
    /// A guard in this process's memory.
    pub fn memory() -> Self {
        Self::memory_with_capacity(MAX_REMEMBERED)
    }

    fn memory_with_capacity(capacity: usize) -> Self {
        Self::Memory(Mutex::new(Remembered {
            used: HashMap::new(),
            capacity,
        }))
    }

    /// Records `nonce` (valid until `expiry`) as used at `now`.
    ///
    /// # Errors
    /// [`ReplayError::Replayed`] if it was used before.
    pub async fn first_use(
        &self,
        nonce: &[u8; NONCE_LEN],
        expiry: u64,
        now: u64,
    ) -> Result<(), ReplayError> {
        match self {
            Self::Memory(m) => {
                let mut m = m
                    .lock()
                    .map_err(|_| ReplayError::Unavailable("the nonce record is poisoned".into()))?;
                // A nonce used before is a replay, however full the record is.
                if m.used.contains_key(nonce) {
                    return Err(ReplayError::Replayed);
                }
                if m.used.len() >= m.capacity {
                    m.used.retain(|_, e| *e >= now);
                    if m.used.len() >= m.capacity {
                        return Err(ReplayError::Unavailable(
                            "too many unexpired nonces in use".into(),
                        ));
                    }
                }
                m.used.insert(*nonce, expiry);
                Ok(())
            }
            Self::Redis(r) => {
                // Kept a minute past expiry: after that the MAC check refuses it, even at
                // a replica whose clock runs up to a minute behind this one's.
                let ttl = expiry.saturating_sub(now).saturating_add(CLOCK_SKEW);
                let key = format!("verdict:nonce:{}", hex::encode(nonce));
                match r.set_nx_ex(&key, b"1", ttl).await {
                    Ok(true) => Ok(()),
                    Ok(false) => Err(ReplayError::Replayed),
                    Err(e) => Err(ReplayError::Unavailable(format!("redis: {e}"))),
                }
            }
        }
    }

    /// Whether the record can be consulted (for /readyz).
    pub async fn ready(&self) -> Result<(), String> {
        match self {
            Self::Memory(_) => Ok(()),
            Self::Redis(r) => r.ping().await.map_err(|e| format!("redis: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_nonce_is_accepted_once() {
        let guard = ReplayGuard::memory();
        let nonce = [1; NONCE_LEN];
        guard.first_use(&nonce, 100, 10).await.unwrap();
        assert!(matches!(
            guard.first_use(&nonce, 100, 11).await,
            Err(ReplayError::Replayed)
        ));
        guard.first_use(&[2; NONCE_LEN], 100, 11).await.unwrap();
    }

    /// Full of unexpired nonces, the record refuses new ones (fail closed) rather than
    /// forgetting used ones; once some expire they make room, and a used nonce is still
    /// refused while it is remembered.
    #[tokio::test]
    async fn a_full_record_refuses_until_nonces_expire() {
        let guard = ReplayGuard::memory_with_capacity(3);
        for (i, expiry) in [(1_u8, 50), (2, 100), (3, 100)] {
            guard.first_use(&[i; NONCE_LEN], expiry, 10).await.unwrap();
        }
        let fourth = [4; NONCE_LEN];
        assert!(matches!(
            guard.first_use(&fourth, 100, 20).await,
            Err(ReplayError::Unavailable(_))
        ));
        // Nonce 1 expired at 50: its slot is freed, the others are still refused.
        guard.first_use(&fourth, 100, 60).await.unwrap();
        assert!(matches!(
            guard.first_use(&[2; NONCE_LEN], 100, 61).await,
            Err(ReplayError::Replayed)
        ));
        assert!(matches!(
            guard.first_use(&[5; NONCE_LEN], 100, 61).await,
            Err(ReplayError::Unavailable(_))
        ));
    }
}

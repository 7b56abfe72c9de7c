//! A collateral [`Source`] that replicas share through Redis: each replica keeps its
//! own disk cache in front of this, and this in front of the vendors, so a key one
//! replica fetched is read from Redis by the others. N replicas make one vendor
//! request per key, not N (AMD KDS throttles).
//!
//! Concurrent misses for one key are coalesced across replicas with a short lock
//! (`SET NX`): the holder fetches and publishes; the others wait for it a little and
//! fetch themselves only if it does not come. Redis trouble never fails a fetch: the
//! vendor is asked directly, as without Redis.
//!
//! An entry is `fetched_at` (u64, big-endian Unix seconds) ‖ URL length (u16) ‖ the
//! vendor URL ‖ the bytes, and lives until the collateral's own validity ends (a day
//! at most): Redis serves nothing past its validity, though it may serve a copy the
//! vendor has since replaced early, as any cache may. What it serves gets the same
//! "is this what was asked" check as a vendor's answer, and its signatures are checked
//! at verification.

use std::time::Duration;

use collateral::{FetchError, FetchFuture, Fetched, Origin, Source};
use verifier::needs::CollateralKey;
use verifier::time::{self, UnixTime};

use crate::metrics::Metrics;
use crate::redis::Redis;

const MAX_TTL: u64 = 24 * 60 * 60;
const MIN_TTL: u64 = 60;
const LOCK_TTL: u64 = 15;
const WAIT_STEP: Duration = Duration::from_millis(50);
const WAIT_STEPS: u32 = 200;

/// Redis in front of `inner` (the vendors).
pub struct RedisSource<S> {
    redis: Redis,
    inner: S,
    metrics: std::sync::Arc<Metrics>,
}

impl<S: Source> RedisSource<S> {
    /// Shares what `inner` fetches through `redis`.
    pub fn new(redis: Redis, inner: S, metrics: std::sync::Arc<Metrics>) -> Self {
        Self {
            redis,
            inner,
            metrics,
        }
    }

    /// An entry another replica stored, if it is what `key` asks for (the same check
    /// a vendor's answer gets: Redis is shared, so what it holds is not taken on trust).
    async fn read(&self, key: &CollateralKey, name: &str) -> Option<Fetched> {
        let bytes = self.redis.get(&entry_key(name)).await.ok()??;
        decode(&bytes).filter(|f| collateral::check_answer(key, &f.bytes).is_ok())
    }

    async fn fetch_key(&self, key: &CollateralKey, now: UnixTime) -> Result<Fetched, FetchError> {
        let Some(name) = collateral::file_name(key) else {
            return self.inner.fetch(key, now).await;
        };
        if let Some(fetched) = self.read(key, &name).await {
            self.metrics.collateral_shared_hit();
            return Ok(fetched);
        }
        let lock = format!("verdict:collateral-lock:{name}");
        let holder = self.redis.set_nx_ex(&lock, b"1", LOCK_TTL).await;
        if let Ok(false) = holder {
            // Another replica is fetching it: wait for its answer.
            for _ in 0..WAIT_STEPS {
                tokio::time::sleep(WAIT_STEP).await;
                if let Some(fetched) = self.read(key, &name).await {
                    self.metrics.collateral_shared_hit();
                    return Ok(fetched);
                }
                // The lock gone without an answer (its holder failed), or Redis gone:
                // fetch ourselves.
                if !matches!(self.redis.get(&lock).await, Ok(Some(_))) {
                    break;
                }
            }
        }
        let fetched = self.inner.fetch(key, now).await;
        if let Ok(f) = &fetched {
            if let Origin::Network { url } = &f.origin {
                let ttl = ttl_of(key, &f.bytes, now);
                let _ = self
                    .redis
                    .set_ex(&entry_key(&name), &encode(f, url), ttl)
                    .await;
            }
        }
        if holder.is_ok() {
            let _ = self.redis.set_ex(&lock, b"done", 1).await;
        }
        fetched
    }
}

impl<S: Source> Source for RedisSource<S> {
    fn fetch<'a>(&'a self, key: &'a CollateralKey, now: UnixTime) -> FetchFuture<'a> {
        Box::pin(self.fetch_key(key, now))
    }
}

fn entry_key(name: &str) -> String {
    format!("verdict:collateral:{name}")
}

/// Seconds until the collateral's validity ends, within [`MIN_TTL`, `MAX_TTL`].
fn ttl_of(key: &CollateralKey, bytes: &[u8], now: UnixTime) -> u64 {
    let until = collateral::check_answer(key, bytes)
        .ok()
        .and_then(|b| collateral::valid_until(&b));
    until.map_or(MAX_TTL, |until| {
        time::secs(until)
            .saturating_sub(time::secs(now))
            .clamp(MIN_TTL, MAX_TTL)
    })
}

fn encode(fetched: &Fetched, url: &str) -> Vec<u8> {
    let url = &url.as_bytes()[..url.len().min(usize::from(u16::MAX))];
    let mut out = Vec::with_capacity(10 + url.len() + fetched.bytes.len());
    out.extend_from_slice(&time::secs(fetched.fetched_at).to_be_bytes());
    out.extend_from_slice(&u16::try_from(url.len()).unwrap_or(u16::MAX).to_be_bytes());
    out.extend_from_slice(url);
    out.extend_from_slice(&fetched.bytes);
    out
}

fn decode(entry: &[u8]) -> Option<Fetched> {
    let fetched_at = u64::from_be_bytes(entry.get(..8)?.try_into().ok()?);
    let url_len = usize::from(u16::from_be_bytes(entry.get(8..10)?.try_into().ok()?));
    let url = std::str::from_utf8(entry.get(10..10 + url_len)?).ok()?;
    let bytes = entry.get(10 + url_len..)?.to_vec();
    Some(Fetched {
        bytes,
        fetched_at: time::from_secs(fetched_at),
        // The vendor's URL: the disk cache above stores what came from the network.
        origin: Origin::Network {
            url: url.to_owned(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_truncations_are_refused() {
        let fetched = Fetched {
            bytes: b"-----BEGIN CERTIFICATE-----".to_vec(),
            fetched_at: time::from_secs(1_700_000_000),
            origin: Origin::Network {
                url: "https://kds.example/vcek".into(),
            },
        };
        let entry = encode(&fetched, "https://kds.example/vcek");
        assert_eq!(decode(&entry), Some(fetched));
        for len in 0..10 + "https://kds.example/vcek".len() {
            assert_eq!(decode(&entry[..len]), None, "{len}");
        }
    }
}

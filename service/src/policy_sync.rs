//! Policies changed through the admin API reach every replica sharing Redis: a change
//! takes its version number from a Redis counter (so two replicas never hand out the
//! same one), is stored in the hash `verdict:policies` (id → `{version, text}`, `text`
//! null for a deletion), and bumps `verdict:policies:generation`. Each replica polls the
//! generation every second and installs what is newer than what it holds, after
//! checking the entry's MAC (a key derived from the challenge key the replicas share:
//! write access to Redis is not the power to change what the fleet appraises with),
//! compiling it and running its tests itself.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::policies::PolicyStore;
use crate::redis::{Redis, RedisError};
use crate::state::State;

const POLICIES: &str = "verdict:policies";
const GENERATION: &str = "verdict:policies:generation";
/// How often a replica looks for changes.
pub const POLL: Duration = Duration::from_secs(1);

#[derive(Serialize, Deserialize)]
struct Published {
    version: u32,
    text: Option<String>,
    /// HMAC-SHA-256 over the id, version and text, hex.
    mac: String,
}

fn mac(key: &[u8; 32], id: &str, version: u32, text: Option<&str>) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    // Length-prefixed, so no two (id, text) pairs share an input.
    mac.update(&(id.len() as u64).to_be_bytes());
    mac.update(id.as_bytes());
    mac.update(&version.to_be_bytes());
    match text {
        Some(t) => {
            mac.update(&[1]);
            mac.update(t.as_bytes());
        }
        None => mac.update(&[0]),
    }
    mac
}

/// Publishes policy `id`'s new text (`None`: its deletion); returns its version, above
/// `held` (the version this replica holds: a Redis that lost its counter must not hand
/// out a number the replicas would take for old).
///
/// # Errors
/// When Redis cannot answer: the change is then not made anywhere.
pub async fn publish(
    redis: &Redis,
    key: &[u8; 32],
    id: &str,
    text: Option<&str>,
    held: u32,
) -> Result<u32, RedisError> {
    let counter = format!("verdict:policy-version:{id}");
    let mut version = u32::try_from(redis.incr(&counter).await?).unwrap_or(u32::MAX);
    if version <= held {
        version = held.saturating_add(1);
        redis.set(&counter, version.to_string().as_bytes()).await?;
    }
    let tag = hex::encode(mac(key, id, version, text).finalize().into_bytes());
    let body = serde_json::to_vec(&Published {
        version,
        text: text.map(str::to_owned),
        mac: tag,
    })
    .unwrap_or_default();
    redis.hset(POLICIES, id, &body).await?;
    redis.incr(GENERATION).await?;
    Ok(version)
}

/// Installs every published version newer than the store's. Returns how many.
async fn pull(redis: &Redis, store: &Arc<State>) -> Result<usize, RedisError> {
    let mut installed = 0;
    for (id, body) in redis.hgetall(POLICIES).await? {
        let Ok(published) = serde_json::from_slice::<Published>(&body) else {
            tracing::warn!(id, "a published policy is not readable: skipped");
            continue;
        };
        if published.version <= store.policies.version_of(&id) {
            continue;
        }
        let authentic = hex::decode(&published.mac).is_ok_and(|tag| {
            mac(
                &store.policy_key,
                &id,
                published.version,
                published.text.as_deref(),
            )
            .verify_slice(&tag)
            .is_ok()
        });
        if !authentic {
            tracing::warn!(
                id,
                version = published.version,
                "a published policy's MAC does not verify: skipped"
            );
            continue;
        }
        let state = Arc::clone(store);
        let outcome = tokio::task::spawn_blocking(move || {
            let entry = match &published.text {
                Some(text) => Some(PolicyStore::check(&id, text).map_err(|e| e.to_string())?),
                None => None,
            };
            state
                .policies
                .install(&id, published.version, entry)
                .map(|changed| (id, published.version, changed))
        })
        .await;
        match outcome {
            Ok(Ok((id, version, true))) => {
                installed += 1;
                tracing::info!(id, version, "policy version from another replica installed");
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "a published policy was refused here"),
            Err(e) => tracing::warn!(error = %e, "installing a published policy failed"),
        }
    }
    Ok(installed)
}

/// Polls for published changes until the process ends.
pub async fn follow(redis: Redis, state: Arc<State>) {
    let mut seen: Option<i64> = None;
    loop {
        match redis.get(GENERATION).await {
            Ok(generation) => {
                let generation = generation
                    .and_then(|g| String::from_utf8(g).ok())
                    .and_then(|g| g.parse::<i64>().ok());
                if generation != seen {
                    match pull(&redis, &state).await {
                        Ok(_) => seen = generation,
                        Err(e) => tracing::warn!(error = %e, "cannot read published policies"),
                    }
                }
            }
            Err(e) => tracing::debug!(error = %e, "cannot read the policy generation"),
        }
        tokio::time::sleep(POLL).await;
    }
}

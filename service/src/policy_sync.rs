//! Policies changed through the admin API reach every replica sharing Redis: a change
//! takes its version number from a Redis counter (so two replicas never hand out the
//! same one), is stored in the hash `verdict:policies` (id → `{version, text}`, `text`
//! null for a deletion), and bumps `verdict:policies:generation`. Each replica polls the
//! generation every second and installs what is newer than what it holds, after
//! compiling it and running its tests itself (a replica never serves a policy it has
//! not checked).

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

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
}

/// Publishes policy `id`'s new text (`None`: its deletion); returns its version, above
/// `held` (the version this replica holds: a Redis that lost its counter must not hand
/// out a number the replicas would take for old).
///
/// # Errors
/// When Redis cannot answer: the change is then not made anywhere.
pub async fn publish(
    redis: &Redis,
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
    let body = serde_json::to_vec(&Published {
        version,
        text: text.map(str::to_owned),
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

//! Everything a request needs, built once at start and shared.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use collateral::{Cache, Endpoints, Http, HttpOptions, Offline, Source};
use tokio::sync::Semaphore;
use verifier::time::{self, UnixTime};
use verifier::{TrustAnchors, Verifier};

use crate::challenge::{Challenger, KEY_LEN};
use crate::collateral_set::CollateralSet;
use crate::config::Config;
use crate::files::{read_text, write_private};
use crate::keys::KeyRing;
use crate::metrics::Metrics;
use crate::policies::PolicyStore;
use crate::redis::Redis;
use crate::redis_source::RedisSource;
use crate::replay::ReplayGuard;

/// Verifications at once per core, by default (see `State::build`).
pub const VERIFY_WORKERS_PER_CORE: usize = 4;

/// The service's shared state.
pub struct State {
    /// The configuration it started with.
    pub config: Config,
    /// The tokens' issuer.
    pub issuer: String,
    /// One verifier (its caches are shared by every request).
    pub verifier: Verifier,
    /// The collateral.
    pub collateral: CollateralSet,
    /// The policies.
    pub policies: PolicyStore,
    /// The signing keys.
    pub keys: KeyRing,
    /// Challenges.
    pub challenger: Challenger,
    /// Used nonces.
    pub replay: ReplayGuard,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Verifications running at once.
    pub workers: Arc<Semaphore>,
    /// Redis, when replicas share one (nonces, collateral, policies).
    pub redis: Option<Redis>,
    /// The key policies published through Redis are authenticated with (derived from
    /// the challenge key, which replicas share).
    pub policy_key: [u8; 32],
    pinned: Option<UnixTime>,
}

impl State {
    /// Builds the state from `config`: keys, policies, collateral, Redis.
    ///
    /// # Errors
    /// What is wrong, for the operator.
    pub async fn build(config: Config) -> Result<Arc<Self>, String> {
        config.validate()?;
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| format!("data directory {}: {e}", config.data_dir.display()))?;
        let metrics = Arc::new(Metrics::new());
        let keys = KeyRing::open(
            config.signing_key.as_deref(),
            &config.data_dir,
            &config.previous_jwks,
        )
        .map_err(|e| format!("signing key: {e}"))?;
        let challenger = Challenger::new(
            challenge_key(config.challenge_key.as_deref(), &config.data_dir)?,
            config.challenge_ttl_seconds,
        );
        let policies = PolicyStore::open(&config.data_dir, config.policies_dir.as_deref())?;
        let redis = match &config.redis_url {
            Some(url) => Some(
                Redis::connect(url)
                    .await
                    .map_err(|e| format!("redis {url}: {e}"))?,
            ),
            None => None,
        };
        let loaded = collateral::load_paths(&config.collateral).map_err(|e| e.to_string())?;
        for skipped in &loaded.skipped {
            tracing::warn!(path = %skipped.path.display(), reason = %skipped.reason, "skipped a collateral file");
        }
        let anchors = if config.anchors.is_empty() {
            TrustAnchors::default()
        } else {
            let roots = collateral::load_paths(&config.anchors).map_err(|e| e.to_string())?;
            TrustAnchors::from_root_certificates(
                verifier::crypto::default_provider(),
                roots.bundle.certificates(),
            )
            .map_err(|e| format!("anchors: {e}"))?
        };
        let source = source(&config, redis.clone(), Arc::clone(&metrics))?;
        let collateral = CollateralSet::new(
            loaded.bundle,
            source,
            Duration::from_secs(config.collateral_refresh_seconds.max(1)),
            Arc::clone(&metrics),
        );
        let replay = match &redis {
            Some(r) => ReplayGuard::Redis(r.clone()),
            None => ReplayGuard::memory(),
        };
        // Four per core by default: a verification hands over between the async side and
        // the blocking pool twice, and with one per core the cores idle through those
        // handovers (TDX on 2 cores: 4,850/s with 2, 7,400/s with 8, 7,500/s unbounded;
        // scripts/load-test.sh). The bound still caps the threads a flood can start.
        let workers = config
            .verify_workers
            .unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map_or(2, |n| n.get())
                    .saturating_mul(VERIFY_WORKERS_PER_CORE)
            })
            .max(1);
        let pinned = config
            .at
            .as_deref()
            .map(time::parse_rfc3339_explained)
            .transpose()?;
        let policy_key = challenger.derive(b"policy-sync");
        Ok(Arc::new(Self {
            policy_key,
            issuer: config.issuer(),
            verifier: Verifier::new(anchors),
            collateral,
            policies,
            keys,
            challenger,
            replay,
            metrics,
            workers: Arc::new(Semaphore::new(workers)),
            redis,
            pinned,
            config,
        }))
    }

    /// The verification time: the configured `at`, else the clock.
    pub fn now(&self) -> UnixTime {
        self.pinned.unwrap_or_else(|| time::from_secs(wall_secs()))
    }
}

/// The clock, in Unix seconds (challenges always live by it, `at` or not).
pub fn wall_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The collateral source: the disk cache, in front of Redis when configured, in front
/// of the vendors (or nothing, offline).
fn source(
    config: &Config,
    redis: Option<Redis>,
    metrics: Arc<Metrics>,
) -> Result<Box<dyn Source>, String> {
    let network: Box<dyn Source> = if config.offline {
        Box::new(Offline)
    } else {
        let mut endpoints = Endpoints::vendors();
        if let Some(url) = &config.amd_kds_url {
            endpoints = endpoints.with_amd_kds(url);
        }
        if let Some(url) = &config.intel_pcs_url {
            endpoints = endpoints.with_intel_pcs(url);
        }
        if let Some(url) = &config.nvidia_rim_url {
            endpoints = endpoints.with_nvidia_rim(url);
        }
        if let Some(url) = &config.nvidia_ocsp_url {
            endpoints = endpoints.with_nvidia_ocsp(url);
        }
        let mut options = HttpOptions::default();
        options.timeout = Duration::from_secs(config.fetch_timeout_seconds);
        let http = Http::new(endpoints, options).map_err(|e| e.to_string())?;
        match redis {
            Some(redis) => Box::new(RedisSource::new(redis, http, metrics)),
            None => Box::new(http),
        }
    };
    Ok(Box::new(
        Cache::new(config.data_dir.join("collateral"), network)
            .with_grace(Duration::from_secs(config.cache_grace_seconds)),
    ))
}

/// The challenge MAC key: from `file`, or `<data_dir>/challenge.key` (generated).
fn challenge_key(file: Option<&Path>, data_dir: &Path) -> Result<[u8; KEY_LEN], String> {
    let default = data_dir.join("challenge.key");
    let path = file.unwrap_or(&default);
    if file.is_none() && !path.exists() {
        let mut key = [0u8; KEY_LEN];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut key);
        write_private(path, hex::encode(key).as_bytes())?;
        return Ok(key);
    }
    let text = read_text(path)?;
    let bytes =
        hex::decode(text.trim()).map_err(|e| format!("{}: not hex: {e}", path.display()))?;
    bytes.try_into().map_err(|_| {
        format!(
            "{}: the challenge key is {KEY_LEN} bytes (64 hex digits)",
            path.display()
        )
    })
}

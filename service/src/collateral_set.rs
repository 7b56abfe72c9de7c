//! The collateral every request verifies against: one parsed bundle in memory, shared
//! by all requests, grown as evidence needs keys it lacks (fetched through the disk
//! cache, Redis and the vendors), and reset to the configured base periodically so
//! collateral the vendors have replaced is fetched again (the disk cache judges
//! freshness). A request that finds everything in memory takes no lock and copies
//! nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use collateral::{FetchError, Quiet, Source};
use verifier::collateral::Bundle;
use verifier::needs::CollateralKey;
use verifier::time::UnixTime;
use verifier::{Evidence, Expectations};

use crate::metrics::Metrics;

/// How long an optional key that could not be had is not asked for again.
const ABSENT_TTL: Duration = Duration::from_secs(60);

/// The shared bundle and where to get what it lacks.
pub struct CollateralSet {
    base: Arc<Bundle>,
    current: RwLock<(Arc<Bundle>, Instant)>,
    refresh_every: Duration,
    source: Box<dyn Source>,
    /// Optional keys recently not found: not asked again on every request.
    absent: Mutex<HashMap<CollateralKey, Instant>>,
    metrics: Arc<Metrics>,
}

/// The bundle for one request, and why keys it lacks could not be fetched.
pub struct ForRequest {
    /// The collateral.
    pub bundle: Arc<Bundle>,
    /// Fetch failures, for the message when verification then misses a key.
    pub failures: Vec<FetchError>,
}

impl CollateralSet {
    /// Starts from `base` (the configured collateral files), fetching from `source`.
    pub fn new(
        base: Bundle,
        source: Box<dyn Source>,
        refresh_every: Duration,
        metrics: Arc<Metrics>,
    ) -> Self {
        let base = Arc::new(base);
        Self {
            current: RwLock::new((Arc::clone(&base), Instant::now())),
            base,
            refresh_every,
            source,
            absent: Mutex::new(HashMap::new()),
            metrics,
        }
    }

    fn snapshot(&self) -> Arc<Bundle> {
        let mut current = match self.current.write() {
            Ok(c) => c,
            Err(p) => p.into_inner(),
        };
        if current.1.elapsed() >= self.refresh_every {
            *current = (Arc::clone(&self.base), Instant::now());
        }
        Arc::clone(&current.0)
    }

    fn read_snapshot(&self) -> Option<Arc<Bundle>> {
        let current = self.current.read().ok()?;
        (current.1.elapsed() < self.refresh_every).then(|| Arc::clone(&current.0))
    }

    /// The collateral for `evidence` under `expectations` at `now`: the shared bundle,
    /// completed from the source when it lacks something.
    pub async fn for_evidence(
        &self,
        evidence: &Evidence,
        expectations: &Expectations,
        now: UnixTime,
    ) -> ForRequest {
        let bundle = self.read_snapshot().unwrap_or_else(|| self.snapshot());
        let missing: Vec<_> = {
            let absent = self.absent.lock().ok();
            bundle
                .missing(evidence, expectations)
                .into_iter()
                .filter(|r| {
                    !(r.optional
                        && absent
                            .as_ref()
                            .and_then(|a| a.get(&r.key))
                            .is_some_and(|at| at.elapsed() < ABSENT_TTL))
                })
                .collect()
        };
        if missing.is_empty() {
            self.metrics.collateral_in_memory();
            return ForRequest {
                bundle,
                failures: Vec::new(),
            };
        }
        let resolved = collateral::resolve(
            evidence,
            expectations,
            (*bundle).clone(),
            self.source.as_ref(),
            now,
            &Quiet,
        )
        .await;
        self.metrics.collateral_fetched(resolved.fetched.len());
        self.metrics.collateral_failed(resolved.failed.len());
        if let Ok(mut absent) = self.absent.lock() {
            absent.retain(|_, at| at.elapsed() < ABSENT_TTL);
            for (requirement, _) in resolved.failed.iter().filter(|(r, _)| r.optional) {
                absent.insert(requirement.key.clone(), Instant::now());
            }
        }
        let failures = resolved.failed.into_iter().map(|(_, e)| e).collect();
        let grown = Arc::new(resolved.bundle);
        if !resolved.fetched.is_empty() {
            if let Ok(mut current) = self.current.write() {
                // Another request may have grown it meanwhile: what it added is
                // fetched again (from the disk cache) by the next request needing it.
                current.0 = Arc::clone(&grown);
            }
        }
        ForRequest {
            bundle: grown,
            failures,
        }
    }
}

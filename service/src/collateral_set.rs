//! The collateral every request verifies against: one parsed bundle in memory, shared
//! by all requests, grown as evidence needs keys it lacks (fetched through the disk
//! cache, Redis and the vendors), and reset to the configured base periodically so
//! collateral the vendors have replaced is fetched again (the disk cache judges
//! freshness). A request that finds everything in memory takes no lock and copies
//! nothing.
//!
//! Telling what evidence needs means parsing the certificates it carries (a TDX
//! quote's PCK chain: most of a warm request's cost). So the answer "this bundle has
//! everything" is remembered per bundle generation and per what decides a quote's
//! needs (its version, TEE and certification data, hashed). A wrong "yes" cannot pass
//! bad evidence: the verifier still decides with what the bundle holds, and a key it
//! then misses sends the request back here with the memo bypassed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use collateral::{FetchError, Quiet, Source};
use sha2::{Digest, Sha256};
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
    /// The bundle, when it was last reset, and its generation (bumped on every change).
    current: RwLock<(Arc<Bundle>, Instant, u64)>,
    /// Needs identity → the generation whose bundle served everything.
    satisfied: quick_cache::sync::Cache<[u8; 32], u64>,
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
    /// Whether the evidence's needs were worked out (not taken from the memo).
    pub asked: bool,
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
            current: RwLock::new((Arc::clone(&base), Instant::now(), 0)),
            satisfied: quick_cache::sync::Cache::new(16_384),
            base,
            refresh_every,
            source,
            absent: Mutex::new(HashMap::new()),
            metrics,
        }
    }

    fn snapshot(&self) -> (Arc<Bundle>, u64) {
        let mut current = match self.current.write() {
            Ok(c) => c,
            Err(p) => p.into_inner(),
        };
        if current.1.elapsed() >= self.refresh_every {
            let generation = current.2.wrapping_add(1);
            *current = (Arc::clone(&self.base), Instant::now(), generation);
        }
        (Arc::clone(&current.0), current.2)
    }

    fn read_snapshot(&self) -> Option<(Arc<Bundle>, u64)> {
        let current = self.current.read().ok()?;
        (current.1.elapsed() < self.refresh_every).then(|| (Arc::clone(&current.0), current.2))
    }

    /// The collateral for `evidence` under `expectations` at `now`: the shared bundle,
    /// completed from the source when it lacks something.
    pub async fn for_evidence(
        &self,
        evidence: &Evidence,
        expectations: &Expectations,
        now: UnixTime,
    ) -> ForRequest {
        self.complete(evidence, expectations, now, true).await
    }

    /// As [`Self::for_evidence`], asking what the evidence needs even if the memo says
    /// the bundle had it (after verification missed a key).
    pub async fn for_evidence_again(
        &self,
        evidence: &Evidence,
        expectations: &Expectations,
        now: UnixTime,
    ) -> ForRequest {
        self.complete(evidence, expectations, now, false).await
    }

    async fn complete(
        &self,
        evidence: &Evidence,
        expectations: &Expectations,
        now: UnixTime,
        trust_memo: bool,
    ) -> ForRequest {
        let (bundle, generation) = self.read_snapshot().unwrap_or_else(|| self.snapshot());
        let identity = needs_identity(evidence);
        if trust_memo
            && identity
                .and_then(|id| self.satisfied.get(&id))
                .is_some_and(|g| g == generation)
        {
            self.metrics.collateral_in_memory();
            return ForRequest {
                bundle,
                failures: Vec::new(),
                asked: false,
            };
        }
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
            if let Some(id) = identity {
                self.satisfied.insert(id, generation);
            }
            self.metrics.collateral_in_memory();
            return ForRequest {
                bundle,
                failures: Vec::new(),
                asked: true,
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
                // Only over the generation it grew from: a reset meanwhile stands. (Another
                // request's growth from the same generation is lost; what it added is
                // fetched again, from the disk cache, by the next request needing it.)
                if current.2 == generation {
                    current.0 = Arc::clone(&grown);
                    current.2 = current.2.wrapping_add(1);
                }
            }
        }
        ForRequest {
            bundle: grown,
            failures,
            asked: true,
        }
    }
}

/// What decides the collateral a piece of evidence needs, hashed, where that is cheap
/// to tell: a DCAP quote's version, TEE type, body type and certification data (its
/// PCK chain, leaf or PPID). `None`: always ask.
fn needs_identity(evidence: &Evidence) -> Option<[u8; 32]> {
    let (Evidence::Tdx { quote, .. } | Evidence::Sgx(quote)) = evidence else {
        return None;
    };
    let quote = verifier::tdx::Quote::parse(quote).ok()?;
    let certification = &quote.signature.certification;
    let mut h = Sha256::new();
    h.update(b"dcap");
    h.update(quote.header.version.to_be_bytes());
    h.update(quote.header.tee_type.to_be_bytes());
    h.update(quote.body_type.unwrap_or(0).to_be_bytes());
    h.update(certification.cert_type.to_be_bytes());
    h.update(certification.data);
    Some(h.finalize().into())
}

#[cfg(test)]
impl CollateralSet {
    /// Records `evidence`'s needs as met by the current bundle, true or not: what a wrong
    /// memo costs is tested through this.
    pub(crate) fn mark_satisfied(&self, evidence: &Evidence) {
        let (_, generation) = self.snapshot();
        if let Some(id) = needs_identity(evidence) {
            self.satisfied.insert(id, generation);
        }
    }
}

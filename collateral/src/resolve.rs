//! Getting everything a piece of evidence needs: ask the evidence what is missing from
//! the bundle, fetch it, and ask again, until nothing new is asked (a GPU's RIM names the
//! signing certificates whose OCSP answers are needed next; a v2 SNP report's VCEK names
//! the product whose chain is needed next).

use std::collections::HashSet;

use verifier::collateral::Bundle;
use verifier::needs::{CollateralKey, Requirement};
use verifier::time::UnixTime;
use verifier::{Evidence, Expectations};

use crate::fetch::{fetch_all, FetchError, FetchErrorKind, Fetched, Origin, Source};

/// Rounds of asking before giving up: needs unfold in at most three stages today (VCEK,
/// then chain; RIM, then OCSP), so more means a source answering with something that
/// keeps raising new needs.
const MAX_ROUNDS: usize = 8;

/// What [`resolve`] reports as it goes (a progress bar, a log).
pub trait Progress: Send + Sync {
    /// These keys are about to be fetched.
    fn asking(&self, _keys: &[CollateralKey]) {}
    /// One key's answer.
    fn answered(&self, _key: &CollateralKey, _result: &Result<Fetched, FetchError>) {}
}

/// A [`Progress`] that says nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Progress for Quiet {}

/// The outcome of [`resolve`]: the bundle with everything fetched added, and what was
/// fetched and what failed, key by key.
#[derive(Debug, Default)]
pub struct Resolved {
    /// The bundle given, plus everything fetched.
    pub bundle: Bundle,
    /// What was fetched, in the order asked.
    pub fetched: Vec<(CollateralKey, Fetched)>,
    /// What could not be fetched, with whether verification can do without it.
    pub failed: Vec<(Requirement, FetchError)>,
}

impl Resolved {
    /// Why `key` could not be fetched, if it was asked and failed.
    pub fn failure(&self, key: &CollateralKey) -> Option<&FetchError> {
        self.failed
            .iter()
            .find(|(r, _)| &r.key == key)
            .map(|(_, e)| e)
    }

    /// Cache entries served past their validity (within the grace period): each is a
    /// warning for the caller to report.
    pub fn stale(&self) -> impl Iterator<Item = &(CollateralKey, Fetched)> {
        self.fetched
            .iter()
            .filter(|(_, f)| matches!(f.origin, Origin::Cache { stale: Some(_), .. }))
    }

    /// Whether any request reached the network.
    pub fn used_network(&self) -> bool {
        self.fetched
            .iter()
            .any(|(_, f)| matches!(f.origin, Origin::Network { .. }))
    }
}

/// An optional CRL that is not current at `now` is left out: the verifier rejects a
/// stale CRL it is given, while a CRL nobody could fetch is only a warning, so serving a
/// stale one would turn an unreachable service into a failed verification. (An attacker
/// who can serve a stale CRL can as well block the request: leaving it out gives nothing
/// away.) A required CRL (`require_crl`) is kept, for the verifier to reject.
fn usable(
    requirement: &Requirement,
    fetched: Fetched,
    now: UnixTime,
) -> Result<Fetched, FetchError> {
    if !(requirement.optional && matches!(requirement.key, CollateralKey::AmdCrl { .. })) {
        return Ok(fetched);
    }
    let mut parsed = Bundle::new();
    if parsed.add_bytes(&fetched.bytes).is_err() {
        return Ok(fetched);
    }
    let secs = verifier::time::secs;
    let current = parsed.crls().iter().all(|crl| {
        secs(crl.this_update()) <= secs(now)
            && crl
                .next_update()
                .is_some_and(|next| secs(now) <= secs(next))
    });
    if current {
        return Ok(fetched);
    }
    let url = match &fetched.origin {
        Origin::Network { url } => Some(url.as_str()),
        Origin::Cache { .. } => None,
    };
    Err(FetchError::new(
        &requirement.key,
        url,
        FetchErrorKind::NotCurrent {
            at: verifier::time::rfc3339(now),
        },
    ))
}

/// Fetches from `source` what `evidence` needs under `expectations` and `bundle` does not
/// hold, repeating while new needs appear. Optional keys are fetched too (they make the
/// claims complete); their failures are reported, not fatal. Verification decides what
/// a failure means: [`Resolved::failure`] says why a key it reports missing is absent.
pub async fn resolve(
    evidence: &Evidence,
    expectations: &Expectations,
    bundle: Bundle,
    source: &dyn Source,
    now: UnixTime,
    progress: &dyn Progress,
) -> Resolved {
    let mut resolved = Resolved {
        bundle,
        ..Resolved::default()
    };
    let mut asked: HashSet<CollateralKey> = HashSet::new();
    for _ in 0..MAX_ROUNDS {
        let missing: Vec<Requirement> = resolved
            .bundle
            .missing(evidence, expectations)
            .into_iter()
            .filter(|r| !asked.contains(&r.key))
            .collect();
        if missing.is_empty() {
            break;
        }
        let keys: Vec<CollateralKey> = missing.iter().map(|r| r.key.clone()).collect();
        asked.extend(keys.iter().cloned());
        progress.asking(&keys);
        let results = fetch_all(source, &keys, now).await;
        for (requirement, result) in missing.into_iter().zip(results) {
            progress.answered(&requirement.key, &result);
            let result = result.and_then(|f| usable(&requirement, f, now));
            match result {
                Ok(fetched) => match resolved.bundle.add_bytes(&fetched.bytes) {
                    Ok(_) => resolved.fetched.push((requirement.key, fetched)),
                    Err(e) => {
                        let url = match &fetched.origin {
                            Origin::Network { url } => Some(url.as_str()),
                            _ => None,
                        };
                        let error = FetchError::new(
                            &requirement.key,
                            url,
                            FetchErrorKind::WrongContent(e.to_string()),
                        );
                        resolved.failed.push((requirement, error));
                    }
                },
                Err(error) => resolved.failed.push((requirement, error)),
            }
        }
    }
    resolved
}

//! One attestation: evidence and expectations in, a signed token out, through the
//! library's pipeline (collateral → verify → appraise → EAR → sign). Collateral is
//! gathered on the async side; verification, appraisal and signing run on the blocking
//! pool, at most `verify_workers` at once, so slow work never stalls I/O.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use policy::token::{self, TokenFormat};
use policy::{appraise, to_ear, AppraiseError, Input, IssueOptions};
use rand_core::{OsRng, RngCore};
use verifier::{Claims, Evidence, Expectations, Verified};

use crate::policies::Entry;
use crate::problem::Problem;
use crate::state::State;

/// One device's evidence and what is expected of it.
pub struct Device {
    /// The evidence.
    pub evidence: Evidence,
    /// The expectations (the Trustee route's runtime-data binding lives here).
    pub expectations: Expectations,
}

/// What to attest.
pub struct Attestation {
    /// The devices (at most one CPU report, any number of GPUs).
    pub devices: Vec<Device>,
    /// The challenge the evidence must bind (it becomes `eat_nonce`).
    pub nonce: Option<Vec<u8>>,
    /// The policy.
    pub policy: Entry,
    /// JWT or CWT.
    pub format: TokenFormat,
}

/// An issued token.
pub struct Issued {
    /// The JWT, or the CWT in base64url.
    pub token: String,
    /// The overall `ear.status`.
    pub status: &'static str,
    /// The policy's identifier.
    pub policy_id: String,
}

/// Runs the attestation.
///
/// # Errors
/// A problem naming what failed: evidence refused (with the library's error kind),
/// collateral unavailable, a policy that does not fit the evidence, a challenge the
/// evidence does not bind.
pub async fn attest(state: &Arc<State>, attestation: Attestation) -> Result<Issued, Problem> {
    let now = state.now();
    match run(state, attestation, now, false).await? {
        Ok(issued) => Ok(issued),
        Err(attestation) => run(state, attestation, now, true)
            .await?
            .map_err(|_| Problem::internal("collateral missing after its needs were worked out")),
    }
}

/// One try: `Ok(Err(attestation))` when the collateral memo was wrong, to try again
/// with the evidence's needs worked out.
async fn run(
    state: &Arc<State>,
    attestation: Attestation,
    now: verifier::time::UnixTime,
    again: bool,
) -> Result<Result<Issued, Attestation>, Problem> {
    let mut bundles = Vec::with_capacity(attestation.devices.len());
    for device in &attestation.devices {
        let set = &state.collateral;
        bundles.push(if again {
            set.for_evidence_again(&device.evidence, &device.expectations, now)
                .await
        } else {
            set.for_evidence(&device.evidence, &device.expectations, now)
                .await
        });
    }
    let permit = Arc::clone(&state.workers)
        .acquire_owned()
        .await
        .map_err(|_| Problem::internal("the verification pool is closed"))?;
    let state = Arc::clone(state);
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let mut results: Vec<Verified<Claims>> = Vec::with_capacity(bundles.len());
        for (device, bundle) in attestation.devices.iter().zip(&bundles) {
            match state
                .verifier
                .verify(&device.evidence, &bundle.bundle, &device.expectations, now)
            {
                Ok(verified) => results.push(verified),
                // The memo said the bundle had everything and it had not: ask again.
                Err(verifier::Error::MissingCollateral { .. }) if !bundle.asked => {
                    return Ok(Err(attestation));
                }
                Err(e) => return Err(verification_problem(&e, &bundle.failures)),
            }
        }
        issue(&state, &attestation, &results, now).map(Ok)
    })
    .await
    .map_err(|e| Problem::internal(format!("the verification task failed: {e}")))?
}

fn issue(
    state: &State,
    attestation: &Attestation,
    results: &[Verified<Claims>],
    now: verifier::time::UnixTime,
) -> Result<Issued, Problem> {
    let policy = &attestation.policy.policy;
    let input = Input::from_verified(results, attestation.nonce.clone(), now).map_err(|e| {
        let kind = match e {
            AppraiseError::DuplicateDevice { .. } => "duplicate_device",
            AppraiseError::SeveralCpus(_) => "several_cpus",
            _ => "appraisal_impossible",
        };
        Problem::bad_request(kind, e.to_string())
    })?;
    let appraisal = appraise(policy, &input)
        .map_err(|e| Problem::rejected("policy_mismatch", e.to_string()))?;
    if attestation.nonce.is_some() && appraisal.nonce.is_none() {
        // A token must not suggest freshness the evidence never showed.
        return Err(Problem::rejected(
            "challenge_not_answered",
            "the evidence does not bind the challenge: a CPU report's REPORT_DATA (Azure: \
             the vTPM quote's extraData) must begin with the nonce, and a GPU's SPDM nonce \
             must be the nonce or SHA-256 of that field",
        ));
    }
    let mut jti = vec![0u8; 16];
    OsRng.fill_bytes(&mut jti);
    let mut options = IssueOptions::new(state.issuer.clone(), jti);
    options.audience.clone_from(&state.config.audience);
    let ear = to_ear(&appraisal, &options)
        .map_err(|e| Problem::bad_request("nonce_length", e.to_string()))?;
    let key = state.keys.current();
    let token = match attestation.format {
        TokenFormat::Jwt => token::sign_jwt(&ear, key.as_ref()),
        TokenFormat::Cwt => token::sign_cwt(&ear, key.as_ref()).map(|t| URL_SAFE_NO_PAD.encode(t)),
    }
    .map_err(|e| Problem::internal(format!("signing failed: {e}")))?;
    Ok(Issued {
        token,
        status: policy::trust::tier_name(appraisal.status),
        policy_id: appraisal.policy_id,
    })
}

/// The problem for a verification error; missing collateral says why fetching it
/// failed, when it did.
fn verification_problem(e: &verifier::Error, failures: &[collateral::FetchError]) -> Problem {
    let mut problem = Problem::from_verifier(e);
    if let verifier::Error::MissingCollateral { key } = e {
        if let Some(f) = failures.iter().find(|f| *f.key == *key) {
            problem.kind = format!("collateral_{}", f.kind.code());
            problem.type_uri = format!("urn:verdict:problem:{}", problem.kind);
            problem.detail = format!("cannot get {f}");
        }
    }
    problem
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use crate::config::Config;

    /// A memo saying the shared bundle holds everything a quote needs, when it does not
    /// (here: no QE Identity): the verifier misses the key, the request goes back for
    /// its needs worked out, and the answer names the collateral that could not be had
    /// (which only that second pass knows), never an internal error or a token.
    #[tokio::test]
    async fn a_wrong_collateral_memo_sends_the_request_back_for_its_needs() {
        let case = testvectors::real::tdx_dir().join("cases/tdx-v4-phala-b0c06f-uptodate");
        let dir = tempfile::tempdir().unwrap();
        let collateral = dir.path().join("collateral");
        std::fs::create_dir_all(&collateral).unwrap();
        for file in [
            "tcb_info.json",
            "tcb_info_issuer_chain.pem",
            "pck_crl.der",
            "pck_crl_issuer_chain.pem",
            "root_ca_crl.der",
        ] {
            std::fs::copy(case.join("collateral").join(file), collateral.join(file)).unwrap();
        }
        let expected: serde_json::Value =
            serde_json::from_slice(&std::fs::read(case.join("expected.json")).unwrap()).unwrap();
        let state = State::build(Config {
            data_dir: dir.path().join("data"),
            collateral: vec![collateral],
            offline: true,
            at: expected["valid_from"].as_str().map(str::to_owned),
            ..Config::default()
        })
        .await
        .unwrap();
        let evidence = Evidence::from_bytes(
            &std::fs::read(case.join("quote.bin")).unwrap(),
            Some(verifier::Tee::Tdx),
        )
        .unwrap();
        state.collateral.mark_satisfied(&evidence);
        let attestation = || Attestation {
            devices: vec![Device {
                evidence: evidence.clone(),
                expectations: Expectations::none(),
            }],
            nonce: None,
            policy: state.policies.default_for(&[verifier::Tee::Tdx]).unwrap(),
            format: TokenFormat::Jwt,
        };
        let Err(problem) = attest(&state, attestation()).await else {
            panic!("a token without the QE Identity");
        };
        assert_eq!(
            (problem.status, problem.kind.as_str()),
            (503, "collateral_offline"),
            "{} {}: {}",
            problem.status,
            problem.kind,
            problem.detail
        );
        assert!(
            problem.detail.contains("TD_QE identity"),
            "{}",
            problem.detail
        );
    }
}

//! Shared fixtures for the token tests (included by each `token_*.rs` with `#[path]`; as
//! a test target of its own it has no tests).
#![allow(dead_code, missing_docs, unreachable_pub)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU8, Ordering};

use policy::ear::{Appraisal, Ear, VerifierId};
use policy::token::VerifyOptions;
use policy::trust::{TrustClaim, TrustTier};
use rand_chacha::rand_core::SeedableRng;
use serde_json::json;
use verifier::time::{from_secs, UnixTime};

/// 2025-06-15T15:06:40Z: tokens are issued and verified at a pinned time, long past.
pub const NOW: u64 = 1_750_000_000;
/// Token lifetime.
pub const TTL: u64 = 300;
pub const ISSUER: &str = "https://attest.example.com";
pub const AUDIENCE: &str = "rp-1";
/// The result nonce (32 bytes).
pub const NONCE: [u8; 32] = [0x5a; 32];
/// The evidence nonce of cpu0.
pub const EVIDENCE_NONCE: [u8; 16] = [0x11; 16];
pub const JTI: [u8; 16] = [0x42; 16];

/// `secs` since the epoch as a time.
pub fn t(secs: u64) -> UnixTime {
    from_secs(secs)
}

/// A seeded RNG for key generation, another seed on each call (so two keys differ) and
/// the same sequence in every run.
pub fn rng() -> rand_chacha::ChaCha20Rng {
    static NEXT: AtomicU8 = AtomicU8::new(0);
    rand_chacha::ChaCha20Rng::from_seed([NEXT.fetch_add(1, Ordering::Relaxed); 32])
}

/// `options` changed by `f` (`VerifyOptions` is non-exhaustive: no struct update syntax).
pub fn with(mut options: VerifyOptions, f: impl FnOnce(&mut VerifyOptions)) -> VerifyOptions {
    f(&mut options);
    options
}

/// A bare EAR issued at `iat`, expiring `TTL` later, with one affirming submod.
pub fn minimal_ear(iat: u64) -> Ear {
    let mut ear = ear_without_expiry(iat);
    ear.exp = Some(t(iat + TTL));
    ear
}

/// [`minimal_ear`] without `exp`, which `sign_*` refuse.
pub fn ear_without_expiry(iat: u64) -> Ear {
    let mut gpu = Appraisal::new(TrustTier::Affirming);
    gpu.trust.set(TrustClaim::Hardware, 2);
    let mut ear = Ear::new(
        t(iat),
        VerifierId {
            developer: "https://verdict.example".into(),
            build: "verdict 0.1.0".into(),
        },
    );
    ear.submods.insert("gpu0".to_string(), gpu);
    ear
}

/// The typical token of the notes (§4c): two submods (cpu0 warning, gpu0 affirming),
/// result nonce, topology, and iss/aud/nbf/jti/cnf.
pub fn sample_ear(iat: u64) -> Ear {
    let mut cpu = Appraisal::new(TrustTier::Warning);
    cpu.profile = Some(policy::ear::EAR_PROFILE.into());
    cpu.trust.set(TrustClaim::InstanceIdentity, 2);
    cpu.trust.set(TrustClaim::Configuration, 2);
    cpu.trust.set(TrustClaim::Executables, 2);
    cpu.trust.set(TrustClaim::Hardware, 32);
    cpu.trust.set(TrustClaim::RuntimeOpaque, 2);
    cpu.policy_ids = vec!["tdx-td-prod@12".into()];
    cpu.nonce = Some(EVIDENCE_NONCE.to_vec());
    cpu.attester_claims.insert("platform".into(), json!("tdx"));
    cpu.attester_claims
        .insert("tdx_mr_td".into(), json!("ab".repeat(48)));
    cpu.verifier_claims
        .insert("tcb_status".into(), json!("OutOfDate"));
    cpu.verifier_claims
        .insert("advisory_ids".into(), json!(["INTEL-SA-00837"]));
    cpu.verifier_claims
        .insert("tcb_level_age_days".into(), json!(31));

    let mut ear = minimal_ear(iat);
    ear.submods.insert("cpu0".into(), cpu);
    ear.status = Some(TrustTier::Warning);
    ear.nonce = Some(NONCE.to_vec());
    ear.topology = Some(BTreeMap::from([(
        "cpu0".to_string(),
        vec!["gpu0".to_string()],
    )]));
    ear.issuer = Some(ISSUER.into());
    ear.audience = Some(AUDIENCE.into());
    ear.nbf = Some(t(iat));
    ear.jti = Some(JTI.to_vec());
    ear.cnf = Some(
        json!({"jwk": {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}}),
    );
    ear
}

/// Options that accept `sample_ear(NOW)` at `NOW`.
pub fn options() -> VerifyOptions {
    with(VerifyOptions::new(t(NOW)), |o| {
        o.expected_nonce = Some(NONCE.to_vec());
        o.expected_issuer = Some(ISSUER.into());
        o.expected_audience = Some(AUDIENCE.into());
    })
}

/// The EAR's JSON (the JWT payload).
pub fn ear_json(ear: &Ear) -> serde_json::Value {
    ear.to_json()
}

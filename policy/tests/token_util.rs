//! Shared fixtures for the token tests (included by each `token_*.rs` with `#[path]`; as
//! a test target of its own it has no tests).
#![allow(dead_code, missing_docs, unreachable_pub)]

use std::collections::BTreeMap;

use ear::{Appraisal, Ear, Extensions, Nonce, RawValue, TrustTier, TrustVector, VerifierID};
use policy::token::{register_claims, set_expiry, VerifyOptions};

/// 2025-06-15T15:06:40Z: tokens are issued and verified at a pinned time, long past
/// (`set_expiry` keeps the `ear` crate's clock check out of encoding).
pub const NOW: i64 = 1_750_000_000;
/// Token lifetime.
pub const TTL: i64 = 300;
pub const ISSUER: &str = "https://attest.example.com";
pub const AUDIENCE: &str = "rp-1";
/// The result nonce (32 bytes).
pub const NONCE: [u8; 32] = [0x5a; 32];
/// The evidence nonce of cpu0.
pub const EVIDENCE_NONCE: [u8; 16] = [0x11; 16];
pub const JTI: [u8; 16] = [0x42; 16];

/// A bare EAR issued at `iat`, expiring `TTL` later, with one affirming submod.
pub fn minimal_ear(iat: i64) -> Ear {
    let mut ear = ear_without_expiry(iat);
    set_expiry(&mut ear, iat + TTL).unwrap();
    ear
}

/// [`minimal_ear`] without `exp`, which `sign_*` refuse.
pub fn ear_without_expiry(iat: i64) -> Ear {
    let mut gpu = Appraisal::new();
    gpu.trust_vector.hardware.set(ear::claim::GENUINE_HARDWARE);
    gpu.update_status_from_trust_vector();
    Ear {
        profile: ear::EAR_PROFILE.into(),
        iat,
        exp: None,
        vid: VerifierID {
            developer: "https://verdict.example".into(),
            build: "verdict 0.1.0".into(),
        },
        submods: BTreeMap::from([("gpu0".to_string(), gpu)]),
        nonce: None,
        status: None,
        raw_evidence: None,
        topology: None,
        extensions: Extensions::new(),
    }
}

/// The typical token of the notes (§4c): two submods (cpu0 warning, gpu0 affirming),
/// result nonce, topology, and iss/aud/nbf/jti/cnf.
pub fn sample_ear(iat: i64) -> Ear {
    let mut cpu = Appraisal::new();
    cpu.profile = Some(ear::EAR_PROFILE.into());
    let tv: &mut TrustVector = &mut cpu.trust_vector;
    tv.instance_identity.set(ear::claim::TRUSTWORTHY_INSTANCE);
    tv.configuration.set(ear::claim::APPROVED_CONFIG);
    tv.executables.set(ear::claim::APPROVED_RUNTIME);
    tv.hardware.set(ear::claim::UNSAFE_HARDWARE);
    tv.runtime_opaque.set(ear::claim::ENCRYPTED_MEMORY_RUNTIME);
    cpu.update_status_from_trust_vector();
    cpu.policy_ids = vec!["tdx-td-prod@12".into()];
    cpu.nonce = Some(Nonce::try_from(&EVIDENCE_NONCE[..]).unwrap());
    cpu.attester_claims = BTreeMap::from([
        ("platform".to_string(), RawValue::String("tdx".into())),
        (
            "tdx_mr_td".to_string(),
            RawValue::Bytes(ear::Bytes::from(&[0xab; 48][..])),
        ),
    ]);
    cpu.verifier_claims = BTreeMap::from([
        (
            "tcb_status".to_string(),
            RawValue::String("OutOfDate".into()),
        ),
        (
            "advisory_ids".to_string(),
            RawValue::Array(vec![RawValue::String("INTEL-SA-00837".into())]),
        ),
        ("tcb_level_age_days".to_string(), RawValue::Integer(31)),
    ]);

    let mut ear = minimal_ear(iat);
    ear.submods.insert("cpu0".into(), cpu);
    ear.status = Some(TrustTier::Warning);
    ear.nonce = Some(Nonce::try_from(&NONCE[..]).unwrap());
    ear.topology = Some(BTreeMap::from([(
        "cpu0".to_string(),
        vec!["gpu0".to_string()],
    )]));
    register_claims(&mut ear).unwrap();
    let ext = &mut ear.extensions;
    ext.set_by_name("iss", RawValue::String(ISSUER.into()))
        .unwrap();
    ext.set_by_name("aud", RawValue::String(AUDIENCE.into()))
        .unwrap();
    ext.set_by_name("nbf", RawValue::Integer(iat)).unwrap();
    ext.set_by_name("jti", RawValue::Bytes(ear::Bytes::from(&JTI[..])))
        .unwrap();
    ext.set_by_name(
        "cnf",
        RawValue::Map(vec![(
            RawValue::String("jwk".into()),
            RawValue::Map(vec![
                (
                    RawValue::String("kty".into()),
                    RawValue::String("OKP".into()),
                ),
                (
                    RawValue::String("crv".into()),
                    RawValue::String("Ed25519".into()),
                ),
                (
                    RawValue::String("x".into()),
                    RawValue::String("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo".into()),
                ),
            ]),
        )]),
    )
    .unwrap();
    ear
}

/// Options that accept `sample_ear(NOW)` at `NOW`.
pub fn options() -> VerifyOptions {
    VerifyOptions {
        expected_nonce: Some(NONCE.to_vec()),
        expected_issuer: Some(ISSUER.into()),
        expected_audience: Some(AUDIENCE.into()),
        ..VerifyOptions::new(NOW)
    }
}

/// The EAR's JSON as the `ear` crate writes it (the JWT payload).
pub fn ear_json(ear: &Ear) -> serde_json::Value {
    serde_json::to_value(ear).unwrap()
}

//! The default policies in policies/: they load, their embedded tests pass, and real
//! evidence of every kind appraises under them without a rule erring, into a token
//! that verifies (with our verifier and with the jsonwebtoken crate).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use policy::token::{self, Algorithm, JwkSet, Signer, SigningKey, VerifyOptions};
use policy::trust::tier_name;
use policy::{appraise, to_ear, Input, IssueOptions};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

const POLICIES: [&str; 5] = [
    "snp.yaml",
    "tdx.yaml",
    "nvidia-h100.yaml",
    "composite.yaml",
    "azure.yaml",
];

#[test]
fn default_policies_load_and_pass_their_tests() {
    for file in POLICIES {
        let policy = common::load_policy(file);
        let outcomes = policy.run_tests();
        assert!(outcomes.len() >= 2, "{file}: too few tests");
        for t in &outcomes {
            assert!(
                t.passed(),
                "{file}: test `{}` failed: {:?}",
                t.name,
                t.problems
            );
        }
        assert!(
            policy.lints().is_empty(),
            "{file}: lints {:?}",
            policy.lints()
        );
    }
}

/// Appraises a real sample under a default policy and checks that no rule erred: an
/// error there means the policy reads a claim the verifier does not produce.
fn appraise_real(file: &str, sample: &common::Sample, nonce: Option<Vec<u8>>) -> policy::Appraisal {
    let policy = common::load_policy(file);
    let input =
        Input::from_verified(std::slice::from_ref(&sample.verified), nonce, sample.now).unwrap();
    let appraisal = appraise(&policy, &input).unwrap();
    for sub in &appraisal.submods {
        for o in &sub.outcomes {
            assert!(
                o.error.is_none(),
                "{} under {file}: rule {} erred: {:?}",
                sample.name,
                o.id,
                o.error
            );
        }
        assert!(
            sub.export_errors.is_empty(),
            "{}: {:?}",
            sample.name,
            sub.export_errors
        );
    }
    appraisal
}

#[test]
fn real_evidence_appraises_under_the_default_policies() {
    let snp = common::snp();
    let tdx = common::tdx();
    let sgx = common::sgx();
    let gpu = common::gpu();
    let azure_snp = common::azure("snp-v1");
    let azure_legacy = common::azure("snp-legacy-2023");
    let azure_tdx = common::azure("tdx-v1");
    for (file, sample) in [
        ("azure.yaml", &azure_snp),
        ("azure.yaml", &azure_legacy),
        ("azure.yaml", &azure_tdx),
        ("azure.yaml", &gpu),
        ("snp.yaml", &snp),
        ("tdx.yaml", &tdx),
        ("tdx.yaml", &sgx),
        ("nvidia-h100.yaml", &gpu),
        ("composite.yaml", &snp),
        ("composite.yaml", &tdx),
        ("composite.yaml", &sgx),
        ("composite.yaml", &gpu),
    ] {
        let a = appraise_real(file, sample, None);
        // Without reference measurements, no default policy can affirm executables.
        assert_ne!(tier_name(a.status), "affirming", "{}: {file}", sample.name);
    }
    // The GPU answered this nonce: its instance identity is affirmed; another nonce is
    // contraindicated.
    let n = hex::decode(common::gpu_input().nonce).unwrap();
    let a = appraise_real("nvidia-h100.yaml", &gpu, Some(n));
    let instance = a.submods[0]
        .trust
        .get(policy::trust::TrustClaim::InstanceIdentity);
    assert_eq!(instance, Some(2));
    let a = appraise_real("nvidia-h100.yaml", &gpu, Some(vec![7; 32]));
    assert_eq!(tier_name(a.status), "contraindicated");
    assert!(a.submods[0].failed().any(|o| o.id == "gpu-fresh"));
}

/// A challenge the sample's evidence binds: the first 32 bytes of a CPU's REPORT_DATA,
/// or a GPU's SPDM nonce.
fn bound_challenge(sample: &common::Sample) -> Vec<u8> {
    let claims = serde_json::to_value(sample.verified.claims()).unwrap();
    let text = ["snp", "tdx", "sgx"]
        .iter()
        .find_map(|k| claims[k]["report_data"].as_str())
        .map(|rd| &rd[..64])
        .or_else(|| claims["gpu"]["nonce"].as_str())
        .unwrap();
    hex::decode(text).unwrap()
}

fn jwks(key: &SigningKey) -> JwkSet {
    JwkSet {
        keys: vec![key.public_jwk()],
    }
}

#[test]
fn real_evidence_tokens_verify_in_both_formats_and_with_jsonwebtoken() {
    let key = SigningKey::generate(Algorithm::Es384, &mut ChaCha20Rng::from_seed([3; 32])).unwrap();
    for (file, sample) in [
        ("snp.yaml", common::snp()),
        ("tdx.yaml", common::tdx()),
        ("nvidia-h100.yaml", common::gpu()),
    ] {
        // The challenge the evidence answers (a token carries eat_nonce only then).
        let nonce = bound_challenge(&sample);
        let a = appraise_real(file, &sample, Some(nonce.clone()));
        assert!(
            a.nonce.is_some(),
            "{file}: the evidence binds the challenge"
        );
        let ear = to_ear(&a, &IssueOptions::new("https://verdict.test", vec![1; 16])).unwrap();
        let mut options = VerifyOptions::new(verifier::time::from_secs(
            verifier::time::secs(sample.now) + 10,
        ));
        options.expected_nonce = Some(nonce.clone());
        options.expected_issuer = Some("https://verdict.test".into());
        let jwt = token::sign_jwt(&ear, &key).unwrap();
        let v = token::verify_token(jwt.as_bytes(), &jwks(&key), &options).unwrap();
        assert_eq!(v.claims["ear_status"], tier_name(a.status), "{file}");
        assert_eq!(v.claims["eat_profile"], "tag:ietf.org,2026:rats/ear#04");
        assert_eq!(
            v.claims["submods"][&a.submods[0].label]["ear_appraisal_policy_ids"][0],
            a.policy_id
        );
        let cwt = token::sign_cwt(&ear, &key).unwrap();
        let c = token::verify_token(&cwt, &jwks(&key), &options).unwrap();
        assert_eq!(
            c.claims, v.claims,
            "{file}: the JWT and the CWT carry different claims"
        );

        // A second implementation: jsonwebtoken, with the public key from our JWKS.
        let jwk = key.public_jwk();
        let dk = jsonwebtoken::DecodingKey::from_ec_components(
            jwk.x.as_str(),
            jwk.y.as_deref().unwrap(),
        )
        .unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES384);
        validation.validate_exp = false; // the token is from the vector's time
        validation.set_required_spec_claims(&["exp", "iat"]);
        validation.set_issuer(&["https://verdict.test"]);
        let decoded = jsonwebtoken::decode::<serde_json::Value>(&jwt, &dk, &validation).unwrap();
        assert_eq!(decoded.header.kid.as_deref(), Some(key.key_id()));
        assert_eq!(decoded.claims, v.claims);
    }
}

/// Review item 7: one GPU's verified evidence given twice is one device, not two.
#[test]
fn the_same_gpu_twice_is_refused_as_a_duplicate_device() {
    let gpu = common::gpu();
    let e = Input::from_verified(&[gpu.verified.clone(), gpu.verified.clone()], None, gpu.now)
        .unwrap_err();
    assert!(
        matches!(e, policy::AppraiseError::DuplicateDevice { .. }),
        "{e}"
    );
    Input::from_verified(&[gpu.verified], None, gpu.now).unwrap();
}

/// Review item 9: in multi-GPU evidence each GPU is appraised with its own warnings only
/// (before, every GPU carried the warnings of all of them).
#[test]
fn each_gpu_of_multi_gpu_evidence_gets_its_own_warnings() {
    let file = testvectors::real::nvidia_dir().join("asdk_hopper/multi_gpu_hopper.json");
    let evidence = verifier::Evidence::from_bytes(&std::fs::read(file).unwrap(), None).unwrap();
    let secs = verifier::time::parse_rfc3339("2026-11-27T00:00:00Z")
        .unwrap()
        .as_secs();
    let verified = verifier::Verifier::new(verifier::TrustAnchors::default())
        .verify(
            &evidence,
            &verifier::collateral::Bundle::new(),
            &verifier::Expectations::none(),
            verifier::time::from_secs(secs),
        )
        .unwrap();
    let all = verified.warnings().len();
    assert!(all >= 4, "every GPU warns (no RIMs, no OCSP): {all}");
    let input = Input::from_verified(
        std::slice::from_ref(&verified),
        None,
        verifier::time::from_secs(secs),
    )
    .unwrap();
    assert_eq!(input.gpus().len(), 4);
    for (i, gpu) in input.gpus().iter().enumerate() {
        let own = verified
            .warnings()
            .iter()
            .filter(|w| w.gpu == Some(i))
            .count();
        assert!(own > 0, "GPU {i}");
        assert_eq!(gpu.warnings.len(), own, "GPU {i}: {:?}", gpu.warnings);
    }
}

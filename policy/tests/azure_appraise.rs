//! Azure confidential-VM (vTPM) evidence appraised: the real Azure vectors, verified as
//! verifier/tests/azure_real.rs verifies them, under policies/azure.yaml. The challenge
//! is answered by the TPM quote's extraData (`tpm.nonce`), never by the hardware
//! report's REPORT_DATA; plain `snp`/`tdx` sections never appraise Azure evidence; and an
//! Azure VM with an H100 appraises into one token.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use policy::token::{self, Algorithm, JwkSet, Signer, SigningKey, VerifyOptions};
use policy::trust::{tier_name, TrustClaim};
use policy::{appraise, to_ear, Appraisal, AppraiseError, Input, IssueOptions, Section};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Value};

const ISSUER: &str = "https://verdict.test";

/// Appraises verified samples under `policy` and checks that no rule or export erred:
/// an error there means the policy reads a claim the verifier does not produce.
fn appraise_all(
    policy: &policy::Policy,
    samples: &[&common::Sample],
    nonce: Option<&[u8]>,
) -> Appraisal {
    let verified: Vec<_> = samples.iter().map(|s| s.verified.clone()).collect();
    let input = Input::from_verified(&verified, nonce.map(<[u8]>::to_vec), samples[0].now).unwrap();
    let a = appraise(policy, &input).unwrap();
    for sub in &a.submods {
        for o in &sub.outcomes {
            assert!(
                o.error.is_none(),
                "{}: rule {} erred: {:?}",
                sub.label,
                o.id,
                o.error
            );
        }
        assert!(
            sub.export_errors.is_empty(),
            "{}: {:?}",
            sub.label,
            sub.export_errors
        );
    }
    a
}

fn outcome<'a>(a: &'a Appraisal, label: &str, id: &str) -> &'a policy::RuleOutcome {
    let sub = a.submods.iter().find(|s| s.label == label).unwrap();
    sub.outcomes
        .iter()
        .find(|o| o.id == id)
        .unwrap_or_else(|| panic!("{label}: no outcome {id}"))
}

fn passed(a: &Appraisal, id: &str) -> bool {
    let o = outcome(a, "cpu0", id);
    o.applied && o.passed
}

fn key() -> SigningKey {
    SigningKey::generate(Algorithm::Es384, &mut ChaCha20Rng::from_seed([7; 32])).unwrap()
}

/// Signs the appraisal as a JWT and a CWT, verifies both (expecting `nonce` as
/// `eat_nonce` when given) and returns the JWT's claims, checked equal to the CWT's.
fn token_claims(a: &Appraisal, nonce: Option<&[u8]>) -> Value {
    let key = key();
    let jwks = JwkSet {
        keys: vec![key.public_jwk()],
    };
    let ear = to_ear(a, &IssueOptions::new(ISSUER, vec![1; 16])).unwrap();
    let mut options =
        VerifyOptions::new(verifier::time::from_secs(verifier::time::secs(a.now) + 10));
    options.expected_nonce = nonce.map(<[u8]>::to_vec);
    options.expected_issuer = Some(ISSUER.into());
    let jwt = token::sign_jwt(&ear, &key).unwrap();
    let from_jwt = token::verify_token(jwt.as_bytes(), &jwks, &options).unwrap();
    let cwt = token::sign_cwt(&ear, &key).unwrap();
    let from_cwt = token::verify_token(&cwt, &jwks, &options).unwrap();
    assert_eq!(
        from_jwt.claims, from_cwt.claims,
        "the JWT and the CWT differ"
    );
    from_jwt.claims
}

#[test]
fn snp_v2_answering_its_nonce_binds_and_the_token_carries_it() {
    let policy = common::load_policy("azure.yaml");
    let sample = common::azure("snp-v2");
    let nonce = hex::decode(common::AZURE_V2_NONCE).unwrap();
    let a = appraise_all(&policy, &[&sample], Some(&nonce));
    assert_eq!(a.submods[0].section, Section::AzureSnp);
    assert_eq!(a.binding["cpu_nonce_ok"], true);
    assert_eq!(a.nonce.as_deref(), Some(nonce.as_slice()));
    assert!(passed(&a, "azsnp-fresh"));
    assert!(passed(&a, "azsnp-pcrs-verified"));
    assert!(passed(&a, "azsnp-secure-boot"));
    assert_eq!(
        a.submods[0].evidence_nonce.as_deref(),
        Some(common::AZURE_V2_NONCE)
    );
    let claims = token_claims(&a, Some(&nonce));
    assert!(claims.get("eat_nonce").is_some());
    let exports = &claims["submods"]["cpu0"]["ear_attester_claims"];
    assert_eq!(exports["platform"], "azure-snp");
    assert_eq!(exports["hcl_report_fresh"], true);
    assert_eq!(
        exports["vm_unique_id"],
        "7DF7B373-B947-4AAA-96E5-C358F2A03D20"
    );
    assert_eq!(exports["ak_thumbprint"].as_str().unwrap().len(), 64);
    assert_eq!(exports["pcrs"].as_object().unwrap().len(), 24);
}

#[test]
fn snp_v1_answering_challenge_binds_but_its_hcl_report_is_not_fresh() {
    let policy = common::load_policy("azure.yaml");
    let sample = common::azure("snp-v1");
    let a = appraise_all(&policy, &[&sample], Some(common::AZURE_CHALLENGE));
    assert_eq!(a.nonce.as_deref(), Some(common::AZURE_CHALLENGE));
    assert!(passed(&a, "azsnp-fresh"));
    assert!(a.submods[0]
        .warnings
        .iter()
        .any(|w| w == "hcl_report_not_fresh"));
    let claims = token_claims(&a, Some(common::AZURE_CHALLENGE));
    assert_eq!(
        claims["submods"]["cpu0"]["ear_attester_claims"]["hcl_report_fresh"],
        false
    );
}

#[test]
fn a_challenge_the_tpm_quote_does_not_answer_fails_whatever_report_data_holds() {
    let policy = common::load_policy("azure.yaml");
    let sample = common::azure("snp-v2");
    let report_data = serde_json::to_value(sample.verified.claims()).unwrap()["snp"]["report_data"]
        .as_str()
        .unwrap()
        .to_owned();
    // The wrong challenge, and the hardware report's own REPORT_DATA (the runtime data's
    // hash): neither is what the TPM quote signed.
    for challenge in [
        common::AZURE_CHALLENGE.to_vec(),
        hex::decode(&report_data[..64]).unwrap(),
    ] {
        let a = appraise_all(&policy, &[&sample], Some(&challenge));
        assert_eq!(a.binding["cpu_nonce_ok"], false);
        assert_eq!(tier_name(a.status), "contraindicated");
        assert_eq!(a.nonce, None, "no eat_nonce for an unanswered challenge");
        let enforced = outcome(&a, "cpu0", policy::CHALLENGE_RULE_ID);
        assert!(!enforced.passed);
        assert!(
            enforced
                .message
                .contains("the TPM quote's extraData does not begin with the challenge"),
            "{}",
            enforced.message
        );
        assert!(!passed(&a, "azsnp-fresh"));
        assert_eq!(
            a.submods[0].trust.get(TrustClaim::InstanceIdentity),
            Some(97)
        );
        let claims = token_claims(&a, None);
        assert!(claims.get("eat_nonce").is_none(), "{claims}");
    }
}

/// With v2's boot chain in the references, v2 affirms; legacy-2023, whose quote came
/// without PCR values (`pcr_values_absent`), does not.
#[test]
fn evidence_without_pcr_values_is_not_affirming() {
    let v2 = common::azure("snp-v2");
    let legacy = common::azure("snp-legacy-2023");
    let pcrs = &serde_json::to_value(v2.verified.claims()).unwrap()["tpm"]["pcrs"];
    let text = std::fs::read_to_string(common::policies_dir().join("azure.yaml")).unwrap();
    let pinned = text.replacen(
        "azure_boot_pcrs: []",
        &format!(
            "azure_boot_pcrs: [{{pcr4: \"{}\", pcr7: \"{}\"}}]",
            pcrs["4"].as_str().unwrap(),
            pcrs["7"].as_str().unwrap()
        ),
        1,
    );
    assert_ne!(pinned, text);
    let policy = policy::Policy::from_yaml(&pinned).unwrap();

    let nonce = hex::decode(common::AZURE_V2_NONCE).unwrap();
    let a = appraise_all(&policy, &[&v2], Some(&nonce));
    assert_eq!(tier_name(a.status), "affirming", "{:?}", a.submods[0].trust);
    assert!(passed(&a, "azsnp-boot-pcrs"));

    let a = appraise_all(&policy, &[&legacy], Some(common::AZURE_CHALLENGE));
    assert!(legacy
        .verified
        .warnings()
        .iter()
        .any(|w| w.code == "pcr_values_absent"));
    assert_ne!(tier_name(a.status), "affirming");
    assert!(!passed(&a, "azsnp-pcrs-verified"));
    assert!(!passed(&a, "azsnp-boot-pcrs"));
    assert_eq!(a.submods[0].trust.get(TrustClaim::Executables), Some(33));
    // Under the default policy as shipped too.
    let a = appraise_all(
        &common::load_policy("azure.yaml"),
        &[&legacy],
        Some(common::AZURE_CHALLENGE),
    );
    assert_ne!(tier_name(a.status), "affirming");
    assert!(!passed(&a, "azsnp-pcrs-verified"));
}

#[test]
fn tdx_v1_appraises_and_binds_its_challenge() {
    let policy = common::load_policy("azure.yaml");
    let sample = common::azure("tdx-v1");
    let a = appraise_all(&policy, &[&sample], Some(common::AZURE_CHALLENGE));
    assert_eq!(a.submods[0].section, Section::AzureTdx);
    assert_eq!(a.nonce.as_deref(), Some(common::AZURE_CHALLENGE));
    assert!(passed(&a, "aztdx-fresh"));
    assert!(passed(&a, "aztdx-pcrs-verified"));
    // The vectors' collateral rates this platform OutOfDate.
    assert!(!passed(&a, "aztdx-tcb-up-to-date"));
    let claims = token_claims(&a, Some(common::AZURE_CHALLENGE));
    let exports = &claims["submods"]["cpu0"]["ear_attester_claims"];
    assert_eq!(exports["platform"], "azure-tdx");
    assert!(exports["mr_td"].as_str().unwrap().starts_with("024a32b0"));
    assert_eq!(exports["tcb_status"], "OutOfDate");
}

/// Fail closed: a plain `snp` or `tdx` section does not appraise Azure evidence.
#[test]
fn policies_without_an_azure_section_refuse_azure_evidence() {
    let snp_only = policy::Policy::from_yaml(
        "policy: p\nversion: 1\nsnp:\n  rules:\n    - {id: r, claim: hardware, expr: 'true', on_fail: UNSAFE_HARDWARE, message: m}\n",
    )
    .unwrap();
    let cases = [
        (snp_only, common::azure("snp-v2"), "azure_snp"),
        (
            common::load_policy("snp.yaml"),
            common::azure("snp-v1"),
            "azure_snp",
        ),
        (
            common::load_policy("composite.yaml"),
            common::azure("snp-v1"),
            "azure_snp",
        ),
        (
            common::load_policy("tdx.yaml"),
            common::azure("tdx-v1"),
            "azure_tdx",
        ),
    ];
    for (policy, sample, want) in cases {
        let input =
            Input::from_verified(std::slice::from_ref(&sample.verified), None, sample.now).unwrap();
        match appraise(&policy, &input) {
            Err(AppraiseError::NoSection { section, .. }) => assert_eq!(section, want),
            other => panic!(
                "{}: {want} evidence under {}: {other:?}",
                sample.name,
                policy.name()
            ),
        }
    }
}

/// An Azure SEV-SNP VM with an H100: one appraisal, one token, submodules cpu0 (Azure)
/// and gpu0. The real GPU's nonce is not derived from this VM's TPM quote, so there is
/// no challenge and gpu0 is not bound (its freshness rule fails, nothing errs).
#[test]
fn an_azure_vm_and_its_gpu_appraise_into_one_token() {
    let policy = common::load_policy("azure.yaml");
    let vm = common::azure("snp-v2");
    let gpu = common::gpu();
    let a = appraise_all(&policy, &[&vm, &gpu], None);
    let labels: Vec<(&str, Section)> = a
        .submods
        .iter()
        .map(|s| (s.label.as_str(), s.section))
        .collect();
    assert_eq!(
        labels,
        [("cpu0", Section::AzureSnp), ("gpu0", Section::Gpu)]
    );
    assert_eq!(
        a.topology(),
        Some(("cpu0".to_owned(), vec!["gpu0".to_owned()]))
    );
    assert_eq!(a.binding["cpu_present"], true);
    assert_eq!(a.binding["gpu_nonce_schemes"], json!(["none"]));
    assert!(!outcome(&a, "gpu0", "gpu-fresh").passed);
    assert_eq!(a.nonce, None);

    let claims = token_claims(&a, None);
    assert!(claims.get("eat_nonce").is_none());
    assert_eq!(claims["ear_device_topology"], json!({"cpu0": ["gpu0"]}));
    let submods = claims["submods"].as_object().unwrap();
    assert_eq!(submods.keys().collect::<Vec<_>>(), ["cpu0", "gpu0"]);
    assert_eq!(
        submods["cpu0"]["ear_attester_claims"]["platform"],
        "azure-snp"
    );
    assert_eq!(
        submods["gpu0"]["ear_attester_claims"]["platform"],
        "nvidia-gpu"
    );
    assert_eq!(
        submods["cpu0"]["ear_verifier_claims"]["binding"]["gpu_count"],
        1
    );
}

/// The test shape (`verify --json` claims: `azure` and `tpm` beside `snp`) appraises
/// exactly as the verified claims do.
#[test]
fn claims_written_as_verify_json_appraise_as_the_verified_ones() {
    let policy = common::load_policy("azure.yaml");
    for case in ["snp-v1", "tdx-v1"] {
        let sample = common::azure(case);
        let verified = appraise_all(&policy, &[&sample], Some(common::AZURE_CHALLENGE));
        let mut input = serde_json::to_value(sample.verified.claims()).unwrap();
        let map = input.as_object_mut().unwrap();
        map.remove("tee");
        map.insert("nonce".into(), json!(hex::encode(common::AZURE_CHALLENGE)));
        map.insert("now".into(), json!(verifier::time::rfc3339(sample.now)));
        let codes: Vec<&str> = sample.verified.warnings().iter().map(|w| w.code).collect();
        map.insert("warnings".into(), json!(codes));
        let input = Input::from_unverified_json_for_testing(&input).unwrap();
        let unverified = appraise(&policy, &input).unwrap();
        assert_eq!(unverified.submods[0].section, verified.submods[0].section);
        assert_eq!(
            unverified.submods[0].trust, verified.submods[0].trust,
            "{case}"
        );
        assert_eq!(unverified.binding, verified.binding, "{case}");
        assert_eq!(unverified.submods[0].exports, verified.submods[0].exports);
    }
}

#[test]
fn partial_azure_test_claims_are_refused() {
    let refused = |input: Value, needle: &str| {
        let e = Input::from_unverified_json_for_testing(&input).unwrap_err();
        assert!(e.contains(needle), "{input}: {e}");
    };
    refused(json!({"snp": {}, "azure": {}}), "both `azure` and `tpm`");
    refused(json!({"tdx": {}, "tpm": {}}), "both `azure` and `tpm`");
    refused(json!({"azure": {}, "tpm": {}}), "`snp` or `tdx`");
    refused(json!({"sgx": {}, "azure": {}, "tpm": {}}), "not `sgx`");
    refused(
        json!({"snp": {}, "azure": [], "tpm": {}}),
        "`azure`: expected an object",
    );
    refused(
        json!({"snp": {}, "azure": {}, "tpm": {"reset_count": -1}}),
        "`tpm.reset_count`",
    );
    refused(
        json!({"snp": {}, "azure": {"evidence_version": 256}, "tpm": {}}),
        "`azure.evidence_version`",
    );
}

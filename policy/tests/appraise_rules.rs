//! Rule semantics: how rule outcomes become claim values, statuses, exports, and what
//! happens when a rule cannot be evaluated.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use policy::trust::{tier_name, TrustClaim};
use policy::{appraise, AppraiseError, Input, Policy};
use serde_json::json;

const POLICY: &str = r#"
policy: semantics
version: 2
references:
  images: ["aa"]
snp:
  rules:
    - id: hw-pass
      claim: hardware
      expr: 'true'
      on_fail: UNSAFE_HARDWARE
      message: never fails
    - id: hw-warn
      claim: hardware
      expr: snp.vmpl == 0
      on_fail: UNSAFE_HARDWARE
      message: vmpl
    - id: hw-bad
      claim: hardware
      expr: '!snp.policy.debug'
      on_fail: CONTRAINDICATED_HARDWARE
      message: debug
    - id: exe
      claim: executables
      expr: snp.measurement in ref.images
      on_fail: UNRECOGNIZED_RUNTIME
      on_pass: APPROVED_BOOT
      message: unknown image
    - id: guarded
      claim: configuration
      when: snp.vmpl == 1
      expr: 'false'
      on_fail: UNSAFE_CONFIG
      message: only at vmpl 1
    - id: erring
      claim: file-system
      expr: snp.guest_svn > 0
      on_fail: UNRECOGNIZED_FILES
      message: needs guest_svn
  export:
    measurement: snp.measurement
    missing: snp.host_data
    nothing: 'null'
gpu:
  rules:
    - id: gpu-index
      claim: hardware
      expr: gpu_index == 0 || gpu.arch == "hopper"
      on_fail: UNRECOGNIZED_HARDWARE
      message: second GPU must be hopper
"#;

fn policy() -> Policy {
    Policy::from_yaml(POLICY).unwrap()
}

fn run(input: serde_json::Value) -> policy::Appraisal {
    appraise(
        &policy(),
        &Input::from_unverified_json_for_testing(&input).unwrap(),
    )
    .unwrap()
}

#[test]
fn passing_rules_give_their_pass_values() {
    let a = run(
        json!({"snp": {"vmpl": 0, "policy": {"debug": false}, "measurement": "aa", "guest_svn": 1, "host_data": "00"}}),
    );
    let cpu = &a.submods[0];
    assert_eq!(cpu.label, "cpu0");
    assert_eq!(cpu.trust.get(TrustClaim::Hardware), Some(2));
    assert_eq!(cpu.trust.get(TrustClaim::Executables), Some(3));
    assert_eq!(cpu.trust.get(TrustClaim::FileSystem), Some(2));
    // The guarded rule did not apply: its claim is unset, and it is not a failure.
    assert_eq!(cpu.trust.get(TrustClaim::Configuration), None);
    assert!(!cpu.outcomes[4].applied);
    assert_eq!(cpu.failed().count(), 0);
    assert_eq!(tier_name(a.status), "affirming");
    assert_eq!(cpu.exports["measurement"], "aa");
    assert!(
        !cpu.exports.contains_key("nothing"),
        "null exports are left out"
    );
}

#[test]
fn a_failure_outweighs_passes_and_the_most_severe_failure_wins() {
    let a = run(
        json!({"snp": {"vmpl": 2, "policy": {"debug": true}, "measurement": "aa", "guest_svn": 1, "host_data": "00"}}),
    );
    let cpu = &a.submods[0];
    assert_eq!(cpu.trust.get(TrustClaim::Hardware), Some(96));
    assert_eq!(tier_name(cpu.status), "contraindicated");
    let failed: Vec<&str> = cpu.failed().map(|o| o.id.as_str()).collect();
    assert_eq!(failed, ["hw-warn", "hw-bad"]);
    // One failure, even a mild one, keeps the claim from affirming.
    let a = run(
        json!({"snp": {"vmpl": 2, "policy": {"debug": false}, "measurement": "aa", "guest_svn": 1, "host_data": "00"}}),
    );
    assert_eq!(a.submods[0].trust.get(TrustClaim::Hardware), Some(32));
    assert_eq!(tier_name(a.status), "warning");
}

#[test]
fn a_rule_that_cannot_be_evaluated_fails() {
    // No guest_svn: `snp.guest_svn > 0` errs, which counts as failed, never as passed.
    let a = run(json!({"snp": {"vmpl": 0, "policy": {"debug": false}, "measurement": "aa"}}));
    let cpu = &a.submods[0];
    let erring = cpu.outcomes.iter().find(|o| o.id == "erring").unwrap();
    assert!(erring.applied && !erring.passed);
    assert!(erring.error.is_some());
    assert_eq!(cpu.trust.get(TrustClaim::FileSystem), Some(32));
    // An export that errs is left out and recorded.
    assert!(!cpu.exports.contains_key("missing"));
    assert_eq!(cpu.export_errors.len(), 1);
    assert_eq!(cpu.export_errors[0].0, "missing");
    // A guard that errs does not excuse its rule.
    let a = run(json!({"snp": {"policy": {"debug": false}, "measurement": "aa", "guest_svn": 1}}));
    let guarded = a.submods[0]
        .outcomes
        .iter()
        .find(|o| o.id == "guarded")
        .unwrap();
    assert!(guarded.applied && !guarded.passed && guarded.error.is_some());
}

#[test]
fn gpus_are_appraised_one_by_one_with_their_index() {
    let a =
        run(json!({"gpus": [{"arch": "blackwell"}, {"arch": "blackwell"}, {"arch": "hopper"}]}));
    assert_eq!(a.submods.len(), 3);
    assert_eq!(a.submods[0].label, "gpu0");
    assert_eq!(a.submods[0].trust.get(TrustClaim::Hardware), Some(2));
    assert_eq!(a.submods[1].trust.get(TrustClaim::Hardware), Some(97));
    assert_eq!(a.submods[2].trust.get(TrustClaim::Hardware), Some(2));
    assert_eq!(
        tier_name(a.status),
        "contraindicated",
        "the worst submodule"
    );
    assert!(a.topology().is_none(), "no CPU, no topology");
}

#[test]
fn composite_evidence_has_a_topology_and_a_binding() {
    let report_data = format!("{}{}", "0102030405060708", "00".repeat(56));
    let gpu_nonce = "40ea95e04a576c50b5fdf0b08b69f18f97dac0f06229e6e7accb90791052fc9c";
    let a = run(json!({
        "nonce": "0102030405060708",
        "snp": {"vmpl": 0, "policy": {"debug": false}, "measurement": "aa", "guest_svn": 1, "report_data": report_data},
        "gpus": [{"arch": "hopper", "nonce": gpu_nonce}, {"arch": "hopper", "nonce": "0102030405060708"}, {"arch": "hopper", "nonce": "ff"}],
    }));
    let (cpu, gpus) = a.topology().unwrap();
    assert_eq!(cpu, "cpu0");
    assert_eq!(gpus, ["gpu0", "gpu1", "gpu2"]);
    assert_eq!(a.binding["cpu_nonce_ok"], true);
    assert_eq!(a.binding["cpu_present"], true);
    assert_eq!(a.binding["gpu_count"], 3);
    assert_eq!(
        a.binding["gpu_nonce_schemes"],
        json!(["report_data_sha256", "challenge", "none"])
    );
    assert_eq!(a.binding["gpus_nonce_ok"], false);
    assert_eq!(a.binding["challenge"], "0102030405060708");
}

/// A CPU whose claims lack the field that answers the challenge is still a CPU: GPU
/// rules guarded by `binding.cpu_present` apply, and nothing binds.
#[test]
fn a_cpu_report_without_report_data_is_present_and_binds_nothing() {
    let a = run(json!({
        "nonce": "0102030405060708",
        "snp": {"vmpl": 0, "policy": {"debug": false}, "measurement": "aa", "guest_svn": 1},
        "gpus": [{"arch": "hopper", "nonce": "ff"}],
    }));
    assert_eq!(a.binding["cpu_present"], true);
    assert_eq!(a.binding["cpu_nonce_ok"], false);
    assert_eq!(a.binding["gpu_nonce_schemes"], json!(["none"]));
    assert_eq!(a.nonce, None);
}

#[test]
fn evidence_the_policy_has_no_section_for_is_an_error() {
    let input = Input::from_unverified_json_for_testing(&json!({"tdx": {"mr_td": "00"}})).unwrap();
    let e = appraise(&policy(), &input).unwrap_err();
    assert_eq!(
        e,
        AppraiseError::NoSection {
            policy: "semantics".into(),
            section: "tdx"
        }
    );
    assert_eq!(
        e.to_string(),
        "policy semantics has no `tdx` section for the tdx evidence"
    );
    let empty = Input::from_unverified_json_for_testing(&json!({})).unwrap();
    assert_eq!(
        appraise(&policy(), &empty).unwrap_err(),
        AppraiseError::Empty
    );
}

#[test]
fn over_long_input_lists_are_refused_when_bound() {
    let gpus: Vec<serde_json::Value> =
        vec![json!({"arch": "hopper", "mismatched_indices": vec![1; 5000]})];
    let input = Input::from_unverified_json_for_testing(&json!({"gpus": gpus})).unwrap();
    let e = appraise(&policy(), &input).unwrap_err();
    assert!(matches!(e, AppraiseError::Bind { .. }), "{e}");
}

#[test]
fn test_inputs_are_checked() {
    assert!(Input::from_unverified_json_for_testing(&json!({"snp": {}, "tdx": {}})).is_err());
    assert!(Input::from_unverified_json_for_testing(&json!({"nonce": "xyz"})).is_err());
    assert!(Input::from_unverified_json_for_testing(&json!({"now": "yesterday"})).is_err());
    assert!(Input::from_unverified_json_for_testing(&json!({"gpus": {}})).is_err());
}

#[test]
fn failing_embedded_tests_are_reported() {
    let source = format!(
        "{POLICY}tests:\n  cases:\n    - name: wrong expectation\n      input: {{snp: {{vmpl: 0, policy: {{debug: false}}, measurement: aa, guest_svn: 1}}}}\n      expect:\n        status: contraindicated\n        submods:\n          cpu0: {{trust: {{hardware: UNSAFE_HARDWARE}}, failed: [hw-bad]}}\n"
    );
    let p = Policy::from_yaml(&source).unwrap();
    let outcomes = p.run_tests();
    assert_eq!(outcomes.len(), 1);
    let problems = &outcomes[0].problems;
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        problems[0].contains("status affirming, expected contraindicated"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("hardware is GENUINE_HARDWARE (2), expected UNSAFE_HARDWARE (32)"),
        "{problems:?}"
    );
    assert!(
        problems[2].contains("failed rules [], expected [hw-bad]"),
        "{problems:?}"
    );
    // Unknown names in expectations are load errors.
    let bad = source.replace("UNSAFE_HARDWARE}", "UNSAFE_FIRMWARE}");
    assert!(Policy::from_yaml(&bad).is_err());
}

/// Review item 2: one passing and two failing rules on a claim whose failures were
/// allowed `none`-tier values used to give `ear_status: affirming`; such a policy no
/// longer loads, and a device that nothing affirmed cannot carry others to affirming.
#[test]
fn a_device_without_an_affirming_verdict_never_makes_the_result_affirming() {
    const TWO_SECTIONS: &str = r#"
policy: overall
version: 1
snp:
  rules:
    - id: fresh-only
      claim: instance-identity
      when: binding.challenge != ""
      expr: binding.cpu_nonce_ok
      on_fail: UNRECOGNIZED_INSTANCE
      message: m
gpu:
  rules:
    - id: hopper
      claim: hardware
      expr: gpu.arch == "hopper"
      on_fail: UNRECOGNIZED_HARDWARE
      message: m
"#;
    let p = Policy::from_yaml(TWO_SECTIONS).unwrap();
    // No challenge: the CPU's only rule does not apply, so nothing affirms the CPU
    // (`none`); the GPU affirms. The result is not affirming.
    let a = appraise(
        &p,
        &Input::from_unverified_json_for_testing(
            &json!({"snp": {"report_data": "00"}, "gpus": [{"arch": "hopper"}]}),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(tier_name(a.submods[0].status), "none");
    assert_eq!(tier_name(a.submods[1].status), "affirming");
    assert_eq!(tier_name(a.status), "none");
    // A warning or contraindicated device still decides over a `none` one.
    let a = appraise(
        &p,
        &Input::from_unverified_json_for_testing(
            &json!({"snp": {"report_data": "00"}, "gpus": [{"arch": "ampere"}]}),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(tier_name(a.status), "contraindicated");
    // And a `none`-tier on_fail beside a passing rule is refused when the policy loads.
    let none_tier = POLICY.replace(
        "expr: snp.vmpl == 0\n      on_fail: UNSAFE_HARDWARE",
        "expr: snp.vmpl == 0\n      on_fail: NO_CLAIM",
    );
    assert_ne!(none_tier, POLICY);
    let e = Policy::from_yaml(&none_tier).unwrap_err();
    assert!(e.message.contains("`none` tier"), "{e}");
}

/// Review item 3: with a challenge, the engine itself requires every device to bind it;
/// a policy without a freshness rule cannot switch that off, and the token carries
/// `eat_nonce` only when the evidence answered it.
#[test]
fn a_challenge_the_evidence_does_not_bind_is_enforced_without_a_freshness_rule() {
    const NO_FRESHNESS: &str = r#"
policy: no-freshness
version: 1
snp:
  rules:
    - id: hw
      claim: hardware
      expr: 'true'
      on_fail: UNSAFE_HARDWARE
      message: m
gpu:
  rules:
    - id: hopper
      claim: hardware
      expr: gpu.arch == "hopper"
      on_fail: UNRECOGNIZED_HARDWARE
      message: m
"#;
    let p = Policy::from_yaml(NO_FRESHNESS).unwrap();
    let challenge = "0102030405060708";
    let stale_rd = format!("{}{}", "0807060504030201", "00".repeat(56));
    let fresh_rd = format!("{challenge}{}", "00".repeat(56));
    let sha = |rd: &str| {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(hex::decode(rd).unwrap()))
    };
    let issue = |a: &policy::Appraisal| {
        policy::to_ear(
            a,
            &policy::IssueOptions::new("https://verdict.test", vec![1; 16]),
        )
        .unwrap()
    };

    // Replayed CPU evidence with the relying party's fresh challenge.
    let a = run_with(
        &p,
        json!({"nonce": challenge, "snp": {"report_data": stale_rd}}),
    );
    assert_eq!(tier_name(a.status), "contraindicated");
    let cpu = &a.submods[0];
    assert_eq!(cpu.trust.get(TrustClaim::InstanceIdentity), Some(97));
    let failed: Vec<&str> = cpu.failed().map(|o| o.id.as_str()).collect();
    assert_eq!(failed, [policy::CHALLENGE_RULE_ID]);
    assert_eq!(
        a.nonce, None,
        "no eat_nonce for evidence that did not bind it"
    );
    assert!(issue(&a).nonce.is_none());

    // A GPU chained to a CPU report that does not bind the challenge is not fresh either;
    // a GPU answering another nonce neither.
    let a = run_with(
        &p,
        json!({"nonce": challenge, "snp": {"report_data": stale_rd},
               "gpus": [{"arch": "hopper", "nonce": sha(&stale_rd)}, {"arch": "hopper", "nonce": "ff"}]}),
    );
    for sub in &a.submods {
        assert_eq!(tier_name(sub.status), "contraindicated", "{}", sub.label);
    }

    // Evidence that binds it: affirming, and the challenge is the token's eat_nonce.
    let a = run_with(
        &p,
        json!({"nonce": challenge, "snp": {"report_data": fresh_rd},
               "gpus": [{"arch": "hopper", "nonce": sha(&fresh_rd)}, {"arch": "hopper", "nonce": challenge}]}),
    );
    assert_eq!(tier_name(a.status), "affirming");
    assert_eq!(a.nonce, Some(hex::decode(challenge).unwrap()));
    assert_eq!(issue(&a).nonce, Some(hex::decode(challenge).unwrap()));

    // Without a challenge nothing is enforced and no eat_nonce is written.
    let a = run_with(&p, json!({"snp": {"report_data": stale_rd}}));
    assert_eq!(tier_name(a.status), "affirming");
    assert_eq!(a.nonce, None);

    // The engine's rule id cannot be taken by a policy.
    let e = Policy::from_yaml(&NO_FRESHNESS.replace("id: hw", "id: verdict:challenge-binding"))
        .unwrap_err();
    assert!(e.message.contains("the engine's own"), "{e}");
}

fn run_with(p: &Policy, mut input: serde_json::Value) -> policy::Appraisal {
    input["now"] = json!("2025-06-01T00:00:00Z");
    appraise(p, &Input::from_unverified_json_for_testing(&input).unwrap()).unwrap()
}

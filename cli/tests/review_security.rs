//! Regressions for the security review (issue 11), through the binary: each test here
//! failed on the code before its fix.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use testvectors::real::tdx_dir;

fn verdict(args: &[&str]) -> Output {
    common::verdict_command().args(args).output().unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn sgx_case() -> PathBuf {
    tdx_dir().join("cases/sgx-v3-phala-00a067-confswhardening")
}

// ------------------------------------------------- item 1: the quote's kind is asked for

#[test]
fn verify_tee_tdx_refuses_a_genuine_sgx_quote() {
    let dir = sgx_case();
    let (collateral, quote) = (s(&dir.join("collateral")), s(&dir.join("quote.bin")));
    let at = "2025-07-01T00:00:00Z";
    // Asked for a TD, given an enclave: the command contradicts the evidence (exit 2),
    // and nothing is verified as something else. (The library refuses it too:
    // `verify_tdx` on an SGX quote is `tee_mismatch`, see verifier/tests/tee_kind.rs.)
    let out = verdict(&[
        "verify",
        "--tee",
        "tdx",
        "--json",
        "--collateral",
        &collateral,
        "--at",
        at,
        &quote,
    ]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["verified"], false);
    assert_eq!(v["error"]["kind"], "tee_contradicts_evidence");
    let human = verdict(&[
        "verify",
        "--tee",
        "tdx",
        "--collateral",
        &collateral,
        "--at",
        at,
        &quote,
    ]);
    assert_eq!(code(&human), 2);
    assert_eq!(
        stderr(&human).trim(),
        format!(
            "verdict: error: --tee tdx contradicts the evidence: {quote} is an Intel SGX quote"
        )
    );
    // Detected (or asked for) as what it is, it verifies.
    for tee in [&[][..], &["--tee", "sgx"][..]] {
        let mut args = vec!["verify", "--json", "--collateral", &collateral, "--at", at];
        args.extend_from_slice(tee);
        args.push(&quote);
        let out = verdict(&args);
        assert_eq!(code(&out), 0, "{}", stdout(&out));
        let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(v["tee"], "sgx");
    }
}

#[test]
fn an_event_log_with_an_sgx_quote_is_a_usage_error() {
    let dir = sgx_case();
    let out = verdict(&[
        "verify",
        "--json",
        "--collateral",
        &s(&dir.join("collateral")),
        "--event-log",
        &s(&dir.join("quote.bin")),
        "--at",
        "2025-07-01T00:00:00Z",
        &s(&dir.join("quote.bin")),
    ]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["error"]["kind"], "bad_usage");
}

// ------------------------------------------ items 2 and 3: appraisal and its token

fn tmp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verdict-review-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A fresh signing key and its JWKS file.
fn key_and_jwks(dir: &Path) -> (String, String) {
    let key = dir.join("key.pem");
    let _ = std::fs::remove_file(&key);
    let out = verdict(&["token", "keygen", "--out", &s(&key)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = verdict(&["token", "jwks", "--key", &s(&key)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let jwks = dir.join("jwks.json");
    std::fs::write(&jwks, stdout(&out)).unwrap();
    (s(&key), s(&jwks))
}

const SNP_AT: &str = "2024-12-11T22:14:21Z";
const SNP_TOKEN_AT: &str = "2024-12-11T22:15:21Z";

fn snp_args() -> Vec<String> {
    let base = testvectors::real::snp_dir();
    let dir = base.join("milan-v3-vlek-aws-trustee");
    vec![
        "--collateral".into(),
        s(&dir.join("vlek.der")),
        "--collateral".into(),
        s(&base.join("roots/milan_asvk_ark.pem")),
        s(&dir.join("report.bin")),
    ]
}

fn gpu_args() -> Vec<String> {
    let a = testvectors::real::nvidia_dir().join("setA_h100_550.90.07");
    let mut args = Vec::new();
    for c in [
        "device_cert_chain.pem",
        "NV_GPU_DRIVER_GH100_550.90.07.xml",
        "NV_GPU_VBIOS_1010_0200_882_96009F0001.xml",
        "ocsp",
    ] {
        args.push("--collateral".to_owned());
        args.push(s(&a.join(c)));
    }
    args.push(s(&a.join("attestation_report.hex")));
    args
}

fn appraise(dir: &Path, policy: &str, extra: &[&str], evidence: &[String]) -> (Output, String) {
    let (key, _) = key_and_jwks(dir);
    let file = dir.join("policy.yaml");
    std::fs::write(&file, policy).unwrap();
    let file = s(&file);
    let mut args = vec!["appraise", "--policy", &file, "--key", &key, "--at", SNP_AT];
    args.extend_from_slice(extra);
    args.extend(evidence.iter().map(String::as_str));
    (verdict(&args), s(&dir.join("jwks.json")))
}

#[test]
fn a_none_tier_on_fail_does_not_load_in_appraise() {
    let dir = tmp_dir("none-tier");
    let policy = "policy: p\nversion: 1\nsnp:\n  rules:\n    - id: a\n      claim: hardware\n      expr: 'true'\n      on_fail: UNSAFE_HARDWARE\n      message: m\n    - id: b\n      claim: hardware\n      expr: snp.vmpl == 3\n      on_fail: NO_CLAIM\n      message: m\n";
    let (out, _) = appraise(&dir, policy, &[], &snp_args());
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "no token: {}", stdout(&out));
    assert!(stderr(&out).contains(":13:16: "), "{}", stderr(&out));
    assert!(stderr(&out).contains("`none` tier"), "{}", stderr(&out));
}

#[test]
fn a_device_nothing_affirmed_keeps_the_token_from_affirming() {
    // The CPU's only rule does not apply (no challenge), so nothing affirms the CPU; the
    // GPU affirms. Before the fix the token said `affirming`.
    let dir = tmp_dir("none-device");
    let policy = "policy: p\nversion: 1\nsnp:\n  rules:\n    - id: fresh\n      claim: instance-identity\n      when: binding.challenge != \"\"\n      expr: binding.cpu_nonce_ok\n      on_fail: UNRECOGNIZED_INSTANCE\n      message: m\ngpu:\n  rules:\n    - id: hopper\n      claim: hardware\n      expr: gpu.arch == \"hopper\"\n      on_fail: UNRECOGNIZED_HARDWARE\n      message: m\n";
    let mut evidence = snp_args();
    evidence.extend(gpu_args());
    let (out, jwks) = appraise(&dir, policy, &[], &evidence);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("appraisal: none "),
        "{}",
        stderr(&out)
    );
    let v = verdict(&[
        "token",
        "verify",
        stdout(&out).trim(),
        "--jwks",
        &jwks,
        "--at",
        SNP_TOKEN_AT,
    ]);
    assert_eq!(code(&v), 0, "{}", stderr(&v));
    let claims: Value = serde_json::from_str(&stdout(&v)).unwrap();
    assert_eq!(claims["ear_status"], "none");
    assert_eq!(claims["submods"]["gpu0"]["ear_status"], "affirming");
}

#[test]
fn a_challenge_replayed_evidence_never_bound_is_not_put_in_the_token() {
    // A policy without any freshness rule, replayed SNP evidence and the relying party's
    // fresh challenge: before the fix the token affirmed and carried the challenge.
    let dir = tmp_dir("unbound-nonce");
    let policy = "policy: p\nversion: 1\nsnp:\n  rules:\n    - id: hw\n      claim: hardware\n      expr: 'true'\n      on_fail: UNSAFE_HARDWARE\n      message: m\n";
    let challenge = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";
    let (out, jwks) = appraise(&dir, policy, &["--nonce", challenge], &snp_args());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("appraisal: contraindicated "),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("verdict:challenge-binding"),
        "{}",
        stderr(&out)
    );
    let token = stdout(&out).trim().to_owned();
    let v = verdict(&[
        "token",
        "verify",
        &token,
        "--jwks",
        &jwks,
        "--nonce",
        challenge,
        "--at",
        SNP_TOKEN_AT,
    ]);
    assert_eq!(code(&v), 1, "{}", stderr(&v));
    let v = verdict(&[
        "token",
        "verify",
        &token,
        "--jwks",
        &jwks,
        "--at",
        SNP_TOKEN_AT,
    ]);
    assert_eq!(code(&v), 0, "{}", stderr(&v));
    let claims: Value = serde_json::from_str(&stdout(&v)).unwrap();
    assert!(claims.get("eat_nonce").is_none(), "{claims}");
    assert_eq!(claims["ear_status"], "contraindicated");
    assert_eq!(
        claims["submods"]["cpu0"]["ear_trustworthiness_vector"]["instance-identity"],
        97
    );
}

// ------------------------------------------ item 7: no devices, or one counted twice

#[test]
fn appraise_counts_each_gpu_once_and_refuses_evidence_without_devices() {
    let dir = tmp_dir("gpu-count");
    let policy = "policy: p\nversion: 1\ngpu:\n  rules:\n    - id: eight\n      claim: hardware\n      expr: gpu_index >= 0\n      on_fail: UNSAFE_HARDWARE\n      message: m\n";
    // The same GPU's evidence given twice: before the fix, two GPUs in the token.
    let mut evidence = gpu_args();
    let report = evidence.pop().unwrap();
    evidence.push(report.clone());
    evidence.push(report);
    let (out, _) = appraise(&dir, policy, &[], &evidence);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "no token: {}", stdout(&out));
    assert!(
        stderr(&out).contains("is given more than once"),
        "{}",
        stderr(&out)
    );
    // An evidence file holding no GPU at all is malformed, not an empty pass.
    let empty = dir.join("empty.json");
    std::fs::write(&empty, r#"{"evidence_list": []}"#).unwrap();
    let (out, _) = appraise(&dir, policy, &[], &[s(&empty)]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

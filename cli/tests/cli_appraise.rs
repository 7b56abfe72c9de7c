//! `verdict appraise`, `verdict token …` and `verdict policy check` the way operators
//! and relying parties use them: a key is made, real evidence of each vendor is
//! appraised with the default policy, the token is checked by `verdict token verify`
//! and by a second implementation (the jsonwebtoken crate), and tampered, expired and
//! wrongly bound tokens are refused.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use serde_json::Value;
use testvectors::real::{nvidia_dir, snp_dir, tdx_dir};

const NONCE: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";
const GPU_NONCE: &str = "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb";
/// Challenges the real CPU reports answer: the first 32 bytes of their REPORT_DATA.
const SNP_NONCE: &str = "819770b7e6ea6df8dd8fd4dd146b073c0bf4f3ce5b0977ecac486e3a05ed1bd5";
const TDX_NONCE: &str = "83ded8a0ee745596dbd961624da760cf1c8b0e48364959396c5c76ff96be4c1a";

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

fn tmp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verdict-cli-appraise-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn policy(file: &str) -> String {
    s(&PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../policies")
        .join(file))
}

/// A signing key and its JWKS, made once with `verdict token keygen` / `jwks`.
fn key_and_jwks() -> &'static (String, String) {
    static KEYS: OnceLock<(String, String)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = tmp_dir();
        let key = dir.join("issuer.pem");
        let _ = std::fs::remove_file(&key);
        let out = verdict(&["token", "keygen", "--out", &s(&key)]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert!(stderr(&out).contains("ES384"), "{}", stderr(&out));
        // keygen never overwrites a key.
        let again = verdict(&["token", "keygen", "--out", &s(&key)]);
        assert_eq!(code(&again), 2);
        let out = verdict(&["token", "jwks", "--key", &s(&key)]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let jwks = dir.join("jwks.json");
        std::fs::write(&jwks, stdout(&out)).unwrap();
        (s(&key), s(&jwks))
    })
}

struct Case {
    policy: &'static str,
    at: &'static str,
    args: Vec<String>,
}

fn snp_case() -> Case {
    let base = snp_dir();
    let dir = base.join("milan-v3-vlek-aws-trustee");
    Case {
        policy: "snp.yaml",
        at: "2024-12-11T22:14:21Z",
        args: vec![
            "--collateral".into(),
            s(&dir.join("vlek.der")),
            "--collateral".into(),
            s(&base.join("roots/milan_asvk_ark.pem")),
            s(&dir.join("report.bin")),
        ],
    }
}

fn tdx_case() -> Case {
    let dir = tdx_dir().join("cases/tdx-v5-td15-automata-alibaba-90c06f-uptodate");
    Case {
        policy: "tdx.yaml",
        at: "2025-06-20T00:00:00Z",
        args: vec![
            "--collateral".into(),
            s(&dir.join("collateral")),
            s(&dir.join("quote.bin")),
        ],
    }
}

fn gpu_case() -> Case {
    let a = nvidia_dir().join("setA_h100_550.90.07");
    Case {
        policy: "nvidia-h100.yaml",
        at: "2025-08-21T12:00:00Z",
        args: vec![
            "--collateral".into(),
            s(&a.join("device_cert_chain.pem")),
            "--collateral".into(),
            s(&a.join("NV_GPU_DRIVER_GH100_550.90.07.xml")),
            "--collateral".into(),
            s(&a.join("NV_GPU_VBIOS_1010_0200_882_96009F0001.xml")),
            "--collateral".into(),
            s(&a.join("ocsp")),
            s(&a.join("attestation_report.hex")),
        ],
    }
}

fn appraise(case: &Case, nonce: &str, format: &str) -> Output {
    let (key, _) = key_and_jwks();
    let pol = policy(case.policy);
    let mut args = vec![
        "appraise",
        "--policy",
        &pol,
        "--key",
        key,
        "--format",
        format,
        "--nonce",
        nonce,
        "--at",
        case.at,
        "--issuer",
        "https://verdict.test",
    ];
    args.extend(case.args.iter().map(String::as_str));
    verdict(&args)
}

fn token_verify(token: &str, nonce: &str, at: &str) -> Output {
    let (_, jwks) = key_and_jwks();
    verdict(&[
        "token", "verify", token, "--jwks", jwks, "--nonce", nonce, "--at", at,
    ])
}

/// One minute after `at`, when the token (ttl 300 s) is valid.
fn later(at: &str, seconds: u64) -> String {
    let t = verifier::time::parse_rfc3339(at).unwrap().as_secs();
    verifier::time::rfc3339(verifier::time::from_secs(t + seconds))
}

fn check_real(case: &Case, nonce: &str) {
    let out = appraise(case, nonce, "jwt");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).starts_with("appraisal: "), "{}", stderr(&out));
    let jwt = stdout(&out).trim().to_owned();
    assert_eq!(jwt.matches('.').count(), 2);

    let v = token_verify(&jwt, nonce, &later(case.at, 60));
    assert_eq!(code(&v), 0, "{}", stderr(&v));
    let claims: Value = serde_json::from_str(&stdout(&v)).unwrap();
    assert_eq!(claims["eat_profile"], "tag:ietf.org,2026:rats/ear#04");
    assert_eq!(claims["iss"], "https://verdict.test");
    let status = claims["ear_status"].as_str().unwrap();
    assert!(
        stderr(&out).starts_with(&format!("appraisal: {status} ")),
        "{}",
        stderr(&out)
    );

    // The jsonwebtoken crate verifies it with the JWKS's key.
    let (_, jwks_path) = key_and_jwks();
    let jwks: jsonwebtoken::jwk::JwkSet =
        serde_json::from_str(&std::fs::read_to_string(jwks_path).unwrap()).unwrap();
    let header = jsonwebtoken::decode_header(&jwt).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::ES384);
    let jwk = jwks
        .find(header.kid.as_deref().unwrap())
        .expect("kid in the JWKS");
    let dk = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES384);
    validation.validate_exp = false; // issued at the vector's time
    validation.set_issuer(&["https://verdict.test"]);
    let decoded = jsonwebtoken::decode::<Value>(&jwt, &dk, &validation).unwrap();
    assert_eq!(decoded.claims, claims);

    // Expired, wrong nonce, tampered: invalid (exit 1).
    let expired = token_verify(&jwt, nonce, &later(case.at, 3600));
    assert_eq!(code(&expired), 1, "{}", stderr(&expired));
    assert!(stderr(&expired).contains("expired"), "{}", stderr(&expired));
    let wrong = token_verify(&jwt, &"00".repeat(32), &later(case.at, 60));
    assert_eq!(code(&wrong), 1);
    assert!(stderr(&wrong).contains("eat_nonce"), "{}", stderr(&wrong));
    let mut parts: Vec<String> = jwt.split('.').map(str::to_owned).collect();
    let payload =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &parts[1])
            .unwrap();
    let forged = String::from_utf8(payload)
        .unwrap()
        .replace(
            &format!("\"ear_status\":\"{status}\""),
            "\"ear_status\":\"affirming\"",
        )
        .replace("\"warning\"", "\"affirming\"")
        .replace("\"contraindicated\"", "\"affirming\"");
    parts[1] = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, forged);
    let tampered = token_verify(&parts.join("."), nonce, &later(case.at, 60));
    assert_eq!(code(&tampered), 1, "{}", stderr(&tampered));
    assert!(
        stderr(&tampered).contains("signature"),
        "{}",
        stderr(&tampered)
    );
}

#[test]
fn real_snp_report_to_token() {
    check_real(&snp_case(), SNP_NONCE);
}

#[test]
fn real_tdx_quote_to_token() {
    check_real(&tdx_case(), TDX_NONCE);
}

#[test]
fn real_h100_report_to_token() {
    check_real(&gpu_case(), GPU_NONCE);
    // The GPU answered GPU_NONCE: under another challenge its token says so.
    let out = appraise(&gpu_case(), NONCE, "jwt");
    assert_eq!(code(&out), 0);
    assert!(
        stderr(&out).starts_with("appraisal: contraindicated"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("gpu-fresh"), "{}", stderr(&out));
}

#[test]
fn cwt_tokens_verify_too() {
    let case = tdx_case();
    let out = appraise(&case, TDX_NONCE, "cwt");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let hex_token = stdout(&out).trim().to_owned();
    assert!(hex::decode(&hex_token).is_ok());
    let file = tmp_dir().join("token.cwt");
    std::fs::write(&file, hex::decode(&hex_token).unwrap()).unwrap();
    for token in [hex_token.clone(), s(&file)] {
        let v = token_verify(&token, TDX_NONCE, &later(case.at, 60));
        assert_eq!(code(&v), 0, "{}", stderr(&v));
        assert!(stderr(&v).contains("CWT"), "{}", stderr(&v));
        let claims: Value = serde_json::from_str(&stdout(&v)).unwrap();
        assert_eq!(
            claims["submods"]["cpu0"]["ear_attester_claims"]["platform"],
            "tdx"
        );
    }
}

#[test]
fn composite_cpu_and_gpu_evidence_is_appraised_together() {
    let (key, _) = key_and_jwks();
    let snp = snp_case();
    let gpu = gpu_case();
    let pol = policy("composite.yaml");
    let mut args = vec![
        "appraise", "--policy", &pol, "--key", key, "--nonce", SNP_NONCE, "--at", snp.at,
    ];
    args.extend(snp.args.iter().map(String::as_str));
    args.extend(gpu.args.iter().map(String::as_str));
    // The GPU vector's OCSP responses are outside their window at the SNP time; what is
    // checked here is that both devices land in one token, with the binding stated.
    let out = verdict(&args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The GPU does not answer the challenge, so the token carries no eat_nonce: a relying
    // party checking its nonce refuses it.
    let v = token_verify(stdout(&out).trim(), SNP_NONCE, &later(snp.at, 60));
    assert_eq!(code(&v), 1, "{}", stderr(&v));
    let (_, jwks) = key_and_jwks();
    let later_at = later(snp.at, 60);
    let v = verdict(&[
        "token",
        "verify",
        stdout(&out).trim(),
        "--jwks",
        jwks,
        "--at",
        &later_at,
    ]);
    assert_eq!(code(&v), 0, "{}", stderr(&v));
    let claims: Value = serde_json::from_str(&stdout(&v)).unwrap();
    assert_eq!(claims["ear_device_topology"]["cpu0"][0], "gpu0");
    let binding = &claims["submods"]["cpu0"]["ear_verifier_claims"]["binding"];
    assert_eq!(
        binding["gpu_nonce_schemes"][0], "none",
        "the vectors come from different machines"
    );
    assert_eq!(claims["submods"]["gpu0"]["ear_status"], "contraindicated");
    assert!(claims.get("eat_nonce").is_none(), "{claims}");
}

#[test]
fn appraise_usage_errors() {
    let (key, _) = key_and_jwks();
    let case = snp_case();
    // A policy without a section for the evidence: no token, exit 2.
    let pol = policy("tdx.yaml");
    let mut args = vec!["appraise", "--policy", &pol, "--key", key, "--at", case.at];
    args.extend(case.args.iter().map(String::as_str));
    let out = verdict(&args);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("has no `snp` section"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
    // A nonce EAT cannot carry.
    let out = appraise(&case, "0102", "jwt");
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("8 to 64"), "{}", stderr(&out));
    // Rejected evidence: the verify exit code, no token.
    let bad = tmp_dir().join("bad-report.bin");
    let mut report = std::fs::read(snp_dir().join("milan-v3-vlek-aws-trustee/report.bin")).unwrap();
    report[0x50] ^= 1;
    std::fs::write(&bad, report).unwrap();
    let pol = policy("snp.yaml");
    let bad_s = s(&bad);
    let mut args = vec!["appraise", "--policy", &pol, "--key", key, "--at", case.at];
    args.extend(case.args[..4].iter().map(String::as_str));
    args.push(&bad_s);
    let out = verdict(&args);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

#[test]
fn policy_check_runs_tests_and_reports_load_errors_with_line_and_column() {
    for file in ["snp.yaml", "tdx.yaml", "nvidia-h100.yaml", "composite.yaml"] {
        let out = verdict(&["policy", "check", &policy(file)]);
        assert_eq!(code(&out), 0, "{file}: {}{}", stdout(&out), stderr(&out));
        assert!(stdout(&out).contains("tests passed"), "{}", stdout(&out));
        assert!(!stdout(&out).contains("FAILED"), "{}", stdout(&out));
    }
    let text = std::fs::read_to_string(policy("snp.yaml")).unwrap();
    let broken = text.replace("expr: '!snp.policy.debug'", "expr: snp.policy.debug == 0");
    let file = tmp_dir().join("broken.yaml");
    std::fs::write(&file, &broken).unwrap();
    let line = broken
        .lines()
        .position(|l| l.contains("snp.policy.debug == 0"))
        .unwrap()
        + 1;
    let out = verdict(&["policy", "check", &s(&file)]);
    assert_eq!(code(&out), 2);
    // Column 30: the `==` of `      expr: snp.policy.debug == 0`.
    let expected = format!("{}:{line}:30: ", file.display());
    assert!(
        stderr(&out).contains(&expected),
        "{expected} in {}",
        stderr(&out)
    );

    // A test that no longer holds: exit 1, the failing test named.
    let wrong = text.replace("status: contraindicated", "status: affirming");
    std::fs::write(&file, &wrong).unwrap();
    let out = verdict(&["policy", "check", &s(&file)]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("test FAILED  a debuggable guest is contraindicated"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn policy_check_explains_an_appraisal_of_verify_output() {
    let case = snp_case();
    let mut args = vec!["verify", "--json", "--at", case.at];
    args.extend(case.args.iter().map(String::as_str));
    let out = verdict(&args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let claims = tmp_dir().join("snp-claims.json");
    std::fs::write(&claims, &out.stdout).unwrap();
    let out = verdict(&[
        "policy",
        "check",
        &policy("snp.yaml"),
        "--claims",
        &s(&claims),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("appraisal under verdict-snp: warning"),
        "{text}"
    );
    assert!(text.contains("FAIL  snp-launch-measurement"), "{text}");
    assert!(text.contains("pass  snp-not-debuggable"), "{text}");
    let out = verdict(&[
        "policy",
        "check",
        &policy("snp.yaml"),
        "--claims",
        &s(&claims),
        "--json",
    ]);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["appraisal"]["submods"][0]["label"], "cpu0");
}

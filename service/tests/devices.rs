//! Several devices in one request, over real HTTP on 127.0.0.1, with real NVIDIA H100
//! evidence (`shared/vectors/nvidia/setA_h100_550.90.07`): a GPU alone, a CPU with a GPU,
//! the same GPU twice, two CPU reports, more devices than a request may carry, and the
//! Trustee route with the JSON Trustee's NVIDIA attester sends and with several or unknown
//! policy ids. Each refusal is checked as the whole problem document the service answers,
//! and the service answers a good request afterwards.
//!
//! Time is pinned to 2025-08-21T12:00:00Z (`nvidia/VECTORS.md`): setA's device-chain OCSP
//! responses are current then, its RIM signers valid (their own OCSP responses were
//! produced two months later, so they are `not_yet_valid`: a warning, not a refusal), and
//! so are the AWS VLEK of `snp/milan-v3-vlek-aws-trustee` (valid 2024-12-10..2025-12-10)
//! and Oak's VCEK of `snp/milan-v3-oak-oc-release` (from 2025-01-15). Collateral comes
//! from files; the service is offline. Where a CPU report must bind one of the service's
//! challenges, it is a fake-PKI SEV-SNP report (`common::fake_snp_report`).
//!
//! No real CPU report in the vectors binds a real GPU report: no SEV-SNP, TDX or Azure
//! report there has a 64-byte field whose SHA-256 is a GPU's SPDM nonce, and none has
//! a GPU nonce at the start of one (every 64-byte window of every CPU vector was
//! checked). So the composite tests show what an unbound pair gets.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use policy::token::{verify_token, JwkSet, VerifyOptions};
use serde_json::{json, Value};

/// When setA's device OCSP answers and the AWS VLEK are valid.
const AT: &str = "2025-08-21T12:00:00Z";

/// The SPDM nonce setA's GPU answered (nvtrust's sample nonce).
const SET_A_NONCE: &str = "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb";

/// What `challenge_not_answered` says.
const NOT_ANSWERED: &str = "the evidence does not bind the challenge: a CPU report's \
    REPORT_DATA (Azure: the vTPM quote's extraData) must begin with the nonce, and a GPU's \
    SPDM nonce must be the nonce or SHA-256 of that field";

fn nvidia(relative: &str) -> PathBuf {
    testvectors::real::nvidia_dir().join(relative)
}

fn set_a(file: &str) -> Vec<u8> {
    std::fs::read(nvidia("setA_h100_550.90.07").join(file)).unwrap()
}

fn real_snp(file: &str) -> PathBuf {
    testvectors::real::snp_dir().join(file)
}

/// setA's RIMs, the DER OCSP responses and its device chain (for the raw report form).
fn gpu_collateral() -> Vec<PathBuf> {
    let dir = nvidia("setA_h100_550.90.07");
    let mut files = vec![
        dir.join("NV_GPU_DRIVER_GH100_550.90.07.xml"),
        dir.join("NV_GPU_VBIOS_1010_0200_882_96009F0001.xml"),
        dir.join("device_cert_chain.pem"),
    ];
    let mut ocsp: Vec<PathBuf> = std::fs::read_dir(dir.join("ocsp"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".ocsp.der"))
        .collect();
    ocsp.sort();
    assert_eq!(ocsp.len(), 7);
    files.extend(ocsp);
    files
}

/// The vendors' own roots; setA's collateral, and for two real Milan reports the AWS VLEK
/// with AMD's ASVK and ARK and Oak's VCEK with the ASK and ARK.
fn real_config(dir: &Path) -> service::Config {
    let mut collateral = gpu_collateral();
    collateral.push(real_snp("milan-v3-vlek-aws-trustee/vlek.der"));
    collateral.push(real_snp("roots/milan_asvk_ark.pem"));
    collateral.push(real_snp("milan-v3-oak-oc-release/vcek.der"));
    collateral.push(real_snp("roots/milan_ask_ark.pem"));
    service::Config {
        collateral,
        offline: true,
        at: Some(AT.into()),
        ..config(dir)
    }
}

/// The fake AMD PKI (so a CPU report can bind a challenge) beside NVIDIA's real roots and
/// setA's collateral.
fn fake_cpu_config(dir: &Path) -> service::Config {
    let mut config = fake_snp_config(dir);
    config.collateral.extend(gpu_collateral());
    config
        .anchors
        .push(nvidia("roots/nvidia_device_identity_ca.pem"));
    config
        .anchors
        .push(nvidia("roots/nvidia_corim_signing_root_ca.pem"));
    config.at = Some(AT.into());
    config
}

/// A service with the built-in GPU and composite policies also installed with
/// `challenge: optional` (the real GPU answered nvtrust's nonce, never one of ours).
async fn start(config: service::Config) -> Service {
    let service = Service::start(config).await;
    for (id, builtin) in [
        ("nvidia-open", "nvidia-h100.yaml"),
        ("composite-open", "composite.yaml"),
        ("snp-open", "snp.yaml"),
    ] {
        let (status, body) = put_policy(&service, id, &open_policy(builtin)).await;
        assert_eq!(status, 200, "{id}: {body}");
    }
    service
}

/// [`start`] on the real vectors' collateral ([`real_config`]), with its data directory
/// (dropped, and removed, when the test ends).
async fn start_real() -> (tempfile::TempDir, Service) {
    let dir = tempfile::tempdir().unwrap();
    let service = start(real_config(dir.path())).await;
    (dir, service)
}

/// setA as NVIDIA's attestation SDK (`nvattest collect-evidence`) and nvtrust's collector
/// write it: an array of `{evidence, certificate, arch, nonce}`, report and PEM chain in
/// base64.
fn sdk_evidence() -> Vec<u8> {
    json!([{
        "evidence": b64(&set_a("attestation_report.bin")),
        "certificate": b64(&set_a("device_cert_chain.pem")),
        "arch": "HOPPER",
        "nonce": SET_A_NONCE
    }])
    .to_string()
    .into_bytes()
}

/// One GPU as Trustee's NVIDIA attester (guest-components
/// `attestation-agent/attester/src/nvidia/mod.rs`, `NvDeviceReportAndCert`) lists it:
/// NVML's architecture name (serialized `Hopper`), the GPU's UUID, and the report and
/// certificate chain NVML returns, each in standard base64.
fn trustee_device(report: &[u8], chain: &[u8]) -> Value {
    json!({
        "arch": "Hopper",
        // Unsigned and not read by Verdict; made up here (the vectors do not give it).
        "uuid": "GPU-3c8a7e6b-5c1f-4d2e-9a3b-0f1e2d3c4b5a",
        "evidence": b64(report),
        "certificate": b64(chain),
    })
}

/// Trustee's NVIDIA evidence (`NvDeviceEvidence`): `{"device_evidence_list": [...]}`.
fn trustee_evidence(devices: Vec<Value>) -> Vec<u8> {
    json!({ "device_evidence_list": devices })
        .to_string()
        .into_bytes()
}

fn trustee_set_a() -> Vec<u8> {
    trustee_evidence(vec![trustee_device(
        &set_a("attestation_report.bin"),
        &set_a("device_cert_chain.pem"),
    )])
}

/// One of Trustee's `verification_requests`: the TEE name and the attester's evidence in
/// base64url without padding.
fn verification_request(tee: &str, evidence: &[u8]) -> Value {
    json!({"tee": tee, "evidence": b64url(evidence)})
}

/// `/attestation`'s body (Trustee's request): these verification requests under these
/// policy ids (none: the member is left out).
fn trustee_request(requests: Vec<Value>, policy_ids: &[&str]) -> Value {
    let mut body = json!({ "verification_requests": requests });
    if !policy_ids.is_empty() {
        body["policy_ids"] = json!(policy_ids);
    }
    body
}

/// `/v1/attest`'s body for several pieces of evidence.
fn several(evidence: &[&[u8]], nonce: Option<&str>, policy: Option<&str>) -> Value {
    let items: Vec<Value> = evidence
        .iter()
        .map(|e| json!({"evidence": b64(e)}))
        .collect();
    let mut body = json!({ "evidence": items });
    if let Some(n) = nonce {
        body["nonce"] = json!(n);
    }
    if let Some(p) = policy {
        body["policy"] = json!(p);
    }
    body
}

/// Asserts the whole problem document: type, title, status, detail and kind.
fn assert_problem(answer: &(u16, Value), status: u16, kind: &str, detail: &str) {
    let title = match status {
        400 => "Bad Request",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        other => panic!("no title known for {other}"),
    };
    assert_eq!(answer.0, status, "{}", answer.1);
    assert_eq!(
        answer.1,
        json!({
            "type": format!("urn:verdict:problem:{kind}"),
            "title": title,
            "status": status,
            "detail": detail,
            "kind": kind,
        })
    );
}

fn at(text: &str) -> verifier::time::UnixTime {
    verifier::time::parse_rfc3339(text).unwrap()
}

/// The token's claims, after checking its signature with the service's JWKS (a minute
/// after the pinned time, when it is valid) and that it names no `eat_nonce`.
async fn claims(service: &Service, token: &str) -> Value {
    let (status, jwks) = service.get("/.well-known/jwks.json").await;
    assert_eq!(status, 200);
    let jwks = JwkSet::from_json(jwks.to_string().as_bytes()).unwrap();
    let mut options =
        VerifyOptions::new(verifier::time::from_secs(verifier::time::secs(at(AT)) + 60));
    options.expected_issuer = Some(service.state.issuer.clone());
    let claims = verify_token(token.as_bytes(), &jwks, &options)
        .unwrap()
        .claims;
    assert!(claims.get("eat_nonce").is_none(), "{claims}");
    claims
}

/// The ids of a submodule's failed rules.
fn failed_rules(submod: &Value) -> Vec<&str> {
    submod["ear_verifier_claims"]["failed_rules"]
        .as_array()
        .map(|rules| rules.iter().map(|r| r["id"].as_str().unwrap()).collect())
        .unwrap_or_default()
}

/// setA's `gpu.device_id`, as the library computes it.
fn set_a_device_id() -> String {
    let evidence = verifier::Evidence::from_bytes(&sdk_evidence(), None).unwrap();
    let verified = verifier::Verifier::new(verifier::TrustAnchors::default())
        .verify(
            &evidence,
            &verifier::collateral::Bundle::new(),
            &verifier::Expectations::none(),
            at(AT),
        )
        .unwrap();
    match verified.claims() {
        verifier::Claims::Gpus(gpus) => gpus[0].device_id.clone(),
        verifier::Claims::Gpu(gpu) => gpu.device_id.clone(),
        other => panic!("not GPU claims: {other:?}"),
    }
}

/// setA's GPU alone under `nvidia-open`: the token the vector deserves (warning: its
/// RIM signers' OCSP answers are not yet valid at the pinned time).
async fn assert_gpu_token(service: &Service) {
    let (status, body) = service
        .post(
            "/v1/attest",
            &attest_body(&sdk_evidence(), None, Some("nvidia-open")),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "warning", "{body}");
}

/// After refusals, a good CPU request still gets its token.
async fn assert_cpu_token(service: &Service) {
    let nonce = service.challenge().await;
    let report = fake_snp_report(&unb64url(&nonce));
    let (status, body) = service
        .post("/v1/attest", &attest_body(&report, Some(&nonce), None))
        .await;
    assert_eq!(status, 200, "{body}");
}

/// A real H100 report alone: the built-in GPU policy wants a challenge, and a challenge
/// the GPU did not answer is refused (the nonce is used up all the same); under the same
/// policy with `challenge: optional` it gets a token, in the SDK's JSON form and as the
/// raw hex report with its chain from the collateral alike, appraised as the vector
/// deserves (warning, for the RIM signers' OCSP answers only). GPU evidence under the SNP
/// policy, and NVSwitch evidence, are refused with their kinds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_h100_report_alone_is_appraised_under_the_gpu_policy() {
    let (_dir, service) = start_real().await;
    let gpu = sdk_evidence();

    assert_problem(
        &service
            .post("/v1/attest", &attest_body(&gpu, None, None))
            .await,
        400,
        "nonce_required",
        "policy verdict-nvidia-h100 requires a challenge: POST /v1/challenge and bind its nonce",
    );
    let nonce = service.challenge().await;
    let body = attest_body(&gpu, Some(&nonce), None);
    assert_problem(
        &service.post("/v1/attest", &body).await,
        422,
        "challenge_not_answered",
        NOT_ANSWERED,
    );
    assert_problem(
        &service.post("/v1/attest", &body).await,
        422,
        "nonce_replayed",
        "the nonce was already used; ask /v1/challenge for a new one",
    );

    for evidence in [gpu.clone(), set_a("attestation_report.hex")] {
        let (status, body) = service
            .post(
                "/v1/attest",
                &attest_body(&evidence, None, Some("nvidia-open")),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["format"], "jwt");
        assert_eq!(body["status"], "warning");
        assert!(
            body["policy_id"]
                .as_str()
                .unwrap()
                .starts_with("policy:verdict-nvidia-h100@1#sha256:"),
            "{body}"
        );
        let claims = claims(&service, body["token"].as_str().unwrap()).await;
        assert_eq!(claims["ear_status"], "warning");
        let submods = claims["submods"].as_object().unwrap();
        assert_eq!(submods.keys().collect::<Vec<_>>(), ["gpu0"]);
        let gpu0 = &claims["submods"]["gpu0"];
        assert_eq!(
            gpu0["ear_attester_claims"],
            json!({
                "arch": "hopper",
                "driver_rim_id": "NV_GPU_DRIVER_GH100_550.90.07",
                "driver_version": "550.90.07",
                "hwmodel": "GH100 A01 GSP BROM",
                "mismatched_indices": [],
                "nonce": SET_A_NONCE,
                "platform": "nvidia-gpu",
                "vbios_rim_id": "NV_GPU_VBIOS_1010_0200_882_96009F0001",
                "vbios_version": "96.00.9F.00.01"
            })
        );
        assert_eq!(
            gpu0["ear_trustworthiness_vector"],
            json!({"configuration": 2, "executables": 2, "hardware": 2, "sourced-data": 32})
        );
        assert_eq!(failed_rules(gpu0), ["gpu-rims-not-revoked"]);
    }

    // GPU evidence under a policy without a `gpu` section.
    let nonce = service.challenge().await;
    assert_problem(
        &service
            .post("/v1/attest", &attest_body(&gpu, Some(&nonce), Some("snp")))
            .await,
        422,
        "policy_mismatch",
        "policy verdict-snp has no `gpu` section for the gpu evidence",
    );
    // NVSwitch evidence is not a GPU.
    let switches = std::fs::read(nvidia("ppcie_nvswitch/ppcie_switch_evidence.json")).unwrap();
    assert_problem(
        &service
            .post(
                "/v1/attest",
                &attest_body(&switches, None, Some("nvidia-open")),
            )
            .await,
        422,
        "unsupported_device",
        "unsupported NVIDIA device \"LS_10 A01 FSP FMC LF\" (supported: Hopper and Blackwell GPUs)",
    );
    assert_gpu_token(&service).await;
    service.stop().await;
}

/// A real SEV-SNP report with the real H100 report, which do not bind each other: under
/// the built-in composite policy a challenge is refused as not answered; under it with
/// `challenge: optional` both land in one token whose GPU fails `gpu-fresh` (its nonce is
/// not SHA-256 of the CPU's REPORT_DATA), so the token is contraindicated and its binding
/// claim says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_cpu_and_gpu_that_do_not_bind_each_other_are_not_affirmed() {
    let (_dir, service) = start_real().await;
    let cpu = std::fs::read(real_snp("milan-v3-vlek-aws-trustee/report.bin")).unwrap();
    let gpu = sdk_evidence();

    assert_problem(
        &service
            .post("/v1/attest", &several(&[&cpu, &gpu], None, None))
            .await,
        400,
        "nonce_required",
        "policy verdict-composite requires a challenge: POST /v1/challenge and bind its nonce",
    );
    let nonce = service.challenge().await;
    assert_problem(
        &service
            .post("/v1/attest", &several(&[&cpu, &gpu], Some(&nonce), None))
            .await,
        422,
        "challenge_not_answered",
        NOT_ANSWERED,
    );

    let (status, body) = service
        .post(
            "/v1/attest",
            &several(&[&cpu, &gpu], None, Some("composite-open")),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "contraindicated", "{body}");
    assert!(
        body["policy_id"]
            .as_str()
            .unwrap()
            .starts_with("policy:verdict-composite@1#sha256:"),
        "{body}"
    );
    let claims = claims(&service, body["token"].as_str().unwrap()).await;
    assert_eq!(claims["ear_status"], "contraindicated");
    assert_eq!(claims["ear_device_topology"], json!({"cpu0": ["gpu0"]}));
    let (cpu0, gpu0) = (&claims["submods"]["cpu0"], &claims["submods"]["gpu0"]);
    assert_eq!(
        cpu0["ear_verifier_claims"]["binding"],
        json!({
            "challenge": "",
            "cpu_present": true,
            "cpu_nonce_ok": false,
            "gpu_count": 1,
            "gpus_nonce_ok": false,
            "gpu_nonce_schemes": ["none"]
        })
    );
    assert_eq!(cpu0["ear_attester_claims"]["platform"], "snp");
    assert_eq!(cpu0["ear_status"], "warning");
    assert_eq!(gpu0["ear_status"], "contraindicated");
    assert_eq!(gpu0["ear_trustworthiness_vector"]["instance-identity"], 97);
    assert_eq!(
        failed_rules(gpu0),
        ["gpu-rims-not-revoked", "gpu-fresh"],
        "{gpu0}"
    );
    let fresh = &gpu0["ear_verifier_claims"]["failed_rules"][1];
    assert_eq!(
        fresh["message"],
        "the GPU's nonce is neither the challenge nor SHA-256 of the CPU report's REPORT_DATA"
    );
    assert_gpu_token(&service).await;
    service.stop().await;
}

/// A CPU report that binds the challenge does not vouch for a GPU that does not: under
/// the built-in composite policy the pair is refused as not answering the challenge,
/// while the CPU report alone, for a fresh challenge, gets its token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bound_cpu_does_not_carry_an_unbound_gpu() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(fake_cpu_config(dir.path())).await;
    let nonce = service.challenge().await;
    let cpu = fake_snp_report(&unb64url(&nonce));
    assert_problem(
        &service
            .post(
                "/v1/attest",
                &several(&[&cpu, &sdk_evidence()], Some(&nonce), None),
            )
            .await,
        422,
        "challenge_not_answered",
        NOT_ANSWERED,
    );
    assert_cpu_token(&service).await;
    assert_gpu_token(&service).await;
    service.stop().await;
}

/// The same GPU given twice counts once: two copies of its evidence, the same GPU in two
/// forms (SDK JSON and the raw report), the same GPU twice beside a CPU report, and two
/// Trustee verification requests for it are each refused as `duplicate_device`, naming
/// the device.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_gpu_twice_is_refused_as_one_device() {
    let (_dir, service) = start_real().await;
    let detail = format!(
        "GPU {} is given more than once; each device counts once",
        set_a_device_id()
    );
    let gpu = sdk_evidence();
    let hex_report = set_a("attestation_report.hex");
    let cpu = std::fs::read(real_snp("milan-v3-vlek-aws-trustee/report.bin")).unwrap();
    for (evidence, policy) in [
        (vec![&gpu[..], &gpu[..]], "nvidia-open"),
        (vec![&gpu[..], &hex_report[..]], "nvidia-open"),
        (vec![&cpu[..], &gpu[..], &gpu[..]], "composite-open"),
    ] {
        assert_problem(
            &service
                .post("/v1/attest", &several(&evidence, None, Some(policy)))
                .await,
            400,
            "duplicate_device",
            &detail,
        );
    }
    let trustee = trustee_set_a();
    let request = trustee_request(
        vec![
            verification_request("nvidia", &trustee),
            verification_request("nvidia", &trustee),
        ],
        &["nvidia-open"],
    );
    assert_problem(
        &service.post("/attestation", &request).await,
        400,
        "duplicate_device",
        &detail,
    );
    assert_gpu_token(&service).await;
    service.stop().await;
}

/// The same GPU twice inside one evidence document (Trustee's `device_evidence_list`
/// holding one device twice) is the same mistake as giving it in two items, and
/// docs/service.md lists `duplicate_device` as a 400.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_gpu_twice_in_one_document_is_a_bad_request() {
    let (_dir, service) = start_real().await;
    let device = trustee_device(
        &set_a("attestation_report.bin"),
        &set_a("device_cert_chain.pem"),
    );
    let twice = trustee_evidence(vec![device.clone(), device]);
    let detail = format!("GPUs 0 and 1 are one device ({})", set_a_device_id());
    assert_problem(
        &service
            .post(
                "/v1/attest",
                &attest_body(&twice, None, Some("nvidia-open")),
            )
            .await,
        400,
        "duplicate_device",
        &detail,
    );
    let request = trustee_request(
        vec![verification_request("nvidia", &twice)],
        &["nvidia-open"],
    );
    assert_problem(
        &service.post("/attestation", &request).await,
        400,
        "duplicate_device",
        &detail,
    );
    assert_gpu_token(&service).await;
    service.stop().await;
}

/// Two CPU reports in one request are refused as `several_cpus`: two real Milan reports
/// from two machines, two reports that each bind the challenge (whose nonce is used up all
/// the same), two with a GPU, and two on Trustee's route.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_cpu_reports_are_refused() {
    let detail = "one appraisal takes at most one CPU TEE report, got 2";
    let (_dir, service) = start_real().await;
    let aws = std::fs::read(real_snp("milan-v3-vlek-aws-trustee/report.bin")).unwrap();
    let oak = std::fs::read(real_snp("milan-v3-oak-oc-release/report.bin")).unwrap();
    let gpu = sdk_evidence();
    for (evidence, policy) in [
        (vec![&aws[..], &oak[..]], "snp-open"),
        (vec![&aws[..], &gpu[..], &oak[..]], "composite-open"),
    ] {
        assert_problem(
            &service
                .post("/v1/attest", &several(&evidence, None, Some(policy)))
                .await,
            400,
            "several_cpus",
            detail,
        );
    }
    // Each report alone gets its token.
    for report in [&aws, &oak] {
        let (status, body) = service
            .post("/v1/attest", &attest_body(report, None, Some("snp-open")))
            .await;
        assert_eq!(status, 200, "{body}");
    }
    service.stop().await;

    let dir = tempfile::tempdir().unwrap();
    let service = start(fake_cpu_config(dir.path())).await;
    // Two different reports, each binding the challenge.
    let nonce = service.challenge().await;
    let mut other = unb64url(&nonce);
    other.extend_from_slice(&[7; 32]);
    let (a, b) = (fake_snp_report(&unb64url(&nonce)), fake_snp_report(&other));
    let body = several(&[&a, &b], Some(&nonce), None);
    assert_problem(
        &service.post("/v1/attest", &body).await,
        400,
        "several_cpus",
        detail,
    );
    assert_problem(
        &service.post("/v1/attest", &body).await,
        422,
        "nonce_replayed",
        "the nonce was already used; ask /v1/challenge for a new one",
    );
    // With a GPU: composite evidence takes one CPU.
    let nonce = service.challenge().await;
    let cpu = fake_snp_report(&unb64url(&nonce));
    assert_problem(
        &service
            .post(
                "/v1/attest",
                &several(&[&cpu, &sdk_evidence(), &cpu], Some(&nonce), None),
            )
            .await,
        400,
        "several_cpus",
        detail,
    );
    // Trustee's route, each report binding its runtime data.
    let runtime_data = b"kbs session nonce";
    let digest = <sha2::Sha384 as sha2::Digest>::digest(runtime_data);
    let report = fake_snp_report(&digest);
    let item = json!({
        "tee": "snp",
        "evidence": b64url(&report),
        "runtime_data": {"raw": b64url(runtime_data)},
        "runtime_data_hash_algorithm": "sha384"
    });
    let request = trustee_request(vec![item.clone(), item], &[]);
    assert_problem(
        &service.post("/attestation", &request).await,
        400,
        "several_cpus",
        detail,
    );
    assert_cpu_token(&service).await;
    assert_gpu_token(&service).await;
    service.stop().await;
}

/// A request may carry 17 pieces of evidence: the 18th is refused as `too_many_devices`
/// on both routes, while 17 pass that check (and are then refused for what they are:
/// the same GPU 17 times).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_devices_than_the_limit_are_refused() {
    let (_dir, service) = start_real().await;
    assert_eq!(service::evidence_input::MAX_DEVICES, 17);
    let gpu = sdk_evidence();
    let trustee = trustee_set_a();
    let duplicate = format!(
        "GPU {} is given more than once; each device counts once",
        set_a_device_id()
    );
    for (n, status, kind, detail) in [
        (
            18,
            400,
            "too_many_devices",
            "18 pieces of evidence; one request takes at most 17".to_owned(),
        ),
        (17, 400, "duplicate_device", duplicate),
    ] {
        let evidence: Vec<&[u8]> = vec![&gpu[..]; n];
        assert_problem(
            &service
                .post("/v1/attest", &several(&evidence, None, Some("nvidia-open")))
                .await,
            status,
            kind,
            &detail,
        );
        let requests: Vec<Value> = (0..n)
            .map(|_| verification_request("nvidia", &trustee))
            .collect();
        let request = trustee_request(requests, &["nvidia-open"]);
        assert_problem(
            &service.post("/attestation", &request).await,
            status,
            kind,
            &detail,
        );
    }
    assert_gpu_token(&service).await;
    service.stop().await;
}

/// Items of a multi-GPU document in the SDK's plain form (the Python SDK dump's GPUs
/// rewritten to it: its report's base64, its certificates joined as one PEM).
fn plain_items(relative: &str) -> Vec<Value> {
    let document: Value =
        serde_json::from_slice(&std::fs::read(nvidia(relative)).unwrap()).unwrap();
    if let Value::Array(items) = document {
        return items;
    }
    document["gpus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|gpu| {
            let pem: String = gpu["CertificateChains"]["GpuAttestationCertificateChain"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    let pem = base64::Engine::decode(
                        &base64::engine::general_purpose::STANDARD,
                        c["pem"].as_str().unwrap(),
                    )
                    .unwrap();
                    String::from_utf8(pem).unwrap() + "\n"
                })
                .collect();
            json!({
                "evidence": gpu["AttestationReport"]["py/b64"],
                "certificate": b64(pem.as_bytes()),
                "arch": gpu["Arch"]
            })
        })
        .collect()
}

/// The limit is on devices ("the most devices one request may carry", each one a
/// verification), so 18 GPUs are too many whether they come as 18 pieces of evidence or
/// as one multi-GPU document: here 18 distinct real GPUs (8 Hopper PPCIe, 8 Blackwell,
/// setA, and the "cert hold" Hopper) in one document.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gpus_inside_one_document_count_toward_the_device_limit() {
    let (_dir, service) = start_real().await;
    let mut items = plain_items("ppcie_nvswitch/ppcie_gpu_evidence_590.12.json");
    items.extend(plain_items("blackwell/mpt_8x_gb100_590.48.01.json"));
    items.extend(plain_items("asdk_hopper/hopper_evidence_cert_hold.json"));
    items.extend(serde_json::from_slice::<Vec<Value>>(&sdk_evidence()).unwrap());
    assert_eq!(items.len(), 18);
    let document = Value::Array(items).to_string().into_bytes();
    for (path, request) in [
        (
            "/v1/attest",
            attest_body(&document, None, Some("nvidia-open")),
        ),
        (
            "/attestation",
            trustee_request(
                vec![verification_request("nvidia", &document)],
                &["nvidia-open"],
            ),
        ),
    ] {
        let (status, body) = service.post(path, &request).await;
        // A token is summarised (its submodules), not printed whole.
        let seen = if status == 200 {
            let token = body["token"].as_str().or_else(|| body.as_str()).unwrap();
            let payload: Value =
                serde_json::from_slice(&unb64url(token.split('.').nth(1).unwrap())).unwrap();
            format!(
                "a token for {} submodules",
                payload["submods"].as_object().unwrap().len()
            )
        } else {
            body.to_string()
        };
        assert_eq!(status, 400, "{path}: {seen}");
        assert_eq!(body["kind"], "too_many_devices", "{path}: {seen}");
        assert_eq!(body["type"], "urn:verdict:problem:too_many_devices");
        assert_eq!(body["title"], "Bad Request");
        assert!(
            body["detail"].as_str().unwrap().contains("at most 17"),
            "{body}"
        );
    }
    assert_gpu_token(&service).await;
    service.stop().await;
}

/// Trustee's route with the evidence Trustee's NVIDIA attester sends (tee `nvidia`): the
/// default policy wants runtime data; runtime data the GPU's SPDM nonce does not equal
/// (its SHA-384 truncated to the 32-byte nonce) is refused naming both; under a policy
/// with `challenge: optional` it gets a token as text; GPU evidence named `snp` is a TEE
/// mismatch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trustees_nvidia_evidence_on_the_trustee_route() {
    let (_dir, service) = start_real().await;
    let evidence = trustee_set_a();

    let request = trustee_request(vec![verification_request("nvidia", &evidence)], &[]);
    assert_problem(
        &service.post("/attestation", &request).await,
        400,
        "nonce_required",
        "policy verdict-nvidia-h100 requires fresh evidence: give runtime_data (holding the \
         KBS nonce) for every verification request",
    );

    // Runtime data as Trustee's KBS sends it: its session nonce and the TEE's key.
    let mut item = verification_request("nvidia", &evidence);
    item["runtime_data"] = json!({"structured": {
        "tee-pubkey": {"kty": "EC", "crv": "P-256", "alg": "ES256", "x": "abc", "y": "def"},
        "nonce": "MTIzNDU2Nzg5MA"
    }});
    item["runtime_data_hash_algorithm"] = json!("sha384");
    let canonical = r#"{"nonce":"MTIzNDU2Nzg5MA","tee-pubkey":{"alg":"ES256","crv":"P-256","kty":"EC","x":"abc","y":"def"}}"#;
    let digest = <sha2::Sha384 as sha2::Digest>::digest(canonical.as_bytes());
    let detail = format!(
        "nonce is {SET_A_NONCE}, expected {}",
        hex::encode(&digest[..32])
    );
    for policy_id in ["default", "nvidia-open"] {
        let request = trustee_request(vec![item.clone()], &[policy_id]);
        assert_problem(
            &service.post("/attestation", &request).await,
            422,
            "unexpected_nonce",
            &detail,
        );
    }

    let request = trustee_request(
        vec![verification_request("nvidia", &evidence)],
        &["nvidia-open"],
    );
    let r = client()
        .post(service.url("/attestation"))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/plain");
    let token = r.text().await.unwrap();
    let claims = claims(&service, &token).await;
    assert_eq!(claims["ear_status"], "warning");
    assert_eq!(
        claims["submods"]["gpu0"]["ear_attester_claims"]["nonce"],
        SET_A_NONCE
    );
    assert_eq!(
        failed_rules(&claims["submods"]["gpu0"]),
        ["gpu-rims-not-revoked"]
    );

    let request = trustee_request(vec![verification_request("snp", &evidence)], &[]);
    assert_problem(
        &service.post("/attestation", &request).await,
        400,
        "tee_mismatch",
        "verification_requests[0].evidence: expected snp evidence, got nvidia-gpu evidence",
    );
    assert_gpu_token(&service).await;
    service.stop().await;
}

/// Trustee's `policy_ids`: two entries are refused as `several_policies` (Trustee's own
/// documented example `["default", "policy-1"]`, the same id twice, and two unknown ids
/// alike: the count is checked first); one unknown id is 404 `unknown_policy`; none, or
/// `["default"]`, is the built-in policy for the evidence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trustee_policy_ids_several_or_unknown() {
    let (_dir, service) = start_real().await;
    let evidence = trustee_set_a();
    let request = |policy_ids: Value| {
        json!({
            "verification_requests": [verification_request("nvidia", &evidence)],
            "policy_ids": policy_ids
        })
    };
    for ids in [
        json!(["default", "policy-1"]),
        json!(["nvidia-open", "nvidia-open"]),
        json!(["no-such-policy", "nor-this-one"]),
    ] {
        assert_problem(
            &service.post("/attestation", &request(ids)).await,
            400,
            "several_policies",
            "one token is appraised under one policy: give one policy id",
        );
    }
    assert_problem(
        &service
            .post("/attestation", &request(json!(["no-such-policy"])))
            .await,
        404,
        "unknown_policy",
        "no policy \"no-such-policy\"",
    );
    for ids in [json!([]), json!(["default"])] {
        assert_problem(
            &service.post("/attestation", &request(ids)).await,
            400,
            "nonce_required",
            "policy verdict-nvidia-h100 requires fresh evidence: give runtime_data (holding \
             the KBS nonce) for every verification request",
        );
    }
    let (status, token) = service
        .post("/attestation", &request(json!(["nvidia-open"])))
        .await;
    assert_eq!(status, 200, "{token}");
    assert_eq!(token.as_str().unwrap().split('.').count(), 3);
    assert_gpu_token(&service).await;
    service.stop().await;
}

//! Criterion benchmarks of appraisal, on real evidence (read from `shared/vectors`). The
//! whole evidence → token pipeline is `benches/pipeline.rs`.
//!
//! Benchmark ids (quoted by the README):
//!
//! - `appraise/<kind>`: [`policy::appraise`] of an [`Input`] already made from verified
//!   claims, under the default policy for that kind (binding the claims to CEL, every
//!   rule and export), excluding verification.
//! - `appraise/verdict/<kind>`: what one device costs a service after verification:
//!   [`Input::from_verified`] and [`policy::appraise`]. Goal: under 20 µs.
//! - `appraise/regorus_trustee/snp`: the peer on the same SNP report: Trustee's default
//!   EAR policy for the CPU (`shared/peers/trustee/ear_default_policy_cpu.rego`) in
//!   `regorus`, the Rego engine Trustee's attestation service runs it in, as Trustee
//!   does it per request: the input document parsed from its JSON text, set on an
//!   engine that already holds the policy and the reference values, and the AR4SI
//!   vector (`data.policy.trust_claims`) evaluated.
//!
//!   Trustee's policy reads its own SNP claims shape, flat keys under `input.snp`. The
//!   input is built from the very claims Verdict appraises (`verify --json`'s `snp`
//!   object): `measurement` ← `measurement`; `reported_tcb_{bootloader,tee,snp,
//!   microcode}` ← `reported_tcb.*`; `policy_debug_allowed` ← `policy.debug`;
//!   `policy_migrate_ma` ← `policy.migrate_ma`; `policy_abi_major`/`_minor` ←
//!   `policy.abi_major`/`abi_minor`; `policy_single_socket` ← `policy.single_socket`;
//!   `policy_smt_allowed` ← `policy.smt`; `platform_smt_enabled` /
//!   `platform_tsme_enabled` ← `platform_info.smt_enabled` / `tsme_enabled`;
//!   `report_data` ← `report_data`. The reference values (`data.reference`) are the
//!   report's own, so every rule of Trustee's SNP branch runs to its end (the vector
//!   comes out 3 · 2 · 2), and `query_reference_value`, which Trustee's service
//!   provides beside the policy, is `data.reference[id]`.
//! - `appraise/regorus_trustee/tdx`: the same for TDX, through the TDX branch of that
//!   policy, which reads Trustee's TDX claims (`input.tdx`, the quote as parsed fields).
//!   Built from Verdict's verified `tdx` claims: `quote.body.mr_td` / `mr_seam` /
//!   `xfam` / `report_data` ← `mr_td` / `mr_seam` / `xfam` / `report_data`;
//!   `quote.body.rtmr_1` / `rtmr_2` ← `rtmr[1]` / `rtmr[2]`; `tcb_status`,
//!   `advisory_ids`, `td_attributes.debug` as they are; `quote.header.tee_type` ←
//!   `81000000` and `quote.header.vendor_id` ← Intel's QE vendor id (Verdict's TDX
//!   claims come only from TDX quotes that Intel's QE signed); `collateral_expiration_
//!   status` ← `"0"` (the verifier refuses expired collateral); `uefi_event_logs` ←
//!   `event_log` (the sample has none, so the two event rules iterate an empty log and
//!   `executables` comes out 4, the policy's `else` branch). References (`mr_td`,
//!   `rtmr_1`, `rtmr_2`, `xfam`) are the quote's own: the vector is 4 · 2 · 2.
//! - `appraise/regorus_trustee/nvidia`: Trustee's GPU policy
//!   (`shared/peers/trustee/ear_default_policy_gpu.rego`) on the H100 sample, the input
//!   in Trustee's NVIDIA shape (`input.nvidia`, NVIDIA's `x-nvidia-*` claim names), from
//!   Verdict's verified `gpu` claims: `x-nvidia-gpu-attestation-report-cert-chain` OCSP
//!   status ← `good` when every device certificate is good or, for the leaf, unchecked
//!   (Verdict's `gpu-device-certs-not-revoked`), its `x-nvidia-cert-status` ← `valid`
//!   (the chain verified); `…-cert-chain-fwid-match` ← `fwid_match`;
//!   `…-report-parsed` / `…-signature-verified` ← true (verified);
//!   `x-nvidia-gpu-arch-check` ← `arch == "hopper"`; `x-nvidia-gpu-driver-version` /
//!   `vbios-version` ← `driver_version` / `vbios_version`; `x-nvidia-gpu-vbios-rim-cert-
//!   chain` OCSP status ← the first of `rims.vbios.ocsp[].status` that is not `good`;
//!   the five `x-nvidia-gpu-{driver,vbios}-rim-*` flags ← `rims.{driver,vbios}.status ==
//!   "verified"`; `measres` ← `success` when `measurements_match`; `secboot` ← true and
//!   `dbgstat` ← `disabled` (not among Verdict's claims: the values that pass).
//!   References (`allowed_driver_versions`, `allowed_vbios_versions`) are the GPU's own.
//!   The vector is 33 · 2 · 2: this sample's VBIOS RIM certificate's OCSP response is
//!   `not_yet_valid` at the sample's time (Verdict's `gpu-rims-not-revoked` fails on it
//!   too), so Trustee's `executables` rule stops at that, its first condition, and its
//!   figure slightly understates a run to the end.
//! - `appraise/load_policy/<file>`: loading (parsing, compiling, type-checking) a
//!   default policy.
//!
//! Run: `cargo bench -p verdict-policy --bench appraise`. For instruction counts, run the
//! bench binary with `VERDICT_APPRAISE_LOOP=<kind>:<n>` under `perf stat` (see
//! `appraise_loop`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use policy::{appraise, Input};

fn bench_appraise(c: &mut Criterion) {
    let mut group = c.benchmark_group("appraise");
    for (kind, file, sample) in [
        ("snp", "snp.yaml", common::snp()),
        ("tdx", "tdx.yaml", common::tdx()),
        ("nvidia", "nvidia-h100.yaml", common::gpu()),
    ] {
        let policy = common::load_policy(file);
        let input = Input::from_verified(
            std::slice::from_ref(&sample.verified),
            Some(vec![7; 32]),
            sample.now,
        )
        .unwrap();
        group.bench_function(kind, |b| {
            b.iter(|| appraise(black_box(&policy), black_box(&input)).unwrap())
        });
        group.bench_function(format!("verdict/{kind}"), |b| {
            b.iter(|| {
                let input = Input::from_verified(
                    std::slice::from_ref(black_box(&sample.verified)),
                    Some(vec![7; 32]),
                    sample.now,
                )
                .unwrap();
                appraise(black_box(&policy), &input).unwrap()
            })
        });
        match kind {
            "snp" => bench_regorus_snp(&mut group, &input),
            "tdx" => bench_regorus_tdx(&mut group, &input),
            _ => bench_regorus_nvidia(&mut group, &input),
        }
    }
    for file in ["snp.yaml", "composite.yaml"] {
        let text = std::fs::read_to_string(common::policies_dir().join(file)).unwrap();
        group.bench_function(format!("load_policy/{file}"), |b| {
            b.iter(|| policy::Policy::from_yaml(black_box(&text)).unwrap())
        });
    }
    group.finish();
}

/// `appraise/regorus_trustee/snp` (see the module documentation for the input mapping).
fn bench_regorus_snp(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    input: &Input,
) {
    let claims = input.cpu().unwrap().claims_json();
    let at = |path: &str| claims.pointer(path).unwrap().clone();
    let trustee_input = serde_json::json!({"snp": {
        "measurement": at("/measurement"),
        "report_data": at("/report_data"),
        "reported_tcb_bootloader": at("/reported_tcb/bootloader"),
        "reported_tcb_tee": at("/reported_tcb/tee"),
        "reported_tcb_snp": at("/reported_tcb/snp"),
        "reported_tcb_microcode": at("/reported_tcb/microcode"),
        "policy_debug_allowed": at("/policy/debug"),
        "policy_migrate_ma": at("/policy/migrate_ma"),
        "policy_abi_major": at("/policy/abi_major"),
        "policy_abi_minor": at("/policy/abi_minor"),
        "policy_single_socket": at("/policy/single_socket"),
        "policy_smt_allowed": at("/policy/smt"),
        "platform_smt_enabled": at("/platform_info/smt_enabled"),
        "platform_tsme_enabled": at("/platform_info/tsme_enabled"),
    }});
    let reference = serde_json::json!({"reference": {
        "snp_launch_measurement": [at("/measurement")],
        "snp_bootloader": [at("/reported_tcb/bootloader")],
        "snp_tee_svn": [at("/reported_tcb/tee")],
        "snp_snp_svn": [at("/reported_tcb/snp")],
        "snp_microcode": [at("/reported_tcb/microcode")],
        "snp_smt_enabled": at("/platform_info/smt_enabled"),
        "snp_tsme_enabled": at("/platform_info/tsme_enabled"),
        "snp_guest_abi_major": at("/policy/abi_major"),
        "snp_guest_abi_minor": at("/policy/abi_minor"),
        "snp_single_socket": at("/policy/single_socket"),
        "snp_smt_allowed": at("/policy/smt"),
    }});
    bench_regorus(
        group,
        "snp",
        "ear_default_policy_cpu.rego",
        &trustee_input,
        &reference,
        [("executables", 3), ("hardware", 2), ("configuration", 2)],
    );
}

/// `appraise/regorus_trustee/tdx` (see the module documentation for the input mapping).
fn bench_regorus_tdx(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    input: &Input,
) {
    let claims = input.cpu().unwrap().claims_json();
    let at = |path: &str| claims.pointer(path).unwrap().clone();
    // Trustee's event rules read UEFI events: the sample has no event log, so they
    // iterate an empty one and executables comes out 4 (Trustee's `else` branch).
    let events = claims
        .get("event_log")
        .filter(|e| !e.is_null())
        .cloned()
        .unwrap_or_else(|| serde_json::json!([]));
    let trustee_input = serde_json::json!({"tdx": {
        "quote": {
            "header": {
                "tee_type": "81000000",
                "vendor_id": "939a7233f79c4ca9940a0db3957f0607",
            },
            "body": {
                "mr_td": at("/mr_td"),
                "mr_seam": at("/mr_seam"),
                "rtmr_1": at("/rtmr/1"),
                "rtmr_2": at("/rtmr/2"),
                "xfam": at("/xfam"),
                "report_data": at("/report_data"),
            },
        },
        "tcb_status": at("/tcb_status"),
        "collateral_expiration_status": "0",
        "td_attributes": {"debug": at("/td_attributes/debug")},
        "advisory_ids": at("/advisory_ids"),
        "uefi_event_logs": events,
    }});
    let reference = serde_json::json!({"reference": {
        "mr_td": [at("/mr_td")],
        "rtmr_1": [at("/rtmr/1")],
        "rtmr_2": [at("/rtmr/2")],
        "xfam": [at("/xfam")],
        "tdvfkernel": "",
        "tdvfkernelparams": "",
    }});
    bench_regorus(
        group,
        "tdx",
        "ear_default_policy_cpu.rego",
        &trustee_input,
        &reference,
        [("executables", 4), ("hardware", 2), ("configuration", 2)],
    );
}

/// `appraise/regorus_trustee/nvidia` (see the module documentation for the input
/// mapping).
fn bench_regorus_nvidia(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    input: &Input,
) {
    let claims = input.gpus()[0].claims_json();
    let at = |path: &str| claims.pointer(path).unwrap().clone();
    // The first OCSP status that is not good, else "good".
    let all_good = |path: &str| {
        claims
            .pointer(path)
            .and_then(serde_json::Value::as_array)
            .and_then(|l| l.iter().find(|c| c["status"] != "good"))
            .map_or_else(|| serde_json::json!("good"), |c| c["status"].clone())
    };
    // Verdict's rule: every certificate below the root good, the leaf's may be unchecked.
    let leaf = at("/leaf_serial");
    let device_good =
        claims["ocsp"].as_array().unwrap().iter().all(|c| {
            c["status"] == "good" || (c["status"] == "not_checked" && c["serial"] == leaf)
        });
    let verified = |rim: &str| claims["rims"][rim]["status"] == "verified";
    let (driver, vbios) = (verified("driver"), verified("vbios"));
    let trustee_input = serde_json::json!({"nvidia": {
        "x-nvidia-gpu-attestation-report-cert-chain": {
            "x-nvidia-cert-ocsp-status": if device_good { "good" } else { "revoked" },
            "x-nvidia-cert-status": "valid",
        },
        "x-nvidia-gpu-attestation-report-cert-chain-fwid-match":
            claims["fwid_match"].as_bool().unwrap_or(true),
        "x-nvidia-gpu-attestation-report-parsed": true,
        "x-nvidia-gpu-attestation-report-signature-verified": true,
        "x-nvidia-gpu-arch-check": claims["arch"] == "hopper",
        "secboot": true,
        "dbgstat": "disabled",
        "x-nvidia-gpu-driver-version": at("/driver_version"),
        "x-nvidia-gpu-vbios-version": at("/vbios_version"),
        "x-nvidia-gpu-vbios-rim-cert-chain": {
            "x-nvidia-cert-ocsp-status": all_good("/rims/vbios/ocsp"),
            "x-nvidia-cert-status": "valid",
        },
        "x-nvidia-gpu-driver-rim-fetched": driver,
        "x-nvidia-gpu-driver-rim-measurements-available": driver,
        "x-nvidia-gpu-driver-rim-schema-validated": driver,
        "x-nvidia-gpu-driver-rim-signature-verified": driver,
        "x-nvidia-gpu-driver-rim-version-match": driver,
        "x-nvidia-gpu-vbios-rim-fetched": vbios,
        "x-nvidia-gpu-vbios-rim-measurements-available": vbios,
        "x-nvidia-gpu-vbios-rim-schema-validated": vbios,
        "x-nvidia-gpu-vbios-rim-signature-verified": vbios,
        "x-nvidia-gpu-vbios-rim-version-match": vbios,
        "measres": if claims["measurements_match"] == true { "success" } else { "fail" },
    }});
    let reference = serde_json::json!({"reference": {
        "allowed_driver_versions": [at("/driver_version")],
        "allowed_vbios_versions": [at("/vbios_version")],
    }});
    bench_regorus(
        group,
        "nvidia",
        "ear_default_policy_gpu.rego",
        &trustee_input,
        &reference,
        [("executables", 33), ("hardware", 2), ("configuration", 2)],
    );
}

/// Times Trustee's `policy_file` on `trustee_input` as Trustee runs it per request (the
/// input parsed from its JSON text, set on an engine that already holds the policy and
/// `reference`), after checking the vector is `expected`, as Verdict's appraisal of the
/// same claims affirms: the bench compares like with like.
fn bench_regorus(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    kind: &str,
    policy_file: &str,
    trustee_input: &serde_json::Value,
    reference: &serde_json::Value,
    expected: [(&str, u64); 3],
) {
    // The peers live beside the vectors, in `shared/`.
    let peers = testvectors::real::vectors_dir().join("../peers/trustee");
    let policy = std::fs::read_to_string(peers.join(policy_file)).unwrap();
    let mut engine = regorus::Engine::new();
    engine.add_policy(policy_file.into(), policy).unwrap();
    engine
        .add_policy(
            "reference.rego".into(),
            "package policy\n\nquery_reference_value(id) := data.reference[id]\n".into(),
        )
        .unwrap();
    engine
        .add_data(regorus::Value::from_json_str(&reference.to_string()).unwrap())
        .unwrap();
    let text = trustee_input.to_string();
    let evaluate = |engine: &mut regorus::Engine| {
        engine.set_input(regorus::Value::from_json_str(black_box(&text)).unwrap());
        engine.eval_rule("data.policy.trust_claims".into()).unwrap()
    };
    let vector = evaluate(&mut engine.clone());
    for (claim, value) in expected {
        assert_eq!(
            vector[claim],
            regorus::Value::from(value),
            "{kind}: {vector} from {trustee_input}"
        );
    }
    group.bench_function(format!("regorus_trustee/{kind}"), |b| {
        b.iter(|| evaluate(&mut engine.clone()))
    });
}

/// `VERDICT_APPRAISE_LOOP=<kind>:<n>`: runs `appraise/verdict/<kind>`'s body `n` times
/// and nothing else, so that `perf stat -e instructions:u` of two runs (`n` and 0) gives
/// the instructions of one appraisal, which a busy machine does not disturb as it does
/// wall-clock time.
fn appraise_loop(spec: &str) {
    let (kind, n) = spec.split_once(':').expect("<kind>:<n>");
    let n: u64 = n.parse().expect("a count");
    let (file, sample) = match kind {
        "snp" => ("snp.yaml", common::snp()),
        "tdx" => ("tdx.yaml", common::tdx()),
        "nvidia" => ("nvidia-h100.yaml", common::gpu()),
        other => panic!("unknown kind {other}"),
    };
    let policy = common::load_policy(file);
    for _ in 0..n {
        let input = Input::from_verified(
            std::slice::from_ref(black_box(&sample.verified)),
            Some(vec![7; 32]),
            sample.now,
        )
        .unwrap();
        black_box(appraise(black_box(&policy), &input).unwrap());
    }
}

fn main() {
    if !testvectors::real::snp_dir().exists() {
        eprintln!("real vectors not found (set VERDICT_REAL_VECTORS): nothing measured");
        return;
    }
    if let Ok(spec) = std::env::var("VERDICT_APPRAISE_LOOP") {
        appraise_loop(&spec);
        return;
    }
    let mut c = Criterion::default()
        .sample_size(30)
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    bench_appraise(&mut c);
    c.final_summary();
}

//! Runs `verdict verify` on real NVIDIA H100 evidence the way operators do: the report
//! as hex with its chain, RIMs and OCSP responses as `--collateral` (detected by content),
//! the SDK JSON evidence, and tampered copies; checks exit codes and the one-line errors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;
use testvectors::real::nvidia_dir;

const SET_A_NONCE: &str = "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb";

fn verdict(args: &[&str]) -> Output {
    common::verdict_command().args(args).output().unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

fn set_a(file: &str) -> String {
    nvidia_dir()
        .join("setA_h100_550.90.07")
        .join(file)
        .to_string_lossy()
        .into_owned()
}

fn tmp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verdict-cli-nvidia-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn set_a_args<'a>(
    report: &'a str,
    chain: &'a str,
    rims: &'a [String],
    ocsp: &'a str,
) -> Vec<&'a str> {
    let mut args = vec!["verify", "--collateral", chain];
    for r in rims {
        args.extend(["--collateral", r.as_str()]);
    }
    args.extend(["--collateral", ocsp, report]);
    args
}

#[test]
fn set_a_verifies_with_rims_and_ocsp() {
    let rims = [
        set_a("NV_GPU_DRIVER_GH100_550.90.07.xml"),
        set_a("NV_GPU_VBIOS_1010_0200_882_96009F0001.xml"),
    ];
    let (report, chain, ocsp) = (
        set_a("attestation_report.hex"),
        set_a("device_cert_chain.pem"),
        set_a("ocsp"),
    );
    let mut args = set_a_args(&report, &chain, &rims, &ocsp);
    args.extend(["--at", "2025-08-21T12:00:00Z", "--nonce", SET_A_NONCE]);
    let out = verdict(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        code(&out),
        0,
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("verified: NVIDIA GH100 (hopper) GPU report from GH100 A01 GSP BROM"),
        "{stdout}"
    );
    assert!(
        stdout.contains("match (32 golden indices checked)"),
        "{stdout}"
    );

    args.push("--json");
    let out = verdict(&args);
    assert_eq!(code(&out), 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verified"], true);
    assert_eq!(v["tee"], "nvidia-gpu");
    assert_eq!(v["claims"]["gpu"]["measurements_match"], true);
    assert_eq!(
        v["claims"]["gpu"]["driver_rim_id"],
        "NV_GPU_DRIVER_GH100_550.90.07"
    );
    assert_eq!(v["claims"]["gpu"]["ocsp"][1]["status"], "good");
}

#[test]
fn set_a_rejections_are_one_line_with_exit_1() {
    let rims = [
        set_a("NV_GPU_DRIVER_GH100_550.90.07.xml"),
        set_a("NV_GPU_VBIOS_1010_0200_882_96009F0001.xml"),
    ];
    let (chain, ocsp) = (set_a("device_cert_chain.pem"), set_a("ocsp"));
    let hex_text = std::fs::read_to_string(set_a("attestation_report.hex")).unwrap();

    // Wrong nonce.
    let report = set_a("attestation_report.hex");
    let zeros = "00".repeat(32);
    let mut args = set_a_args(&report, &chain, &rims, &ocsp);
    args.extend(["--at", "2025-08-21T12:00:00Z", "--nonce", &zeros]);
    let out = verdict(&args);
    assert_eq!(code(&out), 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("verdict: rejected: nonce is 931d8dd0"),
        "{err}"
    );

    // A flipped hex digit inside a measurement: the signature no longer verifies.
    let mut bad = hex_text.clone().into_bytes();
    let at = 2 * 200;
    bad[at] = if bad[at] == b'0' { b'1' } else { b'0' };
    let bad = tmp("flipped.hex", &bad);
    let bad = bad.to_string_lossy().into_owned();
    let mut args = set_a_args(&bad, &chain, &rims, &ocsp);
    args.extend(["--at", "2025-08-21T12:00:00Z", "--tee", "nvidia"]);
    let out = verdict(&args);
    assert_eq!(code(&out), 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim(),
        "verdict: rejected: GPU attestation report signature does not verify"
    );

    // RIMs required but a RIM signer has expired by now.
    let report = set_a("attestation_report.hex");
    let mut args = set_a_args(&report, &chain, &rims, &ocsp);
    args.extend(["--at", "2026-11-27T00:00:00Z", "--json"]);
    let out = verdict(&args);
    assert_eq!(code(&out), 1);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "certificate_expired", "{v}");
}

#[test]
fn missing_chain_is_exit_3_and_requirements_reject() {
    let report = set_a("attestation_report.hex");
    let out = verdict(&["verify", "--at", "2025-08-21T12:00:00Z", &report]);
    assert_eq!(code(&out), 3, "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("device certificate chain"), "{err}");

    let chain = set_a("device_cert_chain.pem");
    let out = verdict(&[
        "verify",
        "--collateral",
        &chain,
        "--at",
        "2025-08-21T12:00:00Z",
        &report,
    ]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("warning: driver RIM NV_GPU_DRIVER_GH100_550.90.07 was not supplied"),
        "{stdout}"
    );
    // What a requirement makes necessary is missing collateral (exit 3), named with
    // where NVIDIA serves it, so that an operator or a fetcher knows what to get.
    for (flag, named) in [
        (
            "--require-rims",
            "https://rim.attestation.nvidia.com/v1/rim/NV_GPU_DRIVER_GH100_550.90.07",
        ),
        (
            "--require-ocsp",
            "OCSP request to https://ocsp.ndis.nvidia.com",
        ),
    ] {
        let out = verdict(&[
            "verify",
            "--collateral",
            &chain,
            flag,
            "--at",
            "2025-08-21T12:00:00Z",
            &report,
        ]);
        assert_eq!(code(&out), 3, "{flag}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("missing collateral"), "{flag}: {err}");
        assert!(err.contains(named), "{flag}: {err}");
    }
}

#[test]
fn sdk_json_evidence_with_several_gpus() {
    let path = nvidia_dir().join("asdk_hopper/multi_gpu_hopper.json");
    let out = verdict(&["verify", "--json", &path.to_string_lossy()]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["claims"]["gpus"].as_array().unwrap().len(), 4);
    assert_eq!(v["claims"]["gpus"][0]["driver_version"], "590.12");
}

/// The README's bundled example: a fake H100 report with its fake collateral.
#[test]
fn bundled_example_verifies_strictly() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/nvidia");
    let p = |f: &str| root.join(f).to_string_lossy().into_owned();
    let nonce = "4e".repeat(32);
    let (device_root, rim_root, collateral, report) = (
        p("device_root.pem"),
        p("rim_root.pem"),
        p("collateral"),
        p("report.hex"),
    );
    let args = [
        "verify",
        "--anchor",
        &device_root,
        "--anchor",
        &rim_root,
        "--collateral",
        &collateral,
        "--at",
        "2025-06-01T00:00:00Z",
        "--nonce",
        &nonce,
        "--require-ocsp",
        "--require-rims",
        &report,
    ];
    let out = verdict(&args);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    // Without the fake anchors, the real pins do not trust the fake chain.
    let without_anchors: Vec<&str> = ["verify"]
        .into_iter()
        .chain(args[5..].iter().copied())
        .collect();
    let out = verdict(&without_anchors);
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a trusted anchor"));
}

//! Runs the `verdict` binary the way operators do: on every real SNP vector, on mutated
//! copies of them, and on inputs that must fail with each documented exit code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use testvectors::real::snp_dir;

fn verdict(args: &[&str]) -> Output {
    common::verdict_command().args(args).output().unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

struct Case {
    name: String,
    report: PathBuf,
    vek: PathBuf,
    chain: PathBuf,
    at: String,
    ok: bool,
}

fn cases() -> Vec<Case> {
    let dir = snp_dir();
    let tsv = std::fs::read_to_string(dir.join("EXPECTED.tsv")).unwrap();
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .map(|f| Case {
            name: f[col("vector")].to_owned(),
            report: dir.join(f[col("report")]),
            vek: dir.join(f[col("vek")]),
            chain: dir.join(f[col("chain")]),
            at: f[col("verify_at_utc")].to_owned(),
            ok: !f[col("vector")].starts_with("NEG"),
        })
        .collect()
}

fn run_case(c: &Case, report: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "verify",
        "--collateral",
        c.chain.to_str().unwrap(),
        "--collateral",
        c.vek.to_str().unwrap(),
        "--at",
        &c.at,
    ];
    args.extend_from_slice(extra);
    args.push(report.to_str().unwrap());
    verdict(&args)
}

#[test]
fn every_real_vector_verifies_and_every_negative_pairing_is_rejected() {
    for c in cases() {
        let out = run_case(&c, &c.report, &[]);
        let want = if c.ok { 0 } else { 1 };
        assert_eq!(
            code(&out),
            want,
            "{}: {}{}",
            c.name,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if c.ok {
            assert!(
                String::from_utf8_lossy(&out.stdout).starts_with("verified: AMD SEV-SNP report"),
                "{}",
                c.name
            );
        } else {
            // One line saying what failed and why.
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.starts_with("verdict: rejected: ") && err.lines().count() == 1,
                "{}: {err}",
                c.name
            );
        }
    }
}

#[test]
fn mutated_reports_exit_1() {
    let tmp = std::env::temp_dir().join(format!("verdict-cli-mut-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for c in cases().into_iter().filter(|c| c.ok) {
        let original = std::fs::read(&c.report).unwrap();
        // A byte in each signed field group, one in the signature and one in a reserved range.
        for offset in [
            0x008, 0x050, 0x090, 0x0C0, 0x180, 0x1A0, 0x1F0, 0x29F, 0x2A0, 0x2E8, 0x400,
        ] {
            let mut bad = original.clone();
            bad[offset] ^= 0x01;
            let path = tmp.join("report.bin");
            std::fs::write(&path, &bad).unwrap();
            let out = run_case(&c, &path, &[]);
            assert_eq!(
                code(&out),
                1,
                "{} offset {offset:#x}: {}",
                c.name,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn json_output_has_the_documented_shape() {
    let c = cases()
        .into_iter()
        .find(|c| c.name == "turin-v5-oak-oc")
        .unwrap();
    let out = run_case(&c, &c.report, &["--json"]);
    assert_eq!(code(&out), 0);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verified"], true);
    assert_eq!(v["tee"], "snp");
    assert_eq!(v["claims"]["tee"], "snp");
    assert_eq!(v["claims"]["snp"]["product"], "Turin");
    assert_eq!(v["claims"]["snp"]["reported_tcb"]["fmc"], 0);
    assert!(v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["code"] == "crl_not_checked"));
    assert!(v.get("error").is_none());

    let neg = cases()
        .into_iter()
        .find(|c| c.name == "NEG fake-vcek")
        .unwrap();
    let out = run_case(&neg, &neg.report, &["--json"]);
    assert_eq!(code(&out), 1);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verified"], false);
    assert_eq!(v["error"]["kind"], "certificate_signature");
    assert!(v["error"]["message"].as_str().unwrap().contains("SEV-VCEK"));
}

#[test]
fn evidence_encodings_are_detected() {
    let c = cases()
        .into_iter()
        .find(|c| c.name == "milan-v2-virtee")
        .unwrap();
    // report.hex is the upstream hex text form of report.bin.
    let hex = c.report.with_file_name("report.hex");
    assert_eq!(code(&run_case(&c, &hex, &[])), 0);
    let tmp = std::env::temp_dir().join(format!("verdict-cli-b64-{}", std::process::id()));
    use base64::Engine as _;
    std::fs::write(
        &tmp,
        base64::engine::general_purpose::STANDARD.encode(std::fs::read(&c.report).unwrap()),
    )
    .unwrap();
    assert_eq!(code(&run_case(&c, &tmp, &[])), 0);
    std::fs::remove_file(&tmp).unwrap();
}

#[test]
fn nonce_is_checked() {
    let c = cases()
        .into_iter()
        .find(|c| c.name == "milan-v3-oak-oc-release")
        .unwrap();
    let report = std::fs::read(&c.report).unwrap();
    let good = hex::encode(&report[0x50..0x70]);
    assert_eq!(code(&run_case(&c, &c.report, &["--nonce", &good])), 0);
    let full = hex::encode(&report[0x50..0x90]);
    assert_eq!(code(&run_case(&c, &c.report, &["--nonce", &full])), 0);
    let bad = "00".repeat(32);
    let out = run_case(&c, &c.report, &["--nonce", &bad]);
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("report_data"));
    assert_eq!(code(&run_case(&c, &c.report, &["--nonce", "xyz"])), 2);
}

#[test]
fn exit_codes_for_missing_and_malformed_input() {
    let dir = snp_dir();
    let c = cases()
        .into_iter()
        .find(|c| c.name == "genoa-v5-oak-oc")
        .unwrap();
    // No VCEK: exit 3, naming what to fetch.
    let out = verdict(&[
        "verify",
        "--collateral",
        c.chain.to_str().unwrap(),
        "--at",
        &c.at,
        c.report.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 3);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("kdsintf.amd.com/vcek/v1/Genoa/"), "{err}");
    // An unreadable collateral path: exit 3.
    let out = verdict(&[
        "verify",
        "--collateral",
        "/nonexistent/vcek.der",
        c.report.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 3);
    // A collateral file that is not collateral: exit 2.
    let out = verdict(&[
        "verify",
        "--collateral",
        c.report.to_str().unwrap(),
        c.report.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2);
    // Evidence that is not evidence: exit 2.
    let out = verdict(&[
        "verify",
        "--collateral",
        c.chain.to_str().unwrap(),
        c.chain.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2);
    // A truncated report with --tee snp: exit 2.
    let tmp = std::env::temp_dir().join(format!("verdict-cli-short-{}", std::process::id()));
    std::fs::write(&tmp, &std::fs::read(&c.report).unwrap()[..1000]).unwrap();
    let out = verdict(&["verify", "--tee", "snp", tmp.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    std::fs::remove_file(&tmp).unwrap();
    // Bad usage: exit 2.
    assert_eq!(
        code(&verdict(&[
            "verify",
            "--at",
            "yesterday",
            c.report.to_str().unwrap()
        ])),
        2
    );
    assert_eq!(code(&verdict(&["verify"])), 2);
    // A collateral directory holding the evidence too works (non-collateral files skipped).
    let out = verdict(&[
        "verify",
        "--collateral",
        dir.join("roots").to_str().unwrap(),
        "--collateral",
        dir.join("genoa-v5-oak-oc").to_str().unwrap(),
        "--at",
        "2025-09-01T00:00:00Z",
        c.report.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("CRL checked"));
}

#[test]
fn the_readme_example_verifies_only_with_its_anchor() {
    let ex = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/snp");
    let (ark, dir, report) = (ex.join("ark.pem"), ex.clone(), ex.join("report.bin"));
    let args = |anchor: bool| {
        let mut a = vec!["verify"];
        if anchor {
            a.extend(["--anchor", ark.to_str().unwrap()]);
        }
        a.extend([
            "--collateral",
            dir.to_str().unwrap(),
            "--at",
            "2024-06-01T00:00:00Z",
            report.to_str().unwrap(),
        ]);
        a.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| common::verdict_command().args(&a).output().unwrap();
    let out = run(args(true));
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("CRL checked"));
    // Without --anchor only AMD's real roots are trusted: the fake ARK is refused.
    let out = run(args(false));
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a trusted anchor"));
    // An anchor that is not an ARK is bad usage.
    let out = common::verdict_command()
        .args([
            "verify",
            "--anchor",
            ex.join("vcek.der").to_str().unwrap(),
            report.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
}

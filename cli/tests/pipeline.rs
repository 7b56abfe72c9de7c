//! The CLI through the library's pipeline: options that cannot apply are refused rather
//! than ignored, and missing collateral is named with where its vendor serves it.

mod common;

use common::{code, stderr, verdict};

const SNP: [&str; 6] = [
    "--anchor",
    "examples/snp/ark.pem",
    "--at",
    "2024-06-01T00:00:00Z",
    "--collateral",
    "examples/snp",
];

fn at_root(args: &[&str]) -> std::process::Output {
    // The examples are named relative to the repository root.
    std::env::set_current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).unwrap();
    verdict(args)
}

#[test]
fn an_event_log_beside_evidence_other_than_a_tdx_quote_is_refused() {
    // It used to be ignored for SNP and GPU evidence: a log the caller believed checked.
    let mut args = vec!["verify"];
    args.extend(SNP);
    args.extend([
        "--event-log",
        "examples/snp/crl.der",
        "examples/snp/report.bin",
    ]);
    let out = at_root(&args);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("an event log goes with a TDX quote; this is an AMD SEV-SNP report"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn appraise_needs_a_tdx_quote_for_its_event_log() {
    let key = std::env::temp_dir().join(format!("verdict-pipeline-{}.pem", std::process::id()));
    let key = key.to_string_lossy().into_owned();
    assert_eq!(code(&at_root(&["token", "keygen", "--out", &key])), 0);
    let mut args = vec!["appraise", "--policy", "policies/snp.yaml", "--key", &key];
    args.extend(SNP);
    args.extend([
        "--event-log",
        "examples/snp/crl.der",
        "examples/snp/report.bin",
    ]);
    let out = at_root(&args);
    let _ = std::fs::remove_file(&key);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--event-log goes with a TDX quote, and no evidence file is one"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_collateral_names_the_vendor_source() {
    // Without the VCEK: the KDS URL for this chip and TCB; without the chain: cert_chain.
    let out = at_root(&[
        "verify",
        "--anchor",
        "examples/snp/ark.pem",
        "--at",
        "2024-06-01T00:00:00Z",
        "--collateral",
        "examples/snp/ask_ark.pem",
        "examples/snp/report.bin",
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("missing collateral: VCEK certificate for Milan chip"),
        "{err}"
    );
    assert!(
        err.contains("get it from https://kdsintf.amd.com/vcek/v1/Milan/"),
        "{err}"
    );
    let out = at_root(&[
        "verify",
        "--anchor",
        "examples/snp/ark.pem",
        "--at",
        "2024-06-01T00:00:00Z",
        "--collateral",
        "examples/snp/vcek.der",
        "--offline",
        "examples/snp/report.bin",
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("missing collateral: AMD ASK and ARK for Milan; get it from https://kdsintf.amd.com/vcek/v1/Milan/cert_chain and pass it with --collateral"),
        "{err}"
    );
}

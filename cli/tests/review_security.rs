//! Regressions for the security review (issue 11), through the binary: each test here
//! failed on the code before its fix.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use testvectors::real::tdx_dir;

fn verdict(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_verdict"))
        .args(args)
        .output()
        .unwrap()
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
    // Asked for a TD, given an enclave: rejected, never verified as something else.
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
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["verified"], false);
    assert_eq!(v["error"]["kind"], "tee_mismatch");
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
    assert_eq!(code(&human), 1);
    assert_eq!(
        stderr(&human).trim(),
        "verdict: rejected: expected tdx evidence, got sgx evidence"
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

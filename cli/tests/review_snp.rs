//! The binary on a growing collateral set (review issue 11): a same-name ASK that the ARK
//! did not sign, listed before the genuine chain, does not decide the verdict.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use testvectors::build::snp::{report, sign};
use testvectors::pki::amd::{rogue_rsa, AmdPki, Signer};
use testvectors::pki::time::DEFAULT_NOW;
use testvectors::pki::to_pem;
use verifier::snp::Product;

/// Writes a fixture file into `dir` and gives its path.
fn writer(dir: &std::path::Path) -> impl Fn(&str, &[u8]) -> String + '_ {
    move |name, bytes| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_owned()
    }
}

#[test]
fn a_decoy_ask_listed_first_still_verifies() {
    let pki = AmdPki::cached(Product::Milan);
    let mut decoy = pki.specs.ask.clone();
    decoy.signing_key = rogue_rsa();
    let dir = std::env::temp_dir().join(format!("verdict-review-snp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = writer(&dir);
    let ark = write("ark.pem", to_pem("CERTIFICATE", &pki.ark).as_bytes());
    let decoy = write("decoy_ask.der", &decoy.build());
    let chain = write("ask_ark.pem", pki.ask_ark_pem().as_bytes());
    let vcek = write("vcek.der", &pki.vcek);
    let evidence = write(
        "report.bin",
        &sign(pki, Signer::Vcek, &report(pki, Signer::Vcek)),
    );
    let at = verifier::time::rfc3339(verifier::time::from_secs(DEFAULT_NOW));
    let run = |collateral: &[&str]| {
        let mut args = vec!["verify", "--anchor", &ark];
        for c in collateral {
            args.extend(["--collateral", c]);
        }
        args.extend(["--at", &at, &evidence]);
        common::verdict_command().args(&args).output().unwrap()
    };
    let out = run(&[&decoy, &chain, &vcek]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("verified: AMD SEV-SNP report"));
    // The decoy alone is rejected for its signature.
    let out = run(&[&decoy, &ark, &vcek]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("ASK certificate"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Review item 8: strings from collateral reach the terminal escaped. A VCEK whose
/// subject carries a screen-clearing escape, a carriage return and a newline followed by
/// a fake `verified:` line is printed as one escaped line.
#[test]
fn a_crafted_certificate_subject_is_printed_escaped() {
    let pki = AmdPki::cached(Product::Milan);
    let mut vcek = pki.specs.vcek.clone();
    vcek.subject.0.push(testvectors::pki::x509::rdn(
        "OU",
        "\u{1b}[2J\r\nverified: AMD SEV-SNP report",
    ));
    vcek.signing_key = rogue_rsa();
    let dir = std::env::temp_dir().join(format!("verdict-review-esc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = writer(&dir);
    let ark = write("ark.pem", to_pem("CERTIFICATE", &pki.ark).as_bytes());
    let chain = write("ask_ark.pem", pki.ask_ark_pem().as_bytes());
    let vcek = write("vcek.der", &vcek.build());
    let evidence = write(
        "report.bin",
        &sign(pki, Signer::Vcek, &report(pki, Signer::Vcek)),
    );
    let at = verifier::time::rfc3339(verifier::time::from_secs(DEFAULT_NOW));
    let out = common::verdict_command()
        .args([
            "verify",
            "--anchor",
            &ark,
            "--collateral",
            &chain,
            "--collateral",
            &vcek,
            "--at",
            &at,
            &evidence,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        !stderr.chars().any(|c| c.is_control() && c != '\n'),
        "{stderr:?}"
    );
    assert!(
        stderr.contains("\\u{1b}[2J\\u{d}\\u{a}verified: AMD SEV-SNP report"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

//! Every real Intel DCAP vector in `shared/vectors/tdx` verifies to the status its
//! `expected.json` gives (a model of Intel's current Quote Verification Library), at a
//! time inside its collateral's validity window.

use std::path::{Path, PathBuf};

use serde_json::Value;
use testvectors::real::tdx_dir;
use testvectors::verify::VerifyQuote;
use verifier::collateral::Bundle;
use verifier::tdx::QuoteClaims;
use verifier::time::{from_secs, parse_rfc3339};
use verifier::{Error, TrustAnchors, Verifier};

struct Case {
    name: String,
    dir: PathBuf,
    expected: Value,
}

fn cases() -> Vec<Case> {
    let mut out: Vec<Case> = std::fs::read_dir(tdx_dir().join("cases"))
        .expect("cases dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .map(|dir| Case {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            expected: serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap())
                .unwrap(),
            dir,
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(
        out.len() >= 13,
        "expected the 13 staged cases, found {}",
        out.len()
    );
    out
}

/// Every collateral file of a case, raw PCS files and (where present) the dcap-qvl JSON.
fn bundle(dir: &Path, include: impl Fn(&str) -> bool) -> Bundle {
    let mut bundle = Bundle::new();
    for entry in std::fs::read_dir(dir.join("collateral")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if include(&name) {
            bundle
                .add_bytes(&std::fs::read(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
    bundle
}

fn midpoint(expected: &Value) -> u64 {
    let from = parse_rfc3339(expected["valid_from"].as_str().unwrap())
        .unwrap()
        .as_secs();
    let until = parse_rfc3339(expected["valid_until"].as_str().unwrap())
        .unwrap()
        .as_secs();
    from + (until - from) / 2
}

fn raw_files(name: &str) -> bool {
    name != "dcap_qvl_collateral.json" && !name.starts_with("alt_")
}

fn check(case: &Case, bundle: &Bundle) {
    let quote = std::fs::read(case.dir.join("quote.bin")).unwrap();
    let verifier = Verifier::new(TrustAnchors::default());
    let now = from_secs(midpoint(&case.expected));
    let result = verifier.verify_quote(&quote, bundle, now);
    let expected_status = case.expected["intel_qvl_final_status"].as_str().unwrap();
    if expected_status == "TCB_NOT_SUPPORTED" {
        match result {
            Err(e @ Error::Tcb(_)) => assert_eq!(e.kind(), "tcb_not_supported", "{}", case.name),
            other => panic!("{}: expected TCB not supported, got {other:?}", case.name),
        }
        return;
    }
    let verified = result.unwrap_or_else(|e| panic!("{}: {e}", case.name));
    let platform = verified.claims().platform();
    assert_eq!(platform.tcb_status.name(), expected_status, "{}", case.name);
    let launch = &case.expected["intel_qvl_launch"];
    let advisories: Vec<String> = launch["advisory_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(platform.advisory_ids, advisories, "{}", case.name);
    assert_eq!(
        platform.tcb_date,
        launch["tcb_date"].as_str().unwrap(),
        "{}",
        case.name
    );
    assert_eq!(
        platform.trailing_bytes as u64,
        case.expected["trailing_bytes_after_sig_data"]
            .as_u64()
            .unwrap(),
        "{}",
        case.name
    );
    assert_eq!(
        platform.fmspc,
        case.expected["fmspc"].as_str().unwrap().to_lowercase(),
        "{}",
        case.name
    );
    match verified.claims() {
        QuoteClaims::Tdx(td) => {
            assert_eq!(
                Some(td.tee_tcb_svn.as_str()),
                case.expected["tee_tcb_svn"].as_str(),
                "{}",
                case.name
            );
            if let Some(current) = case.expected.get("intel_qvl_current") {
                let got = platform
                    .tcb_current
                    .as_ref()
                    .expect("TD 1.5 current evaluation");
                assert_eq!(got.status.name(), current["status"].as_str().unwrap());
            }
        }
        QuoteClaims::Sgx(_) => assert!(case.name.starts_with("sgx-"), "{}", case.name),
    }
}

#[test]
fn every_case_gets_its_expected_status_from_the_raw_pcs_files() {
    for case in cases() {
        check(&case, &bundle(&case.dir, raw_files));
    }
}

#[test]
fn dcap_qvl_collateral_json_gives_the_same_result() {
    let mut seen = 0;
    for case in cases() {
        if case
            .dir
            .join("collateral/dcap_qvl_collateral.json")
            .is_file()
        {
            check(
                &case,
                &bundle(&case.dir, |n| n == "dcap_qvl_collateral.json"),
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 4, "cases carrying dcap-qvl collateral");
}

//! `verdict verify` and `verdict collateral` against the mock vendor service on
//! 127.0.0.1: collateral fetched and cached, a second run that asks nothing, a bundle
//! for air-gapped use, and a fault's exit code and message.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{code, s, scratch, stderr, stdout};
use mockvendor::{Catalog, Fault, MockVendor};

/// `verdict` pointed at the mock for every vendor, with its own cache.
fn verdict_online(mock: &MockVendor, cache: &Path, args: &[&str]) -> Output {
    let base = mock.base_url();
    Command::new(env!("CARGO_BIN_EXE_verdict"))
        .args(args)
        .env_remove("VERDICT_OFFLINE")
        .env_remove("VERDICT_CONFIG")
        .env("VERDICT_AMD_KDS_URL", &base)
        .env("VERDICT_INTEL_PCS_URL", &base)
        .env("VERDICT_NVIDIA_RIM_URL", &base)
        .env("VERDICT_NVIDIA_OCSP_URL", &base)
        .env("VERDICT_CACHE_DIR", cache)
        .output()
        .unwrap()
}

const VECTOR: &str = "milan-v3-oak-oc-release";
const AT: &str = "2025-01-16T21:21:54Z";

fn report() -> String {
    s(&testvectors::real::snp_dir().join(VECTOR).join("report.bin"))
}

#[test]
fn verify_fetches_caches_and_then_asks_nothing() {
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let cache = scratch("cli-fetch-cache");
    let out = verdict_online(&mock, &cache, &["verify", &report(), "--at", AT]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("verified: AMD SEV-SNP"),
        "{}",
        stdout(&out)
    );
    // The VCEK, the chain, and the CRL (not current then: left out, with a warning).
    let first = mock.request_count();
    assert!(first >= 3, "{:?}", mock.requests());
    assert!(
        stderr(&out).contains("warning: could not fetch optional collateral"),
        "{}",
        stderr(&out)
    );
    // Second run: VCEK and chain from the cache.
    let out = verdict_online(&mock, &cache, &["verify", &report(), "--at", AT]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let again: Vec<String> = mock.requests()[first..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert!(again.iter().all(|p| p.ends_with("/crl")), "{again:?}");
}

#[test]
fn a_bundle_fetched_once_verifies_offline() {
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let cache = scratch("cli-bundle-cache");
    let bundle = scratch("cli-bundle");
    let out = verdict_online(
        &mock,
        &cache,
        &[
            "collateral",
            "fetch",
            &report(),
            "--out",
            &s(&bundle),
            "--at",
            AT,
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(bundle.join("MANIFEST.tsv").exists());
    let out = common::verdict(&["collateral", "show", &s(&bundle), "--at", AT]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let listing = stdout(&out);
    assert!(listing.contains("amd-Milan-vcek-"), "{listing}");
    assert!(listing.contains("amd-Milan-ask-ark-chain.pem"), "{listing}");
    // Offline, with no cache, from the bundle alone.
    let out = common::verdict(&[
        "verify",
        &report(),
        "--offline",
        "--collateral",
        &s(&bundle),
        "--at",
        AT,
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Offline without the bundle: missing collateral, naming where KDS serves it.
    let out = common::verdict(&["verify", &report(), "--offline", "--at", AT]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("run without --offline"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_failing_service_is_exit_3_naming_the_key_the_url_and_the_fault() {
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let cache = scratch("cli-fault-cache");
    mock.inject(Fault::Status(503), "/vcek/", 100);
    let out = verdict_online(&mock, &cache, &["verify", &report(), "--at", AT, "--json"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["error"]["kind"], "collateral_http_status");
    let message = json["error"]["message"].as_str().unwrap();
    assert!(message.contains("VCEK certificate for Milan"), "{message}");
    assert!(message.contains(&mock.base_url()), "{message}");
    assert!(message.contains("HTTP 503 (4 attempts)"), "{message}");
}

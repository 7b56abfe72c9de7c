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
        // The mock is on loopback: no proxy in the environment may reroute it.
        .env("NO_PROXY", "*")
        .env("no_proxy", "*")
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
    // Second run: everything from the cache (the CRL too: it is not yet valid at AT, so
    // its entry is current as far as the cache goes, and left out again).
    let out = verdict_online(&mock, &cache, &["verify", &report(), "--at", AT]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        mock.request_count(),
        first,
        "{:?}",
        &mock.requests()[first..]
    );
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

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

/// `verify --json` through the network path and from the files give the same result:
/// the same exit code and the same claims (or the same error).
fn assert_same_result(network: &Output, files: &Output, what: &str) {
    assert_eq!(code(network), code(files), "{what}: {}", stderr(network));
    let (n, f) = (json(network), json(files));
    assert_eq!(n["claims"], f["claims"], "{what}");
    assert_eq!(n["error"], f["error"], "{what}");
}

#[test]
fn every_real_snp_vector_verifies_with_no_collateral_given() {
    let dir = testvectors::real::snp_dir();
    let expected = std::fs::read_to_string(dir.join("EXPECTED.tsv")).unwrap();
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let cache = scratch("cli-snp-all-cache");
    let mut seen: Vec<String> = Vec::new();
    for line in expected.lines().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        if c[0].starts_with("NEG") || c[6] != "VCEK" || seen.iter().any(|v| v == c[0]) {
            continue;
        }
        seen.push(c[0].to_owned());
        let report = s(&dir.join(c[1]));
        let at = c[15].replace("+00:00", "Z");
        let network = verdict_online(&mock, &cache, &["verify", &report, "--at", &at, "--json"]);
        assert_eq!(code(&network), 0, "{}: {}", c[0], stdout(&network));
        // From files: the VEK and the chain, and the CRL where it is current then (the
        // network path leaves a CRL that is not current out).
        let mut args = vec![
            "verify".to_owned(),
            report.clone(),
            "--at".to_owned(),
            at.clone(),
            "--json".to_owned(),
            "--collateral".to_owned(),
            s(&dir.join(c[2])),
            "--collateral".to_owned(),
            s(&dir.join(c[3])),
        ];
        let crl = dir.join(c[3].replace("_ask_ark.pem", "_crl.der"));
        if c[16] == "True" && crl.exists() {
            args.extend(["--collateral".to_owned(), s(&crl)]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let files = common::verdict(&args);
        assert_same_result(&network, &files, c[0]);
        // Again: nothing asked.
        let asked = mock.request_count();
        let again = verdict_online(&mock, &cache, &["verify", &report, "--at", &at, "--json"]);
        assert_same_result(&again, &files, c[0]);
        assert_eq!(
            mock.request_count(),
            asked,
            "{}: {:?}",
            c[0],
            &mock.requests()[asked..]
        );
    }
    assert!(seen.len() >= 12, "{seen:?}");
}

#[test]
fn every_real_tdx_and_sgx_case_verifies_with_no_collateral_given() {
    let cases = Catalog::intel_case_names().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let dir = testvectors::real::tdx_dir().join("cases").join(&case);
        let expected: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
        let t = |k: &str| {
            verifier::time::parse_rfc3339(expected[k].as_str().unwrap())
                .unwrap()
                .as_secs()
        };
        let at = verifier::time::rfc3339(verifier::time::from_secs(
            t("valid_from") + (t("valid_until") - t("valid_from")) / 2,
        ));
        let mock = MockVendor::start(Catalog::intel_case(&case).unwrap());
        let cache = scratch(&format!("cli-tdx-{case}"));
        let quote = s(&dir.join("quote.bin"));
        let network = verdict_online(&mock, &cache, &["verify", &quote, "--at", &at, "--json"]);
        let files = common::verdict(&[
            "verify",
            &quote,
            "--at",
            &at,
            "--json",
            "--collateral",
            &s(&dir.join("collateral")),
        ]);
        assert_same_result(&network, &files, &case);
        // Again: all from the cache.
        let asked = mock.request_count();
        let again = verdict_online(&mock, &cache, &["verify", &quote, "--at", &at, "--json"]);
        assert_same_result(&again, &files, &case);
        assert_eq!(
            mock.request_count(),
            asked,
            "{case}: {:?}",
            &mock.requests()[asked..]
        );
    }
}

#[test]
fn the_h100_set_verifies_with_only_its_device_chain() {
    let mock = MockVendor::start(Catalog::nvidia().unwrap());
    let cache = scratch("cli-h100-cache");
    let set = testvectors::real::nvidia_dir().join("setA_h100_550.90.07");
    let report = s(&set.join("attestation_report.hex"));
    let chain = s(&set.join("device_cert_chain.pem"));
    let args = [
        "verify",
        &report,
        "--tee",
        "nvidia",
        "--collateral",
        &chain,
        "--at",
        "2025-08-21T12:00:00Z",
        "--json",
    ];
    let network = verdict_online(&mock, &cache, &args);
    assert_eq!(code(&network), 0, "{}", stderr(&network));
    // Both RIMs from the RIM service, and OCSP answers POSTed for.
    let requests = mock.requests();
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.path.starts_with("/v1/rim/"))
            .count(),
        2,
        "{requests:?}"
    );
    assert!(requests.iter().any(|r| r.method == "POST"), "{requests:?}");
    let files = common::verdict(&[
        "verify",
        &report,
        "--tee",
        "nvidia",
        "--collateral",
        &s(&set),
        "--collateral",
        &s(&set.join("ocsp")),
        "--at",
        "2025-08-21T12:00:00Z",
        "--json",
    ]);
    assert_same_result(&network, &files, "setA");
    // Again: nothing asked.
    let asked = mock.request_count();
    let again = verdict_online(&mock, &cache, &args);
    assert_same_result(&again, &files, "setA again");
    assert_eq!(
        mock.request_count(),
        asked,
        "{:?}",
        &mock.requests()[asked..]
    );
}

/// A quote naming its PCK certificate by encrypted PPID (type 3), of the fake Intel PKI:
/// `verify` fetches the certificate from PCS (the mock), sending the subscription key
/// from the environment with that request only, and verifies.
#[test]
fn verify_fetches_the_pck_certificate_of_a_type3_quote() {
    use testvectors::build::tdx::{Collateral, PckCertId, QuoteSpec};
    use testvectors::pki::intel::IntelPki;
    use testvectors::pki::time::{rfc3339, DEFAULT_NOW};

    let pki = IntelPki::cached();
    let id = PckCertId::for_pki(pki, "cli fetching");
    let catalog = Catalog::intel_fake(
        &Collateral::tdx_default(pki),
        &id,
        &pki.pcs_pck_certificate(),
    )
    .unwrap();
    let mock = MockVendor::start(catalog);
    let dir = scratch("cli-type3");
    std::fs::create_dir_all(&dir).unwrap();
    let quote = dir.join("quote.bin");
    std::fs::write(
        &quote,
        QuoteSpec::tdx_v4_default()
            .with_encrypted_ppid(&id)
            .build(pki),
    )
    .unwrap();
    let root = dir.join("root.pem");
    std::fs::write(&root, pki.root_pem()).unwrap();
    let at = rfc3339(DEFAULT_NOW);
    let run = |key: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_verdict"));
        command
            .args(["verify", &s(&quote), "--at", &at, "--anchor", &s(&root)])
            .env_remove("VERDICT_OFFLINE")
            .env_remove("VERDICT_CONFIG")
            .env_remove("VERDICT_INTEL_API_KEY")
            .env("VERDICT_INTEL_PCS_URL", mock.base_url())
            .arg("--no-cache");
        if let Some(key) = key {
            command.env("VERDICT_INTEL_API_KEY", key);
        }
        command.output().unwrap()
    };
    let out = run(Some("cli-subscription-key"));
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("verified: Intel TDX quote v4"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains(
            "PCK certificate by encrypted PPID from the collateral, certification data type 3"
        ),
        "{}",
        stdout(&out)
    );
    let requests = mock.requests();
    assert!(requests.iter().all(|r| {
        (r.path == "/sgx/certification/v4/pckcert")
            == (r.subscription_key.as_deref() == Some("cli-subscription-key"))
    }));
    assert!(
        requests
            .iter()
            .any(|r| r.path == "/sgx/certification/v4/pckcert"),
        "{requests:?}"
    );

    // Offline, with nothing fetched: the missing PCK certificate is named (exit 3).
    let out = common::verdict(&["verify", &s(&quote), "--at", &at, "--anchor", &s(&root)]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Intel SGX PCK certificate for encrypted PPID"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn urls_come_from_flags_then_environment_then_the_config_file() {
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let dir = scratch("cli-config");
    let config = dir.join("verdict.toml");
    let cache = dir.join("cache");
    std::fs::write(
        &config,
        format!(
            "amd_kds_url = \"{}\"\ncache_dir = \"{}\"\n",
            mock.base_url(),
            cache.display()
        ),
    )
    .unwrap();
    let run = |extra_env: &[(&str, &str)], extra_args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_verdict"));
        command
            .args(["verify", &report(), "--at", AT, "--config", &s(&config)])
            .args(extra_args)
            .env_remove("VERDICT_OFFLINE")
            .env_remove("VERDICT_AMD_KDS_URL")
            .env_remove("VERDICT_CACHE_DIR")
            .env("NO_PROXY", "*")
            .env("no_proxy", "*");
        for (k, v) in extra_env {
            command.env(k, v);
        }
        command.output().unwrap()
    };
    // The config file alone: the mock is asked, the cache is the file's.
    let out = run(&[], &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(mock.request_count() > 0);
    assert!(
        cache.read_dir().unwrap().next().is_some(),
        "the config's cache is used"
    );
    // The environment wins over the file: a dead URL, no cache, fails naming it.
    let dead = "http://127.0.0.1:9";
    let out = run(
        &[("VERDICT_AMD_KDS_URL", dead)],
        &["--no-cache", "--fetch-timeout", "2", "--json"],
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("http://127.0.0.1:9/vcek/v1/Milan/"),
        "{}",
        stdout(&out)
    );
    // The flag wins over the environment.
    let out = run(
        &[("VERDICT_AMD_KDS_URL", dead)],
        &["--no-cache", "--amd-kds-url", &mock.base_url()],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // A key the file does not know is an error naming the file.
    std::fs::write(&config, "amd_kds = \"x\"\n").unwrap();
    let out = run(&[], &[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("verdict.toml"), "{}", stderr(&out));
}

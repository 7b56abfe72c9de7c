//! Fetching over real HTTP from the mock vendor service on 127.0.0.1, which serves the
//! real collateral under the vendors' URL paths: every real vector verifies through the
//! network path as it does from files, a second run is served by the cache, and each
//! fault a service can show has its own clear error.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use collateral::{
    resolve, Cache, Endpoints, FetchErrorKind, Http, HttpOptions, Origin, Quiet, Resolved, Source,
};
use mockvendor::{Catalog, Fault, MockVendor};
use verifier::collateral::Bundle;
use verifier::needs::{AmdSigner, CollateralKey};
use verifier::snp::{Product, SnpOptions, TcbParts};
use verifier::time::{parse_rfc3339, UnixTime};
use verifier::{Evidence, Expectations, TrustAnchors, Verifier};

fn options() -> HttpOptions {
    let mut options = HttpOptions::default();
    options.timeout = Duration::from_millis(700);
    options.backoff = Duration::from_millis(20);
    options.max_backoff = Duration::from_millis(100);
    options.max_retry_after = Duration::from_secs(2);
    options.max_body = 1 << 20;
    // The mock is on loopback: a proxy in the environment must not reroute it.
    options.proxy_from_environment = false;
    options
}

fn http(mock: &MockVendor) -> Http {
    let base = mock.base_url();
    let endpoints = Endpoints::vendors()
        .with_amd_kds(&base)
        .with_intel_pcs(&base)
        .with_nvidia_rim(&base)
        .with_nvidia_ocsp(&base);
    Http::new(endpoints, options()).unwrap()
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verdict-fetch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn fetch_for(
    evidence: &Evidence,
    expectations: &Expectations,
    source: &dyn Source,
    now: UnixTime,
) -> Resolved {
    block_on(resolve(
        evidence,
        expectations,
        Bundle::new(),
        source,
        now,
        &Quiet,
    ))
}

/// One row per real SNP vector with a KDS-served VCEK (not the VLEK, not the negative
/// pairings), from EXPECTED.tsv.
struct SnpRow {
    vector: String,
    report: PathBuf,
    vek: PathBuf,
    chain: PathBuf,
    crl: Option<PathBuf>,
    at: UnixTime,
}

fn snp_rows() -> Vec<SnpRow> {
    let dir = testvectors::real::snp_dir();
    let text = std::fs::read_to_string(dir.join("EXPECTED.tsv")).unwrap();
    let mut rows: Vec<SnpRow> = Vec::new();
    for line in text.lines().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        if c[0].starts_with("NEG") || c[6] != "VCEK" || rows.iter().any(|r| r.vector == c[0]) {
            continue;
        }
        let crl = dir.join(c[3].replace("_ask_ark.pem", "_crl.der"));
        rows.push(SnpRow {
            vector: c[0].to_owned(),
            report: dir.join(c[1]),
            vek: dir.join(c[2]),
            chain: dir.join(c[3]),
            crl: (c[16] == "True" && crl.exists()).then_some(crl),
            at: parse_rfc3339(&c[15].replace("+00:00", "Z")).unwrap(),
        });
    }
    assert!(rows.len() >= 12, "{} SNP vectors", rows.len());
    rows
}

fn default_expectations(tee: verifier::Tee) -> Expectations {
    match tee {
        verifier::Tee::Snp => Expectations::snp(SnpOptions::default()),
        verifier::Tee::Tdx => Expectations::tdx(Default::default()),
        verifier::Tee::Sgx => Expectations::sgx(Default::default()),
        _ => Expectations::nvidia(Default::default()),
    }
}

fn files(paths: &[&Path]) -> Bundle {
    collateral::load_paths(paths).unwrap().bundle
}

#[test]
fn every_real_snp_vector_verifies_through_the_network_and_then_the_cache() {
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let dir = scratch("snp");
    let cache = Cache::new(&dir, http(&mock));
    let verifier = Verifier::new(TrustAnchors::default());
    for row in snp_rows() {
        let evidence = Evidence::from_bytes(&std::fs::read(&row.report).unwrap(), None).unwrap();
        let expectations = Expectations::snp(SnpOptions::default());
        let before = mock.request_count();
        let resolved = fetch_for(&evidence, &expectations, &cache, row.at);
        for (requirement, error) in &resolved.failed {
            assert!(requirement.optional, "{}: {error}", row.vector);
        }
        // Vectors of one chip share their VCEK: a later one may be served by the cache.
        assert!(!resolved.fetched.is_empty(), "{}", row.vector);
        let from_network = verifier
            .verify(&evidence, &resolved.bundle, &expectations, row.at)
            .unwrap_or_else(|e| panic!("{}: {e}", row.vector));
        // The same claims as from the files (with the CRL where it is current).
        let mut paths: Vec<&Path> = vec![&row.vek, &row.chain];
        if let Some(crl) = &row.crl {
            paths.push(crl);
        }
        let from_files = verifier
            .verify(&evidence, &files(&paths), &expectations, row.at)
            .unwrap();
        assert_eq!(from_network.claims(), from_files.claims(), "{}", row.vector);
        // Again: no request at all. Everything is in the cache: current entries, the
        // 404 of a CRL KDS lacks, and a CRL that was already past its nextUpdate when
        // fetched (KDS had nothing newer).
        let asked = mock.request_count();
        let again = fetch_for(&evidence, &expectations, &cache, row.at);
        assert_eq!(
            mock.request_count(),
            asked,
            "{}: {:?}",
            row.vector,
            &mock.requests()[asked..]
        );
        assert!(
            again
                .fetched
                .iter()
                .all(|(_, f)| matches!(f.origin, Origin::Cache { stale: None, .. })),
            "{}",
            row.vector
        );
        assert!(mock.request_count() >= before);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_real_tdx_and_sgx_case_verifies_through_the_network() {
    let cases = Catalog::intel_case_names().unwrap();
    assert!(cases.len() >= 10);
    let verifier = Verifier::new(TrustAnchors::default());
    for case in cases {
        let dir = testvectors::real::tdx_dir().join("cases").join(&case);
        let expected: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
        let from = parse_rfc3339(
            &expected["valid_from"]
                .as_str()
                .unwrap()
                .replace(' ', "T")
                .replace("+00:00", "Z"),
        )
        .unwrap();
        let now = verifier::time::from_secs(verifier::time::secs(from) + 60);
        let mock = MockVendor::start(Catalog::intel_case(&case).unwrap());
        let evidence =
            Evidence::from_bytes(&std::fs::read(dir.join("quote.bin")).unwrap(), None).unwrap();
        let expectations = default_expectations(evidence.tee());
        let resolved = fetch_for(&evidence, &expectations, &http(&mock), now);
        assert!(resolved.failed.is_empty(), "{case}: {:?}", resolved.failed);
        let from_network = verifier.verify(&evidence, &resolved.bundle, &expectations, now);
        let from_files = verifier.verify(
            &evidence,
            &files(&[&dir.join("collateral")]),
            &expectations,
            now,
        );
        match (&from_network, &from_files) {
            (Ok(n), Ok(f)) => assert_eq!(n.claims(), f.claims(), "{case}"),
            (Err(n), Err(f)) => assert_eq!(n.to_string(), f.to_string(), "{case}"),
            _ => panic!("{case}: network {from_network:?} files {from_files:?}"),
        }
        // For SGX, the QE Identity and the TCB Signing chain in its header share one
        // request (for TDX the chain is first asked at the SGX path, which this case's
        // service does not hold).
        if case.starts_with("sgx") {
            let identity_requests = mock
                .requests()
                .iter()
                .filter(|s| s.path.ends_with("/qe/identity"))
                .count();
            assert_eq!(identity_requests, 1, "{case}");
        }
    }
}

#[test]
fn the_h100_set_verifies_with_only_its_device_chain_rims_and_ocsp_fetched() {
    let mock = MockVendor::start(Catalog::nvidia().unwrap());
    let set = testvectors::real::nvidia_dir().join("setA_h100_550.90.07");
    // The raw report with its device chain, as the GPU returns them; nothing else.
    let gpu = Evidence::Gpus(vec![verifier::nvidia::GpuEvidence::new(
        verifier::evidence::decode(&std::fs::read(set.join("attestation_report.hex")).unwrap()),
        std::fs::read(set.join("device_cert_chain.pem")).unwrap(),
    )]);
    let expectations = default_expectations(gpu.tee());
    // When the device chain's recorded OCSP answers are current (the RIM chains' are not
    // yet: no moment has all current, so OCSP stays a claim).
    let now = parse_rfc3339("2025-08-21T12:00:00Z").unwrap();
    let resolved = fetch_for(&gpu, &expectations, &http(&mock), now);
    let rims = resolved
        .fetched
        .iter()
        .filter(|(k, _)| matches!(k, CollateralKey::NvidiaRim { .. }))
        .count();
    let ocsp = resolved
        .fetched
        .iter()
        .filter(|(k, _)| matches!(k, CollateralKey::NvidiaOcsp(_)))
        .count();
    assert_eq!(rims, 2, "{:?}", resolved.failed);
    assert!(
        ocsp >= 3,
        "{ocsp} OCSP answers; failed {:?}",
        resolved.failed
    );
    let verified = Verifier::new(TrustAnchors::default())
        .verify(&gpu, &resolved.bundle, &expectations, now)
        .unwrap();
    let from_files = Verifier::new(TrustAnchors::default())
        .verify(&gpu, &files(&[&set, &set.join("ocsp")]), &expectations, now)
        .unwrap();
    assert_eq!(verified.claims(), from_files.claims());
}

// ---- faults ----

fn milan_vcek() -> (CollateralKey, UnixTime) {
    let row = snp_rows()
        .into_iter()
        .find(|r| r.vector == "milan-v3-oak-oc-release")
        .unwrap();
    let evidence = Evidence::from_bytes(&std::fs::read(&row.report).unwrap(), None).unwrap();
    let key = evidence
        .requirements(&Bundle::new(), &Expectations::snp(SnpOptions::default()))
        .into_iter()
        .map(|r| r.key)
        .find(|k| matches!(k, CollateralKey::AmdVcek { .. }))
        .unwrap();
    (key, row.at)
}

fn fetch_one(source: &dyn Source, key: &CollateralKey, now: UnixTime) -> FetchErrorKind {
    let err = block_on(source.fetch(key, now)).unwrap_err();
    assert!(
        err.url
            .as_deref()
            .is_some_and(|u| u.starts_with("http://127.0.0.1")),
        "{err}"
    );
    err.kind
}

#[test]
fn a_service_slower_than_the_timeout_is_a_timeout_after_the_retries() {
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let (key, now) = milan_vcek();
    mock.inject(Fault::Delay(Duration::from_secs(3)), "/vcek/", 10);
    let kind = fetch_one(&http(&mock), &key, now);
    assert_eq!(
        kind,
        FetchErrorKind::Timeout {
            timeout: Duration::from_millis(700),
            attempts: 4
        }
    );
    assert_eq!(mock.request_count(), 4);
}

#[test]
fn server_errors_are_retried_and_then_named() {
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let (key, now) = milan_vcek();
    // One 503, then the answer.
    mock.inject(Fault::Status(503), "/vcek/", 1);
    let fetched = block_on(http(&mock).fetch(&key, now)).unwrap();
    assert!(matches!(fetched.origin, Origin::Network { .. }));
    assert_eq!(mock.request_count(), 2);
    // 500 every time: the status, after every attempt.
    mock.inject(Fault::Status(500), "/vcek/", 10);
    let kind = fetch_one(&http(&mock), &key, now);
    assert_eq!(
        kind,
        FetchErrorKind::Status {
            status: 500,
            attempts: 4
        }
    );
    // A 4xx other than 429 is not retried.
    mock.clear_faults();
    mock.clear_requests();
    mock.inject(Fault::Status(403), "/vcek/", 10);
    let kind = fetch_one(&http(&mock), &key, now);
    assert_eq!(
        kind,
        FetchErrorKind::Status {
            status: 403,
            attempts: 1
        }
    );
    assert_eq!(mock.request_count(), 1);
}

#[test]
fn rate_limiting_honours_retry_after_within_its_bound() {
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let (key, now) = milan_vcek();
    mock.inject(Fault::TooManyRequests { retry_after: 1 }, "/vcek/", 1);
    let started = std::time::Instant::now();
    block_on(http(&mock).fetch(&key, now)).unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After not honoured"
    );
    assert_eq!(mock.request_count(), 2);
    // Asked to wait an hour: no waiting, the error says how long it asked.
    mock.clear_requests();
    mock.inject(Fault::TooManyRequests { retry_after: 3600 }, "/vcek/", 10);
    let kind = fetch_one(&http(&mock), &key, now);
    assert_eq!(
        kind,
        FetchErrorKind::RateLimited {
            retry_after: Some(3600),
            attempts: 1
        }
    );
    assert!(kind.to_string().contains("Retry-After 3600s"), "{kind}");
}

#[test]
fn truncated_bodies_and_resets_are_transport_errors() {
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let (key, now) = milan_vcek();
    for fault in [Fault::Truncate(100), Fault::Reset] {
        mock.clear_faults();
        mock.inject(fault.clone(), "/vcek/", 10);
        let kind = fetch_one(&http(&mock), &key, now);
        assert!(
            matches!(kind, FetchErrorKind::Transport { attempts: 4, .. }),
            "{fault:?}: {kind}"
        );
    }
    // Once only: the retry gets the answer.
    mock.clear_faults();
    mock.inject(Fault::Reset, "/vcek/", 1);
    block_on(http(&mock).fetch(&key, now)).unwrap();
}

#[test]
fn oversized_responses_are_refused() {
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let (key, now) = milan_vcek();
    mock.inject(Fault::Oversize(2 << 20), "/vcek/", 10);
    let kind = fetch_one(&http(&mock), &key, now);
    assert_eq!(kind, FetchErrorKind::TooLarge { limit: 1 << 20 });
}

#[test]
fn answers_that_are_not_what_was_asked_are_refused_naming_what_they_are() {
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let (key, now) = milan_vcek();
    let snp = testvectors::real::snp_dir();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        // Another chip's VCEK (same product line).
        (
            std::fs::read(snp.join("milan-v2-virtee/vcek.der")).unwrap(),
            "the VCEK of another chip",
        ),
        // A CRL where a certificate was asked.
        (
            std::fs::read(snp.join("roots/milan_crl.der")).unwrap(),
            "a CRL where certificates was asked",
        ),
        (b"<html>maintenance</html>".to_vec(), "not collateral"),
    ];
    for (body, expected) in cases {
        mock.clear_faults();
        mock.inject(Fault::ReplaceBody(body), "/vcek/", 10);
        let kind = fetch_one(&http(&mock), &key, now);
        match &kind {
            FetchErrorKind::WrongContent(why) => assert!(why.contains(expected), "{why}"),
            other => panic!("{other}"),
        }
    }
    // A certificate where a CRL was asked.
    let crl = CollateralKey::AmdCrl {
        product: Product::Milan,
        signer: AmdSigner::Vcek,
    };
    mock.clear_faults();
    mock.inject(
        Fault::ReplaceBody(std::fs::read(snp.join("milan-v2-virtee/vcek.der")).unwrap()),
        "/vcek/v1/Milan/crl",
        10,
    );
    let kind = fetch_one(&http(&mock), &crl, now);
    assert!(
        kind.to_string()
            .contains("certificates where a CRL was asked"),
        "{kind}"
    );
}

#[test]
fn a_key_kds_does_not_have_is_not_found() {
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let (_, now) = milan_vcek();
    let unknown = CollateralKey::AmdVcek {
        product: Some(Product::Milan),
        hw_id: vec![0x5a; 64],
        tcb: TcbParts {
            fmc: None,
            bootloader: 1,
            tee: 0,
            snp: 1,
            microcode: 1,
        },
    };
    assert_eq!(
        fetch_one(&http(&mock), &unknown, now),
        FetchErrorKind::NotFound
    );
}

#[test]
fn two_verifications_needing_one_vcek_make_one_request() {
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let (key, now) = milan_vcek();
    // Slow enough that both are in flight together.
    mock.inject(Fault::Delay(Duration::from_millis(300)), "/vcek/", 1);
    let source = http(&mock);
    let keys = [key.clone(), key.clone(), key];
    let results = block_on(collateral::fetch_all(&source, &keys, now));
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(mock.request_count(), 1, "{:?}", mock.requests());
}

#[test]
fn a_pccs_root_ca_crl_in_hex_text_is_read() {
    // A PCCS sends the root CA's CRL as hex text at its own path.
    let case = "tdx-v4-phala-b0c06f-uptodate";
    let der = std::fs::read(
        testvectors::real::tdx_dir()
            .join("cases")
            .join(case)
            .join("collateral/root_ca_crl.der"),
    )
    .unwrap();
    let mut catalog = Catalog::intel_case(case).unwrap();
    catalog.route(
        "/sgx/certification/v4/rootcacrl",
        &[],
        hex::encode(&der),
        &[("Content-Type", "text/plain")],
    );
    let mock = MockVendor::start(catalog);
    let now = parse_rfc3339("2025-07-01T00:00:00Z").unwrap();
    let fetched = block_on(http(&mock).fetch(&CollateralKey::IntelRootCaCrl, now)).unwrap();
    assert_eq!(fetched.bytes, der);
    match &fetched.origin {
        Origin::Network { url } => {
            assert!(url.ends_with("/sgx/certification/v4/rootcacrl"), "{url}")
        }
        other => panic!("{other:?}"),
    }
}

// ---- PCK certificates by encrypted PPID (certification data type 3) ----

mod pck_by_ppid {
    use super::*;
    use testvectors::build::tdx::{Collateral, PckCertId, QuoteSpec};
    use testvectors::pki::intel::{rogue_p256, IntelKeys, IntelPki};
    use testvectors::pki::time::DEFAULT_NOW;
    use verifier::tdx::TdxOptions;

    fn pki() -> &'static IntelPki {
        IntelPki::cached()
    }

    fn id() -> PckCertId {
        PckCertId::for_pki(pki(), "fetch_mock")
    }

    fn now() -> UnixTime {
        verifier::time::from_secs(DEFAULT_NOW)
    }

    fn verifier() -> Verifier {
        Verifier::new(TrustAnchors {
            intel_root: vec![pki().root_spki_sha256()],
            ..TrustAnchors::empty()
        })
    }

    fn quote() -> Evidence {
        let bytes = QuoteSpec::tdx_v4_default()
            .with_encrypted_ppid(&id())
            .build(pki());
        Evidence::from_bytes(&bytes, None).unwrap()
    }

    fn expectations() -> Expectations {
        Expectations::tdx(TdxOptions::default())
    }

    /// The fake PKI's PCS, serving `pck`'s certificate for the quote's platform.
    fn pcs(pck: &IntelPki, id: &PckCertId) -> MockVendor {
        let catalog = Catalog::intel_fake(
            &Collateral::tdx_default(pki()),
            id,
            &pck.pcs_pck_certificate(),
        )
        .unwrap();
        MockVendor::start(catalog)
    }

    fn with_key(mock: &MockVendor, key: Option<&str>) -> Http {
        let base = mock.base_url();
        let mut options = options();
        options.intel_api_key = key.map(str::to_owned);
        Http::new(Endpoints::vendors().with_intel_pcs(&base), options).unwrap()
    }

    #[test]
    fn a_type3_quote_verifies_with_its_pck_certificate_fetched_from_pcs() {
        let mock = pcs(pki(), &id());
        let evidence = quote();
        let resolved = fetch_for(
            &evidence,
            &expectations(),
            &with_key(&mock, Some("test-subscription-key")),
            now(),
        );
        assert!(resolved.failed.is_empty(), "{:?}", resolved.failed);
        let kinds: Vec<&str> = resolved.fetched.iter().map(|(k, _)| k.kind()).collect();
        assert!(kinds.contains(&"intel_pck_certificate"), "{kinds:?}");
        assert!(kinds.contains(&"intel_pck_ca_chain"), "{kinds:?}");
        let from_network = verifier()
            .verify(&evidence, &resolved.bundle, &expectations(), now())
            .unwrap();
        let verifier::Claims::Tdx(claims) = from_network.claims() else {
            panic!("{:?}", from_network.claims())
        };
        assert_eq!(claims.platform.certification_data_type, 3);

        // The same claims from a bundle of the same files (PCS's answer as a file).
        let mut bundle = Bundle::new();
        for (_, bytes) in Collateral::tdx_default(pki()).files() {
            bundle.add_bytes(&bytes).unwrap();
        }
        bundle
            .add_bytes(pki().pcs_pck_certificate().pem.as_bytes())
            .unwrap();
        let from_files = verifier()
            .verify(&evidence, &bundle, &expectations(), now())
            .unwrap();
        assert_eq!(from_network.claims(), from_files.claims());

        // One pckcert request, the only one with the subscription key; the PCK CA chain
        // came from the header of the PCK CRL's response (one request for both).
        let requests = mock.requests();
        let pckcert: Vec<_> = requests
            .iter()
            .filter(|s| s.path == "/sgx/certification/v4/pckcert")
            .collect();
        assert_eq!(pckcert.len(), 1, "{requests:?}");
        assert_eq!(
            pckcert[0].subscription_key.as_deref(),
            Some("test-subscription-key")
        );
        assert!(pckcert[0].query.contains(&format!(
            "encrypted_ppid={}",
            hex::encode(&id().encrypted_ppid)
        )));
        // The mock is not Intel's PCS, so it is asked as a PCCS: with the QE-ID too.
        assert!(
            pckcert[0].query.contains(&format!(
                "pcesvn=0d00&pceid=0000&qeid={}",
                hex::encode(id().qe_id)
            )),
            "{}",
            pckcert[0].query
        );
        assert!(requests
            .iter()
            .filter(|s| s.path != "/sgx/certification/v4/pckcert")
            .all(|s| s.subscription_key.is_none()));
        let pckcrl = requests
            .iter()
            .filter(|s| s.path == "/sgx/certification/v4/pckcrl")
            .count();
        assert_eq!(pckcrl, 1, "{requests:?}");

        // A PCCS wants no key, and gets none.
        let mock = pcs(pki(), &id());
        let resolved = fetch_for(&evidence, &expectations(), &with_key(&mock, None), now());
        assert!(resolved.failed.is_empty(), "{:?}", resolved.failed);
        assert!(mock.requests().iter().all(|s| s.subscription_key.is_none()));
    }

    #[test]
    fn a_type2_quote_is_served_by_a_pccs_by_qe_id() {
        let two = PckCertId::rsa2048_for_pki(pki(), "fetch_mock type 2");
        let mock = pcs(pki(), &two);
        let bytes = QuoteSpec::tdx_v4_default()
            .with_encrypted_ppid(&two)
            .build(pki());
        let evidence = Evidence::from_bytes(&bytes, None).unwrap();
        let resolved = fetch_for(&evidence, &expectations(), &with_key(&mock, None), now());
        assert!(resolved.failed.is_empty(), "{:?}", resolved.failed);
        let verified = verifier()
            .verify(&evidence, &resolved.bundle, &expectations(), now())
            .unwrap();
        let verifier::Claims::Tdx(claims) = verified.claims() else {
            panic!("{:?}", verified.claims())
        };
        assert_eq!(claims.platform.certification_data_type, 2);
        let pckcert = mock
            .requests()
            .into_iter()
            .find(|s| s.path == "/sgx/certification/v4/pckcert")
            .unwrap();
        assert!(
            !pckcert.query.contains("encrypted_ppid"),
            "{}",
            pckcert.query
        );
        assert!(pckcert.query.contains("qeid="), "{}", pckcert.query);
    }

    #[test]
    fn another_platforms_pck_certificate_from_pcs_fails_verification() {
        // PCS answers with a PCK certificate of the same CAs, but another platform's key.
        let other = IntelPki::builder()
            .keys(IntelKeys {
                pck: rogue_p256(),
                ..IntelKeys::committed()
            })
            .build();
        let mock = pcs(&other, &id());
        let evidence = quote();
        let resolved = fetch_for(&evidence, &expectations(), &with_key(&mock, None), now());
        // It answers the key as far as a fetcher can tell (issuer, PCE-ID) ...
        assert!(resolved
            .fetched
            .iter()
            .any(|(k, _)| k.kind() == "intel_pck_certificate"));
        // ... and verification finds it is not this platform's.
        let e = verifier()
            .verify(&evidence, &resolved.bundle, &expectations(), now())
            .unwrap_err();
        assert_eq!(e.kind(), "pck_certificate_mismatch", "{e}");
    }

    #[test]
    fn a_pck_certificate_pcs_does_not_have_is_missing_collateral_by_name() {
        // PCS knows another encrypted PPID only.
        let mock = pcs(pki(), &PckCertId::for_pki(pki(), "another ppid"));
        let evidence = quote();
        let resolved = fetch_for(&evidence, &expectations(), &with_key(&mock, None), now());
        let key = CollateralKey::IntelPckCertificate {
            encrypted_ppid: id().encrypted_ppid,
            cpusvn: id().cpusvn,
            pcesvn: id().pcesvn,
            pceid: id().pceid,
            qe_id: id().qe_id,
        };
        assert_eq!(
            resolved.failure(&key).map(|e| &e.kind),
            Some(&FetchErrorKind::NotFound)
        );
        let e = verifier()
            .verify(&evidence, &resolved.bundle, &expectations(), now())
            .unwrap_err();
        let verifier::Error::MissingCollateral { key: missing } = &e else {
            panic!("{e}")
        };
        assert_eq!(missing, &key);
    }

    #[test]
    fn an_answer_that_is_no_pck_certificate_is_refused() {
        let mock = pcs(pki(), &id());
        let key = CollateralKey::IntelPckCertificate {
            encrypted_ppid: id().encrypted_ppid,
            cpusvn: id().cpusvn,
            pcesvn: id().pcesvn,
            pceid: id().pceid,
            qe_id: id().qe_id,
        };
        let source = with_key(&mock, None);
        // The TCB Signing certificate where the PCK certificate was asked.
        mock.inject(
            Fault::ReplaceBody(pki().tcb_signing_chain_pem().into_bytes()),
            "/sgx/certification/v4/pckcert",
            10,
        );
        match fetch_one(&source, &key, now()) {
            FetchErrorKind::WrongContent(why) => {
                assert!(
                    why.contains("2 certificates where one PCK certificate"),
                    "{why}"
                )
            }
            other => panic!("{other}"),
        }
        // A PCK certificate for a higher PCESVN than the platform's.
        let higher = IntelPki::builder().modify_pck(|p| p.pcesvn = 14).build();
        mock.clear_faults();
        mock.inject(
            Fault::ReplaceBody(higher.pcs_pck_certificate().pem.into_bytes()),
            "/sgx/certification/v4/pckcert",
            10,
        );
        match fetch_one(&source, &key, now()) {
            FetchErrorKind::WrongContent(why) => {
                assert!(why.contains("PCESVN 14 above the platform's 13"), "{why}")
            }
            other => panic!("{other}"),
        }
    }
}

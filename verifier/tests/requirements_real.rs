//! `Evidence::requirements` against the collateral each real vector actually uses.
//!
//! For every real SEV-SNP, Intel DCAP and NVIDIA H100 vector: the keys are unfolded
//! stage by stage (as a fetcher would, adding what it found for each listed key), the
//! bundle made of exactly what serves the listed keys verifies to the same claims as the
//! vector's whole collateral, removing what serves any one required key fails with
//! `MissingCollateral` naming that key, and removing an optional key's collateral still
//! verifies. `Bundle::missing` agrees at each end.

use std::path::Path;

use testvectors::real::{nvidia_dir, snp_dir, tdx_dir};
use verifier::collateral::{Bundle, Item};
use verifier::nvidia::{GpuEvidence, NvidiaOptions};
use verifier::time::{from_secs, parse_rfc3339, UnixTime};
use verifier::{Error, Evidence, Expectations, Requirement, TrustAnchors, Verifier};

fn at(t: &str) -> UnixTime {
    parse_rfc3339(t).unwrap_or_else(|| panic!("time {t}"))
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn add(bundle: &mut Bundle, path: &Path) {
    bundle
        .add_bytes(&read(path))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// `bundle` without the items of `removed`.
fn without(bundle: &Bundle, removed: &Bundle) -> Bundle {
    let mut out = bundle.clone();
    out.retain(|item| match item {
        Item::Certificate(c) => !removed.certificates().contains(c),
        Item::Crl(c) => !removed.crls().contains(c),
        Item::TcbInfo(t) => !removed.tcb_infos().contains(t),
        Item::QeIdentity(q) => !removed.qe_identities().contains(q),
        Item::Rim(r) => !removed.rims().contains(r),
        Item::OcspResponse(r) => !removed.ocsp_responses().contains(r),
    });
    out
}

/// Unfolds the requirements against `full` until nothing new is listed; returns the
/// final list and the bundle of exactly what serves it.
fn unfold(
    evidence: &Evidence,
    full: &Bundle,
    expectations: &Expectations,
) -> (Vec<Requirement>, Bundle) {
    let mut known = Bundle::new();
    let mut listed: Vec<Requirement> = Vec::new();
    for _stage in 0..5 {
        let needs = evidence.requirements(&known, expectations);
        if needs == listed {
            return (listed, known);
        }
        known = Bundle::new();
        for need in &needs {
            known.extend(full.select(evidence, &need.key));
        }
        listed = needs;
    }
    panic!("requirements did not settle: {listed:?}");
}

/// The whole check for one vector; returns how many keys it listed.
fn check(
    name: &str,
    evidence: &Evidence,
    full: &Bundle,
    expectations: &Expectations,
    now: UnixTime,
) -> usize {
    let verifier = Verifier::new(TrustAnchors::default());
    let reference = verifier
        .verify(evidence, full, expectations, now)
        .unwrap_or_else(|e| panic!("{name}: the vector's own collateral: {e}"));
    let (listed, exact) = unfold(evidence, full, expectations);
    assert!(!listed.is_empty(), "{name}: no requirements");
    let verified = verifier
        .verify(evidence, &exact, expectations, now)
        .unwrap_or_else(|e| panic!("{name}: the listed keys' collateral: {e}"));
    assert_eq!(verified.claims(), reference.claims(), "{name}");
    let unserved: Vec<Requirement> = exact
        .missing(evidence, expectations)
        .into_iter()
        .filter(|r| !r.optional)
        .collect();
    assert!(unserved.is_empty(), "{name}: {unserved:?}");
    if listed.iter().any(|r| !r.optional) {
        let from_nothing = Bundle::new().missing(evidence, expectations);
        assert!(
            from_nothing.iter().any(|r| !r.optional),
            "{name}: an empty bundle misses nothing required"
        );
    }
    for need in &listed {
        let served = exact.select(evidence, &need.key);
        if served.is_empty() {
            // Only an optional key may go unserved (the vector has no current CRL).
            assert!(need.optional, "{name}: nothing serves {}", need.key);
            continue;
        }
        let reduced = without(&exact, &served);
        let result = verifier.verify(evidence, &reduced, expectations, now);
        if need.optional {
            assert!(
                result.is_ok(),
                "{name}: without optional {}: {:?}",
                need.key,
                result.err()
            );
        } else {
            assert_eq!(
                result.err(),
                Some(Error::MissingCollateral {
                    key: need.key.clone()
                }),
                "{name}: without {}",
                need.key
            );
            assert!(
                reduced
                    .missing(evidence, expectations)
                    .iter()
                    .any(|r| r.key == need.key),
                "{name}: Bundle::missing does not list {}",
                need.key
            );
        }
    }
    listed.len()
}

#[test]
fn every_real_snp_vector_needs_exactly_what_it_uses() {
    let dir = snp_dir();
    let table = String::from_utf8(read(&dir.join("EXPECTED.tsv"))).unwrap();
    let mut checked = 0;
    for row in table.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (name, report, vek, chain, when, crl_current) =
            (cols[0], cols[1], cols[2], cols[3], cols[15], cols[16]);
        if name.starts_with("NEG") {
            continue;
        }
        let evidence = Evidence::from_bytes(&read(&dir.join(report)), None).unwrap();
        let mut full = Bundle::new();
        add(&mut full, &dir.join(vek));
        add(&mut full, &dir.join(chain));
        // The product's CRL where it is current at the vector's time: an optional key.
        let product = chain
            .trim_start_matches("roots/")
            .split('_')
            .next()
            .unwrap_or("");
        let crl = dir.join(format!("roots/{product}_crl.der"));
        if crl_current == "True" && crl.is_file() {
            add(&mut full, &crl);
        }
        let now = at(&when.replace("+00:00", "Z"));
        let n = check(name, &evidence, &full, &Expectations::none(), now);
        assert!(n >= 2, "{name}: {n} keys");
        checked += 1;
    }
    assert!(checked >= 14, "only {checked} SNP vectors");
}

#[test]
fn every_real_dcap_vector_needs_exactly_what_it_uses() {
    let mut checked = 0;
    let mut cases: Vec<_> = std::fs::read_dir(tdx_dir().join("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    for dir in cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let expected: serde_json::Value =
            serde_json::from_slice(&read(&dir.join("expected.json"))).unwrap();
        if expected["valid_from"].as_str().is_none() {
            continue;
        }
        let from = at(expected["valid_from"].as_str().unwrap()).as_secs();
        let until = at(expected["valid_until"].as_str().unwrap()).as_secs();
        let now = from_secs(from + (until - from) / 2);
        let evidence = Evidence::from_bytes(&read(&dir.join("quote.bin")), None).unwrap();
        let mut full = Bundle::new();
        for entry in std::fs::read_dir(dir.join("collateral")).unwrap() {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            if file != "dcap_qvl_collateral.json" && !file.starts_with("alt_") {
                add(&mut full, &path);
            }
        }
        // Cases whose quote Intel's rules reject (a revoked TCB) have nothing to verify.
        if Verifier::new(TrustAnchors::default())
            .verify(&evidence, &full, &Expectations::none(), now)
            .is_err()
        {
            continue;
        }
        let n = check(&name, &evidence, &full, &Expectations::none(), now);
        assert_eq!(
            n, 5,
            "{name}: root CRL, PCK CRL, TCB Signing, TCB Info, QE Identity"
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} DCAP vectors");
}

fn h100_set_a() -> (Evidence, Bundle) {
    let dir = nvidia_dir().join("setA_h100_550.90.07");
    let gpu = GpuEvidence::new(
        verifier::evidence::decode(&read(&dir.join("attestation_report.hex"))),
        read(&dir.join("device_cert_chain.pem")),
    );
    let mut full = Bundle::new();
    add(&mut full, &dir.join("NV_GPU_DRIVER_GH100_550.90.07.xml"));
    add(
        &mut full,
        &dir.join("NV_GPU_VBIOS_1010_0200_882_96009F0001.xml"),
    );
    for entry in std::fs::read_dir(dir.join("ocsp")).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".ocsp.der") {
            add(&mut full, &path);
        }
    }
    (Evidence::Gpus(vec![gpu]), full)
}

#[test]
fn the_real_h100_vector_needs_exactly_what_it_uses() {
    let (evidence, full) = h100_set_a();
    // On 2025-08-21 the device chain's OCSP responses are current, the RIM chains' are
    // not yet (nvidia_real.rs): no moment has every answer current, so OCSP stays a
    // claim here (the fake PKI tests require it). With RIMs required, their keys are.
    let mut strict = NvidiaOptions::default();
    strict.require_rims = true;
    let now = at("2025-08-21T12:00:00Z");
    let n = check(
        "setA",
        &evidence,
        &full,
        &Expectations::nvidia(strict.clone()),
        now,
    );
    let (listed, _) = unfold(&evidence, &full, &Expectations::nvidia(strict));
    let rims = listed
        .iter()
        .filter(|r| matches!(r.key, verifier::CollateralKey::NvidiaRim { .. }))
        .collect::<Vec<_>>();
    assert_eq!(rims.len(), 2, "{listed:?}");
    assert!(rims.iter().all(|r| !r.optional));
    // OCSP for the device chain below its root (leaf excepted) and for each RIM's
    // signing chain below its root.
    let ocsp = listed
        .iter()
        .filter(|r| matches!(r.key, verifier::CollateralKey::NvidiaOcsp(_)))
        .count();
    assert!(ocsp >= 4, "{listed:?}");
    assert_eq!(n, rims.len() + ocsp);
    // By default RIMs and OCSP answers are claims: the same keys, all optional.
    let lenient = Expectations::nvidia(NvidiaOptions::default());
    let (listed, _) = unfold(&evidence, &full, &lenient);
    assert_eq!(listed.len(), n);
    assert!(listed.iter().all(|r| r.optional), "{listed:?}");
    check("setA lenient", &evidence, &full, &lenient, now);
}

#[test]
fn keys_for_the_raw_report_name_the_device_chain_first() {
    // A bare report needs its device chain from the collateral; once that is known, the
    // RIMs and OCSP keys follow.
    let dir = nvidia_dir().join("setA_h100_550.90.07");
    let report = verifier::evidence::decode(&read(&dir.join("attestation_report.hex")));
    let evidence = Evidence::Gpus(vec![GpuEvidence::new(report, Vec::new())]);
    let needs = evidence.requirements(&Bundle::new(), &Expectations::none());
    assert_eq!(
        needs,
        vec![Requirement {
            key: verifier::CollateralKey::NvidiaDeviceChain,
            optional: false
        }]
    );
    let mut known = Bundle::new();
    add(&mut known, &dir.join("device_cert_chain.pem"));
    let needs = evidence.requirements(&known, &Expectations::none());
    assert!(needs.len() > 3, "{needs:?}");
}

#[test]
fn expectations_for_another_tee_are_refused() {
    let (evidence, full) = h100_set_a();
    let e = Verifier::new(TrustAnchors::default())
        .verify(
            &evidence,
            &full,
            &Expectations::snp(verifier::snp::SnpOptions::default()),
            at("2025-10-24T12:00:00Z"),
        )
        .unwrap_err();
    assert_eq!(e.kind(), "tee_mismatch", "{e}");
}

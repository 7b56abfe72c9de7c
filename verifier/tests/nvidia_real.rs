//! Real NVIDIA evidence (`shared/vectors/nvidia`, see its VECTORS.md): the Hopper sets
//! verify end to end with their RIMs and OCSP responses, at times when that collateral
//! was valid, and the negative files fail as VECTORS.md says.

use std::path::Path;

use testvectors::real::nvidia_dir;
use verifier::collateral::{Bundle, Item};
use verifier::nvidia::{decode, GpuClaims, GpuEvidence, NvidiaOptions};
use verifier::time::{parse_rfc3339, UnixTime};
use verifier::{Error, TrustAnchors, Verified, Verifier};

const SET_A_NONCE: &str = "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb";
const SET_B_NONCE: &str = "4cff7f5380ead8fad8ec2c531c110aca4302a88f603792801a8ca29ee151af2e";

fn at(t: &str) -> UnixTime {
    parse_rfc3339(t).unwrap()
}

fn read(rel: &str) -> Vec<u8> {
    let path = nvidia_dir().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn evidence(report: &str, chain: &str) -> GpuEvidence {
    let mut ev = decode(&read(report)).unwrap();
    assert_eq!(ev.len(), 1);
    let mut ev = ev.remove(0);
    ev.certificate_chain = read(chain);
    ev
}

fn bundle(files: &[&str]) -> Bundle {
    let mut b = Bundle::new();
    for f in files {
        b.add_bytes(&read(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
    b
}

fn set_a_bundle() -> Bundle {
    let dir = nvidia_dir().join("setA_h100_550.90.07/ocsp");
    let mut ocsp: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".ocsp.der"))
        .map(|p| format!("setA_h100_550.90.07/ocsp/{}", file_name(&p)))
        .collect();
    ocsp.sort();
    assert_eq!(ocsp.len(), 7);
    let mut files = vec![
        "setA_h100_550.90.07/NV_GPU_DRIVER_GH100_550.90.07.xml".to_owned(),
        "setA_h100_550.90.07/NV_GPU_VBIOS_1010_0200_882_96009F0001.xml".to_owned(),
    ];
    files.extend(ocsp);
    bundle(&files.iter().map(String::as_str).collect::<Vec<_>>())
}

fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

fn nonce(hex_nonce: &str) -> NvidiaOptions {
    {
        let mut opts = NvidiaOptions::default();
        opts.expected_nonce = Some(hex::decode(hex_nonce).unwrap().try_into().unwrap());
        opts
    }
}

fn verify_set_a(
    b: &Bundle,
    options: &NvidiaOptions,
    t: &str,
) -> Result<Verified<GpuClaims>, Error> {
    let ev = evidence(
        "setA_h100_550.90.07/attestation_report.hex",
        "setA_h100_550.90.07/device_cert_chain.pem",
    );
    Verifier::new(TrustAnchors::default()).verify_nvidia(&ev, b, options, at(t))
}

fn statuses(c: &[verifier::nvidia::OcspClaim]) -> Vec<(&str, &str)> {
    c.iter()
        .map(|o| (o.certificate.as_str(), o.status))
        .collect()
}

/// setA on 2025-08-21, when the device chain's OCSP responses were current (the RIM
/// chain's were produced two months later).
#[test]
fn set_a_passes_with_device_ocsp_current() {
    let v = verify_set_a(&set_a_bundle(), &nonce(SET_A_NONCE), "2025-08-21T12:00:00Z").unwrap();
    let c = v.claims();
    assert_eq!(c.arch, "hopper");
    assert_eq!(c.driver_version.as_deref(), Some("550.90.07"));
    assert_eq!(c.vbios_version.as_deref(), Some("96.00.9F.00.01"));
    assert_eq!(
        c.driver_rim_id.as_deref(),
        Some("NV_GPU_DRIVER_GH100_550.90.07")
    );
    assert_eq!(
        c.vbios_rim_id.as_deref(),
        Some("NV_GPU_VBIOS_1010_0200_882_96009F0001")
    );
    assert_eq!(c.fwid_match, Some(true));
    assert!(c.measurements_match, "{:?}", c.mismatches);
    // 21 driver + 12 VBIOS active indices; index 35 skipped (NVDEC0 disabled).
    assert_eq!(c.measurements_checked, 32);
    assert!(c.mismatched_indices.is_empty());
    assert_eq!(c.rims.driver.status, "verified");
    assert_eq!(c.rims.vbios.status, "verified");
    assert_eq!(c.rim_versions.driver.as_deref(), Some("550.90.07"));
    assert_eq!(
        statuses(&c.ocsp),
        [
            ("GH100 A01 GSP FMC LF", "not_checked"),
            ("GH100 A01 GSP BROM", "good"),
            ("NVIDIA GH100 Provisioner ICA 1", "good"),
            ("NVIDIA GH100 Identity", "good"),
        ]
    );
    assert!(c
        .rims
        .driver
        .ocsp
        .iter()
        .all(|o| o.status == "not_yet_valid"));
    // Not required, so the RIM chain's not-yet-valid answers are warnings.
    assert!(v.warnings().iter().any(|w| w.code == "ocsp_not_yet_valid"));
    assert!(!v
        .warnings()
        .iter()
        .any(|w| w.code == "measurement_mismatch"));
}

/// setA on 2025-10-24, when the RIM chains' OCSP responses were current.
#[test]
fn set_a_passes_with_rim_ocsp_current() {
    let v = verify_set_a(&set_a_bundle(), &nonce(SET_A_NONCE), "2025-10-24T12:00:00Z").unwrap();
    let c = v.claims();
    assert!(c.measurements_match);
    assert_eq!(
        statuses(&c.rims.driver.ocsp),
        [
            ("HCC RIM L4 Signer", "good"),
            (c.rims.driver.ocsp[1].certificate.as_str(), "good"),
            ("NVIDIA Reference Value GH100 CA", "good"),
        ]
    );
    // The VBIOS RIM's L3 has no staged response.
    let vbios = statuses(&c.rims.vbios.ocsp);
    assert_eq!(vbios[0].1, "good");
    assert_eq!(vbios[2].1, "good");
    assert!(c.ocsp.iter().skip(1).all(|o| o.status == "stale"));
    // Requiring OCSP now rejects: the device responses are a day old.
    let e = verify_set_a(
        &set_a_bundle(),
        &{
            let mut opts = nonce(SET_A_NONCE);
            opts.require_ocsp = true;
            opts
        },
        "2025-10-24T12:00:00Z",
    )
    .unwrap_err();
    assert_eq!(e.kind(), "ocsp_stale", "{e}");
}

#[test]
fn set_a_without_collateral_is_claims_not_a_match() {
    let v = verify_set_a(&Bundle::new(), &nonce(SET_A_NONCE), "2026-11-27T00:00:00Z").unwrap();
    assert!(!v.claims().measurements_match);
    assert_eq!(v.claims().rims.driver.status, "unavailable");
    let e = verify_set_a(
        &Bundle::new(),
        &{
            let mut opts = nonce(SET_A_NONCE);
            opts.require_rims = true;
            opts
        },
        "2026-11-27T00:00:00Z",
    )
    .unwrap_err();
    assert!(
        matches!(&e, Error::MissingCollateral { key: verifier::CollateralKey::NvidiaRim { id, .. } } if id == "NV_GPU_DRIVER_GH100_550.90.07"),
        "{e:?}"
    );
    // Today every RIM signer has expired: the RIM chain rejects.
    let e = verify_set_a(&set_a_bundle(), &nonce(SET_A_NONCE), "2026-11-27T00:00:00Z").unwrap_err();
    assert_eq!(e.kind(), "certificate_expired", "{e}");
}

#[test]
fn set_a_wrong_nonce_and_tampering_reject() {
    let b = set_a_bundle();
    let t = "2025-08-21T12:00:00Z";
    let e = verify_set_a(&b, &nonce(SET_B_NONCE), t).unwrap_err();
    assert_eq!(e.kind(), "unexpected_nonce", "{e}");

    let ev = evidence(
        "setA_h100_550.90.07/attestation_report.hex",
        "setA_h100_550.90.07/device_cert_chain.pem",
    );
    let verifier = Verifier::new(TrustAnchors::default());
    for offset in [
        4,
        100,
        3600,
        3700,
        ev.report.len() - 97,
        ev.report.len() - 1,
    ] {
        let mut bad = ev.clone();
        bad.report[offset] ^= 0x80;
        let e = verifier
            .verify_nvidia(&bad, &b, &NvidiaOptions::default(), at(t))
            .unwrap_err();
        assert!(
            matches!(e.kind(), "evidence_signature" | "invalid_value"),
            "offset {offset}: {e}"
        );
    }
    // A golden value changed in the driver RIM breaks its XML signature.
    let mut rim = read("setA_h100_550.90.07/NV_GPU_DRIVER_GH100_550.90.07.xml");
    let text = String::from_utf8(rim.clone()).unwrap();
    let at_hash = text.find("index=\"7\"").unwrap();
    let digit = at_hash + text[at_hash..].find("Hash0=\"").unwrap() + 7;
    rim[digit] = if rim[digit] == b'0' { b'1' } else { b'0' };
    let mut tampered = set_a_bundle();
    tampered.retain(|item| !matches!(item, Item::Rim(r) if r.colloquial_version() == "550.90.07"));
    tampered.add_bytes(&rim).unwrap();
    let e = verify_set_a(&tampered, &nonce(SET_A_NONCE), t).unwrap_err();
    assert_eq!(e.kind(), "rim_digest_mismatch", "{e}");
    assert!(e.to_string().contains("driver RIM 550.90.07"), "{e}");
}

#[test]
fn set_a_binary_capture_is_the_same_evidence() {
    let mut ev = decode(&read("setA_h100_550.90.07/attestation_report.bin")).unwrap();
    let mut ev = ev.remove(0);
    ev.certificate_chain = read("setA_h100_550.90.07/device_cert_chain.pem");
    let v = Verifier::new(TrustAnchors::default())
        .verify_nvidia(
            &ev,
            &set_a_bundle(),
            &nonce(SET_A_NONCE),
            at("2025-08-21T12:00:00Z"),
        )
        .unwrap();
    assert!(v.claims().measurements_match);
}

fn verify_set_b(rims: &[&str], options: &NvidiaOptions) -> Result<Verified<GpuClaims>, Error> {
    let ev = evidence(
        "setB_h100_545.00/attestation_report.hex",
        "setB_h100_545.00/device_cert_chain.pem",
    );
    Verifier::new(TrustAnchors::default()).verify_nvidia(
        &ev,
        &bundle(rims),
        options,
        at("2024-06-01T00:00:00Z"),
    )
}

#[test]
fn set_b_passes_with_its_rims() {
    let v = verify_set_b(
        &[
            "setB_h100_545.00/Driver_RIM_test_no_gpu.swidtag",
            "setB_h100_545.00/1010_0200_882_96005E0001_test_no_gpu.swidtag",
        ],
        &{
            let mut opts = nonce(SET_B_NONCE);
            opts.require_rims = true;
            opts
        },
    )
    .unwrap();
    let c = v.claims();
    assert!(c.measurements_match);
    assert_eq!(c.driver_version.as_deref(), Some("545.00"));
    assert_eq!(c.vbios_version.as_deref(), Some("96.00.5E.00.01"));
    // The 545 driver's opaque data has no FWID.
    assert_eq!(c.fwid_match, None);
}

#[test]
fn set_b_prod_vbios_rim_mismatches_at_1_2_3_9() {
    let rims = [
        "setB_h100_545.00/Driver_RIM_test_no_gpu.swidtag",
        "setB_h100_545.00/NEG_1010_0200_882_96005E0001_PROD.swidtag",
    ];
    let v = verify_set_b(&rims, &nonce(SET_B_NONCE)).unwrap();
    let c = v.claims();
    assert!(!c.measurements_match);
    assert_eq!(c.mismatched_indices, [1, 2, 3, 9]);
    assert!(c
        .mismatches
        .iter()
        .all(|m| m.source == verifier::nvidia::RimKind::Vbios));
    assert!(v
        .warnings()
        .iter()
        .any(|w| w.code == "measurement_mismatch"));
    let e = verify_set_b(&rims, &{
        let mut opts = nonce(SET_B_NONCE);
        opts.require_rims = true;
        opts
    })
    .unwrap_err();
    assert_eq!(e.kind(), "measurement_mismatch", "{e}");
    assert!(e.to_string().contains("[1, 2, 3, 9]"), "{e}");
}

#[test]
fn set_b_invalid_chain_rejects() {
    let ev = evidence(
        "setB_h100_545.00/attestation_report.hex",
        "setB_h100_545.00/invalid_cert_chain.pem",
    );
    let e = Verifier::new(TrustAnchors::default())
        .verify_nvidia(
            &ev,
            &Bundle::new(),
            &nonce(SET_B_NONCE),
            at("2024-06-01T00:00:00Z"),
        )
        .unwrap_err();
    assert_eq!(e.class(), verifier::ErrorClass::Rejected, "{e}");
}

#[test]
fn trustee_negative_chains_reject() {
    for (chain, kind) in [
        (
            "trustee/NEG_cert_chain_case2_root_only.pem",
            "unexpected_subject",
        ),
        (
            "trustee/NEG_cert_chain_case3_missing_intermediate.pem",
            "issuer_mismatch",
        ),
        (
            "trustee/NEG_cert_chain_case4_missing_leaf.pem",
            "unexpected_subject",
        ),
    ] {
        let ev = evidence("setA_h100_550.90.07/attestation_report.hex", chain);
        let e = Verifier::new(TrustAnchors::default())
            .verify_nvidia(
                &ev,
                &Bundle::new(),
                &nonce(SET_A_NONCE),
                at("2025-08-21T12:00:00Z"),
            )
            .unwrap_err();
        assert_eq!(e.kind(), kind, "{chain}: {e}");
    }
}

/// Every other real Hopper and Blackwell report: signature, chain and FWID hold; no
/// RIMs are staged for them, so measurements are claims.
#[test]
fn other_real_reports_verify_without_rims() {
    let verifier = Verifier::new(TrustAnchors::default());
    let t = at("2026-11-27T00:00:00Z");
    let files: [(&str, Option<&str>, usize); 8] = [
        (
            "asdk_hopper/sample_hopperAttestationReport_535.86.09.hex",
            Some("asdk_hopper/sample_hopperCertChain_535.86.09.pem"),
            1,
        ),
        (
            "asdk_hopper/hopperAttestationReport_570.124.03_expired_case.hex",
            Some("asdk_hopper/hopperCertChain_570.124.03_expired_case.pem"),
            1,
        ),
        (
            "blackwell/blackwellAttestationReport_575.32.hex",
            Some("blackwell/blackwellCertChain_575.32.pem"),
            1,
        ),
        ("asdk_hopper/hopper_evidence.json", None, 1),
        ("asdk_hopper/multi_gpu_hopper.json", None, 4),
        ("asdk_hopper/hopper_evidence_cert_hold.json", None, 1),
        ("asdk_hopper/evidence_hopper_590_12.json", None, 1),
        ("blackwell/mpt_8x_gb100_590.48.01.json", None, 8),
    ];
    for (report, chain, gpus) in files {
        let mut ev = decode(&read(report)).unwrap();
        if let Some(chain) = chain {
            ev[0].certificate_chain = read(chain);
        }
        assert_eq!(ev.len(), gpus, "{report}");
        let v = verifier
            .verify_nvidia_all(&ev, &Bundle::new(), &NvidiaOptions::default(), t)
            .unwrap_or_else(|e| panic!("{report}: {e}"));
        for c in v.claims() {
            assert_ne!(c.fwid_match, Some(false), "{report}");
            assert!(!c.measurements_match, "{report}");
        }
    }
}

/// Security review, issue 11 item 7: every real multi-GPU file holds different devices
/// (none is a vendor sample made by copying), so each still verifies; the same GPU in two
/// files has one `device_id`.
#[test]
fn real_multi_gpu_evidence_holds_distinct_devices() {
    let verifier = Verifier::new(TrustAnchors::default());
    let t = at("2026-11-27T00:00:00Z");
    let ids = |file: &str| -> Vec<String> {
        let ev = decode(&read(file)).unwrap();
        let v = verifier
            .verify_nvidia_all(&ev, &Bundle::new(), &NvidiaOptions::default(), t)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        v.claims().iter().map(|c| c.device_id.clone()).collect()
    };
    for (file, gpus) in [
        ("asdk_hopper/multi_gpu_hopper.json", 4),
        ("ppcie_nvswitch/ppcie_gpu_evidence_590.12.json", 8),
        ("blackwell/mpt_8x_gb100_590.48.01.json", 8),
    ] {
        let ids = ids(file);
        let distinct: std::collections::BTreeSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), gpus, "{file}");
        assert!(ids.iter().all(|id| id.len() == 64), "{file}");
    }
    // The first GPU of the multi-GPU sample is the one of the single-GPU sample.
    assert_eq!(
        ids("asdk_hopper/multi_gpu_hopper.json")[0],
        ids("asdk_hopper/hopper_evidence.json")[0]
    );
    // multi_switch_ls10.json repeats one NVSwitch four times; NVSwitches are refused first.
    let ev = decode(&read("ppcie_nvswitch/multi_switch_ls10.json")).unwrap();
    let e = verifier
        .verify_nvidia_all(&ev, &Bundle::new(), &NvidiaOptions::default(), t)
        .unwrap_err();
    assert_eq!(e.kind(), "unsupported_device", "{e}");
}

#[test]
fn nvswitch_evidence_is_refused() {
    let e = decode(&read("ppcie_nvswitch/ppcie_8gpu_4switch_570.124.06.json")).unwrap_err();
    assert_eq!(e.kind(), "unsupported_device", "{e}");
    let ev = evidence(
        "ppcie_nvswitch/switchAttestationReport_96.10.55.00.01.hex",
        "ppcie_nvswitch/switchCertChain.pem",
    );
    let e = Verifier::new(TrustAnchors::default())
        .verify_nvidia(
            &ev,
            &Bundle::new(),
            &NvidiaOptions::default(),
            at("2026-11-27T00:00:00Z"),
        )
        .unwrap_err();
    assert_eq!(e.kind(), "unsupported_device", "{e}");
}

/// Every single-byte change of the real setA report is refused: as a broken signature, or
/// as a field the structure does not allow (exit 1), or — for a length that no longer
/// adds up, or a code that is not SPDM's — as malformed (exit 2). Nothing verifies.
#[test]
fn every_flipped_byte_of_set_a_is_refused() {
    let ev = evidence(
        "setA_h100_550.90.07/attestation_report.hex",
        "setA_h100_550.90.07/device_cert_chain.pem",
    );
    let verifier = Verifier::new(TrustAnchors::default());
    let t = at("2025-08-21T12:00:00Z");
    let (mut rejected, mut malformed) = (0, 0);
    for offset in 0..ev.report.len() {
        let mut bad = ev.clone();
        bad.report[offset] ^= 0x01;
        match verifier.verify_nvidia(&bad, &Bundle::new(), &NvidiaOptions::default(), t) {
            Ok(_) => panic!("a flip at offset {offset} verified"),
            Err(e) if e.class() == verifier::ErrorClass::Rejected => rejected += 1,
            Err(e) => {
                assert_eq!(
                    e.class(),
                    verifier::ErrorClass::Malformed,
                    "offset {offset}: {e}"
                );
                malformed += 1;
            }
        }
    }
    // Only the length fields (block count, record length, block sizes, opaque lengths),
    // the two message codes and the 64 blocks' MeasurementSpecification bytes (a block
    // that is not DMTF-format cannot be read as one) can make the report unreadable.
    assert!(
        malformed < 300 + 66,
        "{malformed} malformed of {}",
        ev.report.len()
    );
    assert_eq!(rejected + malformed, ev.report.len());
}

/// A verifier whose caches are warm with setA (signatures, the parsed device chain, the
/// authenticated OCSP answers) still judges time and bytes afresh: the same responses
/// at a `now` past their nextUpdate are stale (a rejection when OCSP is required), and a
/// response with a flipped signature byte, or a chain with a flipped byte, is refused.
#[test]
fn warm_caches_still_reject_stale_ocsp_and_mutations() {
    let ev = evidence(
        "setA_h100_550.90.07/attestation_report.hex",
        "setA_h100_550.90.07/device_cert_chain.pem",
    );
    let b = set_a_bundle();
    let verifier = Verifier::new(TrustAnchors::default());
    let opts = nonce(SET_A_NONCE);
    let current = at("2025-08-21T12:00:00Z");
    let device = |v: &Verified<GpuClaims>| {
        v.claims()
            .ocsp
            .iter()
            .skip(1)
            .map(|o| o.status)
            .collect::<Vec<_>>()
    };
    for _ in 0..2 {
        let v = verifier.verify_nvidia(&ev, &b, &opts, current).unwrap();
        assert_eq!(device(&v), ["good"; 3]);
    }

    // Past nextUpdate: the memoized answers are stale, and refused when required.
    let later = at("2025-08-25T12:00:00Z");
    let v = verifier.verify_nvidia(&ev, &b, &opts, later).unwrap();
    assert_eq!(device(&v), ["stale"; 3]);
    let mut required = opts.clone();
    required.require_ocsp = true;
    let e = verifier
        .verify_nvidia(&ev, &b, &required, later)
        .unwrap_err();
    assert_eq!(e.kind(), "ocsp_stale", "{e}");
    // Before thisUpdate: not yet valid.
    let earlier = at("2025-08-19T12:00:00Z");
    let v = verifier.verify_nvidia(&ev, &b, &opts, earlier).unwrap();
    assert_eq!(device(&v), ["not_yet_valid"; 3]);
    // And current again.
    let v = verifier.verify_nvidia(&ev, &b, &opts, current).unwrap();
    assert_eq!(device(&v), ["good"; 3]);

    // The device ICA's response with a flipped signature byte.
    for name in ["l2", "l3", "l4"] {
        let path = format!("setA_h100_550.90.07/ocsp/test_gpu_certificate_{name}.ocsp.der");
        let good = read(&path);
        let mut bad = good.clone();
        // The last byte: in the response's signature, or in its responder
        // certificate's (which then no longer chains to the issuer).
        let last = bad.len() - 1;
        bad[last] ^= 0x01;
        let mut mutated = Bundle::new();
        for item in b.ocsp_responses() {
            if item.der() != good.as_slice() {
                mutated.add_bytes(item.der()).unwrap();
            }
        }
        for rim in [
            "setA_h100_550.90.07/NV_GPU_DRIVER_GH100_550.90.07.xml",
            "setA_h100_550.90.07/NV_GPU_VBIOS_1010_0200_882_96009F0001.xml",
        ] {
            mutated.add_bytes(&read(rim)).unwrap();
        }
        mutated.add_bytes(&bad).unwrap();
        let e = verifier
            .verify_nvidia(&ev, &mutated, &opts, current)
            .unwrap_err();
        assert!(e.kind().starts_with("ocsp"), "{name}: {e}");

        // The signed response data changed (a digit of producedAt's seconds): the
        // response's own signature fails.
        let parsed = b
            .ocsp_responses()
            .iter()
            .find(|r| r.der() == good.as_slice())
            .unwrap();
        let tbs = parsed.tbs_response_data();
        let start = good.windows(tbs.len()).position(|w| w == tbs).unwrap();
        let produced_at = tbs.windows(2).position(|w| w == [0x18, 0x0f]).unwrap();
        let mut bad = good.clone();
        bad[start + produced_at + 2 + 13] ^= 0x01;
        let mut mutated = b.clone();
        mutated.retain(|item| !matches!(item, Item::OcspResponse(r) if r.der() == good.as_slice()));
        mutated.add_bytes(&bad).unwrap();
        let e = verifier
            .verify_nvidia(&ev, &mutated, &opts, current)
            .unwrap_err();
        assert!(e.kind().starts_with("ocsp"), "{name}: {e}");
    }

    // A device chain with a flipped byte inside a certificate's signature.
    let pem = String::from_utf8(ev.certificate_chain.clone()).unwrap();
    let end = pem.find("-----END CERTIFICATE-----").unwrap();
    let mut chain = ev.certificate_chain.clone();
    let i = end - 8;
    chain[i] = if chain[i] == b'A' { b'B' } else { b'A' };
    let mut bad = ev.clone();
    bad.certificate_chain = chain;
    assert!(verifier.verify_nvidia(&bad, &b, &opts, current).is_err());
    // The good evidence is still accepted afterwards.
    verifier.verify_nvidia(&ev, &b, &opts, current).unwrap();
}

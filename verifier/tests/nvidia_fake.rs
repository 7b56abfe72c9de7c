//! GPU evidence built and signed with the fake NVIDIA device PKI: the happy path, and a
//! negative test per check of the report, the device chain and the FWID binding.

use testvectors::build::nvidia::{record, ReportSpec, NONCE};
use testvectors::pki::nvidia::{dice_tcb_info_extension, GpuPki, GpuSpecs, FWID_EXTENSION};
use testvectors::pki::PrivateKey;
use verifier::collateral::Bundle;
use verifier::nvidia::{GpuClaims, GpuEvidence, NvidiaOptions};
use verifier::time::{from_secs, parse_rfc3339, UnixTime};
use verifier::{Error, TrustAnchors, Verified, Verifier};

type SpecChange = Box<dyn Fn(&mut GpuSpecs)>;
type ReportChange = Box<dyn Fn(&mut ReportSpec)>;

fn now() -> UnixTime {
    from_secs(parse_rfc3339("2026-11-27T00:00:00Z").unwrap())
}

fn verifier_for(pki: &GpuPki) -> Verifier {
    Verifier::new(TrustAnchors {
        nvidia_device_root: vec![pki.root_spki_sha256()],
        ..TrustAnchors::empty()
    })
}

fn options() -> NvidiaOptions {
    NvidiaOptions {
        expected_nonce: Some(NONCE),
        ..NvidiaOptions::default()
    }
}

fn run_with(
    pki: &GpuPki,
    report: Vec<u8>,
    options: &NvidiaOptions,
) -> Result<Verified<GpuClaims>, Error> {
    let evidence = GpuEvidence::new(report, pki.chain_pem().into_bytes());
    verifier_for(pki).verify_nvidia(&evidence, &Bundle::new(), options, now())
}

fn run(pki: &GpuPki, spec: &ReportSpec) -> Result<Verified<GpuClaims>, Error> {
    run_with(pki, spec.sign(pki), &options())
}

fn reject(pki: &GpuPki, spec: &ReportSpec) -> Error {
    run(pki, spec).expect_err("must be rejected")
}

fn default_spec() -> ReportSpec {
    ReportSpec::hopper(NONCE)
}

#[test]
fn genuine_report_verifies_with_claims() {
    let pki = GpuPki::cached();
    let v = run(pki, &default_spec()).expect("verifies");
    let c = v.claims();
    assert_eq!(c.arch, "hopper");
    assert_eq!(c.chip, "GH100");
    assert_eq!(c.hwmodel, "GH100 A01 GSP BROM");
    assert_eq!(c.nonce, hex::encode(NONCE));
    assert!(c.nonce_checked);
    assert_eq!(c.driver_version.as_deref(), Some("550.90.07"));
    assert_eq!(c.vbios_version.as_deref(), Some("96.00.9F.00.01"));
    assert_eq!(c.project.as_deref(), Some("1010"));
    assert_eq!(c.project_sku.as_deref(), Some("0200"));
    assert_eq!(c.chip_sku.as_deref(), Some("882"));
    assert_eq!(c.board_id, Some(0x3b1));
    assert_eq!(c.fwid_match, Some(true));
    assert_eq!(c.ppcie_mode, Some(false));
    assert_eq!(c.nvdec0_enabled, Some(false));
    assert_eq!(c.measurements.len(), 64);
    assert_eq!(
        c.driver_rim_id.as_deref(),
        Some("NV_GPU_DRIVER_GH100_550.90.07")
    );
    assert_eq!(
        c.vbios_rim_id.as_deref(),
        Some("NV_GPU_VBIOS_1010_0200_882_96009F0001")
    );
    assert_eq!(c.leaf_serial, "53c22ba1");
    // No RIMs and no OCSP responses: claims and warnings, never a match.
    assert!(!c.measurements_match);
    assert_eq!(c.rims.driver.status, "unavailable");
    assert_eq!(c.rims.vbios.status, "unavailable");
    assert_eq!(c.ocsp.len(), 4);
    assert!(c.ocsp.iter().all(|o| o.status == "not_checked"));
    let codes: Vec<&str> = v.warnings().iter().map(|w| w.code).collect();
    assert_eq!(
        codes,
        [
            "ocsp_not_checked",
            "ocsp_not_checked",
            "ocsp_not_checked",
            "rim_unavailable",
            "rim_unavailable"
        ]
    );
}

#[test]
fn requirements_turn_claims_into_rejections() {
    let pki = GpuPki::cached();
    let report = default_spec().sign(pki);
    let e = run_with(
        pki,
        report.clone(),
        &NvidiaOptions {
            require_ocsp: true,
            ..options()
        },
    )
    .unwrap_err();
    assert_eq!(e.kind(), "ocsp_required", "{e}");
    assert!(e.to_string().contains("GH100 A01 GSP BROM"), "{e}");
    let e = run_with(
        pki,
        report,
        &NvidiaOptions {
            require_rims: true,
            ..options()
        },
    )
    .unwrap_err();
    assert_eq!(e.kind(), "rim_required", "{e}");
    assert!(
        e.to_string().contains("NV_GPU_DRIVER_GH100_550.90.07"),
        "{e}"
    );
}

#[test]
fn nonce_must_be_the_callers() {
    let pki = GpuPki::cached();
    let spec = ReportSpec::hopper([7; 32]);
    let e = reject(pki, &spec);
    assert_eq!(e.kind(), "unexpected_nonce", "{e}");
    // Without an expected nonce, the claim says it was not checked.
    let v = run_with(pki, spec.sign(pki), &NvidiaOptions::default()).unwrap();
    assert!(!v.claims().nonce_checked);
}

#[test]
fn flipped_signed_byte_rejects() {
    let pki = GpuPki::cached();
    let good = default_spec().sign(pki);
    // A byte in each signed region: request nonce, a measurement, opaque data.
    for at in [10, 37 + 8 + 4 + 3 + 10, good.len() - 96 - 5 - 10] {
        let mut bad = good.clone();
        bad[at] ^= 0x01;
        let e = run_with(
            pki,
            bad,
            &NvidiaOptions {
                expected_nonce: None,
                ..options()
            },
        )
        .unwrap_err();
        assert_eq!(e.kind(), "evidence_signature", "offset {at}: {e}");
    }
    let mut bad = good;
    let last = bad.len() - 1;
    bad[last] ^= 0x01;
    let e = run_with(pki, bad, &options()).unwrap_err();
    assert_eq!(e.kind(), "evidence_signature", "{e}");
}

#[test]
fn signature_by_another_key_rejects() {
    let pki = GpuPki::cached();
    let mut specs = GpuSpecs::new();
    specs.leaf.key = PrivateKey::generate_p384(PrivateKey::seed_for("nvidia/rogue-leaf"));
    let rogue = specs.build();
    let report = default_spec().sign(&rogue);
    let e = run_with(pki, report, &options()).unwrap_err();
    assert_eq!(e.kind(), "evidence_signature", "{e}");
}

#[test]
fn fwid_binding() {
    let pki = GpuPki::cached();
    let mut spec = default_spec();
    spec.set_opaque(record::FWID, vec![0xab; 48]);
    let e = reject(pki, &spec);
    assert_eq!(e.kind(), "fwid_mismatch", "{e}");
    assert!(e.to_string().contains(&"ab".repeat(48)), "{e}");

    // A report FWID with a certificate that has none: mismatch.
    let mut specs = GpuSpecs::new();
    specs.leaf.remove_ext(FWID_EXTENSION);
    let no_ext = specs.build();
    let e = reject(&no_ext, &default_spec());
    assert_eq!(e.kind(), "fwid_mismatch", "{e}");
    assert!(e.to_string().contains("FWID none"), "{e}");

    // Drivers before 550 have no FWID: nothing to compare.
    let mut spec = default_spec();
    spec.remove_opaque(record::FWID);
    let v = run(pki, &spec).unwrap();
    assert_eq!(v.claims().fwid_match, None);
    assert!(
        v.claims().fwid.is_some(),
        "the certificate's FWID is still reported"
    );

    // A malformed FWID extension is a certificate error.
    let mut specs = GpuSpecs::new();
    specs.leaf.set_ext(FWID_EXTENSION, false, vec![0x30, 0x00]);
    let bad = specs.build();
    let e = reject(&bad, &default_spec());
    assert_eq!(e.kind(), "bad_extension", "{e}");
}

#[test]
fn blackwell_uses_dice_tcb_info() {
    let mut specs = GpuSpecs::new();
    specs.leaf.set_subject_cn("GB100 A01 GSP FMC LF");
    specs.leaf.remove_ext(FWID_EXTENSION);
    specs.leaf.set_ext(
        "2.23.133.5.4.1.1",
        false,
        dice_tcb_info_extension(&testvectors::pki::nvidia::default_fwid()),
    );
    let pki = specs.build();
    let mut spec = default_spec();
    spec.set_opaque(35, b"GB100\0".to_vec());
    let v = run(&pki, &spec).unwrap();
    assert_eq!(v.claims().arch, "blackwell");
    assert_eq!(v.claims().fwid_match, Some(true));
    assert_eq!(
        v.claims().driver_rim_id.as_deref(),
        Some("NV_GPU_CC_DRIVER_GB100_550.90.07")
    );
}

#[test]
fn nvswitch_is_not_appraised() {
    let mut specs = GpuSpecs::new();
    specs.leaf.set_subject_cn("LS_10 A01 FSP FMC LF");
    let pki = specs.build();
    let e = reject(&pki, &default_spec());
    assert_eq!(e.kind(), "unsupported_device", "{e}");
}

#[test]
fn device_chain_checks() {
    let pki = GpuPki::cached();
    let report = default_spec().sign(pki);
    let run_chain = |chain: Vec<&[u8]>, anchors: TrustAnchors| {
        let pem: String = chain
            .iter()
            .map(|d| testvectors::pki::to_pem("CERTIFICATE", d))
            .collect();
        let evidence = GpuEvidence::new(report.clone(), pem.into_bytes());
        Verifier::new(anchors)
            .verify_nvidia(&evidence, &Bundle::new(), &options(), now())
            .unwrap_err()
    };
    let anchors = || TrustAnchors {
        nvidia_device_root: vec![pki.root_spki_sha256()],
        ..TrustAnchors::empty()
    };
    let c: Vec<&[u8]> = pki.chain.iter().map(Vec::as_slice).collect();

    let e = run_chain(c.clone(), TrustAnchors::empty());
    assert_eq!(e.kind(), "untrusted_root", "{e}");
    // The real pin does not trust the fake root.
    let e = run_chain(c.clone(), TrustAnchors::default());
    assert_eq!(e.kind(), "untrusted_root", "{e}");
    // Root only; leaf missing; an intermediate missing.
    let e = run_chain(vec![c[4]], anchors());
    assert_eq!(e.kind(), "unexpected_subject", "{e}");
    let e = run_chain(c[1..].to_vec(), anchors());
    assert_eq!(e.kind(), "unexpected_subject", "{e}");
    let e = run_chain(vec![c[0], c[1], c[3], c[4]], anchors());
    assert_eq!(e.kind(), "issuer_mismatch", "{e}");
    // No root anywhere: missing collateral, naming it.
    let e = run_chain(c[..4].to_vec(), anchors());
    assert_eq!(e.kind(), "missing_collateral", "{e}");
    assert!(e.to_string().contains("Device Identity CA"), "{e}");
}

#[test]
fn chain_certificate_defects_reject() {
    let cases: Vec<(&str, SpecChange)> = vec![
        (
            "certificate_expired",
            Box::new(|s| s.leaf.not_after = parse_rfc3339("2025-01-01T00:00:00Z").unwrap()),
        ),
        (
            "certificate_not_yet_valid",
            Box::new(|s| s.brom.not_before = parse_rfc3339("2027-01-01T00:00:00Z").unwrap()),
        ),
        (
            "certificate_signature",
            Box::new(|s| s.provisioner.corrupt_signature = true),
        ),
        (
            "issuer_not_ca",
            Box::new(|s| s.brom.set_basic_constraints(false, None)),
        ),
        (
            "issuer_key_usage",
            Box::new(|s| {
                s.identity
                    .set_key_usage(testvectors::pki::x509::key_usage::DIGITAL_SIGNATURE)
            }),
        ),
        (
            "unexpected_subject",
            Box::new(|s| s.leaf.set_basic_constraints(true, None)),
        ),
        (
            "unhandled_critical_extension",
            Box::new(|s| s.leaf.set_ext("1.2.3.4", true, vec![0x05, 0x00])),
        ),
    ];
    for (kind, change) in cases {
        let mut specs = GpuSpecs::new();
        change(&mut specs);
        let pki = specs.build();
        let e = reject(&pki, &default_spec());
        assert_eq!(e.kind(), kind, "{e}");
    }
}

#[test]
fn chain_from_collateral() {
    let pki = GpuPki::cached();
    let report = default_spec().sign(pki);
    let mut bundle = Bundle::new();
    bundle.add_bytes(pki.chain_pem().as_bytes()).unwrap();
    let evidence = GpuEvidence::new(report.clone(), Vec::new());
    let v = verifier_for(pki)
        .verify_nvidia(&evidence, &bundle, &options(), now())
        .unwrap();
    assert_eq!(v.claims().hwmodel, "GH100 A01 GSP BROM");
    let e = verifier_for(pki)
        .verify_nvidia(&evidence, &Bundle::new(), &options(), now())
        .unwrap_err();
    assert_eq!(e.kind(), "missing_collateral", "{e}");
}

#[test]
fn versions_the_caller_allows() {
    let pki = GpuPki::cached();
    let report = default_spec().sign(pki);
    let allow = |driver: &[&str], vbios: &[&str]| NvidiaOptions {
        allowed_driver_versions: driver.iter().map(|s| s.to_string()).collect(),
        allowed_vbios_versions: vbios.iter().map(|s| s.to_string()).collect(),
        ..options()
    };
    run_with(
        pki,
        report.clone(),
        &allow(&["550.90.07"], &["96.00.9f.00.01"]),
    )
    .unwrap();
    let e = run_with(pki, report.clone(), &allow(&["570.124.03"], &[])).unwrap_err();
    assert_eq!(e.kind(), "untrusted_driver_version", "{e}");
    let e = run_with(pki, report, &allow(&[], &["96.00.5E.00.01"])).unwrap_err();
    assert_eq!(e.kind(), "untrusted_vbios_version", "{e}");
}

#[test]
fn trailing_bytes_are_reported_not_signed() {
    let pki = GpuPki::cached();
    let mut spec = default_spec();
    spec.trailing = vec![0];
    let v = run(pki, &spec).unwrap();
    assert_eq!(v.claims().trailing_bytes, 1);
    assert!(v.warnings().iter().any(|w| w.code == "trailing_data"));
}

#[test]
fn structure_defects_are_typed_with_offsets() {
    let pki = GpuPki::cached();
    let cases: Vec<(&str, &str, ReportChange)> = vec![
        (
            "unsupported_version",
            "",
            Box::new(|s| s.request_version = 0x12),
        ),
        ("unsigned_report", "", Box::new(|s| s.attributes = 0)),
        (
            "invalid_value",
            "request RequestResponseCode at offset 0x1",
            Box::new(|s| s.request_code = 0xE1),
        ),
        (
            "invalid_value",
            "response SPDMVersion at offset 0x25",
            Box::new(|s| s.response_version = 0x12),
        ),
        (
            "invalid_value",
            "response RequestResponseCode at offset 0x26",
            Box::new(|s| s.response_code = 0x61),
        ),
        (
            "invalid_value",
            "NumberOfBlocks at offset 0x29",
            Box::new(|s| s.block_count_override = Some(0)),
        ),
        (
            "invalid_value",
            "MeasurementSpecification at offset 0x2e",
            Box::new(|s| s.blocks[0].spec = 2),
        ),
        (
            "invalid_value",
            "measurement block Index at offset 0x64",
            Box::new(|s| s.blocks[1].index = 1),
        ),
        (
            "wrong_length",
            "measurement block MeasurementSize",
            Box::new(|s| {
                s.blocks[0].size_override = Some(52);
                s.blocks[0].value.push(0);
                s.blocks[0].value.pop();
            }),
        ),
        (
            "wrong_length",
            "MeasurementRecordLength at offset 0x2a",
            Box::new(|s| s.record_len_override = Some(64 * 55 + 1)),
        ),
        (
            "invalid_value",
            "opaque record type",
            Box::new(|s| s.opaque.push((record::DRIVER_VERSION, b"1.0\0".to_vec()))),
        ),
        (
            "invalid_value",
            "driver version",
            Box::new(|s| s.set_opaque(record::DRIVER_VERSION, b"55\x010\0".to_vec())),
        ),
        (
            "invalid_value",
            "FWID",
            Box::new(|s| s.set_opaque(record::FWID, vec![0; 47])),
        ),
        (
            "invalid_value",
            "NVDEC0 status",
            Box::new(|s| s.set_opaque(record::NVDEC0_STATUS, vec![1])),
        ),
        (
            "invalid_value",
            "OpaqueLength",
            Box::new(|s| s.opaque_len_override = Some(1025)),
        ),
        (
            "unsupported_opaque_data",
            "",
            Box::new(|s| s.opaque_raw = Some(b"NVDAOD\0\0\x02\0\0\0".to_vec())),
        ),
    ];
    for (kind, text, change) in cases {
        let mut spec = default_spec();
        change(&mut spec);
        let e = reject(pki, &spec);
        assert_eq!(e.kind(), kind, "{e}");
        assert!(e.to_string().contains(text), "{text:?} not in {e}");
    }
}

#[test]
fn truncation_anywhere_is_a_typed_error() {
    let pki = GpuPki::cached();
    let good = default_spec().sign(pki);
    for len in (0..good.len() - 96).step_by(7) {
        let e = run_with(pki, good[..len].to_vec(), &options()).unwrap_err();
        assert!(
            matches!(e.kind(), "truncated" | "wrong_length"),
            "length {len}: {e}"
        );
    }
}

//! The Azure HCL report and TPM quote parsers on every real Azure vector
//! (`../shared/vectors/azure`), and one negative test per structural check.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use verifier::azure::hcl::{HclReport, HclReportType};
use verifier::azure::tpm::{TpmsAttest, TPM_ALG_SHA256};
use verifier::crypto::{default_provider, HashAlg};
use verifier::error::ParseErrorKind;

fn sha256(bytes: &[u8]) -> Vec<u8> {
    default_provider()
        .hash(HashAlg::Sha256, &[bytes])
        .as_ref()
        .to_vec()
}

fn azure() -> PathBuf {
    testvectors::real::vectors_dir().join("azure")
}

/// Every extracted case: its directory and expected.json.
fn cases() -> Vec<(PathBuf, serde_json::Value)> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(azure().join("snp/extracted"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    dirs.push(azure().join("tdx/extracted"));
    dirs.into_iter()
        .map(|d| {
            let expected =
                serde_json::from_slice(&std::fs::read(d.join("expected.json")).unwrap()).unwrap();
            (d, expected)
        })
        .collect()
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap()
}

#[test]
fn every_real_hcl_report_parses_into_its_parts() {
    let cases = cases();
    assert_eq!(cases.len(), 6);
    for (dir, expected) in &cases {
        let name = dir.display();
        let bytes = read(dir, "hcl-report.bin");
        let report = HclReport::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            u64::from(report.header_version),
            expected["hcl_header"]["version"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(report.request_type, 2, "{name}");
        assert_eq!(
            report.runtime_data,
            read(dir, "runtime-data.json"),
            "{name}"
        );
        assert_eq!(
            hex::encode(sha256(report.runtime_data)),
            expected["runtime_data_sha256"].as_str().unwrap(),
            "{name}"
        );
        if dir.ends_with("tdx/extracted") {
            assert_eq!(report.report_type, HclReportType::Tdx);
            assert_eq!(report.hardware_report, read(dir, "td-report.bin"));
        } else {
            assert_eq!(report.report_type, HclReportType::Snp, "{name}");
            assert_eq!(report.hardware_report, read(dir, "report.bin"), "{name}");
            // The SNP report binds the runtime data: report_data[0..32].
            assert_eq!(
                &report.hardware_report[0x50..0x70],
                sha256(report.runtime_data).as_slice(),
                "{name}"
            );
        }
    }
}

#[test]
fn every_real_tpm_quote_parses_with_its_nonce_and_pcr_digest() {
    for (dir, expected) in cases() {
        let name = dir.display();
        let message = read(&dir, "tpm-quote-msg.bin");
        let quote = TpmsAttest::parse(&message).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            hex::encode(quote.extra_data),
            expected["expected_nonce_hex"].as_str().unwrap(),
            "{name}"
        );
        let tpm = &expected["tpm"];
        assert_eq!(
            hex::encode(quote.qualified_signer),
            tpm["qualified_signer"],
            "{name}"
        );
        assert_eq!(quote.clock, tpm["clock_ms"].as_u64().unwrap(), "{name}");
        assert_eq!(
            u64::from(quote.reset_count),
            tpm["reset_count"].as_u64().unwrap()
        );
        assert_eq!(
            u64::from(quote.restart_count),
            tpm["restart_count"].as_u64().unwrap()
        );
        assert_eq!(quote.safe, tpm["safe"] == 1, "{name}");
        assert_eq!(hex::encode(quote.pcr_digest), tpm["pcr_digest"], "{name}");
        assert_eq!(quote.pcr_select.len(), 1, "{name}");
        assert_eq!(quote.pcr_select[0].hash, TPM_ALG_SHA256, "{name}");
        // All 24 PCRs, but in the 2023 file PCRs 0-7 and 14.
        let expected_pcrs: Vec<u8> = tpm["pcr_selection"][0]["pcrs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| u8::try_from(v.as_u64().unwrap()).unwrap())
            .collect();
        assert_eq!(quote.pcr_select[0].pcrs, expected_pcrs, "{name}");
        assert_eq!(quote.firmware_version, 0x2020_0312_0012_0003, "{name}");
        // pcrDigest = SHA-256 of the selected PCR values in selection order.
        if dir.join("pcrs.bin").exists() {
            let pcrs = read(&dir, "pcrs.bin");
            assert_eq!(pcrs.len(), 24 * 32, "{name}");
            assert_eq!(quote.pcr_digest, sha256(&pcrs).as_slice(), "{name}");
        }
    }
}

/// A named change to valid bytes, and the field whose check must refuse the result.
type Mutation = (&'static str, Box<dyn Fn(&mut Vec<u8>)>, &'static str);

fn snp_hcl() -> Vec<u8> {
    read(&azure().join("snp/extracted/v2"), "hcl-report.bin")
}

fn set_u32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

#[test]
fn each_hcl_report_check_refuses_with_its_field() {
    let good = snp_hcl();
    let cases: Vec<Mutation> = vec![
        ("magic", Box::new(|b| b[0] ^= 1), "HCL report signature"),
        (
            "header version 3",
            Box::new(|b| set_u32(b, 4, 3)),
            "HCL report header version",
        ),
        (
            "report size",
            Box::new(|b| set_u32(b, 8, 2347)),
            "HCL report size",
        ),
        (
            "data size",
            Box::new(|b| set_u32(b, 0x4C0, 1131)),
            "IGVM request data size",
        ),
        (
            "request version",
            Box::new(|b| set_u32(b, 0x4C4, 2)),
            "IGVM request data version",
        ),
        (
            "VBS report",
            Box::new(|b| set_u32(b, 0x4C8, 1)),
            "IGVM report type",
        ),
        (
            "unknown report",
            Box::new(|b| set_u32(b, 0x4C8, 9)),
            "IGVM report type",
        ),
        (
            "SHA-384 hash",
            Box::new(|b| set_u32(b, 0x4CC, 2)),
            "report data hash type",
        ),
        (
            "unknown hash",
            Box::new(|b| set_u32(b, 0x4CC, 0)),
            "report data hash type",
        ),
        (
            "runtime data past the end",
            Box::new(|b| {
                set_u32(b, 0x4D0, 5000);
                set_u32(b, 0x4C0, 5020);
                set_u32(b, 8, 0x4D4 + 5000);
            }),
            "runtime data",
        ),
        (
            "non-zero padding",
            Box::new(|b| *b.last_mut().unwrap() = 1),
            "HCL report padding",
        ),
        (
            "truncated header",
            Box::new(|b| b.truncate(0x10)),
            "HCL report status",
        ),
        (
            "truncated report",
            Box::new(|b| b.truncate(0x300)),
            "hardware report",
        ),
    ];
    for (what, mutate, field) in cases {
        let mut bytes = good.clone();
        mutate(&mut bytes);
        let err = HclReport::parse(&bytes).expect_err(what);
        assert_eq!(err.what, field, "{what}: {err}");
    }
    // A TDX report whose padding after the TDREPORT is not zero.
    let mut tdx = read(&azure().join("tdx/extracted"), "hcl-report.bin");
    tdx[0x20 + 1024 + 5] = 1;
    let err = HclReport::parse(&tdx).unwrap_err();
    assert_eq!(err.what, "TDREPORT padding");
    assert_eq!(err.offset, 0x20 + 1024 + 5);
    assert_eq!(err.kind, ParseErrorKind::NonZeroReserved);
    // Parsing never panics on any prefix.
    for n in 0..good.len() {
        let _ = HclReport::parse(&good[..n]);
    }
}

#[test]
fn each_tpm_quote_check_refuses_with_its_field() {
    let good = read(&azure().join("snp/extracted/v2"), "tpm-quote-msg.bin");
    // With the 48-byte nonce: extraData at 42, clock at 92, safe at 108, select at 117.
    let cases: Vec<Mutation> = vec![
        ("magic", Box::new(|b| b[0] = 0), "TPMS_ATTEST magic"),
        (
            "certify, not quote",
            Box::new(|b| b[5] = 0x17),
            "TPMS_ATTEST type",
        ),
        (
            "name too large",
            Box::new(|b| b[6..8].copy_from_slice(&[0x01, 0x00])),
            "qualifiedSigner",
        ),
        (
            "nonce too large",
            Box::new(|b| b[42..44].copy_from_slice(&[0x00, 0x41])),
            "extraData",
        ),
        ("safe = 2", Box::new(|b| b[108] = 2), "clockInfo.safe"),
        (
            "no bank",
            Box::new(|b| b[117..121].copy_from_slice(&[0, 0, 0, 0])),
            "pcrSelect.count",
        ),
        (
            "select size 5",
            Box::new(|b| b[123] = 5),
            "pcrSelect.sizeofSelect",
        ),
        (
            "selects nothing",
            Box::new(|b| b[124..127].copy_from_slice(&[0, 0, 0])),
            "pcrSelect.pcrSelect",
        ),
        ("trailing byte", Box::new(|b| b.push(0)), "TPMS_ATTEST"),
        (
            "truncated digest",
            Box::new(|b| b.truncate(b.len() - 1)),
            "pcrDigest",
        ),
    ];
    for (what, mutate, field) in cases {
        let mut bytes = good.clone();
        mutate(&mut bytes);
        let err = TpmsAttest::parse(&bytes).expect_err(what);
        assert_eq!(err.what, field, "{what}: {err}");
    }
    for n in 0..good.len() {
        let _ = TpmsAttest::parse(&good[..n]);
    }
}

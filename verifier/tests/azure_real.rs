//! Azure vTPM evidence end to end on every real case of `../shared/vectors/azure`: each
//! verifies with its nonce at its time, and every mutation recipe of the README's section
//! 8 rejects for its reason (or, where the README says so, still verifies), on every
//! compiled crypto provider.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::path::PathBuf;

use verifier::azure::{
    AzureClaims, AzureEvidence, AzureHardware, AzureSnpOptions, AzureTdxOptions, HardwareClaims,
    TpmQuote,
};
use verifier::collateral::Bundle;
use verifier::crypto::{all_providers, CryptoProvider};
use verifier::time::{parse_rfc3339, UnixTime};
use verifier::{Claims, Error, ErrorClass, Evidence, Expectations, TrustAnchors, Verifier};

const CHALLENGE: &[u8] = b"challenge";
const V2_NONCE: &str = "982f5c6e45df0ed3f10b6f60b02f0c8390e281300f3805e2279c16168cd6ae9aa398f647caa2338748cd0fd9f5f819ef";
const SNP_TIME: &str = "2025-09-01T00:00:00Z";
const TDX_SET_A: &str = "tdx-v4-dcaprs-00806f05-outofdate";
const TDX_SET_B: &str = "tdx-v4-zkdcap-00806f05-outofdate";

fn azure() -> PathBuf {
    testvectors::real::vectors_dir().join("azure")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(azure().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn at(text: &str) -> UnixTime {
    parse_rfc3339(text).unwrap()
}

fn snp_roots(file: &str) -> Vec<u8> {
    std::fs::read(testvectors::real::snp_dir().join("roots").join(file)).unwrap()
}

fn milan_bundle() -> Bundle {
    testvectors::bundle_from_bytes(&[snp_roots("milan_ask_ark.pem"), snp_roots("milan_crl.der")])
}

fn tdx_bundle(case: &str) -> Bundle {
    let dir = testvectors::real::tdx_dir()
        .join("cases")
        .join(case)
        .join("collateral");
    let mut files: Vec<Vec<u8>> = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        files.push(std::fs::read(entry.unwrap().path()).unwrap());
    }
    testvectors::bundle_from_bytes(&files)
}

fn from_json(rel: &str) -> AzureEvidence {
    match Evidence::from_bytes(&read(rel), None).unwrap() {
        Evidence::Azure(a) => *a,
        other => panic!("{rel}: read as {:?}", other.tee()),
    }
}

/// One real case: evidence, collateral, nonce and time.
#[derive(Clone)]
struct Case {
    name: &'static str,
    evidence: AzureEvidence,
    bundle: Bundle,
    nonce: Vec<u8>,
    now: UnixTime,
    /// Whether PCR values came with the quote (legacy-2023 has none).
    pcrs: bool,
}

fn snp_case(name: &'static str) -> Case {
    let (evidence, bundle, nonce, pcrs) = match name {
        "v0" | "v1" => (
            from_json(&format!("snp/evidence-{name}.json")),
            milan_bundle(),
            CHALLENGE.to_vec(),
            true,
        ),
        "v2" => (
            from_json("snp/evidence-v2.json"),
            milan_bundle(),
            hex::decode(V2_NONCE).unwrap(),
            true,
        ),
        "hcl-report" => {
            let mut bundle = milan_bundle();
            bundle.add_bytes(&read("snp/vcek.pem")).unwrap();
            let evidence = AzureEvidence {
                hcl_report: read("snp/hcl-report.bin"),
                tpm_quote: TpmQuote::from_bytes(&read("snp/tpm-quote-v1.json")).unwrap(),
                hardware: AzureHardware::Snp { vcek: None },
                version: 1,
            };
            (evidence, bundle, CHALLENGE.to_vec(), true)
        }
        "legacy-2023" => {
            let mut bundle = milan_bundle();
            bundle
                .add_bytes(&read("snp/legacy-2023/az-vcek.pem"))
                .unwrap();
            let evidence = AzureEvidence {
                hcl_report: read("snp/legacy-2023/az-hcl-data.bin"),
                tpm_quote: TpmQuote::from_parts(
                    read("snp/tpm-quote.msg"),
                    read("snp/tpm-quote.sig"),
                    &[],
                )
                .unwrap(),
                hardware: AzureHardware::Snp { vcek: None },
                version: 0,
            };
            (evidence, bundle, CHALLENGE.to_vec(), false)
        }
        _ => unreachable!(),
    };
    Case {
        name,
        evidence,
        bundle,
        nonce,
        now: at(SNP_TIME),
        pcrs,
    }
}

fn tdx_case(name: &'static str) -> Case {
    let evidence = match name {
        "tdx-v0" => from_json("tdx/evidence-v0.json"),
        "tdx-v1" => from_json("tdx/evidence-v1.json"),
        "tdx-parts" => AzureEvidence {
            hcl_report: read("tdx/hcl-report.bin"),
            tpm_quote: TpmQuote::from_bytes(&read("tdx/tpm-quote-v1.json")).unwrap(),
            hardware: AzureHardware::Tdx {
                td_quote: read("tdx/td-quote.bin"),
            },
            version: 1,
        },
        _ => unreachable!(),
    };
    Case {
        name,
        evidence,
        bundle: tdx_bundle(TDX_SET_A),
        nonce: CHALLENGE.to_vec(),
        now: at("2025-03-01T00:00:00Z"),
        pcrs: true,
    }
}

fn all_cases() -> Vec<Case> {
    let mut cases: Vec<Case> = ["v0", "v1", "v2", "hcl-report", "legacy-2023"]
        .into_iter()
        .map(snp_case)
        .collect();
    cases.extend(["tdx-v0", "tdx-v1", "tdx-parts"].into_iter().map(tdx_case));
    cases
}

fn expectations(evidence: &AzureEvidence, nonce: &[u8]) -> Expectations {
    match evidence.hardware {
        AzureHardware::Snp { .. } => {
            let mut o = AzureSnpOptions::default();
            o.nonce = Some(nonce.to_vec());
            Expectations::azure_snp(o)
        }
        AzureHardware::Tdx { .. } => {
            let mut o = AzureTdxOptions::default();
            o.nonce = Some(nonce.to_vec());
            Expectations::azure_tdx(o)
        }
    }
}

fn verify_with(
    provider: &'static dyn CryptoProvider,
    evidence: &AzureEvidence,
    bundle: &Bundle,
    nonce: &[u8],
    now: UnixTime,
) -> Result<AzureClaims, Error> {
    let verifier = Verifier::with_provider(TrustAnchors::default(), provider);
    let evidence = Evidence::Azure(Box::new(evidence.clone()));
    let verified = verifier.verify(&evidence, bundle, &expectations_for(&evidence, nonce), now)?;
    match verified.claims() {
        Claims::Azure(a) => Ok((**a).clone()),
        other => panic!("claims of another kind: {}", other.tee()),
    }
}

fn expectations_for(evidence: &Evidence, nonce: &[u8]) -> Expectations {
    match evidence {
        Evidence::Azure(a) => expectations(a, nonce),
        _ => unreachable!(),
    }
}

fn verify(case: &Case) -> Result<AzureClaims, Error> {
    verify_with(
        verifier::crypto::default_provider(),
        &case.evidence,
        &case.bundle,
        &case.nonce,
        case.now,
    )
}

#[test]
fn every_real_case_verifies_with_its_nonce_on_every_provider() {
    for provider in all_providers() {
        for case in all_cases() {
            let claims = verify_with(
                provider,
                &case.evidence,
                &case.bundle,
                &case.nonce,
                case.now,
            )
            .unwrap_or_else(|e| panic!("{} on {}: {e} ({})", case.name, provider.name(), e.kind()));
            assert_eq!(claims.tpm.nonce, hex::encode(&case.nonce), "{}", case.name);
            assert_eq!(claims.tpm.pcrs_verified, case.pcrs, "{}", case.name);
            assert_eq!(
                claims.azure.hcl_report_fresh,
                case.name == "v2",
                "{}",
                case.name
            );
        }
    }
}

#[test]
fn claims_of_the_real_cases_are_the_readme_values() {
    let pcr0 = |c: &AzureClaims| c.tpm.pcrs.get(0).map(hex::encode).unwrap_or_default();
    let v0 = verify(&snp_case("v0")).unwrap();
    assert!(pcr0(&v0).starts_with("e15c4479"), "{}", pcr0(&v0));
    assert!(pcr0(&v0).ends_with("8dced"));
    assert_eq!(v0.tpm.pcr_selection, (0..24).collect::<Vec<u8>>());
    assert_eq!(v0.tpm.firmware_version, "2020031200120003");
    assert_eq!(v0.azure.evidence_version, 0);
    assert_eq!(v0.azure.vm_configuration.secure_boot, Some(true));
    assert_eq!(
        v0.azure.vm_configuration.vm_unique_id.as_deref(),
        Some("26F8BC30-774E-4290-8E7A-535F3B672AEE")
    );
    assert_eq!(v0.azure.user_data, "00".repeat(64));
    let HardwareClaims::Snp(snp) = &v0.hardware else {
        panic!("not SNP")
    };
    assert_eq!(snp.vmpl, 0);
    assert!(snp.report_data.starts_with(&v0.azure.runtime_data_sha256));

    let v2 = verify(&snp_case("v2")).unwrap();
    let expected: serde_json::Value =
        serde_json::from_slice(&read("snp/extracted/v2/expected.json")).unwrap();
    assert_eq!(
        v2.azure.runtime_data_sha256,
        expected["runtime_data_sha256"]
    );
    assert_eq!(v2.tpm.clock, expected["tpm"]["clock_ms"].as_u64().unwrap());
    assert_eq!(v2.tpm.pcr_digest, expected["tpm"]["pcr_digest"]);
    assert_eq!(
        v2.azure.user_data,
        expected["runtime_user_data"]
            .as_str()
            .unwrap()
            .to_lowercase()
    );
    assert!(v2.azure.hcl_report_fresh);
    assert!(pcr0(&v2).starts_with("84275b2f"));

    let parts = verify(&snp_case("hcl-report")).unwrap();
    assert!(pcr0(&parts).starts_with("f3a7e99a"));

    let legacy = verify(&snp_case("legacy-2023")).unwrap();
    assert!(!legacy.tpm.pcrs_verified);
    assert!(legacy.tpm.pcrs.is_empty());
    assert_eq!(legacy.tpm.pcr_selection, vec![0, 1, 2, 3, 4, 5, 6, 7, 14]);
    assert_eq!(
        legacy.azure.vm_configuration.current_time,
        Some(1_682_516_330)
    );
    assert_eq!(legacy.azure.ek_thumbprint, "");

    let tdx = verify(&tdx_case("tdx-v1")).unwrap();
    let HardwareClaims::Tdx(td) = &tdx.hardware else {
        panic!("not TDX")
    };
    assert_eq!(td.platform.tcb_status.to_string(), "OutOfDate");
    assert!(td.mr_td.starts_with("024a32b0"));
    assert!(pcr0(&tdx).starts_with("782b20b1"));
    assert_eq!(tdx.azure.vm_configuration.tpm_persisted, Some(false));
}

#[test]
fn the_warnings_say_what_is_not_fresh_or_not_checked() {
    let verifier = Verifier::new(TrustAnchors::default());
    let codes = |case: &Case| -> Vec<&'static str> {
        let evidence = Evidence::Azure(Box::new(case.evidence.clone()));
        verifier
            .verify(
                &evidence,
                &case.bundle,
                &expectations(&case.evidence, &case.nonce),
                case.now,
            )
            .unwrap()
            .warnings()
            .iter()
            .map(|w| w.code)
            .collect()
    };
    assert!(codes(&snp_case("v1")).contains(&"hcl_report_not_fresh"));
    assert!(!codes(&snp_case("v2")).contains(&"hcl_report_not_fresh"));
    assert!(codes(&snp_case("legacy-2023")).contains(&"pcr_values_absent"));
    assert!(!codes(&snp_case("v2")).contains(&"pcr_values_absent"));
}

/// The loose forms read the same: Trustee's bincode TPM quote, and the JSON forms v0/v1.
#[test]
fn every_form_of_the_same_evidence_reads_the_same() {
    let json = TpmQuote::from_bytes(&read("snp/tpm-quote-v1.json")).unwrap();
    let bincode = TpmQuote::from_bytes(&read("snp/quote.bin")).unwrap();
    assert_eq!(json, bincode);
    let tdx_json = TpmQuote::from_bytes(&read("tdx/tpm-quote-v1.json")).unwrap();
    assert_eq!(
        tdx_json,
        TpmQuote::from_bytes(&read("tdx/quote.bin")).unwrap()
    );
    let v0 = from_json("tdx/evidence-v0.json");
    let v1 = from_json("tdx/evidence-v1.json");
    assert_eq!(v0.hcl_report, v1.hcl_report);
    assert_eq!(v0.tpm_quote, v1.tpm_quote);
    assert_eq!(v0.hardware, v1.hardware);
    assert_eq!(v0.hcl_report, read("tdx/hcl-report.bin"));
    assert_eq!(v1.tpm_quote, tdx_json);
    let snp_v0 = from_json("snp/evidence-v0.json");
    assert_eq!(
        snp_v0.hardware,
        AzureHardware::Snp {
            vcek: Some(read("snp/extracted/v0/vcek.der"))
        }
    );
    assert_eq!(from_json("snp/evidence-v2.json").version, 2);
}

// ---- Section 8: the mutation recipes -------------------------------------------------

type Mutate = Box<dyn Fn(&mut Case)>;

fn flip_hcl(at: usize) -> Mutate {
    Box::new(move |c| c.evidence.hcl_report[at] ^= 1)
}

fn set_hcl(at: usize, value: u8) -> Mutate {
    Box::new(move |c| c.evidence.hcl_report[at] = value)
}

fn td_quote(c: &mut Case) -> &mut Vec<u8> {
    match &mut c.evidence.hardware {
        AzureHardware::Tdx { td_quote } => td_quote,
        AzureHardware::Snp { .. } => panic!("{}: not TDX", c.name),
    }
}

/// Runs a recipe on a case and checks the error kind (or success when `kinds` is empty),
/// on a fresh verifier and on one that has just verified the unmutated case: its parse
/// and signature caches (runtime data, carried VCEK, chain signatures) are warm with the
/// good evidence, and must never carry it over to the mutated one.
fn check(case: Case, recipe: &str, mutate: &dyn Fn(&mut Case), kinds: &[&str]) {
    let good = case.clone();
    let mut case = case;
    mutate(&mut case);
    for provider in all_providers() {
        let warm = Verifier::with_provider(TrustAnchors::default(), provider);
        let verify_on = |verifier: &Verifier, c: &Case| {
            let evidence = Evidence::Azure(Box::new(c.evidence.clone()));
            verifier
                .verify(
                    &evidence,
                    &c.bundle,
                    &expectations(&c.evidence, &c.nonce),
                    c.now,
                )
                .map(|_| ())
        };
        verify_on(&warm, &good)
            .unwrap_or_else(|e| panic!("{recipe}: the unmutated {} fails: {e}", good.name));
        let fresh = Verifier::with_provider(TrustAnchors::default(), provider);
        for (cache, verifier) in [("fresh", &fresh), ("warm", &warm)] {
            let result = verify_on(verifier, &case);
            let name = format!("{recipe} on {} ({}, {cache})", case.name, provider.name());
            match (result, kinds) {
                (Ok(()), []) => {}
                (Ok(()), _) => panic!("{name}: verified, expected {kinds:?}"),
                (Err(e), []) => panic!("{name}: expected to verify, got {e} ({})", e.kind()),
                (Err(e), _) => assert!(
                    kinds.contains(&e.kind()),
                    "{name}: {e} ({}), expected one of {kinds:?}",
                    e.kind()
                ),
            }
        }
    }
}

const SIGNATURE: &[&str] = &["evidence_signature"];

/// The cases a row applies to unless it says otherwise.
fn common_cases() -> Vec<Case> {
    all_cases()
}

#[test]
fn n_rows_reject_for_their_reason_on_every_case() {
    // N1: tampered TPM signature.
    for case in common_cases() {
        check(
            case,
            "N1",
            &Box::new(|c: &mut Case| c.evidence.tpm_quote.signature[0] ^= 1),
            SIGNATURE,
        );
    }
    // N2: clockInfo.clock edited (offset 53 for a 9-byte nonce, 92 for 48 bytes).
    for case in common_cases() {
        let at = if case.nonce.len() == 48 { 92 } else { 53 };
        check(
            case,
            "N2",
            &Box::new(move |c: &mut Case| c.evidence.tpm_quote.message[at] ^= 1),
            SIGNATURE,
        );
    }
    // N3: another expected nonce ("challenge" reversed, or the 48-byte one with byte 0 flipped).
    for case in common_cases() {
        check(
            case,
            "N3",
            &Box::new(|c: &mut Case| {
                if c.nonce.len() == 48 {
                    c.nonce[0] ^= 1;
                } else {
                    c.nonce.reverse();
                }
            }),
            &["unexpected_nonce", "user_data_nonce_mismatch"],
        );
    }
    // N4: the nonce edited inside the quote.
    for case in common_cases() {
        check(
            case,
            "N4",
            &Box::new(|c: &mut Case| c.evidence.tpm_quote.message[44] ^= 1),
            &["evidence_signature", "unexpected_nonce"],
        );
    }
    // N5: a PCR value altered (PCR0, PCR8) or dropped (PCR23); legacy-2023 has none.
    for (recipe, mutate) in [
        (
            "N5 pcr0",
            Box::new(|c: &mut Case| c.evidence.tpm_quote.pcrs[0][0] ^= 1) as Mutate,
        ),
        (
            "N5 pcr8",
            Box::new(|c: &mut Case| c.evidence.tpm_quote.pcrs[8][0] ^= 1),
        ),
        (
            "N5 drop pcr23",
            Box::new(|c: &mut Case| {
                c.evidence.tpm_quote.pcrs.pop();
            }),
        ),
    ] {
        for case in common_cases().into_iter().filter(|c| c.pcrs) {
            check(
                case,
                recipe,
                &mutate,
                &["pcr_digest_mismatch", "pcr_count_mismatch"],
            );
        }
    }
    // N6: runtime data that the hardware report does not bind (vmUniqueId digit, and
    // Trustee's own edits).
    for case in common_cases() {
        let at = match case.name {
            "legacy-2023" => 0x6F4,
            n if n.starts_with("tdx") => 0x8CF,
            _ => 0x874,
        };
        check(case, "N6", &flip_hcl(at), &["runtime_data_binding"]);
    }
    check(
        snp_case("hcl-report"),
        "N6 trustee",
        &Box::new(|c: &mut Case| c.evidence.hcl_report[0x6E0] += 1),
        &["runtime_data_binding"],
    );
    check(
        tdx_case("tdx-v1"),
        "N6 trustee",
        &Box::new(|c: &mut Case| c.evidence.hcl_report[0x880] += 1),
        &["runtime_data_binding"],
    );
    // N7: the AK swapped (one character of its modulus).
    for case in common_cases() {
        let at = if case.name == "legacy-2023" {
            0x521
        } else {
            0x51E
        };
        check(
            case,
            "N7",
            &flip_hcl(at),
            &["evidence_signature", "runtime_data_binding"],
        );
    }
    // N8 to N12: the HCL report's structure.
    for case in common_cases() {
        check(case, "N8", &set_hcl(0x540, 0), &["malformed_json"]);
    }
    for case in common_cases() {
        check(case, "N9", &set_hcl(0x4CC, 2), &["invalid_value"]);
    }
    for case in common_cases() {
        check(
            case,
            "N10",
            &Box::new(|c: &mut Case| {
                c.evidence.hcl_report[0x4D0..0x4D4].copy_from_slice(&[0xFF, 0xFF, 0, 0]);
            }),
            &["invalid_value", "truncated"],
        );
    }
    // N11: the unsigned header edited: still verifies.
    for case in common_cases() {
        check(case, "N11", &flip_hcl(0x14), &[]);
    }
    for case in common_cases() {
        check(case, "N12", &flip_hcl(0), &["malformed_structure"]);
    }
}

/// The kinds of the structural errors, as the crate names them.
#[test]
fn hcl_structure_errors_are_classed_as_the_cli_reports_them() {
    let case = snp_case("v1");
    let mut bad = case.evidence.clone();
    bad.hcl_report[0] ^= 1;
    let e = verify_with(
        verifier::crypto::default_provider(),
        &bad,
        &case.bundle,
        &case.nonce,
        case.now,
    )
    .unwrap_err();
    assert_eq!(e.class(), ErrorClass::Malformed, "{e}");
    assert!(e.to_string().contains("HCLA"), "{e}");
    let mut hash = case.evidence.clone();
    hash.hcl_report[0x4CC] = 2;
    let e = verify_with(
        verifier::crypto::default_provider(),
        &hash,
        &case.bundle,
        &case.nonce,
        case.now,
    )
    .unwrap_err();
    assert_eq!(e.class(), ErrorClass::Rejected, "{e}");
    assert!(e.to_string().contains("report data hash type"), "{e}");
}

#[test]
fn s_rows_reject_for_their_reason() {
    let snp: Vec<&'static str> = vec!["v0", "v1", "v2", "hcl-report", "legacy-2023"];
    for name in &snp {
        check(snp_case(name), "S1", &flip_hcl(0xB0), SIGNATURE);
        check(
            snp_case(name),
            "S2",
            &flip_hcl(0x70),
            &["runtime_data_binding"],
        );
        check(snp_case(name), "S3", &set_hcl(0x1A6, 0), &["tcb_mismatch"]);
        check(snp_case(name), "S4", &set_hcl(0x50, 1), SIGNATURE);
        check(snp_case(name), "S5", &flip_hcl(0x2C0), SIGNATURE);
    }
    // S6: v0 evidence with v2's VCEK (another chip).
    check(
        snp_case("v0"),
        "S6",
        &Box::new(|c: &mut Case| {
            c.evidence.hardware = AzureHardware::Snp {
                vcek: Some(read("snp/extracted/v2/vcek.der")),
            };
        }),
        &["chip_id_mismatch"],
    );
    // S7: a Genoa chain for a Milan VCEK.
    for name in &snp {
        check(
            snp_case(name),
            "S7",
            &Box::new(|c: &mut Case| {
                let mut bundle = testvectors::bundle_from_bytes(&[
                    snp_roots("genoa_ask_ark.pem"),
                    snp_roots("genoa_crl.der"),
                ]);
                // The loose-parts cases carry their (Milan) chain beside the VCEK: keep
                // only the VCEK.
                bundle.extend_certificates(
                    c.bundle
                        .certificates()
                        .iter()
                        .filter(|cert| {
                            cert.subject()
                                .common_name()
                                .is_some_and(|cn| cn.starts_with("SEV-VCEK"))
                        })
                        .cloned(),
                );
                c.bundle = bundle;
            }),
            &["wrong_product"],
        );
    }
    // S8: v1 before its VCEK was issued.
    check(
        snp_case("v1"),
        "S8",
        &Box::new(|c: &mut Case| c.now = at("2025-01-27T00:00:00Z")),
        &["certificate_not_yet_valid"],
    );
}

#[test]
fn v_rows_version_semantics_and_mixes() {
    // V1: version 2 semantics claimed for version 1 data (user-data is zero).
    check(
        snp_case("v1"),
        "V1",
        &Box::new(|c: &mut Case| c.evidence.version = 2),
        &["user_data_nonce_mismatch"],
    );
    check(
        tdx_case("tdx-v1"),
        "V1",
        &Box::new(|c: &mut Case| c.evidence.version = 2),
        &["user_data_nonce_mismatch"],
    );
    // The same through the JSON: "version": 1 changed to 2.
    let text = String::from_utf8(read("snp/evidence-v1.json")).unwrap();
    let edited = text.replacen("\"version\": 1", "\"version\": 2", 1);
    assert_ne!(edited, text);
    let Evidence::Azure(as_v2) = Evidence::from_bytes(edited.as_bytes(), None).unwrap() else {
        panic!()
    };
    let case = snp_case("v1");
    let e = verify_with(
        verifier::crypto::default_provider(),
        &as_v2,
        &case.bundle,
        &case.nonce,
        case.now,
    )
    .unwrap_err();
    assert_eq!(e.kind(), "user_data_nonce_mismatch", "{e}");
    // V2: v0's HCL report with v1's TPM quote: same VM and AK, and versions 0/1 do not
    // bind the HCL report to the nonce, so this verifies (and says it is not fresh).
    check(
        snp_case("v0"),
        "V2",
        &Box::new(|c: &mut Case| c.evidence.tpm_quote = snp_case("v1").evidence.tpm_quote),
        &[],
    );
    // V3: another VM's TPM quote.
    check(
        snp_case("v1"),
        "V3",
        &Box::new(|c: &mut Case| c.evidence.tpm_quote = tdx_case("tdx-v1").evidence.tpm_quote),
        SIGNATURE,
    );
    // An unknown version is refused, never read as the nearest known one.
    check(
        snp_case("v2"),
        "version 3",
        &Box::new(|c: &mut Case| c.evidence.version = 3),
        &["unsupported_azure_evidence_version"],
    );
}

#[test]
fn t_rows_reject_for_their_reason() {
    for name in ["tdx-v0", "tdx-v1", "tdx-parts"] {
        check(
            tdx_case(name),
            "T1",
            &Box::new(|c: &mut Case| td_quote(c)[184] ^= 1),
            SIGNATURE,
        );
        check(
            tdx_case(name),
            "T2",
            &Box::new(|c: &mut Case| td_quote(c)[568] ^= 1),
            &["runtime_data_binding", "evidence_signature"],
        );
        check(
            tdx_case(name),
            "T3",
            &Box::new(|c: &mut Case| td_quote(c)[770] ^= 1),
            &["evidence_signature", "pck_certificate_mismatch"],
        );
        check(
            tdx_case(name),
            "T4",
            &Box::new(|c: &mut Case| td_quote(c)[700] ^= 1),
            &["evidence_signature", "qe_report_data"],
        );
        // T5: the embedded (unauthenticated) TDREPORT differs from the quote: Verdict
        // refuses parts that were not made together (Trustee ignores the TDREPORT).
        check(
            tdx_case(name),
            "T5",
            &flip_hcl(0xA0),
            &["td_report_mismatch"],
        );
    }
    // T6: collateral out of its time.
    for (set, when, kinds) in [
        (
            TDX_SET_A,
            "2025-03-16T00:00:00Z",
            &["tcb_info_expired", "qe_identity_expired", "crl_expired"][..],
        ),
        (
            TDX_SET_A,
            "2025-02-12T00:00:00Z",
            &[
                "tcb_info_not_yet_valid",
                "qe_identity_not_yet_valid",
                "crl_not_yet_valid",
            ][..],
        ),
        (
            TDX_SET_B,
            "2025-03-01T00:00:00Z",
            &["tcb_info_expired", "qe_identity_expired", "crl_expired"][..],
        ),
    ] {
        check(
            tdx_case("tdx-v1"),
            "T6",
            &Box::new(move |c: &mut Case| {
                c.bundle = tdx_bundle(set);
                c.now = at(when);
            }),
            kinds,
        );
    }
    // Set B verifies at its own time.
    check(
        tdx_case("tdx-v1"),
        "set B",
        &Box::new(|c: &mut Case| {
            c.bundle = tdx_bundle(TDX_SET_B);
            c.now = at("2025-02-01T00:00:00Z");
        }),
        &[],
    );
    // T7: another FMSPC's TCB Info in place of the platform's (set A otherwise): the
    // platform's TCB Info is not there, and the other one is never used for it.
    check(
        tdx_case("tdx-v1"),
        "T7",
        &Box::new(|c: &mut Case| {
            let dir = |case: &str| {
                testvectors::real::tdx_dir()
                    .join("cases")
                    .join(case)
                    .join("collateral")
            };
            let mut files: Vec<Vec<u8>> = Vec::new();
            for entry in std::fs::read_dir(dir(TDX_SET_A)).unwrap() {
                let path = entry.unwrap().path();
                if !path.ends_with("tcb_info.json") {
                    files.push(std::fs::read(path).unwrap());
                }
            }
            files.push(
                std::fs::read(dir("tdx-v4-phala-b0c06f-uptodate").join("tcb_info.json")).unwrap(),
            );
            c.bundle = testvectors::bundle_from_bytes(&files);
        }),
        &["missing_collateral"],
    );
    // The TD quote's 70 trailing zero bytes are tolerated (and they are there).
    let case = tdx_case("tdx-parts");
    let AzureHardware::Tdx { td_quote } = &case.evidence.hardware else {
        panic!()
    };
    assert_eq!(td_quote.len(), 5006);
    assert!(td_quote[4936..].iter().all(|b| *b == 0));
}

/// Expectations for one kind are refused for the other, and the SNP options apply.
#[test]
fn expectations_of_another_kind_are_refused_and_snp_options_apply() {
    let verifier = Verifier::new(TrustAnchors::default());
    let snp = snp_case("v1");
    let evidence = Evidence::Azure(Box::new(snp.evidence.clone()));
    let e = verifier
        .verify(
            &evidence,
            &snp.bundle,
            &Expectations::azure_tdx(AzureTdxOptions::default()),
            snp.now,
        )
        .unwrap_err();
    assert_eq!(e.kind(), "tee_mismatch", "{e}");
    let e = verifier
        .verify(
            &evidence,
            &snp.bundle,
            &Expectations::snp(verifier::snp::SnpOptions::default()),
            snp.now,
        )
        .unwrap_err();
    assert_eq!(e.kind(), "tee_mismatch", "{e}");
    let mut options = AzureSnpOptions::default();
    options.snp.measurement = Some([0u8; 48]);
    let e = verifier
        .verify(
            &evidence,
            &snp.bundle,
            &Expectations::azure_snp(options),
            snp.now,
        )
        .unwrap_err();
    assert_eq!(e.kind(), "unexpected_measurement", "{e}");
}

/// Without the chain the requirements name it; the carried VCEK serves the VCEK need.
#[test]
fn requirements_name_the_chain_and_not_the_carried_vcek() {
    let case = snp_case("v1");
    let evidence = Evidence::Azure(Box::new(case.evidence.clone()));
    let missing = Bundle::new().missing(&evidence, &Expectations::none());
    let keys: Vec<String> = missing.iter().map(|r| r.key.to_string()).collect();
    assert!(keys.iter().any(|k| k.contains("ASK and ARK")), "{keys:?}");
    assert!(!keys.iter().any(|k| k.contains("VCEK for")), "{keys:?}");
    assert!(case
        .bundle
        .missing(&evidence, &Expectations::none())
        .iter()
        .all(|r| r.optional));
    let parts = snp_case("hcl-report");
    let evidence = Evidence::Azure(Box::new(parts.evidence.clone()));
    let keys: Vec<String> = milan_bundle()
        .missing(&evidence, &Expectations::none())
        .iter()
        .map(|r| r.key.to_string())
        .collect();
    assert!(keys.iter().any(|k| k.contains("VCEK")), "{keys:?}");
    let tdx = tdx_case("tdx-v1");
    let evidence = Evidence::Azure(Box::new(tdx.evidence.clone()));
    assert!(!Bundle::new()
        .missing(&evidence, &Expectations::none())
        .is_empty());
    assert!(tdx
        .bundle
        .missing(&evidence, &Expectations::none())
        .iter()
        .all(|r| r.optional));
}

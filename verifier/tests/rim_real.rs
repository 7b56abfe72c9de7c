//! Every real NVIDIA RIM in `shared/vectors/nvidia` (read in place, never copied): each
//! parses; the genuine ones verify (XMLDSig, and the KeyInfo chain to the pinned NVIDIA
//! CoRIM signing Root CA at a time inside the signer's validity) on every compiled crypto
//! provider; versions, active indices and signer windows equal VERIFICATION.txt; the
//! negative vectors and byte flips fail with their precise error.

use std::path::{Path, PathBuf};

use testvectors::pki::time::unix_time;
use testvectors::real::nvidia_dir;
use verifier::anchors::NVIDIA_RIM_ROOT_CA;
use verifier::crypto::{all_providers, CryptoProvider, HashAlg};
use verifier::error::{CertErrorKind, RimErrorKind};
use verifier::nvidia::rim::Rim;
use verifier::pki::{CertRole, Certificate, PathChecker, SignatureCache};
use verifier::time::from_secs;
use verifier::Error;

const DAY: u64 = 86_400;

/// 2026-11-27T00:00:00Z: "today" for these vectors.
const TODAY: u64 = 1_795_737_600;

fn path(rel: &str) -> PathBuf {
    nvidia_dir().join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    let p = path(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn parse(rel: &str) -> Rim {
    Rim::parse(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Files of `dir` whose names satisfy `keep`, as paths relative to the vectors root,
/// sorted.
fn files(dir: &str, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(path(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|entry| entry.expect("directory entry").file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| keep(n))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    out.sort();
    out
}

fn is_rim(name: &str) -> bool {
    name.ends_with(".xml") || name.ends_with(".swidtag")
}

/// Every real RIM, with the expected count per folder (a missing file fails).
fn all_rims() -> Vec<String> {
    let groups = [
        (files("setA_h100_550.90.07", is_rim), 2),
        (files("setB_h100_545.00", is_rim), 3),
        (files("asdk_hopper", is_rim), 3),
        (files("asdk_hopper/sample_rims", is_rim), 5),
        (
            files("ppcie_nvswitch", |n| {
                n.starts_with("NV_SWITCH_BIOS_") && n.ends_with(".xml")
            }),
            1,
        ),
        // MANIFEST.tsv lists 24 PROD VBIOS RIMs from nvtrust.
        (files("rim_corpus/nvtrust_vbios_prod", is_rim), 24),
    ];
    let mut all = Vec::new();
    for (group, expected) in groups {
        assert_eq!(group.len(), expected, "{group:?}");
        all.extend(group);
    }
    all
}

/// RIMs whose XML signature is NVIDIA's and intact.
fn genuine() -> Vec<String> {
    all_rims()
        .into_iter()
        .filter(|r| {
            let name = Path::new(r)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            !name.starts_with("NEG_incorrect_signature")
                && !name.contains("invalid_signature")
                && !name.contains("535.86.09_measurement_mismatch")
                && !name.contains("570.124.03_expired")
                && !name.starts_with("NV_SWITCH_BIOS_5612_0002_890_9610550001_measurement")
        })
        .collect()
}

fn rim_kind(err: &Error) -> &RimErrorKind {
    match err {
        Error::Rim { kind, .. } => kind,
        other => panic!("expected a RIM error, got {other:?}"),
    }
}

/// A time inside the signer's validity (its notBefore plus a day).
fn signing_time(rim: &Rim) -> u64 {
    rim.certificates()[0].not_before().as_secs() + DAY
}

fn checker<'a>(
    provider: &'a dyn CryptoProvider,
    cache: &'a SignatureCache,
    now: u64,
) -> PathChecker<'a> {
    PathChecker {
        provider,
        cache,
        now: from_secs(now),
    }
}

#[test]
fn every_real_rim_parses() {
    for rel in all_rims() {
        let rim = parse(&rel);
        assert_eq!(rim.measurements().len(), 64, "{rel}");
        // NVIDIA's chain is signer, L3, L2, root; the NEG chain RIM carries two.
        let certs = if rel.ends_with("NEG_incorrect_cert_chain_driver_rim.xml") {
            2
        } else {
            4
        };
        assert_eq!(rim.certificates().len(), certs, "{rel}");
        assert_eq!(rim.manufacturer_id(), Some("5703"), "{rel}");
        assert_eq!(rim.tag_id().len(), 96, "{rel}");
        let expected_edition = if rim.product() == "LS10" {
            "SWITCH"
        } else {
            "GPU"
        };
        assert_eq!(rim.edition(), expected_edition, "{rel}");
        assert!(
            ["GH100", "GB100", "LS10"].contains(&rim.product()),
            "{rel}: {}",
            rim.product()
        );
        for (i, m) in rim.measurements().iter().enumerate() {
            assert_eq!(m.index as usize, i, "{rel}: document order");
            assert_eq!(m.size, 48, "{rel}");
            assert!(
                !m.alternatives.is_empty() && m.alternatives.len() <= 4,
                "{rel}"
            );
        }
        // Canonical forms start where they must: SignedInfo with every namespace in scope
        // (the C14N 1.1 subset rule), the document at its root element.
        assert!(
            rim.canonical_signed_info().starts_with(
                b"<ds:SignedInfo xmlns=\"http://standards.iso.org/iso/19770/-2/2015/schema.xsd\" \
                  xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" \
                  xmlns:ns0=\"http://standards.iso.org/iso/19770/-2/2015/schema.xsd\" \
                  xmlns:ns2=\"http://www.w3.org/2001/04/xmlenc#sha384\">"
            ),
            "{rel}: {}",
            String::from_utf8_lossy(&rim.canonical_signed_info()[..300])
        );
        assert!(rim
            .canonical_document()
            .starts_with(b"<SoftwareIdentity xmlns="));
        assert!(rim
            .canonical_document()
            .ends_with(b"</ns0:Payload>\n</SoftwareIdentity>"));
    }
}

#[test]
fn genuine_rims_verify_on_every_provider() {
    let list = genuine();
    assert_eq!(list.len(), 33, "{list:?}");
    for provider in all_providers() {
        let cache = SignatureCache::default();
        for rel in &list {
            let rim = parse(rel);
            rim.verify_signature(provider, &cache)
                .unwrap_or_else(|e| panic!("{rel} on {}: {e}", provider.name()));
            let now = signing_time(&rim);
            let result = rim.verify_chain(&checker(provider, &cache, now), &[NVIDIA_RIM_ROOT_CA]);
            if rel.ends_with("NEG_incorrect_cert_chain_driver_rim.xml") {
                // A debug root ("NVIDIA CoRIM L1 Root CA Debug Only") and no L3.
                let err = result.expect_err("not NVIDIA's root");
                assert!(
                    matches!(
                        err,
                        Error::Certificate {
                            role: CertRole::RimRoot,
                            kind: CertErrorKind::UntrustedRoot { .. },
                            ..
                        }
                    ),
                    "{rel}: {err:?}"
                );
                // Even with that root pinned, the signer's issuer (an L3) is missing.
                let debug_pin: [u8; 32] = provider
                    .hash(HashAlg::Sha256, &[rim.certificates()[1].spki_der()])
                    .as_ref()
                    .try_into()
                    .expect("32 bytes");
                let err = rim
                    .verify_chain(&checker(provider, &cache, now), &[debug_pin])
                    .expect_err("L3 missing");
                assert!(
                    matches!(
                        err,
                        Error::Certificate {
                            role: CertRole::RimSigner,
                            kind: CertErrorKind::IssuerMismatch { .. },
                            ..
                        }
                    ),
                    "{rel}: {err:?}"
                );
                assert_eq!(err.kind(), "issuer_mismatch");
            } else {
                result.unwrap_or_else(|e| panic!("{rel} chain on {}: {e}", provider.name()));
            }
        }
    }
}

#[test]
fn a_repeated_verification_is_a_cache_hit() {
    let provider = verifier::crypto::default_provider();
    let cache = SignatureCache::default();
    let rim = parse("setA_h100_550.90.07/NV_GPU_DRIVER_GH100_550.90.07.xml");
    rim.verify_signature(provider, &cache).expect("verifies");
    let entries = cache.len();
    assert_eq!(entries, 1);
    rim.verify_signature(provider, &cache)
        .expect("verifies again");
    assert_eq!(cache.len(), entries, "no new signature was verified");
    // A clone shares nothing but the bytes: the cache key is over the bytes.
    rim.clone()
        .verify_signature(provider, &cache)
        .expect("verifies");
    assert_eq!(cache.len(), entries);
}

/// One `driver RIM {...}` / `vbios RIM {...}` / `switch RIM {...}` record of
/// VERIFICATION.txt: version, active indices, signer validity dates.
struct Expected {
    version: String,
    active: Vec<u32>,
    signer_valid: (u64, u64),
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let from = s.find(start).unwrap_or_else(|| panic!("{start} in {s}")) + start.len();
    let len = s[from..]
        .find(end)
        .unwrap_or_else(|| panic!("{end} in {s}"));
    &s[from..from + len]
}

fn date(s: &str) -> u64 {
    let parts: Vec<u16> = s.split('-').map(|p| p.parse().expect("date")).collect();
    unix_time(parts[0], parts[1] as u8, parts[2] as u8, 0, 0, 0)
}

fn expected(record: &str) -> Expected {
    let dates = between(record, "'signer_valid': (", ")");
    let (from, to) = dates.split_once(", ").expect("two dates");
    Expected {
        version: between(record, "'version': '", "'").to_owned(),
        active: between(record, "'active': [", "]")
            .split(", ")
            .map(|i| i.parse().expect("index"))
            .collect(),
        signer_valid: (date(from.trim_matches('\'')), date(to.trim_matches('\''))),
    }
}

/// (RIM file, its record) for every RIM VERIFICATION.txt describes.
fn verification_records() -> Vec<(String, Expected)> {
    let text = String::from_utf8(read("VERIFICATION.txt")).expect("UTF-8");
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None; // (set folder, VBIOS RIM file)
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("== ") {
            let mut words = rest.split_whitespace();
            match (words.next(), words.next()) {
                (Some(set), Some(file)) if set.starts_with("set") && is_rim(file) => {
                    current = Some((set.to_owned(), file.to_owned()));
                }
                (Some("switch"), Some("RIM")) => {
                    out.push((
                        "ppcie_nvswitch/NV_SWITCH_BIOS_5612_0002_890_9610550001.xml".to_owned(),
                        expected(rest),
                    ));
                    current = None;
                }
                _ => current = None,
            }
        } else if let Some((set, vbios)) = &current {
            let line = line.trim_start();
            if line.starts_with("driver RIM ") {
                let driver = match set.as_str() {
                    "setA_h100_550.90.07" => "NV_GPU_DRIVER_GH100_550.90.07.xml",
                    "setB_h100_545.00" => "Driver_RIM_test_no_gpu.swidtag",
                    other => panic!("no driver RIM known for {other}"),
                };
                out.push((format!("{set}/{driver}"), expected(line)));
            } else if line.starts_with("vbios RIM ") {
                out.push((format!("{set}/{vbios}"), expected(line)));
            }
        }
    }
    out
}

#[test]
fn versions_active_indices_and_signer_windows_match_verification_txt() {
    let records = verification_records();
    // setA driver + VBIOS, setB driver + VBIOS twice (genuine and NEG PROD), the switch.
    assert_eq!(records.len(), 7);
    for (rel, want) in &records {
        let rim = parse(rel);
        assert_eq!(rim.colloquial_version(), want.version, "{rel}");
        let active: Vec<u32> = rim
            .measurements()
            .iter()
            .filter(|m| m.active)
            .map(|m| m.index)
            .collect();
        assert_eq!(active, want.active, "{rel}");
        let signer = &rim.certificates()[0];
        assert_eq!(
            signer.not_before().as_secs() / DAY * DAY,
            want.signer_valid.0,
            "{rel}"
        );
        assert_eq!(
            signer.not_after().as_secs() / DAY * DAY,
            want.signer_valid.1,
            "{rel}"
        );
    }
    // The brief's numbers, spelled out for setA.
    let driver = parse("setA_h100_550.90.07/NV_GPU_DRIVER_GH100_550.90.07.xml");
    let active: Vec<u32> = driver
        .measurements()
        .iter()
        .filter(|m| m.active)
        .map(|m| m.index)
        .collect();
    let mut want = vec![7];
    want.extend(21..=40);
    assert_eq!(active, want);
    let vbios = parse("setA_h100_550.90.07/NV_GPU_VBIOS_1010_0200_882_96009F0001.xml");
    let active: Vec<u32> = vbios
        .measurements()
        .iter()
        .filter(|m| m.active)
        .map(|m| m.index)
        .collect();
    assert_eq!(active, [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12]);
    assert_eq!(vbios.colloquial_version(), "96.00.9F.00.01");
    assert_eq!(driver.colloquial_version(), "550.90.07");
    assert_eq!(driver.label(), "RIM GH100 550.90.07");
}

#[test]
fn golden_values_are_decoded_from_hex() {
    let driver = parse("setA_h100_550.90.07/NV_GPU_DRIVER_GH100_550.90.07.xml");
    let m7 = &driver.measurements()[7];
    assert_eq!(m7.name, "Measurement_7");
    assert!(m7.active);
    assert_eq!(
        hex::encode(&m7.alternatives[0]),
        "80161aac5e7509f038a6457b111e048207d1dc0e78edbb8c172fca4139c1d5f29cda67ecdd261fdc9203b76387f7389f"
    );
    assert_eq!(driver.measurements()[0].alternatives, vec![vec![0u8; 48]]);
}

#[test]
fn a_corrupted_signature_value_fails_the_signature() {
    let provider = verifier::crypto::default_provider();
    let rel = "asdk_hopper/NEG_incorrect_signature_driver_rim.xml";
    let rim = parse(rel);
    let err = rim
        .verify_signature(provider, &SignatureCache::default())
        .expect_err(rel);
    assert_eq!(rim_kind(&err), &RimErrorKind::BadSignature, "{rel}");
    assert_eq!(err.kind(), "rim_signature");
    assert_eq!(
        err.to_string(),
        "RIM GH100 550.144.03: XML signature does not verify with the RIM signing certificate"
    );
}

#[test]
fn edited_content_fails_the_digest() {
    let provider = verifier::crypto::default_provider();
    let cache = SignatureCache::default();
    for rel in [
        "asdk_hopper/sample_rims/NV_GPU_DRIVER_GH100_535.86.09_measurement_mismatch.xml",
        "asdk_hopper/sample_rims/NV_GPU_DRIVER_GH100_570.124.03_expired.xml",
        "asdk_hopper/sample_rims/NV_SWITCH_BIOS_5612_0002_890_9610550001_measurement_mismatch.xml",
        // NVAT's "invalid signature" switch RIM is an older genuine RIM (signer valid
        // 2024-05-20..2026-05-20) whose Hash0 values were overwritten with `aaaa...`:
        // SignedInfo still verifies, the document digest does not.
        "asdk_hopper/sample_rims/NV_SWITCH_BIOS_5612_0002_890_9610550001_invalid_signature.xml",
    ] {
        let rim = parse(rel);
        let err = rim.verify_signature(provider, &cache).expect_err(rel);
        assert_eq!(rim_kind(&err), &RimErrorKind::DigestMismatch, "{rel}");
        assert_eq!(err.kind(), "rim_digest_mismatch");
    }
    // The edited switch RIM's chain is NVIDIA's: only its content is wrong.
    let rim = parse(
        "asdk_hopper/sample_rims/NV_SWITCH_BIOS_5612_0002_890_9610550001_invalid_signature.xml",
    );
    rim.verify_chain(
        &checker(provider, &cache, signing_time(&rim)),
        &[NVIDIA_RIM_ROOT_CA],
    )
    .expect("genuine chain");
}

#[test]
fn an_unpinned_root_is_untrusted() {
    let provider = verifier::crypto::default_provider();
    let cache = SignatureCache::default();
    let pem = read("asdk_hopper/NEG_incorrect_rim_root.crt");
    let der = pem::parse(&pem).expect("PEM").into_contents();
    let wrong = Certificate::from_der(&der).expect("certificate");
    let wrong_pin: [u8; 32] = provider
        .hash(HashAlg::Sha256, &[wrong.spki_der()])
        .as_ref()
        .try_into()
        .expect("32 bytes");
    assert_ne!(wrong_pin, NVIDIA_RIM_ROOT_CA);
    // The genuine root's pin, from asdk's rim_root.crt, is the one Verdict ships.
    let right = pem::parse(read("asdk_hopper/rim_root.crt"))
        .expect("PEM")
        .into_contents();
    let right = Certificate::from_der(&right).expect("certificate");
    assert_eq!(
        provider.hash(HashAlg::Sha256, &[right.spki_der()]).as_ref(),
        NVIDIA_RIM_ROOT_CA
    );

    let rim = parse("asdk_hopper/NV_GPU_DRIVER_GH100_550.144.03.xml");
    let err = rim
        .verify_chain(&checker(provider, &cache, signing_time(&rim)), &[wrong_pin])
        .expect_err("not the pinned root");
    assert!(
        matches!(
            &err,
            Error::Certificate {
                role: CertRole::RimRoot,
                kind: CertErrorKind::UntrustedRoot { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.kind(), "untrusted_root");
}

#[test]
fn the_genuine_chain_has_expired_by_now() {
    let provider = verifier::crypto::default_provider();
    let cache = SignatureCache::default();
    let rim = parse("setA_h100_550.90.07/NV_GPU_DRIVER_GH100_550.90.07.xml");
    let err = rim
        .verify_chain(&checker(provider, &cache, TODAY), &[NVIDIA_RIM_ROOT_CA])
        .expect_err("the L4 signer expired on 2026-06-01");
    match &err {
        Error::Certificate {
            role: CertRole::RimSigner,
            kind: CertErrorKind::Expired { now, not_after },
            ..
        } => {
            assert_eq!(*now, TODAY);
            assert_eq!(*not_after / DAY * DAY, date("2026-06-01"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.kind(), "certificate_expired");
    // And before the signer existed.
    let err = rim
        .verify_chain(
            &checker(provider, &cache, date("2024-05-01")),
            &[NVIDIA_RIM_ROOT_CA],
        )
        .expect_err("not yet valid");
    assert!(matches!(
        err,
        Error::Certificate {
            role: CertRole::RimSigner,
            kind: CertErrorKind::NotYetValid { .. },
            ..
        }
    ));
}

/// `find` replaced by `replace`, exactly once.
fn edit(xml: &[u8], find: &str, replace: &str) -> Vec<u8> {
    let text = String::from_utf8(xml.to_vec()).expect("UTF-8");
    assert_eq!(text.matches(find).count(), 1, "{find} must occur once");
    text.replacen(find, replace, 1).into_bytes()
}

fn verify_edited(find: &str, replace: &str) -> Error {
    let xml = read("setA_h100_550.90.07/NV_GPU_DRIVER_GH100_550.90.07.xml");
    let rim = Rim::parse(&edit(&xml, find, replace)).expect("still parses");
    rim.verify_signature(
        verifier::crypto::default_provider(),
        &SignatureCache::default(),
    )
    .expect_err("edited")
}

#[test]
fn a_flipped_byte_in_the_signed_content_is_a_digest_mismatch() {
    for (find, replace) in [
        // A golden value's hex digit.
        ("ns2:Hash0=\"80161aac", "ns2:Hash0=\"80161aad"),
        // An attribute value.
        ("revision=\"r1\"", "revision=\"r2\""),
        // Whitespace between elements (a space becomes a tab).
        (">\n    <ns0:Entity", ">\n   \t<ns0:Entity"),
        // An inactive index becomes active.
        (
            "index=\"8\" active=\"False\"",
            "index=\"8\" active=\"True\"",
        ),
    ] {
        let err = verify_edited(find, replace);
        assert_eq!(rim_kind(&err), &RimErrorKind::DigestMismatch, "{find}");
        assert_eq!(err.kind(), "rim_digest_mismatch");
    }
}

#[test]
fn a_flipped_byte_in_signed_info_is_a_bad_signature() {
    // DigestValue changes (still 48 bytes of base64): SignedInfo no longer verifies, and
    // it is checked before its DigestValue is trusted.
    let err = verify_edited("<ds:DigestValue>gMJp", "<ds:DigestValue>hMJp");
    assert_eq!(rim_kind(&err), &RimErrorKind::BadSignature);
    assert_eq!(err.kind(), "rim_signature");
}

#[test]
fn equivalent_serializations_still_verify() {
    // Changes C14N removes: attribute order, quotes, self-closing tags, whitespace inside
    // tags, references for plain characters, an XML declaration and a comment.
    let xml = read("setA_h100_550.90.07/NV_GPU_DRIVER_GH100_550.90.07.xml");
    let xml = edit(
        &xml,
        "<ns0:Entity name=\"NVIDIA Corporation\" role=\"softwareCreator tagCreator\"/>",
        "<ns0:Entity  role='softwareCreator&#32;tagCreator'\n name=\"NVIDIA&#x20;Corporation\" ></ns0:Entity ><!-- unsigned -->",
    );
    let mut xml = edit(&xml, "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384\"/>",
        "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384\"></ds:SignatureMethod>");
    let mut with_decl = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".to_vec();
    with_decl.append(&mut xml);
    let rim = Rim::parse(&with_decl).expect("parses");
    rim.verify_signature(
        verifier::crypto::default_provider(),
        &SignatureCache::default(),
    )
    .expect("the canonical form is unchanged");
}

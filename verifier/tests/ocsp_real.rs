//! The seven real OCSP responses of NVIDIA's setA (`ocsp/*.ocsp.der`, produced 2025-08-21
//! for the device chain and 2025-10-24 for the RIM chains), each checked against the
//! certificate it is about: the device chain from `device_cert_chain.pem`, the RIM chains
//! from the `<ds:X509Certificate>` elements of the two RIMs. On every compiled provider.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::path::PathBuf;

use base64::Engine as _;
use verifier::crypto::all_providers;
use verifier::error::OcspErrorKind;
use verifier::pki::ocsp::{CertStatus, Freshness, OcspHash, OcspResponse, OcspStatus, ResponderId};
use verifier::pki::{Certificate, PathChecker};
use verifier::time::{from_secs, rfc3339};
use verifier::{Error, TrustAnchors, Verifier};

fn set_a() -> PathBuf {
    testvectors::real::nvidia_dir().join("setA_h100_550.90.07")
}

fn read(path: PathBuf) -> Vec<u8> {
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The device chain, leaf first: FMC LF, BROM, Provisioner ICA 1, GH100 Identity, root.
fn device_chain() -> Vec<Certificate> {
    let pem = read(set_a().join("device_cert_chain.pem"));
    let chain: Vec<Certificate> = pem::parse_many(pem)
        .unwrap()
        .iter()
        .map(|p| Certificate::from_der(p.contents()).unwrap())
        .collect();
    assert_eq!(chain.len(), 5);
    chain
}

/// The certificates of a RIM's XML signature, in document order (signer first, root
/// last). Plain string search: the RIM parser is not this test's subject.
fn rim_chain(file: &str) -> Vec<Certificate> {
    let xml = String::from_utf8(read(set_a().join(file))).unwrap();
    let (open, close) = ("<ds:X509Certificate>", "</ds:X509Certificate>");
    let chain: Vec<Certificate> = xml
        .split(open)
        .skip(1)
        .map(|rest| {
            let b64: String = rest[..rest.find(close).unwrap()]
                .chars()
                .filter(|c| !c.is_ascii_whitespace())
                .collect();
            let der = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap();
            Certificate::from_der(&der).unwrap()
        })
        .collect();
    assert_eq!(chain.len(), 4, "{file}");
    chain
}

struct Case {
    /// `ocsp/<name>.ocsp.der`.
    name: &'static str,
    cert: Certificate,
    issuer: Certificate,
    /// CN of the delegated responder that signed it (notes b.3).
    responder_cn: &'static str,
    /// The day it was produced.
    produced_on: &'static str,
}

fn cases() -> Vec<Case> {
    let device = device_chain();
    let driver = rim_chain("NV_GPU_DRIVER_GH100_550.90.07.xml");
    let vbios = rim_chain("NV_GPU_VBIOS_1010_0200_882_96009F0001.xml");
    let case = |name, chain: &[Certificate], i: usize, responder_cn, produced_on| Case {
        name,
        cert: chain[i].clone(),
        issuer: chain[i + 1].clone(),
        responder_cn,
        produced_on,
    };
    let (aug, oct) = ("2025-08-21", "2025-10-24");
    vec![
        case(
            "test_gpu_certificate_l4",
            &device,
            1,
            "NVIDIA OCSP Responder L3 GH100 ICA1 Identity",
            aug,
        ),
        case(
            "test_gpu_certificate_l3",
            &device,
            2,
            "NVIDIA OCSP Responder L2 GH100 Identity",
            aug,
        ),
        case(
            "test_gpu_certificate_l2",
            &device,
            3,
            "NVIDIA OCSP Responder L1-A 02",
            aug,
        ),
        case(
            "test_gpu_driver_rim_l4",
            &driver,
            0,
            "NVIDIA OCSP Responder L3 GH100 002",
            oct,
        ),
        case(
            "test_gpu_vbios_l4",
            &vbios,
            0,
            "NVIDIA OCSP Responder L3 GH100 002",
            oct,
        ),
        case(
            "test_gpu_driver_rim_l3",
            &driver,
            1,
            "NVIDIA OCSP Responder L2 Reference Value GH100",
            oct,
        ),
        case(
            "test_gpu_rim_l2",
            &driver,
            2,
            "NVIDIA OCSP Responder L1 CoRIM Root",
            oct,
        ),
    ]
}

fn response_der(name: &str) -> Vec<u8> {
    read(set_a().join("ocsp").join(format!("{name}.ocsp.der")))
}

/// Checks on every provider (cache off), which must agree.
fn check(
    response: &OcspResponse,
    cert: &Certificate,
    issuer: &Certificate,
    now: u64,
    nonce: Option<&[u8]>,
) -> Result<OcspStatus, Error> {
    let results: Vec<_> = all_providers()
        .into_iter()
        .map(|provider| {
            let cold = Verifier::new(TrustAnchors::default()).without_caches();
            PathChecker {
                provider,
                cache: cold.cache(),
                now: from_secs(now),
            }
            .check_ocsp(response, cert, issuer, nonce)
        })
        .collect();
    assert!(results.iter().all(|r| *r == results[0]), "{results:?}");
    results[0].clone()
}

/// An hour into the answer's window.
fn inside_window(response: &OcspResponse) -> u64 {
    response.responses()[0].this_update + 3600
}

#[track_caller]
fn ocsp_kind(result: Result<OcspStatus, Error>) -> OcspErrorKind {
    match result {
        Err(Error::Ocsp { kind, .. }) => kind,
        other => panic!("expected an OCSP error, got {other:?}"),
    }
}

#[test]
fn the_der_files_are_the_base64_files_decoded() {
    for case in cases() {
        let b64 = read(
            set_a()
                .join("ocsp")
                .join(format!("{}_base64encoded_ocsp_response.dat", case.name)),
        );
        let text: Vec<u8> = b64
            .into_iter()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap();
        assert_eq!(decoded, response_der(case.name), "{}", case.name);
    }
}

#[test]
fn every_real_response_verifies_good_and_current() {
    for case in cases() {
        let der = response_der(case.name);
        let response = OcspResponse::from_der(&der).unwrap();
        // NVIDIA's shape: one SHA-384 CertID, no nonce, a byKey delegated responder whose
        // certificate is included.
        assert_eq!(response.responses().len(), 1, "{}", case.name);
        assert_eq!(response.responses()[0].cert_id.hash, OcspHash::Sha384);
        assert_eq!(response.nonce(), None);
        assert!(matches!(
            response.responder_id(),
            Some(ResponderId::ByKey(_))
        ));
        assert_eq!(response.certs().len(), 1);

        let now = inside_window(&response);
        let status = check(&response, &case.cert, &case.issuer, now, None)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(status.status, CertStatus::Good, "{}", case.name);
        assert_eq!(status.freshness, Freshness::Current, "{}", case.name);
        assert!(
            status
                .responder
                .starts_with(&format!("CN={}, ", case.responder_cn)),
            "{}: {}",
            case.name,
            status.responder
        );
        assert!(rfc3339(from_secs(status.produced_at)).starts_with(case.produced_on));
        // Real responses are valid for a day.
        assert_eq!(status.next_update, Some(status.this_update + 86_400));
    }
}

#[test]
fn after_next_update_a_real_response_is_stale_and_before_this_update_not_yet_valid() {
    for case in cases() {
        let response = OcspResponse::from_der(&response_der(case.name)).unwrap();
        let single = &response.responses()[0];
        let next = single.next_update.unwrap();
        let later = check(&response, &case.cert, &case.issuer, next + 1, None).unwrap();
        assert_eq!(later.freshness, Freshness::Stale { next_update: next });
        // Once the responder certificate has expired (all have by 2026-11), the responder
        // is no longer authorized: the answer is refused, not merely stale.
        let responder_end = response.certs()[0].not_after().as_secs();
        let kind = ocsp_kind(check(
            &response,
            &case.cert,
            &case.issuer,
            responder_end + 1,
            None,
        ));
        assert!(
            matches!(kind, OcspErrorKind::ResponderExpired { not_after, .. } if not_after == responder_end),
            "{}: {kind:?}",
            case.name
        );
        let early = check(
            &response,
            &case.cert,
            &case.issuer,
            single.this_update - 1,
            None,
        );
        assert_eq!(
            early.unwrap().freshness,
            Freshness::NotYetValid {
                this_update: single.this_update
            }
        );
    }
}

#[test]
fn a_flipped_byte_in_tbs_response_data_breaks_the_signature() {
    for case in cases() {
        let der = response_der(case.name);
        let response = OcspResponse::from_der(&der).unwrap();
        let now = inside_window(&response);
        // The last digit of producedAt: still a digit, still DER, no longer signed.
        let tbs = response.tbs_response_data();
        let tbs_at = der.windows(tbs.len()).position(|w| w == tbs).unwrap();
        let produced_at = tbs_at + tbs.windows(2).position(|w| w == [0x18, 0x0F]).unwrap();
        let mut bad = der.clone();
        bad[produced_at + 2 + 13] ^= 0x01;
        let tampered = OcspResponse::from_der(&bad).unwrap();
        assert_ne!(tampered.produced_at(), response.produced_at());
        let kind = ocsp_kind(check(&tampered, &case.cert, &case.issuer, now, None));
        assert!(
            matches!(&kind, OcspErrorKind::BadSignature { signer } if signer.contains(case.responder_cn)),
            "{}: {kind:?}",
            case.name
        );
    }
}

#[test]
fn no_flipped_bit_anywhere_in_a_real_response_is_accepted() {
    // Every byte, signed or not: the envelope, the signature, the responder certificate.
    // (This found that a responder certificate whose signature BIT STRING claimed an
    // unused bit still verified; certificates now refuse that encoding.) One response,
    // the device-identity shape: each flip costs an ECDSA P-384 verification, slow on
    // the RustCrypto backend in test builds.
    let case = &cases()[0];
    let der = response_der(case.name);
    let now = inside_window(&OcspResponse::from_der(&der).unwrap());
    for i in 0..der.len() {
        let mut bad = der.clone();
        bad[i] ^= 0x01;
        if let Ok(response) = OcspResponse::from_der(&bad) {
            let result = check(&response, &case.cert, &case.issuer, now, None);
            assert!(
                result.is_err(),
                "flipping byte {i} still verifies: {result:?}"
            );
        }
    }
}

#[test]
fn a_real_response_checked_against_another_certificate_matches_nothing() {
    let all = cases();
    for case in &all {
        let response = OcspResponse::from_der(&response_der(case.name)).unwrap();
        let now = inside_window(&response);
        for other in all.iter().filter(|o| o.cert.serial() != case.cert.serial()) {
            let kind = ocsp_kind(check(&response, &other.cert, &other.issuer, now, None));
            assert_eq!(
                kind,
                OcspErrorKind::NoMatchingResponse {
                    serial: hex::encode(other.cert.serial())
                },
                "{} about {}",
                case.name,
                other.name
            );
        }
        // The right serial with the wrong issuer.
        let kind = ocsp_kind(check(&response, &case.cert, &case.cert, now, None));
        assert!(matches!(kind, OcspErrorKind::NoMatchingResponse { .. }));
    }
}

#[test]
fn an_expected_nonce_is_missing_from_every_real_response() {
    let nonce = hex::decode(
        std::fs::read_to_string(set_a().join("nonce.txt"))
            .unwrap()
            .trim(),
    )
    .unwrap();
    for case in cases() {
        let response = OcspResponse::from_der(&response_der(case.name)).unwrap();
        let now = inside_window(&response);
        let kind = ocsp_kind(check(
            &response,
            &case.cert,
            &case.issuer,
            now,
            Some(&nonce),
        ));
        assert_eq!(
            kind,
            OcspErrorKind::NonceMismatch {
                expected: hex::encode(&nonce),
                actual: String::new(),
            }
        );
    }
}

#[test]
fn the_fmc_leaf_has_no_answer_in_any_response() {
    // NVIDIA's responder refuses to answer about the FMC leaf; none of these is about it.
    let device = device_chain();
    for case in cases() {
        let response = OcspResponse::from_der(&response_der(case.name)).unwrap();
        for provider in all_providers() {
            assert!(response
                .find(provider, &device[0], &device[1])
                .unwrap()
                .is_none());
        }
    }
}

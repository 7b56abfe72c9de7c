//! One test per OCSP check (RFC 6960), on responses built by `testvectors::pki::ocsp` with
//! a fake CA, a leaf it issued and a delegated responder: change one thing, re-sign, and
//! assert the precise error. Every check runs on every compiled crypto provider, and the
//! providers must agree. Positive cases first, so that a failure below is the mutation's,
//! not the fixture's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::sync::OnceLock;

use proptest::prelude::*;
use testvectors::pki::ocsp::{
    extended_key_usage, oids, responder_cert, CertIdHash, NoCheck, NonceSpec, OcspResponseSpec,
    ResponderIdSpec, SingleResponseSpec, StatusSpec,
};
use testvectors::pki::time::{DAY, DEFAULT_NOW};
use testvectors::pki::x509::{key_usage, name};
use testvectors::pki::{CertSpec, Ext, PrivateKey, SigAlg};
use verifier::crypto::all_providers;
use verifier::error::{CertErrorKind, OcspErrorKind, ParseErrorKind};
use verifier::pki::ocsp::{
    CertStatus, Freshness, OcspHash, OcspResponse, OcspStatus, ResponderId, ResponseStatus,
    RevocationReason,
};
use verifier::pki::{Certificate, PathChecker, SignatureCache};
use verifier::time::from_secs;
use verifier::{Error, ErrorClass, TrustAnchors, Verifier};

/// thisUpdate (and producedAt) of the default answer; it is valid one day from here.
const THIS_UPDATE: u64 = DEFAULT_NOW - 3600;

struct Pki {
    ca: CertSpec,
    ca_der: Vec<u8>,
    leaf_der: Vec<u8>,
    /// A second certificate of the same CA.
    sibling_der: Vec<u8>,
    responder: CertSpec,
    responder_der: Vec<u8>,
}

fn key(name: &str) -> PrivateKey {
    PrivateKey::generate_p384(PrivateKey::seed_for(&format!("nvidia/ocsp-test/{name}")))
}

fn ca_spec(cn: &str, key: PrivateKey) -> CertSpec {
    let mut ca = CertSpec::self_signed(name(&[("CN", cn), ("O", "Verdict Test")]), key);
    ca.set_basic_constraints(true, None);
    ca.set_key_usage(key_usage::KEY_CERT_SIGN | key_usage::CRL_SIGN);
    ca.set_subject_key_id(&ca.key.key_id());
    ca
}

fn leaf_spec(ca: &CertSpec, cn: &str, serial: &[u8]) -> CertSpec {
    let mut leaf = CertSpec::issued_by(name(&[("CN", cn)]), key(cn), ca);
    // The top bit is set: the DER serial carries a 00 pad the CertID must see through.
    leaf.serial = serial.to_vec();
    leaf
}

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let ca = ca_spec("Test Identity CA", key("ca"));
        let leaf = leaf_spec(&ca, "Test Device", &[0x00, 0x9F, 0x41, 0x43, 0x1D]);
        let sibling = leaf_spec(&ca, "Test Sibling", &[0x0A, 0x0B]);
        let responder = responder_cert(
            name(&[("CN", "Test OCSP Responder")]),
            key("responder"),
            &ca,
            NoCheck::InsideEku,
        );
        Pki {
            ca_der: ca.build(),
            leaf_der: leaf.build(),
            sibling_der: sibling.build(),
            responder_der: responder.build(),
            ca,
            responder,
        }
    })
}

fn cert(der: &[u8]) -> Certificate {
    Certificate::from_der(der).unwrap()
}

/// The default answer: `good` for the leaf, SHA-384 CertID (as NVIDIA's responses).
fn good_answer() -> SingleResponseSpec {
    let p = pki();
    SingleResponseSpec::good(&p.leaf_der, &p.ca_der, CertIdHash::Sha384, THIS_UPDATE)
}

/// A response signed by the CA itself, named byName.
fn issuer_signed() -> OcspResponseSpec {
    let p = pki();
    OcspResponseSpec::new(good_answer(), &p.ca_der, p.ca.key.clone())
}

/// A response signed by the delegated responder, named byKey, its certificate included
/// (NVIDIA's shape).
fn delegated() -> OcspResponseSpec {
    let p = pki();
    let mut spec = OcspResponseSpec::new(good_answer(), &p.responder_der, p.responder.key.clone());
    spec.responder_id = ResponderIdSpec::by_key(&p.responder_der);
    spec.certs = vec![p.responder_der.clone()];
    spec
}

fn with(mut spec: OcspResponseSpec, f: impl FnOnce(&mut OcspResponseSpec)) -> Vec<u8> {
    f(&mut spec);
    spec.build()
}

fn single(f: impl FnOnce(&mut SingleResponseSpec)) -> Vec<u8> {
    with(delegated(), |s| f(&mut s.responses[0]))
}

/// Checks `der` as the answer about `cert` from `issuer` at `now` on every provider,
/// with the signature cache off and on; all must agree.
fn check_about(
    der: &[u8],
    cert_der: &[u8],
    issuer_der: &[u8],
    now: u64,
    nonce: Option<&[u8]>,
) -> Result<OcspStatus, Error> {
    let response = OcspResponse::from_der(der)?;
    let (cert, issuer) = (cert(cert_der), cert(issuer_der));
    let mut results = Vec::new();
    for provider in all_providers() {
        let cold = Verifier::new(TrustAnchors::default()).without_caches();
        for cache in [cold.cache(), &SignatureCache::default()] {
            let checker = PathChecker {
                provider,
                cache,
                now: from_secs(now),
            };
            results.push(checker.check_ocsp(&response, &cert, &issuer, nonce));
            // A second run on the warm cache gives the same answer.
            results.push(checker.check_ocsp(&response, &cert, &issuer, nonce));
        }
    }
    let first = results[0].clone();
    assert!(
        results.iter().all(|r| *r == first),
        "providers disagree: {results:?}"
    );
    first
}

fn check(der: &[u8]) -> Result<OcspStatus, Error> {
    check_at(der, DEFAULT_NOW)
}

fn check_at(der: &[u8], now: u64) -> Result<OcspStatus, Error> {
    let p = pki();
    check_about(der, &p.leaf_der, &p.ca_der, now, None)
}

fn check_nonce(der: &[u8], nonce: &[u8]) -> Result<OcspStatus, Error> {
    let p = pki();
    check_about(der, &p.leaf_der, &p.ca_der, DEFAULT_NOW, Some(nonce))
}

#[track_caller]
fn ocsp_kind(result: Result<OcspStatus, Error>) -> OcspErrorKind {
    match result {
        Err(Error::Ocsp { subject, kind }) => {
            assert_eq!(subject, "CN=Test Device");
            kind
        }
        other => panic!("expected an OCSP error, got {other:?}"),
    }
}

#[track_caller]
fn expect(result: Result<OcspStatus, Error>, id: &str) -> OcspErrorKind {
    let kind = ocsp_kind(result);
    let e = Error::Ocsp {
        subject: String::new(),
        kind: kind.clone(),
    };
    assert_eq!(e.kind(), id, "{kind}");
    assert_eq!(e.class(), ErrorClass::Rejected);
    kind
}

#[track_caller]
fn not_authorized(result: Result<OcspStatus, Error>, responder: &str, reason: &str) {
    match expect(result, "ocsp_responder_not_authorized") {
        OcspErrorKind::ResponderNotAuthorized {
            responder: r,
            reason: why,
        } => {
            assert_eq!(r, responder);
            assert!(why.contains(reason), "{why}");
        }
        other => panic!("{other:?}"),
    }
}

#[track_caller]
fn parse_error(der: &[u8]) -> verifier::error::ParseError {
    match OcspResponse::from_der(der) {
        Err(Error::Parse(p)) => p,
        other => panic!("expected a parse error, got {other:?}"),
    }
}

// ---------------------------------------------------------------- positive

#[test]
fn a_delegated_responder_with_the_nocheck_oid_inside_its_eku_is_accepted() {
    let der = delegated().build();
    let status = check(&der).unwrap();
    assert_eq!(
        status,
        OcspStatus {
            status: CertStatus::Good,
            this_update: THIS_UPDATE,
            next_update: Some(THIS_UPDATE + DAY),
            produced_at: THIS_UPDATE,
            freshness: Freshness::Current,
            responder: "CN=Test OCSP Responder".to_owned(),
        }
    );
    let response = OcspResponse::from_der(&der).unwrap();
    assert_eq!(response.der(), der);
    assert_eq!(response.response_status(), ResponseStatus::Successful);
    assert_eq!(response.response_type(), Some(oids::BASIC));
    assert_eq!(response.produced_at(), Some(from_secs(THIS_UPDATE)));
    assert_eq!(response.nonce(), None);
    assert_eq!(response.certs().len(), 1);
    assert_eq!(response.tbs_response_data(), delegated().tbs_der());
    assert!(matches!(response.responder_id(), Some(ResponderId::ByKey(h)) if h.len() == 20));
    let single = &response.responses()[0];
    assert_eq!(single.cert_id.hash, OcspHash::Sha384);
    assert_eq!(single.cert_id.serial, [0x9F, 0x41, 0x43, 0x1D]);
    assert_eq!(single.cert_id.serial, cert(&pki().leaf_der).serial());
}

#[test]
fn every_nocheck_style_and_both_responder_id_forms_are_accepted() {
    let p = pki();
    for no_check in [NoCheck::Omitted, NoCheck::Extension, NoCheck::InsideEku] {
        let responder = responder_cert(
            name(&[("CN", "Test OCSP Responder")]),
            key("responder"),
            &p.ca,
            no_check,
        );
        let der = responder.build();
        for by_key in [false, true] {
            let response = with(delegated(), |s| {
                s.certs = vec![der.clone()];
                s.responder_id = if by_key {
                    ResponderIdSpec::by_key(&der)
                } else {
                    ResponderIdSpec::by_name(&der)
                };
            });
            let status = check(&response).unwrap_or_else(|e| panic!("{no_check:?}: {e}"));
            assert_eq!(status.responder, "CN=Test OCSP Responder");
        }
    }
}

#[test]
fn a_response_signed_by_the_issuer_itself_is_accepted_by_name_and_by_key() {
    let p = pki();
    let by_name = check(&issuer_signed().build()).unwrap();
    assert_eq!(by_name.responder, "CN=Test Identity CA, O=Verdict Test");
    let by_key = with(issuer_signed(), |s| {
        s.responder_id = ResponderIdSpec::by_key(&p.ca_der)
    });
    assert_eq!(check(&by_key).unwrap().responder, by_name.responder);
    // Extra certificates in `certs` do not matter when the issuer signs.
    let with_certs = with(issuer_signed(), |s| s.certs = vec![p.sibling_der.clone()]);
    check(&with_certs).unwrap();
}

#[test]
fn sha1_sha256_sha384_and_sha512_cert_ids_match() {
    let p = pki();
    for hash in [
        CertIdHash::Sha1,
        CertIdHash::Sha256,
        CertIdHash::Sha384,
        CertIdHash::Sha512,
    ] {
        let answer = SingleResponseSpec::good(&p.leaf_der, &p.ca_der, hash.clone(), THIS_UPDATE);
        let der = with(delegated(), |s| s.responses = vec![answer]);
        check(&der).unwrap_or_else(|e| panic!("{hash:?}: {e}"));
        let response = OcspResponse::from_der(&der).unwrap();
        let expected = match hash {
            CertIdHash::Sha1 => OcspHash::Sha1,
            CertIdHash::Sha256 => OcspHash::Sha256,
            CertIdHash::Sha384 => OcspHash::Sha384,
            _ => OcspHash::Sha512,
        };
        assert_eq!(response.responses()[0].cert_id.hash, expected);
    }
}

#[test]
fn the_answer_about_the_certificate_is_found_among_several() {
    let p = pki();
    let mut sibling =
        SingleResponseSpec::good(&p.sibling_der, &p.ca_der, CertIdHash::Sha1, THIS_UPDATE);
    sibling.status = StatusSpec::Unknown;
    let der = with(delegated(), |s| s.responses.insert(0, sibling));
    assert_eq!(check(&der).unwrap().status, CertStatus::Good);
    let status = check_about(&der, &p.sibling_der, &p.ca_der, DEFAULT_NOW, None).unwrap();
    assert_eq!(status.status, CertStatus::Unknown);
}

// ---------------------------------------------------------------- 1. status and type

#[test]
fn a_responder_that_answers_unauthorized_parses_and_is_reported() {
    let der = OcspResponseSpec::status_only(6);
    assert_eq!(der, [0x30, 0x03, 0x0A, 0x01, 0x06]);
    let response = OcspResponse::from_der(&der).unwrap();
    assert_eq!(response.response_status(), ResponseStatus::Unauthorized);
    assert_eq!(response.response_status().name(), "unauthorized");
    assert_eq!(response.response_type(), None);
    assert!(response.responses().is_empty() && response.certs().is_empty());
    assert_eq!(response.produced_at(), None);
    assert_eq!(
        expect(check(&der), "ocsp_response_status"),
        OcspErrorKind::ResponseStatus("unauthorized")
    );
    for (code, name) in [
        (1, "malformedRequest"),
        (2, "internalError"),
        (3, "tryLater"),
        (5, "sigRequired"),
    ] {
        let kind = ocsp_kind(check(&OcspResponseSpec::status_only(code)));
        assert_eq!(kind, OcspErrorKind::ResponseStatus(name));
    }
}

#[test]
fn undefined_statuses_and_bodies_that_do_not_fit_the_status_are_malformed() {
    for code in [4, 7, 0x7F] {
        let p = parse_error(&OcspResponseSpec::status_only(code));
        assert_eq!((p.what, p.offset), ("responseStatus", 2));
        assert!(matches!(p.kind, ParseErrorKind::InvalidValue(_)));
    }
    let p = parse_error(&OcspResponseSpec::status_only(0));
    assert_eq!(p.what, "responseBytes");
    let p = parse_error(&with(delegated(), |s| s.response_status = 6));
    // 30 82 LL LL, then responseStatus 0a 01 06 at 4: responseBytes starts at 7.
    assert_eq!((p.what, p.offset), ("responseBytes", 7));
}

#[test]
fn an_unknown_response_type_is_unsupported() {
    let der = with(delegated(), |s| {
        s.response_type = "1.3.6.1.5.5.7.48.1.99".into()
    });
    let response = OcspResponse::from_der(&der).unwrap();
    assert_eq!(response.response_type(), Some("1.3.6.1.5.5.7.48.1.99"));
    assert!(response.responses().is_empty());
    assert_eq!(
        expect(check(&der), "ocsp_unsupported_response_type"),
        OcspErrorKind::UnsupportedResponseType {
            oid: "1.3.6.1.5.5.7.48.1.99".into()
        }
    );
}

// ---------------------------------------------------------------- 2. CertID

#[test]
fn an_unsupported_cert_id_hash_fails_closed() {
    let md5 = "1.2.840.113549.2.5";
    let der = single(|r| r.hash = CertIdHash::Other(md5.into()));
    assert_eq!(
        OcspResponse::from_der(&der).unwrap().responses()[0]
            .cert_id
            .hash,
        OcspHash::Unsupported(md5.into())
    );
    assert_eq!(
        expect(check(&der), "ocsp_unsupported_hash"),
        OcspErrorKind::UnsupportedHash { oid: md5.into() }
    );
    // ...unless another answer names the certificate.
    let p = pki();
    let mut other = good_answer();
    other.hash = CertIdHash::Other(md5.into());
    let der = with(delegated(), |s| s.responses.insert(0, other));
    check(&der).unwrap();
    // `find` says the same.
    let der = single(|r| r.hash = CertIdHash::Other(md5.into()));
    let response = OcspResponse::from_der(&der).unwrap();
    for provider in all_providers() {
        let e = response
            .find(provider, &cert(&p.leaf_der), &cert(&p.ca_der))
            .unwrap_err();
        assert_eq!(e.kind(), "ocsp_unsupported_hash");
    }
}

#[test]
fn a_cert_id_differing_in_any_field_matches_nothing() {
    type Mutation = fn(&mut SingleResponseSpec);
    let mutations: [(&str, Mutation); 4] = [
        ("serial", |r| r.serial = vec![0x00, 0x9F, 0x41, 0x43, 0x1E]),
        ("issuer name hash", |r| r.issuer_name_hash[0] ^= 1),
        ("issuer key hash", |r| r.issuer_key_hash[47] ^= 1),
        ("hash of the other algorithm", |r| {
            r.hash = CertIdHash::Sha512
        }),
    ];
    for (what, mutate) in mutations {
        let kind = expect(check(&single(mutate)), "ocsp_no_matching_response");
        assert_eq!(
            kind,
            OcspErrorKind::NoMatchingResponse {
                serial: "9f41431d".into()
            },
            "{what}"
        );
    }
    let none = with(delegated(), |s| s.responses.clear());
    expect(check(&none), "ocsp_no_matching_response");
}

#[test]
fn an_answer_is_only_about_a_certificate_of_the_issuer_given() {
    let p = pki();
    // The sibling's answer does not speak for the leaf.
    let sibling =
        SingleResponseSpec::good(&p.sibling_der, &p.ca_der, CertIdHash::Sha384, THIS_UPDATE);
    let der = with(delegated(), |s| s.responses = vec![sibling]);
    expect(check(&der), "ocsp_no_matching_response");
    // A certificate checked against a CA that did not issue it (same key, other name):
    // its issuer name differs, so no CertID under that CA can name it.
    let mut renamed = p.ca.clone();
    renamed.subject = name(&[("CN", "Another CA")]);
    renamed.issuer = renamed.subject.clone();
    let renamed = renamed.build();
    let answer = SingleResponseSpec::good(&p.leaf_der, &renamed, CertIdHash::Sha384, THIS_UPDATE);
    let der = with(issuer_signed(), |s| {
        s.responses = vec![answer];
        s.responder_id = ResponderIdSpec::by_name(&renamed);
    });
    let kind = ocsp_kind(check_about(&der, &p.leaf_der, &renamed, DEFAULT_NOW, None));
    assert_eq!(
        kind,
        OcspErrorKind::NoMatchingResponse {
            serial: "9f41431d".into()
        }
    );
}

// ---------------------------------------------------------------- 3. responder

#[test]
fn a_responder_named_by_nobody_in_the_response_is_not_authorized() {
    let p = pki();
    // byKey of the responder, but its certificate is not included.
    let der = with(delegated(), |s| s.certs.clear());
    let key_hash = match OcspResponse::from_der(&der).unwrap().responder_id() {
        Some(id @ ResponderId::ByKey(_)) => id.to_string(),
        other => panic!("{other:?}"),
    };
    assert!(key_hash.starts_with("key SHA-1 "));
    not_authorized(check(&der), &key_hash, "neither the issuer");
    // byName of someone else entirely.
    let der = with(delegated(), |s| {
        s.responder_id = ResponderIdSpec::by_name(&p.sibling_der)
    });
    not_authorized(check(&der), "CN=Test Sibling", "neither the issuer");
}

#[test]
fn a_responder_not_issued_by_the_issuer_is_not_authorized() {
    let p = pki();
    // Issued by another CA.
    let other_ca = ca_spec("Other CA", key("other-ca"));
    let foreign = responder_cert(
        name(&[("CN", "Test OCSP Responder")]),
        key("responder"),
        &other_ca,
        NoCheck::InsideEku,
    )
    .build();
    let der = with(delegated(), |s| s.certs = vec![foreign]);
    not_authorized(
        check(&der),
        "CN=Test OCSP Responder",
        "issued by CN=Other CA",
    );
    // Naming the issuer, but signed by another key.
    let mut forged = p.responder.clone();
    forged.signing_key = key("other-ca");
    let der = with(delegated(), |s| s.certs = vec![forged.build()]);
    not_authorized(check(&der), "CN=Test OCSP Responder", "does not verify");
    // Issued by the issuer, which is not a CA: neither certificate it signed holds.
    let non_ca = CertSpec::issued_by(name(&[("CN", "Not A CA")]), key("non-ca"), &p.ca);
    let non_ca_der = non_ca.build();
    let device = leaf_spec(&non_ca, "Test Device", &[0x00, 0x9F, 0x41, 0x43, 0x1D]).build();
    let responder = responder_cert(
        name(&[("CN", "Test OCSP Responder")]),
        key("responder"),
        &non_ca,
        NoCheck::InsideEku,
    )
    .build();
    let answer = SingleResponseSpec::good(&device, &non_ca_der, CertIdHash::Sha384, THIS_UPDATE);
    let der = with(delegated(), |s| {
        s.responses = vec![answer];
        s.certs = vec![responder];
    });
    not_authorized(
        check_about(&der, &device, &non_ca_der, DEFAULT_NOW, None),
        "CN=Test OCSP Responder",
        "is not a CA",
    );
}

#[test]
fn a_responder_not_valid_when_it_signed_is_not_authorized() {
    let p = pki();
    // Already expired when it signed.
    let mut short = p.responder.clone();
    short.not_after = THIS_UPDATE - 1;
    let der = with(delegated(), |s| s.certs = vec![short.build()]);
    not_authorized(check(&der), "CN=Test OCSP Responder", "expired");
    // Not yet valid when it signed.
    let mut early = p.responder.clone();
    early.not_before = THIS_UPDATE + 1;
    let der = with(delegated(), |s| s.certs = vec![early.build()]);
    not_authorized(check(&der), "CN=Test OCSP Responder", "not valid before");
}

/// Security review, issue 11 (expired responders vouching forever): the signer must be
/// currently authorized (RFC 6960 §3.2 item 4, §4.2.2.1), so a responder certificate that
/// was valid at producedAt but has expired by the verification time is refused, even
/// inside the answer's own window.
#[test]
fn a_responder_expired_at_now_is_refused_though_valid_when_it_signed() {
    let p = pki();
    let mut short = p.responder.clone();
    short.not_after = THIS_UPDATE + 60;
    let der = with(delegated(), |s| s.certs = vec![short.build()]);
    // An hour after signing, inside thisUpdate..nextUpdate.
    expect(check(&der), "ocsp_responder_expired");
    // A year later too: the answer is not "stale" but unauthorized.
    expect(
        check_at(&der, THIS_UPDATE + 365 * DAY),
        "ocsp_responder_expired",
    );
    // While the responder is still valid, the answer counts.
    assert_eq!(
        check_at(&der, THIS_UPDATE + 60).unwrap().freshness,
        Freshness::Current
    );
}

#[test]
fn a_responder_without_ocsp_signing_is_not_authorized() {
    let p = pki();
    let server_auth = "1.3.6.1.5.5.7.3.1";
    for eku in [Some(vec![server_auth]), Some(vec![oids::NOCHECK]), None] {
        let mut responder = p.responder.clone();
        match &eku {
            Some(purposes) => {
                responder.set_ext(oids::EXTENDED_KEY_USAGE, true, extended_key_usage(purposes))
            }
            None => {
                responder.remove_ext(oids::EXTENDED_KEY_USAGE);
            }
        }
        let der = with(delegated(), |s| s.certs = vec![responder.build()]);
        not_authorized(check(&der), "CN=Test OCSP Responder", "id-kp-OCSPSigning");
    }
    // OCSPSigning among other purposes is enough.
    let mut responder = p.responder.clone();
    responder.set_ext(
        oids::EXTENDED_KEY_USAGE,
        false,
        extended_key_usage(&[server_auth, oids::OCSP_SIGNING]),
    );
    check(&with(delegated(), |s| s.certs = vec![responder.build()])).unwrap();
}

#[test]
fn a_responder_with_an_unhandled_critical_extension_is_not_authorized() {
    let mut responder = pki().responder.clone();
    responder.set_ext("1.2.3.4", true, vec![0x05, 0x00]);
    let der = with(delegated(), |s| s.certs = vec![responder.build()]);
    not_authorized(check(&der), "CN=Test OCSP Responder", "1.2.3.4");
}

// ---------------------------------------------------------------- 4. signature

#[test]
fn a_bad_signature_is_rejected_naming_the_signer() {
    let kind = expect(
        check(&with(delegated(), |s| s.corrupt_signature = true)),
        "ocsp_signature",
    );
    assert_eq!(
        kind,
        OcspErrorKind::BadSignature {
            signer: "CN=Test OCSP Responder".into()
        }
    );
    // The issuer named as signer, the responder signing.
    let p = pki();
    let der = with(delegated(), |s| {
        s.responder_id = ResponderIdSpec::by_name(&p.ca_der)
    });
    assert_eq!(
        expect(check(&der), "ocsp_signature"),
        OcspErrorKind::BadSignature {
            signer: "CN=Test Identity CA, O=Verdict Test".into()
        }
    );
}

#[test]
fn a_signature_algorithm_that_does_not_fit_is_rejected() {
    // Declares ecdsa-with-SHA256, signed with SHA-384.
    let der = with(delegated(), |s| {
        s.sig_alg_override = Some(SigAlg::EcdsaSha256.algorithm_identifier())
    });
    expect(check(&der), "ocsp_signature");
    // Declares RSASSA-PSS, the key is ECDSA.
    let pss = SigAlg::RsaPss(testvectors::pki::PssParams::AMD_OMITTED_TRAILER);
    let der = with(delegated(), |s| {
        s.sig_alg_override = Some(pss.algorithm_identifier())
    });
    assert_eq!(
        expect(check(&der), "ocsp_signature_algorithm"),
        OcspErrorKind::Signature(CertErrorKind::KeyAlgorithmMismatch("RSASSA-PSS"))
    );
    // An algorithm Verdict does not verify.
    let der = with(delegated(), |s| {
        s.sig_alg_override = Some(SigAlg::RsaPkcs1Sha384.algorithm_identifier())
    });
    assert_eq!(
        expect(check(&der), "ocsp_signature_algorithm"),
        OcspErrorKind::Signature(CertErrorKind::UnsupportedSignatureAlgorithm {
            oid: "1.2.840.113549.1.1.12".into()
        })
    );
}

#[test]
fn a_signature_by_another_key_than_the_named_responders_is_rejected() {
    let der = with(delegated(), |s| s.signing_key = key("ca"));
    expect(check(&der), "ocsp_signature");
}

#[test]
fn an_unhandled_critical_extension_is_rejected_and_a_known_or_non_critical_one_is_not() {
    let unknown = "1.3.6.1.5.5.7.48.1.9"; // id-pkix-ocsp-pref-sig-algs, not processed
    let der = with(delegated(), |s| {
        s.extensions = vec![Ext::new(unknown, true, vec![0x30, 0x00])]
    });
    assert_eq!(
        expect(check(&der), "ocsp_unhandled_critical_extension"),
        OcspErrorKind::UnhandledCriticalExtension {
            oid: unknown.into()
        }
    );
    let der = single(|r| r.extensions = vec![Ext::new(unknown, true, vec![0x05, 0x00])]);
    expect(check(&der), "ocsp_unhandled_critical_extension");
    let der = with(delegated(), |s| {
        s.extensions = vec![Ext::new(unknown, false, vec![0x30, 0x00])]
    });
    check(&der).unwrap();
    // A critical nonce is understood (NVIDIA's Python client marks its request's critical).
    let der = with(delegated(), |s| {
        s.extensions = vec![Ext::new(oids::NONCE, true, vec![0x04, 0x02, 0xAB, 0xCD])]
    });
    check_nonce(&der, &[0xAB, 0xCD]).unwrap();
}

// ---------------------------------------------------------------- 5. nonce

#[test]
fn the_nonce_must_be_the_one_sent() {
    let nonce = [0x42u8; 32];
    let wrapped = with(delegated(), |s| {
        s.nonce = NonceSpec::Wrapped(nonce.to_vec())
    });
    assert_eq!(
        OcspResponse::from_der(&wrapped).unwrap().nonce(),
        Some(&nonce[..])
    );
    check_nonce(&wrapped, &nonce).unwrap();
    // Without an expected nonce, one in the response is fine.
    check(&wrapped).unwrap();
    // The bare form older responders send.
    let raw = with(delegated(), |s| s.nonce = NonceSpec::Raw(nonce.to_vec()));
    check_nonce(&raw, &nonce).unwrap();

    let mut other = nonce;
    other[31] ^= 1;
    assert_eq!(
        expect(check_nonce(&wrapped, &other), "ocsp_nonce_mismatch"),
        OcspErrorKind::NonceMismatch {
            expected: hex::encode(other),
            actual: hex::encode(nonce),
        }
    );
    assert_eq!(
        expect(
            check_nonce(&delegated().build(), &nonce),
            "ocsp_nonce_mismatch"
        ),
        OcspErrorKind::NonceMismatch {
            expected: hex::encode(nonce),
            actual: String::new(),
        }
    );
}

#[test]
fn a_repeated_extension_is_malformed() {
    let der = with(delegated(), |s| {
        s.nonce = NonceSpec::Wrapped(vec![1]);
        s.extensions = vec![Ext::new(oids::NONCE, false, vec![0x04, 0x01, 0x02])];
    });
    let p = parse_error(&der);
    assert_eq!(p.what, "Extension");
    assert!(matches!(p.kind, ParseErrorKind::InvalidValue(_)));
}

// ---------------------------------------------------------------- 6. freshness

#[test]
fn freshness_is_reported_not_enforced() {
    let der = delegated().build();
    let next = THIS_UPDATE + DAY;
    for (now, freshness) in [
        (
            THIS_UPDATE - 1,
            Freshness::NotYetValid {
                this_update: THIS_UPDATE,
            },
        ),
        (THIS_UPDATE, Freshness::Current),
        (next, Freshness::Current),
        (next + 1, Freshness::Stale { next_update: next }),
        // (The responder certificate expires 2025-01-01: later, it is refused.)
        (next + 30 * DAY, Freshness::Stale { next_update: next }),
    ] {
        assert_eq!(
            check_at(&der, now).unwrap().freshness,
            freshness,
            "at {now}"
        );
    }
}

/// Security review, issue 11: an answer without nextUpdate promises nothing about newer
/// information (RFC 6960 §4.2.2.1); it counts as current only for a bounded age after
/// thisUpdate (RFC 5019 §6 style), one day unless the caller says otherwise.
#[test]
fn without_next_update_an_answer_is_current_for_a_day_then_stale() {
    let der = single(|r| r.next_update = None);
    let within = check_at(&der, THIS_UPDATE + DAY).unwrap();
    assert_eq!(within.next_update, None);
    assert_eq!(within.freshness, Freshness::Current);
    for later in [THIS_UPDATE + DAY + 1, THIS_UPDATE + 30 * DAY] {
        assert_eq!(
            check_at(&der, later).unwrap().freshness,
            Freshness::Stale {
                next_update: THIS_UPDATE + DAY
            },
            "at {later}"
        );
    }
    assert_eq!(
        check_at(&der, THIS_UPDATE - 1).unwrap().freshness,
        Freshness::NotYetValid {
            this_update: THIS_UPDATE
        }
    );
}

/// The bound is the caller's: `check_ocsp_with` takes it.
#[test]
fn the_maximum_age_without_next_update_is_the_callers() {
    let p = pki();
    let der = single(|r| r.next_update = None);
    let response = OcspResponse::from_der(&der).unwrap();
    let (leaf, ca) = (cert(&p.leaf_der), cert(&p.ca_der));
    let at = |now: u64, max_age: u64| {
        let cache = SignatureCache::default();
        PathChecker {
            provider: verifier::crypto::default_provider(),
            cache: &cache,
            now: from_secs(now),
        }
        .check_ocsp_with(
            &response,
            &leaf,
            &ca,
            None,
            std::time::Duration::from_secs(max_age),
        )
        .unwrap()
        .freshness
    };
    assert_eq!(at(THIS_UPDATE + 3600, 3600), Freshness::Current);
    assert_eq!(
        at(THIS_UPDATE + 3601, 3600),
        Freshness::Stale {
            next_update: THIS_UPDATE + 3600
        }
    );
    assert_eq!(at(THIS_UPDATE + 7 * DAY, 7 * DAY), Freshness::Current);
    // An answer that has a nextUpdate keeps it, whatever the bound.
    let der = delegated().build();
    let response = OcspResponse::from_der(&der).unwrap();
    let status = PathChecker {
        provider: verifier::crypto::default_provider(),
        cache: &SignatureCache::default(),
        now: from_secs(THIS_UPDATE + 2 * DAY),
    }
    .check_ocsp_with(
        &response,
        &leaf,
        &ca,
        None,
        std::time::Duration::from_secs(7 * DAY),
    )
    .unwrap();
    assert_eq!(
        status.freshness,
        Freshness::Stale {
            next_update: THIS_UPDATE + DAY
        }
    );
}

// ---------------------------------------------------------------- 7. status

#[test]
fn revoked_and_unknown_are_returned_with_the_reason() {
    let revoked_at = THIS_UPDATE - 10 * DAY;
    for (code, reason) in [
        (Some(1), Some(RevocationReason::KeyCompromise)),
        (Some(6), Some(RevocationReason::CertificateHold)),
        (Some(10), Some(RevocationReason::AaCompromise)),
        (None, None),
    ] {
        let der = single(|r| {
            r.status = StatusSpec::Revoked {
                at: revoked_at,
                reason: code,
            }
        });
        let status = check(&der).unwrap().status;
        assert_eq!(status, CertStatus::Revoked { revoked_at, reason });
        assert_eq!(status.name(), "revoked");
    }
    assert_eq!(RevocationReason::CertificateHold.name(), "certificateHold");
    assert_eq!(RevocationReason::KeyCompromise.name(), "keyCompromise");
    assert_eq!(RevocationReason::RemoveFromCrl.name(), "removeFromCRL");
    let unknown = check(&single(|r| r.status = StatusSpec::Unknown)).unwrap();
    assert_eq!(unknown.status, CertStatus::Unknown);
    assert_eq!(unknown.status.name(), "unknown");
}

#[test]
fn an_undefined_revocation_reason_is_malformed() {
    for code in [7, 11] {
        let der = single(|r| {
            r.status = StatusSpec::Revoked {
                at: THIS_UPDATE,
                reason: Some(code),
            }
        });
        let p = parse_error(&der);
        assert_eq!(p.what, "revocationReason");
        assert_eq!(der[p.offset..p.offset + 3], [0x0A, 0x01, code]);
    }
}

// ---------------------------------------------------------------- parsing

#[test]
fn parse_errors_name_the_field_and_its_offset() {
    let der = delegated().build();
    // certStatus `good` is `80 00`; make it [3].
    let tbs = delegated().tbs_der();
    let tbs_at = der.windows(tbs.len()).position(|w| w == tbs).unwrap();
    let good_at = tbs_at + tbs.windows(2).rposition(|w| w == [0x80, 0x00]).unwrap();
    let mut bad = der.clone();
    bad[good_at] = 0x83;
    let p = parse_error(&bad);
    assert_eq!((p.what, p.offset), ("certStatus", good_at));
    assert!(matches!(p.kind, ParseErrorKind::Der(_)));
    assert_eq!(Error::Parse(p).class(), ErrorClass::Malformed);

    // Trailing bytes after the response.
    let mut long = der.clone();
    long.push(0);
    let p = parse_error(&long);
    assert_eq!(
        (p.offset, p.kind),
        (der.len(), ParseErrorKind::TrailingData { extra: 1 })
    );

    // A version other than v1; an explicit v1 is tolerated.
    let p = parse_error(&with(delegated(), |s| s.version = Some(1)));
    assert_eq!(p.what, "version");
    check(&with(delegated(), |s| s.version = Some(0))).unwrap();

    // A certificate in `certs` that does not parse: the offset is into the response.
    let mut broken = pki().responder_der.clone();
    broken.truncate(broken.len() - 1);
    broken[3] -= 1; // keep the outer SEQUENCE length consistent
    let broken_der = with(delegated(), |s| s.certs = vec![broken]);
    let p = parse_error(&broken_der);
    assert!(p.offset > tbs_at + tbs.len(), "{p:?}");
}

#[test]
fn a_certificate_whose_signature_claims_unused_bits_is_malformed() {
    // x509-parser drops the unused-bits octet: the same signature would verify under a
    // second encoding of the responder certificate.
    let mut der = pki().responder_der.clone();
    // The signature is the last TLV: `03 LL 00 ...` running to the end.
    let sig_at = (0..der.len() - 2)
        .find(|&i| der[i] == 0x03 && i + 2 + usize::from(der[i + 1]) == der.len())
        .unwrap();
    assert_eq!(der[sig_at + 2], 0x00);
    der[sig_at + 2] = 0x01;
    let e = Certificate::from_der(&der).unwrap_err();
    assert_eq!(e.kind(), "malformed_der", "{e}");
    let response = with(delegated(), |s| s.certs = vec![der]);
    assert_eq!(parse_error(&response).what, "certificate signatureValue");
}

#[test]
fn every_truncation_is_an_error() {
    for der in [delegated().build(), issuer_signed().build()] {
        for n in 0..der.len() {
            let e = OcspResponse::from_der(&der[..n]).unwrap_err();
            assert_eq!(e.class(), ErrorClass::Malformed, "at {n}: {e}");
        }
    }
}

#[test]
fn garbage_is_an_error() {
    for bytes in [
        &b""[..],
        b"\x30",
        b"\x30\x00",
        b"\x30\x80\x0a\x01\x00\x00\x00",
        b"\x30\x03\x02\x01\x00",
        b"-----BEGIN OCSP RESPONSE-----",
        &[0xFF; 64],
    ] {
        assert!(OcspResponse::from_der(bytes).is_err(), "{bytes:02x?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Mutated responses never panic, and anything that still verifies has exactly the
    /// signed bytes of the original: no mutation forges an answer.
    #[test]
    fn mutations_never_panic_nor_forge(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let original = delegated().build();
        let mut der = original.clone();
        for (at, byte) in edits {
            let i = at.index(der.len());
            der[i] = byte;
        }
        if truncate {
            der.truncate(cut.index(der.len()));
        }
        if let Ok(response) = OcspResponse::from_der(&der) {
            let p = pki();
            let (cert, issuer) = (cert(&p.leaf_der), cert(&p.ca_der));
            let cold = Verifier::new(TrustAnchors::default()).without_caches();
            let checker = PathChecker { provider: verifier::crypto::default_provider(), cache: cold.cache(), now: from_secs(DEFAULT_NOW) };
            if let Ok(status) = checker.check_ocsp(&response, &cert, &issuer, None) {
                prop_assert_eq!(response.tbs_response_data(), &delegated().tbs_der()[..]);
                prop_assert_eq!(status.status, CertStatus::Good);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = OcspResponse::from_der(&bytes);
        let mut framed = vec![0x30, 0x82, 0, 0];
        framed[2..4].copy_from_slice(&u16::try_from(bytes.len()).unwrap().to_be_bytes());
        framed.extend_from_slice(&bytes);
        let _ = OcspResponse::from_der(&framed);
    }
}

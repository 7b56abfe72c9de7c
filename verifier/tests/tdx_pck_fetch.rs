//! Quotes that do not carry their PCK chain: certification data type 3 (and 2), which
//! names the PCK certificate by encrypted PPID for Intel PCS to serve, type 4 (the PCK
//! leaf alone) and type 1 (a plain PPID, refused). With the fake Intel PKI: each quote
//! verifies with the PCK certificate and its CA from the collateral, and each way the
//! collateral can fail it has its own error.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use testvectors::build::tdx::{Collateral, PckCertId, QuoteSpec, CERT_TYPE_PPID_CLEARTEXT};
use testvectors::pki::intel::{rogue_p256, IntelKeys, IntelPki, PckCa};
use testvectors::pki::time::DEFAULT_NOW;
use testvectors::pki::to_pem;
use verifier::collateral::Bundle;
use verifier::error::{ParseErrorKind, Unsupported};
use verifier::needs::{CollateralKey, PckCa as KeyCa};
use verifier::tdx::{Quote, QuoteClaims, SgxOptions, TcbStatus, TdxOptions};
use verifier::time::from_secs;
use verifier::{Error, Evidence, Expectations, TrustAnchors, Verified, Verifier};

fn pki() -> &'static IntelPki {
    IntelPki::cached()
}

/// Another platform under the same CAs: its own PCK key and PPID.
fn other_platform() -> IntelPki {
    IntelPki::builder()
        .keys(IntelKeys {
            pck: rogue_p256(),
            ..IntelKeys::committed()
        })
        .modify_pck(|p| p.ppid = [0x77; 16])
        .build()
}

fn anchors() -> TrustAnchors {
    TrustAnchors {
        intel_root: vec![pki().root_spki_sha256()],
        ..TrustAnchors::empty()
    }
}

fn id() -> PckCertId {
    PckCertId::for_pki(pki(), "tdx_pck_fetch")
}

fn type3_tdx() -> Vec<u8> {
    QuoteSpec::tdx_v4_default()
        .with_encrypted_ppid(&id())
        .build(pki())
}

/// The collateral files, plus `extra` (PEM or DER items).
fn bundle(collateral: &Collateral, extra: &[&[u8]]) -> Bundle {
    let mut b = Bundle::new();
    for (name, bytes) in collateral.files() {
        b.add_bytes(&bytes)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    for item in extra {
        b.add_bytes(item).unwrap();
    }
    b
}

/// The PCK certificate as PCS serves it (the body).
fn pcs_body(pki: &IntelPki) -> Vec<u8> {
    pki.pcs_pck_certificate().pem.into_bytes()
}

fn tdx(quote: &[u8], bundle: &Bundle) -> Result<Verified<QuoteClaims>, Error> {
    Verifier::new(anchors()).verify_tdx(
        quote,
        bundle,
        &TdxOptions::default(),
        from_secs(DEFAULT_NOW),
    )
}

#[track_caller]
fn expect_err(result: Result<Verified<QuoteClaims>, Error>, kind: &str) -> Error {
    match result {
        Ok(_) => panic!("verified, expected {kind}"),
        Err(e) => {
            assert_eq!(e.kind(), kind, "{e}");
            e
        }
    }
}

#[test]
fn the_type3_layout_is_encrypted_ppid_cpusvn_pcesvn_pceid() {
    let id = id();
    assert_eq!(id.cert_data().len(), 404);
    let bytes = type3_tdx();
    let quote = Quote::parse(&bytes).unwrap();
    let cert = &quote.signature.certification;
    assert_eq!(cert.cert_type, 3);
    let ppid = cert.encrypted_ppid().unwrap();
    assert_eq!(ppid.encrypted_ppid, id.encrypted_ppid.as_slice());
    assert_eq!(ppid.cpu_svn, pki().pck_spec.cpusvn);
    assert_eq!(ppid.pce_svn, pki().pck_spec.pcesvn);
    assert_eq!(ppid.pce_id, u16::from_le_bytes(pki().pck_spec.pce_id));
    // Type 2: 256 + 16 + 2 + 2.
    let two = PckCertId::rsa2048_for_pki(pki(), "two");
    assert_eq!(two.cert_data().len(), 276);
    let bytes = QuoteSpec::tdx_v4_default()
        .with_encrypted_ppid(&two)
        .build(pki());
    let quote = Quote::parse(&bytes).unwrap();
    assert_eq!(quote.signature.certification.cert_type, 2);
    assert_eq!(
        quote
            .signature
            .certification
            .encrypted_ppid()
            .unwrap()
            .encrypted_ppid
            .len(),
        256
    );
}

#[test]
fn a_type3_tdx_quote_verifies_with_the_pck_certificate_from_the_collateral() {
    let collateral = Collateral::tdx_default(pki());
    let verified = tdx(&type3_tdx(), &bundle(&collateral, &[&pcs_body(pki())])).unwrap();
    let claims = verified.claims().platform();
    assert_eq!(claims.tcb_status, TcbStatus::UpToDate);
    assert_eq!(claims.certification_data_type, 3);
    // The same platform claims as the same quote carrying its chain, but the type.
    let chained = tdx(
        &QuoteSpec::tdx_v4_default().build(pki()),
        &bundle(&collateral, &[]),
    )
    .unwrap();
    let mut expected = chained.claims().platform().clone();
    assert_eq!(expected.certification_data_type, 5);
    expected.certification_data_type = 3;
    assert_eq!(claims, &expected);
}

#[test]
fn type3_sgx_type2_and_a_processor_ca_platform_verify_too() {
    let sgx = QuoteSpec::sgx_v4_default()
        .with_encrypted_ppid(&id())
        .build(pki());
    let verified = Verifier::new(anchors())
        .verify_sgx(
            &sgx,
            &bundle(&Collateral::sgx_default(pki()), &[&pcs_body(pki())]),
            &SgxOptions::default(),
            from_secs(DEFAULT_NOW),
        )
        .unwrap();
    assert_eq!(verified.claims().platform().certification_data_type, 3);

    let two = QuoteSpec::tdx_v4_default()
        .with_encrypted_ppid(&PckCertId::rsa2048_for_pki(pki(), "two"))
        .build(pki());
    let collateral = Collateral::tdx_default(pki());
    let verified = tdx(&two, &bundle(&collateral, &[&pcs_body(pki())])).unwrap();
    assert_eq!(verified.claims().platform().certification_data_type, 2);

    let processor = IntelPki::builder().pck_ca(PckCa::Processor).build();
    let quote = QuoteSpec::tdx_v4_default()
        .with_encrypted_ppid(&PckCertId::for_pki(&processor, "processor"))
        .build(&processor);
    let verified = tdx(
        &quote,
        &bundle(
            &Collateral::tdx_default(&processor),
            &[&pcs_body(&processor)],
        ),
    )
    .unwrap();
    assert_eq!(
        verified.claims().platform().pck_issuer,
        "Intel SGX PCK Processor CA"
    );
}

#[test]
fn among_several_pck_certificates_the_one_whose_key_signed_the_qe_report_is_used() {
    let collateral = Collateral::tdx_default(pki());
    let other = other_platform();
    let b = bundle(&collateral, &[&pcs_body(&other), &pcs_body(pki())]);
    let verified = tdx(&type3_tdx(), &b).unwrap();
    assert_eq!(
        verified.claims().platform().ppid,
        hex::encode(pki().pck_spec.ppid)
    );
}

#[test]
fn another_platforms_pck_certificate_is_refused() {
    let collateral = Collateral::tdx_default(pki());
    let other = other_platform();
    let e = expect_err(
        tdx(&type3_tdx(), &bundle(&collateral, &[&pcs_body(&other)])),
        "pck_certificate_mismatch",
    );
    assert!(
        e.to_string()
            .contains("none of the 1 PCK certificates in the collateral has the key that signed the quote's QE report"),
        "{e}"
    );
}

#[test]
fn a_pck_certificate_from_a_ca_of_the_same_name_but_another_key_is_refused() {
    // The right key, certified by a rogue "Intel SGX PCK Platform CA".
    let rogue = IntelPki::builder()
        .keys(IntelKeys {
            platform_ca: rogue_p256(),
            ..IntelKeys::committed()
        })
        .build();
    let collateral = Collateral::tdx_default(pki());
    let e = expect_err(
        tdx(&type3_tdx(), &bundle(&collateral, &[&pcs_body(&rogue)])),
        "certificate_signature",
    );
    assert!(e.to_string().contains("PCK"), "{e}");
}

#[test]
fn without_the_pck_certificate_the_missing_key_is_named() {
    let collateral = Collateral::tdx_default(pki());
    let e = expect_err(
        tdx(&type3_tdx(), &bundle(&collateral, &[])),
        "missing_collateral",
    );
    let Error::MissingCollateral { key } = &e else {
        panic!("{e}")
    };
    assert_eq!(key.kind(), "intel_pck_certificate");
    let id = id();
    assert_eq!(
        key,
        &CollateralKey::IntelPckCertificate {
            encrypted_ppid: id.encrypted_ppid.clone(),
            cpusvn: id.cpusvn,
            pcesvn: id.pcesvn,
            pceid: id.pceid,
            qe_id: id.qe_id,
        }
    );
    assert!(
        e.to_string()
            .contains("Intel SGX PCK certificate for encrypted PPID"),
        "{e}"
    );
}

#[test]
fn without_the_pck_ca_the_missing_chain_is_named() {
    // Everything but the PCK CRL's issuer chain (which holds the CA).
    let collateral = Collateral::tdx_default(pki());
    let mut b = Bundle::new();
    for (name, bytes) in collateral.files() {
        if name != "pck_crl_issuer_chain.pem" {
            b.add_bytes(&bytes).unwrap();
        }
    }
    b.add_bytes(&pcs_body(pki())).unwrap();
    let e = expect_err(tdx(&type3_tdx(), &b), "missing_collateral");
    let Error::MissingCollateral { key } = &e else {
        panic!("{e}")
    };
    assert_eq!(
        key,
        &CollateralKey::IntelPckCaChain {
            ca: KeyCa::Platform
        }
    );
}

#[test]
fn type3_data_of_the_wrong_length_is_a_parse_error_naming_field_and_offset() {
    for len in [403, 405, 0] {
        let mut data = id().cert_data();
        data.resize(len, 0);
        let built = QuoteSpec::tdx_v4_default()
            .with(|q| {
                q.cert_data_type = 3;
                q.cert_data = Some(data.clone());
            })
            .build_with_offsets(pki());
        let data_at = built.offsets.cert_data + 6;
        let e = Quote::parse(&built.bytes).unwrap_err();
        let Error::Parse(p) = &e else { panic!("{e}") };
        assert_eq!(
            p.kind,
            ParseErrorKind::WrongLength {
                expected: 404,
                actual: len
            },
            "{e}"
        );
        assert_eq!(p.offset, data_at);
        assert!(p.what.contains("type 3"), "{e}");
        assert!(e.to_string().starts_with("malformed "), "{e}");
        // Verification refuses it the same way.
        let v = expect_err(
            tdx(&built.bytes, &bundle(&Collateral::tdx_default(pki()), &[])),
            "wrong_length",
        );
        assert_eq!(v.to_string(), e.to_string());
    }
    // Type 2 wants 276.
    let mut data = id().cert_data();
    data.truncate(404 - 128);
    data.pop();
    let bytes = QuoteSpec::tdx_v4_default()
        .with(|q| {
            q.cert_data_type = 2;
            q.cert_data = Some(data);
        })
        .build(pki());
    let e = Quote::parse(&bytes).unwrap_err();
    assert!(e.to_string().contains("expected 276 bytes, got 275"), "{e}");
}

#[test]
fn a_plain_ppid_is_refused_saying_why() {
    let mut data = vec![0x11; 16];
    data.extend([3; 16]);
    data.extend([13, 0, 0, 0]);
    let quote = QuoteSpec::tdx_v4_default()
        .with(|q| {
            q.cert_data_type = CERT_TYPE_PPID_CLEARTEXT;
            q.cert_data = Some(data);
        })
        .build(pki());
    let e = expect_err(
        tdx(
            &quote,
            &bundle(&Collateral::tdx_default(pki()), &[&pcs_body(pki())]),
        ),
        "unsupported_certification_data",
    );
    assert!(
        matches!(
            e,
            Error::Unsupported(Unsupported::CertificationDataType(1, _))
        ),
        "{e}"
    );
    assert!(e.to_string().contains("encrypted PPID only"), "{e}");
    // Nothing to fetch for it but what every quote needs.
    let evidence = Evidence::from_bytes(&quote, None).unwrap();
    let keys: Vec<&str> = evidence
        .requirements(&Bundle::new(), &Expectations::tdx(TdxOptions::default()))
        .iter()
        .map(|r| r.key.kind())
        .collect();
    assert!(!keys.contains(&"intel_pck_certificate"), "{keys:?}");
}

#[test]
fn a_type4_quote_verifies_with_the_ca_from_the_collateral() {
    let quote = QuoteSpec::tdx_v4_default()
        .with_pck_leaf_only(pki())
        .build(pki());
    let verified = tdx(&quote, &bundle(&Collateral::tdx_default(pki()), &[])).unwrap();
    assert_eq!(verified.claims().platform().certification_data_type, 4);

    // Another platform's leaf in the quote: its key did not sign the QE report.
    let other = other_platform();
    let mut pem = to_pem("CERTIFICATE", &other.pck).into_bytes();
    pem.push(0);
    let quote = QuoteSpec::tdx_v4_default()
        .with(|q| {
            q.cert_data_type = 4;
            q.cert_data = Some(pem);
        })
        .build(pki());
    let e = expect_err(
        tdx(&quote, &bundle(&Collateral::tdx_default(pki()), &[])),
        "evidence_signature",
    );
    assert!(e.to_string().contains("QE report"), "{e}");

    // Without the CA.
    let quote = QuoteSpec::tdx_v4_default()
        .with_pck_leaf_only(pki())
        .build(pki());
    let mut b = Bundle::new();
    for (name, bytes) in Collateral::tdx_default(pki()).files() {
        if name != "pck_crl_issuer_chain.pem" {
            b.add_bytes(&bytes).unwrap();
        }
    }
    let e = expect_err(tdx(&quote, &b), "missing_collateral");
    assert!(e.to_string().contains("PCK Platform CA certificate"), "{e}");

    // The whole chain as type 4.
    let quote = QuoteSpec::tdx_v4_default()
        .with(|q| q.cert_data_type = 4)
        .build(pki());
    let e = expect_err(
        tdx(&quote, &bundle(&Collateral::tdx_default(pki()), &[])),
        "invalid_value",
    );
    assert!(e.to_string().contains("exactly 1 certificate"), "{e}");
}

fn kinds(evidence: &Evidence, known: &Bundle) -> Vec<String> {
    let mut kinds: Vec<String> = known
        .missing(evidence, &Expectations::tdx(TdxOptions::default()))
        .iter()
        .map(|r| {
            assert!(!r.optional, "{}", r.key);
            match &r.key {
                CollateralKey::IntelPckCrl { ca } | CollateralKey::IntelPckCaChain { ca } => {
                    format!("{}:{}", r.key.kind(), ca.name())
                }
                other => other.kind().to_owned(),
            }
        })
        .collect();
    kinds.sort();
    kinds
}

#[test]
fn requirements_unfold_from_the_pck_certificate_to_its_crl_chain_and_tcb_info() {
    let evidence = Evidence::from_bytes(&type3_tdx(), None).unwrap();
    let collateral = Collateral::tdx_default(pki());
    // Stage 1: the PCK certificate, and what every quote needs.
    let mut known = Bundle::new();
    assert_eq!(
        kinds(&evidence, &known),
        [
            "intel_pck_certificate",
            "intel_qe_identity",
            "intel_root_ca_crl",
            "intel_tcb_signing"
        ]
    );
    // Another platform's certificate does not count.
    known.add_bytes(&pcs_body(&other_platform())).unwrap();
    assert!(kinds(&evidence, &known).contains(&"intel_pck_certificate".to_owned()));
    // Stage 2: with it, its CA's chain and CRL and its FMSPC's TCB Info.
    known.add_bytes(&pcs_body(pki())).unwrap();
    assert_eq!(
        kinds(&evidence, &known),
        [
            "intel_pck_ca_chain:platform",
            "intel_pck_crl:platform",
            "intel_qe_identity",
            "intel_root_ca_crl",
            "intel_tcb_info",
            "intel_tcb_signing"
        ]
    );
    let tcb_info = evidence
        .requirements(&known, &Expectations::tdx(TdxOptions::default()))
        .into_iter()
        .find_map(|r| match r.key {
            CollateralKey::IntelTcbInfo { fmspc, .. } => Some(fmspc),
            _ => None,
        })
        .unwrap();
    assert_eq!(tcb_info, pki().pck_spec.fmspc);
    // Everything: nothing missing, and each key selects what serves it.
    for (_, bytes) in collateral.files() {
        known.add_bytes(&bytes).unwrap();
    }
    assert!(kinds(&evidence, &known).is_empty());
    let pck = known.select(
        &evidence,
        &CollateralKey::IntelPckCertificate {
            encrypted_ppid: id().encrypted_ppid,
            cpusvn: id().cpusvn,
            pcesvn: id().pcesvn,
            pceid: id().pceid,
            qe_id: id().qe_id,
        },
    );
    assert_eq!(pck.certificates().len(), 1);
    assert_eq!(pck.certificates()[0].der(), pki().pck.as_slice());
    let chain = known.select(
        &evidence,
        &CollateralKey::IntelPckCaChain {
            ca: KeyCa::Platform,
        },
    );
    assert_eq!(chain.certificates().len(), 2);
    assert!(known
        .select(
            &evidence,
            &CollateralKey::IntelPckCaChain {
                ca: KeyCa::Processor
            }
        )
        .is_empty());

    // Type 4: the CA chain, CRL and TCB Info from the start, no PCK certificate.
    let leaf_only = Evidence::from_bytes(
        &QuoteSpec::tdx_v4_default()
            .with_pck_leaf_only(pki())
            .build(pki()),
        None,
    )
    .unwrap();
    let stage1 = kinds(&leaf_only, &Bundle::new());
    assert!(
        stage1.contains(&"intel_pck_ca_chain:platform".to_owned()),
        "{stage1:?}"
    );
    assert!(stage1.contains(&"intel_tcb_info".to_owned()), "{stage1:?}");
    assert!(
        !stage1.contains(&"intel_pck_certificate".to_owned()),
        "{stage1:?}"
    );
}

//! One negative test per TDX/SGX check, on quotes and collateral built by `testvectors`
//! with the fake Intel PKI: change one thing, re-sign with the fake keys where the change
//! is under a signature, and assert the precise error. Positive cases first, so that a
//! failure below is the mutation's, not the fixture's.

use testvectors::build::tdx::{
    Collateral, QeIdentitySpec, QuoteBody, QuoteSpec, SignedJson, TcbInfoSpec,
};
use testvectors::pki::intel::{rogue_p256, IntelPki, PckCa};
use testvectors::pki::time::DEFAULT_NOW;
use verifier::collateral::Bundle;
use verifier::crypto::all_providers;
use verifier::tdx::{Quote, QuoteClaims, SgxOptions, TcbStatus, TdxOptions, TEE_TYPE_SGX};
use verifier::time::from_secs;
use verifier::{Error, ErrorClass, TrustAnchors, Verified, Verifier};

fn anchors(pki: &IntelPki) -> TrustAnchors {
    TrustAnchors {
        amd_ark: Vec::new(),
        intel_root: vec![pki.root_spki_sha256()],
        ..TrustAnchors::empty()
    }
}

fn bundle_of(collateral: &Collateral) -> Bundle {
    let mut b = Bundle::new();
    for (name, bytes) in collateral.files() {
        b.add_bytes(&bytes)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    b
}

fn run_with(
    pki: &IntelPki,
    quote: &[u8],
    collateral: &Collateral,
    options: &TdxOptions,
) -> Result<Verified<QuoteClaims>, Error> {
    Verifier::new(anchors(pki)).verify_tdx(
        quote,
        &bundle_of(collateral),
        options,
        from_secs(DEFAULT_NOW),
    )
}

fn run_sgx_with(
    pki: &IntelPki,
    quote: &[u8],
    collateral: &Collateral,
    options: &SgxOptions,
) -> Result<Verified<QuoteClaims>, Error> {
    Verifier::new(anchors(pki)).verify_sgx(
        quote,
        &bundle_of(collateral),
        options,
        from_secs(DEFAULT_NOW),
    )
}

/// Whether `quote` parses as an SGX (enclave) quote: which entry point is its own.
fn is_sgx(quote: &[u8]) -> bool {
    Quote::parse(quote).is_ok_and(|q| q.header.tee_type == TEE_TYPE_SGX)
}

/// Verifies with the entry point for the quote's own kind and default options.
fn verify_own_kind(
    verifier: &Verifier,
    quote: &[u8],
    bundle: &Bundle,
) -> Result<Verified<QuoteClaims>, Error> {
    let now = from_secs(DEFAULT_NOW);
    if is_sgx(quote) {
        verifier.verify_sgx(quote, bundle, &SgxOptions::default(), now)
    } else {
        verifier.verify_tdx(quote, bundle, &TdxOptions::default(), now)
    }
}

fn run(
    pki: &IntelPki,
    quote: &[u8],
    collateral: &Collateral,
) -> Result<Verified<QuoteClaims>, Error> {
    verify_own_kind(&Verifier::new(anchors(pki)), quote, &bundle_of(collateral))
}

fn pki() -> &'static IntelPki {
    IntelPki::cached()
}

fn tdx_collateral() -> Collateral {
    Collateral::tdx_default(pki())
}

fn with_tcb_info(f: impl FnOnce(&mut TcbInfoSpec)) -> Collateral {
    Collateral::new(
        pki(),
        &TcbInfoSpec::tdx_default().with(f),
        &QeIdentitySpec::tdx_default(),
    )
}

fn with_qe_identity(f: impl FnOnce(&mut QeIdentitySpec)) -> Collateral {
    Collateral::new(
        pki(),
        &TcbInfoSpec::tdx_default(),
        &QeIdentitySpec::tdx_default().with(f),
    )
}

fn quote(f: impl FnOnce(&mut QuoteSpec)) -> Vec<u8> {
    QuoteSpec::tdx_v4_default().with(f).build(pki())
}

fn td(f: impl FnOnce(&mut testvectors::build::tdx::TdReport10)) -> Vec<u8> {
    quote(|q| f(q.body.td10_mut().unwrap()))
}

#[track_caller]
fn expect(result: Result<Verified<QuoteClaims>, Error>, kind: &str) -> Error {
    match result {
        Ok(_) => panic!("verified, expected {kind}"),
        Err(e) => {
            assert_eq!(e.kind(), kind, "{e}");
            e
        }
    }
}

// ---------------------------------------------------------------- positive

#[test]
fn every_default_quote_shape_verifies_up_to_date_on_every_provider() {
    let tdx = tdx_collateral();
    let sgx = Collateral::sgx_default(pki());
    let shapes = [
        ("tdx v4", QuoteSpec::tdx_v4_default(), &tdx, "tdx"),
        ("tdx v5 td15", QuoteSpec::tdx_v5_td15_default(), &tdx, "tdx"),
        ("tdx v5 td10", QuoteSpec::tdx_v5_td10_default(), &tdx, "tdx"),
        ("sgx v3", QuoteSpec::sgx_v3_default(), &sgx, "sgx"),
        ("sgx v4", QuoteSpec::sgx_v4_default(), &sgx, "sgx"),
    ];
    for provider in all_providers() {
        for (name, spec, collateral, tee) in &shapes {
            let q = spec.build(pki());
            let v = verify_own_kind(
                &Verifier::with_provider(anchors(pki()), provider),
                &q,
                &bundle_of(collateral),
            )
            .unwrap_or_else(|e| panic!("{name} on {}: {e}", provider.name()));
            assert_eq!(
                v.claims().platform().tcb_status,
                TcbStatus::UpToDate,
                "{name}"
            );
            assert!(v.warnings().is_empty(), "{name}: {:?}", v.warnings());
            assert_eq!(verifier::Claims::from(v.claims().clone()).tee(), *tee);
        }
    }
}

#[test]
fn the_quote_collateral_v3_json_verifies_the_same() {
    let mut b = Bundle::new();
    b.add_bytes(tdx_collateral().to_quote_collateral_v3_json().as_bytes())
        .unwrap();
    let q = QuoteSpec::tdx_v4_default().build(pki());
    Verifier::new(anchors(pki()))
        .verify_tdx(&q, &b, &TdxOptions::default(), from_secs(DEFAULT_NOW))
        .unwrap();
}

#[test]
fn a_processor_ca_chain_verifies_with_its_own_crl() {
    let pki = IntelPki::builder()
        .pck(testvectors::pki::intel::PckSpec::processor_default())
        .pck_ca(PckCa::Processor)
        .build();
    let collateral = Collateral::tdx_default(&pki);
    let q = QuoteSpec::tdx_v4_default().build(&pki);
    let v = run(&pki, &q, &collateral).unwrap();
    assert_eq!(
        v.claims().platform().pck_issuer,
        "Intel SGX PCK Processor CA"
    );
    assert_eq!(v.claims().platform().platform_instance_id, None);
}

// ---------------------------------------------------------------- 1. parsing

#[test]
fn unknown_header_values_are_unsupported() {
    let c = tdx_collateral();
    expect(
        run(pki(), &quote(|q| q.version = 6), &c),
        "unsupported_version",
    );
    expect(
        run(pki(), &quote(|q| q.att_key_type = 3), &c),
        "unsupported_attestation_key_type",
    );
    expect(
        run(pki(), &quote(|q| q.tee_type = 0x82), &c),
        "unsupported_tee_type",
    );
    expect(
        run(pki(), &quote(|q| q.qe_vendor_id[0] ^= 1), &c),
        "unsupported_qe_vendor",
    );
    let sgx_body_as_tdx = QuoteSpec::tdx_v5_td10_default()
        .with(|q| q.body_type_override = Some(1))
        .build(pki());
    expect(run(pki(), &sgx_body_as_tdx, &c), "unsupported_body_type");
    let td15ex = QuoteSpec::tdx_v5_td10_default()
        .with(|q| {
            q.body = QuoteBody::Raw {
                body_type: 4,
                bytes: vec![0; 885],
            }
        })
        .build(pki());
    expect(run(pki(), &td15ex, &c), "unsupported_body_type");
}

#[test]
fn inconsistent_lengths_are_malformed_with_their_offset() {
    let c = tdx_collateral();
    let wrong_size = QuoteSpec::tdx_v5_td10_default()
        .with(|q| q.body_size_override = Some(583))
        .build(pki());
    let e = expect(run(pki(), &wrong_size, &c), "wrong_length");
    assert_eq!(e.class(), ErrorClass::Malformed);
    assert_eq!(
        e.to_string(),
        "malformed body size at offset 0x32: expected 584 bytes, got 583"
    );

    let mut built = QuoteSpec::tdx_v4_default().build_with_offsets(pki());
    let len_at = built.offsets.sig_data_len;
    let declared = u32::from_le_bytes(built.bytes[len_at..len_at + 4].try_into().unwrap());
    built.set_u32(len_at, declared + 1);
    let e = expect(run(pki(), &built.bytes, &c), "truncated");
    assert_eq!(e.class(), ErrorClass::Malformed);
}

#[test]
fn certification_data_types_are_enforced() {
    let c = tdx_collateral();
    let e = expect(
        run(pki(), &quote(|q| q.outer_cert_data_type = 5), &c),
        "invalid_value",
    );
    assert!(e.to_string().contains("must be 6"), "{e}");
    // Type 4 is the PCK leaf alone (tdx_pck_fetch.rs verifies it): a whole chain is not.
    let e = expect(
        run(pki(), &quote(|q| q.cert_data_type = 4), &c),
        "invalid_value",
    );
    assert!(e.to_string().contains("type 4"), "{e}");
    expect(
        run(pki(), &quote(|q| q.cert_data_type = 7), &c),
        "invalid_value",
    );
}

#[test]
fn a_chain_without_its_root_is_refused() {
    let c = tdx_collateral();
    let two = format!(
        "{}{}\0",
        testvectors::pki::to_pem("CERTIFICATE", &pki().pck),
        testvectors::pki::to_pem("CERTIFICATE", &pki().platform_ca)
    );
    let e = expect(
        run(pki(), &quote(|q| q.cert_data = Some(two.into_bytes())), &c),
        "invalid_value",
    );
    assert!(e.to_string().contains("3 certificates"), "{e}");
}

// ---------------------------------------------------------------- 2–3. PCK chain, CRLs

#[test]
fn a_root_that_is_not_pinned_is_untrusted() {
    let q = quote(|_| {});
    let e = Verifier::new(TrustAnchors::default())
        .verify_tdx(
            &q,
            &bundle_of(&tdx_collateral()),
            &TdxOptions::default(),
            from_secs(DEFAULT_NOW),
        )
        .unwrap_err();
    assert_eq!(e.kind(), "untrusted_root");
}

#[test]
fn an_expired_pck_certificate_is_rejected() {
    let pki = IntelPki::builder()
        .override_pck(|c| c.not_after = DEFAULT_NOW - 1)
        .build();
    let q = QuoteSpec::tdx_v4_default().build(&pki);
    let e = expect(
        run(&pki, &q, &Collateral::tdx_default(&pki)),
        "certificate_expired",
    );
    assert!(e.to_string().starts_with("PCK certificate"), "{e}");
}

#[test]
fn path_len_constraints_have_rfc_5280_semantics() {
    // pathLenConstraint counts the intermediates below a CA, the leaf not included: the
    // PCK CA (pathLen 0) may issue the PCK directly, and the root must allow the PCK CA.
    let check = |root_path_len: Option<u8>, ca_path_len: Option<u8>| {
        let pki = IntelPki::builder()
            .override_root(move |c| c.set_basic_constraints(true, root_path_len))
            .override_platform_ca(move |c| c.set_basic_constraints(true, ca_path_len))
            .build();
        let q = QuoteSpec::tdx_v4_default().build(&pki);
        run(&pki, &q, &Collateral::tdx_default(&pki))
    };
    for (root, ca) in [
        (Some(1), Some(0)),
        (None, Some(0)),
        (Some(1), None),
        (Some(2), Some(5)),
    ] {
        check(root, ca).unwrap_or_else(|e| panic!("root {root:?}, PCK CA {ca:?}: {e}"));
    }
    // A root with pathLenConstraint 0 allows no PCK CA below it.
    let e = expect(check(Some(0), Some(0)), "path_len_exceeded");
    assert!(
        matches!(
            &e,
            Error::Certificate {
                role: verifier::pki::CertRole::PckCa,
                kind: verifier::error::CertErrorKind::PathLenExceeded { max: 0 },
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn revoked_pck_pck_ca_and_tcb_signing_certificates_are_rejected() {
    let p = pki();
    let q = quote(|_| {});
    let mut c = tdx_collateral();
    c.pck_crl = p.pck_crl().revoke_cert(&p.specs.pck).build();
    let e = expect(run(p, &q, &c), "certificate_revoked");
    assert!(e.to_string().starts_with("PCK certificate"), "{e}");

    let mut c = tdx_collateral();
    c.root_ca_crl = p.root_ca_crl().revoke_cert(&p.specs.platform_ca).build();
    let e = expect(run(p, &q, &c), "certificate_revoked");
    assert!(e.to_string().starts_with("PCK CA certificate"), "{e}");

    let mut c = tdx_collateral();
    c.root_ca_crl = p.root_ca_crl().revoke_cert(&p.specs.tcb_signing).build();
    let e = expect(run(p, &q, &c), "certificate_revoked");
    assert!(e.to_string().starts_with("TCB Signing certificate"), "{e}");
}

#[test]
fn crls_must_be_signed_current_and_present() {
    let p = pki();
    let q = quote(|_| {});
    let mut c = tdx_collateral();
    c.pck_crl = p.pck_crl().corrupt_signature().build();
    expect(run(p, &q, &c), "crl_signature");

    let mut c = tdx_collateral();
    c.pck_crl = p.pck_crl().signed_by(rogue_p256()).build();
    expect(run(p, &q, &c), "crl_signature");

    let mut c = tdx_collateral();
    c.root_ca_crl = p
        .root_ca_crl()
        .this_update(DEFAULT_NOW - 100)
        .next_update(DEFAULT_NOW - 1)
        .build();
    expect(run(p, &q, &c), "crl_expired");

    let mut c = tdx_collateral();
    c.pck_crl = p
        .pck_crl()
        .this_update(DEFAULT_NOW + 1)
        .next_update(DEFAULT_NOW + 100)
        .build();
    expect(run(p, &q, &c), "crl_not_yet_valid");

    // The Processor CA's CRL does not stand in for the Platform CA's.
    let mut c = tdx_collateral();
    c.pck_crl = p.pck_crl_of(PckCa::Processor).build();
    let e = expect(run(p, &q, &c), "missing_collateral");
    assert_eq!(
        e,
        Error::MissingCollateral {
            key: verifier::CollateralKey::IntelPckCrl {
                ca: verifier::needs::PckCa::Platform
            }
        }
    );
}

#[test]
fn a_bad_sgx_extension_is_rejected() {
    let pki = IntelPki::builder()
        .modify_pck(|p| p.raw_extension = Some(vec![0x30, 0x00]))
        .build();
    let q = QuoteSpec::tdx_v4_default().build(&pki);
    let e = expect(
        run(&pki, &q, &Collateral::tdx_default(&pki)),
        "bad_extension",
    );
    assert!(e.to_string().contains("0 entries"), "{e}");
}

// ---------------------------------------------------------------- 4–5. QE report, quote signature

#[test]
fn the_qe_report_must_be_signed_by_the_pck_key() {
    let e = expect(
        run(
            pki(),
            &quote(|q| q.qe_report_signing_key = Some(rogue_p256())),
            &tdx_collateral(),
        ),
        "evidence_signature",
    );
    assert_eq!(e.to_string(), "QE report signature does not verify");
}

#[test]
fn the_qe_report_must_bind_the_attestation_key() {
    let e = expect(
        run(
            pki(),
            &quote(|q| q.qe_report_data = Some([0x11; 64])),
            &tdx_collateral(),
        ),
        "qe_report_data",
    );
    assert!(
        e.to_string()
            .contains("SHA-256(attestation key || QE auth data)"),
        "{e}"
    );
    // The second half must be zero too (Intel's library compares only the first half).
    let mut built = QuoteSpec::tdx_v4_default().build_with_offsets(pki());
    let at = built.offsets.qe_report + 320 + 63;
    built.flip_byte(at);
    built.resign_qe_report(&testvectors::pki::intel::committed_key(
        testvectors::pki::intel::KeyRole::Pck,
    ));
    expect(
        run(pki(), &built.bytes, &tdx_collateral()),
        "qe_report_data",
    );
}

#[test]
fn the_quote_must_be_signed_by_the_attested_key() {
    // Any key the QE vouches for may sign; a key it does not vouch for may not.
    run(
        pki(),
        &quote(|q| q.attestation_key = Some(rogue_p256())),
        &tdx_collateral(),
    )
    .unwrap();
    let other = rogue_p256().p256_public_raw();
    let e = quote(|q| q.attestation_pubkey_override = Some(other));
    let err = run(pki(), &e, &tdx_collateral()).unwrap_err();
    assert!(
        ["evidence_signature", "qe_report_data"].contains(&err.kind()),
        "{err}"
    );
    let mut built = QuoteSpec::tdx_v4_default().build_with_offsets(pki());
    built.flip_byte(built.offsets.body + 136);
    let e = expect(
        run(pki(), &built.bytes, &tdx_collateral()),
        "evidence_signature",
    );
    assert_eq!(e.to_string(), "TDX quote signature does not verify");
    built.resign_quote(&rogue_p256());
    expect(
        run(pki(), &built.bytes, &tdx_collateral()),
        "evidence_signature",
    );
}

// ---------------------------------------------------------------- 6. TCB Info, QE Identity

#[test]
fn tcb_info_must_be_signed_fresh_and_for_this_platform() {
    let q = quote(|_| {});
    let mut c = tdx_collateral();
    c.tcb_info = c.tcb_info.corrupt_signature();
    expect(run(pki(), &q, &c), "collateral_signature");

    let mut c = tdx_collateral();
    c.tcb_info = SignedJson {
        signature: rogue_p256()
            .sign_p256_raw(c.tcb_info.inner.as_bytes())
            .to_vec(),
        ..c.tcb_info
    };
    expect(run(pki(), &q, &c), "collateral_signature");

    let stale = with_tcb_info(|t| {
        t.issue_date = "2024-04-01T00:00:00Z".into();
        t.next_update = "2024-05-01T00:00:00Z".into();
    });
    let e = expect(run(pki(), &q, &stale), "collateral_expired");
    assert!(
        e.to_string()
            .starts_with("TCB Info is stale: nextUpdate 2024-05-01T00:00:00Z"),
        "{e}"
    );
    let early = with_tcb_info(|t| t.issue_date = "2024-06-02T00:00:00Z".into());
    expect(run(pki(), &q, &early), "collateral_not_yet_valid");

    let other_pce = with_tcb_info(|t| t.pce_id = "0100".into());
    let e = expect(run(pki(), &q, &other_pce), "tcb_info_mismatch");
    assert!(e.to_string().contains("pceId"), "{e}");
    let other_fmspc = with_tcb_info(|t| t.fmspc = "00906ED50000".into());
    expect(run(pki(), &q, &other_fmspc), "missing_collateral");
    let sgx_for_tdx = Collateral::new(
        pki(),
        &TcbInfoSpec::sgx_default().with(|t| t.fmspc = TcbInfoSpec::tdx_default().fmspc),
        &QeIdentitySpec::tdx_default(),
    );
    let e = expect(run(pki(), &q, &sgx_for_tdx), "tcb_info_mismatch");
    assert!(e.to_string().contains("TCB Info id is SGX"), "{e}");
    // Versions other than 3 are refused when the collateral is read.
    let v2 = TcbInfoSpec::tdx_default()
        .with(|t| t.version = 2)
        .body(pki());
    let e = Bundle::new().add_bytes(&v2).unwrap_err();
    assert_eq!(e.kind(), "unsupported_collateral_version");
}

#[test]
fn of_several_tcb_infos_the_current_one_is_used() {
    let q = quote(|_| {});
    let old = TcbInfoSpec::tdx_default().with(|t| {
        t.issue_date = "2024-04-01T00:00:00Z".into();
        t.next_update = "2024-05-01T00:00:00Z".into();
        t.tcb_levels[0].tcb_status = "OutOfDate".into();
    });
    let mut b = bundle_of(&tdx_collateral());
    b.add_bytes(&old.body(pki())).unwrap();
    let v = Verifier::new(anchors(pki()))
        .verify_tdx(&q, &b, &TdxOptions::default(), from_secs(DEFAULT_NOW))
        .unwrap();
    assert_eq!(v.claims().platform().tcb_status, TcbStatus::UpToDate);
}

#[test]
fn a_tcb_signing_certificate_is_required() {
    let q = quote(|_| {});
    let c = tdx_collateral();
    let mut b = Bundle::new();
    for (name, bytes) in c.files() {
        if !name.contains("issuer_chain") {
            b.add_bytes(&bytes).unwrap();
        }
    }
    let e = Verifier::new(anchors(pki()))
        .verify_tdx(&q, &b, &TdxOptions::default(), from_secs(DEFAULT_NOW))
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::MissingCollateral);
    assert!(e.to_string().contains("TCB Signing"), "{e}");
}

#[test]
fn qe_identity_must_be_signed_fresh_and_for_this_qe() {
    let q = quote(|_| {});
    let mut c = tdx_collateral();
    c.qe_identity = c.qe_identity.corrupt_signature();
    expect(run(pki(), &q, &c), "collateral_signature");
    let stale = with_qe_identity(|i| {
        i.issue_date = "2024-04-01T00:00:00Z".into();
        i.next_update = "2024-05-01T00:00:00Z".into();
    });
    let e = expect(run(pki(), &q, &stale), "collateral_expired");
    assert!(e.to_string().starts_with("QE Identity is stale"), "{e}");
    let early = with_qe_identity(|i| i.issue_date = "2024-06-02T00:00:00Z".into());
    let e = expect(run(pki(), &q, &early), "collateral_not_yet_valid");
    assert!(
        e.to_string().starts_with("QE Identity is not yet valid"),
        "{e}"
    );

    type Mutation = Box<dyn Fn(&mut QeIdentitySpec)>;
    let rows: [(&str, Mutation); 5] = [
        ("mrsigner", Box::new(|i| i.mrsigner = "00".repeat(32))),
        ("isvprodid", Box::new(|i| i.isvprodid = 1)),
        ("miscselect", Box::new(|i| i.miscselect = "00000001".into())),
        (
            "attributes",
            Box::new(|i| i.attributes = "13000000000000000000000000000000".into()),
        ),
        ("id", Box::new(|i| i.id = "QE".into())),
    ];
    for (field, f) in rows {
        let e = expect(run(pki(), &q, &with_qe_identity(f)), "qe_identity_mismatch");
        assert!(e.to_string().contains(field), "{field}: {e}");
    }
    // Under the mask, a difference in a masked-out attribute bit is fine.
    let masked = with_qe_identity(|i| {
        i.attributes = "15000000000000000000000000000000".into();
        i.attributes_mask = "FBFFFFFFFFFFFFFF0000000000000000".into();
    });
    run(pki(), &q, &masked).unwrap();
}

// ---------------------------------------------------------------- 8. TDX module

#[test]
fn the_tdx_module_must_be_the_one_the_tcb_info_names() {
    let c = tdx_collateral();
    let e = expect(
        run(pki(), &td(|t| t.mr_signer_seam = [1; 48]), &c),
        "tdx_module_mismatch",
    );
    assert!(e.to_string().contains("mr_signer_seam"), "{e}");
    let e = expect(
        run(pki(), &td(|t| t.seam_attributes = 1), &c),
        "tdx_module_mismatch",
    );
    assert!(e.to_string().contains("seam_attributes"), "{e}");
    // Non-zero SEAMATTRIBUTES that the TCB Info also names are still refused (Intel).
    let named = with_tcb_info(|t| {
        for m in t.tdx_module_identities.iter_mut().flatten() {
            m.module.attributes = "0100000000000000".into();
        }
    });
    expect(
        run(pki(), &td(|t| t.seam_attributes = 1), &named),
        "tdx_module_mismatch",
    );
    let e = expect(
        run(pki(), &td(|t| t.tee_tcb_svn[1] = 2), &c),
        "tdx_module_mismatch",
    );
    assert!(e.to_string().contains("TDX_02"), "{e}");
}

// ---------------------------------------------------------------- 9. TCB evaluation

#[test]
fn statuses_come_from_the_matched_levels() {
    let c = tdx_collateral();
    // Module ISVSVN 3: TDX_01 level OutOfDate, platform UpToDate → OutOfDate.
    let v = run(pki(), &td(|t| t.tee_tcb_svn[0] = 3), &c).unwrap();
    assert_eq!(v.claims().platform().tcb_status, TcbStatus::OutOfDate);
    assert_eq!(
        v.claims().platform().tdx_module_status,
        Some(TcbStatus::OutOfDate)
    );
    assert_eq!(v.warnings()[0].code, "tcb_status");
    // Module ISVSVN below every module level: not supported.
    expect(
        run(pki(), &td(|t| t.tee_tcb_svn[0] = 2), &c),
        "tcb_not_supported",
    );
    // TDX component (late microcode, byte 2) below every platform level: not supported.
    expect(
        run(pki(), &td(|t| t.tee_tcb_svn[2] = 0), &c),
        "tcb_not_supported",
    );
    // A Revoked platform level rejects.
    let revoked = with_tcb_info(|t| t.tcb_levels[0].tcb_status = "Revoked".into());
    let e = expect(run(pki(), &quote(|_| {}), &revoked), "tcb_revoked");
    assert!(e.to_string().contains("platform"), "{e}");
    // A Revoked QE level rejects.
    let qe_revoked = with_qe_identity(|i| i.tcb_levels[0].tcb_status = "Revoked".into());
    expect(run(pki(), &quote(|_| {}), &qe_revoked), "tcb_revoked");
    // QE ISVSVN below every QE level: not supported.
    expect(
        run(pki(), &quote(|q| q.qe_report.isvsvn = 0), &c),
        "tcb_not_supported",
    );
    // Advisories and tcbDate of a lower level.
    let advisories = with_tcb_info(|t| {
        t.tcb_levels[0].tcb_status = "SWHardeningNeeded".into();
        t.tcb_levels[0].advisory_ids = Some(vec!["INTEL-SA-00615".into()]);
    });
    let v = run(pki(), &quote(|_| {}), &advisories).unwrap();
    assert_eq!(
        v.claims().platform().tcb_status,
        TcbStatus::SwHardeningNeeded
    );
    assert_eq!(v.claims().platform().advisory_ids, vec!["INTEL-SA-00615"]);
}

#[test]
fn a_td15_launched_out_of_date_and_updated_in_place_is_advised_to_relaunch() {
    let c = tdx_collateral();
    let relaunch = QuoteSpec::tdx_v5_td15_default()
        .with(|q| {
            if let QuoteBody::Td15(t) = &mut q.body {
                t.base.tee_tcb_svn[0] = 3;
            }
        })
        .build(pki());
    let v = run(pki(), &relaunch, &c).unwrap();
    let p = v.claims().platform();
    assert_eq!(p.tcb_status, TcbStatus::TdRelaunchAdvised);
    assert_eq!(p.tcb_launch.as_ref().unwrap().status, TcbStatus::OutOfDate);
    assert_eq!(p.tcb_current.as_ref().unwrap().status, TcbStatus::UpToDate);
    // The current TCB must itself be supported.
    let bad_current = QuoteSpec::tdx_v5_td15_default()
        .with(|q| {
            if let QuoteBody::Td15(t) = &mut q.body {
                t.tee_tcb_svn2[2] = 0;
            }
        })
        .build(pki());
    expect(run(pki(), &bad_current, &c), "tcb_not_supported");
}

#[test]
fn sgx_quotes_use_the_sgx_collateral() {
    let q = QuoteSpec::sgx_v3_default().build(pki());
    let e = expect(run(pki(), &q, &tdx_collateral()), "tcb_info_mismatch");
    assert!(e.to_string().contains("TDX"), "{e}");
    let with_td_qe = Collateral::new(
        pki(),
        &TcbInfoSpec::sgx_default(),
        &QeIdentitySpec::tdx_default(),
    );
    expect(run(pki(), &q, &with_td_qe), "qe_identity_mismatch");
}

// ---------------------------------------------------------------- 10. options

#[test]
fn caller_options_on_fake_quotes() {
    let c = tdx_collateral();
    let debug = td(|t| t.td_attributes |= 1);
    let v = run(pki(), &debug, &c).unwrap();
    assert!(v.warnings().iter().any(|w| w.code == "debug_td"));
    let strict = {
        let mut opts = TdxOptions::default();
        opts.reject_debug = true;
        opts
    };
    expect(run_with(pki(), &debug, &c, &strict), "debug_not_allowed");
    let sgx_debug = QuoteSpec::sgx_v3_default()
        .with(|q| q.body.sgx_mut().unwrap().attributes[0] |= 0x02)
        .build(pki());
    let strict_enclave = {
        let mut opts = SgxOptions::default();
        opts.reject_debug = true;
        opts
    };
    expect(
        run_sgx_with(
            pki(),
            &sgx_debug,
            &Collateral::sgx_default(pki()),
            &strict_enclave,
        ),
        "debug_not_allowed",
    );
    let mr = {
        let mut opts = TdxOptions::default();
        opts.mr_config_id = Some([9; 48]);
        opts
    };
    expect(
        run_with(pki(), &quote(|_| {}), &c, &mr),
        "unexpected_mr_config_id",
    );
    let owner = {
        let mut opts = TdxOptions::default();
        opts.mr_owner = Some([9; 48]);
        opts
    };
    expect(
        run_with(pki(), &quote(|_| {}), &c, &owner),
        "unexpected_mr_owner",
    );
    let enclave = {
        let mut opts = SgxOptions::default();
        opts.mr_enclave = Some([9; 32]);
        opts
    };
    expect(
        run_sgx_with(
            pki(),
            &QuoteSpec::sgx_v3_default().build(pki()),
            &Collateral::sgx_default(pki()),
            &enclave,
        ),
        "unexpected_mr_enclave",
    );
}

#[test]
fn each_chain_position_must_hold_its_role() {
    let leaf_renamed = IntelPki::builder()
        .override_pck(|c| c.set_subject_cn("Intel SGX PCK Platform CA"))
        .build();
    let q = QuoteSpec::tdx_v4_default().build(&leaf_renamed);
    let e = expect(
        run(&leaf_renamed, &q, &Collateral::tdx_default(&leaf_renamed)),
        "unexpected_subject",
    );
    assert!(e.to_string().starts_with("PCK certificate"), "{e}");
    assert!(
        e.to_string()
            .ends_with("is not the expected Intel SGX PCK Certificate"),
        "{e}"
    );
    // The PCK extension is required.
    let no_ext = IntelPki::builder()
        .override_pck(|c| {
            c.remove_ext(testvectors::pki::intel::sgx_ext::SGX_EXTENSION_OID);
        })
        .build();
    let q = QuoteSpec::tdx_v4_default().build(&no_ext);
    expect(
        run(&no_ext, &q, &Collateral::tdx_default(&no_ext)),
        "missing_extension",
    );
    // An expired TCB Signing certificate does not vouch for collateral.
    let expired_signing = IntelPki::builder()
        .override_tcb_signing(|c| c.not_after = DEFAULT_NOW - 1)
        .build();
    let q = QuoteSpec::tdx_v4_default().build(&expired_signing);
    let e = expect(
        run(
            &expired_signing,
            &q,
            &Collateral::tdx_default(&expired_signing),
        ),
        "certificate_expired",
    );
    assert!(e.to_string().starts_with("TCB Signing certificate"), "{e}");
}

#[test]
fn a_version_3_quote_must_be_sgx_and_a_revoked_current_tcb_rejects() {
    let e = expect(
        run(pki(), &quote(|q| q.version = 3), &tdx_collateral()),
        "invalid_value",
    );
    assert!(e.to_string().contains("SGX only"), "{e}");
    // TD 1.5: launch up to date, current TCB at a Revoked module level.
    let revoked_module = with_tcb_info(|t| {
        for m in t.tdx_module_identities.iter_mut().flatten() {
            m.tcb_levels
                .push(testvectors::build::tdx::ModuleTcbLevel::new(
                    1,
                    "2022-01-01T00:00:00Z",
                    "Revoked",
                ));
        }
    });
    let q = QuoteSpec::tdx_v5_td15_default()
        .with(|q| {
            if let QuoteBody::Td15(t) = &mut q.body {
                t.tee_tcb_svn2[0] = 1;
            }
        })
        .build(pki());
    let e = expect(run(pki(), &q, &revoked_module), "tcb_revoked");
    assert!(e.to_string().contains("current"), "{e}");
    let signer = {
        let mut opts = SgxOptions::default();
        opts.mr_signer = Some([9; 32]);
        opts
    };
    expect(
        run_sgx_with(
            pki(),
            &QuoteSpec::sgx_v3_default().build(pki()),
            &Collateral::sgx_default(pki()),
            &signer,
        ),
        "unexpected_mr_signer",
    );
}

#[test]
fn a_crl_whose_signature_claims_unused_bits_is_malformed() {
    // A signature BIT STRING claiming unused bits would be a second encoding of the same
    // CRL: `Crl::from_der` refuses it (RSA and ECDSA), as `Certificate::from_der` must
    // (see ocsp_fake.rs).
    let amd = testvectors::pki::amd::AmdPki::cached(verifier::snp::Product::Milan);
    for mut der in [IntelPki::cached().root_ca_crl().build(), amd.crl().build()] {
        verifier::pki::Crl::from_der(&der).unwrap();
        // The signature is the last TLV: `03 <len> 00 ...` running to the end.
        let sig_at = (0..der.len() - 4)
            .find(|&i| {
                der[i] == 0x03
                    && match der[i + 1] {
                        n @ 0..=0x7f => i + 2 + usize::from(n) == der.len(),
                        0x82 => {
                            i + 4 + usize::from(u16::from_be_bytes([der[i + 2], der[i + 3]]))
                                == der.len()
                        }
                        _ => false,
                    }
            })
            .unwrap();
        let unused_at = if der[sig_at + 1] == 0x82 {
            sig_at + 4
        } else {
            sig_at + 2
        };
        assert_eq!(der[unused_at], 0x00);
        der[unused_at] = 0x01;
        let e = verifier::pki::Crl::from_der(&der).unwrap_err();
        assert_eq!(e.kind(), "malformed_der", "{e}");
    }
}

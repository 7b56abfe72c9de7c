//! Every check of the certificate engine and of SEV-SNP verification, driven with the fake
//! AMD PKI of `testvectors`: one change per case (a certificate field, a CRL, a report
//! field re-signed, an option), and the exact error it must produce.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use testvectors::build::snp::{anchors, bundle, report, sign};
use testvectors::pki::amd::{rogue_p384, rogue_rsa, AmdPki, Signer};
use testvectors::pki::time::DEFAULT_NOW;
use testvectors::pki::{to_pem, PssParams, SigAlg};
use verifier::collateral::Bundle;
use verifier::error::{BindingError, CertErrorKind, Error};
use verifier::needs::{AmdSigner, CollateralKey};
use verifier::pki::CertRole;
use verifier::snp::{
    AttestationReport, GuestPolicyConstraints, Product, ReportDataExpectation, SnpClaims,
    SnpOptions, TcbComponent, TcbParts,
};
use verifier::{time, Verified, Verifier};

const NOW: u64 = DEFAULT_NOW;

struct Case {
    pki: AmdPki,
    signer: Signer,
    report: AttestationReport,
    bundle: Option<Bundle>,
    options: SnpOptions,
    now: u64,
}

impl Case {
    fn new(pki: AmdPki, signer: Signer) -> Self {
        let report = report(&pki, signer);
        Self {
            pki,
            signer,
            report,
            bundle: None,
            options: SnpOptions::default(),
            now: NOW,
        }
    }

    fn milan() -> Self {
        Self::new(AmdPki::cached(Product::Milan).clone(), Signer::Vcek)
    }

    fn bytes(&self) -> Vec<u8> {
        sign(&self.pki, self.signer, &self.report)
    }

    fn bundle(&self) -> Bundle {
        self.bundle
            .clone()
            .unwrap_or_else(|| bundle(&self.pki, self.signer))
    }

    fn verifier(&self) -> Verifier {
        Verifier::new(anchors(&[&self.pki]))
    }

    fn run_on(&self, verifier: &Verifier) -> Result<Verified<SnpClaims>, Error> {
        verifier.verify_snp(
            &self.bytes(),
            &self.bundle(),
            &self.options,
            time::from_secs(self.now),
        )
    }

    fn run(&self) -> Result<Verified<SnpClaims>, Error> {
        self.run_on(&self.verifier())
    }

    fn err(&self) -> Error {
        match self.run() {
            Ok(_) => panic!("verification unexpectedly succeeded"),
            Err(e) => e,
        }
    }

    fn with_crl(mut self, crl: Vec<u8>) -> Self {
        let mut b = self.bundle();
        b.add_bytes(&crl).unwrap();
        self.bundle = Some(b);
        self
    }
}

fn pki(product: Product) -> testvectors::pki::amd::AmdPkiBuilder<'static> {
    AmdPki::builder(product)
}

fn cert_kind(e: &Error) -> (CertRole, &CertErrorKind) {
    match e {
        Error::Certificate { role, kind, .. } => (*role, kind),
        other => panic!("expected a certificate error, got {other:?}"),
    }
}

// ---- The happy paths ----------------------------------------------------------------

#[test]
fn every_product_and_signer_verifies() {
    for product in Product::ALL {
        for signer in [Signer::Vcek, Signer::Vlek] {
            let case = Case::new(AmdPki::cached(product).clone(), signer);
            let v = case
                .run()
                .unwrap_or_else(|e| panic!("{product} {signer:?}: {e}"));
            assert_eq!(v.claims().product, product.name());
            assert_eq!(
                v.claims().reported_tcb.fmc.is_some(),
                product == Product::Turin
            );
        }
    }
}

#[test]
fn both_pss_trailer_encodings_are_accepted() {
    // Leaves with the explicit DEFAULT trailer (pre-2024 VCEKs) and without it (newer).
    let explicit = Case::new(
        pki(Product::Genoa).leaf_trailer_explicit(true).build(),
        Signer::Vcek,
    );
    explicit.run().unwrap();
    let omitted_ca = Case::new(
        pki(Product::Genoa)
            .override_ask(|c| c.sig_alg = SigAlg::RsaPss(PssParams::AMD_OMITTED_TRAILER))
            .build(),
        Signer::Vcek,
    );
    omitted_ca.run().unwrap();
}

#[test]
fn every_report_version_verifies_and_siena_is_genoa() {
    for version in [2u32, 3, 4, 5] {
        let mut case = Case::milan();
        case.report.version = version;
        if version == 2 {
            case.report.cpuid = None;
        }
        if version == 5 {
            case.report.launch_mit_vector = Some(0xB);
            case.report.current_mit_vector = Some(0x3F);
        }
        let v = case.run().unwrap_or_else(|e| panic!("v{version}: {e}"));
        assert_eq!(v.claims().version, version);
        assert_eq!(v.claims().launch_mit_vector, (version == 5).then_some(0xB));
    }
    let mut siena = Case::new(AmdPki::cached(Product::Genoa).clone(), Signer::Vcek);
    siena.report.cpuid = Some(verifier::snp::Cpuid {
        family: 0x19,
        model: 0xA0,
        stepping: 0,
    });
    let v = siena.run().unwrap();
    assert_eq!(
        (v.claims().product, v.claims().cpu_model),
        ("Genoa", Some("Siena/Bergamo"))
    );
}

#[test]
fn turin_uses_its_own_tcb_layout_and_short_chip_id() {
    let case = Case::new(AmdPki::cached(Product::Turin).clone(), Signer::Vcek);
    let v = case.run().unwrap();
    let t = &v.claims().reported_tcb;
    assert_eq!(
        (t.fmc, t.bootloader, t.tee, t.snp, t.microcode),
        (Some(1), 1, 1, 4, 81)
    );
    assert!(v.claims().chip_id.ends_with(&"00".repeat(56)));
}

// ---- Section 3: certificate and CRL engine ----------------------------------------------

#[test]
fn root_must_be_pinned() {
    let case = Case::milan();
    let other = AmdPki::cached(Product::Genoa);
    let v = Verifier::new(anchors(&[other]));
    let e = case.run_on(&v).unwrap_err();
    assert!(
        matches!(
            cert_kind(&e),
            (CertRole::Ark, CertErrorKind::UntrustedRoot { .. })
        ),
        "{e}"
    );
    // The real AMD pins do not trust the fake ARK either.
    let v = Verifier::new(verifier::TrustAnchors::default());
    let e = case.run_on(&v).unwrap_err();
    assert_eq!(e.kind(), "untrusted_root");
}

#[test]
fn each_chain_signature_is_checked() {
    for (role, case) in [
        (
            CertRole::Ark,
            Case::new(
                pki(Product::Milan)
                    .override_ark(|c| c.corrupt_signature = true)
                    .build(),
                Signer::Vcek,
            ),
        ),
        (
            CertRole::Ask,
            Case::new(
                pki(Product::Milan)
                    .override_ask(|c| c.corrupt_signature = true)
                    .build(),
                Signer::Vcek,
            ),
        ),
        (
            CertRole::Vcek,
            Case::new(
                pki(Product::Milan)
                    .override_vcek(|c| c.corrupt_signature = true)
                    .build(),
                Signer::Vcek,
            ),
        ),
        (
            CertRole::Asvk,
            Case::new(
                pki(Product::Milan)
                    .override_asvk(|c| c.corrupt_signature = true)
                    .build(),
                Signer::Vlek,
            ),
        ),
        (
            CertRole::Vlek,
            Case::new(
                pki(Product::Milan)
                    .override_vlek(|c| c.corrupt_signature = true)
                    .build(),
                Signer::Vlek,
            ),
        ),
        (
            CertRole::Ask,
            Case::new(
                pki(Product::Milan)
                    .override_ask(|c| c.signing_key = rogue_rsa())
                    .build(),
                Signer::Vcek,
            ),
        ),
        (
            CertRole::Vcek,
            Case::new(
                pki(Product::Milan)
                    .override_vcek(|c| c.signing_key = rogue_rsa())
                    .build(),
                Signer::Vcek,
            ),
        ),
    ] {
        let e = case.err();
        let (got_role, kind) = cert_kind(&e);
        assert_eq!(got_role, role, "{e}");
        assert!(matches!(kind, CertErrorKind::BadSignature { .. }), "{e}");
    }
}

#[test]
fn issuer_names_must_chain() {
    let case = Case::new(
        pki(Product::Milan)
            .override_vcek(|c| c.set_issuer_cn("SEV-Milan-Other"))
            .build(),
        Signer::Vcek,
    );
    let e = case.err();
    assert!(
        matches!(
            cert_kind(&e),
            (CertRole::Vcek, CertErrorKind::IssuerMismatch { .. })
        ),
        "{e}"
    );
}

#[test]
fn validity_is_checked_at_now_for_every_certificate() {
    let base = Case::milan();
    let vcek = base
        .bundle()
        .certificates()
        .iter()
        .find(|c| c.subject().common_name() == Some("SEV-VCEK"))
        .unwrap()
        .clone();
    let mut late = Case::milan();
    late.now = vcek.not_after().as_secs() + 1;
    let e = late.err();
    assert!(
        matches!(cert_kind(&e), (_, CertErrorKind::Expired { .. })),
        "{e}"
    );
    let mut early = Case::milan();
    early.now = vcek.not_before().as_secs() - 1;
    let e = early.err();
    assert!(
        matches!(cert_kind(&e), (_, CertErrorKind::NotYetValid { .. })),
        "{e}"
    );
    // An expired ASK, VCEK otherwise fine.
    let case = Case::new(
        pki(Product::Milan)
            .override_ask(|c| c.not_after = NOW - 10)
            .build(),
        Signer::Vcek,
    );
    let e = case.err();
    assert!(
        matches!(cert_kind(&e), (CertRole::Ask, CertErrorKind::Expired { now, .. }) if *now == NOW),
        "{e}"
    );
    // An ARK not yet valid.
    let case = Case::new(
        pki(Product::Milan)
            .override_ark(|c| c.not_before = NOW + 10)
            .build(),
        Signer::Vcek,
    );
    let e = case.err();
    assert!(
        matches!(
            cert_kind(&e),
            (CertRole::Ark, CertErrorKind::NotYetValid { .. })
        ),
        "{e}"
    );
}

#[test]
fn issuers_must_be_cas() {
    let case = Case::new(
        pki(Product::Milan)
            .override_ask(|c| c.set_basic_constraints(false, None))
            .build(),
        Signer::Vcek,
    );
    let e = case.err();
    assert!(
        matches!(cert_kind(&e), (CertRole::Vcek, CertErrorKind::NotCa)),
        "{e}"
    );
    let case = Case::new(
        pki(Product::Milan)
            .override_ask(|c| {
                c.remove_ext("2.5.29.19");
            })
            .build(),
        Signer::Vcek,
    );
    assert_eq!(case.err().kind(), "issuer_not_ca");
    let case = Case::new(
        pki(Product::Milan)
            .override_ask(|c| c.set_key_usage(testvectors::pki::x509::key_usage::DIGITAL_SIGNATURE))
            .build(),
        Signer::Vcek,
    );
    assert_eq!(case.err().kind(), "issuer_key_usage");
    // The ARK allows no intermediate: the ASK exceeds its pathLenConstraint.
    let case = Case::new(
        pki(Product::Milan)
            .override_ark(|c| c.set_basic_constraints(true, Some(0)))
            .build(),
        Signer::Vcek,
    );
    let e = case.err();
    assert!(
        matches!(
            cert_kind(&e),
            (CertRole::Ask, CertErrorKind::PathLenExceeded { max: 0 })
        ),
        "{e}"
    );
}

#[test]
fn signature_algorithms_and_pss_parameters_are_checked() {
    let salt32 = PssParams {
        salt_len: 32,
        ..PssParams::AMD_OMITTED_TRAILER
    };
    let mgf256 = PssParams {
        mgf1_hash: testvectors::pki::HashAlg::Sha256,
        ..PssParams::AMD_OMITTED_TRAILER
    };
    let trailer2 = PssParams {
        trailer: Some(2),
        ..PssParams::AMD_EXPLICIT_TRAILER
    };
    for params in [salt32, mgf256, trailer2] {
        let case = Case::new(
            pki(Product::Milan)
                .override_vcek(move |c| c.sig_alg = SigAlg::RsaPss(params))
                .build(),
            Signer::Vcek,
        );
        let e = case.err();
        assert!(
            matches!(
                cert_kind(&e),
                (CertRole::Vcek, CertErrorKind::PssParameters(_))
            ),
            "{params:?}: {e}"
        );
    }
    let case = Case::new(
        pki(Product::Milan)
            .override_vcek(|c| c.set_tbs_alg_mismatch())
            .build(),
        Signer::Vcek,
    );
    assert_eq!(case.err().kind(), "signature_algorithm_mismatch");
    // sha256WithRSAEncryption (PKCS#1 v1.5) is not an algorithm AMD uses: refused.
    let pkcs1 = testvectors::pki::asn1::sequence(&[
        &testvectors::pki::asn1::tlv(
            0x06,
            &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B],
        ),
        &[0x05, 0x00],
    ]);
    let case = Case::new(
        pki(Product::Milan)
            .override_vcek(move |c| {
                c.outer_alg_override = Some(pkcs1.clone());
                c.tbs_alg_override = Some(pkcs1);
            })
            .build(),
        Signer::Vcek,
    );
    assert_eq!(case.err().kind(), "unsupported_signature_algorithm");
}

#[test]
fn unknown_critical_extensions_reject() {
    let case = Case::new(
        pki(Product::Milan)
            .override_vcek(|c| c.set_ext("1.3.6.1.4.1.99999.1", true, vec![0x05, 0x00]))
            .build(),
        Signer::Vcek,
    );
    let e = case.err();
    assert!(
        matches!(
            cert_kind(&e),
            (
                CertRole::Vcek,
                CertErrorKind::UnhandledCriticalExtension { .. }
            )
        ),
        "{e}"
    );
}

#[test]
fn crls_are_checked() {
    let base = Case::milan();
    let ask_serial = base
        .bundle()
        .certificates()
        .iter()
        .find(|c| c.subject().common_name() == Some("SEV-Milan"))
        .unwrap()
        .serial()
        .to_vec();
    // A current CRL that does not list the ASK: checked, no warning.
    let ok = Case::milan().with_crl(base.pki.crl().build());
    let v = ok.run().unwrap();
    assert!(v.claims().crl_checked);
    // Revoked ASK: the serial and date are in the error.
    let revoked = Case::milan().with_crl(base.pki.crl().revoke(&ask_serial, NOW - 100).build());
    match revoked.err() {
        Error::Certificate {
            role: CertRole::Ask,
            kind: CertErrorKind::Revoked { serial, revoked_at },
            ..
        } => {
            assert_eq!(serial, hex::encode(&ask_serial));
            assert_eq!(revoked_at, NOW - 100);
        }
        other => panic!("{other:?}"),
    }
    // A revoked ASVK rejects a VLEK report.
    let asvk_case = Case::new(base.pki.clone(), Signer::Vlek);
    let asvk_serial = asvk_case
        .bundle()
        .certificates()
        .iter()
        .find(|c| c.subject().common_name() == Some("SEV-VLEK-Milan"))
        .unwrap()
        .serial()
        .to_vec();
    let e = asvk_case
        .with_crl(base.pki.crl().revoke(&asvk_serial, NOW - 1).build())
        .err();
    assert!(
        matches!(
            cert_kind(&e),
            (CertRole::Asvk, CertErrorKind::Revoked { .. })
        ),
        "{e}"
    );
    // A CRL the ARK did not sign (broken, forged, or with a signature algorithm it does
    // not use) is not the ARK's: ignored, so revocation was not checked.
    for crl in [
        base.pki.crl().corrupt_signature().build(),
        base.pki.crl().signed_by(rogue_rsa()).build(),
        base.pki
            .crl()
            .sig_alg(SigAlg::RsaPss(PssParams {
                salt_len: 20,
                ..PssParams::AMD_OMITTED_TRAILER
            }))
            .build(),
    ] {
        let v = Case::milan().with_crl(crl).run().unwrap();
        assert!(!v.claims().crl_checked);
        assert!(v.warnings().iter().any(|w| w.code == "crl_not_checked"));
    }
    // Stale, early and open-ended ARK-signed CRLs fail closed.
    for (crl, kind) in [
        (
            base.pki
                .crl()
                .this_update(NOW - 1000)
                .next_update(NOW - 1)
                .build(),
            "crl_expired",
        ),
        (
            base.pki
                .crl()
                .this_update(NOW + 1)
                .next_update(NOW + 1000)
                .build(),
            "crl_not_yet_valid",
        ),
        (
            base.pki.crl().no_next_update().build(),
            "crl_no_next_update",
        ),
    ] {
        assert_eq!(Case::milan().with_crl(crl).err().kind(), kind);
    }
    // Requiring a CRL without one.
    let mut required = Case::milan();
    required.options.require_crl = true;
    assert_eq!(required.err().kind(), "missing_collateral");
}

#[test]
fn the_signature_cache_changes_cost_not_outcome() {
    let case = Case::milan();
    let verifier = case.verifier();
    let (bytes, bundle) = (case.bytes(), case.bundle());
    verifier
        .verify_snp(&bytes, &bundle, &case.options, time::from_secs(NOW))
        .unwrap();
    let cached = verifier.cache().len();
    assert_eq!(cached, 3, "ARK self-signature, ASK and VCEK");
    verifier
        .verify_snp(&bytes, &bundle, &case.options, time::from_secs(NOW))
        .unwrap();
    assert_eq!(verifier.cache().len(), cached);
    // Validity is still evaluated on a cached chain.
    let vcek = bundle
        .certificates()
        .iter()
        .find(|c| c.subject().common_name() == Some("SEV-VCEK"))
        .unwrap();
    let e = verifier
        .verify_snp(
            &bytes,
            &bundle,
            &case.options,
            time::from_secs(vcek.not_after().as_secs() + 1),
        )
        .unwrap_err();
    assert_eq!(e.kind(), "certificate_expired");
    // A forged VCEK with the same subject and key is not accepted through the cache.
    let forged = Case::new(
        pki(Product::Milan)
            .override_vcek(|c| c.corrupt_signature = true)
            .build(),
        Signer::Vcek,
    );
    let e = forged.run_on(&verifier).unwrap_err();
    assert_eq!(e.kind(), "certificate_signature");
}

// ---- Section 4: SEV-SNP ----------------------------------------------------------------

#[test]
fn the_report_signature_is_checked() {
    // A field changed after signing.
    let case = Case::milan();
    let mut bytes = case.bytes();
    bytes[0x90] ^= 1;
    let e = case
        .verifier()
        .verify_snp(&bytes, &case.bundle(), &case.options, time::from_secs(NOW))
        .unwrap_err();
    assert_eq!(
        e,
        Error::EvidenceSignature {
            what: "attestation report"
        }
    );
    // Signed by another P-384 key.
    let mut bytes = case.report.to_bytes().to_vec();
    testvectors::pki::amd::sign_report_with(rogue_p384().as_p384().unwrap(), &mut bytes);
    let e = case
        .verifier()
        .verify_snp(&bytes, &case.bundle(), &case.options, time::from_secs(NOW))
        .unwrap_err();
    assert_eq!(e.kind(), "evidence_signature");
    // R padded with a non-zero byte beyond the 48 a P-384 scalar uses.
    let mut bytes = case.bytes();
    bytes[0x2A0 + 50] = 1;
    let e = case
        .verifier()
        .verify_snp(&bytes, &case.bundle(), &case.options, time::from_secs(NOW))
        .unwrap_err();
    assert_eq!(e.kind(), "evidence_signature");
}

#[test]
fn reported_tcb_must_equal_the_certified_tcb() {
    for product in Product::ALL {
        let components: &[TcbComponent] = if product == Product::Turin {
            &[
                TcbComponent::Fmc,
                TcbComponent::Bootloader,
                TcbComponent::Tee,
                TcbComponent::Snp,
                TcbComponent::Microcode,
            ]
        } else {
            &[
                TcbComponent::Bootloader,
                TcbComponent::Tee,
                TcbComponent::Snp,
                TcbComponent::Microcode,
            ]
        };
        for component in components {
            let mut case = Case::new(AmdPki::cached(product).clone(), Signer::Vcek);
            let mut parts = case.report.reported_tcb.parts(product);
            match component {
                TcbComponent::Fmc => parts.fmc = Some(parts.fmc.unwrap() + 1),
                TcbComponent::Bootloader => parts.bootloader += 1,
                TcbComponent::Tee => parts.tee += 1,
                TcbComponent::Snp => parts.snp += 1,
                TcbComponent::Microcode => parts.microcode += 1,
            }
            case.report.reported_tcb = verifier::snp::TcbVersion::from_parts(parts, product);
            match case.err() {
                Error::Binding(BindingError::TcbMismatch { component: c, .. }) => {
                    assert_eq!(c, *component)
                }
                other => panic!("{product} {component}: {other:?}"),
            }
        }
    }
}

#[test]
fn chip_id_must_match_the_vcek_hwid() {
    let mut case = Case::milan();
    case.report.chip_id[63] ^= 1;
    assert_eq!(case.err().kind(), "chip_id_mismatch");
    let mut turin = Case::new(AmdPki::cached(Product::Turin).clone(), Signer::Vcek);
    turin.report.chip_id[0] ^= 1;
    assert_eq!(turin.err().kind(), "chip_id_mismatch");
    let mut turin = Case::new(AmdPki::cached(Product::Turin).clone(), Signer::Vcek);
    turin.report.chip_id[20] = 1;
    assert_eq!(turin.err(), Error::Binding(BindingError::ChipIdPadding));
    // A masked CHIP_ID cannot be compared: accepted, with a warning.
    let mut masked = Case::milan();
    masked.report.chip_id = [0; 64];
    let v = masked.run().unwrap();
    assert!(v.warnings().iter().any(|w| w.code == "chip_id_masked"));
}

#[test]
fn the_signer_kind_is_enforced() {
    // The report says VLEK; only a VCEK chain is supplied.
    let mut case = Case::milan();
    case.report.key_info.signing_key = verifier::snp::SigningKey::Vlek;
    assert_eq!(
        case.err(),
        Error::Binding(BindingError::SignerMismatch {
            report: "VLEK",
            certificate: "VCEK"
        })
    );
    // A VLEK with the ASK chain instead of the ASVK chain.
    let mut vlek = Case::new(AmdPki::cached(Product::Milan).clone(), Signer::Vlek);
    let pki = &vlek.pki;
    vlek.bundle = Some(testvectors::bundle_from_bytes(&[
        pki.ask_ark_pem().into_bytes(),
        pki.vlek.clone(),
    ]));
    let e = vlek.err();
    assert!(
        matches!(
            cert_kind(&e),
            (CertRole::Vlek, CertErrorKind::IssuerMismatch { .. })
        ),
        "{e}"
    );
    // VLEK claims carry the cspID; an expected cspID is enforced.
    let mut vlek = Case::new(AmdPki::cached(Product::Milan).clone(), Signer::Vlek);
    assert_eq!(
        vlek.run().unwrap().claims().vek.csp_id.as_deref(),
        Some(testvectors::pki::amd::DEFAULT_CSP_ID)
    );
    vlek.options.csp_id = Some("CN=other".into());
    assert_eq!(vlek.err().kind(), "unexpected_csp_id");
}

#[test]
fn the_product_chain_must_match() {
    // A Turin report with a Milan chain.
    let turin = AmdPki::cached(Product::Turin).clone();
    let milan = AmdPki::cached(Product::Milan);
    let mut case = Case::new(turin.clone(), Signer::Vcek);
    case.bundle = Some(testvectors::bundle_from_bytes(&[
        milan.ask_ark_pem().into_bytes(),
        turin.vcek.clone(),
    ]));
    let v = Verifier::new(anchors(&[&turin, milan]));
    let e = case.run_on(&v).unwrap_err();
    assert!(
        matches!(
            cert_kind(&e),
            (
                CertRole::Ask,
                CertErrorKind::WrongProduct {
                    expected: Product::Turin,
                    ..
                }
            )
        ),
        "{e}"
    );
    // A VCEK whose productName is another product's.
    let case = Case::new(
        pki(Product::Milan)
            .override_vcek(|c| c.set_amd_ia5("2", "Genoa"))
            .build(),
        Signer::Vcek,
    );
    assert!(matches!(
        case.err(),
        Error::Binding(BindingError::ProductMismatch {
            report: Product::Milan,
            ..
        })
    ));
    // structVersion of the wrong generation.
    let case = Case::new(
        pki(Product::Milan)
            .override_vcek(|c| c.set_amd_int("1", 1))
            .build(),
        Signer::Vcek,
    );
    assert_eq!(case.err().kind(), "bad_extension");
}

#[test]
fn vek_extensions_are_required() {
    for (suffix, role, signer) in [
        ("3.1", CertRole::Vcek, Signer::Vcek),
        ("3.2", CertRole::Vcek, Signer::Vcek),
        ("3.3", CertRole::Vcek, Signer::Vcek),
        ("3.8", CertRole::Vcek, Signer::Vcek),
        ("4", CertRole::Vcek, Signer::Vcek),
        ("5", CertRole::Vlek, Signer::Vlek),
    ] {
        let b = pki(Product::Milan);
        let b = if signer == Signer::Vcek {
            b.override_vcek(move |c| {
                c.remove_amd(suffix);
            })
        } else {
            b.override_vlek(move |c| {
                c.remove_amd(suffix);
            })
        };
        let e = Case::new(b.build(), signer).err();
        assert!(
            matches!(cert_kind(&e), (r, CertErrorKind::MissingExtension { .. }) if r == role),
            "{suffix}: {e}"
        );
    }
    let case = Case::new(
        pki(Product::Turin)
            .override_vcek(|c| {
                c.remove_amd("3.9");
            })
            .build(),
        Signer::Vcek,
    );
    assert!(matches!(
        cert_kind(&case.err()),
        (
            CertRole::Vcek,
            CertErrorKind::MissingExtension { name: "fmcSPL", .. }
        )
    ));
    // An SPL that is not a DER INTEGER.
    let case = Case::new(
        pki(Product::Milan)
            .override_vcek(|c| c.set_amd_raw("3.8", vec![0x04, 0x01, 0x05]))
            .build(),
        Signer::Vcek,
    );
    assert_eq!(case.err().kind(), "bad_extension");
    // A leaf key that is not P-384.
    let case = Case::new(
        pki(Product::Milan)
            .override_vcek(|c| c.key = rogue_rsa())
            .build(),
        Signer::Vcek,
    );
    let mut bytes = case.report.to_bytes().to_vec();
    AmdPki::cached(Product::Milan).sign_report(Signer::Vcek, &mut bytes);
    let e = case
        .verifier()
        .verify_snp(&bytes, &case.bundle(), &case.options, time::from_secs(NOW))
        .unwrap_err();
    assert_eq!(e.kind(), "unexpected_key");
}

#[test]
fn unsupported_report_fields_fail_closed() {
    let mut case = Case::milan();
    case.report.signature_algo = 2;
    assert_eq!(case.err().kind(), "unsupported_signature_algo");
    let mut case = Case::milan();
    case.report.key_info.signing_key = verifier::snp::SigningKey::None;
    assert_eq!(case.err().kind(), "unsigned_report");
    let mut case = Case::milan();
    case.report.cpuid = Some(verifier::snp::Cpuid {
        family: 0x1A,
        model: 0x50,
        stepping: 0,
    });
    assert_eq!(case.err().kind(), "unknown_product");
}

#[test]
fn missing_collateral_names_what_is_missing() {
    let case = Case::milan();
    let pki = &case.pki;
    let mut no_vcek = Case::milan();
    no_vcek.bundle = Some(testvectors::bundle_from_bytes(&[pki
        .ask_ark_pem()
        .into_bytes()]));
    let e = no_vcek.err();
    assert_eq!(e.class(), verifier::ErrorClass::MissingCollateral);
    let Error::MissingCollateral {
        key:
            CollateralKey::AmdVcek {
                product: Some(Product::Milan),
                hw_id,
                ..
            },
    } = &e
    else {
        panic!("expected the VCEK's key: {e:?}");
    };
    assert_eq!(hw_id.len(), 64, "{e}");
    assert!(
        e.to_string().contains("VCEK certificate for Milan chip"),
        "{e}"
    );
    let chain = Error::MissingCollateral {
        key: CollateralKey::AmdChain {
            product: Some(Product::Milan),
            signer: AmdSigner::Vcek,
        },
    };
    let mut no_chain = Case::milan();
    no_chain.bundle = Some(testvectors::bundle_from_bytes(std::slice::from_ref(
        &pki.vcek,
    )));
    assert_eq!(no_chain.err(), chain);
    let mut no_ark = Case::milan();
    no_ark.bundle = Some(testvectors::bundle_from_bytes(&[
        to_pem("CERTIFICATE", &pki.ask).into_bytes(),
        pki.vcek.clone(),
    ]));
    assert_eq!(no_ark.err(), chain);
}

// ---- Caller options: each unmet option is its own error --------------------------------

#[test]
fn each_option_is_enforced() {
    type Edit = fn(&mut SnpOptions);
    let cases: Vec<(Edit, &str)> = vec![
        (
            |o| o.report_data = Some(ReportDataExpectation::Exact([0xAB; 64])),
            "unexpected_report_data",
        ),
        (
            |o| o.report_data = Some(ReportDataExpectation::Prefix(vec![0xAA, 0xAB])),
            "unexpected_report_data",
        ),
        (|o| o.measurement = Some([0; 48]), "unexpected_measurement"),
        (|o| o.host_data = Some([0; 32]), "unexpected_host_data"),
        (
            |o| o.trusted_id_key_digests = vec![[0; 48]],
            "untrusted_id_key",
        ),
        (|o| o.require_author_key = true, "author_key_required"),
        (
            |o| o.trusted_author_key_digests = vec![[0; 48]],
            "author_key_required",
        ),
        (
            |o| {
                o.minimum_tcb = Some(TcbParts {
                    fmc: None,
                    bootloader: 0,
                    tee: 0,
                    snp: 0,
                    microcode: 220,
                })
            },
            "tcb_too_low",
        ),
        (
            |o| {
                o.minimum_launch_tcb = Some(TcbParts {
                    fmc: None,
                    bootloader: 5,
                    tee: 0,
                    snp: 0,
                    microcode: 0,
                })
            },
            "tcb_too_low",
        ),
        (
            |o| o.guest_policy.allow_smt = false,
            "guest_policy_forbidden",
        ),
        (
            |o| o.guest_policy.require_single_socket = true,
            "guest_policy_required",
        ),
        (|o| o.vmpl = Some(1), "unexpected_vmpl"),
        (|o| o.minimum_version = Some(5), "report_version_too_low"),
        (|o| o.minimum_guest_svn = Some(8), "guest_svn_too_low"),
        (|o| o.product = Some(Product::Genoa), "unexpected_product"),
    ];
    for (edit, kind) in cases {
        let mut case = Case::milan();
        edit(&mut case.options);
        assert_eq!(case.err().kind(), kind);
    }
    // Debug and migration agent, with reports that allow them.
    let mut case = Case::milan();
    case.report.policy.0 |= 1 << 19;
    case.run().unwrap();
    case.options.guest_policy = {
        let mut opts = GuestPolicyConstraints::default();
        opts.allow_debug = false;
        opts
    };
    assert_eq!(case.err().kind(), "guest_policy_forbidden");
    let mut case = Case::milan();
    case.report.policy.0 |= 1 << 18;
    case.options.guest_policy.allow_migration_agent = false;
    assert_eq!(case.err().kind(), "guest_policy_forbidden");
    // Each option passes when met.
    let mut case = Case::milan();
    case.report.key_info.author_key_en = true;
    case.report.author_key_digest = [0x55; 48];
    case.options = {
        let mut opts = SnpOptions::default();
        opts.report_data = Some(ReportDataExpectation::Exact([0xAA; 64]));
        opts.measurement = Some([0x11; 48]);
        opts.host_data = Some([0x22; 32]);
        opts.trusted_id_key_digests = vec![[0x33; 48]];
        opts.trusted_author_key_digests = vec![[0x55; 48]];
        opts.require_author_key = true;
        opts.minimum_tcb = Some(TcbParts {
            fmc: None,
            bootloader: 4,
            tee: 0,
            snp: 24,
            microcode: 219,
        });
        opts.minimum_launch_tcb = Some(TcbParts {
            fmc: None,
            bootloader: 4,
            tee: 0,
            snp: 24,
            microcode: 219,
        });
        opts.guest_policy = {
            let mut opts = GuestPolicyConstraints::default();
            opts.allow_debug = false;
            opts.allow_migration_agent = false;
            opts.allow_smt = true;
            opts.require_single_socket = false;
            opts
        };
        opts.vmpl = Some(0);
        opts.minimum_version = Some(3);
        opts.minimum_guest_svn = Some(7);
        opts.product = Some(Product::Milan);
        opts.require_crl = false;
        opts.csp_id = None;
        opts
    };
    case.run().unwrap();
}

#[test]
fn providers_agree() {
    let case = Case::milan();
    for provider in verifier::crypto::all_providers() {
        let v = Verifier::with_provider(anchors(&[&case.pki]), provider);
        case.run_on(&v).unwrap();
        let mut bad = case.bytes();
        bad[0x50] ^= 1;
        assert!(v
            .verify_snp(&bad, &case.bundle(), &case.options, time::from_secs(NOW))
            .is_err());
    }
}

#[test]
fn the_signature_algorithm_must_fit_the_issuer_key() {
    // An ECDSA-signed VCEK under an RSA ASK.
    let case = Case::new(
        pki(Product::Milan)
            .override_vcek(|c| {
                c.sig_alg = SigAlg::EcdsaSha384;
                c.signing_key = rogue_p384();
            })
            .build(),
        Signer::Vcek,
    );
    let e = case.err();
    assert!(
        matches!(
            cert_kind(&e),
            (CertRole::Vcek, CertErrorKind::KeyAlgorithmMismatch("ECDSA"))
        ),
        "{e}"
    );
}

#[test]
fn only_crls_from_the_products_ark_count() {
    // A Genoa CRL next to a Milan chain is not about the Milan ASK: not checked, warned.
    let genoa_crl = AmdPki::cached(Product::Genoa).crl().build();
    let case = Case::milan().with_crl(genoa_crl);
    let v = case.run().unwrap();
    assert!(!v.claims().crl_checked);
    assert!(v.warnings().iter().any(|w| w.code == "crl_not_checked"));
}

#[test]
fn the_ark_must_be_the_products() {
    // Milan ASK and VCEK, but only the Genoa ARK.
    let milan = AmdPki::cached(Product::Milan);
    let genoa = AmdPki::cached(Product::Genoa);
    let mut case = Case::milan();
    case.bundle = Some(testvectors::bundle_from_bytes(&[
        to_pem("CERTIFICATE", &milan.ask).into_bytes(),
        to_pem("CERTIFICATE", &genoa.ark).into_bytes(),
        milan.vcek.clone(),
    ]));
    let e = case.err();
    assert!(
        matches!(
            cert_kind(&e),
            (
                CertRole::Ark,
                CertErrorKind::WrongProduct {
                    expected: Product::Milan,
                    ..
                }
            )
        ),
        "{e}"
    );
}

#[test]
fn the_fitting_vcek_is_chosen_among_several() {
    // A directory of VCEKs: another chip's VCEK and one at an older TCB come first.
    let milan = AmdPki::cached(Product::Milan);
    let other_chip = pki(Product::Milan).chip_id([0x5A; 64]).build();
    let old_tcb = pki(Product::Milan)
        .vcek_tcb(TcbParts {
            microcode: 200,
            ..milan.vcek_tcb
        })
        .build();
    let mut case = Case::milan();
    case.bundle = Some(testvectors::bundle_from_bytes(&[
        other_chip.vcek.clone(),
        old_tcb.vcek.clone(),
        milan.ask_ark_pem().into_bytes(),
        milan.vcek.clone(),
    ]));
    case.run().unwrap();
    // Without the right one, the first candidate's misfit is reported.
    case.bundle = Some(testvectors::bundle_from_bytes(&[
        other_chip.vcek.clone(),
        old_tcb.vcek.clone(),
        milan.ask_ark_pem().into_bytes(),
    ]));
    assert_eq!(case.err().kind(), "chip_id_mismatch");
}

#[test]
fn s_padding_beyond_a_p384_scalar_rejects() {
    let case = Case::milan();
    let mut bytes = case.bytes();
    bytes[0x2E8 + 60] = 1;
    let e = case
        .verifier()
        .verify_snp(&bytes, &case.bundle(), &case.options, time::from_secs(NOW))
        .unwrap_err();
    assert_eq!(e.kind(), "evidence_signature");
}

#[test]
fn v2_product_comes_from_the_certificate_or_the_caller() {
    let v2 = |mut case: Case| {
        case.report.version = 2;
        case.report.cpuid = None;
        case
    };
    // No productName: the VCEK's issuer (SEV-Milan) names the product line.
    let case = v2(Case::new(
        pki(Product::Milan)
            .override_vcek(|c| {
                c.remove_amd("2");
            })
            .build(),
        Signer::Vcek,
    ));
    assert_eq!(case.run().unwrap().claims().product, "Milan");
    // Neither productName nor a product in the issuer name: the caller must say.
    let mut case = v2(Case::new(
        pki(Product::Milan)
            .override_vcek(|c| {
                c.remove_amd("2");
                c.set_issuer_cn("SEV-Unknown");
            })
            .build(),
        Signer::Vcek,
    ));
    assert_eq!(case.err().kind(), "product_undetermined");
    case.options.product = Some(Product::Milan);
    // Now the product is known, and the renamed issuer no longer chains.
    assert_eq!(case.err().kind(), "issuer_mismatch");
}

#[test]
fn ecdsa_and_pss_parameter_encodings_are_checked() {
    use testvectors::pki::asn1::{sequence, tlv};
    let oid = |bytes: &[u8]| tlv(0x06, bytes);
    let ecdsa_sha384 = oid(&[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03]);
    let pss = oid(&[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A]);
    let sha384 = sequence(&[&oid(&[
        0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
    ])]);
    let mgf1 = oid(&[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x08]);
    let salt48 = tlv(0xA2, &tlv(0x02, &[48]));
    let cases: Vec<(Vec<u8>, &str)> = vec![
        // ecdsa-with-SHA384 must have no parameters (RFC 5758).
        (
            sequence(&[&ecdsa_sha384, &tlv(0x02, &[1])]),
            "unsupported_signature_algorithm",
        ),
        // PSS with every field defaulted means SHA-1.
        (sequence(&[&pss, &sequence(&[])]), "pss_parameters"),
        // A mask generation function other than MGF1.
        (
            sequence(&[
                &pss,
                &sequence(&[
                    &tlv(0xA0, &sha384),
                    &tlv(0xA1, &sequence(&[&oid(&[0x2A, 0x03]), &sha384])),
                    &salt48,
                ]),
            ]),
            "pss_parameters",
        ),
        // MGF1 defaulted (SHA-1) under a SHA-384 hash.
        (
            sequence(&[&pss, &sequence(&[&tlv(0xA0, &sha384), &salt48])]),
            "pss_parameters",
        ),
        // The same parameters done right are accepted (control).
        (
            sequence(&[
                &pss,
                &sequence(&[
                    &tlv(0xA0, &sha384),
                    &tlv(0xA1, &sequence(&[&mgf1, &sha384])),
                    &salt48,
                ]),
            ]),
            "",
        ),
    ];
    for (alg, kind) in cases {
        let case = Case::new(
            pki(Product::Milan)
                .override_vcek(move |c| {
                    c.outer_alg_override = Some(alg.clone());
                    c.tbs_alg_override = Some(alg);
                })
                .build(),
            Signer::Vcek,
        );
        match case.run() {
            Ok(_) => assert_eq!(
                kind, "",
                "accepted an algorithm that should fail with {kind}"
            ),
            Err(e) => assert_eq!(e.kind(), kind, "{e}"),
        }
    }
}

// ---- A growing collateral set: extra genuine collateral and decoys (review issue 11) ----
//
// A service keeps one collateral set that anyone can add to: junk in it must never decide
// a verdict, and extra genuine collateral must never cause a false reject.

/// A bundle of the given DER/PEM inputs, in this order.
fn bundle_of(parts: &[&[u8]]) -> Bundle {
    let mut b = Bundle::new();
    for part in parts {
        b.add_bytes(part).unwrap();
    }
    b
}

fn milan_ask_serial() -> Vec<u8> {
    let milan = AmdPki::cached(Product::Milan);
    verifier::pki::Certificate::from_der(&milan.ask)
        .unwrap()
        .serial()
        .to_vec()
}

/// The Milan chain and VCEK with `crls` added, in order.
fn milan_with_crls(crls: &[&[u8]]) -> Case {
    let milan = AmdPki::cached(Product::Milan);
    let mut parts: Vec<&[u8]> = vec![milan.ask.as_slice(), &milan.ark, &milan.vcek];
    parts.extend_from_slice(crls);
    let mut case = Case::milan();
    case.bundle = Some(bundle_of(&parts));
    case
}

// Item 1 (6a): among the ARK's CRLs, the newest current one decides.

#[test]
fn a_stale_crl_next_to_a_fresh_one_is_not_used() {
    let milan = AmdPki::cached(Product::Milan);
    let stale = milan
        .crl()
        .this_update(NOW - 2000)
        .next_update(NOW - 1000)
        .build();
    let fresh = milan.crl().this_update(NOW - 100).build();
    for crls in [[&stale, &fresh], [&fresh, &stale]] {
        let v = milan_with_crls(&[crls[0], crls[1]]).run().unwrap();
        assert!(v.claims().crl_checked);
        assert!(!v.warnings().iter().any(|w| w.code == "crl_not_checked"));
    }
}

#[test]
fn the_newest_current_crl_wins_and_a_stale_one_cannot_unrevoke() {
    let milan = AmdPki::cached(Product::Milan);
    let serial = milan_ask_serial();
    // The stale CRL does not list the ASK; the fresh one does.
    let stale = milan
        .crl()
        .this_update(NOW - 2000)
        .next_update(NOW - 1000)
        .build();
    let fresh = milan
        .crl()
        .this_update(NOW - 100)
        .revoke(&serial, NOW - 200)
        .build();
    // An older CRL, still current, that does not list it either.
    let older = milan.crl().this_update(NOW - 500).build();
    for crls in [
        vec![&stale, &fresh],
        vec![&fresh, &stale],
        vec![&older, &fresh, &stale],
        vec![&stale, &fresh, &older],
    ] {
        let crls: Vec<&[u8]> = crls.iter().map(|c| c.as_slice()).collect();
        let e = milan_with_crls(&crls).err();
        assert!(
            matches!(
                cert_kind(&e),
                (CertRole::Ask, CertErrorKind::Revoked { revoked_at, .. }) if *revoked_at == NOW - 200
            ),
            "{e}"
        );
    }
}

#[test]
fn without_a_current_crl_the_newest_ones_error_is_reported() {
    let milan = AmdPki::cached(Product::Milan);
    let older = milan
        .crl()
        .this_update(NOW - 3000)
        .next_update(NOW - 2000)
        .build();
    let newer = milan
        .crl()
        .this_update(NOW - 1500)
        .next_update(NOW - 1000)
        .build();
    for crls in [[&older, &newer], [&newer, &older]] {
        let e = milan_with_crls(&[crls[0], crls[1]]).err();
        assert!(
            matches!(
                &e,
                Error::Crl {
                    kind: verifier::error::CrlErrorKind::Expired { next_update, .. },
                    ..
                } if *next_update == NOW - 1000
            ),
            "{e}"
        );
    }
}

// Item 2 (6c): several VCEKs that fit a masked CHIP_ID: the report signature decides.

#[test]
fn with_a_masked_chip_id_each_fitting_vcek_is_tried() {
    let milan = AmdPki::cached(Product::Milan);
    // Another chip's VCEK at the same TCB: its own key, issued by the same ASK.
    let other = pki(Product::Milan)
        .chip_id([0x5A; 64])
        .override_vcek(|c| c.key = rogue_p384())
        .build();
    let mut case = Case::milan();
    case.report.chip_id = [0; 64];
    for order in [[&other.vcek, &milan.vcek], [&milan.vcek, &other.vcek]] {
        case.bundle = Some(bundle_of(&[&milan.ask, &milan.ark, order[0], order[1]]));
        let v = case.run().unwrap();
        assert_eq!(
            v.warnings()
                .iter()
                .filter(|w| w.code == "chip_id_masked")
                .count(),
            1
        );
    }
    // Neither VCEK signed the report: the report signature is the error.
    let third = pki(Product::Milan)
        .chip_id([0x6B; 64])
        .override_vcek(|c| c.key = testvectors::pki::PrivateKey::generate_p384([7; 32]))
        .build();
    case.bundle = Some(bundle_of(&[
        &milan.ask,
        &milan.ark,
        &other.vcek,
        &third.vcek,
    ]));
    assert_eq!(case.err().kind(), "evidence_signature");
}

#[test]
fn a_forged_vcek_listed_first_does_not_decide() {
    // Same name, TCB and hwID as the genuine VCEK, signed by another key.
    let milan = AmdPki::cached(Product::Milan);
    let mut forged = milan.specs.vcek.clone();
    forged.signing_key = rogue_rsa();
    let forged = forged.build();
    let case = |parts: &[&[u8]]| {
        let mut c = Case::milan();
        c.bundle = Some(bundle_of(parts));
        c
    };
    case(&[&milan.ask, &milan.ark, &forged, &milan.vcek])
        .run()
        .unwrap();
    // Alone, the forged VCEK is what fails.
    let e = case(&[&milan.ask, &milan.ark, &forged]).err();
    assert!(
        matches!(
            cert_kind(&e),
            (CertRole::Vcek, CertErrorKind::BadSignature { .. })
        ),
        "{e}"
    );
}

// Item 3 (8a): chains are built from candidates that verify, never from the first name.

/// Same-name ASKs that the ARK did not sign: the genuine key signed by another RSA key,
/// and a P-384 key ECDSA-signed by itself (whose key no RSA-PSS VCEK signature fits).
fn decoy_asks(pki: &AmdPki) -> Vec<Vec<u8>> {
    let mut same_key = pki.specs.ask.clone();
    same_key.signing_key = rogue_rsa();
    let mut other_key = pki.specs.ask.clone();
    other_key.key = rogue_p384();
    other_key.signing_key = rogue_p384();
    other_key.sig_alg = SigAlg::EcdsaSha384;
    vec![same_key.build(), other_key.build()]
}

#[test]
fn a_decoy_ask_before_or_after_the_genuine_one_does_not_decide() {
    for signer in [Signer::Vcek, Signer::Vlek] {
        let pki = AmdPki::cached(Product::Milan);
        let (ca, leaf) = match signer {
            Signer::Vcek => (&pki.ask, &pki.vcek),
            Signer::Vlek => (&pki.asvk, &pki.vlek),
        };
        let decoys = match signer {
            Signer::Vcek => decoy_asks(pki),
            Signer::Vlek => {
                let mut d = pki.specs.asvk.clone();
                d.signing_key = rogue_rsa();
                vec![d.build()]
            }
        };
        for decoy in &decoys {
            for parts in [
                [decoy.as_slice(), ca, &pki.ark, leaf],
                [ca, decoy, &pki.ark, leaf],
                [leaf, &pki.ark, decoy, ca],
            ] {
                let mut case = Case::new(pki.clone(), signer);
                case.bundle = Some(bundle_of(&parts));
                case.run().unwrap_or_else(|e| panic!("{signer:?}: {e}"));
            }
        }
    }
}

#[test]
fn with_only_bad_asks_the_most_specific_error_is_reported() {
    let milan = AmdPki::cached(Product::Milan);
    let serial = milan_ask_serial();
    let crl = milan.crl().revoke(&serial, NOW - 100).build();
    // Decoys first, then the genuine ASK, which the CRL revokes: the genuine one's error.
    let mut parts: Vec<&[u8]> = Vec::new();
    let decoys = decoy_asks(milan);
    parts.extend(decoys.iter().map(Vec::as_slice));
    parts.extend([milan.ask.as_slice(), &milan.ark, &milan.vcek, &crl]);
    let mut case = Case::milan();
    case.bundle = Some(bundle_of(&parts));
    let e = case.err();
    assert!(
        matches!(
            cert_kind(&e),
            (CertRole::Ask, CertErrorKind::Revoked { .. })
        ),
        "{e}"
    );
    // Only a decoy: its own error, as with a single forged ASK.
    case.bundle = Some(bundle_of(&[&decoys[0], &milan.ark, &milan.vcek]));
    let e = case.err();
    assert!(
        matches!(
            cert_kind(&e),
            (CertRole::Ask, CertErrorKind::BadSignature { .. })
        ),
        "{e}"
    );
}

#[test]
fn a_decoy_ark_before_the_genuine_one_does_not_decide() {
    let milan = AmdPki::cached(Product::Milan);
    let mut decoy = milan.specs.ark.clone();
    decoy.key = rogue_rsa();
    decoy.signing_key = rogue_rsa();
    let decoy = decoy.build();
    let mut case = Case::milan();
    for parts in [
        [decoy.as_slice(), &milan.ask, &milan.ark, &milan.vcek],
        [&milan.ask, &milan.ark, &decoy, &milan.vcek],
    ] {
        case.bundle = Some(bundle_of(&parts));
        case.run().unwrap();
    }
    // With a CRL signed by the genuine ARK, whatever the order.
    let crl = milan.crl().build();
    case.bundle = Some(bundle_of(&[
        &decoy,
        &milan.ask,
        &crl,
        &milan.ark,
        &milan.vcek,
    ]));
    assert!(case.run().unwrap().claims().crl_checked);
    // Only the decoy: not a trusted anchor.
    case.bundle = Some(bundle_of(&[&decoy, &milan.ask, &milan.vcek]));
    assert_eq!(case.err().kind(), "untrusted_root");
}

#[test]
fn a_crl_its_issuer_did_not_sign_is_ignored() {
    let milan = AmdPki::cached(Product::Milan);
    let serial = milan_ask_serial();
    let decoys = [
        milan
            .crl()
            .revoke(&serial, NOW - 100)
            .signed_by(rogue_rsa())
            .build(),
        milan
            .crl()
            .revoke(&serial, NOW - 100)
            .corrupt_signature()
            .build(),
        // Newer than the genuine CRL, and not yet valid: still not the ARK's.
        milan
            .crl()
            .this_update(NOW + 10)
            .signed_by(rogue_rsa())
            .build(),
    ];
    let genuine = milan.crl().build();
    for decoy in &decoys {
        // Alone: no CRL was checked (warned), the genuine ASK is not revoked.
        let v = milan_with_crls(&[decoy]).run().unwrap();
        assert!(!v.claims().crl_checked);
        assert!(v.warnings().iter().any(|w| w.code == "crl_not_checked"));
        // Next to the genuine CRL, in either order: the genuine one is checked.
        for crls in [[decoy, &genuine], [&genuine, decoy]] {
            let v = milan_with_crls(&[crls[0], crls[1]]).run().unwrap();
            assert!(v.claims().crl_checked);
        }
        // Where a CRL is required, a decoy is no CRL at all.
        let mut required = milan_with_crls(&[decoy]);
        required.options.require_crl = true;
        let e = required.err();
        assert_eq!(
            e,
            Error::MissingCollateral {
                key: CollateralKey::AmdCrl {
                    product: Product::Milan,
                    signer: AmdSigner::Vcek,
                },
            }
        );
        assert_eq!(e.kind(), "missing_collateral");
    }
}

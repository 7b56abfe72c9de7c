//! The fake Intel PKI, collateral and quotes checked by an independent verifier: dcap-qvl
//! (Phala-Network, crates.io 0.7.1, ring backend) with the fake root as its trust anchor.
//!
//! dcap-qvl checks the PCK chain and both CRLs through webpki, the TCB Info and QE Identity
//! signatures over the inner JSON text, the QE report signature and binding, the quote
//! signature, FMSPC, the TDX module identity and the TCB levels, so an UpToDate result means
//! every default artefact is well formed and consistently signed. Its policy quirks (TD
//! DEBUG rejected, SEPT_VE_DISABLE required, MRSERVICETD must be zero, SGX only as v3) are
//! met by the defaults.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use dcap_qvl::verify::{QuoteVerifier, VerifiedReport};
use dcap_qvl::QuoteCollateralV3;
use testvectors::build::tdx::{Collateral, QeIdentitySpec, QuoteSpec, TcbInfoSpec, TD_ATTR_DEBUG};
use testvectors::pki::intel::{IntelPki, PckCa, PckSpec};
use testvectors::pki::time::DEFAULT_NOW;

/// Parses our `QuoteCollateralV3` JSON with dcap-qvl's own serde model.
fn v3(collateral: &Collateral) -> QuoteCollateralV3 {
    serde_json::from_str(&collateral.to_quote_collateral_v3_json())
        .expect("dcap-qvl parses our QuoteCollateralV3 JSON")
}

fn verify(pki: &IntelPki, quote: &[u8], collateral: &Collateral) -> anyhow::Result<VerifiedReport> {
    QuoteVerifier::new(pki.root.clone()).verify(quote, &v3(collateral), DEFAULT_NOW)
}

fn assert_up_to_date(result: anyhow::Result<VerifiedReport>) {
    let report = result.unwrap_or_else(|e| panic!("dcap-qvl rejected the quote: {e:#}"));
    assert_eq!(report.status, "UpToDate");
    assert!(report.advisory_ids.is_empty(), "{:?}", report.advisory_ids);
    assert_eq!(report.ppid, b"verdict-ppid-001");
}

fn error(result: anyhow::Result<VerifiedReport>) -> String {
    match result {
        Ok(report) => panic!("dcap-qvl accepted the quote: {report:?}"),
        Err(e) => format!("{e:#}"),
    }
}

#[test]
fn default_tdx_quotes_are_up_to_date() {
    let pki = IntelPki::cached();
    let collateral = Collateral::tdx_default(pki);
    for spec in [
        QuoteSpec::tdx_v4_default(),
        QuoteSpec::tdx_v5_td15_default(),
        QuoteSpec::tdx_v5_td10_default(),
    ] {
        assert_up_to_date(verify(pki, &spec.build(pki), &collateral));
    }
}

#[test]
fn default_sgx_v3_quote_is_up_to_date() {
    let pki = IntelPki::cached();
    let quote = QuoteSpec::sgx_v3_default().build(pki);
    assert_up_to_date(verify(pki, &quote, &Collateral::sgx_default(pki)));
}

#[test]
fn the_fake_root_is_what_makes_it_verify() {
    let pki = IntelPki::cached();
    let quote = QuoteSpec::tdx_v4_default().build(pki);
    let collateral = v3(&Collateral::tdx_default(pki));
    let e = QuoteVerifier::new_prod().verify(&quote, &collateral, DEFAULT_NOW);
    assert!(
        e.is_err(),
        "Intel's real root must not accept the fake chain"
    );
}

#[test]
fn a_flipped_byte_anywhere_in_the_signed_range_fails() {
    let pki = IntelPki::cached();
    let collateral = Collateral::tdx_default(pki);
    let built = QuoteSpec::tdx_v4_default().build_with_offsets(pki);
    // A REPORTDATA byte, an MRTD byte and a user-data byte of the header.
    for offset in [built.offsets.body + 520, built.offsets.body + 136, 40] {
        let mut quote = built.clone();
        quote.flip_byte(offset);
        let e = error(verify(pki, &quote.bytes, &collateral));
        assert!(e.contains("signature is invalid"), "offset {offset}: {e}");
    }
    // After re-signing, the same change verifies again.
    let mut quote = built.clone();
    quote
        .flip_byte(built.offsets.body + 520)
        .resign_quote(&pki.attestation_key);
    assert_up_to_date(verify(pki, &quote.bytes, &collateral));
}

#[test]
fn qe_report_and_collateral_signatures_are_checked() {
    let pki = IntelPki::cached();
    let collateral = Collateral::tdx_default(pki);
    let built = QuoteSpec::tdx_v4_default().build_with_offsets(pki);

    let mut quote = built.clone();
    quote.flip_byte(built.offsets.qe_report + 300);
    let e = error(verify(pki, &quote.bytes, &collateral));
    assert!(e.contains("qe_report"), "{e}");

    let mut bad = collateral.clone();
    bad.tcb_info = bad.tcb_info.corrupt_signature();
    assert!(error(verify(pki, &built.bytes, &bad)).contains("tcb_info"));

    let mut bad = collateral.clone();
    bad.qe_identity = bad.qe_identity.corrupt_signature();
    assert!(error(verify(pki, &built.bytes, &bad)).contains("qe_identity"));

    // QE report data not bound to the attestation key.
    let quote = QuoteSpec::tdx_v4_default()
        .with(|q| q.qe_report_data = Some([0; 64]))
        .build(pki);
    assert!(error(verify(pki, &quote, &collateral)).contains("QE report hash"));
}

#[test]
fn tcb_levels_and_identities_are_read_from_the_signed_json() {
    let pki = IntelPki::cached();
    let quote = QuoteSpec::tdx_v4_default().build(pki);

    let mut collateral = Collateral::tdx_default(pki);
    collateral.tcb_info = TcbInfoSpec::tdx_default()
        .with(|t| {
            t.tcb_levels[0].tcb_status = "SWHardeningNeeded".into();
            t.tcb_levels[0].advisory_ids = Some(vec!["INTEL-SA-00615".into()]);
        })
        .signed(pki);
    let report = verify(pki, &quote, &collateral).unwrap();
    assert_eq!(report.status, "SWHardeningNeeded");
    assert_eq!(report.advisory_ids, ["INTEL-SA-00615"]);

    // A TD-QE one SVN below the only level: no QE level matches.
    let old_qe = QuoteSpec::tdx_v4_default()
        .with(|q| q.qe_report.isvsvn = 3)
        .build(pki);
    let e = error(verify(pki, &old_qe, &Collateral::tdx_default(pki)));
    assert!(e.contains("QE ISVSVN 3 is below minimum required 4"), "{e}");

    // The same QE with an identity that has an OutOfDate level for it.
    let mut collateral = Collateral::tdx_default(pki);
    collateral.qe_identity = QeIdentitySpec::tdx_default()
        .with(|q| {
            let mut level = q.tcb_levels[0].clone();
            level.isvsvn = 3;
            level.tcb_status = "OutOfDate".into();
            q.tcb_levels.push(level);
        })
        .signed(pki);
    assert_eq!(
        verify(pki, &old_qe, &collateral).unwrap().status,
        "OutOfDate"
    );

    // TDX module SVN below TDX_01's UpToDate level: module OutOfDate converges.
    let old_module = QuoteSpec::tdx_v4_default()
        .with(|q| q.body.td10_mut().unwrap().tee_tcb_svn[0] = 4)
        .build(pki);
    let report = verify(pki, &old_module, &Collateral::tdx_default(pki)).unwrap();
    assert_eq!(report.status, "OutOfDate");
}

#[test]
fn pck_fields_and_revocation_reach_the_verifier() {
    // A PCK one level down: the OutOfDate level of the default TCB Info, with its advisories.
    let pki = IntelPki::builder()
        .modify_pck(|p| p.set_tcb([2, 2, 2, 2, 3, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0], 11))
        .build();
    let quote = QuoteSpec::sgx_v3_default().build(&pki);
    let report = verify(&pki, &quote, &Collateral::sgx_default(&pki)).unwrap();
    assert_eq!(report.status, "OutOfDate");
    assert_eq!(report.advisory_ids, ["INTEL-SA-00837", "INTEL-SA-00960"]);

    // A different FMSPC than the TCB Info's.
    let pki = IntelPki::builder().modify_pck(|p| p.fmspc[5] = 1).build();
    let quote = QuoteSpec::tdx_v4_default().build(&pki);
    assert!(error(verify(&pki, &quote, &Collateral::tdx_default(&pki))).contains("Fmspc"));

    // The PCK leaf listed in the PCK CRL.
    let pki = IntelPki::cached();
    let quote = QuoteSpec::tdx_v4_default().build(pki);
    let mut collateral = Collateral::tdx_default(pki);
    collateral.pck_crl = pki.pck_crl().revoke_cert(&pki.specs.pck).build();
    assert!(error(verify(pki, &quote, &collateral)).contains("CertRevoked"));
    // The Platform CA listed in the Root CA CRL.
    let mut collateral = Collateral::tdx_default(pki);
    collateral.root_ca_crl = pki
        .root_ca_crl()
        .revoke_cert(&pki.specs.platform_ca)
        .build();
    assert!(error(verify(pki, &quote, &collateral)).contains("CertRevoked"));
}

#[test]
fn processor_ca_chain_verifies() {
    let pki = IntelPki::builder()
        .pck_ca(PckCa::Processor)
        .pck(PckSpec::processor_default())
        .build();
    let quote = QuoteSpec::sgx_v3_default().build(&pki);
    assert_up_to_date(verify(&pki, &quote, &Collateral::sgx_default(&pki)));
}

#[test]
fn dcap_qvl_policy_quirks_hold_for_the_defaults() {
    let pki = IntelPki::cached();
    let collateral = Collateral::tdx_default(pki);
    let debug = QuoteSpec::tdx_v4_default()
        .with(|q| q.body.td10_mut().unwrap().td_attributes |= TD_ATTR_DEBUG)
        .build(pki);
    assert!(error(verify(pki, &debug, &collateral)).contains("Debug"));
    let no_sept = QuoteSpec::tdx_v4_default()
        .with(|q| q.body.td10_mut().unwrap().td_attributes = 0)
        .build(pki);
    assert!(error(verify(pki, &no_sept, &collateral)).contains("SEPT_VE_DISABLE"));
}

#[test]
fn collateral_files_carry_the_same_signed_bytes() {
    // The directory form and the QuoteCollateralV3 form agree: rebuild the latter from the
    // files (inner JSON = the raw text between `{"tcbInfo":` and `,"signature"`).
    let pki = IntelPki::cached();
    let collateral = Collateral::tdx_default(pki);
    let files: std::collections::HashMap<_, _> = collateral.files().into_iter().collect();
    let split = |body: &[u8], field: &str| {
        let text = std::str::from_utf8(body).unwrap();
        let prefix = format!("{{\"{field}\":");
        let (inner, sig) = text
            .strip_prefix(&prefix)
            .and_then(|rest| rest.rsplit_once(",\"signature\":\""))
            .unwrap();
        (
            inner.to_owned(),
            hex::decode(sig.strip_suffix("\"}").unwrap()).unwrap(),
        )
    };
    let (tcb_info, tcb_info_signature) = split(&files["tcb_info.json"], "tcbInfo");
    let (qe_identity, qe_identity_signature) = split(&files["qe_identity.json"], "enclaveIdentity");
    let text = |name: &str| String::from_utf8(files[name].clone()).unwrap();
    let from_files = QuoteCollateralV3 {
        pck_crl_issuer_chain: text("pck_crl_issuer_chain.pem"),
        root_ca_crl: files["root_ca_crl.der"].clone(),
        pck_crl: files["pck_crl.der"].clone(),
        tcb_info_issuer_chain: text("tcb_info_issuer_chain.pem"),
        tcb_info,
        tcb_info_signature,
        qe_identity_issuer_chain: text("qe_identity_issuer_chain.pem"),
        qe_identity,
        qe_identity_signature,
        pck_certificate_chain: None,
    };
    assert_eq!(from_files, v3(&collateral));
    let quote = QuoteSpec::tdx_v4_default().build(pki);
    let report = QuoteVerifier::new(pki.root.clone()).verify(&quote, &from_files, DEFAULT_NOW);
    assert_up_to_date(report);
}

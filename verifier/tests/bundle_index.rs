//! The bundle index (issue 16): a bundle holding a fleet's VCEKs finds the report's, an
//! item added or removed after the bundle was built is seen at once, and the indexed
//! lookups return what a scan over the bundle would.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::path::PathBuf;

use testvectors::build::snp::{anchors, bundle, decoy_vceks, report, sign};
use testvectors::pki::amd::{AmdPki, Signer};
use testvectors::pki::time::DEFAULT_NOW;
use verifier::collateral::{Bundle, Item};
use verifier::evidence::Evidence;
use verifier::needs::CollateralKey;
use verifier::snp::{Product, SnpOptions};
use verifier::{time, Expectations, Verifier};

/// The chain, `decoys` VCEKs of other chips, the real VCEK in the middle of them.
fn fleet(pki: &AmdPki, decoys: usize) -> Bundle {
    let mut b = Bundle::new();
    b.add_bytes(pki.ask_ark_pem().as_bytes()).unwrap();
    let vceks = decoy_vceks(pki, decoys);
    let (before, after) = vceks.split_at(decoys / 2);
    for der in before {
        b.add_bytes(der).unwrap();
    }
    b.add_bytes(pki.leaf(Signer::Vcek)).unwrap();
    for der in after {
        b.add_bytes(der).unwrap();
    }
    b
}

fn verify(pki: &AmdPki, bytes: &[u8], b: &Bundle) -> Result<String, verifier::error::Error> {
    Verifier::new(anchors(&[pki]))
        .verify_snp(
            bytes,
            b,
            &SnpOptions::default(),
            time::from_secs(DEFAULT_NOW),
        )
        .map(|v| v.claims().vek.serial.clone())
}

#[test]
fn a_fleet_bundle_picks_the_reports_vcek() {
    for product in Product::ALL {
        let pki = AmdPki::cached(product);
        let bytes = sign(pki, Signer::Vcek, &report(pki, Signer::Vcek));
        let alone = verify(pki, &bytes, &bundle(pki, Signer::Vcek)).unwrap();
        let b = fleet(pki, 1_000);
        assert_eq!(b.certificates().len(), 1_003);
        assert_eq!(verify(pki, &bytes, &b).unwrap(), alone, "{product}");
        // What `requirements`/`select` serve for the VCEK key is that one certificate.
        let evidence = Evidence::from_bytes(&bytes, None).unwrap();
        let needs = evidence.requirements(&b, &Expectations::none());
        let key = &needs
            .iter()
            .find(|r| matches!(r.key, CollateralKey::AmdVcek { .. }))
            .unwrap()
            .key;
        let selected = b.select(&evidence, key);
        assert_eq!(selected.certificates().len(), 1, "{product}");
        assert_eq!(selected.certificates()[0].der(), pki.leaf(Signer::Vcek));
    }
}

#[test]
fn a_vek_added_after_the_bundle_was_built_is_found() {
    let pki = AmdPki::cached(Product::Genoa);
    let bytes = sign(pki, Signer::Vcek, &report(pki, Signer::Vcek));
    let mut b = Bundle::new();
    b.add_bytes(pki.ask_ark_pem().as_bytes()).unwrap();
    for der in decoy_vceks(pki, 100) {
        b.add_bytes(&der).unwrap();
    }
    // None of the decoys fits: only the first is tried, and its signature fails.
    assert_eq!(
        verify(pki, &bytes, &b).unwrap_err().kind(),
        "certificate_signature"
    );
    b.add_bytes(pki.leaf(Signer::Vcek)).unwrap();
    assert!(verify(pki, &bytes, &b).is_ok());
    // ... and one removed is no longer used.
    b.retain(|item| !matches!(item, Item::Certificate(c) if c.der() == pki.leaf(Signer::Vcek)));
    assert!(verify(pki, &bytes, &b).is_err());
    // A bundle extended with one holding it, or cloned, finds it again.
    let mut with = b.clone();
    with.extend(bundle(pki, Signer::Vcek));
    assert!(verify(pki, &bytes, &with).is_ok());
}

/// Every TDX collateral file of the real vectors, in one bundle (several FMSPCs, TEEs and
/// CRL issuers), then the same twice over and deduplicated.
fn tdx_bundle() -> Option<Bundle> {
    let cases = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/tdx/cases");
    let mut b = Bundle::new();
    for case in std::fs::read_dir(&cases).ok()? {
        let dir = case.unwrap().path().join("collateral");
        let Ok(files) = std::fs::read_dir(&dir) else {
            continue;
        };
        for file in files {
            let path = file.unwrap().path();
            let _ = b.add_bytes(&std::fs::read(&path).unwrap());
        }
    }
    Some(b)
}

#[test]
fn indexed_lookups_equal_the_scans() {
    let Some(b) = tdx_bundle() else {
        eprintln!("no real TDX vectors: skipped");
        return;
    };
    assert!(b.tcb_infos().len() > 1 && b.crls().len() > 1);
    let mut doubled = b.clone();
    doubled.extend(b.clone());
    doubled.retain(|item| !matches!(item, Item::QeIdentity(_)));
    for bundle in [&b, &doubled] {
        for crl in bundle.crls() {
            let issuer = crl.issuer().raw();
            let scan: Vec<_> = bundle
                .crls()
                .iter()
                .filter(|c| c.issuer().raw() == issuer)
                .collect();
            assert_eq!(bundle.crls_by_issuer(issuer).collect::<Vec<_>>(), scan);
        }
        for info in bundle.tcb_infos() {
            let fmspc = info.body().fmspc;
            let scan: Vec<_> = bundle
                .tcb_infos()
                .iter()
                .filter(|t| t.body().fmspc == fmspc)
                .collect();
            assert_eq!(bundle.tcb_infos_for(&fmspc).collect::<Vec<_>>(), scan);
        }
    }
    // Absent keys find nothing.
    assert_eq!(b.crls_by_issuer(b"").count(), 0);
    assert_eq!(b.tcb_infos_for(&[0xEE; 6]).count(), 0);
}

//! Real SEV-SNP evidence from AMD hardware (../shared/vectors/snp, see its README and
//! EXPECTED.tsv): every pairing gets exactly the expected outcome, the real KDS CRLs are
//! honoured, and flipping any byte of a report rejects it. Each test runs on every
//! compiled crypto provider.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use verifier::collateral::Bundle;
use verifier::crypto::all_providers;
use verifier::snp::{Product, SnpOptions};
use verifier::{time, TrustAnchors, Verifier};

use testvectors::real::snp_dir;

struct Row {
    name: String,
    report: Vec<u8>,
    bundle: Bundle,
    at: time::UnixTime,
    expect_ok: bool,
}

fn rows() -> Vec<Row> {
    let dir = snp_dir();
    let tsv = std::fs::read_to_string(dir.join("EXPECTED.tsv")).unwrap();
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("column {name}"))
    };
    let (c_vec, c_rep, c_vek, c_chain, c_at) = (
        col("vector"),
        col("report"),
        col("vek"),
        col("chain"),
        col("verify_at_utc"),
    );
    let checks: Vec<usize> = [
        "report_sig",
        "vek_signed_by_ask",
        "ask_signed_by_ark",
        "ark_self_signed",
    ]
    .iter()
    .map(|c| col(c))
    .collect();
    let (c_tcb, c_chip) = (col("tcb_match"), col("chip_id_match"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let mut bundle = Bundle::new();
            for file in [f[c_vek], f[c_chain]] {
                bundle
                    .add_bytes(&std::fs::read(dir.join(file)).unwrap())
                    .unwrap();
            }
            let all_ok = checks.iter().all(|c| f[*c] == "OK")
                && f[c_tcb] == "True"
                && (f[c_chip] == "True" || f[c_chip].starts_with("n/a"));
            Row {
                name: format!("{} ({})", f[c_vec], f[c_vek]),
                report: std::fs::read(dir.join(f[c_rep])).unwrap(),
                bundle,
                at: time::parse_rfc3339(f[c_at]).unwrap(),
                expect_ok: all_ok,
            }
        })
        .collect()
}

fn verifiers() -> Vec<Verifier> {
    all_providers()
        .into_iter()
        .map(|p| Verifier::with_provider(TrustAnchors::default(), p))
        .collect()
}

#[test]
fn every_pairing_gets_the_expected_outcome() {
    let rows = rows();
    assert!(rows.len() >= 18, "EXPECTED.tsv has {} rows", rows.len());
    for v in verifiers() {
        for row in &rows {
            let res = v.verify_snp(&row.report, &row.bundle, &SnpOptions::default(), row.at);
            match (&res, row.expect_ok) {
                (Ok(_), true) => {}
                (Err(e), false) => {
                    // The NEG rows fail for the reason EXPECTED.tsv gives.
                    let kind = e.kind();
                    assert!(
                        ["wrong_product", "issuer_mismatch", "certificate_signature"]
                            .contains(&kind),
                        "{}: unexpected failure kind {kind}: {e}",
                        row.name
                    );
                }
                _ => panic!(
                    "{} [{}]: expected ok={}, got {:?}",
                    row.name,
                    v.provider().name(),
                    row.expect_ok,
                    res
                ),
            }
        }
    }
}

#[test]
fn negative_pairings_fail_for_the_documented_reason() {
    let rows = rows();
    let v = Verifier::new(TrustAnchors::default());
    let kind_of = |prefix: &str| {
        let row = rows.iter().find(|r| r.name.starts_with(prefix)).unwrap();
        v.verify_snp(&row.report, &row.bundle, &SnpOptions::default(), row.at)
            .unwrap_err()
    };
    // Turin VCEK against the Milan ASK/ARK: the chain for Turin is not there.
    let e = kind_of("NEG wrong-product-chain");
    assert_eq!(e.kind(), "wrong_product", "{e}");
    // A VLEK must chain to the ASVK, not the ASK.
    let e = kind_of("NEG vlek-with-ask");
    assert_eq!(e.kind(), "issuer_mismatch", "{e}");
    assert!(e.to_string().contains("SEV-VLEK-Milan"), "{e}");
    // A VCEK that AMD did not sign.
    let e = kind_of("NEG fake-vcek");
    assert_eq!(e.kind(), "certificate_signature", "{e}");
    assert!(e.to_string().starts_with("VCEK certificate"), "{e}");
}

#[test]
fn claims_decode_the_real_reports() {
    let rows = rows();
    let v = Verifier::new(TrustAnchors::default());
    let get = |prefix: &str| {
        let row = rows.iter().find(|r| r.name.starts_with(prefix)).unwrap();
        v.verify_snp(&row.report, &row.bundle, &SnpOptions::default(), row.at)
            .unwrap()
    };
    let turin = get("turin-v5-oak-oc");
    let c = turin.claims();
    assert_eq!((c.product, c.version), ("Turin", 5));
    assert_eq!(c.reported_tcb.fmc, Some(c.reported_tcb.fmc.unwrap()));
    assert!(
        c.platform_info.bit6,
        "real Turin reports set platform-info bit 6"
    );
    assert!(c.launch_mit_vector.is_some());
    let siena = get("genoa-siena-v3-trustee-e2e");
    assert_eq!(
        (siena.claims().product, siena.claims().cpu_model),
        ("Genoa", Some("Siena/Bergamo"))
    );
    let vlek = get("milan-v3-vlek-aws-trustee");
    assert_eq!(vlek.claims().signing_key, "vlek");
    assert_eq!(
        vlek.claims().vek.csp_id.as_deref(),
        Some("CN=cc-us-east-2.amazonaws.com")
    );
    assert!(
        vlek.claims().chip_id_masked,
        "AWS VLEK reports mask CHIP_ID"
    );
    let v2 = get("milan-v2-virtee");
    assert_eq!((v2.claims().product, v2.claims().version), ("Milan", 2));
    assert!(v2
        .warnings()
        .iter()
        .any(|w| w.code == "product_from_certificate"));
    let provisional = get("milan-v2-trustee");
    assert!(provisional
        .warnings()
        .iter()
        .any(|w| w.code == "provisional_firmware"));
}

#[test]
fn real_crls_are_checked() {
    let dir = snp_dir();
    let rows = rows();
    let v = Verifier::new(TrustAnchors::default());
    for (prefix, crl, at) in [
        (
            "milan-v3-azure-trustee-v0",
            "roots/milan_crl.der",
            "2026-03-01T00:00:00Z",
        ),
        (
            "milan-v3-oak-oc-release",
            "roots/milan_crl.pem",
            "2026-03-01T00:00:00Z",
        ),
        (
            "genoa-v3-azure-trustee",
            "roots/genoa_crl.der",
            "2025-09-01T00:00:00Z",
        ),
        (
            "genoa-siena-v3-trustee-e2e",
            "roots/genoa_crl.pem",
            "2025-09-01T00:00:00Z",
        ),
        (
            "genoa-v5-oak-oc",
            "roots/genoa_crl.der",
            "2025-09-01T00:00:00Z",
        ),
        (
            "genoa-v3-azure-openpcc",
            "roots/genoa_crl.der",
            "2025-09-01T00:00:00Z",
        ),
    ] {
        let row = rows.iter().find(|r| r.name.starts_with(prefix)).unwrap();
        let mut bundle = row.bundle.clone();
        bundle
            .add_bytes(&std::fs::read(dir.join(crl)).unwrap())
            .unwrap();
        let now = time::parse_rfc3339(at).unwrap();
        let ok = v
            .verify_snp(&row.report, &bundle, &SnpOptions::default(), now)
            .unwrap();
        assert!(ok.claims().crl_checked, "{prefix}");
        assert!(!ok.warnings().iter().any(|w| w.code == "crl_not_checked"));
        // The same CRL after its nextUpdate is stale: fail closed.
        let late = time::from_secs(bundle.crls()[0].next_update().unwrap().as_secs() + 1);
        let err = v
            .verify_snp(&row.report, &bundle, &SnpOptions::default(), late)
            .unwrap_err();
        assert_eq!(err.kind(), "crl_expired", "{prefix}: {err}");
        // Requiring a CRL without one rejects.
        let opts = {
            let mut opts = SnpOptions::default();
            opts.require_crl = true;
            opts
        };
        let err = v
            .verify_snp(&row.report, &row.bundle, &opts, now)
            .unwrap_err();
        assert!(
            matches!(
                err,
                verifier::Error::MissingCollateral {
                    key: verifier::CollateralKey::AmdCrl { .. }
                }
            ),
            "{prefix}: {err}"
        );
    }
    // The real Genoa CRL revokes serial 0x020001, a retired Genoa ASK.
    let genoa =
        testvectors::bundle_from_bytes(&[std::fs::read(dir.join("roots/genoa_crl.der")).unwrap()]);
    assert!(genoa.crls()[0].revoked(&[0x02, 0x00, 0x01]).is_some());
    assert!(genoa.crls()[0].revoked(&[0x02, 0x00, 0x02]).is_none());
}

#[test]
fn flipping_any_byte_rejects() {
    let rows: Vec<Row> = rows().into_iter().filter(|r| r.expect_ok).collect();
    for v in verifiers() {
        for row in &rows {
            let now = row.at;
            // Every byte of one report per product, version and signer kind; every 7th
            // byte of the others (the pure-Rust P-384 backend makes a full sweep of all
            // 18 pairings cost minutes).
            let full = [
                "milan-v2-virtee",
                "milan-v3-vlek",
                "genoa-v5",
                "turin-v5",
                "genoa-siena",
                "milan-v3-oak",
            ]
            .iter()
            .any(|p| row.name.starts_with(p));
            let step = if full { 1 } else { 7 };
            for i in (0..row.report.len()).step_by(step) {
                let mut bad = row.report.clone();
                bad[i] ^= 0x01;
                let res = v.verify_snp(&bad, &row.bundle, &SnpOptions::default(), now);
                assert!(
                    res.is_err(),
                    "{} [{}]: flipping byte {i:#x} still verifies",
                    row.name,
                    v.provider().name()
                );
            }
        }
    }
}

#[test]
fn expected_product_is_enforced() {
    let rows = rows();
    let v = Verifier::new(TrustAnchors::default());
    let row = rows
        .iter()
        .find(|r| r.name.starts_with("turin-v5-oak-oc"))
        .unwrap();
    let opts = {
        let mut opts = SnpOptions::default();
        opts.product = Some(Product::Milan);
        opts
    };
    let err = v
        .verify_snp(&row.report, &row.bundle, &opts, row.at)
        .unwrap_err();
    assert_eq!(err.kind(), "unexpected_product");
}

#[test]
fn hwid_is_read_raw_or_octet_string_wrapped() {
    // trustee's two VCEK-shaped test certificates: one raw 64-byte hwID, one wrapped in an
    // OCTET STRING; both carry the bytes 00..3f.
    let dir = snp_dir().join("negative");
    let expected: Vec<u8> = (0u8..64).collect();
    for file in [
        "trustee-test-vcek-invalid-legacy.der",
        "trustee-test-vcek-invalid-new.der",
    ] {
        let cert =
            verifier::pki::Certificate::from_der(&std::fs::read(dir.join(file)).unwrap()).unwrap();
        let ext = verifier::snp::VekExtensions::decode(&cert, Product::Milan).unwrap();
        assert_eq!(ext.hw_id.as_deref(), Some(expected.as_slice()), "{file}");
    }
}

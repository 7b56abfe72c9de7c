//! The README's bundled examples (`examples/snp/`, `examples/tdx/`) are exactly what `regen`
//! generates.
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::PathBuf;

use testvectors::build::snp;
use testvectors::build::tdx::{Collateral, QuoteSpec};
use testvectors::pki::amd::{AmdPki, Signer};
use testvectors::pki::intel::IntelPki;
use testvectors::pki::to_pem;
use verifier::snp::Product;

#[test]
fn bundled_example_is_reproducible() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/snp");
    let pki = AmdPki::cached(Product::Milan);
    let report = snp::sign(pki, Signer::Vcek, &snp::report(pki, Signer::Vcek));
    for (file, expected) in [
        ("report.bin", report),
        ("ark.pem", to_pem("CERTIFICATE", &pki.ark).into_bytes()),
        ("ask_ark.pem", pki.ask_ark_pem().into_bytes()),
        ("vcek.der", pki.vcek.clone()),
        ("crl.der", pki.crl().build()),
    ] {
        let committed = std::fs::read(dir.join(file)).unwrap();
        assert!(committed == expected, "examples/snp/{file} differs from regen's output: run `cargo run -p verdict-testvectors --bin regen`");
    }
}

#[test]
fn bundled_tdx_example_is_reproducible() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/tdx");
    let pki = IntelPki::cached();
    let collateral = Collateral::tdx_default(pki);
    let mut expected = vec![
        (
            "quote.bin".to_owned(),
            QuoteSpec::tdx_v4_default().build(pki),
        ),
        ("root.pem".to_owned(), pki.root_pem().into_bytes()),
        (
            "collateral.json".to_owned(),
            collateral.to_quote_collateral_v3_json().into_bytes(),
        ),
    ];
    for (name, bytes) in collateral.files() {
        expected.push((format!("collateral/{name}"), bytes));
    }
    for (file, expected) in expected {
        let committed = std::fs::read(dir.join(&file)).unwrap();
        assert!(committed == expected, "examples/tdx/{file} differs from regen's output: run `cargo run -p verdict-testvectors --bin regen`");
    }
}

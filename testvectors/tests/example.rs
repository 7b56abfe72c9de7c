//! The README's bundled example (`examples/snp/`) is exactly what `regen` generates.
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::PathBuf;

use testvectors::build::snp;
use testvectors::pki::amd::{AmdPki, Signer};
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

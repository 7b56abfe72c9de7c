//! Certificate, CRL, SGX-extension and collateral-bundle loading on the same input.
//!
//! Invariant: nothing panics; every accessor of an accepted certificate or CRL works.
#![no_main]

use libfuzzer_sys::fuzz_target;
use verifier::collateral::Bundle;
use verifier::pki::{Certificate, Crl};

fn touch_cert(c: &Certificate) {
    let _ = c.der();
    let _ = c.tbs();
    let _ = c.spki_der();
    let _ = c.signature_algorithm();
    let _ = c.signature();
    let _ = c.serial();
    let _ = c.subject().display();
    let _ = c.subject().common_name();
    let _ = c.issuer().raw();
    let _ = c.not_before();
    let _ = c.not_after();
    let _ = c.public_key();
    let _ = c.basic_constraints();
    let _ = c.can_sign_certificates();
    let _ = c.can_sign_data();
    let _ = c.extended_key_usage();
    let _ = c.extensions().len();
    let _ = c.unhandled_critical_extension();
    // The AMD VEK extensions are decoded from any certificate the bundle selects.
    for product in verifier::snp::Product::ALL {
        let _ = verifier::snp::VekExtensions::decode(c, product);
    }
    // And the SGX extension, from a PCK certificate.
    let _ = verifier::tdx::PckExtension::decode(c);
}

fn touch_crl(c: &Crl) {
    let _ = c.der();
    let _ = c.tbs();
    let _ = c.signature_algorithm();
    let _ = c.signature();
    let _ = c.issuer().display();
    let _ = c.this_update();
    let _ = c.next_update();
    let _ = c.revoked_entries().len();
    let _ = c.revoked(&[0x01]);
}

fuzz_target!(|data: &[u8]| {
    // The SGX extension's value alone (its decoder reads DER itself).
    let _ = verifier::tdx::PckExtension::from_der(data);
    if let Ok(cert) = Certificate::from_der(data) {
        touch_cert(&cert);
    }
    if let Ok(crl) = Crl::from_der(data) {
        touch_crl(&crl);
    }
    let mut bundle = Bundle::new();
    if let Ok(added) = bundle.add_bytes(data) {
        assert_eq!(added.certificates, bundle.certificates().len());
        assert_eq!(added.crls, bundle.crls().len());
    }
    for c in bundle.certificates() {
        touch_cert(c);
    }
    for c in bundle.crls() {
        touch_crl(c);
    }
});

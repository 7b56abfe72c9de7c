//! `TrustAnchors::from_root_certificates`: vendor roots are recognised by what they are
//! (a self-signed CA whose key and name fit a vendor profile), and anything else is
//! refused with the reason.

use testvectors::real::{nvidia_dir, snp_dir, tdx_dir};
use verifier::collateral::Bundle;
use verifier::crypto::{default_provider, HashAlg};
use verifier::pki::Certificate;
use verifier::snp::Product;
use verifier::TrustAnchors;

fn certs(path: std::path::PathBuf) -> Vec<Certificate> {
    let mut b = Bundle::new();
    b.add_bytes(&std::fs::read(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    b.certificates().to_vec()
}

fn pin(c: &Certificate) -> [u8; 32] {
    default_provider()
        .hash(HashAlg::Sha256, &[c.spki_der()])
        .as_ref()
        .try_into()
        .unwrap()
}

#[test]
fn the_real_vendor_roots_give_the_built_in_pins() {
    let ark = |p: &str| {
        certs(snp_dir().join(format!("roots/{p}_ask_ark.pem")))
            .into_iter()
            .find(|c| c.subject() == c.issuer())
            .unwrap()
    };
    let roots = vec![
        ark("milan"),
        ark("genoa"),
        ark("turin"),
        certs(tdx_dir().join("roots/intel_sgx_root_ca.pem")).remove(0),
        certs(nvidia_dir().join("roots/nvidia_device_identity_ca.pem")).remove(0),
        certs(nvidia_dir().join("roots/nvidia_corim_signing_root_ca.pem")).remove(0),
    ];
    let anchors = TrustAnchors::from_root_certificates(default_provider(), &roots).unwrap();
    let built_in = TrustAnchors::default();
    for product in Product::ALL {
        assert_eq!(
            anchors.ark_pins(product),
            built_in.ark_pins(product),
            "{product}"
        );
    }
    assert_eq!(anchors.intel_root, built_in.intel_root);
    assert_eq!(anchors.nvidia_device_root, built_in.nvidia_device_root);
    assert_eq!(anchors.nvidia_rim_root, built_in.nvidia_rim_root);
    assert_eq!(anchors.nvidia_rim_root, vec![pin(&roots[5])]);
}

#[test]
fn certificates_that_are_not_vendor_roots_are_refused() {
    // An ASK: a CA, but signed by the ARK, not by itself.
    let ask = certs(snp_dir().join("roots/milan_ask_ark.pem"))
        .into_iter()
        .find(|c| c.subject() != c.issuer())
        .unwrap();
    let e = TrustAnchors::from_root_certificates(default_provider(), &[ask]).unwrap_err();
    assert!(e.reason.contains("not self-signed"), "{e}");
    // A VCEK: not a CA at all.
    let vcek = certs(snp_dir().join("milan-v3-msftav/vcek.pem")).remove(0);
    let e = TrustAnchors::from_root_certificates(default_provider(), &[vcek]).unwrap_err();
    assert!(e.reason.contains("not a CA"), "{e}");
    assert!(e.to_string().contains("SEV-VCEK"), "{e}");
    // Nothing given: nothing trusted.
    let none = TrustAnchors::from_root_certificates(default_provider(), &[]).unwrap();
    assert_eq!(none, TrustAnchors::empty());
}

#[test]
fn a_self_signed_ca_of_no_vendor_profile_is_refused() {
    use testvectors::pki::amd::{rogue_p384, rogue_rsa, AmdPki};
    use testvectors::pki::x509::{name, CertSpec};
    // The fake ARK fits the AMD profile.
    let pki = AmdPki::cached(Product::Milan);
    let ark = Certificate::from_der(&pki.ark).unwrap();
    let anchors = TrustAnchors::from_root_certificates(default_provider(), &[ark]).unwrap();
    assert_eq!(
        anchors.ark_pins(Product::Milan),
        vec![pki.ark_spki_sha256()]
    );
    // Self-signed CAs whose key does not fit the name's profile.
    for (cn, key) in [
        ("Intel SGX Root CA", rogue_rsa()),
        ("ARK-Milan", rogue_p384()),
        ("Some Root CA", rogue_p384()),
    ] {
        let mut spec = CertSpec::self_signed(name(&[("CN", cn)]), key);
        spec.set_basic_constraints(true, None);
        let cert = Certificate::from_der(&spec.build()).unwrap();
        let e = TrustAnchors::from_root_certificates(default_provider(), &[cert]).unwrap_err();
        assert!(e.reason.contains("fits no vendor root"), "{cn}: {e}");
    }
}

//! `Certificate::from_der` reads basicConstraints and keyUsage itself (x509-parser's deep
//! parse of extensions is off). These tests hold it to x509-parser's reading of every real
//! certificate, and to refusing what that reading let through: a duplicate extension, and
//! a malformed one that a failed deep parse leaves looking absent.

use std::path::Path;

use testvectors::pki::key::PrivateKey;
use testvectors::pki::x509::{key_usage, name, oids};
use testvectors::pki::{CertSpec, Ext};
use verifier::pki::Certificate;
use x509_parser::prelude::{FromDer, X509Certificate};

/// Every certificate under the real vectors: DER files that parse as one, and every
/// CERTIFICATE block of the PEM files.
fn real_certificates() -> Vec<Vec<u8>> {
    fn walk(dir: &Path, out: &mut Vec<Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            if bytes.starts_with(b"-----BEGIN") || path.extension().is_some_and(|e| e == "pem") {
                if let Ok(blocks) = pem::parse_many(&bytes) {
                    out.extend(
                        blocks
                            .into_iter()
                            .filter(|b| b.tag() == "CERTIFICATE")
                            .map(|b| b.into_contents()),
                    );
                }
            } else if bytes.len() < 8192
                && X509Certificate::from_der(&bytes).is_ok_and(|(rest, _)| rest.is_empty())
            {
                out.push(bytes);
            }
        }
    }
    let mut out = Vec::new();
    walk(&testvectors::real::vectors_dir(), &mut out);
    out.sort();
    out.dedup();
    out
}

#[test]
fn every_real_certificate_reads_as_x509_parsers_deep_parse() {
    let certs = real_certificates();
    assert!(certs.len() >= 30, "{} real certificates", certs.len());
    for der in &certs {
        let ours = Certificate::from_der(der).unwrap();
        let (_, theirs) = X509Certificate::from_der(der).unwrap();
        let bc = theirs
            .basic_constraints()
            .unwrap()
            .map(|bc| (bc.value.ca, bc.value.path_len_constraint));
        let ku = theirs.key_usage().unwrap().map(|ku| ku.value);
        let who = ours.subject().display().to_owned();
        assert_eq!(ours.basic_constraints(), bc, "{who}");
        assert_eq!(
            ours.can_sign_certificates(),
            ku.map(|k| k.key_cert_sign()),
            "{who}"
        );
        assert_eq!(
            ours.can_sign_data(),
            ku.map(|k| k.digital_signature()),
            "{who}"
        );
    }
}

fn ca_spec() -> CertSpec {
    let mut spec = CertSpec::self_signed(
        name(&[("CN", "Extensions Test CA")]),
        PrivateKey::generate_p256(PrivateKey::seed_for("cert_extensions")),
    );
    spec.set_basic_constraints(true, Some(1));
    spec.set_key_usage(key_usage::KEY_CERT_SIGN | key_usage::CRL_SIGN);
    spec
}

#[test]
fn the_fake_ca_reads_as_built() {
    let cert = Certificate::from_der(&ca_spec().build()).unwrap();
    assert_eq!(cert.basic_constraints(), Some((true, Some(1))));
    assert_eq!(cert.can_sign_certificates(), Some(true));
    assert_eq!(cert.can_sign_data(), Some(false));
}

#[test]
fn an_extension_twice_is_refused() {
    for oid in [oids::BASIC_CONSTRAINTS, oids::SUBJECT_KEY_ID] {
        let mut spec = ca_spec();
        let first = spec
            .ext(oid)
            .cloned()
            .unwrap_or_else(|| Ext::new(oid, false, vec![0x04, 0x01, 0x00]));
        spec.extensions.push(first.clone());
        if spec
            .extensions
            .iter()
            .filter(|e| e.oid == first.oid)
            .count()
            < 2
        {
            spec.extensions.push(first);
        }
        let e = Certificate::from_der(&spec.build()).unwrap_err();
        assert_eq!(e.kind(), "malformed_der", "{e}");
        assert!(e.to_string().contains("appears twice"), "{e}");
    }
}

#[test]
fn a_malformed_basic_constraints_or_key_usage_is_refused_not_ignored() {
    // cA written as 01 (DER's TRUE is FF): a lenient reader could call this a CA or, when
    // its deep parse fails, see no basicConstraints at all.
    let mut spec = ca_spec();
    spec.set_ext(
        oids::BASIC_CONSTRAINTS,
        true,
        vec![0x30, 0x03, 0x01, 0x01, 0x01],
    );
    let e = Certificate::from_der(&spec.build()).unwrap_err();
    assert!(e.to_string().contains("basicConstraints"), "{e}");

    let mut spec = ca_spec();
    spec.set_ext(oids::KEY_USAGE, true, vec![0x04, 0x01, 0x00]);
    let e = Certificate::from_der(&spec.build()).unwrap_err();
    assert!(e.to_string().contains("keyUsage"), "{e}");
}

//! `Certificate::from_der` reads the certificate frame, names, validity and extensions
//! with the workspace's DER reader (x509-parser reads only the AlgorithmIdentifiers and
//! the SubjectPublicKeyInfo). These tests hold it to x509-parser's reading of every real
//! certificate and of any one-byte change to one, and to refusing what that reading let
//! through: a duplicate extension, and a malformed basicConstraints or keyUsage that a
//! failed deep parse leaves looking absent.

use std::path::Path;

use proptest::prelude::*;
use testvectors::pki::key::PrivateKey;
use testvectors::pki::x509::{key_usage, name, oids};
use testvectors::pki::{CertSpec, Ext};
use verifier::pki::{Certificate, Extension};
use x509_parser::der_parser::asn1_rs::Class;
use x509_parser::prelude::{FromDer, X509Certificate};

/// What a certificate says, as Verdict reads it and as x509-parser does.
#[derive(Debug, PartialEq)]
struct View {
    tbs: Vec<u8>,
    serial: Vec<u8>,
    subject: Vec<u8>,
    subject_cn: Option<String>,
    issuer: Vec<u8>,
    issuer_cn: Option<String>,
    not_before: u64,
    not_after: u64,
    spki: Vec<u8>,
    public_key_bits: Vec<u8>,
    signature: Vec<u8>,
    extensions: Vec<Extension>,
}

fn ours(cert: &Certificate) -> View {
    View {
        tbs: cert.tbs().to_vec(),
        serial: cert.serial().to_vec(),
        subject: cert.subject().raw().to_vec(),
        subject_cn: cert.subject().common_name().map(str::to_owned),
        issuer: cert.issuer().raw().to_vec(),
        issuer_cn: cert.issuer().common_name().map(str::to_owned),
        not_before: cert.not_before().as_secs(),
        not_after: cert.not_after().as_secs(),
        spki: cert.spki_der().to_vec(),
        public_key_bits: cert.subject_public_key_bits().to_vec(),
        signature: cert.signature().to_vec(),
        extensions: cert.extensions().to_vec(),
    }
}

/// x509-parser's reading; `None` where it refuses the bytes (or a time is before 1970).
fn theirs(der: &[u8]) -> Option<View> {
    let (rest, x) = X509Certificate::from_der(der).ok()?;
    if !rest.is_empty() {
        return None;
    }
    let tbs = &x.tbs_certificate;
    let cn = |name: &x509_parser::x509::X509Name<'_>| {
        // asn1-rs reads a string type by its tag number whatever its class and form, so
        // an [APPLICATION 19] or a constructed UTF8String (which DER forbids) would read
        // as a string: only universal, primitive ones count.
        name.iter_common_name()
            .next()
            .filter(|cn| {
                let header = &cn.attr_value().header;
                header.class() == Class::Universal && !header.is_constructed()
            })
            .and_then(|cn| cn.as_str().ok())
            .map(str::to_owned)
    };
    let raw_serial = tbs.raw_serial();
    let start = raw_serial
        .iter()
        .position(|b| *b != 0)
        .unwrap_or_else(|| raw_serial.len().saturating_sub(1));
    Some(View {
        tbs: tbs.as_ref().to_vec(),
        serial: raw_serial[start..].to_vec(),
        subject: tbs.subject.as_raw().to_vec(),
        subject_cn: cn(&tbs.subject),
        issuer: tbs.issuer.as_raw().to_vec(),
        issuer_cn: cn(&tbs.issuer),
        not_before: u64::try_from(tbs.validity.not_before.timestamp()).ok()?,
        not_after: u64::try_from(tbs.validity.not_after.timestamp()).ok()?,
        spki: tbs.subject_pki.raw.to_vec(),
        public_key_bits: tbs.subject_pki.subject_public_key.data.to_vec(),
        signature: x.signature_value.data.to_vec(),
        extensions: tbs
            .extensions()
            .iter()
            .map(|e| Extension {
                // asn1-rs writes a first subidentifier of 120 as 3.0, not X.690's 2.40:
                // the bytes are compared through the workspace's conversion.
                oid: verifier::der::oid_to_string(e.oid.as_bytes()).unwrap_or_default(),
                critical: e.critical,
                value: e.value.to_vec(),
            })
            .collect(),
    })
}

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
fn every_real_certificate_reads_as_x509_parser_reads_it() {
    let certs = real_certificates();
    assert!(certs.len() >= 30, "{} real certificates", certs.len());
    for der in &certs {
        let parsed = Certificate::from_der(der).unwrap();
        assert_eq!(Some(ours(&parsed)), theirs(der));
        let ours = parsed;
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

/// Why `der` is refused: the error's kind and text.
fn refusal(der: &[u8]) -> (String, String) {
    let e = Certificate::from_der(der).unwrap_err();
    (e.kind().to_owned(), e.to_string())
}

/// `der` with its first `from` replaced by `to` (same length): a change the parser must
/// see before any signature is checked.
fn patched(der: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = der
        .windows(from.len())
        .position(|w| w == from)
        .unwrap_or_else(|| panic!("{from:02x?} not in the certificate"));
    let mut out = der.to_vec();
    out[at..at + to.len()].copy_from_slice(to);
    out
}

#[test]
fn a_version_past_v3_is_refused() {
    let der = ca_spec().build();
    // [0] EXPLICIT INTEGER 2 (v3) → 3.
    let (kind, text) = refusal(&patched(
        &der,
        &[0xA0, 0x03, 0x02, 0x01, 0x02],
        &[0xA0, 0x03, 0x02, 0x01, 0x03],
    ));
    assert_eq!(kind, "invalid_value", "{text}");
    assert!(text.contains("certificate version"), "{text}");
}

#[test]
fn a_public_key_with_unused_bits_is_refused() {
    let mut spec = ca_spec();
    let mut spki = spec.spki_der();
    // P-256 SPKI: the key BIT STRING `03 42 00 04 …` is its last TLV.
    let at = spki
        .windows(3)
        .rposition(|w| w == [0x03, 0x42, 0x00])
        .unwrap();
    spki[at + 2] = 0x01;
    spec.spki_override = Some(spki);
    let (kind, text) = refusal(&spec.build());
    assert_eq!(kind, "malformed_der", "{text}");
    assert!(text.contains("subjectPublicKey"), "{text}");
}

#[test]
fn an_algorithm_identifier_that_does_not_parse_is_malformed_not_a_mismatch() {
    // ecdsa-with-SHA256 with its OID's tag made INTEGER: the TBS's copy comes first, the
    // outer one last.
    let alg = [
        0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02,
    ];
    let der = ca_spec().build();
    let at: Vec<usize> = der
        .windows(alg.len())
        .enumerate()
        .filter(|(_, w)| *w == alg)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(at.len(), 2);
    for (i, what) in [
        (at[0], "tbsCertificate signature"),
        (at[1], "certificate signatureAlgorithm"),
    ] {
        let mut bad = der.clone();
        bad[i + 2] = 0x02;
        let (kind, text) = refusal(&bad);
        assert_eq!(kind, "malformed_der", "{text}");
        assert!(text.contains(what), "{text}");
    }
    // Two well-formed but different AlgorithmIdentifiers are a mismatch, refused when
    // the signature is checked.
    let mut spec = ca_spec();
    spec.outer_alg_override = Some(vec![
        0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03,
    ]);
    let cert = Certificate::from_der(&spec.build()).unwrap();
    assert_eq!(
        cert.signature_algorithm(),
        Err(verifier::error::CertErrorKind::AlgorithmMismatch)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Any byte of a real PCK certificate changed: never a panic, and whatever Verdict
    /// reads, x509-parser reads the same way (so Verdict's reader is never the lenient
    /// one).
    #[test]
    fn a_changed_byte_reads_as_x509_parser_reads_it(at in any::<prop::sample::Index>(), value in any::<u8>()) {
        let mut der = pck_leaf();
        let i = at.index(der.len());
        der[i] = value;
        if let Ok(cert) = Certificate::from_der(&der) {
            prop_assert_eq!(Some(ours(&cert)), theirs(&der));
        }
    }
}

/// The PCK certificate of a real TDX quote (it has every kind of field: names of five
/// attributes, the SGX extension, CRL distribution points).
fn pck_leaf() -> Vec<u8> {
    let pem = std::fs::read(
        testvectors::real::tdx_dir()
            .join("cases/tdx-v4-phala-b0c06f-uptodate/collateral/pck_crl_issuer_chain.pem"),
    )
    .unwrap();
    pem::parse_many(pem).unwrap().remove(0).into_contents()
}

//! Checks of the default Intel PKI against the committed files and the real certificates in
//! `shared/vectors/tdx` (the same names, extension lists, criticality and encodings).

use der::{Decode, Encode};
use p256::ecdsa::signature::Verifier as _;
use p256::pkcs8::DecodePublicKey as _;
use x509_cert::crl::CertificateList;
use x509_cert::Certificate;

use super::*;
use crate::pki::asn1::oid;
use crate::pki::time::DEFAULT_NOW;
use crate::pki::x509;

fn parse(der: &[u8]) -> Certificate {
    Certificate::from_der(der).expect("x509-cert parses the certificate")
}

fn real_dir() -> std::path::PathBuf {
    let dir = crate::real::vectors_dir().join("tdx");
    assert!(
        dir.join("README.md").is_file(),
        "real TDX vectors not found at {} (set VERDICT_REAL_VECTORS)",
        dir.display()
    );
    dir
}

/// The real PCK leaf, Platform CA and root embedded in a real quote.
fn real_pck_chain() -> Vec<Certificate> {
    let quote = std::fs::read(real_dir().join("cases/tdx-v4-phala-b0c06f-uptodate/quote.bin"))
        .expect("real quote");
    let start = quote
        .windows(10)
        .position(|w| w == b"-----BEGIN")
        .expect("PEM chain in the quote");
    let end = start + quote[start..].iter().position(|b| *b == 0).expect("NUL");
    pem::parse_many(&quote[start..end])
        .expect("PEM")
        .iter()
        .map(|p| parse(p.contents()))
        .collect()
}

fn real_tcb_signing() -> Certificate {
    let path =
        real_dir().join("cases/tdx-v4-phala-b0c06f-uptodate/collateral/tcb_info_issuer_chain.pem");
    let text = std::fs::read(path).expect("real chain");
    parse(pem::parse_many(text).expect("PEM")[0].contents())
}

/// (OID, critical, value-or-empty) of each extension; values are kept for the fixed-content
/// extensions (KU, BC) and dropped for key-dependent ones.
fn ext_shape(cert: &Certificate) -> Vec<(String, bool, Vec<u8>)> {
    let fixed = [x509::oids::KEY_USAGE, x509::oids::BASIC_CONSTRAINTS].map(oid);
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .map(|e| {
            let value = if fixed.contains(&e.extn_id) {
                e.extn_value.as_bytes().to_vec()
            } else {
                Vec::new()
            };
            (e.extn_id.to_string(), e.critical, value)
        })
        .collect()
}

fn verifies(issuer: &Certificate, tbs: &[u8], signature: &[u8]) -> bool {
    let spki = issuer
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .expect("encode SPKI");
    let key = p256::ecdsa::VerifyingKey::from_public_key_der(&spki).expect("P-256 key");
    let sig = p256::ecdsa::Signature::from_der(signature).expect("DER ECDSA signature");
    key.verify(tbs, &sig).is_ok()
}

fn cert_verifies(issuer: &Certificate, cert: &Certificate) -> bool {
    let tbs = cert.tbs_certificate.to_der().expect("encode TBS");
    verifies(issuer, &tbs, cert.signature.raw_bytes())
}

#[test]
fn committed_files_are_what_the_default_pki_generates() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = crate::build::tdx::generated_files(IntelPki::cached());
    assert!(files.len() > 30);
    for (path, expected) in files {
        let committed = std::fs::read(root.join(&path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            committed == expected,
            "{path} differs from what regen generates: run `cargo run -p verdict-testvectors --bin regen`"
        );
    }
    assert_eq!(
        IntelPki::builder().build().pck,
        IntelPki::cached().pck,
        "deterministic"
    );
}

#[test]
fn chain_signatures_names_and_validity() {
    let pki = IntelPki::cached();
    let [root, platform, processor, tcb, pck] = [
        &pki.root,
        &pki.platform_ca,
        &pki.processor_ca,
        &pki.tcb_signing,
        &pki.pck,
    ]
    .map(|d| parse(d));
    assert!(cert_verifies(&root, &root));
    for cert in [&platform, &processor, &tcb] {
        assert!(cert_verifies(&root, cert));
        assert_eq!(cert.tbs_certificate.issuer, root.tbs_certificate.subject);
    }
    assert!(cert_verifies(&platform, &pck));
    assert_eq!(pck.tbs_certificate.issuer, platform.tbs_certificate.subject);
    for (cert, cn) in [
        (&root, ROOT_CN),
        (&platform, PLATFORM_CA_CN),
        (&processor, PROCESSOR_CA_CN),
        (&tcb, TCB_SIGNING_CN),
        (&pck, PCK_CN),
    ] {
        assert_eq!(
            cert.tbs_certificate.subject.to_string(),
            format!("C=US,ST=CA,L=Santa Clara,O=Intel Corporation,CN={cn}")
        );
        let validity = cert.tbs_certificate.validity;
        assert!(validity.not_before.to_unix_duration().as_secs() <= DEFAULT_NOW);
        assert!(validity.not_after.to_unix_duration().as_secs() > DEFAULT_NOW);
        assert_eq!(cert.signature_algorithm.oid, oid("1.2.840.10045.4.3.2"));
        assert!(cert.signature_algorithm.parameters.is_none());
    }
    assert_eq!(
        root.tbs_certificate
            .validity
            .not_after
            .to_unix_duration()
            .as_secs(),
        ROOT_NOT_AFTER
    );
    // CA serials equal their SKI, as Intel's do.
    assert_eq!(pki.specs.root.serial, pki.specs.root.key_id()[..]);
}

#[test]
fn shapes_match_the_real_certificates() {
    let pki = IntelPki::cached();
    let real = real_pck_chain();
    let [real_pck, real_platform, real_root] = [&real[0], &real[1], &real[2]];
    for (ours, theirs) in [
        (&pki.root, real_root),
        (&pki.platform_ca, real_platform),
        (&pki.pck, real_pck),
        (&pki.tcb_signing, &real_tcb_signing()),
    ] {
        let ours = parse(ours);
        // Byte-identical names (string types and RDN order).
        assert_eq!(
            ours.tbs_certificate.subject.to_der().unwrap(),
            theirs.tbs_certificate.subject.to_der().unwrap()
        );
        assert_eq!(
            ours.tbs_certificate.issuer.to_der().unwrap(),
            theirs.tbs_certificate.issuer.to_der().unwrap()
        );
        assert_eq!(
            ext_shape(&ours),
            ext_shape(theirs),
            "{}",
            ours.tbs_certificate.subject
        );
        assert_eq!(
            ours.tbs_certificate.subject_public_key_info.algorithm,
            theirs.tbs_certificate.subject_public_key_info.algorithm
        );
        // Same CRL distribution point (the PCK's names the Platform CA CRL).
        let dp = |c: &Certificate| {
            c.tbs_certificate
                .extensions
                .iter()
                .flatten()
                .find(|e| e.extn_id == oid(x509::oids::CRL_DISTRIBUTION_POINTS))
                .map(|e| e.extn_value.as_bytes().to_vec())
        };
        assert_eq!(dp(&ours), dp(theirs));
    }
}

#[test]
fn sgx_extension_encodes_exactly_like_intel() {
    // The real PCK leaf's fields, re-encoded by PckSpec, give its extension byte for byte.
    let real = &real_pck_chain()[0];
    let real_ext = real
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == oid(sgx_ext::SGX_EXTENSION_OID))
        .expect("SGX extension");
    assert!(!real_ext.critical);
    let unhex = |s: &str| hex::decode(s).expect("hex");
    let spec = PckSpec {
        ppid: unhex("811DCA2A26B952E85BB6448B097BA4FD")
            .try_into()
            .unwrap(),
        comp_svns: [3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0],
        pcesvn: 11,
        cpusvn: unhex("03030202040100050000000000000000")
            .try_into()
            .unwrap(),
        pce_id: [0, 0],
        fmspc: [0xB0, 0xC0, 0x6F, 0, 0, 0],
        sgx_type: sgx_ext::SGX_TYPE_SCALABLE,
        platform_instance_id: Some(
            unhex("07828474603E7019DC930775FFE8CDD2")
                .try_into()
                .unwrap(),
        ),
        configuration: Some(PckConfiguration {
            dynamic_platform: true,
            cached_keys: true,
            smt_enabled: true,
        }),
        raw_extension: None,
    };
    assert_eq!(spec.extension_value(), real_ext.extn_value.as_bytes());
}

#[test]
fn crls_are_signed_by_their_issuer_and_shaped_like_intel() {
    let pki = IntelPki::cached();
    let real =
        std::fs::read(real_dir().join("cases/tdx-v4-phala-b0c06f-uptodate/collateral/pck_crl.der"))
            .expect("real PCK CRL");
    let real = CertificateList::from_der(&real).expect("parses");
    for (crl, issuer) in [
        (pki.root_ca_crl().build(), &pki.root),
        (pki.pck_crl().build(), &pki.platform_ca),
        (pki.pck_crl_of(PckCa::Processor).build(), &pki.processor_ca),
    ] {
        let crl = CertificateList::from_der(&crl).expect("parses");
        let issuer = parse(issuer);
        assert_eq!(crl.tbs_cert_list.issuer, issuer.tbs_certificate.subject);
        let tbs = crl.tbs_cert_list.to_der().unwrap();
        assert!(verifies(&issuer, &tbs, crl.signature.raw_bytes()));
        let ext_ids = |c: &CertificateList| {
            c.tbs_cert_list
                .crl_extensions
                .iter()
                .flatten()
                .map(|e| e.extn_id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ext_ids(&crl), ext_ids(&real));
        assert!(crl.tbs_cert_list.this_update.to_unix_duration().as_secs() <= DEFAULT_NOW);
        let next = crl.tbs_cert_list.next_update.expect("nextUpdate");
        assert!(next.to_unix_duration().as_secs() > DEFAULT_NOW);
    }
    let pck_crl = CertificateList::from_der(&pki.pck_crl().build()).unwrap();
    let entries = pck_crl
        .tbs_cert_list
        .revoked_certificates
        .expect("two entries");
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries[0].crl_entry_extensions,
        real.tbs_cert_list.revoked_certificates.as_ref().unwrap()[0].crl_entry_extensions
    );
    assert!(CertificateList::from_der(&pki.root_ca_crl().build())
        .unwrap()
        .tbs_cert_list
        .revoked_certificates
        .is_none());
    // Revoking the PCK leaf lists its serial.
    let revoked = pki.pck_crl().revoke_cert(&pki.specs.pck).build();
    let revoked = CertificateList::from_der(&revoked).unwrap();
    let serials: Vec<_> = revoked
        .tbs_cert_list
        .revoked_certificates
        .unwrap()
        .iter()
        .map(|r| r.serial_number.clone())
        .collect();
    assert!(serials.contains(&parse(&pki.pck).tbs_certificate.serial_number));
}

#[test]
fn processor_ca_variant() {
    let pki = IntelPki::builder()
        .pck_ca(PckCa::Processor)
        .pck(PckSpec::processor_default())
        .build();
    let pck = parse(&pki.pck);
    assert!(cert_verifies(&parse(&pki.processor_ca), &pck));
    assert_eq!(pki.pck_issuer(), pki.processor_ca.as_slice());
    let chain = pki.pck_chain_pem();
    assert!(chain.starts_with(&to_pem("CERTIFICATE", &pki.pck)));
    assert!(chain.contains(&to_pem("CERTIFICATE", &pki.processor_ca)));
    assert!(pki
        .pck_crl_issuer_chain_pem()
        .starts_with(&to_pem("CERTIFICATE", &pki.processor_ca)));
    let dp = pck
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == oid(x509::oids::CRL_DISTRIBUTION_POINTS))
        .unwrap();
    let dp = String::from_utf8_lossy(dp.extn_value.as_bytes()).to_string();
    assert!(dp.ends_with("pckcrl?ca=processor&encoding=der"), "{dp}");
}

#[test]
fn builder_overrides_and_raw_signatures() {
    let rogue = rogue_p256();
    let pki = IntelPki::builder()
        .override_tcb_signing(|c| c.signing_key = rogue.clone())
        .override_pck(|c| c.set_ext(sgx_ext::SGX_EXTENSION_OID, false, vec![0x30, 0x00]))
        .build();
    let root = parse(&pki.root);
    assert!(!cert_verifies(&root, &parse(&pki.tcb_signing)));
    let exts = parse(&pki.pck)
        .tbs_certificate
        .extensions
        .expect("extensions");
    let sgx = exts
        .iter()
        .find(|e| e.extn_id == oid(sgx_ext::SGX_EXTENSION_OID));
    assert_eq!(
        sgx.map(|e| e.extn_value.as_bytes()),
        Some(&[0x30, 0x00][..])
    );
    // sign_collateral is the TCB Signing key's raw r ‖ s.
    let sig = pki.sign_collateral(b"{}");
    let vk =
        p256::ecdsa::VerifyingKey::from_public_key_der(&pki.specs.tcb_signing.spki_der()).unwrap();
    vk.verify(b"{}", &p256::ecdsa::Signature::from_slice(&sig).unwrap())
        .expect("verifies");
    assert_eq!(
        pki.keys().attestation_key,
        committed_key(KeyRole::AttestationKey)
    );
}

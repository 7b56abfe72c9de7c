//! Checks of the default AMD PKI against the committed files and the real KDS shapes.

use der::{Decode, Encode};
use p384::ecdsa::signature::Verifier as _;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pss, RsaPublicKey};
use sha2::{Digest, Sha256, Sha384};
use verifier::snp::{Product, TcbParts};
use x509_cert::crl::CertificateList;
use x509_cert::Certificate;

use super::ext::{amd_oid, HW_ID};
use super::*;
use crate::pki::time::{add_years, DEFAULT_NOW};
use crate::pki::x509::oids;
use crate::pki::{HashAlg, SigAlg};

const EXPLICIT_TRAILER: [u8; 5] = [0xA3, 0x03, 0x02, 0x01, 0x01];

fn committed(product: Product, file: &str) -> Vec<u8> {
    let path = format!(
        "{}/data/amd/{}/{file}",
        env!("CARGO_MANIFEST_DIR"),
        product.name().to_lowercase()
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse(der: &[u8]) -> Certificate {
    Certificate::from_der(der).expect("x509-cert parses the certificate")
}

fn params(alg: &spki::AlgorithmIdentifierOwned) -> Vec<u8> {
    alg.parameters
        .as_ref()
        .expect("PSS parameters")
        .to_der()
        .expect("encode")
}

fn ext<'c>(cert: &'c Certificate, dotted: &str) -> Option<&'c x509_cert::ext::Extension> {
    let oid = crate::pki::asn1::oid(dotted);
    cert.tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == oid)
}

/// Verifies an RSASSA-PSS SHA-384/MGF1-SHA-384 signature with `salt_len` over `tbs`.
fn pss_ok(issuer: &Certificate, tbs: &[u8], signature: &[u8], salt_len: usize) -> bool {
    let spki = issuer
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .expect("encode SPKI");
    let key = RsaPublicKey::from_public_key_der(&spki).expect("RSA public key");
    key.verify(
        Pss::new_with_salt::<Sha384>(salt_len),
        &Sha384::digest(tbs),
        signature,
    )
    .is_ok()
}

fn cert_sig_ok(issuer: &Certificate, cert: &Certificate) -> bool {
    let tbs = cert.tbs_certificate.to_der().expect("encode TBS");
    pss_ok(issuer, &tbs, cert.signature.raw_bytes(), 48)
}

#[test]
fn default_build_matches_committed_files_and_is_deterministic() {
    for product in Product::ALL {
        let pki = AmdPki::builder(product).build();
        assert_eq!(
            pki.ask_ark_pem().as_bytes(),
            committed(product, "ask_ark.pem"),
            "{product} ask_ark.pem"
        );
        assert_eq!(
            pki.asvk_ark_pem().as_bytes(),
            committed(product, "asvk_ark.pem"),
            "{product}"
        );
        assert_eq!(
            pki.vcek,
            committed(product, "vcek.der"),
            "{product} vcek.der"
        );
        assert_eq!(
            pki.vlek,
            committed(product, "vlek.der"),
            "{product} vlek.der"
        );
        assert_eq!(
            pki.crl().build(),
            committed(product, "crl.der"),
            "{product} crl.der"
        );
        let again = AmdPki::builder(product).build();
        assert_eq!(
            (pki.ark, pki.ask, pki.asvk),
            (again.ark, again.ask, again.asvk)
        );
        assert_eq!(AmdPki::cached(product).vcek, again.vcek);
    }
}

#[test]
fn chain_signatures_names_serials_and_validity() {
    for product in Product::ALL {
        let pki = AmdPki::cached(product);
        let [ark, ask, asvk, vcek, vlek] =
            [&pki.ark, &pki.ask, &pki.asvk, &pki.vcek, &pki.vlek].map(|d| parse(d));
        let p = product.name();
        for (cert, cn) in [
            (&ark, format!("ARK-{p}")),
            (&ask, format!("SEV-{p}")),
            (&asvk, format!("SEV-VLEK-{p}")),
            (&vcek, "SEV-VCEK".to_owned()),
            (&vlek, "SEV-VLEK".to_owned()),
        ] {
            assert_eq!(
                cert.tbs_certificate.subject.to_string(),
                format!("CN={cn},O=Advanced Micro Devices,ST=CA,L=Santa Clara,C=US,OU=Engineering")
            );
        }
        assert_eq!(ark.tbs_certificate.issuer, ark.tbs_certificate.subject);
        assert_eq!(ask.tbs_certificate.issuer, ark.tbs_certificate.subject);
        assert_eq!(asvk.tbs_certificate.issuer, ark.tbs_certificate.subject);
        assert_eq!(vcek.tbs_certificate.issuer, ask.tbs_certificate.subject);
        assert_eq!(vlek.tbs_certificate.issuer, asvk.tbs_certificate.subject);

        assert!(cert_sig_ok(&ark, &ark) && cert_sig_ok(&ark, &ask) && cert_sig_ok(&ark, &asvk));
        assert!(cert_sig_ok(&ask, &vcek) && cert_sig_ok(&asvk, &vlek));
        assert!(
            !cert_sig_ok(&asvk, &vcek),
            "VCEK must not verify under the ASVK"
        );

        let serial = |c: &Certificate| c.tbs_certificate.serial_number.as_bytes().to_vec();
        let base = match product {
            Product::Milan => 1u8,
            Product::Genoa => 2,
            Product::Turin => 3,
        };
        let ask_low = if product == Product::Genoa { 2 } else { 1 };
        assert_eq!(serial(&ark), [base, 0, 0]);
        assert_eq!(serial(&ask), [base, 0, ask_low]);
        assert_eq!(serial(&asvk), [base, 1, 1]);
        assert_eq!(serial(&vcek), [0], "leaf serial is 0");
        assert_eq!(serial(&vlek), [0], "leaf serial is 0");
        assert_eq!(
            &vcek.tbs_certificate.to_der().expect("encode")[4..9],
            &[0xA0, 3, 2, 1, 2]
        );

        let years = |c: &Certificate| {
            let v = &c.tbs_certificate.validity;
            (
                v.not_before.to_unix_duration().as_secs(),
                v.not_after.to_unix_duration().as_secs(),
            )
        };
        let nb = DEFAULT_NOT_BEFORE;
        assert_eq!(years(&ark), (nb, add_years(nb, 25)));
        assert_eq!(years(&asvk), (nb, add_years(nb, 25)));
        assert_eq!(years(&vcek), (nb, add_years(nb, 7)));
        assert_eq!(years(&vlek), (nb, add_years(nb, 1)));
        assert!(years(&vlek).1 > DEFAULT_NOW);
    }
}

#[test]
fn pss_trailer_explicit_on_cas_omitted_on_leaves() {
    let pki = AmdPki::cached(Product::Milan);
    for der in [&pki.ark, &pki.ask, &pki.asvk] {
        let cert = parse(der);
        let p = params(&cert.signature_algorithm);
        assert!(
            p.ends_with(&EXPLICIT_TRAILER),
            "CA PSS params carry the explicit trailer"
        );
        assert_eq!(cert.tbs_certificate.signature, cert.signature_algorithm);
    }
    for der in [&pki.vcek, &pki.vlek] {
        let cert = parse(der);
        let p = params(&cert.signature_algorithm);
        assert!(
            !p.ends_with(&EXPLICIT_TRAILER) && p.len() == 0x36,
            "leaf PSS params omit it"
        );
        assert_eq!(cert.tbs_certificate.signature, cert.signature_algorithm);
    }
    let old_style = AmdPki::builder(Product::Milan)
        .leaf_trailer_explicit(true)
        .build();
    assert!(params(&parse(&old_style.vcek).signature_algorithm).ends_with(&EXPLICIT_TRAILER));
    let crl = CertificateList::from_der(&pki.crl().build()).expect("CRL parses");
    assert_eq!(params(&crl.signature_algorithm).len(), 0x36);
}

#[test]
fn leaf_extensions_follow_kds() {
    for product in Product::ALL {
        let pki = AmdPki::cached(product);
        let vcek = parse(&pki.vcek);
        let vlek = parse(&pki.vlek);
        for leaf in [&vcek, &vlek] {
            for oid in [
                oids::KEY_USAGE,
                oids::BASIC_CONSTRAINTS,
                oids::AUTHORITY_KEY_ID,
            ] {
                assert!(ext(leaf, oid).is_none(), "{product}: leaf has no {oid}");
            }
            let value = |s: &str| ext(leaf, &amd_oid(s)).map(|e| e.extn_value.as_bytes().to_vec());
            assert_eq!(
                value("1"),
                Some(vec![2, 1, u8::from(product == Product::Turin)])
            );
            assert_eq!(
                value("3.4").is_some(),
                product != Product::Turin,
                "{product} spl_4"
            );
            assert_eq!(
                value("3.9").is_some(),
                product == Product::Turin,
                "{product} fmcSPL"
            );
            assert!(leaf
                .tbs_certificate
                .extensions
                .as_ref()
                .expect("exts")
                .iter()
                .all(|e| !e.critical));
        }
        let hwid = ext(&vcek, &amd_oid(HW_ID))
            .expect("hwID")
            .extn_value
            .as_bytes();
        assert_eq!(
            hwid,
            &pki.chip_id[..product.hwid_len()],
            "hwID is raw CHIP_ID bytes"
        );
        assert_eq!(hwid.len(), if product == Product::Turin { 8 } else { 64 });
        assert!(ext(&vcek, &amd_oid("5")).is_none() && ext(&vlek, &amd_oid(HW_ID)).is_none());
        let csp = ext(&vlek, &amd_oid("5"))
            .expect("cspID")
            .extn_value
            .as_bytes();
        assert_eq!(csp, crate::pki::asn1::ia5_string(DEFAULT_CSP_ID));
    }
    let milan = parse(&AmdPki::cached(Product::Milan).vcek);
    let name = ext(&milan, &amd_oid("2"))
        .expect("productName")
        .extn_value
        .as_bytes();
    assert_eq!(name, b"\x16\x08Milan-B0");
    let ucode = ext(&milan, &amd_oid("3.8"))
        .expect("ucodeSPL")
        .extn_value
        .as_bytes();
    assert_eq!(ucode, [0x02, 0x02, 0x00, 0xDB], "219 is a two-byte INTEGER");
}

#[test]
fn builder_options_and_overrides() {
    let tcb = TcbParts {
        fmc: Some(7),
        bootloader: 9,
        tee: 8,
        snp: 200,
        microcode: 1,
    };
    let rogue = rogue_rsa();
    let wanted_issuer_cn = String::from("ARK-Venice");
    let pki = AmdPki::builder(Product::Turin)
        .vcek_tcb(tcb)
        .chip_id([0x02; 64])
        .csp_id("CN=other")
        .override_ark(|c| c.set_subject_cn(&wanted_issuer_cn))
        .override_ask(|c| c.signing_key = rogue.clone())
        .override_vcek(|c| {
            c.set_amd_int("3.8", 210);
            c.remove_amd("3.5");
        })
        .override_vlek(|c| c.corrupt_signature = true)
        .build();
    let [ark, ask, asvk, vcek, vlek] =
        [&pki.ark, &pki.ask, &pki.asvk, &pki.vcek, &pki.vlek].map(|d| parse(d));
    assert_eq!(
        ask.tbs_certificate.issuer, ark.tbs_certificate.subject,
        "issuer follows the ARK"
    );
    assert!(ark
        .tbs_certificate
        .subject
        .to_string()
        .starts_with("CN=ARK-Venice,"));
    assert!(!cert_sig_ok(&ark, &ask), "ASK signed by the rogue key");
    assert!(cert_sig_ok(&ark, &asvk));
    assert!(!cert_sig_ok(&asvk, &vlek), "corrupted VLEK signature");
    assert!(cert_sig_ok(&ask, &vcek));
    let value = |s: &str| ext(&vcek, &amd_oid(s)).map(|e| e.extn_value.as_bytes().to_vec());
    assert_eq!(value("3.8"), Some(vec![2, 2, 0, 210]));
    assert_eq!(value("3.9"), Some(vec![2, 1, 7]));
    assert_eq!(value("3.3"), Some(vec![2, 2, 0, 200]));
    assert_eq!(value("3.5"), None);
    assert_eq!(value("4"), Some(vec![0x02; 8]));
    assert_eq!(pki.reported_tcb(Signer::Vcek).parts(Product::Turin), tcb);
}

#[test]
fn pss_parameter_variants_are_signed_as_declared() {
    let base = AmdPki::cached(Product::Genoa);
    let ask = parse(&base.ask);

    let mut salt32 = base.specs.vcek.clone();
    salt32.sig_alg = SigAlg::RsaPss(PssParams {
        salt_len: 32,
        ..PssParams::AMD_OMITTED_TRAILER
    });
    let cert = parse(&salt32.build());
    let tbs = cert.tbs_certificate.to_der().expect("encode");
    assert!(pss_ok(&ask, &tbs, cert.signature.raw_bytes(), 32));
    assert!(!pss_ok(&ask, &tbs, cert.signature.raw_bytes(), 48));

    let mut mgf256 = base.specs.vcek.clone();
    mgf256.sig_alg = SigAlg::RsaPss(PssParams {
        mgf1_hash: HashAlg::Sha256,
        ..PssParams::AMD_OMITTED_TRAILER
    });
    let cert = parse(&mgf256.build());
    let tbs = cert.tbs_certificate.to_der().expect("encode");
    assert!(
        !pss_ok(&ask, &tbs, cert.signature.raw_bytes(), 48),
        "not valid as MGF1-SHA-384"
    );
    let declared = PssParams {
        mgf1_hash: HashAlg::Sha256,
        ..PssParams::AMD_OMITTED_TRAILER
    };
    assert_eq!(params(&cert.signature_algorithm), declared.to_der());

    let mut mismatch = base.specs.vcek.clone();
    mismatch.set_tbs_alg_mismatch();
    let cert = parse(&mismatch.build());
    assert_ne!(cert.tbs_certificate.signature, cert.signature_algorithm);
    assert!(
        cert_sig_ok(&ask, &cert),
        "still validly signed with the outer algorithm"
    );
}

#[test]
fn sign_report_writes_little_endian_r_and_s() {
    let pki = AmdPki::cached(Product::Milan);
    for signer in [Signer::Vcek, Signer::Vlek] {
        let mut report: Vec<u8> = (0..0x4A0u32).map(|i| i as u8).collect();
        let original = report.clone();
        pki.sign_report(signer, &mut report);
        assert_eq!(report[..0x2A0], original[..0x2A0]);
        assert_eq!(
            report[0x330..],
            original[0x330..],
            "bytes from 0x330 untouched"
        );
        assert!(report[0x2A0 + 48..0x2E8].iter().all(|b| *b == 0));
        assert!(report[0x2E8 + 48..0x330].iter().all(|b| *b == 0));
        let be = |range: core::ops::Range<usize>| {
            let mut v = report[range].to_vec();
            v.reverse();
            v
        };
        let r = be(0x2A0..0x2A0 + 48);
        let s = be(0x2E8..0x2E8 + 48);
        let signature =
            p384::ecdsa::Signature::from_slice(&[r, s].concat()).expect("valid scalars");
        let leaf = parse(pki.leaf(signer));
        let spki = leaf
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .expect("encode");
        let key = p384::ecdsa::VerifyingKey::from_public_key_der(&spki).expect("P-384 key");
        key.verify(&report[..0x2A0], &signature)
            .expect("report signature verifies");
        let mut tampered = report.clone();
        tampered[0x50] ^= 1;
        assert!(key.verify(&tampered[..0x2A0], &signature).is_err());
    }
}

#[test]
fn crl_builder() {
    let pki = AmdPki::cached(Product::Genoa);
    let ark = parse(&pki.ark);
    let der = pki
        .crl()
        .revoke_serial(0x20001, 1_667_217_600)
        .crl_number(4)
        .build();
    let crl = CertificateList::from_der(&der).expect("CRL parses");
    let tbs = &crl.tbs_cert_list;
    assert_eq!(tbs.issuer, ark.tbs_certificate.subject);
    let revoked = tbs.revoked_certificates.as_ref().expect("one entry");
    assert_eq!(revoked[0].serial_number.as_bytes(), [2, 0, 1]);
    assert_eq!(
        revoked[0].revocation_date.to_unix_duration().as_secs(),
        1_667_217_600
    );
    let tbs_der = tbs.to_der().expect("encode");
    assert!(pss_ok(&ark, &tbs_der, crl.signature.raw_bytes(), 48));

    let forged = pki.crl().signed_by(rogue_rsa()).build();
    let forged = CertificateList::from_der(&forged).expect("CRL parses");
    let forged_tbs = forged.tbs_cert_list.to_der().expect("encode");
    assert!(!pss_ok(&ark, &forged_tbs, forged.signature.raw_bytes(), 48));
    assert!(CertificateList::from_der(&pki.crl().build())
        .expect("parse")
        .tbs_cert_list
        .revoked_certificates
        .is_none());
}

#[test]
fn ark_pin_is_sha256_of_spki() {
    for product in Product::ALL {
        let pki = AmdPki::cached(product);
        let spki = parse(&pki.ark)
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .expect("encode");
        assert_eq!(
            pki.ark_spki_sha256(),
            <[u8; 32]>::from(Sha256::digest(spki))
        );
    }
    assert_ne!(
        AmdPki::cached(Product::Milan).ark_spki_sha256(),
        AmdPki::cached(Product::Genoa).ark_spki_sha256()
    );
}

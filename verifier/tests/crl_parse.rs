//! `Crl::from_der` reads CRLs with the workspace's DER reader (not x509-parser, which
//! decodes every revoked entry in full). These tests hold it to x509-parser's reading of
//! every real CRL and of fake ones, to DER's rules on every field, and to refusing what
//! Verdict does not process (critical extensions, versions other than v2).

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use testvectors::pki::intel::IntelPki;
use testvectors::pki::Ext;
use verifier::pki::{Crl, RevokedEntry};
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

/// Every DER CRL under the real vectors.
fn real_crls() -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains("crl") && n.ends_with(".der"))
            {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&testvectors::real::vectors_dir(), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let der = std::fs::read(&p).unwrap();
            (p, der)
        })
        .collect()
}

/// What a CRL says: issuer DER, thisUpdate, nextUpdate, entries.
type View = (Vec<u8>, u64, Option<u64>, Vec<RevokedEntry>);

/// What x509-parser reads from `der`.
fn x509_parser_view(der: &[u8]) -> Option<View> {
    let (rest, crl) = CertificateRevocationList::from_der(der).ok()?;
    if !rest.is_empty() {
        return None;
    }
    let secs = |t: x509_parser::time::ASN1Time| u64::try_from(t.timestamp()).ok();
    let tbs = &crl.tbs_cert_list;
    let entries = crl
        .iter_revoked_certificates()
        .map(|r| {
            let raw = r.raw_serial();
            let start = raw.iter().position(|b| *b != 0).unwrap_or(raw.len() - 1);
            Some(RevokedEntry {
                serial: raw[start..].to_vec(),
                revoked_at: secs(r.revocation_date)?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some((
        tbs.issuer.as_raw().to_vec(),
        secs(tbs.this_update)?,
        match tbs.next_update {
            Some(t) => Some(secs(t)?),
            None => None,
        },
        entries,
    ))
}

fn view(crl: &Crl) -> View {
    (
        crl.issuer().raw().to_vec(),
        crl.this_update().as_secs(),
        crl.next_update().map(|t| t.as_secs()),
        crl.revoked_entries().to_vec(),
    )
}

#[test]
fn every_real_crl_reads_as_x509_parser_reads_it() {
    let crls = real_crls();
    assert!(crls.len() >= 20, "{} real CRLs", crls.len());
    let mut entries = 0;
    for (path, der) in &crls {
        let ours = Crl::from_der(der).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let theirs = x509_parser_view(der).unwrap();
        assert_eq!(view(&ours), theirs, "{}", path.display());
        assert!(ours.signature_algorithm().is_ok(), "{}", path.display());
        entries += ours.revoked_entries().len();
    }
    // Intel's PCK CRLs list 44–57 revoked certificates each.
    assert!(entries > 200, "{entries} entries in all");
}

#[test]
fn fake_crls_read_as_x509_parser_reads_them() {
    let intel = IntelPki::cached();
    let amd = testvectors::pki::amd::AmdPki::cached(verifier::snp::Product::Milan);
    let far = testvectors::pki::time::DEFAULT_NOT_BEFORE + 40 * 365 * 86_400;
    for der in [
        intel.root_ca_crl().build(),
        intel.pck_crl().build(),
        intel.pck_crl().revoke(&[0x00, 0x80, 0x01]).build(),
        amd.crl().build(),
        amd.crl()
            .revoke_serial(7, testvectors::pki::time::DEFAULT_NOT_BEFORE)
            .build(),
        // After 2049 the times are GeneralizedTime.
        intel
            .pck_crl()
            .this_update(far)
            .next_update(far + 86_400)
            .build(),
        intel.pck_crl().modify(|s| s.next_update = None).build(),
    ] {
        let ours = Crl::from_der(&der).unwrap();
        assert_eq!(view(&ours), x509_parser_view(&der).unwrap());
    }
}

#[test]
fn revoked_serials_are_found_by_value() {
    let der = IntelPki::cached()
        .pck_crl()
        .revoke(&[0x00, 0x80, 0x01])
        .build();
    let crl = Crl::from_der(&der).unwrap();
    assert!(crl.revoked(&[0x80, 0x01]).is_some());
    assert!(crl.revoked(&[0x80, 0x02]).is_none());
}

/// Why `der` is refused, which must be for `kind`.
fn refused(der: &[u8], kind: &str) -> String {
    let e = Crl::from_der(der).unwrap_err();
    assert_eq!(e.kind(), kind, "{e}");
    e.to_string()
}

#[test]
fn a_critical_crl_extension_is_refused() {
    // An issuing distribution point (a partitioned CRL) or a delta CRL indicator is
    // critical; read as a complete CRL it would clear certificates it does not cover.
    for oid in ["2.5.29.28", "2.5.29.27", "2.5.29.20"] {
        let der = IntelPki::cached()
            .pck_crl()
            .modify(|s| s.extensions.push(Ext::new(oid, true, vec![0x30, 0x00])))
            .build();
        let e = refused(&der, "invalid_value");
        assert!(e.contains("crlExtensions") && e.contains("critical"), "{e}");
    }
    // The same extension, not critical, is read past.
    let der = IntelPki::cached()
        .pck_crl()
        .modify(|s| {
            s.extensions
                .push(Ext::new("2.5.29.28", false, vec![0x30, 0x00]))
        })
        .build();
    Crl::from_der(&der).unwrap();
}

#[test]
fn a_critical_entry_extension_is_refused() {
    // A critical entry extension (an indirect CRL's certificateIssuer) changes whose
    // certificates the entries are.
    let der = IntelPki::cached()
        .pck_crl()
        .modify(|s| s.entry_critical = true)
        .build();
    let e = refused(&der, "invalid_value");
    assert!(
        e.contains("crlEntryExtensions") && e.contains("critical"),
        "{e}"
    );
}

/// `der` with the `n`th occurrence of `from` replaced by `to` (same length).
fn patch(der: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let at = der
        .windows(from.len())
        .position(|w| w == from)
        .unwrap_or_else(|| panic!("{from:02x?} not found"));
    let mut out = der.to_vec();
    out[at..at + to.len()].copy_from_slice(to);
    out
}

#[test]
fn each_field_breaking_der_is_named() {
    let der = IntelPki::cached().pck_crl().build();
    // TBSCertList: SEQUENCE, then version INTEGER 1.
    let tbs_version = [0x02, 0x01, 0x01];
    for (bytes, kind, says) in [
        (
            patch(&der, &tbs_version, &[0x02, 0x01, 0x02]),
            "invalid_value",
            "CRL version",
        ),
        (
            patch(&der, &tbs_version, &[0x02, 0x01, 0x00]),
            "invalid_value",
            "CRL version",
        ),
        (
            [der.clone(), vec![0x00]].concat(),
            "trailing_data",
            "1 trailing bytes",
        ),
        (der[..der.len() - 1].to_vec(), "truncated", "needs"),
        (
            vec![0x30, 0x80, 0x00, 0x00],
            "malformed_der",
            "indefinite length",
        ),
        (Vec::new(), "truncated", "CertificateList"),
    ] {
        let e = refused(&bytes, kind);
        assert!(e.contains(says), "{e} should name {says}");
    }
    // thisUpdate: a UTCTime that names no day.
    let crl = Crl::from_der(&der).unwrap();
    let text = testvectors::pki::time::rfc3339(crl.this_update().as_secs());
    let utc = format!("{}{}", &text[2..4], &text[5..7]);
    let bad = patch(&der, utc.as_bytes(), b"2513");
    let e = refused(&bad, "invalid_value");
    assert!(e.contains("UTCTime is not YYMMDDHHMMSSZ"), "{e}");
}

#[test]
fn an_outer_algorithm_other_than_the_signed_one_is_a_mismatch() {
    // ecdsa-with-SHA384 outside, ecdsa-with-SHA256 inside.
    let der = IntelPki::cached()
        .pck_crl()
        .modify(|s| {
            s.outer_alg_override = Some(vec![
                0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03,
            ])
        })
        .build();
    let crl = Crl::from_der(&der).unwrap();
    assert_eq!(
        crl.signature_algorithm(),
        Err(verifier::error::CertErrorKind::AlgorithmMismatch)
    );
}

#[test]
fn an_algorithm_identifier_that_does_not_parse_is_malformed_not_a_mismatch() {
    // ecdsa-with-SHA256 with its OID's tag made INTEGER (which x509-parser's
    // AlgorithmIdentifier reads past): the TBS's copy comes first, the outer one last.
    let alg = [
        0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02,
    ];
    let der = IntelPki::cached().pck_crl().build();
    let at: Vec<usize> = der
        .windows(alg.len())
        .enumerate()
        .filter(|(_, w)| *w == alg)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(at.len(), 2);
    for (i, what) in [
        (at[0], "tbsCertList signature"),
        (at[1], "CRL signatureAlgorithm"),
    ] {
        let mut bad = der.clone();
        bad[i + 2] = 0x02;
        let e = refused(&bad, "malformed_der");
        assert!(e.contains(what), "{e}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any byte of a real CRL changed: never a panic, and whatever Verdict reads,
    /// x509-parser reads the same way (so the strict reader is never the lenient one).
    #[test]
    fn a_changed_byte_reads_as_x509_parser_reads_it(at in any::<prop::sample::Index>(), value in any::<u8>()) {
        let mut der = std::fs::read(
            testvectors::real::tdx_dir().join("cases/tdx-v4-phala-b0c06f-uptodate/collateral/pck_crl.der"),
        )
        .unwrap();
        let i = at.index(der.len());
        der[i] = value;
        if let Ok(ours) = Crl::from_der(&der) {
            let theirs = x509_parser_view(&der);
            prop_assert_eq!(Some(view(&ours)), theirs);
        }
    }
}

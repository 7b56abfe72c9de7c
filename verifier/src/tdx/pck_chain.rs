//! The PCK certificate chain of a DCAP quote: PCK → PCK Platform/Processor CA → Intel SGX
//! Root CA, parsed, with the PCK's SGX extension.
//!
//! A quote carries the whole chain (certification data type 5), only the PCK leaf (type
//! 4), or only the values Intel PCS serves the PCK certificate by (an encrypted PPID with
//! the platform's CPUSVN, PCESVN and PCE-ID: types 2 and 3). What the quote does not
//! carry comes from the collateral: the PCK certificate from PCS's `pckcert`, the PCK CA
//! and the root from the issuer chain of the CA's PCK CRL. A PCK certificate from the
//! collateral stands for the quote's platform only if its key verifies the quote's QE
//! report signature: another platform's (or another TCB level's) key cannot.

use super::pck_ext::PckExtension;
use super::quote::{
    pck_chain_pem, refuse_plain_ppid, CertificationData, EncryptedPpid, Quote, CERT_TYPE_PCK_CHAIN,
    CERT_TYPE_PCK_LEAF,
};
use crate::collateral::Bundle;
use crate::crypto::{CryptoProvider, Curve, EcdsaSig, HashAlg};
use crate::error::{Error, ParseError, ParseErrorKind, Unsupported};
use crate::needs::{CollateralKey, PckCa};
use crate::pki::{Certificate, PublicKey};

pub(super) const PCK_LEAF_CN: &str = "Intel SGX PCK Certificate";
pub(super) const PLATFORM_CA_CN: &str = "Intel SGX PCK Platform CA";
pub(super) const PROCESSOR_CA_CN: &str = "Intel SGX PCK Processor CA";
pub(super) const ROOT_CN: &str = "Intel SGX Root CA";
pub(super) const TCB_SIGNING_CN: &str = "Intel SGX TCB Signing";

/// SHA-256 of the whole DER of Intel's production SGX Root CA certificate (the one
/// `anchors::INTEL_SGX_ROOT_CA` pins by key). A root with exactly these bytes carries a
/// self-signature this module's tests verify, so a verification checks every other
/// property of it (pin, validity, names, CA) but not that signature again; a root with any
/// other bytes, the same key included, is checked in full.
pub(super) const KNOWN_ROOTS: [[u8; 32]; 1] = [[
    0x44, 0xa0, 0x19, 0x6b, 0x2b, 0x99, 0xf8, 0x89, 0xb8, 0xe1, 0x49, 0xe9, 0x5b, 0x80, 0x7a, 0x35,
    0x0e, 0x74, 0x24, 0x96, 0x43, 0x99, 0xe8, 0x85, 0xa7, 0xcb, 0xb8, 0xcc, 0xfa, 0xb6, 0x74, 0xd3,
]];

/// A PCK chain, parsed, with its PCK extension decoded.
#[derive(Debug)]
pub(crate) struct PckChain {
    pub(super) leaf: Certificate,
    pub(super) ca: Certificate,
    pub(super) root: Certificate,
    pub(super) pck: Result<PckExtension, Error>,
}

/// Where the PCK certificate of a quote is.
#[derive(Debug)]
pub(crate) enum PckSource<'q> {
    /// Type 5: the quote carries the whole chain.
    Chain,
    /// Type 4: the quote carries the leaf; CA and root come from the collateral.
    Leaf(Box<Certificate>),
    /// Types 2 and 3: PCS serves the leaf by these values; CA and root come from the
    /// collateral.
    Ppid(EncryptedPpid<'q>),
}

/// Where the quote's PCK certificate is. Type 1 (a PPID in clear text) is
/// [`Unsupported`]; a type-4 block that is not one PEM certificate is a parse error.
pub(super) fn pck_source<'q>(quote: &Quote<'q>) -> Result<PckSource<'q>, Error> {
    let cert = &quote.signature.certification;
    refuse_plain_ppid(cert)?;
    if let Some(ppid) = cert.encrypted_ppid() {
        return Ok(PckSource::Ppid(ppid));
    }
    match cert.cert_type {
        CERT_TYPE_PCK_CHAIN => Ok(PckSource::Chain),
        CERT_TYPE_PCK_LEAF => Ok(PckSource::Leaf(Box::new(parse_pck_leaf(cert)?))),
        // Types 2 and 3 were read above (their lengths are checked by `Quote::parse`),
        // and the parser accepts no other type.
        other => Err(Unsupported::CertificationDataType(
            other,
            "not a PCK certification data type (1 to 5)",
        )
        .into()),
    }
}

/// The PCK leaf of type-4 certification data: one PEM certificate, NUL-terminated.
fn parse_pck_leaf(cert: &CertificationData<'_>) -> Result<Certificate, Error> {
    let ders = pck_chain_pem(cert)?;
    let [der] = ders.as_slice() else {
        return Err(ParseError {
            what: "PCK certificate (certification data type 4)",
            offset: cert.offset,
            kind: ParseErrorKind::InvalidValue("must hold exactly 1 certificate, the PCK"),
        }
        .into());
    };
    Certificate::from_der(der)
}

/// The PCK chain a quote carries (type 5): exactly PCK, PCK CA, root. A certificate
/// `bundle` holds with the same bytes (the CA and the root, which the PCK CRL's issuer
/// chain carries too) is taken from it rather than parsed again.
pub(super) fn parse_pck_chain(
    quote: &Quote<'_>,
    bundle: Option<&Bundle>,
) -> Result<PckChain, Error> {
    let cert = &quote.signature.certification;
    if cert.cert_type != CERT_TYPE_PCK_CHAIN {
        return Err(Unsupported::CertificationDataType(
            cert.cert_type,
            "the quote does not carry its PCK chain",
        )
        .into());
    }
    let ders = pck_chain_pem(cert)?;
    let mut certs = ders
        .iter()
        .map(|d| match bundle {
            Some(b) => b.parse_certificate(d),
            None => Certificate::from_der(d),
        })
        .collect::<Result<Vec<_>, _>>()?
        .into_iter();
    let (Some(leaf), Some(ca), Some(root), None) =
        (certs.next(), certs.next(), certs.next(), certs.next())
    else {
        return Err(ParseError {
            what: "PCK certificate chain",
            offset: cert.offset,
            kind: ParseErrorKind::InvalidValue(
                "must hold 3 certificates: PCK, PCK CA, Intel SGX Root CA",
            ),
        }
        .into());
    };
    let pck = PckExtension::decode(&leaf);
    Ok(PckChain {
        leaf,
        ca,
        root,
        pck,
    })
}

/// The PCK CA named as `cert`'s issuer, if it is one.
pub(crate) fn issuing_ca(cert: &Certificate) -> Option<PckCa> {
    match cert.issuer().common_name() {
        Some(PLATFORM_CA_CN) => Some(PckCa::Platform),
        Some(PROCESSOR_CA_CN) => Some(PckCa::Processor),
        _ => None,
    }
}

/// The common name of a PCK CA.
pub(super) fn ca_cn(ca: PckCa) -> &'static str {
    match ca {
        PckCa::Platform => PLATFORM_CA_CN,
        PckCa::Processor => PROCESSOR_CA_CN,
    }
}

/// The key for the PCK certificate PCS serves by `ppid` (and a PCCS by the quote's
/// QE-ID).
pub(crate) fn pck_certificate_key(quote: &Quote<'_>, ppid: &EncryptedPpid<'_>) -> CollateralKey {
    let qe_id = quote
        .header
        .user_data
        .get(..16)
        .and_then(|id| id.try_into().ok())
        .unwrap_or([0; 16]);
    CollateralKey::IntelPckCertificate {
        encrypted_ppid: ppid.encrypted_ppid.to_vec(),
        cpusvn: ppid.cpu_svn,
        pcesvn: ppid.pce_svn,
        pceid: ppid.pce_id,
        qe_id,
    }
}

/// Whether `cert`'s key (ECDSA P-256) verifies the quote's QE report signature: the
/// certificate is then the PCK of the platform (and TCB level) that made the quote.
pub(super) fn signs_qe_report(
    provider: &dyn CryptoProvider,
    quote: &Quote<'_>,
    cert: &Certificate,
) -> bool {
    let PublicKey::Ec {
        curve: Curve::P256,
        point,
    } = cert.public_key()
    else {
        return false;
    };
    let sig = &quote.signature;
    provider
        .verify_ecdsa(
            Curve::P256,
            HashAlg::Sha256,
            point,
            sig.qe_report_raw,
            EcdsaSig::Fixed(&sig.qe_report_signature),
        )
        .is_ok()
}

/// The PCK certificates of `bundle` (by subject and issuer), in bundle order.
pub(super) fn pck_certificates(bundle: &Bundle) -> impl Iterator<Item = &Certificate> {
    bundle
        .certificates()
        .iter()
        .filter(|c| c.subject().common_name() == Some(PCK_LEAF_CN) && issuing_ca(c).is_some())
}

/// The PCK certificates of `bundle` whose key verifies the quote's QE report signature.
pub(super) fn bound_pck_certificates<'b>(
    provider: &dyn CryptoProvider,
    quote: &Quote<'_>,
    bundle: &'b Bundle,
) -> Vec<&'b Certificate> {
    pck_certificates(bundle)
        .filter(|c| signs_qe_report(provider, quote, c))
        .collect()
}

/// The certificates of `bundle` named as `cert`'s issuer, with one of `names`.
pub(super) fn issuers<'b>(
    bundle: &'b Bundle,
    cert: &Certificate,
    names: &[&str],
) -> Vec<&'b Certificate> {
    bundle
        .certificates()
        .iter()
        .filter(|c| {
            c.subject().raw() == cert.issuer().raw()
                && c.subject()
                    .common_name()
                    .is_some_and(|cn| names.contains(&cn))
        })
        .collect()
}

/// The PCK leaf a quote names without carrying the chain: its own (type 4), or the one
/// in `bundle` that verifies its QE report (types 2 and 3). `None` for type 5 (and for a
/// leaf not found).
pub(crate) fn known_leaf<'b>(
    provider: &dyn CryptoProvider,
    quote: &Quote<'_>,
    source: &'b PckSource<'_>,
    bundle: &'b Bundle,
) -> Option<&'b Certificate> {
    match source {
        PckSource::Chain => None,
        PckSource::Leaf(leaf) => Some(leaf),
        PckSource::Ppid(_) => bound_pck_certificates(provider, quote, bundle)
            .into_iter()
            .next(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::all_providers;
    use crate::pki::PathChecker;
    use crate::role::CertRole;

    fn real_root() -> Certificate {
        let pem = testvectors::real::read(
            "tdx/cases/tdx-v4-phala-b0c06f-uptodate/collateral/tcb_info_issuer_chain.pem",
        );
        crate::pem_blocks::parse(&pem)
            .unwrap()
            .into_iter()
            .filter_map(crate::pem_blocks::Block::certificate)
            .map(|der| Certificate::from_der(&der).unwrap())
            .find(|c| c.subject().common_name() == Some(ROOT_CN))
            .unwrap()
    }

    /// What lets `check_known_root` skip the self-signature: the bytes `KNOWN_ROOTS`
    /// names are Intel's root, and its self-signature verifies with every provider.
    #[test]
    fn the_known_root_is_intels_and_its_self_signature_verifies() {
        let root = real_root();
        for p in all_providers() {
            assert_eq!(
                p.hash(HashAlg::Sha256, &[root.der()]).as_ref(),
                KNOWN_ROOTS[0]
            );
            let checker = PathChecker {
                provider: p,
                cache: &crate::pki::SignatureCache::disabled(),
                now: root.not_before(),
            };
            let pins = [crate::anchors::INTEL_SGX_ROOT_CA];
            checker
                .check_root(&root, CertRole::IntelRoot, &pins)
                .unwrap();
            checker
                .check_known_root(&root, CertRole::IntelRoot, &pins, &KNOWN_ROOTS)
                .unwrap();
            // The pin still decides: the known bytes are refused by anchors without them.
            let e = checker
                .check_known_root(&root, CertRole::IntelRoot, &[[7; 32]], &KNOWN_ROOTS)
                .unwrap_err();
            assert_eq!(e.kind(), "untrusted_root");
        }
    }

    /// A root with the pinned key and any other bytes gets the self-signature check.
    #[test]
    fn a_root_with_other_bytes_gets_its_signature_checked() {
        let root = real_root();
        let mut der = root.der().to_vec();
        // The last byte of the signature's `s`: still DER, no longer a valid signature.
        let last = der.len() - 1;
        der[last] ^= 0x01;
        let forged = Certificate::from_der(&der).unwrap();
        let pins = [crate::anchors::INTEL_SGX_ROOT_CA];
        for p in all_providers() {
            let checker = PathChecker {
                provider: p,
                cache: &crate::pki::SignatureCache::disabled(),
                now: root.not_before(),
            };
            let e = checker
                .check_known_root(&forged, CertRole::IntelRoot, &pins, &KNOWN_ROOTS)
                .unwrap_err();
            assert_eq!(e.kind(), "certificate_signature", "{e}");
        }
    }
}

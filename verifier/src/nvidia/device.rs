//! The device certificate chain a GPU returns with its report, and what its attestation
//! (leaf) certificate says about the device: architecture and firmware id (FWID).

use x509_parser::der_parser::asn1_rs::{Any, Class, FromDer, Tag};

use super::spdm::AttestationReport;
use crate::collateral::Bundle;
use crate::crypto::{CryptoProvider, Curve, EcdsaSig, HashAlg};
use crate::error::{CertErrorKind, Error, Unsupported};
use crate::needs::CollateralKey;
use crate::pki::{check_signer_usage, CertRole, Certificate, PathChecker, PublicKey};

/// The FWID extension of Hopper attestation certificates (a RIoT-style composite device
/// id whose last element is `{sha384, digest}`).
const FWID_HOPPER: &str = "2.23.133.5.4.1";
/// TCG DICE TcbInfo, used by Blackwell: the FWID is the first entry of `fwids` ([6]).
const DICE_TCB_INFO: &str = "2.23.133.5.4.1.1";
/// id-sha384.
const SHA384_OID: &str = "2.16.840.1.101.3.4.2.2";
/// id-DMTF-eku-responder-auth (DMTF DSP0274 SPDM, leaf certificate EKU).
const ID_DMTF_EKU_RESPONDER_AUTH: &str = "1.3.6.1.4.1.412.274.3";
/// Longest chain accepted (NVIDIA's are 5 deep).
const MAX_CHAIN_LEN: usize = 8;

/// The GPU generation, from the attestation certificate's subject.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GpuArch {
    /// Hopper (GH100: H100, H200, H800).
    Hopper,
    /// Blackwell (GB100, GB110...).
    Blackwell,
}

impl GpuArch {
    /// The claim value (`hopper`, `blackwell`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Hopper => "hopper",
            Self::Blackwell => "blackwell",
        }
    }

    /// Reads the architecture from the chip name that starts the leaf's common name
    /// (`GH100 A01 GSP FMC LF`). NVSwitches (`LS_10 ...`) and unknown chips are refused.
    pub(crate) fn of_leaf(leaf: &Certificate) -> Result<(Self, String), Error> {
        let cn = leaf.subject().common_name().unwrap_or_default();
        let chip = cn.split(' ').next().unwrap_or_default().to_owned();
        let arch = if chip.starts_with("GH") {
            Self::Hopper
        } else if chip.starts_with("GB") {
            Self::Blackwell
        } else {
            return Err(Unsupported::NvidiaDevice(format!("{cn:?}")).into());
        };
        Ok((arch, chip))
    }
}

/// A device chain checked to a pinned root, leaf first.
#[derive(Debug, Clone)]
pub(crate) struct DeviceChain<'a> {
    /// Leaf first, root last.
    pub(crate) certs: Vec<&'a Certificate>,
    /// The attestation certificate.
    pub(crate) leaf: &'a Certificate,
}

impl<'a> DeviceChain<'a> {
    /// Checks `supplied` (leaf first, as the GPU returns it) as a path to a pinned root.
    /// When the GPU's chain stops below the root, a root from `extra` that issued the
    /// last certificate completes it.
    pub(crate) fn check(
        checker: &PathChecker<'_>,
        supplied: &'a [Certificate],
        extra: &'a [Certificate],
        pins: &[[u8; 32]],
    ) -> Result<Self, Error> {
        let Some(last) = supplied.last() else {
            return Err(Error::MissingCollateral {
                key: CollateralKey::NvidiaDeviceChain,
            });
        };
        let mut certs: Vec<&Certificate> = supplied.iter().collect();
        if last.subject().raw() != last.issuer().raw() {
            let root = extra
                .iter()
                .find(|c| c.subject().raw() == last.issuer().raw() && c.subject() == c.issuer())
                .ok_or_else(|| Error::MissingCollateral {
                    key: CollateralKey::NvidiaDeviceRoot {
                        issuer: last.issuer().display().to_owned(),
                    },
                })?;
            certs.push(root);
        }
        if certs.len() > MAX_CHAIN_LEN {
            return Err(Error::cert(
                CertRole::GpuAttestation,
                supplied.first().map_or("", |c| c.subject().display()),
                CertErrorKind::BadExtension {
                    name: "chain",
                    reason: format!("{} certificates, at most {MAX_CHAIN_LEN}", certs.len()),
                },
            ));
        }
        let Some((root, below_root)) = certs.split_last() else {
            return Err(Error::MissingCollateral {
                key: CollateralKey::NvidiaDeviceChain,
            });
        };
        checker.check_root(root, CertRole::GpuRoot, pins)?;
        let Some((leaf, _)) = below_root.split_first() else {
            return Err(Error::cert(
                CertRole::GpuAttestation,
                root.subject().display(),
                CertErrorKind::UnexpectedSubject {
                    expected: "attestation certificate (the chain holds only the root)",
                },
            ));
        };
        // Walk down from the root: certificate i is issued by certificate i + 1, and
        // has i intermediates beneath it (pathLenConstraint counts those).
        for (i, pair) in certs.windows(2).enumerate().rev() {
            let [cert, issuer] = pair else { continue };
            let role = if i == 0 {
                CertRole::GpuAttestation
            } else {
                CertRole::GpuCa
            };
            checker.check_issued(cert, role, issuer, u32::try_from(i).unwrap_or(u32::MAX))?;
        }
        check_attestation_key(leaf)?;
        let leaf = *leaf;
        Ok(Self { certs, leaf })
    }
}

/// The leaf signs reports: an end-entity P-384 key allowed to sign.
fn check_attestation_key(leaf: &Certificate) -> Result<(), Error> {
    let fail = |kind| Error::cert(CertRole::GpuAttestation, leaf.subject().display(), kind);
    if leaf.basic_constraints().is_some_and(|(ca, _)| ca) {
        return Err(fail(CertErrorKind::UnexpectedSubject {
            expected: "attestation certificate, not a CA (is the leaf missing?)",
        }));
    }
    // Its usage, not its name, says it may sign reports: every real leaf has a critical
    // keyUsage digitalSignature and no extendedKeyUsage; one with purposes must allow
    // SPDM responder authentication (or any purpose), never OCSP signing alone.
    check_signer_usage(
        leaf,
        CertRole::GpuAttestation,
        &[ID_DMTF_EKU_RESPONDER_AUTH],
    )?;
    if !matches!(
        leaf.public_key(),
        PublicKey::Ec {
            curve: Curve::P384,
            ..
        }
    ) {
        return Err(fail(CertErrorKind::UnexpectedKey(
            "the attestation key must be ECDSA P-384",
        )));
    }
    Ok(())
}

/// The FWID the attestation certificate carries, if it has the extension.
pub(crate) fn certificate_fwid(leaf: &Certificate) -> Result<Option<Vec<u8>>, Error> {
    let bad = |reason: &str| {
        Error::cert(
            CertRole::GpuAttestation,
            leaf.subject().display(),
            CertErrorKind::BadExtension {
                name: "FWID",
                reason: reason.to_owned(),
            },
        )
    };
    if let Some(ext) = leaf.extension(FWID_HOPPER) {
        return hopper_fwid(&ext.value).map(Some).ok_or_else(|| {
            bad("expected SEQUENCE { ..., SEQUENCE { sha384, OCTET STRING (48) } }")
        });
    }
    if let Some(ext) = leaf.extension(DICE_TCB_INFO) {
        return dice_fwid(&ext.value)
            .map(Some)
            .ok_or_else(|| bad("expected DiceTcbInfo with fwids[0] = { sha384, 48 bytes }"));
    }
    Ok(None)
}

/// Hopper: the extension's last element is `SEQUENCE { OID sha384, OCTET STRING }`.
fn hopper_fwid(value: &[u8]) -> Option<Vec<u8>> {
    let outer = whole(value, Tag::Sequence)?;
    let mut last = None;
    let mut rest = outer.data;
    while !rest.is_empty() {
        let (r, any) = Any::from_der(rest).ok()?;
        last = Some(any);
        rest = r;
    }
    fwid_entry(last?)
}

/// Blackwell: DiceTcbInfo `[6] IMPLICIT SEQUENCE OF FWID`, first entry.
fn dice_fwid(value: &[u8]) -> Option<Vec<u8>> {
    let outer = whole(value, Tag::Sequence)?;
    let mut rest = outer.data;
    while !rest.is_empty() {
        let (r, any) = Any::from_der(rest).ok()?;
        rest = r;
        if any.class() == Class::ContextSpecific && any.tag() == Tag(6) {
            let (_, first) = Any::from_der(any.data).ok()?;
            return fwid_entry(first);
        }
    }
    None
}

/// `SEQUENCE { hashAlg OID (sha384), digest OCTET STRING (48 bytes) }`.
fn fwid_entry(entry: Any<'_>) -> Option<Vec<u8>> {
    if entry.tag() != Tag::Sequence {
        return None;
    }
    let (rest, oid) = Any::from_der(entry.data).ok()?;
    let (rest, digest) = Any::from_der(rest).ok()?;
    let oid = crate::pki::dotted(&oid.as_oid().ok()?);
    (rest.is_empty()
        && oid == SHA384_OID
        && digest.tag() == Tag::OctetString
        && digest.data.len() == 48)
        .then(|| digest.data.to_vec())
}

/// The single DER value `bytes` holds, of tag `tag`.
fn whole(bytes: &[u8], tag: Tag) -> Option<Any<'_>> {
    let (rest, any) = Any::from_der(bytes).ok()?;
    (rest.is_empty() && any.tag() == tag).then_some(any)
}

/// A chain assembled from loose collateral certificates: the end-entity P-384
/// certificate (the one whose key verifies the report, when there are several), then
/// issuers by name.
pub(crate) fn chain_from_bundle(
    provider: &dyn CryptoProvider,
    collateral: &Bundle,
    report: &AttestationReport,
) -> Result<Vec<Certificate>, Error> {
    let missing = || Error::MissingCollateral {
        key: CollateralKey::NvidiaDeviceChain,
    };
    // With several candidates, the one whose key verifies the report; if none does,
    // the first, so the report is rejected for its signature rather than called missing.
    let candidates: Vec<&Certificate> = collateral
        .certificates()
        .iter()
        .filter(|c| !c.basic_constraints().is_some_and(|(ca, _)| ca))
        .filter(|c| {
            matches!(
                c.public_key(),
                PublicKey::Ec {
                    curve: Curve::P384,
                    ..
                }
            )
        })
        .collect();
    let leaf = match candidates.as_slice() {
        [] => return Err(missing()),
        [only] => *only,
        several => several
            .iter()
            .copied()
            .find(|c| signature_verifies(provider, c, report))
            .or_else(|| several.first().copied())
            .ok_or_else(missing)?,
    };
    let mut chain = vec![leaf.clone()];
    let mut current = leaf;
    while current.subject() != current.issuer() && chain.len() < 8 {
        let Some(issuer) = collateral
            .certificates()
            .iter()
            .find(|c| c.subject().raw() == current.issuer().raw())
        else {
            break;
        };
        chain.push(issuer.clone());
        current = issuer;
    }
    Ok(chain)
}

pub(crate) fn signature_verifies(
    provider: &dyn CryptoProvider,
    cert: &Certificate,
    report: &AttestationReport,
) -> bool {
    match cert.public_key() {
        PublicKey::Ec {
            curve: Curve::P384,
            point,
        } => provider
            .verify_ecdsa(
                Curve::P384,
                HashAlg::Sha384,
                point,
                report.signed_bytes(),
                EcdsaSig::Fixed(report.signature()),
            )
            .is_ok(),
        _ => false,
    }
}

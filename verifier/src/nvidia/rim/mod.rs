//! Reference integrity manifests: NVIDIA's signed SWID tags (XML, enveloped XMLDSig).
//!
//! A RIM lists the golden measurements of one driver, VBIOS or NVSwitch BIOS release. It
//! is an ISO/IEC 19770-2:2015 SWID tag (TCG PC Client RIM profile) signed with an
//! enveloped XML signature by an NVIDIA "Reference Value" signer whose certificate chain
//! travels in the signature's KeyInfo.
//!
//! [`Rim::parse`] reads the whole document once, strictly (see the `xml` module: no DTD, no
//! processing instructions, namespaces resolved), checks that the signature has the one
//! shape Verdict accepts (see the `xmldsig` module: a single `Signature`, child of the root,
//! one `Reference URI=""`, enveloped-signature then C14N 1.1, 1.0 or exclusive C14N,
//! ECDSA P-384 / SHA-384), and canonicalizes both the document without the signature and
//! SignedInfo. Verification is then cheap and repeatable:
//!
//! 1. [`Rim::verify_signature`]: SignatureValue verifies with the first KeyInfo
//!    certificate's P-384 key over the canonical SignedInfo, and SHA-384 of the canonical
//!    document equals DigestValue (SignedInfo is authenticated before its DigestValue is
//!    trusted);
//! 2. [`Rim::verify_chain`]: the KeyInfo certificates form the chain signer → CA(s) → root,
//!    the root's key is pinned, each certificate is valid at the checker's `now`, and the
//!    signer is an end entity allowed to sign (keyUsage digitalSignature; an
//!    extendedKeyUsage, if any, with codeSigning or anyExtendedKeyUsage).
//!
//! Revocation (OCSP for the signer and CAs) and the comparison with evidence are the
//! caller's.
//!
//! `Meta/@edition` is `GPU` in GPU driver and VBIOS RIMs (they tell each other apart by
//! their RIM ID and version, `550.90.07` against `96.00.9F.00.01`), and `SWITCH` in
//! NVSwitch BIOS RIMs. `Meta/@product` is the chip: `GH100`, `GB100`, `LS10`.

mod c14n;
mod swid;
mod xml;
mod xmldsig;

pub use c14n::C14nMethod;
pub use swid::RimMeasurement;

use crate::crypto::{CryptoProvider, Curve, HashAlg};
use crate::error::{CertErrorKind, Error, RimErrorKind};
use crate::pki::{
    check_signer_usage, verify_fixed_ecdsa, CertRole, Certificate, DigestMemo, PathChecker,
    PublicKey, SignatureCache,
};

/// id-kp-codeSigning: the one purpose fit for signing manifests when a RIM signer
/// restricts its purposes at all (besides anyExtendedKeyUsage).
const ID_KP_CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";

/// A parsed RIM whose signature profile has been checked, with its signed parts already
/// canonicalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rim {
    label: String,
    header: swid::Header,
    measurements: Vec<RimMeasurement>,
    signed: xmldsig::SignedParts,
    /// SHA-384 of the canonical document (compared with DigestValue).
    document_digest: DigestMemo,
    /// SHA-256 of the canonical SignedInfo (the signature cache key).
    signed_info_memo: DigestMemo,
}

impl Rim {
    /// Parses a signed SWID tag: well-formed XML (no DOCTYPE/DTD, only predefined entities
    /// and character references, no processing instructions), root `SoftwareIdentity` in
    /// the ISO 19770-2:2015 namespace, one `Meta` (colloquialVersion, product, edition,
    /// FirmwareManufacturerId), one `Payload` of measurement `Resource`s, and exactly one
    /// `ds:Signature`, a child of the root, in the accepted profile.
    ///
    /// # Errors
    /// [`Error::Parse`] ([`crate::error::ParseErrorKind::Xml`], with the byte offset) for
    /// XML that is not well-formed or uses a refused construct; [`Error::Rim`] for content
    /// or signature-profile problems.
    pub fn parse(xml: &[u8]) -> Result<Self, Error> {
        let root = xml::parse(xml)?;
        let header = swid::header(&root)?;
        let label = header.label();
        // The signature's shape first: a misplaced Signature is wrapping, not content.
        let signed = xmldsig::parse(&root, &label)?;
        let measurements = swid::measurements(&root, &label)?;
        Ok(Self {
            label,
            header,
            measurements,
            signed,
            document_digest: DigestMemo::default(),
            signed_info_memo: DigestMemo::default(),
        })
    }

    /// `Meta/@colloquialVersion`: the driver version (`550.90.07`) or the VBIOS / switch
    /// BIOS version (`96.00.9F.00.01`).
    pub fn colloquial_version(&self) -> &str {
        &self.header.colloquial_version
    }

    /// `Meta/@product`: the chip, e.g. `GH100`, `GB100`, `LS10`.
    pub fn product(&self) -> &str {
        &self.header.product
    }

    /// `Meta/@edition`: `GPU` for driver and VBIOS RIMs, `SWITCH` for NVSwitch BIOS RIMs.
    pub fn edition(&self) -> &str {
        &self.header.edition
    }

    /// `SoftwareIdentity/@tagId`.
    pub fn tag_id(&self) -> &str {
        &self.header.tag_id
    }

    /// `Meta/@FirmwareManufacturerId` (TCG RIM IM namespace), e.g. `5703` (NVIDIA's PCI-SIG
    /// vendor id in decimal; NVIDIA reports it as the `oemid` claim).
    pub fn manufacturer_id(&self) -> Option<&str> {
        self.header.manufacturer_id.as_deref()
    }

    /// Every `Resource type="Measurement"` of the Payload, in document order.
    pub fn measurements(&self) -> &[RimMeasurement] {
        &self.measurements
    }

    /// The KeyInfo certificates in document order: the signer first, the root last.
    pub fn certificates(&self) -> &[Certificate] {
        &self.signed.certificates
    }

    /// How errors name this RIM: `RIM GH100 550.90.07`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The canonical SignedInfo: the bytes SignatureValue signs.
    pub fn canonical_signed_info(&self) -> &[u8] {
        &self.signed.signed_info
    }

    /// The canonical document without its Signature: the bytes DigestValue digests.
    pub fn canonical_document(&self) -> &[u8] {
        &self.signed.document
    }

    fn error(&self, kind: RimErrorKind) -> Error {
        Error::Rim {
            rim: self.label.clone(),
            kind,
        }
    }

    /// Verifies the XML signature: SignatureValue (raw `r ‖ s`) verifies with the first
    /// certificate's P-384 key over the canonical SignedInfo (ECDSA P-384 / SHA-384), then
    /// SHA-384 of the canonical document without the Signature equals DigestValue. Digests
    /// are memoized and the signature goes through `cache`, so a repeated call costs a
    /// cache lookup and a comparison.
    ///
    /// # Errors
    /// [`RimErrorKind::BadSignature`], [`RimErrorKind::DigestMismatch`], or a
    /// [`CertErrorKind::UnexpectedKey`] for a signer without a P-384 key.
    pub fn verify_signature(
        &self,
        provider: &dyn CryptoProvider,
        cache: &SignatureCache,
    ) -> Result<(), Error> {
        let signer =
            self.signed.certificates.first().ok_or_else(|| {
                self.error(RimErrorKind::SignatureProfile("no certificates".into()))
            })?;
        let PublicKey::Ec {
            curve: Curve::P384,
            point,
        } = signer.public_key()
        else {
            return Err(Error::cert(
                CertRole::RimSigner,
                signer.subject().display(),
                CertErrorKind::UnexpectedKey("the RIM signer needs an ECDSA P-384 key"),
            ));
        };
        verify_fixed_ecdsa(
            provider,
            cache,
            (Curve::P384, HashAlg::Sha384),
            point,
            &self.signed.signed_info,
            Some(&self.signed_info_memo),
            &self.signed.signature_value,
        )
        .map_err(|_| self.error(RimErrorKind::BadSignature))?;
        let digest = self
            .document_digest
            .get_or_init(|| provider.hash(HashAlg::Sha384, &[&self.signed.document]));
        if digest.as_ref() != self.signed.digest_value.as_slice() {
            return Err(self.error(RimErrorKind::DigestMismatch));
        }
        Ok(())
    }

    /// Verifies the KeyInfo chain: the last certificate is the root and its key is pinned
    /// (`pins`: SHA-256 of SubjectPublicKeyInfo, e.g. [`crate::anchors::NVIDIA_RIM_ROOT_CA`]);
    /// each certificate is issued by the next one; roles are
    /// [`CertRole::RimSigner`] (first), [`CertRole::RimCa`] (between) and
    /// [`CertRole::RimRoot`] (last); every certificate is valid at `checker.now`; the
    /// signer is an end entity with keyUsage digitalSignature and, if it has an
    /// extendedKeyUsage, codeSigning or anyExtendedKeyUsage among its purposes.
    /// OCSP for these certificates is the caller's.
    ///
    /// # Errors
    /// [`Error::Certificate`] naming the first certificate that fails.
    pub fn verify_chain(&self, checker: &PathChecker<'_>, pins: &[[u8; 32]]) -> Result<(), Error> {
        let certs = &self.signed.certificates;
        let root = certs
            .last()
            .ok_or_else(|| self.error(RimErrorKind::SignatureProfile("no certificates".into())))?;
        checker.check_root(root, CertRole::RimRoot, pins)?;
        // Root first: each issuer is checked before what it issued.
        for (i, pair) in certs.windows(2).enumerate().rev() {
            if let [cert, issuer] = pair {
                let role = if i == 0 {
                    CertRole::RimSigner
                } else {
                    CertRole::RimCa
                };
                // Intermediates below `issuer` in the chain: pathLenConstraint counts them.
                let below = u32::try_from(i).unwrap_or(u32::MAX);
                checker.check_issued(cert, role, issuer, below)?;
            }
        }
        let Some(signer) = certs.first() else {
            return Ok(());
        };
        // The signer is an end entity: a CA key of the chain must not sign RIMs itself.
        if signer.basic_constraints().is_some_and(|(ca, _)| ca) {
            return Err(Error::cert(
                CertRole::RimSigner,
                signer.subject().display(),
                CertErrorKind::UnexpectedSubject {
                    expected: "RIM signing certificate, not a CA",
                },
            ));
        }
        // Nor may another end entity of the RIM CAs, such as their OCSP responders
        // (extendedKeyUsage OCSPSigning only). NVIDIA's RIM signers carry a critical
        // keyUsage digitalSignature and no extendedKeyUsage.
        check_signer_usage(signer, CertRole::RimSigner, &[ID_KP_CODE_SIGNING])
    }
}

/// Canonicalizes a whole document (without comments) with `method`: the canonical form
/// a `Reference URI=""` digests, here without removing any signature. Exposed for tests
/// and tools; the document must pass the same XML checks as [`Rim::parse`].
///
/// # Errors
/// [`Error::Parse`] for XML that is not well-formed or uses a refused construct.
pub fn canonicalize_document(xml: &[u8], method: C14nMethod) -> Result<Vec<u8>, Error> {
    let root = xml::parse(xml)?;
    Ok(c14n::canonicalize(&root, &[], method, None))
}

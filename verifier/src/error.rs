//! The verifier's error type: one enum, grouped by what went wrong, each variant carrying
//! what a user needs to act on it. [`Error::kind`] gives a stable snake_case id for tests,
//! JSON output and HTTP bodies; `Display` gives one readable line.

use thiserror::Error;

use crate::pki::CertRole;
use crate::snp::{Product, TcbComponent};
use crate::time::rfc3339;

/// Why evidence or collateral was not accepted.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    /// Bytes that do not form the structure they claim to be.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A well-formed value this verifier does not support (fail closed).
    #[error(transparent)]
    Unsupported(#[from] Unsupported),
    /// A certificate failed a check.
    #[error("{role} certificate ({subject}): {kind}")]
    Certificate {
        /// The role of the certificate in its chain.
        role: CertRole,
        /// Its subject, as a readable distinguished name.
        subject: String,
        /// The failed check.
        kind: CertErrorKind,
    },
    /// A certificate revocation list failed a check.
    #[error("CRL issued by {issuer}: {kind}")]
    Crl {
        /// The CRL's issuer name.
        issuer: String,
        /// The failed check.
        kind: CrlErrorKind,
    },
    /// Collateral needed for verification was not supplied.
    #[error("missing collateral: {what}")]
    MissingCollateral {
        /// What is missing, specific enough to fetch it.
        what: String,
    },
    /// The evidence and its certificates do not belong together.
    #[error(transparent)]
    Binding(#[from] BindingError),
    /// The evidence's own signature does not verify with its attestation key.
    #[error("{what} signature does not verify")]
    EvidenceSignature {
        /// What was signed (`attestation report`).
        what: &'static str,
    },
    /// The evidence is authentic but does not meet an expectation the caller set.
    #[error(transparent)]
    Expectation(#[from] ExpectationError),
}

/// The broad class of an error, which is what the CLI's exit code reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The input is not what it claims to be: it could not be parsed at all.
    Malformed,
    /// The evidence was read and is not acceptable.
    Rejected,
    /// Verification could not run for lack of collateral.
    MissingCollateral,
}

impl Error {
    /// The class of this error.
    pub fn class(&self) -> ErrorClass {
        match self {
            // A report of the right length whose fields are wrong is a rejected report;
            // only structure that cannot be read at all is malformed.
            Self::Parse(p)
                if matches!(
                    p.kind,
                    ParseErrorKind::Truncated { .. }
                        | ParseErrorKind::WrongLength { .. }
                        | ParseErrorKind::TrailingData { .. }
                        | ParseErrorKind::Der(_)
                ) =>
            {
                ErrorClass::Malformed
            }
            Self::MissingCollateral { .. } => ErrorClass::MissingCollateral,
            _ => ErrorClass::Rejected,
        }
    }

    /// A stable snake_case identifier of the failed check.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Parse(p) => p.kind.id(),
            Self::Unsupported(u) => u.id(),
            Self::Certificate { kind, .. } => kind.id(),
            Self::Crl { kind, .. } => kind.id(),
            Self::MissingCollateral { .. } => "missing_collateral",
            Self::Binding(b) => b.id(),
            Self::EvidenceSignature { .. } => "evidence_signature",
            Self::Expectation(e) => e.id(),
        }
    }

    pub(crate) fn cert(role: CertRole, subject: &str, kind: CertErrorKind) -> Self {
        Self::Certificate {
            role,
            subject: subject.to_owned(),
            kind,
        }
    }
}

/// Bytes that could not be parsed, with the field and its offset.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("malformed {what} at offset {offset:#x}: {kind}")]
pub struct ParseError {
    /// The field or structure being read.
    pub what: &'static str,
    /// Byte offset of the field in the input.
    pub offset: usize,
    /// What was wrong.
    pub kind: ParseErrorKind,
}

/// What was wrong with a parsed field.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseErrorKind {
    /// The input ended early.
    #[error("needs {needed} bytes, {available} available")]
    Truncated {
        /// Bytes the field needs.
        needed: usize,
        /// Bytes left in the input.
        available: usize,
    },
    /// The input has the wrong total length.
    #[error("expected {expected} bytes, got {actual}")]
    WrongLength {
        /// Expected length.
        expected: usize,
        /// Actual length.
        actual: usize,
    },
    /// Bytes left over after the structure.
    #[error("{extra} trailing bytes")]
    TrailingData {
        /// How many.
        extra: usize,
    },
    /// A reserved field that must be zero is not.
    #[error("reserved bytes must be zero")]
    NonZeroReserved,
    /// A field holds a value the specification does not allow.
    #[error("invalid value: {0}")]
    InvalidValue(&'static str),
    /// An ASN.1 DER structure failed to decode.
    #[error("DER: {0}")]
    Der(String),
}

impl ParseErrorKind {
    fn id(&self) -> &'static str {
        match self {
            Self::Truncated { .. } => "truncated",
            Self::WrongLength { .. } => "wrong_length",
            Self::TrailingData { .. } => "trailing_data",
            Self::NonZeroReserved => "nonzero_reserved",
            Self::InvalidValue(_) => "invalid_value",
            Self::Der(_) => "malformed_der",
        }
    }
}

/// A value this verifier does not accept because it does not know it.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Unsupported {
    /// SEV-SNP report version outside 2..=5.
    #[error("unsupported SEV-SNP report version {0} (supported: 2 to 5)")]
    ReportVersion(u32),
    /// SEV-SNP SIGNATURE_ALGO other than 1 (ECDSA P-384 with SHA-384).
    #[error("unsupported report signature algorithm {0} (supported: 1, ECDSA P-384 SHA-384)")]
    SignatureAlgo(u32),
    /// The report is not signed (SIGNING_KEY = NONE).
    #[error("the report is unsigned (SIGNING_KEY = NONE)")]
    UnsignedReport,
    /// CPUID family/model of no known product line.
    #[error("unknown AMD product: CPUID family {family:#04x} model {model:#04x}")]
    UnknownProduct {
        /// CPUID_FAM_ID.
        family: u8,
        /// CPUID_MOD_ID.
        model: u8,
    },
    /// A v2 report (no CPUID) whose product could not be determined.
    #[error(
        "cannot tell the product of a version 2 report: give it explicitly or supply the VCEK"
    )]
    ProductUndetermined,
}

impl Unsupported {
    fn id(&self) -> &'static str {
        match self {
            Self::ReportVersion(_) => "unsupported_version",
            Self::SignatureAlgo(_) => "unsupported_signature_algo",
            Self::UnsignedReport => "unsigned_report",
            Self::UnknownProduct { .. } => "unknown_product",
            Self::ProductUndetermined => "product_undetermined",
        }
    }
}

/// A failed certificate check.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CertErrorKind {
    /// Validity ended before `now`.
    #[error("expired at {}, verification time {}", rfc3339(*not_after), rfc3339(*now))]
    Expired {
        /// Verification time (seconds since the epoch).
        now: u64,
        /// notAfter.
        not_after: u64,
    },
    /// Validity starts after `now`.
    #[error("not valid before {}, verification time {}", rfc3339(*not_before), rfc3339(*now))]
    NotYetValid {
        /// Verification time.
        now: u64,
        /// notBefore.
        not_before: u64,
    },
    /// The issuer's signature does not verify.
    #[error("signature by {issuer} does not verify")]
    BadSignature {
        /// The issuer whose key was used.
        issuer: String,
    },
    /// The certificate's issuer name is not the subject of the certificate above it.
    #[error("issued by {issuer}, but the next certificate up is {candidate}")]
    IssuerMismatch {
        /// The issuer named in the certificate.
        issuer: String,
        /// The subject of the certificate offered as its issuer.
        candidate: String,
    },
    /// A root whose key is not pinned.
    #[error("root key (SPKI SHA-256 {spki_sha256}) is not a trusted anchor")]
    UntrustedRoot {
        /// Hex SHA-256 of the root's SubjectPublicKeyInfo.
        spki_sha256: String,
    },
    /// An issuing certificate that is not a CA (basicConstraints).
    #[error("is not a CA (basicConstraints cA is not true)")]
    NotCa,
    /// An issuing certificate whose keyUsage lacks keyCertSign.
    #[error("keyUsage does not allow certificate signing")]
    KeyUsage,
    /// A pathLenConstraint that the chain exceeds.
    #[error("pathLenConstraint {max} exceeded")]
    PathLenExceeded {
        /// The constraint.
        max: u32,
    },
    /// A signature algorithm this verifier does not accept.
    #[error("unsupported signature algorithm {oid}")]
    UnsupportedSignatureAlgorithm {
        /// Its OID.
        oid: String,
    },
    /// RSASSA-PSS parameters that are inconsistent or not accepted.
    #[error("RSASSA-PSS parameters rejected: {0}")]
    PssParameters(&'static str),
    /// TBS signature algorithm differs from the outer one (RFC 5280 §4.1.1.2).
    #[error("signatureAlgorithm differs from tbsCertificate.signature")]
    AlgorithmMismatch,
    /// The signing key type does not match the signature algorithm, or is unusable.
    #[error("issuer key is not usable for {0}")]
    KeyAlgorithmMismatch(&'static str),
    /// A public key of a type or curve the role does not allow.
    #[error("unexpected public key: {0}")]
    UnexpectedKey(&'static str),
    /// Listed in the issuer's CRL.
    #[error("revoked: serial {serial} listed in the CRL since {}", rfc3339(*revoked_at))]
    Revoked {
        /// Hex serial number.
        serial: String,
        /// revocationDate.
        revoked_at: u64,
    },
    /// A critical extension this verifier does not process (RFC 5280 §4.2).
    #[error("unhandled critical extension {oid}")]
    UnhandledCriticalExtension {
        /// Its OID.
        oid: String,
    },
    /// A required extension is absent.
    #[error("missing extension {name} ({oid})")]
    MissingExtension {
        /// Readable name.
        name: &'static str,
        /// OID.
        oid: &'static str,
    },
    /// An extension that does not decode or holds a wrong value.
    #[error("extension {name}: {reason}")]
    BadExtension {
        /// Readable name.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The certificate is for another product line than the evidence.
    #[error("belongs to {found}, the evidence is from {expected}")]
    WrongProduct {
        /// Product of the evidence.
        expected: Product,
        /// What the certificate names.
        found: String,
    },
}

impl CertErrorKind {
    fn id(&self) -> &'static str {
        match self {
            Self::Expired { .. } => "certificate_expired",
            Self::NotYetValid { .. } => "certificate_not_yet_valid",
            Self::BadSignature { .. } => "certificate_signature",
            Self::IssuerMismatch { .. } => "issuer_mismatch",
            Self::UntrustedRoot { .. } => "untrusted_root",
            Self::NotCa => "issuer_not_ca",
            Self::KeyUsage => "issuer_key_usage",
            Self::PathLenExceeded { .. } => "path_len_exceeded",
            Self::UnsupportedSignatureAlgorithm { .. } => "unsupported_signature_algorithm",
            Self::PssParameters(_) => "pss_parameters",
            Self::AlgorithmMismatch => "signature_algorithm_mismatch",
            Self::KeyAlgorithmMismatch(_) => "key_algorithm_mismatch",
            Self::UnexpectedKey(_) => "unexpected_key",
            Self::Revoked { .. } => "certificate_revoked",
            Self::UnhandledCriticalExtension { .. } => "unhandled_critical_extension",
            Self::MissingExtension { .. } => "missing_extension",
            Self::BadExtension { .. } => "bad_extension",
            Self::WrongProduct { .. } => "wrong_product",
        }
    }
}

/// A failed CRL check.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CrlErrorKind {
    /// The issuer's signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// nextUpdate is before `now`.
    #[error("stale: nextUpdate {}, verification time {}", rfc3339(*next_update), rfc3339(*now))]
    Expired {
        /// Verification time.
        now: u64,
        /// nextUpdate.
        next_update: u64,
    },
    /// thisUpdate is after `now`.
    #[error("not yet valid: thisUpdate {}, verification time {}", rfc3339(*this_update), rfc3339(*now))]
    NotYetValid {
        /// Verification time.
        now: u64,
        /// thisUpdate.
        this_update: u64,
    },
    /// No nextUpdate: freshness cannot be judged, so the CRL is not used.
    #[error("has no nextUpdate")]
    NoNextUpdate,
    /// A signature algorithm or parameters this verifier does not accept.
    #[error("unsupported signature: {0}")]
    Signature(CertErrorKind),
}

impl CrlErrorKind {
    fn id(&self) -> &'static str {
        match self {
            Self::BadSignature => "crl_signature",
            Self::Expired { .. } => "crl_expired",
            Self::NotYetValid { .. } => "crl_not_yet_valid",
            Self::NoNextUpdate => "crl_no_next_update",
            Self::Signature(_) => "crl_signature_algorithm",
        }
    }
}

/// Evidence and certificates that do not belong together.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BindingError {
    /// A TCB component in the VCEK/VLEK differs from the report's REPORTED_TCB.
    #[error("REPORTED_TCB {component} SPL is {report}, the {signer} certifies {certificate}")]
    TcbMismatch {
        /// The component.
        component: TcbComponent,
        /// Value in the report.
        report: u8,
        /// Value in the certificate.
        certificate: u8,
        /// `VCEK` or `VLEK`.
        signer: &'static str,
    },
    /// The VCEK's hwID is not the report's CHIP_ID.
    #[error("CHIP_ID {report} differs from the VCEK hwID {certificate}")]
    ChipIdMismatch {
        /// Hex CHIP_ID (significant part).
        report: String,
        /// Hex hwID.
        certificate: String,
    },
    /// On Turin only CHIP_ID[0..8] is the chip id; the rest must be zero.
    #[error("Turin CHIP_ID must be zero after byte 8")]
    ChipIdPadding,
    /// The report's SIGNING_KEY names one key kind, the certificate is the other.
    #[error("report is signed by the {report}, but the certificate is a {certificate}")]
    SignerMismatch {
        /// Per SIGNING_KEY.
        report: &'static str,
        /// Per certificate.
        certificate: &'static str,
    },
    /// The report's CPUID product differs from the certificate's product.
    #[error("report is from {report}, the {signer} is for {certificate}")]
    ProductMismatch {
        /// Per CPUID.
        report: Product,
        /// Per productName.
        certificate: String,
        /// `VCEK` or `VLEK`.
        signer: &'static str,
    },
}

impl BindingError {
    fn id(&self) -> &'static str {
        match self {
            Self::TcbMismatch { .. } => "tcb_mismatch",
            Self::ChipIdMismatch { .. } => "chip_id_mismatch",
            Self::ChipIdPadding => "chip_id_padding",
            Self::SignerMismatch { .. } => "signer_mismatch",
            Self::ProductMismatch { .. } => "product_mismatch",
        }
    }
}

/// An expectation set by the caller that authentic evidence does not meet.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExpectationError {
    /// A byte field differs from the expected value.
    #[error("{field} is {actual}, expected {expected}")]
    Mismatch {
        /// Field name (`report_data`, `measurement`, …).
        field: &'static str,
        /// Expected, hex.
        expected: String,
        /// Actual, hex.
        actual: String,
    },
    /// A digest that is not in the allowed set.
    #[error("{field} {actual} is not among the {count} trusted values")]
    NotTrusted {
        /// Field name.
        field: &'static str,
        /// Actual, hex.
        actual: String,
        /// Size of the allowed set.
        count: usize,
    },
    /// A TCB component below the required minimum.
    #[error("{which} {component} SPL is {actual}, minimum {minimum}")]
    TcbTooLow {
        /// Which TCB (`reported_tcb`, `launch_tcb`).
        which: &'static str,
        /// The component.
        component: TcbComponent,
        /// Required minimum.
        minimum: u8,
        /// Actual value.
        actual: u8,
    },
    /// A guest policy bit set that the caller forbids.
    #[error("guest policy allows {0}, which is not permitted")]
    PolicyForbidden(&'static str),
    /// A guest policy bit clear that the caller requires.
    #[error("guest policy does not require {0}, which is required")]
    PolicyRequired(&'static str),
    /// VMPL other than expected.
    #[error("VMPL is {actual}, expected {expected}")]
    Vmpl {
        /// Expected.
        expected: u32,
        /// Actual.
        actual: u32,
    },
    /// Report version below the minimum.
    #[error("report version {actual} is below the minimum {minimum}")]
    ReportVersion {
        /// Minimum.
        minimum: u32,
        /// Actual.
        actual: u32,
    },
    /// Guest SVN below the minimum.
    #[error("guest SVN {actual} is below the minimum {minimum}")]
    GuestSvn {
        /// Minimum.
        minimum: u32,
        /// Actual.
        actual: u32,
    },
    /// Product other than expected.
    #[error("product is {actual}, expected {expected}")]
    Product {
        /// Expected.
        expected: Product,
        /// Actual.
        actual: Product,
    },
    /// The caller requires a CRL check and no applicable CRL was supplied.
    #[error("no CRL for {0} was supplied and revocation checking is required")]
    CrlRequired(String),
    /// The caller requires an author key (AUTHOR_KEY_EN).
    #[error("no author key is present (AUTHOR_KEY_EN is 0) and one is required")]
    AuthorKeyRequired,
    /// A VLEK's cspID other than expected.
    #[error("VLEK cspID is {actual}, expected {expected}")]
    CspId {
        /// Expected.
        expected: String,
        /// Actual.
        actual: String,
    },
}

impl ExpectationError {
    fn id(&self) -> &'static str {
        match self {
            Self::Mismatch { field, .. } | Self::NotTrusted { field, .. } => match *field {
                "report_data" => "unexpected_report_data",
                "measurement" => "unexpected_measurement",
                "host_data" => "unexpected_host_data",
                "id_key_digest" => "untrusted_id_key",
                "author_key_digest" => "untrusted_author_key",
                "chip_id" => "unexpected_chip_id",
                _ => "unexpected_value",
            },
            Self::TcbTooLow { .. } => "tcb_too_low",
            Self::PolicyForbidden(_) => "guest_policy_forbidden",
            Self::PolicyRequired(_) => "guest_policy_required",
            Self::Vmpl { .. } => "unexpected_vmpl",
            Self::ReportVersion { .. } => "report_version_too_low",
            Self::GuestSvn { .. } => "guest_svn_too_low",
            Self::Product { .. } => "unexpected_product",
            Self::CrlRequired(_) => "crl_required",
            Self::AuthorKeyRequired => "author_key_required",
            Self::CspId { .. } => "unexpected_csp_id",
        }
    }
}

//! The verifier's error type: one enum, grouped by what went wrong, each variant carrying
//! what a user needs to act on it. [`Error::kind`] gives a stable snake_case id for tests,
//! JSON output and HTTP bodies; `Display` gives one readable line.

use std::fmt;

use thiserror::Error;

use crate::amd::{Product, TcbComponent};
use crate::role::CertRole;
use crate::time::rfc3339_secs as rfc3339;

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
    #[error("missing collateral: {key}")]
    MissingCollateral {
        /// What is missing, as the key [`crate::Evidence::requirements`] lists it (the
        /// `collateral` crate maps it to where the vendor serves it).
        key: crate::needs::CollateralKey,
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
    /// Signed vendor collateral other than certificates and CRLs (Intel TCB Info, QE
    /// Identity) failed a check.
    #[error(transparent)]
    Collateral(#[from] CollateralError),
    /// The platform's TCB could not be accepted (Intel TCB evaluation).
    #[error(transparent)]
    Tcb(#[from] TcbError),
    /// An OCSP response failed a check, or reports a certificate revoked.
    #[error("OCSP for {subject}: {kind}")]
    Ocsp {
        /// Subject of the certificate whose status was asked.
        subject: String,
        /// The failed check.
        kind: OcspErrorKind,
    },
    /// One device appears more than once in one piece of multi-device evidence (a copy of
    /// its evidence, or two reports it signed), so it would count as several.
    #[error("GPUs {first} and {second} are one device ({device_id})")]
    DuplicateDevice {
        /// The device's identity (`gpu.device_id`).
        device_id: String,
        /// Position of its first appearance.
        first: usize,
        /// Position of the repeat.
        second: usize,
    },
    /// An unsigned label that travels beside signed evidence (the `nonce` or `arch` of a
    /// GPU evidence file) says something other than the verified evidence. The label is
    /// what a reader of the file sees first, so a file that lies in it is refused.
    #[error(
        "the evidence's {label} label is {labelled}, the verified report's {label} is {verified}"
    )]
    EvidenceLabel {
        /// `nonce` or `arch`.
        label: &'static str,
        /// The label's value, as written.
        labelled: String,
        /// The value from the verified evidence.
        verified: String,
    },
    /// A reference integrity manifest (NVIDIA RIM, signed SWID XML) failed a check.
    #[error("{rim}: {kind}")]
    Rim {
        /// Which RIM (`driver RIM 550.90.07`, or the file's tagId when unknown).
        rim: String,
        /// The failed check.
        kind: RimErrorKind,
    },
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
            Self::Parse(p) if p.kind.is_malformed() => ErrorClass::Malformed,
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
            Self::Collateral(c) => c.id(),
            Self::Tcb(t) => t.id(),
            Self::Ocsp { kind, .. } => kind.id(),
            Self::Rim { kind, .. } => kind.id(),
            Self::DuplicateDevice { .. } => "duplicate_device",
            Self::EvidenceLabel { .. } => "evidence_label_mismatch",
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

/// Bytes that could not be parsed, or a parsed field whose value is not allowed, with
/// the field and its offset. Only the first are worded "malformed" (see
/// [`ParseErrorKind::is_malformed`]), so that the message and [`Error::class`] agree.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The field or structure being read.
    pub what: &'static str,
    /// Byte offset of the field in the input.
    pub offset: usize,
    /// What was wrong.
    pub kind: ParseErrorKind,
}

impl std::error::Error for ParseError {}

impl ParseError {
    /// A parse error for `what` at `offset` (the struct is non-exhaustive, so that it can
    /// gain context without breaking callers).
    pub fn new(what: &'static str, offset: usize, kind: ParseErrorKind) -> Self {
        Self { what, offset, kind }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self { what, offset, kind } = self;
        if kind.is_malformed() {
            write!(f, "malformed {what} at offset {offset:#x}: {kind}")
        } else {
            write!(f, "{what} at offset {offset:#x}: {kind}")
        }
    }
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
    /// A field holds a value the specification does not allow, in a structure that
    /// otherwise reads (a refusal on content: the error's class is Rejected).
    #[error("invalid value: {0}")]
    InvalidValue(&'static str),
    /// The bytes break a structural rule of the format (a wrong signature or message
    /// code, counts and sizes that do not add up): they are not that structure at all.
    #[error("{0}")]
    Structure(&'static str),
    /// An ASN.1 DER structure failed to decode.
    #[error("DER: {0}")]
    Der(String),
    /// JSON that does not parse or does not have the expected shape.
    #[error("JSON: {0}")]
    Json(String),
    /// XML that is not well-formed, or uses a construct Verdict refuses (DTDs).
    #[error("XML: {0}")]
    Xml(String),
    /// Text in none of the encodings the input may arrive in (hex, base64, PEM, JSON).
    #[error("not {0}")]
    Encoding(&'static str),
    /// A list of evidence without any item: nothing to verify, never a pass.
    #[error("empty: it holds no device's evidence")]
    Empty,
}

impl ParseErrorKind {
    /// Whether the input could not be read as the structure at all (class Malformed,
    /// worded "malformed"), as opposed to a readable structure refused on a field's value
    /// (class Rejected).
    pub fn is_malformed(&self) -> bool {
        match self {
            Self::Truncated { .. }
            | Self::WrongLength { .. }
            | Self::TrailingData { .. }
            | Self::Structure(_)
            | Self::Der(_)
            | Self::Json(_)
            | Self::Xml(_)
            | Self::Encoding(_)
            | Self::Empty => true,
            Self::NonZeroReserved | Self::InvalidValue(_) => false,
        }
    }

    fn id(&self) -> &'static str {
        match self {
            Self::Truncated { .. } => "truncated",
            Self::WrongLength { .. } => "wrong_length",
            Self::TrailingData { .. } => "trailing_data",
            Self::NonZeroReserved => "nonzero_reserved",
            Self::InvalidValue(_) => "invalid_value",
            Self::Structure(_) => "malformed_structure",
            Self::Der(_) => "malformed_der",
            Self::Json(_) => "malformed_json",
            Self::Xml(_) => "malformed_xml",
            Self::Encoding(_) => "malformed_encoding",
            Self::Empty => "empty",
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
    /// Intel quote version outside 3..=5.
    #[error("unsupported quote version {0} (supported: 3, 4 and 5)")]
    QuoteVersion(u16),
    /// Attestation key type other than 2 (ECDSA P-256).
    #[error("unsupported attestation key type {0} (supported: 2, ECDSA-256-with-P-256)")]
    AttestationKeyType(u16),
    /// TEE type other than SGX (0) and TDX (0x81).
    #[error("unsupported TEE type {0:#x} (supported: 0x0 SGX, 0x81 TDX)")]
    TeeType(u32),
    /// A quoting enclave from a vendor other than Intel.
    #[error("unsupported QE vendor id {0} (supported: Intel 939a7233f79c4ca9940a0db3957f0607)")]
    QeVendor(String),
    /// A v5 body type this verifier does not know, or that does not fit the TEE type.
    #[error("unsupported quote body type {body_type} for TEE type {tee_type:#x}")]
    BodyType {
        /// The body descriptor's type.
        body_type: u16,
        /// The header's TEE type.
        tee_type: u32,
    },
    /// A certification data type this verifier cannot use.
    #[error("unsupported certification data type {0}: {1}")]
    CertificationDataType(u16, &'static str),
    /// Bytes that are none of the evidence kinds Verdict reads, and no TEE was named.
    #[error("not evidence of a kind Verdict reads ({len} bytes after decoding): not an SEV-SNP report, a DCAP quote or NVIDIA GPU evidence")]
    UnknownEvidence {
        /// The input's length after decoding hex or base64.
        len: usize,
    },
    /// An event log given with an SGX quote: only TD quotes have RTMRs to replay it to.
    #[error("an event log was given, but only TDX quotes have RTMRs to replay it against")]
    EventLogWithoutTd,
    /// SPDM version other than 1.1 in a GPU attestation report.
    #[error("unsupported SPDM version {0:#04x} (supported: 0x11, SPDM 1.1)")]
    SpdmVersion(u8),
    /// A GET_MEASUREMENTS request that did not ask for a signature.
    #[error("the measurement request did not ask for a signature, so the report is unsigned")]
    UnsignedMeasurements,
    /// An opaque-data layout Verdict does not read yet.
    #[error("unsupported opaque data format: {0}")]
    OpaqueDataFormat(&'static str),
    /// A device NVIDIA makes that this verifier does not appraise.
    #[error("unsupported NVIDIA device {0} (supported: Hopper and Blackwell GPUs)")]
    NvidiaDevice(String),
    /// Collateral of a version or kind this verifier does not evaluate.
    #[error("unsupported {what}: {detail}")]
    CollateralVersion {
        /// `TCB Info`, `QE Identity`.
        what: &'static str,
        /// What was found.
        detail: String,
    },
    /// Azure vTPM evidence of a version whose meaning Verdict does not know.
    #[error("unsupported Azure vTPM evidence version {0} (supported: 0, 1 and 2)")]
    AzureEvidenceVersion(String),
    /// A TPM quote over PCRs Verdict does not read.
    #[error("unsupported TPM quote PCR selection: {0}")]
    PcrSelection(&'static str),
    /// An HCL report given without the TPM quote that makes it evidence.
    #[error("an Azure HCL report was given alone: its TPM quote (and for TDX the TD quote) must come with it, or give Trustee's evidence JSON")]
    HclReportAlone,
}

impl Unsupported {
    fn id(&self) -> &'static str {
        match self {
            Self::ReportVersion(_) => "unsupported_version",
            Self::SignatureAlgo(_) => "unsupported_signature_algo",
            Self::UnsignedReport => "unsigned_report",
            Self::UnknownProduct { .. } => "unknown_product",
            Self::ProductUndetermined => "product_undetermined",
            Self::QuoteVersion(_) => "unsupported_version",
            Self::AttestationKeyType(_) => "unsupported_attestation_key_type",
            Self::TeeType(_) => "unsupported_tee_type",
            Self::QeVendor(_) => "unsupported_qe_vendor",
            Self::BodyType { .. } => "unsupported_body_type",
            Self::CertificationDataType(..) => "unsupported_certification_data",
            Self::CollateralVersion { .. } => "unsupported_collateral_version",
            Self::AzureEvidenceVersion(_) => "unsupported_azure_evidence_version",
            Self::PcrSelection(_) => "unsupported_pcr_selection",
            Self::HclReportAlone => "hcl_report_alone",
            Self::UnknownEvidence { .. } => "unknown_evidence",
            Self::EventLogWithoutTd => "event_log_without_td",
            Self::SpdmVersion(_) => "unsupported_version",
            Self::UnsignedMeasurements => "unsigned_report",
            Self::OpaqueDataFormat(_) => "unsupported_opaque_data",
            Self::NvidiaDevice(_) => "unsupported_device",
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
    /// An end-entity certificate that signs (evidence, a manifest) whose keyUsage is absent
    /// or lacks digitalSignature (RFC 5280 §4.2.1.3).
    #[error("keyUsage does not allow digitalSignature (absent, or without it)")]
    SignerKeyUsage,
    /// An end-entity certificate that signs whose extendedKeyUsage names no purpose fit
    /// for what it signs (RFC 5280 §4.2.1.12), e.g. an OCSP responder certificate.
    #[error("extendedKeyUsage ({purposes}) allows none of {allowed}")]
    SignerExtendedKeyUsage {
        /// Its purposes, dotted OIDs.
        purposes: String,
        /// The purposes the role accepts, dotted OIDs.
        allowed: String,
    },
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
    /// A certificate in a fixed-role position whose subject is not that role's.
    #[error("is not the expected {expected}")]
    UnexpectedSubject {
        /// What the position requires.
        expected: &'static str,
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
            Self::SignerKeyUsage => "signer_key_usage",
            Self::SignerExtendedKeyUsage { .. } => "signer_extended_key_usage",
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
            Self::UnexpectedSubject { .. } => "unexpected_subject",
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

/// What was wrong with an OCSP response (RFC 6960).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OcspErrorKind {
    /// The responder did not answer `successful` (e.g. `unauthorized`).
    #[error("responder answered {0}")]
    ResponseStatus(&'static str),
    /// responseType other than id-pkix-ocsp-basic.
    #[error("unsupported response type {oid}")]
    UnsupportedResponseType {
        /// Dotted OID.
        oid: String,
    },
    /// CertID hash algorithm Verdict does not support.
    #[error("unsupported CertID hash algorithm {oid}")]
    UnsupportedHash {
        /// Dotted OID.
        oid: String,
    },
    /// The response's signature algorithm is unusable.
    #[error("unsupported signature: {0}")]
    Signature(CertErrorKind),
    /// The signature over tbsResponseData does not verify.
    #[error("signature by {signer} does not verify")]
    BadSignature {
        /// The signer (issuer or delegated responder) subject.
        signer: String,
    },
    /// The signer is neither the issuer nor a responder the issuer authorized.
    #[error("responder {responder} is not authorized: {reason}")]
    ResponderNotAuthorized {
        /// The responder's name or key hash.
        responder: String,
        /// Why not.
        reason: String,
    },
    /// The response was signed by a responder the issuer authorized, but whose certificate
    /// has expired by the verification time: it is no longer authorized to vouch for
    /// anything (RFC 6960 §3.2 item 4, §4.2.2.1).
    #[error("responder {responder} expired at {}, verification time {}", rfc3339(*not_after), rfc3339(*now))]
    ResponderExpired {
        /// The responder's subject.
        responder: String,
        /// Verification time.
        now: u64,
        /// The responder certificate's notAfter.
        not_after: u64,
    },
    /// The response holds no SingleResponse for this certificate's CertID.
    #[error("no status for serial {serial} in the response")]
    NoMatchingResponse {
        /// The certificate's serial (hex).
        serial: String,
    },
    /// The response nonce differs from the request's.
    #[error("nonce is {actual}, the request sent {expected}")]
    NonceMismatch {
        /// Hex nonce sent.
        expected: String,
        /// Hex nonce received (empty when absent).
        actual: String,
    },
    /// thisUpdate is after the verification time.
    #[error("not yet valid: thisUpdate {}, verification time {}", rfc3339(*this_update), rfc3339(*now))]
    NotYetValid {
        /// Verification time.
        now: u64,
        /// thisUpdate.
        this_update: u64,
    },
    /// nextUpdate has passed (or there is none and the response is older than allowed).
    #[error("stale: nextUpdate {}, verification time {}", rfc3339(*next_update), rfc3339(*now))]
    Stale {
        /// Verification time.
        now: u64,
        /// When the answer stopped counting: nextUpdate, or thisUpdate + the maximum age
        /// when the response has none, or its responder's notAfter when that came first.
        next_update: u64,
    },
    /// The certificate is revoked.
    #[error("revoked since {} (reason: {reason})", rfc3339(*revoked_at))]
    Revoked {
        /// revocationTime.
        revoked_at: u64,
        /// RFC 5280 reason name, or `unspecified` when absent.
        reason: String,
    },
    /// The responder does not know the certificate.
    #[error("status unknown to the responder")]
    Unknown,
    /// A critical response or single-response extension Verdict does not process
    /// (RFC 5280 §4.2 semantics, which RFC 6960 §4.4 extensions follow).
    #[error("unhandled critical extension {oid}")]
    UnhandledCriticalExtension {
        /// Dotted OID.
        oid: String,
    },
}

impl OcspErrorKind {
    fn id(&self) -> &'static str {
        match self {
            Self::ResponseStatus(_) => "ocsp_response_status",
            Self::UnsupportedResponseType { .. } => "ocsp_unsupported_response_type",
            Self::UnsupportedHash { .. } => "ocsp_unsupported_hash",
            Self::Signature(_) => "ocsp_signature_algorithm",
            Self::BadSignature { .. } => "ocsp_signature",
            Self::ResponderNotAuthorized { .. } => "ocsp_responder_not_authorized",
            Self::ResponderExpired { .. } => "ocsp_responder_expired",
            Self::NoMatchingResponse { .. } => "ocsp_no_matching_response",
            Self::NonceMismatch { .. } => "ocsp_nonce_mismatch",
            Self::NotYetValid { .. } => "ocsp_not_yet_valid",
            Self::Stale { .. } => "ocsp_stale",
            Self::Revoked { .. } => "ocsp_revoked",
            Self::Unknown => "ocsp_unknown",
            Self::UnhandledCriticalExtension { .. } => "ocsp_unhandled_critical_extension",
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
    /// The QE report does not vouch for the attestation key: its REPORTDATA is not
    /// SHA-256(attestation key ‖ QE authentication data) followed by 32 zero bytes.
    #[error("QE report data {actual} is not SHA-256(attestation key || QE auth data) || zeros ({expected})")]
    QeReportData {
        /// Expected, hex.
        expected: String,
        /// Actual, hex.
        actual: String,
    },
    /// The quote names its PCK certificate by encrypted PPID, and no PCK certificate in
    /// the collateral has the key that signed its QE report: each is another platform's
    /// (or another TCB level's).
    #[error("none of the {candidates} PCK certificates in the collateral has the key that signed the quote's QE report: they are for another platform or TCB level")]
    PckCertificate {
        /// How many PCK certificates the collateral holds.
        candidates: usize,
    },
    /// TCB Info for another platform or TEE than the quote's.
    #[error("TCB Info {field} is {collateral}, the quote's is {quote}")]
    TcbInfoMismatch {
        /// `fmspc`, `pceId` or `id`.
        field: &'static str,
        /// From the quote or its PCK certificate.
        quote: String,
        /// From the TCB Info.
        collateral: String,
    },
    /// The quote's TDX module is not the one the TCB Info describes.
    #[error("TDX module {field} is {quote}, TCB Info expects {collateral}")]
    TdxModule {
        /// `mrsigner_seam`, `seam_attributes` or `identity`.
        field: &'static str,
        /// From the quote.
        quote: String,
        /// From the TCB Info.
        collateral: String,
    },
    /// The quoting enclave is not the one the QE Identity describes.
    #[error("quoting enclave {field} is {quote}, QE Identity expects {collateral}")]
    QeIdentity {
        /// `mrsigner`, `isvprodid`, `miscselect`, `attributes` or `id`.
        field: &'static str,
        /// From the QE report.
        quote: String,
        /// From the QE Identity.
        collateral: String,
    },
    /// The report's FWID differs from the attestation certificate's.
    #[error("report FWID {report} differs from the attestation certificate's FWID {certificate}")]
    Fwid {
        /// FWID in the signed opaque data (hex).
        report: String,
        /// FWID in the certificate extension (hex, or `none`).
        certificate: String,
    },
    /// Replaying the event log does not give the quote's RTMR.
    #[error("event log replays RTMR{index} to {replayed}, the quote has {quoted}")]
    RtmrReplay {
        /// RTMR index 0..=3.
        index: usize,
        /// Replayed value, hex.
        replayed: String,
        /// Quoted value, hex.
        quoted: String,
    },
    /// The hardware report does not bind the HCL report's runtime data.
    #[error("{report} report_data[0..32] is {report_data}, but the runtime data's SHA-256 is {runtime_data}: the runtime data (and its attestation key) is not the one the hardware report vouches for")]
    RuntimeData {
        /// `SEV-SNP report` or `TD quote`.
        report: &'static str,
        /// The report's first 32 bytes of report_data, hex.
        report_data: String,
        /// SHA-256 of the runtime data, hex.
        runtime_data: String,
    },
    /// Version 2 evidence whose runtime data does not carry the TPM quote's nonce.
    #[error("runtime data user-data ({user_data}) does not begin with the TPM quote's nonce {nonce}, as version 2 evidence must")]
    UserDataNonce {
        /// user-data, hex (empty when absent).
        user_data: String,
        /// extraData, hex.
        nonce: String,
    },
    /// The PCR values do not digest to the quote's pcrDigest.
    #[error("the PCR values digest to {computed}, the TPM quote's pcrDigest is {quoted}")]
    PcrDigest {
        /// pcrDigest, hex.
        quoted: String,
        /// SHA-256 of the supplied values, hex.
        computed: String,
    },
    /// A number of PCR values that fits neither the selection nor the whole bank.
    #[error("{given} PCR values were given for a quote selecting {selected} PCRs")]
    PcrCount {
        /// PCRs the quote selects.
        selected: usize,
        /// Values given.
        given: usize,
    },
    /// The HCL report holds another kind of hardware report than the evidence endorses.
    #[error("the HCL report holds a {hcl} report, but the evidence endorses it with {evidence}")]
    HclReportType {
        /// The HCL report's kind.
        hcl: &'static str,
        /// What the evidence carries.
        evidence: &'static str,
    },
    /// The HCL report's TDREPORT is not the one the TD quote was made from.
    #[error("the HCL report's TDREPORT {field} differs from the TD quote's: the parts were not made together")]
    TdReport {
        /// The first differing field.
        field: &'static str,
    },
}

impl BindingError {
    fn id(&self) -> &'static str {
        match self {
            Self::RuntimeData { .. } => "runtime_data_binding",
            Self::UserDataNonce { .. } => "user_data_nonce_mismatch",
            Self::PcrDigest { .. } => "pcr_digest_mismatch",
            Self::PcrCount { .. } => "pcr_count_mismatch",
            Self::HclReportType { .. } => "hcl_report_type_mismatch",
            Self::TdReport { .. } => "td_report_mismatch",
            Self::TcbMismatch { .. } => "tcb_mismatch",
            Self::ChipIdMismatch { .. } => "chip_id_mismatch",
            Self::ChipIdPadding => "chip_id_padding",
            Self::SignerMismatch { .. } => "signer_mismatch",
            Self::ProductMismatch { .. } => "product_mismatch",
            Self::QeReportData { .. } => "qe_report_data",
            Self::PckCertificate { .. } => "pck_certificate_mismatch",
            Self::TcbInfoMismatch { .. } => "tcb_info_mismatch",
            Self::TdxModule { .. } => "tdx_module_mismatch",
            Self::QeIdentity { .. } => "qe_identity_mismatch",
            Self::RtmrReplay { .. } => "rtmr_replay_mismatch",
            Self::Fwid { .. } => "fwid_mismatch",
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
    /// A TCB status the caller does not accept.
    #[error("TCB status {status} is not among the accepted statuses ({allowed})")]
    TcbStatus {
        /// The status.
        status: String,
        /// The accepted ones, comma-separated.
        allowed: String,
    },
    /// A debug TD or enclave where the caller forbids one.
    #[error("{0} has the DEBUG attribute set, which is not permitted")]
    Debug(&'static str),
    /// RIMs are required, and the report does not name the version a RIM would be for.
    #[error("RIMs are required, and the report does not name its {0} version")]
    RimUnidentified(&'static str),
    /// Measurements differ from the RIMs and RIMs are required.
    #[error("measurements at RIM indices {indices:?} match no golden value")]
    MeasurementMismatch {
        /// Golden (RIM, 0-based) indices.
        indices: Vec<u32>,
    },
    /// TEE_TCB_SVN below the caller's minimum (compared byte by byte).
    #[error("TEE_TCB_SVN byte {index} is {actual}, minimum {minimum}")]
    TeeTcbSvn {
        /// Byte index.
        index: usize,
        /// Required minimum.
        minimum: u8,
        /// Actual value.
        actual: u8,
    },
    /// Evidence of another kind than the caller asked to verify (an SGX quote given to
    /// `verify_tdx`): the expectations for the asked kind could not apply to it.
    #[error("expected {expected} evidence, got {actual} evidence")]
    TeeMismatch {
        /// The kind the caller asked for (`tdx`, `sgx`).
        expected: &'static str,
        /// The kind the evidence is.
        actual: &'static str,
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
                "mr_td" => "unexpected_mr_td",
                "mr_config_id" => "unexpected_mr_config_id",
                "mr_owner" => "unexpected_mr_owner",
                "mr_owner_config" => "unexpected_mr_owner_config",
                "rtmr0" | "rtmr1" | "rtmr2" | "rtmr3" => "unexpected_rtmr",
                "mr_enclave" => "unexpected_mr_enclave",
                "mr_signer" => "unexpected_mr_signer",
                "nonce" | "tpm_extra_data" => "unexpected_nonce",
                "driver_version" => "untrusted_driver_version",
                "vbios_version" => "untrusted_vbios_version",
                _ => "unexpected_value",
            },
            Self::TcbTooLow { .. } => "tcb_too_low",
            Self::PolicyForbidden(_) => "guest_policy_forbidden",
            Self::PolicyRequired(_) => "guest_policy_required",
            Self::Vmpl { .. } => "unexpected_vmpl",
            Self::ReportVersion { .. } => "report_version_too_low",
            Self::GuestSvn { .. } => "guest_svn_too_low",
            Self::Product { .. } => "unexpected_product",
            Self::AuthorKeyRequired => "author_key_required",
            Self::CspId { .. } => "unexpected_csp_id",
            Self::TcbStatus { .. } => "tcb_status_not_allowed",
            Self::Debug(_) => "debug_not_allowed",
            Self::TeeTcbSvn { .. } => "tee_tcb_svn_too_low",
            Self::RimUnidentified(_) => "rim_unidentified",
            Self::MeasurementMismatch { .. } => "measurement_mismatch",
            Self::TeeMismatch { .. } => "tee_mismatch",
        }
    }
}

/// Signed collateral (Intel TCB Info, QE Identity) that failed a check.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CollateralError {
    /// Its signature does not verify with the TCB Signing key.
    #[error("{what} signature does not verify with the TCB Signing certificate")]
    Signature {
        /// `TCB Info` or `QE Identity`.
        what: &'static str,
    },
    /// nextUpdate is before `now`.
    #[error("{what} is stale: nextUpdate {}, verification time {}", rfc3339(*next_update), rfc3339(*now))]
    Expired {
        /// `TCB Info` or `QE Identity`.
        what: &'static str,
        /// Verification time.
        now: u64,
        /// nextUpdate.
        next_update: u64,
    },
    /// issueDate is after `now`.
    #[error("{what} is not yet valid: issueDate {}, verification time {}", rfc3339(*issue_date), rfc3339(*now))]
    NotYetValid {
        /// `TCB Info` or `QE Identity`.
        what: &'static str,
        /// Verification time.
        now: u64,
        /// issueDate.
        issue_date: u64,
    },
}

impl CollateralError {
    fn id(&self) -> &'static str {
        match self {
            Self::Signature { .. } => "collateral_signature",
            Self::Expired { .. } => "collateral_expired",
            Self::NotYetValid { .. } => "collateral_not_yet_valid",
        }
    }
}

/// A TCB that the vendor's collateral does not accept.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TcbError {
    /// No TCB level of the collateral is at or below the platform's TCB.
    #[error("TCB not supported: no {what} TCB level in the collateral matches {detail}")]
    NotSupported {
        /// `platform`, `TDX module` or `QE`.
        what: &'static str,
        /// The platform's values, readable.
        detail: String,
    },
    /// The matched TCB level is Revoked.
    #[error("TCB status is Revoked ({which})")]
    Revoked {
        /// Which component's level is revoked.
        which: String,
    },
}

impl TcbError {
    fn id(&self) -> &'static str {
        match self {
            Self::NotSupported { .. } => "tcb_not_supported",
            Self::Revoked { .. } => "tcb_revoked",
        }
    }
}

/// What was wrong with a reference integrity manifest.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RimErrorKind {
    /// The XMLDSig profile is not the one Verdict accepts (algorithm, reference URI,
    /// transforms, number of Signature elements, ...).
    #[error("unsupported XML signature: {0}")]
    SignatureProfile(String),
    /// The SHA-384 digest of the canonicalized document differs from DigestValue.
    #[error("digest of the signed document does not match DigestValue")]
    DigestMismatch,
    /// The ECDSA signature over the canonicalized SignedInfo does not verify.
    #[error("XML signature does not verify with the RIM signing certificate")]
    BadSignature,
    /// Driver and VBIOS RIMs both claim one measurement index.
    #[error("measurement index {index} is active in both the driver and the VBIOS RIM")]
    IndexConflict {
        /// The RIM (0-based) index.
        index: u32,
    },
    /// The RIM has no active measurements.
    #[error("has no active measurements")]
    NoMeasurements,
    /// A required element or attribute is missing or malformed.
    #[error("{0}")]
    Content(String),
    /// A measurement Resource that is malformed or inconsistent (index, active flag,
    /// alternatives and HashN attributes, digest size).
    #[error("measurement {}: {reason}", index.map_or_else(|| "without index".to_owned(), |i| format!("index {i}")))]
    Measurement {
        /// Its index, when it has a readable one.
        index: Option<u32>,
        /// What is wrong.
        reason: String,
    },
    /// Two measurement Resources with the same index.
    #[error("measurement index {index} appears more than once")]
    DuplicateIndex {
        /// The index.
        index: u32,
    },
}

impl RimErrorKind {
    fn id(&self) -> &'static str {
        match self {
            Self::SignatureProfile(_) => "rim_signature_profile",
            Self::DigestMismatch => "rim_digest_mismatch",
            Self::BadSignature => "rim_signature",
            Self::IndexConflict { .. } => "rim_index_conflict",
            Self::NoMeasurements => "rim_no_measurements",
            Self::Content(_) => "rim_content",
            Self::Measurement { .. } => "rim_measurement",
            Self::DuplicateIndex { .. } => "rim_duplicate_index",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(kind: ParseErrorKind) -> Error {
        ParseError {
            what: "field",
            offset: 0x10,
            kind,
        }
        .into()
    }

    fn cert(kind: CertErrorKind) -> Error {
        Error::cert(CertRole::Vcek, "CN=SEV-VCEK", kind)
    }

    fn crl(kind: CrlErrorKind) -> Error {
        Error::Crl {
            issuer: "CN=SEV-Milan".into(),
            kind,
        }
    }

    fn ocsp(kind: OcspErrorKind) -> Error {
        Error::Ocsp {
            subject: "CN=GH100 A01 GSP BROM".into(),
            kind,
        }
    }

    fn rim(kind: RimErrorKind) -> Error {
        Error::Rim {
            rim: "driver RIM 550.90.07".into(),
            kind,
        }
    }

    /// One arm per variant, with a representative value of it. The match in `variant` is
    /// exhaustive (no wildcard), so a new variant does not compile until it has an arm
    /// here, and with it an example that the wording test below then checks.
    macro_rules! variants {
        ($($name:literal: $pat:pat => $example:expr),* $(,)?) => {
            fn variant(e: &Error) -> &'static str {
                match e {
                    $($pat => $name,)*
                }
            }

            fn examples() -> Vec<(&'static str, Error)> {
                vec![$(($name, $example)),*]
            }
        };
    }

    use CertErrorKind as C;
    use ParseErrorKind as P;

    variants! {
        "parse truncated": Error::Parse(ParseError { kind: P::Truncated { .. }, .. }) =>
            parse(P::Truncated { needed: 4, available: 1 }),
        "parse wrong length": Error::Parse(ParseError { kind: P::WrongLength { .. }, .. }) =>
            parse(P::WrongLength { expected: 1184, actual: 1183 }),
        "parse trailing": Error::Parse(ParseError { kind: P::TrailingData { .. }, .. }) =>
            parse(P::TrailingData { extra: 2 }),
        "parse reserved": Error::Parse(ParseError { kind: P::NonZeroReserved, .. }) =>
            parse(P::NonZeroReserved),
        "parse invalid": Error::Parse(ParseError { kind: P::InvalidValue(_), .. }) =>
            parse(P::InvalidValue("must hold 3 certificates: PCK, PCK CA, Intel SGX Root CA")),
        "parse structure": Error::Parse(ParseError { kind: P::Structure(_), .. }) =>
            parse(P::Structure("the first event is not EV_NO_ACTION: not a crypto-agile log")),
        "parse der": Error::Parse(ParseError { kind: P::Der(_), .. }) =>
            parse(P::Der("indefinite length".into())),
        "parse json": Error::Parse(ParseError { kind: P::Json(_), .. }) =>
            parse(P::Json("[0].certificate: expected a string, found an object".into())),
        "parse xml": Error::Parse(ParseError { kind: P::Xml(_), .. }) =>
            parse(P::Xml("unexpected end of input".into())),
        "parse encoding": Error::Parse(ParseError { kind: P::Encoding(_), .. }) =>
            parse(P::Encoding("hex text of even length")),
        "parse empty": Error::Parse(ParseError { kind: P::Empty, .. }) => parse(P::Empty),

        "unsupported report version": Error::Unsupported(Unsupported::ReportVersion(_)) =>
            Unsupported::ReportVersion(9).into(),
        "unsupported signature algo": Error::Unsupported(Unsupported::SignatureAlgo(_)) =>
            Unsupported::SignatureAlgo(2).into(),
        "unsigned report": Error::Unsupported(Unsupported::UnsignedReport) =>
            Unsupported::UnsignedReport.into(),
        "unknown product": Error::Unsupported(Unsupported::UnknownProduct { .. }) =>
            Unsupported::UnknownProduct { family: 0x17, model: 0x31 }.into(),
        "product undetermined": Error::Unsupported(Unsupported::ProductUndetermined) =>
            Unsupported::ProductUndetermined.into(),
        "quote version": Error::Unsupported(Unsupported::QuoteVersion(_)) =>
            Unsupported::QuoteVersion(8827).into(),
        "attestation key type": Error::Unsupported(Unsupported::AttestationKeyType(_)) =>
            Unsupported::AttestationKeyType(3).into(),
        "tee type": Error::Unsupported(Unsupported::TeeType(_)) =>
            Unsupported::TeeType(0x42).into(),
        "qe vendor": Error::Unsupported(Unsupported::QeVendor(_)) =>
            Unsupported::QeVendor("00".repeat(16)).into(),
        "body type": Error::Unsupported(Unsupported::BodyType { .. }) =>
            Unsupported::BodyType { body_type: 9, tee_type: 0x81 }.into(),
        "certification data type": Error::Unsupported(Unsupported::CertificationDataType(..)) =>
            Unsupported::CertificationDataType(3, "no PCK chain").into(),
        "event log without td": Error::Unsupported(Unsupported::EventLogWithoutTd) =>
            Unsupported::EventLogWithoutTd.into(),
        "unknown evidence": Error::Unsupported(Unsupported::UnknownEvidence { .. }) =>
            Unsupported::UnknownEvidence { len: 3 }.into(),
        "spdm version": Error::Unsupported(Unsupported::SpdmVersion(_)) =>
            Unsupported::SpdmVersion(0x12).into(),
        "unsigned measurements": Error::Unsupported(Unsupported::UnsignedMeasurements) =>
            Unsupported::UnsignedMeasurements.into(),
        "opaque data format": Error::Unsupported(Unsupported::OpaqueDataFormat(_)) =>
            Unsupported::OpaqueDataFormat("version 2").into(),
        "nvidia device": Error::Unsupported(Unsupported::NvidiaDevice(_)) =>
            Unsupported::NvidiaDevice("NVSwitch (LS10)".into()).into(),
        "collateral version": Error::Unsupported(Unsupported::CollateralVersion { .. }) =>
            Unsupported::CollateralVersion { what: "TCB Info", detail: "version 4".into() }.into(),
        "azure evidence version": Error::Unsupported(Unsupported::AzureEvidenceVersion(_)) =>
            Unsupported::AzureEvidenceVersion("3".into()).into(),
        "pcr selection": Error::Unsupported(Unsupported::PcrSelection(_)) =>
            Unsupported::PcrSelection("the quote selects a PCR bank other than SHA-256").into(),
        "hcl report alone": Error::Unsupported(Unsupported::HclReportAlone) =>
            Unsupported::HclReportAlone.into(),

        "cert expired": Error::Certificate { kind: C::Expired { .. }, .. } =>
            cert(C::Expired { now: 2_000_000_000, not_after: 1_900_000_000 }),
        "cert not yet valid": Error::Certificate { kind: C::NotYetValid { .. }, .. } =>
            cert(C::NotYetValid { now: 1, not_before: 2 }),
        "cert signature": Error::Certificate { kind: C::BadSignature { .. }, .. } =>
            cert(C::BadSignature { issuer: "CN=SEV-Milan".into() }),
        "cert issuer mismatch": Error::Certificate { kind: C::IssuerMismatch { .. }, .. } =>
            cert(C::IssuerMismatch { issuer: "CN=A".into(), candidate: "CN=B".into() }),
        "cert untrusted root": Error::Certificate { kind: C::UntrustedRoot { .. }, .. } =>
            cert(C::UntrustedRoot { spki_sha256: "ab".repeat(32) }),
        "cert not ca": Error::Certificate { kind: C::NotCa, .. } => cert(C::NotCa),
        "cert key usage": Error::Certificate { kind: C::KeyUsage, .. } => cert(C::KeyUsage),
        "cert signer key usage": Error::Certificate { kind: C::SignerKeyUsage, .. } =>
            cert(C::SignerKeyUsage),
        "cert signer eku": Error::Certificate { kind: C::SignerExtendedKeyUsage { .. }, .. } =>
            cert(C::SignerExtendedKeyUsage {
                purposes: "1.3.6.1.5.5.7.3.9".into(),
                allowed: "2.5.29.37.0".into(),
            }),
        "cert path len": Error::Certificate { kind: C::PathLenExceeded { .. }, .. } =>
            cert(C::PathLenExceeded { max: 0 }),
        "cert unsupported alg": Error::Certificate { kind: C::UnsupportedSignatureAlgorithm { .. }, .. } =>
            cert(C::UnsupportedSignatureAlgorithm { oid: "1.2.840.113549.1.1.5".into() }),
        "cert pss": Error::Certificate { kind: C::PssParameters(_), .. } =>
            cert(C::PssParameters("salt length")),
        "cert alg mismatch": Error::Certificate { kind: C::AlgorithmMismatch, .. } =>
            cert(C::AlgorithmMismatch),
        "cert key alg mismatch": Error::Certificate { kind: C::KeyAlgorithmMismatch(_), .. } =>
            cert(C::KeyAlgorithmMismatch("ECDSA P-384")),
        "cert unexpected key": Error::Certificate { kind: C::UnexpectedKey(_), .. } =>
            cert(C::UnexpectedKey("RSA where P-384 is required")),
        "cert revoked": Error::Certificate { kind: C::Revoked { .. }, .. } =>
            cert(C::Revoked { serial: "01".into(), revoked_at: 1 }),
        "cert critical extension": Error::Certificate { kind: C::UnhandledCriticalExtension { .. }, .. } =>
            cert(C::UnhandledCriticalExtension { oid: "1.2.3".into() }),
        "cert missing extension": Error::Certificate { kind: C::MissingExtension { .. }, .. } =>
            cert(C::MissingExtension { name: "hwID", oid: "1.3.6.1.4.1.3704.1.4" }),
        "cert bad extension": Error::Certificate { kind: C::BadExtension { .. }, .. } =>
            cert(C::BadExtension { name: "hwID", reason: "not an OCTET STRING".into() }),
        "cert unexpected subject": Error::Certificate { kind: C::UnexpectedSubject { .. }, .. } =>
            cert(C::UnexpectedSubject { expected: "ASK" }),
        "cert wrong product": Error::Certificate { kind: C::WrongProduct { .. }, .. } =>
            cert(C::WrongProduct { expected: Product::Milan, found: "Genoa".into() }),

        "crl signature": Error::Crl { kind: CrlErrorKind::BadSignature, .. } =>
            crl(CrlErrorKind::BadSignature),
        "crl expired": Error::Crl { kind: CrlErrorKind::Expired { .. }, .. } =>
            crl(CrlErrorKind::Expired { now: 2, next_update: 1 }),
        "crl not yet valid": Error::Crl { kind: CrlErrorKind::NotYetValid { .. }, .. } =>
            crl(CrlErrorKind::NotYetValid { now: 1, this_update: 2 }),
        "crl no next update": Error::Crl { kind: CrlErrorKind::NoNextUpdate, .. } =>
            crl(CrlErrorKind::NoNextUpdate),
        "crl signature algorithm": Error::Crl { kind: CrlErrorKind::Signature(_), .. } =>
            crl(CrlErrorKind::Signature(C::AlgorithmMismatch)),

        "missing collateral": Error::MissingCollateral { .. } =>
            Error::MissingCollateral { key: crate::needs::CollateralKey::IntelRootCaCrl },

        "binding tcb": Error::Binding(BindingError::TcbMismatch { .. }) =>
            BindingError::TcbMismatch {
                component: TcbComponent::Snp,
                report: 22,
                certificate: 21,
                signer: "VCEK",
            }
            .into(),
        "binding chip id": Error::Binding(BindingError::ChipIdMismatch { .. }) =>
            BindingError::ChipIdMismatch { report: "aa".into(), certificate: "bb".into() }.into(),
        "binding chip id padding": Error::Binding(BindingError::ChipIdPadding) =>
            BindingError::ChipIdPadding.into(),
        "binding signer": Error::Binding(BindingError::SignerMismatch { .. }) =>
            BindingError::SignerMismatch { report: "VCEK", certificate: "VLEK" }.into(),
        "binding product": Error::Binding(BindingError::ProductMismatch { .. }) =>
            BindingError::ProductMismatch {
                report: Product::Genoa,
                certificate: "Milan".into(),
                signer: "VCEK",
            }
            .into(),
        "binding qe report data": Error::Binding(BindingError::QeReportData { .. }) =>
            BindingError::QeReportData { expected: "00".into(), actual: "01".into() }.into(),
        "binding pck certificate": Error::Binding(BindingError::PckCertificate { .. }) =>
            BindingError::PckCertificate { candidates: 2 }.into(),
        "binding tcb info": Error::Binding(BindingError::TcbInfoMismatch { .. }) =>
            BindingError::TcbInfoMismatch {
                field: "fmspc",
                quote: "00906ed50000".into(),
                collateral: "00806f050000".into(),
            }
            .into(),
        "binding tdx module": Error::Binding(BindingError::TdxModule { .. }) =>
            BindingError::TdxModule {
                field: "mrsigner_seam",
                quote: "00".into(),
                collateral: "01".into(),
            }
            .into(),
        "binding qe identity": Error::Binding(BindingError::QeIdentity { .. }) =>
            BindingError::QeIdentity { field: "mrsigner", quote: "00".into(), collateral: "01".into() }
                .into(),
        "binding fwid": Error::Binding(BindingError::Fwid { .. }) =>
            BindingError::Fwid { report: "00".into(), certificate: "none".into() }.into(),
        "binding rtmr": Error::Binding(BindingError::RtmrReplay { .. }) =>
            BindingError::RtmrReplay { index: 2, replayed: "00".into(), quoted: "01".into() }.into(),
        "binding runtime data": Error::Binding(BindingError::RuntimeData { .. }) =>
            BindingError::RuntimeData { report: "SEV-SNP report", report_data: "00".into(), runtime_data: "01".into() }.into(),
        "binding user data": Error::Binding(BindingError::UserDataNonce { .. }) =>
            BindingError::UserDataNonce { user_data: "00".into(), nonce: "01".into() }.into(),
        "binding pcr digest": Error::Binding(BindingError::PcrDigest { .. }) =>
            BindingError::PcrDigest { quoted: "00".into(), computed: "01".into() }.into(),
        "binding pcr count": Error::Binding(BindingError::PcrCount { .. }) =>
            BindingError::PcrCount { selected: 24, given: 23 }.into(),
        "binding hcl report type": Error::Binding(BindingError::HclReportType { .. }) =>
            BindingError::HclReportType { hcl: "TDX", evidence: "a VCEK (SEV-SNP)" }.into(),
        "binding td report": Error::Binding(BindingError::TdReport { .. }) =>
            BindingError::TdReport { field: "MRTD" }.into(),

        "evidence signature": Error::EvidenceSignature { .. } =>
            Error::EvidenceSignature { what: "attestation report" },

        "expect mismatch": Error::Expectation(ExpectationError::Mismatch { .. }) =>
            ExpectationError::Mismatch { field: "report_data", expected: "00".into(), actual: "01".into() }
                .into(),
        "expect not trusted": Error::Expectation(ExpectationError::NotTrusted { .. }) =>
            ExpectationError::NotTrusted { field: "measurement", actual: "00".into(), count: 2 }.into(),
        "expect tcb too low": Error::Expectation(ExpectationError::TcbTooLow { .. }) =>
            ExpectationError::TcbTooLow {
                which: "reported_tcb",
                component: TcbComponent::Tee,
                minimum: 2,
                actual: 1,
            }
            .into(),
        "expect policy forbidden": Error::Expectation(ExpectationError::PolicyForbidden(_)) =>
            ExpectationError::PolicyForbidden("debugging").into(),
        "expect policy required": Error::Expectation(ExpectationError::PolicyRequired(_)) =>
            ExpectationError::PolicyRequired("SMT disabled").into(),
        "expect vmpl": Error::Expectation(ExpectationError::Vmpl { .. }) =>
            ExpectationError::Vmpl { expected: 0, actual: 1 }.into(),
        "expect report version": Error::Expectation(ExpectationError::ReportVersion { .. }) =>
            ExpectationError::ReportVersion { minimum: 3, actual: 2 }.into(),
        "expect guest svn": Error::Expectation(ExpectationError::GuestSvn { .. }) =>
            ExpectationError::GuestSvn { minimum: 3, actual: 2 }.into(),
        "expect product": Error::Expectation(ExpectationError::Product { .. }) =>
            ExpectationError::Product { expected: Product::Milan, actual: Product::Turin }.into(),
        "expect author key": Error::Expectation(ExpectationError::AuthorKeyRequired) =>
            ExpectationError::AuthorKeyRequired.into(),
        "expect csp id": Error::Expectation(ExpectationError::CspId { .. }) =>
            ExpectationError::CspId { expected: "a".into(), actual: "b".into() }.into(),
        "expect tcb status": Error::Expectation(ExpectationError::TcbStatus { .. }) =>
            ExpectationError::TcbStatus { status: "OutOfDate".into(), allowed: "UpToDate".into() }
                .into(),
        "expect debug": Error::Expectation(ExpectationError::Debug(_)) =>
            ExpectationError::Debug("the TD").into(),
        "expect rim unidentified": Error::Expectation(ExpectationError::RimUnidentified(_)) =>
            ExpectationError::RimUnidentified("driver").into(),
        "expect measurement mismatch": Error::Expectation(ExpectationError::MeasurementMismatch { .. }) =>
            ExpectationError::MeasurementMismatch { indices: vec![1, 9] }.into(),
        "expect tee tcb svn": Error::Expectation(ExpectationError::TeeTcbSvn { .. }) =>
            ExpectationError::TeeTcbSvn { index: 0, minimum: 3, actual: 2 }.into(),
        "expect tee mismatch": Error::Expectation(ExpectationError::TeeMismatch { .. }) =>
            ExpectationError::TeeMismatch { expected: "tdx", actual: "sgx" }.into(),

        "collateral signature": Error::Collateral(CollateralError::Signature { .. }) =>
            CollateralError::Signature { what: "TCB Info" }.into(),
        "collateral expired": Error::Collateral(CollateralError::Expired { .. }) =>
            CollateralError::Expired { what: "TCB Info", now: 2, next_update: 1 }.into(),
        "collateral not yet valid": Error::Collateral(CollateralError::NotYetValid { .. }) =>
            CollateralError::NotYetValid { what: "QE Identity", now: 1, issue_date: 2 }.into(),

        "tcb not supported": Error::Tcb(TcbError::NotSupported { .. }) =>
            TcbError::NotSupported { what: "platform", detail: "SVNs 1,2,3".into() }.into(),
        "tcb revoked": Error::Tcb(TcbError::Revoked { .. }) =>
            TcbError::Revoked { which: "platform".into() }.into(),

        "ocsp response status": Error::Ocsp { kind: OcspErrorKind::ResponseStatus(_), .. } =>
            // RFC 6960's own status name: a word of the protocol, not Verdict's wording.
            ocsp(OcspErrorKind::ResponseStatus("malformedRequest")),
        "ocsp response type": Error::Ocsp { kind: OcspErrorKind::UnsupportedResponseType { .. }, .. } =>
            ocsp(OcspErrorKind::UnsupportedResponseType { oid: "1.2.3".into() }),
        "ocsp hash": Error::Ocsp { kind: OcspErrorKind::UnsupportedHash { .. }, .. } =>
            ocsp(OcspErrorKind::UnsupportedHash { oid: "1.2.3".into() }),
        "ocsp signature algorithm": Error::Ocsp { kind: OcspErrorKind::Signature(_), .. } =>
            ocsp(OcspErrorKind::Signature(C::AlgorithmMismatch)),
        "ocsp signature": Error::Ocsp { kind: OcspErrorKind::BadSignature { .. }, .. } =>
            ocsp(OcspErrorKind::BadSignature { signer: "CN=responder".into() }),
        "ocsp responder not authorized": Error::Ocsp { kind: OcspErrorKind::ResponderNotAuthorized { .. }, .. } =>
            ocsp(OcspErrorKind::ResponderNotAuthorized {
                responder: "CN=responder".into(),
                reason: "no id-kp-OCSPSigning".into(),
            }),
        "ocsp responder expired": Error::Ocsp { kind: OcspErrorKind::ResponderExpired { .. }, .. } =>
            ocsp(OcspErrorKind::ResponderExpired { responder: "CN=r".into(), now: 2, not_after: 1 }),
        "ocsp no matching response": Error::Ocsp { kind: OcspErrorKind::NoMatchingResponse { .. }, .. } =>
            ocsp(OcspErrorKind::NoMatchingResponse { serial: "01".into() }),
        "ocsp nonce": Error::Ocsp { kind: OcspErrorKind::NonceMismatch { .. }, .. } =>
            ocsp(OcspErrorKind::NonceMismatch { expected: "00".into(), actual: String::new() }),
        "ocsp not yet valid": Error::Ocsp { kind: OcspErrorKind::NotYetValid { .. }, .. } =>
            ocsp(OcspErrorKind::NotYetValid { now: 1, this_update: 2 }),
        "ocsp stale": Error::Ocsp { kind: OcspErrorKind::Stale { .. }, .. } =>
            ocsp(OcspErrorKind::Stale { now: 2, next_update: 1 }),
        "ocsp revoked": Error::Ocsp { kind: OcspErrorKind::Revoked { .. }, .. } =>
            ocsp(OcspErrorKind::Revoked { revoked_at: 1, reason: "keyCompromise".into() }),
        "ocsp unknown": Error::Ocsp { kind: OcspErrorKind::Unknown, .. } =>
            ocsp(OcspErrorKind::Unknown),
        "ocsp critical extension": Error::Ocsp { kind: OcspErrorKind::UnhandledCriticalExtension { .. }, .. } =>
            ocsp(OcspErrorKind::UnhandledCriticalExtension { oid: "1.2.3".into() }),

        "duplicate device": Error::DuplicateDevice { .. } =>
            Error::DuplicateDevice { device_id: "ab".repeat(32), first: 0, second: 1 },
        "evidence label": Error::EvidenceLabel { .. } =>
            Error::EvidenceLabel { label: "arch", labelled: "BLACKWELL".into(), verified: "hopper".into() },

        "rim signature profile": Error::Rim { kind: RimErrorKind::SignatureProfile(_), .. } =>
            rim(RimErrorKind::SignatureProfile("two Signature elements".into())),
        "rim digest": Error::Rim { kind: RimErrorKind::DigestMismatch, .. } =>
            rim(RimErrorKind::DigestMismatch),
        "rim signature": Error::Rim { kind: RimErrorKind::BadSignature, .. } =>
            rim(RimErrorKind::BadSignature),
        "rim index conflict": Error::Rim { kind: RimErrorKind::IndexConflict { .. }, .. } =>
            rim(RimErrorKind::IndexConflict { index: 3 }),
        "rim no measurements": Error::Rim { kind: RimErrorKind::NoMeasurements, .. } =>
            rim(RimErrorKind::NoMeasurements),
        "rim content": Error::Rim { kind: RimErrorKind::Content(_), .. } =>
            rim(RimErrorKind::Content("no Meta element".into())),
        "rim measurement": Error::Rim { kind: RimErrorKind::Measurement { .. }, .. } =>
            rim(RimErrorKind::Measurement { index: Some(3), reason: "no Hash1".into() }),
        "rim duplicate index": Error::Rim { kind: RimErrorKind::DuplicateIndex { .. }, .. } =>
            rim(RimErrorKind::DuplicateIndex { index: 3 }),
    }

    /// Whether `text` has "malformed" as a word of its own (not inside an identifier such
    /// as OCSP's `malformedRequest`).
    fn says_malformed(text: &str) -> bool {
        let lower = text.to_ascii_lowercase();
        lower.match_indices("malformed").any(|(at, word)| {
            let before = lower[..at].chars().next_back();
            let after = text[at + word.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_alphanumeric())
                && !after.is_some_and(|c| c.is_ascii_alphanumeric())
        })
    }

    /// Class and wording agree, for every variant: a Malformed error is input that did not
    /// parse and says so ("malformed ..."); a Rejected or MissingCollateral error never
    /// calls its input malformed (the CLI's exit code follows the class, and a message
    /// that says otherwise sends its reader the wrong way).
    #[test]
    fn class_and_wording_agree_for_every_variant() {
        let examples = examples();
        for (name, e) in &examples {
            assert_eq!(
                variant(e),
                *name,
                "the example for {name} is another variant"
            );
            let text = e.to_string();
            match e.class() {
                ErrorClass::Malformed => {
                    assert!(matches!(e, Error::Parse(_)), "{name}: {text}");
                    assert!(text.starts_with("malformed "), "{name}: {text}");
                }
                ErrorClass::Rejected | ErrorClass::MissingCollateral => {
                    assert!(!says_malformed(&text), "{name} ({:?}): {text}", e.class());
                }
            }
            assert!(!e.kind().is_empty(), "{name}");
        }
        // Every name once: two arms cannot share an example.
        let mut names: Vec<_> = examples.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), examples.len());
    }

    #[test]
    fn says_malformed_finds_the_word_only() {
        assert!(says_malformed("malformed report at offset 0x0"));
        assert!(says_malformed("the table is Malformed."));
        assert!(!says_malformed("responder answered malformedRequest"));
    }

    /// The three disagreements the review named: each now has a class its message fits.
    #[test]
    fn review_cases_have_matching_class_and_wording() {
        let structure = parse(P::Structure("signature is not \"CCEL\""));
        assert_eq!(structure.class(), ErrorClass::Malformed);
        assert_eq!(structure.kind(), "malformed_structure");
        let extra_certs = Error::from(ParseError {
            what: "PCK certificate chain",
            offset: 0x2f4,
            kind: P::InvalidValue("must hold 3 certificates: PCK, PCK CA, Intel SGX Root CA"),
        });
        assert_eq!(extra_certs.class(), ErrorClass::Rejected);
        assert_eq!(
            extra_certs.to_string(),
            "PCK certificate chain at offset 0x2f4: invalid value: must hold 3 certificates: \
             PCK, PCK CA, Intel SGX Root CA"
        );
        let spdm = Error::from(ParseError {
            what: "response SPDMVersion",
            offset: 0x25,
            kind: P::InvalidValue("differs from the request's"),
        });
        assert_eq!(spdm.class(), ErrorClass::Rejected);
        assert!(!says_malformed(&spdm.to_string()), "{spdm}");
    }
}

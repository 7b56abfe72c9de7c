//! OCSP responses (RFC 6960): parsing and verification against the certificate asked
//! about and its issuer.
//!
//! [`OcspResponse::from_der`] parses a whole `OCSPResponse` once, keeping the exact
//! `tbsResponseData` bytes that the signature covers. [`PathChecker::check_ocsp`] then
//! authenticates it as the answer about one certificate:
//!
//! 1. the responder answered `successful` with an `id-pkix-ocsp-basic` response;
//! 2. one SingleResponse's CertID names the certificate as issued by its issuer (name
//!    hash, key hash under the CertID's own hash algorithm, serial);
//! 3. the signer is the issuer itself, or a responder certificate from the response's
//!    `certs` that the issuer issued (checked at `producedAt`) with extendedKeyUsage
//!    id-kp-OCSPSigning (RFC 6960 §4.2.2.2);
//! 4. the signature verifies over `tbsResponseData`, and no extension Verdict does not
//!    process is critical;
//! 5. when the caller sent a nonce, the response carries the same one;
//! 6. the signer is currently authorized (RFC 6960 §3.2 item 4): its certificate is valid
//!    at `now`, so a responder that has expired since cannot vouch for anything
//!    ([`OcspErrorKind::ResponderExpired`]).
//!
//! What the response says is returned, not judged: the certificate status (good, revoked,
//! unknown) and the freshness of the answer at `now` are the caller's to act on. An answer
//! without nextUpdate is current for a bounded age after thisUpdate (RFC 5019 §6 lets a
//! client bound it; [`DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE`] unless the caller says).

mod parse;

use core::fmt;
use core::ops::Range;
use core::time::Duration;
use std::sync::Arc;

use quick_cache::sync::Cache;

use super::algorithm::{self, SignatureAlgorithm, VerifyError};
use super::cache::DigestMemo;
use super::{CertRole, Certificate, Name, PathChecker};
use crate::crypto::{CryptoProvider, Digest, HashAlg};
use crate::error::{CertErrorKind, Error, OcspErrorKind};
use crate::time::{from_secs, secs, UnixTime};

/// id-kp-OCSPSigning (RFC 6960 §4.2.2.2).
const ID_KP_OCSP_SIGNING: &str = "1.3.6.1.5.5.7.3.9";

/// How long an answer without nextUpdate counts as current after its thisUpdate, unless
/// the caller says otherwise: a day, the lifetime of NVIDIA's answers (which all carry a
/// nextUpdate a day after thisUpdate).
pub const DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE: Duration = Duration::from_secs(86_400);

/// A parsed OCSPResponse. Owns its DER and keeps the exact signed bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcspResponse {
    der: Vec<u8>,
    /// SHA-256 of `der`: the response's part of an [`OcspMemo`] key.
    der_memo: DigestMemo,
    outcome: Outcome,
}

/// What the responder sent, by responseStatus and responseType.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// A status other than `successful`: there is no body (RFC 6960 §4.2.1).
    Refused(ResponseStatus),
    /// `successful`, with a responseType other than id-pkix-ocsp-basic (not decoded).
    OtherType(String),
    /// `successful`, with a BasicOCSPResponse.
    Basic(Box<BasicResponse>),
}

/// A decoded BasicOCSPResponse.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BasicResponse {
    /// Where tbsResponseData lies in the response DER.
    tbs: Range<usize>,
    tbs_memo: DigestMemo,
    responder_id: ResponderId,
    produced_at: u64,
    responses: Vec<SingleResponse>,
    nonce: Option<Vec<u8>>,
    /// The first critical extension, of the response or of any SingleResponse, that
    /// Verdict does not process.
    unhandled_critical_extension: Option<String>,
    signature_algorithm: Result<SignatureAlgorithm, CertErrorKind>,
    signature: Vec<u8>,
    certs: Vec<Certificate>,
}

/// OCSPResponseStatus (RFC 6960 §4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseStatus {
    /// The response has valid confirmations.
    Successful,
    /// The request did not conform to the OCSP syntax.
    MalformedRequest,
    /// The responder reached an inconsistent internal state.
    InternalError,
    /// The responder cannot answer now.
    TryLater,
    /// The responder requires signed requests.
    SigRequired,
    /// The client may not query this responder (NVIDIA's answer about a GPU's FMC leaf).
    Unauthorized,
}

impl ResponseStatus {
    /// The RFC 6960 name (`successful`, `unauthorized`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Successful => "successful",
            Self::MalformedRequest => "malformedRequest",
            Self::InternalError => "internalError",
            Self::TryLater => "tryLater",
            Self::SigRequired => "sigRequired",
            Self::Unauthorized => "unauthorized",
        }
    }

    /// The status for an ENUMERATED value; 4 is unused and later values are undefined.
    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::Successful,
            1 => Self::MalformedRequest,
            2 => Self::InternalError,
            3 => Self::TryLater,
            5 => Self::SigRequired,
            6 => Self::Unauthorized,
            _ => return None,
        })
    }
}

/// How a response names its signer (RFC 6960 §4.2.2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponderId {
    /// The signer's subject name.
    ByName(Name),
    /// The SHA-1 of the signer's subjectPublicKey BIT STRING contents.
    ByKey(Vec<u8>),
}

impl ResponderId {
    /// Whether this names `cert` as the signer.
    fn names(&self, provider: &dyn CryptoProvider, cert: &Certificate) -> bool {
        match self {
            Self::ByName(name) => name.raw() == cert.subject().raw(),
            Self::ByKey(hash) => {
                let key_hash = provider.hash(HashAlg::Sha1, &[cert.subject_public_key_bits()]);
                hash.as_slice() == key_hash.as_ref()
            }
        }
    }
}

impl fmt::Display for ResponderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ByName(name) => f.write_str(name.display()),
            Self::ByKey(hash) => write!(f, "key SHA-1 {}", hex::encode(hash)),
        }
    }
}

/// One SingleResponse: the status of one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SingleResponse {
    /// Which certificate.
    pub cert_id: CertId,
    /// Its status.
    pub status: CertStatus,
    /// thisUpdate, seconds since the epoch.
    pub this_update: u64,
    /// nextUpdate, seconds since the epoch.
    pub next_update: Option<u64>,
}

/// A CertID: a certificate named by its issuer's name and key hashes and its serial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertId {
    /// The hash algorithm of both hashes.
    pub hash: OcspHash,
    /// Hash of the issuer's subject name (DER).
    pub issuer_name_hash: Vec<u8>,
    /// Hash of the issuer's subjectPublicKey BIT STRING contents.
    pub issuer_key_hash: Vec<u8>,
    /// The serial, big-endian without leading zeros (as [`Certificate::serial`]).
    pub serial: Vec<u8>,
}

impl CertId {
    /// Whether this CertID names `cert` as issued by `issuer`; `Err` with the hash
    /// algorithm's OID when it is not supported.
    fn identifies<'a>(
        &'a self,
        provider: &dyn CryptoProvider,
        cert: &Certificate,
        issuer: &Certificate,
    ) -> Result<bool, &'a str> {
        let alg = self.hash.hash_alg()?;
        Ok(self.serial == cert.serial()
            && self.issuer_name_hash == provider.hash(alg, &[issuer.subject().raw()]).as_ref()
            && self.issuer_key_hash
                == provider
                    .hash(alg, &[issuer.subject_public_key_bits()])
                    .as_ref())
    }
}

/// The hash algorithm of a CertID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OcspHash {
    /// SHA-1 (what OpenSSL's `OCSP_cert_to_id`, and so NVAT, uses).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384 (what NVIDIA's Python verifier uses).
    Sha384,
    /// SHA-512.
    Sha512,
    /// Another algorithm (dotted OID): such a CertID matches no certificate.
    Unsupported(String),
}

impl OcspHash {
    fn from_oid(oid: String) -> Self {
        match oid.as_str() {
            "1.3.14.3.2.26" => Self::Sha1,
            "2.16.840.1.101.3.4.2.1" => Self::Sha256,
            "2.16.840.1.101.3.4.2.2" => Self::Sha384,
            "2.16.840.1.101.3.4.2.3" => Self::Sha512,
            _ => Self::Unsupported(oid),
        }
    }

    fn hash_alg(&self) -> Result<HashAlg, &str> {
        match self {
            Self::Sha1 => Ok(HashAlg::Sha1),
            Self::Sha256 => Ok(HashAlg::Sha256),
            Self::Sha384 => Ok(HashAlg::Sha384),
            Self::Sha512 => Ok(HashAlg::Sha512),
            Self::Unsupported(oid) => Err(oid),
        }
    }
}

/// A certificate's status as the responder states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertStatus {
    /// Not revoked.
    Good,
    /// Revoked (or on hold).
    Revoked {
        /// revocationTime, seconds since the epoch.
        revoked_at: u64,
        /// revocationReason, when given.
        reason: Option<RevocationReason>,
    },
    /// The responder does not know the certificate.
    Unknown,
}

impl CertStatus {
    /// `good`, `revoked` or `unknown`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Good => "good",
            Self::Revoked { .. } => "revoked",
            Self::Unknown => "unknown",
        }
    }
}

/// CRLReason (RFC 5280 §5.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RevocationReason {
    /// unspecified (0).
    Unspecified,
    /// keyCompromise (1).
    KeyCompromise,
    /// cACompromise (2).
    CaCompromise,
    /// affiliationChanged (3).
    AffiliationChanged,
    /// superseded (4).
    Superseded,
    /// cessationOfOperation (5).
    CessationOfOperation,
    /// certificateHold (6): revoked for now, may be released.
    CertificateHold,
    /// removeFromCRL (8).
    RemoveFromCrl,
    /// privilegeWithdrawn (9).
    PrivilegeWithdrawn,
    /// aACompromise (10).
    AaCompromise,
}

impl RevocationReason {
    /// The RFC 5280 name (`keyCompromise`, `certificateHold`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Unspecified => "unspecified",
            Self::KeyCompromise => "keyCompromise",
            Self::CaCompromise => "cACompromise",
            Self::AffiliationChanged => "affiliationChanged",
            Self::Superseded => "superseded",
            Self::CessationOfOperation => "cessationOfOperation",
            Self::CertificateHold => "certificateHold",
            Self::RemoveFromCrl => "removeFromCRL",
            Self::PrivilegeWithdrawn => "privilegeWithdrawn",
            Self::AaCompromise => "aACompromise",
        }
    }

    /// The reason for an ENUMERATED value; 7 is unused.
    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::Unspecified,
            1 => Self::KeyCompromise,
            2 => Self::CaCompromise,
            3 => Self::AffiliationChanged,
            4 => Self::Superseded,
            5 => Self::CessationOfOperation,
            6 => Self::CertificateHold,
            8 => Self::RemoveFromCrl,
            9 => Self::PrivilegeWithdrawn,
            10 => Self::AaCompromise,
            _ => return None,
        })
    }
}

/// What one verified response says about one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcspStatus {
    /// The certificate's status.
    pub status: CertStatus,
    /// thisUpdate of the SingleResponse.
    pub this_update: u64,
    /// nextUpdate of the SingleResponse.
    pub next_update: Option<u64>,
    /// producedAt of the response.
    pub produced_at: u64,
    /// Whether the answer is current at the verification time.
    pub freshness: Freshness,
    /// The signer's subject (the issuer, or its delegated responder).
    pub responder: String,
}

/// Whether a SingleResponse is current at the verification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// `thisUpdate <= now <= nextUpdate`, or without a nextUpdate
    /// `thisUpdate <= now <= thisUpdate + maximum age`.
    Current,
    /// nextUpdate (without one, thisUpdate + the maximum age) has passed.
    Stale {
        /// nextUpdate, or thisUpdate + the maximum age when the answer has none.
        next_update: u64,
    },
    /// thisUpdate is still to come.
    NotYetValid {
        /// thisUpdate.
        this_update: u64,
    },
}

impl Freshness {
    /// The freshness of an answer valid from `this_update` to `next_update` at `now`.
    ///
    /// Without a nextUpdate the responder promises nothing about when newer information
    /// appears (RFC 6960 §4.2.2.1): such an answer is current for `max_age` after
    /// thisUpdate, never for ever. No clock skew is allowed: a tolerance here would
    /// silently lengthen every response's window, and a caller whose clock is known to
    /// lag can pass a later `now`.
    fn at(now: u64, this_update: u64, next_update: Option<u64>, max_age: Duration) -> Self {
        if now < this_update {
            return Self::NotYetValid { this_update };
        }
        let next_update =
            next_update.unwrap_or_else(|| this_update.saturating_add(max_age.as_secs()));
        if now > next_update {
            Self::Stale { next_update }
        } else {
            Self::Current
        }
    }
}

impl OcspResponse {
    /// Parses an OCSPResponse (DER). A response whose status is not `successful` parses
    /// (it has no body); [`PathChecker::check_ocsp`] reports its status.
    ///
    /// # Errors
    /// [`Error::Parse`] naming the field and its offset in `der`.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        Ok(Self {
            der: der.to_vec(),
            der_memo: DigestMemo::default(),
            outcome: parse::ocsp_response(der)?,
        })
    }

    /// The whole response, DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// responseStatus.
    pub fn response_status(&self) -> ResponseStatus {
        match &self.outcome {
            Outcome::Refused(status) => *status,
            Outcome::OtherType(_) | Outcome::Basic(_) => ResponseStatus::Successful,
        }
    }

    /// responseType (dotted OID), when the response has a body.
    pub fn response_type(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Refused(_) => None,
            Outcome::OtherType(oid) => Some(oid),
            Outcome::Basic(_) => Some(parse::ID_PKIX_OCSP_BASIC),
        }
    }

    fn basic(&self) -> Option<&BasicResponse> {
        match &self.outcome {
            Outcome::Basic(basic) => Some(basic.as_ref()),
            Outcome::Refused(_) | Outcome::OtherType(_) => None,
        }
    }

    /// The signed tbsResponseData bytes, exactly as received (empty without a basic body).
    pub fn tbs_response_data(&self) -> &[u8] {
        self.basic()
            .and_then(|b| self.der.get(b.tbs.clone()))
            .unwrap_or(&[])
    }

    /// responderID.
    pub fn responder_id(&self) -> Option<&ResponderId> {
        self.basic().map(|b| &b.responder_id)
    }

    /// producedAt.
    pub fn produced_at(&self) -> Option<UnixTime> {
        self.produced_at_secs().map(from_secs)
    }

    /// producedAt, seconds since the epoch (the unit of [`OcspStatus`]).
    pub(crate) fn produced_at_secs(&self) -> Option<u64> {
        self.basic().map(|b| b.produced_at)
    }

    /// The id-pkix-ocsp-nonce extension's value: the contents of the OCTET STRING it
    /// holds (RFC 8954), or its raw extnValue when that is not one OCTET STRING (as some
    /// older responders send it).
    pub fn nonce(&self) -> Option<&[u8]> {
        self.basic().and_then(|b| b.nonce.as_deref())
    }

    /// The SingleResponses, in order.
    pub fn responses(&self) -> &[SingleResponse] {
        self.basic().map_or(&[], |b| &b.responses)
    }

    /// The `certs` field: certificates the responder included (its delegated responder
    /// certificate and perhaps its chain). Unsigned: they are checked before use.
    pub fn certs(&self) -> &[Certificate] {
        self.basic().map_or(&[], |b| &b.certs)
    }

    /// The SingleResponse whose CertID names `cert` as issued by `issuer`: the issuer's
    /// name hash and key hash under the CertID's own hash algorithm, and the serial.
    /// The first one wins; a certificate whose issuer name is not `issuer`'s subject
    /// matches none.
    ///
    /// # Errors
    /// [`OcspErrorKind::UnsupportedHash`] when none matches and some CertID uses a hash
    /// algorithm Verdict does not support (it might have been about `cert`).
    pub fn find(
        &self,
        provider: &dyn CryptoProvider,
        cert: &Certificate,
        issuer: &Certificate,
    ) -> Result<Option<&SingleResponse>, Error> {
        if cert.issuer().raw() != issuer.subject().raw() {
            return Ok(None);
        }
        let mut unsupported = None;
        for single in self.responses() {
            match single.cert_id.identifies(provider, cert, issuer) {
                Ok(true) => return Ok(Some(single)),
                Ok(false) => {}
                Err(oid) => unsupported = unsupported.or(Some(oid)),
            }
        }
        match unsupported {
            Some(oid) => Err(ocsp_error(
                cert,
                OcspErrorKind::UnsupportedHash {
                    oid: oid.to_owned(),
                },
            )),
            None => Ok(None),
        }
    }
}

fn ocsp_error(cert: &Certificate, kind: OcspErrorKind) -> Error {
    Error::Ocsp {
        subject: cert.subject().display().to_owned(),
        kind,
    }
}

impl PathChecker<'_> {
    /// Authenticates `response` as the answer about `cert` issued by `issuer` (the steps
    /// in the module docs), and returns what it says. A revoked or unknown status and a
    /// stale answer are returned, not errors: the caller decides.
    ///
    /// `issuer` is the trust anchor of this check: the caller has already authenticated
    /// it (its chain), and the response is trusted as far as `issuer` vouches for its
    /// signer. Responder certificates are not themselves checked for revocation (RFC 6960
    /// §4.2.2.2.1 lets a CA exempt them; NVIDIA's are marked id-pkix-ocsp-nocheck).
    ///
    /// An answer without nextUpdate is current for [`DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE`]
    /// ([`Self::check_ocsp_with`] takes another bound).
    ///
    /// # Errors
    /// [`Error::Ocsp`] naming `cert`, with the first failed check.
    pub fn check_ocsp(
        &self,
        response: &OcspResponse,
        cert: &Certificate,
        issuer: &Certificate,
        expected_nonce: Option<&[u8]>,
    ) -> Result<OcspStatus, Error> {
        self.check_ocsp_with(
            response,
            cert,
            issuer,
            expected_nonce,
            DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE,
        )
    }

    /// [`Self::check_ocsp`], with an answer that has no nextUpdate counted as current for
    /// `max_age_without_next_update` after its thisUpdate.
    ///
    /// # Errors
    /// [`Error::Ocsp`] naming `cert`, with the first failed check.
    pub fn check_ocsp_with(
        &self,
        response: &OcspResponse,
        cert: &Certificate,
        issuer: &Certificate,
        expected_nonce: Option<&[u8]>,
        max_age_without_next_update: Duration,
    ) -> Result<OcspStatus, Error> {
        let single = self.find_answer(response, cert, issuer)?;
        self.authenticate(response, single, cert, issuer, expected_nonce)?
            .at(cert, self.now, max_age_without_next_update)
    }

    /// Steps 1 and 2: the response is a successful basic one with an answer about `cert`.
    fn find_answer<'r>(
        &self,
        response: &'r OcspResponse,
        cert: &Certificate,
        issuer: &Certificate,
    ) -> Result<&'r SingleResponse, Error> {
        let fail = |kind| ocsp_error(cert, kind);
        match &response.outcome {
            Outcome::Basic(_) => {}
            Outcome::Refused(status) => {
                return Err(fail(OcspErrorKind::ResponseStatus(status.name())))
            }
            Outcome::OtherType(oid) => {
                return Err(fail(OcspErrorKind::UnsupportedResponseType {
                    oid: oid.clone(),
                }))
            }
        }
        response.find(self.provider, cert, issuer)?.ok_or_else(|| {
            fail(OcspErrorKind::NoMatchingResponse {
                serial: hex::encode(cert.serial()),
            })
        })
    }

    /// Steps 3 to 5 for `single`, the answer about `cert` in `response`: everything
    /// but step 6, which depends on `now`. What it establishes depends only on the bytes
    /// of the response, `cert`, `issuer` and the nonce.
    fn authenticate(
        &self,
        response: &OcspResponse,
        single: &SingleResponse,
        cert: &Certificate,
        issuer: &Certificate,
        expected_nonce: Option<&[u8]>,
    ) -> Result<Authenticated, Error> {
        let fail = |kind| ocsp_error(cert, kind);
        let Some(basic) = response.basic() else {
            // `find_answer` found a SingleResponse, so there is a basic body.
            return Err(fail(OcspErrorKind::ResponseStatus(
                response.response_status().name(),
            )));
        };
        // 3. from the issuer or a responder it authorized
        let signer = self.authorized_signer(basic, issuer).map_err(fail)?;
        // 4. signed by it, with nothing critical left unprocessed
        self.verify_response_signature(response, basic, signer)
            .map_err(fail)?;
        if let Some(oid) = &basic.unhandled_critical_extension {
            return Err(fail(OcspErrorKind::UnhandledCriticalExtension {
                oid: oid.clone(),
            }));
        }
        // 5. answering this request
        check_nonce(expected_nonce, basic.nonce.as_deref()).map_err(fail)?;
        Ok(Authenticated {
            status: single.status,
            this_update: single.this_update,
            next_update: single.next_update,
            produced_at: basic.produced_at,
            responder: signer.subject().display().to_owned(),
            responder_not_before: signer.not_before_secs(),
            responder_not_after: signer.not_after_secs(),
        })
    }

    /// Steps 1 to 5 of [`Self::check_ocsp_with`] without a nonce, remembered in `memo`
    /// (only successes, keyed by the exact bytes of the response, `cert` and `issuer`).
    /// The caller evaluates step 6 and the freshness at `now` with
    /// [`Authenticated::at`] on every call.
    ///
    /// `Ok(None)` when the response has no answer about `cert` (or only CertIDs under a
    /// hash Verdict does not support): it cannot name this certificate.
    ///
    /// # Errors
    /// As [`Self::check_ocsp_with`], for steps 3 to 5.
    pub(crate) fn authenticated_answer(
        &self,
        memo: &OcspMemo,
        response: &OcspResponse,
        cert: &Certificate,
        issuer: &Certificate,
    ) -> Result<Option<Arc<Authenticated>>, Error> {
        let key = memo.key(self.provider, response, cert, issuer);
        let authenticated = match key.as_ref().and_then(|k| memo.get(k)) {
            Some(hit) => hit,
            None => {
                // A CertID hash we cannot compute cannot name this certificate for us.
                let Ok(Some(single)) = response.find(self.provider, cert, issuer) else {
                    return Ok(None);
                };
                let fresh = Arc::new(self.authenticate(response, single, cert, issuer, None)?);
                if let Some(k) = key {
                    memo.insert(k, Arc::clone(&fresh));
                }
                fresh
            }
        };
        Ok(Some(authenticated))
    }

    /// The certificate that signed `basic`: the issuer when the ResponderID names it,
    /// else the certificate from `certs` it names, which must be a responder the issuer
    /// authorized (RFC 6960 §4.2.2.2).
    fn authorized_signer<'c>(
        &self,
        basic: &'c BasicResponse,
        issuer: &'c Certificate,
    ) -> Result<&'c Certificate, OcspErrorKind> {
        let responder_id = &basic.responder_id;
        if responder_id.names(self.provider, issuer) {
            return Ok(issuer);
        }
        let refuse = |responder: String, reason: String| OcspErrorKind::ResponderNotAuthorized {
            responder,
            reason,
        };
        let Some(delegate) = basic
            .certs
            .iter()
            .find(|c| responder_id.names(self.provider, c))
        else {
            return Err(refuse(
                responder_id.to_string(),
                "it is neither the issuer nor a certificate in the response".to_owned(),
            ));
        };
        let subject = || delegate.subject().display().to_owned();
        // Whether the issuer authorized it is judged when it signed; that it is still
        // authorized at `now` is step 6, once the signature is known to be its own.
        let at_signing = PathChecker {
            now: from_secs(basic.produced_at),
            ..*self
        };
        at_signing
            .check_issued(delegate, CertRole::OcspResponder, issuer, 0)
            .map_err(|e| {
                let reason = match e {
                    Error::Certificate { kind, .. } => kind.to_string(),
                    other => other.to_string(),
                };
                refuse(subject(), format!("not authorized by the issuer: {reason}"))
            })?;
        // NVIDIA's device-identity responders list id-pkix-ocsp-nocheck here too; other
        // purposes next to OCSPSigning do not matter.
        let ocsp_signing = delegate
            .extended_key_usage()
            .is_some_and(|purposes| purposes.iter().any(|p| p == ID_KP_OCSP_SIGNING));
        if !ocsp_signing {
            return Err(refuse(
                subject(),
                "extendedKeyUsage lacks id-kp-OCSPSigning".to_owned(),
            ));
        }
        Ok(delegate)
    }

    fn verify_response_signature(
        &self,
        response: &OcspResponse,
        basic: &BasicResponse,
        signer: &Certificate,
    ) -> Result<(), OcspErrorKind> {
        let alg = basic
            .signature_algorithm
            .clone()
            .map_err(OcspErrorKind::Signature)?;
        algorithm::verify(
            self.provider,
            self.cache,
            alg,
            signer.public_key(),
            response.tbs_response_data(),
            Some(&basic.tbs_memo),
            &basic.signature,
        )
        .map_err(|e| match e {
            VerifyError::Bad => OcspErrorKind::BadSignature {
                signer: signer.subject().display().to_owned(),
            },
            VerifyError::Unusable(kind) => OcspErrorKind::Signature(kind),
        })
    }
}

/// A nonce the caller sent must come back unchanged; without one, any (or none) is fine.
fn check_nonce(expected: Option<&[u8]>, actual: Option<&[u8]>) -> Result<(), OcspErrorKind> {
    match expected {
        Some(expected) if actual != Some(expected) => Err(OcspErrorKind::NonceMismatch {
            expected: hex::encode(expected),
            actual: actual.map(hex::encode).unwrap_or_default(),
        }),
        _ => Ok(()),
    }
}

/// What steps 1 to 5 established about one response's answer about one certificate:
/// nothing here depends on the verification time.
#[derive(Debug, Clone)]
pub(crate) struct Authenticated {
    pub(crate) status: CertStatus,
    pub(crate) this_update: u64,
    pub(crate) next_update: Option<u64>,
    pub(crate) produced_at: u64,
    /// The signer's subject and validity window, for step 6.
    responder: String,
    responder_not_before: u64,
    responder_not_after: u64,
}

impl Authenticated {
    /// Step 6 at `now` (RFC 6960 §3.2 item 4: the signer's certificate is valid now; for
    /// the issuer itself the caller's chain check already holds this), and the answer's
    /// freshness at `now`.
    pub(crate) fn at(
        &self,
        cert: &Certificate,
        now: UnixTime,
        max_age: Duration,
    ) -> Result<OcspStatus, Error> {
        let now = secs(now);
        if now > self.responder_not_after {
            return Err(ocsp_error(
                cert,
                OcspErrorKind::ResponderExpired {
                    responder: self.responder.clone(),
                    now,
                    not_after: self.responder_not_after,
                },
            ));
        }
        if now < self.responder_not_before {
            return Err(ocsp_error(
                cert,
                OcspErrorKind::ResponderNotAuthorized {
                    responder: self.responder.clone(),
                    reason: CertErrorKind::NotYetValid {
                        now,
                        not_before: self.responder_not_before,
                    }
                    .to_string(),
                },
            ));
        }
        Ok(OcspStatus {
            status: self.status,
            this_update: self.this_update,
            next_update: self.next_update,
            produced_at: self.produced_at,
            freshness: Freshness::at(now, self.this_update, self.next_update, max_age),
            responder: self.responder.clone(),
        })
    }
}

/// Responses already authenticated (steps 1 to 5, without a nonce) as the answer about a
/// certificate, so a warm verification re-evaluates only what depends on `now`: whether
/// the signer is still valid, and the answer's freshness.
///
/// Keyed by the SHA-256 of the whole response and of both certificates' TBSCertificate
/// (which holds everything steps 1 to 5 read of them: serial, names, key, extensions);
/// only successes are kept, so a response that failed is checked in full again. Bounded
/// and evicting like [`super::SignatureCache`].
#[derive(Debug)]
pub(crate) struct OcspMemo {
    /// `None` when disabled (capacity 0).
    entries: Option<Cache<(Digest, Digest, Digest), Arc<Authenticated>>>,
}

impl Default for OcspMemo {
    fn default() -> Self {
        // A device chain has three covered certificates and each RIM chain three; a few
        // thousand answers cover a fleet's distinct chips at a few hundred bytes each.
        Self::with_capacity(4096)
    }
}

impl OcspMemo {
    /// A memo holding about `capacity` answers; 0 disables it.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: (capacity > 0).then(|| Cache::new(capacity)),
        }
    }

    /// A memo that never remembers anything.
    pub(crate) fn disabled() -> Self {
        Self::with_capacity(0)
    }

    fn key(
        &self,
        provider: &dyn CryptoProvider,
        response: &OcspResponse,
        cert: &Certificate,
        issuer: &Certificate,
    ) -> Option<(Digest, Digest, Digest)> {
        self.entries.as_ref()?;
        let tbs = |c: &Certificate| {
            c.tbs_memo()
                .get_or_init(|| provider.hash(HashAlg::Sha256, &[c.tbs()]))
        };
        let whole = response
            .der_memo
            .get_or_init(|| provider.hash(HashAlg::Sha256, &[response.der()]));
        Some((whole, tbs(cert), tbs(issuer)))
    }

    fn get(&self, key: &(Digest, Digest, Digest)) -> Option<Arc<Authenticated>> {
        self.entries.as_ref()?.get(key)
    }

    fn insert(&self, key: (Digest, Digest, Digest), value: Arc<Authenticated>) {
        if let Some(e) = &self.entries {
            e.insert(key, value);
        }
    }
}

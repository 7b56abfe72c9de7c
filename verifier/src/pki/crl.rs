//! An X.509 certificate revocation list (RFC 5280 §5), parsed once into owned values.
//!
//! The structure is read with the workspace's strict DER reader rather than x509-parser:
//! x509-parser decodes every revoked entry into a big-integer serial and parsed
//! extensions, a quarter of reading Intel's collateral from its files (a PCK CRL lists
//! 40–60 entries), while a verification asks of an entry only its serial and date.
//! The signature algorithm is still read by x509-parser (its parameters are
//! classified in `algorithm`).

use core::ops::Range;

use super::algorithm::SignatureAlgorithm;
use super::cache::DigestMemo;
use super::cert::{normalize_serial, Name};
use super::frame;
use crate::der::{self, Tlv};
use crate::error::{CertErrorKind, Error, ParseError, ParseErrorKind};
use crate::time::{from_secs, UnixTime};

/// One revoked certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedEntry {
    /// Serial, big-endian without leading zeros.
    pub serial: Vec<u8>,
    /// revocationDate, seconds since the epoch.
    pub revoked_at: u64,
}

/// A certificate revocation list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crl {
    der: Vec<u8>,
    tbs: Range<usize>,
    tbs_memo: DigestMemo,
    signature_algorithm: Result<SignatureAlgorithm, CertErrorKind>,
    signature: Vec<u8>,
    issuer: Name,
    this_update: u64,
    next_update: Option<u64>,
    revoked: Vec<RevokedEntry>,
}

/// The only CRL version with extensions, which every CRL Verdict reads carries.
const VERSION_2: u8 = 1;

impl Crl {
    /// Parses one DER CRL. Trailing bytes are an error, and so is a critical extension
    /// (on the CRL or on an entry): Verdict processes none, and ignoring one could read a
    /// delta CRL, a partitioned CRL or an indirect CRL's entries as a complete list of
    /// the issuer's revocations.
    ///
    /// # Errors
    /// [`Error::Parse`] naming the field that did not decode and its offset.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        parse(der).map_err(Error::Parse)
    }

    /// The whole CRL, DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    pub(crate) fn tbs_memo(&self) -> &DigestMemo {
        &self.tbs_memo
    }

    /// The signed TBSCertList bytes.
    pub fn tbs(&self) -> &[u8] {
        self.der.get(self.tbs.clone()).unwrap_or(&[])
    }

    /// The signature algorithm, or why it is refused.
    ///
    /// # Errors
    /// The reason the algorithm or its parameters are refused.
    pub fn signature_algorithm(&self) -> Result<SignatureAlgorithm, CertErrorKind> {
        self.signature_algorithm.clone()
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// Issuer name.
    pub fn issuer(&self) -> &Name {
        &self.issuer
    }

    /// thisUpdate.
    pub fn this_update(&self) -> UnixTime {
        from_secs(self.this_update)
    }

    /// nextUpdate, if the CRL has one.
    pub fn next_update(&self) -> Option<UnixTime> {
        self.next_update.map(from_secs)
    }

    /// thisUpdate, seconds since the epoch (the unit of the crate's checks and errors).
    pub(crate) fn this_update_secs(&self) -> u64 {
        self.this_update
    }

    /// nextUpdate, seconds since the epoch.
    pub(crate) fn next_update_secs(&self) -> Option<u64> {
        self.next_update
    }

    /// The revoked entries.
    pub fn revoked_entries(&self) -> &[RevokedEntry] {
        &self.revoked
    }

    /// The entry for `serial` (normalized, as [`super::Certificate::serial`]), if revoked.
    pub fn revoked(&self, serial: &[u8]) -> Option<&RevokedEntry> {
        self.revoked.iter().find(|r| r.serial == serial)
    }
}

fn parse(der: &[u8]) -> Result<Crl, ParseError> {
    let frame::Signed {
        tbs,
        outer_algorithm,
        signature,
    } = frame::signed(der, &NAMES)?;

    let mut t = tbs.reader();
    if let Some(version) = t.optional(der::INTEGER, "CRL version")? {
        if version.small_uint("CRL version")? != VERSION_2 {
            return Err(version.invalid("CRL version", "must be v2 (1)"));
        }
    }
    let inner_algorithm = t.expect(der::SEQUENCE, "tbsCertList signature")?;
    let issuer = Name::from_tlv(&t.expect(der::SEQUENCE, "CRL issuer")?, "CRL issuer")?;
    let this_update = t.read("CRL thisUpdate")?.x509_time("CRL thisUpdate")?;
    let next_update = match t.peek_tag() {
        Some(der::UTC_TIME | der::GENERALIZED_TIME) => {
            Some(t.read("CRL nextUpdate")?.x509_time("CRL nextUpdate")?)
        }
        _ => None,
    };
    let revoked = match t.optional(der::SEQUENCE, "revokedCertificates")? {
        Some(list) => revoked_entries(&list)?,
        None => Vec::new(),
    };
    if let Some(extensions) = t.optional(der::context(0), "crlExtensions")? {
        let extensions = extensions.explicit(der::SEQUENCE, "crlExtensions")?;
        refuse_critical(&extensions, "crlExtensions")?;
    }
    t.finish("tbsCertList")?;

    let signature_algorithm =
        frame::signature_algorithm(&outer_algorithm, &inner_algorithm, &NAMES)?;
    Ok(Crl {
        der: der.to_vec(),
        tbs: tbs.range(),
        tbs_memo: DigestMemo::default(),
        signature_algorithm,
        signature: signature.to_vec(),
        issuer,
        this_update,
        next_update,
        revoked,
    })
}

/// `SEQUENCE OF SEQUENCE { userCertificate INTEGER, revocationDate Time,
/// crlEntryExtensions Extensions OPTIONAL }`.
fn revoked_entries(list: &Tlv<'_>) -> Result<Vec<RevokedEntry>, ParseError> {
    let mut entries = list.reader();
    let mut out = Vec::new();
    while !entries.is_empty() {
        let entry = entries.expect(der::SEQUENCE, "revoked certificate")?;
        let mut e = entry.reader();
        let serial = e
            .expect(der::INTEGER, "revoked userCertificate")?
            .integer("revoked userCertificate")?;
        let revoked_at = e.read("revocationDate")?.x509_time("revocationDate")?;
        if let Some(extensions) = e.optional(der::SEQUENCE, "crlEntryExtensions")? {
            refuse_critical(&extensions, "crlEntryExtensions")?;
        }
        e.finish("revoked certificate")?;
        out.push(RevokedEntry {
            serial: normalize_serial(serial),
            revoked_at,
        });
    }
    Ok(out)
}

/// Reads `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension` and fails on the first
/// critical one. Non-critical ones (CRL number, authority key id, reason code,
/// invalidity date) tell a verifier nothing it acts on.
fn refuse_critical(extensions: &Tlv<'_>, what: &'static str) -> Result<(), ParseError> {
    match frame::extensions(extensions, what)?
        .into_iter()
        .find(|e| e.critical)
    {
        Some(critical) => Err(ParseError {
            what,
            offset: critical.tlv.offset,
            kind: ParseErrorKind::InvalidValue(
                "a critical extension, which Verdict does not process (delta, partitioned \
                 and indirect CRLs are not supported)",
            ),
        }),
        None => Ok(()),
    }
}

/// A CRL's parts, as errors name them.
const NAMES: frame::Names = frame::Names {
    whole: "CertificateList",
    tbs: "tbsCertList",
    outer_algorithm: "CRL signatureAlgorithm",
    inner_algorithm: "tbsCertList signature",
    signature: "CRL signatureValue",
};

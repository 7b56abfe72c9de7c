//! An X.509 certificate revocation list, parsed once into owned values.

use core::ops::Range;

use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

use super::algorithm::{classify, SignatureAlgorithm};
use super::cache::DigestMemo;
use super::cert::{algorithm_encodings_match, normalize_serial, subrange, timestamp, Name};
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

impl Crl {
    /// Parses one DER CRL. Trailing bytes are an error.
    ///
    /// # Errors
    /// [`Error::Parse`] naming what did not decode.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let err = |offset, kind| {
            Error::Parse(ParseError {
                what: "CRL",
                offset,
                kind,
            })
        };
        let (rest, crl) = CertificateRevocationList::from_der(der)
            .map_err(|e| err(0, ParseErrorKind::Der(e.to_string())))?;
        if !rest.is_empty() {
            return Err(err(
                der.len().saturating_sub(rest.len()),
                ParseErrorKind::TrailingData { extra: rest.len() },
            ));
        }
        // As for certificates: a signature with unused bits would be a second encoding of
        // the same CRL; refused here rather than trusting the parser to refuse it.
        if crl.signature_value.unused_bits != 0 {
            return Err(err(
                0,
                ParseErrorKind::Der("CRL signatureValue: BIT STRING with unused bits".into()),
            ));
        }
        let tbs_list = &crl.tbs_cert_list;
        let tbs = subrange(der, tbs_list.as_ref())
            .ok_or_else(|| err(0, ParseErrorKind::Der("TBS range".into())))?;
        let inner_same = algorithm_encodings_match(der, tbs_list.as_ref());
        let signature_algorithm = if inner_same {
            classify(&crl.signature_algorithm)
        } else {
            Err(CertErrorKind::AlgorithmMismatch)
        };
        Ok(Self {
            der: der.to_vec(),
            tbs,
            tbs_memo: DigestMemo::default(),
            signature_algorithm,
            signature: crl.signature_value.data.to_vec(),
            issuer: Name::from_x509(&tbs_list.issuer),
            this_update: timestamp(tbs_list.this_update.timestamp()),
            next_update: tbs_list.next_update.map(|t| timestamp(t.timestamp())),
            revoked: crl
                .iter_revoked_certificates()
                .map(|r| RevokedEntry {
                    serial: normalize_serial(r.raw_serial()),
                    revoked_at: timestamp(r.revocation_date.timestamp()),
                })
                .collect(),
        })
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

//! What certificates and CRLs share (RFC 5280 §4.1, §5.1): the signed frame
//! `SEQUENCE { tbs, signatureAlgorithm, signatureValue }`, the rule tying the outer
//! signatureAlgorithm to the one inside the TBS, and the `Extensions` list.

use x509_parser::prelude::FromDer;
use x509_parser::x509::AlgorithmIdentifier;

use super::algorithm::{classify, SignatureAlgorithm};
use crate::der::{self, Reader, Tlv};
use crate::error::{CertErrorKind, ParseError};

/// The names a structure's parts are given in errors.
pub(super) struct Names {
    pub(super) whole: &'static str,
    pub(super) tbs: &'static str,
    pub(super) outer_algorithm: &'static str,
    pub(super) inner_algorithm: &'static str,
    pub(super) signature: &'static str,
}

/// A signed structure's frame: its TBS, the unsigned copy of its signature algorithm
/// and the signature octets.
pub(super) struct Signed<'a> {
    pub(super) tbs: Tlv<'a>,
    pub(super) outer_algorithm: Tlv<'a>,
    pub(super) signature: &'a [u8],
}

/// Reads the frame; nothing may follow it.
pub(super) fn signed<'a>(der: &'a [u8], names: &Names) -> Result<Signed<'a>, ParseError> {
    let mut top = Reader::new(der);
    let whole = top.expect(der::SEQUENCE, names.whole)?;
    top.finish(names.whole)?;
    let mut fields = whole.reader();
    let tbs = fields.expect(der::SEQUENCE, names.tbs)?;
    let outer_algorithm = fields.expect(der::SEQUENCE, names.outer_algorithm)?;
    // Every signature Verdict verifies is whole octets: a BIT STRING claiming unused
    // bits would be a second encoding of the same structure.
    let signature = fields
        .expect(der::BIT_STRING, names.signature)?
        .bit_string_octets(names.signature)?;
    fields.finish(names.whole)?;
    Ok(Signed {
        tbs,
        outer_algorithm,
        signature,
    })
}

/// The signature algorithm: the outer AlgorithmIdentifier classified when it is byte
/// for byte the one inside the TBS (it is unsigned, so a lenient comparison would let
/// its bytes change: RFC 5280 §4.1.1.2, §5.1.1.2), [`CertErrorKind::AlgorithmMismatch`]
/// when they differ; malformed when either is not an AlgorithmIdentifier.
pub(super) fn signature_algorithm<'a>(
    outer: &Tlv<'a>,
    inner: &Tlv<'a>,
    names: &Names,
) -> Result<Result<SignatureAlgorithm, CertErrorKind>, ParseError> {
    fn parses<'a>(tlv: &Tlv<'a>) -> Option<AlgorithmIdentifier<'a>> {
        match AlgorithmIdentifier::from_der(tlv.raw()) {
            Ok(([], alg)) => Some(alg),
            _ => None,
        }
    }
    let Some(outer_parsed) = parses(outer) else {
        return Err(outer.malformed(names.outer_algorithm, "not an AlgorithmIdentifier"));
    };
    if outer.raw() == inner.raw() {
        return Ok(classify(&outer_parsed));
    }
    match parses(inner) {
        Some(_) => Ok(Err(CertErrorKind::AlgorithmMismatch)),
        None => Err(inner.malformed(names.inner_algorithm, "not an AlgorithmIdentifier")),
    }
}

/// One extension as read: its OID (content octets, well formed), the critical flag and
/// the extnValue contents, with the whole TLV for error offsets.
pub(super) struct RawExtension<'a> {
    pub(super) tlv: Tlv<'a>,
    pub(super) oid: Tlv<'a>,
    pub(super) critical: bool,
    pub(super) value: &'a [u8],
}

/// `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension`, each `SEQUENCE { extnID OID,
/// critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }`, strictly.
pub(super) fn extensions<'a>(
    list: &Tlv<'a>,
    what: &'static str,
) -> Result<Vec<RawExtension<'a>>, ParseError> {
    let mut items = list.reader();
    if items.is_empty() {
        return Err(list.malformed(what, "an empty Extensions SEQUENCE"));
    }
    let mut out = Vec::with_capacity(8);
    while !items.is_empty() {
        let tlv = items.expect(der::SEQUENCE, what)?;
        let mut f = tlv.reader();
        let oid = f.expect(der::OID, what)?;
        if !der::oid_well_formed(oid.content) {
            return Err(oid.malformed(what, "malformed OBJECT IDENTIFIER"));
        }
        let critical = match f.optional(der::BOOLEAN, what)? {
            Some(flag) => flag.boolean(what)?,
            None => false,
        };
        let value = f.expect(der::OCTET_STRING, what)?.content;
        f.finish(what)?;
        out.push(RawExtension {
            tlv,
            oid,
            critical,
            value,
        });
    }
    Ok(out)
}

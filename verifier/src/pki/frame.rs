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
    let outer_parsed = algorithm_identifier(outer, names.outer_algorithm)?;
    if outer.raw() == inner.raw() {
        return Ok(classify(&outer_parsed));
    }
    algorithm_identifier(inner, names.inner_algorithm)?;
    Ok(Err(CertErrorKind::AlgorithmMismatch))
}

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY
/// OPTIONAL }`: its shape checked here (x509-parser's reading takes an INTEGER where the
/// OID goes), then read by x509-parser for `algorithm::classify`.
pub(super) fn algorithm_identifier<'a>(
    tlv: &Tlv<'a>,
    what: &'static str,
) -> Result<AlgorithmIdentifier<'a>, ParseError> {
    let not_one = || tlv.malformed(what, "not an AlgorithmIdentifier");
    if tlv.tag != der::SEQUENCE {
        return Err(not_one());
    }
    let mut fields = tlv.reader();
    let oid = fields.expect(der::OID, what)?;
    if !der::oid_well_formed(oid.content) {
        return Err(oid.malformed(what, "malformed OBJECT IDENTIFIER"));
    }
    if !fields.is_empty() {
        fields.read(what)?;
    }
    fields.finish(what)?;
    match AlgorithmIdentifier::from_der(tlv.raw()) {
        Ok(([], alg)) => Ok(alg),
        _ => Err(not_one()),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::der::write_tlv;

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write_tlv(&mut out, tag, content);
        out
    }

    /// One Extension with OID content `oid`, an optional critical flag and an empty
    /// value.
    fn extension(oid: &[u8], critical: Option<u8>) -> Vec<u8> {
        let mut content = tlv(der::OID, oid);
        if let Some(flag) = critical {
            content.extend(tlv(der::BOOLEAN, &[flag]));
        }
        content.extend(tlv(der::OCTET_STRING, &[]));
        tlv(der::SEQUENCE, &content)
    }

    fn read(list: &[u8]) -> Result<Vec<(Vec<u8>, bool)>, ParseError> {
        let mut r = Reader::new(list);
        let list = r.read("test").unwrap();
        Ok(extensions(&list, "test")?
            .into_iter()
            .map(|e| (e.oid.content.to_vec(), e.critical))
            .collect())
    }

    #[test]
    fn extensions_are_read_strictly() {
        let bc = [0x55, 0x1D, 0x13];
        let good = tlv(
            der::SEQUENCE,
            &[
                extension(&bc, Some(0xFF)),
                extension(&bc, Some(0x00)),
                extension(&bc, None),
            ]
            .concat(),
        );
        assert_eq!(
            read(&good).unwrap(),
            [
                (bc.to_vec(), true),
                (bc.to_vec(), false),
                (bc.to_vec(), false)
            ]
        );
        for bad in [
            tlv(der::SEQUENCE, &[]),                                   // SIZE (1..MAX)
            tlv(der::SEQUENCE, &extension(&bc, Some(0x01))),           // BOOLEAN not 00/FF
            tlv(der::SEQUENCE, &extension(&[0x55, 0x9D], None)),       // unterminated arc
            tlv(der::SEQUENCE, &extension(&[0x55, 0x80, 0x1D], None)), // padded arc
            tlv(der::SEQUENCE, &tlv(der::SET, &[])),                   // not a SEQUENCE
        ] {
            assert!(read(&bad).is_err(), "{bad:02x?}");
        }
        // Something after extnValue.
        let mut content = extension(&bc, None);
        content[1] += 2;
        content.extend([0x05, 0x00]);
        assert!(read(&tlv(der::SEQUENCE, &content)).is_err());
    }

    #[test]
    fn algorithm_identifiers_are_shaped_before_they_are_read() {
        let ecdsa_sha256 = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02];
        let check = |bytes: Vec<u8>| {
            let mut r = Reader::new(&bytes);
            let t = r.read("test").unwrap();
            algorithm_identifier(&t, "test").is_ok()
        };
        assert!(check(tlv(der::SEQUENCE, &tlv(der::OID, &ecdsa_sha256))));
        assert!(check(tlv(
            der::SEQUENCE,
            &[tlv(der::OID, &ecdsa_sha256), tlv(der::NULL, &[])].concat()
        )));
        for bad in [
            tlv(der::SEQUENCE, &tlv(der::INTEGER, &ecdsa_sha256)), // x509-parser takes this
            tlv(der::SEQUENCE, &[]),
            tlv(der::SET, &tlv(der::OID, &ecdsa_sha256)),
            tlv(
                der::SEQUENCE,
                &[
                    tlv(der::OID, &ecdsa_sha256),
                    tlv(der::NULL, &[]),
                    tlv(der::NULL, &[]),
                ]
                .concat(),
            ),
        ] {
            assert!(!check(bad.clone()), "{bad:02x?}");
        }
    }
}

//! A minimal DER writer for the values the builders assemble by hand (extension values,
//! RSASSA-PSS parameters), where exact control over the bytes matters more than types.

use der::asn1::ObjectIdentifier;

/// Tag of an INTEGER.
pub const TAG_INTEGER: u8 = 0x02;
/// Tag of an OCTET STRING.
pub const TAG_OCTET_STRING: u8 = 0x04;
/// Tag of an IA5String.
pub const TAG_IA5_STRING: u8 = 0x16;
/// Tag of a SEQUENCE.
pub const TAG_SEQUENCE: u8 = 0x30;

/// One DER TLV: `tag`, definite length, `content`.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE of already-encoded `parts`.
pub fn sequence(parts: &[&[u8]]) -> Vec<u8> {
    tlv(TAG_SEQUENCE, &parts.concat())
}

/// The minimal two's-complement content octets of the non-negative big-endian `bytes`.
pub fn uint_content(bytes: &[u8]) -> Vec<u8> {
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let digits = &bytes[skip..];
    match digits.first() {
        None => vec![0],
        Some(b) if b & 0x80 != 0 => [&[0][..], digits].concat(),
        Some(_) => digits.to_vec(),
    }
}

/// A DER INTEGER holding `value` (`02 01 00` for zero, `02 02 00 DB` for 219).
pub fn integer(value: u64) -> Vec<u8> {
    tlv(TAG_INTEGER, &uint_content(&value.to_be_bytes()))
}

/// A DER IA5String (the caller keeps `s` ASCII).
pub fn ia5_string(s: &str) -> Vec<u8> {
    tlv(TAG_IA5_STRING, s.as_bytes())
}

/// A DER OCTET STRING.
pub fn octet_string(bytes: &[u8]) -> Vec<u8> {
    tlv(TAG_OCTET_STRING, bytes)
}

/// A DER OBJECT IDENTIFIER.
pub fn object_identifier(oid: &ObjectIdentifier) -> Vec<u8> {
    tlv(0x06, oid.as_bytes())
}

/// A DER BOOLEAN.
pub fn boolean(value: bool) -> Vec<u8> {
    tlv(0x01, &[if value { 0xFF } else { 0x00 }])
}

/// Parses a dotted OID, panicking with the offending text on a typo.
pub fn oid(dotted: &str) -> ObjectIdentifier {
    ObjectIdentifier::new(dotted).unwrap_or_else(|e| panic!("invalid OID {dotted:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_minimal_and_positive() {
        assert_eq!(integer(0), [0x02, 0x01, 0x00]);
        assert_eq!(integer(1), [0x02, 0x01, 0x01]);
        assert_eq!(integer(219), [0x02, 0x02, 0x00, 0xDB]);
        assert_eq!(integer(0x10000), [0x02, 0x03, 0x01, 0x00, 0x00]);
    }

    #[test]
    fn long_lengths() {
        let t = tlv(0x04, &[0u8; 300]);
        assert_eq!(&t[..4], &[0x04, 0x82, 0x01, 0x2C]);
        assert_eq!(t.len(), 304);
        assert_eq!(&tlv(0x04, &[0u8; 200])[..3], &[0x04, 0x81, 200]);
    }
}

//! Just enough DER to tell what a private key is before a backend loads it, and to wrap a
//! SEC1 key into PKCS#8. The reading and writing is the verifier's (`verifier::der`, the
//! workspace's one DER reader); this adapter only words its errors for key loading.

use verifier::der;
pub(crate) use verifier::der::{write_tlv, INTEGER, OCTET_STRING, OID, SEQUENCE};
use verifier::error::ParseErrorKind;

/// A reader over DER bytes.
pub(crate) struct Reader<'a>(der::Reader<'a>);

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self(der::Reader::new(bytes))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.0.peek_tag()
    }

    /// Reads one TLV with a single-byte tag; returns (tag, contents).
    pub(crate) fn tlv(&mut self) -> Result<(u8, &'a [u8]), String> {
        let tlv = self.0.read("DER").map_err(|e| match e.kind {
            ParseErrorKind::Truncated { .. } => "truncated DER".to_owned(),
            ParseErrorKind::Der(why) => why,
            other => other.to_string(),
        })?;
        Ok((tlv.tag, tlv.content))
    }

    /// Reads one TLV and checks its tag.
    pub(crate) fn expect(&mut self, tag: u8, what: &str) -> Result<&'a [u8], String> {
        match self.peek_tag() {
            Some(t) if t == tag => Ok(self.tlv()?.1),
            Some(t) => Err(format!(
                "expected {what} (tag {tag:#04x}), found tag {t:#04x}"
            )),
            None => Err(format!("expected {what}, found the end of the data")),
        }
    }
}

/// Formats OID contents (without tag and length) in dotted form, or as hex if they are
/// not a valid OID (the text is for messages only).
pub(crate) fn oid_to_string(contents: &[u8]) -> String {
    der::oid_to_string(contents)
        .unwrap_or_else(|| format!("(malformed OID {})", hex::encode(contents)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_tlvs() {
        let mut out = Vec::new();
        write_tlv(&mut out, OCTET_STRING, &[7u8; 200]);
        assert_eq!(&out[..3], &[0x04, 0x81, 200]);
        let mut r = Reader::new(&out);
        assert_eq!(r.expect(OCTET_STRING, "x").unwrap(), &[7u8; 200][..]);
        assert!(r.is_empty());
        assert_eq!(
            Reader::new(&[0x04, 0x05, 1]).tlv().unwrap_err(),
            "truncated DER"
        );
        assert_eq!(Reader::new(&[0x04]).tlv().unwrap_err(), "truncated DER");
        // Strict DER: a long-form length below 128 is refused.
        assert_eq!(
            Reader::new(&[0x04, 0x81, 0x01, 0xAA]).tlv().unwrap_err(),
            "non-minimal length"
        );
        assert_eq!(
            Reader::new(&[0x02, 0x00])
                .expect(OID, "an OID")
                .unwrap_err(),
            "expected an OID (tag 0x06), found tag 0x02"
        );
    }

    #[test]
    fn formats_oids() {
        assert_eq!(
            oid_to_string(&[0x2b, 0x81, 0x04, 0x00, 0x23]),
            "1.3.132.0.35"
        );
        assert_eq!(
            oid_to_string(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]),
            "1.2.840.113549.1.1.1"
        );
    }
}

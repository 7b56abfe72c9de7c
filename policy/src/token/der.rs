//! Just enough DER (X.690) to tell what a private key is before a backend loads it, and
//! to wrap a SEC1 key into PKCS#8. Lengths are bounds-checked; nothing here panics.

pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const OID: u8 = 0x06;

/// A reader over DER bytes.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Reads one TLV with a single-byte tag; returns (tag, contents).
    pub(crate) fn tlv(&mut self) -> Result<(u8, &'a [u8]), String> {
        let (&tag, rest) = self.rest.split_first().ok_or("truncated DER")?;
        let (&first, mut rest) = rest.split_first().ok_or("truncated DER length")?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 {
                return Err("unsupported DER length".into());
            }
            let (bytes, after) = rest.split_at_checked(n).ok_or("truncated DER length")?;
            rest = after;
            bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
        };
        let (contents, after) = rest
            .split_at_checked(len)
            .ok_or("DER length runs past the end")?;
        self.rest = after;
        Ok((tag, contents))
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

/// Appends a DER TLV.
pub(crate) fn write_tlv(out: &mut Vec<u8>, tag: u8, contents: &[u8]) {
    out.push(tag);
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or(&[]);
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(contents);
}

/// Formats OID contents (without tag and length) in dotted form.
pub(crate) fn oid_to_string(contents: &[u8]) -> String {
    let mut arcs: Vec<u128> = Vec::new();
    let mut acc: u128 = 0;
    for b in contents {
        acc = acc.saturating_mul(128).saturating_add(u128::from(b & 0x7f));
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (acc / 40).min(2);
                arcs.push(first);
                arcs.push(acc.saturating_sub(first * 40));
            } else {
                arcs.push(acc);
            }
            acc = 0;
        }
    }
    arcs.iter()
        .map(u128::to_string)
        .collect::<Vec<_>>()
        .join(".")
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
            "DER length runs past the end"
        );
        assert_eq!(
            Reader::new(&[0x04]).tlv().unwrap_err(),
            "truncated DER length"
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

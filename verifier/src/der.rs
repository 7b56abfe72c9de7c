//! The workspace's one DER (X.690) reader, and a TLV writer. The verifier reads
//! certificates, CRLs, OCSP responses and the SGX extension of PCK certificates with it;
//! `policy` reads and wraps private keys with it, which is why the module is public
//! (only as far as that needs).
//!
//! Every TLV keeps its offset in the whole input, so a parse error points into the OCSP
//! response even inside the BasicOCSPResponse that an OCTET STRING wraps.
//!
//! Strict means: single-byte tags, definite minimal lengths of at most four octets,
//! minimal INTEGERs and OIDs, BOOLEAN as 00/FF, GeneralizedTime as `YYYYMMDDHHMMSSZ` and
//! UTCTime as `YYMMDDHHMMSSZ`, each naming a day that exists.

use core::ops::Range;

use crate::error::{ParseError, ParseErrorKind};

/// Tag of BOOLEAN.
pub const BOOLEAN: u8 = 0x01;
/// Tag of INTEGER.
pub const INTEGER: u8 = 0x02;
/// Tag of BIT STRING.
pub const BIT_STRING: u8 = 0x03;
/// Tag of OCTET STRING.
pub const OCTET_STRING: u8 = 0x04;
/// Tag of NULL.
pub const NULL: u8 = 0x05;
/// Tag of OBJECT IDENTIFIER.
pub const OID: u8 = 0x06;
/// Tag of ENUMERATED.
pub const ENUMERATED: u8 = 0x0A;
/// Tag of UTCTime.
pub const UTC_TIME: u8 = 0x17;
/// Tag of GeneralizedTime.
pub const GENERALIZED_TIME: u8 = 0x18;
/// Tag of SEQUENCE (constructed).
pub const SEQUENCE: u8 = 0x30;
/// Tag of SET (constructed).
pub const SET: u8 = 0x31;
/// Tag of UTF8String.
pub const UTF8_STRING: u8 = 0x0C;
/// Tag of NumericString.
pub const NUMERIC_STRING: u8 = 0x12;
/// Tag of PrintableString.
pub const PRINTABLE_STRING: u8 = 0x13;
/// Tag of IA5String.
pub const IA5_STRING: u8 = 0x16;

/// `[n]` context-specific, constructed (EXPLICIT tags and IMPLICIT SEQUENCEs).
pub(crate) const fn context(n: u8) -> u8 {
    0xA0 | n
}

/// `[n]` context-specific, primitive (IMPLICIT NULL).
pub(crate) const fn context_primitive(n: u8) -> u8 {
    0x80 | n
}

/// One TLV, as read by [`Reader`].
#[derive(Debug, Clone, Copy)]
pub struct Tlv<'a> {
    input: &'a [u8],
    /// The tag octet.
    pub tag: u8,
    /// Offset of the tag octet in the whole input.
    pub offset: usize,
    /// The content octets.
    pub content: &'a [u8],
    content_start: usize,
}

impl<'a> Tlv<'a> {
    /// The whole TLV: tag, length and content.
    pub(crate) fn raw(&self) -> &'a [u8] {
        self.input.get(self.range()).unwrap_or(&[])
    }

    /// Where the whole TLV lies in the input.
    pub(crate) fn range(&self) -> Range<usize> {
        self.offset..self.content_start.saturating_add(self.content.len())
    }

    /// A reader over the content octets.
    pub fn reader(&self) -> Reader<'a> {
        Reader {
            input: self.input,
            pos: self.content_start,
            end: self.content_start.saturating_add(self.content.len()),
        }
    }

    /// The one TLV an EXPLICIT tag wraps, which must have tag `inner`.
    pub(crate) fn explicit(&self, inner: u8, what: &'static str) -> Result<Self, ParseError> {
        let mut r = self.reader();
        let tlv = r.expect(inner, what)?;
        r.finish(what)?;
        Ok(tlv)
    }

    /// A [`ParseErrorKind::InvalidValue`] at this TLV.
    pub(crate) fn invalid(&self, what: &'static str, why: &'static str) -> ParseError {
        self.error(what, ParseErrorKind::InvalidValue(why))
    }

    /// A [`ParseErrorKind::Der`] at this TLV.
    pub(crate) fn malformed(&self, what: &'static str, why: impl Into<String>) -> ParseError {
        self.error(what, ParseErrorKind::Der(why.into()))
    }

    fn error(&self, what: &'static str, kind: ParseErrorKind) -> ParseError {
        ParseError {
            what,
            offset: self.offset,
            kind,
        }
    }

    /// A NULL (or IMPLICIT NULL): no content.
    pub(crate) fn null(&self, what: &'static str) -> Result<(), ParseError> {
        if self.content.is_empty() {
            Ok(())
        } else {
            Err(self.malformed(what, "NULL with content"))
        }
    }

    /// A BOOLEAN.
    pub(crate) fn boolean(&self, what: &'static str) -> Result<bool, ParseError> {
        match self.content {
            [0x00] => Ok(false),
            [0xFF] => Ok(true),
            _ => Err(self.malformed(what, "BOOLEAN is not one octet 00 or FF")),
        }
    }

    /// The content octets of a minimal INTEGER (two's complement, big-endian).
    ///
    /// # Errors
    /// [`ParseErrorKind::Der`] for an empty or non-minimal INTEGER.
    pub fn integer(&self, what: &'static str) -> Result<&'a [u8], ParseError> {
        match self.content {
            [] => Err(self.malformed(what, "empty INTEGER")),
            [0x00, next, ..] if next & 0x80 == 0 => {
                Err(self.malformed(what, "non-minimal INTEGER"))
            }
            [0xFF, next, ..] if next & 0x80 != 0 => {
                Err(self.malformed(what, "non-minimal INTEGER"))
            }
            content => Ok(content),
        }
    }

    /// An INTEGER or ENUMERATED in 0..=127 (versions and enumerations).
    pub(crate) fn small_uint(&self, what: &'static str) -> Result<u8, ParseError> {
        match self.content {
            [n] if *n < 0x80 => Ok(*n),
            _ => Err(self.invalid(what, "not a small non-negative value")),
        }
    }

    /// A BIT STRING whose length is a whole number of octets: its octets.
    pub(crate) fn bit_string_octets(&self, what: &'static str) -> Result<&'a [u8], ParseError> {
        match self.content.split_first() {
            Some((0, octets)) => Ok(octets),
            _ => Err(self.malformed(what, "BIT STRING with unused bits")),
        }
    }

    /// An OBJECT IDENTIFIER in dotted form.
    ///
    /// # Errors
    /// [`ParseErrorKind::Der`] for a malformed or non-minimal encoding.
    pub fn oid(&self, what: &'static str) -> Result<String, ParseError> {
        oid_to_string(self.content)
            .ok_or_else(|| self.malformed(what, "malformed OBJECT IDENTIFIER"))
    }

    /// A GeneralizedTime in the RFC 5280 §4.1.2.5.2 form `YYYYMMDDHHMMSSZ` (UTC, no
    /// fraction), as seconds since the epoch.
    pub(crate) fn generalized_time(&self, what: &'static str) -> Result<u64, ParseError> {
        let bad = || {
            self.invalid(
                what,
                "GeneralizedTime is not YYYYMMDDHHMMSSZ, in 1970 or later",
            )
        };
        let (century, rest) = self.content.split_at_checked(2).ok_or_else(bad)?;
        let century = two_digits(century).ok_or_else(bad)?;
        let (yy, rest) = rest.split_at_checked(2).ok_or_else(bad)?;
        // At most 99 · 100 + 99: no overflow.
        let year = i32::from(century)
            .saturating_mul(100)
            .saturating_add(i32::from(two_digits(yy).ok_or_else(bad)?));
        utc_seconds(year, rest).ok_or_else(bad)
    }

    /// A UTCTime in the RFC 5280 §4.1.2.5.1 form `YYMMDDHHMMSSZ` (`YY` below 50 is 20YY,
    /// otherwise 19YY), as seconds since the epoch.
    pub(crate) fn utc_time(&self, what: &'static str) -> Result<u64, ParseError> {
        let bad = || self.invalid(what, "UTCTime is not YYMMDDHHMMSSZ, in 1970 or later");
        let (yy, rest) = self.content.split_at_checked(2).ok_or_else(bad)?;
        let yy = i32::from(two_digits(yy).ok_or_else(bad)?);
        let year = yy.saturating_add(if yy < 50 { 2000 } else { 1900 });
        utc_seconds(year, rest).ok_or_else(bad)
    }

    /// An X.509 `Time`: a UTCTime or a GeneralizedTime, by its tag.
    pub(crate) fn x509_time(&self, what: &'static str) -> Result<u64, ParseError> {
        match self.tag {
            UTC_TIME => self.utc_time(what),
            GENERALIZED_TIME => self.generalized_time(what),
            other => Err(self.malformed(
                what,
                format!("expected UTCTime or GeneralizedTime, found tag {other:#04x}"),
            )),
        }
    }
}

/// Two ASCII digits as a number.
fn two_digits(pair: &[u8]) -> Option<u8> {
    match *pair {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Some(
            a.wrapping_sub(b'0')
                .wrapping_mul(10)
                .wrapping_add(b.wrapping_sub(b'0')),
        ),
        _ => None,
    }
}

/// `MMDDHHMMSSZ` of `year` as seconds since the epoch: `None` unless every field is two
/// digits, the date and time exist (the calendar checks are the `time` crate's) and the
/// moment is not before 1970.
fn utc_seconds(year: i32, rest: &[u8]) -> Option<u64> {
    let [m0, m1, d0, d1, h0, h1, n0, n1, s0, s1, b'Z'] = *rest else {
        return None;
    };
    let month = time::Month::try_from(two_digits(&[m0, m1])?).ok()?;
    let date = time::Date::from_calendar_date(year, month, two_digits(&[d0, d1])?).ok()?;
    let clock = time::Time::from_hms(
        two_digits(&[h0, h1])?,
        two_digits(&[n0, n1])?,
        two_digits(&[s0, s1])?,
    )
    .ok()?;
    u64::try_from(date.with_time(clock).assume_utc().unix_timestamp()).ok()
}

/// A cursor over the TLVs in `input[pos..end]`.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
    end: usize,
}

impl<'a> Reader<'a> {
    /// A reader over all of `input`.
    pub fn new(input: &'a [u8]) -> Self {
        Self {
            input,
            pos: 0,
            end: input.len(),
        }
    }

    /// Whether every TLV has been read.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.end
    }

    /// The tag of the next TLV, if any, without reading it.
    pub fn peek_tag(&self) -> Option<u8> {
        self.input
            .get(self.pos)
            .copied()
            .filter(|_| !self.is_empty())
    }

    /// Reads the next TLV, whatever its tag.
    ///
    /// # Errors
    /// [`ParseErrorKind::Truncated`] where the input ends early (at the TLV for its
    /// header, at the content for its content); [`ParseErrorKind::Der`] for a multi-octet
    /// tag or an indefinite, non-minimal or over-long length.
    pub fn read(&mut self, what: &'static str) -> Result<Tlv<'a>, ParseError> {
        let start = self.pos;
        let window = self.input.get(start..self.end).unwrap_or(&[]);
        let fail = |offset, kind| ParseError { what, offset, kind };
        let truncated = |offset, needed, available| {
            fail(offset, ParseErrorKind::Truncated { needed, available })
        };
        let malformed = |why: &str| fail(start, ParseErrorKind::Der(why.to_owned()));

        let (&tag, rest) = window.split_first().ok_or_else(|| truncated(start, 2, 0))?;
        if tag & 0x1F == 0x1F {
            return Err(malformed("multi-octet tag"));
        }
        let (&first, rest) = rest
            .split_first()
            .ok_or_else(|| truncated(start, 2, window.len()))?;
        let (len, rest) = match first {
            0x00..=0x7F => (usize::from(first), rest),
            0x80 => return Err(malformed("indefinite length")),
            0x81..=0x84 => {
                let n = usize::from(first & 0x7F);
                let (octets, rest) = rest
                    .split_at_checked(n)
                    .ok_or_else(|| truncated(start, n.saturating_add(2), window.len()))?;
                let mut be = [0u8; 4];
                be.get_mut(4usize.saturating_sub(n)..)
                    .ok_or_else(|| malformed("length"))?
                    .copy_from_slice(octets);
                let len = usize::try_from(u32::from_be_bytes(be))
                    .map_err(|_| malformed("length does not fit"))?;
                if octets.first() == Some(&0) || len < 0x80 {
                    return Err(malformed("non-minimal length"));
                }
                (len, rest)
            }
            _ => return Err(malformed("length of more than four octets")),
        };
        let header = window.len().saturating_sub(rest.len());
        let content_start = start.saturating_add(header);
        let content = rest
            .get(..len)
            .ok_or_else(|| truncated(content_start, len, rest.len()))?;
        self.pos = content_start.saturating_add(len);
        Ok(Tlv {
            input: self.input,
            tag,
            offset: start,
            content,
            content_start,
        })
    }

    /// Reads the next TLV, which must have tag `tag`.
    ///
    /// # Errors
    /// As [`Self::read`], and [`ParseErrorKind::Der`] for another tag.
    pub fn expect(&mut self, tag: u8, what: &'static str) -> Result<Tlv<'a>, ParseError> {
        let tlv = self.read(what)?;
        if tlv.tag == tag {
            Ok(tlv)
        } else {
            Err(tlv.malformed(
                what,
                format!("expected tag {tag:#04x}, found {:#04x}", tlv.tag),
            ))
        }
    }

    /// Reads the next TLV if it has tag `tag` (an OPTIONAL or DEFAULT field).
    ///
    /// # Errors
    /// As [`Self::read`].
    pub fn optional(&mut self, tag: u8, what: &'static str) -> Result<Option<Tlv<'a>>, ParseError> {
        if self.peek_tag() == Some(tag) {
            self.read(what).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Fails if anything is left.
    ///
    /// # Errors
    /// [`ParseErrorKind::TrailingData`] at the first unread octet.
    pub fn finish(&self, what: &'static str) -> Result<(), ParseError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(ParseError {
                what,
                offset: self.pos,
                kind: ParseErrorKind::TrailingData {
                    extra: self.end.saturating_sub(self.pos),
                },
            })
        }
    }
}

/// Whether OBJECT IDENTIFIER content octets are well formed: not empty, the last
/// subidentifier ended, none padded with a leading 0x80 (arcs that overflow 64 bits are
/// [`oid_to_string`]'s concern).
pub(crate) fn oid_well_formed(content: &[u8]) -> bool {
    let mut starts_arc = true;
    for &b in content {
        if starts_arc && b == 0x80 {
            return false;
        }
        starts_arc = b & 0x80 == 0;
    }
    !content.is_empty() && starts_arc
}

/// The dotted form of an OBJECT IDENTIFIER's content octets (`1.3.132.0.35`); `None` if
/// they are empty, end inside a subidentifier or pad one with a leading 0x80.
pub fn oid_to_string(content: &[u8]) -> Option<String> {
    if !oid_well_formed(content) {
        return None;
    }
    // Written digit by digit: certificates name an OID per extension, and the
    // formatting machinery was most of reading their extensions.
    let mut dotted = String::with_capacity(content.len().saturating_mul(3));
    let mut arc: u64 = 0;
    let mut first = true;
    for &b in content {
        arc = arc.checked_mul(128)?.checked_add(u64::from(b & 0x7F))?;
        if b & 0x80 != 0 {
            continue;
        }
        if first {
            // The first subidentifier packs the first two arcs (X.690 §8.19.4).
            let (a, b) = match arc {
                0..=39 => (0, arc),
                40..=79 => (1, arc.saturating_sub(40)),
                _ => (2, arc.saturating_sub(80)),
            };
            push_decimal(&mut dotted, a);
            dotted.push('.');
            push_decimal(&mut dotted, b);
            first = false;
        } else {
            dotted.push('.');
            push_decimal(&mut dotted, arc);
        }
        arc = 0;
    }
    Some(dotted)
}

/// Appends `n` in decimal.
fn push_decimal(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start = start.saturating_sub(1);
        if let Some(slot) = digits.get_mut(start) {
            // n % 10 < 10: the digit fits.
            *slot = b'0'.saturating_add(u8::try_from(n % 10).unwrap_or(0));
        }
        n /= 10;
        if n == 0 || start == 0 {
            break;
        }
    }
    out.push_str(core::str::from_utf8(digits.get(start..).unwrap_or(&[])).unwrap_or(""));
}

/// Appends one TLV with a single-octet `tag` and a minimal definite length.
pub fn write_tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    let len = content.len().to_be_bytes();
    let significant = len
        .get(len.iter().take_while(|b| **b == 0).count()..)
        .unwrap_or(&[]);
    match significant {
        [] => out.push(0),
        [short] if *short < 0x80 => out.push(*short),
        // At most size_of::<usize>() octets, so the count fits the low seven bits.
        long => {
            out.push(0x80 | u8::try_from(long.len()).unwrap_or(0x7F));
            out.extend_from_slice(long);
        }
    }
    out.extend_from_slice(content);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(bytes: &[u8]) -> Result<Tlv<'_>, ParseError> {
        let mut r = Reader::new(bytes);
        let tlv = r.read("test")?;
        r.finish("test")?;
        Ok(tlv)
    }

    #[test]
    fn lengths_must_be_definite_and_minimal() {
        assert_eq!(one(&[0x04, 0x01, 0xAA]).unwrap().content, [0xAA]);
        let long = [&[0x04, 0x81, 0x80][..], &[0u8; 0x80]].concat();
        assert_eq!(one(&long).unwrap().content.len(), 0x80);
        for bad in [
            &[0x04, 0x81, 0x01, 0xAA][..], // long form for a short length
            &[0x04, 0x82, 0x00, 0x80],     // leading zero length octet
            &[0x30, 0x80, 0x00, 0x00],     // indefinite
            &[0x04, 0x85, 1, 0, 0, 0, 0],  // five length octets
            &[0x1F, 0x01, 0x00],           // multi-octet tag
        ] {
            assert!(
                matches!(one(bad).unwrap_err().kind, ParseErrorKind::Der(_)),
                "{bad:02x?}"
            );
        }
    }

    #[test]
    fn truncation_names_the_offset() {
        let e = one(&[0x30, 0x03, 0x02, 0x01]).unwrap_err();
        assert_eq!(e.offset, 2);
        assert_eq!(
            e.kind,
            ParseErrorKind::Truncated {
                needed: 3,
                available: 2
            }
        );
        assert_eq!(one(&[]).unwrap_err().offset, 0);
        assert!(one(&[0x04, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]).is_err());
    }

    #[test]
    fn nested_offsets_are_absolute() {
        let bytes = [0x30, 0x05, 0x04, 0x00, 0x02, 0x01, 0x07];
        let outer = one(&bytes).unwrap();
        let mut r = outer.reader();
        assert_eq!(r.read("a").unwrap().offset, 2);
        let int = r.expect(INTEGER, "b").unwrap();
        assert_eq!((int.offset, int.small_uint("b").unwrap()), (4, 7));
        assert_eq!(int.raw(), [0x02, 0x01, 0x07]);
        assert!(r.is_empty());
        let mut r = outer.reader();
        let e = r.expect(INTEGER, "c").unwrap_err();
        assert_eq!(e.offset, 2);
    }

    #[test]
    fn values() {
        let oid = one(&[0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01]).unwrap();
        assert_eq!(oid.oid("o").unwrap(), "1.3.6.1.5.5.7.48.1");
        let sha384 = hex::decode("0609608648016503040202").unwrap();
        assert_eq!(
            one(&sha384).unwrap().oid("o").unwrap(),
            "2.16.840.1.101.3.4.2.2"
        );
        for bad in [
            &[0x06, 0x00][..],
            &[0x06, 0x01, 0x86],
            &[0x06, 0x02, 0x2B, 0x80],
        ] {
            assert!(one(bad).unwrap().oid("o").is_err(), "{bad:02x?}");
        }
        assert!(one(&[0x06, 0x03, 0x2B, 0x80, 0x01])
            .unwrap()
            .oid("o")
            .is_err());
        let time = [&[0x18, 0x0F][..], b"20250821064707Z"].concat();
        assert_eq!(
            one(&time).unwrap().generalized_time("t").unwrap(),
            1_755_758_827
        );
        for bad in [
            &b"20250821064707.5Z"[..],
            b"202508210647Z",
            b"20250821064707+",
            b"20250230064707Z", // February 30th
            b"20251321064707Z",
            b"20250821246707Z",
            b"2025082106470-Z",
            b"19691231235959Z", // before the epoch
        ] {
            let t = [&[0x18, bad.len() as u8][..], bad].concat();
            assert!(one(&t).unwrap().generalized_time("t").is_err(), "{bad:?}");
        }
        let utc = |text: &[u8]| [&[0x17, text.len() as u8][..], text].concat();
        assert_eq!(
            one(&utc(b"250821064707Z")).unwrap().x509_time("t").unwrap(),
            1_755_758_827
        );
        // RFC 5280's pivot: 49 is 2049, 50 is 1950 (before the epoch: refused).
        assert_eq!(
            one(&utc(b"491231235959Z")).unwrap().utc_time("t").unwrap(),
            2_524_607_999
        );
        assert!(one(&utc(b"500101000000Z")).unwrap().utc_time("t").is_err());
        assert_eq!(
            one(&utc(b"700101000000Z")).unwrap().utc_time("t").unwrap(),
            0
        );
        for bad in [
            &b"2508210647Z"[..],
            b"250821064707",
            b"250229000000Z",
            b"250821064707+0000",
        ] {
            assert!(one(&utc(bad)).unwrap().utc_time("t").is_err(), "{bad:?}");
        }
        assert!(one(&[0x04, 0x00]).unwrap().x509_time("t").is_err());
        assert!(one(&[0x02, 0x02, 0x00, 0x7F])
            .unwrap()
            .integer("i")
            .is_err());
        assert!(one(&[0x02, 0x02, 0xFF, 0x80])
            .unwrap()
            .integer("i")
            .is_err());
        assert_eq!(
            one(&[0x02, 0x02, 0x00, 0x80])
                .unwrap()
                .integer("i")
                .unwrap(),
            [0, 0x80]
        );
        assert!(one(&[0x01, 0x01, 0x01]).unwrap().boolean("b").is_err());
        assert!(one(&[0x03, 0x02, 0x01, 0x00])
            .unwrap()
            .bit_string_octets("s")
            .is_err());
    }

    #[test]
    fn written_tlvs_read_back() {
        for len in [0usize, 1, 0x7F, 0x80, 0xFF, 0x100, 0x1_0000] {
            let content = vec![0xA5; len];
            let mut out = Vec::new();
            write_tlv(&mut out, OCTET_STRING, &content);
            let tlv = one(&out).unwrap();
            assert_eq!((tlv.tag, tlv.content.len()), (OCTET_STRING, len));
        }
        let mut out = Vec::new();
        write_tlv(&mut out, OCTET_STRING, &[7u8; 200]);
        assert_eq!(out[..3], [0x04, 0x81, 200]);
        assert_eq!(Reader::new(&out).peek_tag(), Some(OCTET_STRING));
        assert_eq!(Reader::new(&[]).peek_tag(), None);
        assert_eq!(
            oid_to_string(&[0x2b, 0x81, 0x04, 0x00, 0x23]).unwrap(),
            "1.3.132.0.35"
        );
        for (content, dotted) in [
            (&[0x00][..], "0.0"),
            (&[0x27], "0.39"),
            (&[0x28], "1.0"),
            (&[0x88, 0x37, 0x03], "2.999.3"),
            (&[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D], "1.2.840.113549"),
            (
                &[
                    0x2A, 0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F,
                ],
                "1.2.18446744073709551615",
            ),
        ] {
            assert_eq!(oid_to_string(content).as_deref(), Some(dotted));
        }
        // One past u64: no text rather than a wrapped one.
        assert_eq!(
            oid_to_string(&[0x2A, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]),
            None
        );
    }
}

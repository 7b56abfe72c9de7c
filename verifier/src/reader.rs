//! The crate's one bounds-checked little-endian cursor (for SNP-adjacent SPDM, TDX
//! quotes, NVIDIA opaque data and the CCEL event log). Every read names its field;
//! running out of input is a [`ParseErrorKind::Truncated`] error at the field's absolute
//! offset, and nothing here can panic or allocate.

use crate::error::{ParseError, ParseErrorKind};

/// A cursor over `bytes`. Offsets in errors and from [`Reader::pos`] are absolute in the
/// whole input, also for a sub-reader (see [`Reader::sub`]).
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    // Offset of `bytes` in the whole input, so errors in a sub-structure name the
    // absolute position.
    base: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            pos: 0,
            base: 0,
        }
    }

    /// The next `n` bytes as their own reader (offsets stay absolute); this one moves past them.
    pub(crate) fn sub(&mut self, n: usize, what: &'static str) -> Result<Self, ParseError> {
        let base = self.pos();
        let bytes = self.take(n, what)?;
        Ok(Reader {
            bytes,
            pos: 0,
            base,
        })
    }

    /// Absolute offset of the next byte.
    pub(crate) fn pos(&self) -> usize {
        self.base.saturating_add(self.pos)
    }

    /// How many bytes are unread.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// The unread bytes, without consuming them.
    pub(crate) fn unread(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or(&[])
    }

    /// Whether everything has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Takes `n` bytes. Fails without moving if fewer remain, so that lengths read from
    /// the wire are checked against the input before anything is allocated for them.
    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ParseError> {
        let end = self.pos.checked_add(n);
        match end.and_then(|end| self.bytes.get(self.pos..end).map(|s| (s, end))) {
            Some((slice, end)) => {
                self.pos = end;
                Ok(slice)
            }
            None => Err(ParseError {
                what,
                offset: self.pos(),
                kind: ParseErrorKind::Truncated {
                    needed: n,
                    available: self.remaining(),
                },
            }),
        }
    }

    /// Takes a length read from the wire (`u32`/`u64`); a length that does not fit a
    /// `usize` is reported as truncation, which it necessarily is.
    pub(crate) fn take_len(&mut self, n: u64, what: &'static str) -> Result<&'a [u8], ParseError> {
        self.take(usize::try_from(n).unwrap_or(usize::MAX), what)
    }

    pub(crate) fn array<const N: usize>(
        &mut self,
        what: &'static str,
    ) -> Result<[u8; N], ParseError> {
        let offset = self.pos();
        let slice = self.take(N, what)?;
        <[u8; N]>::try_from(slice).map_err(|_| ParseError {
            what,
            offset,
            kind: ParseErrorKind::Truncated {
                needed: N,
                available: slice.len(),
            },
        })
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, ParseError> {
        self.array::<1>(what).map(|[b]| b)
    }

    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, ParseError> {
        self.array(what).map(u16::from_le_bytes)
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, ParseError> {
        self.array(what).map(u32::from_le_bytes)
    }

    pub(crate) fn u64(&mut self, what: &'static str) -> Result<u64, ParseError> {
        self.array(what).map(u64::from_le_bytes)
    }

    /// A big-endian u16 (TPM structures are big-endian).
    pub(crate) fn u16_be(&mut self, what: &'static str) -> Result<u16, ParseError> {
        self.array(what).map(u16::from_be_bytes)
    }

    /// A big-endian u32.
    pub(crate) fn u32_be(&mut self, what: &'static str) -> Result<u32, ParseError> {
        self.array(what).map(u32::from_be_bytes)
    }

    /// A big-endian u64.
    pub(crate) fn u64_be(&mut self, what: &'static str) -> Result<u64, ParseError> {
        self.array(what).map(u64::from_be_bytes)
    }

    /// Reads a UINTN of `size` bytes (4 or 8, from the TCG Spec ID event's uintnSize).
    pub(crate) fn uintn(&mut self, size: usize, what: &'static str) -> Result<u64, ParseError> {
        if size == 4 {
            self.u32(what).map(u64::from)
        } else {
            self.u64(what)
        }
    }

    /// The next `n` bytes without consuming them.
    pub(crate) fn peek(&self, n: usize) -> Option<&'a [u8]> {
        self.bytes.get(self.pos..self.pos.checked_add(n)?)
    }

    /// The rest of the input, consumed.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let rest = self.unread();
        self.pos = self.bytes.len();
        rest
    }
}

/// A [`ParseErrorKind::InvalidValue`] for `what` at `offset`.
pub(crate) fn invalid(what: &'static str, offset: usize, why: &'static str) -> ParseError {
    ParseError {
        what,
        offset,
        kind: ParseErrorKind::InvalidValue(why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_readers_report_absolute_offsets() {
        let bytes = [1u8, 2, 3, 4, 5, 6];
        let mut r = Reader::new(&bytes);
        r.u8("a").unwrap();
        let mut sub = r.sub(3, "sub").unwrap();
        assert_eq!((sub.pos(), r.pos()), (1, 4));
        assert_eq!(sub.u16("b").unwrap(), 0x0302);
        let e = sub.u16("c").unwrap_err();
        assert_eq!(e.offset, 3);
        assert_eq!(
            e.kind,
            ParseErrorKind::Truncated {
                needed: 2,
                available: 1
            }
        );
        // A failed read does not move the cursor.
        assert_eq!(sub.unread(), [4]);
        assert_eq!(r.take_len(u64::MAX, "d").unwrap_err().offset, 4);
        assert_eq!(r.rest(), [5, 6]);
        assert!(r.is_empty());
    }
}

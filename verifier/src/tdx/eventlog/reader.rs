//! A bounds-checked little-endian cursor. Every read either returns the bytes or a
//! [`ParseError`] naming the field, its absolute offset and how many bytes were missing;
//! nothing here can panic or allocate.

use crate::error::{ParseError, ParseErrorKind};

/// A cursor over `bytes`; offsets in errors are absolute positions in `bytes`, so a
/// sub-reader (see [`Reader::sub`]) reports offsets in the whole input.
#[derive(Debug, Clone)]
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    /// The absolute offset of the next byte.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// The unread bytes.
    pub(super) fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or(&[])
    }

    pub(super) fn is_empty(&self) -> bool {
        self.rest().is_empty()
    }

    /// Takes `n` bytes. Fails without moving if fewer remain, so that lengths read from
    /// the wire are checked against the input before anything is allocated for them.
    pub(super) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ParseError> {
        let end = self.pos.checked_add(n);
        match end.and_then(|end| self.bytes.get(self.pos..end).map(|s| (s, end))) {
            Some((slice, end)) => {
                self.pos = end;
                Ok(slice)
            }
            None => Err(ParseError {
                what,
                offset: self.pos,
                kind: ParseErrorKind::Truncated {
                    needed: n,
                    available: self.rest().len(),
                },
            }),
        }
    }

    /// Takes a length read from the wire (`u32`/`u64`); a length that does not fit a
    /// `usize` is reported as truncation, which it necessarily is.
    pub(super) fn take_len(&mut self, n: u64, what: &'static str) -> Result<&'a [u8], ParseError> {
        self.take(usize::try_from(n).unwrap_or(usize::MAX), what)
    }

    /// A reader over the next `n` bytes (offsets stay absolute); this reader moves past them.
    pub(super) fn sub(&mut self, n: usize, what: &'static str) -> Result<Self, ParseError> {
        let start = self.pos;
        self.take(n, what)?;
        Ok(Self {
            bytes: self.bytes.get(..self.pos).unwrap_or(&[]),
            pos: start,
        })
    }

    pub(super) fn array<const N: usize>(
        &mut self,
        what: &'static str,
    ) -> Result<[u8; N], ParseError> {
        let offset = self.pos;
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

    pub(super) fn u8(&mut self, what: &'static str) -> Result<u8, ParseError> {
        self.array::<1>(what).map(|[b]| b)
    }

    pub(super) fn u16(&mut self, what: &'static str) -> Result<u16, ParseError> {
        self.array(what).map(u16::from_le_bytes)
    }

    pub(super) fn u32(&mut self, what: &'static str) -> Result<u32, ParseError> {
        self.array(what).map(u32::from_le_bytes)
    }

    pub(super) fn u64(&mut self, what: &'static str) -> Result<u64, ParseError> {
        self.array(what).map(u64::from_le_bytes)
    }

    /// Reads a UINTN of `size` bytes (4 or 8, from the Spec ID event's uintnSize).
    pub(super) fn uintn(&mut self, size: usize, what: &'static str) -> Result<u64, ParseError> {
        if size == 4 {
            self.u32(what).map(u64::from)
        } else {
            self.u64(what)
        }
    }
}

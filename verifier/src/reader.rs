//! A bounds-checked little-endian cursor: every read names its field, and running out of
//! input is a [`ParseErrorKind::Truncated`] error at the field's offset.

use crate::error::{ParseError, ParseErrorKind};

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

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ParseError> {
        let end = self.pos.checked_add(n);
        match end.and_then(|end| self.bytes.get(self.pos..end)) {
            Some(slice) => {
                self.pos = self.pos.saturating_add(n);
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

    pub(crate) fn array<const N: usize>(
        &mut self,
        what: &'static str,
    ) -> Result<[u8; N], ParseError> {
        let slice = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, ParseError> {
        self.array(what).map(u8::from_le_bytes)
    }

    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, ParseError> {
        self.array(what).map(u16::from_le_bytes)
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, ParseError> {
        self.array(what).map(u32::from_le_bytes)
    }

    /// The rest of the input.
    /// The next `n` bytes without consuming them.
    pub(crate) fn peek(&self, n: usize) -> Option<&'a [u8]> {
        self.bytes.get(self.pos..self.pos.checked_add(n)?)
    }

    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let rest = self.bytes.get(self.pos..).unwrap_or(&[]);
        self.pos = self.bytes.len();
        rest
    }
}

pub(crate) fn invalid(what: &'static str, offset: usize, why: &'static str) -> ParseError {
    ParseError {
        what,
        offset,
        kind: ParseErrorKind::InvalidValue(why),
    }
}

//! Intel's signed JSON documents (TCB Info, QE Identity) as one sealed type: the parsed
//! body, the exact bytes the signature covers and the signature travel together, and no
//! caller can change one of them after the other was checked.

use crate::pki::DigestMemo;

/// A signed Intel collateral document: its parsed body, the exact signed bytes (the inner
/// JSON object as served) and the TCB Signing key's ECDSA P-256 `r ‖ s` signature.
///
/// Fields are private so the body always is the parse of the signed bytes; build one with
/// `from_pcs_body` or `from_parts` (see [`SignedTcbInfo`] and [`SignedQeIdentity`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed<T> {
    body: T,
    signed: Vec<u8>,
    signature: [u8; 64],
    // Caches the digest of `signed` for repeated verification.
    memo: DigestMemo,
}

/// A TCB Info (`tcbInfo`) with the bytes its signature covers.
pub type SignedTcbInfo = Signed<super::TcbInfo>;

/// A QE Identity (`enclaveIdentity`) with the bytes its signature covers.
pub type SignedQeIdentity = Signed<super::QeIdentity>;

impl<T> Signed<T> {
    /// Only this crate's parsers build one, from `signed` and the body parsed from it.
    pub(super) fn new(body: T, signed: &[u8], signature: [u8; 64]) -> Self {
        Self {
            body,
            signed: signed.to_vec(),
            signature,
            memo: DigestMemo::default(),
        }
    }

    /// The parsed document.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The exact bytes the signature covers.
    pub fn signed_bytes(&self) -> &[u8] {
        &self.signed
    }

    /// The ECDSA P-256 `r ‖ s` signature by the TCB Signing key.
    pub fn signature(&self) -> &[u8; 64] {
        &self.signature
    }

    pub(crate) fn memo(&self) -> &DigestMemo {
        &self.memo
    }
}

//! What both token encodings share: base64url, the decoded-but-unverified form, and the
//! checks every signing path makes. Below `jwt`, `cwt` and `verify`, which all use it.

use std::borrow::Cow;

use crate::ear::Ear;

use super::alg::Algorithm;
use super::error::TokenError;

/// base64url without padding (RFC 7515 §2), strict: padding and non-zero trailing bits
/// are refused, so every value has one encoding.
pub(crate) const B64: base64::engine::GeneralPurpose =
    base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The encoding of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenFormat {
    /// JWS compact serialisation of JSON claims.
    Jwt,
    /// COSE_Sign1 of CBOR claims.
    Cwt,
}

/// A decoded token before its signature is checked.
pub(crate) struct Parsed<'a> {
    pub(crate) format: TokenFormat,
    pub(crate) algorithm: Algorithm,
    /// The key ids to look up, in order (a CWT kid is tried as base64url, then as text).
    pub(crate) kids: Vec<String>,
    /// The exact bytes the signature covers.
    pub(crate) signed: Cow<'a, [u8]>,
    pub(crate) signature: Vec<u8>,
    pub(crate) payload: Payload,
}

/// The signed payload, decoded only after the signature verifies.
pub(crate) enum Payload {
    Json(Vec<u8>),
    Cbor(Vec<u8>),
}

pub(crate) fn require_exp(ear: &Ear) -> Result<(), TokenError> {
    ear.validate().map_err(TokenError::InvalidEar)
}

pub(crate) fn check_signature_len(alg: Algorithm, signature: &[u8]) -> Result<(), TokenError> {
    let want = alg.signature_len();
    if signature.len() == want {
        Ok(())
    } else {
        Err(TokenError::Sign(format!(
            "the signer returned {} bytes, and an {alg} signature is {want} (fixed r||s for ECDSA)",
            signature.len()
        )))
    }
}

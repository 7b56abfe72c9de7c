//! Attestation tokens: signing keys, JWKS, EAR as JWT and as CWT (COSE_Sign1), verification.
//!
//! An attestation result is an [`crate::ear::Ear`] (draft-ietf-rats-ear-04). This module signs it
//! in either of the two encodings the draft defines, and verifies both:
//!
//! - **JWT** ([`sign_jwt`]): JWS compact serialisation (RFC 7515 §7.1), header
//!   `{"alg","typ":"JWT","kid"}`, payload the EAR's JSON claims-set
//!   (string names, tiers as strings, bytes as base64url). There is never a `jwk`, `jku`
//!   or `x5u` in the header: keys come from the relying party's [`JwkSet`].
//! - **CWT** ([`sign_cwt`]): a tagged COSE_Sign1 (RFC 9052 §4.2, tag 18) whose protected
//!   header holds `alg`, `kid` (the raw SHA-256 JWK thumbprint) and the content type
//!   `application/eat+cwt`; the payload is the CBOR claims-set with integer keys.
//!
//! Keys are P-384 (`ES384`, the default), P-256 (`ES256`) or Ed25519 (`EdDSA`). A
//! [`SigningKey`] is a software key held by the crate's crypto provider; hardware and
//! cloud keys implement [`Signer`]. A key's id is its RFC 7638 thumbprint.
//!
//! [`verify_token`] takes either encoding (a CWT also as hex or base64url text), picks the
//! key by `kid`, refuses any algorithm other than the key's own (so `none`, HMAC and
//! algorithm confusion are impossible), verifies the signature over the bytes as received,
//! then checks `exp` (required), `nbf`, `iat`, `eat_nonce`, `iss` and `aud` against
//! [`VerifyOptions`]. The verified claims come back as JSON with the JWT names for both
//! encodings, so a relying party's policy reads one shape.
//!
//! Like the rest of the crate this is pure: the caller passes `now`, keys and tokens. Two
//! things reach outside through the crypto provider only: key generation and ECDSA nonces
//! use the backend's system RNG.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

mod claims;
mod cwt;
mod der;
mod error;
mod jwk;
mod jwt;
mod key;
mod verify;

use core::fmt;

pub use self::cwt::sign_cwt;
pub use self::error::TokenError;
pub use self::jwk::{Jwk, JwkSet, JwksError};
pub use self::jwt::sign_jwt;
pub use self::key::{Signer, SigningKey};
pub use self::verify::{
    verify_token, verify_token_with_provider, TokenFormat, VerifiedToken, VerifyOptions,
};

use verifier::crypto::KeyType;

/// A token signature algorithm: the key type and the signature scheme together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Algorithm {
    /// ECDSA P-384 with SHA-384 (JWS `ES384`, COSE −35). The default.
    #[default]
    Es384,
    /// ECDSA P-256 with SHA-256 (JWS `ES256`, COSE −7).
    Es256,
    /// Ed25519 (JWS `EdDSA`, COSE −8).
    EdDsa,
}

impl Algorithm {
    /// Every algorithm, in order of preference.
    pub const ALL: [Self; 3] = [Self::Es384, Self::Es256, Self::EdDsa];

    /// The JWS `alg` value (RFC 7518 §3.1, RFC 8037 §3.1).
    pub fn jws_name(self) -> &'static str {
        match self {
            Self::Es384 => "ES384",
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
        }
    }

    /// The COSE `alg` value (RFC 9053 §2.1, §2.2).
    pub fn cose_alg(self) -> coset::iana::Algorithm {
        match self {
            Self::Es384 => coset::iana::Algorithm::ES384,
            Self::Es256 => coset::iana::Algorithm::ES256,
            Self::EdDsa => coset::iana::Algorithm::EdDSA,
        }
    }

    /// Parses a JWS `alg`. The fully-specified names of RFC 9864 are accepted as aliases
    /// (`Ed25519` for `EdDSA`, `ESP256`/`ESP384` for `ES256`/`ES384`), since they name the
    /// same scheme for the only curve each of our keys can have.
    pub fn from_jws_name(name: &str) -> Option<Self> {
        match name {
            "ES384" | "ESP384" => Some(Self::Es384),
            "ES256" | "ESP256" => Some(Self::Es256),
            "EdDSA" | "Ed25519" => Some(Self::EdDsa),
            _ => None,
        }
    }

    /// Parses a COSE `alg`, with the RFC 9864 aliases (ESP256 −9, ESP384 −51,
    /// Ed25519 −19).
    pub fn from_cose_alg(alg: i64) -> Option<Self> {
        match alg {
            -35 | -51 => Some(Self::Es384),
            -7 | -9 => Some(Self::Es256),
            -8 | -19 => Some(Self::EdDsa),
            _ => None,
        }
    }

    /// The JWK `crv` of this algorithm's keys.
    pub fn curve_name(self) -> &'static str {
        match self {
            Self::Es384 => "P-384",
            Self::Es256 => "P-256",
            Self::EdDsa => "Ed25519",
        }
    }

    /// The crypto provider's key type.
    pub fn key_type(self) -> KeyType {
        match self {
            Self::Es384 => KeyType::EcdsaP384,
            Self::Es256 => KeyType::EcdsaP256,
            Self::EdDsa => KeyType::Ed25519,
        }
    }

    pub(crate) fn from_curve_name(crv: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.curve_name() == crv)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.jws_name())
    }
}

/// base64url without padding (RFC 7515 §2), strict: padding and non-zero trailing bits
/// are refused, so every value has one encoding.
pub(crate) const B64: base64::engine::GeneralPurpose =
    base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_names_round_trip() {
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::from_jws_name(alg.jws_name()), Some(alg));
            assert_eq!(Algorithm::from_cose_alg(alg.cose_alg() as i64), Some(alg));
            assert_eq!(Algorithm::from_curve_name(alg.curve_name()), Some(alg));
            assert_eq!(alg.to_string(), alg.jws_name());
        }
        assert_eq!(Algorithm::Es384.cose_alg() as i64, -35);
        assert_eq!(Algorithm::Es256.cose_alg() as i64, -7);
        assert_eq!(Algorithm::EdDsa.cose_alg() as i64, -8);
        for refused in ["none", "HS256", "RS256", "PS384", "ES512", "es384", ""] {
            assert_eq!(Algorithm::from_jws_name(refused), None, "{refused}");
        }
        assert_eq!(Algorithm::from_jws_name("Ed25519"), Some(Algorithm::EdDsa));
        assert_eq!(Algorithm::from_cose_alg(5), None); // HMAC 256/256
        assert_eq!(Algorithm::default(), Algorithm::Es384);
    }
}

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
//! Like the rest of the crate this is pure: the caller passes `now`, keys, tokens and, for
//! key generation, the RNG. Software keys live in a [`software::KeyProvider`] (aws-lc-rs
//! or pure Rust, chosen by the same cargo features as the verifier's crypto provider); the
//! verifier's provider only hashes and verifies. The one draw of randomness left inside
//! is aws-lc-rs's ECDSA nonce (its API takes no RNG).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

// Modules from the bottom up: each uses only those above it in this list.
mod alg;
mod claims;
mod cwt;
mod der;
mod error;
mod jwk;
mod jwt;
mod key;
mod options;
mod signer;
pub mod software;
mod verify;
mod wire;

pub use self::alg::Algorithm;
pub use self::cwt::sign_cwt;
pub use self::error::{JwksError, TokenError};
pub use self::jwk::{Jwk, JwkSet};
pub use self::jwt::sign_jwt;
pub use self::key::SigningKey;
pub use self::options::VerifyOptions;
pub use self::signer::Signer;
pub use self::verify::{verify_token, verify_token_with_provider, VerifiedToken};
pub use self::wire::TokenFormat;

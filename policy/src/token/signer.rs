//! The [`Signer`] trait: what token encoders need of a key, so that an HSM or cloud KMS
//! key can sign as well as a software one.

use super::alg::Algorithm;
use super::error::TokenError;
use super::jwk::{Jwk, JwkSet};

/// Something that signs tokens: a software key ([`SigningKey`]), or an HSM or cloud KMS
/// key behind the same four methods.
pub trait Signer: Send + Sync {
    /// The algorithm every signature of this key uses.
    fn algorithm(&self) -> Algorithm;

    /// The key id put in token headers: the RFC 7638 thumbprint of [`Signer::public_jwk`]
    /// (base64url, no padding, of SHA-256).
    fn key_id(&self) -> &str;

    /// The public key as a JWK, with `kid`, `alg` and `use: "sig"`.
    fn public_jwk(&self) -> Jwk;

    /// Signs `message`: fixed `r ‖ s` for ES256/ES384 (the JWS and COSE form, not DER),
    /// 64 bytes for EdDSA.
    ///
    /// # Errors
    /// [`TokenError::Sign`] if the key or its backend fails.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, TokenError>;
}

// Here rather than beside `JwkSet`, so that `jwk` need not know about signers.
impl JwkSet {
    /// The set of the public keys of `signers`.
    pub fn from_signers(signers: &[&dyn Signer]) -> Self {
        Self {
            keys: signers.iter().map(|s| s.public_jwk()).collect(),
        }
    }
}

//! Software signing keys: the backends that generate, load and hold token keys in
//! process memory, behind [`KeyProvider`] so that the backend is a build-time choice.
//!
//! The same cargo features as the verifier's crypto provider pick them: `aws-lc-rs`
//! (default) and `rustcrypto` (pure Rust: `p256`, `p384`, `ed25519-dalek`). Both may be
//! compiled in; [`default_key_provider`] then prefers aws-lc-rs. Keys held elsewhere (an
//! HSM, a cloud KMS) implement [`super::Signer`] instead and need none of this.
//!
//! Randomness comes from the caller: key generation takes an RNG. The one exception is
//! aws-lc-rs's ECDSA nonce, drawn by aws-lc itself (its signing API takes no RNG); the
//! pure-Rust backend derives nonces by RFC 6979.

use core::fmt;

use rand_core::CryptoRngCore;

use super::alg::Algorithm;
use super::error::TokenError;

#[cfg(feature = "aws-lc-rs")]
mod aws_lc;
#[cfg(feature = "rustcrypto")]
mod rustcrypto;

#[cfg(feature = "aws-lc-rs")]
pub use aws_lc::AwsLcKeys;
#[cfg(feature = "rustcrypto")]
pub use rustcrypto::RustCryptoKeys;

#[cfg(not(any(feature = "aws-lc-rs", feature = "rustcrypto")))]
compile_error!("verdict-policy needs a crypto backend: enable `aws-lc-rs` or `rustcrypto`");

/// A private key loaded into a backend once, to sign many messages.
///
/// `Debug` implementations print the algorithm and the public key, never the secret.
pub trait PrivateKey: Send + Sync + fmt::Debug {
    /// The algorithm every signature of this key uses.
    fn algorithm(&self) -> Algorithm;

    /// The public key, encoded as [`Algorithm::public_key_len`] describes.
    fn public_key(&self) -> &[u8];

    /// Signs `message`: fixed `r ‖ s` over the curve's hash for ECDSA, the 64-byte
    /// signature for Ed25519.
    ///
    /// # Errors
    /// [`TokenError::Sign`] if the backend refuses.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, TokenError>;
}

/// A backend for software signing keys.
pub trait KeyProvider: Send + Sync + fmt::Debug {
    /// A short name for logs and benches (`aws-lc-rs`, `rustcrypto`).
    fn name(&self) -> &'static str;

    /// Generates a fresh key of `alg` from `rng` and returns it as unencrypted PKCS#8 DER
    /// (for ECDSA an RFC 5915 `ECPrivateKey` with the named curve, for Ed25519 RFC 8410).
    ///
    /// # Errors
    /// [`TokenError::Key`] if the RNG or the backend fails.
    fn generate_pkcs8(
        &self,
        alg: Algorithm,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<Vec<u8>, TokenError>;

    /// Loads an unencrypted PKCS#8 key of `alg` for repeated signing.
    ///
    /// # Errors
    /// [`TokenError::Key`] if the DER does not hold a valid key of that algorithm.
    fn load_private_key(
        &self,
        alg: Algorithm,
        pkcs8: &[u8],
    ) -> Result<Box<dyn PrivateKey>, TokenError>;
}

/// The key provider used when a caller does not choose one.
pub fn default_key_provider() -> &'static dyn KeyProvider {
    #[cfg(feature = "aws-lc-rs")]
    {
        &AwsLcKeys
    }
    #[cfg(all(not(feature = "aws-lc-rs"), feature = "rustcrypto"))]
    {
        &RustCryptoKeys
    }
}

/// Every key provider compiled into this build (for differential tests and benches).
pub fn all_key_providers() -> Vec<&'static dyn KeyProvider> {
    [
        #[cfg(feature = "aws-lc-rs")]
        Some(&AwsLcKeys as &'static dyn KeyProvider),
        #[cfg(feature = "rustcrypto")]
        Some(&RustCryptoKeys as &'static dyn KeyProvider),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The refusal of a PKCS#8 key, worded the same by every backend.
fn rejected(alg: Algorithm, reason: impl fmt::Display) -> TokenError {
    TokenError::Key(format!("PKCS#8 {alg} key rejected: {reason}"))
}

#[cfg(test)]
mod tests;

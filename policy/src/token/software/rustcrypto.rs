//! Software keys on the pure-Rust crates (`p256`, `p384`, `ed25519-dalek`), for builds
//! that want no C.

use core::fmt;

use p384::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use rand_core::CryptoRngCore;
// One `signature` crate serves p256, p384 and ed25519-dalek.
use p256::ecdsa::signature::Signer as _;

use super::{rejected, Algorithm, KeyProvider, PrivateKey, TokenError};

/// The RustCrypto key provider.
#[derive(Debug, Clone, Copy, Default)]
pub struct RustCryptoKeys;

/// A key loaded into RustCrypto types (each zeroizes its secret on drop), with its
/// encoded public key.
enum RustCryptoKey {
    P256(p256::ecdsa::SigningKey, Vec<u8>),
    P384(p384::ecdsa::SigningKey, Vec<u8>),
    Ed25519(ed25519_dalek::SigningKey, Vec<u8>),
}

impl fmt::Debug for RustCryptoKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RustCryptoKey")
            .field("algorithm", &self.algorithm())
            .field("public_key", &hex::encode(self.public_key()))
            .finish_non_exhaustive()
    }
}

impl PrivateKey for RustCryptoKey {
    fn algorithm(&self) -> Algorithm {
        match self {
            Self::P256(..) => Algorithm::Es256,
            Self::P384(..) => Algorithm::Es384,
            Self::Ed25519(..) => Algorithm::EdDsa,
        }
    }

    fn public_key(&self) -> &[u8] {
        match self {
            Self::P256(_, p) | Self::P384(_, p) | Self::Ed25519(_, p) => p,
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, TokenError> {
        // ECDSA nonces are RFC 6979 deterministic; Ed25519 is deterministic by design.
        Ok(match self {
            Self::P256(k, _) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                sig.to_bytes().to_vec()
            }
            Self::P384(k, _) => {
                let sig: p384::ecdsa::Signature = k.sign(message);
                sig.to_bytes().to_vec()
            }
            Self::Ed25519(k, _) => k.sign(message).to_bytes().to_vec(),
        })
    }
}

impl KeyProvider for RustCryptoKeys {
    fn name(&self) -> &'static str {
        "rustcrypto"
    }

    fn generate_pkcs8(
        &self,
        alg: Algorithm,
        mut rng: &mut dyn CryptoRngCore,
    ) -> Result<Vec<u8>, TokenError> {
        let doc = match alg {
            Algorithm::Es256 => p256::ecdsa::SigningKey::random(&mut rng).to_pkcs8_der(),
            Algorithm::Es384 => p384::ecdsa::SigningKey::random(&mut rng).to_pkcs8_der(),
            Algorithm::EdDsa => ed25519_dalek::SigningKey::generate(&mut rng).to_pkcs8_der(),
        }
        .map_err(|e| TokenError::Key(format!("could not encode a new {alg} key: {e}")))?;
        Ok(doc.as_bytes().to_vec())
    }

    fn load_private_key(
        &self,
        alg: Algorithm,
        pkcs8: &[u8],
    ) -> Result<Box<dyn PrivateKey>, TokenError> {
        let bad = |e: p384::pkcs8::Error| rejected(alg, e);
        Ok(Box::new(match alg {
            Algorithm::Es256 => {
                let k = p256::ecdsa::SigningKey::from_pkcs8_der(pkcs8).map_err(bad)?;
                let public = k
                    .verifying_key()
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec();
                RustCryptoKey::P256(k, public)
            }
            Algorithm::Es384 => {
                let k = p384::ecdsa::SigningKey::from_pkcs8_der(pkcs8).map_err(bad)?;
                let public = k
                    .verifying_key()
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec();
                RustCryptoKey::P384(k, public)
            }
            Algorithm::EdDsa => {
                let k = ed25519_dalek::SigningKey::from_pkcs8_der(pkcs8).map_err(bad)?;
                let public = k.verifying_key().to_bytes().to_vec();
                RustCryptoKey::Ed25519(k, public)
            }
        }))
    }
}

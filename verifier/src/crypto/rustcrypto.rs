//! The pure-Rust backend (`p256`, `p384`, `rsa`, `sha2`, `sha1`, `ed25519-dalek`), for
//! builds that want no C.

use core::fmt;

use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p384::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use rand_core::OsRng;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::signature::{Signer as _, Verifier as _};

use super::{
    BadSignature, CryptoProvider, Curve, Digest, EcdsaSig, HashAlg, KeyType, PrivateKey, SignError,
};

/// The RustCrypto provider.
#[derive(Debug, Clone, Copy, Default)]
pub struct RustCrypto;

fn digest_parts<D: sha2::Digest>(parts: &[&[u8]]) -> Digest {
    let mut h = D::new();
    for p in parts {
        h.update(p);
    }
    Digest::new(&h.finalize()).unwrap_or(Digest {
        bytes: [0; 64],
        len: 0,
    })
}

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
            .field("key_type", &self.key_type())
            .field("public_key", &hex::encode(self.public_key()))
            .finish_non_exhaustive()
    }
}

impl PrivateKey for RustCryptoKey {
    fn key_type(&self) -> KeyType {
        match self {
            Self::P256(..) => KeyType::EcdsaP256,
            Self::P384(..) => KeyType::EcdsaP384,
            Self::Ed25519(..) => KeyType::Ed25519,
        }
    }

    fn public_key(&self) -> &[u8] {
        match self {
            Self::P256(_, p) | Self::P384(_, p) | Self::Ed25519(_, p) => p,
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
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

fn pkcs8_rejected(key_type: KeyType) -> impl Fn(p384::pkcs8::Error) -> SignError {
    move |e| SignError(format!("PKCS#8 {key_type:?} key rejected: {e}"))
}

impl CryptoProvider for RustCrypto {
    fn name(&self) -> &'static str {
        "rustcrypto"
    }

    fn hash(&self, alg: HashAlg, parts: &[&[u8]]) -> Digest {
        match alg {
            HashAlg::Sha256 => digest_parts::<sha2::Sha256>(parts),
            HashAlg::Sha384 => digest_parts::<sha2::Sha384>(parts),
            HashAlg::Sha512 => digest_parts::<sha2::Sha512>(parts),
            HashAlg::Sha1 => digest_parts::<sha1::Sha1>(parts),
        }
    }

    fn verify_ecdsa(
        &self,
        curve: Curve,
        hash: HashAlg,
        public_key: &[u8],
        message: &[u8],
        sig: EcdsaSig<'_>,
    ) -> Result<(), BadSignature> {
        // aws-lc-rs has no ECDSA with SHA-1 either; nothing Verdict verifies uses it.
        if hash == HashAlg::Sha1 {
            return Err(BadSignature);
        }
        let prehash = self.hash(hash, &[message]);
        match curve {
            Curve::P256 => {
                let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
                    .map_err(|_| BadSignature)?;
                let sig = match sig {
                    EcdsaSig::Der(d) => p256::ecdsa::Signature::from_der(d),
                    EcdsaSig::Fixed(f) => p256::ecdsa::Signature::from_slice(f),
                }
                .map_err(|_| BadSignature)?;
                key.verify_prehash(prehash.as_ref(), &sig)
                    .map_err(|_| BadSignature)
            }
            Curve::P384 => {
                let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
                    .map_err(|_| BadSignature)?;
                let sig = match sig {
                    EcdsaSig::Der(d) => p384::ecdsa::Signature::from_der(d),
                    EcdsaSig::Fixed(f) => p384::ecdsa::Signature::from_slice(f),
                }
                .map_err(|_| BadSignature)?;
                key.verify_prehash(prehash.as_ref(), &sig)
                    .map_err(|_| BadSignature)
            }
        }
    }

    fn verify_rsa_pss(
        &self,
        hash: HashAlg,
        public_key: &[u8],
        message: &[u8],
        sig: &[u8],
    ) -> Result<(), BadSignature> {
        let key = rsa::RsaPublicKey::from_pkcs1_der(public_key).map_err(|_| BadSignature)?;
        let sig = rsa::pss::Signature::try_from(sig).map_err(|_| BadSignature)?;
        match hash {
            HashAlg::Sha256 => {
                rsa::pss::VerifyingKey::<sha2::Sha256>::new(key).verify(message, &sig)
            }
            HashAlg::Sha384 => {
                rsa::pss::VerifyingKey::<sha2::Sha384>::new(key).verify(message, &sig)
            }
            HashAlg::Sha512 => {
                rsa::pss::VerifyingKey::<sha2::Sha512>::new(key).verify(message, &sig)
            }
            HashAlg::Sha1 => return Err(BadSignature),
        }
        .map_err(|_| BadSignature)
    }

    fn sign_ecdsa(&self, curve: Curve, pkcs8: &[u8], message: &[u8]) -> Result<Vec<u8>, SignError> {
        let bad = |e: p384::pkcs8::Error| SignError(format!("PKCS#8 key rejected: {e}"));
        Ok(match curve {
            Curve::P256 => {
                let key = p256::ecdsa::SigningKey::from_pkcs8_der(pkcs8).map_err(bad)?;
                let sig: p256::ecdsa::Signature = key.sign(message);
                sig.to_bytes().to_vec()
            }
            Curve::P384 => {
                let key = p384::ecdsa::SigningKey::from_pkcs8_der(pkcs8).map_err(bad)?;
                let sig: p384::ecdsa::Signature = key.sign(message);
                sig.to_bytes().to_vec()
            }
        })
    }

    fn verify_ed25519(
        &self,
        public_key: &[u8],
        message: &[u8],
        sig: &[u8],
    ) -> Result<(), BadSignature> {
        let key: [u8; 32] = public_key.try_into().map_err(|_| BadSignature)?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&key).map_err(|_| BadSignature)?;
        let sig = ed25519_dalek::Signature::from_slice(sig).map_err(|_| BadSignature)?;
        // The RFC 8032 cofactorless check, as aws-lc does it (not `verify_strict`, which
        // also refuses small-order keys and R values: the backends must agree).
        key.verify(message, &sig).map_err(|_| BadSignature)
    }

    fn generate_pkcs8(&self, key_type: KeyType) -> Result<Vec<u8>, SignError> {
        let doc = match key_type {
            KeyType::EcdsaP256 => p256::ecdsa::SigningKey::random(&mut OsRng).to_pkcs8_der(),
            KeyType::EcdsaP384 => p384::ecdsa::SigningKey::random(&mut OsRng).to_pkcs8_der(),
            KeyType::Ed25519 => ed25519_dalek::SigningKey::generate(&mut OsRng).to_pkcs8_der(),
        }
        .map_err(|e| SignError(format!("could not encode a new {key_type:?} key: {e}")))?;
        Ok(doc.as_bytes().to_vec())
    }

    fn load_private_key(
        &self,
        key_type: KeyType,
        pkcs8: &[u8],
    ) -> Result<Box<dyn PrivateKey>, SignError> {
        let bad = pkcs8_rejected(key_type);
        Ok(Box::new(match key_type {
            KeyType::EcdsaP256 => {
                let k = p256::ecdsa::SigningKey::from_pkcs8_der(pkcs8).map_err(bad)?;
                let public = k
                    .verifying_key()
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec();
                RustCryptoKey::P256(k, public)
            }
            KeyType::EcdsaP384 => {
                let k = p384::ecdsa::SigningKey::from_pkcs8_der(pkcs8).map_err(bad)?;
                let public = k
                    .verifying_key()
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec();
                RustCryptoKey::P384(k, public)
            }
            KeyType::Ed25519 => {
                let k = ed25519_dalek::SigningKey::from_pkcs8_der(pkcs8).map_err(bad)?;
                let public = k.verifying_key().to_bytes().to_vec();
                RustCryptoKey::Ed25519(k, public)
            }
        }))
    }
}

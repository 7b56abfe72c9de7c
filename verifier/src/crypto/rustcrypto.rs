//! The pure-Rust backend (`p256`, `p384`, `rsa`, `sha2`, `sha1`, `ed25519-dalek`), for
//! builds that want no C.

use p256::ecdsa::signature::hazmat::PrehashVerifier;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::signature::Verifier as _;

use super::{BadSignature, CryptoProvider, Curve, Digest, EcdsaSig, HashAlg};

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

    fn verify_rsa_pkcs1(
        &self,
        hash: HashAlg,
        public_key: &[u8],
        message: &[u8],
        sig: &[u8],
    ) -> Result<(), BadSignature> {
        use rsa::pkcs1v15::{Signature, VerifyingKey};
        let key = rsa::RsaPublicKey::from_pkcs1_der(public_key).map_err(|_| BadSignature)?;
        // aws-lc accepts 2048- to 8192-bit moduli only: the backends must agree.
        if !(2048..=8192).contains(&rsa::traits::PublicKeyParts::n(&key).bits()) {
            return Err(BadSignature);
        }
        let sig = Signature::try_from(sig).map_err(|_| BadSignature)?;
        match hash {
            HashAlg::Sha256 => VerifyingKey::<sha2::Sha256>::new(key).verify(message, &sig),
            HashAlg::Sha384 => VerifyingKey::<sha2::Sha384>::new(key).verify(message, &sig),
            HashAlg::Sha512 => VerifyingKey::<sha2::Sha512>::new(key).verify(message, &sig),
            HashAlg::Sha1 => return Err(BadSignature),
        }
        .map_err(|_| BadSignature)
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
}

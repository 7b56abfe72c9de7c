//! The aws-lc-rs backend (default).

use core::fmt;

use aws_lc_rs::signature::KeyPair as _;
use aws_lc_rs::{digest, rand::SystemRandom, signature};

use super::{
    fixed_to_der, BadSignature, CryptoProvider, Curve, Digest, EcdsaSig, HashAlg, KeyType,
    PrivateKey, SignError,
};

/// The aws-lc-rs provider.
#[derive(Debug, Clone, Copy, Default)]
pub struct AwsLc;

fn digest_alg(alg: HashAlg) -> &'static digest::Algorithm {
    match alg {
        HashAlg::Sha256 => &digest::SHA256,
        HashAlg::Sha384 => &digest::SHA384,
        HashAlg::Sha512 => &digest::SHA512,
        HashAlg::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
    }
}

fn ecdsa_alg(
    curve: Curve,
    hash: HashAlg,
    fixed: bool,
) -> Option<&'static signature::EcdsaVerificationAlgorithm> {
    use signature as s;
    Some(match (curve, hash, fixed) {
        (Curve::P256, HashAlg::Sha256, true) => &s::ECDSA_P256_SHA256_FIXED,
        (Curve::P384, HashAlg::Sha384, true) => &s::ECDSA_P384_SHA384_FIXED,
        (Curve::P256, HashAlg::Sha256, false) => &s::ECDSA_P256_SHA256_ASN1,
        (Curve::P256, HashAlg::Sha384, false) => &s::ECDSA_P256_SHA384_ASN1,
        (Curve::P256, HashAlg::Sha512, false) => &s::ECDSA_P256_SHA512_ASN1,
        (Curve::P384, HashAlg::Sha256, false) => &s::ECDSA_P384_SHA256_ASN1,
        (Curve::P384, HashAlg::Sha384, false) => &s::ECDSA_P384_SHA384_ASN1,
        (Curve::P384, HashAlg::Sha512, false) => &s::ECDSA_P384_SHA512_ASN1,
        _ => return None,
    })
}

fn ecdsa_signing_alg(curve: Curve) -> &'static signature::EcdsaSigningAlgorithm {
    match curve {
        Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
    }
}

fn curve_of(key_type: KeyType) -> Option<Curve> {
    key_type.ecdsa().map(|(curve, _)| curve)
}

/// A key loaded into aws-lc (which keeps, and on drop clears, the secret).
enum AwsLcKey {
    Ecdsa(KeyType, signature::EcdsaKeyPair),
    Ed25519(signature::Ed25519KeyPair),
}

impl fmt::Debug for AwsLcKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsLcKey")
            .field("key_type", &self.key_type())
            .field("public_key", &hex::encode(self.public_key()))
            .finish_non_exhaustive()
    }
}

impl PrivateKey for AwsLcKey {
    fn key_type(&self) -> KeyType {
        match self {
            Self::Ecdsa(t, _) => *t,
            Self::Ed25519(_) => KeyType::Ed25519,
        }
    }

    fn public_key(&self) -> &[u8] {
        match self {
            Self::Ecdsa(_, k) => k.public_key().as_ref(),
            Self::Ed25519(k) => k.public_key().as_ref(),
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        match self {
            Self::Ecdsa(_, k) => k
                .sign(&SystemRandom::new(), message)
                .map(|sig| sig.as_ref().to_vec())
                .map_err(|_| SignError("aws-lc-rs refused to sign".into())),
            Self::Ed25519(k) => Ok(k.sign(message).as_ref().to_vec()),
        }
    }
}

impl CryptoProvider for AwsLc {
    fn name(&self) -> &'static str {
        "aws-lc-rs"
    }

    fn hash(&self, alg: HashAlg, parts: &[&[u8]]) -> Digest {
        let mut ctx = digest::Context::new(digest_alg(alg));
        for p in parts {
            ctx.update(p);
        }
        // aws-lc digests are at most 64 bytes, so `Digest::new` cannot fail here.
        Digest::new(ctx.finish().as_ref()).unwrap_or(Digest {
            bytes: [0; 64],
            len: 0,
        })
    }

    fn verify_ecdsa(
        &self,
        curve: Curve,
        hash: HashAlg,
        public_key: &[u8],
        message: &[u8],
        sig: EcdsaSig<'_>,
    ) -> Result<(), BadSignature> {
        let verify = |alg, sig: &[u8]| {
            signature::UnparsedPublicKey::new(alg, public_key)
                .verify(message, sig)
                .map_err(|_| BadSignature)
        };
        match sig {
            EcdsaSig::Der(der) => verify(ecdsa_alg(curve, hash, false).ok_or(BadSignature)?, der),
            EcdsaSig::Fixed(fixed) => {
                if fixed.len() != curve.scalar_len().saturating_mul(2) {
                    return Err(BadSignature);
                }
                match ecdsa_alg(curve, hash, true) {
                    Some(alg) => verify(alg, fixed),
                    None => {
                        let der = fixed_to_der(fixed).ok_or(BadSignature)?;
                        verify(ecdsa_alg(curve, hash, false).ok_or(BadSignature)?, &der)
                    }
                }
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
        let alg = match hash {
            HashAlg::Sha256 => &signature::RSA_PSS_2048_8192_SHA256,
            HashAlg::Sha384 => &signature::RSA_PSS_2048_8192_SHA384,
            HashAlg::Sha512 => &signature::RSA_PSS_2048_8192_SHA512,
            HashAlg::Sha1 => return Err(BadSignature),
        };
        signature::UnparsedPublicKey::new(alg, public_key)
            .verify(message, sig)
            .map_err(|_| BadSignature)
    }

    fn sign_ecdsa(&self, curve: Curve, pkcs8: &[u8], message: &[u8]) -> Result<Vec<u8>, SignError> {
        let key = signature::EcdsaKeyPair::from_pkcs8(ecdsa_signing_alg(curve), pkcs8)
            .map_err(|e| SignError(format!("PKCS#8 key rejected: {e}")))?;
        let sig = key
            .sign(&SystemRandom::new(), message)
            .map_err(|_| SignError("aws-lc-rs refused to sign".into()))?;
        Ok(sig.as_ref().to_vec())
    }

    fn verify_ed25519(
        &self,
        public_key: &[u8],
        message: &[u8],
        sig: &[u8],
    ) -> Result<(), BadSignature> {
        signature::UnparsedPublicKey::new(&signature::ED25519, public_key)
            .verify(message, sig)
            .map_err(|_| BadSignature)
    }

    fn generate_pkcs8(&self, key_type: KeyType) -> Result<Vec<u8>, SignError> {
        let rng = SystemRandom::new();
        let doc = match curve_of(key_type) {
            Some(curve) => signature::EcdsaKeyPair::generate_pkcs8(ecdsa_signing_alg(curve), &rng),
            None => signature::Ed25519KeyPair::generate_pkcs8(&rng),
        }
        .map_err(|_| SignError(format!("aws-lc-rs could not generate a {key_type:?} key")))?;
        Ok(doc.as_ref().to_vec())
    }

    fn load_private_key(
        &self,
        key_type: KeyType,
        pkcs8: &[u8],
    ) -> Result<Box<dyn PrivateKey>, SignError> {
        let bad = |e: aws_lc_rs::error::KeyRejected| {
            SignError(format!("PKCS#8 {key_type:?} key rejected: {e}"))
        };
        Ok(Box::new(match curve_of(key_type) {
            Some(curve) => AwsLcKey::Ecdsa(
                key_type,
                signature::EcdsaKeyPair::from_pkcs8(ecdsa_signing_alg(curve), pkcs8)
                    .map_err(bad)?,
            ),
            // v1 (`openssl genpkey`) and v2 both load; a v2 public key must match.
            None => AwsLcKey::Ed25519(
                signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8).map_err(bad)?,
            ),
        }))
    }
}

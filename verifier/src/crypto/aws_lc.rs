//! The aws-lc-rs backend (default).

use aws_lc_rs::{digest, signature};

use super::{fixed_to_der, BadSignature, CryptoProvider, Curve, Digest, EcdsaSig, HashAlg};

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

/// An RSA signature by a PKCS#1 `RSAPublicKey`, under one of aws-lc's parameter sets.
fn verify_rsa(
    alg: &'static signature::RsaParameters,
    public_key: &[u8],
    message: &[u8],
    sig: &[u8],
) -> Result<(), BadSignature> {
    signature::UnparsedPublicKey::new(alg, public_key)
        .verify(message, sig)
        .map_err(|_| BadSignature)
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
        use signature as s;
        let alg = match hash {
            HashAlg::Sha256 => &s::RSA_PSS_2048_8192_SHA256,
            HashAlg::Sha384 => &s::RSA_PSS_2048_8192_SHA384,
            HashAlg::Sha512 => &s::RSA_PSS_2048_8192_SHA512,
            HashAlg::Sha1 => return Err(BadSignature),
        };
        verify_rsa(alg, public_key, message, sig)
    }

    fn verify_rsa_pkcs1(
        &self,
        hash: HashAlg,
        public_key: &[u8],
        message: &[u8],
        sig: &[u8],
    ) -> Result<(), BadSignature> {
        use signature as s;
        let alg = match hash {
            HashAlg::Sha256 => &s::RSA_PKCS1_2048_8192_SHA256,
            HashAlg::Sha384 => &s::RSA_PKCS1_2048_8192_SHA384,
            HashAlg::Sha512 => &s::RSA_PKCS1_2048_8192_SHA512,
            HashAlg::Sha1 => return Err(BadSignature),
        };
        verify_rsa(alg, public_key, message, sig)
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
}

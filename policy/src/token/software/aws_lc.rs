//! Software keys on aws-lc-rs (default).

use core::fmt;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, KeyPair as _};
use rand_core::CryptoRngCore;
use verifier::crypto::Curve;

use super::{rejected, Algorithm, KeyProvider, PrivateKey, TokenError};

/// The aws-lc-rs key provider.
#[derive(Debug, Clone, Copy, Default)]
pub struct AwsLcKeys;

fn ecdsa_signing_alg(curve: Curve) -> &'static signature::EcdsaSigningAlgorithm {
    match curve {
        Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
    }
}

/// The named-curve OID (contents only) of RFC 5480 §2.1.1.1.
fn curve_oid(curve: Curve) -> &'static [u8] {
    match curve {
        Curve::P256 => &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
        Curve::P384 => &[0x2b, 0x81, 0x04, 0x00, 0x22],
    }
}

/// A SEC1 `ECPrivateKey` (RFC 5915 §3) holding only the scalar and the curve: aws-lc
/// computes the public key when it loads it. Every length is under 128 bytes, so each
/// is one byte.
fn sec1_from_scalar(curve: Curve, scalar: &[u8]) -> Option<Vec<u8>> {
    let oid = curve_oid(curve);
    let len = |n: usize| u8::try_from(n).ok().filter(|n| *n < 0x80);
    let params_len = len(oid.len().checked_add(2)?)?;
    let body_len = len(3 + 2 + scalar.len() + 2 + usize::from(params_len))?;
    let mut der = vec![0x30, body_len, 0x02, 0x01, 0x01, 0x04, len(scalar.len())?];
    der.extend_from_slice(scalar);
    der.extend_from_slice(&[0xa0, params_len, 0x06, len(oid.len())?]);
    der.extend_from_slice(oid);
    Some(der)
}

/// A key loaded into aws-lc (which keeps, and on drop clears, the secret).
enum AwsLcKey {
    Ecdsa(Algorithm, signature::EcdsaKeyPair),
    Ed25519(signature::Ed25519KeyPair),
}

impl fmt::Debug for AwsLcKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsLcKey")
            .field("algorithm", &self.algorithm())
            .field("public_key", &hex::encode(self.public_key()))
            .finish_non_exhaustive()
    }
}

impl PrivateKey for AwsLcKey {
    fn algorithm(&self) -> Algorithm {
        match self {
            Self::Ecdsa(alg, _) => *alg,
            Self::Ed25519(_) => Algorithm::EdDsa,
        }
    }

    fn public_key(&self) -> &[u8] {
        match self {
            Self::Ecdsa(_, k) => k.public_key().as_ref(),
            Self::Ed25519(k) => k.public_key().as_ref(),
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, TokenError> {
        match self {
            // aws-lc draws the ECDSA nonce itself; the RNG argument is ignored.
            Self::Ecdsa(_, k) => k
                .sign(&SystemRandom::new(), message)
                .map(|sig| sig.as_ref().to_vec())
                .map_err(|_| TokenError::Sign("aws-lc-rs refused to sign".into())),
            Self::Ed25519(k) => Ok(k.sign(message).as_ref().to_vec()),
        }
    }
}

/// How many scalars to draw before giving up: one out of range (zero, or at least the
/// group order) happens with probability below 2^-32 per draw on P-256.
const SCALAR_TRIES: usize = 8;

impl KeyProvider for AwsLcKeys {
    fn name(&self) -> &'static str {
        "aws-lc-rs"
    }

    fn generate_pkcs8(
        &self,
        alg: Algorithm,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<Vec<u8>, TokenError> {
        let failed =
            |what: &str| TokenError::Key(format!("could not generate a {alg} key: {what}"));
        let Some((curve, _)) = alg.ecdsa() else {
            let mut seed = [0u8; 32];
            rng.try_fill_bytes(&mut seed)
                .map_err(|e| failed(&e.to_string()))?;
            let key = signature::Ed25519KeyPair::from_seed_unchecked(&seed);
            seed.fill(0);
            let doc = key
                .map_err(|e| failed(&e.to_string()))?
                .to_pkcs8()
                .map_err(|_| failed("aws-lc-rs could not encode it"))?;
            return Ok(doc.as_ref().to_vec());
        };
        let mut scalar = vec![0u8; curve.scalar_len()];
        for _ in 0..SCALAR_TRIES {
            rng.try_fill_bytes(&mut scalar)
                .map_err(|e| failed(&e.to_string()))?;
            let mut sec1 = sec1_from_scalar(curve, &scalar).ok_or_else(|| failed("encoding"))?;
            let key =
                signature::EcdsaKeyPair::from_private_key_der(ecdsa_signing_alg(curve), &sec1);
            sec1.fill(0);
            if let Ok(key) = key {
                scalar.fill(0);
                let doc = key
                    .to_pkcs8v1()
                    .map_err(|_| failed("aws-lc-rs could not encode it"))?;
                return Ok(doc.as_ref().to_vec());
            }
        }
        scalar.fill(0);
        Err(failed("the RNG gave no scalar in range"))
    }

    fn load_private_key(
        &self,
        alg: Algorithm,
        pkcs8: &[u8],
    ) -> Result<Box<dyn PrivateKey>, TokenError> {
        let bad = |e: aws_lc_rs::error::KeyRejected| rejected(alg, e);
        Ok(Box::new(match alg.ecdsa() {
            Some((curve, _)) => AwsLcKey::Ecdsa(
                alg,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sec1_of_a_scalar_is_well_formed() {
        let der = sec1_from_scalar(Curve::P256, &[1; 32]).unwrap();
        assert_eq!(der.len(), usize::from(der[1]) + 2);
        assert_eq!(&der[..7], &[0x30, 0x31, 0x02, 0x01, 0x01, 0x04, 0x20]);
        assert_eq!(&der[39..43], &[0xa0, 0x0a, 0x06, 0x08]);
        assert!(sec1_from_scalar(Curve::P384, &[0; 200]).is_none());
    }
}

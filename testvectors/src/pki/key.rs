//! Private keys of the fake PKIs: RSA (AMD CAs) and P-384 (AMD VCEK/VLEK, NVIDIA, ...).

use core::fmt;
use std::sync::Arc;

use p384::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256};
use spki::der::Decode;
use spki::SubjectPublicKeyInfoRef;

/// A private key that can be a certificate's subject key or sign certificates, CRLs and
/// reports. Cloning is cheap (the RSA key is shared).
#[derive(Clone)]
pub enum PrivateKey {
    /// An RSA key (the AMD ARK, ASK and ASVK are RSA-4096).
    Rsa(Arc<RsaPrivateKey>),
    /// A NIST P-384 key.
    P384(p384::SecretKey),
}

impl PrivateKey {
    /// A 32-byte RNG seed derived from a key name, e.g. `"amd/milan-ark"`.
    pub fn seed_for(name: &str) -> [u8; 32] {
        Sha256::digest(format!("verdict-testvectors key seed v1: {name}")).into()
    }

    /// A deterministic RSA key of `bits` bits from `seed` (slow: use `--release`).
    pub fn generate_rsa(seed: [u8; 32], bits: usize) -> Self {
        let mut rng = ChaCha20Rng::from_seed(seed);
        let key = RsaPrivateKey::new(&mut rng, bits).expect("RSA key generation");
        Self::Rsa(Arc::new(key))
    }

    /// A deterministic P-384 key from `seed`.
    pub fn generate_p384(seed: [u8; 32]) -> Self {
        Self::P384(p384::SecretKey::random(&mut ChaCha20Rng::from_seed(seed)))
    }

    /// Parses a PKCS#8 `PRIVATE KEY` PEM holding an RSA or P-384 key.
    pub fn from_pkcs8_pem(text: &str) -> Result<Self, String> {
        let block = pem::parse(text).map_err(|e| format!("bad PEM: {e}"))?;
        if block.tag() != "PRIVATE KEY" {
            return Err(format!(
                "expected a PRIVATE KEY PEM block, got {:?}",
                block.tag()
            ));
        }
        Self::from_pkcs8_der(block.contents())
    }

    /// Parses a DER PKCS#8 PrivateKeyInfo holding an RSA or P-384 key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, String> {
        if let Ok(key) = RsaPrivateKey::from_pkcs8_der(der) {
            return Ok(Self::Rsa(Arc::new(key)));
        }
        p384::SecretKey::from_pkcs8_der(der)
            .map(Self::P384)
            .map_err(|e| format!("neither an RSA nor a P-384 PKCS#8 key: {e}"))
    }

    /// The key as a PKCS#8 `PRIVATE KEY` PEM with LF line endings.
    pub fn to_pkcs8_pem(&self) -> String {
        let doc = match self {
            Self::Rsa(k) => k.to_pkcs8_der(),
            Self::P384(k) => k.to_pkcs8_der(),
        }
        .expect("PKCS#8 encoding of a valid key");
        super::to_pem("PRIVATE KEY", doc.as_bytes())
    }

    /// The DER SubjectPublicKeyInfo of the public half.
    pub fn spki_der(&self) -> Vec<u8> {
        match self {
            Self::Rsa(k) => k.to_public_key().to_public_key_der(),
            Self::P384(k) => k.public_key().to_public_key_der(),
        }
        .expect("SPKI encoding of a valid key")
        .into_vec()
    }

    /// A key identifier for SKI/AKI: the leftmost 160 bits of the SHA-256 of the
    /// subjectPublicKey bits (RFC 7093 §2 method 1).
    pub fn key_id(&self) -> Vec<u8> {
        key_id_of_spki(&self.spki_der())
    }

    /// The RSA key, if this is one.
    pub fn as_rsa(&self) -> Option<&RsaPrivateKey> {
        match self {
            Self::Rsa(k) => Some(k),
            Self::P384(_) => None,
        }
    }

    /// The P-384 key, if this is one.
    pub fn as_p384(&self) -> Option<&p384::SecretKey> {
        match self {
            Self::P384(k) => Some(k),
            Self::Rsa(_) => None,
        }
    }
}

/// The RFC 7093 method-1 key identifier of a DER SubjectPublicKeyInfo.
pub fn key_id_of_spki(spki: &[u8]) -> Vec<u8> {
    let info = SubjectPublicKeyInfoRef::from_der(spki).expect("a valid DER SubjectPublicKeyInfo");
    Sha256::digest(info.subject_public_key.raw_bytes())[..20].to_vec()
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            Self::Rsa(_) => "Rsa",
            Self::P384(_) => "P384",
        };
        write!(
            f,
            "PrivateKey::{kind}(key id {})",
            hex::encode(self.key_id())
        )
    }
}

impl PartialEq for PrivateKey {
    fn eq(&self, other: &Self) -> bool {
        self.spki_der() == other.spki_der()
    }
}

impl From<RsaPrivateKey> for PrivateKey {
    fn from(key: RsaPrivateKey) -> Self {
        Self::Rsa(Arc::new(key))
    }
}

impl From<p384::SecretKey> for PrivateKey {
    fn from(key: p384::SecretKey) -> Self {
        Self::P384(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p384_pem_round_trip_and_determinism() {
        let a = PrivateKey::generate_p384(PrivateKey::seed_for("test/p384"));
        let b = PrivateKey::generate_p384(PrivateKey::seed_for("test/p384"));
        assert_eq!(a.to_pkcs8_pem(), b.to_pkcs8_pem());
        let parsed = PrivateKey::from_pkcs8_pem(&a.to_pkcs8_pem()).expect("round trip");
        assert_eq!(parsed, a);
        assert!(parsed.as_p384().is_some());
        assert_eq!(a.key_id().len(), 20);
    }
}

//! Private keys of the fake PKIs: RSA (AMD CAs), P-384 (AMD VCEK/VLEK, NVIDIA, ...) and
//! P-256 (the whole Intel SGX/TDX PKI and the quoting enclave's attestation key).

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
    /// A NIST P-256 key (every Intel SGX/TDX key).
    P256(p256::SecretKey),
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

    /// A deterministic P-256 key from `seed`.
    pub fn generate_p256(seed: [u8; 32]) -> Self {
        Self::P256(p256::SecretKey::random(&mut ChaCha20Rng::from_seed(seed)))
    }

    /// Parses a PKCS#8 `PRIVATE KEY` PEM holding an RSA, P-384 or P-256 key.
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

    /// Parses a DER PKCS#8 PrivateKeyInfo holding an RSA, P-384 or P-256 key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, String> {
        if let Ok(key) = RsaPrivateKey::from_pkcs8_der(der) {
            return Ok(Self::Rsa(Arc::new(key)));
        }
        // The curve OID in the PKCS#8 parameters decides which of the two parses succeeds.
        if let Ok(key) = p384::SecretKey::from_pkcs8_der(der) {
            return Ok(Self::P384(key));
        }
        p256::SecretKey::from_pkcs8_der(der)
            .map(Self::P256)
            .map_err(|e| format!("neither an RSA, a P-384 nor a P-256 PKCS#8 key: {e}"))
    }

    /// The key as a PKCS#8 `PRIVATE KEY` PEM with LF line endings.
    pub fn to_pkcs8_pem(&self) -> String {
        let doc = match self {
            Self::Rsa(k) => k.to_pkcs8_der(),
            Self::P384(k) => k.to_pkcs8_der(),
            Self::P256(k) => k.to_pkcs8_der(),
        }
        .expect("PKCS#8 encoding of a valid key");
        super::to_pem("PRIVATE KEY", doc.as_bytes())
    }

    /// The DER SubjectPublicKeyInfo of the public half.
    pub fn spki_der(&self) -> Vec<u8> {
        match self {
            Self::Rsa(k) => k.to_public_key().to_public_key_der(),
            Self::P384(k) => k.public_key().to_public_key_der(),
            Self::P256(k) => k.public_key().to_public_key_der(),
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
            Self::P384(_) | Self::P256(_) => None,
        }
    }

    /// The P-384 key, if this is one.
    pub fn as_p384(&self) -> Option<&p384::SecretKey> {
        match self {
            Self::P384(k) => Some(k),
            Self::Rsa(_) | Self::P256(_) => None,
        }
    }

    /// The P-256 key, if this is one.
    pub fn as_p256(&self) -> Option<&p256::SecretKey> {
        match self {
            Self::P256(k) => Some(k),
            Self::Rsa(_) | Self::P384(_) => None,
        }
    }

    /// The P-256 public key as raw `x ‖ y` (64 bytes, big-endian, no 0x04 prefix): the
    /// encoding of the attestation key in an Intel quote. Panics if this is not P-256.
    pub fn p256_public_raw(&self) -> [u8; 64] {
        p256_public_raw(self.expect_p256())
    }

    /// An ECDSA P-256/SHA-256 signature of `message` as raw `r ‖ s` (64 bytes, big-endian),
    /// the encoding of Intel quotes, TCB Info and QE Identity. Deterministic (RFC 6979).
    /// Panics if this is not P-256.
    pub fn sign_p256_raw(&self, message: &[u8]) -> [u8; 64] {
        sign_p256_raw(self.expect_p256(), message)
    }

    fn expect_p256(&self) -> &p256::SecretKey {
        self.as_p256()
            .unwrap_or_else(|| panic!("{self:?} is not a P-256 key"))
    }
}

/// The raw `x ‖ y` encoding of a P-256 public key (see [`PrivateKey::p256_public_raw`]).
pub fn p256_public_raw(key: &p256::SecretKey) -> [u8; 64] {
    use p256::elliptic_curve::sec1::ToEncodedPoint as _;
    let point = key.public_key().to_encoded_point(false);
    let mut raw = [0u8; 64];
    // Uncompressed SEC1 is 0x04 ‖ x ‖ y: drop the tag byte.
    raw.copy_from_slice(&point.as_bytes()[1..]);
    raw
}

/// A raw `r ‖ s` ECDSA P-256/SHA-256 signature (see [`PrivateKey::sign_p256_raw`]).
pub fn sign_p256_raw(key: &p256::SecretKey, message: &[u8]) -> [u8; 64] {
    use p256::ecdsa::signature::Signer as _;
    let signature: p256::ecdsa::Signature = p256::ecdsa::SigningKey::from(key).sign(message);
    signature.to_bytes().into()
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
            Self::P256(_) => "P256",
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

impl From<p256::SecretKey> for PrivateKey {
    fn from(key: p256::SecretKey) -> Self {
        Self::P256(key)
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

    #[test]
    fn p256_pem_round_trip_raw_encodings() {
        use p256::ecdsa::signature::Verifier as _;

        let a = PrivateKey::generate_p256(PrivateKey::seed_for("test/p256"));
        let pem = a.to_pkcs8_pem();
        assert_eq!(
            pem,
            PrivateKey::generate_p256(PrivateKey::seed_for("test/p256")).to_pkcs8_pem()
        );
        let parsed = PrivateKey::from_pkcs8_pem(&pem).expect("round trip");
        assert_eq!(parsed, a);
        assert!(parsed.as_p256().is_some() && parsed.as_p384().is_none());

        let raw = a.p256_public_raw();
        let point = [&[0x04][..], &raw].concat();
        let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).expect("valid point");
        let sig = a.sign_p256_raw(b"message");
        assert_eq!(
            sig,
            a.sign_p256_raw(b"message"),
            "RFC 6979 is deterministic"
        );
        let sig = p256::ecdsa::Signature::from_slice(&sig).expect("r || s");
        vk.verify(b"message", &sig).expect("verifies");
        assert!(vk.verify(b"massage", &sig).is_err());
    }
}

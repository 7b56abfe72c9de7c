//! The crypto provider: the few primitives verification needs (hashing and signature
//! verification, nothing with a private key), behind a trait so that the backend is a
//! build-time choice (in the manner of rustls' `CryptoProvider`). Token signing keys live
//! in `policy::token::software`, on the same backends.
//!
//! Two backends ship, chosen by cargo feature and both tested on the same suite:
//! `aws-lc-rs` (default, fastest) and `rustcrypto` (pure Rust: `p256`, `p384`, `rsa`,
//! `sha2`, `sha1`). Both may be compiled in; [`default_provider`] then prefers aws-lc-rs.

use core::fmt;

#[cfg(feature = "aws-lc-rs")]
pub mod aws_lc;
#[cfg(feature = "rustcrypto")]
pub mod rustcrypto;

#[cfg(not(any(feature = "aws-lc-rs", feature = "rustcrypto")))]
compile_error!("verdict-verifier needs a crypto backend: enable `aws-lc-rs` or `rustcrypto`");

/// A hash function: SHA-2, or SHA-1 for identifiers only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlg {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// SHA-1, for identifiers that RFC 6960 defines with it (OCSP CertIDs, ResponderID
    /// byKey). No signature verifies with SHA-1: both backends refuse it there.
    // Last, so that the discriminants of the others (used in cache keys) do not change.
    Sha1,
}

impl HashAlg {
    /// Digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
            Self::Sha1 => 20,
        }
    }
}

/// An elliptic curve for ECDSA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Curve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
}

impl Curve {
    /// Byte length of one scalar (r or s) and of one coordinate.
    pub fn scalar_len(self) -> usize {
        match self {
            Self::P256 => 32,
            Self::P384 => 48,
        }
    }
}

/// How an ECDSA signature is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EcdsaSig<'a> {
    /// ASN.1 DER `SEQUENCE { r INTEGER, s INTEGER }` (X.509, OCSP).
    Der(&'a [u8]),
    /// Big-endian `r ‖ s`, each exactly one scalar long (SPDM, TDX quotes, JWS).
    Fixed(&'a [u8]),
}

/// A digest, up to 64 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Digest {
    bytes: [u8; 64],
    len: usize,
}

impl Digest {
    /// Wraps a digest value. Returns `None` if it is longer than 64 bytes.
    pub fn new(value: &[u8]) -> Option<Self> {
        let mut bytes = [0u8; 64];
        bytes.get_mut(..value.len())?.copy_from_slice(value);
        Some(Self {
            bytes,
            len: value.len(),
        })
    }
}

impl AsRef<[u8]> for Digest {
    fn as_ref(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", hex::encode(self.as_ref()))
    }
}

/// A signature did not verify, or its key or encoding was unusable.
///
/// Opaque on purpose (like `signature::Error`): the caller knows what was being verified
/// and reports that; the backend's reason would only help an attacker tune a forgery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadSignature;

impl fmt::Display for BadSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("signature verification failed")
    }
}

impl std::error::Error for BadSignature {}

/// The primitives a backend provides.
///
/// Public keys are passed as the content of the SubjectPublicKeyInfo BIT STRING: an
/// uncompressed SEC1 point for ECDSA, a PKCS#1 `RSAPublicKey` for RSA.
pub trait CryptoProvider: Send + Sync + fmt::Debug {
    /// A short name for logs and benches (`aws-lc-rs`, `rustcrypto`).
    fn name(&self) -> &'static str;

    /// Hashes the concatenation of `parts`.
    fn hash(&self, alg: HashAlg, parts: &[&[u8]]) -> Digest;

    /// Verifies an ECDSA signature by `public_key` over `hash(message)`.
    ///
    /// # Errors
    /// [`BadSignature`] if the signature, key or encoding is invalid.
    fn verify_ecdsa(
        &self,
        curve: Curve,
        hash: HashAlg,
        public_key: &[u8],
        message: &[u8],
        signature: EcdsaSig<'_>,
    ) -> Result<(), BadSignature>;

    /// Verifies an RSASSA-PSS signature with MGF1 over the same hash and a salt as long as
    /// the digest (the only parameter set Verdict accepts; see `pki::SignatureAlgorithm`).
    ///
    /// # Errors
    /// [`BadSignature`] if the signature or key is invalid.
    fn verify_rsa_pss(
        &self,
        hash: HashAlg,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), BadSignature>;

    /// Verifies an RSASSA-PKCS1-v1_5 signature (RFC 8017, 8.2) over `hash(message)`: what
    /// a TPM's RSA attestation key signs quotes with by default. SHA-1 is refused.
    ///
    /// # Errors
    /// [`BadSignature`] if the signature or key is invalid.
    fn verify_rsa_pkcs1(
        &self,
        hash: HashAlg,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), BadSignature>;

    /// Verifies an Ed25519 signature (RFC 8032, pure; cofactorless, `S` must be reduced)
    /// by the 32-byte `public_key` over `message`.
    ///
    /// # Errors
    /// [`BadSignature`] if the signature or key is invalid.
    fn verify_ed25519(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), BadSignature>;
}

/// The provider used when a caller does not choose one.
pub fn default_provider() -> &'static dyn CryptoProvider {
    #[cfg(feature = "aws-lc-rs")]
    {
        &aws_lc::AwsLc
    }
    #[cfg(all(not(feature = "aws-lc-rs"), feature = "rustcrypto"))]
    {
        &rustcrypto::RustCrypto
    }
}

/// Every provider compiled into this build (for differential tests and benches).
pub fn all_providers() -> Vec<&'static dyn CryptoProvider> {
    [
        #[cfg(feature = "aws-lc-rs")]
        Some(&aws_lc::AwsLc as &'static dyn CryptoProvider),
        #[cfg(feature = "rustcrypto")]
        Some(&rustcrypto::RustCrypto as &'static dyn CryptoProvider),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Converts a fixed `r ‖ s` signature to ASN.1 DER. `None` if `fixed` has an odd length
/// or is longer than a P-521 signature.
pub fn fixed_to_der(fixed: &[u8]) -> Option<Vec<u8>> {
    if !fixed.len().is_multiple_of(2) || fixed.len() > 132 {
        return None;
    }
    let (r, s) = fixed.split_at(fixed.len() / 2);
    let r = der_uint(r);
    let s = der_uint(s);
    let body_len = r.len().checked_add(s.len())?;
    let mut out = Vec::with_capacity(body_len.checked_add(3)?);
    out.push(0x30);
    push_der_len(&mut out, body_len)?;
    out.extend_from_slice(&r);
    out.extend_from_slice(&s);
    Some(out)
}

fn der_uint(be: &[u8]) -> Vec<u8> {
    let start = be.iter().position(|b| *b != 0).unwrap_or(be.len());
    let trimmed = be.get(start..).unwrap_or(&[]);
    let mut out = vec![0x02];
    let needs_pad = trimmed.first().is_none_or(|b| b & 0x80 != 0);
    let len = trimmed.len().saturating_add(usize::from(needs_pad));
    // Scalars are at most 66 bytes, so the length always fits one byte.
    out.push(u8::try_from(len).unwrap_or(u8::MAX));
    if needs_pad {
        out.push(0);
    }
    out.extend_from_slice(trimmed);
    out
}

fn push_der_len(out: &mut Vec<u8>, len: usize) -> Option<()> {
    let len = u8::try_from(len).ok()?;
    if len >= 0x80 {
        out.push(0x81);
    }
    out.push(len);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_to_der_pads_high_bit_and_strips_zeros() {
        let mut fixed = [0u8; 64];
        fixed[0] = 0x80; // r has its top bit set: needs a 0x00 pad
        fixed[63] = 0x01; // s = 1
        let der = fixed_to_der(&fixed).unwrap();
        assert_eq!(&der[..4], &[0x30, 0x26, 0x02, 0x21]);
        assert_eq!(&der[der.len() - 3..], &[0x02, 0x01, 0x01]);
        assert!(fixed_to_der(&[0u8; 3]).is_none());
    }

    #[test]
    fn providers_agree_on_hashes() {
        for p in all_providers() {
            let d = p.hash(HashAlg::Sha256, &[b"a", b"bc"]);
            assert_eq!(
                hex::encode(d.as_ref()),
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                "{}",
                p.name()
            );
            assert_eq!(p.hash(HashAlg::Sha384, &[]).as_ref().len(), 48);
            assert_eq!(p.hash(HashAlg::Sha512, &[]).as_ref().len(), 64);
            assert_eq!(p.hash(HashAlg::Sha1, &[]).as_ref().len(), 20);
        }
    }
}

//! Signature algorithms: their AlgorithmIdentifier encodings and deterministic signing.
//!
//! RSASSA-PSS is encoded here (EMSA-PSS, RFC 8017 §9.1.1) rather than by the `rsa`
//! crate, so that a test can declare *and sign with* parameters no real CA uses (MGF1
//! with a different hash, another salt length). The salt comes from a ChaCha20 RNG seeded
//! with the SHA-256 of the signed bytes, so signatures are byte-stable.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use p384::ecdsa::signature::Signer as _;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, Pkcs1v15Sign, RsaPrivateKey};
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::asn1::{integer, object_identifier, oid, sequence, tlv};
use super::PrivateKey;

/// A hash function usable in PSS parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlg {
    /// SHA-256 (2.16.840.1.101.3.4.2.1).
    Sha256,
    /// SHA-384 (2.16.840.1.101.3.4.2.2).
    Sha384,
    /// SHA-512 (2.16.840.1.101.3.4.2.3).
    Sha512,
}

impl HashAlg {
    /// The algorithm's OID in dotted form.
    pub fn oid(self) -> &'static str {
        match self {
            Self::Sha256 => "2.16.840.1.101.3.4.2.1",
            Self::Sha384 => "2.16.840.1.101.3.4.2.2",
            Self::Sha512 => "2.16.840.1.101.3.4.2.3",
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha384 => Sha384::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    /// The DER AlgorithmIdentifier with explicit NULL parameters, as AMD writes it.
    pub fn algorithm_identifier(self) -> Vec<u8> {
        sequence(&[&object_identifier(&oid(self.oid())), &[0x05, 0x00]])
    }
}

/// RSASSA-PSS-params (RFC 4055 §3.1). Signing honours `hash`, `mgf1_hash` and `salt_len`
/// as declared; `trailer` only changes the encoding (the signature always ends in 0xBC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PssParams {
    /// The message hash (`hashAlgorithm [0]`).
    pub hash: HashAlg,
    /// The hash inside MGF1 (`maskGenAlgorithm [1]`).
    pub mgf1_hash: HashAlg,
    /// The salt length in bytes (`saltLength [2]`).
    pub salt_len: usize,
    /// `trailerField [3]`: `None` omits it (DER, since 1 is the DEFAULT), `Some(v)` writes
    /// `INTEGER v` explicitly (AMD's CA certificates write `a3 03 02 01 01`).
    pub trailer: Option<u8>,
}

impl PssParams {
    /// AMD's parameters with the explicit trailer: SHA-384, MGF1-SHA-384, salt 48,
    /// `trailerField 1` (ARK, ASK, ASVK and pre-2024 leaves).
    pub const AMD_EXPLICIT_TRAILER: Self = Self {
        hash: HashAlg::Sha384,
        mgf1_hash: HashAlg::Sha384,
        salt_len: 48,
        trailer: Some(1),
    };

    /// AMD's parameters with the trailer omitted (VCEKs, VLEKs and CRLs since 2024).
    pub const AMD_OMITTED_TRAILER: Self = Self {
        trailer: None,
        ..Self::AMD_EXPLICIT_TRAILER
    };

    /// The DER RSASSA-PSS-params SEQUENCE.
    pub fn to_der(&self) -> Vec<u8> {
        let mgf1 = sequence(&[
            &object_identifier(&oid("1.2.840.113549.1.1.8")),
            &self.mgf1_hash.algorithm_identifier(),
        ]);
        let mut fields = vec![
            tlv(0xA0, &self.hash.algorithm_identifier()),
            tlv(0xA1, &mgf1),
            tlv(0xA2, &integer(self.salt_len as u64)),
        ];
        if let Some(trailer) = self.trailer {
            fields.push(tlv(0xA3, &integer(u64::from(trailer))));
        }
        tlv(0x30, &fields.concat())
    }
}

/// A signature algorithm: how the builder signs and what AlgorithmIdentifier it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigAlg {
    /// RSASSA-PSS (1.2.840.113549.1.1.10) with these parameters; needs an RSA key.
    RsaPss(PssParams),
    /// sha384WithRSAEncryption (1.2.840.113549.1.1.12), PKCS#1 v1.5; needs an RSA key.
    RsaPkcs1Sha384,
    /// ecdsa-with-SHA384 (1.2.840.10045.4.3.3), DER signature; needs a P-384 key.
    EcdsaSha384,
    /// ecdsa-with-SHA256 (1.2.840.10045.4.3.2), DER signature; needs a P-256 key (every
    /// Intel SGX/TDX certificate and CRL).
    EcdsaSha256,
}

impl SigAlg {
    /// The signature algorithm a key signs with by default: AMD-style PSS (explicit
    /// trailer) for RSA, ecdsa-with-SHA384 for P-384, ecdsa-with-SHA256 for P-256.
    pub fn default_for(key: &PrivateKey) -> Self {
        match key {
            PrivateKey::Rsa(_) => Self::RsaPss(PssParams::AMD_EXPLICIT_TRAILER),
            PrivateKey::P384(_) => Self::EcdsaSha384,
            PrivateKey::P256(_) => Self::EcdsaSha256,
        }
    }

    /// The DER AlgorithmIdentifier.
    pub fn algorithm_identifier(&self) -> Vec<u8> {
        match self {
            Self::RsaPss(params) => sequence(&[
                &object_identifier(&oid("1.2.840.113549.1.1.10")),
                &params.to_der(),
            ]),
            Self::RsaPkcs1Sha384 => sequence(&[
                &object_identifier(&oid("1.2.840.113549.1.1.12")),
                &[0x05, 0x00],
            ]),
            // RFC 5758 §3.2: the ECDSA AlgorithmIdentifiers have absent parameters.
            Self::EcdsaSha384 => sequence(&[&object_identifier(&oid("1.2.840.10045.4.3.3"))]),
            Self::EcdsaSha256 => sequence(&[&object_identifier(&oid("1.2.840.10045.4.3.2"))]),
        }
    }

    /// Signs `message` with `key`. Panics when the key type does not fit the algorithm
    /// (a test bug, not a verifier case: use an override of the AlgorithmIdentifier bytes
    /// to declare one algorithm while signing with another).
    pub fn sign(&self, key: &PrivateKey, message: &[u8]) -> Vec<u8> {
        match (self, key) {
            (Self::RsaPss(params), PrivateKey::Rsa(k)) => {
                memoized(k, self, message, || pss_sign(k, params, message))
            }
            (Self::RsaPkcs1Sha384, PrivateKey::Rsa(k)) => memoized(k, self, message, || {
                k.sign(Pkcs1v15Sign::new::<Sha384>(), &Sha384::digest(message))
                    .expect("PKCS#1 v1.5 signing")
            }),
            (Self::EcdsaSha384, PrivateKey::P384(k)) => {
                let signature: p384::ecdsa::Signature =
                    p384::ecdsa::SigningKey::from(k).sign(message);
                signature.to_der().as_bytes().to_vec()
            }
            (Self::EcdsaSha256, PrivateKey::P256(k)) => {
                let signature: p256::ecdsa::Signature =
                    p256::ecdsa::SigningKey::from(k).sign(message);
                signature.to_der().as_bytes().to_vec()
            }
            (alg, key) => panic!("cannot sign {alg:?} with {key:?}"),
        }
    }
}

/// Most entries kept by [`memoized`] before it starts over (about 2 MiB of RSA-4096
/// signatures; fuzzers that sign endless distinct inputs just keep recycling it).
const MEMO_CAPACITY: usize = 4096;

/// RSA-4096 signing takes tens of milliseconds in `num-bigint-dig`, and tests rebuild the same
/// chain many times: since every signature here is a deterministic function of (key,
/// algorithm, message), identical requests are answered from a bounded process-wide memo.
fn memoized(
    key: &RsaPrivateKey,
    alg: &SigAlg,
    message: &[u8],
    sign: impl FnOnce() -> Vec<u8>,
) -> Vec<u8> {
    static MEMO: OnceLock<Mutex<HashMap<[u8; 32], Vec<u8>>>> = OnceLock::new();
    let id: [u8; 32] = Sha256::new()
        .chain_update(key.n().to_bytes_be())
        .chain_update(alg.algorithm_identifier())
        .chain_update(message)
        .finalize()
        .into();
    let memo = MEMO.get_or_init(Mutex::default);
    if let Some(signature) = memo.lock().unwrap_or_else(PoisonError::into_inner).get(&id) {
        return signature.clone();
    }
    let signature = sign();
    let mut memo = memo.lock().unwrap_or_else(PoisonError::into_inner);
    if memo.len() >= MEMO_CAPACITY {
        memo.clear();
    }
    memo.insert(id, signature.clone());
    signature
}

/// RSASSA-PSS-SIGN (RFC 8017 §8.1.1) with the declared hashes and salt length.
fn pss_sign(key: &RsaPrivateKey, params: &PssParams, message: &[u8]) -> Vec<u8> {
    let mut rng = ChaCha20Rng::from_seed(Sha256::digest(message).into());
    let mut salt = vec![0u8; params.salt_len];
    rng.fill_bytes(&mut salt);

    // EMSA-PSS-ENCODE (RFC 8017 §9.1.1).
    let m_hash = params.hash.digest(message);
    let h_len = m_hash.len();
    let em_bits = key.n().bits() - 1;
    let em_len = em_bits.div_ceil(8);
    assert!(
        em_len >= h_len + params.salt_len + 2,
        "PSS salt of {} bytes too long for this key",
        params.salt_len
    );
    let h = params
        .hash
        .digest(&[&[0u8; 8][..], &m_hash, &salt].concat());
    let mut db = vec![0u8; em_len - params.salt_len - h_len - 2];
    db.push(0x01);
    db.extend_from_slice(&salt);
    for (d, m) in db
        .iter_mut()
        .zip(mgf1(params.mgf1_hash, &h, em_len - h_len - 1))
    {
        *d ^= m;
    }
    db[0] &= 0xFF >> (8 * em_len - em_bits);
    let em = [db, h, vec![0xBC]].concat();

    // RSASP1, left-padded to the modulus length.
    // No blinding: these are test keys, and blinding's modular inverse doubles the cost.
    let s = rsa::hazmat::rsa_decrypt::<ChaCha20Rng>(None, key, &BigUint::from_bytes_be(&em))
        .expect("RSA private operation");
    let k = key.size();
    let s = s.to_bytes_be();
    [vec![0u8; k - s.len()], s].concat()
}

/// MGF1 (RFC 8017 §B.2.1).
fn mgf1(hash: HashAlg, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut counter: u32 = 0;
    while out.len() < len {
        out.extend(hash.digest(&[seed, &counter.to_be_bytes()].concat()));
        counter += 1;
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amd_params_encoding_matches_real_certificates() {
        // From the real Genoa ASK (explicit trailer) and a 2025 Turin VCEK (omitted).
        let explicit =
            "30 39 a0 0f 30 0d 06 09 60 86 48 01 65 03 04 02 02 05 00 a1 1c 30 1a 06 09 \
                        2a 86 48 86 f7 0d 01 01 08 30 0d 06 09 60 86 48 01 65 03 04 02 02 05 00 \
                        a2 03 02 01 30 a3 03 02 01 01";
        let explicit = hex::decode(explicit.replace(' ', "")).expect("hex");
        assert_eq!(PssParams::AMD_EXPLICIT_TRAILER.to_der(), explicit);
        let omitted = PssParams::AMD_OMITTED_TRAILER.to_der();
        assert_eq!(omitted[1], 0x34);
        assert_eq!(&omitted[2..], &explicit[2..explicit.len() - 5]);
    }

    #[test]
    fn mgf1_lengths() {
        assert_eq!(mgf1(HashAlg::Sha384, b"seed", 100).len(), 100);
        assert_eq!(
            &mgf1(HashAlg::Sha256, b"x", 40)[..32],
            &Sha256::digest(b"x\0\0\0\0")[..]
        );
    }
}

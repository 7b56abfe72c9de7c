//! Signature algorithms of certificates and CRLs, and their verification.

use x509_parser::oid_registry::Oid;
use x509_parser::signature_algorithm::RsaSsaPssParams;
use x509_parser::x509::AlgorithmIdentifier;

use super::cache::{DigestMemo, SignatureCache};
use super::cert::PublicKey;
use crate::crypto::{BadSignature, CryptoProvider, Curve, Digest, EcdsaSig, HashAlg};
use crate::error::CertErrorKind;

/// A signature algorithm Verdict verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// ECDSA with the given hash (RFC 5758); the curve comes from the key.
    Ecdsa(HashAlg),
    /// RSASSA-PSS (RFC 4055) with this hash for the message and MGF1, and a salt as long
    /// as the digest: the parameters AMD uses (SHA-384, salt 48).
    RsaPss(HashAlg),
}

const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const ECDSA_SHA384: &str = "1.2.840.10045.4.3.3";
const ECDSA_SHA512: &str = "1.2.840.10045.4.3.4";
const RSASSA_PSS: &str = "1.2.840.113549.1.1.10";
const MGF1: &str = "1.2.840.113549.1.1.8";

fn hash_from_oid(oid: &Oid<'_>) -> Option<HashAlg> {
    match crate::pki::dotted(oid).as_str() {
        "2.16.840.1.101.3.4.2.1" => Some(HashAlg::Sha256),
        "2.16.840.1.101.3.4.2.2" => Some(HashAlg::Sha384),
        "2.16.840.1.101.3.4.2.3" => Some(HashAlg::Sha512),
        _ => None,
    }
}

/// Absent or NULL parameters.
fn no_params(alg: &AlgorithmIdentifier<'_>) -> bool {
    alg.parameters
        .as_ref()
        .is_none_or(|p| p.tag() == x509_parser::asn1_rs::Tag::Null && p.data.is_empty())
}

/// Classifies an AlgorithmIdentifier. The PSS parameters are decoded, not compared as
/// bytes: AMD's ARK and ASK spell out the DEFAULT trailerField (`[3] INTEGER 1`) while
/// newer VCEKs and CRLs omit it, and both mean the same parameters.
pub(crate) fn classify(alg: &AlgorithmIdentifier<'_>) -> Result<SignatureAlgorithm, CertErrorKind> {
    let oid = crate::pki::dotted(&alg.algorithm);
    let unsupported = || CertErrorKind::UnsupportedSignatureAlgorithm { oid: oid.clone() };
    let ecdsa = |h| {
        if no_params(alg) {
            Ok(SignatureAlgorithm::Ecdsa(h))
        } else {
            Err(unsupported())
        }
    };
    match oid.as_str() {
        ECDSA_SHA256 => ecdsa(HashAlg::Sha256),
        ECDSA_SHA384 => ecdsa(HashAlg::Sha384),
        ECDSA_SHA512 => ecdsa(HashAlg::Sha512),
        RSASSA_PSS => {
            let any = alg
                .parameters
                .as_ref()
                .ok_or(CertErrorKind::PssParameters("parameters absent"))?;
            let params = RsaSsaPssParams::try_from(any)
                .map_err(|_| CertErrorKind::PssParameters("parameters do not decode"))?;
            pss_hash(&params).map(SignatureAlgorithm::RsaPss)
        }
        _ => Err(unsupported()),
    }
}

fn pss_hash(params: &RsaSsaPssParams<'_>) -> Result<HashAlg, CertErrorKind> {
    let hash_alg = params
        .hash_algorithm()
        .ok_or(CertErrorKind::PssParameters("hash is the SHA-1 default"))?;
    let hash = hash_from_oid(&hash_alg.algorithm)
        .ok_or(CertErrorKind::PssParameters("hash is not SHA-2"))?;
    if !no_params(hash_alg) {
        return Err(CertErrorKind::PssParameters("hash parameters are not NULL"));
    }
    let mgf = params
        .mask_gen_algorithm_raw()
        .ok_or(CertErrorKind::PssParameters(
            "mask generation is the MGF1-SHA-1 default",
        ))?;
    if crate::pki::dotted(&mgf.algorithm) != MGF1 {
        return Err(CertErrorKind::PssParameters("mask generation is not MGF1"));
    }
    let mgf_hash = params
        .mask_gen_algorithm()
        .map_err(|_| CertErrorKind::PssParameters("MGF1 hash does not decode"))?;
    if hash_from_oid(&mgf_hash.hash) != Some(hash) {
        return Err(CertErrorKind::PssParameters(
            "MGF1 hash differs from the message hash",
        ));
    }
    if usize::try_from(params.salt_length()).ok() != Some(hash.output_len()) {
        return Err(CertErrorKind::PssParameters(
            "salt length differs from the hash length",
        ));
    }
    if params.trailer_field() != 1 {
        return Err(CertErrorKind::PssParameters("trailerField is not 1"));
    }
    Ok(hash)
}

pub(crate) enum VerifyError {
    Bad,
    Unusable(CertErrorKind),
}

/// Verifies `signature` over `message` by `key`, through the cache.
pub(crate) fn verify(
    provider: &dyn CryptoProvider,
    cache: &SignatureCache,
    alg: SignatureAlgorithm,
    key: &PublicKey,
    message: &[u8],
    memo: Option<&DigestMemo>,
    signature: &[u8],
) -> Result<(), VerifyError> {
    let (tag, key_bytes): (&[u8], &[u8]) = match (alg, key) {
        (SignatureAlgorithm::Ecdsa(_), PublicKey::Ec { point, .. }) => (b"ecdsa", point),
        (SignatureAlgorithm::RsaPss(_), PublicKey::Rsa { pkcs1 }) => (b"rsa-pss", pkcs1),
        (SignatureAlgorithm::Ecdsa(_), _) => {
            return Err(VerifyError::Unusable(CertErrorKind::KeyAlgorithmMismatch(
                "ECDSA",
            )))
        }
        (SignatureAlgorithm::RsaPss(_), _) => {
            return Err(VerifyError::Unusable(CertErrorKind::KeyAlgorithmMismatch(
                "RSASSA-PSS",
            )))
        }
    };
    let hash = match alg {
        SignatureAlgorithm::Ecdsa(h) | SignatureAlgorithm::RsaPss(h) => h,
    };
    let hash_tag = [match hash {
        HashAlg::Sha256 => 1u8,
        HashAlg::Sha384 => 2,
        HashAlg::Sha512 => 3,
        HashAlg::Sha1 => 4,
    }];
    let cache_key = cache_key(
        provider,
        cache,
        &[tag, &hash_tag],
        key_bytes,
        message,
        memo,
        signature,
    );
    if cache_key.is_some_and(|k| cache.contains(&k)) {
        return Ok(());
    }
    let ok = match (alg, key) {
        (SignatureAlgorithm::Ecdsa(h), PublicKey::Ec { curve, point }) => {
            provider.verify_ecdsa(*curve, h, point, message, EcdsaSig::Der(signature))
        }
        (SignatureAlgorithm::RsaPss(h), PublicKey::Rsa { pkcs1 }) => {
            provider.verify_rsa_pss(h, pkcs1, message, signature)
        }
        _ => return Err(VerifyError::Bad),
    };
    ok.map_err(|_| VerifyError::Bad)?;
    if let Some(k) = cache_key {
        cache.insert(k);
    }
    Ok(())
}

/// The cache key of one signature check: SHA-256 over a tag naming the scheme, the key,
/// the SHA-256 of the message (memoized per parsed object when `memo` is given) and the
/// signature. Lengths are framed, so no two tuples share a key.
fn cache_key(
    provider: &dyn CryptoProvider,
    cache: &SignatureCache,
    tag: &[&[u8]],
    key: &[u8],
    message: &[u8],
    memo: Option<&DigestMemo>,
    signature: &[u8],
) -> Option<Digest> {
    cache.enabled().then(|| {
        let digest_of = || provider.hash(HashAlg::Sha256, &[message]);
        let message_digest = match memo {
            Some(m) => m.get_or_init(digest_of),
            None => digest_of(),
        };
        let key_len = u64::try_from(key.len()).unwrap_or(u64::MAX).to_be_bytes();
        let mut parts: Vec<&[u8]> = tag.to_vec();
        parts.extend_from_slice(&[&key_len, key, message_digest.as_ref(), signature]);
        provider.hash(HashAlg::Sha256, &parts)
    })
}

/// Verifies a fixed-size (`r ‖ s`) ECDSA signature with a raw SEC1 point, through the
/// cache. Used for signatures outside X.509: Intel's TCB Info, QE Identity and QE report.
pub(crate) fn verify_fixed_ecdsa(
    provider: &dyn CryptoProvider,
    cache: &SignatureCache,
    (curve, hash): (Curve, HashAlg),
    point: &[u8],
    message: &[u8],
    memo: Option<&DigestMemo>,
    signature: &[u8],
) -> Result<(), BadSignature> {
    let hash_tag = [hash as u8];
    let curve_tag = [curve as u8];
    let key = cache_key(
        provider,
        cache,
        &[b"ecdsa-fixed", &curve_tag, &hash_tag],
        point,
        message,
        memo,
        signature,
    );
    if key.is_some_and(|k| cache.contains(&k)) {
        return Ok(());
    }
    provider.verify_ecdsa(curve, hash, point, message, EcdsaSig::Fixed(signature))?;
    if let Some(k) = key {
        cache.insert(k);
    }
    Ok(())
}

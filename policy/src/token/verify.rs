//! Token verification for both encodings.

use base64::Engine as _;
use serde_json::Value as Json;
use verifier::crypto::{default_provider, CryptoProvider, EcdsaSig};

use super::alg::Algorithm;
use super::claims::{check, sort_json};
use super::error::TokenError;
use super::jwk::JwkSet;
use super::options::VerifyOptions;
use super::wire::{Parsed, Payload, TokenFormat};
use super::{cwt, jwt};

/// A token whose signature and claims checked out.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedToken {
    /// Which encoding it was.
    pub format: TokenFormat,
    /// The algorithm it was signed with (the key's).
    pub algorithm: Algorithm,
    /// The `kid` of the key that verified it, as in the JWKS.
    pub key_id: String,
    /// The claims as JSON with the JWT names, object keys sorted; for a CWT, integer
    /// keys are mapped to those names, tiers to their names and bytes to base64url, so
    /// the JWT and the CWT of one EAR give identical claims.
    pub claims: Json,
}

/// Verifies a token with the default crypto provider. See [`verify_token_with_provider`].
///
/// # Errors
/// As [`verify_token_with_provider`].
pub fn verify_token(
    token: &[u8],
    keys: &JwkSet,
    options: &VerifyOptions,
) -> Result<VerifiedToken, TokenError> {
    verify_token_with_provider(token, keys, options, default_provider())
}

/// Verifies a JWT or a CWT against `keys` and `options`:
///
/// 1. the format is detected: printable ASCII with dots is a JWT; other printable ASCII is
///    the hex
///    or base64url of a CWT; anything else is CBOR (a COSE_Sign1, tagged 18, inside tag
///    61, or untagged);
/// 2. the header's algorithm must be ES384, ES256 or EdDSA (never `none`, HMAC or RSA)
///    and it must be in the protected header (COSE); `crit` is refused; so are a JSON
///    member named twice (JWT header and payload) and a COSE label in both the
///    protected and the unprotected header (RFC 9052 §3);
/// 3. the key is the one whose `kid` the header names, and the header's algorithm must be
///    that key's (from its curve, checked against its `alg`);
/// 4. the signature verifies through `provider` over the bytes as received;
/// 5. only then is the payload decoded, and `exp` (required) `+ leeway > now`, `nbf` and
///    `iat` `<= now + leeway`, `iss`, `aud` and `eat_nonce` as `options` expect.
///
/// # Errors
/// The [`TokenError`] of the first check that fails.
pub fn verify_token_with_provider(
    token: &[u8],
    keys: &JwkSet,
    options: &VerifyOptions,
    provider: &dyn CryptoProvider,
) -> Result<VerifiedToken, TokenError> {
    let parsed = parse(token)?;
    let key = parsed
        .kids
        .iter()
        .find_map(|kid| keys.find(kid))
        .ok_or_else(|| {
            TokenError::UnknownKeyId(parsed.kids.first().cloned().unwrap_or_default())
        })?;
    let key_id = key.key_id();
    let key_alg = key.algorithm()?;
    if key_alg != parsed.algorithm {
        return Err(TokenError::AlgorithmMismatch {
            header: parsed.algorithm,
            key: key_alg,
        });
    }
    let public = key.public_key()?;
    let good = match key_alg.ecdsa() {
        Some((curve, hash)) => provider.verify_ecdsa(
            curve,
            hash,
            &public,
            &parsed.signed,
            EcdsaSig::Fixed(&parsed.signature),
        ),
        None => provider.verify_ed25519(&public, &parsed.signed, &parsed.signature),
    };
    if good.is_err() {
        return Err(TokenError::BadSignature(key_id));
    }
    let claims = match &parsed.payload {
        Payload::Json(p) => sort_json(jwt::claims(p)?),
        Payload::Cbor(p) => cwt::claims(p)?,
    };
    check(&claims, options)?;
    Ok(VerifiedToken {
        format: parsed.format,
        algorithm: key_alg,
        key_id,
        claims,
    })
}

/// base64url that tolerates padding, for CWTs passed as text.
const B64_LENIENT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

fn parse(token: &[u8]) -> Result<Parsed<'_>, TokenError> {
    if !token
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        // Raw CBOR: never trimmed (a trailing byte may be part of the signature).
        return cwt::parse(token);
    }
    let text = core::str::from_utf8(token.trim_ascii()).map_err(|_| TokenError::UnknownFormat)?;
    if text.is_empty() {
        return Err(TokenError::UnknownFormat);
    }
    if text.contains('.') {
        return jwt::parse(text);
    }
    if text.len() % 2 == 0 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        if let Ok(bytes) = hex::decode(text) {
            if cwt::looks_like_cose(&bytes) {
                return cwt::parse(&bytes);
            }
        }
    }
    match B64_LENIENT.decode(text) {
        Ok(bytes) if cwt::looks_like_cose(&bytes) => cwt::parse(&bytes),
        _ => Err(TokenError::UnknownFormat),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_refuses_text_that_is_no_token() {
        for garbage in [&b""[..], b"   ", b"hello world", b"zz", b"AAAA"] {
            assert_eq!(
                parse(garbage).err().map(|e| e.to_string()).as_deref(),
                Some("token is neither a JWT nor a COSE_Sign1 (raw CBOR, hex or base64url)"),
                "{garbage:?}"
            );
        }
        assert_eq!(
            parse(b"a.b").err().map(|e| e.to_string()).as_deref(),
            Some("malformed JWT: 2 dot-separated parts, expected 3")
        );
        assert_eq!(
            parse(&[0x84, 0x40]).err().map(|e| e.to_string()).as_deref(),
            Some("malformed COSE_Sign1: token is not CBOR: truncated")
        );
    }
}

//! Token verification for both encodings.

use std::borrow::Cow;

use base64::Engine as _;
use serde_json::Value as Json;
use verifier::crypto::{default_provider, CryptoProvider, EcdsaSig};

use super::claims::{check, sort_json};
use super::{cwt, jwt, Algorithm, JwkSet, TokenError};

/// The encoding of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenFormat {
    /// JWS compact serialisation of JSON claims.
    Jwt,
    /// COSE_Sign1 of CBOR claims.
    Cwt,
}

/// What a relying party expects of a token besides a good signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOptions {
    /// The current time, Unix seconds (the caller reads the clock).
    pub now: i64,
    /// Allowed clock skew in seconds for `exp`, `nbf` and `iat` (negative counts as 0).
    pub leeway: i64,
    /// The `eat_nonce` the token must carry (one of its nonces, if it has several).
    pub expected_nonce: Option<Vec<u8>>,
    /// The `iss` the token must carry.
    pub expected_issuer: Option<String>,
    /// The audience the token's `aud` must contain. When `None`, a token with an `aud`
    /// is refused (RFC 7519 §4.1.3).
    pub expected_audience: Option<String>,
}

impl VerifyOptions {
    /// The default leeway: 60 seconds.
    pub const DEFAULT_LEEWAY: i64 = 60;

    /// Options at `now` with the default leeway and no expectations.
    pub fn new(now: i64) -> Self {
        Self {
            now,
            leeway: Self::DEFAULT_LEEWAY,
            expected_nonce: None,
            expected_issuer: None,
            expected_audience: None,
        }
    }
}

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

/// A decoded token before its signature is checked.
pub(crate) struct Parsed<'a> {
    pub(crate) format: TokenFormat,
    pub(crate) algorithm: Algorithm,
    /// The key ids to look up, in order (a CWT kid is tried as base64url, then as text).
    pub(crate) kids: Vec<String>,
    /// The exact bytes the signature covers.
    pub(crate) signed: Cow<'a, [u8]>,
    pub(crate) signature: Vec<u8>,
    pub(crate) payload: Payload,
}

/// The signed payload, decoded only after the signature verifies.
pub(crate) enum Payload {
    Json(Vec<u8>),
    Cbor(Vec<u8>),
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
    let good = match key_alg.key_type().ecdsa() {
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

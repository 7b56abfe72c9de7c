//! Token errors.

use super::{Algorithm, JwksError};

/// Why a key could not be used, a token could not be signed, or a token did not verify.
///
/// Each verification failure is its own variant, so callers (and tests) match on the kind
/// rather than on text; the messages name the values involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The private key could not be read: wrong PEM label, unsupported algorithm or curve,
    /// encrypted, or malformed.
    #[error("unusable signing key: {0}")]
    Key(String),

    /// A key in the JWKS cannot verify: unknown `kty`/`crv`, bad coordinates, or an `alg`
    /// or `use` that contradicts the key.
    #[error("unusable JWK {kid}: {reason}")]
    Jwk {
        /// The key's `kid` (or thumbprint when it has none).
        kid: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The JWK Set was refused when read ([`super::JwkSet::from_json`]).
    #[error(transparent)]
    Jwks(#[from] JwksError),

    /// The signer or the crypto backend failed.
    #[error("signing failed: {0}")]
    Sign(String),

    /// The EAR cannot be issued as a token (for example it has no `exp`).
    #[error("invalid EAR: {0}")]
    InvalidEar(String),

    /// The token is neither JWS compact text nor CBOR (raw, hex or base64url).
    #[error("token is neither a JWT nor a COSE_Sign1 (raw CBOR, hex or base64url)")]
    UnknownFormat,

    /// The JWT is not well-formed.
    #[error("malformed JWT: {0}")]
    MalformedJwt(String),

    /// The COSE_Sign1 is not well-formed.
    #[error("malformed COSE_Sign1: {0}")]
    MalformedCose(String),

    /// The header names an algorithm that is never accepted (`none`, HMAC, RSA, …).
    #[error("algorithm {0} is not accepted (only ES384, ES256 and EdDSA are)")]
    UnsupportedAlgorithm(String),

    /// No key in the set has the token's `kid`.
    #[error("unknown key id {0}")]
    UnknownKeyId(String),

    /// The header's algorithm is not the one the key is for.
    #[error("algorithm {header} in the header, the key is {key}")]
    AlgorithmMismatch {
        /// The algorithm the token claims.
        header: Algorithm,
        /// The algorithm of the key its `kid` selects.
        key: Algorithm,
    },

    /// The signature does not verify with the key the `kid` selects.
    #[error("token signature does not verify with key {0}")]
    BadSignature(String),

    /// A claim the checks need is absent (only `exp` is always required).
    #[error("token has no {0} claim")]
    MissingClaim(&'static str),

    /// A claim has the wrong type or an impossible value.
    #[error("claim {name} is invalid: {reason}")]
    InvalidClaim {
        /// The claim's JWT name.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },

    /// `exp + leeway <= now`.
    #[error("token expired at {} (now {})", rfc3339(*exp), rfc3339(*now))]
    Expired {
        /// The token's `exp`, in Unix seconds.
        exp: i64,
        /// The verifier's `now`.
        now: i64,
    },

    /// `nbf > now + leeway`.
    #[error("token is not valid before {} (now {})", rfc3339(*nbf), rfc3339(*now))]
    NotYetValid {
        /// The token's `nbf`, in Unix seconds.
        nbf: i64,
        /// The verifier's `now`.
        now: i64,
    },

    /// `iat > now + leeway`.
    #[error("token was issued in the future, at {} (now {})", rfc3339(*iat), rfc3339(*now))]
    IssuedInFuture {
        /// The token's `iat`, in Unix seconds.
        iat: i64,
        /// The verifier's `now`.
        now: i64,
    },

    /// The token's `eat_nonce` is not the expected one (hex in both fields; several
    /// nonces are joined by commas).
    #[error("eat_nonce {found} does not match the expected {expected}")]
    NonceMismatch {
        /// The nonce(s) in the token, hex.
        found: String,
        /// The expected nonce, hex.
        expected: String,
    },

    /// A nonce was expected and the token has none.
    #[error("token has no eat_nonce, expected {0}")]
    MissingNonce(String),

    /// `iss` is absent or not the expected issuer.
    #[error("issuer {found} does not match the expected {expected}")]
    IssuerMismatch {
        /// The token's issuer (`<none>` when absent).
        found: String,
        /// The expected issuer.
        expected: String,
    },

    /// `aud` is absent or does not contain the expected audience.
    #[error("audience {found} does not match the expected {expected}")]
    AudienceMismatch {
        /// The token's audience(s) (`<none>` when absent; comma-separated).
        found: String,
        /// The expected audience.
        expected: String,
    },

    /// The token is addressed to an audience and the caller expected none (RFC 7519
    /// §4.1.3: a recipient that does not identify itself with `aud` must reject).
    #[error("token is for audience {0}, and no audience was expected")]
    UnexpectedAudience(String),
}

/// Formats Unix seconds as RFC 3339 (UTC), or as the number when out of range.
pub(crate) fn rfc3339(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("{secs} (Unix seconds)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_messages_are_rfc3339() {
        let e = TokenError::Expired {
            exp: 1_700_000_000,
            now: 1_700_000_061,
        };
        assert_eq!(
            e.to_string(),
            "token expired at 2023-11-14T22:13:20Z (now 2023-11-14T22:14:21Z)"
        );
        assert_eq!(rfc3339(i64::MAX), format!("{} (Unix seconds)", i64::MAX));
    }
}

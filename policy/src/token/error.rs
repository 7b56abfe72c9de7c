//! Token errors.

use verifier::time::UnixTime;

use super::alg::Algorithm;

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
        /// The token's `exp`.
        exp: UnixTime,
        /// The verifier's `now`.
        now: UnixTime,
    },

    /// `nbf > now + leeway`.
    #[error("token is not valid before {} (now {})", rfc3339(*nbf), rfc3339(*now))]
    NotYetValid {
        /// The token's `nbf`.
        nbf: UnixTime,
        /// The verifier's `now`.
        now: UnixTime,
    },

    /// `iat > now + leeway`.
    #[error("token was issued in the future, at {} (now {})", rfc3339(*iat), rfc3339(*now))]
    IssuedInFuture {
        /// The token's `iat`.
        iat: UnixTime,
        /// The verifier's `now`.
        now: UnixTime,
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

/// Why a JWK Set was refused. The key index is its position in `keys`, from 0.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwksError {
    /// Not JSON, a member named twice, not an object, or no `keys` array.
    #[error("malformed JWKS: {0}")]
    Malformed(String),

    /// A key of a supported type (EC P-384/P-256, OKP Ed25519) that is broken.
    #[error("malformed JWKS key keys[{index}]{}: {reason}", kid_suffix(kid.as_deref()))]
    BadKey {
        /// Its index in `keys`.
        index: usize,
        /// Its `kid`, when it has one.
        kid: Option<String>,
        /// What is wrong with it.
        reason: String,
    },

    /// Two usable keys with one key id.
    #[error("JWKS keys[{first}] and keys[{second}] have the same key id {kid}")]
    DuplicateKeyId {
        /// The shared id.
        kid: String,
        /// The first key's index.
        first: usize,
        /// The second key's index.
        second: usize,
    },

    /// No key Verdict can verify with; each ignored key with why.
    #[error(
        "the JWKS has no usable key (EC P-384 or P-256, or OKP Ed25519, for signatures){}",
        ignored_suffix(ignored)
    )]
    NoUsableKey {
        /// `keys[i]: reason` for each key that was ignored.
        ignored: Vec<String>,
    },
}

fn kid_suffix(kid: Option<&str>) -> String {
    kid.map(|k| format!(" (kid {k:?})")).unwrap_or_default()
}

fn ignored_suffix(ignored: &[String]) -> String {
    if ignored.is_empty() {
        ": it has no keys".to_owned()
    } else {
        format!("; ignored {}", ignored.join("; "))
    }
}

/// Formats a time as RFC 3339 (UTC), or as Unix seconds when out of range.
fn rfc3339(t: UnixTime) -> String {
    verifier::time::rfc3339(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_messages_are_rfc3339() {
        use verifier::time::from_secs;
        let e = TokenError::Expired {
            exp: from_secs(1_700_000_000),
            now: from_secs(1_700_000_061),
        };
        assert_eq!(
            e.to_string(),
            "token expired at 2023-11-14T22:13:20Z (now 2023-11-14T22:14:21Z)"
        );
        assert_eq!(
            rfc3339(from_secs(u64::MAX)),
            format!("{} (Unix seconds)", u64::MAX)
        );
    }
}

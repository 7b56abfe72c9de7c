//! What a relying party expects of a token. Below `claims`, which checks it.

use core::time::Duration;

use verifier::time::UnixTime;

/// What a relying party expects of a token besides a good signature.
///
/// Made with [`VerifyOptions::new`], then adjusted field by field (more fields may come).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// The current time (the caller reads the clock).
    pub now: UnixTime,
    /// Allowed clock skew for `exp`, `nbf` and `iat` (whole seconds count).
    pub leeway: Duration,
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
    pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

    /// Options at `now` with the default leeway and no expectations.
    pub fn new(now: UnixTime) -> Self {
        Self {
            now,
            leeway: Self::DEFAULT_LEEWAY,
            expected_nonce: None,
            expected_issuer: None,
            expected_audience: None,
        }
    }
}

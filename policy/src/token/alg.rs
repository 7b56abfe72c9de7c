//! Token signature algorithms.

use core::fmt;

use verifier::crypto::{Curve, HashAlg};

/// A token signature algorithm: the key type and the signature scheme together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Algorithm {
    /// ECDSA P-384 with SHA-384 (JWS `ES384`, COSE −35). The default.
    #[default]
    Es384,
    /// ECDSA P-256 with SHA-256 (JWS `ES256`, COSE −7).
    Es256,
    /// Ed25519 (JWS `EdDSA`, COSE −8).
    EdDsa,
}

impl Algorithm {
    /// Every algorithm, in order of preference.
    pub const ALL: [Self; 3] = [Self::Es384, Self::Es256, Self::EdDsa];

    /// The JWS `alg` value (RFC 7518 §3.1, RFC 8037 §3.1).
    pub fn jws_name(self) -> &'static str {
        match self {
            Self::Es384 => "ES384",
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
        }
    }

    /// The COSE `alg` value (RFC 9053 §2.1, §2.2).
    pub fn cose_alg(self) -> coset::iana::Algorithm {
        match self {
            Self::Es384 => coset::iana::Algorithm::ES384,
            Self::Es256 => coset::iana::Algorithm::ES256,
            Self::EdDsa => coset::iana::Algorithm::EdDSA,
        }
    }

    /// Parses a JWS `alg`. The fully-specified names of RFC 9864 are accepted as aliases
    /// (`Ed25519` for `EdDSA`, `ESP256`/`ESP384` for `ES256`/`ES384`), since they name the
    /// same scheme for the only curve each of our keys can have.
    pub fn from_jws_name(name: &str) -> Option<Self> {
        match name {
            "ES384" | "ESP384" => Some(Self::Es384),
            "ES256" | "ESP256" => Some(Self::Es256),
            "EdDSA" | "Ed25519" => Some(Self::EdDsa),
            _ => None,
        }
    }

    /// Parses a COSE `alg`, with the RFC 9864 aliases (ESP256 −9, ESP384 −51,
    /// Ed25519 −19).
    pub fn from_cose_alg(alg: i64) -> Option<Self> {
        match alg {
            -35 | -51 => Some(Self::Es384),
            -7 | -9 => Some(Self::Es256),
            -8 | -19 => Some(Self::EdDsa),
            _ => None,
        }
    }

    /// The JWK `crv` of this algorithm's keys.
    pub fn curve_name(self) -> &'static str {
        match self {
            Self::Es384 => "P-384",
            Self::Es256 => "P-256",
            Self::EdDsa => "Ed25519",
        }
    }

    /// The curve and hash of an ECDSA algorithm (each key signs over its curve's
    /// natural hash); `None` for EdDSA, which is pure Ed25519 (RFC 8032).
    pub fn ecdsa(self) -> Option<(Curve, HashAlg)> {
        match self {
            Self::Es384 => Some((Curve::P384, HashAlg::Sha384)),
            Self::Es256 => Some((Curve::P256, HashAlg::Sha256)),
            Self::EdDsa => None,
        }
    }

    /// Length in bytes of a signature: fixed `r ‖ s` for ECDSA, 64 for Ed25519.
    pub fn signature_len(self) -> usize {
        match self {
            Self::Es384 => 96,
            Self::Es256 | Self::EdDsa => 64,
        }
    }

    /// Length in bytes of the public key: an uncompressed SEC1 point (`04 ‖ x ‖ y`) for
    /// ECDSA, the 32-byte encoding of RFC 8032 for Ed25519.
    pub fn public_key_len(self) -> usize {
        match self {
            Self::Es384 => 97,
            Self::Es256 => 65,
            Self::EdDsa => 32,
        }
    }

    pub(crate) fn from_curve_name(crv: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.curve_name() == crv)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.jws_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_names_round_trip() {
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::from_jws_name(alg.jws_name()), Some(alg));
            assert_eq!(Algorithm::from_cose_alg(alg.cose_alg() as i64), Some(alg));
            assert_eq!(Algorithm::from_curve_name(alg.curve_name()), Some(alg));
            assert_eq!(alg.to_string(), alg.jws_name());
        }
        assert_eq!(Algorithm::Es384.cose_alg() as i64, -35);
        assert_eq!(Algorithm::Es256.cose_alg() as i64, -7);
        assert_eq!(Algorithm::EdDsa.cose_alg() as i64, -8);
        for refused in ["none", "HS256", "RS256", "PS384", "ES512", "es384", ""] {
            assert_eq!(Algorithm::from_jws_name(refused), None, "{refused}");
        }
        assert_eq!(Algorithm::from_jws_name("Ed25519"), Some(Algorithm::EdDsa));
        assert_eq!(Algorithm::from_cose_alg(5), None); // HMAC 256/256
        assert_eq!(Algorithm::default(), Algorithm::Es384);
    }
}

//! Public JSON Web Keys (RFC 7517) and their thumbprints (RFC 7638).

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use verifier::crypto::{default_provider, HashAlg};

use super::{Algorithm, Signer, TokenError, B64};

/// A public JWK: an EC key (RFC 7518 §6.2) or an OKP Ed25519 key (RFC 8037 §2).
///
/// Private members (`d`) are never written, and ignored when read.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Jwk {
    /// Key type: `EC` or `OKP`.
    pub kty: String,
    /// Curve: `P-384`, `P-256` or `Ed25519`.
    pub crv: String,
    /// The x coordinate (EC) or the public key (OKP), base64url.
    pub x: String,
    /// The y coordinate (EC only), base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// Key id; for keys this crate makes, the RFC 7638 thumbprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// The one algorithm this key is for (`ES384`, `ES256`, `EdDSA`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Intended use; `sig` for token keys.
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub key_use: Option<String>,
}

impl Jwk {
    /// The JWK of a public key (an uncompressed SEC1 point for ECDSA, 32 bytes for
    /// Ed25519), with `kid` set to its thumbprint, `alg` and `use: "sig"`.
    ///
    /// # Errors
    /// [`TokenError::Key`] if the key has the wrong length or form for `alg`.
    pub fn from_public_key(alg: Algorithm, public_key: &[u8]) -> Result<Self, TokenError> {
        let want = alg.key_type().public_key_len();
        if public_key.len() != want {
            return Err(TokenError::Key(format!(
                "a {} public key is {want} bytes, not {}",
                alg.curve_name(),
                public_key.len()
            )));
        }
        let (kty, x, y) = match alg {
            Algorithm::EdDsa => ("OKP", B64.encode(public_key), None),
            Algorithm::Es256 | Algorithm::Es384 => {
                let point = public_key
                    .strip_prefix(&[0x04])
                    .ok_or_else(|| TokenError::Key("EC public key is not uncompressed".into()))?;
                let (x, y) = point.split_at(point.len() / 2);
                ("EC", B64.encode(x), Some(B64.encode(y)))
            }
        };
        let mut jwk = Self {
            kty: kty.into(),
            crv: alg.curve_name().into(),
            x,
            y,
            kid: None,
            alg: Some(alg.jws_name().into()),
            key_use: Some("sig".into()),
        };
        jwk.kid = Some(jwk.thumbprint());
        Ok(jwk)
    }

    /// The RFC 7638 thumbprint: base64url (no padding) of the SHA-256 of the required
    /// members in lexicographic order without whitespace: `{"crv","kty","x","y"}` for EC,
    /// `{"crv","kty","x"}` for OKP (RFC 8037 §2). For any other `kty`, `y` is included
    /// when present.
    pub fn thumbprint(&self) -> String {
        // serde_json escapes the values as RFC 7638 §3.3 asks (they are base64url and
        // registered names, so in practice nothing needs escaping).
        let s = |v: &str| serde_json::to_string(v).unwrap_or_default();
        let mut members = format!(
            "{{\"crv\":{},\"kty\":{},\"x\":{}",
            s(&self.crv),
            s(&self.kty),
            s(&self.x)
        );
        if let (Some(y), false) = (&self.y, self.kty == "OKP") {
            members.push_str(",\"y\":");
            members.push_str(&s(y));
        }
        members.push('}');
        let digest = default_provider().hash(HashAlg::Sha256, &[members.as_bytes()]);
        B64.encode(digest.as_ref())
    }

    /// The `kid`, or the thumbprint for a key without one.
    pub fn key_id(&self) -> String {
        self.kid.clone().unwrap_or_else(|| self.thumbprint())
    }

    /// The algorithm this key verifies: from its `kty`/`crv`, checked against its `alg`
    /// and `use` when those are present.
    ///
    /// # Errors
    /// [`TokenError::Jwk`] if the key is of an unsupported type or contradicts itself.
    pub fn algorithm(&self) -> Result<Algorithm, TokenError> {
        let bad = |reason: String| TokenError::Jwk {
            kid: self.key_id(),
            reason,
        };
        let alg = Algorithm::from_curve_name(&self.crv)
            .ok_or_else(|| bad(format!("curve {:?} is not supported", self.crv)))?;
        let kty = if alg == Algorithm::EdDsa { "OKP" } else { "EC" };
        if self.kty != kty {
            return Err(bad(format!("kty {:?} with curve {}", self.kty, self.crv)));
        }
        if let Some(name) = &self.alg {
            if Algorithm::from_jws_name(name) != Some(alg) {
                return Err(bad(format!("alg {name} with curve {}", self.crv)));
            }
        }
        if let Some(u) = self.key_use.as_deref().filter(|u| *u != "sig") {
            return Err(bad(format!("use {u:?} is not \"sig\"")));
        }
        Ok(alg)
    }

    /// The public key in the crypto provider's form: an uncompressed SEC1 point
    /// (`04 ‖ x ‖ y`, each coordinate exactly the curve's length, RFC 7518 §6.2.1.2) for
    /// EC, the 32 bytes for Ed25519.
    ///
    /// # Errors
    /// [`TokenError::Jwk`] if the type is unsupported or a coordinate is malformed.
    pub fn public_key(&self) -> Result<Vec<u8>, TokenError> {
        let alg = self.algorithm()?;
        let bad = |reason: String| TokenError::Jwk {
            kid: self.key_id(),
            reason,
        };
        let coord = |name: &str, v: &str| {
            B64.decode(v)
                .map_err(|e| bad(format!("{name} is not base64url: {e}")))
        };
        let x = coord("x", &self.x)?;
        let key = match alg {
            Algorithm::EdDsa => x,
            Algorithm::Es256 | Algorithm::Es384 => {
                let y = coord(
                    "y",
                    self.y
                        .as_deref()
                        .ok_or_else(|| bad("EC key without y".into()))?,
                )?;
                let mut point = Vec::with_capacity(1 + x.len() + y.len());
                point.push(0x04);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                point
            }
        };
        let want = alg.key_type().public_key_len();
        if key.len() != want {
            return Err(bad(format!(
                "{} coordinates must make a {want}-byte key, not {}",
                self.crv,
                key.len()
            )));
        }
        Ok(key)
    }
}

/// A JWK Set (RFC 7517 §5): `{"keys":[...]}`, what a token issuer publishes.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct JwkSet {
    /// The keys.
    pub keys: Vec<Jwk>,
}

impl JwkSet {
    /// The set of the public keys of `signers`.
    pub fn from_signers(signers: &[&dyn Signer]) -> Self {
        Self {
            keys: signers.iter().map(|s| s.public_jwk()).collect(),
        }
    }

    /// The first key whose `kid` is `kid`; a key without a `kid` matches its thumbprint.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| match &k.kid {
            Some(id) => id == kid,
            None => k.thumbprint() == kid,
        })
    }
}

impl From<Vec<Jwk>> for JwkSet {
    fn from(keys: Vec<Jwk>) -> Self {
        Self { keys }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8037_ed25519_thumbprint() {
        // RFC 8037 Appendix A.2/A.3: the public key and its thumbprint.
        let jwk = Jwk {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo".into(),
            y: None,
            kid: None,
            alg: None,
            key_use: None,
        };
        assert_eq!(
            jwk.thumbprint(),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
        assert_eq!(jwk.algorithm().unwrap(), Algorithm::EdDsa);
        assert_eq!(jwk.public_key().unwrap().len(), 32);
    }

    #[test]
    fn contradictory_keys_are_refused() {
        let mut jwk = Jwk::from_public_key(Algorithm::EdDsa, &[9u8; 32]).unwrap();
        let kid = jwk.kid.clone().unwrap();
        jwk.alg = Some("ES256".into());
        assert_eq!(
            jwk.algorithm().unwrap_err().to_string(),
            format!("unusable JWK {kid}: alg ES256 with curve Ed25519")
        );
        jwk.alg = None;
        jwk.key_use = Some("enc".into());
        assert_eq!(
            jwk.algorithm().unwrap_err().to_string(),
            format!("unusable JWK {kid}: use \"enc\" is not \"sig\"")
        );
        jwk.key_use = None;
        jwk.x.pop();
        assert_eq!(
            jwk.public_key().unwrap_err().to_string(),
            format!("unusable JWK {kid}: Ed25519 coordinates must make a 32-byte key, not 31")
        );
        jwk.kty = "EC".into();
        assert_eq!(
            jwk.algorithm().unwrap_err().to_string(),
            format!("unusable JWK {kid}: kty \"EC\" with curve Ed25519")
        );
        jwk.crv = "P-521".into();
        assert_eq!(
            jwk.algorithm().unwrap_err().to_string(),
            format!("unusable JWK {kid}: curve \"P-521\" is not supported")
        );
    }
}

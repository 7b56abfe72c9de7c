//! Public JSON Web Keys (RFC 7517) and their thumbprints (RFC 7638).

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use verifier::crypto::{default_provider, HashAlg};

use super::alg::Algorithm;
use super::error::{JwksError, TokenError};
use super::wire::B64;

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
        let want = alg.public_key_len();
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
        let want = alg.public_key_len();
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
///
/// Read one with [`JwkSet::from_json`] (or serde, which applies the same rules but
/// cannot see duplicate member names). Keys are sorted three ways:
///
/// - **usable**: `kty` `EC` with `crv` `P-384` or `P-256`, or `kty` `OKP` with `crv`
///   `Ed25519`, for signing (`use` absent or `sig`, `key_ops` absent or with `verify`),
///   with an `alg`, if any, that is the curve's. These are kept.
/// - **ignored**, as RFC 7517 §5 asks of keys an implementation does not understand: any
///   other `kty` (`RSA`, `oct`, …) or none, another curve (`P-521`, `X25519`, …), an `alg`
///   Verdict does not implement (`ES512`, `RS256`, …), or a key for another use
///   (`use: "enc"`). A set of RSA and EC keys thus verifies with its EC keys.
/// - **malformed**: a key of a supported type that is broken (no `crv`, an `x` or `y`
///   that is not base64url or not the curve's length, an `alg` of another curve, `kty`
///   `EC` with `crv` `Ed25519`, a member of the wrong JSON type) or that is not a JSON
///   object. The whole set is refused, naming the key: RFC 7517 §5 would have it
///   ignored, but a broken key of a type we verify is an issuer's mistake, and ignoring
///   it would only move the failure to "unknown key id" on the first token it signed.
///
/// A set with no usable key is refused, and so is one where two usable keys share a
/// key id (`kid`, or the thumbprint of a key without one): RFC 7517 §4.5 asks for
/// distinct ids, and [`JwkSet::find`] must not depend on key order.
#[derive(Serialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct JwkSet {
    /// The keys.
    pub keys: Vec<Jwk>,
}

/// What to do with one member of `keys`.
enum Sorted {
    Usable(Jwk),
    Ignored(String),
}

impl JwkSet {
    /// Reads a JWK Set from its JSON text, refusing a member named twice anywhere in it
    /// (`{"kty":"EC","x":A,"x":B}` would otherwise mean whichever the parser kept).
    /// Keys Verdict cannot use are ignored; see the type's documentation for which keys
    /// are kept, ignored, or make the whole set refused.
    ///
    /// # Errors
    /// A [`JwksError`] naming the problem and, for a key, its index and `kid`.
    pub fn from_json(bytes: &[u8]) -> Result<Self, JwksError> {
        Self::from_json_with_ignored(bytes).map(|(set, _)| set)
    }

    /// [`JwkSet::from_json`], also returning `keys[i]: reason` for each ignored key, so
    /// that a caller can report them.
    ///
    /// # Errors
    /// As [`JwkSet::from_json`].
    pub fn from_json_with_ignored(bytes: &[u8]) -> Result<(Self, Vec<String>), JwksError> {
        let value =
            verifier::json::from_slice(bytes).map_err(|e| JwksError::Malformed(e.to_string()))?;
        Self::from_value(value)
    }

    /// Sorts the keys of a parsed JWK Set (see the type's documentation).
    fn from_value(value: Json) -> Result<(Self, Vec<String>), JwksError> {
        let Json::Object(mut set) = value else {
            return Err(JwksError::Malformed("not a JSON object".into()));
        };
        let keys = match set.remove("keys") {
            Some(Json::Array(keys)) => keys,
            Some(_) => return Err(JwksError::Malformed("`keys` is not an array".into())),
            None => return Err(JwksError::Malformed("no `keys` member".into())),
        };
        let mut usable: Vec<(usize, String, Jwk)> = Vec::new();
        let mut ignored = Vec::new();
        for (index, key) in keys.into_iter().enumerate() {
            match sort_key(index, key)? {
                Sorted::Ignored(reason) => ignored.push(format!("keys[{index}]: {reason}")),
                Sorted::Usable(jwk) => {
                    let id = jwk.key_id();
                    if let Some((first, _, _)) = usable.iter().find(|(_, k, _)| *k == id) {
                        return Err(JwksError::DuplicateKeyId {
                            kid: id,
                            first: *first,
                            second: index,
                        });
                    }
                    usable.push((index, id, jwk));
                }
            }
        }
        if usable.is_empty() {
            return Err(JwksError::NoUsableKey { ignored });
        }
        let keys = usable.into_iter().map(|(_, _, jwk)| jwk).collect();
        Ok((Self { keys }, ignored))
    }

    /// The first key whose `kid` is `kid`; a key without a `kid` matches its thumbprint.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| match &k.kid {
            Some(id) => id == kid,
            None => k.thumbprint() == kid,
        })
    }
}

/// Decides whether the key at `index` is usable, ignored or malformed (an error).
fn sort_key(index: usize, key: Json) -> Result<Sorted, JwksError> {
    let kid = key.get("kid").and_then(Json::as_str).map(str::to_owned);
    let bad = |reason: String| JwksError::BadKey {
        index,
        kid: kid.clone(),
        reason,
    };
    let Json::Object(members) = &key else {
        return Err(bad("not a JSON object".into()));
    };
    let text = |name: &str| match members.get(name) {
        None => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.as_str())),
        Some(other) => Err(bad(format!(
            "{name} is {}, not a string",
            verifier::json::kind_name(other)
        ))),
    };
    // The type: anything but EC and OKP is some other kind of key.
    let kty = match members.get("kty") {
        Some(Json::String(kty)) => kty.as_str(),
        Some(other) => {
            return Ok(Sorted::Ignored(format!(
                "kty is {}",
                verifier::json::kind_name(other)
            )))
        }
        None => return Ok(Sorted::Ignored("no kty".into())),
    };
    if kty != "EC" && kty != "OKP" {
        return Ok(Sorted::Ignored(format!("kty {kty:?} is not supported")));
    }
    // From here on the key claims a type we verify with, so mistakes are errors.
    let crv = text("crv")?.ok_or_else(|| bad(format!("{kty} key without crv")))?;
    if Algorithm::from_curve_name(crv).is_none() {
        return Ok(Sorted::Ignored(format!("curve {crv:?} is not supported")));
    }
    if let Some(name) = text("alg")? {
        if Algorithm::from_jws_name(name).is_none() {
            return Ok(Sorted::Ignored(format!("alg {name:?} is not supported")));
        }
    }
    if let Some(u) = text("use")?.filter(|u| *u != "sig") {
        return Ok(Sorted::Ignored(format!("use {u:?} is not \"sig\"")));
    }
    if let Some(ops) = members.get("key_ops") {
        let ops = ops
            .as_array()
            .and_then(|ops| ops.iter().map(Json::as_str).collect::<Option<Vec<_>>>())
            .ok_or_else(|| bad("key_ops is not a list of strings".into()))?;
        if !ops.contains(&"verify") {
            return Ok(Sorted::Ignored(format!(
                "key_ops [{}] has no \"verify\"",
                ops.join(", ")
            )));
        }
    }
    let jwk: Jwk = serde_json::from_value(key.clone()).map_err(|e| bad(e.to_string()))?;
    // The key's own consistency (kty against crv, alg against crv) and its coordinates
    // (`public_key` checks the algorithm first).
    let reason = |e: TokenError| match e {
        TokenError::Jwk { reason, .. } => reason,
        other => other.to_string(),
    };
    jwk.public_key().map_err(|e| bad(reason(e)))?;
    Ok(Sorted::Usable(jwk))
}

/// Reading a set with serde applies [`JwkSet::from_json`]'s rules to the keys; only
/// [`JwkSet::from_json`] also refuses duplicate member names.
impl<'de> Deserialize<'de> for JwkSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Json::deserialize(deserializer)?;
        Self::from_value(value)
            .map(|(set, _)| set)
            .map_err(serde::de::Error::custom)
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

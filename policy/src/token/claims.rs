//! The claims of our tokens: the CBOR → JSON mapping
//! that gives CWT claims their JWT names, and the checks `verify_token` makes.

use base64::Engine as _;
use ciborium::Value as Cbor;
use serde_json::{Map, Number, Value as Json};

use verifier::time::{from_secs, secs, UnixTime};

use super::error::TokenError;
use super::options::VerifyOptions;
use super::wire::B64;

/// JWT names of the top-level CWT claim keys: RFC 8392 §3.1, RFC 9711 (EAT) and
/// draft-ietf-rats-ear-04 §3 (the 1000–1007 keys are the draft's suggestions).
fn top_level_name(key: i128) -> Option<&'static str> {
    Some(match key {
        1 => "iss",
        2 => "sub",
        3 => "aud",
        4 => "exp",
        5 => "nbf",
        6 => "iat",
        7 => "jti",
        8 => "cnf",
        10 => "eat_nonce",
        265 => "eat_profile",
        266 => "submods",
        1000 => "ear_status",
        1002 => "ear_raw_evidence",
        1004 => "ear_verifier_id",
        1007 => "ear_device_topology",
        _ => return None,
    })
}

/// JWT names of the keys of an EAR appraisal (draft-ietf-rats-ear-04 §3.1; −70002 is
/// Veraison's key-attestation extension).
fn appraisal_name(key: i128) -> Option<&'static str> {
    Some(match key {
        10 => "eat_nonce",
        265 => "eat_profile",
        1000 => "ear_status",
        1001 => "ear_trustworthiness_vector",
        1003 => "ear_appraisal_policy_ids",
        1005 => "ear_attester_claims",
        1006 => "ear_verifier_claims",
        -70002 => "ear_veraison_key_attestation",
        _ => return None,
    })
}

/// AR4SI trustworthiness claim names by CBOR key (draft-ietf-rats-ar4si §3).
fn trust_claim_name(key: i128) -> Option<&'static str> {
    Some(match key {
        0 => "instance-identity",
        1 => "configuration",
        2 => "executables",
        3 => "file-system",
        4 => "hardware",
        5 => "runtime-opaque",
        6 => "storage-opaque",
        7 => "sourced-data",
        _ => return None,
    })
}

/// How to name the keys of a map, and how to map its values.
#[derive(Clone, Copy)]
enum Shape {
    /// Any value: maps keep text keys, integer keys become decimal strings.
    Generic,
    TopLevel,
    Submods,
    Appraisal,
    TrustVector,
    VerifierId,
    KeyAttestation,
    Tier,
}

/// Maps a CWT claims-set (integer keys, tiers as integers, bytes as bstr) to the JSON
/// the same EAR has in a JWT (EAR -04 names; tiers as names; bytes base64url;
/// CBOR tags dropped). Keys without a known name keep their
/// integer as a decimal string. Object keys come out sorted, as [`sort_json`] does.
pub(crate) fn cbor_claims_to_json(claims: Cbor) -> Result<Json, String> {
    match claims {
        Cbor::Map(_) => convert(claims, Shape::TopLevel),
        _ => Err("the payload is not a CBOR map".into()),
    }
}

fn convert(value: Cbor, shape: Shape) -> Result<Json, String> {
    Ok(match (value, shape) {
        (Cbor::Tag(_, inner), _) => convert(*inner, shape)?,
        (Cbor::Integer(i), Shape::Tier) => Json::String(
            match i128::from(i) {
                0 => "none",
                2 => "affirming",
                32 => "warning",
                96 => "contraindicated",
                n => return Err(format!("ear_status {n} is not a tier (0, 2, 32, 96)")),
            }
            .into(),
        ),
        (Cbor::Map(entries), _) => {
            let mut map = Map::new();
            let mut pairs = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                let (name, value_shape) = map_key(k, shape)?;
                pairs.push((name, convert(v, value_shape)?));
            }
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            for (name, value) in pairs {
                if map.contains_key(&name) {
                    return Err(format!("duplicate key {name}"));
                }
                map.insert(name, value);
            }
            Json::Object(map)
        }
        (Cbor::Array(items), _) => Json::Array(
            items
                .into_iter()
                .map(|v| convert(v, Shape::Generic))
                .collect::<Result<_, _>>()?,
        ),
        (Cbor::Integer(i), _) => {
            let i = i128::from(i);
            Json::Number(if let Ok(i) = i64::try_from(i) {
                Number::from(i)
            } else {
                Number::from(u64::try_from(i).map_err(|_| format!("integer {i} is out of range"))?)
            })
        }
        (Cbor::Bytes(b), _) => Json::String(B64.encode(b)),
        (Cbor::Float(f), _) => {
            Json::Number(Number::from_f64(f).ok_or_else(|| format!("float {f} has no JSON form"))?)
        }
        (Cbor::Text(s), _) => Json::String(s),
        (Cbor::Bool(b), _) => Json::Bool(b),
        (Cbor::Null, _) => Json::Null,
        (other, _) => return Err(format!("unsupported CBOR item {other:?}")),
    })
}

/// The JSON name of a map key in a map of `shape`, and the shape of its value.
fn map_key(key: Cbor, shape: Shape) -> Result<(String, Shape), String> {
    let int = match &key {
        Cbor::Integer(i) => Some(i128::from(*i)),
        _ => None,
    };
    let known = |name: Option<&'static str>, value: Shape| name.map(|n| (n.to_string(), value));
    let named = match (shape, int) {
        (Shape::TopLevel, Some(k)) => known(
            top_level_name(k),
            match k {
                1000 => Shape::Tier,
                266 => Shape::Submods,
                1004 => Shape::VerifierId,
                _ => Shape::Generic,
            },
        ),
        (Shape::Appraisal, Some(k)) => known(
            appraisal_name(k),
            match k {
                1000 => Shape::Tier,
                1001 => Shape::TrustVector,
                -70002 => Shape::KeyAttestation,
                _ => Shape::Generic,
            },
        ),
        (Shape::TrustVector, Some(k)) => known(trust_claim_name(k), Shape::Generic),
        (Shape::VerifierId, Some(0)) => Some(("developer".into(), Shape::Generic)),
        (Shape::VerifierId, Some(1)) => Some(("build".into(), Shape::Generic)),
        (Shape::KeyAttestation, Some(0)) => Some(("akpub".into(), Shape::Generic)),
        _ => None,
    };
    if let Some(named) = named {
        return Ok(named);
    }
    let value_shape = match shape {
        Shape::Submods => Shape::Appraisal,
        _ => Shape::Generic,
    };
    match key {
        Cbor::Text(s) => Ok((s, value_shape)),
        Cbor::Integer(i) => Ok((i128::from(i).to_string(), value_shape)),
        other => Err(format!("unsupported map key {other:?}")),
    }
}

/// Sorts the keys of every object, recursively, so that the claims of a JWT and of a CWT
/// of the same EAR serialise identically.
pub(crate) fn sort_json(value: Json) -> Json {
    match value {
        Json::Object(map) => {
            let mut pairs: Vec<_> = map.into_iter().collect();
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            Json::Object(pairs.into_iter().map(|(k, v)| (k, sort_json(v))).collect())
        }
        Json::Array(items) => Json::Array(items.into_iter().map(sort_json).collect()),
        other => other,
    }
}

/// Checks the claims against `options` (after the signature verified): times, nonce,
/// issuer, audience.
pub(crate) fn check(claims: &Json, options: &VerifyOptions) -> Result<(), TokenError> {
    let now = options.now;
    let leeway = options.leeway.as_secs();
    let late = |t: UnixTime| secs(t) > secs(now).saturating_add(leeway);
    let exp = time_claim(claims, "exp")?.ok_or(TokenError::MissingClaim("exp"))?;
    if secs(exp).saturating_add(leeway) <= secs(now) {
        return Err(TokenError::Expired { exp, now });
    }
    if let Some(nbf) = time_claim(claims, "nbf")? {
        if late(nbf) {
            return Err(TokenError::NotYetValid { nbf, now });
        }
    }
    if let Some(iat) = time_claim(claims, "iat")? {
        if late(iat) {
            return Err(TokenError::IssuedInFuture { iat, now });
        }
    }

    if let Some(expected) = &options.expected_issuer {
        let found = claims.get("iss").and_then(Json::as_str);
        if found != Some(expected.as_str()) {
            return Err(TokenError::IssuerMismatch {
                found: found.unwrap_or("<none>").into(),
                expected: expected.clone(),
            });
        }
    }

    let audiences = match claims.get("aud") {
        None => Vec::new(),
        Some(Json::String(s)) => vec![s.as_str()],
        Some(Json::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| invalid("aud", "not a string or an array of strings"))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(invalid("aud", "not a string or an array of strings")),
    };
    match &options.expected_audience {
        Some(expected) if !audiences.contains(&expected.as_str()) => {
            return Err(TokenError::AudienceMismatch {
                found: if audiences.is_empty() {
                    "<none>".into()
                } else {
                    audiences.join(",")
                },
                expected: expected.clone(),
            })
        }
        None if !audiences.is_empty() => {
            return Err(TokenError::UnexpectedAudience(audiences.join(",")))
        }
        _ => {}
    }

    if let Some(expected) = &options.expected_nonce {
        let nonces = match claims.get("eat_nonce") {
            None => return Err(TokenError::MissingNonce(hex::encode(expected))),
            Some(Json::Array(items)) => items.iter().map(nonce).collect::<Result<Vec<_>, _>>()?,
            Some(one) => vec![nonce(one)?],
        };
        if !nonces.iter().any(|n| n == expected) {
            return Err(TokenError::NonceMismatch {
                found: nonces.iter().map(hex::encode).collect::<Vec<_>>().join(","),
                expected: hex::encode(expected),
            });
        }
    }
    Ok(())
}

fn invalid(name: &'static str, reason: &str) -> TokenError {
    TokenError::InvalidClaim {
        name,
        reason: reason.into(),
    }
}

/// An optional time claim: a NumericDate in integer seconds (EAR forbids fractions), not
/// before 1970 (a `UnixTime` cannot be; no token of ours is that old).
fn time_claim(claims: &Json, name: &'static str) -> Result<Option<UnixTime>, TokenError> {
    match claims.get(name) {
        None => Ok(None),
        Some(v) => match (v.as_u64(), v.as_i64()) {
            (Some(s), _) => Ok(Some(from_secs(s))),
            (None, Some(_)) => Err(invalid(name, &format!("{v} is before 1970"))),
            _ => Err(invalid(
                name,
                &format!("{v} is not an integer number of seconds"),
            )),
        },
    }
}

fn nonce(value: &Json) -> Result<Vec<u8>, TokenError> {
    value
        .as_str()
        .and_then(|s| B64.decode(s).ok())
        .ok_or_else(|| invalid("eat_nonce", "not base64url"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ciborium::value::Integer;

    fn int(i: i64) -> Cbor {
        Cbor::Integer(Integer::from(i))
    }

    #[test]
    fn maps_cbor_keys_to_jwt_names() {
        let claims = Cbor::Map(vec![
            (int(1000), int(32)),
            (int(6), int(1_700_000_000)),
            (int(10), Cbor::Bytes(vec![0xff; 8])),
            (int(-65537), Cbor::Tag(1, Box::new(int(5)))),
            (
                int(266),
                Cbor::Map(vec![(
                    Cbor::Text("cpu0".into()),
                    Cbor::Map(vec![
                        (int(1000), int(2)),
                        (
                            int(1001),
                            Cbor::Map(vec![(int(4), int(2)), (int(0), int(96))]),
                        ),
                    ]),
                )]),
            ),
            (
                int(1004),
                Cbor::Map(vec![
                    (int(0), Cbor::Text("d".into())),
                    (int(1), Cbor::Text("b".into())),
                ]),
            ),
        ]);
        let json = cbor_claims_to_json(claims).unwrap();
        assert_eq!(
            json.to_string(),
            r#"{"-65537":5,"ear_status":"warning","ear_verifier_id":{"build":"b","developer":"d"},"eat_nonce":"__________8","iat":1700000000,"submods":{"cpu0":{"ear_status":"affirming","ear_trustworthiness_vector":{"hardware":2,"instance-identity":96}}}}"#
        );
    }

    #[test]
    fn refuses_bad_cbor_claims() {
        let dup = Cbor::Map(vec![(int(6), int(1)), (int(6), int(2))]);
        assert_eq!(cbor_claims_to_json(dup).unwrap_err(), "duplicate key iat");
        let tier = Cbor::Map(vec![(int(1000), int(3))]);
        assert_eq!(
            cbor_claims_to_json(tier).unwrap_err(),
            "ear_status 3 is not a tier (0, 2, 32, 96)"
        );
        assert_eq!(
            cbor_claims_to_json(Cbor::Array(vec![])).unwrap_err(),
            "the payload is not a CBOR map"
        );
        let key = Cbor::Map(vec![(Cbor::Bytes(vec![1]), int(1))]);
        assert_eq!(
            cbor_claims_to_json(key).unwrap_err(),
            "unsupported map key Bytes([1])"
        );
    }
}

//! Reading a JWK Set (issue 12): keys of types Verdict does not verify with are ignored
//! (RFC 7517 §5), a broken key of a supported type refuses the set, naming the key, and
//! a set with no usable key, a duplicated member or a duplicated key id is refused.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

#[path = "token_util.rs"]
mod util;

use policy::token::{
    sign_cwt, sign_jwt, verify_token, Algorithm, JwkSet, JwksError, Signer, SigningKey, TokenError,
};
use serde_json::{json, Value};
use util::*;

/// RFC 7517 Appendix A.1's RSA key (modulus shortened: ignored keys are not decoded).
fn rsa() -> Value {
    json!({"kty": "RSA", "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw", "e": "AQAB", "alg": "RS256", "kid": "2011-04-29"})
}

/// RFC 7517 Appendix A.3's symmetric key.
fn oct() -> Value {
    json!({"kty": "oct", "alg": "A128KW", "k": "GawgguFyGrWKav7AX4VKUg"})
}

fn jwk(key: &SigningKey) -> Value {
    serde_json::to_value(key.public_jwk()).unwrap()
}

fn set(keys: &[Value]) -> Vec<u8> {
    serde_json::to_vec(&json!({ "keys": keys })).unwrap()
}

fn refused(bytes: &[u8]) -> JwksError {
    JwkSet::from_json(bytes).expect_err("the set must be refused")
}

#[test]
fn rsa_and_symmetric_keys_beside_ec_keys_are_ignored() {
    let key = SigningKey::generate(Algorithm::Es384, &mut rng()).unwrap();
    let bytes = set(&[rsa(), jwk(&key), oct()]);
    let (keys, ignored) = JwkSet::from_json_with_ignored(&bytes).unwrap();
    assert_eq!(keys, JwkSet::from_signers(&[&key]));
    assert_eq!(
        ignored,
        [
            "keys[0]: kty \"RSA\" is not supported",
            "keys[2]: kty \"oct\" is not supported"
        ]
    );
    // serde reads it the same way (it used to fail: "missing field `crv`").
    let via_serde: JwkSet = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(via_serde, keys);
    // And both token encodings verify with it.
    let ear = sample_ear(NOW);
    for token in [
        sign_jwt(&ear, &key).unwrap().into_bytes(),
        sign_cwt(&ear, &key).unwrap(),
    ] {
        assert_eq!(
            verify_token(&token, &keys, &options()).unwrap().key_id,
            key.key_id()
        );
    }
}

#[test]
fn unsupported_curves_algorithms_and_uses_are_ignored() {
    let key = SigningKey::generate(Algorithm::EdDsa, &mut rng()).unwrap();
    let p256 = jwk(&SigningKey::generate(Algorithm::Es256, &mut rng()).unwrap());
    let with = |mut v: Value, member: &str, value: Value| {
        v[member] = value;
        v
    };
    let p521 = json!({"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"});
    let x25519 = json!({"kty": "OKP", "crv": "X25519", "x": "AA"});
    let bytes = set(&[
        p521,
        x25519,
        with(p256.clone(), "alg", json!("ES512")),
        with(p256.clone(), "use", json!("enc")),
        with(p256, "key_ops", json!(["sign"])),
        json!({"crv": "P-256"}),
        jwk(&key),
    ]);
    let (keys, ignored) = JwkSet::from_json_with_ignored(&bytes).unwrap();
    assert_eq!(keys, JwkSet::from_signers(&[&key]));
    assert_eq!(
        ignored,
        [
            "keys[0]: curve \"P-521\" is not supported",
            "keys[1]: curve \"X25519\" is not supported",
            "keys[2]: alg \"ES512\" is not supported",
            "keys[3]: use \"enc\" is not \"sig\"",
            "keys[4]: key_ops [sign] has no \"verify\"",
            "keys[5]: no kty",
        ]
    );
    // key_ops with verify is usable.
    let mut ops = jwk(&key);
    ops["key_ops"] = json!(["verify"]);
    assert_eq!(JwkSet::from_json(&set(&[ops])).unwrap().keys.len(), 1);
}

#[test]
fn a_set_without_a_usable_key_is_refused() {
    let e = refused(&set(&[rsa(), oct()]));
    assert_eq!(
        e,
        JwksError::NoUsableKey {
            ignored: vec![
                "keys[0]: kty \"RSA\" is not supported".into(),
                "keys[1]: kty \"oct\" is not supported".into()
            ]
        }
    );
    assert_eq!(
        e.to_string(),
        "the JWKS has no usable key (EC P-384 or P-256, or OKP Ed25519, for signatures); \
         ignored keys[0]: kty \"RSA\" is not supported; keys[1]: kty \"oct\" is not supported"
    );
    assert_eq!(
        refused(br#"{"keys": []}"#).to_string(),
        "the JWKS has no usable key (EC P-384 or P-256, or OKP Ed25519, for signatures): it has no keys"
    );
    // serde gives the same message.
    let e = serde_json::from_slice::<JwkSet>(&set(&[rsa()])).unwrap_err();
    assert!(
        e.to_string().starts_with("the JWKS has no usable key"),
        "{e}"
    );
}

#[test]
fn a_broken_key_of_a_supported_type_refuses_the_set() {
    let good = jwk(&SigningKey::generate(Algorithm::Es256, &mut rng()).unwrap());
    let p384 = jwk(&SigningKey::generate(Algorithm::Es384, &mut rng()).unwrap());
    let kid = p384["kid"].as_str().unwrap().to_owned();
    let broken = |member: &str, value: Value| {
        let mut v = p384.clone();
        if value.is_null() {
            v.as_object_mut().unwrap().remove(member);
        } else {
            v[member] = value;
        }
        refused(&set(&[good.clone(), v]))
    };
    let bad = |reason: &str| JwksError::BadKey {
        index: 1,
        kid: Some(kid.clone()),
        reason: reason.into(),
    };
    let e = broken("x", json!("not*base64"));
    assert_eq!(e, bad("x is not base64url: Invalid symbol 42, offset 3."));
    assert_eq!(
        e.to_string(),
        format!("malformed JWKS key keys[1] (kid {kid:?}): x is not base64url: Invalid symbol 42, offset 3.")
    );
    assert_eq!(
        broken("x", json!("AAAA")),
        bad("P-384 coordinates must make a 97-byte key, not 52")
    );
    assert_eq!(broken("y", Value::Null), bad("EC key without y"));
    assert_eq!(broken("x", Value::Null), bad("missing field `x`"));
    assert_eq!(
        broken("x", json!(7)),
        bad("invalid type: integer `7`, expected a string")
    );
    assert_eq!(broken("crv", Value::Null), bad("EC key without crv"));
    assert_eq!(
        broken("crv", json!(384)),
        bad("crv is a number, not a string")
    );
    assert_eq!(
        broken("crv", json!("Ed25519")),
        bad("kty \"EC\" with curve Ed25519")
    );
    assert_eq!(
        broken("alg", json!("ES256")),
        bad("alg ES256 with curve P-384")
    );
    assert_eq!(
        broken("key_ops", json!("verify")),
        bad("key_ops is not a list of strings")
    );
    // A key that is not an object at all.
    assert_eq!(
        refused(&set(&[good.clone(), json!("EC")])),
        JwksError::BadKey {
            index: 1,
            kid: None,
            reason: "not a JSON object".into()
        }
    );
    // It converts into a TokenError for callers that use `?`.
    let e: TokenError = broken("y", Value::Null).into();
    assert_eq!(
        e.to_string(),
        format!("malformed JWKS key keys[1] (kid {kid:?}): EC key without y")
    );
}

#[test]
fn duplicate_members_and_key_ids_are_refused() {
    let key = SigningKey::generate(Algorithm::Es384, &mut rng()).unwrap();
    let j = key.public_jwk();
    // `x` twice: which one is the key?
    let text = format!(
        r#"{{"keys":[{{"kty":"EC","crv":"P-384","x":"{x}","x":"{x}","y":"{y}"}}]}}"#,
        x = j.x,
        y = j.y.as_deref().unwrap()
    );
    assert_eq!(
        refused(text.as_bytes()),
        JwksError::Malformed(format!(
            "duplicate member \"x\" at line 1 column {}",
            45 + j.x.len()
        ))
    );
    assert_eq!(
        refused(br#"{"keys": [], "keys": []}"#).to_string(),
        "malformed JWKS: duplicate member \"keys\" at line 1 column 19"
    );
    // Two keys with one kid.
    let other = SigningKey::generate(Algorithm::Es384, &mut rng()).unwrap();
    let mut impostor = jwk(&other);
    impostor["kid"] = json!(key.key_id());
    assert_eq!(
        refused(&set(&[jwk(&key), rsa(), impostor])),
        JwksError::DuplicateKeyId {
            kid: key.key_id().to_owned(),
            first: 0,
            second: 2
        }
    );
    // Not a set at all.
    assert_eq!(
        refused(b"[]"),
        JwksError::Malformed("not a JSON object".into())
    );
    assert_eq!(
        refused(b"{}"),
        JwksError::Malformed("no `keys` member".into())
    );
    assert_eq!(
        refused(br#"{"keys": {}}"#),
        JwksError::Malformed("`keys` is not an array".into())
    );
    assert!(matches!(refused(b"{"), JwksError::Malformed(_)));
}

#[test]
fn serialization_is_unchanged() {
    let a = SigningKey::generate(Algorithm::Es384, &mut rng()).unwrap();
    let b = SigningKey::generate(Algorithm::EdDsa, &mut rng()).unwrap();
    let keys = JwkSet::from_signers(&[&a, &b]);
    let text = serde_json::to_string(&keys).unwrap();
    assert!(
        text.starts_with(r#"{"keys":[{"kty":"EC","crv":"P-384","#),
        "{text}"
    );
    assert_eq!(JwkSet::from_json(text.as_bytes()).unwrap(), keys);
}

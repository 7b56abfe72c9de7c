//! Tokens signed and verified by this crate: every algorithm in both encodings, on every
//! compiled crypto provider; JWKS and thumbprints; key loading.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

#[path = "token_util.rs"]
mod util;

use base64::Engine as _;
use policy::token::software::all_key_providers;
use policy::token::{
    sign_cwt, sign_jwt, verify_token, verify_token_with_provider, Algorithm, Jwk, JwkSet, Signer,
    SigningKey, TokenFormat, VerifyOptions,
};
use util::*;
use verifier::crypto::all_providers;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn jwks(key: &SigningKey) -> JwkSet {
    JwkSet::from_signers(&[key])
}

#[test]
fn every_algorithm_round_trips_in_both_formats_on_every_provider() {
    let ear = sample_ear(NOW);
    let expected = ear_json(&ear);
    for signer_provider in all_key_providers() {
        for alg in Algorithm::ALL {
            let key = SigningKey::generate_with_provider(alg, &mut rng(), signer_provider).unwrap();
            let keys = jwks(&key);
            let jwt = sign_jwt(&ear, &key).unwrap();
            let cwt = sign_cwt(&ear, &key).unwrap();
            for (token, format) in [
                (jwt.as_bytes(), TokenFormat::Jwt),
                (&cwt[..], TokenFormat::Cwt),
            ] {
                for verifier_provider in all_providers() {
                    let who = format!(
                        "{alg} {format:?} signed by {} verified by {}",
                        signer_provider.name(),
                        verifier_provider.name()
                    );
                    let v = verify_token_with_provider(token, &keys, &options(), verifier_provider)
                        .expect(&who);
                    assert_eq!(v.format, format, "{who}");
                    assert_eq!(v.algorithm, alg, "{who}");
                    assert_eq!(v.key_id, key.key_id(), "{who}");
                    assert_eq!(v.claims, expected, "{who}");
                }
            }
        }
    }
}

#[test]
fn jwt_and_cwt_of_one_ear_give_identical_claims() {
    let ear = sample_ear(NOW);
    let key = SigningKey::generate(Algorithm::Es384, &mut rng()).unwrap();
    let keys = jwks(&key);
    let from_jwt =
        verify_token(sign_jwt(&ear, &key).unwrap().as_bytes(), &keys, &options()).unwrap();
    let from_cwt = verify_token(&sign_cwt(&ear, &key).unwrap(), &keys, &options()).unwrap();
    assert_eq!(from_jwt.claims, from_cwt.claims);
    // Identical as text too: both have their keys sorted.
    let text = from_jwt.claims.to_string();
    assert_eq!(text, from_cwt.claims.to_string());
    // Spot checks of the CBOR → JSON mapping.
    let c = &from_cwt.claims;
    assert_eq!(c["ear_status"], "warning");
    assert_eq!(c["eat_nonce"], B64.encode(NONCE));
    assert_eq!(c["jti"], B64.encode(JTI));
    assert_eq!(c["iss"], ISSUER);
    assert_eq!(c["nbf"], NOW);
    assert_eq!(c["cnf"]["jwk"]["crv"], "Ed25519");
    assert_eq!(c["ear_verifier_id"]["build"], "verdict 0.1.0");
    assert_eq!(c["ear_device_topology"]["cpu0"][0], "gpu0");
    let cpu = &c["submods"]["cpu0"];
    assert_eq!(cpu["ear_status"], "warning");
    assert_eq!(cpu["ear_trustworthiness_vector"]["hardware"], 32);
    assert_eq!(cpu["ear_trustworthiness_vector"]["runtime-opaque"], 2);
    assert_eq!(cpu["ear_appraisal_policy_ids"][0], "tdx-td-prod@12");
    assert_eq!(cpu["eat_nonce"], B64.encode(EVIDENCE_NONCE));
    assert_eq!(cpu["ear_attester_claims"]["tdx_mr_td"], "ab".repeat(48));
    assert_eq!(
        cpu["ear_verifier_claims"]["advisory_ids"][0],
        "INTEL-SA-00837"
    );
    assert_eq!(c["submods"]["gpu0"]["ear_status"], "affirming");
}

#[test]
fn token_shapes_match_the_notes() {
    let ear = sample_ear(NOW);
    let key = SigningKey::generate(Algorithm::Es384, &mut rng()).unwrap();
    let jwt = sign_jwt(&ear, &key).unwrap();
    let header: serde_json::Value =
        serde_json::from_slice(&B64.decode(jwt.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(
        header.to_string(),
        format!(r#"{{"alg":"ES384","typ":"JWT","kid":"{}"}}"#, key.key_id())
    );
    // A 96-byte ES384 signature is 128 base64url characters.
    assert_eq!(jwt.rsplit('.').next().unwrap().len(), 128);

    let cwt = sign_cwt(&ear, &key).unwrap();
    assert_eq!(cwt[0], 0xd2, "tag 18");
    let Ok(ciborium::Value::Tag(18, inner)) = ciborium::from_reader::<ciborium::Value, _>(&cwt[..])
    else {
        panic!("not tag 18");
    };
    let items = inner.as_array().unwrap();
    let protected: ciborium::Value =
        ciborium::from_reader(items[0].as_bytes().unwrap().as_slice()).unwrap();
    let kid = B64.decode(key.key_id()).unwrap();
    assert_eq!(kid.len(), 32, "the kid is the raw SHA-256 thumbprint");
    assert_eq!(
        protected,
        ciborium::Value::Map(vec![
            (1.into(), (-35).into()),
            (3.into(), "application/eat+cwt".into()),
            (4.into(), ciborium::Value::Bytes(kid)),
        ])
    );
    assert_eq!(
        items[1],
        ciborium::Value::Map(vec![]),
        "empty unprotected header"
    );
    assert!(
        cwt.len() < jwt.len() / 2,
        "CWT {} bytes, JWT {}",
        cwt.len(),
        jwt.len()
    );
}

#[test]
fn cwt_is_accepted_as_hex_base64url_untagged_and_in_the_cwt_tag() {
    let ear = minimal_ear(NOW);
    let key = SigningKey::generate(Algorithm::EdDsa, &mut rng()).unwrap();
    let keys = jwks(&key);
    let cwt = sign_cwt(&ear, &key).unwrap();
    let expected = verify_token(&cwt, &keys, &VerifyOptions::new(t(NOW))).unwrap();
    let untagged = cwt[1..].to_vec();
    let mut tag61 = vec![0xd8, 0x3d];
    tag61.extend_from_slice(&cwt);
    for form in [
        hex::encode(&cwt).into_bytes(),
        hex::encode_upper(&cwt).into_bytes(),
        format!("{}\n", B64.encode(&cwt)).into_bytes(),
        base64::engine::general_purpose::URL_SAFE
            .encode(&cwt)
            .into_bytes(),
        untagged,
        tag61,
    ] {
        let v = verify_token(&form, &keys, &VerifyOptions::new(t(NOW))).unwrap();
        assert_eq!(v, expected);
    }
    // A JWT with surrounding whitespace (as read from a file) also verifies.
    let jwt = format!(" {}\r\n", sign_jwt(&ear, &key).unwrap());
    assert_eq!(
        verify_token(jwt.as_bytes(), &keys, &VerifyOptions::new(t(NOW)))
            .unwrap()
            .format,
        TokenFormat::Jwt
    );
}

#[test]
fn a_key_set_with_several_keys_picks_by_kid() {
    let ear = minimal_ear(NOW);
    let keys: Vec<SigningKey> = Algorithm::ALL
        .iter()
        .map(|a| SigningKey::generate(*a, &mut rng()).unwrap())
        .collect();
    let set = JwkSet::from_signers(&keys.iter().map(|k| k as &dyn Signer).collect::<Vec<_>>());
    for key in &keys {
        let v = verify_token(
            &sign_cwt(&ear, key).unwrap(),
            &set,
            &VerifyOptions::new(t(NOW)),
        )
        .unwrap();
        assert_eq!(v.key_id, key.key_id());
        assert_eq!(v.algorithm, key.algorithm());
    }
}

#[test]
fn leeway_bounds_are_exact() {
    let ear = minimal_ear(NOW);
    let exp = NOW + TTL;
    let key = SigningKey::generate(Algorithm::Es256, &mut rng()).unwrap();
    let keys = jwks(&key);
    let jwt = sign_jwt(&ear, &key).unwrap();
    // Accepted up to one second before exp + leeway, and from leeway before iat.
    for now in [NOW - 60, exp + 59] {
        verify_token(jwt.as_bytes(), &keys, &VerifyOptions::new(t(now))).unwrap();
    }
    let strict = with(VerifyOptions::new(t(exp - 1)), |o| {
        o.leeway = std::time::Duration::ZERO;
    });
    verify_token(jwt.as_bytes(), &keys, &strict).unwrap();
}

#[test]
fn jwks_is_rfc7517_json_with_thumbprint_kids() {
    let p384 = SigningKey::generate(Algorithm::Es384, &mut rng()).unwrap();
    let ed = SigningKey::generate(Algorithm::EdDsa, &mut rng()).unwrap();
    let set = JwkSet::from_signers(&[&p384, &ed]);
    let json = serde_json::to_value(&set).unwrap();
    let keys = json["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    let members = |k: &serde_json::Value| {
        let mut m: Vec<_> = k.as_object().unwrap().keys().cloned().collect();
        m.sort();
        m
    };
    assert_eq!(
        members(&keys[0]),
        ["alg", "crv", "kid", "kty", "use", "x", "y"]
    );
    assert_eq!(keys[0]["kty"], "EC");
    assert_eq!(keys[0]["crv"], "P-384");
    assert_eq!(keys[0]["alg"], "ES384");
    assert_eq!(keys[0]["use"], "sig");
    assert_eq!(
        B64.decode(keys[0]["x"].as_str().unwrap()).unwrap().len(),
        48
    );
    assert_eq!(
        B64.decode(keys[0]["y"].as_str().unwrap()).unwrap().len(),
        48
    );
    assert_eq!(members(&keys[1]), ["alg", "crv", "kid", "kty", "use", "x"]);
    assert_eq!(keys[1]["kty"], "OKP");
    assert_eq!(keys[1]["crv"], "Ed25519");
    assert_eq!(keys[1]["alg"], "EdDSA");
    for (jwk, key) in set.keys.iter().zip([&p384 as &dyn Signer, &ed]) {
        assert_eq!(jwk.kid.as_deref(), Some(key.key_id()));
        assert_eq!(jwk.thumbprint(), key.key_id());
        assert_eq!(B64.decode(key.key_id()).unwrap().len(), 32);
    }
    // It reads back, and also from a bare JWKS without kid/alg/use (the thumbprint then
    // stands in for the kid).
    let back: JwkSet = serde_json::from_value(json).unwrap();
    assert_eq!(back, set);
    let bare: JwkSet = serde_json::from_str(&format!(
        r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","x":"{}","d":"ignored"}}]}}"#,
        ed.public_jwk().x
    ))
    .unwrap();
    let ear = minimal_ear(NOW);
    let v = verify_token(
        sign_jwt(&ear, &ed).unwrap().as_bytes(),
        &bare,
        &VerifyOptions::new(t(NOW)),
    )
    .unwrap();
    assert_eq!(v.key_id, ed.key_id());
}

#[test]
fn thumbprints_match_independent_computations() {
    // RFC 7517 Appendix A.1's EC key; the value was computed with Python's hashlib:
    // base64url(sha256(b'{"crv":"P-256","kty":"EC","x":"MKBC…","y":"4Etl…"}')).
    let ec: Jwk = serde_json::from_str(
        r#"{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YilurN5XEGo3SZvz89Zi2cQ0ASWPBNfx5E","use":"enc","kid":"1"}"#,
    )
    .unwrap();
    assert_eq!(
        ec.thumbprint(),
        "pweTNKDcE20CN6dwwsP5WKB6gdCs9_Ct9hMpVxeH6_Y"
    );
    // RFC 8037 Appendix A.3 (Ed25519).
    let ed: Jwk = serde_json::from_str(
        r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#,
    )
    .unwrap();
    assert_eq!(
        ed.thumbprint(),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
    // jsonwebtoken's RFC 7638 implementation agrees on generated EC keys.
    for alg in [Algorithm::Es384, Algorithm::Es256] {
        let key = SigningKey::generate(alg, &mut rng()).unwrap();
        let theirs: jsonwebtoken::jwk::Jwk =
            serde_json::from_value(serde_json::to_value(key.public_jwk()).unwrap()).unwrap();
        assert_eq!(
            theirs
                .thumbprint(jsonwebtoken::jwk::ThumbprintHash::SHA256)
                .unwrap(),
            key.key_id()
        );
    }
}

/// Made with `openssl ecparam -name secp384r1 -genkey` for this test only (SEC1, with the
/// EC PARAMETERS block openssl writes first). Its thumbprint was computed with Python's
/// hashlib from `openssl ec -pubout`.
const OPENSSL_SEC1_P384: &str = "-----BEGIN EC PARAMETERS-----
BgUrgQQAIg==
-----END EC PARAMETERS-----
-----BEGIN EC PRIVATE KEY-----
MIGkAgEBBDCTmgfTRyOIaVcMTLQwpHwKf6nu3Zam9kvw6QnIcEgnCGgdaPI0V3wM
cvNk3Vlwc56gBwYFK4EEACKhZANiAATnkQ5lE86zR7Lzu13ZLRtxlxgEs1vlUBie
TqKsoqckOvGGFHHCJ0t0m9GgGFQbjhK8VrAuZGVwjskf2Xye4HqxGx60nxokBBMD
fyQXxX9i8KG8jFLwqvIgJkAd+NXd5rc=
-----END EC PRIVATE KEY-----
";
const OPENSSL_SEC1_P384_KID: &str = "Cxv6jAMkzC1OGg0bg1_FunORJrlaHB8PSuGUzvI6AIw";

/// Made with `openssl genpkey -algorithm ed25519` for this test only (PKCS#8 v1).
const OPENSSL_ED25519: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEILo1RCwxRr3WgGVbyRQN52QDUEU0fkRbRsk51WDnoj4m
-----END PRIVATE KEY-----
";
const OPENSSL_ED25519_KID: &str = "Gf7c3QdT68JyNUx_4FnRSwwttXZLgSXpJZZnRIzTlqg";

#[test]
fn openssl_keys_load_in_every_provider() {
    for p in all_key_providers() {
        for (pem, alg, kid) in [
            (OPENSSL_SEC1_P384, Algorithm::Es384, OPENSSL_SEC1_P384_KID),
            (OPENSSL_ED25519, Algorithm::EdDsa, OPENSSL_ED25519_KID),
        ] {
            let der = if pem.contains("EC PRIVATE KEY") {
                // from_pem converts SEC1 to PKCS#8; check that result with this provider.
                let key = SigningKey::from_pem(pem).unwrap();
                pem::parse(key.to_pkcs8_pem()).unwrap().into_contents()
            } else {
                pem::parse(pem).unwrap().into_contents()
            };
            let key = SigningKey::from_pkcs8_der_with_provider(&der, p).unwrap();
            assert_eq!(key.algorithm(), alg, "{}", p.name());
            assert_eq!(key.key_id(), kid, "{}", p.name());
            let ear = minimal_ear(NOW);
            let keys = JwkSet::from_signers(&[&key]);
            verify_token(
                &sign_cwt(&ear, &key).unwrap(),
                &keys,
                &VerifyOptions::new(t(NOW)),
            )
            .unwrap();
        }
    }
}

#[test]
fn pem_round_trips_and_sec1_is_read() {
    for alg in Algorithm::ALL {
        let key = SigningKey::generate(alg, &mut rng()).unwrap();
        let pem = key.to_pkcs8_pem();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{pem}");
        assert!(!pem.contains('\r'));
        let again = SigningKey::from_pem(&pem).unwrap();
        assert_eq!(again.key_id(), key.key_id());
        assert_eq!(again.algorithm(), alg);
        assert_eq!(again.public_key(), key.public_key());
        assert_eq!(again.public_jwk(), key.public_jwk());
        // A token signed by one verifies with the other's JWK.
        let ear = minimal_ear(NOW);
        verify_token(
            sign_jwt(&ear, &again).unwrap().as_bytes(),
            &JwkSet::from_signers(&[&key]),
            &VerifyOptions::new(t(NOW)),
        )
        .unwrap();
    }
}

#[test]
fn debug_never_prints_the_private_key() {
    let key = SigningKey::from_pem(OPENSSL_ED25519).unwrap();
    let debug = format!("{key:?}");
    let secret = pem::parse(OPENSSL_ED25519).unwrap().into_contents();
    let seed = &secret[secret.len() - 32..];
    assert!(!debug.contains(&hex::encode(seed)), "{debug}");
    assert!(!debug.contains(&B64.encode(seed)), "{debug}");
    assert!(!debug.contains("MC4CAQAw"), "{debug}");
    assert!(debug.contains(OPENSSL_ED25519_KID), "{debug}");
}

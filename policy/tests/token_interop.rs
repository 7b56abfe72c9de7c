//! Our tokens checked by second implementations: JWTs by `jsonwebtoken` (both ways), CWTs
//! by a COSE_Sign1 decoder written here on plain `ciborium::Value` with the signature
//! checked by `jsonwebtoken`'s RustCrypto backend (`p384`, `p256`, `ed25519-dalek`), not
//! through our crypto provider.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

#[path = "token_util.rs"]
mod util;

use base64::Engine as _;
use ciborium::Value;
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use policy::token::{
    sign_cwt, sign_jwt, verify_token, Algorithm, JwkSet, Signer, SigningKey, TokenFormat,
};
use util::*;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn their_alg(alg: Algorithm) -> jsonwebtoken::Algorithm {
    match alg {
        Algorithm::Es384 => jsonwebtoken::Algorithm::ES384,
        Algorithm::Es256 => jsonwebtoken::Algorithm::ES256,
        Algorithm::EdDsa => jsonwebtoken::Algorithm::EdDSA,
    }
}

/// jsonwebtoken's key, built from our JWK's coordinates.
fn decoding_key(key: &SigningKey) -> DecodingKey {
    let jwk = key.public_jwk();
    match key.algorithm() {
        Algorithm::EdDsa => DecodingKey::from_ed_components(&jwk.x).unwrap(),
        _ => DecodingKey::from_ec_components(&jwk.x, jwk.y.as_deref().unwrap()).unwrap(),
    }
}

#[test]
fn jsonwebtoken_verifies_our_jwts() {
    let ear = sample_ear(NOW);
    for alg in Algorithm::ALL {
        let key = SigningKey::generate(alg, &mut rng()).unwrap();
        let token = sign_jwt(&ear, &key).unwrap();
        let mut validation = Validation::new(their_alg(alg));
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        // jsonwebtoken checks exp and nbf against the system clock; the token is issued at
        // the pinned NOW, so those two are checked by our verifier's tests instead.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let data =
            jsonwebtoken::decode::<serde_json::Value>(&token, &decoding_key(&key), &validation)
                .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(data.header.alg, their_alg(alg));
        assert_eq!(data.header.kid.as_deref(), Some(key.key_id()));
        assert_eq!(data.header.typ.as_deref(), Some("JWT"));
        assert_eq!(data.header.jwk, None);
        assert_eq!(data.claims, ear_json(&ear));

        // And refuses it under another algorithm (no confusion on their side either).
        let other = if alg == Algorithm::Es384 {
            Algorithm::Es256
        } else {
            Algorithm::Es384
        };
        let mut wrong = Validation::new(their_alg(other));
        wrong.set_audience(&[AUDIENCE]);
        wrong.validate_exp = false;
        wrong.validate_nbf = false;
        assert!(
            jsonwebtoken::decode::<serde_json::Value>(&token, &decoding_key(&key), &wrong).is_err()
        );
    }
}

#[test]
fn we_verify_jsonwebtoken_jwts() {
    let ear = sample_ear(NOW);
    for alg in Algorithm::ALL {
        let key = SigningKey::generate(alg, &mut rng()).unwrap();
        let pem = key.to_pkcs8_pem();
        let encoding = match alg {
            Algorithm::EdDsa => EncodingKey::from_ed_pem(pem.as_bytes()).unwrap(),
            _ => EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        };
        let mut header = Header::new(their_alg(alg));
        header.kid = Some(key.key_id().to_string());
        let token = jsonwebtoken::encode(&header, &ear_json(&ear), &encoding).unwrap();
        let v = verify_token(token.as_bytes(), &JwkSet::from_signers(&[&key]), &options())
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(v.format, TokenFormat::Jwt);
        assert_eq!(v.algorithm, alg);
        assert_eq!(v.claims, ear_json(&ear));
    }
}

fn int(v: &Value) -> i128 {
    i128::from(v.as_integer().unwrap())
}

/// The value under integer key `k` of a CBOR map.
fn get(map: &Value, k: i64) -> &Value {
    map.as_map()
        .unwrap()
        .iter()
        .find(|(key, _)| {
            key.as_integer()
                .is_some_and(|i| i128::from(i) == i128::from(k))
        })
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no key {k}"))
}

fn get_text<'a>(map: &'a Value, k: &str) -> &'a Value {
    map.as_map()
        .unwrap()
        .iter()
        .find(|(key, _)| key.as_text() == Some(k))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no key {k}"))
}

#[test]
fn an_independent_cose_decoder_verifies_our_cwts() {
    let ear = sample_ear(NOW);
    for alg in Algorithm::ALL {
        let key = SigningKey::generate(alg, &mut rng()).unwrap();
        let cwt = sign_cwt(&ear, &key).unwrap();

        // COSE_Sign1 = #6.18([protected: bstr, unprotected: map, payload: bstr, signature: bstr])
        let Value::Tag(18, inner) = ciborium::from_reader::<Value, _>(&cwt[..]).unwrap() else {
            panic!("{alg}: not tag 18");
        };
        let [protected, unprotected, payload, signature] = &inner.as_array().unwrap()[..] else {
            panic!("{alg}: not a 4-array");
        };
        let protected = protected.as_bytes().unwrap();
        let payload = payload.as_bytes().unwrap();
        let signature = signature.as_bytes().unwrap();
        assert_eq!(unprotected.as_map().unwrap().len(), 0);

        let header: Value = ciborium::from_reader(protected.as_slice()).unwrap();
        assert_eq!(int(get(&header, 1)), i128::from(alg.cose_alg() as i64));
        assert_eq!(
            get(&header, 4).as_bytes().unwrap(),
            &B64.decode(key.key_id()).unwrap()
        );

        // Sig_structure (RFC 9052 §4.4), built by hand.
        let sig_structure = Value::Array(vec![
            Value::Text("Signature1".into()),
            Value::Bytes(protected.clone()),
            Value::Bytes(vec![]),
            Value::Bytes(payload.clone()),
        ]);
        let mut tbs = Vec::new();
        ciborium::into_writer(&sig_structure, &mut tbs).unwrap();
        assert_eq!(
            signature.len(),
            if alg == Algorithm::Es384 { 96 } else { 64 }
        );
        let good = jsonwebtoken::crypto::verify(
            &B64.encode(signature),
            &tbs,
            &decoding_key(&key),
            their_alg(alg),
        )
        .unwrap();
        assert!(good, "{alg}: the signature must verify independently");
        let mut other = tbs.clone();
        *other.last_mut().unwrap() ^= 1;
        assert!(!jsonwebtoken::crypto::verify(
            &B64.encode(signature),
            &other,
            &decoding_key(&key),
            their_alg(alg)
        )
        .unwrap());

        // The payload: EAR claims with integer keys.
        let claims: Value = ciborium::from_reader(payload.as_slice()).unwrap();
        assert_eq!(get(&claims, 265).as_text(), Some(policy::ear::EAR_PROFILE));
        assert_eq!(int(get(&claims, 6)), i128::from(NOW));
        assert_eq!(int(get(&claims, 4)), i128::from(NOW + TTL));
        assert_eq!(int(get(&claims, 5)), i128::from(NOW));
        assert_eq!(int(get(&claims, 1000)), 32, "ear_status warning");
        assert_eq!(get(&claims, 10).as_bytes().unwrap(), &NONCE.to_vec());
        assert_eq!(get(&claims, 1).as_text(), Some(ISSUER));
        assert_eq!(get(&claims, 3).as_text(), Some(AUDIENCE));
        assert_eq!(get(&claims, 7).as_bytes().unwrap(), &JTI.to_vec());
        let vid = get(&claims, 1004);
        assert_eq!(get(vid, 0).as_text(), Some("https://verdict.example"));
        assert_eq!(get(vid, 1).as_text(), Some("verdict 0.1.0"));
        let submods = get(&claims, 266);
        let cpu = get_text(submods, "cpu0");
        assert_eq!(int(get(cpu, 1000)), 32);
        let tv = get(cpu, 1001);
        assert_eq!(int(get(tv, 4)), 32, "hardware");
        assert_eq!(int(get(tv, 0)), 2, "instance-identity");
        assert_eq!(get(cpu, 10).as_bytes().unwrap(), &EVIDENCE_NONCE.to_vec());
        assert_eq!(
            get(cpu, 1003).as_array().unwrap()[0].as_text(),
            Some("tdx-td-prod@12")
        );
        assert_eq!(int(get(get_text(submods, "gpu0"), 1000)), 2, "affirming");
    }
}

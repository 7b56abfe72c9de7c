//! Tokens: `token::verify_token` on arbitrary bytes (JWT compact text, COSE_Sign1 CBOR,
//! hex or base64url of it) against a JWKS of one ES384 and one Ed25519 key made at
//! start.
//!
//! Invariants: nothing panics; errors render; and nothing verifies — the keys are fresh
//! for each run, so an accepted token would be a forgery. `run.sh` seeds the corpus with
//! a JWT and a CWT signed by another key, so the parsers are reached.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use policy::token::{self, Algorithm, JwkSet, Signer, SigningKey, VerifyOptions};

fn keys() -> &'static JwkSet {
    static KEYS: OnceLock<JwkSet> = OnceLock::new();
    KEYS.get_or_init(|| {
        let a = SigningKey::generate(Algorithm::Es384).expect("key");
        let b = SigningKey::generate(Algorithm::EdDsa).expect("key");
        JwkSet {
            keys: vec![a.public_jwk(), b.public_jwk()],
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let options = VerifyOptions::new(1_750_000_000);
    match token::verify_token(data, keys(), &options) {
        Ok(v) => panic!("a token no key here signed verified: {:?}", v.claims),
        Err(e) => {
            let _ = e.to_string();
        }
    }
});

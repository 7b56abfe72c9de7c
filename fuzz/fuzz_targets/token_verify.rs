//! Tokens: `token::verify_token` on arbitrary bytes (JWT compact text, COSE_Sign1 CBOR,
//! hex or base64url of it) against a JWKS of one ES384 and one Ed25519 key made at
//! start from a fixed seed.
//!
//! Invariants: nothing panics; errors render; and nothing verifies — no corpus file is
//! signed by these keys, so an accepted token would be a forgery. `run.sh` seeds the
//! corpus with a JWT and a CWT signed by another key, so the parsers are reached.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use policy::token::{self, Algorithm, JwkSet, Signer, SigningKey, VerifyOptions};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn keys() -> &'static JwkSet {
    static KEYS: OnceLock<JwkSet> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = ChaCha20Rng::from_seed(*b"verdict fuzz token_verify keys!!");
        let a = SigningKey::generate(Algorithm::Es384, &mut rng).expect("key");
        let b = SigningKey::generate(Algorithm::EdDsa, &mut rng).expect("key");
        JwkSet {
            keys: vec![a.public_jwk(), b.public_jwk()],
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let options = VerifyOptions::new(verifier::time::from_secs(1_750_000_000));
    match token::verify_token(data, keys(), &options) {
        Ok(v) => panic!("a token no key here signed verified: {:?}", v.claims),
        Err(e) => {
            let _ = e.to_string();
        }
    }
});

//! Criterion benchmarks of token signing and verification against the cost no signer can
//! avoid (one signature).
//!
//! Benchmark ids, each per compiled provider:
//!
//! - `token/sign_jwt/<provider>` and `token/sign_cwt/<provider>`: an ES384 JWT / CWT of
//!   the typical EAR (two submods, nonces, iss/aud/nbf/jti/cnf; notes §4c), with a
//!   [`SigningKey`] loaded once.
//! - `token/baseline/es384_sign_loaded/<provider>`: one ES384 signature of a message as
//!   long as the JWT signing input, by a key loaded once: the floor for `sign_*`.
//! - `token/baseline/es384_sign_pkcs8/<provider>`: the same, loading the PKCS#8 into the
//!   key provider on every call.
//! - `token/verify_jwt/<provider>` and `token/verify_cwt/<provider>`: `verify_token` of
//!   those tokens, nonce/issuer/audience checked.
//! - `token/baseline/es384_verify/<provider>`: one ES384 verification: the floor for
//!   `verify_*`.
//!
//! Run: `cargo bench -p verdict-policy --bench token --all-features` (both providers).

// A bench is a test harness, and criterion needs no docs on the helpers below.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../tests/token_util.rs"]
mod util;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use policy::token::software::all_key_providers;
use policy::token::{
    sign_cwt, sign_jwt, verify_token_with_provider, Algorithm, JwkSet, SigningKey,
};
use verifier::crypto::{all_providers, Curve, EcdsaSig, HashAlg};

fn main() {
    let mut c = Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let ear = util::sample_ear(util::NOW);
    let options = util::options();

    let mut g = c.benchmark_group("token");
    // Signing keys and verification are separate providers of the same backends, paired
    // by name.
    for (kp, p) in all_key_providers().into_iter().zip(all_providers()) {
        assert_eq!(kp.name(), p.name());
        let key =
            SigningKey::generate_with_provider(Algorithm::Es384, &mut util::rng(), kp).unwrap();
        let keys = JwkSet::from_signers(&[&key]);
        let pkcs8 = pem::parse(key.to_pkcs8_pem()).unwrap().into_contents();
        let loaded = kp.load_private_key(Algorithm::Es384, &pkcs8).unwrap();
        let jwt = sign_jwt(&ear, &key).unwrap();
        let cwt = sign_cwt(&ear, &key).unwrap();
        // The JWT signing input: everything before the last dot.
        let message = jwt.rsplit_once('.').unwrap().0.as_bytes().to_vec();
        let signature = loaded.sign(&message).unwrap();
        println!(
            "{}: JWT {} bytes (signing input {}), CWT {} bytes",
            p.name(),
            jwt.len(),
            message.len(),
            cwt.len()
        );

        g.bench_function(BenchmarkId::new("sign_jwt", p.name()), |b| {
            b.iter(|| sign_jwt(black_box(&ear), &key).unwrap())
        });
        g.bench_function(BenchmarkId::new("sign_cwt", p.name()), |b| {
            b.iter(|| sign_cwt(black_box(&ear), &key).unwrap())
        });
        g.bench_function(
            BenchmarkId::new("baseline/es384_sign_loaded", p.name()),
            |b| b.iter(|| loaded.sign(black_box(&message)).unwrap()),
        );
        g.bench_function(
            BenchmarkId::new("baseline/es384_sign_pkcs8", p.name()),
            |b| {
                b.iter(|| {
                    kp.load_private_key(Algorithm::Es384, &pkcs8)
                        .unwrap()
                        .sign(black_box(&message))
                        .unwrap()
                })
            },
        );
        g.bench_function(BenchmarkId::new("verify_jwt", p.name()), |b| {
            b.iter(|| {
                verify_token_with_provider(black_box(jwt.as_bytes()), &keys, &options, p).unwrap()
            })
        });
        g.bench_function(BenchmarkId::new("verify_cwt", p.name()), |b| {
            b.iter(|| verify_token_with_provider(black_box(&cwt), &keys, &options, p).unwrap())
        });
        g.bench_function(BenchmarkId::new("baseline/es384_verify", p.name()), |b| {
            b.iter(|| {
                p.verify_ecdsa(
                    Curve::P384,
                    HashAlg::Sha384,
                    key.public_key(),
                    black_box(&message),
                    EcdsaSig::Fixed(&signature),
                )
                .unwrap()
            })
        });
    }
    g.finish();
    c.final_summary();
}

//! Key generation, loading and signing in every compiled backend, and the differential
//! check: what one backend generates or signs, every other loads, and every verifier
//! backend verifies.

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use verifier::crypto::{all_providers, CryptoProvider, EcdsaSig};

use super::*;

/// RFC 8032 §7.1, TEST 1: secret key, public key, empty message, signature.
const RFC8032_SECRET: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const RFC8032_PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const RFC8032_SIG: &str = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

/// The RFC 8032 secret key as PKCS#8 v1 (RFC 8410 §7: no public key), the form
/// `openssl genpkey -algorithm ed25519` writes.
fn rfc8032_pkcs8_v1() -> Vec<u8> {
    let mut der = hex::decode("302e020100300506032b657004220420").unwrap();
    der.extend(hex::decode(RFC8032_SECRET).unwrap());
    der
}

fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}

fn verify_with(
    p: &dyn CryptoProvider,
    alg: Algorithm,
    public: &[u8],
    msg: &[u8],
    sig: &[u8],
) -> bool {
    match alg.ecdsa() {
        Some((curve, hash)) => p
            .verify_ecdsa(curve, hash, public, msg, EcdsaSig::Fixed(sig))
            .is_ok(),
        None => p.verify_ed25519(public, msg, sig).is_ok(),
    }
}

#[test]
fn generated_keys_sign_and_verify_across_backends() {
    let msg = b"verdict token signing input";
    for generator in all_key_providers() {
        for alg in Algorithm::ALL {
            let pkcs8 = generator.generate_pkcs8(alg, &mut rng(1)).unwrap();
            let key = generator.load_private_key(alg, &pkcs8).unwrap();
            assert_eq!(key.algorithm(), alg);
            let public = key.public_key().to_vec();
            assert_eq!(public.len(), alg.public_key_len(), "{alg:?}");
            if alg.ecdsa().is_some() {
                assert_eq!(public[0], 0x04, "uncompressed SEC1 point");
            }
            for loader in all_key_providers() {
                let who = format!("{} -> {} {alg:?}", generator.name(), loader.name());
                // The PKCS#8 one backend writes loads in the other, to the same key.
                let other = loader.load_private_key(alg, &pkcs8).expect(&who);
                assert_eq!(other.public_key(), &public[..], "{who}");
                let sig = other.sign(msg).unwrap();
                assert_eq!(sig.len(), alg.signature_len(), "{who}");
                for verifier in all_providers() {
                    let who = format!("{who} -> {}", verifier.name());
                    assert!(verify_with(verifier, alg, &public, msg, &sig), "{who}");
                    assert!(
                        !verify_with(verifier, alg, &public, b"other", &sig),
                        "{who}"
                    );
                    let mut flipped = sig.clone();
                    flipped[5] ^= 1;
                    assert!(!verify_with(verifier, alg, &public, msg, &flipped), "{who}");
                    assert!(
                        !verify_with(verifier, alg, &public, msg, &sig[1..]),
                        "{who}: short signature"
                    );
                }
            }
        }
    }
}

#[test]
fn generation_draws_only_from_the_given_rng() {
    for p in all_key_providers() {
        for alg in Algorithm::ALL {
            let public = |seed| {
                let der = p.generate_pkcs8(alg, &mut rng(seed)).unwrap();
                p.load_private_key(alg, &der).unwrap().public_key().to_vec()
            };
            assert_eq!(public(7), public(7), "{} {alg:?}", p.name());
            assert_ne!(public(7), public(8), "{} {alg:?}", p.name());
        }
    }
}

#[test]
fn ed25519_matches_rfc8032_test_1() {
    let pkcs8 = rfc8032_pkcs8_v1();
    let public = hex::decode(RFC8032_PUBLIC).unwrap();
    let sig = hex::decode(RFC8032_SIG).unwrap();
    for p in all_key_providers() {
        let key = p.load_private_key(Algorithm::EdDsa, &pkcs8).unwrap();
        assert_eq!(key.public_key(), &public[..], "{}", p.name());
        // Ed25519 is deterministic: the signature is the RFC's, byte for byte.
        assert_eq!(key.sign(b"").unwrap(), sig, "{}", p.name());
    }
}

#[test]
fn keys_of_another_algorithm_are_refused() {
    for p in all_key_providers() {
        let p384 = p.generate_pkcs8(Algorithm::Es384, &mut rng(2)).unwrap();
        let ed = p.generate_pkcs8(Algorithm::EdDsa, &mut rng(3)).unwrap();
        for (alg, der) in [
            (Algorithm::Es256, &p384),
            (Algorithm::EdDsa, &p384),
            (Algorithm::Es384, &ed),
        ] {
            let err = p.load_private_key(alg, der).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("unusable signing key: PKCS#8 {alg} key rejected")),
                "{}: {err}",
                p.name()
            );
        }
        assert!(p.load_private_key(Algorithm::Es384, b"\x30\x00").is_err());
    }
}

#[test]
fn debug_output_does_not_show_the_secret() {
    for p in all_key_providers() {
        let key = p
            .load_private_key(Algorithm::EdDsa, &rfc8032_pkcs8_v1())
            .unwrap();
        let debug = format!("{key:?}");
        assert!(debug.contains(RFC8032_PUBLIC), "{debug}");
        assert!(!debug.contains(RFC8032_SECRET), "{debug}");
        assert!(!debug.contains(&RFC8032_SECRET[..16]), "{debug}");
    }
}

//! Key generation, loading and signing in every compiled backend, and the differential
//! check: what one backend generates or signs, every other loads or verifies.

use super::*;

const ALL_TYPES: [KeyType; 3] = [KeyType::EcdsaP256, KeyType::EcdsaP384, KeyType::Ed25519];

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

fn verify_with(p: &dyn CryptoProvider, t: KeyType, public: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    match t.ecdsa() {
        Some((curve, hash)) => p
            .verify_ecdsa(curve, hash, public, msg, EcdsaSig::Fixed(sig))
            .is_ok(),
        None => p.verify_ed25519(public, msg, sig).is_ok(),
    }
}

#[test]
fn generated_keys_sign_and_verify_across_backends() {
    let msg = b"verdict token signing input";
    for generator in all_providers() {
        for t in ALL_TYPES {
            let pkcs8 = generator.generate_pkcs8(t).unwrap();
            let key = generator.load_private_key(t, &pkcs8).unwrap();
            assert_eq!(key.key_type(), t);
            let public = key.public_key().to_vec();
            assert_eq!(public.len(), t.public_key_len(), "{t:?}");
            if t.ecdsa().is_some() {
                assert_eq!(public[0], 0x04, "uncompressed SEC1 point");
            }
            for loader in all_providers() {
                let who = format!("{} -> {} {t:?}", generator.name(), loader.name());
                // The PKCS#8 one backend writes loads in the other, to the same key.
                let other = loader.load_private_key(t, &pkcs8).expect(&who);
                assert_eq!(other.public_key(), &public[..], "{who}");
                assert_eq!(
                    loader.public_key_from_pkcs8(t, &pkcs8).unwrap(),
                    public,
                    "{who}"
                );
                let sig = other.sign(msg).unwrap();
                assert_eq!(sig.len(), t.signature_len(), "{who}");
                for verifier in all_providers() {
                    let who = format!("{who} -> {}", verifier.name());
                    assert!(verify_with(verifier, t, &public, msg, &sig), "{who}");
                    assert!(!verify_with(verifier, t, &public, b"other", &sig), "{who}");
                    let mut flipped = sig.clone();
                    flipped[5] ^= 1;
                    assert!(!verify_with(verifier, t, &public, msg, &flipped), "{who}");
                    assert!(
                        !verify_with(verifier, t, &public, msg, &sig[1..]),
                        "{who}: short signature"
                    );
                }
            }
        }
    }
}

#[test]
fn ecdsa_keys_from_generate_also_sign_through_sign_ecdsa() {
    for p in all_providers() {
        for (t, curve) in [
            (KeyType::EcdsaP256, Curve::P256),
            (KeyType::EcdsaP384, Curve::P384),
        ] {
            let pkcs8 = p.generate_pkcs8(t).unwrap();
            let public = p.public_key_from_pkcs8(t, &pkcs8).unwrap();
            let sig = p.sign_ecdsa(curve, &pkcs8, b"m").unwrap();
            for v in all_providers() {
                assert!(verify_with(v, t, &public, b"m", &sig), "{} {t:?}", p.name());
            }
        }
    }
}

#[test]
fn ed25519_matches_rfc8032_test_1() {
    let pkcs8 = rfc8032_pkcs8_v1();
    let public = hex::decode(RFC8032_PUBLIC).unwrap();
    let sig = hex::decode(RFC8032_SIG).unwrap();
    for p in all_providers() {
        assert_eq!(
            p.public_key_from_pkcs8(KeyType::Ed25519, &pkcs8).unwrap(),
            public,
            "{}",
            p.name()
        );
        // Ed25519 is deterministic: the signature is the RFC's, byte for byte.
        assert_eq!(p.sign_ed25519(&pkcs8, b"").unwrap(), sig, "{}", p.name());
        p.verify_ed25519(&public, b"", &sig).unwrap();
        assert_eq!(p.verify_ed25519(&public, b"x", &sig), Err(BadSignature));
        assert_eq!(p.verify_ed25519(&public[1..], b"", &sig), Err(BadSignature));
        assert_eq!(
            p.verify_ed25519(&public, b"", &sig[..63]),
            Err(BadSignature)
        );
    }
}

#[test]
fn keys_of_another_type_are_refused() {
    for p in all_providers() {
        let p384 = p.generate_pkcs8(KeyType::EcdsaP384).unwrap();
        let ed = p.generate_pkcs8(KeyType::Ed25519).unwrap();
        for (t, der) in [
            (KeyType::EcdsaP256, &p384),
            (KeyType::Ed25519, &p384),
            (KeyType::EcdsaP384, &ed),
        ] {
            let err = p.load_private_key(t, der).unwrap_err();
            assert!(
                err.0.starts_with(&format!("PKCS#8 {t:?} key rejected")),
                "{}: {err}",
                p.name()
            );
        }
        assert!(p.load_private_key(KeyType::EcdsaP384, b"\x30\x00").is_err());
        assert!(p.sign_ed25519(&p384, b"m").is_err());
    }
}

#[test]
fn debug_output_does_not_show_the_secret() {
    for p in all_providers() {
        let key = p
            .load_private_key(KeyType::Ed25519, &rfc8032_pkcs8_v1())
            .unwrap();
        let debug = format!("{key:?}");
        assert!(debug.contains(RFC8032_PUBLIC), "{debug}");
        assert!(!debug.contains(RFC8032_SECRET), "{debug}");
        assert!(!debug.contains(&RFC8032_SECRET[..16]), "{debug}");
    }
}

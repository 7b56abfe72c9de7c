//! Conformance of every compiled crypto provider: the same inputs give the same answers,
//! signatures made by another implementation (the test PKI's RustCrypto keys) verify on
//! every backend, and malformed inputs fail. (Signing with each backend is tested where
//! the keys now live, in `policy::token::software`.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use testvectors::pki::amd::{rogue_p384, rogue_rsa};
use testvectors::pki::nvidia::sign_p384_raw;
use testvectors::pki::{x509, CertSpec, HashAlg as TvHash, PssParams, SigAlg};
use verifier::crypto::{all_providers, fixed_to_der, Curve, EcdsaSig, HashAlg};
use verifier::pki::{Certificate, PublicKey};

/// A throwaway P-256 key (PKCS#8), made with `openssl genpkey` for this test only.
const P256_PKCS8: &str = "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b020101042085a9aa1b60544788faaa860b842ea7240789049e69789828e2a94be543657191a14403420004fe2bc24b805f49752eddd49a44120bdd9317faaf6a8d04275e51d22a037825df270e2e1023412be9a846a3d5f766c41f9d7a7b11189974b0e93363422f7008a4";

/// Signs a self-signed certificate with `key` and `alg`, and returns the verifier's view
/// of it: (public key, TBS, signature).
fn signed_by(key: testvectors::pki::PrivateKey, alg: SigAlg) -> (PublicKey, Vec<u8>, Vec<u8>) {
    let mut spec = CertSpec::self_signed(x509::name(&[("2.5.4.3", "conformance")]), key);
    spec.sig_alg = alg;
    let cert = Certificate::from_der(&spec.build()).unwrap();
    (
        cert.public_key().clone(),
        cert.tbs().to_vec(),
        cert.signature().to_vec(),
    )
}

fn ec_point(key: &PublicKey) -> (Curve, Vec<u8>) {
    match key {
        PublicKey::Ec { curve, point } => (*curve, point.clone()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn ecdsa_signatures_cross_verify_in_both_encodings() {
    let p256_pkcs8 = hex::decode(P256_PKCS8).unwrap();
    let p256_key = testvectors::pki::PrivateKey::from_pkcs8_der(&p256_pkcs8).unwrap();
    let (p384_point, _, _) = signed_by(rogue_p384(), SigAlg::EcdsaSha384);
    let (_, p384_point) = ec_point(&p384_point);
    // The P-256 public key is the last 65 bytes of its PKCS#8 (uncompressed point).
    let p256_point = p256_pkcs8[p256_pkcs8.len() - 65..].to_vec();
    let msg = b"verdict conformance message";
    {
        for (curve, hash, fixed, point) in [
            (
                Curve::P384,
                HashAlg::Sha384,
                sign_p384_raw(&rogue_p384(), msg).to_vec(),
                &p384_point,
            ),
            (
                Curve::P256,
                HashAlg::Sha256,
                p256_key.sign_p256_raw(msg).to_vec(),
                &p256_point,
            ),
        ] {
            assert_eq!(fixed.len(), curve.scalar_len() * 2);
            let der = fixed_to_der(&fixed).unwrap();
            for verifier in all_providers() {
                let who = format!("{} {curve:?}", verifier.name());
                verifier
                    .verify_ecdsa(curve, hash, point, msg, EcdsaSig::Fixed(&fixed))
                    .expect(&who);
                verifier
                    .verify_ecdsa(curve, hash, point, msg, EcdsaSig::Der(&der))
                    .expect(&who);
                assert!(verifier
                    .verify_ecdsa(
                        curve,
                        hash,
                        point,
                        b"other message",
                        EcdsaSig::Fixed(&fixed)
                    )
                    .is_err());
                assert!(verifier
                    .verify_ecdsa(curve, hash, point, msg, EcdsaSig::Fixed(&fixed[1..]))
                    .is_err());
                assert!(verifier
                    .verify_ecdsa(
                        curve,
                        hash,
                        point,
                        msg,
                        EcdsaSig::Der(&der[..der.len() - 1])
                    )
                    .is_err());
                assert!(verifier
                    .verify_ecdsa(curve, hash, &point[1..], msg, EcdsaSig::Fixed(&fixed))
                    .is_err());
                let other = if curve == Curve::P384 {
                    Curve::P256
                } else {
                    Curve::P384
                };
                assert!(verifier
                    .verify_ecdsa(other, hash, point, msg, EcdsaSig::Fixed(&fixed))
                    .is_err());
            }
        }
    }
}

#[test]
fn ecdsa_with_a_hash_other_than_the_curve_default() {
    // X.509 allows ecdsa-with-SHA256 under a P-384 key; every backend must agree.
    let (key, tbs, sig) = signed_by(rogue_p384(), SigAlg::EcdsaSha384);
    let (curve, point) = ec_point(&key);
    for p in all_providers() {
        p.verify_ecdsa(curve, HashAlg::Sha384, &point, &tbs, EcdsaSig::Der(&sig))
            .unwrap();
        assert!(p
            .verify_ecdsa(curve, HashAlg::Sha256, &point, &tbs, EcdsaSig::Der(&sig))
            .is_err());
        assert!(p
            .verify_ecdsa(curve, HashAlg::Sha512, &point, &tbs, EcdsaSig::Der(&sig))
            .is_err());
    }
}

#[test]
fn rsa_pss_with_sha256_and_sha384() {
    for (hash, tv_hash, salt) in [
        (HashAlg::Sha256, TvHash::Sha256, 32),
        (HashAlg::Sha384, TvHash::Sha384, 48),
    ] {
        let params = PssParams {
            hash: tv_hash,
            mgf1_hash: tv_hash,
            salt_len: salt,
            trailer: None,
        };
        let (key, tbs, sig) = signed_by(rogue_rsa(), SigAlg::RsaPss(params));
        let PublicKey::Rsa { pkcs1 } = key else {
            panic!()
        };
        for p in all_providers() {
            p.verify_rsa_pss(hash, &pkcs1, &tbs, &sig)
                .unwrap_or_else(|_| panic!("{} {hash:?}", p.name()));
            let mut bad = sig.clone();
            bad[10] ^= 1;
            assert!(p.verify_rsa_pss(hash, &pkcs1, &tbs, &bad).is_err());
            assert!(p.verify_rsa_pss(hash, &pkcs1, &tbs[1..], &sig).is_err());
            let other = if hash == HashAlg::Sha256 {
                HashAlg::Sha384
            } else {
                HashAlg::Sha256
            };
            assert!(p.verify_rsa_pss(other, &pkcs1, &tbs, &sig).is_err());
            assert!(p.verify_rsa_pss(hash, &pkcs1[1..], &tbs, &sig).is_err());
        }
    }
    // A salt shorter than the digest is not a parameter set the providers accept.
    let params = PssParams {
        hash: TvHash::Sha256,
        mgf1_hash: TvHash::Sha256,
        salt_len: 20,
        trailer: None,
    };
    let (key, tbs, sig) = signed_by(rogue_rsa(), SigAlg::RsaPss(params));
    let PublicKey::Rsa { pkcs1 } = key else {
        panic!()
    };
    for p in all_providers() {
        assert!(
            p.verify_rsa_pss(HashAlg::Sha256, &pkcs1, &tbs, &sig)
                .is_err(),
            "{}",
            p.name()
        );
    }
}

#[test]
fn hashes_match_known_answers() {
    for p in all_providers() {
        let abc = [b"abc".as_slice()];
        assert_eq!(
            hex::encode(p.hash(HashAlg::Sha256, &abc)),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex::encode(p.hash(HashAlg::Sha384, &abc)),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"
        );
        assert_eq!(
            hex::encode(p.hash(HashAlg::Sha512, &abc)),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
        // FIPS 180-4 example; SHA-1 only names keys and issuers (OCSP CertID, ResponderID).
        assert_eq!(
            hex::encode(p.hash(HashAlg::Sha1, &abc)),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex::encode(p.hash(HashAlg::Sha1, &[b"a".as_slice(), b"bc"])),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
    }
}

#[test]
fn sha1_verifies_no_signature() {
    // Neither backend offers a SHA-1 signature scheme: asking for one fails closed rather
    // than verifying with another hash.
    let (key, tbs, sig) = signed_by(rogue_p384(), SigAlg::EcdsaSha384);
    let (curve, point) = ec_point(&key);
    let (rsa_key, rsa_tbs, rsa_sig) =
        signed_by(rogue_rsa(), SigAlg::RsaPss(PssParams::AMD_OMITTED_TRAILER));
    let PublicKey::Rsa { pkcs1 } = rsa_key else {
        panic!()
    };
    for p in all_providers() {
        assert!(p
            .verify_ecdsa(curve, HashAlg::Sha1, &point, &tbs, EcdsaSig::Der(&sig))
            .is_err());
        assert!(p
            .verify_rsa_pss(HashAlg::Sha1, &pkcs1, &rsa_tbs, &rsa_sig)
            .is_err());
        p.verify_rsa_pss(HashAlg::Sha384, &pkcs1, &rsa_tbs, &rsa_sig)
            .unwrap();
    }
}

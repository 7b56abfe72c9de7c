//! Tokens and keys that must be refused, each with its precise error.
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
use coset::{iana, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable};
use policy::token::{
    sign_cwt, sign_jwt, verify_token, Algorithm, Jwk, JwkSet, Signer, SigningKey, TokenError,
    VerifyOptions,
};
use util::*;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

struct Fixture {
    key: SigningKey,
    keys: JwkSet,
    jwt: String,
    cwt: Vec<u8>,
}

fn fixture(alg: Algorithm) -> Fixture {
    let key = SigningKey::generate(alg, &mut rng()).unwrap();
    let keys = JwkSet::from_signers(&[&key]);
    let ear = sample_ear(NOW);
    let jwt = sign_jwt(&ear, &key).unwrap();
    let cwt = sign_cwt(&ear, &key).unwrap();
    Fixture {
        key,
        keys,
        jwt,
        cwt,
    }
}

fn err(token: &[u8], keys: &JwkSet, options: &VerifyOptions) -> TokenError {
    verify_token(token, keys, options).expect_err("must be refused")
}

/// Both encodings of `ear`, signed by `key`, must fail with `expected`.
fn both_refused(
    ear: &policy::ear::Ear,
    key: &SigningKey,
    options: &VerifyOptions,
    expected: &TokenError,
) {
    let keys = JwkSet::from_signers(&[key]);
    let jwt = sign_jwt(ear, key).unwrap();
    assert_eq!(&err(jwt.as_bytes(), &keys, options), expected, "JWT");
    assert_eq!(
        &err(&sign_cwt(ear, key).unwrap(), &keys, options),
        expected,
        "CWT"
    );
}

fn jwt_parts(jwt: &str) -> (String, String, String) {
    let mut parts = jwt.split('.').map(String::from);
    (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    )
}

/// The COSE_Sign1 array of a tagged token.
fn cose_items(cwt: &[u8]) -> Vec<Value> {
    let Value::Tag(18, inner) = ciborium::from_reader::<Value, _>(cwt).unwrap() else {
        panic!("not tag 18")
    };
    inner.into_array().unwrap()
}

fn cose_encode(items: Vec<Value>) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(&Value::Tag(18, Box::new(Value::Array(items))), &mut out).unwrap();
    out
}

#[test]
fn tampered_payloads_are_refused() {
    let f = fixture(Algorithm::Es384);
    let kid = f.key.key_id().to_string();

    // JWT: the payload says affirming instead of warning.
    let (h, p, s) = jwt_parts(&f.jwt);
    let json = String::from_utf8(B64.decode(&p).unwrap()).unwrap();
    let forged = json.replacen("\"warning\"", "\"affirming\"", 1);
    assert_ne!(forged, json);
    let token = format!("{h}.{}.{s}", B64.encode(forged));
    assert_eq!(
        err(token.as_bytes(), &f.keys, &options()).to_string(),
        format!("token signature does not verify with key {kid}")
    );

    // CWT: one payload byte changed (the overall status 32 → 2 would need a re-encode;
    // flipping the last payload byte is enough).
    let mut items = cose_items(&f.cwt);
    let Value::Bytes(payload) = &mut items[2] else {
        panic!()
    };
    *payload.last_mut().unwrap() ^= 0x01;
    assert_eq!(
        err(&cose_encode(items), &f.keys, &options()),
        TokenError::BadSignature(kid.clone())
    );

    // CWT: the protected header changed (content type dropped) breaks the signature too.
    let mut items = cose_items(&f.cwt);
    let mut protected = Vec::new();
    ciborium::into_writer(
        &Value::Map(vec![
            (1.into(), (-35).into()),
            (4.into(), Value::Bytes(B64.decode(&kid).unwrap())),
        ]),
        &mut protected,
    )
    .unwrap();
    items[0] = Value::Bytes(protected);
    assert_eq!(
        err(&cose_encode(items), &f.keys, &options()),
        TokenError::BadSignature(kid)
    );
}

#[test]
fn tampered_signatures_are_refused() {
    for alg in Algorithm::ALL {
        let f = fixture(alg);
        let expected = TokenError::BadSignature(f.key.key_id().to_string());
        let (h, p, s) = jwt_parts(&f.jwt);
        let mut sig = B64.decode(&s).unwrap();
        sig[10] ^= 0x80;
        let token = format!("{h}.{p}.{}", B64.encode(&sig));
        assert_eq!(
            err(token.as_bytes(), &f.keys, &options()),
            expected,
            "{alg}"
        );
        // A signature one byte short.
        let token = format!("{h}.{p}.{}", B64.encode(&sig[1..]));
        assert_eq!(
            err(token.as_bytes(), &f.keys, &options()),
            expected,
            "{alg}"
        );

        let mut cwt = f.cwt.clone();
        *cwt.last_mut().unwrap() ^= 0x01; // the last byte belongs to the signature
        assert_eq!(err(&cwt, &f.keys, &options()), expected, "{alg}");
    }
}

#[test]
fn wrong_keys_are_refused() {
    let f = fixture(Algorithm::Es384);
    let kid = f.key.key_id().to_string();
    let other = SigningKey::generate(Algorithm::Es384, &mut rng()).unwrap();

    // The set lacks the token's kid.
    let others = JwkSet::from_signers(&[&other]);
    for token in [f.jwt.as_bytes(), &f.cwt[..]] {
        assert_eq!(
            err(token, &others, &options()).to_string(),
            format!("unknown key id {kid}")
        );
        assert_eq!(
            err(token, &JwkSet::default(), &options()),
            TokenError::UnknownKeyId(kid.clone())
        );
    }

    // The right kid, another key behind it.
    let mut impostor = other.public_jwk();
    impostor.kid = Some(kid.clone());
    let impostors = JwkSet::from(vec![impostor]);
    for token in [f.jwt.as_bytes(), &f.cwt[..]] {
        assert_eq!(
            err(token, &impostors, &options()),
            TokenError::BadSignature(kid.clone())
        );
    }
}

#[test]
fn algorithm_mismatch_and_refused_algorithms() {
    let f = fixture(Algorithm::Es384);
    let kid = f.key.key_id();
    let (_, p, s) = jwt_parts(&f.jwt);
    let with_header = |header: &str| format!("{}.{p}.{s}", B64.encode(header));

    // JWT claiming ES256 (and EdDSA) for the ES384 key.
    for (name, alg) in [("ES256", Algorithm::Es256), ("EdDSA", Algorithm::EdDsa)] {
        let token = with_header(&format!(r#"{{"alg":"{name}","typ":"JWT","kid":"{kid}"}}"#));
        let e = err(token.as_bytes(), &f.keys, &options());
        assert_eq!(
            e,
            TokenError::AlgorithmMismatch {
                header: alg,
                key: Algorithm::Es384
            }
        );
        assert_eq!(
            e.to_string(),
            format!("algorithm {name} in the header, the key is ES384")
        );
    }
    // none, HMAC (with the public key as the secret: the classic confusion), RSA.
    for name in ["none", "HS256", "HS384", "RS256", "PS384", "ES512"] {
        let token = with_header(&format!(r#"{{"alg":"{name}","kid":"{kid}"}}"#));
        assert_eq!(
            err(token.as_bytes(), &f.keys, &options()).to_string(),
            format!("algorithm {name} is not accepted (only ES384, ES256 and EdDSA are)")
        );
        let unsigned = format!("{}.{p}.", B64.encode(format!(r#"{{"alg":"{name}"}}"#)));
        assert_eq!(
            err(unsigned.as_bytes(), &f.keys, &options()),
            TokenError::UnsupportedAlgorithm(name.into())
        );
    }

    // CWT claiming ES256 for the ES384 key; and HMAC 256/256 (COSE 5).
    let kid_bytes = B64.decode(kid).unwrap();
    let payload = cose_items(&f.cwt)[2].as_bytes().unwrap().clone();
    let cose = |alg: iana::Algorithm| {
        CoseSign1Builder::new()
            .protected(
                HeaderBuilder::new()
                    .algorithm(alg)
                    .key_id(kid_bytes.clone())
                    .build(),
            )
            .payload(payload.clone())
            .create_signature(&[], |m| f.key.sign(m).unwrap())
            .build()
            .to_tagged_vec()
            .unwrap()
    };
    assert_eq!(
        err(&cose(iana::Algorithm::ES256), &f.keys, &options()).to_string(),
        "algorithm ES256 in the header, the key is ES384"
    );
    assert_eq!(
        err(&cose(iana::Algorithm::HMAC_256_256), &f.keys, &options()).to_string(),
        "algorithm COSE 5 is not accepted (only ES384, ES256 and EdDSA are)"
    );
    // A correctly signed ES384 COSE built by coset directly verifies: the test is fair.
    verify_token(&cose(iana::Algorithm::ES384), &f.keys, &options()).unwrap();

    // alg only in the unprotected header.
    let unprotected_alg = CoseSign1Builder::new()
        .protected(HeaderBuilder::new().key_id(kid_bytes.clone()).build())
        .unprotected(
            HeaderBuilder::new()
                .algorithm(iana::Algorithm::ES384)
                .build(),
        )
        .payload(payload.clone())
        .create_signature(&[], |m| f.key.sign(m).unwrap())
        .build()
        .to_tagged_vec()
        .unwrap();
    assert_eq!(
        err(&unprotected_alg, &f.keys, &options()).to_string(),
        "malformed COSE_Sign1: alg is in the unprotected header"
    );

    // A JWK whose alg contradicts its curve is unusable, not silently trusted.
    let mut lying = f.key.public_jwk();
    lying.alg = Some("ES256".into());
    assert_eq!(
        err(f.jwt.as_bytes(), &JwkSet::from(vec![lying]), &options()).to_string(),
        format!("unusable JWK {kid}: alg ES256 with curve P-384")
    );
}

#[test]
fn time_checks() {
    let key = SigningKey::generate(Algorithm::EdDsa, &mut rng()).unwrap();
    let ear = sample_ear(NOW);
    let exp = NOW + TTL;

    // Expired: exp + leeway <= now.
    let now = exp + 60;
    let expected = TokenError::Expired {
        exp: t(exp),
        now: t(now),
    };
    assert_eq!(
        expected.to_string(),
        "token expired at 2025-06-15T15:11:40Z (now 2025-06-15T15:12:40Z)"
    );
    both_refused(&ear, &key, &with(options(), |o| o.now = t(now)), &expected);

    // Not yet valid: nbf > now + leeway.
    let now = NOW - 61;
    let expected = TokenError::NotYetValid {
        nbf: t(NOW),
        now: t(now),
    };
    assert_eq!(
        expected.to_string(),
        "token is not valid before 2025-06-15T15:06:40Z (now 2025-06-15T15:05:39Z)"
    );
    both_refused(&ear, &key, &with(options(), |o| o.now = t(now)), &expected);

    // Issued in the future (no nbf): iat > now + leeway.
    let bare = minimal_ear(NOW);
    let expected = TokenError::IssuedInFuture {
        iat: t(NOW),
        now: t(now),
    };
    assert_eq!(
        expected.to_string(),
        "token was issued in the future, at 2025-06-15T15:06:40Z (now 2025-06-15T15:05:39Z)"
    );
    both_refused(&bare, &key, &VerifyOptions::new(t(now)), &expected);

    // A token without exp (made by hand: sign_* refuses to make one).
    let no_exp = ear_without_expiry(NOW);
    assert_eq!(
        sign_jwt(&no_exp, &key).unwrap_err().to_string(),
        "invalid EAR: exp is not set, and a token must expire"
    );
    assert_eq!(
        sign_cwt(&no_exp, &key).unwrap_err(),
        TokenError::InvalidEar("exp is not set, and a token must expire".into())
    );
    let header = format!(r#"{{"alg":"EdDSA","kid":"{}"}}"#, key.key_id());
    let input = format!(
        "{}.{}",
        B64.encode(header),
        B64.encode(serde_json::to_vec(&no_exp.to_json()).unwrap())
    );
    let token = format!(
        "{input}.{}",
        B64.encode(key.sign(input.as_bytes()).unwrap())
    );
    assert_eq!(
        err(
            token.as_bytes(),
            &JwkSet::from_signers(&[&key]),
            &VerifyOptions::new(t(NOW))
        )
        .to_string(),
        "token has no exp claim"
    );
}

#[test]
fn nonce_issuer_and_audience_checks() {
    let key = SigningKey::generate(Algorithm::Es256, &mut rng()).unwrap();
    let ear = sample_ear(NOW);

    let wrong = with(options(), |o| o.expected_nonce = Some(vec![0x01; 16]));
    let e = TokenError::NonceMismatch {
        found: hex::encode(NONCE),
        expected: "01".repeat(16),
    };
    assert_eq!(
        e.to_string(),
        format!(
            "eat_nonce {} does not match the expected {}",
            "5a".repeat(32),
            "01".repeat(16)
        )
    );
    both_refused(&ear, &key, &wrong, &e);

    // Missing nonce while one is expected (the submod's evidence nonce does not count).
    let mut no_nonce = sample_ear(NOW);
    no_nonce.nonce = None;
    both_refused(
        &no_nonce,
        &key,
        &options(),
        &TokenError::MissingNonce(hex::encode(NONCE)),
    );
    assert_eq!(
        TokenError::MissingNonce("ab".into()).to_string(),
        "token has no eat_nonce, expected ab"
    );

    let wrong_iss = with(options(), |o| {
        o.expected_issuer = Some("https://other.example".into())
    });
    let e = TokenError::IssuerMismatch {
        found: ISSUER.into(),
        expected: "https://other.example".into(),
    };
    assert_eq!(
        e.to_string(),
        "issuer https://attest.example.com does not match the expected https://other.example"
    );
    both_refused(&ear, &key, &wrong_iss, &e);
    // No iss at all.
    both_refused(
        &minimal_ear(NOW),
        &key,
        &with(VerifyOptions::new(t(NOW)), |o| {
            o.expected_issuer = Some(ISSUER.into())
        }),
        &TokenError::IssuerMismatch {
            found: "<none>".into(),
            expected: ISSUER.into(),
        },
    );

    let wrong_aud = with(options(), |o| o.expected_audience = Some("rp-2".into()));
    let e = TokenError::AudienceMismatch {
        found: AUDIENCE.into(),
        expected: "rp-2".into(),
    };
    assert_eq!(
        e.to_string(),
        "audience rp-1 does not match the expected rp-2"
    );
    both_refused(&ear, &key, &wrong_aud, &e);
    // An audience in the token that the caller did not ask for (RFC 7519 §4.1.3).
    let unasked = with(options(), |o| o.expected_audience = None);
    let e = TokenError::UnexpectedAudience(AUDIENCE.into());
    assert_eq!(
        e.to_string(),
        "token is for audience rp-1, and no audience was expected"
    );
    both_refused(&ear, &key, &unasked, &e);
}

#[test]
fn truncated_tokens_are_refused_without_panicking() {
    let f = fixture(Algorithm::Es384);
    for len in 0..f.jwt.len() {
        assert!(
            verify_token(&f.jwt.as_bytes()[..len], &f.keys, &options()).is_err(),
            "{len}"
        );
    }
    for len in 0..f.cwt.len() {
        assert!(
            verify_token(&f.cwt[..len], &f.keys, &options()).is_err(),
            "{len}"
        );
    }
    // Precise errors for typical cuts.
    let (h, p, _) = jwt_parts(&f.jwt);
    assert_eq!(
        err(format!("{h}.{}", &p[..20]).as_bytes(), &f.keys, &options()).to_string(),
        "malformed JWT: 2 dot-separated parts, expected 3"
    );
    assert_eq!(
        err(format!("{h}.{p}.").as_bytes(), &f.keys, &options()),
        TokenError::BadSignature(f.key.key_id().to_string())
    );
    let bad_header = format!("{}.{p}.AA", &h[..h.len() - 1]);
    assert!(err(bad_header.as_bytes(), &f.keys, &options())
        .to_string()
        .starts_with("malformed JWT: the header is not base64url: "),);
    assert_eq!(
        err(&f.cwt[..f.cwt.len() - 1], &f.keys, &options()).to_string(),
        "malformed COSE_Sign1: token is not CBOR: truncated"
    );
    let mut extra = f.cwt.clone();
    extra.push(0);
    assert_eq!(
        err(&extra, &f.keys, &options()).to_string(),
        "malformed COSE_Sign1: 1 bytes after the token"
    );
}

#[test]
fn garbage_is_refused() {
    let keys = JwkSet::default();
    let o = VerifyOptions::new(t(NOW));
    for text in [
        &b"hello world"[..],
        b"",
        b"{}",
        b"deadbeef",
        b"eyJhbGciOiJub25lIn0",
    ] {
        assert_eq!(err(text, &keys, &o), TokenError::UnknownFormat, "{text:?}");
    }
    assert_eq!(
        TokenError::UnknownFormat.to_string(),
        "token is neither a JWT nor a COSE_Sign1 (raw CBOR, hex or base64url)"
    );
    assert_eq!(
        err(b"...", &keys, &o).to_string(),
        "malformed JWT: 4 dot-separated parts, expected 3"
    );
    assert_eq!(
        err(b"a.b.c", &keys, &o).to_string(),
        "malformed JWT: the header is not base64url: Invalid input length: 1"
    );
    assert_eq!(
        err(format!("{}.e30.", B64.encode("[]")).as_bytes(), &keys, &o).to_string(),
        "malformed JWT: the header is not a JSON object"
    );
    assert_eq!(
        err(
            format!("{}.e30.", B64.encode(r#"{"alg":"ES384"}"#)).as_bytes(),
            &keys,
            &o
        )
        .to_string(),
        "malformed JWT: the header has no kid"
    );
    assert_eq!(
        err(
            format!(
                "{}.e30.",
                B64.encode(r#"{"alg":"ES384","kid":"k","crit":["x"]}"#)
            )
            .as_bytes(),
            &keys,
            &o
        )
        .to_string(),
        "malformed JWT: crit header parameters are not supported"
    );
    assert_eq!(
        err(
            format!(
                "{}.e30.",
                B64.encode(r#"{"alg":"ES384","kid":"k","typ":"at+jwt"}"#)
            )
            .as_bytes(),
            &keys,
            &o
        )
        .to_string(),
        "malformed JWT: typ \"at+jwt\" is not JWT or eat+jwt"
    );
    // Binary garbage is read as CBOR.
    assert_eq!(
        err(&[0x1c, 0x00, 0x13], &keys, &o).to_string(),
        "malformed COSE_Sign1: token is not CBOR: syntax error at byte 0"
    );
    assert_eq!(
        err(&[0xd8, 0x40, 0x80], &keys, &o).to_string(),
        "malformed COSE_Sign1: tag 64 is not COSE_Sign1 (18)"
    );
    assert_eq!(
        err(&[0xd2, 0x83, 0x40, 0xa0, 0x40], &keys, &o).to_string(),
        "malformed COSE_Sign1: got array, expected array with 4 items"
    );
}

#[test]
fn a_signature_with_a_valid_signature_but_bad_claims_is_malformed() {
    // Signed by the right key, but the payload is not a claims map: refused after the
    // signature check, as malformed.
    let key = SigningKey::generate(Algorithm::Es384, &mut rng()).unwrap();
    let keys = JwkSet::from_signers(&[&key]);
    let header = format!(r#"{{"alg":"ES384","kid":"{}"}}"#, key.key_id());
    let input = format!("{}.{}", B64.encode(header), B64.encode("[1,2]"));
    let token = format!(
        "{input}.{}",
        B64.encode(key.sign(input.as_bytes()).unwrap())
    );
    assert_eq!(
        err(token.as_bytes(), &keys, &VerifyOptions::new(t(NOW))).to_string(),
        "malformed JWT: the payload is not a JSON object"
    );
    let cose = CoseSign1Builder::new()
        .protected(
            HeaderBuilder::new()
                .algorithm(iana::Algorithm::ES384)
                .key_id(B64.decode(key.key_id()).unwrap())
                .build(),
        )
        .payload(vec![0xa1, 0x19, 0x03, 0xe8, 0x03]) // {1000: 3}: not a tier
        .create_signature(&[], |m| key.sign(m).unwrap())
        .build()
        .to_tagged_vec()
        .unwrap();
    assert_eq!(
        err(&cose, &keys, &VerifyOptions::new(t(NOW))).to_string(),
        "malformed COSE_Sign1: payload: ear_status 3 is not a tier (0, 2, 32, 96)"
    );
}

/// A signer that returns DER instead of fixed r‖s (a classic HSM integration bug).
struct DerSigner(SigningKey);

impl Signer for DerSigner {
    fn algorithm(&self) -> Algorithm {
        self.0.algorithm()
    }
    fn key_id(&self) -> &str {
        self.0.key_id()
    }
    fn public_jwk(&self) -> Jwk {
        self.0.public_jwk()
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, TokenError> {
        let fixed = self.0.sign(message)?;
        Ok(verifier::crypto::fixed_to_der(&fixed).unwrap())
    }
}

#[test]
fn signers_returning_der_are_caught() {
    let signer = DerSigner(SigningKey::generate(Algorithm::Es384, &mut rng()).unwrap());
    let ear = minimal_ear(NOW);
    let e = sign_jwt(&ear, &signer).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("signing failed: the signer returned ")
            && e.to_string()
                .ends_with(" bytes, and an ES384 signature is 96 (fixed r||s for ECDSA)"),
        "{e}"
    );
    assert!(matches!(sign_cwt(&ear, &signer), Err(TokenError::Sign(_))));
}

#[test]
fn invalid_ears_are_not_signed() {
    let key = SigningKey::generate(Algorithm::Es384, &mut rng()).unwrap();
    let mut empty = minimal_ear(NOW);
    empty.submods.clear();
    assert_eq!(
        sign_jwt(&empty, &key).unwrap_err().to_string(),
        "invalid EAR: an EAR needs at least one submodule"
    );
    let mut short_nonce = minimal_ear(NOW);
    short_nonce.nonce = Some(vec![1; 4]);
    assert_eq!(
        sign_cwt(&short_nonce, &key).unwrap_err(),
        TokenError::InvalidEar("eat_nonce is 4 bytes; EAT takes 8 to 64".into())
    );
    let mut flattering = sample_ear(NOW);
    flattering.status = Some(policy::trust::TrustTier::Affirming);
    assert_eq!(
        sign_jwt(&flattering, &key).unwrap_err().to_string(),
        "invalid EAR: ear_status affirming is better than the worst submodule's (warning)"
    );
    // A submodule nothing affirmed (`none`) is less trustworthy than an affirming one:
    // beside it, the EAR cannot claim affirming (review item 2).
    let mut unaffirmed = sample_ear(NOW);
    let mut affirmed = unaffirmed.submods["cpu0"].clone();
    affirmed.status = policy::trust::TrustTier::Affirming;
    unaffirmed.submods.insert("gpu0".into(), affirmed);
    if let Some(cpu) = unaffirmed.submods.get_mut("cpu0") {
        cpu.status = policy::trust::TrustTier::None;
    }
    unaffirmed.status = Some(policy::trust::TrustTier::Affirming);
    assert_eq!(
        sign_jwt(&unaffirmed, &key).unwrap_err().to_string(),
        "invalid EAR: ear_status affirming is better than the worst submodule's (none)"
    );
    let mut backwards = minimal_ear(NOW);
    backwards.exp = Some(t(NOW - 1));
    assert!(matches!(
        sign_jwt(&backwards, &key),
        Err(TokenError::InvalidEar(_))
    ));
}

// ---- keys ----

/// Made with `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521` for this
/// test only (it must be refused).
const OPENSSL_P521: &str = "-----BEGIN PRIVATE KEY-----
MIHuAgEAMBAGByqGSM49AgEGBSuBBAAjBIHWMIHTAgEBBEIBU3Otc3DsMC4gx3K9
E/2N7y6ZEJwjX2S3gCIXEOplXWf9m/CEA567DX9FP6/294tUgIY5r5W9+Hy/yvLD
A8CFqsehgYkDgYYABADOh8n/paVq1BdW8J9x1uC7yK/HZn9fj4tVVBqerTga7V1o
UZJTiV8+NzXUHvMpyFchvI8XQp/gTdhsOS1t6G3tKQGk3+M9NMOSQTFTOB180EhP
hds23r/lV+HVhFnk4N+PFwRINHPEEdAegJPuCD5fdZDEyjsuP9j/AAgG6WW9M0wN
ag==
-----END PRIVATE KEY-----
";

/// Made with `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256
/// -aes-128-cbc -pass pass:verdict` for this test only.
const OPENSSL_ENCRYPTED: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAj1e6gfMN55VwICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEELzZbl6mZGgg1LQkOoVl6qAEgZDG
Oz7T6L4wasgh+aZejAAhGqsFLtZXjpKx4SbvkopAGPJcct6ueW3bZWTKmSRPzc87
KOevLnf+Kf5cvKEJq9Ng3xM9R+jIMZoOZKZ8AiNJlLVG+xHyPRKQvopk0nSDkw87
G3N+8T4wADFGf27iQVg8SGuQGMxMmQNSLiU84XeXLfCU0rKLR/lNG2iv1Leud+U=
-----END ENCRYPTED PRIVATE KEY-----
";

/// Made with `openssl ecparam -name secp256k1 -genkey | openssl pkcs8 -topk8 -nocrypt`.
const OPENSSL_SECP256K1: &str = "-----BEGIN PRIVATE KEY-----
MIGEAgEAMBAGByqGSM49AgEGBSuBBAAKBG0wawIBAQQgLFg1qF/vP1f+pxE35PtE
xPTCQ90hNhEp4p+ThjSknAehRANCAARtfOlMpumtGHpRQ2o3VIfEjrTyQGzd7IBN
sEoTlwF23YhqGCF+bjbEXl1zHmEXyWYIgEasuSP4CEp9hkpq+Tw+
-----END PRIVATE KEY-----
";

fn key_err(pem: &str) -> String {
    SigningKey::from_pem(pem).unwrap_err().to_string()
}

#[test]
fn unsupported_keys_have_clear_errors() {
    let rsa = testvectors::pki::amd::rogue_rsa().to_pkcs8_pem();
    assert_eq!(
        key_err(&rsa),
        "unusable signing key: RSA keys are not supported: token keys are P-384, P-256 or Ed25519"
    );
    assert_eq!(
        key_err(&testvectors::pki::to_pem("RSA PRIVATE KEY", &[0x30, 0x00])),
        "unusable signing key: RSA keys are not supported: token keys are P-384, P-256 or Ed25519"
    );
    assert_eq!(
        key_err(OPENSSL_P521),
        "unusable signing key: P-521 keys are not supported: token keys are P-384, P-256 or Ed25519"
    );
    assert_eq!(
        key_err(OPENSSL_SECP256K1),
        "unusable signing key: EC curve 1.3.132.0.10 is not supported: token keys are P-384, P-256 or Ed25519"
    );
    assert_eq!(
        key_err(OPENSSL_ENCRYPTED),
        "unusable signing key: encrypted PKCS#8 (ENCRYPTED PRIVATE KEY) is not supported; \
         decrypt it first (openssl pkcs8 -in key.pem -out plain.pem)"
    );
    let legacy_encrypted = "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\nMAA=\n-----END EC PRIVATE KEY-----\n";
    assert_eq!(
        key_err(legacy_encrypted),
        "unusable signing key: the EC PRIVATE KEY PEM is encrypted; decrypt it first"
    );
    let cert = testvectors::pki::to_pem("CERTIFICATE", &[0x30, 0x00]);
    assert_eq!(
        key_err(&cert),
        "unusable signing key: PEM label \"CERTIFICATE\" is not a private key: expected \
         \"PRIVATE KEY\" (PKCS#8) or \"EC PRIVATE KEY\" (SEC1)"
    );
    let public = testvectors::pki::to_pem("PUBLIC KEY", &[0x30, 0x00]);
    assert!(key_err(&public).contains("PEM label \"PUBLIC KEY\" is not a private key"));
    assert_eq!(
        key_err("not a key"),
        "unusable signing key: no PEM block found"
    );
    let two = format!("{OPENSSL_P521}{OPENSSL_SECP256K1}");
    assert_eq!(
        key_err(&two),
        "unusable signing key: more than one PEM block: give one private key"
    );
    assert_eq!(
        SigningKey::from_pkcs8_der(&[0x30, 0x03, 0x02, 0x01, 0x05])
            .unwrap_err()
            .to_string(),
        "unusable signing key: malformed PKCS#8: version 05 is not 0 or 1"
    );
    assert_eq!(
        SigningKey::from_pkcs8_der(b"garbage").unwrap_err().to_string(),
        "unusable signing key: malformed PKCS#8: expected PrivateKeyInfo (tag 0x30), found tag 0x67"
    );
    // An Ed25519 PKCS#8 with a corrupt inner key is refused by the backend.
    let mut ed = pem::parse(
        SigningKey::generate(Algorithm::EdDsa, &mut rng())
            .unwrap()
            .to_pkcs8_pem(),
    )
    .unwrap()
    .into_contents();
    ed.truncate(ed.len() - 1);
    assert!(SigningKey::from_pkcs8_der(&ed).is_err());
}

/// Issue 12: RFC 9052 §3 forbids a label in both header buckets. Each token here is
/// correctly signed, so only that rule refuses it.
#[test]
fn cose_labels_in_both_header_buckets_are_refused() {
    let f = fixture(Algorithm::Es384);
    let kid_bytes = B64.decode(f.key.key_id()).unwrap();
    let payload = cose_items(&f.cwt)[2].as_bytes().unwrap().clone();
    let sign = |unprotected: coset::Header| {
        CoseSign1Builder::new()
            .protected(
                HeaderBuilder::new()
                    .algorithm(iana::Algorithm::ES384)
                    .key_id(kid_bytes.clone())
                    .build(),
            )
            .unprotected(unprotected)
            .payload(payload.clone())
            .create_signature(&[], |m| f.key.sign(m).unwrap())
            .build()
            .to_tagged_vec()
            .unwrap()
    };
    // Unprotected headers without a shared label are fine: the test is fair.
    let fine = sign(HeaderBuilder::new().iv(vec![1, 2, 3]).build());
    verify_token(&fine, &f.keys, &options()).unwrap();

    let cases = [
        // The same alg twice, and a different one: both are refused.
        (
            HeaderBuilder::new()
                .algorithm(iana::Algorithm::ES384)
                .build(),
            "alg (1)",
        ),
        (
            HeaderBuilder::new()
                .algorithm(iana::Algorithm::ES256)
                .build(),
            "alg (1)",
        ),
        (
            HeaderBuilder::new().key_id(b"other".to_vec()).build(),
            "kid (4)",
        ),
    ];
    for (unprotected, label) in cases {
        assert_eq!(
            err(&sign(unprotected), &f.keys, &options()),
            TokenError::MalformedCose(format!(
                "header parameter {label} is in both the protected and the unprotected header"
            ))
        );
    }

    // Private and text labels too (coset keeps them in `rest`).
    let private = |h: HeaderBuilder| {
        h.value(-70_001, Value::Integer(1.into()))
            .text_value("x-note".into(), Value::Text("a".into()))
    };
    let token = CoseSign1Builder::new()
        .protected(
            private(HeaderBuilder::new())
                .algorithm(iana::Algorithm::ES384)
                .key_id(kid_bytes.clone())
                .build(),
        )
        .unprotected(
            HeaderBuilder::new()
                .text_value("x-note".into(), Value::Text("b".into()))
                .build(),
        )
        .payload(payload.clone())
        .create_signature(&[], |m| f.key.sign(m).unwrap())
        .build()
        .to_tagged_vec()
        .unwrap();
    assert_eq!(
        err(&token, &f.keys, &options()).to_string(),
        "malformed COSE_Sign1: header parameter \"x-note\" is in both the protected and the unprotected header"
    );
}

/// Issue 12: a JWT header or payload that names a member twice is refused (RFC 7515
/// §5.2 lets a verifier; RFC 8259 parsers disagree on which one wins). Each token is
/// correctly signed.
#[test]
fn jwt_duplicate_members_are_refused() {
    let f = fixture(Algorithm::Es384);
    let kid = f.key.key_id().to_string();
    let (_, p, _) = jwt_parts(&f.jwt);
    let sign = |header: &str, payload: &str| {
        let signed = format!("{}.{}", B64.encode(header), B64.encode(payload));
        let sig = f.key.sign(signed.as_bytes()).unwrap();
        format!("{signed}.{}", B64.encode(sig))
    };
    let header = format!(r#"{{"alg":"ES384","typ":"JWT","kid":"{kid}"}}"#);
    let payload = String::from_utf8(B64.decode(&p).unwrap()).unwrap();
    // Re-signed unchanged, it verifies: the test is fair.
    verify_token(sign(&header, &payload).as_bytes(), &f.keys, &options()).unwrap();

    // alg twice (the second would be `none` to a last-wins reader).
    let twice = format!(r#"{{"alg":"ES384","alg":"none","kid":"{kid}"}}"#);
    assert_eq!(
        err(sign(&twice, &payload).as_bytes(), &f.keys, &options()),
        TokenError::MalformedJwt(
            "the header is not JSON: duplicate member \"alg\" at line 1 column 20".into()
        )
    );
    let twice = format!(r#"{{"alg":"ES384","kid":"{kid}","kid":"{kid}"}}"#);
    assert_eq!(
        err(sign(&twice, &payload).as_bytes(), &f.keys, &options()).to_string(),
        format!(
            "malformed JWT: the header is not JSON: duplicate member \"kid\" at line 1 column {}",
            29 + kid.len()
        )
    );

    // exp twice: a reader keeping the last would see a token valid for a year.
    let object = payload.strip_suffix('}').unwrap();
    let late = NOW + 365 * 86_400;
    let doubled = format!(r#"{object},"exp":{late}}}"#);
    assert_eq!(
        err(sign(&header, &doubled).as_bytes(), &f.keys, &options()),
        TokenError::MalformedJwt(format!(
            "the payload is not JSON: duplicate member \"exp\" at line 1 column {}",
            object.len() + 6
        ))
    );
    // eat_nonce twice, one of them the expected nonce.
    let doubled = format!(r#"{object},"eat_nonce":"{}"}}"#, B64.encode(NONCE));
    assert_eq!(
        err(sign(&header, &doubled).as_bytes(), &f.keys, &options()).to_string(),
        format!(
            "malformed JWT: the payload is not JSON: duplicate member \"eat_nonce\" at line 1 column {}",
            object.len() + 12
        )
    );
    // Deep inside a submodule too.
    let nested = payload.replacen(
        r#""ear_status":"#,
        r#""ear_status":"affirming","ear_status":"#,
        1,
    );
    assert_ne!(nested, payload);
    let e = err(sign(&header, &nested).as_bytes(), &f.keys, &options());
    assert!(
        e.to_string()
            .starts_with("malformed JWT: the payload is not JSON: duplicate member \"ear_status\""),
        "{e}"
    );
}

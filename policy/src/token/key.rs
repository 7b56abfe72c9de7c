//! The software [`SigningKey`]: PKCS#8 or SEC1 PEM in, a [`Signer`] out.

use core::fmt;

use rand_core::CryptoRngCore;

use super::alg::Algorithm;
use super::der::{self, Reader};
use super::error::TokenError;
use super::jwk::Jwk;
use super::signer::Signer;
use super::software::{default_key_provider, KeyProvider, PrivateKey};

/// A software signing key: PKCS#8 loaded once into a [`KeyProvider`].
///
/// `Debug` prints the algorithm and key id, never the secret. The PKCS#8 copy kept for
/// [`SigningKey::to_pkcs8_pem`] is overwritten on drop (best effort: without `unsafe`
/// there is no volatile write; the backend's own key objects zeroize themselves).
pub struct SigningKey {
    algorithm: Algorithm,
    key: Box<dyn PrivateKey>,
    pkcs8: Vec<u8>,
    jwk: Jwk,
}

// PKCS#8 AlgorithmIdentifier OIDs (contents only).
/// id-ecPublicKey, 1.2.840.10045.2.1 (RFC 5480 §2.1.1).
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// secp256r1, 1.2.840.10045.3.1.7 (RFC 5480 §2.1.1.1).
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// secp384r1, 1.3.132.0.34.
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
/// secp521r1, 1.3.132.0.35.
const OID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
/// id-Ed25519, 1.3.101.112 (RFC 8410 §3).
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
/// id-Ed448, 1.3.101.113.
const OID_ED448: &[u8] = &[0x2b, 0x65, 0x71];
/// rsaEncryption, 1.2.840.113549.1.1.1, and RSASSA-PSS, 1.2.840.113549.1.1.10.
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_RSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];

const SUPPORTED: &str = "token keys are P-384, P-256 or Ed25519";

impl SigningKey {
    /// Generates a fresh key from `rng` (the caller's: an OS RNG at the edge, a seeded
    /// one in tests) with the default key provider.
    ///
    /// # Errors
    /// [`TokenError::Key`] if the RNG or the backend fails.
    pub fn generate(alg: Algorithm, rng: &mut impl CryptoRngCore) -> Result<Self, TokenError> {
        Self::generate_with_provider(alg, rng, default_key_provider())
    }

    /// Generates a fresh key from `rng` with `provider`.
    ///
    /// # Errors
    /// [`TokenError::Key`] if the RNG or the backend fails.
    pub fn generate_with_provider(
        alg: Algorithm,
        rng: &mut impl CryptoRngCore,
        provider: &dyn KeyProvider,
    ) -> Result<Self, TokenError> {
        let pkcs8 = provider.generate_pkcs8(alg, rng)?;
        Self::from_pkcs8_der_with_provider(&pkcs8, provider)
    }

    /// Reads a PEM private key: `PRIVATE KEY` (PKCS#8; the algorithm comes from the key:
    /// P-384, P-256 or Ed25519) or `EC PRIVATE KEY` (SEC1, P-256 or P-384; a leading
    /// `EC PARAMETERS` block, as `openssl ecparam -genkey` writes, is skipped).
    ///
    /// # Errors
    /// [`TokenError::Key`] naming the problem: not PEM, another label, an encrypted key,
    /// RSA, another curve, or a malformed key.
    pub fn from_pem(pem: &str) -> Result<Self, TokenError> {
        let blocks = pem::parse_many(pem).map_err(|e| TokenError::Key(format!("not PEM: {e}")))?;
        let mut keys = blocks.iter().filter(|b| b.tag() != "EC PARAMETERS");
        let block = keys
            .next()
            .ok_or_else(|| TokenError::Key("no PEM block found".into()))?;
        if keys.next().is_some() {
            return Err(TokenError::Key(
                "more than one PEM block: give one private key".into(),
            ));
        }
        if block
            .headers()
            .get("Proc-Type")
            .is_some_and(|v| v.contains("ENCRYPTED"))
        {
            return Err(TokenError::Key(format!(
                "the {} PEM is encrypted; decrypt it first",
                block.tag()
            )));
        }
        match block.tag() {
            "PRIVATE KEY" => Self::from_pkcs8_der(block.contents()),
            "EC PRIVATE KEY" => Self::from_pkcs8_der(&sec1_to_pkcs8(block.contents())?),
            "ENCRYPTED PRIVATE KEY" => Err(TokenError::Key(
                "encrypted PKCS#8 (ENCRYPTED PRIVATE KEY) is not supported; decrypt it first \
                 (openssl pkcs8 -in key.pem -out plain.pem)"
                    .into(),
            )),
            "RSA PRIVATE KEY" => Err(TokenError::Key(format!(
                "RSA keys are not supported: {SUPPORTED}"
            ))),
            other => Err(TokenError::Key(format!(
                "PEM label {other:?} is not a private key: expected \"PRIVATE KEY\" (PKCS#8) \
                 or \"EC PRIVATE KEY\" (SEC1)"
            ))),
        }
    }

    /// Loads an unencrypted PKCS#8 key (RFC 5208/5958) with the default provider; the
    /// algorithm comes from the key.
    ///
    /// # Errors
    /// [`TokenError::Key`] as for [`SigningKey::from_pem`].
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, TokenError> {
        Self::from_pkcs8_der_with_provider(der, default_key_provider())
    }

    /// Loads an unencrypted PKCS#8 key into `provider`.
    ///
    /// # Errors
    /// [`TokenError::Key`] as for [`SigningKey::from_pem`].
    pub fn from_pkcs8_der_with_provider(
        der: &[u8],
        provider: &dyn KeyProvider,
    ) -> Result<Self, TokenError> {
        let algorithm = pkcs8_algorithm(der)?;
        let key = provider.load_private_key(algorithm, der)?;
        let jwk = Jwk::from_public_key(algorithm, key.public_key())?;
        Ok(Self {
            algorithm,
            key,
            pkcs8: der.to_vec(),
            jwk,
        })
    }

    /// The key as PEM `PRIVATE KEY` (PKCS#8), LF line endings.
    pub fn to_pkcs8_pem(&self) -> String {
        let config = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
        pem::encode_config(&pem::Pem::new("PRIVATE KEY", self.pkcs8.clone()), config)
    }

    /// The public key: an uncompressed SEC1 point for ECDSA, 32 bytes for Ed25519.
    pub fn public_key(&self) -> &[u8] {
        self.key.public_key()
    }
}

impl Signer for SigningKey {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn key_id(&self) -> &str {
        self.jwk.kid.as_deref().unwrap_or_default()
    }

    fn public_jwk(&self) -> Jwk {
        self.jwk.clone()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, TokenError> {
        self.key.sign(message)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm)
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

impl Drop for SigningKey {
    fn drop(&mut self) {
        self.pkcs8.fill(0);
        core::hint::black_box(&self.pkcs8);
    }
}

/// Reads the AlgorithmIdentifier of a PKCS#8 PrivateKeyInfo/OneAsymmetricKey
/// (RFC 5958 §2) and maps it to an algorithm, or to a precise refusal.
fn pkcs8_algorithm(der: &[u8]) -> Result<Algorithm, TokenError> {
    let malformed = |e: String| TokenError::Key(format!("malformed PKCS#8: {e}"));
    let mut outer = Reader::new(der);
    let body = outer
        .expect(der::SEQUENCE, "PrivateKeyInfo")
        .map_err(malformed)?;
    if !outer.is_empty() {
        return Err(malformed("trailing data after PrivateKeyInfo".into()));
    }
    let mut body = Reader::new(body);
    let version = body.expect(der::INTEGER, "version").map_err(malformed)?;
    if version != [0] && version != [1] {
        return Err(malformed(format!(
            "version {} is not 0 or 1",
            hex::encode(version)
        )));
    }
    let mut alg_id = Reader::new(
        body.expect(der::SEQUENCE, "AlgorithmIdentifier")
            .map_err(malformed)?,
    );
    let oid = alg_id
        .expect(der::OID, "algorithm OID")
        .map_err(malformed)?;
    match oid {
        OID_EC_PUBLIC_KEY => {
            if alg_id.peek_tag() != Some(der::OID) {
                return Err(TokenError::Key(
                    "EC key without a named curve (explicit parameters are not supported)".into(),
                ));
            }
            let curve = alg_id.expect(der::OID, "named curve").map_err(malformed)?;
            curve_algorithm(curve)
        }
        OID_ED25519 => Ok(Algorithm::EdDsa),
        OID_ED448 => Err(TokenError::Key(format!(
            "Ed448 keys are not supported: {SUPPORTED}"
        ))),
        OID_RSA | OID_RSA_PSS => Err(TokenError::Key(format!(
            "RSA keys are not supported: {SUPPORTED}"
        ))),
        other => Err(TokenError::Key(format!(
            "key algorithm {} is not supported: {SUPPORTED}",
            der::oid_to_string(other)
        ))),
    }
}

fn curve_algorithm(curve: &[u8]) -> Result<Algorithm, TokenError> {
    match curve {
        OID_P384 => Ok(Algorithm::Es384),
        OID_P256 => Ok(Algorithm::Es256),
        OID_P521 => Err(TokenError::Key(format!(
            "P-521 keys are not supported: {SUPPORTED}"
        ))),
        other => Err(TokenError::Key(format!(
            "EC curve {} is not supported: {SUPPORTED}",
            der::oid_to_string(other)
        ))),
    }
}

/// Wraps a SEC1 `ECPrivateKey` (RFC 5915 §3) into PKCS#8. The curve comes from its
/// `parameters` field, or else from the private key's length.
fn sec1_to_pkcs8(sec1: &[u8]) -> Result<Vec<u8>, TokenError> {
    let malformed = |e: String| TokenError::Key(format!("malformed SEC1 EC PRIVATE KEY: {e}"));
    let mut outer = Reader::new(sec1);
    let body = outer
        .expect(der::SEQUENCE, "ECPrivateKey")
        .map_err(malformed)?;
    if !outer.is_empty() {
        return Err(malformed("trailing data".into()));
    }
    let mut body = Reader::new(body);
    if body.expect(der::INTEGER, "version").map_err(malformed)? != [1] {
        return Err(malformed("version is not 1".into()));
    }
    let private = body
        .expect(der::OCTET_STRING, "privateKey")
        .map_err(malformed)?;
    let mut curve_oid = None;
    while !body.is_empty() {
        match body.tlv().map_err(malformed)? {
            // parameters [0] EXPLICIT ECParameters: a namedCurve OID.
            (0xa0, params) => {
                curve_oid = Some(
                    Reader::new(params)
                        .expect(der::OID, "named curve")
                        .map_err(malformed)?,
                );
            }
            // publicKey [1] EXPLICIT BIT STRING: the backend checks it.
            (0xa1, _) => {}
            (tag, _) => return Err(malformed(format!("unexpected field with tag {tag:#04x}"))),
        }
    }
    let curve = match (curve_oid, private.len()) {
        (Some(oid), _) => oid,
        (None, 32) => OID_P256,
        (None, 48) => OID_P384,
        (None, 66) => OID_P521,
        (None, n) => return Err(malformed(format!("no curve parameters and a {n}-byte key"))),
    };
    curve_algorithm(curve)?;

    let mut alg_id = Vec::new();
    der::write_tlv(&mut alg_id, der::OID, OID_EC_PUBLIC_KEY);
    der::write_tlv(&mut alg_id, der::OID, curve);
    let mut body = vec![der::INTEGER, 1, 0];
    der::write_tlv(&mut body, der::SEQUENCE, &alg_id);
    der::write_tlv(&mut body, der::OCTET_STRING, sec1);
    let mut out = Vec::new();
    der::write_tlv(&mut out, der::SEQUENCE, &body);
    Ok(out)
}

/// Extracts the SEC1 `ECPrivateKey` from an EC PKCS#8 (for tests of the SEC1 path).
#[cfg(test)]
pub(crate) fn pkcs8_to_sec1(pkcs8: &[u8]) -> Vec<u8> {
    let mut outer = Reader::new(pkcs8);
    let mut body = Reader::new(outer.expect(der::SEQUENCE, "").unwrap());
    body.expect(der::INTEGER, "").unwrap();
    body.expect(der::SEQUENCE, "").unwrap();
    body.expect(der::OCTET_STRING, "").unwrap().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    use rand_chacha::rand_core::SeedableRng;

    fn rng() -> rand_chacha::ChaCha20Rng {
        rand_chacha::ChaCha20Rng::from_seed([9; 32])
    }

    #[test]
    fn sec1_wraps_to_the_same_key() {
        for alg in [Algorithm::Es384, Algorithm::Es256] {
            let key = SigningKey::generate(alg, &mut rng()).unwrap();
            let sec1 = pkcs8_to_sec1(&key.pkcs8);
            let again = SigningKey::from_pkcs8_der(&sec1_to_pkcs8(&sec1).unwrap()).unwrap();
            assert_eq!(again.key_id(), key.key_id());
            assert_eq!(again.algorithm(), alg);
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        let key = SigningKey::generate(Algorithm::EdDsa, &mut rng()).unwrap();
        let debug = format!("{key:?}");
        assert_eq!(
            debug,
            format!(
                "SigningKey {{ algorithm: EdDsa, key_id: {:?}, .. }}",
                key.key_id()
            )
        );
    }
}

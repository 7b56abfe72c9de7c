//! A generic certificate description ([`CertSpec`]) and its DER builder, on `x509-cert`
//! types but with raw control over the parts verifiers disagree on: serial bytes,
//! extension bytes and both signature AlgorithmIdentifiers.

use der::asn1::{Any, BitString, ObjectIdentifier, OctetString, SetOfVec};
use der::{Decode, Encode, Tag};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::certificate::{Certificate, TbsCertificate, Version};
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;

use super::asn1::{self, boolean, integer, octet_string, oid, sequence, tlv};
use super::key::key_id_of_spki;
use super::time::{add_years, x509_time, DEFAULT_NOT_BEFORE};
use super::{PrivateKey, SigAlg};

/// Extension OIDs (dotted) used by the builders.
pub mod oids {
    /// id-ce-subjectKeyIdentifier.
    pub const SUBJECT_KEY_ID: &str = "2.5.29.14";
    /// id-ce-keyUsage.
    pub const KEY_USAGE: &str = "2.5.29.15";
    /// id-ce-basicConstraints.
    pub const BASIC_CONSTRAINTS: &str = "2.5.29.19";
    /// id-ce-cRLNumber.
    pub const CRL_NUMBER: &str = "2.5.29.20";
    /// id-ce-cRLReasons (a CRL entry extension).
    pub const CRL_REASON: &str = "2.5.29.21";
    /// id-ce-cRLDistributionPoints.
    pub const CRL_DISTRIBUTION_POINTS: &str = "2.5.29.31";
    /// id-ce-authorityKeyIdentifier.
    pub const AUTHORITY_KEY_ID: &str = "2.5.29.35";
    /// id-at-commonName.
    pub const COMMON_NAME: &str = "2.5.4.3";
}

/// KeyUsage bits (RFC 5280 §4.2.1.3) as a mask for [`CertSpec::set_key_usage`].
pub mod key_usage {
    /// digitalSignature (0).
    pub const DIGITAL_SIGNATURE: u16 = 1 << 0;
    /// nonRepudiation / contentCommitment (1).
    pub const NON_REPUDIATION: u16 = 1 << 1;
    /// keyCertSign (5).
    pub const KEY_CERT_SIGN: u16 = 1 << 5;
    /// cRLSign (6).
    pub const CRL_SIGN: u16 = 1 << 6;
}

/// One extension: OID, criticality and the raw extnValue content (the bytes inside the
/// OCTET STRING, written as given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ext {
    /// extnID.
    pub oid: ObjectIdentifier,
    /// critical (FALSE is omitted, as DER requires).
    pub critical: bool,
    /// extnValue content.
    pub value: Vec<u8>,
}

impl Ext {
    /// An extension from a dotted OID.
    pub fn new(dotted_oid: &str, critical: bool, value: Vec<u8>) -> Self {
        Self {
            oid: oid(dotted_oid),
            critical,
            value,
        }
    }

    pub(crate) fn to_x509(&self) -> Extension {
        Extension {
            extn_id: self.oid,
            critical: self.critical,
            extn_value: OctetString::new(self.value.clone()).expect("extension value length"),
        }
    }
}

/// A Name with one attribute per RDN, in the given order. Keys: `CN`, `O`, `OU`, `L`,
/// `ST` (UTF8String) and `C` (PrintableString), or a dotted OID (UTF8String).
pub fn name(attributes: &[(&str, &str)]) -> Name {
    RdnSequence(
        attributes
            .iter()
            .map(|(key, value)| rdn(key, value))
            .collect(),
    )
}

/// One relative distinguished name `key=value` (CN, C, L, ST, O, OU, or a dotted OID).
pub fn rdn(key: &str, value: &str) -> RelativeDistinguishedName {
    let (dotted, tag) = match key {
        "CN" => ("2.5.4.3", Tag::Utf8String),
        "C" => ("2.5.4.6", Tag::PrintableString),
        "L" => ("2.5.4.7", Tag::Utf8String),
        "ST" => ("2.5.4.8", Tag::Utf8String),
        "O" => ("2.5.4.10", Tag::Utf8String),
        "OU" => ("2.5.4.11", Tag::Utf8String),
        other => (other, Tag::Utf8String),
    };
    let atv = AttributeTypeAndValue {
        oid: oid(dotted),
        value: Any::new(tag, value.as_bytes()).expect("attribute value length"),
    };
    RelativeDistinguishedName(SetOfVec::try_from(vec![atv]).expect("single-element SET"))
}

/// `name` with the value of its first CN replaced by `cn` (appended when it has none).
pub fn with_common_name(name: &Name, cn: &str) -> Name {
    let mut out = name.clone();
    let cn_oid = oid(oids::COMMON_NAME);
    let position = out
        .0
        .iter()
        .position(|r| r.0.iter().any(|a| a.oid == cn_oid));
    match position {
        Some(i) => out.0[i] = rdn("CN", cn),
        None => out.0.push(rdn("CN", cn)),
    }
    out
}

/// A mutable description of one certificate before signing. Every field is public: tests
/// change what they need, then call [`CertSpec::build`].
#[derive(Debug, Clone)]
pub struct CertSpec {
    /// serialNumber content octets, written as given (`[0]` for AMD's serial 0).
    pub serial: Vec<u8>,
    /// issuer.
    pub issuer: Name,
    /// subject.
    pub subject: Name,
    /// notBefore, Unix seconds.
    pub not_before: u64,
    /// notAfter, Unix seconds.
    pub not_after: u64,
    /// The subject's key; its public half goes in subjectPublicKeyInfo.
    pub key: PrivateKey,
    /// Raw DER subjectPublicKeyInfo to write instead of `key`'s.
    pub spki_override: Option<Vec<u8>>,
    /// The key that signs this certificate (the issuer's key, or anything else).
    pub signing_key: PrivateKey,
    /// How to sign, and the AlgorithmIdentifier written in both places by default.
    pub sig_alg: SigAlg,
    /// Raw DER AlgorithmIdentifier for the outer `signatureAlgorithm`.
    pub outer_alg_override: Option<Vec<u8>>,
    /// Raw DER AlgorithmIdentifier for the TBS `signature` field.
    pub tbs_alg_override: Option<Vec<u8>>,
    /// Extensions in order; none at all omits the `[3]` field.
    pub extensions: Vec<Ext>,
    /// Flip the lowest bit of the signature after signing.
    pub corrupt_signature: bool,
}

impl CertSpec {
    /// A self-signed certificate for `key` named `subject`: serial 1, valid one year from
    /// [`DEFAULT_NOT_BEFORE`], signed with [`SigAlg::default_for`] the key, no extensions.
    pub fn self_signed(subject: Name, key: PrivateKey) -> Self {
        Self {
            serial: vec![1],
            issuer: subject.clone(),
            subject,
            not_before: DEFAULT_NOT_BEFORE,
            not_after: add_years(DEFAULT_NOT_BEFORE, 1),
            sig_alg: SigAlg::default_for(&key),
            signing_key: key.clone(),
            key,
            spki_override: None,
            outer_alg_override: None,
            tbs_alg_override: None,
            extensions: Vec::new(),
            corrupt_signature: false,
        }
    }

    /// A certificate for `key` named `subject`, issued by `issuer` (its subject becomes the
    /// issuer name, its key the signing key and algorithm); otherwise as
    /// [`CertSpec::self_signed`].
    pub fn issued_by(subject: Name, key: PrivateKey, issuer: &Self) -> Self {
        Self {
            issuer: issuer.subject.clone(),
            signing_key: issuer.key.clone(),
            sig_alg: SigAlg::default_for(&issuer.key),
            ..Self::self_signed(subject, key)
        }
    }

    /// The DER subjectPublicKeyInfo this certificate carries.
    pub fn spki_der(&self) -> Vec<u8> {
        self.spki_override
            .clone()
            .unwrap_or_else(|| self.key.spki_der())
    }

    /// The key identifier children should reference: this certificate's SKI extension
    /// content when present, else the RFC 7093 identifier of its SPKI.
    pub fn key_id(&self) -> Vec<u8> {
        match self.ext(oids::SUBJECT_KEY_ID).map(|e| e.value.as_slice()) {
            Some([0x04, len, id @ ..]) if usize::from(*len) == id.len() => id.to_vec(),
            _ => key_id_of_spki(&self.spki_der()),
        }
    }

    /// Sets the serial to the non-negative integer `value`.
    pub fn set_serial(&mut self, value: u64) {
        self.serial = asn1::uint_content(&value.to_be_bytes());
    }

    /// Replaces the subject CN.
    pub fn set_subject_cn(&mut self, cn: &str) {
        self.subject = with_common_name(&self.subject, cn);
    }

    /// Replaces the issuer CN.
    pub fn set_issuer_cn(&mut self, cn: &str) {
        self.issuer = with_common_name(&self.issuer, cn);
    }

    /// The extension with this dotted OID.
    pub fn ext(&self, dotted_oid: &str) -> Option<&Ext> {
        let wanted = oid(dotted_oid);
        self.extensions.iter().find(|e| e.oid == wanted)
    }

    /// Replaces the extension with this OID in place, or appends it.
    pub fn set_ext(&mut self, dotted_oid: &str, critical: bool, value: Vec<u8>) {
        let ext = Ext::new(dotted_oid, critical, value);
        match self.extensions.iter_mut().find(|e| e.oid == ext.oid) {
            Some(slot) => *slot = ext,
            None => self.extensions.push(ext),
        }
    }

    /// Removes every extension with this OID; returns whether there was one.
    pub fn remove_ext(&mut self, dotted_oid: &str) -> bool {
        let wanted = oid(dotted_oid);
        let before = self.extensions.len();
        self.extensions.retain(|e| e.oid != wanted);
        self.extensions.len() != before
    }

    /// Sets a critical BasicConstraints (`cA` omitted when false, as DER requires).
    pub fn set_basic_constraints(&mut self, ca: bool, path_len: Option<u8>) {
        let mut content = Vec::new();
        if ca {
            content.extend(boolean(true));
        }
        if let Some(n) = path_len {
            content.extend(integer(u64::from(n)));
        }
        self.set_ext(oids::BASIC_CONSTRAINTS, true, tlv(0x30, &content));
    }

    /// Sets a critical KeyUsage with the bits of `mask` (see [`key_usage`]).
    pub fn set_key_usage(&mut self, mask: u16) {
        self.set_ext(oids::KEY_USAGE, true, key_usage_bits(mask));
    }

    /// Sets the SubjectKeyIdentifier.
    pub fn set_subject_key_id(&mut self, id: &[u8]) {
        self.set_ext(oids::SUBJECT_KEY_ID, false, octet_string(id));
    }

    /// Sets the AuthorityKeyIdentifier (keyIdentifier only).
    pub fn set_authority_key_id(&mut self, id: &[u8]) {
        self.set_ext(oids::AUTHORITY_KEY_ID, false, authority_key_id(id));
    }

    /// Sets a CRLDistributionPoints with one URI.
    pub fn set_crl_distribution_point(&mut self, uri: &str) {
        let general_names = tlv(0xA0, &tlv(0x86, uri.as_bytes()));
        let point = sequence(&[&tlv(0xA0, &general_names)]);
        self.set_ext(oids::CRL_DISTRIBUTION_POINTS, false, sequence(&[&point]));
    }

    /// Makes the TBS `signature` AlgorithmIdentifier differ from the outer one: the TBS
    /// declares sha384WithRSAEncryption (for an ECDSA `sig_alg`, the ECDSA algorithm with
    /// the other of SHA-256 and SHA-384) while the outer field and the signature stay as
    /// `sig_alg` says.
    pub fn set_tbs_alg_mismatch(&mut self) {
        self.tbs_alg_override = Some(match self.sig_alg {
            SigAlg::EcdsaSha384 => SigAlg::EcdsaSha256.algorithm_identifier(),
            SigAlg::EcdsaSha256 => SigAlg::EcdsaSha384.algorithm_identifier(),
            _ => SigAlg::RsaPkcs1Sha384.algorithm_identifier(),
        });
    }

    /// The DER TBSCertificate, exactly the bytes that get signed.
    pub fn tbs_der(&self) -> Vec<u8> {
        self.tbs().to_der().expect("TBSCertificate encoding")
    }

    fn tbs(&self) -> TbsCertificate {
        let tbs_alg = self
            .tbs_alg_override
            .clone()
            .unwrap_or_else(|| self.sig_alg.algorithm_identifier());
        TbsCertificate {
            version: Version::V3,
            serial_number: serial_number(&self.serial),
            signature: algorithm_identifier(&tbs_alg),
            issuer: self.issuer.clone(),
            validity: Validity {
                not_before: x509_time(self.not_before),
                not_after: x509_time(self.not_after),
            },
            subject: self.subject.clone(),
            subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(&self.spki_der())
                .expect("subjectPublicKeyInfo must be valid DER"),
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: (!self.extensions.is_empty())
                .then(|| self.extensions.iter().map(Ext::to_x509).collect()),
        }
    }

    /// Encodes the certificate with `signature` as given instead of signing it: a
    /// certificate that must never verify, made without the cost of a signature (a
    /// bundle of thousands of decoys).
    pub fn build_with_signature(&self, signature: &[u8]) -> Vec<u8> {
        let outer = self
            .outer_alg_override
            .clone()
            .unwrap_or_else(|| self.sig_alg.algorithm_identifier());
        Certificate {
            tbs_certificate: self.tbs(),
            signature_algorithm: algorithm_identifier(&outer),
            signature: BitString::from_bytes(signature).expect("signature BIT STRING"),
        }
        .to_der()
        .expect("Certificate encoding")
    }

    /// Signs and encodes the certificate (DER).
    pub fn build(&self) -> Vec<u8> {
        let tbs = self.tbs();
        let tbs_der = tbs.to_der().expect("TBSCertificate encoding");
        let signature = sign(
            &self.sig_alg,
            &self.signing_key,
            &tbs_der,
            self.corrupt_signature,
        );
        let outer = self
            .outer_alg_override
            .clone()
            .unwrap_or_else(|| self.sig_alg.algorithm_identifier());
        Certificate {
            tbs_certificate: tbs,
            signature_algorithm: algorithm_identifier(&outer),
            signature: BitString::from_bytes(&signature).expect("signature BIT STRING"),
        }
        .to_der()
        .expect("Certificate encoding")
    }
}

/// Signs `tbs`, flipping the signature's lowest bit when `corrupt`.
pub(crate) fn sign(alg: &SigAlg, key: &PrivateKey, tbs: &[u8], corrupt: bool) -> Vec<u8> {
    let mut signature = alg.sign(key, tbs);
    if corrupt {
        *signature.last_mut().expect("signatures are not empty") ^= 1;
    }
    signature
}

/// A SerialNumber from raw INTEGER content octets (x509-cert's constructors only take
/// positive values; decoding takes any minimal INTEGER, zero and negatives included).
pub(crate) fn serial_number(content: &[u8]) -> SerialNumber {
    SerialNumber::from_der(&tlv(asn1::TAG_INTEGER, content)).unwrap_or_else(|e| {
        panic!(
            "serial {} is not a minimal DER INTEGER: {e}",
            hex::encode(content)
        )
    })
}

/// An AlgorithmIdentifier from raw DER (its parameters are kept byte for byte).
pub(crate) fn algorithm_identifier(der: &[u8]) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned::from_der(der).unwrap_or_else(|e| {
        panic!(
            "AlgorithmIdentifier {} is not valid DER: {e}",
            hex::encode(der)
        )
    })
}

/// The AuthorityKeyIdentifier value with only `[0] keyIdentifier`.
pub(crate) fn authority_key_id(id: &[u8]) -> Vec<u8> {
    sequence(&[&tlv(0x80, id)])
}

/// A KeyUsage BIT STRING for `mask`, trailing zero bits trimmed (DER named bit list).
fn key_usage_bits(mask: u16) -> Vec<u8> {
    // Bit i of the mask is BIT STRING bit i, i.e. the (7 - i % 8)th bit of byte i / 8.
    let reversed = mask.reverse_bits().to_be_bytes();
    let used = if reversed[1] == 0 { 1 } else { 2 };
    let bytes = &reversed[..used];
    let unused = if mask == 0 {
        0
    } else {
        bytes[used - 1].trailing_zeros() as u8
    };
    let content = if mask == 0 {
        vec![0]
    } else {
        [&[unused][..], bytes].concat()
    };
    tlv(0x03, &content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_usage_encoding() {
        // Real ARK: keyCertSign + cRLSign = 03 02 01 06; real ASK: keyCertSign = 03 02 02 04.
        assert_eq!(
            key_usage_bits(key_usage::KEY_CERT_SIGN | key_usage::CRL_SIGN),
            [3, 2, 1, 6]
        );
        assert_eq!(key_usage_bits(key_usage::KEY_CERT_SIGN), [3, 2, 2, 4]);
        assert_eq!(
            key_usage_bits(key_usage::DIGITAL_SIGNATURE),
            [3, 2, 7, 0x80]
        );
        assert_eq!(key_usage_bits(1 << 8), [3, 3, 7, 0, 0x80]);
    }

    #[test]
    fn ecdsa_self_signed_certificate_verifies() {
        use p384::ecdsa::signature::Verifier as _;
        use p384::pkcs8::DecodePublicKey as _;

        let key = PrivateKey::generate_p384(PrivateKey::seed_for("test/ecdsa-ca"));
        let mut spec = CertSpec::self_signed(name(&[("CN", "Test CA")]), key);
        spec.set_basic_constraints(true, Some(1));
        spec.set_subject_key_id(&spec.key.key_id());
        spec.set_serial(0x8000);
        let der = spec.build();
        assert_eq!(der, spec.build(), "RFC 6979 signatures are deterministic");
        let cert = Certificate::from_der(&der).expect("parses");
        assert_eq!(
            cert.tbs_certificate.serial_number.as_bytes(),
            [0x00, 0x80, 0x00]
        );
        assert_eq!(cert.signature_algorithm.oid, oid("1.2.840.10045.4.3.3"));
        assert!(cert.signature_algorithm.parameters.is_none());
        let tbs = cert.tbs_certificate.to_der().expect("encode");
        assert_eq!(tbs, spec.tbs_der());
        let spki = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .expect("encode");
        let vk = p384::ecdsa::VerifyingKey::from_public_key_der(&spki).expect("P-384 key");
        let sig = p384::ecdsa::Signature::from_der(cert.signature.raw_bytes()).expect("DER sig");
        vk.verify(&tbs, &sig).expect("verifies");

        spec.corrupt_signature = true;
        let bad = Certificate::from_der(&spec.build()).expect("parses");
        let bad_sig = p384::ecdsa::Signature::from_der(bad.signature.raw_bytes());
        assert!(bad_sig.map_or(true, |s| vk.verify(&tbs, &s).is_err()));
    }

    #[test]
    fn names_and_cn_replacement() {
        let n = name(&[("OU", "Engineering"), ("C", "US"), ("CN", "ARK-Milan")]);
        let renamed = with_common_name(&n, "ARK-Genoa");
        // Display is RFC 4514 order (last RDN first).
        assert_eq!(renamed.to_string(), "CN=ARK-Genoa,C=US,OU=Engineering");
        assert_eq!(
            with_common_name(&name(&[("O", "x")]), "y").to_string(),
            "CN=y,O=x"
        );
    }
}

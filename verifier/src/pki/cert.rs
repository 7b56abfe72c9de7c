//! An X.509 certificate, parsed once into owned values that keep the exact signed bytes.

use core::ops::Range;
use std::sync::OnceLock;

use x509_parser::der_parser::asn1_rs::Oid;
use x509_parser::prelude::FromDer;
use x509_parser::x509::{AlgorithmIdentifier, X509Name};

use super::algorithm::SignatureAlgorithm;
use super::cache::DigestMemo;
use super::frame;
use crate::crypto::Curve;
use crate::der;
use crate::error::{CertErrorKind, Error, ParseError, ParseErrorKind};
use crate::time::{from_secs, UnixTime};

/// A distinguished name: the raw DER (compared for chaining) and a readable form,
/// rendered when first asked for (error messages and claims, not chain building).
#[derive(Clone)]
pub struct Name {
    raw: Vec<u8>,
    display: OnceLock<String>,
    common_name: Option<String>,
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        // The rest is derived from the DER.
        self.raw == other.raw
    }
}

impl Eq for Name {}

impl core::fmt::Debug for Name {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Name").field(&self.display()).finish()
    }
}

impl Name {
    /// Reads a DER `Name` (RFC 5280 §4.1.2.4): a SEQUENCE of non-empty SETs of
    /// `SEQUENCE { type OID, value }`. The common name is the first commonName attribute
    /// when it is a NumericString, PrintableString, UTF8String or IA5String in UTF-8.
    pub(crate) fn from_tlv(name: &der::Tlv<'_>, what: &'static str) -> Result<Self, ParseError> {
        /// id-at-commonName (2.5.4.3).
        const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
        if name.tag != der::SEQUENCE {
            return Err(name.malformed(what, "a Name is a SEQUENCE"));
        }
        let mut common_name = None;
        let mut seen_common_name = false;
        let mut rdns = name.reader();
        while !rdns.is_empty() {
            let rdn = rdns.expect(der::SET, what)?;
            let mut attributes = rdn.reader();
            if attributes.is_empty() {
                return Err(rdn.malformed(what, "an empty RelativeDistinguishedName"));
            }
            while !attributes.is_empty() {
                let attribute = attributes.expect(der::SEQUENCE, what)?;
                let mut fields = attribute.reader();
                let kind = fields.expect(der::OID, what)?;
                if !der::oid_well_formed(kind.content) {
                    return Err(kind.malformed(what, "malformed OBJECT IDENTIFIER"));
                }
                let value = fields.read(what)?;
                fields.finish(what)?;
                if !seen_common_name && kind.content == COMMON_NAME {
                    seen_common_name = true;
                    common_name = match value.tag {
                        der::NUMERIC_STRING
                        | der::PRINTABLE_STRING
                        | der::UTF8_STRING
                        | der::IA5_STRING => {
                            core::str::from_utf8(value.content).ok().map(str::to_owned)
                        }
                        _ => None,
                    };
                }
            }
        }
        Ok(Self {
            raw: name.raw().to_vec(),
            display: OnceLock::new(),
            common_name,
        })
    }

    /// The DER encoding.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// An RFC 4514-style readable form.
    pub fn display(&self) -> &str {
        self.display.get_or_init(|| {
            // The bytes parsed as a name when the certificate or CRL was read.
            X509Name::from_der(&self.raw)
                .map(|(_, name)| name.to_string())
                .unwrap_or_else(|_| format!("<name {}>", crate::hexstr::to_hex(&self.raw)))
        })
    }

    /// The first commonName, if any.
    pub fn common_name(&self) -> Option<&str> {
        self.common_name.as_deref()
    }
}

/// A subject public key Verdict can use.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// An EC key on a supported curve: the uncompressed SEC1 point.
    Ec {
        /// The curve.
        curve: Curve,
        /// SEC1 point bytes.
        point: Vec<u8>,
    },
    /// An RSA key: the PKCS#1 `RSAPublicKey` DER.
    Rsa {
        /// PKCS#1 DER.
        pkcs1: Vec<u8>,
    },
    /// Any other key (it can verify nothing).
    Other {
        /// Algorithm OID.
        algorithm: String,
    },
}

/// One certificate extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// Dotted OID.
    pub oid: String,
    /// The critical flag.
    pub critical: bool,
    /// The extnValue contents (inside the OCTET STRING).
    pub value: Vec<u8>,
}

const EXTENDED_KEY_USAGE: &str = "2.5.29.37";
const BASIC_CONSTRAINTS: &str = "2.5.29.19";
const KEY_USAGE: &str = "2.5.29.15";

/// keyUsage bits Verdict reads, in the first octet (bit 0 is its most significant).
const KU_DIGITAL_SIGNATURE: u8 = 0x80;
const KU_KEY_CERT_SIGN: u8 = 0x04;

/// `BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER
/// (0..MAX) OPTIONAL }` as (cA, pathLenConstraint); `None` if malformed.
fn decode_basic_constraints(value: &[u8]) -> Option<(bool, Option<u32>)> {
    let mut top = der::Reader::new(value);
    let seq = top.expect(der::SEQUENCE, "basicConstraints").ok()?;
    top.finish("basicConstraints").ok()?;
    let mut fields = seq.reader();
    let ca = match fields.optional(der::BOOLEAN, "cA").ok()? {
        Some(flag) => flag.boolean("cA").ok()?,
        None => false,
    };
    let path_len = match fields.optional(der::INTEGER, "pathLenConstraint").ok()? {
        Some(n) => {
            let content = n.integer("pathLenConstraint").ok()?;
            let magnitude = match content {
                [0, rest @ ..] => rest,
                [first, ..] if first & 0x80 != 0 => return None,
                all => all,
            };
            if magnitude.len() > 4 {
                return None;
            }
            Some(magnitude.iter().fold(0u32, |v, b| (v << 8) | u32::from(*b)))
        }
        None => None,
    };
    fields.finish("basicConstraints").ok()?;
    Some((ca, path_len))
}

/// The first octet of a `KeyUsage ::= BIT STRING` (named bits 0–7); `None` if malformed.
fn decode_key_usage(value: &[u8]) -> Option<u8> {
    let mut top = der::Reader::new(value);
    let bits = top.expect(der::BIT_STRING, "keyUsage").ok()?;
    top.finish("keyUsage").ok()?;
    match bits.content {
        [unused, first, ..] if *unused <= 7 => Some(*first),
        // No named bit set: an empty bit string.
        [0] => Some(0),
        _ => None,
    }
}

/// An OID in dotted decimal. `Oid::to_id_string` goes through a big integer per arc
/// (x509-parser turns asn1-rs' `bigint` on), a tenth of a certificate's parse; arcs that
/// fit 64 bits, which is every arc in practice, are written directly, to the same text.
pub(crate) fn dotted(oid: &Oid<'_>) -> String {
    use core::fmt::Write as _;
    // An unterminated last arc (its final byte's high bit set) is decoded by asn1-rs as
    // if it ended, cut to 64 bits, so the bytes of no OID could read as a known one
    // (`…3.1.81 80 … 87` as P-256's `…3.1.7`): such an OID gets a text no known OID has.
    if oid.as_bytes().last().is_some_and(|b| b & 0x80 != 0) {
        return format!("malformed OID {}", crate::hexstr::to_hex(oid.as_bytes()));
    }
    let Some(arcs) = oid.iter() else {
        return oid.to_id_string();
    };
    let mut text = String::with_capacity(oid.as_bytes().len().saturating_mul(3));
    for (i, arc) in arcs.enumerate() {
        if i > 0 {
            text.push('.');
        }
        // Writing to a String cannot fail.
        let _ = write!(text, "{arc}");
    }
    text
}

/// Extensions whose semantics the path checker implements, so they may be critical.
/// basicConstraints and keyUsage are enforced; the rest carry no constraint on the
/// fixed-role chains Verdict builds (a vendor root plus known intermediates).
const HANDLED_CRITICAL: &[&str] = &[
    "2.5.29.19", // basicConstraints
    "2.5.29.15", // keyUsage
    "2.5.29.37", // extendedKeyUsage
    "2.5.29.14", // subjectKeyIdentifier
    "2.5.29.35", // authorityKeyIdentifier
    "2.5.29.17", // subjectAltName
    "2.5.29.32", // certificatePolicies
];

/// An X.509 v3 certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    tbs: Range<usize>,
    tbs_memo: DigestMemo,
    signature_algorithm: Result<SignatureAlgorithm, CertErrorKind>,
    signature: Vec<u8>,
    serial: Vec<u8>,
    subject: Name,
    issuer: Name,
    not_before: u64,
    not_after: u64,
    spki: Range<usize>,
    public_key_bits: Range<usize>,
    public_key: PublicKey,
    basic_constraints: Option<(bool, Option<u32>)>,
    key_cert_sign: Option<bool>,
    digital_signature: Option<bool>,
    extended_key_usage: Option<Vec<String>>,
    extensions: Vec<Extension>,
}

/// The range of `inner` within `outer`, when `inner` is a sub-slice of it.
pub(crate) fn subrange(outer: &[u8], inner: &[u8]) -> Option<Range<usize>> {
    let start = (inner.as_ptr() as usize).checked_sub(outer.as_ptr() as usize)?;
    let end = start.checked_add(inner.len())?;
    (end <= outer.len()).then_some(start..end)
}

/// Strips the leading zero bytes of a DER INTEGER's content (keeping at least one byte),
/// so serials compare by value.
pub(crate) fn normalize_serial(raw: &[u8]) -> Vec<u8> {
    let start = raw
        .iter()
        .position(|b| *b != 0)
        .unwrap_or_else(|| raw.len().saturating_sub(1));
    raw.get(start..).unwrap_or(raw).to_vec()
}

/// The KeyPurposeIds of an extendedKeyUsage value (`SEQUENCE OF OBJECT IDENTIFIER`), in
/// order. Decoded here rather than through x509-parser's `ExtendedKeyUsage`, which folds
/// the purposes it knows into flags and would lose their order and any repeats.
fn key_purposes(value: &[u8]) -> Option<Vec<String>> {
    match Vec::<Oid<'_>>::from_der(value) {
        Ok(([], oids)) => Some(oids.iter().map(dotted).collect()),
        _ => None,
    }
}

fn public_key(algorithm: &AlgorithmIdentifier<'_>, key: &[u8]) -> PublicKey {
    let alg = dotted(&algorithm.algorithm);
    let key = key.to_vec();
    match alg.as_str() {
        "1.2.840.10045.2.1" => {
            let curve = algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| dotted(&o));
            match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => PublicKey::Ec {
                    curve: Curve::P256,
                    point: key,
                },
                Some("1.3.132.0.34") => PublicKey::Ec {
                    curve: Curve::P384,
                    point: key,
                },
                other => PublicKey::Other {
                    algorithm: format!("EC {}", other.unwrap_or("(no curve)")),
                },
            }
        }
        "1.2.840.113549.1.1.1" => PublicKey::Rsa { pkcs1: key },
        _ => PublicKey::Other { algorithm: alg },
    }
}

/// Reads a certificate (RFC 5280 §4.1) with the workspace's DER reader: the frame, the
/// names, validity, key and extensions here; the AlgorithmIdentifiers (of the signature
/// and of the key) by x509-parser, whose readings `algorithm` and [`public_key`]
/// classify. (x509-parser's whole-certificate parse was half of reading Intel's
/// collateral files: every name decoded attribute by attribute, the serial as a big
/// integer, the times through a calendar type.)
fn parse_certificate(der: &[u8]) -> Result<Certificate, ParseError> {
    let frame::Signed {
        tbs,
        outer_algorithm,
        signature,
    } = frame::signed(der, &NAMES)?;

    let mut t = tbs.reader();
    if let Some(version) = t.optional(der::context(0), "certificate version")? {
        let version = version.explicit(der::INTEGER, "certificate version")?;
        if version.small_uint("certificate version")? > 2 {
            return Err(version.invalid("certificate version", "not v1, v2 or v3"));
        }
    }
    let serial = t
        .expect(der::INTEGER, "certificate serialNumber")?
        .integer("certificate serialNumber")?;
    let inner_algorithm = t.expect(der::SEQUENCE, "tbsCertificate signature")?;
    let issuer = Name::from_tlv(&t.read("certificate issuer")?, "certificate issuer")?;
    let validity = t.expect(der::SEQUENCE, "certificate validity")?;
    let mut times = validity.reader();
    let not_before = times.read("notBefore")?.x509_time("notBefore")?;
    let not_after = times.read("notAfter")?.x509_time("notAfter")?;
    times.finish("certificate validity")?;
    let subject = Name::from_tlv(&t.read("certificate subject")?, "certificate subject")?;
    let spki_tlv = t.expect(der::SEQUENCE, "subjectPublicKeyInfo")?;
    // issuerUniqueID [1] and subjectUniqueID [2], IMPLICIT BIT STRINGs: read past.
    t.optional(der::context_primitive(1), "issuerUniqueID")?;
    t.optional(der::context_primitive(2), "subjectUniqueID")?;
    let extensions = match t.optional(der::context(3), "certificate extensions")? {
        Some(wrapped) => {
            read_extensions(&wrapped.explicit(der::SEQUENCE, "certificate extensions")?)?
        }
        None => Vec::new(),
    };
    t.finish("tbsCertificate")?;

    // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
    // subjectPublicKey BIT STRING }; every key Verdict uses is whole octets.
    let mut spki = spki_tlv.reader();
    let key_algorithm = spki.expect(der::SEQUENCE, "subjectPublicKeyInfo algorithm")?;
    let key_bits = spki.expect(der::BIT_STRING, "subjectPublicKey")?;
    let key = key_bits.bit_string_octets("subjectPublicKey")?;
    spki.finish("subjectPublicKeyInfo")?;
    let key_algorithm_parsed =
        frame::algorithm_identifier(&key_algorithm, "subjectPublicKeyInfo algorithm")?;
    let signature_algorithm =
        frame::signature_algorithm(&outer_algorithm, &inner_algorithm, &NAMES)?;
    let malformed = |what, why: &str| ParseError {
        what,
        offset: tbs.offset,
        kind: ParseErrorKind::Der(why.to_owned()),
    };
    let spki_range = spki_tlv.range();
    let public_key_bits = subrange(der, key)
        .ok_or_else(|| malformed("subjectPublicKeyInfo", "subjectPublicKey range"))?;

    // RFC 5280 §4.2: a certificate must not include an extension twice (which one
    // counts would be up to the reader).
    for (i, e) in extensions.iter().enumerate() {
        if extensions
            .get(..i)
            .unwrap_or(&[])
            .iter()
            .any(|p| p.oid == e.oid)
        {
            return Err(malformed(
                "certificate extensions",
                &format!("extension {} appears twice", e.oid),
            ));
        }
    }
    let basic_constraints = extensions
        .iter()
        .find(|e| e.oid == BASIC_CONSTRAINTS)
        .map(|e| {
            decode_basic_constraints(&e.value)
                .ok_or_else(|| malformed("certificate basicConstraints", "not a BasicConstraints"))
        })
        .transpose()?;
    let key_usage = extensions
        .iter()
        .find(|e| e.oid == KEY_USAGE)
        .map(|e| {
            decode_key_usage(&e.value)
                .ok_or_else(|| malformed("certificate keyUsage", "not a KeyUsage BIT STRING"))
        })
        .transpose()?;
    let extended_key_usage = extensions
        .iter()
        .find(|e| e.oid == EXTENDED_KEY_USAGE)
        .map(|e| {
            key_purposes(&e.value)
                .ok_or_else(|| malformed("certificate extendedKeyUsage", "not a SEQUENCE OF OID"))
        })
        .transpose()?;
    Ok(Certificate {
        der: der.to_vec(),
        tbs: tbs.range(),
        tbs_memo: DigestMemo::default(),
        signature_algorithm,
        signature: signature.to_vec(),
        serial: normalize_serial(serial),
        subject,
        issuer,
        not_before,
        not_after,
        spki: spki_range,
        public_key_bits,
        public_key: public_key(&key_algorithm_parsed, key),
        basic_constraints,
        key_cert_sign: key_usage.map(|bits| bits & KU_KEY_CERT_SIGN != 0),
        digital_signature: key_usage.map(|bits| bits & KU_DIGITAL_SIGNATURE != 0),
        extended_key_usage,
        extensions,
    })
}

/// The extensions, their OIDs written out.
fn read_extensions(list: &der::Tlv<'_>) -> Result<Vec<Extension>, ParseError> {
    const WHAT: &str = "certificate extension";
    frame::extensions(list, WHAT)?
        .into_iter()
        .map(|e| {
            Ok(Extension {
                oid: e.oid.oid(WHAT)?,
                critical: e.critical,
                value: e.value.to_vec(),
            })
        })
        .collect()
}

/// A certificate's parts, as errors name them.
const NAMES: frame::Names = frame::Names {
    whole: "certificate",
    tbs: "tbsCertificate",
    outer_algorithm: "certificate signatureAlgorithm",
    inner_algorithm: "tbsCertificate signature",
    signature: "certificate signatureValue",
};

impl Certificate {
    /// Parses one DER certificate. Trailing bytes are an error.
    ///
    /// # Errors
    /// [`Error::Parse`] naming what did not decode.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        parse_certificate(der).map_err(Error::Parse)
    }

    /// The whole certificate, DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    pub(crate) fn tbs_memo(&self) -> &DigestMemo {
        &self.tbs_memo
    }

    /// The signed TBSCertificate bytes, exactly as received.
    pub fn tbs(&self) -> &[u8] {
        self.der.get(self.tbs.clone()).unwrap_or(&[])
    }

    /// The DER SubjectPublicKeyInfo (what roots are pinned by).
    pub fn spki_der(&self) -> &[u8] {
        self.der.get(self.spki.clone()).unwrap_or(&[])
    }

    /// The signature algorithm, or why it is not accepted.
    ///
    /// # Errors
    /// The reason the algorithm or its parameters are refused.
    pub fn signature_algorithm(&self) -> Result<SignatureAlgorithm, CertErrorKind> {
        self.signature_algorithm.clone()
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The serial number, big-endian without leading zeros (`[0]` for AMD's VCEKs).
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// Subject name.
    pub fn subject(&self) -> &Name {
        &self.subject
    }

    /// Issuer name.
    pub fn issuer(&self) -> &Name {
        &self.issuer
    }

    /// notBefore.
    pub fn not_before(&self) -> UnixTime {
        from_secs(self.not_before)
    }

    /// notAfter.
    pub fn not_after(&self) -> UnixTime {
        from_secs(self.not_after)
    }

    /// notBefore, seconds since the epoch (the unit of the crate's checks and errors).
    pub(crate) fn not_before_secs(&self) -> u64 {
        self.not_before
    }

    /// notAfter, seconds since the epoch.
    pub(crate) fn not_after_secs(&self) -> u64 {
        self.not_after
    }

    /// The contents of the subjectPublicKey BIT STRING (without its unused-bits octet):
    /// what RFC 6960 key hashes (CertID issuerKeyHash, ResponderID byKey) are taken over.
    pub fn subject_public_key_bits(&self) -> &[u8] {
        self.der.get(self.public_key_bits.clone()).unwrap_or(&[])
    }

    /// The subject public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// basicConstraints as `(cA, pathLenConstraint)`, if present.
    pub fn basic_constraints(&self) -> Option<(bool, Option<u32>)> {
        self.basic_constraints
    }

    /// keyUsage keyCertSign, if keyUsage is present.
    pub fn can_sign_certificates(&self) -> Option<bool> {
        self.key_cert_sign
    }

    /// keyUsage digitalSignature, if keyUsage is present.
    pub fn can_sign_data(&self) -> Option<bool> {
        self.digital_signature
    }

    /// The KeyPurposeIds of extendedKeyUsage (dotted OIDs, in order), if present.
    pub fn extended_key_usage(&self) -> Option<&[String]> {
        self.extended_key_usage.as_deref()
    }

    /// All extensions in order.
    pub fn extensions(&self) -> &[Extension] {
        &self.extensions
    }

    /// The extension with this dotted OID, if present.
    pub fn extension(&self, oid: &str) -> Option<&Extension> {
        self.extensions.iter().find(|e| e.oid == oid)
    }

    /// The first critical extension the path checker does not process.
    pub fn unhandled_critical_extension(&self) -> Option<&str> {
        self.extensions
            .iter()
            .find(|e| e.critical && !HANDLED_CRITICAL.contains(&e.oid.as_str()))
            .map(|e| e.oid.as_str())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::borrow::Cow;

    use super::*;

    /// `dotted` writes what asn1-rs writes, for ordinary OIDs and for an arc past 64 bits;
    /// an unterminated last arc, which asn1-rs reads as ending (here as P-256's OID), is
    /// named malformed instead.
    #[test]
    fn dotted_matches_asn1_rs() {
        let cases: [&[u8]; 5] = [
            &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
            &[0x55, 0x1d, 0x13],
            &[0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01],
            &[
                0x2a, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01,
            ],
            &[
                0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                0x80, 0x80, 0x80, 0x87,
            ],
        ];
        for bytes in &cases[..4] {
            let oid = Oid::new(Cow::Borrowed(*bytes));
            assert_eq!(dotted(&oid), oid.to_id_string(), "{bytes:02x?}");
        }
        assert_eq!(
            dotted(&Oid::new(Cow::Borrowed(cases[0]))),
            "1.2.840.10045.3.1.7"
        );
        let unterminated = Oid::new(Cow::Borrowed(cases[4]));
        assert_eq!(unterminated.to_id_string(), "1.2.840.10045.3.1.7");
        assert!(dotted(&unterminated).starts_with("malformed OID 2a8648ce3d030181"));
    }

    #[test]
    fn basic_constraints_and_key_usage_decode_strictly() {
        assert_eq!(decode_basic_constraints(&[0x30, 0x00]), Some((false, None)));
        assert_eq!(
            decode_basic_constraints(&[0x30, 0x06, 0x01, 0x01, 0xFF, 0x02, 0x01, 0x00]),
            Some((true, Some(0)))
        );
        assert_eq!(
            decode_basic_constraints(&[0x30, 0x04, 0x02, 0x02, 0x00, 0x80]),
            Some((false, Some(128)))
        );
        for bad in [
            &[0x30, 0x03, 0x01, 0x01, 0x01][..], // BOOLEAN neither 00 nor FF
            &[0x30, 0x03, 0x02, 0x01, 0xFF],     // negative pathLen
            &[0x30, 0x04, 0x02, 0x02, 0x00, 0x01], // non-minimal INTEGER
            &[0x30, 0x05, 0x01, 0x01, 0xFF, 0x05, 0x00], // something after cA
            &[0x30, 0x02, 0x01, 0x01],           // truncated
            &[0x30, 0x00, 0x00],                 // trailing byte
            &[0x31, 0x00],                       // a SET
        ] {
            assert_eq!(decode_basic_constraints(bad), None, "{bad:02x?}");
        }
        // keyCertSign | cRLSign (bits 5, 6): 03 02 01 06; digitalSignature: 03 02 07 80.
        assert_eq!(decode_key_usage(&[0x03, 0x02, 0x01, 0x06]), Some(0x06));
        assert_eq!(decode_key_usage(&[0x03, 0x02, 0x07, 0x80]), Some(0x80));
        assert_eq!(decode_key_usage(&[0x03, 0x01, 0x00]), Some(0));
        for bad in [
            &[0x03, 0x01, 0x01][..],
            &[0x03, 0x02, 0x08, 0x80],
            &[0x04, 0x01, 0x00],
        ] {
            assert_eq!(decode_key_usage(bad), None, "{bad:02x?}");
        }
    }

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        der::write_tlv(&mut out, tag, content);
        out
    }

    fn attribute(oid: &[u8], tag: u8, value: &[u8]) -> Vec<u8> {
        tlv(
            der::SEQUENCE,
            &[tlv(der::OID, oid), tlv(tag, value)].concat(),
        )
    }

    fn name(rdns: &[Vec<u8>]) -> Result<Name, ParseError> {
        let bytes = tlv(der::SEQUENCE, &rdns.concat());
        let mut r = der::Reader::new(&bytes);
        Name::from_tlv(&r.read("test").unwrap(), "test")
    }

    /// The first commonName counts, and only as one of the four string types x509-parser
    /// reads as text; a later commonName does not stand in for one of another type.
    #[test]
    fn a_name_keeps_its_first_common_name_and_is_read_strictly() {
        const CN: &[u8] = &[0x55, 0x04, 0x03];
        const O: &[u8] = &[0x55, 0x04, 0x0A];
        let rdn = |attrs: &[Vec<u8>]| tlv(der::SET, &attrs.concat());
        let n = name(&[
            rdn(&[attribute(O, der::UTF8_STRING, b"Org")]),
            rdn(&[attribute(CN, der::PRINTABLE_STRING, b"First")]),
            rdn(&[attribute(CN, der::UTF8_STRING, b"Second")]),
        ])
        .unwrap();
        assert_eq!(n.common_name(), Some("First"));
        // BMPString (0x1E) and a constructed UTF8String: no text.
        for tag in [0x1E, 0x2C] {
            let n = name(&[
                rdn(&[attribute(CN, tag, b"\0A")]),
                rdn(&[attribute(CN, der::UTF8_STRING, b"Later")]),
            ])
            .unwrap();
            assert_eq!(n.common_name(), None, "tag {tag:#04x}");
        }
        assert_eq!(
            name(&[rdn(&[attribute(CN, der::UTF8_STRING, &[0xFF])])])
                .unwrap()
                .common_name(),
            None
        );
        assert!(name(&[]).unwrap().common_name().is_none());
        for bad in [
            vec![rdn(&[])],                                                   // an empty RDN
            vec![tlv(der::SEQUENCE, &attribute(CN, der::UTF8_STRING, b"x"))], // not a SET
            vec![rdn(&[attribute(&[0x55, 0x84], der::UTF8_STRING, b"x")])],   // bad OID
            vec![rdn(&[tlv(
                der::SEQUENCE,
                &[
                    tlv(der::OID, CN),
                    tlv(der::UTF8_STRING, b"x"),
                    tlv(der::NULL, &[]),
                ]
                .concat(),
            )])], // three elements
        ] {
            assert!(name(&bad).is_err(), "{bad:02x?}");
        }
    }
}

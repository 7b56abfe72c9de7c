//! Fake OCSP responses (RFC 6960) with raw control of every field: [`OcspResponseSpec`]
//! (a BasicOCSPResponse and its envelope) and [`SingleResponseSpec`] (one certificate's
//! status), plus [`responder_cert`] for a delegated responder certificate.
//!
//! Generic on purpose: certificates go in as DER and keys as [`PrivateKey`], a response
//! comes out as DER. Vendor PKIs (the NVIDIA device chain) are built elsewhere.

use der::asn1::GeneralizedTime;
use der::{Decode, Encode};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use x509_cert::name::Name;
use x509_cert::Certificate;

use super::asn1::{
    boolean, integer, object_identifier, octet_string, oid, sequence, tlv, uint_content,
};
use super::x509::{key_usage, sign, CertSpec};
use super::{Ext, PrivateKey, SigAlg};

/// OIDs (dotted) of the OCSP profile.
pub mod oids {
    /// id-pkix-ocsp-basic: the responseType of a BasicOCSPResponse.
    pub const BASIC: &str = "1.3.6.1.5.5.7.48.1.1";
    /// id-pkix-ocsp-nonce.
    pub const NONCE: &str = "1.3.6.1.5.5.7.48.1.2";
    /// id-pkix-ocsp-nocheck: a responder certificate need not be checked for revocation.
    pub const NOCHECK: &str = "1.3.6.1.5.5.7.48.1.5";
    /// id-kp-OCSPSigning.
    pub const OCSP_SIGNING: &str = "1.3.6.1.5.5.7.3.9";
    /// id-ce-extKeyUsage.
    pub const EXTENDED_KEY_USAGE: &str = "2.5.29.37";
    /// id-sha1.
    pub const SHA1: &str = "1.3.14.3.2.26";
}

/// The hash algorithm of a CertID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertIdHash {
    /// SHA-1 (OpenSSL's default, NVAT's choice).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384 (NVIDIA's Python verifier's choice).
    Sha384,
    /// SHA-512.
    Sha512,
    /// Any other OID (dotted); its hashes are computed with SHA-256.
    Other(String),
}

impl CertIdHash {
    /// The algorithm's dotted OID.
    pub fn oid(&self) -> &str {
        match self {
            Self::Sha1 => oids::SHA1,
            Self::Sha256 => "2.16.840.1.101.3.4.2.1",
            Self::Sha384 => "2.16.840.1.101.3.4.2.2",
            Self::Sha512 => "2.16.840.1.101.3.4.2.3",
            Self::Other(oid) => oid,
        }
    }

    /// The digest of `data`.
    pub fn digest(&self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => Sha1::digest(data).to_vec(),
            Self::Sha256 | Self::Other(_) => Sha256::digest(data).to_vec(),
            Self::Sha384 => Sha384::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

/// What a SingleResponse says about its certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusSpec {
    /// `good [0] IMPLICIT NULL`.
    Good,
    /// `revoked [1] IMPLICIT RevokedInfo`.
    Revoked {
        /// revocationTime, Unix seconds.
        at: u64,
        /// revocationReason (CRLReason value, written as given), `None` omits it.
        reason: Option<u8>,
    },
    /// `unknown [2] IMPLICIT NULL`.
    Unknown,
}

/// The id-pkix-ocsp-nonce response extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NonceSpec {
    /// No nonce extension.
    Absent,
    /// extnValue holds an OCTET STRING with these bytes (RFC 8954).
    Wrapped(Vec<u8>),
    /// extnValue holds these bytes directly (what older responders send).
    Raw(Vec<u8>),
}

/// The ResponderID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponderIdSpec {
    /// `byName [1]`: this Name (DER).
    ByName(Vec<u8>),
    /// `byKey [2]`: this KeyHash (normally the SHA-1 of the signer's key bits).
    ByKey(Vec<u8>),
}

impl ResponderIdSpec {
    /// byName, with the subject of `cert` (DER).
    pub fn by_name(cert: &[u8]) -> Self {
        Self::ByName(
            parse(cert)
                .tbs_certificate
                .subject
                .to_der()
                .expect("Name encoding"),
        )
    }

    /// byKey, with the SHA-1 of the subjectPublicKey bits of `cert` (DER).
    pub fn by_key(cert: &[u8]) -> Self {
        Self::ByKey(Sha1::digest(public_key_bits(cert)).to_vec())
    }

    fn to_der(&self) -> Vec<u8> {
        match self {
            Self::ByName(name) => tlv(0xA1, name),
            Self::ByKey(hash) => tlv(0xA2, &octet_string(hash)),
        }
    }
}

/// One SingleResponse before encoding.
#[derive(Debug, Clone)]
pub struct SingleResponseSpec {
    /// CertID hashAlgorithm.
    pub hash: CertIdHash,
    /// CertID issuerNameHash, written as given.
    pub issuer_name_hash: Vec<u8>,
    /// CertID issuerKeyHash, written as given.
    pub issuer_key_hash: Vec<u8>,
    /// CertID serialNumber content octets, written as given.
    pub serial: Vec<u8>,
    /// certStatus.
    pub status: StatusSpec,
    /// thisUpdate, Unix seconds.
    pub this_update: u64,
    /// nextUpdate, Unix seconds; `None` omits it.
    pub next_update: Option<u64>,
    /// singleExtensions; none omits the field.
    pub extensions: Vec<Ext>,
}

impl SingleResponseSpec {
    /// A `good` answer about `cert` issued by `issuer` (both DER), its CertID under
    /// `hash`, valid for one day from `this_update` (as NVIDIA's responder answers).
    pub fn good(cert: &[u8], issuer: &[u8], hash: CertIdHash, this_update: u64) -> Self {
        let issuer_name = parse(issuer)
            .tbs_certificate
            .subject
            .to_der()
            .expect("Name encoding");
        Self {
            issuer_name_hash: hash.digest(&issuer_name),
            issuer_key_hash: hash.digest(&public_key_bits(issuer)),
            serial: parse(cert)
                .tbs_certificate
                .serial_number
                .as_bytes()
                .to_vec(),
            hash,
            status: StatusSpec::Good,
            this_update,
            next_update: Some(this_update + super::time::DAY),
            extensions: Vec::new(),
        }
    }

    /// The DER SingleResponse.
    pub fn to_der(&self) -> Vec<u8> {
        let hash_algorithm = sequence(&[&object_identifier(&oid(self.hash.oid())), &[0x05, 0x00]]);
        let cert_id = sequence(&[
            &hash_algorithm,
            &octet_string(&self.issuer_name_hash),
            &octet_string(&self.issuer_key_hash),
            &tlv(0x02, &self.serial),
        ]);
        let status = match self.status {
            StatusSpec::Good => vec![0x80, 0x00],
            StatusSpec::Unknown => vec![0x82, 0x00],
            StatusSpec::Revoked { at, reason } => {
                let reason = reason
                    .map(|r| tlv(0xA0, &tlv(0x0A, &uint_content(&[r]))))
                    .unwrap_or_default();
                tlv(0xA1, &[generalized_time(at), reason].concat())
            }
        };
        let mut fields = vec![cert_id, status, generalized_time(self.this_update)];
        if let Some(next) = self.next_update {
            fields.push(tlv(0xA0, &generalized_time(next)));
        }
        if !self.extensions.is_empty() {
            fields.push(tlv(0xA1, &extensions(&self.extensions)));
        }
        tlv(0x30, &fields.concat())
    }
}

/// A mutable description of one OCSPResponse before signing. Every field is public:
/// tests change what they need, then call [`OcspResponseSpec::build`].
#[derive(Debug, Clone)]
pub struct OcspResponseSpec {
    /// responseStatus (0 successful, 6 unauthorized, ...), written as given.
    pub response_status: u8,
    /// Whether responseBytes is written (only successful responses have it).
    pub include_response_bytes: bool,
    /// responseType (dotted OID); the response is a BasicOCSPResponse whatever it says.
    pub response_type: String,
    /// ResponseData version written explicitly; `None` omits it (the v1 default).
    pub version: Option<u8>,
    /// responderID.
    pub responder_id: ResponderIdSpec,
    /// producedAt, Unix seconds.
    pub produced_at: u64,
    /// The SingleResponses, in order.
    pub responses: Vec<SingleResponseSpec>,
    /// The nonce extension.
    pub nonce: NonceSpec,
    /// responseExtensions after the nonce.
    pub extensions: Vec<Ext>,
    /// The key that signs tbsResponseData.
    pub signing_key: PrivateKey,
    /// How to sign, and the signatureAlgorithm written by default.
    pub sig_alg: SigAlg,
    /// Raw DER signatureAlgorithm to write instead of `sig_alg`'s.
    pub sig_alg_override: Option<Vec<u8>>,
    /// `certs` (DER certificates, in order); empty omits the field.
    pub certs: Vec<Vec<u8>>,
    /// Flip the lowest bit of the signature after signing.
    pub corrupt_signature: bool,
}

impl OcspResponseSpec {
    /// A successful basic response holding `single`, signed by `signing_key` as the
    /// certificate `signer` (DER; named byName), producedAt = the answer's thisUpdate,
    /// no nonce and no `certs`.
    pub fn new(single: SingleResponseSpec, signer: &[u8], signing_key: PrivateKey) -> Self {
        Self {
            response_status: 0,
            include_response_bytes: true,
            response_type: oids::BASIC.to_owned(),
            version: None,
            responder_id: ResponderIdSpec::by_name(signer),
            produced_at: single.this_update,
            responses: vec![single],
            nonce: NonceSpec::Absent,
            extensions: Vec::new(),
            sig_alg: SigAlg::default_for(&signing_key),
            signing_key,
            sig_alg_override: None,
            certs: Vec::new(),
            corrupt_signature: false,
        }
    }

    /// The DER tbsResponseData: exactly the signed bytes.
    pub fn tbs_der(&self) -> Vec<u8> {
        let mut fields = Vec::new();
        if let Some(v) = self.version {
            fields.push(tlv(0xA0, &integer(u64::from(v))));
        }
        fields.push(self.responder_id.to_der());
        fields.push(generalized_time(self.produced_at));
        let responses: Vec<u8> = self.responses.iter().flat_map(|r| r.to_der()).collect();
        fields.push(tlv(0x30, &responses));
        let mut extensions_list = match &self.nonce {
            NonceSpec::Absent => Vec::new(),
            NonceSpec::Wrapped(n) => vec![Ext::new(oids::NONCE, false, octet_string(n))],
            NonceSpec::Raw(n) => vec![Ext::new(oids::NONCE, false, n.clone())],
        };
        extensions_list.extend(self.extensions.iter().cloned());
        if !extensions_list.is_empty() {
            fields.push(tlv(0xA1, &extensions(&extensions_list)));
        }
        tlv(0x30, &fields.concat())
    }

    /// The DER BasicOCSPResponse.
    pub fn basic_der(&self) -> Vec<u8> {
        let tbs = self.tbs_der();
        let signature = sign(
            &self.sig_alg,
            &self.signing_key,
            &tbs,
            self.corrupt_signature,
        );
        let algorithm = self
            .sig_alg_override
            .clone()
            .unwrap_or_else(|| self.sig_alg.algorithm_identifier());
        let mut fields = vec![
            tbs,
            algorithm,
            tlv(0x03, &[&[0u8][..], &signature].concat()),
        ];
        if !self.certs.is_empty() {
            fields.push(tlv(0xA0, &tlv(0x30, &self.certs.concat())));
        }
        tlv(0x30, &fields.concat())
    }

    /// Signs and encodes the OCSPResponse (DER).
    pub fn build(&self) -> Vec<u8> {
        let mut fields = vec![tlv(0x0A, &uint_content(&[self.response_status]))];
        if self.include_response_bytes {
            let response_bytes = sequence(&[
                &object_identifier(&oid(&self.response_type)),
                &octet_string(&self.basic_der()),
            ]);
            fields.push(tlv(0xA0, &response_bytes));
        }
        tlv(0x30, &fields.concat())
    }

    /// A response with status `response_status` and no body (as a responder that refuses
    /// sends: `30 03 0a 01 06` for unauthorized).
    pub fn status_only(response_status: u8) -> Vec<u8> {
        tlv(0x30, &tlv(0x0A, &uint_content(&[response_status])))
    }
}

/// How a delegated responder certificate says it need not be checked for revocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoCheck {
    /// Not at all.
    Omitted,
    /// The id-pkix-ocsp-nocheck extension (RFC 6960 §4.2.2.2.1).
    Extension,
    /// The nocheck OID listed inside extendedKeyUsage next to OCSPSigning, as NVIDIA's
    /// device-identity responders do.
    InsideEku,
}

/// A delegated OCSP responder certificate for `key` named `subject`, issued by `issuer`:
/// critical keyUsage digitalSignature, critical extendedKeyUsage OCSPSigning, SKI/AKI,
/// and the nocheck marking chosen; validity as [`CertSpec::issued_by`].
pub fn responder_cert(
    subject: Name,
    key: PrivateKey,
    issuer: &CertSpec,
    no_check: NoCheck,
) -> CertSpec {
    let mut spec = CertSpec::issued_by(subject, key, issuer);
    spec.set_key_usage(key_usage::DIGITAL_SIGNATURE);
    let purposes: &[&str] = match no_check {
        NoCheck::InsideEku => &[oids::OCSP_SIGNING, oids::NOCHECK],
        NoCheck::Omitted | NoCheck::Extension => &[oids::OCSP_SIGNING],
    };
    spec.set_ext(oids::EXTENDED_KEY_USAGE, true, extended_key_usage(purposes));
    if no_check == NoCheck::Extension {
        spec.set_ext(oids::NOCHECK, false, vec![0x05, 0x00]);
    }
    spec.set_subject_key_id(&spec.key.key_id());
    spec.set_authority_key_id(&issuer.key_id());
    spec
}

/// An extendedKeyUsage value: `SEQUENCE OF KeyPurposeId` with these dotted OIDs.
pub fn extended_key_usage(purposes: &[&str]) -> Vec<u8> {
    let encoded: Vec<u8> = purposes
        .iter()
        .flat_map(|p| object_identifier(&oid(p)))
        .collect();
    tlv(0x30, &encoded)
}

/// A DER GeneralizedTime `YYYYMMDDHHMMSSZ`.
pub fn generalized_time(t: u64) -> Vec<u8> {
    GeneralizedTime::from_unix_duration(core::time::Duration::from_secs(t))
        .unwrap_or_else(|e| panic!("time {t} not representable: {e}"))
        .to_der()
        .expect("GeneralizedTime encoding")
}

/// `Extensions`, with the critical flag written only when true (DER).
fn extensions(list: &[Ext]) -> Vec<u8> {
    let encoded: Vec<u8> = list
        .iter()
        .flat_map(|e| {
            let critical = if e.critical {
                boolean(true)
            } else {
                Vec::new()
            };
            sequence(&[
                &object_identifier(&e.oid),
                &critical,
                &octet_string(&e.value),
            ])
        })
        .collect();
    tlv(0x30, &encoded)
}

fn parse(cert: &[u8]) -> Certificate {
    Certificate::from_der(cert).unwrap_or_else(|e| panic!("not a DER certificate: {e}"))
}

/// The subjectPublicKey BIT STRING contents of `cert` (what RFC 6960 key hashes cover).
fn public_key_bits(cert: &[u8]) -> Vec<u8> {
    parse(cert)
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes()
        .to_vec()
}

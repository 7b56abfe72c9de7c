//! OCSP requests (RFC 6960 §4.1) for NVIDIA's responder, and the check that what came
//! back answers them.
//!
//! [`OcspRequest::new`] builds the unsigned DER request for one certificate: one Request
//! whose CertID hashes the issuer's subject Name and subjectPublicKey with SHA-1 (what
//! RFC 5019 clients send and NVIDIA's responder and OpenSSL expect), the certificate's
//! serial, and a caller-drawn 32-byte nonce in an id-pkix-ocsp-nonce request extension
//! (RFC 8954). The encoding is RustCrypto's `x509-ocsp` types; the name, key and serial
//! come from the verifier's own certificate parser, so the CertID names exactly what
//! [`OcspResponse::find`] later matches.
//!
//! [`OcspRequest::check_answer`] is the transport's sanity check, not verification: the
//! response parses, answers for this certificate of this issuer, and, when it carries a
//! nonce, carries ours. Its signature, responder authorization and freshness are the
//! verifier's to judge ([`verifier::pki::PathChecker::check_ocsp`]), with its trust anchors.

use der::asn1::{Null, ObjectIdentifier, OctetString, Uint};
use der::{Decode, Encode};
use verifier::crypto::{default_provider, HashAlg};
use verifier::needs::OcspTarget;
use verifier::pki::ocsp::{OcspResponse, ResponseStatus};
use verifier::pki::Certificate;
use x509_cert::ext::Extension;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_ocsp::ext::Nonce;
use x509_ocsp::{CertId, Request, TbsRequest};

/// id-sha1 (RFC 3279 §2.2.1).
const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
/// id-pkix-ocsp-nonce (RFC 6960 §4.4.1).
const ID_PKIX_OCSP_NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");
/// id-pkix-ocsp-basic: the only responseType that carries SingleResponses.
const ID_PKIX_OCSP_BASIC: &str = "1.3.6.1.5.5.7.48.1.1";

/// An unsigned OCSP request about one certificate, with the nonce it carries; it keeps
/// the certificate and issuer so that [`Self::check_answer`] can match the response.
#[derive(Debug, Clone)]
pub struct OcspRequest {
    der: Vec<u8>,
    nonce: [u8; 32],
    certificate: Certificate,
    issuer: Certificate,
}

/// Why an OCSP request could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OcspRequestError {
    /// The certificate asked about does not parse.
    #[error("cannot ask OCSP about certificate serial {serial}: it does not parse: {reason}")]
    Certificate {
        /// The serial the target names (hex).
        serial: String,
        /// The parser's message.
        reason: String,
    },
    /// The issuer's certificate does not parse.
    #[error(
        "cannot ask OCSP about certificate serial {serial}: its issuer's certificate does not parse: {reason}"
    )]
    Issuer {
        /// The certificate's serial (hex).
        serial: String,
        /// The parser's message.
        reason: String,
    },
    /// The issuer given is not the certificate's issuer: no responder could answer the
    /// request, and no answer could be matched.
    #[error(
        "cannot ask OCSP about certificate serial {serial}: it was issued by \"{issued_by}\", not by the given issuer \"{issuer}\""
    )]
    NotIssuedBy {
        /// The certificate's serial (hex).
        serial: String,
        /// The certificate's issuer name.
        issued_by: String,
        /// The subject of the issuer certificate given.
        issuer: String,
    },
    /// The request could not be encoded (a serial longer than DER allows here).
    #[error("cannot encode the OCSP request for certificate serial {serial}: {reason}")]
    Encoding {
        /// The certificate's serial (hex).
        serial: String,
        /// The encoder's message.
        reason: String,
    },
}

/// Why a response does not answer the request it was fetched for. Every variant names the
/// serial of the certificate asked about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnswerMismatch {
    /// The bytes are not an OCSPResponse.
    #[error("the OCSP answer about certificate serial {serial} is not an OCSP response: {reason}")]
    Malformed {
        /// The serial asked about (hex).
        serial: String,
        /// The parser's message.
        reason: String,
    },
    /// The responder answered with a responseStatus other than `successful` (and so no
    /// status at all).
    #[error("the OCSP responder refused to answer about certificate serial {serial}: {status}")]
    Refused {
        /// The serial asked about (hex).
        serial: String,
        /// The RFC 6960 name of the responseStatus (`tryLater`, `unauthorized`, ...).
        status: &'static str,
    },
    /// A successful response of a type other than id-pkix-ocsp-basic.
    #[error(
        "the OCSP answer about certificate serial {serial} has responseType {oid}, not id-pkix-ocsp-basic"
    )]
    NotBasic {
        /// The serial asked about (hex).
        serial: String,
        /// The responseType (dotted OID).
        oid: String,
    },
    /// No SingleResponse names this certificate of this issuer.
    #[error(
        "the OCSP answer about certificate serial {serial} (issuer \"{issuer}\") has no response for it; it answers for serial(s) [{answered}]"
    )]
    OtherCertificate {
        /// The serial asked about (hex).
        serial: String,
        /// The issuer's subject.
        issuer: String,
        /// The serials the response does answer for (hex, comma-separated).
        answered: String,
    },
    /// No SingleResponse matched, and some use a CertID hash the verifier cannot compute,
    /// so whether one is about this certificate is unknown.
    #[error("the OCSP answer about certificate serial {serial} cannot be matched: {reason}")]
    Unmatchable {
        /// The serial asked about (hex).
        serial: String,
        /// The verifier's message (it names the hash algorithm).
        reason: String,
    },
    /// The response echoes a nonce other than the request's: a replayed answer, or one
    /// meant for another request.
    #[error(
        "the OCSP answer about certificate serial {serial} carries nonce {actual}, not the request's {expected}: replayed or meant for another request"
    )]
    NonceMismatch {
        /// The serial asked about (hex).
        serial: String,
        /// The request's nonce (hex).
        expected: String,
        /// The response's nonce (hex).
        actual: String,
    },
}

impl OcspRequest {
    /// Builds the DER request about `target.certificate` issued by `target.issuer`, with
    /// `nonce` in its id-pkix-ocsp-nonce extension. The nonce comes from the caller's RNG
    /// (this function is pure); 32 bytes is the most RFC 8954 allows.
    ///
    /// # Errors
    /// [`OcspRequestError`] when a certificate does not parse, the issuer is not the
    /// certificate's, or the serial cannot be encoded.
    pub fn new(target: &OcspTarget, nonce: [u8; 32]) -> Result<Self, OcspRequestError> {
        let certificate = Certificate::from_der(&target.certificate).map_err(|e| {
            OcspRequestError::Certificate {
                serial: target.serial.clone(),
                reason: e.to_string(),
            }
        })?;
        let serial = hex::encode(certificate.serial());
        let issuer =
            Certificate::from_der(&target.issuer).map_err(|e| OcspRequestError::Issuer {
                serial: serial.clone(),
                reason: e.to_string(),
            })?;
        // A CertID over the wrong issuer asks about a certificate that does not exist.
        if certificate.issuer().raw() != issuer.subject().raw() {
            return Err(OcspRequestError::NotIssuedBy {
                serial,
                issued_by: certificate.issuer().display().to_owned(),
                issuer: issuer.subject().display().to_owned(),
            });
        }
        let der =
            encode(&certificate, &issuer, &nonce).map_err(|e| OcspRequestError::Encoding {
                serial,
                reason: e.to_string(),
            })?;
        Ok(Self {
            der,
            nonce,
            certificate,
            issuer,
        })
    }

    /// The request, DER: the body of the POST (`application/ocsp-request`).
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The nonce the request carries.
    pub fn nonce(&self) -> &[u8; 32] {
        &self.nonce
    }

    /// Whether `response_der` answers this request: it is an OCSPResponse, successful
    /// and basic, holds a SingleResponse about this certificate of this issuer (under
    /// any CertID hash the verifier supports: a responder may answer in its own), and
    /// carries this request's nonce if it carries one. A response without a nonce passes:
    /// pre-produced answers (RFC 5019) have none, and the verifier still bounds their age.
    /// The signature is not checked here: the verifier does that with its trust anchors.
    ///
    /// # Errors
    /// The first [`AnswerMismatch`] found.
    pub fn check_answer(&self, response_der: &[u8]) -> Result<(), AnswerMismatch> {
        let serial = || hex::encode(self.certificate.serial());
        let response =
            OcspResponse::from_der(response_der).map_err(|e| AnswerMismatch::Malformed {
                serial: serial(),
                reason: e.to_string(),
            })?;
        let status = response.response_status();
        if status != ResponseStatus::Successful {
            return Err(AnswerMismatch::Refused {
                serial: serial(),
                status: status.name(),
            });
        }
        if let Some(oid) = response
            .response_type()
            .filter(|t| *t != ID_PKIX_OCSP_BASIC)
        {
            return Err(AnswerMismatch::NotBasic {
                serial: serial(),
                oid: oid.to_owned(),
            });
        }
        let found = response
            .find(default_provider(), &self.certificate, &self.issuer)
            .map_err(|e| AnswerMismatch::Unmatchable {
                serial: serial(),
                reason: e.to_string(),
            })?;
        if found.is_none() {
            let answered: Vec<String> = response
                .responses()
                .iter()
                .map(|single| hex::encode(&single.cert_id.serial))
                .collect();
            return Err(AnswerMismatch::OtherCertificate {
                serial: serial(),
                issuer: self.issuer.subject().display().to_owned(),
                answered: answered.join(", "),
            });
        }
        match response.nonce() {
            Some(actual) if actual != self.nonce.as_slice() => Err(AnswerMismatch::NonceMismatch {
                serial: serial(),
                expected: hex::encode(self.nonce),
                actual: hex::encode(actual),
            }),
            _ => Ok(()),
        }
    }
}

/// `OCSPRequest { tbsRequest { requestList { Request { CertID } }, requestExtensions {
/// nonce } } }`: version v1 (the default, so omitted), no requestorName, no signature.
fn encode(
    certificate: &Certificate,
    issuer: &Certificate,
    nonce: &[u8; 32],
) -> Result<Vec<u8>, der::Error> {
    let sha1 = |data: &[u8]| {
        let digest = default_provider().hash(HashAlg::Sha1, &[data]);
        OctetString::new(digest.as_ref())
    };
    let cert_id = CertId {
        // NULL parameters, as OpenSSL writes them (the CertID bytes then match its own).
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: ID_SHA1,
            parameters: Some(Null.into()),
        },
        issuer_name_hash: sha1(issuer.subject().raw())?,
        issuer_key_hash: sha1(issuer.subject_public_key_bits())?,
        serial_number: serial_number(certificate.serial())?,
    };
    // RFC 8954 §2.1: extnValue is the DER of `Nonce ::= OCTET STRING`, so an OCTET STRING
    // inside the extension's own OCTET STRING.
    let nonce_extension = Extension {
        extn_id: ID_PKIX_OCSP_NONCE,
        critical: false,
        extn_value: OctetString::new(Nonce::new(nonce.as_slice())?.to_der()?)?,
    };
    let request = x509_ocsp::OcspRequest {
        tbs_request: TbsRequest {
            request_list: vec![Request {
                req_cert: cert_id,
                single_request_extensions: None,
            }],
            request_extensions: Some(vec![nonce_extension]),
            ..TbsRequest::default()
        },
        optional_signature: None,
    };
    request.to_der()
}

/// The serial as a positive INTEGER. Decoded from its own encoding because
/// `SerialNumber::new` refuses a 20-byte serial whose top bit is set (its DER needs a
/// 21st, zero byte), which certificates do carry and a CertID must repeat.
fn serial_number(unsigned_be: &[u8]) -> Result<SerialNumber, der::Error> {
    SerialNumber::from_der(&Uint::new(unsigned_be)?.to_der()?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use testvectors::pki::nvidia::GpuSpecs;
    use testvectors::pki::ocsp::{CertIdHash, NonceSpec, OcspResponseSpec, SingleResponseSpec};
    use testvectors::pki::x509::name;
    use testvectors::pki::CertSpec;
    use x509_ocsp::Version;

    use super::*;

    const NONCE: [u8; 32] = [0x5A; 32];
    const THIS_UPDATE: u64 = 1_750_000_000;

    fn target(certificate: &[u8], issuer: &[u8]) -> OcspTarget {
        let cert = Certificate::from_der(certificate).unwrap();
        OcspTarget {
            subject: cert.subject().display().to_owned(),
            serial: hex::encode(cert.serial()),
            certificate: certificate.to_vec(),
            issuer: issuer.to_vec(),
        }
    }

    /// The real H100 chain of set A: FMC leaf, BROM, Provisioner ICA, Identity, root.
    fn real_chain() -> Vec<Vec<u8>> {
        let path =
            testvectors::real::nvidia_dir().join("setA_h100_550.90.07/device_cert_chain.pem");
        let text = std::fs::read(&path).unwrap();
        let chain: Vec<Vec<u8>> = pem::parse_many(text)
            .unwrap()
            .into_iter()
            .map(pem::Pem::into_contents)
            .collect();
        assert_eq!(chain.len(), 5, "{}", path.display());
        chain
    }

    /// A fake CA, the BROM-shaped certificate it issued (serial 0x41431D48), and a second
    /// certificate of the same CA whose serial has its top bit set (DER pads it with 00).
    struct Fake {
        ca: CertSpec,
        ca_der: Vec<u8>,
        brom_der: Vec<u8>,
        high_der: Vec<u8>,
    }

    fn fake() -> Fake {
        let specs = GpuSpecs::new();
        let mut high = CertSpec::issued_by(
            name(&[("CN", "Fake high-serial device")]),
            specs.brom.key.clone(),
            &specs.provisioner,
        );
        high.serial = vec![0x00, 0x9F, 0x41, 0x43, 0x1D];
        Fake {
            ca_der: specs.provisioner.build(),
            brom_der: specs.brom.build(),
            high_der: high.build(),
            ca: specs.provisioner,
        }
    }

    fn parsed(request: &OcspRequest) -> x509_ocsp::OcspRequest {
        x509_ocsp::OcspRequest::from_der(request.der()).unwrap()
    }

    /// A temporary directory for openssl's files, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(label: &str) -> Self {
            let dir = std::env::temp_dir().join(format!(
                "verdict-ocsp-{label}-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        fn write(&self, file: &str, bytes: &[u8]) -> PathBuf {
            let path = self.0.join(file);
            std::fs::write(&path, bytes).unwrap();
            path
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Runs openssl; a missing openssl fails the test (CI has it), it never skips.
    fn openssl(args: &[&Path]) -> String {
        let output = Command::new("openssl")
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("these tests need the `openssl` command: {e}"));
        assert!(
            output.status.success(),
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn pem_file(dir: &TempDir, file: &str, der: &[u8]) -> PathBuf {
        dir.write(
            file,
            pem::encode(&pem::Pem::new("CERTIFICATE", der)).as_bytes(),
        )
    }

    #[test]
    fn request_parses_back_as_one_sha1_certid_and_our_nonce() {
        let fake = fake();
        let request = OcspRequest::new(&target(&fake.brom_der, &fake.ca_der), NONCE).unwrap();
        assert_eq!(request.nonce(), &NONCE);
        let parsed = parsed(&request);
        assert!(parsed.optional_signature.is_none());
        let tbs = &parsed.tbs_request;
        assert_eq!(tbs.version, Version::V1);
        assert!(tbs.requestor_name.is_none());
        assert_eq!(tbs.request_list.len(), 1);
        let single = &tbs.request_list[0];
        assert!(single.single_request_extensions.is_none());
        let id = &single.req_cert;
        assert_eq!(id.hash_algorithm.oid, ID_SHA1);
        assert_eq!(id.serial_number.as_bytes(), [0x41, 0x43, 0x1D, 0x48]);
        let issuer = Certificate::from_der(&fake.ca_der).unwrap();
        let sha1 = |d: &[u8]| default_provider().hash(HashAlg::Sha1, &[d]);
        assert_eq!(
            id.issuer_name_hash.as_bytes(),
            sha1(issuer.subject().raw()).as_ref()
        );
        assert_eq!(
            id.issuer_key_hash.as_bytes(),
            sha1(issuer.subject_public_key_bits()).as_ref()
        );
        assert_eq!(parsed.nonce().unwrap().0.as_bytes(), NONCE);
    }

    #[test]
    fn nonce_extension_is_an_octet_string_in_an_octet_string() {
        let fake = fake();
        let request = OcspRequest::new(&target(&fake.brom_der, &fake.ca_der), NONCE).unwrap();
        let extensions = parsed(&request).tbs_request.request_extensions.unwrap();
        assert_eq!(extensions.len(), 1);
        // SEQUENCE { OID 1.3.6.1.5.5.7.48.1.2, OCTET STRING { OCTET STRING (32) nonce } },
        // critical omitted (FALSE is the default).
        let mut expected =
            hex::decode("302f06092b0601050507300102042204 20".replace(' ', "")).unwrap();
        expected.extend_from_slice(&NONCE);
        assert_eq!(extensions[0].to_der().unwrap(), expected);
        // `[2] EXPLICIT Extensions` closes the request: the exact bytes are its tail.
        let mut tail = hex::decode("a233 3031".replace(' ', "")).unwrap();
        tail.extend_from_slice(&expected);
        assert!(request.der().ends_with(&tail));
    }

    #[test]
    fn serial_with_top_bit_set_keeps_its_zero_pad() {
        let fake = fake();
        let request = OcspRequest::new(&target(&fake.high_der, &fake.ca_der), NONCE).unwrap();
        let id = &parsed(&request).tbs_request.request_list[0].req_cert;
        assert_eq!(
            id.serial_number.to_der().unwrap(),
            [0x02, 0x05, 0x00, 0x9F, 0x41, 0x43, 0x1D]
        );
    }

    /// Our CertID is byte for byte OpenSSL's (`openssl ocsp -issuer -cert -no_nonce`) for
    /// every link of a real NVIDIA chain and for a fake serial with its top bit set; and
    /// our request without its nonce is OpenSSL's whole request.
    #[test]
    fn certid_is_openssls_for_the_real_nvidia_chain() {
        let dir = TempDir::new("certid");
        let chain = real_chain();
        let fake = fake();
        let mut pairs: Vec<(&[u8], &[u8])> = chain
            .windows(2)
            .map(|w| (w[0].as_slice(), w[1].as_slice()))
            .collect();
        pairs.push((&fake.high_der, &fake.ca_der));
        for (i, (cert, issuer)) in pairs.into_iter().enumerate() {
            let cert_pem = pem_file(&dir, &format!("cert{i}.pem"), cert);
            let issuer_pem = pem_file(&dir, &format!("issuer{i}.pem"), issuer);
            let out = dir.0.join(format!("req{i}.der"));
            openssl(&[
                "ocsp".as_ref(),
                "-issuer".as_ref(),
                &issuer_pem,
                "-cert".as_ref(),
                &cert_pem,
                "-no_nonce".as_ref(),
                "-reqout".as_ref(),
                &out,
            ]);
            let theirs = std::fs::read(&out).unwrap();
            let ours = OcspRequest::new(&target(cert, issuer), NONCE).unwrap();
            let mut ours = parsed(&ours);
            let theirs_parsed = x509_ocsp::OcspRequest::from_der(&theirs).unwrap();
            assert_eq!(
                hex::encode(ours.tbs_request.request_list[0].req_cert.to_der().unwrap()),
                hex::encode(
                    theirs_parsed.tbs_request.request_list[0]
                        .req_cert
                        .to_der()
                        .unwrap()
                ),
                "CertID of pair {i}"
            );
            ours.tbs_request.request_extensions = None;
            assert_eq!(
                hex::encode(ours.to_der().unwrap()),
                hex::encode(&theirs),
                "request of pair {i}"
            );
        }
    }

    /// OpenSSL reads our request back: SHA-1 CertID, the serial, our nonce.
    #[test]
    fn openssl_reads_the_request() {
        let dir = TempDir::new("reqtext");
        let chain = real_chain();
        let request = OcspRequest::new(&target(&chain[1], &chain[2]), NONCE).unwrap();
        let file = dir.write("req.der", request.der());
        let text = openssl(&[
            "ocsp".as_ref(),
            "-reqin".as_ref(),
            &file,
            "-req_text".as_ref(),
        ]);
        assert!(text.contains("Hash Algorithm: sha1"), "{text}");
        assert!(text.contains("Serial Number: 41431D480FE5E87274"), "{text}");
        assert!(text.contains("OCSP Nonce:"), "{text}");
        let nonce_hex = format!("0420{}", hex::encode_upper(NONCE));
        assert!(text.replace([' ', '\n'], "").contains(&nonce_hex), "{text}");
    }

    fn answer(cert: &[u8], issuer: &[u8], ca: &CertSpec, nonce: NonceSpec) -> Vec<u8> {
        let single = SingleResponseSpec::good(cert, issuer, CertIdHash::Sha1, THIS_UPDATE);
        let mut spec = OcspResponseSpec::new(single, issuer, ca.key.clone());
        spec.nonce = nonce;
        spec.build()
    }

    #[test]
    fn answer_with_our_nonce_or_none_passes() {
        let fake = fake();
        let request = OcspRequest::new(&target(&fake.brom_der, &fake.ca_der), NONCE).unwrap();
        let ours = answer(
            &fake.brom_der,
            &fake.ca_der,
            &fake.ca,
            NonceSpec::Wrapped(NONCE.to_vec()),
        );
        request.check_answer(&ours).unwrap();
        let pre_produced = answer(&fake.brom_der, &fake.ca_der, &fake.ca, NonceSpec::Absent);
        request.check_answer(&pre_produced).unwrap();
    }

    #[test]
    fn answer_with_another_nonce_is_a_replay() {
        let fake = fake();
        let request = OcspRequest::new(&target(&fake.brom_der, &fake.ca_der), NONCE).unwrap();
        let other = answer(
            &fake.brom_der,
            &fake.ca_der,
            &fake.ca,
            NonceSpec::Wrapped(vec![0xA5; 32]),
        );
        let err = request.check_answer(&other).unwrap_err();
        assert_eq!(
            err,
            AnswerMismatch::NonceMismatch {
                serial: "41431d48".to_owned(),
                expected: hex::encode(NONCE),
                actual: hex::encode([0xA5; 32]),
            }
        );
        assert!(err.to_string().contains("serial 41431d48"), "{err}");
        assert!(err.to_string().contains("replayed"), "{err}");
        // A prefix of our nonce is not our nonce.
        let short = answer(
            &fake.brom_der,
            &fake.ca_der,
            &fake.ca,
            NonceSpec::Wrapped(NONCE[..16].to_vec()),
        );
        assert!(matches!(
            request.check_answer(&short),
            Err(AnswerMismatch::NonceMismatch { .. })
        ));
    }

    #[test]
    fn answer_about_another_serial_is_refused() {
        let fake = fake();
        let request = OcspRequest::new(&target(&fake.brom_der, &fake.ca_der), NONCE).unwrap();
        let sibling = answer(
            &fake.high_der,
            &fake.ca_der,
            &fake.ca,
            NonceSpec::Wrapped(NONCE.to_vec()),
        );
        let err = request.check_answer(&sibling).unwrap_err();
        assert!(
            matches!(&err, AnswerMismatch::OtherCertificate { serial, answered, .. }
                if serial == "41431d48" && answered == "9f41431d"),
            "{err:?}"
        );
    }

    #[test]
    fn answer_about_the_same_serial_of_another_issuer_is_refused() {
        let fake = fake();
        let request = OcspRequest::new(&target(&fake.brom_der, &fake.ca_der), NONCE).unwrap();
        let mut single =
            SingleResponseSpec::good(&fake.brom_der, &fake.ca_der, CertIdHash::Sha1, THIS_UPDATE);
        single.issuer_key_hash = vec![0; 20];
        let mut spec = OcspResponseSpec::new(single, &fake.ca_der, fake.ca.key.clone());
        spec.nonce = NonceSpec::Wrapped(NONCE.to_vec());
        assert!(matches!(
            request.check_answer(&spec.build()),
            Err(AnswerMismatch::OtherCertificate { .. })
        ));
    }

    #[test]
    fn garbage_refusals_and_other_types_are_not_answers() {
        let fake = fake();
        let request = OcspRequest::new(&target(&fake.brom_der, &fake.ca_der), NONCE).unwrap();
        for garbage in [
            &b""[..],
            b"<html>502 Bad Gateway</html>",
            &[0x30, 0x03, 0x0A],
        ] {
            let err = request.check_answer(garbage).unwrap_err();
            assert!(matches!(err, AnswerMismatch::Malformed { .. }), "{err:?}");
            assert!(err.to_string().contains("serial 41431d48"), "{err}");
        }
        // A request echoed back is not a response either.
        assert!(matches!(
            request.check_answer(request.der()),
            Err(AnswerMismatch::Malformed { .. })
        ));
        let refused = OcspResponseSpec::status_only(6);
        assert_eq!(
            request.check_answer(&refused),
            Err(AnswerMismatch::Refused {
                serial: "41431d48".to_owned(),
                status: "unauthorized",
            })
        );
        let single =
            SingleResponseSpec::good(&fake.brom_der, &fake.ca_der, CertIdHash::Sha1, THIS_UPDATE);
        let mut other_type = OcspResponseSpec::new(single, &fake.ca_der, fake.ca.key.clone());
        other_type.response_type = "1.2.3.4".to_owned();
        assert_eq!(
            request.check_answer(&other_type.build()),
            Err(AnswerMismatch::NotBasic {
                serial: "41431d48".to_owned(),
                oid: "1.2.3.4".to_owned(),
            })
        );
    }

    /// NVIDIA's real answers use SHA-384 CertIDs and no nonce: the answer about the BROM
    /// (l4) answers a SHA-1 request about it, and not one about the Provisioner ICA.
    #[test]
    fn real_nvidia_answer_matches_by_certificate_not_by_hash() {
        let chain = real_chain();
        let response = std::fs::read(
            testvectors::real::nvidia_dir()
                .join("setA_h100_550.90.07/ocsp/test_gpu_certificate_l4.ocsp.der"),
        )
        .unwrap();
        let brom = OcspRequest::new(&target(&chain[1], &chain[2]), NONCE).unwrap();
        brom.check_answer(&response).unwrap();
        let provisioner = OcspRequest::new(&target(&chain[2], &chain[3]), NONCE).unwrap();
        let err = provisioner.check_answer(&response).unwrap_err();
        assert!(
            matches!(&err, AnswerMismatch::OtherCertificate { serial, answered, .. }
                if serial == "6afe7184f92232c8df7b242261776e56" && answered == "41431d480fe5e87274"),
            "{err:?}"
        );
    }

    #[test]
    fn new_refuses_a_wrong_issuer_and_garbage() {
        let chain = real_chain();
        // The leaf with the Provisioner ICA (its issuer's issuer) as issuer.
        let err = OcspRequest::new(&target(&chain[0], &chain[2]), NONCE).unwrap_err();
        assert!(
            matches!(&err, OcspRequestError::NotIssuedBy { serial, .. }
                if serial == "53c22ba15e5d68088282da074ed9fb37aa585771"),
            "{err:?}"
        );
        assert!(err.to_string().contains("GH100 A01 GSP BROM"), "{err}");
        let mut bad = target(&chain[1], &chain[2]);
        bad.certificate = b"not a certificate".to_vec();
        assert!(matches!(
            OcspRequest::new(&bad, NONCE),
            Err(OcspRequestError::Certificate { serial, .. }) if serial == bad.serial
        ));
        let mut bad = target(&chain[1], &chain[2]);
        bad.issuer.truncate(100);
        assert!(matches!(
            OcspRequest::new(&bad, NONCE),
            Err(OcspRequestError::Issuer { .. })
        ));
    }
}

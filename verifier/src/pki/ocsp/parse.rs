//! Decoding of an OCSPResponse (RFC 6960 §4.2.1) into the owned types of the parent
//! module. Each function decodes one ASN.1 type, whose definition heads it.

use super::{
    BasicResponse, CertId, CertStatus, OcspHash, Outcome, ResponderId, ResponseStatus,
    RevocationReason, SingleResponse,
};
use crate::der::{
    context, context_primitive, Reader, Tlv, BIT_STRING, BOOLEAN, ENUMERATED, GENERALIZED_TIME,
    INTEGER, NULL, OCTET_STRING, OID, SEQUENCE,
};
use crate::error::{Error, ParseError};
use crate::pki::algorithm::classify;
use crate::pki::cache::DigestMemo;
use crate::pki::cert::{normalize_serial, Name};
use crate::pki::frame::algorithm_identifier;
use crate::pki::Certificate;

/// id-pkix-ocsp-basic.
pub(super) const ID_PKIX_OCSP_BASIC: &str = "1.3.6.1.5.5.7.48.1.1";
/// id-pkix-ocsp-nonce.
const ID_PKIX_OCSP_NONCE: &str = "1.3.6.1.5.5.7.48.1.2";

/// ```text
/// OCSPResponse ::= SEQUENCE {
///    responseStatus         OCSPResponseStatus,   -- ENUMERATED
///    responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
/// ```
pub(super) fn ocsp_response(der: &[u8]) -> Result<Outcome, Error> {
    let mut top = Reader::new(der);
    let response = top.expect(SEQUENCE, "OCSPResponse")?;
    top.finish("OCSPResponse")?;
    let mut fields = response.reader();
    let status_tlv = fields.expect(ENUMERATED, "responseStatus")?;
    let status = ResponseStatus::from_code(status_tlv.small_uint("responseStatus")?)
        .ok_or_else(|| status_tlv.invalid("responseStatus", "not an OCSPResponseStatus"))?;
    let response_bytes = fields.optional(context(0), "responseBytes")?;
    fields.finish("OCSPResponse")?;
    match (status, response_bytes) {
        (ResponseStatus::Successful, Some(bytes)) => self::response_bytes(&bytes),
        (ResponseStatus::Successful, None) => Err(status_tlv
            .invalid("responseBytes", "absent from a successful response")
            .into()),
        (refused, None) => Ok(Outcome::Refused(refused)),
        (_, Some(bytes)) => Err(bytes
            .invalid(
                "responseBytes",
                "present in a response that is not successful",
            )
            .into()),
    }
}

/// ```text
/// ResponseBytes ::= SEQUENCE {
///    responseType   OBJECT IDENTIFIER,
///    response       OCTET STRING }
/// ```
fn response_bytes(explicit: &Tlv<'_>) -> Result<Outcome, Error> {
    let mut fields = explicit.explicit(SEQUENCE, "responseBytes")?.reader();
    let response_type = fields.expect(OID, "responseType")?.oid("responseType")?;
    let response = fields.expect(OCTET_STRING, "response")?;
    fields.finish("responseBytes")?;
    if response_type != ID_PKIX_OCSP_BASIC {
        return Ok(Outcome::OtherType(response_type));
    }
    let mut inner = response.reader();
    let basic = inner.expect(SEQUENCE, "BasicOCSPResponse")?;
    inner.finish("BasicOCSPResponse")?;
    basic_response(&basic).map(|b| Outcome::Basic(Box::new(b)))
}

/// ```text
/// BasicOCSPResponse ::= SEQUENCE {
///    tbsResponseData      ResponseData,
///    signatureAlgorithm   AlgorithmIdentifier,
///    signature            BIT STRING,
///    certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
/// ```
fn basic_response(basic: &Tlv<'_>) -> Result<BasicResponse, Error> {
    let mut fields = basic.reader();
    let tbs = fields.expect(SEQUENCE, "tbsResponseData")?;
    let algorithm = fields.expect(SEQUENCE, "signatureAlgorithm")?;
    let signature = fields
        .expect(BIT_STRING, "signature")?
        .bit_string_octets("signature")?;
    let certs = match fields.optional(context(0), "certs")? {
        Some(certs) => certificates(&certs.explicit(SEQUENCE, "certs")?)?,
        None => Vec::new(),
    };
    fields.finish("BasicOCSPResponse")?;
    let data = response_data(&tbs)?;
    Ok(BasicResponse {
        tbs: tbs.range(),
        tbs_memo: DigestMemo::default(),
        responder_id: data.responder_id,
        produced_at: data.produced_at,
        responses: data.responses,
        nonce: data.nonce,
        unhandled_critical_extension: data.unhandled_critical_extension,
        signature_algorithm: classify(&algorithm_identifier(&algorithm, "signatureAlgorithm")?),
        signature: signature.to_vec(),
        certs,
    })
}

/// `SEQUENCE OF Certificate`, each parsed by [`Certificate::from_der`].
fn certificates(list: &Tlv<'_>) -> Result<Vec<Certificate>, Error> {
    let mut items = list.reader();
    let mut certs = Vec::new();
    while !items.is_empty() {
        let cert = items.expect(SEQUENCE, "certs")?;
        let parsed = Certificate::from_der(cert.raw()).map_err(|e| match e {
            // Offsets inside the certificate become offsets in the response.
            Error::Parse(mut p) => {
                p.offset = p.offset.saturating_add(cert.offset);
                Error::Parse(p)
            }
            other => other,
        })?;
        certs.push(parsed);
    }
    Ok(certs)
}

/// ResponseData, decoded.
struct ResponseData {
    responder_id: ResponderId,
    produced_at: u64,
    responses: Vec<SingleResponse>,
    nonce: Option<Vec<u8>>,
    unhandled_critical_extension: Option<String>,
}

/// ```text
/// ResponseData ::= SEQUENCE {
///    version              [0] EXPLICIT Version DEFAULT v1,
///    responderID              ResponderID,
///    producedAt               GeneralizedTime,
///    responses                SEQUENCE OF SingleResponse,
///    responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
/// ```
fn response_data(tbs: &Tlv<'_>) -> Result<ResponseData, Error> {
    let mut fields = tbs.reader();
    if let Some(version) = fields.optional(context(0), "version")? {
        let version = version.explicit(INTEGER, "version")?;
        if version.small_uint("version")? != 0 {
            return Err(version.invalid("version", "only v1 (0) is defined").into());
        }
    }
    let responder_id = responder_id(&fields.read("responderID")?)?;
    let produced_at = fields
        .expect(GENERALIZED_TIME, "producedAt")?
        .generalized_time("producedAt")?;
    let mut list = fields.expect(SEQUENCE, "responses")?.reader();
    let mut responses = Vec::new();
    let mut unhandled_critical_extension = None;
    while !list.is_empty() {
        let (single, unhandled) = single_response(&list.expect(SEQUENCE, "SingleResponse")?)?;
        responses.push(single);
        unhandled_critical_extension = unhandled_critical_extension.or(unhandled);
    }
    let extensions = match fields.optional(context(1), "responseExtensions")? {
        Some(explicit) => extensions(&explicit.explicit(SEQUENCE, "responseExtensions")?)?,
        None => Vec::new(),
    };
    fields.finish("tbsResponseData")?;
    let nonce = extensions
        .iter()
        .find(|e| e.oid == ID_PKIX_OCSP_NONCE)
        .map(|e| nonce_value(&e.value));
    Ok(ResponseData {
        responder_id,
        produced_at,
        responses,
        nonce,
        unhandled_critical_extension: first_unhandled_critical(&extensions, &[ID_PKIX_OCSP_NONCE])
            .or(unhandled_critical_extension),
    })
}

/// ```text
/// ResponderID ::= CHOICE {
///    byName   [1] Name,
///    byKey    [2] KeyHash }      -- explicit: the module's default tagging
/// KeyHash ::= OCTET STRING
/// ```
fn responder_id(choice: &Tlv<'_>) -> Result<ResponderId, ParseError> {
    match choice.tag {
        t if t == context(1) => {
            let name = choice.explicit(SEQUENCE, "responderID byName")?;
            Ok(ResponderId::ByName(Name::from_tlv(
                &name,
                "responderID byName",
            )?))
        }
        t if t == context(2) => {
            let key_hash = choice.explicit(OCTET_STRING, "responderID byKey")?;
            Ok(ResponderId::ByKey(key_hash.content.to_vec()))
        }
        _ => Err(choice.malformed("responderID", "neither byName [1] nor byKey [2]")),
    }
}

/// ```text
/// SingleResponse ::= SEQUENCE {
///    certID                       CertID,
///    certStatus                   CertStatus,
///    thisUpdate                   GeneralizedTime,
///    nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
///    singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
/// ```
/// Also returns the first critical singleExtension (none is processed).
fn single_response(single: &Tlv<'_>) -> Result<(SingleResponse, Option<String>), ParseError> {
    let mut fields = single.reader();
    let cert_id = cert_id(&fields.expect(SEQUENCE, "CertID")?)?;
    let status = cert_status(&fields.read("certStatus")?)?;
    let this_update = fields
        .expect(GENERALIZED_TIME, "thisUpdate")?
        .generalized_time("thisUpdate")?;
    let next_update = match fields.optional(context(0), "nextUpdate")? {
        Some(explicit) => Some(
            explicit
                .explicit(GENERALIZED_TIME, "nextUpdate")?
                .generalized_time("nextUpdate")?,
        ),
        None => None,
    };
    let extensions = match fields.optional(context(1), "singleExtensions")? {
        Some(explicit) => extensions(&explicit.explicit(SEQUENCE, "singleExtensions")?)?,
        None => Vec::new(),
    };
    fields.finish("SingleResponse")?;
    let single = SingleResponse {
        cert_id,
        status,
        this_update,
        next_update,
    };
    Ok((single, first_unhandled_critical(&extensions, &[])))
}

/// ```text
/// CertID ::= SEQUENCE {
///    hashAlgorithm       AlgorithmIdentifier,
///    issuerNameHash      OCTET STRING,
///    issuerKeyHash       OCTET STRING,
///    serialNumber        CertificateSerialNumber }
/// ```
fn cert_id(cert_id: &Tlv<'_>) -> Result<CertId, ParseError> {
    let mut fields = cert_id.reader();
    let hash = cert_id_hash(&fields.expect(SEQUENCE, "CertID hashAlgorithm")?)?;
    let issuer_name_hash = fields.expect(OCTET_STRING, "issuerNameHash")?.content;
    let issuer_key_hash = fields.expect(OCTET_STRING, "issuerKeyHash")?.content;
    let serial = fields
        .expect(INTEGER, "serialNumber")?
        .integer("serialNumber")?;
    fields.finish("CertID")?;
    Ok(CertId {
        hash,
        issuer_name_hash: issuer_name_hash.to_vec(),
        issuer_key_hash: issuer_key_hash.to_vec(),
        serial: normalize_serial(serial),
    })
}

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY
/// OPTIONAL }`: for a hash, the parameters are absent or NULL.
fn cert_id_hash(algorithm: &Tlv<'_>) -> Result<OcspHash, ParseError> {
    let mut fields = algorithm.reader();
    let oid = fields
        .expect(OID, "CertID hashAlgorithm")?
        .oid("CertID hashAlgorithm")?;
    if let Some(null) = fields.optional(NULL, "CertID hashAlgorithm parameters")? {
        null.null("CertID hashAlgorithm parameters")?;
    }
    fields.finish("CertID hashAlgorithm")?;
    Ok(OcspHash::from_oid(oid))
}

/// ```text
/// CertStatus ::= CHOICE {
///    good        [0]     IMPLICIT NULL,
///    revoked     [1]     IMPLICIT RevokedInfo,
///    unknown     [2]     IMPLICIT UnknownInfo }   -- UnknownInfo ::= NULL
/// RevokedInfo ::= SEQUENCE {
///    revocationTime              GeneralizedTime,
///    revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
/// ```
fn cert_status(choice: &Tlv<'_>) -> Result<CertStatus, ParseError> {
    match choice.tag {
        t if t == context_primitive(0) => choice.null("certStatus good").map(|()| CertStatus::Good),
        t if t == context_primitive(2) => choice
            .null("certStatus unknown")
            .map(|()| CertStatus::Unknown),
        t if t == context(1) => {
            let mut fields = choice.reader();
            let revoked_at = fields
                .expect(GENERALIZED_TIME, "revocationTime")?
                .generalized_time("revocationTime")?;
            let reason = match fields.optional(context(0), "revocationReason")? {
                Some(explicit) => {
                    let code = explicit.explicit(ENUMERATED, "revocationReason")?;
                    let reason = RevocationReason::from_code(code.small_uint("revocationReason")?)
                        .ok_or_else(|| code.invalid("revocationReason", "not a CRLReason"))?;
                    Some(reason)
                }
                None => None,
            };
            fields.finish("RevokedInfo")?;
            Ok(CertStatus::Revoked { revoked_at, reason })
        }
        _ => Err(choice.malformed(
            "certStatus",
            "neither good [0], revoked [1] nor unknown [2]",
        )),
    }
}

/// One extension; `value` is the extnValue OCTET STRING.
struct Extension<'a> {
    oid: String,
    critical: bool,
    value: Tlv<'a>,
}

/// ```text
/// Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension
/// Extension ::= SEQUENCE {
///    extnID      OBJECT IDENTIFIER,
///    critical    BOOLEAN DEFAULT FALSE,
///    extnValue   OCTET STRING }
/// ```
/// An OID may appear once (RFC 5280 §4.2): a second nonce could otherwise say something
/// other than the first.
fn extensions<'a>(list: &Tlv<'a>) -> Result<Vec<Extension<'a>>, ParseError> {
    let mut items = list.reader();
    let mut out: Vec<Extension<'a>> = Vec::new();
    while !items.is_empty() {
        let extension = items.expect(SEQUENCE, "Extension")?;
        let mut fields = extension.reader();
        let oid = fields.expect(OID, "extnID")?.oid("extnID")?;
        let critical = match fields.optional(BOOLEAN, "critical")? {
            Some(flag) => flag.boolean("critical")?,
            None => false,
        };
        let value = fields.expect(OCTET_STRING, "extnValue")?;
        fields.finish("Extension")?;
        if out.iter().any(|e| e.oid == oid) {
            return Err(extension.invalid("Extension", "extension repeated"));
        }
        out.push(Extension {
            oid,
            critical,
            value,
        });
    }
    Ok(out)
}

fn first_unhandled_critical(extensions: &[Extension<'_>], handled: &[&str]) -> Option<String> {
    extensions
        .iter()
        .find(|e| e.critical && !handled.contains(&e.oid.as_str()))
        .map(|e| e.oid.clone())
}

/// The nonce in an id-pkix-ocsp-nonce extnValue: RFC 8954 §2.1 makes it an OCTET STRING
/// (`Nonce ::= OCTET STRING`); older responders put the bare bytes in extnValue. Bytes
/// that are exactly one OCTET STRING TLV are read as the former.
fn nonce_value(extn_value: &Tlv<'_>) -> Vec<u8> {
    let mut inner = extn_value.reader();
    match inner.read("nonce") {
        Ok(nonce) if nonce.tag == OCTET_STRING && inner.is_empty() => nonce.content.to_vec(),
        _ => extn_value.content.to_vec(),
    }
}

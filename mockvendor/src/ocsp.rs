//! The OCSP responder's matching: which certificate serial numbers a request names, and
//! which serial numbers a recorded response answers for (RFC 6960 structures, parsed with
//! the `x509-ocsp` crate).

use der::Decode;
use x509_ocsp::{BasicOcspResponse, OcspRequest, OcspResponse, OcspResponseStatus};

/// An `OCSPResponse` with responseStatus `unauthorized` (6) and no responseBytes: what a
/// responder sends for a certificate it does not answer for (NVIDIA's does so for the
/// device chain's leaf).
pub const OCSP_UNAUTHORIZED: &[u8] = &[0x30, 0x03, 0x0a, 0x01, 0x06];

/// An `OCSPResponse` with responseStatus `malformedRequest` (1): the answer to a body that
/// is not a DER `OCSPRequest`.
pub const OCSP_MALFORMED_REQUEST: &[u8] = &[0x30, 0x03, 0x0a, 0x01, 0x01];

/// id-pkix-ocsp-basic (1.3.6.1.5.5.7.48.1.1).
const ID_PKIX_OCSP_BASIC: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");

/// The serial numbers (INTEGER content octets, leading zero octets removed) of the
/// certificates a DER `OCSPRequest` asks about.
pub(crate) fn request_serials(request: &[u8]) -> Result<Vec<Vec<u8>>, der::Error> {
    let request = OcspRequest::from_der(request)?;
    Ok(request
        .tbs_request
        .request_list
        .iter()
        .map(|r| normalise(r.req_cert.serial_number.as_bytes()))
        .collect())
}

/// The serial numbers a recorded DER `OCSPResponse` answers for: the CertIDs of its
/// `SingleResponse`s.
pub(crate) fn response_serials(response: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let response = OcspResponse::from_der(response).map_err(|e| e.to_string())?;
    if response.response_status != OcspResponseStatus::Successful {
        return Err(format!(
            "responseStatus is {:?}, not successful",
            response.response_status
        ));
    }
    let bytes = response
        .response_bytes
        .ok_or("a successful response without responseBytes")?;
    if bytes.response_type != ID_PKIX_OCSP_BASIC {
        return Err(format!(
            "responseType {} is not id-pkix-ocsp-basic",
            bytes.response_type
        ));
    }
    let basic =
        BasicOcspResponse::from_der(bytes.response.as_bytes()).map_err(|e| e.to_string())?;
    let serials: Vec<Vec<u8>> = basic
        .tbs_response_data
        .responses
        .iter()
        .map(|r| normalise(r.cert_id.serial_number.as_bytes()))
        .collect();
    if serials.is_empty() {
        return Err("no SingleResponse".to_owned());
    }
    Ok(serials)
}

/// INTEGER content octets without the leading zero octets DER adds to keep a serial
/// positive, so that serials compare by value.
fn normalise(serial: &[u8]) -> Vec<u8> {
    let first = serial
        .iter()
        .position(|b| *b != 0)
        .unwrap_or_else(|| serial.len().saturating_sub(1));
    serial[first..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_responses_are_ocsp_responses_with_that_status() {
        let unauthorized = OcspResponse::from_der(OCSP_UNAUTHORIZED).expect("DER");
        assert_eq!(
            unauthorized.response_status,
            OcspResponseStatus::Unauthorized
        );
        assert!(unauthorized.response_bytes.is_none());
        let malformed = OcspResponse::from_der(OCSP_MALFORMED_REQUEST).expect("DER");
        assert_eq!(
            malformed.response_status,
            OcspResponseStatus::MalformedRequest
        );
        assert!(response_serials(OCSP_UNAUTHORIZED).is_err());
    }

    #[test]
    fn serials_compare_by_value() {
        assert_eq!(normalise(&[0x00, 0x80, 0x01]), vec![0x80, 0x01]);
        assert_eq!(normalise(&[0x41, 0x43]), vec![0x41, 0x43]);
        assert_eq!(normalise(&[0x00]), vec![0x00]);
    }

    #[test]
    fn garbage_is_not_a_request() {
        assert!(request_serials(b"not DER").is_err());
    }
}

//! EAR as a JWT: JWS compact serialisation (RFC 7515 §7.1) of the JSON claims-set.

use crate::ear::Ear;
use base64::Engine as _;
use serde::Serialize;
use serde_json::Value as Json;

use super::alg::Algorithm;
use super::error::TokenError;
use super::signer::Signer;
use super::wire::{check_signature_len, require_exp, Parsed, Payload, TokenFormat, B64};

#[derive(Serialize)]
struct Header<'a> {
    alg: &'static str,
    typ: &'static str,
    kid: &'a str,
}

/// Signs `ear` as a JWT: header `{"alg","typ":"JWT","kid"}`, payload the EAR's
/// JSON claims-set ([`Ear::to_json`]), signature over
/// `base64url(header) "." base64url(payload)`.
///
/// # Errors
/// [`TokenError::InvalidEar`] if the EAR is not valid ([`Ear::validate`]: profile,
/// submods, iat, an `exp` after it, nonce lengths, status); [`TokenError::Sign`] if the signer fails or returns a signature of the wrong
/// length for its algorithm.
pub fn sign_jwt(ear: &Ear, signer: &dyn Signer) -> Result<String, TokenError> {
    require_exp(ear)?;
    let alg = signer.algorithm();
    let header = serde_json::to_vec(&Header {
        alg: alg.jws_name(),
        typ: "JWT",
        kid: signer.key_id(),
    })
    .map_err(|e| TokenError::Sign(format!("JWT header: {e}")))?;
    let payload =
        serde_json::to_vec(&ear.to_json()).map_err(|e| TokenError::InvalidEar(e.to_string()))?;

    let sig_len = alg.signature_len();
    let mut token =
        String::with_capacity((header.len() + payload.len() + sig_len).saturating_mul(4) / 3 + 8);
    B64.encode_string(&header, &mut token);
    token.push('.');
    B64.encode_string(&payload, &mut token);
    let signature = signer.sign(token.as_bytes())?;
    check_signature_len(alg, &signature)?;
    token.push('.');
    B64.encode_string(&signature, &mut token);
    Ok(token)
}

fn malformed(msg: impl Into<String>) -> TokenError {
    TokenError::MalformedJwt(msg.into())
}

fn decode_part(part: &str, what: &str) -> Result<Vec<u8>, TokenError> {
    B64.decode(part)
        .map_err(|e| malformed(format!("{what} is not base64url: {e}")))
}

/// Splits and decodes a JWS compact token; checks the header (RFC 7515 §4.1, RFC 8725
/// §3.1: the algorithm must be one we accept, `crit` is refused, `typ` if present is JWT).
pub(crate) fn parse(token: &str) -> Result<Parsed<'_>, TokenError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header_b64, payload_b64, signature_b64] = parts[..] else {
        return Err(malformed(format!(
            "{} dot-separated parts, expected 3",
            parts.len()
        )));
    };
    let header = decode_part(header_b64, "the header")?;
    // A name given twice is refused (RFC 7515 §5.2 allows it; JSON parsers disagree on
    // which one wins, so a second `alg` or `kid` could mean different things to different
    // readers).
    let header = verifier::json::from_slice(&header)
        .map_err(|e| malformed(format!("the header is not JSON: {e}")))?;
    let header = header
        .as_object()
        .ok_or_else(|| malformed("the header is not a JSON object"))?;

    let alg = match header.get("alg") {
        Some(Json::String(name)) => Algorithm::from_jws_name(name)
            .ok_or_else(|| TokenError::UnsupportedAlgorithm(name.clone()))?,
        Some(_) => return Err(malformed("alg is not a string")),
        None => return Err(malformed("the header has no alg")),
    };
    if header.contains_key("crit") {
        return Err(malformed("crit header parameters are not supported"));
    }
    match header.get("typ") {
        None => {}
        Some(Json::String(typ)) => {
            let t = typ.to_ascii_lowercase();
            let t = t.strip_prefix("application/").unwrap_or(&t);
            if t != "jwt" && t != "eat+jwt" {
                return Err(malformed(format!("typ {typ:?} is not JWT or eat+jwt")));
            }
        }
        Some(_) => return Err(malformed("typ is not a string")),
    }
    let kid = match header.get("kid") {
        Some(Json::String(kid)) => kid.clone(),
        Some(_) => return Err(malformed("kid is not a string")),
        None => return Err(malformed("the header has no kid")),
    };
    let payload = decode_part(payload_b64, "the payload")?;
    let signature = decode_part(signature_b64, "the signature")?;
    let signed_len = header_b64.len() + 1 + payload_b64.len();
    Ok(Parsed {
        format: TokenFormat::Jwt,
        algorithm: alg,
        kids: vec![kid],
        signed: token
            .as_bytes()
            .get(..signed_len)
            .unwrap_or_default()
            .into(),
        signature,
        payload: Payload::Json(payload),
    })
}

/// The JSON claims of a JWT whose signature verified.
pub(crate) fn claims(payload: &[u8]) -> Result<Json, TokenError> {
    // Duplicated claims (`exp`, `eat_nonce`) are refused, as in the header.
    let claims = verifier::json::from_slice(payload)
        .map_err(|e| malformed(format!("the payload is not JSON: {e}")))?;
    if !claims.is_object() {
        return Err(malformed("the payload is not a JSON object"));
    }
    Ok(claims)
}

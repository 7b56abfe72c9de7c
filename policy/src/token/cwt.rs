//! EAR as a CWT: a COSE_Sign1 (RFC 9052 §4.2) over the CBOR claims-set (RFC 8392).

use crate::ear::Ear;
use base64::Engine as _;
use ciborium::Value as Cbor;
use coset::{
    iana, AsCborValue, ContentType, CoseSign1, CoseSign1Builder, HeaderBuilder,
    RegisteredLabelWithPrivate, TaggedCborSerializable,
};
use serde_json::Value as Json;

use super::alg::Algorithm;
use super::claims::cbor_claims_to_json;
use super::error::TokenError;
use super::signer::Signer;
use super::wire::{check_signature_len, require_exp, Parsed, Payload, TokenFormat, B64};

/// The content type in the protected header (RFC 9782 registers it; coset refuses media
/// type parameters, so there is no `; eat_profile=`).
const CONTENT_TYPE: &str = "application/eat+cwt";

/// The CWT tag (RFC 8392 §6), which may wrap the COSE tag.
const CWT_TAG: u64 = 61;

/// Signs `ear` as a tagged COSE_Sign1 (tag 18): protected header `{1: alg, 3:
/// "application/eat+cwt", 4: kid}` with the kid the raw bytes of the signer's base64url
/// key id (the SHA-256 thumbprint; a key id that is not base64url goes in as its UTF-8
/// bytes), no external AAD, payload the EAR's CBOR claims-set (integer keys).
///
/// # Errors
/// As [`super::sign_jwt`].
pub fn sign_cwt(ear: &Ear, signer: &dyn Signer) -> Result<Vec<u8>, TokenError> {
    require_exp(ear)?;
    let alg = signer.algorithm();
    let mut payload = Vec::with_capacity(512);
    ciborium::into_writer(&ear.to_cbor(), &mut payload)
        .map_err(|e| TokenError::InvalidEar(e.to_string()))?;
    let kid = B64
        .decode(signer.key_id())
        .unwrap_or_else(|_| signer.key_id().as_bytes().to_vec());
    let protected = HeaderBuilder::new()
        .algorithm(alg.cose_alg())
        .content_type(CONTENT_TYPE.into())
        .key_id(kid)
        .build();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .payload(payload)
        .try_create_signature(&[], |tbs| signer.sign(tbs))?
        .build();
    check_signature_len(alg, &sign1.signature)?;
    sign1
        .to_tagged_vec()
        .map_err(|e| TokenError::Sign(format!("COSE_Sign1 encoding: {e}")))
}

fn malformed(msg: impl Into<String>) -> TokenError {
    TokenError::MalformedCose(msg.into())
}

/// Reads exactly one CBOR item from `bytes` (trailing bytes are an error).
fn read_one(bytes: &[u8], what: &str) -> Result<Cbor, TokenError> {
    let mut rest = bytes;
    let value: Cbor = ciborium::from_reader(&mut rest)
        .map_err(|e| malformed(format!("{what} is not CBOR: {}", cbor_error(e))))?;
    if !rest.is_empty() {
        return Err(malformed(format!("{} bytes after the {what}", rest.len())));
    }
    Ok(value)
}

fn cbor_error(e: ciborium::de::Error<std::io::Error>) -> String {
    use ciborium::de::Error;
    match e {
        Error::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => "truncated".into(),
        Error::Io(e) => e.to_string(),
        Error::Syntax(offset) => format!("syntax error at byte {offset}"),
        Error::Semantic(Some(offset), msg) => format!("{msg} at byte {offset}"),
        Error::Semantic(None, msg) => msg,
        Error::RecursionLimitExceeded => "nested too deeply".into(),
    }
}

/// Decodes a COSE_Sign1: tagged 18 (optionally inside the CWT tag 61) or untagged.
/// `alg` must be in the protected header; `crit` is refused; the content type, if any,
/// must be a CWT's.
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed<'static>, TokenError> {
    let mut value = read_one(bytes, "token")?;
    if let Cbor::Tag(CWT_TAG, inner) = value {
        value = *inner;
    }
    let value = match value {
        Cbor::Tag(tag, inner) if tag == u64::from(iana::CborTag::CoseSign1 as u16) => *inner,
        Cbor::Tag(tag, _) => return Err(malformed(format!("tag {tag} is not COSE_Sign1 (18)"))),
        untagged => untagged,
    };
    check_header_buckets(&value)?;
    let sign1 = CoseSign1::from_cbor_value(value).map_err(|e| malformed(e.to_string()))?;
    let protected = &sign1.protected.header;

    let algorithm = match &protected.alg {
        Some(RegisteredLabelWithPrivate::Assigned(a)) => Algorithm::from_cose_alg(*a as i64)
            .ok_or_else(|| TokenError::UnsupportedAlgorithm(format!("COSE {}", *a as i64)))?,
        Some(RegisteredLabelWithPrivate::PrivateUse(a)) => {
            return Err(TokenError::UnsupportedAlgorithm(format!("COSE {a}")))
        }
        Some(RegisteredLabelWithPrivate::Text(t)) => {
            return Err(TokenError::UnsupportedAlgorithm(format!("COSE {t:?}")))
        }
        None if sign1.unprotected.alg.is_some() => {
            return Err(malformed("alg is in the unprotected header"))
        }
        None => return Err(malformed("the protected header has no alg")),
    };
    if !protected.crit.is_empty() || !sign1.unprotected.crit.is_empty() {
        return Err(malformed("crit header parameters are not supported"));
    }
    match &protected.content_type {
        None => {}
        Some(ContentType::Text(t))
            if t.starts_with(CONTENT_TYPE) || t.starts_with("application/cwt") => {}
        Some(ContentType::Assigned(iana::CoapContentFormat::Cwt)) => {}
        Some(other) => return Err(malformed(format!("content type {other:?} is not a CWT's"))),
    }
    let kid = if protected.key_id.is_empty() {
        &sign1.unprotected.key_id
    } else {
        &protected.key_id
    };
    if kid.is_empty() {
        return Err(malformed("no kid in the headers"));
    }
    // The thumbprint as we write it (raw bytes), then the key id as UTF-8 text.
    let mut kids = vec![B64.encode(kid)];
    if let Ok(text) = core::str::from_utf8(kid) {
        kids.push(text.to_string());
    }
    let signed = sign1.tbs_data(&[]);
    let CoseSign1 {
        payload, signature, ..
    } = sign1;
    let payload = payload.ok_or_else(|| malformed("the payload is detached (nil)"))?;
    Ok(Parsed {
        format: TokenFormat::Cwt,
        algorithm,
        kids,
        signed: signed.into(),
        signature,
        payload: Payload::Cbor(payload),
    })
}

/// RFC 9052 §3: "The same label MUST NOT occur in both the protected and unprotected
/// headers" (coset reads the two buckets separately and keeps both). A label in both
/// would let an unprotected value stand beside, and be read instead of, a signed one.
/// Anything not shaped like a COSE_Sign1 is left to coset to report.
fn check_header_buckets(value: &Cbor) -> Result<(), TokenError> {
    let Some(items) = value.as_array() else {
        return Ok(());
    };
    let (Some(Cbor::Bytes(protected)), Some(Cbor::Map(unprotected))) =
        (items.first(), items.get(1))
    else {
        return Ok(());
    };
    if protected.is_empty() || unprotected.is_empty() {
        return Ok(());
    }
    let Cbor::Map(protected) = read_one(protected, "protected header")? else {
        return Ok(());
    };
    for (label, _) in unprotected {
        if protected.iter().any(|(l, _)| l == label) {
            return Err(malformed(format!(
                "header parameter {} is in both the protected and the unprotected header",
                label_name(label)
            )));
        }
    }
    Ok(())
}

/// A header label as people know it: `alg (1)`, or the label itself.
fn label_name(label: &Cbor) -> String {
    let name = match label.as_integer().map(i128::from) {
        Some(1) => "alg",
        Some(2) => "crit",
        Some(3) => "content type",
        Some(4) => "kid",
        Some(5) => "IV",
        Some(6) => "Partial IV",
        Some(n) => return n.to_string(),
        None => {
            return match label {
                Cbor::Text(t) => format!("{t:?}"),
                other => format!("{other:?}"),
            }
        }
    };
    format!(
        "{name} ({})",
        label.as_integer().map(i128::from).unwrap_or_default()
    )
}

/// The claims of a CWT whose signature verified, as JSON with the JWT names.
pub(crate) fn claims(payload: &[u8]) -> Result<Json, TokenError> {
    let value = read_one(payload, "payload")?;
    cbor_claims_to_json(value).map_err(|e| malformed(format!("payload: {e}")))
}

/// `true` if the CBOR bytes begin like a COSE_Sign1: an array of 4, tag 18, or tag 61.
pub(crate) fn looks_like_cose(bytes: &[u8]) -> bool {
    matches!(bytes.first(), Some(0x84 | 0xd2)) || bytes.starts_with(&[0xd8, 0x3d])
}

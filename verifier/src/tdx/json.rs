//! Reading Intel's signed JSON collateral: the PCS envelope `{"<name>": {...},
//! "signature": "<hex r‖s>"}`, where the signature covers the exact bytes of the inner
//! object as served. Intel's library re-serialises the parsed object before checking;
//! Verdict keeps the raw span instead, which is what was signed whatever the whitespace.

use serde::Deserialize;

use crate::error::{Error, ParseError, ParseErrorKind};
use crate::time::parse_rfc3339_secs;

pub(crate) fn json_error(what: &'static str, msg: impl Into<String>) -> Error {
    ParseError {
        what,
        offset: 0,
        kind: ParseErrorKind::Json(msg.into()),
    }
    .into()
}

/// The signed bytes and signature of a PCS envelope whose inner object is under `key`.
pub(crate) fn envelope<'a>(
    bytes: &'a [u8],
    key: &'static str,
    what: &'static str,
) -> Result<(&'a [u8], [u8; 64]), Error> {
    let members = crate::json::object_members(bytes)
        .map_err(|e| json_error(what, e.to_string()))?
        .ok_or_else(|| json_error(what, "not a JSON object"))?;
    envelope_of(&members, key, what)
}

/// [`envelope`] over a document whose top level was already read (one pass over the
/// document whoever detected its kind).
pub(crate) fn envelope_of<'a>(
    members: &crate::json::Members<'a>,
    key: &'static str,
    what: &'static str,
) -> Result<(&'a [u8], [u8; 64]), Error> {
    let inner = members
        .get(key)
        .ok_or_else(|| json_error(what, format!("no \"{key}\" member")))?;
    let signature = members
        .get_str("signature")
        .ok_or_else(|| json_error(what, "no \"signature\" string"))?;
    let signature = signature_hex(&signature, what)?;
    Ok((inner.get().as_bytes(), signature))
}

/// A raw `r ‖ s` P-256 signature from hex.
pub(crate) fn signature_hex(text: &str, what: &'static str) -> Result<[u8; 64], Error> {
    let bytes = hex::decode(text).map_err(|e| json_error(what, format!("signature: {e}")))?;
    bytes.try_into().map_err(|b: Vec<u8>| {
        json_error(what, format!("signature is {} bytes, expected 64", b.len()))
    })
}

pub(crate) fn hex_array<const N: usize>(
    text: &str,
    field: &str,
    what: &'static str,
) -> Result<[u8; N], Error> {
    let bytes = hex::decode(text).map_err(|e| json_error(what, format!("{field}: {e}")))?;
    bytes.try_into().map_err(|b: Vec<u8>| {
        json_error(what, format!("{field} is {} bytes, expected {N}", b.len()))
    })
}

pub(crate) fn date(text: &str, field: &str, what: &'static str) -> Result<u64, Error> {
    parse_rfc3339_secs(text)
        .ok_or_else(|| json_error(what, format!("{field} {text:?} is not an RFC 3339 date")))
}

/// `{"svn": n, "category"?: .., "type"?: ..}`, as in TCB Info component lists.
#[derive(Debug, Deserialize)]
pub(crate) struct RawComponent {
    pub(crate) svn: u8,
}

pub(crate) fn components(
    list: &[RawComponent],
    field: &str,
    what: &'static str,
) -> Result<[u8; 16], Error> {
    if list.len() != 16 {
        return Err(json_error(
            what,
            format!("{field} has {} entries, expected 16", list.len()),
        ));
    }
    let mut out = [0u8; 16];
    for (slot, c) in out.iter_mut().zip(list) {
        *slot = c.svn;
    }
    Ok(out)
}

//! The forms GPU evidence travels in, decoded to reports plus certificate chains.
//!
//! - the raw report (binary, or hex text as nvtrust's samples have it); its chain then
//!   comes separately (collateral);
//! - NVIDIA's attestation SDK (`nvattest collect-evidence`) and nvtrust's remote
//!   collector: a JSON array of `{"evidence": b64, "certificate": b64(PEM), "arch", "nonce"}`;
//! - the NRAS request body `{"nonce", "arch", "evidence_list": [...]}` with the same items;
//! - Trustee's `{"device_evidence_list": [{"arch", "evidence": hex or b64, "certificate"}]}`;
//! - the Python SDK object dumps that go-nvattest-tools keeps as fixtures
//!   (`{"gpus": [{"AttestationReport": {"py/b64"}, "CertificateChains": {...}}]}`).
//!
//! Labels that travel beside the report (`arch`, `nonce`) are not signed; they are kept
//! so the verifier can flag a file whose label disagrees with its signed content.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;

use crate::error::{Error, ParseError, ParseErrorKind, Unsupported};
use crate::pki::Certificate;

/// One GPU's evidence: its report and, when the form carries it, its device chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuEvidence {
    /// SPDM request ‖ response, exactly as received.
    pub report: Vec<u8>,
    /// The device chain as it travelled: PEM text or base64 of PEM, leaf first (empty
    /// when it comes separately, in the collateral).
    pub certificate_chain: Vec<u8>,
    /// The architecture label beside the report (`HOPPER`), if any. Unsigned.
    pub arch_label: Option<String>,
    /// The nonce label beside the report, if any. Unsigned.
    pub nonce_label: Option<String>,
}

impl GpuEvidence {
    /// Evidence from a raw report and its chain (PEM or base64 of PEM; may be empty).
    pub fn new(report: Vec<u8>, certificate_chain: Vec<u8>) -> Self {
        Self {
            report,
            certificate_chain,
            arch_label: None,
            nonce_label: None,
        }
    }
}

/// Whether `bytes` look like GPU evidence in one of the forms [`decode`] reads.
pub fn looks_like(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0x11, 0xE0]) {
        return true;
    }
    let text = trim(bytes);
    if text.len() >= 4
        && text
            .get(..4)
            .is_some_and(|h| h.eq_ignore_ascii_case(b"11e0"))
    {
        return true;
    }
    if text.first().is_some_and(|&c| c == b'[' || c == b'{') {
        return serde_json::from_slice::<Value>(text).ok().is_some_and(|v| {
            json_items(&v)
                .is_ok_and(|items| !items.is_empty() && items.iter().all(Item::has_report))
        });
    }
    false
}

/// Decodes every GPU's evidence in `bytes`: at least one.
///
/// # Errors
/// [`Error::Parse`] for text that is none of the forms, a list without any GPU
/// ([`ParseErrorKind::Empty`]), or an item whose report or chain does not decode;
/// [`Error::Unsupported`] for NVSwitch evidence.
pub fn decode(bytes: &[u8]) -> Result<Vec<GpuEvidence>, Error> {
    if bytes.starts_with(&[0x11, 0xE0]) {
        return Ok(vec![GpuEvidence::new(bytes.to_vec(), Vec::new())]);
    }
    let text = trim(bytes);
    if text.first().is_some_and(|&c| c == b'[' || c == b'{') {
        let value: Value = serde_json::from_slice(text).map_err(|e| json_error(e.to_string()))?;
        let items = json_items(&value)?;
        // No device is not evidence of anything: malformed, never a pass.
        if items.is_empty() {
            return Err(empty_evidence().into());
        }
        return items.into_iter().map(item).collect();
    }
    let report = hex::decode(text).map_err(|e| ParseError {
        what: "GPU evidence",
        offset: 0,
        kind: ParseErrorKind::Encoding(match e {
            hex::FromHexError::OddLength => "hex text of even length",
            _ => "a binary SPDM report, hex text or a known JSON form",
        }),
    })?;
    Ok(vec![GpuEvidence::new(report, Vec::new())])
}

/// Decodes a device chain: PEM text, or base64 of PEM text (as the JSON forms carry it).
///
/// # Errors
/// [`Error::Parse`] when no certificate can be read.
pub fn decode_chain(bytes: &[u8]) -> Result<Vec<Certificate>, Error> {
    let text = trim(bytes);
    let pem_text = if text.starts_with(b"-----BEGIN") {
        text.to_vec()
    } else {
        STANDARD
            .decode(strip_ws(text))
            .map_err(|_| chain_error("PEM or base64 of PEM"))?
    };
    let blocks = pem::parse_many(&pem_text).map_err(|_| chain_error("well-formed PEM"))?;
    let certs = blocks
        .iter()
        .filter(|b| b.tag() == "CERTIFICATE")
        .map(|b| Certificate::from_der(b.contents()))
        .collect::<Result<Vec<_>, _>>()?;
    if certs.is_empty() {
        return Err(chain_error("PEM holding a CERTIFICATE block").into());
    }
    Ok(certs)
}

/// A JSON document's per-GPU items.
fn plain(items: &[Value]) -> Vec<Item<'_>> {
    items.iter().map(Item::Plain).collect()
}

fn json_items(value: &Value) -> Result<Vec<Item<'_>>, Error> {
    match value {
        Value::Array(items) => Ok(plain(items)),
        Value::Object(map) => {
            if let Some(Value::Array(items)) = map.get("evidence_list") {
                return Ok(plain(items));
            }
            if let Some(Value::Array(items)) = map.get("device_evidence_list") {
                return Ok(plain(items));
            }
            if let Some(Value::Array(gpus)) = map.get("gpus") {
                if map
                    .get("nvswitches")
                    .and_then(Value::as_array)
                    .is_some_and(|s| !s.is_empty())
                {
                    return Err(Unsupported::NvidiaDevice("NVSwitch (LS10)".into()).into());
                }
                return Ok(gpus.iter().map(Item::PythonDump).collect());
            }
            if map.contains_key("evidence") {
                return Ok(vec![Item::Plain(value)]);
            }
            Err(json_error(
                "an object without evidence_list, device_evidence_list, gpus or evidence".into(),
            )
            .into())
        }
        _ => Err(json_error("expected an array or an object".into()).into()),
    }
}

enum Item<'a> {
    Plain(&'a Value),
    PythonDump(&'a Value),
}

impl Item<'_> {
    /// Whether the item carries a report where its form puts one.
    fn has_report(&self) -> bool {
        match self {
            Self::Plain(v) => v.get("evidence").is_some_and(Value::is_string),
            Self::PythonDump(v) => v.get("AttestationReport").is_some(),
        }
    }
}

fn item(item: Item<'_>) -> Result<GpuEvidence, Error> {
    match item {
        Item::Plain(v) => {
            let evidence = str_field(v, "evidence")?;
            let report = decode_report_text(evidence)?;
            let certificate_chain = v
                .get("certificate")
                .and_then(Value::as_str)
                .map(|c| c.as_bytes().to_vec())
                .unwrap_or_default();
            Ok(GpuEvidence {
                report,
                certificate_chain,
                arch_label: v.get("arch").and_then(Value::as_str).map(str::to_owned),
                nonce_label: v.get("nonce").and_then(Value::as_str).map(str::to_owned),
            })
        }
        Item::PythonDump(v) => {
            let report = v
                .get("AttestationReport")
                .and_then(|r| r.get("py/b64"))
                .and_then(Value::as_str)
                .ok_or_else(|| json_error("gpus[].AttestationReport.py/b64 missing".into()))?;
            let report = STANDARD
                .decode(report)
                .map_err(|_| json_error("gpus[].AttestationReport is not base64".into()))?;
            let chain = v
                .get("CertificateChains")
                .and_then(|c| c.get("GpuAttestationCertificateChain"))
                .and_then(Value::as_array)
                .ok_or_else(|| json_error("gpus[].CertificateChains missing".into()))?;
            // One base64 PEM per certificate: joined as one PEM text.
            let mut certificate_chain = Vec::new();
            for c in chain {
                let pem_b64 = c
                    .get("pem")
                    .and_then(Value::as_str)
                    .ok_or_else(|| json_error("certificate without pem".into()))?;
                let pem_text = STANDARD
                    .decode(strip_ws(pem_b64.as_bytes()))
                    .map_err(|_| json_error("certificate pem is not base64".into()))?;
                certificate_chain.extend_from_slice(&pem_text);
                certificate_chain.push(b'\n');
            }
            Ok(GpuEvidence {
                report,
                certificate_chain,
                arch_label: v.get("Arch").and_then(Value::as_str).map(str::to_owned),
                nonce_label: None,
            })
        }
    }
}

/// A report inside JSON: base64, or hex (Trustee accepts both).
fn decode_report_text(text: &str) -> Result<Vec<u8>, Error> {
    let text = text.trim();
    if text.len() >= 4
        && text
            .get(..4)
            .is_some_and(|h| h.eq_ignore_ascii_case("11e0"))
    {
        if let Ok(bytes) = hex::decode(text) {
            return Ok(bytes);
        }
    }
    STANDARD
        .decode(text)
        .map_err(|_| json_error("evidence is neither base64 nor hex".into()).into())
}

fn str_field<'a>(v: &'a Value, name: &'static str) -> Result<&'a str, Error> {
    v.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| json_error(format!("item without a string \"{name}\"")).into())
}

fn json_error(message: String) -> ParseError {
    ParseError {
        what: "GPU evidence JSON",
        offset: 0,
        kind: ParseErrorKind::Json(message),
    }
}

/// A list of GPU evidence without any item.
pub(crate) fn empty_evidence() -> ParseError {
    ParseError {
        what: "GPU evidence",
        offset: 0,
        kind: ParseErrorKind::Empty,
    }
}

fn chain_error(expected: &'static str) -> ParseError {
    ParseError {
        what: "GPU certificate chain",
        offset: 0,
        kind: ParseErrorKind::Encoding(expected),
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

fn strip_ws(text: &[u8]) -> Vec<u8> {
    text.iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect()
}

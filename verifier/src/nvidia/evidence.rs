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
//! so the verifier can refuse a file whose label disagrees with its signed content
//! ([`crate::Error::EvidenceLabel`]).

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
    /// The architecture label beside the report (`HOPPER`), if any: the item's, else the
    /// document's top-level one. Unsigned; verification rejects one that is not the
    /// architecture of the verified chain.
    pub arch_label: Option<String>,
    /// The nonce label beside the report (hex), if any: the item's, else the document's
    /// top-level one. Unsigned; verification rejects one that is not the report's
    /// requester nonce.
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
///
/// Lenient on purpose: it tells the form by its shape (the member names where reports
/// travel), not by the members' types or values, so that [`decode`] then names what is
/// wrong with a file that is meant to be GPU evidence.
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
        return serde_json::from_slice::<Value>(text)
            .ok()
            .is_some_and(|v| has_gpu_shape(&v));
    }
    false
}

/// A non-empty array of objects with an `evidence` member, or an object with one of
/// the members the JSON forms keep their reports in.
fn has_gpu_shape(value: &Value) -> bool {
    match value {
        Value::Array(items) => {
            !items.is_empty() && items.iter().all(|i| i.get("evidence").is_some())
        }
        Value::Object(map) => ["evidence_list", "device_evidence_list", "gpus", "evidence"]
            .iter()
            .any(|k| map.contains_key(*k)),
        _ => false,
    }
}

/// Decodes every GPU's evidence in `bytes`: at least one.
///
/// Binary reports are taken as they are; hex text may be wrapped (whitespace and line
/// breaks inside it are ignored). JSON is read strictly: a member named twice in one
/// object, or a member of the wrong type (`"certificate": {}`, `"nonce": 5`), is
/// malformed input naming the member and the item index, never ignored. `null` counts
/// as absent for the optional members (`certificate`, `arch`, `nonce`), as serializers
/// write an absent optional value.
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
        let value = crate::json::from_slice(text).map_err(|e| json_error(e.to_string()))?;
        let doc = Document::read(&value)?;
        // No device is not evidence of anything: malformed, never a pass.
        if doc.items.is_empty() {
            return Err(empty_evidence().into());
        }
        return doc
            .items
            .iter()
            .enumerate()
            .map(|(i, v)| doc.item(i, v))
            .collect();
    }
    let report = hex::decode(strip_ws(text)).map_err(|e| ParseError {
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
    let blocks = crate::pem_blocks::parse(&pem_text).map_err(|_| chain_error("well-formed PEM"))?;
    let certs = blocks
        .into_iter()
        .filter_map(crate::pem_blocks::Block::certificate)
        .map(|der| Certificate::from_der(&der))
        .collect::<Result<Vec<_>, _>>()?;
    if certs.is_empty() {
        return Err(chain_error("PEM holding a CERTIFICATE block").into());
    }
    Ok(certs)
}

/// How a document lists its GPUs.
#[derive(Clone, Copy)]
enum List {
    /// A top-level array of items.
    Array,
    /// A single item object.
    Single,
    /// An array under this member of the top-level object.
    Member(&'static str),
}

/// The item layout.
#[derive(Clone, Copy)]
enum Layout {
    /// `{"evidence", "certificate", "arch", "nonce"}`.
    Plain,
    /// The Python SDK object dump (`AttestationReport`, `CertificateChains`, `Arch`).
    PythonDump,
}

/// A JSON evidence document: its per-GPU items, and the labels the NRAS request body
/// gives all of them at the top level.
struct Document<'a> {
    list: List,
    layout: Layout,
    items: Vec<&'a Value>,
    nonce: Option<&'a str>,
    arch: Option<&'a str>,
}

impl<'a> Document<'a> {
    fn read(value: &'a Value) -> Result<Self, Error> {
        let doc = |list, layout, items| Document {
            list,
            layout,
            items,
            nonce: None,
            arch: None,
        };
        let map = match value {
            Value::Array(items) => {
                return Ok(doc(List::Array, Layout::Plain, items.iter().collect()))
            }
            Value::Object(map) => map,
            other => {
                return Err(json_error(format!(
                    "expected an array or an object, found {}",
                    crate::json::kind_name(other)
                ))
                .into())
            }
        };
        for list in ["evidence_list", "device_evidence_list"] {
            if let Some(items) = map.get(list) {
                let mut d = doc(List::Member(list), Layout::Plain, array(items, list)?);
                d.nonce = opt_str(map.get("nonce"), || "nonce".into())?;
                d.arch = opt_str(map.get("arch"), || "arch".into())?;
                return Ok(d);
            }
        }
        if let Some(gpus) = map.get("gpus") {
            let gpus = array(gpus, "gpus")?;
            if let Some(switches) = map.get("nvswitches") {
                if !array(switches, "nvswitches")?.is_empty() {
                    return Err(Unsupported::NvidiaDevice("NVSwitch (LS10)".into()).into());
                }
            }
            return Ok(doc(List::Member("gpus"), Layout::PythonDump, gpus));
        }
        if map.contains_key("evidence") {
            return Ok(doc(List::Single, Layout::Plain, vec![value]));
        }
        Err(json_error(
            "an object without evidence_list, device_evidence_list, gpus or evidence".into(),
        )
        .into())
    }

    /// The JSON path of item `i`'s member `field`, as errors name it.
    fn path(&self, i: usize, field: &str) -> String {
        match self.list {
            List::Array => format!("[{i}].{field}"),
            List::Single => field.to_owned(),
            List::Member(list) => format!("{list}[{i}].{field}"),
        }
    }

    fn item(&self, i: usize, v: &Value) -> Result<GpuEvidence, Error> {
        if !v.is_object() {
            let at = match self.list {
                List::Array => format!("[{i}]"),
                List::Single => "the document".into(),
                List::Member(list) => format!("{list}[{i}]"),
            };
            return Err(json_error(format!(
                "{at}: expected an object, found {}",
                crate::json::kind_name(v)
            ))
            .into());
        }
        let path = |field: &str| self.path(i, field);
        match self.layout {
            Layout::Plain => {
                let evidence = match v.get("evidence") {
                    Some(Value::String(s)) => s,
                    Some(other) => return Err(wrong_type(&path("evidence"), "a string", other)),
                    None => {
                        return Err(json_error(format!(
                            "{}: missing (the report, base64 or hex)",
                            path("evidence")
                        ))
                        .into())
                    }
                };
                let report = decode_report_text(evidence, || path("evidence"))?;
                let certificate_chain = opt_str(v.get("certificate"), || path("certificate"))?
                    .map(|c| c.as_bytes().to_vec())
                    .unwrap_or_default();
                let arch = opt_str(v.get("arch"), || path("arch"))?;
                let nonce = opt_str(v.get("nonce"), || path("nonce"))?;
                Ok(GpuEvidence {
                    report,
                    certificate_chain,
                    arch_label: self.label("arch", arch, self.arch, &path)?,
                    nonce_label: self.label("nonce", nonce, self.nonce, &path)?,
                })
            }
            Layout::PythonDump => {
                let report = match v.get("AttestationReport") {
                    Some(Value::Object(r)) => r,
                    Some(other) => {
                        return Err(wrong_type(&path("AttestationReport"), "an object", other))
                    }
                    None => {
                        return Err(
                            json_error(format!("{}: missing", path("AttestationReport"))).into(),
                        )
                    }
                };
                let b64_path = || path("AttestationReport.py/b64");
                let report = match report.get("py/b64") {
                    Some(Value::String(s)) => s,
                    Some(other) => return Err(wrong_type(&b64_path(), "a string", other)),
                    None => return Err(json_error(format!("{}: missing", b64_path())).into()),
                };
                let report = STANDARD
                    .decode(strip_ws(report.as_bytes()))
                    .map_err(|_| json_error(format!("{}: not base64", b64_path())))?;
                let chains_path = || path("CertificateChains.GpuAttestationCertificateChain");
                let chain = match v.get("CertificateChains") {
                    Some(Value::Object(c)) => match c.get("GpuAttestationCertificateChain") {
                        Some(Value::Array(chain)) => chain,
                        Some(other) => return Err(wrong_type(&chains_path(), "an array", other)),
                        None => {
                            return Err(json_error(format!("{}: missing", chains_path())).into())
                        }
                    },
                    Some(other) => {
                        return Err(wrong_type(&path("CertificateChains"), "an object", other))
                    }
                    None => {
                        return Err(
                            json_error(format!("{}: missing", path("CertificateChains"))).into(),
                        )
                    }
                };
                // One base64 PEM per certificate: joined as one PEM text.
                let mut certificate_chain = Vec::new();
                for (j, c) in chain.iter().enumerate() {
                    let pem_path = || format!("{}[{j}].pem", chains_path());
                    let pem_b64 = match c.get("pem") {
                        Some(Value::String(s)) => s,
                        Some(other) => return Err(wrong_type(&pem_path(), "a string", other)),
                        None => {
                            return Err(json_error(format!(
                                "{}: missing (a certificate without pem)",
                                pem_path()
                            ))
                            .into())
                        }
                    };
                    let pem_text = STANDARD
                        .decode(strip_ws(pem_b64.as_bytes()))
                        .map_err(|_| json_error(format!("{}: not base64", pem_path())))?;
                    certificate_chain.extend_from_slice(&pem_text);
                    certificate_chain.push(b'\n');
                }
                let arch = opt_str(v.get("Arch"), || path("Arch"))?;
                Ok(GpuEvidence {
                    report,
                    certificate_chain,
                    arch_label: arch.map(str::to_owned),
                    nonce_label: None,
                })
            }
        }
    }

    /// An item's label, else the document's. Both given and different is a document
    /// that contradicts itself: refused, rather than one of them silently ignored.
    fn label(
        &self,
        name: &str,
        item: Option<&str>,
        document: Option<&str>,
        path: &dyn Fn(&str) -> String,
    ) -> Result<Option<String>, Error> {
        match (item, document) {
            (Some(i), Some(d)) if !i.eq_ignore_ascii_case(d) => Err(json_error(format!(
                "{} is {i:?}, the top-level {name} is {d:?}",
                path(name)
            ))
            .into()),
            (Some(l), _) | (None, Some(l)) => Ok(Some(l.to_owned())),
            (None, None) => Ok(None),
        }
    }
}

/// A member that must be an array.
fn array<'a>(value: &'a Value, name: &str) -> Result<Vec<&'a Value>, Error> {
    match value {
        Value::Array(items) => Ok(items.iter().collect()),
        other => Err(wrong_type(name, "an array", other)),
    }
}

/// An optional string member: absent or `null` is `None`, any other type is an error.
fn opt_str(value: Option<&Value>, path: impl FnOnce() -> String) -> Result<Option<&str>, Error> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_type(&path(), "a string", other)),
    }
}

fn wrong_type(path: &str, expected: &str, found: &Value) -> Error {
    json_error(format!(
        "{path}: expected {expected}, found {}",
        crate::json::kind_name(found)
    ))
    .into()
}

/// A report inside JSON: base64, or hex (Trustee accepts both); either may be wrapped
/// (whitespace inside is ignored).
fn decode_report_text(text: &str, path: impl FnOnce() -> String) -> Result<Vec<u8>, Error> {
    let compact = strip_ws(text.as_bytes());
    if compact
        .get(..4)
        .is_some_and(|h| h.eq_ignore_ascii_case(b"11e0"))
    {
        if let Ok(bytes) = hex::decode(&compact) {
            return Ok(bytes);
        }
    }
    STANDARD
        .decode(&compact)
        .map_err(|_| json_error(format!("{}: neither base64 nor hex", path())).into())
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

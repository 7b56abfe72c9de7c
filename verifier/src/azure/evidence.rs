//! Azure vTPM evidence as it travels: Trustee's `az-snp-vtpm` (versions 0, 1, 2) and
//! `az-tdx-vtpm` (versions 0, 1) JSON, and the loose parts (HCL report, TPM quote, VCEK
//! or TD quote) for callers that collected them some other way.
//!
//! Version 0 writes every blob as a JSON list of byte values (SNP: `quote`, `report`, and
//! `vcek` as PEM; TDX: `tpm_quote`, `hcl_report`, `td_quote`). Versions 1 and 2 add an
//! integer `version`, write the TPM quote's parts as hex and the blobs as base64url.
//! Version 2 differs in meaning only: the paravisor wrote the nonce into the runtime
//! data's `user-data` before the HCL report was made, so the report is fresh too.

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::error::{Error, ParseError, ParseErrorKind, Unsupported};
use crate::tee::Tee;

/// The HCL report's signature, `"HCLA"`, as it starts the bytes.
pub const HCL_MAGIC: &[u8; 4] = b"HCLA";
/// The largest number of PCR values a TPM quote's list may hold (one SHA-256 bank).
pub const MAX_PCRS: usize = 24;

/// The vTPM's quote: the signed TPMS_ATTEST, its RSA signature, and the PCR values it
/// digests (empty when they were not supplied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TpmQuote {
    /// The marshalled TPMS_ATTEST (what the attestation key signed).
    pub message: Vec<u8>,
    /// The bare RSASSA-PKCS1-v1_5 signature (from the TPMT_SIGNATURE).
    pub signature: Vec<u8>,
    /// The SHA-256 PCR values: either one per selected PCR in ascending order, or all 24
    /// indexed by PCR number. Empty when not supplied (the PCR digest is then unchecked).
    pub pcrs: Vec<[u8; 32]>,
}

/// What endorses the hardware report inside the HCL report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AzureHardware {
    /// An SEV-SNP report, with the VCEK (DER) when the evidence carries it; otherwise
    /// it comes from the collateral.
    Snp {
        /// The VCEK, DER.
        vcek: Option<Vec<u8>>,
    },
    /// A TDREPORT, with the DCAP TD quote Azure's IMDS made from it.
    Tdx {
        /// The TD quote.
        td_quote: Vec<u8>,
    },
}

/// Azure vTPM evidence, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureEvidence {
    /// The HCL report (vTPM NV index `0x01400001`), with its zero padding.
    pub hcl_report: Vec<u8>,
    /// The vTPM quote.
    pub tpm_quote: TpmQuote,
    /// The VCEK or the TD quote.
    pub hardware: AzureHardware,
    /// The evidence version (0, 1 or 2): from 2 on, the runtime data's `user-data` must
    /// begin with the TPM quote's nonce, which makes the HCL report fresh too.
    pub version: u8,
}

impl AzureEvidence {
    /// The highest evidence version Verdict knows the meaning of.
    pub const MAX_VERSION: u8 = 2;

    /// The kind: `azure-snp` or `azure-tdx`.
    pub fn tee(&self) -> Tee {
        match self.hardware {
            AzureHardware::Snp { .. } => Tee::AzureSnp,
            AzureHardware::Tdx { .. } => Tee::AzureTdx,
        }
    }

    /// Whether the runtime data must carry the nonce (evidence version 2 and later).
    pub fn nonce_in_runtime_data(&self) -> bool {
        self.version >= 2
    }
}

/// Whether `bytes` look like Trustee's Azure vTPM evidence: a JSON object with an HCL
/// report member (`report` or `hcl_report`) and a TPM quote member (`quote` or
/// `tpm_quote`). Only the shape is looked at.
pub fn looks_like(bytes: &[u8]) -> bool {
    let text = bytes.trim_ascii();
    if !text.starts_with(b"{") {
        return false;
    }
    serde_json::from_slice::<Value>(text).ok().is_some_and(|v| {
        (v.get("report").is_some() || v.get("hcl_report").is_some())
            && (v.get("quote").is_some() || v.get("tpm_quote").is_some())
    })
}

/// Whether `bytes` start like an HCL report (given alone, without its quote).
pub fn is_hcl_report(bytes: &[u8]) -> bool {
    bytes.starts_with(HCL_MAGIC)
}

const EVIDENCE: &str = "Azure vTPM evidence JSON";

fn json_error(what: &'static str, message: impl Into<String>) -> Error {
    ParseError::new(what, 0, ParseErrorKind::Json(message.into())).into()
}

fn encoding_error(what: &'static str, expected: &'static str) -> Error {
    ParseError::new(what, 0, ParseErrorKind::Encoding(expected)).into()
}

/// Reads Trustee's Azure evidence JSON (see [`looks_like`]), strictly: a member named
/// twice, of the wrong type or encoding, a version other than 0 to 2, or an SNP and a
/// TDX endorsement together are errors naming the member.
///
/// # Errors
/// [`Error::Parse`] naming the member; [`Unsupported::AzureEvidenceVersion`] for an
/// unknown version.
pub fn decode_trustee(bytes: &[u8]) -> Result<AzureEvidence, Error> {
    let value = crate::json::from_slice(bytes.trim_ascii())
        .map_err(|e| json_error(EVIDENCE, e.to_string()))?;
    let Value::Object(root) = value else {
        return Err(json_error(EVIDENCE, "expected an object"));
    };
    let version = match root.get("version") {
        None => 0,
        Some(Value::Number(n)) => match n.as_u64() {
            Some(v @ 1..=2) => u8::try_from(v).unwrap_or(u8::MAX),
            _ => {
                return Err(Unsupported::AzureEvidenceVersion(n.to_string()).into());
            }
        },
        Some(other) => {
            return Err(json_error(
                EVIDENCE,
                format!(
                    "version: expected an integer, found {}",
                    crate::json::kind_name(other)
                ),
            ))
        }
    };
    let one_of = |names: [&'static str; 2]| -> Result<(&'static str, &Value), Error> {
        match (root.get(names[0]), root.get(names[1])) {
            (Some(v), None) => Ok((names[0], v)),
            (None, Some(v)) => Ok((names[1], v)),
            (Some(_), Some(_)) => Err(json_error(
                EVIDENCE,
                format!("both {} and {} are given", names[0], names[1]),
            )),
            (None, None) => Err(json_error(EVIDENCE, format!("{} is absent", names[1]))),
        }
    };
    let (hcl_name, hcl) = one_of(["report", "hcl_report"])?;
    let (_, quote) = one_of(["quote", "tpm_quote"])?;
    let hcl_report = blob(hcl, hcl_name, "Azure evidence \"hcl_report\"")?;
    let tpm_quote = tpm_quote_from_value(quote)?;
    let hardware = match (root.get("vcek"), root.get("td_quote")) {
        (Some(_), Some(_)) => {
            return Err(json_error(
                EVIDENCE,
                "both vcek and td_quote are given: the evidence is either SNP or TDX",
            ))
        }
        (Some(vcek), None) => AzureHardware::Snp {
            vcek: Some(vcek_der(vcek)?),
        },
        (None, Some(q)) => AzureHardware::Tdx {
            td_quote: blob(q, "td_quote", "Azure evidence \"td_quote\"")?,
        },
        // Without either, the HCL report says which it is; the VCEK then comes from the
        // collateral.
        (None, None) => {
            if hcl_report.get(0x4C8..0x4CC) == Some(&4u32.to_le_bytes()[..]) {
                return Err(json_error(
                    EVIDENCE,
                    "td_quote is absent: TDX evidence needs the TD quote made from its TDREPORT",
                ));
            }
            AzureHardware::Snp { vcek: None }
        }
    };
    Ok(AzureEvidence {
        hcl_report,
        tpm_quote,
        hardware,
        version,
    })
}

/// A blob: a list of byte values (version 0) or base64url text (versions 1 and 2,
/// padded; unpadded and standard base64 are accepted too).
fn blob(value: &Value, member: &str, what: &'static str) -> Result<Vec<u8>, Error> {
    match value {
        Value::Array(items) => byte_list(items, member),
        Value::String(text) => base64_text(text).ok_or_else(|| encoding_error(what, "base64url")),
        other => Err(json_error(
            EVIDENCE,
            format!(
                "{member}: expected base64url text or a list of bytes, found {}",
                crate::json::kind_name(other)
            ),
        )),
    }
}

fn base64_text(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    [
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::STANDARD_NO_PAD,
    ]
    .iter()
    .find_map(|e| e.decode(&compact).ok())
}

fn byte_list(items: &[Value], member: &str) -> Result<Vec<u8>, Error> {
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_u64()
                .and_then(|b| u8::try_from(b).ok())
                .ok_or_else(|| {
                    json_error(
                        EVIDENCE,
                        format!("{member}[{i}]: expected a byte (0 to 255)"),
                    )
                })
        })
        .collect()
}

/// The VCEK: PEM text (version 0) or base64url DER (versions 1 and 2).
fn vcek_der(value: &Value) -> Result<Vec<u8>, Error> {
    const WHAT: &str = "Azure evidence \"vcek\"";
    match value {
        Value::String(text) if text.contains("-----BEGIN") => {
            crate::pem_blocks::parse(text.as_bytes())
                .map_err(|_| encoding_error(WHAT, "a PEM certificate"))?
                .into_iter()
                .find_map(crate::pem_blocks::Block::certificate)
                .ok_or_else(|| encoding_error(WHAT, "a PEM certificate"))
        }
        Value::String(text) => {
            base64_text(text).ok_or_else(|| encoding_error(WHAT, "base64url DER or PEM"))
        }
        Value::Array(items) => byte_list(items, "vcek"),
        other => Err(json_error(
            EVIDENCE,
            format!(
                "vcek: expected PEM or base64url text, found {}",
                crate::json::kind_name(other)
            ),
        )),
    }
}

/// A TPM quote from its JSON (`{"message", "signature", "pcrs"}`, as hex strings or lists
/// of bytes).
fn tpm_quote_from_value(value: &Value) -> Result<TpmQuote, Error> {
    let Value::Object(m) = value else {
        return Err(json_error(
            EVIDENCE,
            format!(
                "tpm_quote: expected an object, found {}",
                crate::json::kind_name(value)
            ),
        ));
    };
    tpm_quote_from_map(m)
}

fn tpm_quote_from_map(m: &Map<String, Value>) -> Result<TpmQuote, Error> {
    let bytes = |name: &str| -> Result<Vec<u8>, Error> {
        match m.get(name) {
            Some(Value::String(s)) => hex::decode(s).map_err(|_| {
                json_error(
                    EVIDENCE,
                    format!("tpm_quote.{name}: expected hex, found other text"),
                )
            }),
            Some(Value::Array(items)) => byte_list(items, name),
            Some(other) => Err(json_error(
                EVIDENCE,
                format!(
                    "tpm_quote.{name}: expected hex or a list of bytes, found {}",
                    crate::json::kind_name(other)
                ),
            )),
            None => Err(json_error(EVIDENCE, format!("tpm_quote.{name} is absent"))),
        }
    };
    let message = bytes("message")?;
    let signature = bytes("signature")?;
    let pcrs = match m.get("pcrs") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => {
            if list.len() > MAX_PCRS {
                return Err(json_error(
                    EVIDENCE,
                    format!("tpm_quote.pcrs: {} values, at most {MAX_PCRS}", list.len()),
                ));
            }
            list.iter()
                .enumerate()
                .map(|(i, v)| {
                    let raw = match v {
                        Value::String(s) => hex::decode(s).ok(),
                        Value::Array(items) => byte_list(items, "pcrs").ok(),
                        _ => None,
                    };
                    raw.and_then(|r| <[u8; 32]>::try_from(r).ok())
                        .ok_or_else(|| {
                            json_error(
                                EVIDENCE,
                                format!("tpm_quote.pcrs[{i}]: expected a 32-byte SHA-256 value"),
                            )
                        })
                })
                .collect::<Result<_, _>>()?
        }
        Some(other) => {
            return Err(json_error(
                EVIDENCE,
                format!(
                    "tpm_quote.pcrs: expected a list, found {}",
                    crate::json::kind_name(other)
                ),
            ))
        }
    };
    Ok(TpmQuote {
        message,
        signature,
        pcrs,
    })
}

impl TpmQuote {
    /// Reads a TPM quote given on its own: the JSON form (`{"message", "signature",
    /// "pcrs"}`, hex or lists of bytes) or Trustee's bincode form (three length-prefixed
    /// lists: signature, message, PCR values).
    ///
    /// # Errors
    /// [`Error::Parse`]: JSON that is not a quote, a bincode form whose lengths do not
    /// add up, or bytes of neither form (a bare TPMS_ATTEST needs its signature given
    /// beside it: [`TpmQuote::from_parts`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let text = bytes.trim_ascii();
        if text.starts_with(b"{") {
            let value =
                crate::json::from_slice(text).map_err(|e| json_error(EVIDENCE, e.to_string()))?;
            return tpm_quote_from_value(&value);
        }
        if bytes.starts_with(&0xFF54_4347u32.to_be_bytes()) {
            return Err(ParseError::new(
                "TPM quote",
                0,
                ParseErrorKind::Structure(
                    "a bare TPMS_ATTEST: its signature must be given beside it",
                ),
            )
            .into());
        }
        from_bincode(bytes)
    }

    /// A quote from its separate parts: the TPMS_ATTEST, the bare signature, and the PCR
    /// values (`pcrs`: concatenated 32-byte values, or empty).
    ///
    /// # Errors
    /// [`ParseErrorKind::WrongLength`] for PCR values that are not whole 32-byte values,
    /// or more than 24.
    pub fn from_parts(message: Vec<u8>, signature: Vec<u8>, pcrs: &[u8]) -> Result<Self, Error> {
        let (values, rest) = pcrs.as_chunks::<32>();
        if !rest.is_empty() || values.len() > MAX_PCRS {
            return Err(ParseError::new(
                "PCR values",
                0,
                ParseErrorKind::WrongLength {
                    expected: values.len().min(MAX_PCRS).saturating_mul(32),
                    actual: pcrs.len(),
                },
            )
            .into());
        }
        Ok(Self {
            message,
            signature,
            pcrs: values.to_vec(),
        })
    }
}

/// Trustee's bincode `Quote { signature: Vec<u8>, message: Vec<u8>, pcrs: Vec<[u8; 32]> }`:
/// each list a little-endian u64 length, then its items.
fn from_bincode(bytes: &[u8]) -> Result<TpmQuote, Error> {
    let mut r = crate::reader::Reader::new(bytes);
    let sig_len = r.u64("TPM quote signature length")?;
    let signature = r.take_len(sig_len, "TPM quote signature")?.to_vec();
    let msg_len = r.u64("TPM quote message length")?;
    let message = r.take_len(msg_len, "TPM quote message")?.to_vec();
    let count_at = r.pos();
    let count = r.u64("TPM quote PCR count")?;
    if count > MAX_PCRS as u64 {
        return Err(ParseError::new(
            "TPM quote PCR count",
            count_at,
            ParseErrorKind::InvalidValue("more than 24 PCR values"),
        )
        .into());
    }
    let pcr_bytes = r.take_len(count.saturating_mul(32), "TPM quote PCR values")?;
    if !r.is_empty() {
        return Err(ParseError::new(
            "TPM quote",
            r.pos(),
            ParseErrorKind::TrailingData {
                extra: r.remaining(),
            },
        )
        .into());
    }
    TpmQuote::from_parts(message, signature, pcr_bytes)
}

//! Evidence intake: decoding the encodings evidence arrives in (raw, hex, base64) and
//! telling which TEE produced it, by content.

use base64::Engine as _;

use serde::Deserialize;

use crate::{snp, tdx};

/// The TEE that produced a piece of evidence.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tee {
    /// AMD SEV-SNP attestation report.
    Snp,
    /// Intel TDX quote.
    Tdx,
    /// Intel SGX enclave quote (DCAP, verified like TDX quotes).
    Sgx,
    /// NVIDIA GPU attestation report (SPDM), or an evidence file of several.
    Nvidia,
}

impl Tee {
    /// Lower-case name (`snp`, `tdx`, `sgx`, `nvidia-gpu`), as the `tee` claim has it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Snp => "snp",
            Self::Tdx => "tdx",
            Self::Sgx => "sgx",
            Self::Nvidia => "nvidia-gpu",
        }
    }
}

/// TDX evidence as confidential-containers' Trustee sends it:
/// `{"quote": base64, "cc_eventlog": base64?}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrusteeTdxEvidence {
    /// The quote.
    pub quote: Vec<u8>,
    /// The CCEL event log, if given.
    pub event_log: Option<Vec<u8>>,
}

#[derive(Deserialize)]
struct RawTrustee {
    quote: String,
    #[serde(default)]
    cc_eventlog: Option<String>,
}

/// Reads Trustee's TDX evidence JSON; `None` if `bytes` is not that shape.
pub fn trustee_tdx(bytes: &[u8]) -> Option<TrusteeTdxEvidence> {
    let raw: RawTrustee = serde_json::from_slice(bytes).ok()?;
    let b64 = |s: &str| {
        [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::URL_SAFE,
            base64::engine::general_purpose::URL_SAFE_NO_PAD,
            base64::engine::general_purpose::STANDARD_NO_PAD,
        ]
        .iter()
        .find_map(|e| e.decode(s.trim()).ok())
    };
    let quote = b64(&raw.quote)?;
    let event_log = match raw.cc_eventlog.as_deref() {
        Some(text) if !text.is_empty() => Some(b64(text)?),
        _ => None,
    };
    Some(TrusteeTdxEvidence { quote, event_log })
}

/// Decodes evidence given as raw bytes, hex text or base64 text (standard or URL-safe,
/// padded or not; surrounding whitespace ignored). Raw bytes are returned as they are.
pub fn decode(input: &[u8]) -> Vec<u8> {
    let text = match core::str::from_utf8(input) {
        Ok(t) => t.trim(),
        Err(_) => return input.to_vec(),
    };
    if text.is_empty() {
        return input.to_vec();
    }
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.len().is_multiple_of(2) && compact.bytes().all(|b| b.is_ascii_hexdigit()) {
        if let Ok(bytes) = hex::decode(&compact) {
            return bytes;
        }
    }
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    for engine in engines {
        if let Ok(bytes) = engine.decode(&compact) {
            return bytes;
        }
    }
    input.to_vec()
}

/// Which TEE produced `bytes` (already decoded), if that can be told from content.
/// GPU evidence in its JSON forms is recognised by [`crate::nvidia::looks_like`] before
/// decoding.
pub fn detect(bytes: &[u8]) -> Option<Tee> {
    // SPDM 1.1 GET_MEASUREMENTS: an NVIDIA GPU report.
    if bytes.starts_with(&[crate::nvidia::spdm::SPDM_VERSION_1_1, 0xE0]) {
        return Some(Tee::Nvidia);
    }
    // An SNP report is exactly 1184 bytes and starts with a little-endian version.
    if bytes.len() == snp::REPORT_LEN {
        let version = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?);
        if snp::SUPPORTED_VERSIONS.contains(&version) {
            return Some(Tee::Snp);
        }
    }
    // A DCAP quote: version 3 to 5, ECDSA P-256 attestation key, Intel's QE vendor id.
    let version = u16::from_le_bytes(bytes.get(..2)?.try_into().ok()?);
    let key_type = u16::from_le_bytes(bytes.get(2..4)?.try_into().ok()?);
    let tee_type = u32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?);
    if (3..=5).contains(&version)
        && key_type == tdx::ATT_KEY_TYPE_ECDSA_P256
        && bytes.get(12..28) == Some(tdx::INTEL_QE_VENDOR_ID.as_slice())
    {
        return match tee_type {
            tdx::TEE_TYPE_TDX => Some(Tee::Tdx),
            tdx::TEE_TYPE_SGX => Some(Tee::Sgx),
            _ => None,
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_all_forms() {
        let raw: Vec<u8> = (0u8..=255).collect();
        assert_eq!(decode(&raw), raw);
        assert_eq!(decode(hex::encode(&raw).as_bytes()), raw);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&raw);
        assert_eq!(decode(format!("{b64}\n").as_bytes()), raw);
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&raw);
        assert_eq!(decode(url.as_bytes()), raw);
    }
}

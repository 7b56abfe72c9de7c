//! Evidence intake: decoding the encodings evidence arrives in (raw, hex, base64) and
//! telling which TEE produced it, by content.

use base64::Engine as _;

use crate::snp;

/// The TEE that produced a piece of evidence.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tee {
    /// AMD SEV-SNP attestation report.
    Snp,
}

impl Tee {
    /// Lower-case name (`snp`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Snp => "snp",
        }
    }
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
    if compact.len() % 2 == 0 && compact.bytes().all(|b| b.is_ascii_hexdigit()) {
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
pub fn detect(bytes: &[u8]) -> Option<Tee> {
    // An SNP report is exactly 1184 bytes and starts with a little-endian version.
    if bytes.len() == snp::REPORT_LEN {
        let version = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?);
        if snp::SUPPORTED_VERSIONS.contains(&version) {
            return Some(Tee::Snp);
        }
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

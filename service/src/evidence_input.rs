//! Evidence as requests carry it: base64 in either alphabet, a TEE name, a bounded
//! number of devices.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use verifier::{Evidence, Tee};

use crate::problem::Problem;

const INDIFFERENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, INDIFFERENT);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, INDIFFERENT);

/// The most devices one request may carry: one CPU report and the GPUs of an 8-GPU
/// system twice over. Each costs a verification, so the body limit alone would let one
/// request buy thousands.
pub const MAX_DEVICES: usize = 17;

/// Refuses more than [`MAX_DEVICES`] pieces of evidence, before any is decoded.
pub fn check_device_count(n: usize) -> Result<(), Problem> {
    if n > MAX_DEVICES {
        return Err(Problem::bad_request(
            "too_many_devices",
            format!("{n} pieces of evidence; one request takes at most {MAX_DEVICES}"),
        ));
    }
    Ok(())
}

/// Refuses more than [`MAX_DEVICES`] devices once the evidence is decoded: one document
/// may hold the GPUs of a whole system, and each costs a verification.
pub fn check_decoded_devices<'a>(
    evidence: impl IntoIterator<Item = &'a Evidence>,
) -> Result<(), Problem> {
    let n = evidence
        .into_iter()
        .map(|e| match e {
            Evidence::Gpus(gpus) => gpus.len(),
            _ => 1,
        })
        .fold(0_usize, usize::saturating_add);
    if n > MAX_DEVICES {
        return Err(Problem::bad_request(
            "too_many_devices",
            format!("the evidence holds {n} devices; one request takes at most {MAX_DEVICES}"),
        ));
    }
    Ok(())
}

/// Decodes base64 in the standard or URL-safe alphabet, padded or not; `field` names
/// the member in the error.
pub fn decode_base64(text: &str, field: &str) -> Result<Vec<u8>, Problem> {
    let engine = if text.contains(['+', '/']) {
        &STANDARD
    } else {
        &URL_SAFE
    };
    engine.decode(text.trim()).map_err(|e| {
        Problem::bad_request("malformed_request", format!("`{field}` is not base64: {e}"))
    })
}

/// A TEE named in a request: Verdict's names and Trustee's.
pub fn tee_of(name: &str) -> Result<Tee, Problem> {
    Ok(match name {
        "snp" => Tee::Snp,
        "tdx" => Tee::Tdx,
        "sgx" => Tee::Sgx,
        "nvidia" | "nvidia-gpu" | "nvgpu" => Tee::Nvidia,
        "azure-snp" | "azsnpvtpm" | "az-snp-vtpm" => Tee::AzureSnp,
        "azure-tdx" | "aztdxvtpm" | "az-tdx-vtpm" => Tee::AzureTdx,
        other => {
            return Err(Problem::bad_request(
                "unknown_tee",
                format!(
                    "tee {other:?} is not one Verdict verifies: snp, tdx, sgx, nvidia, \
                     azure-snp (azsnpvtpm), azure-tdx (aztdxvtpm)"
                ),
            ))
        }
    })
}

/// Reads evidence bytes; `tee`, when given, must agree with the content.
pub fn evidence_of(raw: &[u8], tee: Option<Tee>, field: &str) -> Result<Evidence, Problem> {
    // Whatever the library's class, evidence that cannot be read as evidence of the
    // kind named is a bad request (400), with the library's kind.
    Evidence::from_bytes(raw, tee)
        .map_err(|e| Problem::bad_request(e.kind(), format!("{field}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_alphabets_with_or_without_padding() {
        for text in ["+/8=", "+/8", "-_8=", "-_8"] {
            assert_eq!(decode_base64(text, "x").unwrap(), [0xfb, 0xff], "{text}");
        }
        assert_eq!(
            decode_base64("!!", "evidence").unwrap_err().kind,
            "malformed_request"
        );
    }
}

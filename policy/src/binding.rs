//! How composite evidence is tied to the challenge and to itself (the `binding`
//! variable, and the `binding` verifier claim of the CPU submodule).
//!
//! - The CPU evidence commits to the challenge when the field that answers it equals
//!   the challenge (zero-padded) or begins with it — the rule the verifier applies to
//!   `--nonce`. That field is the report's REPORT_DATA, except for Azure vTPM evidence:
//!   there the hardware report's REPORT_DATA holds the hash of the paravisor's runtime
//!   data, and the verifier's nonce is the TPM quote's `extraData` (`tpm.nonce`).
//! - Each GPU's SPDM requester nonce (32 bytes) must be either SHA-256 of that CPU field
//!   (`report_data_sha256`: the CPU evidence vouches for the GPU challenge, so GPU
//!   evidence cannot be relayed from another machine's session), or the challenge
//!   itself (`challenge`: the verifier sent one nonce to every device, as Intel Trust
//!   Authority and NRAS do). Neither proves the GPU is attached to that CPU (that needs
//!   SPDM session binding, TDISP); the claim says which held.

use serde_json::{json, Value};
use verifier::crypto::{default_provider, HashAlg};

/// Binding scheme names, as `binding.gpu_nonce_schemes` lists them: the GPU nonce is
/// SHA-256 of the CPU field that answers the challenge (REPORT_DATA; Azure: the TPM
/// quote's `extraData`).
pub const SCHEME_REPORT_DATA_SHA256: &str = "report_data_sha256";
/// The GPU nonce is the challenge.
pub const SCHEME_CHALLENGE: &str = "challenge";
/// The GPU nonce is neither.
pub const SCHEME_NONE: &str = "none";

/// Computes the `binding` object from whether there is CPU evidence, the CPU field
/// that answers the challenge (hex: REPORT_DATA, or an Azure TPM quote's `extraData`),
/// each GPU's nonce (hex) and the challenge.
pub fn compute(
    cpu_present: bool,
    cpu_answer: Option<&str>,
    gpu_nonces: &[Option<&str>],
    challenge: Option<&[u8]>,
) -> Value {
    let answer = cpu_answer.and_then(|h| hex::decode(h).ok());
    let cpu_nonce_ok = match (&answer, challenge) {
        (Some(rd), Some(ch)) if !ch.is_empty() && ch.len() <= rd.len() => rd.starts_with(ch),
        _ => false,
    };
    // Only a GPU's nonce is compared with the digest.
    let rd_digest = answer
        .as_ref()
        .filter(|_| !gpu_nonces.is_empty())
        .map(|rd| {
            default_provider()
                .hash(HashAlg::Sha256, &[rd])
                .as_ref()
                .to_vec()
        });
    let schemes: Vec<&str> = gpu_nonces
        .iter()
        .map(|nonce| {
            let nonce = nonce.and_then(|h| hex::decode(h).ok());
            match nonce {
                Some(n) if rd_digest.as_deref() == Some(n.as_slice()) => SCHEME_REPORT_DATA_SHA256,
                Some(n) if challenge.is_some_and(|c| !c.is_empty() && c == n.as_slice()) => {
                    SCHEME_CHALLENGE
                }
                _ => SCHEME_NONE,
            }
        })
        .collect();
    let gpus_nonce_ok = !schemes.is_empty() && schemes.iter().all(|s| *s != SCHEME_NONE);
    json!({
        "challenge": challenge.map(hex::encode).unwrap_or_default(),
        "cpu_present": cpu_present,
        "cpu_nonce_ok": cpu_nonce_ok,
        "gpu_count": gpu_nonces.len(),
        "gpus_nonce_ok": gpus_nonce_ok,
        "gpu_nonce_schemes": schemes,
    })
}

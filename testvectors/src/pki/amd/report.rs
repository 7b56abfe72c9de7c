//! Signing an SEV-SNP ATTESTATION_REPORT (SEV-SNP ABI 56860, "ATTESTATION_REPORT" and
//! "Signature Format").

use p384::ecdsa::signature::Signer as _;
use p384::ecdsa::{Signature, SigningKey};

/// End of the signed range: ECDSA covers `report[0..0x2A0]`.
pub const SIGNED_LEN: usize = 0x2A0;
/// Offset of R (72-byte little-endian) in the signature.
pub const SIG_R_OFFSET: usize = 0x2A0;
/// Offset of S (72-byte little-endian) in the signature.
pub const SIG_S_OFFSET: usize = 0x2E8;
/// Width of each of R and S in the report (48 significant bytes, 24 zero bytes).
pub const SIG_COMPONENT_LEN: usize = 72;

/// Signs `report[0..0x2A0]` with ECDSA P-384/SHA-384 (RFC 6979, so deterministic) and
/// writes R and S as 72-byte little-endian zero-padded integers at 0x2A0 and 0x2E8.
/// Bytes from 0x330 on are left untouched. Panics if `report` is shorter than 0x330.
pub fn sign_report_with(key: &p384::SecretKey, report: &mut [u8]) {
    assert!(
        report.len() >= SIG_S_OFFSET + SIG_COMPONENT_LEN,
        "an SEV-SNP report is at least 0x330 bytes to hold a signature, got {:#x}",
        report.len()
    );
    let signature: Signature = SigningKey::from(key).sign(&report[..SIGNED_LEN]);
    let (r, s) = signature.split_bytes();
    write_le(
        &mut report[SIG_R_OFFSET..SIG_R_OFFSET + SIG_COMPONENT_LEN],
        &r,
    );
    write_le(
        &mut report[SIG_S_OFFSET..SIG_S_OFFSET + SIG_COMPONENT_LEN],
        &s,
    );
}

fn write_le(out: &mut [u8], big_endian: &[u8]) {
    out.fill(0);
    for (o, b) in out.iter_mut().zip(big_endian.iter().rev()) {
        *o = *b;
    }
}

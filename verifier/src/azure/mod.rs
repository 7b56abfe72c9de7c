//! Azure confidential VMs: evidence behind the vTPM.
//!
//! On Azure the guest cannot ask the CPU for a report with its own nonce. The paravisor
//! (HCL) produces an **HCL report** ([`hcl::HclReport`]): the hardware report (SEV-SNP
//! report, or TDX TDREPORT) whose `report_data[0..32]` is the SHA-256 of a **runtime
//! data** JSON document ([`runtime::RuntimeData`]) holding the vTPM's attestation key
//! (AK); freshness comes from a **TPM2 quote** ([`tpm::TpmsAttest`]) signed by that key
//! over the verifier's nonce and the PCRs. The hardware report is endorsed by the VCEK
//! (SEV-SNP) or by a DCAP TD quote Azure makes from the TDREPORT (TDX).
//!
//! # What "verified" means
//!
//! [`crate::Verifier::verify_azure_snp`] and [`crate::Verifier::verify_azure_tdx`]
//! accept evidence only if every step holds (numbers match `azure/verify.rs`):
//!
//! 1. the HCL report parses strictly (signature `HCLA`, sizes consistent and inside the
//!    input, report type SEV-SNP or TDX and the one the evidence endorses, runtime data
//!    hashed with SHA-256, zero padding); its unsigned header is never used otherwise;
//! 2. the runtime data is JSON with exactly one RSA key whose `kid` is `HCLAkPub`;
//! 3. the TPMS_ATTEST parses (TPM_GENERATED_VALUE, TPM_ST_ATTEST_QUOTE, sizes, nothing
//!    after it) and its RSASSA-PKCS1-v1_5 SHA-256 signature verifies with the AK;
//! 4. `extraData` equals the caller's nonce, byte for byte, when one is given;
//! 5. the quote selects one SHA-256 bank, and the supplied PCR values (one per selected
//!    PCR, or all 24) digest to `pcrDigest`; without values, the digest is unchecked
//!    and the claims and a `pcr_values_absent` warning say so;
//! 6. the hardware report's `report_data[0..32]` (the TD quote's, for TDX) is the
//!    SHA-256 of the runtime data exactly as stored;
//! 7. version 2 evidence: `user-data` begins with `extraData`, so the HCL report is
//!    fresh too (`azure.hcl_report_fresh`); versions 0 and 1 bind the nonce only
//!    through the TPM quote, and a `hcl_report_not_fresh` warning says so;
//! 8. the hardware report verifies by Verdict's own SEV-SNP path (the VCEK the evidence
//!    carries, or one from the collateral; the AMD chain to the pinned ARK; CRL; TCB
//!    and chip-id binding) or TDX path (the full DCAP quote verification with Intel's
//!    collateral and TCB evaluation), with the caller's expectations for that kind;
//! 9. TDX: the HCL report's TDREPORT (unauthenticated) equals the TD quote's body in
//!    every field the quote carries, so the parts were made together.

pub mod claims;
pub mod evidence;
pub mod hcl;
mod options;
pub mod runtime;
pub mod tpm;
mod verify;

pub use claims::{AzureClaims, HardwareClaims, PcrValues, TpmClaims, VmConfiguration, VtpmClaims};
pub use evidence::{AzureEvidence, AzureHardware, TpmQuote};
pub use options::{AzureSnpOptions, AzureTdxOptions};
pub(crate) use verify::{verify, Expect};

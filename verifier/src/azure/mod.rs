//! Azure confidential VMs: evidence behind the vTPM.
//!
//! On Azure the guest cannot ask the CPU for a report with its own nonce. The paravisor
//! (HCL) produces an **HCL report** ([`hcl::HclReport`]): the hardware report (SEV-SNP
//! report, or TDX TDREPORT) whose `report_data[0..32]` is the SHA-256 of a **runtime
//! data** JSON document holding the vTPM's attestation key; freshness comes from a
//! **TPM2 quote** ([`tpm::TpmsAttest`]) signed by that key over the verifier's nonce and
//! the PCRs.
//!
//! These are the parsers: strict, bounded, and with errors naming the field and offset.
//! Verification (binding, the AK signature, the hardware report through the SNP or TDX
//! path) builds on them.

pub mod hcl;
pub mod tpm;

//! NVIDIA GPU attestation (Hopper H100, and Blackwell): the SPDM measurement report, the
//! device certificate chain with OCSP, and the driver and VBIOS reference integrity
//! manifests (RIMs) whose golden values the measurements are compared with.
//!
//! [`crate::Verifier::verify_nvidia`] runs the steps listed in the crate docs. What
//! rejects and what is a claim:
//!
//! - a broken report signature, device chain, nonce or FWID binding, a `nonce` or `arch`
//!   label beside the report that disagrees with it, a certificate OCSP reports
//!   revoked, an OCSP response that fails authentication, or a RIM that fails
//!   authentication when no other copy of it verifies: rejection;
//! - a certificate without an OCSP response, or whose response is stale or `unknown`: a
//!   per-certificate claim and a warning (a rejection with
//!   [`NvidiaOptions::require_ocsp`]);
//! - no RIM for the report's driver or VBIOS version: `rims.*.status = "unavailable"`,
//!   `measurements_match = false` and a warning; measurements that differ from the RIMs:
//!   `mismatched_indices` and a warning (both rejections with
//!   [`NvidiaOptions::require_rims`]).

mod claims;
mod device;
mod evidence;
mod ids;
pub(crate) mod needs;
pub mod opaque;
mod options;
mod reference;
pub mod rim;
pub mod spdm;
mod verify;

pub use claims::{GpuClaims, OcspClaim, RimClaim, RimVersions, RimsClaims};
pub use device::GpuArch;
pub(crate) use evidence::empty_evidence;
pub use evidence::{decode, decode_chain, looks_like, GpuEvidence};
pub use ids::{driver_rim_id, vbios_rim_id};
pub use options::NvidiaOptions;
pub use reference::{Mismatch, RimKind};
pub(crate) use verify::verify;

pub(crate) use crate::hexstr::to_hex;

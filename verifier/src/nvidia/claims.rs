//! The claims a verified GPU report yields (namespace `gpu`, or a list `gpus`), as
//! documented in docs/claims.md.

use std::collections::BTreeMap;

use serde::Serialize;

use super::reference::Mismatch;

/// Verified claims of one GPU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GpuClaims {
    /// `hopper` or `blackwell`.
    pub arch: &'static str,
    /// Chip name from the attestation certificate (`GH100`).
    pub chip: String,
    /// Common name of the device's BROM certificate (NVIDIA's `hwmodel`).
    pub hwmodel: String,
    /// The device's identity: lower-case hex SHA-256 of the SubjectPublicKeyInfo (DER)
    /// of its per-chip DeviceID (BROM) certificate.
    pub device_id: String,
    /// Serial number of the attestation (leaf) certificate, hex.
    pub leaf_serial: String,
    /// The requester nonce of the report, hex.
    pub nonce: String,
    /// Whether the caller gave an expected nonce (and so it was checked).
    pub nonce_checked: bool,
    /// Driver version (`550.90.07`).
    pub driver_version: Option<String>,
    /// VBIOS version (`96.00.9F.00.01`).
    pub vbios_version: Option<String>,
    /// Chip SKU (`882`).
    pub chip_sku: Option<String>,
    /// Chip SKU modifier.
    pub chip_sku_mod: Option<String>,
    /// Project (`1010`).
    pub project: Option<String>,
    /// Project SKU (`0200`).
    pub project_sku: Option<String>,
    /// Project SKU modifier.
    pub project_sku_mod: Option<String>,
    /// Chip name from the opaque data (Blackwell).
    pub chip_info: Option<String>,
    /// Board id.
    pub board_id: Option<u32>,
    /// Firmware id, hex.
    pub fwid: Option<String>,
    /// Whether the report's FWID equals the attestation certificate's; absent when the
    /// report carries none (drivers before 550).
    pub fwid_match: Option<bool>,
    /// Protected PCIe mode (`PROTECTED_PCIE_STATUS`).
    pub ppcie_mode: Option<bool>,
    /// `SPT`, `MPT` or `PPCIE` (`FEATURE_FLAG`; absent on older drivers).
    pub mode: Option<&'static str>,
    /// Whether the NVDEC0 engine is enabled.
    pub nvdec0_enabled: Option<bool>,
    /// Every measurement block, by SPDM index (1-based), hex.
    pub measurements: BTreeMap<u8, String>,
    /// True only when both RIMs verified and every active golden index matched.
    pub measurements_match: bool,
    /// Golden indices compared.
    pub measurements_checked: usize,
    /// Golden (RIM, 0-based) indices that matched no golden value.
    pub mismatched_indices: Vec<u32>,
    /// The mismatches with their golden and actual values.
    pub mismatches: Vec<Mismatch>,
    /// RIM id of the driver RIM for this report (`NV_GPU_DRIVER_GH100_550.90.07`).
    pub driver_rim_id: Option<String>,
    /// RIM id of the VBIOS RIM (`NV_GPU_VBIOS_1010_0200_882_96009F0001`).
    pub vbios_rim_id: Option<String>,
    /// Versions of the RIMs used.
    pub rim_versions: RimVersions,
    /// What happened to each RIM.
    pub rims: RimsClaims,
    /// OCSP status of each device certificate below the root, leaf first.
    pub ocsp: Vec<OcspClaim>,
    /// Unsigned bytes that followed the report's signature.
    pub trailing_bytes: usize,
}

/// `colloquialVersion` of the RIMs used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RimVersions {
    /// Driver RIM version.
    pub driver: Option<String>,
    /// VBIOS RIM version.
    pub vbios: Option<String>,
}

/// Both RIMs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RimsClaims {
    /// The driver RIM.
    pub driver: RimClaim,
    /// The VBIOS RIM.
    pub vbios: RimClaim,
}

/// One RIM's status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RimClaim {
    /// `verified` (signature and chain checked) or `unavailable` (none supplied for this
    /// version).
    pub status: &'static str,
    /// The RIM's tagId.
    pub tag_id: Option<String>,
    /// OCSP status of the RIM signing chain below its root, signer first.
    pub ocsp: Vec<OcspClaim>,
}

/// OCSP status of one certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OcspClaim {
    /// The certificate's common name.
    pub certificate: String,
    /// Its serial, hex.
    pub serial: String,
    /// `good`, `revoked`, `unknown`, `stale`, `not_yet_valid` or `not_checked`.
    pub status: &'static str,
    /// Revocation reason (RFC 5280 name) when revoked.
    pub reason: Option<&'static str>,
    /// thisUpdate of the response used (RFC 3339).
    pub this_update: Option<String>,
    /// nextUpdate of the response used (RFC 3339).
    pub next_update: Option<String>,
}

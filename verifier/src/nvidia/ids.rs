//! The ids under which NVIDIA's RIM service publishes the RIMs for a report, derived
//! from the signed opaque data (not from what the host's driver says).

use super::device::GpuArch;
use super::opaque::OpaqueData;

/// `NV_GPU_DRIVER_GH100_<driver>` (Hopper) or `NV_GPU_CC_DRIVER_<chip>_<driver>`
/// (Blackwell, chip from CHIP_INFO, `GB100` when the report has none, as NVIDIA's SDK does).
pub fn driver_rim_id(arch: GpuArch, chip: &str, opaque: &OpaqueData) -> Option<String> {
    let version = opaque.driver_version()?;
    Some(match arch {
        GpuArch::Hopper => format!("NV_GPU_DRIVER_{}_{version}", chip.to_ascii_uppercase()),
        GpuArch::Blackwell => format!(
            "NV_GPU_CC_DRIVER_{}_{version}",
            opaque.chip_info().unwrap_or("GB100").to_ascii_uppercase()
        ),
    })
}

/// `NV_GPU_VBIOS_<project>_<project SKU>_<chip SKU>_<VBIOS version without dots>`, in
/// upper case (`NV_GPU_VBIOS_1010_0200_882_96009F0001`).
pub fn vbios_rim_id(opaque: &OpaqueData) -> Option<String> {
    let version: String = opaque
        .vbios_version()?
        .chars()
        .filter(|&c| c != '.')
        .collect();
    Some(
        format!(
            "NV_GPU_VBIOS_{}_{}_{}_{version}",
            opaque.project()?,
            opaque.project_sku()?,
            opaque.chip_sku()?
        )
        .to_ascii_uppercase(),
    )
}

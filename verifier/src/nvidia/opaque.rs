//! The MEASUREMENTS response's opaque data: NVIDIA's type-length-value records
//! (`type: u16le, length: u16le, value`), as NVIDIA's drivers up to the CUDA 13.x series
//! write them.
//!
//! Records Verdict interprets are decoded and checked here (with their offsets); records
//! it does not know are kept as raw bytes, since NVIDIA adds types with new drivers.
//! A record type may appear once: a repeated one would make "the" driver version
//! ambiguous. The versioned `NVDAOD` format announced for later drivers is refused.

use crate::error::{Error, ParseError, Unsupported};
use crate::reader::{invalid, Reader};

/// Magic of NVIDIA's versioned opaque-data format (not supported yet).
const VERSIONED_MAGIC: &[u8; 6] = b"NVDAOD";

/// Record types (NVIDIA's numbering).
pub mod record {
    /// Driver version, ASCII, NUL-terminated.
    pub const DRIVER_VERSION: u16 = 3;
    /// GPU info (8 bytes).
    pub const GPU_INFO: u16 = 4;
    /// VBIOS version: 8 bytes on GPUs, ASCII on NVSwitches.
    pub const VBIOS_VERSION: u16 = 6;
    /// NVDEC0 engine status (0xAA enabled, 0x55 disabled).
    pub const NVDEC0_STATUS: u16 = 11;
    /// Per-index measurement counters (u32le each).
    pub const MSRSCNT: u16 = 12;
    /// CPR info (4 bytes).
    pub const CPRINFO: u16 = 13;
    /// Board id (u32le).
    pub const BOARD_ID: u16 = 14;
    /// Chip SKU, ASCII NUL-padded.
    pub const CHIP_SKU: u16 = 15;
    /// Chip SKU modifier, ASCII NUL-padded.
    pub const CHIP_SKU_MOD: u16 = 16;
    /// Project, ASCII NUL-padded.
    pub const PROJECT: u16 = 17;
    /// Project SKU, ASCII NUL-padded.
    pub const PROJECT_SKU: u16 = 18;
    /// Project SKU modifier, ASCII NUL-padded.
    pub const PROJECT_SKU_MOD: u16 = 19;
    /// Firmware id (48 bytes), bound to the attestation certificate.
    pub const FWID: u16 = 20;
    /// Protected PCIe status (0xAA on, 0x55 off).
    pub const PROTECTED_PCIE_STATUS: u16 = 21;
    /// GPU: PDIs of the NVLink peer switches (8 bytes each); NVSwitch: its own PDI.
    pub const SWITCH_PDI: u16 = 22;
    /// Version of the opaque-data layout (u16le).
    pub const OPAQUE_DATA_VERSION: u16 = 34;
    /// Chip name, ASCII (Blackwell).
    pub const CHIP_INFO: u16 = 35;
    /// Feature flag (u16le): 0 SPT, 1 MPT, 2 PPCIe.
    pub const FEATURE_FLAG: u16 = 36;
}

/// The status byte values NVIDIA uses for on/off flags.
const FLAG_ON: u8 = 0xAA;
const FLAG_OFF: u8 = 0x55;

/// One opaque record, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpaqueRecord {
    /// Record type.
    pub record_type: u16,
    /// Value bytes.
    pub value: Vec<u8>,
    /// Absolute offset of the record header in the evidence.
    pub offset: usize,
}

/// Decoded opaque data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpaqueData {
    records: Vec<OpaqueRecord>,
    driver_version: Option<String>,
    vbios_version: Option<String>,
    chip_sku: Option<String>,
    chip_sku_mod: Option<String>,
    project: Option<String>,
    project_sku: Option<String>,
    project_sku_mod: Option<String>,
    chip_info: Option<String>,
    board_id: Option<u32>,
    fwid: Option<[u8; 48]>,
    nvdec0_enabled: Option<bool>,
    protected_pcie: Option<bool>,
    feature_flag: Option<u16>,
    opaque_data_version: Option<u16>,
    switch_pdis: Vec<[u8; 8]>,
}

impl OpaqueData {
    /// Parses all of `r` as records.
    pub(crate) fn parse(r: &mut Reader<'_>) -> Result<Self, Error> {
        let mut out = Self::default();
        if r.peek(VERSIONED_MAGIC.len()) == Some(VERSIONED_MAGIC) {
            return Err(Unsupported::OpaqueDataFormat("versioned NVDAOD").into());
        }
        while r.remaining() > 0 {
            let offset = r.pos();
            let record_type = r.u16("opaque record type")?;
            let len = usize::from(r.u16("opaque record length")?);
            let value = r.take(len, "opaque record value")?.to_vec();
            if out.records.iter().any(|e| e.record_type == record_type) {
                return Err(invalid("opaque record type", offset, "record type repeated").into());
            }
            let value_at = offset.saturating_add(4);
            out.decode(record_type, &value, value_at)?;
            out.records.push(OpaqueRecord {
                record_type,
                value,
                offset,
            });
        }
        Ok(out)
    }

    fn decode(&mut self, record_type: u16, value: &[u8], at: usize) -> Result<(), ParseError> {
        match record_type {
            record::DRIVER_VERSION => {
                self.driver_version = Some(text(value, at, "driver version")?)
            }
            record::VBIOS_VERSION => self.vbios_version = Some(vbios(value, at)?),
            record::CHIP_SKU => self.chip_sku = Some(text(value, at, "chip SKU")?),
            record::CHIP_SKU_MOD => self.chip_sku_mod = Some(text(value, at, "chip SKU mod")?),
            record::PROJECT => self.project = Some(text(value, at, "project")?),
            record::PROJECT_SKU => self.project_sku = Some(text(value, at, "project SKU")?),
            record::PROJECT_SKU_MOD => {
                self.project_sku_mod = Some(text(value, at, "project SKU mod")?);
            }
            record::CHIP_INFO => self.chip_info = Some(text(value, at, "chip info")?),
            record::BOARD_ID => {
                self.board_id = Some(u32::from_le_bytes(fixed(value, at, "board id")?));
            }
            record::FWID => self.fwid = Some(fixed(value, at, "FWID")?),
            record::NVDEC0_STATUS => self.nvdec0_enabled = Some(flag(value, at, "NVDEC0 status")?),
            record::PROTECTED_PCIE_STATUS => {
                self.protected_pcie = Some(flag(value, at, "protected PCIe status")?);
            }
            record::FEATURE_FLAG => {
                self.feature_flag = Some(u16::from_le_bytes(fixed(value, at, "feature flag")?));
            }
            record::OPAQUE_DATA_VERSION => {
                self.opaque_data_version =
                    Some(u16::from_le_bytes(fixed(value, at, "opaque data version")?));
            }
            record::SWITCH_PDI => {
                if !value.len().is_multiple_of(8) {
                    return Err(invalid("switch PDI", at, "length is not a multiple of 8"));
                }
                self.switch_pdis = value
                    .chunks_exact(8)
                    .filter_map(|c| <[u8; 8]>::try_from(c).ok())
                    .collect();
            }
            _ => {}
        }
        Ok(())
    }

    /// Every record in report order, including those Verdict does not interpret.
    pub fn records(&self) -> &[OpaqueRecord] {
        &self.records
    }

    /// The record of `record_type`, if present.
    pub fn record(&self, record_type: u16) -> Option<&OpaqueRecord> {
        self.records.iter().find(|e| e.record_type == record_type)
    }

    /// Driver version (`550.90.07`); absent on NVSwitches.
    pub fn driver_version(&self) -> Option<&str> {
        self.driver_version.as_deref()
    }

    /// VBIOS version as NVIDIA writes it (`96.00.9F.00.01`).
    pub fn vbios_version(&self) -> Option<&str> {
        self.vbios_version.as_deref()
    }

    /// Chip SKU (`882`).
    pub fn chip_sku(&self) -> Option<&str> {
        self.chip_sku.as_deref()
    }

    /// Chip SKU modifier.
    pub fn chip_sku_mod(&self) -> Option<&str> {
        self.chip_sku_mod.as_deref()
    }

    /// Project (`1010`, `G520`).
    pub fn project(&self) -> Option<&str> {
        self.project.as_deref()
    }

    /// Project SKU (`0200`).
    pub fn project_sku(&self) -> Option<&str> {
        self.project_sku.as_deref()
    }

    /// Project SKU modifier.
    pub fn project_sku_mod(&self) -> Option<&str> {
        self.project_sku_mod.as_deref()
    }

    /// Chip name (`GB100`), on Blackwell drivers.
    pub fn chip_info(&self) -> Option<&str> {
        self.chip_info.as_deref()
    }

    /// Board id.
    pub fn board_id(&self) -> Option<u32> {
        self.board_id
    }

    /// Firmware id, which the attestation certificate must carry too.
    pub fn fwid(&self) -> Option<&[u8; 48]> {
        self.fwid.as_ref()
    }

    /// Whether the NVDEC0 engine is enabled (when it is not, golden index 35 is skipped).
    pub fn nvdec0_enabled(&self) -> Option<bool> {
        self.nvdec0_enabled
    }

    /// Protected PCIe mode.
    pub fn protected_pcie(&self) -> Option<bool> {
        self.protected_pcie
    }

    /// Feature flag: 0 single-GPU passthrough, 1 multi-GPU passthrough, 2 protected PCIe.
    pub fn feature_flag(&self) -> Option<u16> {
        self.feature_flag
    }

    /// The feature flag's name (`SPT`, `MPT`, `PPCIE`).
    pub fn mode(&self) -> Option<&'static str> {
        self.feature_flag.map(|f| match f {
            0 => "SPT",
            1 => "MPT",
            2 => "PPCIE",
            _ => "unknown",
        })
    }

    /// Opaque-data layout version.
    pub fn opaque_data_version(&self) -> Option<u16> {
        self.opaque_data_version
    }

    /// PDIs of the NVLink peers (GPU) or the switch's own PDI (NVSwitch).
    pub fn switch_pdis(&self) -> &[[u8; 8]] {
        &self.switch_pdis
    }
}

/// ASCII text padded or terminated with NULs: the text is what precedes the first NUL,
/// and must be printable.
fn text(value: &[u8], at: usize, what: &'static str) -> Result<String, ParseError> {
    let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
    let s = value.get(..end).unwrap_or_default();
    if !s.iter().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(what, at, "not printable ASCII"));
    }
    if value.get(end..).unwrap_or_default().iter().any(|&b| b != 0) {
        return Err(invalid(what, at, "bytes after the NUL terminator"));
    }
    Ok(String::from_utf8_lossy(s).into_owned())
}

fn fixed<const N: usize>(
    value: &[u8],
    at: usize,
    what: &'static str,
) -> Result<[u8; N], ParseError> {
    <[u8; N]>::try_from(value).map_err(|_| invalid(what, at, "wrong length"))
}

fn flag(value: &[u8], at: usize, what: &'static str) -> Result<bool, ParseError> {
    match value {
        [FLAG_ON] => Ok(true),
        [FLAG_OFF] => Ok(false),
        _ => Err(invalid(what, at, "expected one byte, 0xAA or 0x55")),
    }
}

/// GPUs write the VBIOS version as 8 bytes b0..b7 rendered `b3.b2.b1.b0.b4` in upper-case
/// hex (`00 9f 00 96 01 ..` is `96.00.9F.00.01`); NVSwitches write the text itself.
fn vbios(value: &[u8], at: usize) -> Result<String, ParseError> {
    if let [b0, b1, b2, b3, b4, _, _, _] = value {
        if !value.iter().all(|b| b.is_ascii_graphic()) {
            return Ok(format!("{b3:02X}.{b2:02X}.{b1:02X}.{b0:02X}.{b4:02X}"));
        }
    }
    text(value, at, "VBIOS version")
}

//! The HCL report: what Azure's paravisor stores in vTPM NV index `0x01400001`.
//!
//! Layout (little-endian u32s; Microsoft's OpenHCL `igvm_attest` structures): a 32-byte
//! header (`"HCLA"`, version, report size, request type, status, 12 reserved bytes), the
//! 1184-byte hardware report area (an SNP report, or a 1024-byte TDREPORT and 160 zero
//! bytes), the 20-byte IGVM request data header (data size, version, report type, report
//! data hash type, variable data size), then the runtime data JSON, then zero padding to
//! the NV index size.
//!
//! Only the hardware report is signed, and the runtime data only through its hash in the
//! report's `report_data`: the header fields are read to find the parts, checked for
//! consistency, and never trusted for anything else.

use crate::error::{ParseError, ParseErrorKind};
use crate::reader::{invalid, Reader};

/// `"HCLA"` as a little-endian u32.
const MAGIC: u32 = 0x414C_4348;
/// Where the hardware report starts.
const HARDWARE_REPORT_OFFSET: usize = 0x20;
/// The hardware report area: an SNP report's size (a TDREPORT is padded to it).
pub const HARDWARE_REPORT_SIZE: usize = 1184;
/// A TDREPORT_STRUCT's size.
pub const TD_REPORT_SIZE: usize = 1024;
/// Where the runtime data starts (after the request data header).
pub const RUNTIME_DATA_OFFSET: usize = 0x4D4;
/// The request data header's size, counted in its `data_size`.
const REQUEST_DATA_HEADER_SIZE: u32 = 20;
/// The largest runtime data accepted: the NV index holding the report is 2600 bytes.
const MAX_RUNTIME_DATA: usize = 64 << 10;

/// The kind of hardware report inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HclReportType {
    /// An AMD SEV-SNP attestation report (report type 2).
    Snp,
    /// An Intel TDX TDREPORT (report type 4); the TD quote made from it travels beside.
    Tdx,
}

/// A parsed HCL report, borrowing its parts from the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HclReport<'a> {
    /// The header version (1 or 2).
    pub header_version: u32,
    /// The request type (1 key release, 2 AK certificate request, 3 wrapped key).
    pub request_type: u32,
    /// The hardware report kind.
    pub report_type: HclReportType,
    /// The hardware report: 1184 bytes of SNP report, or the 1024-byte TDREPORT.
    pub hardware_report: &'a [u8],
    /// The runtime data, exactly as stored (its SHA-256 is what the report binds).
    pub runtime_data: &'a [u8],
}

impl<'a> HclReport<'a> {
    /// Parses an HCL report. Zero padding after the runtime data is allowed (the NV index
    /// is larger than the report); anything else after it is an error.
    ///
    /// # Errors
    /// [`ParseError`] naming the field and offset: a wrong magic, sizes that disagree
    /// or run past the input, a report type other than SNP or TDX, a report data hash
    /// other than SHA-256, a TDREPORT area not padded with zeros, or non-zero bytes
    /// after the runtime data.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(bytes);
        let magic = r.u32("HCL report signature")?;
        if magic != MAGIC {
            return Err(ParseError {
                what: "HCL report signature",
                offset: 0,
                kind: ParseErrorKind::Structure("not an HCL report: the signature is not \"HCLA\""),
            });
        }
        let header_version = r.u32("HCL report header version")?;
        if !(1..=2).contains(&header_version) {
            return Err(invalid("HCL report header version", 4, "must be 1 or 2"));
        }
        let report_size_at = r.pos();
        let report_size = r.u32("HCL report size")?;
        let request_type = r.u32("HCL request type")?;
        let _status = r.u32("HCL report status")?;
        // The 12 reserved bytes are not checked: like the status, they are outside every
        // signature, so refusing them would only let a relay break valid evidence.
        r.take(12, "HCL report reserved")?;
        debug_assert_eq!(r.pos(), HARDWARE_REPORT_OFFSET);
        let hardware = r.take(HARDWARE_REPORT_SIZE, "hardware report")?;
        let data_size_at = r.pos();
        let data_size = r.u32("IGVM request data size")?;
        let version_at = r.pos();
        if r.u32("IGVM request data version")? != 1 {
            return Err(invalid(
                "IGVM request data version",
                version_at,
                "must be 1",
            ));
        }
        let type_at = r.pos();
        let report_type = match r.u32("IGVM report type")? {
            2 => HclReportType::Snp,
            4 => HclReportType::Tdx,
            1 | 3 => {
                return Err(invalid(
                    "IGVM report type",
                    type_at,
                    "a VBS or TVM report: only SNP (2) and TDX (4) are hardware-attested",
                ))
            }
            _ => {
                return Err(invalid(
                    "IGVM report type",
                    type_at,
                    "must be 2 (SNP) or 4 (TDX)",
                ))
            }
        };
        let hash_at = r.pos();
        match r.u32("report data hash type")? {
            1 => {}
            2 | 3 => {
                return Err(invalid(
                    "report data hash type",
                    hash_at,
                    "SHA-384 and SHA-512 runtime data hashes are not supported: only SHA-256 (1)",
                ))
            }
            _ => {
                return Err(invalid(
                    "report data hash type",
                    hash_at,
                    "must be 1 (SHA-256)",
                ))
            }
        }
        let variable_at = r.pos();
        let variable = r.u32("runtime data size")?;
        debug_assert_eq!(r.pos(), RUNTIME_DATA_OFFSET);
        if data_size.checked_sub(REQUEST_DATA_HEADER_SIZE) != Some(variable) {
            return Err(invalid(
                "IGVM request data size",
                data_size_at,
                "must be 20 + the runtime data size",
            ));
        }
        let variable = usize::try_from(variable).unwrap_or(usize::MAX);
        if variable > MAX_RUNTIME_DATA {
            return Err(invalid(
                "runtime data size",
                variable_at,
                "larger than 64 KiB",
            ));
        }
        if usize::try_from(report_size).ok() != RUNTIME_DATA_OFFSET.checked_add(variable) {
            return Err(invalid(
                "HCL report size",
                report_size_at,
                "must be 0x4D4 + the runtime data size",
            ));
        }
        let runtime_data = r.take(variable, "runtime data")?;
        let padding_at = r.pos();
        let padding = r.rest();
        if let Some(i) = padding.iter().position(|b| *b != 0) {
            return Err(ParseError {
                what: "HCL report padding",
                offset: padding_at.saturating_add(i),
                kind: ParseErrorKind::TrailingData {
                    extra: padding.len().saturating_sub(i),
                },
            });
        }
        let hardware_report = match report_type {
            HclReportType::Snp => hardware,
            HclReportType::Tdx => {
                let (report, pad) = hardware.split_at(TD_REPORT_SIZE);
                if let Some(i) = pad.iter().position(|b| *b != 0) {
                    return Err(ParseError {
                        what: "TDREPORT padding",
                        offset: (HARDWARE_REPORT_OFFSET + TD_REPORT_SIZE).saturating_add(i),
                        kind: ParseErrorKind::NonZeroReserved,
                    });
                }
                report
            }
        };
        Ok(Self {
            header_version,
            request_type,
            report_type,
            hardware_report,
            runtime_data,
        })
    }
}

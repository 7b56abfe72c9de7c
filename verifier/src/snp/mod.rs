//! AMD SEV-SNP attestation reports: parsing, verification against the AMD KDS chain,
//! binding of the VCEK/VLEK to the report, caller expectations and claims.

mod claims;
mod kds_ext;
pub(crate) mod needs;
mod options;
mod product;
mod report;
mod tcb;
mod verify;

pub use claims::{CpuidClaims, PlatformClaims, PolicyClaims, SnpClaims, TcbClaims, VekClaims};
pub use kds_ext::VekExtensions;
pub use options::{GuestPolicyConstraints, ReportDataExpectation, SnpOptions};
pub use product::Product;
pub use report::{
    signed_range, AttestationReport, Cpuid, FirmwareVersion, GuestPolicy, KeyInfo, PlatformInfo,
    ReportSignature, SigningKey, REPORT_LEN, SIGNATURE_OFFSET, SIGNED_LEN, SUPPORTED_VERSIONS,
};
pub use tcb::{TcbComponent, TcbParts, TcbVersion};

pub(crate) use verify::verify;

//! AMD SEV-SNP attestation reports: parsing, verification against the AMD KDS chain,
//! binding of the VCEK/VLEK to the report, caller expectations and claims.

mod claims;
pub(crate) mod index;
mod kds_ext;
pub(crate) mod needs;
mod options;
mod report;
mod tcb;
pub mod trustee;
mod verify;

pub use crate::amd::{Product, TcbComponent};
pub use crate::expect::ReportDataExpectation;
pub use claims::{CpuidClaims, PlatformClaims, PolicyClaims, SnpClaims, TcbClaims, VekClaims};
pub use kds_ext::VekExtensions;
pub use options::{GuestPolicyConstraints, SnpOptions};
pub use report::{
    signed_range, AttestationReport, Cpuid, FirmwareVersion, GuestPolicy, KeyInfo, PlatformInfo,
    ReportSignature, SigningKey, REPORT_LEN, SIGNATURE_OFFSET, SIGNED_LEN, SUPPORTED_VERSIONS,
};
pub use tcb::{TcbParts, TcbVersion};

pub(crate) use verify::{verify, verify_carrying, verify_with_carried};

//! Intel TDX (and SGX) DCAP quote verification: quote parsing, the PCK certificate's SGX
//! extension, Intel's signed JSON collateral (TCB Info, QE Identity) and Intel's TCB
//! evaluation.

mod claims;
mod evaluate;
pub mod eventlog;
mod json;
pub(crate) mod needs;
mod options;
mod pck_chain;
mod pck_ext;
mod qe_identity;
mod quote;
mod signed;
mod status;
mod tcb_info;
mod verify;

pub use crate::expect::ReportDataExpectation;
pub use claims::{
    PlatformClaims, QuoteClaims, SgxClaims, TcbEvaluationClaims, TdAttributes, TdxClaims,
};
pub use evaluate::{evaluate, PlatformTcb, TcbEvaluation};
pub use options::{SgxOptions, TdxOptions};
pub use pck_ext::{PckExtension, PlatformConfiguration, SgxType, SGX_EXTENSION_OID};
pub use qe_identity::{QeIdentity, QeTcbLevel};
pub use quote::{
    CertificationData, EnclaveReport, EncryptedPpid, Quote, QuoteBody, QuoteHeader, SignatureData,
    TdReport, ATT_KEY_TYPE_ECDSA_P256, CERT_TYPE_PCK_CHAIN, CERT_TYPE_PCK_LEAF,
    CERT_TYPE_PPID_CLEARTEXT, CERT_TYPE_PPID_RSA2048, CERT_TYPE_PPID_RSA3072, INTEL_QE_VENDOR_ID,
    TEE_TYPE_SGX, TEE_TYPE_TDX,
};
pub use signed::{Signed, SignedQeIdentity, SignedTcbInfo};
pub use status::TcbStatus;

/// Intel's TD relaunch rule for TD 1.5 quotes: the final status from the launch
/// (TEE_TCB_SVN) and current (TEE_TCB_SVN2) statuses.
pub fn relaunch_status(launch: TcbStatus, current: TcbStatus) -> TcbStatus {
    TcbStatus::relaunch(launch, current)
}
pub use tcb_info::{ModuleTcbLevel, TcbInfo, TcbInfoId, TcbLevel, TdxModuleIdentity};

pub(crate) use pck_chain::PckChain;
pub(crate) use verify::{verify, Expect};

/// A raw `r ‖ s` P-256 signature from the hex a PCS document or PCCS carries.
///
/// # Errors
/// [`crate::Error::Parse`] if it is not 64 bytes of hex.
pub fn signature_from_hex(text: &str, what: &'static str) -> Result<[u8; 64], crate::Error> {
    json::signature_hex(text, what)
}

//! Synthetic Intel DCAP evidence and collateral, signed by a fake [`IntelPki`]: TCB Info
//! and QE Identity JSON ([`TcbInfoSpec`], [`QeIdentitySpec`]), quotes v3/v4/v5
//! ([`QuoteSpec`]) and the collateral bundle ([`Collateral`]).
//!
//! The defaults line up: the default quotes verified with the default collateral of the
//! same TEE at [`crate::pki::time::DEFAULT_NOW`] evaluate to UpToDate (platform level 0,
//! module `TDX_01` level 0, QE level 0), under Intel's rule and under dcap-qvl's.
//!
//! ```
//! use testvectors::build::tdx::{Collateral, QuoteSpec, TcbInfoSpec};
//! use testvectors::pki::intel::IntelPki;
//!
//! let pki = IntelPki::cached();
//! let quote = QuoteSpec::tdx_v4_default()
//!     .with(|q| q.body.td10_mut().expect("TD body").report_data = [7; 64])
//!     .build(pki);
//! let mut collateral = Collateral::tdx_default(pki);
//! collateral.tcb_info = TcbInfoSpec::tdx_default()
//!     .with(|t| t.tcb_levels[0].tcb_status = "SWHardeningNeeded".into())
//!     .signed(pki);
//! assert_eq!(&quote[..2], &[4, 0]);
//! ```
//!
//! [`IntelPki`]: crate::pki::intel::IntelPki

mod collateral;
mod files;
mod json;
mod qe_identity;
mod quote;
mod report;
mod tcb_info;

pub use collateral::{Collateral, COLLATERAL_FILES};
pub use files::generated_files;
pub use json::SignedJson;
pub use qe_identity::{
    QeIdentitySpec, SGX_QE_ISVPRODID, SGX_QE_ISVSVN, SGX_QE_MRSIGNER, TD_QE_ISVPRODID,
    TD_QE_ISVSVN, TD_QE_MRSIGNER,
};
pub use quote::{
    BuiltQuote, PckCertId, QuoteBody, QuoteOffsets, QuoteSpec, ATT_KEY_TYPE_ECDSA_P256,
    CERT_TYPE_PCK_CHAIN, CERT_TYPE_PCK_LEAF, CERT_TYPE_PPID_CLEARTEXT, CERT_TYPE_PPID_RSA2048,
    CERT_TYPE_PPID_RSA3072, CERT_TYPE_QE_REPORT, DEFAULT_QE_ID, HEADER_LEN, INTEL_QE_VENDOR_ID,
    TEE_TYPE_SGX, TEE_TYPE_TDX,
};
pub use report::{
    SgxReportBody, TdReport10, TdReport15, SGX_ATTR_DEBUG, SGX_REPORT_BODY_LEN, TD10_REPORT_LEN,
    TD15_REPORT_LEN, TD_ATTR_DEBUG, TD_ATTR_SEPT_VE_DISABLE,
};
pub use tcb_info::{
    sgx_components, tdx_components, ModuleTcbLevel, TcbComponent, TcbInfoSpec, TcbLevel, TcbShape,
    TdxModule, TdxModuleIdentity, DEFAULT_TCB_DATE, DEFAULT_TCB_EVALUATION_DATA_NUMBER,
    DEFAULT_TDX_COMPONENTS, DEFAULT_TEE_TCB_SVN,
};

#[cfg(test)]
mod tests;

//! Getting vendor collateral to the verifier.
//!
//! The verifier is pure: it takes collateral as a value ([`verifier::collateral::Bundle`]).
//! This crate is where collateral comes from: today, files and directories given by the
//! operator (an offline bundle), and [`source`]: where each vendor serves the collateral
//! a [`verifier::CollateralKey`] names; later, HTTP sources for AMD KDS, Intel PCS and NVIDIA's
//! RIM and OCSP services, and an on-disk cache with freshness. Everything it returns is
//! re-verified by the verifier, so nothing here is trusted.
#![deny(missing_docs)]

mod files;
mod read;
mod source;

pub use files::{load_paths, LoadError, Loaded, SkipKind, Skipped, MAX_FILE_BYTES};
pub use read::{read_bounded, read_to_limit, size_text, ReadError};
pub use source::{
    source, Source, AMD_KDS, INTEL_PCS, INTEL_ROOT_CA_CRL, NVIDIA_OCSP, NVIDIA_RIM_SERVICE,
};

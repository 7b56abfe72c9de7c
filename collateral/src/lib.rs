//! Getting vendor collateral to the verifier.
//!
//! The verifier is pure: it takes collateral as a value ([`verifier::collateral::Bundle`]).
//! This crate is where collateral comes from: today, files and directories given by the
//! operator (an offline bundle); later, HTTP sources for AMD KDS, Intel PCS and NVIDIA's
//! RIM and OCSP services, and an on-disk cache with freshness. Everything it returns is
//! re-verified by the verifier, so nothing here is trusted.
#![deny(missing_docs)]

mod files;

pub use files::{load_paths, LoadError, Loaded, Skipped};

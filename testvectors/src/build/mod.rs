//! Synthetic evidence builders that sign with the fake vendor PKIs.

pub mod azure;
pub mod nvidia;
pub mod nvidia_rim;
pub mod snp;
pub mod tdx;

//! Synthetic evidence builders that sign with the fake vendor PKIs.

pub mod snp;
pub mod tdx;

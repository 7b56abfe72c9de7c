//! Subcommands.

pub(crate) mod appraise;
pub(crate) mod collateral;
pub(crate) mod policy;
pub(crate) mod serve;
pub(crate) mod token;
pub(crate) mod verify;

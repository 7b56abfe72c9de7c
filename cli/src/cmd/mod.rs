//! Subcommands.

pub(crate) mod verify;

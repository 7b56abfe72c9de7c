//! Test support for Verdict: fake vendor PKIs, synthetic evidence builders and loaders
//! for the real vectors.
//!
//! Nothing here is meant for production: keys are committed in `keys/`, and every
//! generator is deterministic so that `cargo run --release -p verdict-testvectors --bin regen`
//! reproduces the committed files byte for byte.

pub mod build;
pub mod pki;
pub mod real;
pub mod verify;

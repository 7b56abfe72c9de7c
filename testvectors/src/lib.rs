//! Test support for Verdict: fake vendor PKIs, synthetic evidence builders and loaders
//! for the real vectors.
//!
//! Nothing here is meant for production: keys are committed in `keys/`, and every
//! generator is deterministic so that `cargo run --release -p verdict-testvectors --bin regen`
//! reproduces the committed files byte for byte.

pub mod build;
pub mod pki;
pub mod real;
pub mod redis;
pub mod verify;

use verifier::collateral::Bundle;

/// A bundle from several inputs (see [`Bundle::add_bytes`]). Inputs that are not
/// collateral are skipped: tests hand in whatever files a vector directory holds.
pub fn bundle_from_bytes<B: AsRef<[u8]>>(inputs: &[B]) -> Bundle {
    let mut bundle = Bundle::new();
    for input in inputs {
        let _ = bundle.add_bytes(input.as_ref());
    }
    bundle
}

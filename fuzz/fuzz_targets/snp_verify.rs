//! Full SEV-SNP verification of arbitrary report bytes against an empty collateral
//! bundle: exercises parsing, key selection and the error paths of `verify_snp`.
//!
//! Invariant: nothing panics, and with no collateral nothing verifies.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use verifier::collateral::Bundle;
use verifier::snp::SnpOptions;
use verifier::{time, TrustAnchors, Verifier};

struct Ctx {
    verifier: Verifier,
    bundle: Bundle,
    options: SnpOptions,
}

fn ctx() -> &'static Ctx {
    static CTX: OnceLock<Ctx> = OnceLock::new();
    CTX.get_or_init(|| Ctx {
        verifier: Verifier::new(TrustAnchors::default()),
        bundle: Bundle::new(),
        options: SnpOptions::default(),
    })
}

fuzz_target!(|data: &[u8]| {
    let ctx = ctx();
    // A fixed, plausible "now" (2025-02-19); the chain is never reached without collateral.
    let now = time::from_secs(1_740_000_000);
    let result = ctx
        .verifier
        .verify_snp(data, &ctx.bundle, &ctx.options, now);
    assert!(
        result.is_err(),
        "a report verified with an empty collateral bundle"
    );
    if let Err(e) = result {
        // Error rendering is part of the API surface callers log.
        let _ = e.to_string();
        let _ = e.class();
        let _ = format!("{e:?}");
    }
});

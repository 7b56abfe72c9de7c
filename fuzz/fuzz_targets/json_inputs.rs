//! JSON from outside, through every reader that takes it: `verifier::json` (strict,
//! duplicate members refused), GPU evidence JSON, Trustee TDX evidence and a JWKS.
//!
//! Invariants: nothing panics; the strict parser agrees with serde_json wherever the
//! document names no member twice; every key a JWKS yields is one Verdict verifies with.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policy::token::JwkSet;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let strict = verifier::json::from_slice(data);
    let lenient = serde_json::from_slice::<Value>(data);
    match (&strict, &lenient) {
        // Accepted by the strict reader: the same value serde_json reads.
        (Ok(s), Ok(l)) => assert_eq!(s, l),
        (Ok(_), Err(e)) => panic!("strict parser accepted what serde_json refuses: {e}"),
        // Refused by the strict reader only: it must be for a repeated member.
        (Err(e), Ok(_)) => assert!(e.to_string().contains("duplicate member"), "{e}"),
        (Err(_), Err(_)) => {}
    }
    if let Ok(gpus) = verifier::nvidia::decode(data) {
        assert!(!gpus.is_empty(), "decode returned no GPU");
    }
    if let Ok(Some(t)) = verifier::evidence::trustee_tdx(data) {
        assert!(!t.quote.is_empty(), "an empty quote was accepted");
    }
    if let Ok(set) = JwkSet::from_json(data) {
        assert!(!set.keys.is_empty(), "a JWKS without a usable key was accepted");
    }
});

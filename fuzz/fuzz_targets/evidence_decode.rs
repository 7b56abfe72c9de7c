//! Evidence intake: decoding (raw / hex / base64), TEE detection, `Evidence::from_bytes`
//! with and without a hint, and the requirements of what it read.
//!
//! Invariants: nothing panics; raw non-UTF-8 input is returned unchanged; detection of
//! the decoded bytes agrees with the parser on the length of an SNP report; evidence read
//! with a hint is of the hinted kind; an empty bundle misses every required key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use verifier::collateral::Bundle;
use verifier::evidence::{decode, detect, Tee};
use verifier::snp::REPORT_LEN;
use verifier::{Evidence, Expectations};

fuzz_target!(|data: &[u8]| {
    let decoded = decode(data);
    if core::str::from_utf8(data).is_err() {
        assert_eq!(decoded, data, "non-UTF-8 input must be returned as it is");
    }
    for bytes in [data, decoded.as_slice()] {
        if let Some(tee) = detect(bytes) {
            let _ = tee.name();
            if tee == Tee::Snp {
                assert_eq!(bytes.len(), REPORT_LEN);
            }
        }
    }
    // Decoding the decoded bytes again must not panic either.
    let _ = decode(&decoded);

    for hint in [None, Some(Tee::Snp), Some(Tee::Tdx), Some(Tee::Sgx), Some(Tee::Nvidia)] {
        let Ok(evidence) = Evidence::from_bytes(data, hint) else {
            continue;
        };
        if let Some(h) = hint {
            assert_eq!(evidence.tee(), h, "read as another kind than the hint");
        }
        let empty = Bundle::new();
        let needs = evidence.requirements(&empty, &Expectations::none());
        let missing = empty.missing(&evidence, &Expectations::none());
        for need in needs.iter().filter(|n| !n.optional) {
            assert!(missing.contains(need), "an empty bundle serves {}", need.key);
        }
    }
});

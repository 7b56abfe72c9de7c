//! Evidence intake: decoding (raw / hex / base64) and TEE detection.
//!
//! Invariants: nothing panics; raw non-UTF-8 input is returned unchanged; detection of
//! the decoded bytes agrees with the parser on the length of an SNP report.
#![no_main]

use libfuzzer_sys::fuzz_target;
use verifier::evidence::{decode, detect, Tee};
use verifier::snp::REPORT_LEN;

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
});

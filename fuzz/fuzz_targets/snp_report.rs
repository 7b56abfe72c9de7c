//! SEV-SNP attestation report parser.
//!
//! Invariants: `parse` never panics; for an accepted report, `to_bytes()` reproduces the
//! input byte for byte and re-parsing it gives an equal struct.
#![no_main]

use libfuzzer_sys::fuzz_target;
use verifier::snp::{AttestationReport, REPORT_LEN};

fuzz_target!(|data: &[u8]| {
    let Ok(report) = AttestationReport::parse(data) else {
        return;
    };
    assert_eq!(
        data.len(),
        REPORT_LEN,
        "parse accepted a report of the wrong length"
    );
    let bytes = report.to_bytes();
    assert_eq!(&bytes[..], data, "to_bytes() differs from the parsed input");
    let again = AttestationReport::parse(&bytes).expect("re-parsing to_bytes() output failed");
    assert_eq!(again, report, "re-parsed report differs from the original");
    // Accessors used by verification must not panic either.
    let _ = report.chip_id_masked();
    let _ = verifier::snp::signed_range(data);
});

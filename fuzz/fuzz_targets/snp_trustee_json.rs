//! Trustee's SEV-SNP evidence JSON (`snp::trustee::decode`, and `Evidence::from_bytes`,
//! which reads it by content).
//!
//! Invariants: nothing panics; a document that decodes rebuilds a report of exactly
//! `REPORT_LEN` bytes that the report parser reads, and the rebuild is a fixed point
//! (the parsed report serializes back to the same bytes); every carried certificate is
//! non-empty; reading the same bytes as evidence gives SNP evidence.
#![no_main]

use libfuzzer_sys::fuzz_target;
use verifier::snp::{trustee, AttestationReport, REPORT_LEN};
use verifier::{Evidence, Tee};

fuzz_target!(|data: &[u8]| {
    let Ok(Some(decoded)) = trustee::decode(data) else {
        return;
    };
    assert_eq!(decoded.report.len(), REPORT_LEN);
    let report = AttestationReport::parse(&decoded.report)
        .expect("a rebuilt report must parse");
    assert_eq!(report.to_bytes().as_slice(), decoded.report.as_slice(), "rebuild not a fixed point");
    assert!(decoded.certificates.iter().all(|c| !c.is_empty()));
    let evidence = Evidence::from_bytes(data, None).expect("decoded JSON must read as evidence");
    assert_eq!(evidence.tee(), Tee::Snp);
});

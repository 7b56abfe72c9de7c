//! Azure vTPM evidence parsers: `azure::hcl::HclReport::parse` and
//! `azure::tpm::TpmsAttest::parse` on arbitrary bytes. `run.sh` seeds the corpus with the
//! real HCL reports and TPM quotes of `shared/vectors/azure`.
//!
//! Invariants: nothing panics; an accepted HCL report's parts lie inside the input (the
//! hardware report at 0x20, 1184 bytes for SNP and 1024 for TDX; the runtime data at
//! 0x4D4); an accepted quote selects at least one PCR per bank, in ascending order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use verifier::azure::hcl::{HclReport, HclReportType, RUNTIME_DATA_OFFSET};
use verifier::azure::tpm::TpmsAttest;

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = HclReport::parse(data) {
        let expected = match report.report_type {
            HclReportType::Snp => 1184,
            HclReportType::Tdx => 1024,
        };
        assert_eq!(report.hardware_report.len(), expected);
        assert_eq!(report.hardware_report, &data[0x20..0x20 + expected]);
        let end = RUNTIME_DATA_OFFSET + report.runtime_data.len();
        assert_eq!(report.runtime_data, &data[RUNTIME_DATA_OFFSET..end]);
        assert!(data[end..].iter().all(|b| *b == 0));
    }
    if let Ok(quote) = TpmsAttest::parse(data) {
        for bank in &quote.pcr_select {
            assert!(!bank.pcrs.is_empty());
            assert!(bank.pcrs.windows(2).all(|w| w[0] < w[1]));
        }
        assert!(quote.extra_data.len() <= 64);
    }
});

//! Azure vTPM evidence parsers on arbitrary bytes: the HCL report
//! (`azure::hcl::HclReport::parse`), its runtime data (`azure::runtime::RuntimeData::parse`,
//! both on the report's own runtime data and on the raw input), the TPM quote
//! (`azure::tpm::TpmsAttest::parse`, and `azure::TpmQuote::from_bytes` for the JSON and
//! bincode forms), and Trustee's evidence JSON (`azure::evidence::decode_trustee`), which is
//! then verified against an empty bundle. `run.sh` seeds the corpus with the real HCL
//! reports, runtime data, TPM quotes and evidence files of `shared/vectors/azure`.
//!
//! Invariants: nothing panics; an accepted HCL report's parts lie inside the input (the
//! hardware report at 0x20, 1184 bytes for SNP and 1024 for TDX; the runtime data at
//! 0x4D4, only zeros after it); an accepted quote selects at least one PCR per bank, in
//! ascending order; accepted runtime data has an RSA AK of 2048 to 4096 bits; decoded
//! evidence has a known version and at most 24 PCR values, and never verifies without
//! collateral.
#![no_main]

use libfuzzer_sys::fuzz_target;
use verifier::azure::evidence::{decode_trustee, looks_like};
use verifier::azure::hcl::{HclReport, HclReportType, RUNTIME_DATA_OFFSET};
use verifier::azure::runtime::RuntimeData;
use verifier::azure::tpm::TpmsAttest;
use verifier::azure::{AzureEvidence, TpmQuote};
use verifier::collateral::Bundle;
use verifier::crypto::default_provider;
use verifier::{Evidence, Expectations, TrustAnchors, Verifier};

fn check_runtime_data(bytes: &[u8]) {
    if let Ok(runtime) = RuntimeData::parse(bytes, default_provider()) {
        assert!((2048..=4096).contains(&runtime.ak.bits()));
        assert!(!runtime.ak.to_pkcs1_der().is_empty());
    }
}

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
        check_runtime_data(report.runtime_data);
    }
    check_runtime_data(data);
    if let Ok(quote) = TpmsAttest::parse(data) {
        for bank in &quote.pcr_select {
            assert!(!bank.pcrs.is_empty());
            assert!(bank.pcrs.windows(2).all(|w| w[0] < w[1]));
        }
        assert!(quote.extra_data.len() <= 64);
    }
    if let Ok(quote) = TpmQuote::from_bytes(data) {
        assert!(quote.pcrs.len() <= 24);
    }
    if looks_like(data) {
        if let Ok(evidence) = decode_trustee(data) {
            assert!(evidence.version <= AzureEvidence::MAX_VERSION);
            assert!(evidence.tpm_quote.pcrs.len() <= 24);
            let verifier = Verifier::new(TrustAnchors::default());
            let result = verifier.verify(
                &Evidence::Azure(Box::new(evidence)),
                &Bundle::new(),
                &Expectations::none(),
                verifier::time::from_secs(1_756_684_800),
            );
            assert!(result.is_err());
        }
    }
});

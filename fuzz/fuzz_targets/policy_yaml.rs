//! Policy files: `Policy::from_yaml` on arbitrary text (YAML parsing, the document model,
//! CEL parsing and type-checking of every expression), then, for anything that loads,
//! its embedded tests and an appraisal of a fixed claims input.
//!
//! Invariants: nothing panics, whatever the YAML or CEL; errors render; a loaded policy
//! appraises without panicking (rule errors are outcomes, not crashes). `run.sh` seeds
//! the corpus with the default policies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match policy::Policy::from_yaml(text) {
        Err(e) => {
            let _ = e.to_string();
        }
        Ok(p) => {
            let _ = (p.id(), p.lints());
            let _ = p.run_tests();
            let input = json!({
                "now": "2025-01-01T00:00:00Z",
                "nonce": "0102030405060708",
                "snp": {"vmpl": 0, "policy": {"debug": false}, "measurement": "aa",
                        "report_data": "0102030405060708", "reported_tcb": {"bootloader": 1}},
                "gpus": [{"arch": "hopper", "nonce": "00", "ocsp": [], "mismatched_indices": []}],
            });
            if let Ok(input) = policy::Input::from_unverified_json_for_testing(&input) {
                if let Ok(a) = policy::appraise(&p, &input) {
                    let _ = policy::to_ear(&a, &policy::IssueOptions::new("fuzz", vec![0; 16]));
                }
            }
        }
    }
});

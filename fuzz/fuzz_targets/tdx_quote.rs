//! Intel DCAP quote parser (TDX v4/v5, SGX v3/v4/v5) and the evidence intake that feeds
//! it: `evidence::decode`/`detect` and Trustee's `{"quote": base64, ...}` JSON.
//!
//! Invariants: nothing panics; an accepted quote is laid out as Intel's format says (the
//! signed range is header ‖ [v5 body descriptor] ‖ body and a prefix of the input, the
//! trailing bytes are its suffix, the QE report is 384 bytes) and `detect` names the same
//! TEE the parser found.
#![no_main]

use libfuzzer_sys::fuzz_target;
use verifier::evidence::{decode, detect, trustee_tdx, Tee};
use verifier::tdx::{Quote, QuoteBody, TEE_TYPE_SGX, TEE_TYPE_TDX};

/// Header (48) as in Intel's DCAP quote format, body lengths per body type.
const HEADER_LEN: usize = 48;
const V5_BODY_DESCRIPTOR_LEN: usize = 6;
const SGX_REPORT_LEN: usize = 384;
const TD10_LEN: usize = 584;
const TD15_LEN: usize = 648;

fn check(bytes: &[u8]) {
    let Ok(quote) = Quote::parse(bytes) else {
        return;
    };
    let h = &quote.header;
    assert!((3..=5).contains(&h.version), "version {}", h.version);
    assert!(
        h.tee_type == TEE_TYPE_TDX || h.tee_type == TEE_TYPE_SGX,
        "TEE type {:#x}",
        h.tee_type
    );
    assert_eq!(quote.body_type.is_some(), h.version == 5);

    let body_len = match &quote.body {
        QuoteBody::Sgx(r) => {
            assert_eq!(h.tee_type, TEE_TYPE_SGX);
            let _ = r.debug();
            SGX_REPORT_LEN
        }
        QuoteBody::Td(td) => {
            assert_eq!(h.tee_type, TEE_TYPE_TDX);
            let _ = (td.debug(), td.td_attributes_u64());
            // TD 1.5 fields come only with body type 3, together.
            assert_eq!(td.tee_tcb_svn2.is_some(), quote.body_type == Some(3));
            assert_eq!(td.tee_tcb_svn2.is_some(), td.mr_servicetd.is_some());
            if td.tee_tcb_svn2.is_some() {
                TD15_LEN
            } else {
                TD10_LEN
            }
        }
    };
    assert_eq!(quote.td_report().is_some(), h.tee_type == TEE_TYPE_TDX);
    let descriptor = if h.version == 5 {
        V5_BODY_DESCRIPTOR_LEN
    } else {
        0
    };
    assert_eq!(quote.signed.len(), HEADER_LEN + descriptor + body_len);
    assert!(
        bytes.starts_with(quote.signed),
        "signed range is not the prefix"
    );
    assert!(
        bytes.ends_with(quote.trailing),
        "trailing bytes are not the suffix"
    );

    let sig = &quote.signature;
    assert_eq!(sig.qe_report_raw.len(), SGX_REPORT_LEN);
    let cert = &sig.certification;
    assert!((1..=5).contains(&cert.cert_type));
    assert_eq!(
        bytes.get(cert.offset..cert.offset + cert.data.len()),
        Some(cert.data),
        "certification data offset does not point at its bytes"
    );
    // The certification data is the last field of the signature data.
    assert_eq!(
        cert.offset + cert.data.len() + quote.trailing.len(),
        bytes.len()
    );

    let expected = if h.tee_type == TEE_TYPE_TDX {
        Tee::Tdx
    } else {
        Tee::Sgx
    };
    assert_eq!(
        detect(bytes),
        Some(expected),
        "detect disagrees with the parser"
    );
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if let Some(tee) = detect(data) {
        let _ = tee.name();
    }
    // The text forms evidence arrives in: hex, base64, Trustee JSON.
    let decoded = decode(data);
    if decoded != data {
        check(&decoded);
        let _ = detect(&decoded);
    }
    if let Ok(Some(evidence)) = trustee_tdx(data) {
        check(&evidence.quote);
        let _ = evidence.event_log.map(|l| l.len());
    }
});

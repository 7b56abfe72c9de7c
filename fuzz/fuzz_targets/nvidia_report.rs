//! NVIDIA GPU evidence intake and the SPDM report parser: `nvidia::decode` (raw, hex,
//! the SDK / NRAS / Trustee / Python-dump JSON forms), `nvidia::decode_chain`, and
//! `nvidia::spdm::AttestationReport::parse` on every report found.
//!
//! Invariants: nothing panics; an accepted report's signed bytes are a prefix of the
//! input ending exactly 96 + trailing bytes before its end; the request is 37 bytes with
//! version 0x11 and a signature requested; block indices are distinct; the opaque records
//! lie inside the input at the offsets they claim.
#![no_main]

use libfuzzer_sys::fuzz_target;
use verifier::nvidia::spdm::AttestationReport;
use verifier::nvidia::{decode, decode_chain, looks_like};

fn check(bytes: &[u8]) {
    let Ok(report) = AttestationReport::parse(bytes) else {
        return;
    };
    let signed = report.signed_bytes();
    assert!(bytes.starts_with(signed), "signed bytes are not a prefix");
    assert_eq!(
        signed.len() + 96 + report.trailing_len(),
        bytes.len(),
        "signature not where the structure says"
    );
    assert_eq!(bytes.get(signed.len()..signed.len() + 96), Some(report.signature().as_slice()));
    let req = report.request();
    assert_eq!(req.version, 0x11);
    assert_eq!(req.attributes & 1, 1);
    assert_eq!(&bytes[4..36], report.nonce());
    let mut seen = std::collections::HashSet::new();
    for b in report.blocks() {
        assert!(seen.insert(b.index), "index {} twice", b.index);
        assert!(b.offset >= 45 && b.offset < signed.len());
    }
    for r in report.opaque().records() {
        let value_at = r.offset + 4;
        assert_eq!(bytes.get(value_at..value_at + r.value.len()), Some(r.value.as_slice()));
    }
    let o = report.opaque();
    let _ = (o.driver_version(), o.vbios_version(), o.fwid(), o.mode(), o.switch_pdis());
}

fuzz_target!(|data: &[u8]| {
    check(data);
    let _ = looks_like(data);
    if let Ok(items) = decode(data) {
        for item in items {
            check(&item.report);
            let _ = decode_chain(&item.certificate_chain);
        }
    }
});

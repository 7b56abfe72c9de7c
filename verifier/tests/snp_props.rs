//! Property tests of the SEV-SNP report parser: it never panics, and parse and serialize
//! are inverse on every valid report.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use proptest::prelude::*;
use verifier::snp::{AttestationReport, REPORT_LEN};

/// Makes arbitrary bytes a structurally valid report: a supported version, reserved
/// ranges zeroed for that version, guest policy bit 17 set and bits 63:26 clear, and a
/// defined SIGNING_KEY encoding.
fn normalize(mut b: Vec<u8>, version: u32, signing_key: u8) -> Vec<u8> {
    b[0..4].copy_from_slice(&version.to_le_bytes());
    b[0x00A] |= 0x02; // policy bit 17
    b[0x00B] &= 0x03; // policy bits 26..31
    b[0x00C..0x010].fill(0); // policy bits 32..63
    let key_info = (b[0x048] & 0x03) | (signing_key << 2);
    b[0x048..0x04C].copy_from_slice(&u32::from(key_info).to_le_bytes());
    b[0x04C..0x050].fill(0);
    if version >= 3 {
        b[0x18B..0x1A0].fill(0);
    } else {
        b[0x188..0x1A0].fill(0);
    }
    b[0x1EB] = 0;
    b[0x1EF] = 0;
    if version >= 5 {
        b[0x208..0x2A0].fill(0);
    } else {
        b[0x1F8..0x2A0].fill(0);
    }
    b[0x330..].fill(0);
    b
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..1300)) {
        let _ = AttestationReport::parse(&bytes);
    }

    #[test]
    fn parse_never_panics_at_full_length(bytes in proptest::collection::vec(any::<u8>(), REPORT_LEN)) {
        let _ = AttestationReport::parse(&bytes);
    }

    #[test]
    fn parse_serialize_parse_is_identity(
        bytes in proptest::collection::vec(any::<u8>(), REPORT_LEN),
        version in 2u32..=5,
        signing_key in prop_oneof![Just(0u8), Just(1u8), Just(7u8)],
    ) {
        let valid = normalize(bytes, version, signing_key);
        let parsed = AttestationReport::parse(&valid).unwrap();
        let serialized = parsed.to_bytes();
        prop_assert_eq!(&serialized[..], &valid[..]);
        prop_assert_eq!(AttestationReport::parse(&serialized).unwrap(), parsed);
    }

    #[test]
    fn any_reserved_byte_is_rejected(
        bytes in proptest::collection::vec(any::<u8>(), REPORT_LEN),
        version in 2u32..=5,
        pick in any::<prop::sample::Index>(),
        value in 1u8..=255,
    ) {
        let mut valid = normalize(bytes, version, 0);
        let mut reserved: Vec<usize> = (0x04C..0x050).chain(0x1EB..0x1EC).chain(0x1EF..0x1F0).chain(0x330..REPORT_LEN).collect();
        reserved.extend(if version >= 3 { 0x18B..0x1A0 } else { 0x188..0x1A0 });
        reserved.extend(if version >= 5 { 0x208..0x2A0 } else { 0x1F8..0x2A0 });
        let offset = *pick.get(&reserved);
        valid[offset] = value;
        let err = AttestationReport::parse(&valid).unwrap_err();
        prop_assert_eq!(err.kind(), "nonzero_reserved");
    }
}

#[test]
fn unknown_versions_and_lengths_are_typed_errors() {
    let valid = normalize(vec![0u8; REPORT_LEN], 3, 0);
    for version in [0u32, 1, 6, 0xFFFF_FFFF] {
        let mut b = valid.clone();
        b[0..4].copy_from_slice(&version.to_le_bytes());
        let e = AttestationReport::parse(&b).unwrap_err();
        assert_eq!(e.kind(), "unsupported_version");
        assert!(e.to_string().contains(&version.to_string()));
    }
    for len in [0, 1183, 1185] {
        let e = AttestationReport::parse(&vec![0u8; len]).unwrap_err();
        assert_eq!(e.kind(), "wrong_length", "{len}");
        assert_eq!(e.class(), verifier::ErrorClass::Malformed);
    }
    let mut b = valid.clone();
    b[0x00A] &= !0x02;
    assert_eq!(
        AttestationReport::parse(&b).unwrap_err().kind(),
        "invalid_value"
    );
    for sk in 2..=6u8 {
        let mut b = valid.clone();
        b[0x048] = sk << 2;
        let e = AttestationReport::parse(&b).unwrap_err();
        assert_eq!(e.kind(), "invalid_value");
        assert!(e.to_string().contains("0x48"), "{e}");
    }
    let mut b = valid.clone();
    b[0x049] = 1; // KEY_INFO bit 8
    assert_eq!(
        AttestationReport::parse(&b).unwrap_err().kind(),
        "nonzero_reserved"
    );
    let mut b = valid;
    b[0x00C] = 1; // policy bit 32
    let e = AttestationReport::parse(&b).unwrap_err();
    assert_eq!(e.kind(), "nonzero_reserved");
}

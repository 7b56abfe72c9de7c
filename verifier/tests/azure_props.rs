//! Property tests of the Azure vTPM parsers and verifier: random bytes, and random edits
//! of valid fake evidence (`testvectors::build::azure`: the HCL report, the TPMS_ATTEST,
//! its signature, the PCR values, the runtime data, Trustee's JSON), never panic; and an
//! edit of a signed or bound byte never verifies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::sync::LazyLock;

use proptest::prelude::*;
use testvectors::build::azure::{AzureSpec, BuiltAzure};
use verifier::azure::evidence::decode_trustee;
use verifier::azure::hcl::HclReport;
use verifier::azure::runtime::RuntimeData;
use verifier::azure::tpm::TpmsAttest;
use verifier::azure::{AzureClaims, AzureEvidence, AzureHardware, TpmQuote};
use verifier::crypto::{all_providers, default_provider};
use verifier::time::from_secs;
use verifier::{Error, Evidence, Verified, Verifier};

/// Version 2 SNP evidence (the user-data check runs) and version 1 TDX evidence, built
/// once: building signs with RSA, P-384 and P-256 keys.
static SNP: LazyLock<BuiltAzure> = LazyLock::new(|| AzureSpec::snp(2).build());
static TDX: LazyLock<BuiltAzure> = LazyLock::new(|| AzureSpec::tdx(1).build());
/// Every version of each kind, for Trustee's JSON forms.
static FORMS: LazyLock<Vec<BuiltAzure>> = LazyLock::new(|| {
    (0..=2)
        .flat_map(|v| [AzureSpec::snp(v).build(), AzureSpec::tdx(v).build()])
        .collect()
});

/// One edit of a byte string.
#[derive(Debug, Clone)]
enum Edit {
    /// XOR the byte at (index mod length) with a non-zero mask.
    Xor(usize, u8),
    /// Cut to (index mod (length + 1)) bytes.
    Truncate(usize),
    /// Insert a byte before (index mod (length + 1)).
    Insert(usize, u8),
    /// Remove the byte at (index mod length).
    Remove(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), 1u8..).prop_map(|(i, m)| Edit::Xor(i, m)),
        1 => any::<usize>().prop_map(Edit::Truncate),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        1 => any::<usize>().prop_map(Edit::Remove),
    ]
}

fn apply(bytes: &mut Vec<u8>, edits: &[Edit]) {
    for e in edits {
        let len = bytes.len();
        match *e {
            Edit::Xor(i, m) if len > 0 => bytes[i % len] ^= m,
            Edit::Truncate(i) => bytes.truncate(i % (len + 1)),
            Edit::Insert(i, b) => bytes.insert(i % (len + 1), b),
            Edit::Remove(i) if len > 0 => {
                bytes.remove(i % len);
            }
            Edit::Xor(..) | Edit::Remove(_) => {}
        }
    }
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    proptest::collection::vec(edit(), 1..4)
}

/// Verifies `evidence` like `built`'s on every provider; every provider must agree on
/// whether it verifies (and on the error kind).
fn verify_all(
    built: &BuiltAzure,
    evidence: &AzureEvidence,
) -> Result<Verified<AzureClaims>, Error> {
    let mut results = all_providers().into_iter().map(|p| {
        let verifier = Verifier::with_provider(built.anchors.clone(), p);
        let now = from_secs(built.now);
        match evidence.hardware {
            AzureHardware::Tdx { .. } => {
                verifier.verify_azure_tdx(evidence, &built.bundle, &built.tdx_options(), now)
            }
            AzureHardware::Snp { .. } => {
                verifier.verify_azure_snp(evidence, &built.bundle, &built.snp_options(), now)
            }
        }
    });
    let first = results.next().expect("a provider");
    for other in results {
        assert_eq!(
            other.as_ref().map(|_| ()).map_err(Error::kind),
            first.as_ref().map(|_| ()).map_err(Error::kind),
            "providers disagree"
        );
    }
    first
}

/// The bytes of the SNP HCL report no signature or hash covers and no check reads
/// strictly: the header's version (1 or 2 both accepted), request type, status and
/// reserved bytes.
fn unsigned_snp_header(at: usize) -> bool {
    (0x04..0x08).contains(&at) || (0x0C..0x20).contains(&at)
}

/// Whether `edited` is `original` (an SNP HCL report with `runtime` bytes of runtime
/// data) but for its unsigned header and the length of its zero padding.
fn same_but_unsigned(original: &[u8], edited: &[u8], runtime: usize) -> bool {
    let end = 0x4D4 + runtime;
    edited.len() >= end
        && (0..end).all(|i| edited[i] == original[i] || unsigned_snp_header(i))
        && edited[end..].iter().all(|b| *b == 0)
}

fn all() -> [&'static BuiltAzure; 2] {
    [&SNP, &TDX]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsers_never_panic_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
        let _ = HclReport::parse(&bytes);
        let _ = TpmsAttest::parse(&bytes);
        let _ = RuntimeData::parse(&bytes, default_provider());
        let _ = TpmQuote::from_bytes(&bytes);
        let _ = decode_trustee(&bytes);
        let _ = Evidence::from_bytes(&bytes, None);
    }

    /// Random bytes with a valid HCL prefix reach the deeper checks.
    #[test]
    fn hcl_parser_never_panics_behind_a_valid_header(
        tail in proptest::collection::vec(any::<u8>(), 0..2600),
        cut in 0usize..0x4D4,
    ) {
        for built in all() {
            let mut bytes = built.evidence.hcl_report[..cut].to_vec();
            bytes.extend(&tail);
            let _ = HclReport::parse(&bytes);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// HCL report edits: never a panic, and on SNP evidence only an edit of the unsigned
    /// header, or of how much zero padding follows the runtime data, can still verify.
    #[test]
    fn edited_hcl_reports_never_panic_and_verify_only_if_unsigned(edits in edits()) {
        for built in all() {
            let mut evidence = built.evidence.clone();
            apply(&mut evidence.hcl_report, &edits);
            let verified = verify_all(built, &evidence).is_ok();
            if verified && std::ptr::eq(built, &*SNP) {
                prop_assert!(
                    same_but_unsigned(&built.evidence.hcl_report, &evidence.hcl_report, built.runtime_data.len()),
                    "an edit of a covered byte verified: {edits:?}"
                );
            }
        }
    }

    /// TPMS_ATTEST and signature edits: never a panic, and never verified once changed.
    #[test]
    fn edited_tpm_quotes_never_verify(edits in edits(), signature in any::<bool>()) {
        for built in all() {
            let mut evidence = built.evidence.clone();
            let part = if signature {
                &mut evidence.tpm_quote.signature
            } else {
                &mut evidence.tpm_quote.message
            };
            apply(part, &edits);
            let changed = evidence.tpm_quote != built.evidence.tpm_quote;
            let result = verify_all(built, &evidence);
            prop_assert!(!changed || result.is_err(), "{edits:?} verified");
        }
    }

    /// Other PCR values: never a panic; verified only when they are the quoted ones (or
    /// none: the digest is then unchecked and said so).
    #[test]
    fn other_pcr_values_never_verify(
        values in proptest::collection::vec(proptest::array::uniform32(any::<u8>()), 0..30),
        keep in 0usize..25,
    ) {
        for built in all() {
            let mut evidence = built.evidence.clone();
            let mut pcrs = built.evidence.tpm_quote.pcrs[..keep.min(24)].to_vec();
            pcrs.extend(&values);
            evidence.tpm_quote.pcrs = pcrs.clone();
            let result = verify_all(built, &evidence);
            let same = pcrs.is_empty() || pcrs == built.evidence.tpm_quote.pcrs;
            prop_assert_eq!(result.is_ok(), same);
        }
    }

    /// Runtime data edits, parsed alone and re-embedded in a report that binds them (the
    /// hardware report re-signed): never a panic.
    #[test]
    fn edited_runtime_data_never_panics(edits in edits(), tdx in any::<bool>()) {
        let built = if tdx { &*TDX } else { &*SNP };
        let mut runtime = built.runtime_data.clone();
        apply(&mut runtime, &edits);
        let _ = RuntimeData::parse(&runtime, default_provider());
        let spec = if tdx { AzureSpec::tdx(1) } else { AzureSpec::snp(2) };
        let rebuilt = spec.with(|s| s.runtime.raw = Some(runtime)).build();
        let _ = verify_all(&rebuilt, &rebuilt.evidence);
    }

    /// Trustee JSON edits (each version's form): never a panic in decoding or verifying.
    #[test]
    fn edited_trustee_json_never_panics(edits in edits(), form in 0usize..6) {
        let built = &FORMS[form];
        let mut json = built.to_trustee_json();
        apply(&mut json, &edits);
        if let Ok(Evidence::Azure(evidence)) = Evidence::from_bytes(&json, None) {
            let _ = verify_all(built, &evidence);
        }
    }
}

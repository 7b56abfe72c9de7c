//! Criterion benchmarks of Azure vTPM verification on the real Azure evidence, against
//! the cost no verifier can avoid: the hardware report's own signature (ECDSA P-384 for
//! SEV-SNP, the TD quote's ECDSA P-256 for TDX) plus the TPM quote's RSA-2048 signature.
//!
//! Benchmark ids (quoted by the README):
//!
//! - `azure/decode/<case>`: [`Evidence::from_bytes`] on Trustee's evidence JSON.
//! - `azure/verify_warm/<provider>/<case>`: `Verifier::verify` on one long-lived
//!   [`Verifier`] (signature and parsed-chain caches warm) with a [`Bundle`] parsed once,
//!   the evidence already decoded: the steady state of a service.
//! - `azure/floor/<provider>/<case>`: the hardware report's signature (P-384 over the SNP
//!   report, or P-256 over the TD quote) and the TPM quote's RSASSA-PKCS1-v1_5 SHA-256
//!   signature, back to back: the floor for `verify_warm`.
//! - `azure/hardware_only/<provider>/<case>`: the hardware path alone on the same warm
//!   verifier (`verify_tdx` on the TD quote; for SEV-SNP, `verify` of the bare report with
//!   the VCEK in the bundle), to split `verify_warm` into the hardware path and what the
//!   vTPM part adds.
//! - `azure/verify_cold/<provider>/<case>`: as `verify_warm` with
//!   [`Verifier::without_caches`]: every chain and collateral signature verified.
//!
//! - `azure/parts/<part>/<case>`: the pieces a warm verification adds to the hardware
//!   path, measured alone (HCL report parse, runtime data parse with the AK's thumbprint,
//!   TPMS_ATTEST parse, SHA-256 of the runtime data), so that `verify_warm - floor` can
//!   be attributed.
//!
//! Cases: `snp-v2` (Milan, VCEK in the evidence, 48-byte nonce) at 2025-09-01 with the
//! Milan chain and CRL, and `tdx-v1` at 2025-03-01 with collateral set A (see
//! `shared/vectors/azure/README.md`). Each is verified once before it is timed.
//!
//! Run: `cargo bench -p verdict-verifier --bench azure --all-features` (both providers).

// A bench is a test harness: a missing or failing vector must stop the run loudly, and
// criterion needs no docs on the helpers below.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use verifier::azure::{AzureHardware, AzureSnpOptions, AzureTdxOptions};
use verifier::collateral::Bundle;
use verifier::crypto::{all_providers, CryptoProvider, Curve, EcdsaSig, HashAlg};
use verifier::pki::{Certificate, PublicKey};
use verifier::time::{self, UnixTime};
use verifier::{Evidence, Expectations, TrustAnchors, Verifier};

struct Case {
    name: &'static str,
    raw: Vec<u8>,
    evidence: Evidence,
    bundle: Bundle,
    expectations: Expectations,
    now: UnixTime,
    /// The hardware signature: (curve, hash, key, signed bytes, r ‖ s).
    hardware: (Curve, HashAlg, Vec<u8>, Vec<u8>, Vec<u8>),
    /// The TPM quote signature: (AK as PKCS#1, message, signature).
    tpm: (Vec<u8>, Vec<u8>, Vec<u8>),
}

fn vectors() -> PathBuf {
    testvectors::real::vectors_dir()
}

fn read(path: PathBuf) -> Vec<u8> {
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The AK from the runtime data inside the HCL report, as PKCS#1 `RSAPublicKey` DER.
fn ak_pkcs1(hcl: &[u8]) -> Vec<u8> {
    let report = verifier::azure::hcl::HclReport::parse(hcl).unwrap();
    let runtime = verifier::azure::runtime::RuntimeData::parse(
        report.runtime_data,
        verifier::crypto::default_provider(),
    )
    .unwrap();
    runtime.ak.to_pkcs1_der()
}

fn snp_case() -> Case {
    let raw = read(vectors().join("azure/snp/evidence-v2.json"));
    let evidence = Evidence::from_bytes(&raw, None).unwrap();
    let Evidence::Azure(azure) = &evidence else {
        panic!("not Azure evidence")
    };
    let AzureHardware::Snp { vcek: Some(vcek) } = &azure.hardware else {
        panic!("no VCEK")
    };
    let roots = vectors().join("snp/roots");
    let bundle = testvectors::bundle_from_bytes(&[
        read(roots.join("milan_ask_ark.pem")),
        read(roots.join("milan_crl.der")),
    ]);
    let mut options = AzureSnpOptions::default();
    options.nonce = Some(azure.tpm_quote.message[44..92].to_vec());
    let report = &azure.hcl_report[0x20..0x20 + 1184];
    let PublicKey::Ec { point, .. } = Certificate::from_der(vcek).unwrap().public_key().clone()
    else {
        panic!("VCEK key")
    };
    let mut sig = Vec::new();
    // r and s: 72 little-endian bytes each at 0x2A0 and 0x2E8, of which 48 are used.
    for at in [0x2A0, 0x2E8] {
        let mut half = report[at..at + 48].to_vec();
        half.reverse();
        sig.extend(half);
    }
    Case {
        name: "snp-v2",
        hardware: (
            Curve::P384,
            HashAlg::Sha384,
            point.to_vec(),
            report[..0x2A0].to_vec(),
            sig,
        ),
        tpm: (
            ak_pkcs1(&azure.hcl_report),
            azure.tpm_quote.message.clone(),
            azure.tpm_quote.signature.clone(),
        ),
        raw,
        bundle,
        expectations: Expectations::azure_snp(options),
        now: time::parse_rfc3339("2025-09-01T00:00:00Z").unwrap(),
        evidence,
    }
}

fn tdx_case() -> Case {
    let raw = read(vectors().join("azure/tdx/evidence-v1.json"));
    let evidence = Evidence::from_bytes(&raw, None).unwrap();
    let Evidence::Azure(azure) = &evidence else {
        panic!("not Azure evidence")
    };
    let AzureHardware::Tdx { td_quote } = &azure.hardware else {
        panic!("no TD quote")
    };
    let dir = vectors().join("tdx/cases/tdx-v4-dcaprs-00806f05-outofdate/collateral");
    let files: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| read(e.unwrap().path()))
        .collect();
    let mut options = AzureTdxOptions::default();
    options.nonce = Some(b"challenge".to_vec());
    // The v4 quote: signed header ‖ body (0..632), signature at 636, key at 700.
    let mut key = vec![4u8];
    key.extend_from_slice(&td_quote[700..764]);
    Case {
        name: "tdx-v1",
        hardware: (
            Curve::P256,
            HashAlg::Sha256,
            key,
            td_quote[..632].to_vec(),
            td_quote[636..700].to_vec(),
        ),
        tpm: (
            ak_pkcs1(&azure.hcl_report),
            azure.tpm_quote.message.clone(),
            azure.tpm_quote.signature.clone(),
        ),
        raw,
        bundle: testvectors::bundle_from_bytes(&files),
        expectations: Expectations::azure_tdx(options),
        now: time::parse_rfc3339("2025-03-01T00:00:00Z").unwrap(),
        evidence,
    }
}

/// The hardware report alone as evidence, with the collateral it needs.
fn hardware_only(case: &Case) -> (Evidence, Bundle) {
    let Evidence::Azure(azure) = &case.evidence else {
        unreachable!()
    };
    match &azure.hardware {
        AzureHardware::Snp { vcek } => {
            let mut bundle = case.bundle.clone();
            bundle.add_bytes(vcek.as_deref().unwrap()).unwrap();
            let report = azure.hcl_report[0x20..0x20 + 1184].to_vec();
            (Evidence::Snp(report), bundle)
        }
        AzureHardware::Tdx { td_quote } => (
            Evidence::Tdx {
                quote: td_quote.clone(),
                event_log: None,
            },
            case.bundle.clone(),
        ),
    }
}

fn floor(provider: &dyn CryptoProvider, case: &Case) {
    let (curve, hash, key, signed, sig) = &case.hardware;
    provider
        .verify_ecdsa(*curve, *hash, key, signed, EcdsaSig::Fixed(sig))
        .unwrap();
    let (ak, message, signature) = &case.tpm;
    provider
        .verify_rsa_pkcs1(HashAlg::Sha256, ak, message, signature)
        .unwrap();
}

fn main() {
    if !vectors().join("azure").is_dir() {
        eprintln!("azure bench: real vectors not found; nothing measured");
        return;
    }
    let cases = [snp_case(), tdx_case()];
    let mut c = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    for case in &cases {
        c.bench_function(&format!("azure/decode/{}", case.name), |b| {
            b.iter(|| Evidence::from_bytes(black_box(&case.raw), None).unwrap())
        });
    }
    for case in &cases {
        let Evidence::Azure(azure) = &case.evidence else {
            unreachable!()
        };
        let hcl = verifier::azure::hcl::HclReport::parse(&azure.hcl_report).unwrap();
        let provider = verifier::crypto::default_provider();
        let mut group = c.benchmark_group("azure/parts");
        group.bench_function(BenchmarkId::new("hcl_parse", case.name), |b| {
            b.iter(|| verifier::azure::hcl::HclReport::parse(black_box(&azure.hcl_report)).unwrap())
        });
        group.bench_function(BenchmarkId::new("runtime_parse", case.name), |b| {
            b.iter(|| {
                verifier::azure::runtime::RuntimeData::parse(black_box(hcl.runtime_data), provider)
                    .unwrap()
            })
        });
        group.bench_function(BenchmarkId::new("tpm_parse", case.name), |b| {
            b.iter(|| {
                verifier::azure::tpm::TpmsAttest::parse(black_box(&azure.tpm_quote.message))
                    .unwrap()
            })
        });
        group.bench_function(BenchmarkId::new("runtime_sha256", case.name), |b| {
            b.iter(|| provider.hash(HashAlg::Sha256, &[black_box(hcl.runtime_data)]))
        });
        group.finish();
    }
    for provider in all_providers() {
        for case in &cases {
            floor(provider, case);
            let warm = Verifier::with_provider(TrustAnchors::default(), provider);
            warm.verify(&case.evidence, &case.bundle, &case.expectations, case.now)
                .unwrap();
            let mut group = c.benchmark_group("azure");
            let id =
                |what: &str| BenchmarkId::new(what, format!("{}/{}", provider.name(), case.name));
            group.bench_function(id("floor"), |b| b.iter(|| floor(provider, black_box(case))));
            group.bench_function(id("verify_warm"), |b| {
                b.iter(|| {
                    warm.verify(
                        black_box(&case.evidence),
                        &case.bundle,
                        &case.expectations,
                        case.now,
                    )
                    .unwrap()
                })
            });
            let hardware = hardware_only(case);
            group.bench_function(id("hardware_only"), |b| {
                b.iter(|| {
                    warm.verify(
                        black_box(&hardware.0),
                        &hardware.1,
                        &Expectations::none(),
                        case.now,
                    )
                    .unwrap()
                })
            });
            let cold = Verifier::with_provider(TrustAnchors::default(), provider).without_caches();
            group.bench_function(id("verify_cold"), |b| {
                b.iter(|| {
                    cold.verify(
                        black_box(&case.evidence),
                        &case.bundle,
                        &case.expectations,
                        case.now,
                    )
                    .unwrap()
                })
            });
            group.finish();
        }
    }
    c.final_summary();
}

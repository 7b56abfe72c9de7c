//! Criterion benchmarks of NVIDIA GPU evidence verification on the real H100 setA
//! vector (report, device chain, driver and VBIOS RIMs, seven OCSP responses), against
//! the cost no verifier can avoid: the report's own ECDSA P-384 signature.
//!
//! Benchmark ids (quoted by `benches/README.md`):
//!
//! - `nvidia/parse`: [`AttestationReport::parse`] alone.
//! - `nvidia/verify_warm/<provider>`: `verify_nvidia` on one long-lived [`Verifier`]
//!   (signature and device-chain caches warm) with a [`Bundle`] parsed once: the steady
//!   state of a service. Every chain, RIM and OCSP signature is a cache hit and the RIM
//!   digests are memoized, so the report signature is the only ECDSA verification left.
//! - `nvidia/verify_cold/<provider>`: `verify_nvidia` with both caches disabled and the
//!   collateral files (two RIMs, seven OCSP responses) parsed into a [`Bundle`] inside the
//!   loop: everything from bytes — 5 device certificates, 2 × 4 RIM certificates, 2 XML
//!   signatures with their canonicalization and digests, 7 OCSP responses with their
//!   responder certificates, the report.
//! - `nvidia/verify_cold_bundle_preparsed/<provider>`: as `verify_cold` with the bundle
//!   parsed once outside the loop (RIM parsing includes canonicalization).
//! - `nvidia/bundle_parse`: [`Bundle::add_bytes`] over the collateral files.
//! - `nvidia/verify_warm_device_only/<provider>`: as `verify_warm` with an empty bundle
//!   (report, device chain and FWID; no RIMs or OCSP), to split `verify_warm`.
//! - `nvidia/p384_verify/<provider>`: one ECDSA P-384 verification of the report
//!   signature: the floor for `verify_warm`.
//!
//! setA is verified at 2025-08-21T12:00:00Z, when its device-chain OCSP responses were
//! current and its RIM signers valid (tests/nvidia_real.rs checks the same).
//!
//! Run: `cargo bench -p verdict-verifier --bench nvidia` (aws-lc-rs), add
//! `--all-features` for both providers.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use testvectors::real::nvidia_dir;
use verifier::collateral::Bundle;
use verifier::crypto::{all_providers, CryptoProvider, Curve, EcdsaSig, HashAlg};
use verifier::nvidia::spdm::AttestationReport;
use verifier::nvidia::{decode, GpuEvidence, NvidiaOptions};
use verifier::pki::PublicKey;
use verifier::time::{self, UnixTime};
use verifier::{TrustAnchors, Verifier};

const NONCE: &str = "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb";

struct Case {
    evidence: GpuEvidence,
    collateral: Vec<Vec<u8>>,
    now: UnixTime,
    options: NvidiaOptions,
}

fn load() -> Case {
    let dir = nvidia_dir().join("setA_h100_550.90.07");
    let mut evidence = decode(&std::fs::read(dir.join("attestation_report.hex")).unwrap())
        .unwrap()
        .remove(0);
    evidence.certificate_chain = std::fs::read(dir.join("device_cert_chain.pem")).unwrap();
    let mut collateral = vec![
        std::fs::read(dir.join("NV_GPU_DRIVER_GH100_550.90.07.xml")).unwrap(),
        std::fs::read(dir.join("NV_GPU_VBIOS_1010_0200_882_96009F0001.xml")).unwrap(),
    ];
    let mut ocsp: Vec<_> = std::fs::read_dir(dir.join("ocsp"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".ocsp.der"))
        .collect();
    ocsp.sort();
    collateral.extend(ocsp.iter().map(|p| std::fs::read(p).unwrap()));
    Case {
        evidence,
        collateral,
        now: time::parse_rfc3339("2025-08-21T12:00:00Z").unwrap(),
        options: {
            let mut opts = NvidiaOptions::default();
            opts.expected_nonce = Some(hex::decode(NONCE).unwrap().try_into().unwrap());
            opts
        },
    }
}

fn bundle(files: &[Vec<u8>]) -> Bundle {
    let mut b = Bundle::new();
    for f in files {
        b.add_bytes(f).unwrap();
    }
    b
}

fn verify(verifier: &Verifier, case: &Case, bundle: &Bundle) -> bool {
    let v = verifier
        .verify_nvidia(black_box(&case.evidence), bundle, &case.options, case.now)
        .unwrap_or_else(|e| panic!("{}: {e}", verifier.provider().name()));
    assert!(v.claims().measurements_match);
    v.claims().measurements_match
}

fn cold_verifier(p: &'static dyn CryptoProvider) -> Verifier {
    Verifier::with_provider(TrustAnchors::default(), p).without_caches()
}

fn main() {
    let case = load();
    let providers = all_providers();
    let mut c = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    let report = case.evidence.report.clone();
    c.bench_function("nvidia/parse", |b| {
        b.iter(|| AttestationReport::parse(black_box(&report)).unwrap())
    });
    c.bench_function("nvidia/bundle_parse", |b| {
        b.iter(|| bundle(&case.collateral))
    });

    let parsed = AttestationReport::parse(&report).unwrap();
    let chain = verifier::nvidia::decode_chain(&case.evidence.certificate_chain).unwrap();
    let PublicKey::Ec { point, .. } = chain[0].public_key().clone() else {
        panic!("P-384 leaf")
    };
    let preparsed = bundle(&case.collateral);
    for &p in &providers {
        let mut g = c.benchmark_group("nvidia");
        let warm = Verifier::with_provider(TrustAnchors::default(), p);
        verify(&warm, &case, &preparsed);
        g.bench_function(BenchmarkId::new("verify_warm", p.name()), |b| {
            b.iter(|| verify(&warm, &case, &preparsed))
        });
        // The same without RIMs and OCSP responses: report, chain and FWID only.
        let empty = Bundle::new();
        let mut no_nonce = case.options.clone();
        no_nonce.expected_nonce = None;
        g.bench_function(BenchmarkId::new("verify_warm_device_only", p.name()), |b| {
            b.iter(|| {
                warm.verify_nvidia(black_box(&case.evidence), &empty, &no_nonce, case.now)
                    .unwrap()
            })
        });
        let cold = cold_verifier(p);
        g.bench_function(BenchmarkId::new("verify_cold", p.name()), |b| {
            b.iter(|| verify(&cold, &case, &bundle(&case.collateral)))
        });
        g.bench_function(
            BenchmarkId::new("verify_cold_bundle_preparsed", p.name()),
            |b| b.iter(|| verify(&cold, &case, &preparsed)),
        );
        g.bench_function(BenchmarkId::new("p384_verify", p.name()), |b| {
            b.iter(|| {
                p.verify_ecdsa(
                    Curve::P384,
                    HashAlg::Sha384,
                    &point,
                    black_box(parsed.signed_bytes()),
                    EcdsaSig::Fixed(parsed.signature()),
                )
                .unwrap()
            })
        });
        g.finish();
    }
    c.final_summary();
}

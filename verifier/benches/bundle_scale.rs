//! Criterion benchmarks of SEV-SNP verification against a bundle holding a fleet's
//! collateral (issue 16): the report's VCEK is found through the bundle index, so a warm
//! verification should cost the same with 10,000 VCEKs as with one.
//!
//! Benchmark ids (quoted by the README):
//!
//! - `bundle_scale/verify_warm/1`: `verify_snp` on a fake-PKI Milan report, warm
//!   signature cache, bundle = the KDS chain and the one VCEK.
//! - `bundle_scale/verify_warm/10000`: the same with 9,999 VCEKs of other chips beside it
//!   (the report's VCEK in the middle).
//! - `bundle_scale/build/10000`: building that bundle from the 10,002 DER/PEM items
//!   (parsing and indexing each).
//!
//! The other chips' VCEKs come from `testvectors::build::snp::decoy_vceks`: the fake VCEK
//! with another hwID and serial, not re-signed (no verifier reaches the chain of a VCEK
//! whose hwID does not fit). Making them takes well under a second; the time is printed.
//!
//! Run: `cargo bench -p verdict-verifier --bench bundle_scale`.

// A bench is a test harness: a failing setup must stop the run loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use testvectors::build::snp::{anchors, decoy_vceks, report, sign};
use testvectors::pki::amd::{AmdPki, Signer};
use testvectors::pki::time::DEFAULT_NOW;
use verifier::collateral::Bundle;
use verifier::snp::{Product, SnpOptions};
use verifier::{time, Verifier};

const FLEET: usize = 10_000;

/// The items of a bundle: the chain PEM, then the VCEKs with the report's at `FLEET / 2`.
fn items(pki: &AmdPki, decoys: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let (before, after) = decoys.split_at(decoys.len() / 2);
    let mut items = vec![pki.ask_ark_pem().into_bytes()];
    items.extend(before.iter().cloned());
    items.push(pki.leaf(Signer::Vcek).to_vec());
    items.extend(after.iter().cloned());
    items
}

fn build(items: &[Vec<u8>]) -> Bundle {
    let mut b = Bundle::new();
    for item in items {
        b.add_bytes(item).unwrap();
    }
    b
}

fn main() {
    let mut c = Criterion::default()
        .configure_from_args()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    let pki = AmdPki::cached(Product::Milan);
    let bytes = sign(pki, Signer::Vcek, &report(pki, Signer::Vcek));
    let started = Instant::now();
    let decoys = decoy_vceks(pki, FLEET - 1);
    println!(
        "bundle_scale: {} decoy VCEKs made in {:.0?}",
        decoys.len(),
        started.elapsed()
    );
    let one = build(&items(pki, &[]));
    let fleet_items = items(pki, &decoys);
    let started = Instant::now();
    let fleet = build(&fleet_items);
    println!(
        "bundle_scale: bundle of {} certificates built in {:.0?}",
        fleet.certificates().len(),
        started.elapsed()
    );

    let verifier = Verifier::new(anchors(&[pki]));
    let options = SnpOptions::default();
    let now = time::from_secs(DEFAULT_NOW);
    let mut group = c.benchmark_group("bundle_scale/verify_warm");
    for (n, bundle) in [(1, &one), (FLEET, &fleet)] {
        // Warm: the chain's signatures are in the cache, as in a service.
        let serial = verifier
            .verify_snp(&bytes, bundle, &options, now)
            .expect("the report verifies")
            .claims()
            .vek
            .serial
            .clone();
        assert_eq!(serial, hex::encode(pki_serial(pki)));
        group.bench_with_input(BenchmarkId::from_parameter(n), bundle, |b, bundle| {
            b.iter(|| {
                verifier
                    .verify_snp(black_box(&bytes), bundle, &options, now)
                    .unwrap()
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("bundle_scale/build");
    group.sample_size(10);
    group.bench_function(BenchmarkId::from_parameter(FLEET), |b| {
        b.iter(|| build(black_box(&fleet_items)));
    });
    group.finish();

    c.final_summary();
}

/// The serial of the report's VCEK, as the verifier reports it.
fn pki_serial(pki: &AmdPki) -> Vec<u8> {
    verifier::pki::Certificate::from_der(pki.leaf(Signer::Vcek))
        .unwrap()
        .serial()
        .to_vec()
}

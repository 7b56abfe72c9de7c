//! Criterion benchmarks of appraisal and of the whole evidence → token pipeline, on
//! real evidence (read from `shared/vectors`).
//!
//! Benchmark ids (quoted by the README):
//!
//! - `appraise/<kind>`: [`policy::appraise`] of verified claims under the default policy
//!   for that kind (binding the claims to CEL, every rule and export), excluding
//!   verification. Goal: under 20 µs.
//! - `appraise/load_policy/<file>`: loading (parsing, compiling, type-checking) a
//!   default policy.
//! - `pipeline/<kind>`: verify (caches warm, as a service runs) → appraise → EAR → ES384
//!   JWT, the steady-state cost of one token.
//! - `pipeline/baseline_es384_sign`: one ES384 signature, what every token costs at least.
//!
//! Run: `cargo bench -p verdict-policy --bench appraise`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use policy::token::{self, Algorithm, Signer, SigningKey};
use policy::{appraise, to_ear, Input, IssueOptions};
use rand_chacha::rand_core::SeedableRng;
use verifier::{time, Evidence, Expectations, Tee, TrustAnchors, Verifier};

fn now_of(at: &str) -> time::UnixTime {
    time::parse_rfc3339(at).unwrap()
}

fn bench_appraise(c: &mut Criterion) {
    let mut group = c.benchmark_group("appraise");
    for (kind, file, sample) in [
        ("snp", "snp.yaml", common::snp()),
        ("tdx", "tdx.yaml", common::tdx()),
        ("nvidia", "nvidia-h100.yaml", common::gpu()),
    ] {
        let policy = common::load_policy(file);
        let input = Input::from_verified(
            std::slice::from_ref(&sample.verified),
            Some(vec![7; 32]),
            sample.now,
        )
        .unwrap();
        group.bench_function(kind, |b| {
            b.iter(|| appraise(black_box(&policy), black_box(&input)).unwrap())
        });
    }
    for file in ["snp.yaml", "composite.yaml"] {
        let text = std::fs::read_to_string(common::policies_dir().join(file)).unwrap();
        group.bench_function(format!("load_policy/{file}"), |b| {
            b.iter(|| policy::Policy::from_yaml(black_box(&text)).unwrap())
        });
    }
    group.finish();
}

fn bench_pipeline(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipeline");
    let key = SigningKey::generate(
        Algorithm::Es384,
        &mut rand_chacha::ChaCha20Rng::from_seed([1; 32]),
    )
    .unwrap();
    let issue = IssueOptions::new("https://verdict.bench", vec![1; 16]);
    let nonce = Some(vec![7; 32]);
    let verifier = Verifier::new(TrustAnchors::default());

    let snp = common::snp_input();
    let snp_evidence = Evidence::Snp(snp.report.clone());
    let now = now_of(snp.at);
    let policy = common::load_policy("snp.yaml");
    group.bench_function("snp", |b| {
        b.iter(|| {
            let v = verifier
                .verify(&snp_evidence, &snp.bundle, &Expectations::none(), now)
                .unwrap();
            let input = Input::from_verified(&[v], nonce.clone(), now).unwrap();
            let ear = to_ear(&appraise(&policy, &input).unwrap(), &issue).unwrap();
            token::sign_jwt(&ear, &key).unwrap()
        })
    });

    let tdx = common::tdx_input();
    let tdx_evidence = Evidence::from_bytes(&tdx.quote, Some(Tee::Tdx)).unwrap();
    let now = now_of(tdx.at);
    let policy = common::load_policy("tdx.yaml");
    group.bench_function("tdx", |b| {
        b.iter(|| {
            let v = verifier
                .verify(&tdx_evidence, &tdx.bundle, &Expectations::none(), now)
                .unwrap();
            let input = Input::from_verified(&[v], nonce.clone(), now).unwrap();
            let ear = to_ear(&appraise(&policy, &input).unwrap(), &issue).unwrap();
            token::sign_jwt(&ear, &key).unwrap()
        })
    });

    let gpu = common::gpu_input();
    let gpu_evidence = Evidence::Gpus(vec![gpu.evidence.clone()]);
    let now = now_of(gpu.at);
    let policy = common::load_policy("nvidia-h100.yaml");
    group.bench_function("nvidia", |b| {
        b.iter(|| {
            let v = verifier
                .verify(&gpu_evidence, &gpu.bundle, &Expectations::none(), now)
                .unwrap();
            let input = Input::from_verified(&[v], nonce.clone(), now).unwrap();
            let ear = to_ear(&appraise(&policy, &input).unwrap(), &issue).unwrap();
            token::sign_jwt(&ear, &key).unwrap()
        })
    });

    let message = vec![0u8; 1024];
    group.bench_function("baseline_es384_sign", |b| {
        b.iter(|| key.sign(black_box(&message)).unwrap())
    });
    group.finish();
}

fn main() {
    if !testvectors::real::snp_dir().exists() {
        eprintln!("real vectors not found (set VERDICT_REAL_VECTORS): nothing measured");
        return;
    }
    let mut c = Criterion::default()
        .sample_size(30)
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    bench_appraise(&mut c);
    bench_pipeline(&mut c);
    c.final_summary();
}

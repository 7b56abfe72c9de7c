//! Criterion benchmarks of the whole per-request path of a token service, on real
//! evidence (read from `shared/vectors`): evidence bytes as a client sends them →
//! [`Evidence::from_bytes`] → [`Verifier::verify`] → [`Input::from_verified`] →
//! [`appraise`] → [`to_ear`] → ES384 JWT, with the verifier's caches warm (the collateral
//! of the evidence has been seen before, as it has in a running service).
//!
//! Benchmark ids (quoted by the README's performance section):
//!
//! - `pipeline/<kind>/threads/<n>`: one token per operation, `n` threads (1 or 2) sharing
//!   one [`Verifier`], one compiled policy and one signing key. Criterion reports the
//!   wall time per token and, from the throughput setting, tokens per second: with 2
//!   threads, the time is the wall time of the batch divided by its tokens, so on a
//!   2-core machine perfect scaling halves it. Kinds:
//!   - `snp`: a real Milan v3 report (VLEK, AWS) as raw bytes, VLEK and ARK in the bundle,
//!     under `policies/snp.yaml`;
//!   - `tdx`: a real v5 TD 1.5 quote (Alibaba) as raw bytes, its PCS collateral in the
//!     bundle, under `policies/tdx.yaml`;
//!   - `nvidia`: the real H100 setA report and device chain in Trustee's GPU evidence JSON
//!     (`{"device_evidence_list": [{"arch", "evidence" (hex), "certificate" (base64 of
//!     PEM)}]}`), its RIMs and OCSP responses in the bundle, under
//!     `policies/nvidia-h100.yaml`.
//!
//!   The challenge given to the appraisal is one the evidence answers (the first 32
//!   bytes of REPORT_DATA; the GPU's requester nonce), so every token states a bound
//!   nonce, as a service's tokens do.
//! - `pipeline/baseline_es384_sign`: one ES384 signature, what every token costs at least.
//!
//! The peers (the `sev` crate and dcap-qvl verifying, Trustee's Rego policies in
//! `regorus`) are benchmarks of `verdict-verifier` (`snp`, `tdx`) and of this crate
//! (`appraise`); the README gives the one command that runs them in the same run.
//!
//! Run: `cargo bench -p verdict-policy --bench pipeline`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use criterion::{BenchmarkId, Criterion, Throughput};
use policy::token::{self, Algorithm, Signer, SigningKey};
use policy::{appraise, to_ear, Input, IssueOptions, Policy};
use rand_chacha::rand_core::SeedableRng;
use verifier::collateral::Bundle;
use verifier::{time, Evidence, Expectations, Tee, TrustAnchors, Verifier};

/// Everything one token needs that a service holds between requests, and the request.
struct Request {
    kind: &'static str,
    tee: Tee,
    evidence: Vec<u8>,
    bundle: Bundle,
    policy: Policy,
    challenge: Vec<u8>,
    now: time::UnixTime,
}

/// Shared by every thread of a service: the verifier (with its caches), the key, the
/// issuing options.
struct Service {
    verifier: Verifier,
    key: SigningKey,
    issue: IssueOptions,
}

impl Service {
    /// One request, start to end: the token.
    fn token(&self, r: &Request) -> String {
        let evidence = Evidence::from_bytes(black_box(&r.evidence), Some(r.tee)).unwrap();
        let verified = self
            .verifier
            .verify(&evidence, &r.bundle, &Expectations::none(), r.now)
            .unwrap();
        let input = Input::from_verified(&[verified], Some(r.challenge.clone()), r.now).unwrap();
        let ear = to_ear(&appraise(&r.policy, &input).unwrap(), &self.issue).unwrap();
        token::sign_jwt(&ear, &self.key).unwrap()
    }
}

fn now_of(at: &str) -> time::UnixTime {
    time::parse_rfc3339(at).unwrap()
}

/// The first 32 bytes of the REPORT_DATA of verified CPU claims, read from their JSON
/// (`snp.report_data` or `tdx.report_data`, hex): a challenge the evidence answers.
fn report_data_challenge(service: &Service, r: &Request, section: &str) -> Vec<u8> {
    let evidence = Evidence::from_bytes(&r.evidence, Some(r.tee)).unwrap();
    let verified = service
        .verifier
        .verify(&evidence, &r.bundle, &Expectations::none(), r.now)
        .unwrap();
    let claims = serde_json::to_value(verified.claims()).unwrap();
    let hex_rd = claims[section]["report_data"].as_str().unwrap();
    hex::decode(&hex_rd[..64]).unwrap()
}

fn requests(service: &Service) -> Vec<Request> {
    let snp = common::snp_input();
    let mut snp = Request {
        kind: "snp",
        tee: Tee::Snp,
        evidence: snp.report,
        bundle: snp.bundle,
        policy: common::load_policy("snp.yaml"),
        challenge: Vec::new(),
        now: now_of(snp.at),
    };
    snp.challenge = report_data_challenge(service, &snp, "snp");

    let tdx = common::tdx_input();
    let mut tdx = Request {
        kind: "tdx",
        tee: Tee::Tdx,
        evidence: tdx.quote,
        bundle: tdx.bundle,
        policy: common::load_policy("tdx.yaml"),
        challenge: Vec::new(),
        now: now_of(tdx.at),
    };
    tdx.challenge = report_data_challenge(service, &tdx, "tdx");

    let gpu = common::gpu_input();
    let trustee_json = serde_json::json!({
        "device_evidence_list": [{
            "arch": "HOPPER",
            "evidence": hex::encode(&gpu.evidence.report),
            "certificate": STANDARD.encode(&gpu.evidence.certificate_chain),
        }]
    });
    let nvidia = Request {
        kind: "nvidia",
        tee: Tee::Nvidia,
        evidence: serde_json::to_vec(&trustee_json).unwrap(),
        bundle: gpu.bundle,
        policy: common::load_policy("nvidia-h100.yaml"),
        challenge: hex::decode(gpu.nonce).unwrap(),
        now: now_of(gpu.at),
    };
    vec![snp, tdx, nvidia]
}

/// Wall time of `iters` tokens made by `threads` threads sharing `service`.
fn run_batch(service: &Service, r: &Request, threads: u64, iters: u64) -> Duration {
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            // The first `iters % threads` threads take one more.
            let share = iters / threads + u64::from(t < iters % threads);
            s.spawn(move || {
                for _ in 0..share {
                    black_box(service.token(r));
                }
            });
        }
    });
    start.elapsed()
}

fn bench_pipeline(c: &mut Criterion) {
    let service = Service {
        verifier: Verifier::new(TrustAnchors::default()),
        key: SigningKey::generate(
            Algorithm::Es384,
            &mut rand_chacha::ChaCha20Rng::from_seed([1; 32]),
        )
        .unwrap(),
        issue: IssueOptions::new("https://verdict.bench", vec![1; 16]),
    };
    let requests = requests(&service);

    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Elements(1));
    for r in &requests {
        // A token from the warm service, checked once: the bench times success only.
        let token = service.token(r);
        assert!(token.split('.').count() == 3, "{}: not a JWT", r.kind);
        for threads in [1u64, 2] {
            group.bench_function(
                BenchmarkId::new(format!("{}/threads", r.kind), threads),
                |b| b.iter_custom(|iters| run_batch(&service, r, threads, iters)),
            );
        }
    }
    let message = vec![0u8; 1024];
    group.bench_function("baseline_es384_sign", |b| {
        b.iter(|| service.key.sign(black_box(&message)).unwrap())
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
    bench_pipeline(&mut c);
    c.final_summary();
}

//! Criterion benchmarks of verification at scale: one [`Verifier`] shared by several
//! threads, and its caches under a stream of distinct chains larger than they are.
//!
//! Benchmark ids (quoted by the README, "Scale"):
//!
//! - `scale/throughput/<tee>/<threads>`: warm `verify_snp` (the real Milan report) or
//!   `verify_tdx` (the real v4 quote) on one long-lived [`Verifier`] shared by 1 or 2
//!   threads, each thread running the same fixed number of verifications; criterion
//!   reports operations per second (`thrpt`), so 2 threads over 1 thread is the scaling
//!   factor. Every cache lookup of a warm verification is a hit, so this measures how
//!   the caches behave when read from every core at once.
//! - `scale/churn/tdx`: not a criterion group (criterion keeps means, not tails). Fake
//!   TDX quotes from a fleet of [`FLEET`] platforms, each with its own PCK certificate
//!   (so its own chain-cache entry and PCK-signature entry): more distinct chains than
//!   either cache holds. Calls alternate between a platform of a small hot set (recently
//!   seen, so a cache should still hold it) and the next platform of the fleet (always a
//!   miss). Every call is timed; the p50, p99, p99.9 and maximum of each kind are printed.
//!   A cache that starts over when full shows as hot calls that pay a full chain
//!   verification after each clear, and as a spike on the call that re-verifies the
//!   shared collateral (root, CAs, CRLs, TCB Info, QE Identity).
//!
//! Run: `cargo bench -p verdict-verifier --bench scale` (the default aws-lc-rs provider).
//! Real vectors come from `testvectors::real` (`$VERDICT_REAL_VECTORS`, else
//! `shared/vectors` beside the repository).

// A bench is a test harness: a missing or failing vector must stop the run loudly, and
// criterion needs no docs on the helpers below.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use testvectors::build::tdx::{Collateral, QuoteSpec};
use testvectors::pki::intel::IntelPki;
use testvectors::pki::time::DEFAULT_NOW;
use testvectors::real::{snp_dir, tdx_dir};
use verifier::collateral::Bundle;
use verifier::snp::SnpOptions;
use verifier::tdx::TdxOptions;
use verifier::time;
use verifier::{TrustAnchors, Verifier};

/// Platforms in the churn stream: above both the parsed-chain cache (1024 chains) and
/// the signature cache (8192 signatures; each platform adds one, its PCK certificate).
const FLEET: usize = 12_288;
/// Platforms verified again and again while the fleet streams past.
const HOT: usize = 64;

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One warm verification, as a closure the threads share.
struct Workload {
    name: &'static str,
    run: Box<dyn Fn(&Verifier) + Sync>,
}

fn snp_workload() -> Workload {
    let dir = snp_dir();
    let report = read(&dir.join("milan-v3-oak-oc-release/report.bin"));
    let mut bundle = Bundle::new();
    bundle
        .add_bytes(&read(&dir.join("roots/milan_ask_ark.pem")))
        .expect("chain collateral");
    bundle
        .add_bytes(&read(&dir.join("milan-v3-oak-oc-release/vcek.der")))
        .expect("VEK collateral");
    // VEK notBefore + 1 day, as benches/snp.rs.
    let now = time::parse_rfc3339("2025-01-16T21:21:54Z").expect("RFC 3339 time");
    let options = SnpOptions::default();
    Workload {
        name: "snp",
        run: Box::new(move |v| {
            v.verify_snp(black_box(&report), &bundle, &options, now)
                .expect("SNP verifies");
        }),
    }
}

fn tdx_workload() -> Workload {
    let dir = tdx_dir().join("cases/tdx-v4-phala-b0c06f-uptodate");
    let mut bundle = Bundle::new();
    for f in [
        "tcb_info.json",
        "tcb_info_issuer_chain.pem",
        "qe_identity.json",
        "qe_identity_issuer_chain.pem",
        "pck_crl.der",
        "pck_crl_issuer_chain.pem",
        "root_ca_crl.der",
    ] {
        bundle
            .add_bytes(&read(&dir.join("collateral").join(f)))
            .unwrap_or_else(|e| panic!("{f}: {e}"));
    }
    // The midpoint of the collateral's validity window, as benches/tdx.rs.
    let expected: serde_json::Value =
        serde_json::from_slice(&read(&dir.join("expected.json"))).expect("expected.json");
    let at = |field: &str| {
        time::parse_rfc3339(expected[field].as_str().expect("validity bound"))
            .expect("RFC 3339 time")
            .as_secs()
    };
    let now = time::from_secs(at("valid_from") + (at("valid_until") - at("valid_from")) / 2);
    let quote = read(&dir.join("quote.bin"));
    let options = TdxOptions::default();
    Workload {
        name: "tdx",
        run: Box::new(move |v| {
            v.verify_tdx(black_box(&quote), &bundle, &options, now)
                .expect("TDX verifies");
        }),
    }
}

/// `threads` threads sharing `verifier`, each running `iters` verifications; the time
/// from the first start to the last finish.
fn run_threads(verifier: &Verifier, w: &Workload, threads: usize, iters: u64) -> Duration {
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..iters {
                    (w.run)(verifier);
                }
            });
        }
    });
    start.elapsed()
}

fn bench_throughput(c: &mut Criterion) {
    for w in [snp_workload(), tdx_workload()] {
        let verifier = Verifier::new(TrustAnchors::default());
        (w.run)(&verifier); // warm every cache
        let mut g = c.benchmark_group(format!("scale/throughput/{}", w.name));
        for threads in [1usize, 2] {
            // One criterion "element" per verification: `thrpt` is operations per second
            // over all threads.
            g.throughput(Throughput::Elements(threads as u64));
            g.bench_function(BenchmarkId::from_parameter(threads), |b| {
                b.iter_custom(|iters| run_threads(&verifier, &w, threads, iters))
            });
        }
        g.finish();
    }
}

/// The fake TDX fleet: one PKI per platform (same keys, so the same root, CAs and
/// collateral; a distinct PPID, so a distinct PCK certificate) and its quote.
fn fleet(pki: &IntelPki, n: usize) -> Vec<Vec<u8>> {
    let spec = QuoteSpec::tdx_v4_default();
    (0..n)
        .map(|i| {
            let platform = IntelPki::builder()
                .keys(pki.keys())
                .modify_pck(|p| p.ppid[..8].copy_from_slice(&(i as u64).to_be_bytes()))
                .build();
            assert_eq!(platform.root, pki.root, "shared root");
            spec.build(&platform)
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank]
}

fn summary(kind: &str, mut samples: Vec<Duration>) {
    samples.sort_unstable();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let (p50, p99) = (percentile(&samples, 0.50), percentile(&samples, 0.99));
    println!(
        "scale/churn/tdx/{kind:<5} calls {:>6}  p50 {:>7.1} µs  p99 {:>7.1} µs  \
         p99.9 {:>7.1} µs  max {:>8.1} µs  p99/p50 {:.2}",
        samples.len(),
        us(p50),
        us(p99),
        us(percentile(&samples, 0.999)),
        us(*samples.last().expect("samples")),
        us(p99) / us(p50),
    );
}

fn bench_churn() {
    let pki = IntelPki::cached();
    let started = Instant::now();
    let quotes = fleet(pki, HOT + FLEET);
    let (hot, cold) = quotes.split_at(HOT);
    eprintln!(
        "scale/churn/tdx: {} fake platforms built in {:.1} s",
        quotes.len(),
        started.elapsed().as_secs_f64()
    );
    let mut bundle = Bundle::new();
    for (name, bytes) in Collateral::tdx_default(pki).files() {
        bundle
            .add_bytes(&bytes)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let anchors = TrustAnchors {
        intel_root: vec![pki.root_spki_sha256()],
        ..TrustAnchors::empty()
    };
    let verifier = Verifier::new(anchors);
    let (options, now) = (TdxOptions::default(), time::from_secs(DEFAULT_NOW));
    let timed = |quote: &[u8]| {
        let start = Instant::now();
        verifier
            .verify_tdx(black_box(quote), &bundle, &options, now)
            .expect("fake TDX verifies");
        start.elapsed()
    };
    for q in hot {
        timed(q); // the hot set is seen once before the stream starts
    }
    let (mut hot_t, mut cold_t) = (Vec::with_capacity(FLEET), Vec::with_capacity(FLEET));
    for (i, q) in cold.iter().enumerate() {
        hot_t.push(timed(&hot[i % HOT]));
        cold_t.push(timed(q));
    }
    let all: Vec<Duration> = hot_t.iter().chain(&cold_t).copied().collect();
    summary("hot", hot_t);
    summary("new", cold_t);
    summary("all", all);
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    bench_throughput(&mut c);
    c.final_summary();
    // Criterion's own filter names the groups; the churn report runs unless the filter
    // leaves it out (`cargo bench --bench scale -- throughput` skips it).
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    if filter.is_none_or(|f| "scale/churn/tdx".contains(&f)) {
        bench_churn();
    }
}

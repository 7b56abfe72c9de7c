//! Criterion benchmarks of SEV-SNP verification on real AMD reports, against the cost no
//! verifier can avoid (the signatures themselves) and against the `sev` crate.
//!
//! Benchmark ids (quoted by the README):
//!
//! - `snp/parse/<vector>`: [`AttestationReport::parse`] alone.
//! - `snp/verify_cached/<provider>/<vector>`: `verify_snp` with a warm signature cache and
//!   a pre-parsed bundle, the steady state of a service.
//! - `snp/verify_cold/<provider>/<vector>`: `verify_snp` with [`Verifier::without_caches`]
//!   (every chain signature re-verified), bundle pre-parsed.
//! - `snp/verify_cold_with_parse/<provider>/<vector>`: as `verify_cold`, but the bundle
//!   is built from the raw file bytes (PEM/DER) in every iteration.
//! - `snp/baseline/p384_verify/<provider>`: one ECDSA P-384 verification of a report
//!   signature, the floor for `verify_cached`.
//! - `snp/baseline/chain_signatures/<provider>`: ARK self-signature, ARK→ASK and ASK→VCEK
//!   (RSASSA-PSS, RSA-4096) plus the report's ECDSA P-384, back to back: the floor for
//!   `verify_cold`. Both baselines use the first vector (the costs do not depend on it:
//!   every AMD ARK/ASK is RSA-4096 and every report signs the same 672 bytes).
//! - `snp/sev_crate/<vector>`: the `sev` crate (v8, `crypto_nossl`) verifying the report
//!   signature with the VCEK and the report already parsed.
//! - `snp/sev_crate_parse_and_verify/<vector>`: the same, parsing the report in the loop.
//! - `snp/sev_crate_chain/<vector>`: the `sev` crate checking ARK → ASK → VCEK → report
//!   (signatures only: no validity, TCB or chip-id checks), certificates pre-parsed.
//!
//! Vectors are read at start from `$VERDICT_REAL_VECTORS/snp`, else
//! `<CARGO_MANIFEST_DIR>/../../shared/vectors/snp`; without them the bench prints a note
//! and measures nothing.
//!
//! Run: `cargo bench -p verdict-verifier --bench snp --all-features` (both providers).

// A bench is a test harness: a missing or failing vector must stop the run loudly, and
// criterion needs no docs on the helpers below.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use sev::certs::snp::{ca, Certificate as SevCertificate, Chain as SevChain, Verifiable};
use sev::firmware::guest::AttestationReport as SevReport;
use sev::parser::ByteParser;
use verifier::collateral::Bundle;
use verifier::crypto::{all_providers, CryptoProvider, Curve, EcdsaSig, HashAlg};
use verifier::pki::{Certificate, PublicKey};
use verifier::snp::{signed_range, AttestationReport, SnpOptions};
use verifier::time::{self, UnixTime};
use verifier::{TrustAnchors, Verifier};

/// (vector folder, VEK file, KDS chain file, verification time: VEK notBefore + 1 day).
const VECTORS: &[(&str, &str, &str, &str)] = &[
    (
        "milan-v3-oak-oc-release",
        "vcek.der",
        "roots/milan_ask_ark.pem",
        "2025-01-16T21:21:54Z",
    ),
    (
        "genoa-v5-oak-oc",
        "vcek.der",
        "roots/genoa_ask_ark.pem",
        "2025-08-08T17:21:41Z",
    ),
    (
        "turin-v5-oak-oc",
        "vcek.der",
        "roots/turin_ask_ark.pem",
        "2025-07-18T17:04:46Z",
    ),
];

/// One real report with its collateral, as file bytes and pre-parsed.
struct Vector {
    name: &'static str,
    report: Vec<u8>,
    vek_file: Vec<u8>,
    chain_file: Vec<u8>,
    now: UnixTime,
    bundle: Bundle,
    ark: Certificate,
    ask: Certificate,
    vcek: Certificate,
}

fn snp_dir() -> PathBuf {
    std::env::var_os("VERDICT_REAL_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"))
        .join("snp")
}

fn load_vectors() -> Option<Vec<Vector>> {
    let dir = snp_dir();
    if !dir.is_dir() {
        eprintln!(
            "snp bench: real vectors not found at {} (set VERDICT_REAL_VECTORS); nothing measured",
            dir.display()
        );
        return None;
    }
    let read = |rel: &str| {
        let path = dir.join(rel);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let vectors = VECTORS
        .iter()
        .map(|&(name, vek, chain, at)| {
            let report = read(&format!("{name}/report.bin"));
            let vek_file = read(&format!("{name}/{vek}"));
            let chain_file = read(chain);
            let now = time::parse_rfc3339(at).expect("RFC 3339 time");
            let bundle = bundle_from(&chain_file, &vek_file);
            let by_cn = |pred: fn(&str) -> bool| {
                bundle
                    .certificates()
                    .iter()
                    .find(|c| c.subject().common_name().is_some_and(pred))
                    .unwrap_or_else(|| panic!("{name}: certificate missing"))
                    .clone()
            };
            let ark = by_cn(|cn| cn.starts_with("ARK-"));
            let ask = by_cn(|cn| cn.starts_with("SEV-") && cn != "SEV-VCEK");
            let vcek = by_cn(|cn| cn == "SEV-VCEK");
            Vector {
                name,
                report,
                vek_file,
                chain_file,
                now,
                bundle,
                ark,
                ask,
                vcek,
            }
        })
        .collect();
    Some(vectors)
}

fn bundle_from(chain_file: &[u8], vek_file: &[u8]) -> Bundle {
    let mut bundle = Bundle::new();
    bundle.add_bytes(chain_file).expect("chain collateral");
    bundle.add_bytes(vek_file).expect("VEK collateral");
    bundle
}

fn rsa_key(cert: &Certificate) -> &[u8] {
    match cert.public_key() {
        PublicKey::Rsa { pkcs1 } => pkcs1,
        other => panic!("expected an RSA key, got {other:?}"),
    }
}

fn p384_point(cert: &Certificate) -> &[u8] {
    match cert.public_key() {
        PublicKey::Ec {
            curve: Curve::P384,
            point,
        } => point,
        other => panic!("expected an EC P-384 key, got {other:?}"),
    }
}

/// The report signature as fixed big-endian `r ‖ s`, and the signed bytes.
fn report_signature(v: &Vector) -> ([u8; 96], &[u8]) {
    let parsed = AttestationReport::parse(&v.report).expect("report parses");
    let fixed = parsed.signature.to_p384_fixed().expect("P-384 signature");
    (fixed, signed_range(&v.report).expect("signed range"))
}

fn p384_verify(p: &dyn CryptoProvider, point: &[u8], signed: &[u8], fixed: &[u8; 96]) -> bool {
    p.verify_ecdsa(
        Curve::P384,
        HashAlg::Sha384,
        point,
        signed,
        EcdsaSig::Fixed(fixed),
    )
    .is_ok()
}

/// Every signature check a cold verification cannot avoid, back to back.
fn chain_signatures(p: &dyn CryptoProvider, v: &Vector, signed: &[u8], fixed: &[u8; 96]) -> bool {
    let ark_key = rsa_key(&v.ark);
    let ask_key = rsa_key(&v.ask);
    let ark_self = p
        .verify_rsa_pss(HashAlg::Sha384, ark_key, v.ark.tbs(), v.ark.signature())
        .is_ok();
    let ask = p
        .verify_rsa_pss(HashAlg::Sha384, ark_key, v.ask.tbs(), v.ask.signature())
        .is_ok();
    let vcek = p
        .verify_rsa_pss(HashAlg::Sha384, ask_key, v.vcek.tbs(), v.vcek.signature())
        .is_ok();
    let report = p384_verify(p, p384_point(&v.vcek), signed, fixed);
    ark_self & ask & vcek & report
}

fn bench_parse(c: &mut Criterion, vectors: &[Vector]) {
    let mut g = c.benchmark_group("snp/parse");
    for v in vectors {
        AttestationReport::parse(&v.report).expect("report parses");
        g.bench_function(BenchmarkId::from_parameter(v.name), |b| {
            b.iter(|| AttestationReport::parse(black_box(&v.report)))
        });
    }
    g.finish();
}

fn bench_verify(c: &mut Criterion, vectors: &[Vector], providers: &[&'static dyn CryptoProvider]) {
    let options = SnpOptions::default();
    let anchors = TrustAnchors::default;

    let mut g = c.benchmark_group("snp/verify_cached");
    for &p in providers {
        for v in vectors {
            let verifier = Verifier::with_provider(anchors(), p);
            // Warm the cache: ARK self-signature, ASK and VCEK signatures.
            verifier
                .verify_snp(&v.report, &v.bundle, &options, v.now)
                .unwrap_or_else(|e| panic!("{} / {}: {e}", p.name(), v.name));
            assert_eq!(verifier.cache().len(), 3, "{}: cache not warm", v.name);
            g.bench_function(BenchmarkId::new(p.name(), v.name), |b| {
                b.iter(|| {
                    verifier
                        .verify_snp(black_box(&v.report), &v.bundle, &options, v.now)
                        .unwrap()
                })
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("snp/verify_cold");
    for &p in providers {
        for v in vectors {
            let verifier = Verifier::with_provider(anchors(), p).without_caches();
            verifier
                .verify_snp(&v.report, &v.bundle, &options, v.now)
                .unwrap_or_else(|e| panic!("{} / {}: {e}", p.name(), v.name));
            g.bench_function(BenchmarkId::new(p.name(), v.name), |b| {
                b.iter(|| {
                    verifier
                        .verify_snp(black_box(&v.report), &v.bundle, &options, v.now)
                        .unwrap()
                })
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("snp/verify_cold_with_parse");
    for &p in providers {
        for v in vectors {
            let verifier = Verifier::with_provider(anchors(), p).without_caches();
            g.bench_function(BenchmarkId::new(p.name(), v.name), |b| {
                b.iter(|| {
                    let bundle = bundle_from(black_box(&v.chain_file), black_box(&v.vek_file));
                    verifier
                        .verify_snp(black_box(&v.report), &bundle, &options, v.now)
                        .unwrap()
                })
            });
        }
    }
    g.finish();
}

fn bench_baselines(c: &mut Criterion, v: &Vector, providers: &[&'static dyn CryptoProvider]) {
    let (fixed, signed) = report_signature(v);
    let point = p384_point(&v.vcek);
    let mut g = c.benchmark_group("snp/baseline");
    for &p in providers {
        assert!(
            p384_verify(p, point, signed, &fixed),
            "{}: report signature",
            p.name()
        );
        assert!(
            chain_signatures(p, v, signed, &fixed),
            "{}: chain signatures",
            p.name()
        );
        g.bench_function(BenchmarkId::new("p384_verify", p.name()), |b| {
            b.iter(|| assert!(p384_verify(p, point, black_box(signed), &fixed)))
        });
        g.bench_function(BenchmarkId::new("chain_signatures", p.name()), |b| {
            b.iter(|| assert!(chain_signatures(p, v, black_box(signed), &fixed)))
        });
    }
    g.finish();
}

fn sev_cert(cert: &Certificate) -> SevCertificate {
    SevCertificate::from_der(cert.der()).expect("sev parses the certificate")
}

fn bench_sev_crate(c: &mut Criterion, vectors: &[Vector]) {
    // Vectors the sev crate verifies; any other is reported and skipped.
    let prepared: Vec<_> = vectors
        .iter()
        .filter_map(|v| {
            let report = match SevReport::from_bytes(&v.report) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("snp bench: sev does not parse {}: {e}; skipped", v.name);
                    return None;
                }
            };
            let chain = SevChain {
                ca: ca::Chain {
                    ark: sev_cert(&v.ark),
                    ask: sev_cert(&v.ask),
                },
                vek: sev_cert(&v.vcek),
            };
            if let Err(e) = (&chain.vek, &report).verify() {
                eprintln!("snp bench: sev does not verify {}: {e}; skipped", v.name);
                return None;
            }
            if let Err(e) = (&chain, &report).verify() {
                eprintln!(
                    "snp bench: sev does not verify the chain of {}: {e}",
                    v.name
                );
            }
            Some((v, report, chain))
        })
        .collect();

    let mut g = c.benchmark_group("snp/sev_crate");
    for (v, report, chain) in &prepared {
        g.bench_function(BenchmarkId::from_parameter(v.name), |b| {
            b.iter(|| (&chain.vek, black_box(report)).verify().unwrap())
        });
    }
    g.finish();

    let mut g = c.benchmark_group("snp/sev_crate_parse_and_verify");
    for (v, _, chain) in &prepared {
        g.bench_function(BenchmarkId::from_parameter(v.name), |b| {
            b.iter(|| {
                let report = SevReport::from_bytes(black_box(&v.report)).unwrap();
                (&chain.vek, &report).verify().unwrap()
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("snp/sev_crate_chain");
    for (v, report, chain) in &prepared {
        if (chain, report).verify().is_err() {
            continue;
        }
        g.bench_function(BenchmarkId::from_parameter(v.name), |b| {
            b.iter(|| (chain, black_box(report)).verify().unwrap())
        });
    }
    g.finish();
}

fn main() {
    let Some(vectors) = load_vectors() else {
        return;
    };
    let providers = all_providers();
    let mut c = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    bench_parse(&mut c, &vectors);
    bench_verify(&mut c, &vectors, &providers);
    if let Some(first) = vectors.first() {
        bench_baselines(&mut c, first, &providers);
    }
    bench_sev_crate(&mut c, &vectors);

    c.final_summary();
}

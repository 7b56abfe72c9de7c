//! Criterion benchmarks of Intel TDX quote verification on real quotes and Intel-signed
//! collateral, against the cost no verifier can avoid (the quote's own ECDSA P-256
//! signature) and against dcap-qvl.
//!
//! Benchmark ids (quoted by `benches/README.md`):
//!
//! - `tdx/parse/<case>`: [`Quote::parse`] alone.
//! - `tdx/verify_warm/<provider>/<case>`: `verify_tdx` on one long-lived [`Verifier`]
//!   (signature cache and parsed-chain cache warm) with a [`Bundle`] parsed once: the
//!   steady state of a service. Every chain, CRL, TCB Info, QE Identity and QE report
//!   signature is a cache hit, so the quote signature is the only ECDSA verification left.
//! - `tdx/verify_cold/<provider>/<case>`: `verify_tdx` with both caches disabled and the
//!   collateral files parsed into a [`Bundle`] inside the loop: everything from bytes,
//!   every signature verified (PCK CA, PCK, two CRLs, QE report, quote, TCB Signing, TCB
//!   Info, QE Identity; the root's too unless its bytes are Intel's known root).
//! - `tdx/verify_cold_bundle_preparsed/<provider>/<case>`: as `verify_cold` but with the
//!   bundle parsed once outside the loop, to split `verify_cold` into collateral parsing
//!   and verification proper.
//! - `tdx/bundle_parse/<case>`: [`Bundle::add_bytes`] over the case's collateral files
//!   (two PCS JSON bodies, three PEM chains, two DER CRLs).
//! - `tdx/p256_verify/<provider>/<case>`: one ECDSA P-256 verification of the quote
//!   signature by the quote's attestation key over its header and body: the floor for
//!   `verify_warm`.
//! - `tdx/cold_signature_floor/<provider>/<case>`: the distinct ECDSA P-256
//!   verifications a cold verification must do, and nothing else: PCK CA and TCB Signing
//!   certificates and the Root CA CRL by the root key, the PCK certificate and PCK CRL by
//!   the PCK CA key, the QE report by the PCK key, the quote by the attestation key, TCB
//!   Info and QE Identity by the TCB Signing key (9; the known Intel root's self-signature
//!   is not among them). Keys, messages and signatures are extracted outside the loop, so
//!   this is the floor of `verify_cold`.
//! - `tdx/dcap_qvl/verify/<case>`: dcap-qvl 0.7.1 (`ring` backend, its embedded Intel
//!   production root, `allow_service_td(true)`) verifying the same quote against the same collateral at the same
//!   time. dcap-qvl caches nothing, so this compares with `verify_cold`; the
//!   `QuoteCollateralV3` is built once outside the loop from the same raw files.
//! - `tdx/warm_parts/<provider>/<case>`: the pieces of a warm verification measured on
//!   their own (SHA-256 of every signature-cache and chain-cache key, the PCK SGX
//!   extension decode, the TCB evaluation), so that `verify_warm - p256_verify` can be
//!   attributed. The key lengths mirror `pki::algorithm::cache_key`.
//!
//! Vectors are read at start from `testvectors::real::tdx_dir()` (`$VERDICT_REAL_VECTORS`,
//! else `shared/vectors` beside the repository); every case is verified once before it
//! is timed and must reach its expected status, so a bench never times a failure path.
//! Each case is verified at the midpoint of the `valid_from`/`valid_until` window of its
//! `expected.json`, as `tests/tdx_real.rs` does.
//!
//! Run: `cargo bench -p verdict-verifier --bench tdx` (aws-lc-rs), add `--all-features`
//! for both providers, or `--no-default-features --features rustcrypto` for the pure-Rust
//! backend alone.

// A bench is a test harness: a missing or failing vector must stop the run loudly, and
// criterion needs no docs on the helpers below.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use dcap_qvl::QuoteCollateralV3;
use serde_json::value::RawValue;
use testvectors::real::tdx_dir;
use verifier::collateral::Bundle;
use verifier::crypto::{all_providers, CryptoProvider, Curve, EcdsaSig, HashAlg};
use verifier::tdx::{
    evaluate, PckExtension, PlatformTcb, Quote, QuoteClaims, SignedQeIdentity, SignedTcbInfo,
    TdxOptions,
};
use verifier::time::{self, UnixTime};
use verifier::{TrustAnchors, Verifier};

/// The cases timed: a v4 TD 1.0 quote (dcap-qvl's own test pair) and a v5 TD 1.5 quote
/// (two TCB evaluations, launch and current). Both are UpToDate, so the whole happy
/// path runs. Add any other `cases/<name>` with an UpToDate status here.
const CASES: &[&str] = &[
    "tdx-v4-phala-b0c06f-uptodate",
    "tdx-v5-td15-automata-alibaba-90c06f-uptodate",
];

/// The raw PCS collateral files every case carries (tdx/README.md, "Layout").
const COLLATERAL_FILES: &[&str] = &[
    "tcb_info.json",
    "tcb_info_issuer_chain.pem",
    "qe_identity.json",
    "qe_identity_issuer_chain.pem",
    "pck_crl.der",
    "pck_crl_issuer_chain.pem",
    "root_ca_crl.der",
];

/// One real quote with its collateral, as file bytes and pre-parsed.
struct Case {
    name: &'static str,
    quote: Vec<u8>,
    /// `COLLATERAL_FILES`, in that order.
    files: Vec<Vec<u8>>,
    bundle: Bundle,
    now: UnixTime,
    dcap: QuoteCollateralV3,
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The midpoint of the case's collateral validity window (tdx/README.md: "verification
/// time must be pinned inside [valid_from, valid_until]").
fn midpoint(dir: &Path) -> u64 {
    let expected: serde_json::Value =
        serde_json::from_slice(&read(&dir.join("expected.json"))).expect("expected.json");
    let at = |field: &str| {
        let text = expected[field].as_str().expect("validity bound");
        time::parse_rfc3339(text)
            .unwrap_or_else(|| panic!("{field}: {text:?}"))
            .as_secs()
    };
    let (from, until) = (at("valid_from"), at("valid_until"));
    from + (until - from) / 2
}

fn bundle_from(files: &[Vec<u8>]) -> Bundle {
    let mut bundle = Bundle::new();
    for f in files {
        bundle.add_bytes(f).expect("collateral file");
    }
    bundle
}

/// The signed inner object (exact bytes) and the signature of a PCS JSON body.
fn pcs_envelope(body: &[u8], key: &str) -> (String, Vec<u8>) {
    let map: std::collections::BTreeMap<&str, &RawValue> =
        serde_json::from_slice(body).expect("PCS JSON body");
    let signature: String = serde_json::from_str(map["signature"].get()).expect("signature");
    (
        map[key].get().to_owned(),
        hex::decode(signature).expect("hex signature"),
    )
}

/// dcap-qvl's collateral from the same raw files Verdict reads (its fields are public:
/// PEM chains, DER CRLs, the signed JSON text and raw `r ‖ s` signatures). For cases that
/// also ship `dcap_qvl_collateral.json` the result is the same collateral.
fn dcap_collateral(dir: &Path) -> QuoteCollateralV3 {
    let file = |name: &str| read(&dir.join("collateral").join(name));
    let text = |name: &str| String::from_utf8(file(name)).expect("PEM is text");
    let (tcb_info, tcb_info_signature) = pcs_envelope(&file("tcb_info.json"), "tcbInfo");
    let (qe_identity, qe_identity_signature) =
        pcs_envelope(&file("qe_identity.json"), "enclaveIdentity");
    QuoteCollateralV3 {
        pck_crl_issuer_chain: text("pck_crl_issuer_chain.pem"),
        root_ca_crl: file("root_ca_crl.der"),
        pck_crl: file("pck_crl.der"),
        tcb_info_issuer_chain: text("tcb_info_issuer_chain.pem"),
        tcb_info,
        tcb_info_signature,
        qe_identity_issuer_chain: text("qe_identity_issuer_chain.pem"),
        qe_identity,
        qe_identity_signature,
        // The quotes carry their PCK chain (certification data type 5).
        pck_certificate_chain: None,
    }
}

fn load_cases() -> Vec<Case> {
    let cases = tdx_dir().join("cases");
    CASES
        .iter()
        .map(|&name| {
            let dir = cases.join(name);
            let files: Vec<Vec<u8>> = COLLATERAL_FILES
                .iter()
                .map(|f| read(&dir.join("collateral").join(f)))
                .collect();
            Case {
                name,
                quote: read(&dir.join("quote.bin")),
                bundle: bundle_from(&files),
                files,
                now: time::from_secs(midpoint(&dir)),
                dcap: dcap_collateral(&dir),
            }
        })
        .collect()
}

fn verify(verifier: &Verifier, c: &Case, bundle: &Bundle) -> QuoteClaims {
    let verified = verifier
        .verify_tdx(&c.quote, bundle, &TdxOptions::default(), c.now)
        .unwrap_or_else(|e| panic!("{} / {}: {e}", verifier.provider().name(), c.name));
    verified.claims().clone()
}

fn cold_verifier(p: &'static dyn CryptoProvider) -> Verifier {
    Verifier::with_provider(TrustAnchors::default(), p).without_caches()
}

/// The quote signature check on its own: attestation key (uncompressed SEC1), signed
/// bytes (header ‖ body) and the fixed `r ‖ s` signature, all from the quote.
struct QuoteSignature {
    point: [u8; 65],
    signed: Vec<u8>,
    signature: [u8; 64],
}

impl QuoteSignature {
    fn of(c: &Case) -> Self {
        let q = Quote::parse(&c.quote).expect("quote parses");
        let mut point = [0x04; 65];
        point[1..].copy_from_slice(&q.signature.attestation_key);
        Self {
            point,
            signed: q.signed.to_vec(),
            signature: q.signature.quote_signature,
        }
    }

    fn verify(&self, p: &dyn CryptoProvider) -> bool {
        p.verify_ecdsa(
            Curve::P256,
            HashAlg::Sha256,
            &self.point,
            black_box(&self.signed),
            EcdsaSig::Fixed(&self.signature),
        )
        .is_ok()
    }
}

fn bench_parse(c: &mut Criterion, cases: &[Case]) {
    let mut g = c.benchmark_group("tdx/parse");
    for case in cases {
        Quote::parse(&case.quote).expect("quote parses");
        g.bench_function(BenchmarkId::from_parameter(case.name), |b| {
            b.iter(|| Quote::parse(black_box(&case.quote)).unwrap())
        });
    }
    g.finish();

    let mut g = c.benchmark_group("tdx/bundle_parse");
    for case in cases {
        g.bench_function(BenchmarkId::from_parameter(case.name), |b| {
            b.iter(|| bundle_from(black_box(&case.files)))
        });
    }
    g.finish();
}

fn bench_verify(c: &mut Criterion, cases: &[Case], providers: &[&'static dyn CryptoProvider]) {
    let mut g = c.benchmark_group("tdx/verify_warm");
    for &p in providers {
        for case in cases {
            let verifier = Verifier::with_provider(TrustAnchors::default(), p);
            let expected = verify(&verifier, case, &case.bundle);
            // PCK CA, PCK, root CRL, PCK CRL, QE report, TCB Signing, TCB Info and
            // QE Identity: every signature but the quote's own (the known Intel root's
            // self-signature is not checked: `PathChecker::check_known_root`).
            assert_eq!(verifier.cache().len(), 8, "{}: cache not warm", case.name);
            assert_eq!(verify(&verifier, case, &case.bundle), expected);
            g.bench_function(BenchmarkId::new(p.name(), case.name), |b| {
                b.iter(|| {
                    verifier
                        .verify_tdx(
                            black_box(&case.quote),
                            &case.bundle,
                            &TdxOptions::default(),
                            case.now,
                        )
                        .unwrap()
                })
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("tdx/verify_cold");
    for &p in providers {
        for case in cases {
            let verifier = cold_verifier(p);
            verify(&verifier, case, &bundle_from(&case.files));
            assert!(verifier.cache().is_empty());
            g.bench_function(BenchmarkId::new(p.name(), case.name), |b| {
                b.iter(|| {
                    let bundle = bundle_from(black_box(&case.files));
                    verifier
                        .verify_tdx(
                            black_box(&case.quote),
                            &bundle,
                            &TdxOptions::default(),
                            case.now,
                        )
                        .unwrap()
                })
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("tdx/verify_cold_bundle_preparsed");
    for &p in providers {
        for case in cases {
            let verifier = cold_verifier(p);
            verify(&verifier, case, &case.bundle);
            g.bench_function(BenchmarkId::new(p.name(), case.name), |b| {
                b.iter(|| {
                    verifier
                        .verify_tdx(
                            black_box(&case.quote),
                            &case.bundle,
                            &TdxOptions::default(),
                            case.now,
                        )
                        .unwrap()
                })
            });
        }
    }
    g.finish();
}

fn bench_p256(c: &mut Criterion, cases: &[Case], providers: &[&'static dyn CryptoProvider]) {
    let mut g = c.benchmark_group("tdx/p256_verify");
    for &p in providers {
        for case in cases {
            let sig = QuoteSignature::of(case);
            assert!(
                sig.verify(p),
                "{} / {}: quote signature",
                p.name(),
                case.name
            );
            g.bench_function(BenchmarkId::new(p.name(), case.name), |b| {
                b.iter(|| assert!(sig.verify(p)))
            });
        }
    }
    g.finish();
}

/// One signature a cold verification checks: key (uncompressed SEC1), message, signature.
struct Check {
    what: &'static str,
    key: Vec<u8>,
    message: Vec<u8>,
    der: bool,
    signature: Vec<u8>,
}

impl Check {
    fn verify(&self, p: &dyn CryptoProvider) -> bool {
        let sig = if self.der {
            EcdsaSig::Der(&self.signature)
        } else {
            EcdsaSig::Fixed(&self.signature)
        };
        p.verify_ecdsa(
            Curve::P256,
            HashAlg::Sha256,
            &self.key,
            black_box(&self.message),
            sig,
        )
        .is_ok()
    }
}

fn p256_key(cert: &verifier::pki::Certificate) -> Vec<u8> {
    match cert.public_key() {
        verifier::pki::PublicKey::Ec { point, .. } => point.clone(),
        other => panic!("not an EC key: {other:?}"),
    }
}

/// The distinct signatures a cold verification of `case` checks (bench header).
fn cold_signatures(case: &Case) -> Vec<Check> {
    let q = Quote::parse(&case.quote).unwrap();
    let chain = parse_pck_chain(q.signature.certification.data);
    let [leaf, ca, root] = &chain[..] else {
        panic!("{}: a 3-certificate PCK chain", case.name)
    };
    let signing = case
        .bundle
        .certificates()
        .iter()
        .find(|c| c.subject().common_name() == Some("Intel SGX TCB Signing"))
        .unwrap();
    let crl_by = |issuer: &verifier::pki::Certificate| {
        case.bundle
            .crls_by_issuer(issuer.subject().raw())
            .next()
            .unwrap()
    };
    let (root_crl, pck_crl) = (crl_by(root), crl_by(ca));
    let cert = |what, issuer, c: &verifier::pki::Certificate| Check {
        what,
        key: p256_key(issuer),
        message: c.tbs().to_vec(),
        der: true,
        signature: c.signature().to_vec(),
    };
    let crl = |what, issuer, c: &verifier::pki::Crl| Check {
        what,
        key: p256_key(issuer),
        message: c.tbs().to_vec(),
        der: true,
        signature: c.signature().to_vec(),
    };
    let fixed = |what, key: Vec<u8>, message: &[u8], signature: &[u8]| Check {
        what,
        key,
        message: message.to_vec(),
        der: false,
        signature: signature.to_vec(),
    };
    let tcb: &SignedTcbInfo = &case.bundle.tcb_infos()[0];
    let qe: &SignedQeIdentity = &case.bundle.qe_identities()[0];
    let attestation = QuoteSignature::of(case);
    vec![
        cert("PCK CA", root, ca),
        cert("PCK", ca, leaf),
        crl("Root CA CRL", root, root_crl),
        crl("PCK CRL", ca, pck_crl),
        fixed(
            "QE report",
            p256_key(leaf),
            q.signature.qe_report_raw,
            &q.signature.qe_report_signature,
        ),
        fixed(
            "quote",
            attestation.point.to_vec(),
            &attestation.signed,
            &attestation.signature,
        ),
        cert("TCB Signing", root, signing),
        fixed(
            "TCB Info",
            p256_key(signing),
            tcb.signed_bytes(),
            tcb.signature(),
        ),
        fixed(
            "QE Identity",
            p256_key(signing),
            qe.signed_bytes(),
            qe.signature(),
        ),
    ]
}

fn bench_cold_floor(c: &mut Criterion, cases: &[Case], providers: &[&'static dyn CryptoProvider]) {
    let mut g = c.benchmark_group("tdx/cold_signature_floor");
    for &p in providers {
        for case in cases {
            let checks = cold_signatures(case);
            for check in &checks {
                assert!(
                    check.verify(p),
                    "{} / {}: {}",
                    p.name(),
                    case.name,
                    check.what
                );
            }
            g.bench_function(BenchmarkId::new(p.name(), case.name), |b| {
                b.iter(|| {
                    for check in &checks {
                        assert!(check.verify(p));
                    }
                })
            });
        }
    }
    g.finish();
}

/// The quote's PCK chain (PEM, NUL-terminated), parsed as `tdx::verify` does on a
/// chain-cache miss.
fn parse_pck_chain(data: &[u8]) -> Vec<verifier::pki::Certificate> {
    let text = data.strip_suffix(&[0]).unwrap_or(data);
    pem::parse_many(text)
        .unwrap()
        .iter()
        .map(|b| verifier::pki::Certificate::from_der(b.contents()).unwrap())
        .collect()
}

/// Stand-ins of the SHA-256 inputs a warm verification hashes for cache keys, with
/// their real lengths: one per signature-cache lookup (tag, framed key, message,
/// signature, as `pki::algorithm::cache_key` frames them) plus the chain-cache key (the
/// quote's PEM certification data). Hashing cost depends on length only.
fn warm_hash_inputs(case: &Case) -> Vec<Vec<u8>> {
    let q = Quote::parse(&case.quote).unwrap();
    let certs = case.bundle.certificates();
    let chain = parse_pck_chain(q.signature.certification.data);
    let framed = |key: &[u8], msg: &[u8], sig: &[u8]| {
        let mut v = b"ecdsa\x01".to_vec();
        v.extend_from_slice(&(key.len() as u64).to_be_bytes());
        v.extend_from_slice(key);
        v.extend_from_slice(&(msg.len() as u64).to_be_bytes());
        v.extend_from_slice(msg);
        v.extend_from_slice(sig);
        v
    };
    let mut inputs = vec![q.signature.certification.data.to_vec()];
    // Root self-signature, PCK CA, PCK leaf (the key size barely matters: 65 bytes).
    for cert in &chain {
        inputs.push(framed(&[0; 65], cert.tbs(), cert.signature()));
    }
    // The two CRLs (the pick loop checks each candidate's signature through the cache).
    for crl in case.bundle.crls() {
        inputs.push(framed(&[0; 65], crl.tbs(), crl.signature()));
    }
    // QE report, TCB Signing certificate, TCB Info, QE Identity.
    inputs.push(framed(&[0; 65], q.signature.qe_report_raw, &[0; 64]));
    if let Some(signing) = certs
        .iter()
        .find(|c| c.subject().common_name() == Some("Intel SGX TCB Signing"))
    {
        inputs.push(framed(&[0; 65], signing.tbs(), signing.signature()));
    }
    let tcb: &SignedTcbInfo = &case.bundle.tcb_infos()[0];
    let qe: &SignedQeIdentity = &case.bundle.qe_identities()[0];
    inputs.push(framed(&[0; 65], tcb.signed_bytes(), tcb.signature()));
    inputs.push(framed(&[0; 65], qe.signed_bytes(), qe.signature()));
    inputs
}

fn bench_warm_parts(c: &mut Criterion, cases: &[Case], providers: &[&'static dyn CryptoProvider]) {
    let mut g = c.benchmark_group("tdx/warm_parts");
    for case in cases {
        let inputs = warm_hash_inputs(case);
        let total: usize = inputs.iter().map(Vec::len).sum();
        eprintln!(
            "tdx bench: {}: a warm verification hashes {} cache-key inputs, {total} bytes",
            case.name,
            inputs.len()
        );
        for &p in providers {
            g.bench_function(
                BenchmarkId::new(format!("cache_key_sha256/{}", p.name()), case.name),
                |b| {
                    b.iter(|| {
                        for input in &inputs {
                            black_box(p.hash(HashAlg::Sha256, &[black_box(input)]));
                        }
                    })
                },
            );
        }
        let q = Quote::parse(&case.quote).unwrap();
        let leaf = parse_pck_chain(q.signature.certification.data).remove(0);
        g.bench_function(BenchmarkId::new("pck_extension_decode", case.name), |b| {
            b.iter(|| PckExtension::decode(black_box(&leaf)).unwrap())
        });
        g.bench_function(BenchmarkId::new("pck_chain_pem_parse", case.name), |b| {
            b.iter(|| parse_pck_chain(black_box(q.signature.certification.data)))
        });
        let pck = PckExtension::decode(&leaf).unwrap();
        let platform = PlatformTcb {
            sgx_components: pck.tcb_components,
            pce_svn: pck.pce_svn,
            qe_isv_svn: q.signature.qe_report.isv_svn,
        };
        let info = &case.bundle.tcb_infos()[0].body();
        let identity = &case.bundle.qe_identities()[0].body();
        let td = q.td_report().expect("a TD quote");
        g.bench_function(BenchmarkId::new("tcb_evaluate", case.name), |b| {
            b.iter(|| {
                evaluate(info, identity, &platform, Some(black_box(&td.tee_tcb_svn))).unwrap()
            })
        });
    }
    g.finish();
}

fn bench_dcap_qvl(c: &mut Criterion, cases: &[Case]) {
    // dcap-qvl hard-rejects a TD 1.5 quote with a non-zero MR_SERVICETD unless told
    // otherwise; Verdict leaves that to policy (it is a claim), so both sides run the same
    // checks. Built once, like the long-lived `Verifier`.
    let qvl = dcap_qvl::verify::QuoteVerifier::new_prod().allow_service_td(true);
    let mut g = c.benchmark_group("tdx/dcap_qvl");
    for case in cases {
        let now = time::secs(case.now);
        let report = qvl
            .verify(&case.quote, &case.dcap, now)
            .unwrap_or_else(|e| panic!("dcap-qvl / {}: {e:?}", case.name));
        assert_eq!(report.status, "UpToDate", "dcap-qvl / {}", case.name);
        g.bench_function(BenchmarkId::new("verify", case.name), |b| {
            b.iter(|| qvl.verify(black_box(&case.quote), &case.dcap, now).unwrap())
        });
    }
    g.finish();
}

fn main() {
    let cases = load_cases();
    let providers = all_providers();
    let mut c = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    bench_parse(&mut c, &cases);
    bench_verify(&mut c, &cases, &providers);
    bench_p256(&mut c, &cases, &providers);
    bench_cold_floor(&mut c, &cases, &providers);
    bench_warm_parts(&mut c, &cases, &providers);
    bench_dcap_qvl(&mut c, &cases);

    c.final_summary();
}

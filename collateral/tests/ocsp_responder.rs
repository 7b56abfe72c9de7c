//! Our OCSP requests against a real responder: `openssl ocsp` serves the Provisioner ICA
//! of the fake NVIDIA PKI (signing as a delegated responder, as NVIDIA's does) on a local
//! port, and each request is POSTed to it over reqwest as the HTTP source sends it. Its
//! answers must pass [`OcspRequest::check_answer`] (nonce echoed) and the verifier's own
//! [`PathChecker::check_ocsp`] with that nonce expected, with the status of the index:
//! good, revoked, or unknown for a certificate it does not list.
//!
//! `openssl` is required: without it these tests fail, they never skip.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use collateral::{AnswerMismatch, OcspRequest};
use testvectors::pki::nvidia::{GpuPki, GpuSpecs};
use testvectors::pki::x509::name;
use testvectors::pki::{to_pem, CertSpec};
use verifier::crypto::default_provider;
use verifier::needs::OcspTarget;
use verifier::pki::ocsp::{CertStatus, Freshness, OcspResponse, OcspStatus, RevocationReason};
use verifier::pki::{Certificate, PathChecker, SignatureCache};
use verifier::time::from_secs;

/// How long the responder may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// The revocation time written in the index: 2024-06-01T00:00:00Z.
const REVOKED_AT: u64 = 1_717_200_000;

/// The CA the responder serves, what it knows, and its delegated signer.
struct Pki {
    ca: Vec<u8>,
    /// Listed `V` (valid): the fake chain's own BROM certificate.
    good: Vec<u8>,
    /// Listed `R` (revoked, keyCompromise); its serial has the top bit set, so the
    /// CertID's INTEGER carries a 00 pad the responder must see through.
    revoked: Vec<u8>,
    /// Issued by the CA but absent from the index.
    unknown: Vec<u8>,
    responder: CertSpec,
}

fn pki() -> Pki {
    let specs = GpuSpecs::new();
    let issue = |cn: &str, serial: &[u8]| {
        let mut spec = CertSpec::issued_by(
            name(&[("CN", cn), ("O", "NVIDIA Corporation")]),
            specs.brom.key.clone(),
            &specs.provisioner,
        );
        spec.serial = serial.to_vec();
        spec.build()
    };
    Pki {
        ca: specs.provisioner.build(),
        good: specs.brom.build(),
        revoked: issue("Fake revoked GPU BROM", &[0x00, 0xC0, 0xFF, 0xEE, 0x01]),
        unknown: issue("Fake unlisted GPU BROM", &[0x0D, 0x15, 0xEA, 0x5E]),
        responder: GpuPki::responder_for(&specs.provisioner, "provisioner"),
    }
}

/// A running `openssl ocsp` responder in its own directory; killed and cleaned up on drop
/// (also when an assertion fails).
struct Responder {
    child: Child,
    dir: PathBuf,
    url: String,
}

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The serial as OpenSSL's index has it (`BN_bn2hex`: upper-case, whole bytes).
fn index_serial(der: &[u8]) -> String {
    hex::encode_upper(Certificate::from_der(der).unwrap().serial())
}

impl Responder {
    /// Starts a responder for `pki`'s CA on a port the OS picks (`-port 0`: no window
    /// in which another process could take it), and waits until it listens.
    ///
    /// Readiness is its `ACCEPT` line, printed once the socket listens, not a probe
    /// connection: OpenSSL 3.0's responder stalls for good on a connection closed before
    /// a request line, and would answer nothing after it.
    fn start(pki: &Pki) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "ocsp-responder-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let write = |file: &str, text: &str| std::fs::write(dir.join(file), text).unwrap();
        write("ca.pem", &to_pem("CERTIFICATE", &pki.ca));
        write(
            "rsigner.pem",
            &to_pem("CERTIFICATE", &pki.responder.build()),
        );
        write("rkey.pem", &pki.responder.key.to_pkcs8_pem());
        // OpenSSL's CA database: status, expiry, revocation[,reason], serial, file, DN.
        write(
            "index.txt",
            &format!(
                "V\t491231235959Z\t\t{}\tunknown\t/CN=Fake GH100 A01 GSP BROM\n\
                 R\t491231235959Z\t240601000000Z,keyCompromise\t{}\tunknown\t/CN=Fake revoked GPU BROM\n",
                index_serial(&pki.good),
                index_serial(&pki.revoked),
            ),
        );
        write("index.txt.attr", "unique_subject = no\n");
        let log_path = dir.join("responder.log");
        let log = File::create(&log_path).unwrap();
        let child = Command::new("openssl")
            .current_dir(&dir)
            .args(["ocsp", "-index", "index.txt", "-CA", "ca.pem"])
            .args([
                "-rsigner",
                "rsigner.pem",
                "-rkey",
                "rkey.pem",
                "-rmd",
                "sha384",
            ])
            // nextUpdate a day on, as NVIDIA's answers have it.
            .args(["-ndays", "1", "-port", "0", "-ignore_err"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("this test needs the `openssl` command (OpenSSL 3) on PATH: {e}")
            });
        let mut responder = Self {
            child,
            dir,
            url: String::new(),
        };
        let deadline = Instant::now() + START_TIMEOUT;
        // OpenSSL prints `ACCEPT [::]:PORT PID=...` once it listens.
        let port = loop {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            if let Some(port) = accepted_port(&text) {
                break port;
            }
            if let Some(status) = responder.child.try_wait().unwrap() {
                panic!("openssl ocsp exited ({status}) before listening:\n{text}");
            }
            assert!(
                Instant::now() < deadline,
                "openssl ocsp did not listen within {START_TIMEOUT:?}:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        // It listens on the wildcard address, so on the loopback too.
        responder.url = format!("http://127.0.0.1:{port}/");
        responder
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("responder.log")).unwrap_or_default()
    }
}

/// The port of a complete `ACCEPT [::]:PORT PID=...` line (a line still being written
/// could end inside the port).
fn accepted_port(log: &str) -> Option<u16> {
    let line = log
        .split_inclusive('\n')
        .find(|l| l.starts_with("ACCEPT ") && l.ends_with('\n'))?;
    let addr = line.split_whitespace().nth(1)?;
    addr.rsplit(':').next()?.parse().ok()
}

fn target(certificate: &[u8], issuer: &[u8]) -> OcspTarget {
    let cert = Certificate::from_der(certificate).unwrap();
    OcspTarget {
        subject: cert.subject().display().to_owned(),
        serial: hex::encode(cert.serial()),
        certificate: certificate.to_vec(),
        issuer: issuer.to_vec(),
    }
}

/// A different nonce per request, as an RNG would draw them.
fn nonce(seed: u8) -> [u8; 32] {
    core::array::from_fn(|i| seed.wrapping_mul(31).wrapping_add(i as u8))
}

/// POSTs the request as the HTTP source does (one fresh connection each: OpenSSL's
/// responder closes after answering).
async fn post(responder: &Responder, request: &OcspRequest) -> Vec<u8> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let response = client
        .post(&responder.url)
        .header(reqwest::header::CONTENT_TYPE, "application/ocsp-request")
        .body(request.der().to_vec())
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST to {}: {e}\n{}", responder.url, responder.log()));
    assert!(
        response.status().is_success(),
        "{}: HTTP {}\n{}",
        responder.url,
        response.status(),
        responder.log()
    );
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert_eq!(content_type.as_deref(), Some("application/ocsp-response"));
    response.bytes().await.unwrap().to_vec()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Asks about `cert`, and checks the answer as the fetcher and then the verifier do.
async fn ask(responder: &Responder, pki: &Pki, cert: &[u8], seed: u8) -> OcspStatus {
    let request = OcspRequest::new(&target(cert, &pki.ca), nonce(seed)).unwrap();
    let answer = post(responder, &request).await;
    request
        .check_answer(&answer)
        .unwrap_or_else(|e| panic!("{e}\n{}", responder.log()));
    let response = OcspResponse::from_der(&answer).unwrap();
    assert_eq!(
        response.nonce(),
        Some(&nonce(seed)[..]),
        "the nonce is echoed"
    );
    let checker = PathChecker {
        provider: default_provider(),
        cache: &SignatureCache::default(),
        now: from_secs(now()),
    };
    let status = checker
        .check_ocsp(
            &response,
            &Certificate::from_der(cert).unwrap(),
            &Certificate::from_der(&pki.ca).unwrap(),
            Some(&nonce(seed)),
        )
        .unwrap();
    assert_eq!(status.freshness, Freshness::Current);
    assert!(status.next_update.is_some());
    assert!(
        status
            .responder
            .contains("Fake NVIDIA OCSP Responder provisioner"),
        "signed by the delegated responder: {}",
        status.responder
    );
    status
}

#[tokio::test]
async fn listed_valid_certificate_is_good() {
    let pki = pki();
    let responder = Responder::start(&pki);
    let status = ask(&responder, &pki, &pki.good, 1).await;
    assert_eq!(status.status, CertStatus::Good);
}

#[tokio::test]
async fn listed_revoked_certificate_is_revoked() {
    let pki = pki();
    let responder = Responder::start(&pki);
    let status = ask(&responder, &pki, &pki.revoked, 2).await;
    assert_eq!(
        status.status,
        CertStatus::Revoked {
            revoked_at: REVOKED_AT,
            reason: Some(RevocationReason::KeyCompromise),
        }
    );
}

#[tokio::test]
async fn unlisted_certificate_is_unknown() {
    let pki = pki();
    let responder = Responder::start(&pki);
    let status = ask(&responder, &pki, &pki.unknown, 3).await;
    assert_eq!(status.status, CertStatus::Unknown);
}

/// An answer is bound to its request: the response to request A, about the same
/// certificate, fails request B's check (another nonce: a replay), and the verifier
/// refuses it with B's nonce too. Asking about another certificate fails on the CertID.
#[tokio::test]
async fn answer_to_one_request_does_not_answer_another() {
    let pki = pki();
    let responder = Responder::start(&pki);
    let target_good = target(&pki.good, &pki.ca);
    let a = OcspRequest::new(&target_good, nonce(10)).unwrap();
    let b = OcspRequest::new(&target_good, nonce(11)).unwrap();
    let answer_a = post(&responder, &a).await;
    a.check_answer(&answer_a).unwrap();
    let err = b.check_answer(&answer_a).unwrap_err();
    assert_eq!(
        err,
        AnswerMismatch::NonceMismatch {
            serial: "41431d48".to_owned(),
            expected: hex::encode(nonce(11)),
            actual: hex::encode(nonce(10)),
        }
    );
    let checker = PathChecker {
        provider: default_provider(),
        cache: &SignatureCache::default(),
        now: from_secs(now()),
    };
    let refused = checker.check_ocsp(
        &OcspResponse::from_der(&answer_a).unwrap(),
        &Certificate::from_der(&pki.good).unwrap(),
        &Certificate::from_der(&pki.ca).unwrap(),
        Some(b.nonce()),
    );
    assert!(refused.is_err(), "{refused:?}");

    let about_revoked = OcspRequest::new(&target(&pki.revoked, &pki.ca), nonce(10)).unwrap();
    assert!(matches!(
        about_revoked.check_answer(&answer_a),
        Err(AnswerMismatch::OtherCertificate { .. })
    ));
}

/// The HTTP source end to end: it draws a nonce, POSTs the request, checks the answer
/// (ours echoed) and returns it; the verifier then finds the statuses the index gives.
#[tokio::test]
async fn the_http_source_asks_with_a_fresh_nonce_and_checks_the_answer() {
    use collateral::{Endpoints, Http, HttpOptions, Origin, Source};
    use verifier::needs::CollateralKey;
    let pki = pki();
    let responder = Responder::start(&pki);
    let mut options = HttpOptions::default();
    options.proxy_from_environment = false;
    let http = Http::new(
        Endpoints::vendors().with_nvidia_ocsp(&responder.url),
        options,
    )
    .unwrap();
    let mut nonces = Vec::new();
    for (cert, expected) in [
        (&pki.good, CertStatus::Good),
        (&pki.unknown, CertStatus::Unknown),
    ] {
        let key = CollateralKey::NvidiaOcsp(target(cert, &pki.ca));
        let fetched = http
            .fetch(&key, from_secs(now()))
            .await
            .unwrap_or_else(|e| panic!("{e}\n{}", responder.log()));
        assert!(matches!(fetched.origin, Origin::Network { .. }));
        let response = OcspResponse::from_der(&fetched.bytes).unwrap();
        let nonce = response
            .nonce()
            .expect("the responder echoes the nonce")
            .to_vec();
        assert_eq!(nonce.len(), 32);
        nonces.push(nonce.clone());
        let checker = PathChecker {
            provider: default_provider(),
            cache: &SignatureCache::default(),
            now: from_secs(now()),
        };
        let status = checker
            .check_ocsp(
                &response,
                &Certificate::from_der(cert).unwrap(),
                &Certificate::from_der(&pki.ca).unwrap(),
                Some(&nonce),
            )
            .unwrap();
        assert_eq!(status.status, expected);
    }
    assert_ne!(nonces[0], nonces[1], "each request draws its own nonce");
}

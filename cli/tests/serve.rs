//! `verdict serve` as operators run it: a process with no configuration beyond where
//! to listen and where its data goes, stopped by SIGTERM after finishing what it was
//! doing; and two processes sharing one real Redis, where a nonce used at one is
//! refused at the other.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A minimal HTTP/1.1 exchange (no client library: this is what curl would send).
fn http(port: u16, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

struct Serve(Child);

impl Serve {
    fn start(port: u16, data: &Path, extra: &[&str]) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_verdict"))
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(data)
            .args(extra)
            .env_remove("VERDICT_SERVE_CONFIG")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "verdict serve did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self(child)
    }

    /// SIGTERM, then the exit code.
    fn terminate(mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        self.0.wait().unwrap().code()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn serve_starts_with_no_configuration_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let serve = Serve::start(port, &dir.path().join("data"), &[]);
    assert_eq!(http(port, "GET", "/healthz", "").0, 200);
    assert_eq!(http(port, "GET", "/readyz", "").0, 200);
    // A signing key and a challenge key were generated into the data directory.
    let (status, jwks) = http(port, "GET", "/.well-known/jwks.json", "");
    assert_eq!(status, 200);
    assert_eq!(json(&jwks)["keys"][0]["crv"], "P-384");
    assert!(dir.path().join("data/keys/current.pem").is_file());
    assert!(dir.path().join("data/challenge.key").is_file());
    let (status, challenge) = http(port, "POST", "/v1/challenge", "");
    assert_eq!(status, 200);
    assert_eq!(json(&challenge)["nonce_hex"].as_str().unwrap().len(), 64);
    let (status, policies) = http(port, "GET", "/v1/policies", "");
    assert_eq!(status, 200);
    assert!(json(&policies).as_array().unwrap().len() >= 5);
    assert_eq!(serve.terminate(), Some(0));
}

#[test]
fn a_bad_configuration_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("serve.toml");
    std::fs::write(&config, "listne = \"127.0.0.1:1\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_verdict"))
        .args(["serve", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("listne"), "{stderr}");
}

#[test]
fn two_processes_sharing_redis_accept_a_nonce_once() {
    let dir = tempfile::tempdir().unwrap();
    let redis = testvectors::redis::RedisServer::start();
    let snp = testvectors::real::snp_dir();
    let collateral = dir.path().join("collateral");
    std::fs::create_dir_all(&collateral).unwrap();
    std::fs::copy(
        snp.join("milan-v3-oak-oc-release/vcek.der"),
        collateral.join("vcek.der"),
    )
    .unwrap();
    std::fs::copy(
        snp.join("roots/milan_ask_ark.pem"),
        collateral.join("ask_ark.pem"),
    )
    .unwrap();
    let key = dir.path().join("challenge.key");
    std::fs::write(&key, "ab".repeat(32)).unwrap();
    let redis_url = redis.url.clone();
    let args = [
        "--redis-url",
        &redis_url,
        "--challenge-key",
        key.to_str().unwrap(),
        "--offline",
        "--collateral",
        collateral.to_str().unwrap(),
        "--at",
        "2025-01-16T21:21:54Z",
    ];
    let (pa, pb) = (free_port(), free_port());
    let a = Serve::start(pa, &dir.path().join("a"), &args);
    let b = Serve::start(pb, &dir.path().join("b"), &args);
    let (_, challenge) = http(pa, "POST", "/v1/challenge", "");
    let nonce = json(&challenge)["nonce"].as_str().unwrap().to_owned();
    let report = std::fs::read(snp.join("milan-v3-oak-oc-release/report.bin")).unwrap();
    let body = serde_json::json!({
        "evidence": [{"evidence": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &report)}],
        "nonce": nonce,
    })
    .to_string();
    // The recorded report cannot answer the nonce: no token, but the nonce is used.
    let (status, answer) = http(pa, "POST", "/v1/attest", &body);
    assert_eq!(
        (status, json(&answer)["kind"].as_str()),
        (422, Some("challenge_not_answered"))
    );
    let (status, answer) = http(pb, "POST", "/v1/attest", &body);
    assert_eq!(
        (status, json(&answer)["kind"].as_str()),
        (422, Some("nonce_replayed")),
        "{answer}"
    );
    assert_eq!(a.terminate(), Some(0));
    assert_eq!(b.terminate(), Some(0));
    drop(redis);
}

//! A service on 127.0.0.1 for the tests, evidence builders, and a real Redis.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::{json, Value};
use service::{Config, State};
use testvectors::build::snp as build;
use testvectors::pki::amd::{AmdPki, Signer};
use tokio::sync::oneshot;
use verifier::snp::Product;

/// When the fake AMD PKI's certificates are valid.
pub const FAKE_AT: &str = "2024-06-01T00:00:00Z";

pub const ADMIN: &str = "test-admin-token-0123456789";

/// A running service.
pub struct Service {
    pub base: String,
    pub state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), String>>>,
}

impl Service {
    pub async fn start(config: Config) -> Self {
        let state = State::build(config).await.expect("the service starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(service::server::serve(
            Arc::clone(&state),
            listener,
            async {
                let _ = rx.await;
            },
        ));
        Self {
            base,
            state,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Signals shutdown and returns the server task, without waiting for it.
    pub fn begin_stop(mut self) -> tokio::task::JoinHandle<Result<(), String>> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.task.take().unwrap()
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }

    pub async fn challenge(&self) -> String {
        let r = client()
            .post(self.url("/v1/challenge"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        v["nonce"].as_str().unwrap().to_owned()
    }

    /// POSTs JSON; returns the status and the body as JSON (or a string).
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let r = client()
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap();
        answer(r).await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        answer(client().get(self.url(path)).send().await.unwrap()).await
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub async fn answer(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let problem = r.headers().get("content-type").is_some_and(|v| {
        v.to_str()
            .unwrap_or("")
            .starts_with("application/problem+json")
    });
    let text = r.text().await.unwrap();
    if status >= 400 {
        assert!(problem, "a {status} answer is a problem document: {text}");
    }
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A configuration with its own data directory (kept for the test's life).
pub fn config(dir: &Path) -> Config {
    Config {
        data_dir: dir.join("data"),
        admin_token: Some(ADMIN.into()),
        ..Config::default()
    }
}

/// The fake AMD PKI's root and collateral, written under `dir`, and a configuration
/// that trusts them, offline, at [`FAKE_AT`].
pub fn fake_snp_config(dir: &Path) -> Config {
    let pki = AmdPki::cached(Product::Milan);
    let collateral = dir.join("collateral");
    std::fs::create_dir_all(&collateral).unwrap();
    std::fs::write(collateral.join("ask_ark.pem"), pki.ask_ark_pem()).unwrap();
    std::fs::write(
        collateral.join("vcek.pem"),
        testvectors::pki::to_pem("CERTIFICATE", pki.leaf(Signer::Vcek)),
    )
    .unwrap();
    let anchor = dir.join("ark.pem");
    std::fs::write(&anchor, testvectors::pki::to_pem("CERTIFICATE", &pki.ark)).unwrap();
    Config {
        collateral: vec![collateral],
        anchors: vec![anchor],
        offline: true,
        at: Some(FAKE_AT.into()),
        ..config(dir)
    }
}

/// A fake-PKI SNP report whose REPORT_DATA is `report_data` (zero-padded).
pub fn fake_snp_report(report_data: &[u8]) -> Vec<u8> {
    let pki = AmdPki::cached(Product::Milan);
    let mut report = build::report(pki, Signer::Vcek);
    report.report_data = [0; 64];
    report.report_data[..report_data.len()].copy_from_slice(report_data);
    build::sign(pki, Signer::Vcek, &report)
}

pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn unb64url(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).unwrap()
}

/// `/v1/attest`'s body for one piece of evidence.
pub fn attest_body(evidence: &[u8], nonce: Option<&str>, policy: Option<&str>) -> Value {
    let mut body = json!({"evidence": [{"evidence": b64(evidence)}]});
    if let Some(n) = nonce {
        body["nonce"] = json!(n);
    }
    if let Some(p) = policy {
        body["policy"] = json!(p);
    }
    body
}

/// A built-in policy's text with `challenge: optional`, under another name.
pub fn open_policy(builtin: &str) -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../policies")
            .join(builtin),
    )
    .unwrap();
    let (head, rest) = text.split_once("\nversion:").unwrap();
    format!("{head}\nchallenge: optional\nversion:{rest}")
}

pub async fn put_policy(service: &Service, id: &str, text: &str) -> (u16, Value) {
    let r = client()
        .put(service.url(&format!("/v1/policies/{id}")))
        .bearer_auth(ADMIN)
        .body(text.to_owned())
        .send()
        .await
        .unwrap();
    answer(r).await
}
